//! `dvp-mock calibrate`: from a publisher's own files to a mock that serves the same weekly
//! series. Each goal test calibrates, generates the mock, serves it with the real WireMock jar,
//! fetches the weekly series back over HTTP and compares week by week.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use chrono::{Datelike, Days, NaiveDate};

use crate::support::{self, wiremock::WireMock};

/// (Monday, pullCount, ipCount) of one week.
type Week = (NaiveDate, u64, u64);

fn run(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)
}

fn day(s: &str) -> NaiveDate {
    s[..10].parse().unwrap()
}

/// Calibrates `from` into `dir/calibrated.toml`, generates the mock into `dir/mock` and serves it.
fn calibrate_and_serve(dir: &Path, from: &[String]) -> WireMock {
    let mut args = vec!["calibrate".to_string(), "--out".into(), "calibrated.toml".into()];
    for f in from {
        args.extend(["--from".to_string(), f.clone()]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(&args, dir);
    assert!(o.status.success(), "calibrate: {}", stderr(&o));
    let o = run(&["generate", "--quiet", "--config", "calibrated.toml", "--out", "mock"], dir);
    assert!(o.status.success(), "generate: {}", stderr(&o));
    WireMock::start(&dir.join("mock"))
}

/// The weekly series of `ns/repo` as the mock serves it, by Monday: the unauthenticated
/// proxylytics repository endpoint (as docker-trends calls it), the longest period.
fn served(wm: &WireMock, ns: &str, repo: &str) -> BTreeMap<NaiveDate, (u64, u64)> {
    let path = format!(
        "/api/publisher/proxylytics/v1/namespaces/{ns}/repos/{repo}/pulls?timespan=weeks&period=last-12-months&group=repo"
    );
    let r = wm.get(&path);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let mut out = BTreeMap::new();
    for item in v["pulls"].as_array().unwrap_or_else(|| panic!("{path}: {}", r.text())) {
        let start = day(item["start"].as_str().unwrap());
        assert_eq!(day(item["end"].as_str().unwrap()), start + Days::new(6), "{item}");
        out.insert(start, (item["pullCount"].as_u64().unwrap(), item["ipCount"].as_u64().unwrap()));
    }
    out
}

/// Per-week relative errors (pulls, ips) of `served` against `input`; panics naming any input
/// week with pulls that the mock does not serve.
fn errors(input: &[Week], served: &BTreeMap<NaiveDate, (u64, u64)>) -> (Vec<f64>, Vec<f64>) {
    let rel = |got: u64, want: u64| (got as f64 - want as f64).abs() / (want as f64).max(1.0);
    let (mut p, mut u) = (Vec::new(), Vec::new());
    for &(week, pulls, ips) in input {
        let got = served.get(&week).copied();
        assert!(got.is_some() || pulls == 0, "input week {week} ({pulls} pulls) is not served");
        let (gp, gu) = got.unwrap_or((0, 0));
        p.push(rel(gp, pulls));
        u.push(rel(gu, ips));
    }
    (p, u)
}

fn quantile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

/// Asserts the goals (median pull error <= 10 %, ip error <= 15 %) and prints the figures.
fn assert_goals(label: &str, input: &[Week], served: &BTreeMap<NaiveDate, (u64, u64)>) {
    let (p, u) = errors(input, served);
    let (pm, p90, um, u90) = (quantile(&p, 0.5), quantile(&p, 0.9), quantile(&u, 0.5), quantile(&u, 0.9));
    eprintln!(
        "calibrate {label}: {} weeks; pullCount error median {:.2} % p90 {:.2} %; ipCount error median {:.2} % p90 {:.2} %",
        input.len(),
        pm * 100.0,
        p90 * 100.0,
        um * 100.0,
        u90 * 100.0
    );
    assert!(pm <= 0.10, "{label}: median pullCount error {pm}");
    assert!(um <= 0.15, "{label}: median ipCount error {um}");
    // Beyond the goals: the design serves every week exactly (docs/calibrate.md says so).
    for &(week, pulls, ips) in input {
        assert_eq!(served.get(&week).copied().unwrap_or((0, 0)), (pulls, ips), "{label}: week {week}");
    }
}

/// The verdaccio store (`end` keys) as weeks by Monday, every count divided by `divisor`
/// (at least 1 IP for a week with pulls).
fn verdaccio_weeks(divisor: u64) -> Vec<Week> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(data("verdaccio-docker_pull-5124d5f.json")).unwrap()).unwrap();
    v.as_object()
        .unwrap()
        .iter()
        .map(|(end, c)| {
            let (p, u) = (c["pullCount"].as_u64().unwrap() / divisor, c["ipCount"].as_u64().unwrap() / divisor);
            (day(end) - Days::new(6), p, if p > 0 { u.clamp(1, p) } else { 0 })
        })
        .collect()
}

