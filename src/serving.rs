//! Serving order: the form and order in which WireMock meets the stubs, arranged for speed
//! without changing any answer.
//!
//! WireMock 3 tries the stubs of a mock one by one, in priority order (1 first), for every
//! request, and serves the first that matches. What that costs, measured on the 3.13.2 jar with
//! `benches/serve.sh` (see `docs/performance-serving.md`):
//!
//! - a stub whose URL or method does not match is cheap, but not free (a few match results are
//!   allocated for it), so the stubs met before a common request should be few;
//! - a stub whose URL matches but whose header or query does not costs several times more: guards
//!   and faults in front of every request were the largest matching cost;
//! - a templated `bodyFileName` is compiled again on every request (WireMock caches body
//!   templates, not file-name templates): the largest single cost, two to three times a static
//!   answer.
//!
//! So this pass, run by both targets before they write anything:
//!
//! 1. merges the variants of a file set that share one file into one request pattern (`or` of
//!    the accepted values per query parameter: 16 pull-series variants instead of 45);
//! 2. for the standalone target, turns small file sets ([`EXPAND_MAX`] files at most) into one
//!    stub per file with a static `bodyFileName` (no file-name template to compile);
//! 3. moves the fault stubs behind every other stub: each other stub refuses a request that asks
//!    for a fault (`X-Mock-Fault` with a fault name) and serves only while the fault scenario is
//!    in its initial state `Started` (WireMock refuses to set a scenario to a state no stub
//!    names, so those are the only other states), so the faults cost nothing to requests that
//!    do not ask for one;
//! 4. gives the common families their own priority bands ([`serving_priority`]), keeping every
//!    relative order between stubs whose requests can overlap.
use serde_json::{json, Value};

use crate::routes::{FAULT_HEADER, FAULT_SCENARIO};
use crate::stub::{alternation, Body, Stub, Variant};
use crate::target::Target;

/// File sets with at most this many files (after merging) become one stub per file in the
/// standalone tree: the pull series of a namespace or of `/repos/pulls` (2 timespans x 4
/// periods x 2 groups). Larger sets (repository series, exports, downloads) keep their one
/// templated stub: a stub per file would lengthen the scan for every other request more than
/// the template costs them.
pub const EXPAND_MAX: usize = 16;

/// Priority of the fault stubs: after every other stub (see the module documentation).
pub const FAULT_PRIORITY: u32 = 200;

/// The scenario state every non-fault stub requires (WireMock's initial state).
pub const NORMAL_STATE: &str = "Started";

/// Arranges the stubs of a mock for serving by `target` (see the module documentation).
pub fn arrange(stubs: Vec<Stub>, target: Target) -> Vec<Stub> {
    let mut out = Vec::with_capacity(stubs.len());
    for mut s in stubs {
        if let Body::FileSet { variants, .. } = &mut s.response.body {
            *variants = merge_by_file(std::mem::take(variants));
            if target == Target::Standalone && !variants.is_empty() && variants.len() <= EXPAND_MAX {
                out.extend(expand(s));
                continue;
            }
        }
        out.push(s);
    }
    gate_faults(&mut out);
    for s in &mut out {
        s.priority = serving_priority(s);
    }
    out
}

/// The priority a stub is served at. The generator's priorities (1 first) are kept in order,
/// ten apart; the common families of priority 2 get their own bands, the smallest and most
/// often called first; the signed downloads (priority 1 by their own order) move behind the API
/// stubs, whose URLs never overlap theirs, but stay before their expired-link stubs.
pub fn serving_priority(s: &Stub) -> u32 {
    let seg: Vec<&str> = s.key.split('/').collect();
    let at = |i: usize| seg.get(i).copied().unwrap_or("");
    match (at(0), s.priority) {
        ("fault", _) => FAULT_PRIORITY,
        ("dvp-reports", _) if at(2) == "download" => 26,
        ("dvp-exports", _) if at(2) == "download" => 27,
        (root, _) if root.starts_with("dvp-") && at(2) == "expired" => 28,
        (_, 2) => match at(1) {
            "exports" if at(3) == "dataview" => 21,
            "repos-pulls" => 22,
            "pulls" => 23,
            "report" => 24,
            "repo-pulls" => 25,
            _ => 20,
        },
        (_, p) => p * 10,
    }
}

/// Moves the faults behind every other stub: the others refuse a fault header and serve only in
/// the fault scenario's initial state.
fn gate_faults(stubs: &mut [Stub]) {
    let names: Vec<String> = stubs
        .iter()
        .filter(|s| s.key.starts_with("fault/header/"))
        .filter_map(|s| s.request["headers"][FAULT_HEADER]["equalTo"].as_str().map(str::to_string))
        .collect();
    let refuse = json!({ "doesNotMatch": format!("^{}$", alternation(names.iter().map(String::as_str))) });
    let gate = |req: &mut Value| {
        if let Value::Object(m) = req {
            let headers = m.entry("headers").or_insert_with(|| json!({}));
            headers[FAULT_HEADER] = refuse.clone();
        }
    };
    for s in stubs.iter_mut().filter(|s| !s.key.starts_with("fault/")) {
        assert!(s.scenario.is_none(), "stub {} is already in a scenario", s.key);
        s.scenario = Some((FAULT_SCENARIO.into(), NORMAL_STATE.into()));
        gate(&mut s.request);
        if let Body::FileSet { variants, .. } = &mut s.response.body {
            for v in variants {
                gate(&mut v.request);
            }
        }
    }
}

