//! Legacy analytics v1 views: CSV exports and pull-series JSON, pure functions of the model.
use serde_json::{json, Value};

use crate::calendar::{Granularity, Period};
use crate::csv_layout as layout;
use crate::events::Event;
use crate::model::Model;
use crate::stats::{Counts, PeriodStats, Tally};
use crate::world::AGENTS;

/// An export view (`dataview` path segment).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dataview {
    Raw,
    Summary,
    RepoSummary,
    NamespaceSummary,
    GeoRepoSummary,
    ExtSummary,
}

impl Dataview {
    /// Views of the `pulls` dataset, in API order.
    pub const PULLS: [Dataview; 5] =
        [Dataview::Raw, Dataview::Summary, Dataview::RepoSummary, Dataview::NamespaceSummary, Dataview::GeoRepoSummary];
    /// Every view the mock knows (for path validation).
    pub const ALL: [Dataview; 6] = [
        Dataview::Raw,
        Dataview::Summary,
        Dataview::RepoSummary,
        Dataview::NamespaceSummary,
        Dataview::GeoRepoSummary,
        Dataview::ExtSummary,
    ];

    pub fn api(self) -> &'static str {
        match self {
            Dataview::Raw => "raw",
            Dataview::Summary => "summary",
            Dataview::RepoSummary => "repo-summary",
            Dataview::NamespaceSummary => "namespace-summary",
            Dataview::GeoRepoSummary => "geo-repo-summary",
            Dataview::ExtSummary => "ext-summary",
        }
    }
}

/// The whole export of `view` for namespace `ns` over `period`: header row, then rows.
/// Regenerates the period's events; [`write_export`] renders from events already at hand.
pub fn export_csv(model: &Model, ns: usize, period: &Period, view: Dataview) -> Vec<u8> {
    let events = model.period_events(ns, period);
    let stats = PeriodStats::from_events(*period, &events);
    let mut out = Vec::new();
    write_export(model, ns, period, view, &events, &stats, &mut RowSink(&mut out))
        .expect("writing to memory cannot fail");
    out
}

/// Receives a CSV one row at a time (header first), so a caller can split at row boundaries.
pub trait Rows {
    fn row(&mut self, bytes: &[u8]) -> std::io::Result<()>;
}

/// Collects every row into one buffer.
pub struct RowSink<'a>(pub &'a mut Vec<u8>);

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

/// Renders the export of `view` from the period's `events` and `stats` into `out`.
pub fn write_export<R: Rows>(
    model: &Model,
    ns: usize,
    period: &Period,
    view: Dataview,
    events: &[Event],
    stats: &PeriodStats,
    out: &mut R,
) -> std::io::Result<()> {
    let mut w = RowWriter::new(out);
    let world = &model.world;
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
            w.write_record(layout::RAW)?;
            let mut day = None;
            let mut action_day = String::new();
            for e in events {
                if day != Some(e.date) {
                    day = Some(e.date);
                    action_day = e.date.format("%Y-%m-%d").to_string();
                }
                let repo = &namespace.repos[e.repo as usize];
                let tag = &repo.tags[e.tag as usize];
                let client = &world.clients[e.client as usize];
                let (tool, versions, _) = AGENTS[client.agent as usize];
                let digest = tag.digests[e.platform as usize].as_str();
                let timestamp =
                    format!("{action_day} {:02}:{:02}:{:02}", e.second / 3600, e.second / 60 % 60, e.second % 60);
                w.write_record([
                    e.action.as_str(),
                    &action_day,
                    client.country,
                    digest,
                    e.method(),
                    client.csp.unwrap_or(""),
                    owner,
                    if e.action.by_tag() { tag.name.as_str() } else { digest },
                    repo.name.as_str(),
                    if e.action.by_tag() { tag.name.as_str() } else { "" },
                    &timestamp,
                    client.ip_type.as_str(),
                    tool,
                    versions[client.id as usize % versions.len()],
                    client.domain,
                    owner,
                ])?;
            }
        }
        Dataview::Summary => {
            w.write_record(layout::SUMMARY)?;
            for ((repo, tag, platform, by_tag), t) in stats.group(|c| Some((c.repo, c.tag, c.platform, c.by_tag))) {
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
            for (repo, t) in stats.by_repo() {
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([owner, &namespace.repos[repo as usize].name, &u, &bt, &bd, &vc, owner])?;
            }
        }
        Dataview::NamespaceSummary => {
            w.write_record(layout::NAMESPACE_SUMMARY)?;
            let t = stats.total();
            let [u, bt, bd, vc] = counts_cols(&t);
            w.write_record([owner, &u, &bt, &bd, &vc, owner])?;
        }
        Dataview::GeoRepoSummary => {
            w.write_record(layout::GEO_REPO_SUMMARY)?;
            for ((repo, country), t) in stats.group(|c| Some((c.repo, world.clients[c.client as usize].country))) {
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([owner, &namespace.repos[repo as usize].name, country, &u, &bt, &bd, &vc, owner])?;
            }
        }
        Dataview::ExtSummary => {
            w.write_record(layout::EXT_SUMMARY)?;
            for (repo_i, repo) in namespace.repos.iter().enumerate().filter(|(_, r)| r.extension) {
                let e = extension_counts(model, ns, repo_i as u16, period);
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
        }
    }
    Ok(())
}

