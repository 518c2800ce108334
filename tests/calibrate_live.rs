//! `dvp-mock calibrate --from-api`: round trips through the real WireMock jar (a served world,
//! calibrated over HTTP, generated again and served again, serves the same weekly series), and
//! every way a server or a login can fail answered in one line with nothing written.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use chrono::{Days, NaiveDate};
use dvp_mock::calibrate::api_client::{Credentials, Event, Hooks, Politeness};
use dvp_mock::calibrate::live;
use dvp_mock::config::Config;

use crate::support::{self, wiremock::http_request, wiremock::WireMock};

const A: &str = "/api/publisher/analytics/v1";
const PERIOD: &str = "timespan=weeks&period=last-12-months";
/// The PAT given to `demo` in the second world.
const PAT: &str = "dckr_pat_liveRoundTrip00000000000000";

/// Weekly (pullCount, ipCount) by Monday, per (namespace, repository).
type World = BTreeMap<(String, String), BTreeMap<NaiveDate, (u64, u64)>>;

/// A scratch folder removed when dropped (declare it before the WireMock serving it).
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `dvp-mock calibrate --from-api BASE ARGS` in `dir`, with only the given DVP_* variables.
fn calibrate_api(base: &str, env: &[(&str, &str)], args: &[&str], dir: &Path) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dvp-mock"));
    c.args(["calibrate", "--from-api", base]).args(args).current_dir(dir);
    for v in ["DVP_USERNAME", "DVP_SECRET", "DVP_TOTP"] {
        c.env_remove(v);
    }
    c.envs(env.iter().copied()).output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn json(wm: &WireMock, path: &str, auth: &str) -> serde_json::Value {
    let r = wm.request("GET", path, &[("Authorization", auth)], None);
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn day(s: &str) -> NaiveDate {
    s[..10].parse().unwrap()
}

/// What a served mock shows `demo`: the namespaces of discovery, the repositories of each
/// namespace's weekly series by repository, and each repository's weekly series from its own
/// endpoint (not the one calibrate reads), over the longest period.
fn served(wm: &WireMock) -> World {
    let body = br#"{"identifier":"demo","secret":"demo"}"#;
    let r = wm.request("POST", "/v2/auth/token", &[("Content-Type", "application/json")], Some(body));
    let token: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let auth = format!("Bearer {}", token["access_token"].as_str().unwrap());
    let mut world = World::new();
    for ns in json(wm, &format!("{A}/"), &auth)["namespaces"].as_array().unwrap() {
        let ns = ns.as_str().unwrap();
        let all = json(wm, &format!("{A}/namespaces/{ns}/pulls?{PERIOD}&group=repo"), &auth);
        let mut repos: Vec<&str> =
            all["pulls"].as_array().unwrap().iter().map(|p| p["repo"].as_str().unwrap()).collect();
        repos.sort();
        repos.dedup();
        for repo in repos {
            let series = json(wm, &format!("{A}/namespaces/{ns}/repos/{repo}/pulls?{PERIOD}"), &auth);
            let weeks = series["pulls"].as_array().unwrap().iter().map(|p| {
                (day(p["start"].as_str().unwrap()), (p["pullCount"].as_u64().unwrap(), p["ipCount"].as_u64().unwrap()))
            });
            world.insert((ns.to_string(), repo.to_string()), weeks.collect());
        }
    }
    world
}

/// Generates the mock of a configuration in memory, writes it to a scratch folder and serves it.
fn serve(config: &str, name: &str) -> (Scratch, WireMock) {
    let config = Config::parse(config, name).unwrap_or_else(|e| panic!("{name}: {e}\n{config}"));
    let dir = Scratch(support::write_scratch(name, &support::tree_of(&config, 2)));
    let wm = WireMock::start(&dir.0);
    (dir, wm)
}

/// Asserts the round trip: the same namespaces, repositories and weeks, every weekly
/// pullCount and ipCount within 1 % (and, as the model promises, exact). Prints the per-series
/// maximum errors.
fn assert_round_trip(label: &str, original: &World, calibrated: &World) {
    assert_eq!(original.keys().collect::<Vec<_>>(), calibrated.keys().collect::<Vec<_>>(), "{label}: repositories");
    let rel = |got: u64, want: u64| (got as f64 - want as f64).abs() / (want as f64).max(1.0);
    for ((ns, repo), weeks) in original {
        let got = &calibrated[&(ns.clone(), repo.clone())];
        assert_eq!(weeks.keys().collect::<Vec<_>>(), got.keys().collect::<Vec<_>>(), "{label}: {ns}/{repo} weeks");
        let (mut pulls, mut ips) = (0f64, 0f64);
        for (week, &(p, u)) in weeks {
            let (gp, gu) = got[week];
            pulls = pulls.max(rel(gp, p));
            ips = ips.max(rel(gu, u));
        }
        eprintln!(
            "calibrate --from-api {label}: {ns}/{repo}: {} weeks, max pullCount error {:.2} %, max ipCount error {:.2} %",
            weeks.len(),
            pulls * 100.0,
            ips * 100.0
        );
        assert!(pulls <= 0.01 && ips <= 0.01, "{label}: {ns}/{repo}: errors {pulls} {ips}");
        assert_eq!(weeks, got, "{label}: {ns}/{repo}: the model serves every week exactly");
    }
}

/// The number in `... in N requests` of the summary line.
fn requests_of(stderr: &str) -> u32 {
    let n = stderr.rsplit_once(" in ").and_then(|(_, r)| r.split(' ').next()).unwrap_or_default();
    n.parse().unwrap_or_else(|_| panic!("no request count in {stderr:?}"))
}

/// The default world (served by the shared WireMock): calibrated over HTTP with a password,
/// generated and served again, it serves the same weekly series.
#[test]
fn live_round_trip_of_the_default_world() {
    let original = support::default_wiremock();
    let dir = Scratch(support::scratch("live-default"));
    let o = calibrate_api(
        &original.base_url(),
        &[("DVP_USERNAME", "demo"), ("DVP_SECRET", "demo")],
        &["--out", "live.toml"],
        &dir.0,
    );
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    // 2 namespaces: log in, discovery, then per namespace its metadata, 2 series, the report
    // catalogue and 3 monthly trend reports of 2 requests each (the redirect and the link).
    assert_eq!(err, "read 2 namespace(s), 6 repositories, 28 weeks and 6 trend report(s) in 22 requests (0 retried)\n");
    let config = std::fs::read_to_string(dir.0.join("live.toml")).unwrap();
    // The trend reports gave the mixes and the publisher name.
    assert!(config.contains("[population]") && config.contains("publisher = \"Acme Software Inc\""), "{config}");
    let (_cal_dir, calibrated) = serve(&config, "live-default-calibrated");
    assert_round_trip("default", &served(&original), &served(&calibrated));
}

/// Exactly one of `--from` and `--from-api`, each a one-line usage error otherwise.
#[test]
fn from_and_from_api_exclude_each_other() {
    let dir = Scratch(support::scratch("live-flags"));
    let bin = env!("CARGO_BIN_EXE_dvp-mock");
    for (args, want) in [
        (&["calibrate", "--from", "x.json", "--from-api", "http://127.0.0.1:9"][..], "cannot be used with"),
        (&["calibrate"][..], "the following required arguments were not provided"),
        (&["calibrate", "--from-api", "127.0.0.1:9"][..], "--from-api 127.0.0.1:9: not an http:// or https:// URL"),
    ] {
        let o = Command::new(bin)
            .args(args)
            .env("DVP_USERNAME", "demo")
            .env("DVP_SECRET", "demo")
            .current_dir(&dir.0)
            .output()
            .unwrap();
        let err = text(&o.stderr);
        assert_eq!((o.status.code(), err.lines().count()), (Some(2), 1), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
    }
}

/// A week of the second world: (Monday, pulls, ips).
fn week(i: u64, pulls: u64, ips: u64) -> serde_json::Value {
    let monday = day("2025-06-02") + Days::new(7 * i);
    let rfc = |d: NaiveDate| format!("{d}T00:00:00Z");
    serde_json::json!({"start": rfc(monday), "end": rfc(monday + Days::new(6)), "pullCount": pulls, "ipCount": ips})
}

/// The configuration of a second world, itself calibrated (from files): two namespaces, a
/// steady repository, one with weeks without any pull inside its series, one that starts late
/// and spikes; a 2FA user and a PAT next to `demo`.
fn second_world(dir: &Path) -> String {
    let engine: Vec<_> = (0..26).map(|i| week(i, 3000 + 37 * i, 700 + 5 * i)).collect();
    let gappy: Vec<_> =
        (0..26).map(|i| if [5, 6, 12].contains(&i) { week(i, 0, 0) } else { week(i, 400 + i, 90) }).collect();
    let late: Vec<_> = (8..26).map(|i| if i == 15 { week(i, 9000, 900) } else { week(i, 800, 260) }).collect();
    let repos = serde_json::json!({"repos": {
        "orbit/engine": {"pulls": engine}, "orbit/gappy": {"pulls": gappy}, "nimbus/late": {"pulls": late}
    }});
    std::fs::write(dir.join("world.json"), repos.to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_dvp-mock"))
        .args(["calibrate", "--from", "world.json"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o.stderr));
    // `demo` is the configuration's last table: its PAT follows, then a user with 2FA.
    format!(
        "{}pats = [\"{PAT}\"]\n\n[[users]]\nusername = \"demo-2fa\"\npassword = \"demo\"\ntotp = \"123456\"\nnamespaces = [\"nimbus\", \"orbit\"]\n",
        text(&o.stdout)
    )
}

fn admin(wm: &WireMock, method: &str, path: &str, body: &str) {
    let r = wm.request(method, path, &[("Content-Type", "application/json")], Some(body.as_bytes()));
    assert!(r.status < 300, "{method} {path}: {}", r.text());
}

/// A second world, calibrated over HTTP with a PAT, round-trips too; a 2FA login gives the
/// same configuration; then every failure is one line, with nothing written.
#[test]
fn live_round_trip_of_a_calibrated_world_and_its_failures() {
    let dir = Scratch(support::scratch("live-second"));
    let (_orig_dir, original) = serve(&second_world(&dir.0), "live-second-original");
    let base = original.base_url();
    admin(&original, "DELETE", "/__admin/requests", "");
    let pat = [("DVP_USERNAME", "demo"), ("DVP_SECRET", PAT)];
    let o = calibrate_api(&base, &pat, &["--out", "live.toml"], &dir.0);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    // Counted by the server: the journal holds exactly the requests the command says it made.
    let journal = json(&original, "/__admin/requests?limit=1", "")["meta"]["total"].as_u64().unwrap();
    eprintln!("calibrate --from-api second world: {err}");
    assert_eq!(u64::from(requests_of(&err)), journal, "{err}");
    let config = std::fs::read_to_string(dir.0.join("live.toml")).unwrap();
    assert!(
        config.contains("{ week = \"2025-07-07\", pulls = 0, ips = 0 }"),
        "a week without pulls is a zero:\n{config}"
    );
    let (_cal_dir, calibrated) = serve(&config, "live-second-calibrated");
    assert_round_trip("second world", &served(&original), &served(&calibrated));
    drop(calibrated);

    // The same account through a password and a second factor: the same configuration.
    let mfa = [("DVP_USERNAME", "demo-2fa"), ("DVP_SECRET", "demo"), ("DVP_TOTP", "123456")];
    let o = calibrate_api(&base, &mfa, &[], &dir.0);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), config, "2FA login");
    let o = calibrate_api(&base, &pat, &["--rename"], &dir.0);
    let renamed = text(&o.stdout);
    assert!(!renamed.contains("orbit") && !renamed.contains("nimbus") && renamed.contains("publisher2"), "{renamed}");

    failures(&original, &dir.0);
    stale_token(&original, &config, &dir.0);
    rate_limits(&original, &config);
}

/// A token the data routes refuse (once, at discovery): the client logs in again through
/// `/v2/users/login` and goes on, two requests more, to the same configuration.
fn stale_token(wm: &WireMock, config: &str, dir: &Path) {
    let refuse = serde_json::json!({
        "priority": 1, "scenarioName": "stale-token", "requiredScenarioState": "Started",
        "newScenarioState": "refused once", "request": {"method": "GET", "urlPath": format!("{A}/")},
        "response": {"status": 401, "jsonBody": {"detail": "Incorrect authentication credentials"}}
    });
    admin(wm, "POST", "/__admin/mappings", &refuse.to_string());
    let o = calibrate_api(&wm.base_url(), &[("DVP_USERNAME", "demo"), ("DVP_SECRET", "demo")], &[], dir);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert_eq!((text(&o.stdout).as_str(), requests_of(&err)), (config, 24), "{err}");
    admin(wm, "POST", "/__admin/mappings/reset", "");
    admin(wm, "POST", "/__admin/scenarios/reset", "");
}

/// Bad credentials, a missing second factor, a URL that is not the API, a server that fails
/// or answers in part: one `error:` line naming the step and the HTTP status, exit 2 or 3, and
/// no configuration written.
fn failures(wm: &WireMock, dir: &Path) {
    let base = wm.base_url();
    let demo = |secret: &'static str| vec![("DVP_USERNAME", "demo"), ("DVP_SECRET", secret)];
    let series = format!("{A}/namespaces/nimbus/pulls?timespan=months&period=last-12-months&group=repo");
    let weekly = format!("{A}/namespaces/orbit/pulls?timespan=weeks&period=last-12-months&group=repo");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mfa = |totp: Option<&'static str>| {
        let mut env = vec![("DVP_USERNAME", "demo-2fa"), ("DVP_SECRET", "demo")];
        env.extend(totp.map(|t| ("DVP_TOTP", t)));
        env
    };
    let cases = [
        Failure::new("no credentials", &base, vec![("DVP_USERNAME", "demo")], 2)
            .says("--from-api: set DVP_USERNAME and DVP_SECRET"),
        Failure::new("wrong password", &base, demo("wrong"), 2).says(
            "log in (POST /v2/auth/token): HTTP 401: Incorrect authentication credentials; \
             check DVP_USERNAME and DVP_SECRET",
        ),
        Failure::new("2FA without DVP_TOTP", &base, mfa(None), 2)
            .says("log in (POST /v2/auth/token): HTTP 401: the account has two-factor authentication: set DVP_TOTP"),
        Failure::new("wrong TOTP", &base, mfa(Some("000000")), 2).says(
            "second factor (POST /v2/users/2fa-login): HTTP 401: Incorrect authentication credentials; \
             is DVP_TOTP a current code?",
        ),
        Failure::new("not the API", &format!("{base}/nothing"), demo("demo"), 3).says(
            "log in (POST /v2/users/login): HTTP 404: POST /v2/auth/token answered 404 too: \
             this is not the Docker Hub API",
        ),
        Failure::new("a closed port", &format!("http://127.0.0.1:{closed}"), demo("demo"), 3)
            .says("log in (POST /v2/auth/token): no HTTP answer (Connection Failed"),
        Failure::new("a server error", &base, demo("demo"), 3)
            .after(&weekly, r#"{"status": 500, "jsonBody": {"detail": "Internal Server Error"}}"#)
            .says(&format!("weekly pulls of orbit (GET {weekly}): HTTP 500: Internal Server Error")),
        Failure::new("a body cut short", &base, demo("demo"), 3)
            .after(&weekly, r#"{"fault": "MALFORMED_RESPONSE_CHUNK"}"#)
            .says(&format!("weekly pulls of orbit (GET {weekly}): HTTP 200: the answer was cut short")),
        Failure::new("a partial answer", &base, demo("demo"), 3)
            .after(&series, r#"{"status": 200, "body": "{\"pulls\": [{\"start\": \"2025-06-01T00:00:00Z\", \"end"}"#)
            .says(&format!("monthly pulls of nimbus (GET {series}): HTTP 200: a partial or broken answer (EOF while")),
        Failure::new("no series at all", &base, demo("demo"), 3)
            .after(&series, r#"{"status": 200, "jsonBody": {"detail": "ok"}}"#)
            .says(&format!("monthly pulls of nimbus (GET {series}): HTTP 200: a partial answer: no `pulls` list")),
        Failure::new("not a namespace list", &base, demo("demo"), 3)
            .after(&format!("{A}/"), r#"{"status": 200, "jsonBody": {"hello": 1}}"#)
            .says(&format!("discovery (GET {A}/): HTTP 200: no `namespaces` list: not the DVP API")),
        Failure::new("no weekly pulls", &base, demo("demo"), 3)
            .after(&format!("{A}/"), r#"{"status": 200, "jsonBody": {"namespaces": ["orbit"]}}"#)
            .after(
                &format!("{A}/namespaces/orbit"),
                r#"{"status": 200, "jsonBody": {"datasets": [{"name": "pulls", "timespans": ["months"]}]}}"#,
            )
            .says(&format!(
                "discovery (GET {A}/): HTTP 200: none of the namespaces orbit has the pulls dataset by week"
            )),
    ];
    std::fs::write(dir.join("out.toml"), "kept").unwrap();
    for case in cases {
        for s in &case.stubs {
            admin(wm, "POST", "/__admin/mappings", s);
        }
        let o = calibrate_api(&case.url, &case.env, &["--out", "out.toml"], dir);
        let (err, label) = (text(&o.stderr), case.label);
        assert!(err.starts_with(&case.want), "{label}: {err}");
        assert_eq!((o.status.code(), err.lines().count()), (Some(case.code), 1), "{label}: {err}");
        assert_eq!(std::fs::read_to_string(dir.join("out.toml")).unwrap(), "kept", "{label}: nothing written");
        admin(wm, "POST", "/__admin/mappings/reset", "");
        admin(wm, "POST", "/__admin/scenarios/reset", "");
    }
}

/// One way to fail: the command's URL and environment, a stub put in front of the mock first,
/// the exit code and the start of the one error line.
struct Failure {
    label: &'static str,
    url: String,
    env: Vec<(&'static str, &'static str)>,
    stubs: Vec<String>,
    code: i32,
    want: String,
}

impl Failure {
    fn new(label: &'static str, url: &str, env: Vec<(&'static str, &'static str)>, code: i32) -> Failure {
        Failure { label, url: url.to_string(), env, stubs: Vec::new(), code, want: String::new() }
    }

    /// The mock answers GET `path_and_query` with `response` (WireMock JSON) instead.
    fn after(mut self, path_and_query: &str, response: &str) -> Failure {
        self.stubs.push(stub(path_and_query, response));
        self
    }

    /// The error line starts `error: URL: what` (`error: what` for a usage error).
    fn says(mut self, what: &str) -> Failure {
        self.want =
            if what.starts_with("--") { format!("error: {what}") } else { format!("error: {}: {what}", self.url) };
        self
    }
}

/// A stub in front of the mock's answer to GET `path_and_query`.
fn stub(path_and_query: &str, response: &str) -> String {
    let (path, query) = path_and_query.split_once('?').unwrap_or((path_and_query, ""));
    let params: serde_json::Map<String, serde_json::Value> = query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').unwrap())
        .map(|(k, v)| (k.to_string(), serde_json::json!({"equalTo": v})))
        .collect();
    let request = serde_json::json!({"method": "GET", "urlPath": path, "queryParameters": params});
    format!(r#"{{"priority": 1, "request": {request}, "response": {response}}}"#)
}

/// In process, with the real jar: a 429 is waited out as its `Retry-After` says and the walk
/// goes on; a rate limit that does not clear ends after the bounded retries, in one line.
fn rate_limits(wm: &WireMock, config: &str) {
    let port = wm.port();
    let set_fault = |state: &str| {
        let body = format!(r#"{{"state":"{state}"}}"#);
        let r = http_request(port, "PUT", "/__admin/scenarios/dvp-faults/state", &[], Some(body.as_bytes())).unwrap();
        assert_eq!(r.status, 200, "{}", r.text());
    };
    let creds = Credentials { username: "demo".into(), secret: "demo".into(), totp: None };
    // The limit starts after discovery and clears while the client waits.
    let mut waits = Vec::new();
    let mut event = |e: &Event| {
        if let Event::Answered { done: 2, .. } = e {
            set_fault("rate-limit");
        }
    };
    let mut sleep = |d: Duration| {
        waits.push(d);
        set_fault("Started");
    };
    let hooks = Hooks { event: &mut event, sleep: &mut sleep };
    let done = live::calibrate(&wm.base_url(), &creds, false, Politeness::default(), hooks).unwrap();
    assert_eq!(waits, [Duration::from_secs(60)], "Retry-After honoured once");
    assert_eq!((done.retries, done.config.text.as_str()), (1, config), "the same configuration");

    // The limit never clears: 1 + 3 retries, then one line.
    set_fault("rate-limit");
    let mut waits = Vec::new();
    let mut sleep = |d: Duration| waits.push(d);
    let hooks = Hooks { event: &mut |_: &Event| {}, sleep: &mut sleep };
    let e = live::calibrate(&wm.base_url(), &creds, false, Politeness::default(), hooks).unwrap_err();
    set_fault("Started");
    assert_eq!(waits, [Duration::from_secs(60); 3]);
    assert_eq!(e.exit_code(), 3);
    assert_eq!(
        e.to_string(),
        format!(
            "{}: log in (POST /v2/auth/token): HTTP 429: still answered 429 after 3 retries (Retry-After 60): \
             the rate limit did not clear; try again later",
            wm.base_url()
        )
    );
}
