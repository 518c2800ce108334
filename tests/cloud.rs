//! The WireMock Cloud import file: inline bodies only, and byte-for-byte the same answers as
//! the standalone tree, both served by the real jar.
use serde_json::Value;

use crate::support::{self, wiremock::WireMock};
use dvp_mock::corpus::Case;
use dvp_mock::verify;
use dvp_mock::wiremock::{Target, CLOUD_FILE};

fn cloud_doc() -> (Vec<u8>, Value) {
    let tree = support::default_cloud(u64::MAX).unwrap();
    let bytes = tree[CLOUD_FILE].clone();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    (bytes, v)
}

/// Replaces the server-specific parts (base URL, signed-link timestamps) with placeholders.
fn normalise(body: &[u8], base: &str) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(body).replace(base, "{{base}}");
    for key in ["X-Amz-Date=", "AKIADVPMOCKEXAMPLE%2F"] {
        text = mask_after(&text, key);
    }
    mask_token_middles(&text).into_bytes()
}

/// Replaces the request-time middle of every minted token (its `iat`, `exp`, `jti`) with `<mid>`.
fn mask_token_middles(text: &str) -> String {
    let (head, len) = (dvp_mock::engine::jwt::head(), dvp_mock::engine::jwt::middle_len());
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&head) {
        let end = (i + head.len() + len).min(rest.len());
        out.push_str(&rest[..i + head.len()]);
        out.push_str("<mid>");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// Replaces the run of `[0-9TZ]` after every `key` with `<ts>`.
fn mask_after(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        out.push_str(&rest[..i + key.len()]);
        let r = &rest[i + key.len()..];
        let n = r.bytes().take_while(|b| b.is_ascii_digit() || *b == b'T' || *b == b'Z').count();
        out.push_str("<ts>");
        rest = &r[n..];
    }
    out.push_str(rest);
    out
}

#[test]
fn cloud_import_answers_exactly_like_the_standalone_tree() {
    let (bytes, doc) = cloud_doc();
    // The shared server's answers to the corpus, sent once per run.
    let (base, answers) = support::default_corpus_answers();
    assert_parity(support::default_corpus(), base, answers, &bytes, &doc);
}

/// The opt-in settings (benchmark reports, gzipped exports: binary bodies inline) too.
#[test]
fn cloud_import_of_the_opt_in_settings_answers_like_the_standalone_tree() {
    let config = crate::data_views::opt_in_config();
    let (_, cloud) = support::generate(&config, Target::Cloud, 2).unwrap();
    let bytes = cloud[CLOUD_FILE].clone();
    let doc: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(String::from_utf8_lossy(&bytes).contains("base64Body"), "gzipped parts are inline as base64");
    // The opt-in tree's answers to its corpus, sent once per run.
    let o = crate::data_views::opt_in();
    assert_parity(&o.built.corpus, &o.base, &o.answers, &bytes, &doc);
}

/// Imports the Cloud file `bytes` into an empty server; every case of `corpus` passes on Cloud
/// and gets the same answer from it as the standalone tree gave (`answers`, in corpus order,
/// from the server at `sb`).
fn assert_parity(corpus: &[Case], sb: &str, answers: &[verify::Received], bytes: &[u8], doc: &Value) {
    let cloud = WireMock::start_empty();
    let import =
        cloud.request("POST", "/__admin/mappings/import", &[("Content-Type", "application/json")], Some(bytes));
    assert_eq!(import.status, 200, "import failed: {}", import.text());
    assert_eq!(cloud.stub_count(), doc["mappings"].as_array().unwrap().len());

    let agent = verify::agent();
    let cb = cloud.base_url();
    let mut diffs = Vec::new();
    for (case, a) in corpus.iter().zip(answers) {
        let b = verify::send(&agent, &cb, case).unwrap();
        if let Err(why) = verify::compare(case, &cb, &b) {
            diffs.push(format!("cloud fails {}: {why}", case.name));
        }
        let same = a.status == b.status
            && a.header("Content-Type") == b.header("Content-Type")
            && a.header("Content-Disposition") == b.header("Content-Disposition")
            && normalise(&a.body, sb) == normalise(&b.body, &cb)
            && a.header("Location").map(|l| normalise(l.as_bytes(), sb))
                == b.header("Location").map(|l| normalise(l.as_bytes(), &cb));
        if !same {
            diffs.push(format!("{}: standalone {} vs cloud {}", case.name, a.status, b.status));
        }
    }
    assert!(diffs.is_empty(), "{} differences:\n{}", diffs.len(), diffs.join("\n"));
}

/// Schema validation of every stub lives in `tests/schema.rs`; here, what Cloud adds.
#[test]
fn cloud_file_is_inline_with_one_url_matcher_and_stable_ids() {
    let (bytes, doc) = cloud_doc();
    assert!(!String::from_utf8_lossy(&bytes).contains("bodyFileName"));
    let mut ids = std::collections::BTreeSet::new();
    for stub in doc["mappings"].as_array().unwrap() {
        let url_matchers = ["url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate"];
        assert_eq!(
            url_matchers.iter().filter(|m| stub["request"].get(**m).is_some()).count(),
            1,
            "one URL matcher: {stub}"
        );
        let id = stub["id"].as_str().unwrap();
        assert!(uuid::Uuid::parse_str(id).is_ok());
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
    }
    // Stubs that are not expanded keep the standalone id.
    let standalone: std::collections::BTreeSet<String> =
        support::mappings(&support::default_tree()).into_iter().map(|m| m.id).collect();
    let shared = ids.intersection(&standalone).count();
    assert!(shared > 100, "only {shared} ids shared with the standalone tree");
}

