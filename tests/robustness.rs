//! Seeded random text against every reader (the configuration loader, and through
//! `calibrate` each input reader: pull-series JSON, legacy export CSV, DVP Core report CSV):
//! no input makes any of them panic, every refusal is one line, and an accepted configuration
//! passes the size guard's estimate without a panic. The inputs that once crashed are kept as
//! regression cases. Also: every command exits quietly when its stdout closes early.
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use dvp_mock::calibrate::{self, Source};
use dvp_mock::config::{Config, DEFAULT_TOML};
use dvp_mock::size::{self, Limit};

use crate::support;

/// Pieces that reach the corners of each format: limits, signs, dates at the ends of time.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e9",
    "1e10",
    "1e999",
    "18446744073709551615",
    "18446744073709551616",
    "nan",
    "inf",
    "\"+262142-12-31\"",
    "\"-0001-01-01\"",
    "\"2026-02-30\"",
    "\"1970-01-01\"",
    "\"2199-12-31\"",
    "[]",
    "{}",
    "\"\"",
    ",",
    "\n",
    "=",
    "\"",
    "[[users]]",
    "namespaces = []",
    "weeks = []",
    "\"2025-09-01T00:00:00Z\"",
    "null",
    "{\"pullCount\": 5, \"ipCount\": 9}",
    "\\N",
    "week",
    "month",
    "🦀",
    "\r\n",
    "\u{0}",
];

/// `base` with 1 to 4 random edits: a cut, an inserted token, or a replaced character.
fn mutate(rng: &mut ChaCha8Rng, base: &str) -> String {
    let mut text: Vec<char> = base.chars().collect();
    for _ in 0..rng.random_range(1..5) {
        if text.is_empty() {
            text.push('x');
        }
        let at = rng.random_range(0..text.len());
        match rng.random_range(0..3) {
            0 => {
                let n = rng.random_range(1..40).min(text.len() - at);
                text.drain(at..at + n);
            }
            1 => {
                let t = TOKENS[rng.random_range(0..TOKENS.len())];
                for (i, c) in t.chars().enumerate() {
                    text.insert(at + i, c);
                }
            }
            _ => text[at] = char::from(rng.random_range(32u8..127)),
        }
    }
    text.into_iter().collect()
}

/// Parses `text`; an accepted configuration must also pass the estimate (which builds its
/// world) without a panic.
fn load(text: &str) -> Result<(), String> {
    let config = Config::parse(text, "fuzz.toml").map_err(|e| e.to_string())?;
    size::admit(&config, &Limit::Flag(1)).map(|_| ()).or_else(|e| {
        let m = e.to_string();
        if m.starts_with("the mock would be about ") {
            Ok(())
        } else {
            Err(m)
        }
    })
}

/// Inputs that once crashed the loader (kept as regression cases).
const CONFIG_CRASHES: &[(&str, &str)] = &[
    ("as_of = \"2026-03-18\"", "as_of = \"+262142-12-31\""),
    ("as_of = \"2026-03-18\"", "as_of = \"2290-03-18\""),
    ("history_start = \"2025-09-01\"", "history_start = \"1999-12-06\""),
    ("weekly_pulls = 60_000_000\ngrowth = 0.1", "weekly_pulls = 10_000_000_000\ngrowth = 10.0"),
];

#[test]
fn random_text_never_panics_the_config_loader() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut cases: Vec<String> = CONFIG_CRASHES.iter().map(|(from, to)| DEFAULT_TOML.replace(from, to)).collect();
    cases.push(
        DEFAULT_TOML
            .replace("weekly_pulls = 60_000_000\ngrowth = 0.1", "weekly_pulls = 10_000_000_000\ngrowth = 10.0")
            .replace("history_start = \"2025-09-01\"", "history_start = \"2006-01-02\""),
    );
    // A small base keeps each accepted case's estimate quick.
    let small = crate::safety::small_toml();
    for _ in 0..300 {
        cases.push(mutate(&mut rng, &small));
    }
    for (i, text) in cases.iter().enumerate() {
        match std::panic::catch_unwind(|| load(text)) {
            Ok(Ok(())) => {}
            Ok(Err(m)) => assert!(!m.contains('\n'), "case {i}: one line: {m:?}"),
            Err(_) => panic!("case {i} panicked:\n{text}"),
        }
    }
}

