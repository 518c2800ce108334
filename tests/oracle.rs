//! The independent oracle of the data: it reads only what the mock serves over HTTP (the real
//! jar serving the committed tree): it logs in, lists every namespace, year, week and month,
//! downloads every part of every raw export, and recomputes with a CSV reader of its own (no
//! `dvp_mock` code) every figure it can: each summary export, the pull series of both API
//! roots, the summary and trend reports. Then it compares them with what WireMock serves.
//!
//! What raw rows cannot give: the raw export has no IP column, so a unique-IP count is checked
//! against bounds (at least the number of distinct client profiles behind the rows, at most the
//! pulls, and a namespace's count between its busiest repository's and the sum) and against
//! the same count in every other view; `ext-summary` and the user counts of the reports need
//! client identities and are not recomputed.
mod reader;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate};
use serde_json::Value;

use crate::support::{self, shared::Served};
use reader::{read_csv, Table};

const A: &str = "/api/publisher/analytics/v1";
const P: &str = "/api/publisher/proxylytics/v1";

/// Counts by action: pulls by tag, pulls by digest, version checks.
type Counts = [u64; 3];

/// A period as the export paths name it, with its dates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Period {
    span: &'static str,
    year: i32,
    number: u32,
    start: NaiveDate,
    /// The last day (a Sunday, or the month's last day).
    end: NaiveDate,
}

impl Period {
    /// ISO week `number` of ISO year `year`, or calendar month `number` of `year`.
    fn new(span: &'static str, year: i32, number: u32) -> Period {
        let (start, end) = if span == "weeks" {
            let start = NaiveDate::from_isoywd_opt(year, number, chrono::Weekday::Mon).unwrap();
            (start, start + Days::new(6))
        } else {
            let start = NaiveDate::from_ymd_opt(year, number, 1).unwrap();
            let next = if number == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, number + 1, 1)
            };
            (start, next.unwrap() - Days::new(1))
        };
        Period { span, year, number, start, end }
    }

    fn label(&self) -> String {
        format!("{} {} {}", self.span, self.year, self.number)
    }
}

/// What the raw rows of one namespace and period add up to.
#[derive(Default, Debug)]
struct Figures {
    by_repo: BTreeMap<String, Counts>,
    by_ref: BTreeMap<(String, String, String), Counts>,
    by_country: BTreeMap<(String, String), Counts>,
    /// (repo, country, CSP as the reports write it, user agent, report TAG) -> counts.
    by_trend_key: BTreeMap<(String, String, String, String, String), Counts>,
    /// Distinct client profiles (country, domain, type, host) per repository.
    profiles: BTreeMap<String, BTreeSet<(String, String, String, String)>>,
    all_profiles: BTreeSet<(String, String, String, String)>,
    rows: usize,
}

impl Figures {
    fn total(&self) -> Counts {
        self.by_repo.values().fold([0; 3], |a, b| [a[0] + b[0], a[1] + b[1], a[2] + b[2]])
    }
}

fn action(name: &str) -> usize {
    match name {
        "pull_by_tag" => 0,
        "pull_by_digest" => 1,
        "version_check" => 2,
        other => panic!("unknown action {other:?}"),
    }
}

fn add(c: &mut Counts, i: usize) {
    c[i] += 1;
}

/// A client of the mock that logs in like any user and follows the links it is given.
struct Client {
    wm: Served,
    base: String,
    auth: String,
}

impl Client {
    fn login() -> Client {
        let wm = support::default_wiremock();
        let body = br#"{"username":"demo","password":"demo"}"#;
        let r = wm.request("POST", "/v2/users/login", &[("Content-Type", "application/json")], Some(body));
        assert_eq!(r.status, 200, "login: {}", r.text());
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        let auth = format!("Bearer {}", v["token"].as_str().expect("a token"));
        Client { base: wm.base_url(), wm, auth }
    }

