//! Every emitted stub, standalone and Cloud, validated against WireMock 3.13.2's own JSON
//! schemas (`tests/schemas/wiremock-3.13.2`, copied verbatim from the release).
//!
//! A small validator for the subset of JSON Schema those files use: `type`, `properties`,
//! `additionalProperties`, `required`, `enum`, `items`, `oneOf`/`anyOf`/`allOf`, `not`,
//! `minimum`/`maximum` and `$ref` to sibling files (with `#/pointer`). `oneOf` is checked as
//! "at least one" because WireMock's matcher schemas overlap (a `{"matches": ...}` object also
//! satisfies looser alternatives); `pattern` and `format` are not checked. Like the jar (Jackson
//! with FAIL_ON_UNKNOWN_PROPERTIES), request and response objects are closed.
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::support;

struct Schemas(BTreeMap<String, Value>);

/// Schema files whose objects WireMock deserialises strictly.
const CLOSED: [&str; 2] = ["request-pattern.yaml", "response-definition.yaml"];

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

    /// Errors of `v` against `schema`, with JSON paths.
    fn check(&self, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let target = self.resolve(r);
            // The jar deserialises requests and responses with Jackson's
            // FAIL_ON_UNKNOWN_PROPERTIES: those two objects are closed although the schema
            // files do not say so.
            if CLOSED.contains(&r) {
                let mut known = Vec::new();
                self.known_properties(target, &mut known);
                for k in v.as_object().into_iter().flat_map(|o| o.keys()).filter(|k| !known.contains(k)) {
                    errors.push(format!("{at}: unknown property `{k}`"));
                }
            }
            return self.check(target, v, at, errors);
        }
        if let Some(t) = schema.get("type") {
            let types: Vec<&str> = match t {
                Value::String(s) => vec![s.as_str()],
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                _ => vec![],
            };
            let ok = types.iter().any(|t| match *t {
                "object" => v.is_object(),
                "array" => v.is_array(),
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                "null" => v.is_null(),
                _ => true,
            });
            if !ok {
                errors.push(format!("{at}: expected {types:?}, got {v}"));
                return;
            }
        }
        if let Some(e) = schema.get("enum").and_then(Value::as_array) {
            if !e.contains(v) {
                errors.push(format!("{at}: {v} not in {e:?}"));
            }
        }
        if let (Some(n), Some(min)) = (v.as_f64(), schema.get("minimum").and_then(Value::as_f64)) {
            if n < min {
                errors.push(format!("{at}: {n} < minimum {min}"));
            }
        }
        if let (Some(n), Some(max)) = (v.as_f64(), schema.get("maximum").and_then(Value::as_f64)) {
            if n > max {
                errors.push(format!("{at}: {n} > maximum {max}"));
            }
        }
        if let Some(obj) = v.as_object() {
            let props = schema.get("properties").and_then(Value::as_object);
            for req in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
                if let Some(r) = req.as_str() {
                    if !obj.contains_key(r) {
                        errors.push(format!("{at}: missing required `{r}`"));
                    }
                }
            }
            for (k, val) in obj {
                let child = format!("{at}.{k}");
                match props.and_then(|p| p.get(k)) {
                    Some(s) => self.check(s, val, &child, errors),
                    None => match schema.get("additionalProperties") {
                        Some(Value::Bool(false)) => errors.push(format!("{at}: unknown property `{k}`")),
                        Some(s @ Value::Object(_)) => self.check(s, val, &child, errors),
                        _ => {}
                    },
                }
            }
        }
        if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
            for (i, item) in arr.iter().enumerate() {
                self.check(items, item, &format!("{at}[{i}]"), errors);
            }
        }
        if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
            for s in all {
                self.check(s, v, at, errors);
            }
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(alts) = schema.get(key).and_then(Value::as_array) {
                let fits = alts.iter().any(|s| {
                    let mut e = Vec::new();
                    self.check(s, v, at, &mut e);
                    e.is_empty()
                });
                if !fits {
                    errors.push(format!("{at}: {v} matches none of the {key} alternatives"));
                }
            }
        }
        if let Some(not) = schema.get("not") {
            let mut e = Vec::new();
            self.check(not, v, at, &mut e);
            if e.is_empty() {
                errors.push(format!("{at}: matches a `not` schema"));
            }
        }
    }

    fn stub_errors(&self, stub: &Value, name: &str) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(self.resolve("stub-mapping.yaml"), stub, name, &mut errors);
        errors
    }
}

#[test]
fn the_validator_rejects_what_wiremock_rejects() {
    let schemas = Schemas::load();
    let bad = [
        serde_json::json!({ "request": { "method": "GET", "urlPath": "/x" }, "response": { "status": 200, "bodyFile": "x" } }),
        serde_json::json!({ "request": { "method": "GET", "query": {} }, "response": { "status": 200 } }),
        serde_json::json!({ "request": { "method": "GET" }, "response": { "status": 200 }, "foo": 1 }),
        serde_json::json!({ "request": { "method": "GET" }, "response": { "status": 200 }, "priority": 0 }),
        serde_json::json!({ "request": { "method": "GET", "headers": { "A": { "nope": "x" } } }, "response": {} }),
    ];
    for b in &bad {
        assert!(!schemas.stub_errors(b, "bad").is_empty(), "accepted {b}");
    }
    let good = serde_json::json!({ "request": { "method": "GET", "headers": { "A": { "equalTo": "x" } } }, "response": { "status": 200 } });
    assert_eq!(schemas.stub_errors(&good, "good"), Vec::<String>::new());
}

#[test]
fn every_standalone_and_cloud_stub_satisfies_wiremocks_schemas() {
    let schemas = Schemas::load();
    let mut errors = Vec::new();
    let tree = support::default_tree();
    let mut n = 0;
    for (path, bytes) in tree.iter().filter(|(k, _)| k.starts_with("mappings/")) {
        let stub: Value = serde_json::from_slice(bytes).unwrap();
        errors.extend(schemas.stub_errors(&stub, path));
        n += 1;
    }
    let cloud = support::default_cloud(u64::MAX).unwrap();
    let doc: Value = serde_json::from_slice(&cloud[dvp_mock::wiremock::CLOUD_FILE]).unwrap();
    let mut errs = Vec::new();
    schemas.check(schemas.resolve("stub-mappings.yaml"), &doc, "cloud", &mut errs);
    errors.extend(errs);
    for (i, stub) in doc["mappings"].as_array().unwrap().iter().enumerate() {
        errors.extend(schemas.stub_errors(stub, &format!("cloud.mappings[{i}]")));
        n += 1;
    }
    assert!(n > 2000);
    errors.truncate(20);
    assert!(errors.is_empty(), "schema violations:\n{}", errors.join("\n"));
}
