//! Same configuration and seed, same bytes; and the committed tree is never stale.
use std::collections::BTreeMap;

use crate::support;
use dvp_mock::config::Config;
use dvp_mock::wiremock::{Target, Tree};
use dvp_mock::Options;

fn tree_of(config: Config, jobs: usize) -> Tree {
    support::tree_of(&config, jobs)
}

/// FNV-1a over every path and byte, in path order.
fn digest(tree: &Tree) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in tree {
        for b in k.as_bytes().iter().chain(v.iter()) {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[test]
fn the_thread_count_changes_no_byte() {
    let one = tree_of(Config::default_config(), 1);
    let many = tree_of(Config::default_config(), 7);
    assert!(one == support::default_tree(), "--jobs 1 differs from --jobs 2");
    assert!(many == support::default_tree(), "--jobs 7 differs from --jobs 2");
}

#[test]
fn another_seed_gives_other_data_in_the_same_layout() {
    let mut other = Config::default_config();
    other.seed += 1;
    let (base, other) = (support::default_tree(), tree_of(other, 2));
    let raw = |t: &Tree| t.iter().find(|(k, _)| k.contains("acme_raw_")).map(|(_, v)| v.clone()).unwrap();
    assert_ne!(raw(&base), raw(&other), "another seed must give other data");
    assert_eq!(base.keys().collect::<Vec<_>>(), other.keys().collect::<Vec<_>>(), "same layout");
}

#[test]
fn value_stability_of_the_default_tree() {
    // A dependency update that changes any output byte fails here. If the change is intended,
    // regenerate (`cargo run --release -- generate`) and update this hash in the same commit.
    let h = digest(&support::default_tree());
    assert_eq!(format!("{h:016x}"), STABLE_TREE_HASH, "the default tree's bytes changed");
}

const STABLE_TREE_HASH: &str = "b892ada3146ea212";

#[test]
fn changing_one_namespace_leaves_the_other_files_alone() {
    let base = support::default_tree();
    let mut config = Config::default_config();
    config.namespaces[1].weekly_pulls *= 2.0;
    let changed = tree_of(config, 2);
    let acme_files: BTreeMap<&String, &Vec<u8>> =
        base.iter().filter(|(k, _)| k.contains("/acme/") && k.contains("/exports/")).collect();
    assert!(!acme_files.is_empty());
    for (k, v) in acme_files {
        assert_eq!(Some(v), changed.get(k), "{k} changed although only betalabs did");
    }
}

#[test]
fn a_later_as_of_adds_files_and_keeps_old_exports() {
    let base = support::default_tree();
    let mut later = Config::default_config();
    later.as_of = later.as_of + chrono::Days::new(7);
    let later = tree_of(later, 2);
    let old_week = "__files/dvp-mock/exports/acme/acme_raw_2025_w40.csv";
    let before = base.get(old_week).expect("the default tree has this week's raw export");
    assert_eq!(Some(before), later.get(old_week), "{old_week} changed when as_of moved on");
    assert!(later.len() > base.len());
}

#[test]
fn committed_output_matches_a_fresh_generation() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let drift = dvp_mock::check::check(root, &support::default_tree(), None).unwrap();
    assert!(
        drift.is_empty(),
        "committed mappings/ and __files/ are stale ({} differences, first: {}); run `cargo run --release -- generate`",
        drift.len(),
        drift[0]
    );
    // The manifest too (it records the configuration's text): `generate` in a fresh clone
    // leaves `git status` clean.
    let dir = support::temp_dir("committed-manifest");
    let o = crate::safety::run(&["generate", "--quiet", "--out", "m"], &dir);
    assert!(o.status.success(), "{}", crate::safety::stderr(&o));
    let fresh = std::fs::read(dir.join("m/.dvp-mock-manifest")).unwrap();
    let committed = std::fs::read(root.join(".dvp-mock-manifest")).unwrap();
    assert!(fresh == committed, "the committed .dvp-mock-manifest is stale; run `cargo run --release -- generate`");
}

/// Records a fingerprint per streamed file, so a mid-sized tree can be compared cheaply.
#[derive(Default)]
struct Fingerprints(std::sync::Mutex<BTreeMap<String, (usize, u64)>>);

impl dvp_mock::sink::Sink for Fingerprints {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let fp = dvp_mock::corpus::fingerprint(&bytes);
        self.0.lock().unwrap().insert(path.to_string(), (bytes.len(), fp));
        Ok(())
    }
}

#[test]
fn a_mid_sized_configuration_is_identical_for_one_and_two_jobs() {
    let mut config = Config::default_config();
    for ns in &mut config.namespaces {
        ns.weekly_pulls *= 12.0;
    }
    config.clients = 5000;
    config.export_part_bytes = 1 << 20;
    let run = |jobs| {
        let files = Fingerprints::default();
        let options = Options { target: Target::Standalone, jobs, corpus: false };
        let tree = dvp_mock::generate(&config, &options, &files, None).unwrap().tree;
        (files.0.into_inner().unwrap(), tree)
    };
    let (a_files, a_tree) = run(1);
    let (b_files, b_tree) = run(2);
    let rows: usize = a_files.iter().filter(|(k, _)| k.contains("_raw_")).map(|(_, v)| v.0).sum::<usize>() / 220;
    assert!(rows > 250_000, "mid-sized: about {rows} raw rows");
    assert!(a_files == b_files, "streamed exports differ between --jobs 1 and 2");
    assert!(a_tree == b_tree, "stubs or small files differ between --jobs 1 and 2");
}