    fn get(&self, path: &str, auth: bool) -> Vec<u8> {
        let path = path.strip_prefix(&self.base).unwrap_or(path);
        let headers: &[(&str, &str)] = if auth { &[("Authorization", &self.auth)] } else { &[] };
        let r = self.wm.request("GET", path, headers, None);
        if r.status == 302 {
            return self.get(r.header("Location").expect("a Location"), false);
        }
        assert_eq!(r.status, 200, "GET {path}: {}", r.text());
        r.body
    }

    fn json(&self, path: &str, auth: bool) -> Value {
        serde_json::from_slice(&self.get(path, auth)).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Every period with exports, from the listings.
    fn periods(&self, ns: &str) -> Vec<Period> {
        let root = format!("{A}/namespaces/{ns}/pulls/exports/years");
        let mut out = Vec::new();
        for y in self.json(&root, true)["years"].as_array().unwrap() {
            let year = y["year"].as_i64().unwrap() as i32;
            for (span, key) in [("weeks", "week"), ("months", "month")] {
                for item in self.json(&format!("{root}/{year}/{span}"), true)[span].as_array().unwrap() {
                    out.push(Period::new(span, year, item[key].as_u64().unwrap() as u32));
                }
            }
        }
        out
    }

    /// Every part of one export view, joined: one header, then the rows of each part in order.
    fn export(&self, ns: &str, p: &Period, view: &str) -> Table {
        let path = format!("{A}/namespaces/{ns}/pulls/exports/years/{}/{}/{}/{view}", p.year, p.span, p.number);
        let listing = self.json(&path, true);
        let mut joined: Option<Table> = None;
        for item in listing["data"].as_array().unwrap() {
            let bytes = self.get(item["url"].as_str().unwrap(), false);
            assert_eq!(bytes.len() as u64, item["size"].as_u64().unwrap(), "{path}: listed size");
            let part = read_csv(&String::from_utf8(bytes).unwrap());
            match &mut joined {
                None => joined = Some(part),
                Some(t) => {
                    assert_eq!(t.header, part.header, "{path}: every part starts with the same header");
                    t.rows.extend(part.rows);
                }
            }
        }
        joined.unwrap_or_else(|| panic!("{path}: no file listed"))
    }
}

/// Recomputes a period's figures from its raw rows.
fn figures(raw: &Table, ns: &str, p: &Period) -> Figures {
    let mut f = Figures { rows: raw.rows.len(), ..Figures::default() };
    for row in raw.records() {
        let day: NaiveDate = row["action_day"].parse().unwrap();
        assert!(p.start <= day && day <= p.end, "{ns} {}: a row of {day}", p.label());
        assert_eq!((row["namespace"], row["owner"]), (ns, ns));
        let i = action(row["action"]);
        let repo = row["repository"].to_string();
        add(f.by_repo.entry(repo.clone()).or_default(), i);
        add(f.by_ref.entry((repo.clone(), row["tag"].into(), row["digest"].into())).or_default(), i);
        add(f.by_country.entry((repo.clone(), row["country"].into())).or_default(), i);
        let csp = if row["host"].is_empty() { "no csp" } else { row["host"] };
        let tag = if i == 1 { "\\\\N" } else { row["tag"] };
        let key =
            (format!("{ns}/{repo}"), row["country"].into(), csp.into(), row["user_agent_tool"].into(), tag.into());
        add(f.by_trend_key.entry(key).or_default(), i);
        let profile = (row["country"].into(), row["domain"].into(), row["type"].into(), row["host"].into());
        f.profiles.entry(repo).or_default().insert(profile.clone());
        f.all_profiles.insert(profile);
    }
    f
}

/// Asserts `got == want`, naming at most ten keys that differ (not two whole maps).
fn assert_same<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
    got: &BTreeMap<K, V>,
    want: &BTreeMap<K, V>,
    what: &str,
) {
    let keys: BTreeSet<&K> = got.keys().chain(want.keys()).collect();
    let diffs: Vec<String> = keys
        .into_iter()
        .filter(|k| got.get(k) != want.get(k))
        .take(10)
        .map(|k| format!("  {k:?}: served {:?}, recomputed {:?}", got.get(k), want.get(k)))
        .collect();
    assert!(diffs.is_empty(), "{what}:\n{}", diffs.join("\n"));
}

