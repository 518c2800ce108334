//! `dvp-mock verify`: replays the corpus against a running mock and reports every difference.
use std::io::Read;
use std::time::Duration;

use crate::config::canonical::Fingerprint;
use crate::corpus::{template_matches, Case, ExpectBody};

/// One response as received.
#[derive(Debug, Clone)]
pub struct Received {
    /// HTTP status.
    pub status: u16,
    pub(crate) headers: Vec<(String, String)>,
    /// The body, at most 512 MiB of it.
    pub body: Vec<u8>,
    /// Unix seconds when the answer arrived: a freshly minted token is checked against this,
    /// not against the time of the comparison (a test compares answers sent minutes earlier).
    pub received_at: i64,
}

impl Received {
    /// The first header named `name` (any case), if any.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A client that never follows redirects and never decompresses.
pub fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new()
        .redirects(0)
        .timeout_connect(crate::http::CONNECT_TIMEOUT)
        .timeout(Duration::from_secs(30))
        .build()
}

/// Sends one case to `base_url` (no trailing slash).
pub fn send(agent: &ureq::Agent, base_url: &str, case: &Case) -> Result<Received, String> {
    let url = format!("{base_url}{}", case.path);
    let mut req = agent.request(&case.method, &url);
    for (k, v) in &case.headers {
        req = req.set(k, v);
    }
    let result = match &case.body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => return Err(format!("transport error: {e}")),
    };
    let status = resp.status();
    let headers =
        resp.headers_names().into_iter().filter_map(|n| resp.header(&n).map(|v| (n.clone(), v.to_string()))).collect();
    let mut body = Vec::new();
    resp.into_reader().take(512 * 1024 * 1024).read_to_end(&mut body).map_err(|e| format!("reading body: {e}"))?;
    Ok(Received { status, headers, body, received_at: unix_now() })
}

/// Compares a response with the case's expectation; `Err` says what differed.
pub fn compare(case: &Case, base_url: &str, got: &Received) -> Result<(), String> {
    let e = &case.expect;
    if got.status != e.status {
        let snippet = String::from_utf8_lossy(&got.body[..got.body.len().min(160)]).into_owned();
        return Err(format!("status {} (expected {}); body starts {snippet:?}", got.status, e.status));
    }
    if let Some(ct) = &e.content_type {
        match got.header("Content-Type") {
            Some(h) if h == ct => {}
            other => return Err(format!("Content-Type {other:?} (expected {ct:?})")),
        }
    }
    for (name, value) in &e.headers {
        match got.header(name) {
            Some(v) if value == "*" || v == value => {}
            other => return Err(format!("header {name} = {other:?} (expected {value:?})")),
        }
    }
    match &e.body {
        ExpectBody::Any => Ok(()),
        ExpectBody::Bytes(b) if &got.body == b => Ok(()),
        ExpectBody::Bytes(b) => Err(describe_mismatch(b, &got.body)),
        ExpectBody::Fingerprint { len, fingerprint } => {
            if got.body.len() as u64 == *len && crate::corpus::fingerprint(&got.body) == *fingerprint {
                Ok(())
            } else {
                Err(format!("body differs: {} bytes (expected {len}) or different content", got.body.len()))
            }
        }
        ExpectBody::Token { before, head, tail, after, lifetime } => {
            let actual = String::from_utf8_lossy(&got.body);
            check_token(&actual, before, head, tail, after, *lifetime, got.received_at)
                .map_err(|why| format!("{why}; got {:?}", &actual[..actual.len().min(200)]))
        }
        ExpectBody::Template(t) => {
            let actual = String::from_utf8_lossy(&got.body);
            if template_matches(t, base_url, &actual) {
                Ok(())
            } else {
                Err(format!("body does not match its template; got {:?}", &actual[..actual.len().min(200)]))
            }
        }
    }
}

/// A body holding one freshly minted token (see [`ExpectBody::Token`]).
fn check_token(
    actual: &str,
    before: &str,
    head: &str,
    tail: &str,
    after: &str,
    lifetime: u64,
    now: i64,
) -> Result<(), String> {
    let token =
        actual.strip_prefix(before).and_then(|r| r.strip_suffix(after)).ok_or("the body around the token differs")?;
    let middle = token.strip_prefix(head).and_then(|r| r.strip_suffix(tail)).ok_or("not a token of this principal")?;
    if middle.len() != crate::engine::jwt::middle_len()
        || !middle.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(format!(
            "token middle {middle:?} is not {} base64url characters",
            crate::engine::jwt::middle_len()
        ));
    }
    let (iat, exp) = crate::engine::jwt::times(token).ok_or("token payload does not decode")?;
    if exp - iat != lifetime as i64 || exp <= now || (iat - now).abs() > 300 {
        return Err(format!("iat {iat}, exp {exp}: expected exp = iat + {lifetime} with iat within 300 s of when the answer arrived ({now})"));
    }
    Ok(())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
}