/// One stub per variant of a file set, each with its file as a static `bodyFileName`.
fn expand(s: Stub) -> Vec<Stub> {
    let Body::FileSet { variants, .. } = &s.response.body else { unreachable!("only file sets are expanded") };
    variants
        .iter()
        .map(|v| {
            let stem = v.file.rsplit('/').next().unwrap_or(&v.file).trim_end_matches(".json");
            let mut r = s.response.clone();
            r.body = Body::File(v.file.clone());
            r.templated = r.headers.iter().any(|(_, h)| h.contains("{{"));
            let mut e = Stub::new(
                format!("{}/{stem}", s.key),
                format!("{} [{}]", s.name, v.label),
                s.priority,
                v.request.clone(),
                r,
            );
            e.scenario = s.scenario.clone();
            e
        })
        .collect()
}

/// Merges the variants that answer with the same file into one, when their requests differ
/// only in query parameter matchers and together accept every combination of those matchers
/// (a product: `timespan` absent or `weeks`, times `period` ...). The merged variant accepts a
/// parameter when any of the merged matchers does (`{"or": [...]}`) and keeps the label of the
/// last variant (the one that names every parameter). Anything else is left as it is.
pub fn merge_by_file(variants: Vec<Variant>) -> Vec<Variant> {
    let mut groups: Vec<Vec<Variant>> = Vec::new();
    for v in variants {
        match groups.iter_mut().find(|g| g[0].file == v.file) {
            Some(g) => g.push(v),
            None => groups.push(vec![v]),
        }
    }
    let mut out = Vec::new();
    for g in groups {
        match merged(&g) {
            Some(v) => out.push(v),
            None => out.extend(g),
        }
    }
    out
}

fn merged(group: &[Variant]) -> Option<Variant> {
    if group.len() == 1 {
        return Some(group[0].clone());
    }
    let without_query = |v: &Variant| {
        let mut r = v.request.clone();
        r.as_object_mut().map(|m| m.remove("queryParameters"));
        r
    };
    let first = &group[0];
    let params = first.request["queryParameters"].as_object()?;
    if group.iter().any(|v| without_query(v) != without_query(first)) {
        return None;
    }
    let mut merged_query = serde_json::Map::new();
    let mut combinations = 1usize;
    for name in params.keys() {
        let mut values: Vec<Value> = Vec::new();
        for v in group {
            let q = v.request["queryParameters"].as_object()?;
            if q.len() != params.len() {
                return None;
            }
            let m = q.get(name)?.clone();
            if !values.contains(&m) {
                values.push(m);
            }
        }
        combinations *= values.len();
        let m = if values.len() == 1 { values.remove(0) } else { json!({ "or": values }) };
        merged_query.insert(name.clone(), m);
    }
    if combinations != group.len() {
        return None;
    }
    let last = group.last().expect("a group is never empty");
    let mut request = first.request.clone();
    request["queryParameters"] = Value::Object(merged_query);
    Some(Variant { label: last.label.clone(), request, file: first.file.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(label: &str, t: Value, g: Value, file: &str) -> Variant {
        Variant {
            label: label.into(),
            request: json!({ "method": "GET", "urlPath": "/p", "queryParameters": { "t": t, "g": g } }),
            file: file.into(),
        }
    }

    #[test]
    fn variants_of_one_file_merge_into_an_or_per_parameter() {
        let absent = json!({ "absent": true });
        let eq = |s: &str| json!({ "equalTo": s });
        let out = merge_by_file(vec![
            v("", absent.clone(), absent.clone(), "a"),
            v("?g=x", absent.clone(), eq("x"), "a"),
            v("?t=w", eq("w"), absent.clone(), "a"),
            v("?t=w&g=x", eq("w"), eq("x"), "a"),
            v("?t=m", eq("m"), absent.clone(), "b"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].label, "?t=w&g=x");
        assert_eq!(out[0].request["queryParameters"]["t"], json!({ "or": [absent.clone(), eq("w")] }));
        assert_eq!(out[0].request["queryParameters"]["g"], json!({ "or": [absent, eq("x")] }));
        assert_eq!(out[1].label, "?t=m");
    }

    #[test]
    fn variants_that_are_not_a_product_stay_apart() {
        let eq = |s: &str| json!({ "equalTo": s });
        // (w, x) and (m, y) answer with one file but (w, y) does not: an `or` per parameter
        // would accept it, so nothing is merged.
        let out = merge_by_file(vec![v("1", eq("w"), eq("x"), "a"), v("2", eq("m"), eq("y"), "a")]);
        assert_eq!(out.len(), 2);
    }
}