fn counts(row: &BTreeMap<&str, &str>) -> Counts {
    ["pull_by_tag_count", "pull_by_digest_count", "version_check_count"]
        .map(|c| row[c].parse().unwrap_or_else(|_| panic!("{c} = {:?}", row[c])))
}

fn number(row: &BTreeMap<&str, &str>, col: &str) -> u64 {
    row[col].parse().unwrap_or_else(|_| panic!("{col} = {:?}", row[col]))
}

/// The summary exports of one period against the raw figures; returns the unique-IP counts by
/// repository and for the namespace.
fn check_exports(c: &Client, ns: &str, p: &Period, f: &Figures) -> (BTreeMap<String, u64>, Option<u64>) {
    let at = format!("{ns} {}", p.label());
    let summary: BTreeMap<_, _> = c
        .export(ns, p, "summary")
        .records()
        .map(|r| ((r["repository"].to_string(), r["tag"].to_string(), r["digest"].to_string()), counts(&r)))
        .collect();
    assert_same(&summary, &f.by_ref, &format!("{at}: summary export vs raw rows"));
    let geo: BTreeMap<_, _> = c
        .export(ns, p, "geo-repo-summary")
        .records()
        .map(|r| ((r["repository"].to_string(), r["country"].to_string()), counts(&r)))
        .collect();
    assert_same(&geo, &f.by_country, &format!("{at}: geo-repo-summary export vs raw rows"));
    let mut ips = BTreeMap::new();
    let mut by_repo = BTreeMap::new();
    for r in c.export(ns, p, "repo-summary").records() {
        let (repo, u) = (r["repository"].to_string(), number(&r, "unique_ip_count"));
        let pulls: u64 = counts(&r).iter().sum();
        assert!(u >= f.profiles[&repo].len() as u64 && u <= pulls, "{at} {repo}: {u} unique IPs");
        by_repo.insert(repo.clone(), counts(&r));
        ips.insert(repo, u);
    }
    assert_same(&by_repo, &f.by_repo, &format!("{at}: repo-summary export vs raw rows"));
    let ns_table = c.export(ns, p, "namespace-summary");
    let ns_ips = ns_table.records().next().map(|r| {
        assert_eq!(counts(&r), f.total(), "{at}: namespace-summary export vs raw rows");
        let u = number(&r, "unique_ip_count");
        let (max, sum) = (ips.values().copied().max().unwrap_or(0), ips.values().sum::<u64>());
        assert!(u >= max && u <= sum && u >= f.all_profiles.len() as u64, "{at}: {u} unique IPs");
        u
    });
    assert_eq!(ns_ips.is_none(), f.rows == 0, "{at}: a namespace-summary row exactly when there are pulls");
    (ips, ns_ips)
}

/// (start, end, pullCount, ipCount) by label of one served pull series.
fn series(v: &Value, label_key: &str) -> BTreeMap<(String, NaiveDate), (NaiveDate, u64, u64)> {
    let day = |s: &Value| s.as_str().unwrap()[..10].parse::<NaiveDate>().unwrap();
    v["pulls"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            let label = i[label_key].as_str().unwrap().to_string();
            (
                (label, day(&i["start"])),
                (day(&i["end"]), i["pullCount"].as_u64().unwrap(), i["ipCount"].as_u64().unwrap()),
            )
        })
        .collect()
}

/// One period checked: its raw figures, the unique IPs by repository and of the namespace.
type Checked = (Period, Figures, BTreeMap<String, u64>, Option<u64>);