/// One input of each kind the calibrate readers recognise.
fn calibrate_bases() -> Vec<(&'static str, String)> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/verdaccio-docker_pull-5124d5f.json");
    let store = std::fs::read_to_string(data).unwrap();
    let series = r#"{"pulls":[{"start":"2026-01-05T00:00:00Z","end":"2026-01-11T00:00:00Z","repo":"web","namespace":"acme","pullCount":350,"ipCount":109},{"start":"2026-01-12T00:00:00Z","end":"2026-01-18T00:00:00Z","repo":"web","namespace":"acme","pullCount":10,"ipCount":3}]}"#;
    let repos = r#"{"repos":{"acme/web":{"pulls":[{"start":"2026-01-01T00:00:00Z","end":"2026-01-31T00:00:00Z","pullCount":825,"ipCount":200}]}}}"#;
    let trend = "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,IMAGE_REPOSITORY,NAMESPACE,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,TAG,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,UNIQUE_UNAUTHENTICATED_USERS\nweek,2025-09-01,Acme Inc,acmecorp/web,acmecorp,US,aws,docker,latest,60,10,70,5,15\nweek,2025-09-08,Acme Inc,acmecorp/web,acmecorp,DE,no csp,containerd,\\N,25,5,30,0,10\n";
    let core = "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,LEVEL,REFERENCE,DATA_DOWNLOADS,VERSION_CHECKS,EVENT_COUNT\nweek,2025-09-01,Acme,repository,acme/web,50,10,60\nweek,2025-09-08,Acme,repository,acme/web,40,0,40\n";
    let raw = "action,action_day,country,digest,http_method,host,namespace,reference,repository,tag,type,domain,user_agent_tool,user_agent_version\npull_by_tag,2025-09-01,US,sha256:1,GET,aws,acme,latest,web,latest,hosting,amazonaws.com,docker,27.0\nversion_check,2025-09-02,DE,sha256:1,HEAD,,acme,latest,web,latest,isp,t-online.de,containerd,1.7\n";
    let summary = "namespace,repository,unique_ip_count,pull_by_tag_count,pull_by_digest_count,version_check_count,owner\nacme,web,10,20,5,3,acme\n";
    vec![
        ("store.json", store),
        ("series.json", series.to_string()),
        ("repos.json", repos.to_string()),
        ("trend_weekly.csv", trend.to_string()),
        ("core_summary.csv", core.to_string()),
        ("raw.csv", raw.to_string()),
        ("acme_repo_summary_2025_w36.csv", summary.to_string()),
    ]
}

/// Inputs that once crashed a calibrate reader (file name, text; kept as regression cases).
const CALIBRATE_CRASHES: &[(&str, &str)] = &[];

#[test]
fn random_text_never_panics_a_calibrate_reader() {
    let dir = support::scratch("robustness-calibrate");
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let mut cases: Vec<(String, String)> =
        CALIBRATE_CRASHES.iter().map(|(f, t)| (f.to_string(), t.to_string())).collect();
    let bases = calibrate_bases();
    for (name, text) in &bases {
        cases.push((name.to_string(), text.clone()));
        for _ in 0..60 {
            cases.push((name.to_string(), mutate(&mut rng, text)));
        }
    }
    for (i, (name, text)) in cases.iter().enumerate() {
        let path = dir.join(format!("{i}-{name}"));
        std::fs::write(&path, text).unwrap();
        let source = Source::parse(&path.display().to_string());
        match std::panic::catch_unwind(|| calibrate::calibrate(std::slice::from_ref(&source), false)) {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => assert!(!e.to_string().contains('\n'), "case {i} ({name}): one line: {e}"),
            Err(_) => panic!("case {i} ({name}) panicked:\n{text}"),
        }
    }
}

/// `dvp-mock ARGS | head -c 1`: the reader goes away after one byte; the command must end
/// without a panic (and with its own exit code).
fn closed_early(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvp-mock"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    let _ = child.stdout.as_mut().unwrap().read(&mut first);
    drop(child.stdout.take());
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (child.wait().unwrap().code(), err)
}

#[test]
fn every_command_exits_quietly_when_stdout_closes_early() {
    let dir = support::scratch("robustness-pipe");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/verdaccio-docker_pull-5124d5f.json");
    let o = crate::safety::run(&["generate", "--quiet", "--seed", "7"], &dir);
    assert!(o.status.success(), "{}", crate::safety::stderr(&o));
    // `check` asked for another seed than the tree records lists every file (far more than a
    // pipe holds).
    for (args, code) in [
        (vec!["config"], 0),
        (vec!["calibrate", "--from", data.to_str().unwrap()], 0),
        (vec!["generate", "--dry-run"], 0),
        (vec!["check", "--seed", "42", "--verbose"], 1),
    ] {
        let (got, err) = closed_early(&args, &dir);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(got, Some(code), "{args:?}: {err}");
    }
}

