//! Faults on demand: by request header or for a whole run by scenario state.
//!
//! The faults come after every success (they would otherwise cost every request twenty
//! checks, `docs/performance-serving.md`), behind a gate: every stub ranked before them
//! refuses a request that asks for a fault, and serves only while the fault scenario is in
//! WireMock's initial state.
use super::Builder;
use crate::corpus::Case;
use crate::dvp_api::{priority, ANALYTICS, EXPORT_DL, FAULT_HEADER, FAULT_SCENARIO, HTML, JSON, PROXY, REPORT_DL, V2};
use crate::wiremock::request::{alternation, regex_escape, Matcher, Request, Url};
use crate::wiremock::stub::{Body, Delay, Fault, Response, Stub};
use crate::wiremock::template::Template;

/// The state of the fault scenario in which the stubs behind the gate serve (WireMock's
/// initial state, and the state `POST /__admin/scenarios/reset` returns to).
pub const NORMAL_STATE: &str = "Started";

/// A 429 as observed on the Hub (FACTS 13.2): `Retry-After` in seconds, the rate-limit headers
/// (reset in unix seconds, the caller's IP), the security headers, a JSON body.
pub(super) fn too_many_requests(retry_after: u32, detail: &str) -> Response {
    Response::detail(429, detail)
        .header("Retry-After", &retry_after.to_string())
        .header("X-RateLimit-Limit", "180")
        .header("X-RateLimit-Remaining", "0")
        .header(
            "X-RateLimit-Reset",
            Template::new().expr(&format!("now offset='{retry_after} seconds' format='unix'")).as_str(),
        )
        .header("X-RateLimit-Ip", Template::new().expr("request.clientIp").as_str())
        .header("X-Frame-Options", "deny")
        .header("X-Content-Type-Options", "nosniff")
        .header("X-XSS-Protection", "1; mode=block")
        .header("Strict-Transport-Security", "max-age=31536000")
        .templated()
}

impl Builder<'_> {
    pub(super) fn faults(&mut self) {
        let everywhere = format!(
            "^(?:{}|{}|{}|{}|{})(?:/.*)?$",
            regex_escape(ANALYTICS),
            regex_escape(PROXY),
            regex_escape(V2),
            regex_escape(EXPORT_DL),
            regex_escape(REPORT_DL)
        );
        let rate_limited = || too_many_requests(60, "Rate limit exceeded");
        let faults: Vec<(&str, Response)> = vec![
            ("rate-limit", rate_limited()),
            ("500", Response::detail(500, "Internal Server Error")),
            (
                "502",
                Response::new(502, HTML, Body::Text("<html><body><h1>502 Bad Gateway</h1></body></html>\n".into())),
            ),
            ("503", Response::detail(503, "Service Unavailable").header("Retry-After", "30")),
            (
                "timeout",
                Response::new(
                    504,
                    HTML,
                    Body::Text("<html><body><h1>504 Gateway Time-out</h1></body></html>\n".into()),
                )
                .delayed(Delay::Fixed { millis: 3000 }),
            ),
            (
                "slow",
                Response::detail(503, "Service Unavailable")
                    .header("Retry-After", "5")
                    .delayed(Delay::Uniform { lower: 500, upper: 2500 }),
            ),
            ("reset", Response::fault(Fault::ConnectionResetByPeer)),
            ("empty", Response::fault(Fault::EmptyResponse)),
            ("malformed", Response::fault(Fault::MalformedResponseChunk)),
            ("garbage", Response::fault(Fault::RandomDataThenClose)),
        ];
        let names: Vec<&str> = faults.iter().map(|(name, _)| *name).collect();
        self.gate_faults(&names);
        for (name, response) in faults {
            self.stub(Stub::new(
                format!("fault/header/{name}"),
                format!("fault on request: {FAULT_HEADER}: {name}"),
                priority::FAULT,
                Request::any(Url::path_pattern(&everywhere)).header(FAULT_HEADER, Matcher::equal_to(name)),
                response.clone(),
            ));
            let mut s = Stub::new(
                format!("fault/scenario/{name}"),
                format!("fault for the whole run: scenario {FAULT_SCENARIO} = {name}"),
                priority::FAULT,
                Request::any(Url::path_pattern(&everywhere)),
                response.clone(),
            );
            s.scenario = Some((FAULT_SCENARIO.into(), name.into()));
            self.stub(s);
            if matches!(name, "rate-limit" | "500" | "503") {
                let c =
                    Case::get(format!("fault {name}"), format!("{ANALYTICS}/namespaces")).header(FAULT_HEADER, name);
                let status = response.status;
                let body = match &response.body {
                    Body::Text(t) => t.clone(),
                    _ => String::new(),
                };
                let mut c = c.expect(status, JSON, body);
                if name == "rate-limit" {
                    c = c
                        .expect_header("Retry-After", "60")
                        .expect_header("X-RateLimit-Remaining", "0")
                        .expect_header("X-RateLimit-Reset", "*")
                        .expect_header("X-RateLimit-Ip", "*")
                        .expect_header("X-Frame-Options", "deny")
                        .expect_header("Strict-Transport-Security", "max-age=31536000");
                }
                self.case(c);
            }
        }
    }

    /// Closes the gate on every stub built so far that ranks before the faults or with them:
    /// it refuses a request whose `X-Mock-Fault` names one of `names` (any other value is
    /// ignored, as before) and, unless it counts in a scenario of its own (a login lockout,
    /// which refuses the header outright), serves only while the fault scenario is in
    /// [`NORMAL_STATE`].
    /// WireMock refuses to set a scenario to a state no stub names, so the fault names are the
    /// only other states. The fallbacks rank after the faults and need no gate.
    fn gate_faults(&mut self, names: &[&str]) {
        let refuse = Matcher::does_not_match(format!("^{}$", alternation(names.iter().copied())));
        let gate = |request: &mut Request| {
            if request.headers.get(FAULT_HEADER).is_none() {
                request.headers.set(FAULT_HEADER, refuse.clone());
            }
        };
        for s in self.mock.stubs.iter_mut().filter(|s| s.priority <= priority::FAULT) {
            if s.scenario.is_none() {
                s.scenario = Some((FAULT_SCENARIO.into(), NORMAL_STATE.into()));
            }
            gate(&mut s.request);
            if let Body::FileSet { variants, .. } = &mut s.response.body {
                variants.iter_mut().for_each(|v| gate(&mut v.request));
            }
        }
    }
}
