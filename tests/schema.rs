//! Every emitted stub, standalone and Cloud, validated against WireMock 3.13.2's own JSON
//! schemas (`tests/schemas/wiremock-3.13.2`, copied verbatim from the release) with the
//! `jsonschema` crate (draft 7; the files' `$ref`s to each other are served from memory).
//!
//! One rule is added: like the jar (Jackson with FAIL_ON_UNKNOWN_PROPERTIES), request and
//! response objects are closed, although the schema files do not say so.
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support;

/// The schema files, by file name, as JSON.
#[derive(Clone)]
struct Schemas(BTreeMap<String, Value>);

/// Schema files whose objects WireMock deserialises strictly.
const CLOSED: [(&str, &str); 2] = [("request", "request-pattern.yaml"), ("response", "response-definition.yaml")];

impl Schemas {
    fn load() -> Schemas {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas/wiremock-3.13.2");
        let mut map = BTreeMap::new();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let v: Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
                map.insert(path.file_name().unwrap().to_string_lossy().into_owned(), v);
            }
        }
        assert!(map.contains_key("stub-mapping.yaml"));
        Schemas(map)
    }

    /// A validator of the schema in file `root`.
    fn validator(&self, root: &str) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft7)
            .with_base_uri(format!("file:///wiremock/{root}"))
            .with_retriever(self.clone())
            .build(&self.0[root])
            .unwrap()
    }

    fn resolve(&self, reference: &str) -> &Value {
        let (file, pointer) = reference.split_once('#').unwrap_or((reference, ""));
        let doc = self.0.get(file).unwrap_or_else(|| panic!("unknown schema file {file}"));
        doc.pointer(pointer).unwrap_or_else(|| panic!("no {pointer} in {file}"))
    }

    /// Property names a schema declares, through `$ref`, `allOf`, `oneOf` and `anyOf`.
    fn known_properties(&self, schema: &Value, out: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            return self.known_properties(self.resolve(r), out);
        }
        out.extend(schema.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys().cloned()));
        for key in ["allOf", "oneOf", "anyOf"] {
            for part in schema.get(key).and_then(Value::as_array).into_iter().flatten() {
                self.known_properties(part, out);
            }
        }
    }
}

impl jsonschema::Retrieve for Schemas {
    fn retrieve(&self, uri: &jsonschema::Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_string();
        self.0.get(&name).cloned().ok_or_else(|| format!("no schema file {name}").into())
    }
}

/// Checks stubs against `stub-mapping.yaml` plus the closed-object rule.
struct StubChecker {
    schemas: Schemas,
    validator: jsonschema::Validator,
    /// (field, the properties its schema declares).
    closed: Vec<(&'static str, Vec<String>)>,
}

impl StubChecker {
    fn new() -> StubChecker {
        let schemas = Schemas::load();
        let validator = schemas.validator("stub-mapping.yaml");
        let closed = CLOSED
            .iter()
            .map(|(field, file)| {
                let mut known = Vec::new();
                schemas.known_properties(&schemas.0[*file], &mut known);
                (*field, known)
            })
            .collect();
        StubChecker { schemas, validator, closed }
    }

    /// Errors of `stub`, prefixed by `name`.
    fn errors(&self, stub: &Value, name: &str) -> Vec<String> {
        let mut errors: Vec<String> =
            self.validator.iter_errors(stub).map(|e| format!("{name}{}: {e}", e.instance_path)).collect();
        for (field, known) in &self.closed {
            for k in stub[*field].as_object().into_iter().flat_map(|o| o.keys()).filter(|k| !known.contains(k)) {
                errors.push(format!("{name}/{field}: unknown property `{k}`"));
            }
        }
        errors
    }
}

#[test]
fn the_validator_rejects_what_wiremock_rejects() {
    let checker = StubChecker::new();
    let bad = [
        serde_json::json!({ "request": { "method": "GET", "urlPath": "/x" }, "response": { "status": 200, "bodyFile": "x" } }),
        serde_json::json!({ "request": { "method": "GET", "query": {} }, "response": { "status": 200 } }),
        serde_json::json!({ "request": { "method": "GET" }, "response": { "status": 200 }, "foo": 1 }),
        serde_json::json!({ "request": { "method": "GET" }, "response": { "status": 200 }, "priority": 0 }),
        serde_json::json!({ "request": { "method": "GET", "headers": { "A": { "nope": "x" } } }, "response": {} }),
        serde_json::json!({ "request": { "method": "GET", "headers": { "A": { "equalTo": 5 } } }, "response": {} }),
    ];
    for b in &bad {
        assert!(!checker.errors(b, "bad").is_empty(), "accepted {b}");
    }
    let good = serde_json::json!({ "request": { "method": "GET", "headers": { "A": { "equalTo": "x" } } }, "response": { "status": 200 } });
    assert_eq!(checker.errors(&good, "good"), Vec::<String>::new());
}

#[test]
fn every_standalone_and_cloud_stub_satisfies_wiremocks_schemas() {
    let checker = StubChecker::new();
    let mut errors = Vec::new();
    let tree = support::default_tree();
    let mut n = 0;
    for (path, bytes) in tree.iter().filter(|(k, _)| k.starts_with("mappings/")) {
        let stub: Value = serde_json::from_slice(bytes).unwrap();
        errors.extend(checker.errors(&stub, path));
        n += 1;
    }
    let cloud = support::default_cloud(u64::MAX).unwrap();
    let doc: Value = serde_json::from_slice(&cloud[dvp_mock::wiremock::CLOUD_FILE]).unwrap();
    let file = checker.schemas.validator("stub-mappings.yaml");
    errors.extend(file.iter_errors(&doc).map(|e| format!("cloud{}: {e}", e.instance_path)));
    for (i, stub) in doc["mappings"].as_array().unwrap().iter().enumerate() {
        errors.extend(checker.errors(stub, &format!("cloud/mappings/{i}")));
        n += 1;
    }
    // Both targets were read: 308 standalone stubs and 1,412 in the Cloud file (default tree).
    assert!(n > 1700);
    errors.truncate(20);
    assert!(errors.is_empty(), "schema violations:\n{}", errors.join("\n"));
}
