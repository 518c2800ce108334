//! Views: pure functions from aggregates to bodies. Legacy analytics v1 CSV exports and
//! pull-series JSON here; DVP Core reports in [`reports`]; column layouts in [`csv_layout`].
pub(crate) mod benchmark;
pub mod csv_layout;
pub mod premium;
pub(crate) mod public_series;
pub(crate) mod ranking;
pub mod reports;

use serde_json::{json, Value};

use crate::bodies::csv_layout as layout;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events::Event;
use crate::engine::model::{Model, Summaries};
use crate::engine::population::AGENTS;
use crate::engine::stats::{PeriodStats, Tally};
use crate::engine::world::World;

/// An export view (`dataview` path segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dataview {
    /// `raw`: one row per pull event.
    Raw,
    /// `summary`: counts per (repository, tag, digest).
    Summary,
    /// `repo-summary`: counts per repository.
    RepoSummary,
    /// `namespace-summary`: the namespace's totals.
    NamespaceSummary,
    /// `geo-repo-summary`: counts per repository and country.
    GeoRepoSummary,
    /// `ext-summary`: installs, uninstalls and updates per Docker Desktop extension.
    ExtSummary,
    /// `ext-premium-summary`: installs, uninstalls and usage, with their unique users, per
    /// extension repository.
    ExtPremiumSummary,
    /// `ext-premium-geo`: the same per extension repository and country.
    ExtPremiumGeo,
}

impl Dataview {
    /// Views of the `pulls` dataset, in API order.
    pub const PULLS: [Dataview; 5] =
        [Dataview::Raw, Dataview::Summary, Dataview::RepoSummary, Dataview::NamespaceSummary, Dataview::GeoRepoSummary];
    /// Every view the mock knows (for path validation).
    pub(crate) const ALL: [Dataview; 8] = [
        Dataview::Raw,
        Dataview::Summary,
        Dataview::RepoSummary,
        Dataview::NamespaceSummary,
        Dataview::GeoRepoSummary,
        Dataview::ExtSummary,
        Dataview::ExtPremiumSummary,
        Dataview::ExtPremiumGeo,
    ];
    /// Views of the `extensions` dataset of a namespace, in API order.
    pub fn extensions(premium: bool) -> &'static [Dataview] {
        let all = &[Dataview::ExtSummary, Dataview::ExtPremiumSummary, Dataview::ExtPremiumGeo];
        if premium {
            all
        } else {
            &all[..1]
        }
    }

    /// The `dataview` path segment (`raw`, `repo-summary`, ...).
    pub fn api(self) -> &'static str {
        match self {
            Dataview::Raw => "raw",
            Dataview::Summary => "summary",
            Dataview::RepoSummary => "repo-summary",
            Dataview::NamespaceSummary => "namespace-summary",
            Dataview::GeoRepoSummary => "geo-repo-summary",
            Dataview::ExtSummary => "ext-summary",
            Dataview::ExtPremiumSummary => "ext-premium-summary",
            Dataview::ExtPremiumGeo => "ext-premium-geo",
        }
    }
}

/// The whole export of `view` for namespace `ns` over `period`: header row, then rows.
/// Regenerates the period's events; the generator streams them instead ([`RawRenderer`],
/// `write_export`).
pub fn export_csv(model: &Model, ns: usize, period: &Period, view: Dataview) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rows = RowSink(&mut out);
    let written = match view {
        Dataview::ExtSummary => write_ext_summary(&model.world, &model.summaries, ns, period, &mut rows),
        Dataview::Raw => write_export(&model.world, ns, period, view, &PeriodStats::new(*period, ns), &mut rows),
        _ => write_export(&model.world, ns, period, view, &model.period_stats(ns, period), &mut rows),
    };
    written.expect("writing to memory cannot fail");
    out
}

/// A header row as the csv writer writes it.
pub(crate) fn header_row(header: &[&str], out: &mut Vec<u8>) {
    let mut w = layout::writer(out);
    w.write_record(header).expect("writing to memory cannot fail");
    w.flush().expect("writing to memory cannot fail");
}

/// Raw rows of (part of) one day: their bytes, and where each row ends.
#[derive(Debug, Default)]
pub struct RawRows {
    /// The rows' CSV bytes, one after the other, each ending in `\n`.
    pub bytes: Vec<u8>,
    pub(crate) ends: Vec<usize>,
}

impl RawRows {
    pub(crate) fn rows(&self) -> impl Iterator<Item = &[u8]> {
        let mut start = 0;
        self.ends.iter().map(move |&end| {
            let row = &self.bytes[start..end];
            start = end;
            row
        })
    }
}