/// Extension metrics, INFERRED from pulls of an extension repository: an install is a client
/// downloading it in the period, an update any further download by the same clients, an
/// uninstall a client that only version-checked; totals run from the start of history.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ExtensionCounts {
    pub installs: u64,
    pub total_installs: u64,
    pub uninstalls: u64,
    pub total_uninstalls: u64,
    pub updates: u64,
}

pub fn extension_counts(model: &Model, ns: usize, repo: u16, period: &Period) -> ExtensionCounts {
    let one = |p: &Period| model.summary(ns, p).extensions.get(&repo).copied().unwrap_or_default();
    let (installs, uninstalls, updates) = one(period);
    let mut e = ExtensionCounts { installs, uninstalls, updates, ..Default::default() };
    for p in model.periods(period.granularity).iter().filter(|p| p.start <= period.start) {
        let (i, u, _) = one(p);
        e.total_installs += i;
        e.total_uninstalls += u;
    }
    e
}

/// The `group` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Repo,
    Namespace,
}

impl Group {
    pub fn api(self) -> &'static str {
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
pub const DEFAULT_TIMESPAN: Granularity = Granularity::Week;
pub const DEFAULT_PERIOD_MONTHS: u32 = 6;

fn rfc3339(d: chrono::NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// One `PullModel` item. Monthly items end on the last day of the month (INFERRED).
fn pull_item(p: &Period, label: (&str, &str), counts: &Counts, unique: u64) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("start".into(), Value::String(rfc3339(p.start)));
    m.insert("end".into(), Value::String(rfc3339(p.last_day())));
    m.insert(label.0.into(), Value::String(label.1.to_string()));
    m.insert("pullCount".into(), json!(counts.total()));
    m.insert("ipCount".into(), json!(unique));
    Value::Object(m)
}

/// `PullData` for a namespace (`repo = None`) or one repository. `{"pulls": null}` when no
/// event falls in the selected periods.
pub fn pull_data(model: &Model, ns: usize, repo: Option<u16>, g: Granularity, months: u32, group: Group) -> Value {
    let namespace = &model.world.namespaces[ns];
    let mut items = Vec::new();
    for p in model.world.calendar.last_months(g, months) {
        let s = model.summary(ns, &p);
        match (repo, group) {
            (None, Group::Namespace) => {
                if s.total.total() > 0 {
                    items.push(pull_item(&p, ("namespace", &namespace.name), &s.total, s.unique));
                }
            }
            (None, Group::Repo) => {
                for (r, (c, u)) in &s.repos {
                    items.push(pull_item(&p, ("repo", &namespace.repos[*r as usize].name), c, *u));
                }
            }
            (Some(r), group) => {
                if let Some((c, u)) = s.repos.get(&r) {
                    let label = match group {
                        Group::Repo => ("repo", namespace.repos[r as usize].name.as_str()),
                        Group::Namespace => ("namespace", namespace.name.as_str()),
                    };
                    items.push(pull_item(&p, label, c, *u));
                }
            }
        }
    }
    json!({ "pulls": if items.is_empty() { Value::Null } else { Value::Array(items) } })
}
