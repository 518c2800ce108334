//! The WireMock Cloud target: one import file, every body inline, every file set expanded into
//! one stub per variant, within a size budget.
use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{json, Value};

use super::{pretty, response_json, stub_json, Body, Mock, Tree, Variant, CLOUD_FILE};
use crate::Error;

fn inline(bytes: &[u8]) -> (&'static str, Value) {
    match std::str::from_utf8(bytes) {
        Ok(s) => ("body", json!(s)),
        Err(_) => ("base64Body", json!(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

/// The stub's headers with the variant's concrete values in place of templated ones.
fn concrete_headers(headers: &[(String, String)], v: &Variant) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, val)| {
            let concrete = v.headers.iter().find(|(name, _)| name == k).map_or(val, |(_, c)| c);
            (k.clone(), concrete.clone())
        })
        .collect()
}

/// One stub of the Cloud file, with the size of its body (for the budget report).
struct CloudStub {
    json: Value,
    label: String,
    body_bytes: usize,
}

/// The Cloud import file; `streamed` holds the body files rendered through a
/// [`crate::sink::MemorySink`]. Fails when the file would exceed `budget` bytes.
pub fn cloud(mock: &Mock, streamed: &BTreeMap<String, Vec<u8>>, budget: u64) -> Result<Tree, Error> {
    let file = |path: &str| -> &Vec<u8> {
        mock.files.get(path).or_else(|| streamed.get(path)).expect("every body file was rendered")
    };
    let mut stubs: Vec<CloudStub> = Vec::new();
    for s in &mock.stubs {
        let r = &s.response;
        match &r.body {
            Body::FileSet { variants, .. } => {
                for v in variants {
                    let bytes = file(&v.file);
                    let headers = concrete_headers(&r.headers, v);
                    let transform = r.body_templated || headers.iter().any(|(_, h)| h.contains("{{"));
                    let id =
                        uuid::Uuid::new_v5(&super::stub::ID_NAMESPACE, format!("{}#{}", s.key, v.label).as_bytes());
                    let mut named = s.clone();
                    named.name = format!("{} [{}]", s.name, v.label);
                    named.key = format!("{}#{}", s.key, v.label);
                    stubs.push(CloudStub {
                        json: stub_json(
                            id,
                            &named,
                            &v.request,
                            response_json(r, Some(inline(bytes)), &headers, transform),
                        ),
                        label: s.name.clone(),
                        body_bytes: bytes.len(),
                    });
                }
            }
            body => {
                let (b, size) = match body {
                    Body::Empty => (None, 0),
                    Body::Text(t) => (Some(("body", json!(t))), t.len()),
                    Body::File(f) => (Some(inline(file(f))), file(f).len()),
                    Body::FileSet { .. } => unreachable!("handled above"),
                };
                let transform = r.templated || r.body_templated;
                stubs.push(CloudStub {
                    json: stub_json(s.id(), s, &s.request, response_json(r, b, &r.headers, transform)),
                    label: s.name.clone(),
                    body_bytes: size,
                });
            }
        }
    }
    let total: usize = stubs.iter().map(|s| s.body_bytes).sum();
    let doc = json!({ "mappings": stubs.iter().map(|s| s.json.clone()).collect::<Vec<_>>() });
    let bytes = pretty(&doc);
    if bytes.len() as u64 > budget {
        let mut by_label: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &stubs {
            *by_label.entry(s.label.as_str()).or_default() += s.body_bytes;
        }
        let mut top: Vec<(&str, usize)> = by_label.into_iter().collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let list =
            top.iter().take(5).map(|(l, n)| format!("{l} ({:.1} MB)", *n as f64 / 1e6)).collect::<Vec<_>>().join("; ");
        return Err(Error::Budget(format!(
            "the Cloud import file would be {:.1} MB, over the budget of {:.1} MB (cloud_budget_bytes); bodies total {:.1} MB. \
             Biggest contributors: {list}. Shrink it with a later history_start (fewer periods), lower weekly_pulls, \
             or fewer repositories, or raise cloud_budget_bytes if your plan allows",
            bytes.len() as f64 / 1e6,
            budget as f64 / 1e6,
            total as f64 / 1e6
        )));
    }
    Ok(Tree::from([(CLOUD_FILE.to_string(), bytes)]))
}