/// The verdaccio series divided by `divisor`, written in the store's own format into `dir`.
fn verdaccio_input(dir: &Path, divisor: u64) -> String {
    if divisor == 1 {
        return format!("verdaccio/verdaccio={}", data("verdaccio-docker_pull-5124d5f.json").display());
    }
    let store: serde_json::Map<String, serde_json::Value> = verdaccio_weeks(divisor)
        .iter()
        .map(|&(w, p, u)| (rfc(w + Days::new(6)), serde_json::json!({ "pullCount": p, "ipCount": u })))
        .collect();
    std::fs::write(dir.join("verdaccio.json"), serde_json::Value::Object(store).to_string()).unwrap();
    "verdaccio/verdaccio=verdaccio.json".into()
}

/// The real verdaccio series (about 150,000 pulls and 5,400 IPs a week, one harvest hole)
/// divided by `divisor`: every input week is served with its pullCount and ipCount.
fn calibrated_from_verdaccio(divisor: u64) {
    let dir = support::temp_dir("calibrate-verdaccio");
    let from = verdaccio_input(&dir, divisor);
    let wm = calibrate_and_serve(&dir, &[from]);
    let input = verdaccio_weeks(divisor);
    assert_eq!(input.len(), 47);
    let got = served(&wm, "verdaccio", "verdaccio");
    assert_goals("verdaccio", &input, &got);
    // The two weeks the harvester missed are served too, between their neighbours.
    let hole = day("2025-09-15");
    let (a, b) = (got[&day("2025-09-08")].0, got[&day("2025-09-29")].0);
    assert!(got.contains_key(&hole) && got.contains_key(&(hole + Days::new(7))), "holes served");
    assert!(got[&hole].0 <= a.max(b) && got[&hole].0 >= a.min(b), "interpolated");
    let text = std::fs::read_to_string(dir.join("calibrated.toml")).unwrap();
    assert!(text.contains("as_of = \"2025-10-06\"") && text.contains("history_start = \"2024-10-28\""), "{text}");
}

/// The verdaccio series at a hundredth of its volume (about 1,500 pulls a week): the same
/// shape, the same hole, every week served exactly.
#[test]
fn calibrated_from_the_real_verdaccio_series_at_a_hundredth() {
    calibrated_from_verdaccio(100);
}

/// The same at full volume (about 6 M events, 12 M export rows: a 2.4 GB mock). Too large for
/// `cargo test`; the release step of .ci/run runs it with `--release -- --ignored`.
#[test]
#[ignore = "a 2.4 GB mock; run with --release -- --ignored (CI's release step does)"]
fn calibrated_from_the_real_verdaccio_series_at_full_volume() {
    calibrated_from_verdaccio(1);
}

/// A synthetic year: a launch step, a spike, a quiet year end, with noise.
fn synthetic(seed: u64, base: f64, per_ip: f64) -> Vec<Week> {
    let mut x = seed;
    let mut noise = move || {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        0.85 + 0.3 * ((x >> 11) as f64 / (1u64 << 53) as f64)
    };
    let first = day("2025-01-06");
    (0..50)
        .map(|i| {
            let week = first + Days::new(7 * i);
            let mut level = if i < 8 { base * 0.1 } else { base };
            if i == 20 {
                level *= 5.0;
            }
            if week >= day("2025-12-22") {
                level *= 0.4;
            }
            let pulls = (level * noise()).round() as u64;
            let ips = ((pulls as f64 / per_ip) * noise()).round().clamp(1.0, pulls as f64) as u64;
            (week, pulls, ips)
        })
        .collect()
}

fn rfc(d: NaiveDate) -> String {
    format!("{d}T00:00:00Z")
}

fn items(weeks: &[Week], label: &str) -> Vec<serde_json::Value> {
    weeks
        .iter()
        .map(|&(w, p, u)| {
            serde_json::json!({"start": rfc(w), "end": rfc(w + Days::new(6)), "repo": label, "pullCount": p, "ipCount": u})
        })
        .collect()
}

/// Three synthetic series, as a repository pulls response, a `/repos/pulls` response and one
/// legacy repo-summary export per week, combined in one calibration.
#[test]
fn calibrated_from_synthetic_json_and_csv_series() {
    let dir = support::temp_dir("calibrate-synthetic");
    let (a, b, c) = (synthetic(1, 1500.0, 4.0), synthetic(2, 800.0, 1.3), synthetic(3, 3000.0, 12.0));
    std::fs::write(dir.join("server.json"), serde_json::json!({ "pulls": items(&a, "server") }).to_string()).unwrap();
    let repos = serde_json::json!({ "repos": { "acmecorp/agent": { "pulls": items(&b, "agent") } } });
    std::fs::write(dir.join("repos.json"), serde_json::to_string_pretty(&repos).unwrap()).unwrap();
    let mut from = vec!["acmecorp/server=server.json".to_string(), "repos.json".to_string()];
    for &(w, p, u) in &c {
        let iso = w.iso_week();
        let name = format!("acmecorp_repo_summary_{}_w{:02}.csv", iso.year(), iso.week());
        let (tag, digest, checks) = (p / 2, p / 3, p - p / 2 - p / 3);
        let csv = format!(
            "namespace,repository,unique_ip_count,pull_by_tag_count,pull_by_digest_count,version_check_count,owner\n\
             acmecorp,cli,{u},{tag},{digest},{checks},acmecorp\n"
        );
        std::fs::write(dir.join(&name), csv).unwrap();
        from.push(name);
    }
    let wm = calibrate_and_serve(&dir, &from);
    assert_goals("synthetic server (repo pulls JSON)", &a, &served(&wm, "acmecorp", "server"));
    assert_goals("synthetic agent (/repos/pulls JSON)", &b, &served(&wm, "acmecorp", "agent"));
    assert_goals("synthetic cli (repo-summary CSVs)", &c, &served(&wm, "acmecorp", "cli"));
    // The CSV's action shares become the repository's.
    let text = std::fs::read_to_string(dir.join("calibrated.toml")).unwrap();
    let cli = &text[text.find("name = \"cli\"").unwrap()..];
    assert!(cli.contains("by_digest = 0.33") && cli.contains("version_checks = 0.16"), "{cli}");
}

