//! Legacy analytics v1 views: CSV exports and pull-series JSON, pure functions of the model.
use std::io::Write;

use serde_json::{json, Value};

use crate::calendar::{Granularity, Period};
use crate::csv_layout as layout;
use crate::events;
use crate::model::Model;
use crate::stats::{Counts, Tally};
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
    pub const PULLS: [Dataview; 5] = [
        Dataview::Raw,
        Dataview::Summary,
        Dataview::RepoSummary,
        Dataview::NamespaceSummary,
        Dataview::GeoRepoSummary,
    ];
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
pub fn export_csv(model: &Model, ns: usize, period: &Period, view: Dataview) -> Vec<u8> {
    let mut out = Vec::new();
    write_export(model, ns, period, view, &mut out).expect("writing to memory cannot fail");
    out
}

/// Streams the export to `w`.
pub fn write_export(
    model: &Model,
    ns: usize,
    period: &Period,
    view: Dataview,
    w: impl Write,
) -> std::io::Result<()> {
    let mut w = layout::writer(w);
    let world = &model.world;
    let namespace = &world.namespaces[ns];
    let owner = namespace.name.as_str();
    let stats = model.period_stats(ns, period);
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
            let mut buf = Vec::new();
            for day in period.days() {
                events::day_events_into(world, ns, day, &mut buf);
                let action_day = day.format("%Y-%m-%d").to_string();
                for e in &buf {
                    let repo = &namespace.repos[e.repo as usize];
                    let tag = &repo.tags[e.tag as usize];
                    let client = &world.clients[e.client as usize];
                    let (tool, versions, _) = AGENTS[client.agent as usize];
                    let digest = tag.digests[e.platform as usize].as_str();
                    let timestamp = format!(
                        "{action_day} {:02}:{:02}:{:02}",
                        e.second / 3600,
                        e.second / 60 % 60,
                        e.second % 60
                    );
                    w.write_record([
                        e.action.as_str(),
                        &action_day,
                        client.country,
                        digest,
                        e.method(),
                        client.csp.unwrap_or(""),
                        owner,
                        if e.action.by_tag() {
                            tag.name.as_str()
                        } else {
                            digest
                        },
                        repo.name.as_str(),
                        if e.action.by_tag() {
                            tag.name.as_str()
                        } else {
                            ""
                        },
                        &timestamp,
                        client.ip_type.as_str(),
                        tool,
                        versions[client.id as usize % versions.len()],
                        client.domain,
                        owner,
                    ])?;
                }
            }
        }
        Dataview::Summary => {
            w.write_record(layout::SUMMARY)?;
            for ((repo, tag, platform, by_tag), t) in
                stats.group(|c| Some((c.repo, c.tag, c.platform, c.by_tag)))
            {
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
                w.write_record([
                    owner,
                    &namespace.repos[repo as usize].name,
                    &u,
                    &bt,
                    &bd,
                    &vc,
                    owner,
                ])?;
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
            for ((repo, country), t) in
                stats.group(|c| Some((c.repo, world.clients[c.client as usize].country)))
            {
                let [u, bt, bd, vc] = counts_cols(&t);
                w.write_record([
                    owner,
                    &namespace.repos[repo as usize].name,
                    country,
                    &u,
                    &bt,
                    &bd,
                    &vc,
                    owner,
                ])?;
            }
        }
        Dataview::ExtSummary => {
            w.write_record(layout::EXT_SUMMARY)?;
            for (repo_i, repo) in namespace
                .repos
                .iter()
                .enumerate()
                .filter(|(_, r)| r.extension)
            {
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
    w.flush()
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
    let one = |p: &Period| {
        let s = model.period_stats(ns, p);
        let mut per_client: std::collections::BTreeMap<u32, Counts> = Default::default();
        for (c, n) in s.cells.range(..).filter(|(c, _)| c.repo == repo) {
            per_client.entry(c.client).or_default().add(n);
        }
        let installs = per_client.values().filter(|c| c.downloads() > 0).count() as u64;
        let downloads: u64 = per_client.values().map(Counts::downloads).sum();
        let uninstalls = per_client.values().filter(|c| c.downloads() == 0).count() as u64;
        (installs, uninstalls, downloads - installs)
    };
    let (installs, uninstalls, updates) = one(period);
    let mut e = ExtensionCounts {
        installs,
        uninstalls,
        updates,
        ..Default::default()
    };
    for p in model
        .periods(period.granularity)
        .iter()
        .filter(|p| p.start <= period.start)
    {
        let (i, u, _) = one(p);
        e.total_installs += i;
        e.total_uninstalls += u;
    }
    e
}

/// Splits a CSV into parts of at most `max` bytes at row boundaries; every part starts with
/// the header row, and the parts' rows concatenated after one header give the whole export.
pub fn split_parts(csv: &[u8], max: u64) -> Vec<Vec<u8>> {
    let header_end = csv
        .iter()
        .position(|&b| b == b'\n')
        .map_or(csv.len(), |i| i + 1);
    let (header, body) = csv.split_at(header_end);
    if csv.len() as u64 <= max || body.is_empty() {
        return vec![csv.to_vec()];
    }
    let mut parts = Vec::new();
    let mut cur = header.to_vec();
    for line in body.split_inclusive(|&b| b == b'\n') {
        if cur.len() > header.len() && (cur.len() + line.len()) as u64 > max {
            parts.push(std::mem::replace(&mut cur, header.to_vec()));
        }
        cur.extend_from_slice(line);
    }
    parts.push(cur);
    parts
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
fn pull_item(p: &Period, label: (&str, &str), t: &Tally) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("start".into(), Value::String(rfc3339(p.start)));
    m.insert("end".into(), Value::String(rfc3339(p.last_day())));
    m.insert(label.0.into(), Value::String(label.1.to_string()));
    m.insert("pullCount".into(), json!(t.counts.total()));
    m.insert("ipCount".into(), json!(t.unique()));
    Value::Object(m)
}

/// `PullData` for a namespace (`repo = None`) or one repository. `{"pulls": null}` when no
/// event falls in the selected periods.
pub fn pull_data(
    model: &Model,
    ns: usize,
    repo: Option<u16>,
    g: Granularity,
    months: u32,
    group: Group,
) -> Value {
    let namespace = &model.world.namespaces[ns];
    let mut items = Vec::new();
    for p in model.world.calendar.last_months(g, months) {
        let s = model.period_stats(ns, &p);
        match (repo, group) {
            (None, Group::Namespace) => {
                let t = s.total();
                if t.counts.total() > 0 {
                    items.push(pull_item(&p, ("namespace", &namespace.name), &t));
                }
            }
            (None, Group::Repo) => {
                for (r, t) in s.by_repo() {
                    items.push(pull_item(
                        &p,
                        ("repo", &namespace.repos[r as usize].name),
                        &t,
                    ));
                }
            }
            (Some(r), group) => {
                if let Some(t) = s.by_repo().get(&r) {
                    let label = match group {
                        Group::Repo => ("repo", namespace.repos[r as usize].name.as_str()),
                        Group::Namespace => ("namespace", namespace.name.as_str()),
                    };
                    items.push(pull_item(&p, label, t));
                }
            }
        }
    }
    json!({ "pulls": if items.is_empty() { Value::Null } else { Value::Array(items) } })
}
