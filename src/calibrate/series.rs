//! What the inputs say, gathered per (namespace, repository): weekly and monthly points,
//! action shares and the tag, country, cloud and agent mixes. Identities are never kept.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Weekday};

/// Where a series' unnamed data goes: the `NAME=` prefix of `--from`, or defaults.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    pub(crate) ns: Option<String>,
    pub(crate) repo: Option<String>,
    /// The file's stem, for a repository without any name.
    pub(crate) stem: String,
}

/// One week or month of a series.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Point {
    pub(crate) pulls: u64,
    /// Distinct IPs, when the input gives them (`None`: estimated later).
    pub(crate) ips: Option<u64>,
    /// Index of the input file that gave it (a second file repeating a week is ignored).
    pub(crate) file: usize,
}

/// Everything known of one series. `repo` empty = a namespace-level series.
#[derive(Debug, Default, Clone)]
pub(crate) struct Acc {
    /// By Monday.
    pub(crate) weeks: BTreeMap<NaiveDate, Point>,
    /// By the 1st.
    pub(crate) months: BTreeMap<NaiveDate, Point>,
    /// Missing weeks are harvest holes (the `end`-keyed store form), filled, not an error.
    pub(crate) holes_ok: bool,
    /// Events by action (for the digest and version-check shares).
    pub(crate) by_tag: u64,
    pub(crate) by_digest: u64,
    pub(crate) checks: u64,
    /// Events by tag name (downloads by tag), and the mixes, by events.
    pub(crate) tags: BTreeMap<String, u64>,
    pub(crate) countries: BTreeMap<String, u64>,
    pub(crate) clouds: BTreeMap<String, u64>,
    pub(crate) agents: BTreeMap<String, u64>,
    pub(crate) publisher: Option<String>,
}

/// The gathered inputs.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    /// Keyed by (namespace, repository or "").
    pub(crate) series: BTreeMap<(String, String), Acc>,
    /// Input file names, in `--from` order.
    pub(crate) files: Vec<String>,
    /// Weeks given by two files (kept from the first).
    pub(crate) repeated: u64,
    /// Raw export rows: distinct client fingerprints (country, network, agent) per
    /// (namespace, repository, week), the IP estimate of a raw export (it has no IP column).
    pub(crate) raw_clients: BTreeMap<(String, String, NaiveDate), std::collections::BTreeSet<u64>>,
    /// Where each point first came from (`line 7`, ``field `pulls[3]` ``), for error messages.
    pub(crate) origin: BTreeMap<(String, String, bool, NaiveDate), String>,
}

impl Inputs {
    pub(crate) fn acc(&mut self, ns: &str, repo: &str) -> &mut Acc {
        self.series.entry((ns.to_string(), repo.to_string())).or_default()
    }

    /// Adds a point: summed with a point of the same file (rows split by country or tag), kept
    /// from the first file otherwise.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        ns: &str,
        repo: &str,
        start: NaiveDate,
        month: bool,
        pulls: u64,
        ips: Option<u64>,
        at: &str,
    ) {
        let file = self.files.len() - 1;
        let acc = self.series.entry((ns.to_string(), repo.to_string())).or_default();
        let map = if month { &mut acc.months } else { &mut acc.weeks };
        match map.get_mut(&start) {
            None => {
                map.insert(start, Point { pulls, ips, file });
                self.origin.insert((ns.to_string(), repo.to_string(), month, start), at.to_string());
            }
            Some(p) if p.file == file => {
                p.pulls += pulls;
                p.ips = match (p.ips, ips) {
                    (Some(a), Some(b)) => Some(a + b),
                    _ => None,
                };
            }
            Some(_) => self.repeated += 1,
        }
    }
}

impl Inputs {
    /// One raw export row: raw exports of several files add up (a month's file cuts weeks).
    pub(crate) fn add_raw(&mut self, ns: &str, repo: &str, week: NaiveDate, line: u64) {
        let file = self.files.len() - 1;
        let p = self.acc(ns, repo).weeks.entry(week).or_insert(Point { pulls: 0, ips: None, file });
        p.pulls += 1;
        if p.pulls == 1 {
            self.origin.insert((ns.to_string(), repo.to_string(), false, week), format!("line {line}"));
        }
    }

    /// Where the point of `week` in series (ns, repo) came from.
    pub(crate) fn origin_of(&self, ns: &str, repo: &str, month: bool, week: NaiveDate) -> String {
        self.origin.get(&(ns.to_string(), repo.to_string(), month, week)).cloned().unwrap_or_default()
    }
}

/// The period a `start`/`end` pair (inclusive end) names: (first day, is a month), or why not.
pub(crate) fn period_of(start: NaiveDate, end: NaiveDate) -> Result<(NaiveDate, bool), String> {
    // The end is inclusive (Sunday, last day of the month) in every known response; an
    // exclusive end (the next Monday, the next 1st) is accepted too.
    if start.weekday() == Weekday::Mon && matches!((end - start).num_days(), 6 | 7) {
        return Ok((start, false));
    }
    let next = start.checked_add_months(chrono::Months::new(1));
    if start.day() == 1 && (next.and_then(|n| n.pred_opt()) == Some(end) || next == Some(end)) {
        return Ok((start, true));
    }
    Err(format!("{start} .. {end} is neither an ISO week (Monday to Sunday) nor a calendar month"))
}

/// A date from `YYYY-MM-DD` or an RFC 3339 UTC midnight (`YYYY-MM-DDT00:00:00Z`).
pub(crate) fn parse_day(s: &str) -> Option<NaiveDate> {
    let day = s.get(..10)?;
    let rest = &s[10..];
    if !(rest.is_empty() || matches!(rest, "T00:00:00Z" | "T00:00:00.000Z" | "T00:00:00+00:00" | " 00:00:00")) {
        return None;
    }
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()
}

/// Adds `n` to `map[key]`.
pub(crate) fn bump(map: &mut BTreeMap<String, u64>, key: &str, n: u64) {
    if n > 0 {
        *map.entry(key.to_string()).or_default() += n;
    }
}

/// Namespace of series that name none (INFERRED placeholder; `--from NS=FILE` names it).
pub(crate) const DEFAULT_NAMESPACE: &str = "calibrated";

impl Names {
    /// (namespace, repository) for data that names neither.
    pub(crate) fn default_repo(&self) -> (String, String) {
        let ns = self.ns.clone().unwrap_or_else(|| DEFAULT_NAMESPACE.to_string());
        let repo = self.repo.clone().unwrap_or_else(|| repo_name_of(&self.stem));
        (ns, repo)
    }
}

/// A valid repository name made of a file stem: lowercase alphanumeric runs joined by `-`.
pub(crate) fn repo_name_of(stem: &str) -> String {
    let lower = stem.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|p| !p.is_empty()).collect();
    let name = parts.join("-");
    if name.len() >= 2 {
        name.chars().take(60).collect::<String>().trim_end_matches('-').to_string()
    } else {
        "image".to_string()
    }
}