/// What the oracle expects of a pull series: (label, start) -> (end as served, pulls, ips).
type Expected = BTreeMap<(String, NaiveDate), (NaiveDate, u64, u64)>;

/// The served end date: the Sunday of a week, the last day of a month (docs/api.md).
fn expected_series(per: &[Checked], span: &str, ns: &str) -> (Expected, Expected) {
    let (mut by_ns, mut by_repo) = (Expected::new(), Expected::new());
    for (p, f, ips, ns_ips) in per.iter().filter(|(p, ..)| p.span == span) {
        if let Some(u) = ns_ips {
            by_ns.insert((ns.to_string(), p.start), (p.end, f.total().iter().sum(), *u));
        }
        for (repo, c) in &f.by_repo {
            by_repo.insert((repo.clone(), p.start), (p.end, c.iter().sum(), ips[repo]));
        }
    }
    (by_ns, by_repo)
}

/// The summary and trend reports of the catalogue against the raw figures of their period.
fn check_reports(c: &Client, ns: &str, per: &[Checked]) -> usize {
    let catalogue = c.json(&format!("{P}/namespaces/{ns}/reports"), true);
    let mut checked = 0;
    for entry in catalogue["reports"].as_array().unwrap() {
        let kind = entry["type"].as_str().unwrap();
        if kind != "summary" && kind != "trend" {
            continue;
        }
        let table = read_csv(&String::from_utf8(c.get(entry["url"].as_str().unwrap(), true)).unwrap());
        let rows: Vec<_> = table.records().collect();
        let Some(first) = rows.first() else { continue };
        let span = if first["DATE_GRANULARITY"] == "week" { "weeks" } else { "months" };
        let start: NaiveDate = first["DATE_REFERENCE"].parse().unwrap();
        let (p, f, ..) = per
            .iter()
            .find(|(p, ..)| p.span == span && p.start == start)
            .unwrap_or_else(|| panic!("{ns}: a {kind} report for {span} {start}, a period without exports"));
        let at = format!("{ns} {kind} report {}", p.label());
        let dl = |c: &Counts| [c[0] + c[1], c[2]];
        if kind == "summary" {
            let total = dl(&f.total());
            for r in &rows {
                let got = [number(r, "DATA_DOWNLOADS"), number(r, "VERSION_CHECKS")];
                assert_eq!(number(r, "EVENT_COUNT"), got[0] + got[1], "{at}");
                let want = match r["LEVEL"] {
                    "publisher" | "namespace" => total,
                    _ => dl(&f.by_repo[r["REFERENCE"].strip_prefix(&format!("{ns}/")).unwrap()]),
                };
                assert_eq!(got, want, "{at}: {r:?}");
            }
        } else {
            let mut got: BTreeMap<_, [u64; 2]> = BTreeMap::new();
            for r in &rows {
                let key =
                    (r["IMAGE_REPOSITORY"], r["IP_COUNTRY"], r["CLOUD_SERVICE_PROVIDER"], r["USER_AGENT"], r["TAG"]);
                let key =
                    (key.0.to_string(), key.1.to_string(), key.2.to_string(), key.3.to_string(), key.4.to_string());
                let n = [number(r, "DATA_DOWNLOADS"), number(r, "VERSION_CHECKS")];
                assert_eq!(number(r, "PULLS"), n[0] + n[1], "{at}");
                let e = got.entry(key).or_default();
                e[0] += n[0];
                e[1] += n[1];
            }
            let want: BTreeMap<_, _> = f.by_trend_key.iter().map(|(k, c)| (k.clone(), dl(c))).collect();
            assert_same(&got, &want, &format!("{at}: trend rows vs raw rows"));
        }
        checked += 1;
    }
    checked
}

