//! The load profile (`generate --profile load --base-url URL`): the default tree's bytes at
//! the same paths, through the real jar, and its own corpus passing.
use std::collections::BTreeMap;
use std::process::Command;

use serde_json::Value;

use crate::support::{self, wiremock::WireMock};
use dvp_mock::config::Config;
use dvp_mock::corpus::Case;
use dvp_mock::dvp_api::{EXPORT_DL, FAULT_HEADER, REPORT_DL};
use dvp_mock::sink::MemorySink;
use dvp_mock::wiremock::{Target, Tree};
use dvp_mock::{verify, Options};

/// The default configuration with ten weeks of history: quick to build and to serve.
fn short_config() -> Config {
    let mut c = Config::default_config();
    c.history_start = c.as_of - chrono::Days::new(70);
    c
}

/// The load tree of `config` on `base_url`, with its corpus.
fn load_tree(config: &Config, base_url: &str) -> (Tree, Vec<Case>) {
    let sink = MemorySink::default();
    let options = Options { target: Target::Standalone, jobs: 2, corpus: true };
    let generated = dvp_mock::generate_load(config, &options, base_url, &sink, None).unwrap();
    let tree = generated.with_files(sink);
    (tree, generated.corpus)
}

/// A WireMock serving the load tree of `config`, built on the server's own address (known only
/// once it runs: the tree is written into its root, then WireMock reloads it).
fn serve_load(config: &Config, name: &str) -> (WireMock, Tree, Vec<Case>) {
    let dir = support::scratch(name);
    std::fs::create_dir_all(dir.join("mappings")).unwrap();
    std::fs::create_dir_all(dir.join("__files")).unwrap();
    let wm = WireMock::start(&dir);
    let (tree, corpus) = load_tree(config, &wm.base_url());
    dvp_mock::output::write(&dir, &tree, false).unwrap();
    assert_eq!(wm.request("POST", "/__admin/mappings/reset", &[], None).status, 200);
    assert_eq!(wm.stub_count(), dvp_mock::wiremock::stub_count(&tree));
    (wm, tree, corpus)
}

/// What a client reads: JSON and CSV bodies of successful GETs.
/// (The mock's own fingerprint is not API data: it names the profile, checked below.)
fn is_data(c: &Case) -> bool {
    let ct = c.expect.content_type.as_deref().unwrap_or("");
    let api = c.path != dvp_mock::dvp_api::FINGERPRINT;
    api && c.method == "GET"
        && c.expect.status == 200
        && (ct.contains("json") || ct.contains("csv") || ct.contains("gzip"))
}

/// A body with the server's address and the signing times of its links masked: the default
/// tree signs links when it answers, the load profile at generation.
fn masked(body: &[u8], base_url: &str) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(body) else { return body.to_vec() };
    let text = text.replace(base_url, "BASE");
    let date = regex_lite(&text, "X-Amz-Date=", "T000000Z".len() + 8);
    let date = regex_lite(&date, "AKIADVPMOCKEXAMPLE%2F", 8);
    date.into_bytes()
}

