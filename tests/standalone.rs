//! The generated standalone tree, served by the real WireMock 3.13.2 jar.
use std::collections::BTreeSet;

use rand::{Rng, SeedableRng};

use crate::support::{self, wiremock::WireMock};
use dvp_mock::dvp_api::{ANALYTICS, EXPORT_DL, FAULT_HEADER, FAULT_SCENARIO, PROXY, REPORT_DL};
use dvp_mock::verify;

#[test]
fn the_jar_loads_every_stub_of_the_tree() {
    let tree = support::default_tree();
    let wm = support::default_wiremock();
    assert_eq!(wm.stub_count(), dvp_mock::wiremock::stub_count(&tree), "WireMock loaded a different number of stubs");
}

/// The whole corpus answers as expected, and every stub but the fault stubs (exercised below)
/// answered at least one of its requests.
#[test]
fn the_corpus_passes_and_reaches_every_stub() {
    let (base, answers) = support::default_corpus_answers();
    let mut hit = BTreeSet::new();
    let mut failures = Vec::new();
    for (case, got) in support::default_corpus().iter().zip(answers) {
        if let Err(why) = verify::compare(case, base, got) {
            failures.push(format!("{}: {} {}: {why}", case.name, case.method, case.path));
        }
        if let Some(id) = got.header("Matched-Stub-Id") {
            hit.insert(id.to_string());
        }
    }
    assert!(failures.is_empty(), "{} corpus failures:\n{}", failures.len(), failures.join("\n"));
    let mappings = support::mappings(&support::default_tree());
    let missed: Vec<&str> = mappings
        .iter()
        .filter(|s| !s.key.starts_with("fault/") && !hit.contains(&s.id))
        .map(|s| s.name.as_str())
        .collect();
    assert!(missed.is_empty(), "stubs never hit by the corpus: {missed:?}");
}

/// The fault scenario switches a fault on for every request, until the scenarios are reset.
/// (The shared server held alone: the scenario state is global.)
#[test]
fn the_fault_scenario_rate_limits_the_whole_run_until_reset() {
    let wm = support::default_wiremock_exclusive();
    let auth = format!("Bearer {}", support::default_model().world.users[0].token);
    let ns_path = format!("{ANALYTICS}/namespaces");
    set_fault_scenario(&wm, "rate-limit");
    let limited = wm.request("GET", &ns_path, &[("Authorization", &auth)], None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.header("Retry-After"), Some("60"));
    let reset: u64 = limited.header("X-RateLimit-Reset").unwrap().parse().unwrap();
    assert!(reset > 1_700_000_000, "reset is a unix timestamp: {reset}");
    assert_eq!(wm.request("POST", "/__admin/scenarios/reset", &[], None).status, 200);
    assert_eq!(wm.request("GET", &ns_path, &[("Authorization", &auth)], None).status, 200);
}

