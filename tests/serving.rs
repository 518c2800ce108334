//! The serving form of the tree (`wiremock/serving.rs`, `dvp_api::priority`): the rules
//! that keep a request's way through WireMock's stubs short, checked on the generated files.
//! What they buy is measured by `benches/serve.sh` (docs/performance-serving.md), never here.
use serde_json::Value;

use crate::support;
use dvp_mock::dvp_api::priority;
use dvp_mock::dvp_api::{FAULT_HEADER, FAULT_SCENARIO};
use dvp_mock::wiremock::{stub_count, CLOUD_FILE};

/// The stub count when serving speed was first measured (issue 14): the redesign may at most
/// double it.
const STUBS_BEFORE_THE_REDESIGN: usize = 182;

fn stubs(tree: &dvp_mock::wiremock::Tree) -> Vec<Value> {
    tree.iter()
        .filter(|(k, _)| k.starts_with("mappings/"))
        .map(|(_, bytes)| serde_json::from_slice(bytes).unwrap())
        .collect()
}

fn key(s: &Value) -> &str {
    s["metadata"]["key"].as_str().unwrap()
}

fn priority_of(s: &Value) -> u32 {
    s["priority"].as_u64().unwrap() as u32
}

#[test]
fn the_default_tree_stays_within_twice_the_stub_count_before_the_redesign() {
    let tree = support::default_tree();
    assert!(stub_count(&tree) <= 2 * STUBS_BEFORE_THE_REDESIGN, "{} stubs", stub_count(&tree));
}

/// Every stub that ranks at or before the faults carries the gate: it refuses a request that
/// names a fault, and serves only in the fault scenario's initial state (but a login lockout,
/// which counts in a scenario of its own and refuses the header outright). The faults rank
/// after every success and before every fallback.
#[test]
fn every_stub_before_the_faults_carries_the_gate() {
    let all = stubs(&support::default_tree());
    for s in &all {
        let (k, p) = (key(s), priority_of(s));
        if k.starts_with("fault/") {
            assert_eq!(p, priority::FAULT, "{k}");
            continue;
        }
        if p > priority::FAULT {
            assert!(p > priority::USER_DEFAULT, "{k}: between the faults and the user's stubs");
            continue;
        }
        let header = &s["request"]["headers"][FAULT_HEADER];
        if k.ends_with("/locked-out") {
            assert_eq!(header["absent"], true, "{k}");
            continue;
        }
        assert!(header["doesNotMatch"].as_str().is_some_and(|m| m.contains("garbage")), "{k}: {header}");
        assert_eq!(s["scenarioName"], FAULT_SCENARIO, "{k}");
        assert_eq!(s["requiredScenarioState"], "Started", "{k}");
    }
}

/// A GET request never meets a HEAD twin before its own stub: every twin ranks after its GET
/// stub when that is a success, with it when it is a fallback.
#[test]
fn head_twins_rank_after_their_get_stubs() {
    let all = stubs(&support::default_tree());
    let get_priority = |k: &str| {
        let prefix = format!("{k}/");
        all.iter()
            .filter(|s| s["request"]["method"] == "GET" && (key(s) == k || key(s).starts_with(&prefix)))
            .map(priority_of)
            .min()
            .unwrap_or_else(|| panic!("no GET stub for the twin of {k}"))
    };
    let twins: Vec<&Value> = all.iter().filter(|s| s["request"]["method"] == "HEAD").collect();
    assert!(twins.len() > 40, "{} twins", twins.len());
    for t in twins {
        let k = key(t).strip_prefix("head/").unwrap();
        let (get, head) = (get_priority(k), priority_of(t));
        if get <= priority::USER_DEFAULT {
            assert!(head > get, "{k}: twin at {head}, GET at {get}");
            assert!(head <= priority::FAULT, "{k}: twin below the faults");
        } else {
            assert_eq!(head, get, "{k}");
        }
    }
}

/// The pull series and small period lists answer without any template (one stub per file,
/// body inline); what stays templated is compiled once per stub: no templated file name
/// beyond one token, and no `else if` chain (Handlebars rebuilds a template's source text on
/// every request, and a chain nests each branch in the one before).
#[test]
fn hot_stubs_answer_without_per_request_compiling() {
    let all = stubs(&support::default_tree());
    let series: Vec<&Value> =
        all.iter().filter(|s| key(s).contains("/pulls/") && s["request"]["method"] == "GET").collect();
    assert!(series.len() >= 16 * 5, "{} series stubs", series.len());
    for s in series {
        assert!(s["response"]["body"].is_string(), "{}: body not inline", key(s));
        assert!(s["response"].get("transformers").is_none(), "{}: templated", key(s));
    }
    for s in &all {
        if let Some(name) = s["response"]["bodyFileName"].as_str() {
            assert!(name.matches("{{").count() <= 1 || key(s).contains("repo-pulls/"), "{}: {name}", key(s));
        }
        assert!(!s["response"].to_string().contains("{{else if"), "{}: an else-if chain", key(s));
    }
}

/// The Cloud file orders what a standalone tree cannot: within a priority, single stubs
/// first, then file sets by size; the variants of large sets after the common requests.
#[test]
fn the_cloud_file_puts_large_sets_after_the_common_requests() {
    let tree = support::default_cloud(u64::MAX).unwrap();
    let doc: Value = serde_json::from_slice(&tree[CLOUD_FILE]).unwrap();
    let mappings = doc["mappings"].as_array().unwrap();
    let priorities: Vec<u32> = mappings.iter().map(priority_of).collect();
    assert!(priorities.windows(2).all(|w| w[0] <= w[1]), "stubs in priority order");
    let first_download =
        mappings.iter().position(|s| key(s).starts_with("dvp-exports/") && key(s).contains('#')).unwrap();
    let namespaces = mappings.iter().position(|s| key(s).starts_with("analytics/namespaces/")).unwrap();
    let series = mappings.iter().position(|s| key(s).starts_with("analytics/pulls/")).unwrap();
    assert!(namespaces < series && series < first_download, "{namespaces} {series} {first_download}");
    assert_eq!(priority_of(&mappings[first_download]), priority::FAULT);
}
