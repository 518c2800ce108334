//! From what the inputs say to a plan of the configuration: per repository a complete run of
//! weeks (events and distinct clients), the history window that serves them, the client
//! population, churn, action shares and tags.
use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::csv_in::PULLS_PER_IP_UNKNOWN;
use super::series::{Acc, Inputs, Point};
use crate::config::limits;
use crate::config::volume::{WeekVolume, DEFAULT_CHURN, MAX_WEEK_PULLS};
use crate::config::{check_name, NameKind};

/// Average weeks in a month, for months-only inputs and the churn fit.
const WEEKS_PER_MONTH: f64 = 4.348;
/// At most this many tags per repository (the rest join the most popular ones' shares).
const MAX_TAGS: usize = 12;

/// One repository of the plan.
#[derive(Debug)]
pub(crate) struct RepoPlan {
    pub(crate) name: String,
    pub(crate) weeks: Vec<WeekVolume>,
    /// Weeks filled in (harvest holes), and weeks whose IP count was estimated.
    pub(crate) filled: Vec<NaiveDate>,
    pub(crate) estimated_ips: usize,
    /// Weeks derived from monthly points.
    pub(crate) from_months: bool,
    pub(crate) churn: f64,
    pub(crate) churn_fitted: bool,
    /// (by digest, version checks) shares of events, when the input has actions.
    pub(crate) actions: Option<(f64, f64)>,
    /// (tag, downloads), most pulled first; empty = unknown.
    pub(crate) tags: Vec<(String, u64)>,
    pub(crate) countries: Vec<(String, u64)>,
    pub(crate) clouds: Vec<(String, u64)>,
    pub(crate) agents: Vec<(String, u64)>,
    /// Repairs made to the input, each naming its file (`warning:` lines of the command).
    pub(crate) warnings: Vec<String>,
}

#[derive(Debug)]
pub(crate) struct NamespacePlan {
    pub(crate) name: String,
    pub(crate) publisher: String,
    pub(crate) repos: Vec<RepoPlan>,
    /// A namespace-level series stood in for a repository.
    pub(crate) from_namespace_series: bool,
}

#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) history_start: NaiveDate,
    pub(crate) as_of: NaiveDate,
    pub(crate) clients: u32,
    pub(crate) namespaces: Vec<NamespacePlan>,
    pub(crate) files: Vec<String>,
    pub(crate) repeated: u64,
}

/// A fit error: the input file it concerns and what is wrong.
pub(crate) type FitError = (String, String);

pub(crate) fn plan(inputs: &Inputs) -> Result<Plan, FitError> {
    let first_file = || inputs.files.first().cloned().unwrap_or_default();
    let mut by_ns: BTreeMap<&str, Vec<(&str, &Acc)>> = BTreeMap::new();
    for ((ns, repo), acc) in &inputs.series {
        if !acc.weeks.is_empty() || !acc.months.is_empty() {
            by_ns.entry(ns).or_default().push((repo, acc));
        }
    }
    if by_ns.is_empty() {
        return Err((first_file(), "no pull counts found in the input".into()));
    }
    let mut namespaces = Vec::new();
    for (ns, series) in by_ns {
        let has_repos = series.iter().any(|(r, _)| !r.is_empty());
        let mut repos = Vec::new();
        for (repo, acc) in series.iter().filter(|(r, _)| r.is_empty() != has_repos) {
            let file_of = |p: &Point| inputs.files[p.file].clone();
            let name = if repo.is_empty() {
                if check_name(ns, NameKind::Repo).is_ok() {
                    ns.to_string()
                } else {
                    "image".to_string()
                }
            } else {
                repo.to_string()
            };
            let any = acc.weeks.values().chain(acc.months.values()).next().expect("a series has points");
            for (what, n, kind) in
                [("namespace", ns, NameKind::Namespace), ("repository", name.as_str(), NameKind::Repo)]
            {
                check_name(n, kind)
                    .map_err(|m| (file_of(any), format!("{what} {m} (pass --rename for synthetic names)")))?;
            }
            repos.push(repo_plan(inputs, ns, repo, acc, name)?);
        }
        let publisher = series
            .iter()
            .find_map(|(_, a)| a.publisher.clone())
            .map(|p| p.replace([',', '"', '\n', '\r'], " ").trim().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ns.to_string());
        namespaces.push(NamespacePlan { name: ns.to_string(), publisher, repos, from_namespace_series: !has_repos });
    }
    let weeks = namespaces.iter().flat_map(|n| &n.repos).flat_map(|r| &r.weeks);
    let history_start = weeks.clone().map(|w| w.week).min().expect("at least one week");
    let as_of = weeks.clone().map(|w| w.week + Days::new(7)).max().expect("at least one week");
    // Enough clients that a window sliding by `churn` a week comes back to a client only after
    // about five weeks.
    let need = namespaces
        .iter()
        .flat_map(|n| &n.repos)
        .map(|r| {
            let max = r.weeks.iter().map(|w| w.ips).max().unwrap_or(0) as f64;
            (max * (1.0 + 5.0 * r.churn)).ceil() as u64
        })
        .max()
        .unwrap_or(0);
    let clients = need.clamp(100, MAX_CLIENTS) as u32;
    Ok(Plan { history_start, as_of, clients, namespaces, files: inputs.files.clone(), repeated: inputs.repeated })
}

