//! HEAD: every GET route answers HEAD as GET would (status, headers, Content-Type) without a
//! body (FACTS 13.2: HEAD works on Hub read routes; for DVP it is INFERRED). WireMock matches
//! one method per stub, so every GET stub gets a HEAD twin with the same request pattern (one
//! per file set, which a standalone tree may serve as one GET stub per file), ranked after the
//! GET successes so a GET request never meets one ([`priority::head_twin`]); and every GET
//! case of the corpus a HEAD case. Stubs that match any method (the 401/404/405 fallbacks)
//! answer HEAD already; the server drops their bodies.
use super::Builder;
use crate::corpus::ExpectBody;
use crate::dvp_api::priority;
use crate::wiremock::request::{Method, Request};
use crate::wiremock::stub::{Body, Response, Stub};
use crate::wiremock::template::has_expression;

/// The HEAD twin of a GET stub: same request (method aside), status and headers, no body.
fn twin(s: &Stub) -> Stub {
    let request = Request { method: Method::Head, ..s.request.clone() };
    let r = &s.response;
    let response = Response {
        status: r.status,
        headers: r.headers.clone(),
        body: Body::Empty,
        templated: r.headers.iter().any(|(_, v)| has_expression(v)),
        body_templated: false,
        delay: r.delay,
        fault: r.fault,
        raw_body_file: false,
    };
    let mut t = Stub::new(
        format!("head/{}", s.key),
        format!("{} (HEAD)", s.name),
        priority::head_twin(s.priority),
        request,
        response,
    );
    t.scenario = s.scenario.clone();
    t.new_state = s.new_state.clone();
    t
}

impl Builder<'_> {
    /// Adds the HEAD twin of every GET stub and GET case built so far.
    pub(super) fn head_twins(&mut self) {
        let twins: Vec<Stub> = self.mock.stubs.iter().filter(|s| s.request.method == Method::Get).map(twin).collect();
        self.mock.stubs.extend(twins);
        let cases: Vec<_> = self
            .corpus
            .iter()
            .filter(|c| c.method == "GET")
            .map(|c| {
                let mut h = c.clone();
                h.name = format!("HEAD {}", c.name);
                h.method = "HEAD".into();
                h.expect.body = ExpectBody::Bytes(Vec::new());
                h
            })
            .collect();
        self.corpus.extend(cases);
    }
}
