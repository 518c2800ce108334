//! Snapshots of representative stubs, CSV heads and the Cloud file's structure.
use serde_json::Value;

use crate::support;
use dvp_mock::wiremock as target;

fn head(bytes: &[u8], lines: usize) -> String {
    String::from_utf8_lossy(bytes).lines().take(lines).collect::<Vec<_>>().join("\n")
}

/// The mapping files snapshotted by [`representative_stubs`].
const STUBS: [&str; 6] = [
    "mappings/dvp-mock/login--demo.json",
    "mappings/dvp-mock/analytics--pulls--acme--weeks_last-3-months_repo.json",
    "mappings/dvp-mock/analytics--exports--acme--dataview.json",
    "mappings/dvp-mock/dvp-exports--acme--download.json",
    "mappings/dvp-mock/analytics--guard--timespan.json",
    "mappings/dvp-mock/fault--header--rate-limit.json",
];

/// The other snapshots, by name.
const NAMED: [&str; 2] = ["csv_heads", "cloud_structure"];

fn stub_snapshot_name(key: &str) -> String {
    key.trim_start_matches("mappings/dvp-mock/").replace(".json", "")
}

#[test]
fn representative_stubs() {
    let tree = support::default_tree();
    for key in STUBS {
        let text = String::from_utf8(tree[key].clone()).unwrap();
        let mut v: Value = serde_json::from_str(&text).unwrap();
        // The alternations embed every period and signature; keep the snapshot readable.
        if let Some(p) = v["request"]["urlPattern"].as_str() {
            v["request"]["urlPattern"] = Value::String(format!("{}… ({} chars)", &p[..p.len().min(80)], p.len()));
        }
        if let Some(b) = v["response"]["body"].as_str().filter(|b| b.len() > 200) {
            v["response"]["body"] = Value::String(format!("{}… ({} chars)", &b[..80], b.len()));
        }
        insta::assert_json_snapshot!(stub_snapshot_name(key), v);
    }
}

#[test]
fn csv_heads() {
    let tree = support::default_tree();
    let mut heads = Vec::new();
    for needle in [
        "acme_raw_2026_w02",
        "acme_summary_2026_w02",
        "acme_repo_summary_2026_w02",
        "acme_namespace_summary_2026_w02",
        "acme_geo_repo_summary_2026_w02",
        "betalabs_ext_summary_2026_m01",
        "betalabs_ext_premium_summary_2026_m01",
        "betalabs_ext_premium_geo_2026_m01",
        "acme_summary_weekly_",
        "acme_trend_weekly_",
        "acme_technographic_monthly_",
        "acme_technographic_companies_monthly_",
        "acme_tracked_companies_monthly_",
    ] {
        let (name, bytes) = tree.iter().find(|(k, _)| k.contains(needle)).unwrap_or_else(|| panic!("{needle}"));
        heads.push(format!("== {name}\n{}", head(bytes, 4)));
    }
    insta::assert_snapshot!(NAMED[0], heads.join("\n"));
}

#[test]
fn cloud_file_structure() {
    let tree = support::default_cloud(u64::MAX).unwrap();
    let v: Value = serde_json::from_slice(&tree[target::CLOUD_FILE]).unwrap();
    let lines: Vec<String> = v["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["name"].as_str().unwrap().contains(" ["))
        .map(|m| {
            let r = &m["request"];
            let url = ["url", "urlPattern", "urlPath", "urlPathPattern", "urlPathTemplate"]
                .iter()
                .find_map(|k| r[*k].as_str().map(|u| (k, u)))
                .unwrap();
            let url_short: String = url.1.chars().take(90).collect();
            format!(
                "{} | p{} | {} {} {}",
                m["name"].as_str().unwrap(),
                m["priority"],
                r["method"].as_str().unwrap(),
                url.0,
                url_short
            )
        })
        .collect();
    let expanded = v["mappings"].as_array().unwrap().len() - lines.len();
    insta::assert_snapshot!(NAMED[1], format!("{}\n(+ {expanded} expanded file-set variants)", lines.join("\n")));
}

/// No stale snapshot file (as `cargo insta test --unreferenced=reject` would check, without
/// needing cargo-insta), and no pending `.snap.new` left behind.
#[test]
fn every_snapshot_file_is_referenced() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let on_disk: std::collections::BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains(".snap"))
        .collect();
    let referenced: std::collections::BTreeSet<String> = STUBS
        .iter()
        .map(|k| stub_snapshot_name(k))
        .chain(NAMED.iter().map(|n| n.to_string()))
        .map(|name| format!("tests__snapshots__{name}.snap"))
        .collect();
    assert_eq!(on_disk, referenced, "snapshot files on disk vs snapshots the tests take");
}