/// The churn of a series: the median fit of its monthly distinct counts next to the weekly
/// ones, when the input has both (`true`); the default churn otherwise (`false`).
fn fitted_churn(acc: &Acc, weeks: &[WeekVolume], from_months: bool) -> (f64, bool) {
    let mut fits: Vec<f64> = acc
        .months
        .iter()
        .filter_map(|(m, p)| {
            let inside: Vec<&WeekVolume> =
                weeks.iter().filter(|w| w.week.month() == m.month() && w.week.year() == m.year()).collect();
            let (mi, n) = (p.ips? as f64, inside.len() as f64);
            let k = inside.iter().map(|w| w.ips as f64).sum::<f64>() / n;
            (n >= 3.0 && k > 0.0 && !from_months).then(|| ((mi / k - 1.0) / (WEEKS_PER_MONTH - 1.0)).clamp(0.0, 1.0))
        })
        .collect();
    fits.sort_by(f64::total_cmp);
    if fits.is_empty() {
        (DEFAULT_CHURN, false)
    } else {
        ((fits[fits.len() / 2] * 1000.0).round() / 1000.0, true)
    }
}

/// Consecutive weeks and their points.
type Run = Vec<(NaiveDate, Point)>;

/// The weeks of `points` with the holes between them filled by linear interpolation, and the
/// weeks filled. Gaps are an error, except in the store scripts keep (`holes_ok`: weeks the
/// harvester missed).
fn fill_gaps(
    inputs: &Inputs,
    ns: &str,
    repo: &str,
    from_months: bool,
    holes_ok: bool,
    points: &BTreeMap<NaiveDate, Point>,
) -> Result<(Run, Vec<NaiveDate>), FitError> {
    let mut filled = Vec::new();
    let mut run: Run = Vec::new();
    for (&week, &p) in points {
        if let Some(&(prev, q)) = run.last() {
            let missing = (week - prev).num_days() / 7 - 1;
            if missing > 0 && !holes_ok {
                let gap = prev + Days::new(7);
                return Err((
                    inputs.files[p.file].clone(),
                    format!(
                        "{}: series {}: week {gap} is missing between {prev} and {week} (a gap of {missing} week(s))",
                        inputs.origin_of(
                            ns,
                            repo,
                            from_months,
                            if from_months { week.with_day(1).expect("day 1") } else { week }
                        ),
                        if repo.is_empty() { ns.to_string() } else { format!("{ns}/{repo}") }
                    ),
                ));
            }
            for k in 1..=missing {
                let t = k as f64 / (missing + 1) as f64;
                let lerp = |a: u64, b: u64| (a as f64 + (b as f64 - a as f64) * t).round() as u64;
                let ips = match (q.ips, p.ips) {
                    (Some(a), Some(b)) => Some(lerp(a, b)),
                    _ => None,
                };
                let w = prev + Days::new(7 * k as u64);
                filled.push(w);
                run.push((w, Point { pulls: lerp(q.pulls, p.pulls), ips, file: p.file }));
            }
        }
        run.push((week, p));
    }
    Ok((run, filled))
}