/// Implausible input is an error naming the input file and its line or field, never a silent
/// repair.
#[test]
fn calibrate_refuses_implausible_input_naming_the_file_and_the_field() {
    let dir = support::scratch("robustness-implausible");
    let week = r#""start":"2026-01-05T00:00:00Z","end":"2026-01-11T00:00:00Z""#;
    let trend_head = "DATE_GRANULARITY,DATE_REFERENCE,PUBLISHER_NAME,IMAGE_REPOSITORY,NAMESPACE,IP_COUNTRY,CLOUD_SERVICE_PROVIDER,USER_AGENT,TAG,DATA_DOWNLOADS,VERSION_CHECKS,PULLS,UNIQUE_AUTHENTICATED_USERS,UNIQUE_UNAUTHENTICATED_USERS\n";
    for (file, text, want) in [
        (
            "ips.json",
            format!(r#"{{"pulls":[{{{week},"pullCount":5,"ipCount":9}}]}}"#),
            "ips.json: field `pulls[0]`: series calibrated: week 2026-01-05: ipCount 9 is above pullCount 5",
        ),
        (
            "big.json",
            format!(r#"{{"pulls":[{{{week},"pullCount":5000000000,"ipCount":9}}]}}"#),
            "big.json: field `pulls[0]`: series calibrated: week 2026-01-05: pullCount 5000000000 is above",
        ),
        (
            "far.json",
            r#"{"2290-01-05T00:00:00Z":{"pullCount":5,"ipCount":1}}"#.to_string(),
            "far.json: field `2290-01-05T00:00:00Z`: series calibrated/far: week 2289-12-30: 2289-12-30 is outside the supported dates 2002-01-01..=2199-12-31",
        ),
        (
            "trend.csv",
            format!("{trend_head}week,2025-09-01,Acme Inc,acmecorp/web,acmecorp,US,aws,docker,latest,60,10,70,5,150\n"),
            "trend.csv: line 2: series acmecorp/web: period 2025-09-01: 124 distinct users",
        ),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let err = calibrate::calibrate(&[Source::parse(&path.display().to_string())], false).unwrap_err().to_string();
        assert!(err.starts_with(&path.display().to_string()) && err.contains(want), "{err}");
        assert!(!err.contains('\n'));
    }
}

/// A user who may read no namespace (`namespaces = []`) gets what the real API gives an account
/// without publisher rights: an empty namespace list, and an empty series for any repository.
/// The whole corpus of that world passes against the real WireMock.
#[test]
fn a_user_without_namespaces_is_served_like_an_account_without_publisher_rights() {
    let text = crate::safety::small_toml().replace("namespaces = [\"betalabs\"]", "namespaces = []");
    let config = Config::parse(&text, "no-rights.toml").unwrap();
    let (generated, tree) = support::generate(&config, dvp_mock::wiremock::Target::Standalone, 2).unwrap();
    let dir = support::write_scratch("robustness-no-rights", &tree);
    let wm = support::wiremock::WireMock::start(&dir);
    let report = dvp_mock::verify::run(&wm.base_url(), &generated.corpus);
    assert!(report.aborted.is_none() && report.failures.is_empty(), "{:?}", report.failures.first());
    let outsider = generated.model.world.users.iter().find(|u| u.username == "outsider").unwrap();
    let auth = format!("Bearer {}", outsider.token);
    for (path, want) in [
        ("/api/publisher/analytics/v1/", r#"{"namespaces":[]}"#),
        ("/api/publisher/analytics/v1/repos/pulls?repos=acme/web", r#"{"repos":{"acme/web":{"pulls":[]}}}"#),
    ] {
        let r = wm.request("GET", path, &[("Authorization", auth.as_str())], None);
        assert_eq!((r.status, r.text()), (200, want.to_string()), "{path}");
    }
    wm.shutdown();
}

/// A documented repair (harvest holes interpolated, weeks given twice) is announced by a
/// warning naming the input file.
#[test]
fn calibrate_announces_its_repairs_naming_the_file() {
    let dir = support::scratch("robustness-repairs");
    let path = dir.join("holes.json");
    let text =
        r#"{"2024-11-03T00:00:00Z":{"pullCount":50,"ipCount":5},"2024-11-24T00:00:00Z":{"pullCount":80,"ipCount":8}}"#;
    std::fs::write(&path, text).unwrap();
    let source = Source::parse(&path.display().to_string());
    let c = calibrate::calibrate_with_warnings(&[source.clone(), source], false).unwrap();
    let file = path.display().to_string();
    assert_eq!(
        c.warnings,
        [
            format!("{file}: series calibrated/holes: 2 week(s) missing from the input (first 2024-11-04) were interpolated between their neighbours"),
            format!("{file}, {file}: 2 week(s) given by more than one input were taken from the first"),
        ]
    );
}
