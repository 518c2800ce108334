//! CSV inputs, streamed row by row and recognised by their header: legacy exports (`raw`,
//! `summary`, `repo-summary`, `namespace-summary`, `geo-repo-summary`) and DVP Core reports
//! (`summary`, `trend`).
use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::series::{bump, parse_day, Inputs, Names};
use crate::engine::calendar::Period;

/// Share of a trend report's summed per-row unique users that are distinct in the repository
/// week (INFERRED: a client pulling two tags counts in two rows).
pub const TREND_ROW_OVERLAP: f64 = 0.8;
/// Pulls per distinct IP assumed where an input gives no IP count (INFERRED: the default mock's
/// ratio is about 3).
pub const PULLS_PER_IP_UNKNOWN: f64 = 3.0;

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
pub fn read(reader: impl std::io::Read, names: &Names, inputs: &mut Inputs) -> Result<(), String> {
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(reader);
    let header = r.headers().map_err(|e| csv_error(&e))?.clone();
    let cols: Vec<String> = header.iter().map(|h| h.trim().to_ascii_lowercase().replace(' ', "_")).collect();
    let kind = kind_of(&cols).ok_or_else(|| {
        format!("line 1: unknown CSV format (header `{}`)", header.iter().collect::<Vec<_>>().join(","))
    })?;
    let col = |name: &str| cols.iter().position(|c| c == name);
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
    let mut overlapping: BTreeSet<(String, String, NaiveDate, bool)> = BTreeSet::new();
    let mut record = csv::StringRecord::new();
    loop {
        match r.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(&e)),
        }
        let line = record.position().map_or(0, |p| p.line());
        let get = |name: &str| col(name).and_then(|i| record.get(i)).map(str::trim).unwrap_or("");
        let num = |name: &str| -> Result<u64, String> {
            let v = get(name);
            let n: i64 = v.parse().map_err(|_| format!("line {line}, field `{name}`: `{v}` is not a count"))?;
            u64::try_from(n).map_err(|_| format!("line {line}, field `{name}`: negative count {n}"))
        };
        let date = |name: &str| -> Result<NaiveDate, String> {
            let v = get(name);
            parse_day(v).ok_or_else(|| format!("line {line}, field `{name}`: `{v}` is not a date"))
        };
        let ns_of = |full: &str| -> (String, String) {
            match full.split_once('/') {
                Some((n, r)) => (n.to_string(), r.to_string()),
                None => (names.default_repo().0, full.to_string()),
            }
        };
        let granularity = |line: u64| -> Result<bool, String> {
            match get("date_granularity") {
                "week" | "weekly" => Ok(false),
                "month" | "monthly" => Ok(true),
                g => Err(format!("line {line}, field `DATE_GRANULARITY`: `{g}` is neither week nor month")),
            }
        };
        match kind {
            Kind::CoreTrend => {
                let month = granularity(line)?;
                let start = date("date_reference")?;
                let (ns, repo) = ns_of(get("image_repository"));
                let (downloads, checks, pulls) = (num("data_downloads")?, num("version_checks")?, num("pulls")?);
                let users = num("unique_authenticated_users")? + num("unique_unauthenticated_users")?;
                inputs.add(&ns, &repo, start, month, pulls, Some(users), &format!("line {line}"));
                let acc = inputs.acc(&ns, &repo);
                let tag = get("tag");
                if tag == crate::views::csv_layout::NO_TAG || tag == "\\N" || tag.is_empty() {
                    acc.by_digest += downloads;
                } else {
                    acc.by_tag += downloads;
                    bump(&mut acc.tags, tag, downloads);
                }
                acc.checks += checks;
                bump(&mut acc.countries, get("ip_country"), pulls);
                bump(&mut acc.clouds, get("cloud_service_provider"), pulls);
                bump(&mut acc.agents, get("user_agent"), pulls);
                acc.publisher.get_or_insert_with(|| get("publisher_name").to_string());
                overlapping.insert((ns, repo, start, month));
            }
            Kind::CoreSummary => {
                let month = granularity(line)?;
                let start = date("date_reference")?;
                let (downloads, checks, events) = (num("data_downloads")?, num("version_checks")?, num("event_count")?);
                if get("level") != "repository" {
                    continue;
                }
                let (ns, repo) = ns_of(get("reference"));
                inputs.add(&ns, &repo, start, month, events, None, &format!("line {line}"));
                let acc = inputs.acc(&ns, &repo);
                acc.by_tag += downloads;
                acc.checks += checks;
                acc.publisher.get_or_insert_with(|| get("publisher_name").to_string());
            }
            Kind::Raw => {
                let day = date("action_day")?;
                let ns = Some(get("namespace"))
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| names.default_repo().0, str::to_string);
                let repo = get("repository").to_string();
                let start = Period::week_of(day).start;
                inputs.add_raw(&ns, &repo, start, line);
                let fingerprint = ["country", "host", "type", "domain", "user_agent_tool", "user_agent_version"]
                    .iter()
                    .fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
                        get(c).bytes().chain([0xff]).fold(h, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
                    });
                inputs.raw_clients.entry((ns.clone(), repo.clone(), start)).or_default().insert(fingerprint);
                let acc = inputs.acc(&ns, &repo);
                match get("action") {
                    "pull_by_tag" => {
                        acc.by_tag += 1;
                        bump(&mut acc.tags, get("tag"), 1);
                    }
                    "pull_by_digest" => acc.by_digest += 1,
                    "version_check" => acc.checks += 1,
                    a => return Err(format!("line {line}, field `action`: unknown action `{a}`")),
                }
                bump(&mut acc.countries, get("country"), 1);
                bump(&mut acc.clouds, Some(get("host")).filter(|h| !h.is_empty()).unwrap_or("no csp"), 1);
                bump(&mut acc.agents, get("user_agent_tool"), 1);
            }
            Kind::Summary | Kind::RepoSummary | Kind::NamespaceSummary | Kind::GeoRepoSummary => {
                let (start, month) = legacy_period.expect("legacy views have a period");
                let (tag_n, digest_n, checks) =
                    (num("pull_by_tag_count")?, num("pull_by_digest_count")?, num("version_check_count")?);
                let ips = num("unique_ip_count")?;
                let ns = Some(get("namespace"))
                    .filter(|s| !s.is_empty())
                    .map_or_else(|| names.default_repo().0, str::to_string);
                let repo = if kind == Kind::NamespaceSummary { String::new() } else { get("repository").to_string() };
                // Tag-level and country-level rows overlap in IPs; their sum is an upper bound.
                inputs.add(&ns, &repo, start, month, tag_n + digest_n + checks, Some(ips), &format!("line {line}"));
                let acc = inputs.acc(&ns, &repo);
                acc.by_tag += tag_n;
                acc.by_digest += digest_n;
                acc.checks += checks;
                if kind == Kind::Summary {
                    bump(&mut acc.tags, get("tag"), tag_n);
                    overlapping.insert((ns, repo, start, month));
                } else if kind == Kind::GeoRepoSummary {
                    // An IP has one country: the per-country counts add up.
                    bump(&mut acc.countries, get("country"), tag_n + digest_n + checks);
                }
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
