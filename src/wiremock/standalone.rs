//! The standalone target: `mappings/` + `__files/` for the WireMock jar, Docker image or
//! Testcontainers.
use serde_json::json;

use super::stub::{Body, Mock};
use super::{mapping_file, pretty, response_json, stub_json, Tree};

/// The standalone tree. Consumes the mock, releasing each stub once it is serialised (for
/// large histories the download stubs are the biggest part of both).
pub fn standalone(mock: Mock) -> Tree {
    standalone_measured(mock).0
}

/// [`standalone`], with the bytes of the bodies it wrote into their mapping files.
pub fn standalone_measured(mock: Mock) -> (Tree, u64) {
    let mut tree = Tree::new();
    let (mock, inline_bytes) = super::serving::standalone_form(mock);
    for s in mock.stubs {
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
    (tree, inline_bytes)
}