/// The same inputs give the same configuration, and `--rename` keeps no input name.
#[test]
fn calibration_is_deterministic_and_rename_drops_names() {
    let dir = support::temp_dir("calibrate-determinism");
    let v = format!("verdaccio/verdaccio={}", data("verdaccio-docker_pull-5124d5f.json").display());
    let one = run(&["calibrate", "--from", &v], &dir);
    let two = run(&["calibrate", "--from", &v], &dir);
    assert!(one.status.success(), "{}", stderr(&one));
    assert_eq!(one.stdout, two.stdout);
    let renamed = run(&["calibrate", "--rename", "--from", &v], &dir);
    let text = String::from_utf8(renamed.stdout).unwrap();
    assert!(!text.contains("\"verdaccio\""), "{text}");
    assert!(text.contains("name = \"publisher1\"") && text.contains("name = \"image1\""), "{text}");
}

/// Bad input: one `error:` line naming the file and the line or field, exit 2, nothing written.
#[test]
fn bad_calibration_input_is_one_error_line() {
    let dir = support::temp_dir("calibrate-errors");
    let week = |i: u64| day("2025-01-06") + Days::new(7 * i);
    let item = |i: u64, p: i64| {
        format!(
            "{{\"start\":\"{}\",\"end\":\"{}\",\"repo\":\"web\",\"pullCount\":{p},\"ipCount\":1}}",
            rfc(week(i)),
            rfc(week(i) + Days::new(6))
        )
    };
    let cases: Vec<(&str, String, &str)> = vec![
        ("notes.txt", "hello world\nthis is not data\n".into(), "notes.txt: line 1: unknown CSV format"),
        ("cut.json", format!("{{\"pulls\":[{},", item(0, 5)), "cut.json: line 1, column"),
        ("neg.json", format!("{{\"pulls\":[{},\n{}]}}", item(0, 5), item(1, -3)), "neg.json: line 2, column"),
        ("gap.json", format!("{{\"pulls\":[{},{}]}}", item(0, 5), item(2, 5)), "gap.json: field `pulls[1]`: series calibrated/web: week 2025-01-13 is missing"),
        ("odd.json", "{\"pulls\":[{\"start\":\"2025-01-07T00:00:00Z\",\"end\":\"2025-01-13T00:00:00Z\",\"pullCount\":1,\"ipCount\":1}]}".into(), "odd.json: line 1, column"),
        ("other.json", "{\"namespaces\":[\"x\"]}".into(), "other.json: line 1, column"),
        (
            "acme_repo_summary_2025_w02.csv",
            "namespace,repository,unique_ip_count,pull_by_tag_count,pull_by_digest_count,version_check_count,owner\nacmecorp,web,1,-4,0,0,acmecorp\n".into(),
            "acme_repo_summary_2025_w02.csv: line 2, field `pull_by_tag_count`: negative count -4",
        ),
        (
            "trend.csv",
            "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,IMAGE_REPOSITORY,NAMESPACE,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,TAG,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,UNIQUE_UNAUTHENTICATED_USERS\nweek,2025-01-06,P,acmecorp/web,acmecorp,US\n".into(),
            "trend.csv: line 2: broken CSV: 6 fields where the header has 14",
        ),
        (
            "repo.csv",
            "namespace,repository,unique_ip_count,pull_by_tag_count,pull_by_digest_count,version_check_count,owner\nacmecorp,web,1,4,0,0,acmecorp\n".into(),
            "repo.csv: line 1: a legacy RepoSummary export holds no date",
        ),
    ];
    for (name, text, want) in cases {
        std::fs::write(dir.join(name), text).unwrap();
        let o = run(&["calibrate", "--from", name, "--out", "out.toml"], &dir);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(err.starts_with(&format!("error: {want}")), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(!dir.join("out.toml").exists(), "{name}: nothing written");
    }
    // A second, good input does not rescue a bad one.
    let good = format!("verdaccio/verdaccio={}", data("verdaccio-docker_pull-5124d5f.json").display());
    let o = run(&["calibrate", "--from", &good, "--from", "neg.json", "--out", "out.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.join("out.toml").exists());
}
