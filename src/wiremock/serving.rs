//! Serving form: file sets shaped for WireMock's request matching, without changing any answer.
//!
//! WireMock 3 tries the stubs of a mock one by one, in priority order, for every request. A
//! templated `bodyFileName` is compiled again on every request (WireMock caches body templates,
//! not file-name templates): measured with `benches/serve.sh`, the largest single cost of a
//! pull series, two to three times a static answer (`docs/performance-serving.md`). So:
//!
//! 1. both targets merge the variants of a file set that answer with one file into one
//!    request pattern (an `or` of the accepted values per query parameter: 16 pull-series
//!    variants instead of 45; [`merge_by_file`]);
//! 2. for the standalone target, turn small file sets ([`EXPAND_MAX`] files at most) into one
//!    stub per file with a static `bodyFileName`, nothing left to compile;
//! 3. for the standalone target, write the bodies a stub answers with one small file
//!    ([`INLINE_MAX`]) into the stub: WireMock reads a `bodyFileName` from disk on every
//!    request, measured at about 40 µs for a 5 KB series, where the same body inline costs
//!    70 µs in all (`docs/performance-serving.md`). Files no stub names any more are dropped.
//!
//! The order in which WireMock meets the stubs (priorities, faults after the successes) is the
//! routes' choice: `crate::dvp_api::priority`.
use std::collections::BTreeSet;

use serde_json::Value;

use super::request::{Matcher, MatcherMap, Request};
use super::stub::{Body, Mock, Stub, Variant};
use super::template::has_expression;

/// File sets with at most this many files (after merging) become one stub per file in the
/// standalone tree: the pull series of a namespace (2 timespans x 4 periods x 2 groups) and
/// the period lists of the export years. Larger sets (repository series, export listings,
/// downloads) keep their one templated stub: a stub per file would lengthen the scan for
/// every other request more than the template costs them.
pub const EXPAND_MAX: usize = 16;

/// Bodies up to this size, answered by one file without a file-name template, go into their
/// stub in a standalone tree (see the module documentation). Larger ones stay files: a
/// mapping file is read once, at startup, but held in memory for the server's life.
pub const INLINE_MAX: usize = 64 * 1024;

/// The standalone form of a mock: small file sets expanded, small single bodies inline,
/// files no stub names any more dropped; with the bytes the inlined bodies take in the
/// mapping files (JSON-escaped, once per stub).
pub fn standalone_form(mock: Mock) -> (Mock, u64) {
    let Mock { stubs, mut files, expanded_priority } = mock;
    let mut named: BTreeSet<String> = BTreeSet::new();
    let mut inlined: BTreeSet<String> = BTreeSet::new();
    let mut inline_bytes = 0;
    let mut out = Vec::with_capacity(stubs.len());
    for mut s in expand_small_sets(stubs) {
        match &s.response.body {
            Body::File(f) => match files.get(f).filter(|b| b.len() <= INLINE_MAX).map(|b| std::str::from_utf8(b)) {
                Some(Ok(text)) => {
                    inlined.insert(f.clone());
                    inline_bytes += Value::from(text).to_string().len() as u64;
                    s.response.body = Body::Text(text.to_string());
                }
                _ => {
                    named.insert(f.clone());
                }
            },
            Body::FileSet { variants, .. } => named.extend(variants.iter().map(|v| v.file.clone())),
            Body::Empty | Body::Text(_) => {}
        }
        out.push(s);
    }
    files.retain(|path, _| !inlined.contains(path) || named.contains(path));
    (Mock { stubs: out, files, expanded_priority }, inline_bytes)
}

/// Merges the variants of every file set, and expands the sets of at most [`EXPAND_MAX`]
/// files into one stub per file.
fn expand_small_sets(stubs: Vec<Stub>) -> Vec<Stub> {
    let mut out = Vec::with_capacity(stubs.len());
    for mut s in stubs {
        if let Body::FileSet { variants, .. } = &mut s.response.body {
            *variants = merge_by_file(std::mem::take(variants));
            if !variants.is_empty() && variants.len() <= EXPAND_MAX {
                out.extend(expand(s));
                continue;
            }
        }
        out.push(s);
    }
    out
}

