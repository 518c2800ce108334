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
    /// Every stub, in the order the routes built them (the Cloud file's order within a priority).
    pub stubs: Vec<Stub>,
    /// Body files the routes wrote, by path under `__files/` (the export parts, report CSVs
    /// and export listings go to a sink instead and are not held here).
    pub files: BTreeMap<String, Vec<u8>>,
    /// Where a target that answers a large file set with one stub per variant (Cloud) puts
    /// those stubs: after the stubs of the common requests, so that hundreds of download and
    /// listing stubs do not lengthen every other request's way (`None`: where their set is).
    pub expanded_priority: Option<u32>,
}

/// One stub mapping: what it matches, what it answers, where it ranks.
#[derive(Debug, Clone)]
pub struct Stub {
    /// Unique, stable key: the id and the standalone mapping file name are derived from it.
    pub key: String,
    /// The human-readable `name` WireMock shows (and `verify` reports).
    pub name: String,
    /// WireMock's `priority`: lower is tried first (the levels are `dvp_api::priority`).
    pub priority: u32,
    /// What a request must look like for this stub to answer.
    pub request: Request,
    /// The answer.
    pub response: Response,
    /// `(scenario name, required state)`.
    pub scenario: Option<(String, String)>,
    /// The state the scenario moves to when this stub answers.
    pub new_state: Option<String>,
}

/// What a stub answers: status, headers, body and how WireMock must treat them.
#[derive(Debug, Clone)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Response headers in the order written (`Content-Type` first when there is one).
    pub headers: Vec<(String, String)>,
    /// The body: none, inline text, one file or a file set.
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
    /// `fixedDelayMilliseconds`: always this long.
    Fixed {
        /// The delay in milliseconds.
        millis: u32,
    },
    /// `delayDistribution` of type `uniform`: a delay drawn between the two bounds.
    Uniform {
        /// The shortest delay in milliseconds.
        lower: u32,
        /// The longest delay in milliseconds.
        upper: u32,
    },
}

/// A WireMock network fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The connection is reset (TCP RST) before an answer.
    ConnectionResetByPeer,
    /// The connection is closed without a byte.
    EmptyResponse,
    /// A 200 status line, then garbage, then the connection is closed.
    MalformedResponseChunk,
    /// Random bytes, then the connection is closed.
    RandomDataThenClose,
}

impl Fault {
    /// The fault as WireMock's `fault` field names it (`CONNECTION_RESET_BY_PEER`).
    pub fn api(self) -> &'static str {
        match self {
            Fault::ConnectionResetByPeer => "CONNECTION_RESET_BY_PEER",
            Fault::EmptyResponse => "EMPTY_RESPONSE",
            Fault::MalformedResponseChunk => "MALFORMED_RESPONSE_CHUNK",
            Fault::RandomDataThenClose => "RANDOM_DATA_THEN_CLOSE",
        }
    }
}

/// The body of a response.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body (a redirect, a fault, a HEAD twin).
    Empty,
    /// Inline text: `body` in the stub.
    Text(String),
    /// A file under `__files/`: `bodyFileName` standalone, inline in the Cloud file.
    File(String),
    /// A templated file name for standalone, with every concrete variant for Cloud.
    FileSet {
        /// The Handlebars `bodyFileName` that picks the file from the request.
        template: String,
        /// Every request the set answers, each with its file.
        variants: Vec<Variant>,
    },
}

/// One concrete request of a file set and the file that answers it.
#[derive(Debug, Clone)]
pub struct Variant {
    /// What tells this variant from the others of its set (`?timespan=weeks`, a file name):
    /// it names the stub a target writes for it.
    pub label: String,
    /// The request this variant answers, as a stub of its own would match it.
    pub request: Request,
    /// The body file under `__files/` that answers it.
    pub file: String,
    /// Concrete values of the stub's templated headers for this variant (the Cloud target,
    /// which expands file sets, writes these instead).
    pub headers: Vec<(String, String)>,
}

impl Variant {
    /// The variant `label` answering `request` with `file`, no header values of its own.
    pub fn new(label: impl Into<String>, request: Request, file: impl Into<String>) -> Variant {
        Variant { label: label.into(), request, file: file.into(), headers: Vec::new() }
    }

    /// The concrete value of the stub's templated header `name` for this variant.
    pub fn header(mut self, name: &str, value: &str) -> Variant {
        self.headers.push((name.into(), value.into()));
        self
    }
}

impl Stub {
    /// A stub outside any scenario.
    pub fn new(
        key: impl Into<String>,
        name: impl Into<String>,
        priority: u32,
        request: Request,
        response: Response,
    ) -> Stub {
        Stub { key: key.into(), name: name.into(), priority, request, response, scenario: None, new_state: None }
    }

    /// The stub's stable `id`: a UUID v5 of its key under [`ID_NAMESPACE`].
    pub fn id(&self) -> uuid::Uuid {
        uuid::Uuid::new_v5(&ID_NAMESPACE, self.key.as_bytes())
    }
}

impl Response {
    /// A plain answer with `Content-Type: content_type`: nothing templated, no delay, no fault.
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

    /// Adds header `name` (after the others).
    pub fn header(mut self, name: &str, value: &str) -> Response {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Marks the headers or the body file name as Handlebars templates.
    pub fn templated(mut self) -> Response {
        self.templated = true;
        self
    }

    /// Marks the body text (inline or in its file) as a Handlebars template.
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

    /// Answers after `delay`.
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