fn repo_plan(inputs: &Inputs, ns: &str, repo: &str, acc: &Acc, name: String) -> Result<RepoPlan, FitError> {
    let mut points: BTreeMap<NaiveDate, Point> = acc.weeks.clone();
    let from_months = points.is_empty();
    if from_months {
        points = weeks_of_months(&acc.months);
        if points.is_empty() {
            let p = acc.months.values().next().expect("a series has points");
            return Err((
                inputs.files[p.file].clone(),
                format!("series {ns}/{repo}: no complete ISO week inside its months"),
            ));
        }
    }
    check_points(inputs, ns, repo, from_months, &points)?;
    let (run, filled) = fill_gaps(inputs, ns, repo, from_months, acc.holes_ok, &points)?;
    let mut estimated_ips = 0;
    let weeks: Vec<WeekVolume> = run
        .iter()
        .map(|(week, p)| {
            let ips = match p.ips {
                Some(u) => u,
                _ => {
                    estimated_ips += 1;
                    let raw =
                        inputs.raw_clients.get(&(ns.to_string(), repo.to_string(), *week)).map(|s| s.len() as u64);
                    raw.unwrap_or((p.pulls as f64 / PULLS_PER_IP_UNKNOWN).round() as u64)
                }
            };
            let ips = ips.clamp(u64::from(p.pulls > 0), p.pulls);
            WeekVolume { week: *week, pulls: p.pulls, ips }
        })
        .collect();
    let (churn, churn_fitted) = fitted_churn(acc, &weeks, from_months);
    let total = acc.by_tag + acc.by_digest + acc.checks;
    let actions = (total > 0).then(|| (acc.by_digest as f64 / total as f64, acc.checks as f64 / total as f64));
    let top = |m: &BTreeMap<String, u64>| {
        let mut v: Vec<(String, u64)> = m.iter().map(|(k, n)| (k.clone(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v
    };
    let series = if repo.is_empty() { ns.to_string() } else { format!("{ns}/{repo}") };
    let first = points.values().next().map_or_else(|| inputs.files[0].clone(), |p| inputs.files[p.file].clone());
    let mut warnings = Vec::new();
    if let (Some(w), n) = (filled.first(), filled.len()) {
        warnings.push(format!(
            "{first}: series {series}: {n} week(s) missing from the input (first {w}) were interpolated between their neighbours"
        ));
    }
    type Counts = Vec<(String, u64)>;
    let (mut tags, bad): (Counts, Counts) =
        top(&acc.tags).into_iter().partition(|(t, _)| check_name(t, NameKind::Tag).is_ok());
    if let Some((t, _)) = bad.first() {
        warnings.push(format!(
            "{first}: series {series}: {} tag(s) that are not Docker tag names were left out (first `{}`)",
            bad.len(),
            t.escape_debug()
        ));
    }
    tags.truncate(MAX_TAGS);
    Ok(RepoPlan {
        name,
        weeks,
        filled,
        estimated_ips,
        from_months,
        churn,
        churn_fitted,
        actions,
        tags,
        countries: top(&acc.countries),
        clouds: top(&acc.clouds),
        agents: top(&acc.agents),
        warnings,
    })
}

/// Implausible input is an error naming its file and line or field, never repaired silently:
/// more distinct IPs than pulls, a week above the limits a configuration accepts, a date
/// outside the supported range.
fn check_points(
    inputs: &Inputs,
    ns: &str,
    repo: &str,
    from_months: bool,
    points: &BTreeMap<NaiveDate, Point>,
) -> Result<(), FitError> {
    let series = if repo.is_empty() { ns.to_string() } else { format!("{ns}/{repo}") };
    for (&week, p) in points {
        let key = if from_months { week.with_day(1).expect("day 1") } else { week };
        let at = || {
            let origin = inputs.origin_of(ns, repo, from_months, key);
            let origin = if origin.is_empty() { String::new() } else { format!("{origin}: ") };
            (inputs.files[p.file].clone(), format!("{origin}series {series}: week {week}: "))
        };
        let problem = if let Err(m) = limits::check_date("week", week) {
            Some(m.trim_start_matches("key `week`: ").to_string())
        } else if p.pulls > MAX_WEEK_PULLS {
            Some(format!("pullCount {} is above the largest week a configuration accepts, {MAX_WEEK_PULLS}", p.pulls))
        } else if let Some(ips) = p.ips.filter(|&u| u > p.pulls) {
            Some(format!("ipCount {ips} is above pullCount {} (distinct IPs cannot outnumber pulls)", p.pulls))
        } else {
            p.ips
                .filter(|&u| u > MAX_CLIENTS)
                .map(|u| format!("ipCount {u} is above the largest client population, {MAX_CLIENTS}"))
        };
        if let Some(m) = problem {
            let (file, at) = at();
            return Err((file, format!("{at}{m}")));
        }
    }
    Ok(())
}

/// The largest client population a configuration accepts.
const MAX_CLIENTS: u64 = 5_000_000;

/// Weeks wholly inside a run of monthly points: a month's events spread evenly over its days,
/// distinct clients as a week's share of the month under the default churn (INFERRED).
fn weeks_of_months(months: &BTreeMap<NaiveDate, Point>) -> BTreeMap<NaiveDate, Point> {
    let mut out = BTreeMap::new();
    let (Some((&first, _)), Some((&last, _))) = (months.first_key_value(), months.last_key_value()) else { return out };
    let end = last.checked_add_months(chrono::Months::new(1)).expect("dates far from the end of time");
    let mut week = crate::engine::calendar::Period::week_of(first).start;
    if week < first {
        week = week + Days::new(7);
    }
    while week + Days::new(7) <= end {
        let (mut pulls, mut ips, mut file, mut known) = (0.0, 0.0, 0, true);
        let mut complete = true;
        for d in week.iter_days().take(7) {
            let Some(p) = months.get(&d.with_day(1).expect("day 1")) else {
                complete = false;
                break;
            };
            let days = f64::from(crate::engine::calendar::Period::month_of(d).days().count() as u32);
            pulls += p.pulls as f64 / days;
            ips += p.ips.unwrap_or(0) as f64 / (1.0 + DEFAULT_CHURN * (WEEKS_PER_MONTH - 1.0)) / 7.0;
            file = p.file;
            known &= p.ips.is_some();
        }
        if complete {
            out.insert(week, Point { pulls: pulls.round() as u64, ips: known.then_some(ips.round() as u64), file });
        }
        week = week + Days::new(7);
    }
    out
}
