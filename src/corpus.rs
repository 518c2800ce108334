//! The request corpus: one concrete request and its expected answer per stub and variant.
//!
//! Built by [`crate::routes`] next to the stubs it exercises, it drives `dvp-mock verify`, the
//! real-WireMock tests and the Cloud parity test; nothing else invents requests.
use crate::dvp_api::JSON;

/// One request and what the mock must answer.
#[derive(Debug, Clone)]
pub struct Case {
    /// What the request is, in words (`GET / as alice`); a failure report names it.
    pub name: String,
    /// HTTP method, upper case (`GET`, `POST`, `HEAD`, ...).
    pub method: String,
    /// Path and query, starting with `/`.
    pub path: String,
    /// Request headers, in the order they are sent.
    pub headers: Vec<(String, String)>,
    /// Request body (the JSON of a login), if any.
    pub body: Option<String>,
    /// What the mock must answer.
    pub expect: Expect,
}

/// The answer a [`Case`] expects.
#[derive(Debug, Clone)]
pub struct Expect {
    /// HTTP status.
    pub status: u16,
    /// Expected `Content-Type`; `None` = not checked (faults).
    pub content_type: Option<String>,
    pub(crate) body: ExpectBody,
    /// Headers that must be present with these values (`*` = any value).
    pub(crate) headers: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub(crate) enum ExpectBody {
    /// Not checked.
    Any,
    /// Exactly these bytes.
    Bytes(Vec<u8>),
    /// A response template: `{{request.baseUrl}}` is replaced by the server's base URL and every
    /// `{{now ...}}` expression matches any run of `[0-9TZ]` (signed-link timestamps).
    Template(String),
    /// A body of this length and [`fingerprint`] (large files, not kept in memory).
    Fingerprint { len: u64, fingerprint: u64 },
    /// `before` + a token minted at request time + `after`: the token starts with `head`, ends
    /// with `tail`, and its `exp` is `iat + lifetime` and still ahead of the verifier's clock.
    Token { before: String, head: String, tail: String, after: String, lifetime: u64 },
}

/// A fast 64-bit fingerprint of `bytes` (8 bytes per step): a compact stand-in for large
/// expected bodies. Not cryptographic.
pub fn fingerprint(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h: u64 = bytes.len() as u64 ^ 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h.rotate_left(23) ^ word).wrapping_mul(K);
    }
    for &b in chunks.remainder() {
        h = (h.rotate_left(23) ^ u64::from(b)).wrapping_mul(K);
    }
    h ^ (h >> 29)
}

impl Case {
    pub(crate) fn get(name: impl Into<String>, path: impl Into<String>) -> Case {
        Case {
            name: name.into(),
            method: "GET".into(),
            path: path.into(),
            headers: Vec::new(),
            body: None,
            expect: Expect { status: 200, content_type: None, body: ExpectBody::Any, headers: Vec::new() },
        }
    }

    pub(crate) fn post(name: impl Into<String>, path: impl Into<String>, body: impl Into<String>) -> Case {
        let mut c = Case::get(name, path);
        c.method = "POST".into();
        c.body = Some(body.into());
        c.headers.push(("Content-Type".into(), JSON.into()));
        c
    }

    pub(crate) fn bearer(mut self, token: &str) -> Case {
        self.headers.push(("Authorization".into(), format!("Bearer {token}")));
        self
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Case {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn method(mut self, m: &str) -> Case {
        self.method = m.into();
        self
    }

    /// Expects `status` with `content_type` and exactly `body`.
    pub(crate) fn expect(mut self, status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Case {
        self.expect.status = status;
        self.expect.content_type = Some(content_type.into());
        self.expect.body = ExpectBody::Bytes(body.into());
        self
    }

    /// Expects a Docker Hub style JSON error, `{"detail": ...}`.
    pub(crate) fn expect_detail(self, status: u16, detail: &str) -> Case {
        self.expect(status, JSON, serde_json::json!({ "detail": detail }).to_string())
    }

    pub(crate) fn expect_template(mut self, status: u16, content_type: &str, template: impl Into<String>) -> Case {
        self.expect.status = status;
        self.expect.content_type = Some(content_type.into());
        self.expect.body = ExpectBody::Template(template.into());
        self
    }

    pub(crate) fn expect_fingerprint(mut self, status: u16, content_type: &str, len: u64, fingerprint: u64) -> Case {
        self.expect.status = status;
        self.expect.content_type = Some(content_type.into());
        self.expect.body = ExpectBody::Fingerprint { len, fingerprint };
        self
    }

    /// Expects `status`, JSON, and `before` + a fresh token of `family` + `after`.
    pub(crate) fn expect_token(
        mut self,
        status: u16,
        before: &str,
        family: &crate::engine::jwt::Family,
        lifetime: u64,
        after: &str,
    ) -> Case {
        self.expect.status = status;
        self.expect.content_type = Some(JSON.into());
        self.expect.body = ExpectBody::Token {
            before: before.into(),
            head: crate::engine::jwt::head(),
            tail: family.tail().into(),
            after: after.into(),
            lifetime,
        };
        self
    }

    pub(crate) fn expect_status(mut self, status: u16) -> Case {
        self.expect.status = status;
        self
    }

    pub(crate) fn expect_header(mut self, name: &str, value: &str) -> Case {
        self.expect.headers.push((name.into(), value.into()));
        self
    }
}

/// Checks `actual` against a response template (see [`ExpectBody::Template`]).
pub(crate) fn template_matches(template: &str, base_url: &str, actual: &str) -> bool {
    let expected = template.replace("{{request.baseUrl}}", base_url);
    // Split on `{{now ...}}` expressions; each gap must be a run of [0-9TZ].
    let mut pieces = Vec::new();
    let mut rest = expected.as_str();
    while let Some(i) = rest.find("{{now ") {
        pieces.push(&rest[..i]);
        let j = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
        rest = &rest[j..];
    }
    pieces.push(rest);
    let mut pos = 0;
    for (k, piece) in pieces.iter().enumerate() {
        if k == 0 {
            if !actual.starts_with(piece) {
                return false;
            }
            pos = piece.len();
            continue;
        }
        let gap = actual[pos..].bytes().take_while(|b| b.is_ascii_digit() || *b == b'T' || *b == b'Z').count();
        if gap == 0 || !actual[pos + gap..].starts_with(piece) {
            return false;
        }
        pos += gap + piece.len();
    }
    pos == actual.len()
}

#[cfg(test)]
mod tests {
    use super::template_matches;

    #[test]
    fn templates_mask_now_and_fill_base_url() {
        let t = r#"{"url":"{{request.baseUrl}}/x?d={{now format="yyyyMMdd'T'HHmmss'Z'" timezone="UTC"}}&e=1"}"#;
        assert!(template_matches(t, "http://h:1", r#"{"url":"http://h:1/x?d=20260101T000000Z&e=1"}"#));
        assert!(!template_matches(t, "http://h:1", r#"{"url":"http://h:1/x?d=&e=1"}"#));
        assert!(!template_matches(t, "http://h:2", r#"{"url":"http://h:1/x?d=20260101T000000Z&e=1"}"#));
    }
}