/// Renders raw-export rows of one namespace, the hot path of the generator: every
/// namespace-side field is escaped once up front, client fields are escaped as they go, and a
/// row is plain byte appends (`layout::push_field` is held to the csv writer by a test, and
/// [`export_csv`]'s raw output is what the committed tree and its hash check).
pub struct RawRenderer<'w> {
    world: &'w crate::engine::world::World,
    owner: Vec<u8>,
    /// Per repository: its name, and per tag: (name, digest per platform), all escaped.
    repos: Vec<(Vec<u8>, Vec<EscapedTag>)>,
}

/// A tag's name and its digest per platform, escaped.
type EscapedTag = (Vec<u8>, Vec<Vec<u8>>);

impl<'w> RawRenderer<'w> {
    /// A renderer for namespace `ns` (index into `world.namespaces`).
    pub fn new(world: &'w crate::engine::world::World, ns: usize) -> RawRenderer<'w> {
        let esc = |s: &str| {
            let mut v = Vec::new();
            layout::push_field(&mut v, s.as_bytes());
            v
        };
        let namespace = &world.namespaces[ns];
        let repos = namespace
            .repos
            .iter()
            .map(|r| {
                let tags = r.tags.iter().map(|t| (esc(&t.name), t.digests.iter().map(|d| esc(d)).collect())).collect();
                (esc(&r.name), tags)
            })
            .collect();
        RawRenderer { world, owner: esc(&namespace.name), repos }
    }

    /// The rows of `events` (all of the same date, in time order) into `out` (cleared first).
    pub fn render(&self, events: &[Event], out: &mut RawRows) {
        use layout::push_field as field;
        out.bytes.clear();
        out.ends.clear();
        let Some(first) = events.first() else { return };
        let date = first.date.format("%Y-%m-%d").to_string();
        let date = date.as_bytes();
        let b = &mut out.bytes;
        for e in events {
            debug_assert_eq!(e.date, first.date);
            let (repo, tags) = &self.repos[e.repo as usize];
            let (tag, digests) = &tags[e.tag as usize];
            let digest = &digests[e.platform as usize];
            let client = &self.world.clients[e.client as usize];
            let (tool, versions, _) = AGENTS[client.profile.agent as usize];
            let by_tag = e.action.by_tag();
            field(b, e.action.as_str().as_bytes());
            b.push(b',');
            b.extend_from_slice(date);
            b.push(b',');
            field(b, client.country().as_bytes());
            b.push(b',');
            b.extend_from_slice(digest);
            b.push(b',');
            b.extend_from_slice(e.method().as_bytes());
            b.push(b',');
            field(b, client.csp().unwrap_or("").as_bytes());
            b.push(b',');
            b.extend_from_slice(&self.owner);
            b.push(b',');
            b.extend_from_slice(if by_tag { tag } else { digest });
            b.push(b',');
            b.extend_from_slice(repo);
            b.push(b',');
            if by_tag {
                b.extend_from_slice(tag);
            }
            b.push(b',');
            b.extend_from_slice(date);
            let (h, m, sec) = (e.second / 3600, e.second / 60 % 60, e.second % 60);
            let two = |v: u32| [b'0' + (v / 10) as u8, b'0' + (v % 10) as u8];
            b.push(b' ');
            b.extend_from_slice(&two(h));
            b.push(b':');
            b.extend_from_slice(&two(m));
            b.push(b':');
            b.extend_from_slice(&two(sec));
            b.push(b',');
            field(b, client.profile.ip_type.as_str().as_bytes());
            b.push(b',');
            field(b, tool.as_bytes());
            b.push(b',');
            field(b, versions[client.id as usize % versions.len()].as_bytes());
            b.push(b',');
            field(b, client.domain().as_bytes());
            b.push(b',');
            b.extend_from_slice(&self.owner);
            b.push(b'\n');
            out.ends.push(b.len());
        }
    }
}

/// Receives a CSV one row at a time (header first), so a caller can split at row boundaries.
pub trait Rows {
    /// Takes one CSV row, its line terminator included.
    fn row(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

/// Collects every row into one buffer.
pub(crate) struct RowSink<'a>(pub &'a mut Vec<u8>);

impl Rows for RowSink<'_> {
    fn row(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.0.extend_from_slice(bytes);
        Ok(())
    }
}

/// A CSV writer that hands each finished row to a [`Rows`] sink.
struct RowWriter<'a, R: Rows> {
    csv: csv::Writer<SharedBuf>,
    buf: SharedBuf,
    out: &'a mut R,
}