/// `text` with the `len` characters after every `marker` replaced by `_`.
fn regex_lite(text: &str, marker: &str, len: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(marker) {
        let end = (i + marker.len() + len).min(rest.len());
        out.push_str(&rest[..i + marker.len()]);
        out.push('_');
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// The kind of data a path reads (for the coverage check).
fn kind(path: &str) -> &'static str {
    let path = path.split('?').next().unwrap_or(path);
    if path.starts_with(EXPORT_DL) {
        "download"
    } else if path.starts_with(REPORT_DL) {
        "report"
    } else if path.ends_with("/repos/pulls") {
        "repospulls"
    } else if path.ends_with("/pulls") {
        "pulls"
    } else if path.contains("/exports/") {
        "exports"
    } else if path.ends_with("/reports") {
        "catalogue"
    } else {
        "discovery"
    }
}

#[test]
fn the_load_profile_serves_the_default_bytes_and_passes_its_corpus() {
    let config = short_config();
    let (default_gen, default_tree) = support::generate(&config, Target::Standalone, 2).unwrap();
    let default_wm = WireMock::start(&support::write_scratch("load-profile-default", &default_tree));
    let (load_wm, _, load_corpus) = serve_load(&config, "load-profile-load");
    let (d_base, l_base) = (default_wm.base_url(), load_wm.base_url());
    let by_name: BTreeMap<&str, &Case> = default_gen.corpus.iter().map(|c| (c.name.as_str(), c)).collect();
    let agent = verify::agent();
    let mut compared: BTreeMap<&str, usize> = BTreeMap::new();
    let mut differences = Vec::new();
    for load_case in load_corpus.iter().filter(|c| is_data(c)) {
        let default_case = by_name[load_case.name.as_str()];
        let d = verify::send(&agent, &d_base, default_case).unwrap();
        let l = verify::send(&agent, &l_base, load_case).unwrap();
        assert_eq!((d.status, l.status), (200, 200), "{}", load_case.name);
        assert_eq!(d.header("Content-Type"), l.header("Content-Type"), "{}", load_case.name);
        if masked(&d.body, &d_base) != masked(&l.body, &l_base) {
            differences.push(format!("{}: {}", load_case.name, load_case.path));
        }
        *compared.entry(kind(&load_case.path)).or_default() += 1;
    }
    assert!(differences.is_empty(), "{} bodies differ:\n{}", differences.len(), differences.join("\n"));
    for k in ["discovery", "pulls", "exports", "download", "repospulls", "catalogue", "report"] {
        assert!(compared.get(k).copied().unwrap_or(0) > 0, "no {k} body compared: {compared:?}");
    }
    // Everything a client reads in the default tree is in the load corpus, bar nothing.
    let default_data = default_gen.corpus.iter().filter(|c| is_data(c)).count();
    assert_eq!(compared.values().sum::<usize>(), default_data, "{compared:?}");

    let report = verify::run(&l_base, &load_corpus);
    assert!(report.aborted.is_none(), "{:?}", report.aborted);
    let failures: Vec<String> = report.failures.iter().map(|(n, r, why)| format!("{n}: {r}: {why}")).collect();
    assert!(failures.is_empty(), "{} load corpus failures:\n{}", failures.len(), failures.join("\n"));
    assert!(report.passed > load_corpus.len() / 2);

    // Each tree says which profile it is: verify names the one to pass, in one line.
    let served = |base: &str| match verify::served_fingerprint(base).unwrap() {
        verify::Served::Fingerprint(f) => f,
        verify::Served::None => panic!("{base} serves no fingerprint"),
    };
    let (of_default, of_load) = (served(&d_base), served(&l_base));
    assert_eq!((of_default.profile.as_deref(), of_load.profile.as_deref()), (None, Some("load")));
    let line = verify::mismatch(&of_load, &of_default).expect("the profiles differ");
    assert!(line.contains("profile load") && line.contains("pass --profile load --base-url"), "{line}");
    let line = verify::mismatch(&of_default, &of_load).expect("the profiles differ");
    assert!(line.contains("profile default") && line.contains("pass no --profile"), "{line}");
}

/// Tokens are fixed and matched exactly, links fixed on the base URL (as given, a path prefix
/// included), and nothing waits on a fault or a scenario: no stub of the load tree compiles a
/// token, matches a bearer regex, carries the fault gate or a scenario, or renders `now`.
#[test]
fn the_load_tree_fixes_tokens_and_links_and_carries_no_gate() {
    let (tree, _) = load_tree(&short_config(), "http://mock.test:8080/behind-a-proxy");
    let mut priorities = Vec::new();
    for (path, bytes) in tree.iter().filter(|(k, _)| k.starts_with("mappings/")) {
        let text = std::str::from_utf8(bytes).unwrap();
        for needle in
            ["{{now", "randomValue", "request.baseUrl", FAULT_HEADER, "scenarioName", "\"matches\": \"^Bearer eyJ"]
        {
            assert!(!text.contains(needle), "{path} holds {needle}");
        }
        let v: Value = serde_json::from_slice(bytes).unwrap();
        priorities.push((v["priority"].as_u64().unwrap(), v["metadata"]["key"].as_str().unwrap().to_string()));
    }
    priorities.sort();
    // The successes each have their own priority; discovery first.
    let first: Vec<&str> = priorities.iter().take(3).map(|(_, k)| k.as_str()).collect();
    assert!(first.iter().all(|k| k.starts_with("analytics/namespaces/")), "{first:?}");
    let listing = tree.iter().find(|(k, _)| k.contains("/exports/") && k.ends_with("/raw.json")).unwrap();
    let text = std::str::from_utf8(listing.1).unwrap();
    assert!(text.contains("\"url\":\"http://mock.test:8080/behind-a-proxy/dvp-exports/"), "{text}");
    assert!(text.contains("X-Amz-Date=20260318T000000Z"), "{text}");
    let login = tree.iter().find(|(k, _)| k.ends_with("mappings/dvp-mock/login--demo.json")).unwrap();
    let v: Value = serde_json::from_slice(login.1).unwrap();
    assert!(v["response"].get("transformers").is_none(), "{v}");
    assert!(v["response"]["body"].as_str().unwrap().starts_with("{\"token\":\"eyJ"), "{v}");
}

#[test]
fn the_profile_flags_are_checked_in_one_line() {
    let dir = support::scratch("load-profile-flags");
    let run =
        |args: &[&str]| Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).current_dir(&dir).output().unwrap();
    for (args, needle) in [
        (vec!["generate", "--profile", "load"], "--profile load needs --base-url"),
        (vec!["generate", "--base-url", "http://localhost:8080"], "--base-url is only used with --profile load"),
        (
            vec!["generate", "--profile", "load", "--base-url", "http://localhost:8080", "--target", "cloud"],
            "cannot be used with --target cloud",
        ),
        (vec!["generate", "--profile", "load", "--base-url", "localhost:8080"], "--base-url localhost:8080"),
    ] {
        let o = run(&args);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(needle) && err.lines().count() == 1, "{args:?}: {err}");
        assert!(!dir.join("mappings").exists(), "{args:?}: nothing written");
    }
}

