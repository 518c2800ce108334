//! Targets: how the in-memory mock becomes files.
//!
//! - standalone: one pretty-printed mapping file per stub under `mappings/`, bodies under
//!   `__files/`, file sets served by one templated `bodyFileName` stub;
//! - cloud: one `{"mappings": [...]}` import file with every body inline and every file set
//!   expanded into one stub per variant (WireMock Cloud imports no `__files`).
use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::stub::{Body, Mock, Response, Stub, Variant};
use crate::Error;

/// Which artifact to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// `mappings/` + `__files/` for the WireMock jar, Docker image or Testcontainers.
    Standalone,
    /// One import file for WireMock Cloud, bodies inline.
    Cloud,
}

/// Name of the Cloud import file.
pub const CLOUD_FILE: &str = "dvp-mock-cloud.json";

/// Output files: relative path -> bytes, in path order.
pub type Tree = BTreeMap<String, Vec<u8>>;

fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).expect("JSON values serialise");
    out.push(b'\n');
    out
}

/// Mapping file name for a stub key: flat, readable, unique.
pub fn mapping_file(key: &str) -> String {
    format!("mappings/{}.json", key.replace('/', "--"))
}

fn response_json(r: &Response, body: Option<(&str, Value)>, headers: &[(String, String)], transform: bool) -> Value {
    let mut m = Map::new();
    m.insert("status".into(), json!(r.status));
    if !headers.is_empty() {
        m.insert("headers".into(), Value::Object(headers.iter().map(|(k, v)| (k.clone(), json!(v))).collect()));
    }
    if let Some((field, value)) = body {
        m.insert(field.into(), value);
    }
    if transform {
        m.insert("transformers".into(), json!(["response-template"]));
    }
    for (k, v) in &r.extra {
        if k == "transformerParameters" && !transform {
            continue;
        }
        m.insert(k.clone(), v.clone());
    }
    Value::Object(m)
}

fn stub_json(id: uuid::Uuid, s: &Stub, request: &Value, response: Value) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id.to_string()));
    m.insert("name".into(), json!(s.name));
    m.insert("priority".into(), json!(s.priority));
    if let Some((name, state)) = &s.scenario {
        m.insert("scenarioName".into(), json!(name));
        m.insert("requiredScenarioState".into(), json!(state));
    }
    m.insert("request".into(), request.clone());
    m.insert("response".into(), response);
    m.insert("metadata".into(), json!({ "generator": "dvp-mock", "key": s.key }));
    Value::Object(m)
}

/// The standalone tree. Consumes the mock, releasing each stub once it is serialised (for
/// large histories the download stubs are the biggest part of both).
pub fn standalone(mock: Mock) -> Tree {
    let mut tree = Tree::new();
    for s in crate::serving::arrange(mock.stubs, Target::Standalone) {
        let s = &s;
        let r = &s.response;
        let body = match &r.body {
            Body::Empty => None,
            Body::Text(t) => Some(("body", json!(t))),
            Body::File(f) => Some(("bodyFileName", json!(f))),
            Body::FileSet { template, .. } => Some(("bodyFileName", json!(template))),
        };
        let transform = r.templated || r.body_templated;
        let v = stub_json(s.id(), s, &s.request, response_json(r, body, &r.headers, transform));
        let prev = tree.insert(mapping_file(&s.key), pretty(&v));
        assert!(prev.is_none(), "duplicate stub key {}", s.key);
    }
    for (path, bytes) in mock.files {
        tree.insert(format!("__files/{path}"), bytes);
    }
    tree
}

fn inline(bytes: &[u8]) -> (&'static str, Value) {
    match std::str::from_utf8(bytes) {
        Ok(s) => ("body", json!(s)),
        Err(_) => ("base64Body", json!(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

/// Fills path-segment templates of a file-set header with the variant's concrete file name.
fn concrete_headers(headers: &[(String, String)], v: &Variant) -> Vec<(String, String)> {
    let base = v.file.rsplit('/').next().unwrap_or(&v.file);
    headers.iter().map(|(k, val)| (k.clone(), val.replace("{{request.pathSegments.[2]}}", base))).collect()
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
    for s in &crate::serving::arrange(mock.stubs.clone(), Target::Cloud) {
        let r = &s.response;
        match &r.body {
            Body::FileSet { variants, .. } => {
                for v in variants {
                    let bytes = file(&v.file);
                    let headers = concrete_headers(&r.headers, v);
                    let transform = r.body_templated || headers.iter().any(|(_, h)| h.contains("{{"));
                    let id =
                        uuid::Uuid::new_v5(&crate::stub::ID_NAMESPACE, format!("{}#{}", s.key, v.label).as_bytes());
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

/// Number of stubs in a tree (standalone: mapping files; cloud: entries).
pub fn stub_count(tree: &Tree) -> usize {
    if let Some(bytes) = tree.get(CLOUD_FILE) {
        let v: Value = serde_json::from_slice(bytes).expect("cloud file is JSON");
        return v["mappings"].as_array().map_or(0, Vec::len);
    }
    tree.keys().filter(|k| k.starts_with("mappings/")).count()
}