/// One stub per variant of a file set, each with its file as a static `bodyFileName`.
fn expand(s: Stub) -> Vec<Stub> {
    let Body::FileSet { variants, .. } = &s.response.body else { unreachable!("only file sets are expanded") };
    // Each stub is named after the part of its file's path that differs within the set.
    let dir = common_dir(variants.iter().map(|v| v.file.as_str()));
    variants
        .iter()
        .map(|v| {
            let stem = v.file[dir.len()..].trim_end_matches(".json");
            let mut r = s.response.clone();
            r.body = Body::File(v.file.clone());
            for (name, value) in &mut r.headers {
                if let Some((_, concrete)) = v.headers.iter().find(|(n, _)| n == name) {
                    value.clone_from(concrete);
                }
            }
            r.templated = r.headers.iter().any(|(_, h)| has_expression(h));
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

/// The longest folder (ending in `/`) that holds every one of `files`.
fn common_dir<'a>(mut files: impl Iterator<Item = &'a str>) -> String {
    let first = files.next().unwrap_or_default();
    let mut dir = first.rfind('/').map_or("", |i| &first[..=i]).to_string();
    for f in files {
        while !f.starts_with(&dir) {
            dir.pop();
            dir.truncate(dir.rfind('/').map_or(0, |i| i + 1));
        }
    }
    dir
}

/// Merges the variants that answer with the same file into one, when their requests differ
/// only in query parameter matchers and together accept every combination of those matchers
/// (a product: `timespan` absent or `weeks`, times `period` ...). The merged variant accepts a
/// parameter when any of the merged matchers does (`{"or": [...]}`) and keeps the label of the
/// last variant (the one that names every parameter). Anything else is left as it is.
pub fn merge_by_file(variants: Vec<Variant>) -> Vec<Variant> {
    let mut groups: Vec<Vec<Variant>> = Vec::new();
    let mut by_file: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for v in variants {
        match by_file.get(&v.file) {
            Some(&i) => groups[i].push(v),
            None => {
                by_file.insert(v.file.clone(), groups.len());
                groups.push(vec![v]);
            }
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
    let without_query = |v: &Variant| Request { query: MatcherMap::default(), ..v.request.clone() };
    let first = &group[0];
    if group.iter().any(|v| v.headers != first.headers) {
        return None;
    }
    let params = &first.request.query;
    if params.is_empty() || group.iter().any(|v| without_query(v) != without_query(first)) {
        return None;
    }
    let mut merged_query = MatcherMap::default();
    let mut combinations = 1usize;
    for (name, _) in params.iter() {
        let mut values: Vec<Matcher> = Vec::new();
        for v in group {
            let q = &v.request.query;
            if q.len() != params.len() {
                return None;
            }
            let m = q.get(name)?.clone();
            if !values.contains(&m) {
                values.push(m);
            }
        }
        combinations *= values.len();
        merged_query.set(name, Matcher::any_of(values));
    }
    if combinations != group.len() {
        return None;
    }
    let last = group.last().expect("a group is never empty");
    let request = Request { query: merged_query, ..first.request.clone() };
    Some(Variant { label: last.label.clone(), request, file: first.file.clone(), headers: first.headers.clone() })
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::wiremock::request::Url;

    fn v(label: &str, t: Matcher, g: Matcher, file: &str) -> Variant {
        Variant::new(label, Request::get(Url::path("/p")).query("t", t).query("g", g), file)
    }

    #[test]
    fn variants_of_one_file_merge_into_an_or_per_parameter() {
        let absent = Matcher::Absent;
        let eq = Matcher::equal_to;
        let out = merge_by_file(vec![
            v("", absent.clone(), absent.clone(), "a"),
            v("?g=x", absent.clone(), eq("x"), "a"),
            v("?t=w", eq("w"), absent.clone(), "a"),
            v("?t=w&g=x", eq("w"), eq("x"), "a"),
            v("?t=m", eq("m"), absent.clone(), "b"),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].label, "?t=w&g=x");
        assert_eq!(
            serde_json::to_string(&out[0].request).unwrap(),
            r#"{"method":"GET","urlPath":"/p","queryParameters":{"t":{"or":[{"absent":true},{"equalTo":"w"}]},"g":{"or":[{"absent":true},{"equalTo":"x"}]}}}"#
        );
        assert_eq!(out[1].label, "?t=m");
        assert_eq!(out[1].request, Request::get(Url::path("/p")).query("t", eq("m")).query("g", absent));
    }

    #[test]
    fn stubs_of_a_set_are_named_after_what_differs_in_their_paths() {
        assert_eq!(common_dir(["a/x/2025/weeks.json", "a/x/2026/months.json"].into_iter()), "a/x/");
        assert_eq!(common_dir(["a/x/w.json", "a/x/m.json"].into_iter()), "a/x/");
        assert_eq!(common_dir(["a/x/w.json"].into_iter()), "a/x/");
        assert_eq!(common_dir(["ab/w.json", "a/m.json"].into_iter()), "");
    }

    #[test]
    fn variants_that_are_not_a_product_stay_apart() {
        let eq = Matcher::equal_to;
        // (w, x) and (m, y) answer with one file but (w, y) does not: an `or` per parameter
        // would accept it, so nothing is merged.
        let out = merge_by_file(vec![v("1", eq("w"), eq("x"), "a"), v("2", eq("m"), eq("y"), "a")]);
        assert_eq!(out.len(), 2);
    }
}