fn describe_mismatch(expected: &[u8], got: &[u8]) -> String {
    let at = expected.iter().zip(got).position(|(a, b)| a != b).unwrap_or(expected.len().min(got.len()));
    let from = at.saturating_sub(20);
    format!(
        "body differs at byte {at} (expected {} bytes, got {}): expected …{:?}…, got …{:?}…",
        expected.len(),
        got.len(),
        String::from_utf8_lossy(&expected[from..(at + 40).min(expected.len())]),
        String::from_utf8_lossy(&got[from..(at + 40).min(got.len())]),
    )
}

/// The outcome of a whole run.
#[derive(Debug, Default)]
pub struct Report {
    /// Cases answered as expected.
    pub passed: usize,
    /// `(case name, request, what differed)`.
    pub failures: Vec<(String, String, String)>,
    /// The transport error that ended the run early (the server went away): one line, not
    /// one failure per remaining case.
    pub aborted: Option<String>,
}

/// Replays every case against `base_url`.
pub fn run(base_url: &str, corpus: &[Case]) -> Report {
    let base_url = base_url.trim_end_matches('/');
    let agent = agent();
    let mut report = Report::default();
    for case in corpus {
        let outcome = match send(&agent, base_url, case) {
            Err(why) if why.starts_with("transport error") => {
                report.aborted = Some(format!("{} {}: {why}", case.method, case.path));
                break;
            }
            sent => sent.and_then(|got| compare(case, base_url, &got)),
        };
        match outcome {
            Ok(()) => report.passed += 1,
            Err(why) => report.failures.push((case.name.clone(), format!("{} {}", case.method, case.path), why)),
        }
    }
    report
}

/// What `GET {base}/__dvp-mock/fingerprint` answered.
#[derive(Debug)]
pub enum Served {
    /// A dvp-mock fingerprint.
    Fingerprint(Fingerprint),
    /// Anything else (a 404, another server, a mock of an earlier release).
    None,
}

/// Reads the fingerprint of the mock at `base` (no trailing slash); `Err` on a transport error.
pub fn served_fingerprint(base: &str) -> Result<Served, String> {
    let case = Case::get("fingerprint", crate::dvp_api::FINGERPRINT);
    let got = send(&agent(), base, &case)?;
    if got.status != 200 {
        return Ok(Served::None);
    }
    let value: serde_json::Value = match serde_json::from_slice(&got.body) {
        Ok(v) => v,
        Err(_) => return Ok(Served::None),
    };
    if value["generator"] != "dvp-mock" {
        return Ok(Served::None);
    }
    Ok(serde_json::from_value(value).map_or(Served::None, Served::Fingerprint))
}

/// One line when the mock (`served`) was made otherwise than `asked`: each setting that
/// differs, with the flag that asks for the mock's.
pub fn mismatch(served: &Fingerprint, asked: &Fingerprint) -> Option<String> {
    let short = |h: &str| h.chars().take(17).collect::<String>();
    let mut mock = Vec::new();
    let mut you = Vec::new();
    let mut pass = Vec::new();
    if served.seed != asked.seed {
        mock.push(format!("seed {}", served.seed));
        you.push(format!("{}", asked.seed));
        pass.push(format!("--seed {}", served.seed));
    }
    if served.as_of != asked.as_of {
        mock.push(format!("as-of {}", served.as_of));
        you.push(format!("{}", asked.as_of));
        pass.push(format!("--as-of {}", served.as_of));
    }
    if served.config != asked.config {
        mock.push(format!("configuration {}", short(&served.config)));
        you.push(short(&asked.config));
        pass.push("the --config it was generated from (its manifest records it)".to_string());
    }
    if served.profile != asked.profile {
        let name = |p: &Option<String>| p.clone().unwrap_or_else(|| "default".to_string());
        mock.push(format!("profile {}", name(&served.profile)));
        you.push(name(&asked.profile));
        pass.push(match &served.profile {
            Some(p) => format!("--profile {p} --base-url URL (the address the tree was generated for)"),
            None => "no --profile".to_string(),
        });
    }
    if mock.is_empty() {
        return None;
    }
    Some(format!(
        "generated with {}, you asked for {}: pass {}",
        mock.join(" and "),
        you.join(" and "),
        pass.join(" and ")
    ))
}