/// A load tree records its profile: `check` with no flags compares it with a fresh load tree,
/// `--as-recorded` rebuilds the load profile, and a hint never offers the default profile.
#[test]
fn a_load_tree_checks_and_regenerates_as_the_load_profile() {
    let dir = support::scratch("load-profile-record");
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).current_dir(&dir).output().unwrap();
        (o.status.code(), String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr))
    };
    let url = "http://localhost:18999";
    let (code, out) = run(&["generate", "--quiet", "--profile", "load", "--base-url", url, "--out", "m"]);
    assert_eq!(code, Some(0), "{out}");
    let manifest = std::fs::read_to_string(dir.join("m/.dvp-mock-manifest")).unwrap();
    assert!(manifest.contains(&format!("\"load_base_url\": \"{url}\"")), "{manifest}");
    let (code, out) = run(&["check", "--dir", "m"]);
    assert_eq!(code, Some(0), "{out}");
    // A changed body is drift against the load profile, and --as-recorded restores it.
    let listing = dir.join("m/mappings/dvp-mock");
    let stub = std::fs::read_dir(&listing).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&stub, "{}").unwrap();
    let (code, out) = run(&["check", "--dir", "m"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("--as-recorded") && !out.contains("if it was made from the default"), "{out}");
    let (code, out) = run(&["generate", "--quiet", "--as-recorded", "--out", "m"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["check", "--dir", "m"]);
    assert_eq!(code, Some(0), "{out}");
    // Asked for another seed: the hint keeps the profile.
    let (code, out) = run(&["check", "--dir", "m", "--seed", "7"]);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("--profile load --base-url {url}")), "{out}");
}
