//! CSV inputs, streamed row by row and recognised by their header: legacy exports (`raw`,
//! `summary`, `repo-summary`, `namespace-summary`, `geo-repo-summary`) and DVP Core reports
//! (`summary`, `trend`).
use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::series::{bump, parse_day, Inputs, Names};
use crate::engine::calendar::Period;

/// Share of a trend report's summed per-row unique users that are distinct in the repository
/// week (INFERRED: a client pulling two tags counts in two rows).
pub(crate) const TREND_ROW_OVERLAP: f64 = 0.8;
/// Pulls per distinct IP assumed where an input gives no IP count (INFERRED: the default mock's
/// ratio is about 3).
pub(crate) const PULLS_PER_IP_UNKNOWN: f64 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Raw,
    Summary,
    RepoSummary,
    NamespaceSummary,
    GeoRepoSummary,
    CoreSummary,
    CoreTrend,
}

fn kind_of(cols: &[String]) -> Option<Kind> {
    let has = |c: &str| cols.iter().any(|x| x == c);
    Some(if has("date_granularity") && has("level") && has("event_count") {
        Kind::CoreSummary
    } else if has("date_granularity") && has("image_repository") && has("pulls") {
        Kind::CoreTrend
    } else if has("action") && has("action_day") && has("repository") {
        Kind::Raw
    } else if has("unique_ip_count") && has("pull_by_tag_count") {
        if has("digest") {
            Kind::Summary
        } else if has("country") {
            Kind::GeoRepoSummary
        } else if has("repository") {
            Kind::RepoSummary
        } else {
            Kind::NamespaceSummary
        }
    } else {
        return None;
    })
}

/// The period of a legacy summary export, from its file name as the export links name it:
/// `NS_VIEW_YYYY_wNN[_partNNN].csv` (ISO week) or `NS_VIEW_YYYY_mNN[...]` (month).
fn period_from_name(stem: &str) -> Option<(NaiveDate, bool)> {
    let parts: Vec<&str> = stem.split('_').collect();
    let i = parts.iter().rposition(|p| p.len() == 3 && (p.starts_with('w') || p.starts_with('m')))?;
    let year: i32 = parts.get(i.checked_sub(1)?)?.parse().ok()?;
    let n: u32 = parts[i][1..].parse().ok()?;
    if parts[i].starts_with('w') {
        Some((NaiveDate::from_isoywd_opt(year, n, chrono::Weekday::Mon)?, false))
    } else {
        Some((NaiveDate::from_ymd_opt(year, n, 1)?, true))
    }
}

/// Reads one CSV input; the error is "line L: what" or "line L, field `F`: what".
pub(crate) fn read(reader: impl std::io::Read, names: &Names, inputs: &mut Inputs) -> Result<(), String> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(reader);
    let header = r.headers().map_err(|e| csv_error(&e))?.clone();
    let cols: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase().replace(' ', "_")).collect();
    let kind = kind_of(&cols).ok_or_else(|| {
        format!("line 1: unknown CSV format (header `{}`)", header.iter().collect::<Vec<_>>().join(","))
    })?;
    let legacy_period = match kind {
        Kind::Summary | Kind::RepoSummary | Kind::NamespaceSummary | Kind::GeoRepoSummary => {
            Some(period_from_name(&names.stem).ok_or_else(|| {
                format!(
                    "line 1: a legacy {kind:?} export holds no date; name the file as its export link does \
                     (NAMESPACE_VIEW_YYYY_wNN.csv or _mNN.csv)"
                )
            })?)
        }
        _ => None,
    };
    // Points whose IP count is a sum over rows that share clients (tags of a trend or summary).
    let mut overlapping = Overlapping::new();
    let mut record = csv::StringRecord::new();
    loop {
        match r.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e)),
        }
        let row = Row { cols: &cols, record: &record, line: record.position().map_or(0, |p| p.line()), names };
        match kind {
            Kind::CoreTrend => core_trend(&row, inputs, &mut overlapping)?,
            Kind::CoreSummary => core_summary(&row, inputs)?,
            Kind::Raw => raw_row(&row, inputs)?,
            Kind::Summary | Kind::RepoSummary | Kind::NamespaceSummary | Kind::GeoRepoSummary => {
                let period = legacy_period.expect("legacy views have a period");
                legacy_row(&row, kind, period, inputs, &mut overlapping)?;
            }
        }
    }
    let file = inputs.files.len() - 1;
    for (ns, repo, start, month) in overlapping {
        let origin = inputs.origin_of(&ns, &repo, month, start);
        let acc = inputs.acc(&ns, &repo);
        let map = if month { &mut acc.months } else { &mut acc.weeks };
        if let Some(p) = map.get_mut(&start).filter(|p| p.file == file) {
            let ips = p.ips.map(|u| (u as f64 * TREND_ROW_OVERLAP).round() as u64);
            if let Some(u) = ips.filter(|&u| u > p.pulls) {
                return Err(format!(
                    "{origin}: series {ns}/{repo}: period {start}: {u} distinct users (after the row overlap) \
                     are above its {} pulls (distinct users cannot outnumber pulls)",
                    p.pulls
                ));
            }
            p.ips = ips.map(|u| u.max(1.min(p.pulls)));
        }
    }
    Ok(())
}