#[test]
fn a_budget_far_too_small_stops_rendering_at_the_first_body_over_it() {
    use dvp_mock::engine::period_pass::Progress;
    use std::sync::atomic::Ordering;
    let rows = |budget: u64| {
        let mut config = dvp_mock::config::Config::default_config();
        config.cloud_budget_bytes = budget;
        let progress = Progress::default();
        let options = dvp_mock::Options { target: dvp_mock::wiremock::Target::Cloud, jobs: 2, corpus: false };
        let result = dvp_mock::generate(&config, &options, &dvp_mock::sink::NullSink, Some(&progress));
        (result.map(|g| g.tree), progress.rows.load(Ordering::Relaxed))
    };
    let (full, all_rows) = rows(u64::MAX);
    assert!(full.is_ok());
    let (stopped, rows_before_stop) = rows(100_000);
    let err = stopped.unwrap_err().to_string();
    assert!(
        err.contains("over the budget of 100,000 bytes (cloud_budget_bytes): its bodies alone passed it at "),
        "{err}"
    );
    assert!(err.contains("Biggest contributors: dvp-exports: signed download of "), "{err}");
    assert!(
        rows_before_stop * 4 < all_rows,
        "rendering went on after the budget was exceeded: {rows_before_stop} of {all_rows} rows"
    );
}

#[test]
fn the_budget_is_checked_on_the_whole_file_too() {
    // Bodies fit, but the stubs around them push the file one byte over: the final check.
    let size = support::default_cloud(u64::MAX).unwrap()[CLOUD_FILE].len() as u64;
    assert!(support::default_cloud(size).is_ok());
    let err = support::default_cloud(size - 1).unwrap_err().to_string();
    assert!(err.contains("over the budget"), "{err}");
    let with_commas = |n: u64| {
        let digits = n.to_string();
        let groups: Vec<&str> = digits.as_bytes().rchunks(3).rev().map(|g| std::str::from_utf8(g).unwrap()).collect();
        groups.join(",")
    };
    let said = format!("would be {} bytes (", with_commas(size));
    assert!(err.contains(&said), "{said}: {err}");
    assert!(err.contains(&format!("over the budget of {} bytes (cloud_budget_bytes)", with_commas(size - 1))), "{err}");
    assert!(!err.contains("rendering stopped"), "bodies alone are under the budget: {err}");
    assert!(err.contains("Biggest contributors: "), "{err}");
}

/// The dry run of the Cloud target describes the Cloud file, not a standalone tree: two files
/// (the import file and the manifest), about as many stubs and bytes as the real import file
/// holds, and whether it fits `cloud_budget_bytes`; a budget the file exceeds is named, and
/// generate then refuses.
#[test]
fn the_dry_run_of_the_cloud_target_estimates_its_file_and_budget() {
    let dir = support::temp_dir("cloud-dry-run");
    let o = crate::safety::run(&["generate", "--dry-run", "--target", "cloud"], &dir);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", crate::safety::stderr(&o));
    let first = out.lines().next().unwrap_or_default();
    let (mb, stubs): (f64, u64) = first
        .strip_prefix("would write about ")
        .and_then(|rest| rest.split_once(" MB in 2 files (about "))
        .and_then(|(mb, rest)| Some((mb.parse().ok()?, rest.split(" stubs)").next()?.replace(',', "").parse().ok()?)))
        .unwrap_or_else(|| panic!("not about N MB in two files and about N stubs: {first}"));
    let cloud = support::default_cloud(u64::MAX).unwrap();
    let real = dvp_mock::wiremock::stub_count(&cloud) as u64;
    assert!(
        stubs.abs_diff(real) as f64 <= 0.02 * real as f64,
        "dry run says about {stubs} stubs, the file holds {real}"
    );
    let real_mb = cloud[CLOUD_FILE].len() as f64 / 1e6;
    assert!((mb - real_mb).abs() <= 0.25 * real_mb, "dry run says about {mb} MB, the file is {real_mb:.1} MB");
    assert!(out.contains("\nwithin the Cloud budget of 21.0 MB (cloud_budget_bytes)\n"), "{out}");
    assert!(std::fs::read_dir(&*dir).unwrap().next().is_none(), "a dry run writes nothing");

    // A budget a third of the file: the dry run says so, and generate refuses.
    let budget = (real_mb * 1e6 / 3.0) as u64;
    let toml = dvp_mock::config::DEFAULT_TOML
        .replace("cloud_budget_bytes = 20971520", &format!("cloud_budget_bytes = {budget}"));
    assert_ne!(toml, dvp_mock::config::DEFAULT_TOML);
    std::fs::write(dir.join("tight.toml"), toml).unwrap();
    let o = crate::safety::run(&["generate", "--config", "tight.toml", "--dry-run", "--target", "cloud"], &dir);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(out.contains("\nabove the Cloud budget of "), "{out}");
    assert_eq!(o.status.code(), Some(2), "a dry run that generate would refuse exits 2: {out}");
    let o = crate::safety::run(&["generate", "--config", "tight.toml", "--target", "cloud", "--out", "c"], &dir);
    assert_eq!(o.status.code(), Some(2), "{}", crate::safety::stderr(&o));
    assert!(crate::safety::stderr(&o).contains("over the budget"), "{}", crate::safety::stderr(&o));
    assert!(!dir.join("c").exists(), "nothing written");
}