/// The buffer the csv writer flushes into, shared with [`RowWriter`] to take each row.
#[derive(Clone, Default)]
struct SharedBuf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for SharedBuf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a, R: Rows> RowWriter<'a, R> {
    fn new(out: &'a mut R) -> Self {
        let buf = SharedBuf::default();
        RowWriter { csv: layout::writer(buf.clone()), buf, out }
    }

    fn write_record<I, T>(&mut self, record: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.csv.write_record(record)?;
        self.csv.flush()?;
        let mut buf = self.buf.0.borrow_mut();
        self.out.row(&buf)?;
        buf.clear();
        Ok(())
    }
}

/// Renders the export of `view` from the period's aggregate into `out` (raw rows are
/// regenerated from the period's days). `ext-summary` reads running totals over earlier
/// periods instead: [`write_ext_summary`].
pub(crate) fn write_export<R: Rows>(
    world: &World,
    ns: usize,
    period: &Period,
    view: Dataview,
    stats: &PeriodStats,
    out: &mut R,
) -> std::io::Result<()> {
    let mut w = RowWriter::new(out);
    let namespace = &world.namespaces[ns];
    let owner = namespace.name.as_str();
    let counts_cols = |t: &Tally| {
        [
            t.unique().to_string(),
            t.counts.by_tag.to_string(),
            t.counts.by_digest.to_string(),
            t.counts.checks.to_string(),
        ]
    };
    match view {
        Dataview::Raw => {
            // The generator streams raw rows day by day instead; this regenerates the days.
            w.write_record(layout::RAW)?;
            let renderer = RawRenderer::new(world, ns);
            let mut day = RawRows::default();
            for d in period.days() {
                renderer.render(&crate::engine::events::day_events(world, ns, d), &mut day);
                for row in day.rows() {
                    w.out.row(row)?;
                }
            }
        }
        Dataview::Summary => {
            w.write_record(layout::SUMMARY)?;
            let groups = stats.group(world, |p| Some((p.repo, p.tag, p.platform, p.by_tag)), |_| Some(()));
            for (((repo, tag, platform, by_tag), ()), t) in groups {
                let r = &namespace.repos[repo as usize];
                let tg = &r.tags[tag as usize];
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([
                    owner,
                    &r.name,
                    if by_tag { tg.name.as_str() } else { "" },
                    &tg.digests[platform as usize],
                    &u,
                    &bt,
                    &bd,
                    &vc,
                    owner,
                ])?;
            }
        }
        Dataview::RepoSummary => {
            w.write_record(layout::REPO_SUMMARY)?;
            for (repo, t) in stats.by_repo(world) {
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([owner, &namespace.repos[repo as usize].name, &u, &bt, &bd, &vc, owner])?;
            }
        }
        Dataview::NamespaceSummary => {
            w.write_record(layout::NAMESPACE_SUMMARY)?;
            let t = stats.total(world);
            let [u, bt, bd, vc] = counts_cols(&t);
            w.write_record([owner, &u, &bt, &bd, &vc, owner])?;
        }
        Dataview::GeoRepoSummary => {
            w.write_record(layout::GEO_REPO_SUMMARY)?;
            for ((repo, country), t) in stats.group(world, |p| Some(p.repo), |pr| Some(pr.country())) {
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([owner, &namespace.repos[repo as usize].name, country, &u, &bt, &bd, &vc, owner])?;
            }
        }
        Dataview::ExtSummary => {
            return Err(std::io::Error::other("ext-summary is rendered from summaries: write_ext_summary"));
        }
        Dataview::ExtPremiumSummary | Dataview::ExtPremiumGeo => {
            let geo = view == Dataview::ExtPremiumGeo;
            use crate::bodies::premium;
            w.write_record(premium::header(geo))?;
            for row in premium::rows(world, stats, geo) {
                w.write_record(&row)?;
            }
        }
    }
    Ok(())
}

/// Extension metrics, INFERRED from pulls of an extension repository: an install is a client
/// downloading it in the period, an update any further download by the same clients, an
/// uninstall a client that only version-checked; totals run from the start of history.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ExtensionCounts {
    pub(crate) installs: u64,
    pub(crate) total_installs: u64,
    pub(crate) uninstalls: u64,
    pub(crate) total_uninstalls: u64,
    pub(crate) updates: u64,
}

pub(crate) fn extension_counts(
    world: &World,
    summaries: &Summaries,
    ns: usize,
    repo: u16,
    period: &Period,
) -> ExtensionCounts {
    let one = |p: &Period| summaries.get(ns, p).extensions.get(&repo).copied().unwrap_or_default();
    let (installs, uninstalls, updates) = one(period);
    let mut e = ExtensionCounts { installs, uninstalls, updates, ..Default::default() };
    for p in world.calendar.periods(period.granularity).iter().filter(|p| p.start <= period.start) {
        let (i, u, _) = one(p);
        e.total_installs += i;
        e.total_uninstalls += u;
    }
    e
}