/// Points whose IP count is a sum over rows that share clients: (namespace, repository,
/// start, monthly).
type Overlapping = BTreeSet<(String, String, NaiveDate, bool)>;

/// One record of a CSV input, read by column name.
struct Row<'a> {
    cols: &'a [String],
    record: &'a csv::StringRecord,
    line: u64,
    names: &'a Names,
}

impl<'a> Row<'a> {
    /// The trimmed field of column `name` (empty when the file has no such column).
    fn get(&self, name: &str) -> &'a str {
        self.cols.iter().position(|c| c == name).and_then(|i| self.record.get(i)).map(str::trim).unwrap_or("")
    }

    fn num(&self, name: &str) -> Result<u64, String> {
        let (v, line) = (self.get(name), self.line);
        let n: i64 = v.parse().map_err(|_| format!("line {line}, field `{name}`: `{v}` is not a count"))?;
        u64::try_from(n).map_err(|_| format!("line {line}, field `{name}`: negative count {n}"))
    }

    fn date(&self, name: &str) -> Result<NaiveDate, String> {
        let v = self.get(name);
        parse_day(v).ok_or_else(|| format!("line {}, field `{name}`: `{v}` is not a date", self.line))
    }

    /// (namespace, repository) of `namespace/repository`, or of a bare repository name.
    fn ns_of(&self, full: &str) -> (String, String) {
        match full.split_once('/') {
            Some((n, r)) => (n.to_string(), r.to_string()),
            None => (self.names.default_repo().0, full.to_string()),
        }
    }

    /// Whether the row's `date_granularity` is monthly (`false`: weekly).
    fn month(&self) -> Result<bool, String> {
        match self.get("date_granularity") {
            "week" | "weekly" => Ok(false),
            "month" | "monthly" => Ok(true),
            g => Err(format!("line {}, field `DATE_GRANULARITY`: `{g}` is neither week nor month", self.line)),
        }
    }
}

/// A row of a DVP Core trend report.
fn core_trend(row: &Row, inputs: &mut Inputs, overlapping: &mut Overlapping) -> Result<(), String> {
    let line = row.line;
    let month = row.month()?;
    let start = row.date("date_reference")?;
    let (ns, repo) = row.ns_of(row.get("image_repository"));
    let (downloads, checks, pulls) = (row.num("data_downloads")?, row.num("version_checks")?, row.num("pulls")?);
    let users = row.num("unique_authenticated_users")? + row.num("unique_unauthenticated_users")?;
    inputs.add(&ns, &repo, start, month, pulls, Some(users), &format!("line {line}"));
    let acc = inputs.acc(&ns, &repo);
    let tag = row.get("tag");
    if tag == crate::bodies::csv_layout::NO_TAG || tag == "\\N" || tag.is_empty() {
        acc.by_digest += downloads;
    } else {
        acc.by_tag += downloads;
        bump(&mut acc.tags, tag, downloads);
    }
    acc.checks += checks;
    bump(&mut acc.countries, row.get("ip_country"), pulls);
    bump(&mut acc.clouds, row.get("cloud_service_provider"), pulls);
    bump(&mut acc.agents, row.get("user_agent"), pulls);
    acc.publisher.get_or_insert_with(|| row.get("publisher_name").to_string());
    overlapping.insert((ns, repo, start, month));
    Ok(())
}