#[test]
fn every_figure_the_mock_serves_agrees_with_its_own_raw_exports() {
    let c = Client::login();
    let namespaces: Vec<String> = c.json(&format!("{A}/"), true)["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    assert!(namespaces.len() >= 2, "{namespaces:?}");
    let (mut rows, mut items, mut reports) = (0, 0, 0);
    for ns in &namespaces {
        let mut per = Vec::new();
        for p in c.periods(ns) {
            let f = figures(&c.export(ns, &p, "raw"), ns, &p);
            let (ips, ns_ips) = check_exports(&c, ns, &p, &f);
            rows += f.rows;
            per.push((p, f, ips, ns_ips));
        }
        assert!(per.iter().any(|(p, ..)| p.span == "weeks") && per.iter().any(|(p, ..)| p.span == "months"));
        for span in ["weeks", "months"] {
            // last-12-months reaches back past the first period of the history.
            let q = format!("timespan={span}&period=last-12-months");
            let (want_ns, want_repo) = expected_series(&per, span, ns);
            let got = series(&c.json(&format!("{A}/namespaces/{ns}/pulls?{q}&group=namespace"), true), "namespace");
            assert_same(&got, &want_ns, &format!("{ns} {span}: namespace series vs raw rows"));
            let got = series(&c.json(&format!("{A}/namespaces/{ns}/pulls?{q}&group=repo"), true), "repo");
            assert_same(&got, &want_repo, &format!("{ns} {span}: repository series vs raw rows"));
            for repo in want_repo.keys().map(|(r, _)| r).collect::<BTreeSet<_>>() {
                let one: Expected =
                    want_repo.iter().filter(|((r, _), _)| r == repo).map(|(k, v)| (k.clone(), *v)).collect();
                let path = format!("{ns}/repos/{repo}/pulls?{q}");
                assert_same(&series(&c.json(&format!("{A}/namespaces/{path}"), true), "repo"), &one, &path);
                assert_same(&series(&c.json(&format!("{P}/namespaces/{path}"), false), "repo"), &one, &path);
                let many = c.json(&format!("{P}/repos/pulls?repos={ns}/{repo}&{q}"), false);
                assert_same(&series(&many["repos"][format!("{ns}/{repo}")], "repo"), &one, "P/repos/pulls");
                items += one.len();
            }
        }
        reports += check_reports(&c, ns, &per);
    }
    eprintln!("oracle: {rows} raw rows, {items} series items, {reports} reports recomputed");
    assert!(rows > 20_000 && items > 150 && reports > 20, "{rows} raw rows, {items} series items, {reports} reports");
}

/// Raw figures by (namespace, `weeks` or `months`, period start): the namespace's counts and
/// each repository's, recomputed once per run from the raw exports the mock serves (for other
/// tests that need figures independent of the generator, such as the preview's).
pub type Recomputed = BTreeMap<(String, &'static str, NaiveDate), (Counts, BTreeMap<String, Counts>)>;

pub fn recomputed() -> &'static Recomputed {
    static ONCE: std::sync::OnceLock<Recomputed> = std::sync::OnceLock::new();
    ONCE.get_or_init(|| {
        let c = Client::login();
        let mut out = Recomputed::new();
        for ns in c.json(&format!("{A}/"), true)["namespaces"].as_array().unwrap() {
            let ns = ns.as_str().unwrap();
            for p in c.periods(ns) {
                let f = figures(&c.export(ns, &p, "raw"), ns, &p);
                out.insert((ns.to_string(), p.span, p.start), (f.total(), f.by_repo));
            }
        }
        out
    })
}

/// The oracle's own date arithmetic, checked against dates the docs state.
#[test]
fn periods_are_iso_weeks_and_calendar_months() {
    let w = Period::new("weeks", 2026, 1);
    assert_eq!((w.start.to_string(), w.end.to_string()), ("2025-12-29".into(), "2026-01-04".into()));
    let m = Period::new("months", 2025, 12);
    assert_eq!((m.start.to_string(), m.end.to_string()), ("2025-12-01".into(), "2025-12-31".into()));
    assert_eq!(Period::new("months", 2026, 2).end.day(), 28);
}
