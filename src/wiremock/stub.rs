//! Stub mappings as data, independent of the target that writes them.
//!
//! A stub's body is inline text, one body file, or a *file set*: a templated `bodyFileName`
//! for the standalone target plus the list of concrete variants (request pattern + file) that
//! the Cloud target expands into one stub each, since Cloud imports carry no `__files`.
use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::request::Request;

/// Namespace of every stub id (UUID v5 of the stub key under it).
pub const ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6c1f_4d0e_9a57_4b7e_8d1c_2f3a_b4c5_d6e7);

/// The generated mock: stubs plus body files (path under `__files/` -> bytes).
#[derive(Debug, Default, Clone)]
pub struct Mock {
    pub stubs: Vec<Stub>,
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where a target that answers a large file set with one stub per variant (Cloud) puts
    /// those stubs: after the stubs of the common requests, so that hundreds of download and
    /// listing stubs do not lengthen every other request's way (`None`: where their set is).
    pub expanded_priority: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct Stub {
    /// Unique, stable key: the id is derived from it.
    pub key: String,
    pub name: String,
    pub priority: u32,
    pub request: Request,
    pub response: Response,
    /// `(scenario name, required state)`.
    pub scenario: Option<(String, String)>,
    /// The state the scenario moves to when this stub answers.
    pub new_state: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Body,
    /// Headers or the body file name use Handlebars (`{{request.baseUrl}}` ...).
    pub templated: bool,
    /// The body text itself is a template (rendered per request).
    pub body_templated: bool,
    /// A delay before answering.
    pub delay: Option<Delay>,
    /// A network fault instead of an answer.
    pub fault: Option<Fault>,
    /// The body file is sent as is, even when headers are templated (large files).
    pub raw_body_file: bool,
}

/// A response delay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delay {
    Fixed { millis: u32 },
    Uniform { lower: u32, upper: u32 },
}

/// A WireMock network fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    ConnectionResetByPeer,
    EmptyResponse,
    MalformedResponseChunk,
    RandomDataThenClose,
}

impl Fault {
    pub fn api(self) -> &'static str {
        match self {
            Fault::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            Fault::EmptyResponse => "EMPTY_RESPONSE",
            Fault::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            Fault::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Text(String),
    /// A file under `__files/`.
    File(String),
    /// A templated file name for standalone, with every concrete variant for Cloud.
    FileSet {
        template: String,
        variants: Vec<Variant>,
    },
}

/// One concrete request of a file set and the file that answers it.
#[derive(Debug, Clone)]
pub struct Variant {
    pub label: String,
    pub request: Request,
    pub file: String,
    /// Concrete values of the stub's templated headers for this variant (the Cloud target,
    /// which expands file sets, writes these instead).
    pub headers: Vec<(String, String)>,
}

impl Variant {
    pub fn new(label: impl Into<String>, request: Request, file: impl Into<String>) -> Variant {
        Variant { label: label.into(), request, file: file.into(), headers: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: &str) -> Variant {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl Stub {
    pub fn new(
        key: impl Into<String>,
        name: impl Into<String>,
        priority: u32,
        request: Request,
        response: Response,
    ) -> Stub {
        Stub { key: key.into(), name: name.into(), priority, request, response, scenario: None, new_state: None }
    }

    pub fn id(&self) -> uuid::Uuid {
        uuid::Uuid::new_v5(&ID_NAMESPACE, self.key.as_bytes())
    }
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Body) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
            templated: false,
            body_templated: false,
            delay: None,
            fault: None,
            raw_body_file: false,
        }
    }

    /// A JSON response with a compact body.
    pub fn json(status: u16, value: &Value) -> Response {
        Response::new(status, "application/json", Body::Text(value.to_string()))
    }

    /// A Docker Hub style error: `{"detail": ...}`.
    pub fn detail(status: u16, detail: &str) -> Response {
        let mut r = Response::json(status, &json!({ "detail": detail }));
        if status == 401 {
            r = r.header("WWW-Authenticate", "Bearer realm=\"https://hub.docker.com\"");
        }
        r
    }

    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn templated(mut self) -> Response {
        self.templated = true;
        self
    }

    pub fn body_templated(mut self) -> Response {
        self.body_templated = true;
        self
    }

    /// A network fault instead of an answer (no headers, no body).
    pub fn fault(fault: Fault) -> Response {
        let mut r = Response::new(200, "application/json", Body::Empty);
        r.headers.clear();
        r.fault = Some(fault);
        r
    }

    pub fn delayed(mut self, delay: Delay) -> Response {
        self.delay = Some(delay);
        self
    }

    /// Sends the body file as is although headers are templated.
    pub fn raw_body_file(mut self) -> Response {
        self.raw_body_file = true;
        self
    }
}