/// A row of a DVP Core summary report (only repository rows count).
fn core_summary(row: &Row, inputs: &mut Inputs) -> Result<(), String> {
    let line = row.line;
    let month = row.month()?;
    let start = row.date("date_reference")?;
    let (downloads, checks, events) = (row.num("data_downloads")?, row.num("version_checks")?, row.num("event_count")?);
    if row.get("level") != "repository" {
        return Ok(());
    }
    let (ns, repo) = row.ns_of(row.get("reference"));
    inputs.add(&ns, &repo, start, month, events, None, &format!("line {line}"));
    let acc = inputs.acc(&ns, &repo);
    acc.by_tag += downloads;
    acc.checks += checks;
    acc.publisher.get_or_insert_with(|| row.get("publisher_name").to_string());
    Ok(())
}

/// A row of a legacy raw export: one event.
fn raw_row(row: &Row, inputs: &mut Inputs) -> Result<(), String> {
    let line = row.line;
    let day = row.date("action_day")?;
    let ns =
        Some(row.get("namespace")).filter(|s| !s.is_empty()).map_or_else(|| row.names.default_repo().0, str::to_string);
    let repo = row.get("repository").to_string();
    let start = Period::week_of(day).start;
    inputs.add_raw(&ns, &repo, start, line);
    let fingerprint = ["country", "host", "type", "domain", "user_agent_tool", "user_agent_version"]
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
            row.get(c).bytes().chain([0xff]).fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
        });
    inputs.raw_clients.entry((ns.clone(), repo.clone(), start)).or_default().insert(fingerprint);
    let acc = inputs.acc(&ns, &repo);
    match row.get("action") {
        "pull_by_tag" => {
            acc.by_tag += 1;
            bump(&mut acc.tags, row.get("tag"), 1);
        }
        "pull_by_digest" => acc.by_digest += 1,
        "version_check" => acc.checks += 1,
        a => return Err(format!("line {line}, field `action`: unknown action `{a}`")),
    }
    bump(&mut acc.countries, row.get("country"), 1);
    bump(&mut acc.clouds, Some(row.get("host")).filter(|h| !h.is_empty()).unwrap_or("no csp"), 1);
    bump(&mut acc.agents, row.get("user_agent_tool"), 1);
    Ok(())
}

/// A row of a legacy summary export of the period `(start, month)` its file name gives.
fn legacy_row(
    row: &Row,
    kind: Kind,
    (start, month): (NaiveDate, bool),
    inputs: &mut Inputs,
    overlapping: &mut Overlapping,
) -> Result<(), String> {
    let line = row.line;
    let (tag_n, digest_n, checks) =
        (row.num("pull_by_tag_count")?, row.num("pull_by_digest_count")?, row.num("version_check_count")?);
    let ips = row.num("unique_ip_count")?;
    let ns =
        Some(row.get("namespace")).filter(|s| !s.is_empty()).map_or_else(|| row.names.default_repo().0, str::to_string);
    let repo = if kind == Kind::NamespaceSummary { String::new() } else { row.get("repository").to_string() };
    // Tag-level and country-level rows overlap in IPs; their sum is an upper bound.
    inputs.add(&ns, &repo, start, month, tag_n + digest_n + checks, Some(ips), &format!("line {line}"));
    let acc = inputs.acc(&ns, &repo);
    acc.by_tag += tag_n;
    acc.by_digest += digest_n;
    acc.checks += checks;
    if kind == Kind::Summary {
        bump(&mut acc.tags, row.get("tag"), tag_n);
        overlapping.insert((ns, repo, start, month));
    } else if kind == Kind::GeoRepoSummary {
        // An IP has one country: the per-country counts add up.
        bump(&mut acc.countries, row.get("country"), tag_n + digest_n + checks);
    }
    Ok(())
}

fn csv_error(e: &csv::Error) -> String {
    let line = e.position().map_or(0, |p| p.line());
    let what = match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("{len} fields where the header has {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_string(),
        _ => e.to_string(),
    };
    format!("line {line}: broken CSV: {what}")
}