/// Renders the `ext-summary` export of namespace `ns` over `period` into `out`.
pub(crate) fn write_ext_summary<R: Rows>(
    world: &World,
    summaries: &Summaries,
    ns: usize,
    period: &Period,
    out: &mut R,
) -> std::io::Result<()> {
    let mut w = RowWriter::new(out);
    let namespace = &world.namespaces[ns];
    let owner = namespace.name.as_str();
    w.write_record(layout::EXT_SUMMARY)?;
    for (repo_i, repo) in namespace.repos.iter().enumerate().filter(|(_, r)| r.extension) {
        let e = extension_counts(world, summaries, ns, repo_i as u16, period);
        w.write_record([
            owner,
            repo.name.as_str(),
            &e.installs.to_string(),
            &e.total_installs.to_string(),
            &e.uninstalls.to_string(),
            &e.total_uninstalls.to_string(),
            &e.updates.to_string(),
        ])?;
    }
    Ok(())
}

/// The `group` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// `group=repo`: one series per repository.
    Repo,
    /// `group=namespace`: one series for the whole namespace.
    Namespace,
}

impl Group {
    pub(crate) fn api(self) -> &'static str {
        match self {
            Group::Repo => "repo",
            Group::Namespace => "namespace",
        }
    }
}

/// `PeriodType` values, in months.
pub const PERIODS: [u32; 4] = [2, 3, 6, 12];

/// INFERRED defaults of the pulls endpoints when a parameter is absent: weekly points over the
/// last 6 months; grouped by namespace on the namespace endpoint and by repo on repo endpoints.
pub(crate) const DEFAULT_TIMESPAN: Granularity = Granularity::Week;
pub(crate) const DEFAULT_PERIOD_MONTHS: u32 = 6;

fn rfc3339(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// One `PullModel` item. Monthly items end on the last day of the month (INFERRED).
fn pull_item(p: &Period, label: (&str, &str), total: u64, unique: u64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("start".into(), Value::String(rfc3339(p.start)));
    m.insert("end".into(), Value::String(rfc3339(p.last_day())));
    m.insert(label.0.into(), Value::String(label.1.to_string()));
    m.insert("pullCount".into(), json!(total));
    m.insert("ipCount".into(), json!(unique));
    Value::Object(m)
}

/// One period of a pull series: (pulls, distinct IPs) of the namespace and of each repository
/// with pulls (repository index, pulls, distinct IPs).
#[derive(Debug, Clone, Default)]
pub(crate) struct SeriesPoint {
    pub(crate) total: (u64, u64),
    pub(crate) repos: Vec<(u16, (u64, u64))>,
}

/// `PullData` for a namespace (`repo = None`) or one repository. `{"pulls": null}` when no
/// event falls in the selected periods.
pub fn pull_data(model: &Model, ns: usize, repo: Option<u16>, g: Granularity, months: u32, group: Group) -> Value {
    let namespace = &model.world.namespaces[ns];
    let repo_names: Vec<&str> = namespace.repos.iter().map(|r| r.name.as_str()).collect();
    let periods = model.world.calendar.last_months(g, months);
    pull_series(&namespace.name, &repo_names, &periods, repo, group, |p| {
        let s = model.summary(ns, p);
        SeriesPoint {
            total: (s.total.total(), s.unique),
            repos: s.repos.iter().map(|(r, (c, u))| (*r, (c.total(), *u))).collect(),
        }
    })
}

/// The `PullData` body of `periods` for any namespace, from its [`SeriesPoint`]s.
pub(crate) fn pull_series(
    ns_name: &str,
    repo_names: &[&str],
    periods: &[Period],
    repo: Option<u16>,
    group: Group,
    point: impl Fn(&Period) -> SeriesPoint,
) -> Value {
    let mut items = Vec::new();
    for p in periods {
        let s = point(p);
        match (repo, group) {
            (None, Group::Namespace) => {
                if s.total.0 > 0 {
                    items.push(pull_item(p, ("namespace", ns_name), s.total.0, s.total.1));
                }
            }
            (None, Group::Repo) => {
                for (r, (c, u)) in &s.repos {
                    items.push(pull_item(p, ("repo", repo_names[*r as usize]), *c, *u));
                }
            }
            (Some(r), group) => {
                if let Some((_, (c, u))) = s.repos.iter().find(|(x, _)| *x == r) {
                    let label = match group {
                        Group::Repo => ("repo", repo_names[r as usize]),
                        Group::Namespace => ("namespace", ns_name),
                    };
                    items.push(pull_item(p, label, *c, *u));
                }
            }
        }
    }
    json!({ "pulls": if items.is_empty() { Value::Null } else { Value::Array(items) } })
}