fn set_fault_scenario(wm: &WireMock, state: &str) {
    let body = format!(r#"{{"state":"{state}"}}"#);
    let put = wm.request(
        "PUT",
        &format!("/__admin/scenarios/{FAULT_SCENARIO}/state"),
        &[("Content-Type", "application/json")],
        Some(body.as_bytes()),
    );
    assert_eq!(put.status, 200, "{}", put.text());
}

/// The faults rank after the successes, behind a gate every stub before them carries
/// (`tests/serving.rs` reads the gate off every stub): so a request under the API roots, the
/// login paths and the signed-storage prefixes, whichever stub answers it otherwise, must
/// answer the fault it asks for by header, and the fault of the whole run while the scenario
/// names one. One request per stub that answers the corpus, method and status.
#[test]
fn faults_reach_every_route_by_header_and_for_the_whole_run() {
    let covered = |p: &str| [ANALYTICS, PROXY, "/v2/", EXPORT_DL, REPORT_DL].iter().any(|root| p.starts_with(root));
    let asks_for_a_fault = |c: &&dvp_mock::corpus::Case| c.headers.iter().any(|(k, _)| k == FAULT_HEADER);
    // Before the server is held alone: the shared answers take it alone the first time.
    let cases: Vec<_> = support::one_case_per_stub()
        .into_iter()
        .map(|(case, _)| case)
        .filter(|c| covered(&c.path))
        .filter(|c| !asks_for_a_fault(c))
        .collect();
    assert!(cases.len() > 300, "one case per stub of the routes: {}", cases.len());
    let wm = support::default_wiremock_exclusive();
    let send = |c: &dvp_mock::corpus::Case, extra: Option<(&str, &str)>| {
        let mut headers: Vec<(&str, &str)> = c.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        headers.extend(extra);
        wm.request(&c.method, &c.path, &headers, c.body.as_deref().map(str::as_bytes))
    };
    let mut wrong = Vec::new();
    for c in &cases {
        let r = send(c, Some((FAULT_HEADER, "503")));
        if r.status != 503 {
            wrong.push(format!("header: {} {} -> {}", c.method, c.path, r.status));
        }
    }
    set_fault_scenario(&wm, "500");
    for c in &cases {
        let r = send(c, None);
        if r.status != 500 {
            wrong.push(format!("scenario: {} {} -> {}", c.method, c.path, r.status));
        }
    }
    assert_eq!(wm.request("POST", "/__admin/scenarios/reset", &[], None).status, 200);
    assert!(
        wrong.is_empty(),
        "{} requests missed their fault:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(20)].join("\n")
    );
    // After the reset every route answers again: one case per method and path (the fault gate
    // never looks at the query), without a fault header.
    let mut seen = std::collections::BTreeSet::new();
    let plain: Vec<dvp_mock::corpus::Case> = cases
        .iter()
        .filter(|c| seen.insert((c.method.clone(), c.path.split('?').next().unwrap_or_default().to_string())))
        .map(|c| (*c).clone())
        .collect();
    let report = verify::run(&wm.base_url(), &plain);
    assert!(report.failures.is_empty(), "after the reset: {:?}", &report.failures[..report.failures.len().min(5)]);
}

/// Connection faults on one request: the connection breaks before any HTTP answer.
#[test]
fn connection_faults_break_the_connection() {
    let wm = support::default_wiremock();
    let ns_path = format!("{ANALYTICS}/namespaces");
    for fault in ["reset", "empty"] {
        let r = support::wiremock::http_request(wm.port(), "GET", &ns_path, &[(FAULT_HEADER, fault)], None);
        assert!(r.is_err(), "{fault}: expected a broken connection, got {r:?}");
    }
}

#[test]
fn seeded_bad_requests_get_json_errors_never_a_5xx() {
    // Exclusive: some bad requests are failed logins, which count towards a lockout.
    let wm = support::default_wiremock_exclusive();
    robustness_storm(&wm, &support::default_model().world.users[0].token, 2000);
}

/// `verify` notices a deleted stub and an edited body file, and blames nothing else. (Its own
/// server: it edits both. The unedited tree passes the whole corpus in
/// `the_corpus_passes_and_reaches_every_stub`, so no clean replay is needed here.)
#[test]
fn verify_notices_a_deleted_stub_and_an_edited_body_file() {
    let tree = support::default_tree();
    let dir = support::write_temp("standalone-verify", &tree);
    let wm = WireMock::start(&dir);
    let base = wm.base_url();
    let mappings = support::mappings(&tree);
    let victim = mappings.iter().find(|s| s.key == "analytics/exports/acme/years").unwrap();
    let years = format!("{ANALYTICS}/namespaces/acme/pulls/exports/years");
    assert_eq!(wm.request("DELETE", &format!("/__admin/mappings/{}", victim.id), &[], None).status, 200);
    // Every case about acme: the ones the deleted stub answered fail, a thousand others pass.
    let acme: Vec<dvp_mock::corpus::Case> =
        support::default_corpus().iter().filter(|c| c.path.contains("acme")).cloned().collect();
    assert!(acme.len() > 1000, "{} cases about acme", acme.len());
    let after_delete = verify::run(&base, &acme);
    let answered_by_victim =
        |c: &dvp_mock::corpus::Case| c.method == "GET" && c.path.split('?').next() == Some(years.as_str());
    let expected: Vec<&str> = acme.iter().filter(|c| answered_by_victim(c)).map(|c| c.name.as_str()).collect();
    let failed: Vec<&str> = after_delete.failures.iter().map(|(name, _, _)| name.as_str()).collect();
    assert!(!expected.is_empty());
    assert_eq!(failed, expected, "verify must fail exactly the requests of the deleted stub");

    let csv = dir.join("__files/dvp-mock/exports/acme/acme_namespace_summary_2026_m01.csv");
    assert!(csv.exists());
    std::fs::write(&csv, b"namespace,unique_ip_count\nacme,1\n").unwrap();
    let file = |c: &&dvp_mock::corpus::Case| c.path.contains("acme_namespace_summary_2026_m01.csv");
    let downloads: Vec<dvp_mock::corpus::Case> = acme.iter().filter(file).cloned().collect();
    let after_edit = verify::run(&base, &downloads);
    let gets = downloads.iter().filter(|c| c.method == "GET").count();
    assert!(gets > 0);
    assert_eq!(after_edit.failures.len(), gets, "verify must fail every GET of the edited file (HEAD has no body)");
}

/// (Jetty answers some requests before any stub is consulted, so they are not part of the
/// storm: `%00` in a path (HTML "Bad Message 400"), a multipart Content-Type without a
/// boundary (HTML 500) and CONNECT (an empty 200); see docs/auth.md, "Limits".)
/// A few thousand seeded bad requests over the whole host, every method and odd headers:
/// always a stub's answer (never a 5xx, never WireMock's "not matched" page), JSON everywhere
/// but under the signed-storage prefixes (XML, as S3 answers).
fn robustness_storm(wm: &WireMock, token: &str, requests: usize) {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
    let roots = [
        ANALYTICS,
        PROXY,
        "/v2/users",
        "/v2/auth/token",
        "/v2",
        "",
        "/x",
        "/api/publisher",
        "/favicon.ico",
        "/v2/repositories",
        EXPORT_DL,
        REPORT_DL,
    ];
    let segments = [
        "namespaces",
        "acme",
        "betalabs",
        "library",
        "repos",
        "pulls",
        "exports",
        "years",
        "2025",
        "2026",
        "weeks",
        "months",
        "raw",
        "summary",
        "web",
        "%2e%2e",
        "..",
        "x y",
        "%ff",
        "99999999999999999999",
        "reports",
        "login",
        "2fa-login",
        "token",
        "auth",
        "",
        "ACME",
        "-1",
        "53",
        "54",
        "0",
        "13",
    ];
    let params = ["timespan", "period", "group", "repos", "refresh_token", "year"];
    let values = [
        "weeks",
        "months",
        "last-2-months",
        "repo",
        "bogus",
        "",
        "acme/web",
        "acme/web,acme/cli",
        "%22",
        "%5C",
        "a%0Ab",
        "true",
    ];
    let methods = ["GET", "GET", "GET", "POST", "PUT", "DELETE", "HEAD", "HEAD", "PATCH", "OPTIONS", "TRACE", "FOO"];
    let bearer = format!("Bearer {token}");
    let tampered = format!("Bearer {token}x");
    let auths = [
        None,
        Some(bearer.as_str()),
        Some(tampered.as_str()),
        Some("Bearer dckr_pat_x"),
        Some("Bearer dckr_oat_dvpmockAcmeAnalytics00000000"),
        Some("Basic ZGVtbzpkZW1v"),
        Some("Bearer"),
    ];
    let extra_headers = [
        None,
        Some(("Accept", "text/html")),
        Some(("Accept", "*/*")),
        Some(("X-Forwarded-For", "203.0.113.9")),
        Some((FAULT_HEADER, "bogus")),
        Some(("Origin", "https://example.com")),
    ];
    let bodies: [Option<&[u8]>; 7] = [
        None,
        Some(b"{}"),
        Some(b"not json"),
        Some(br#"{"username":1,"password":[]}"#),
        Some(br#"{"identifier":"demo","secret":"wrong"}"#),
        Some(br#"{"identifier":["x"],"secret":{}}"#),
        Some(b"\xff\xfe"),
    ];
    let mut failures = Vec::new();
    for i in 0..requests {
        let root = roots[rng.random_range(0..roots.len())];
        let depth = rng.random_range(0..7);
        let mut path = root.to_string();
        for _ in 0..depth {
            path.push('/');
            path.push_str(segments[rng.random_range(0..segments.len())]);
        }
        let nq = rng.random_range(0..4);
        for q in 0..nq {
            path.push(if q == 0 { '?' } else { '&' });
            path.push_str(params[rng.random_range(0..params.len())]);
            path.push('=');
            path.push_str(values[rng.random_range(0..values.len())]);
        }
        let path = path.replace(' ', "%20");
        let path = if path.starts_with('/') { path } else { format!("/{path}") };
        if climbs_above_root(&path) {
            continue;
        }
        let method = methods[rng.random_range(0..methods.len())];
        let mut headers = Vec::new();
        if let Some(a) = auths[rng.random_range(0..auths.len())] {
            headers.push(("Authorization", a));
        }
        if let Some(h) = extra_headers[rng.random_range(0..extra_headers.len())] {
            headers.push(h);
        }
        let body = bodies[rng.random_range(0..bodies.len())];
        if body.is_some() {
            headers.push(("Content-Type", if rng.random_range(0..4) == 0 { "text/plain" } else { "application/json" }));
        }
        let r = wm.request(method, &path, &headers, body);
        let storage = path.starts_with(EXPORT_DL) || path.starts_with(REPORT_DL);
        let body_ok = match (method, storage) {
            ("HEAD", _) => r.body.is_empty(),
            (_, true) => r.text().starts_with("<?xml"),
            (_, false) => serde_json::from_slice::<serde_json::Value>(&r.body).is_ok(),
        };
        let stub_answered = r.header("Matched-Stub-Id").is_some();
        if r.status >= 500 || r.text().contains("Request was not matched") || !body_ok || !stub_answered {
            failures.push(format!("#{i} {method} {path} -> {} {}", r.status, &r.text()[..r.text().len().min(120)]));
        }
    }
    assert!(failures.is_empty(), "{} bad answers:\n{}", failures.len(), failures.join("\n"));
}

/// Whether the path's `..` segments climb above `/` (Jetty refuses those with an HTML 400
/// before any stub is consulted; see docs/auth.md, "Limits").
fn climbs_above_root(path: &str) -> bool {
    let mut depth = 0i32;
    for seg in path.split('?').next().unwrap_or("").split('/').skip(1) {
        match seg.to_ascii_lowercase().as_str() {
            ".." | "%2e%2e" => depth -= 1,
            "." | "" => {}
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// A history too short for any complete week or month: empty listings, and no path (such as
/// `years//weeks`, which an empty period alternation would match) reaches a missing body file.
#[test]
fn a_history_without_complete_periods_still_answers_every_request() {
    let mut config = dvp_mock::config::Config::default_config();
    config.as_of = config.history_start + chrono::Days::new(2);
    let (generated, tree) = support::generate(&config, dvp_mock::wiremock::Target::Standalone, 2).unwrap();
    let model = &generated.model;
    assert!(model.world.calendar.weeks.is_empty() && model.world.calendar.months.is_empty());
    let dir = support::write_temp("standalone-empty", &tree);
    let wm = WireMock::start(&dir);
    let report = verify::run(&wm.base_url(), &generated.corpus);
    assert!(report.failures.is_empty(), "{:?}", &report.failures[..report.failures.len().min(5)]);
    let token = model.world.users[0].token.clone();
    let auth = format!("Bearer {token}");
    for path in ["years//weeks", "years//weeks/1", "years//months/1/raw"] {
        let r = wm.request(
            "GET",
            &format!("{ANALYTICS}/namespaces/acme/pulls/exports/{path}"),
            &[("Authorization", &auth)],
            None,
        );
        assert_eq!(r.status, 400, "{path}: {}", r.text());
    }
    robustness_storm(&wm, &token, 500);
}
