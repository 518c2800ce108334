//! WireMock: stubs as typed data ([`stub`], their request matchers in [`request`], Handlebars
//! templates in [`template`]) and the two targets that turn them into files.
//!
//! - [`standalone`](mod@standalone): one pretty-printed mapping file per stub under `mappings/`, bodies under
//!   `__files/`, file sets served by one templated `bodyFileName` stub;
//! - [`cloud`](mod@cloud): one `{"mappings": [...]}` import file with every body inline and every file set
//!   expanded into one stub per variant (WireMock Cloud imports no `__files`).
//!
//! Nothing here knows the DVP API: paths, messages and templates come from [`crate::routes`].
use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

pub mod cloud;
pub mod request;
pub mod serving;
pub mod standalone;
pub mod stub;
pub mod template;

use request::Request;
use stub::{Delay, Response, Stub};

/// Which artifact to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// `v` as the targets write JSON: pretty-printed, two-space indent, a final newline.
pub(crate) fn pretty(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).expect("JSON values serialise");
    out.push(b'\n');
    out
}

/// Mapping file name for a stub key: flat, readable, unique.
pub fn mapping_file(key: &str) -> String {
    format!("mappings/dvp-mock/{}.json", key.replace('/', "--"))
}

/// The `response` object of a stub: `status`, the given `headers` (a Cloud variant's are
/// concrete), the `body` field and value the target chose (`body`, `bodyFileName`, `base64Body`),
/// the transformer when `transform`, delay and fault.
pub(crate) fn response_json(
    r: &Response,
    body: Option<(&str, Value)>,
    headers: &[(String, String)],
    transform: bool,
) -> Value {
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
    match r.delay {
        Some(Delay::Fixed { millis }) => {
            m.insert("fixedDelayMilliseconds".into(), json!(millis));
        }
        Some(Delay::Uniform { lower, upper }) => {
            m.insert("delayDistribution".into(), json!({ "type": "uniform", "lower": lower, "upper": upper }));
        }
        None => {}
    }
    if let Some(f) = r.fault {
        m.insert("fault".into(), json!(f.api()));
    }
    if transform && r.raw_body_file {
        m.insert("transformerParameters".into(), json!({ "disableBodyFileTemplating": true }));
    }
    Value::Object(m)
}

/// A whole stub mapping: `id`, `name`, `priority`, the scenario, `request`, `response` and the
/// `metadata` that marks it as generated (with its key).
pub(crate) fn stub_json(id: uuid::Uuid, s: &Stub, request: &Request, response: Value) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), json!(id.to_string()));
    m.insert("name".into(), json!(s.name));
    m.insert("priority".into(), json!(s.priority));
    if let Some((name, state)) = &s.scenario {
        m.insert("scenarioName".into(), json!(name));
        m.insert("requiredScenarioState".into(), json!(state));
        if let Some(next) = &s.new_state {
            m.insert("newScenarioState".into(), json!(next));
        }
    }
    m.insert("request".into(), serde_json::to_value(request).expect("request matchers serialise"));
    m.insert("response".into(), response);
    m.insert("metadata".into(), json!({ "generator": "dvp-mock", "key": s.key }));
    Value::Object(m)
}

/// Number of stubs in a tree (standalone: mapping files; cloud: entries).
pub fn stub_count(tree: &Tree) -> usize {
    if let Some(bytes) = tree.get(CLOUD_FILE) {
        let v: Value = serde_json::from_slice(bytes).expect("cloud file is JSON");
        return v["mappings"].as_array().map_or(0, Vec::len);
    }
    tree.keys().filter(|k| k.starts_with("mappings/")).count()
}
