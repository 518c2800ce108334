//! The HTTP client of `calibrate --from-api`: one request at a time; the bearer token sent to
//! the API's own host only; 429 and 503 retried after their `Retry-After`, a bounded number of
//! times; every request counted; every failure one line naming the step and the HTTP status.
//! Logging in is done as a client written in 2026 does it: `POST /v2/auth/token`, falling back
//! to `POST /v2/users/login` where that route is missing, and the second factor through
//! `POST /v2/users/2fa-login`.
use std::io::Read;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::Error;

/// The largest answer body read into memory (pull series, listings); reports are streamed.
const MAX_BODY: u64 = 256 << 20;
/// Sent with every request.
const USER_AGENT: &str = concat!("dvp-mock/", env!("CARGO_PKG_VERSION"), " (calibrate --from-api)");

/// The account to log in with: read from the environment by the command, never from flags.
#[derive(Clone)]
pub struct Credentials {
    /// The Docker ID sent to `/v2/users/login`.
    pub username: String,
    /// A password or a personal access token.
    pub secret: String,
    /// A current TOTP code, for an account with two-factor authentication.
    pub totp: Option<String>,
}

/// How patient the client is with a server that asks it to slow down.
#[derive(Debug, Clone, Copy)]
pub struct Politeness {
    /// Retries of one request answered 429 or 503; one more such answer fails the step.
    pub(crate) max_retries: u32,
    /// The longest `Retry-After` honoured; a longer one fails the step at once.
    pub(crate) max_wait: Duration,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness { max_retries: 3, max_wait: Duration::from_secs(300) }
    }
}

/// What the caller learns while the walk runs (the library never prints).
#[derive(Debug)]
pub enum Event<'a> {
    /// A request was answered (any status).
    Answered {
        /// Requests sent so far, retries included.
        done: u32,
        /// Requests known to be needed so far; grows as the walk discovers namespaces.
        planned: u32,
        /// The step the request belongs to, as `Client::step` names it.
        step: &'a str,
    },
    /// The server asked the client to slow down; the client waits, then retries.
    Waiting {
        /// The step being retried, as `Client::step` names it.
        step: &'a str,
        /// The status that asked for the wait: 429 or 503.
        status: u16,
        /// How long the client waits (`Retry-After`, or its own backoff without one).
        wait: Duration,
        /// Which retry of this request comes next, from 1 to `Politeness::max_retries`.
        retry: u32,
    },
}

/// The caller's hooks: `event` observes, `sleep` waits before a retry (the command sleeps;
/// tests may do anything, such as lifting the rate limit, and return at once).
pub struct Hooks<'h> {
    /// Called after every answer and before every wait.
    pub event: &'h mut dyn FnMut(&Event),
    /// Called with the wait before a retry; the walk goes on when it returns.
    pub sleep: &'h mut dyn FnMut(Duration),
}

/// One logged-in conversation with the API at `base`.
pub(crate) struct Client<'h> {
    agent: ureq::Agent,
    base: String,
    token: Option<String>,
    politeness: Politeness,
    hooks: Hooks<'h>,
    /// Requests sent, retries among them, and requests planned (grows as the walk learns).
    pub(crate) requests: u32,
    pub(crate) retries: u32,
    planned: u32,
}

impl<'h> Client<'h> {
    /// A client of `base` (a URL [`crate::http::base_url`] accepted), not logged in.
    pub(crate) fn new(base: &str, politeness: Politeness, hooks: Hooks<'h>) -> Client<'h> {
        let agent = ureq::AgentBuilder::new()
            .redirects(0)
            .timeout_connect(crate::http::CONNECT_TIMEOUT)
            .timeout(Duration::from_secs(120))
            .build();
        Client { agent, base: base.to_string(), token: None, politeness, hooks, requests: 0, retries: 0, planned: 0 }
    }

    /// `n` more requests are planned (for the progress bar).
    pub(crate) fn plan(&mut self, n: usize) {
        self.planned += n as u32;
    }

    /// `what (METHOD target)`, where `target` is a path under `base` (shown whole) or an
    /// absolute URL (shown without its query string: signed links carry credentials there, and
    /// without the API's own host).
    pub(crate) fn step(&self, what: &str, method: &str, target: &str) -> String {
        let shown = if target.contains("://") {
            let url = target.split('?').next().unwrap_or(target);
            url.strip_prefix(&self.base).unwrap_or(url)
        } else {
            target
        };
        format!("{what} ({method} {shown})")
    }

    /// A failure of the server or of the URL (exit 3): `base: step: HTTP status: why`.
    pub(crate) fn fail(&self, step: &str, status: Option<u16>, why: &str) -> Error {
        Error::Unreachable(self.line(step, status, why))
    }

    /// A refusal of the credentials (exit 2).
    pub(crate) fn refuse(&self, step: &str, status: u16, why: &str) -> Error {
        Error::Usage(self.line(step, Some(status), why))
    }

    fn line(&self, step: &str, status: Option<u16>, why: &str) -> String {
        match status {
            Some(s) => format!("{}: {step}: HTTP {s}: {why}", self.base),
            None => format!("{}: {step}: {why}", self.base),
        }
    }

    /// Sends one request (with the bearer token when `auth` and `target` is on the API's host)
    /// and returns its answer, whatever the status, except 429 and 503: those are retried after
    /// their `Retry-After` until [`Politeness`] gives up.
    pub(crate) fn send(
        &mut self,
        step: &str,
        method: &str,
        target: &str,
        body: Option<&str>,
        auth: bool,
    ) -> Result<ureq::Response, Error> {
        let url = if target.contains("://") { target.to_string() } else { format!("{}{target}", self.base) };
        let bearer = self.token.clone().filter(|_| auth && same_origin(&self.base, &url));
        let mut retry = 0;
        loop {
            let mut req =
                self.agent.request(method, &url).set("Accept", "application/json").set("User-Agent", USER_AGENT);
            if let Some(t) = &bearer {
                req = req.set("Authorization", &format!("Bearer {t}"));
            }
            let result = match body {
                Some(b) => req.set("Content-Type", "application/json").send_string(b),
                None => req.call(),
            };
            self.requests += 1;
            self.planned = self.planned.max(self.requests);
            let resp = match result {
                Ok(r) | Err(ureq::Error::Status(_, r)) => r,
                Err(ureq::Error::Transport(t)) => {
                    let why = t.message().map_or(t.kind().to_string(), |m| format!("{}: {m}", t.kind()));
                    return Err(self.fail(step, None, &format!("no HTTP answer ({why})")));
                }
            };
            (self.hooks.event)(&Event::Answered { done: self.requests, planned: self.planned, step });
            let status = resp.status();
            if status != 429 && status != 503 {
                return Ok(resp);
            }
            let header = resp.header("Retry-After").map(str::to_string);
            let wait = retry_after(header.as_deref(), retry);
            let shown = header.as_deref().map_or("no Retry-After".to_string(), |h| format!("Retry-After {h}"));
            if retry >= self.politeness.max_retries {
                let why = format!(
                    "still answered {status} after {retry} retries ({shown}): the rate limit did not clear; try again later"
                );
                return Err(self.fail(step, Some(status), &why));
            }
            if wait > self.politeness.max_wait {
                let why = format!(
                    "{shown} s is longer than the {} s this command waits; try again later",
                    self.politeness.max_wait.as_secs()
                );
                return Err(self.fail(step, Some(status), &why));
            }
            retry += 1;
            self.retries += 1;
            self.planned += 1;
            (self.hooks.event)(&Event::Waiting { step, status, wait, retry });
            (self.hooks.sleep)(wait);
        }
    }

    /// The whole body of an answer (at most [`MAX_BODY`] bytes) and its status; a body cut
    /// short is a failure of the step.
    pub(crate) fn body(&self, step: &str, resp: ureq::Response) -> Result<(u16, Vec<u8>), Error> {
        let status = resp.status();
        let mut body = Vec::new();
        resp.into_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .map_err(|e| self.fail(step, Some(status), &format!("the answer was cut short ({e})")))?;
        Ok((status, body))
    }

    /// GET `target` with the token; the status and the body.
    pub(crate) fn get(&mut self, what: &str, target: &str) -> Result<(String, u16, Vec<u8>), Error> {
        let step = self.step(what, "GET", target);
        let resp = self.send(&step, "GET", target, None, true)?;
        let (status, body) = self.body(&step, resp)?;
        Ok((step, status, body))
    }

    /// Logs in: `POST /v2/auth/token`, or `POST /v2/users/login` where that route is missing
    /// (404 or 405); a challenge for a second factor is answered with `DVP_TOTP`.
    pub(crate) fn log_in(&mut self, creds: &Credentials) -> Result<(), Error> {
        let step = self.step("log in", "POST", "/v2/auth/token");
        let body = serde_json::json!({"identifier": creds.username, "secret": creds.secret}).to_string();
        let resp = self.send(&step, "POST", "/v2/auth/token", Some(&body), false)?;
        let (status, answer) = self.body(&step, resp)?;
        match status {
            200 => self.take_token(&step, &answer, "access_token"),
            401 => self.challenge(creds, &step, &answer),
            404 | 405 => self.login_legacy(creds, Some(status)),
            s => Err(self.fail(&step, Some(s), &detail(&answer))),
        }
    }

    /// `POST /v2/users/login` (`after`: the status `/v2/auth/token` answered, if it was tried).
    pub(crate) fn login_legacy(&mut self, creds: &Credentials, after: Option<u16>) -> Result<(), Error> {
        let step = self.step("log in", "POST", "/v2/users/login");
        let body = serde_json::json!({"username": creds.username, "password": creds.secret}).to_string();
        let resp = self.send(&step, "POST", "/v2/users/login", Some(&body), false)?;
        let (status, answer) = self.body(&step, resp)?;
        match (status, after) {
            (200, _) => self.take_token(&step, &answer, "token"),
            (401, _) => self.challenge(creds, &step, &answer),
            (404 | 405, Some(first)) => Err(self.fail(
                &step,
                Some(status),
                &format!(
                    "POST /v2/auth/token answered {first} too: this is not the Docker Hub API; \
                     pass its host, e.g. https://hub.docker.com"
                ),
            )),
            (s, _) => Err(self.fail(&step, Some(s), &detail(&answer))),
        }
    }

    /// A 401 from a login route: a second-factor challenge, or wrong credentials.
    fn challenge(&mut self, creds: &Credentials, step: &str, answer: &[u8]) -> Result<(), Error> {
        let Some(pending) = field(answer, "login_2fa_token") else {
            return Err(self.refuse(step, 401, &format!("{}; check DVP_USERNAME and DVP_SECRET", detail(answer))));
        };
        let Some(code) = &creds.totp else {
            return Err(self.refuse(
                step,
                401,
                "the account has two-factor authentication: set DVP_TOTP to a current code \
                 (or DVP_SECRET to a personal access token)",
            ));
        };
        let step = self.step("second factor", "POST", "/v2/users/2fa-login");
        let body = serde_json::json!({"login_2fa_token": pending, "code": code}).to_string();
        let resp = self.send(&step, "POST", "/v2/users/2fa-login", Some(&body), false)?;
        let (status, answer) = self.body(&step, resp)?;
        match status {
            200 => self.take_token(&step, &answer, "token"),
            401 => Err(self.refuse(&step, 401, &format!("{}; is DVP_TOTP a current code?", detail(&answer)))),
            s => Err(self.fail(&step, Some(s), &detail(&answer))),
        }
    }

    fn take_token(&mut self, step: &str, answer: &[u8], key: &str) -> Result<(), Error> {
        let token =
            field(answer, key).ok_or_else(|| self.fail(step, Some(200), &format!("no `{key}` in the answer")))?;
        self.token = Some(token);
        Ok(())
    }
}

/// A string field of a JSON object body.
pub(crate) fn field(body: &[u8], key: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    v.get(key)?.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// What an error body says: its `detail`, `message` or `text`, else its first line (short).
pub(crate) fn detail(body: &[u8]) -> String {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Some(s) = ["detail", "message", "text"].iter().find_map(|k| v.get(*k).and_then(|x| x.as_str())) {
            return s.to_string();
        }
    }
    let text = String::from_utf8_lossy(body);
    let line: String = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("").chars().take(100).collect();
    if line.is_empty() {
        "(empty body)".to_string()
    } else {
        format!("answered {line:?}")
    }
}

/// How long to wait before retry number `retry` (0-based): `Retry-After` in seconds, or a Unix
/// time (one observed Hub 429 sent the reset time there), or without it 2, 4, 8 ... s.
pub(crate) fn retry_after(header: Option<&str>, retry: u32) -> Duration {
    let backoff = Duration::from_secs(2u64 << retry.min(10));
    let Some(n) = header.and_then(|h| h.trim().parse::<u64>().ok()) else { return backoff };
    if n > 1_000_000_000 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        return Duration::from_secs(n.saturating_sub(now));
    }
    Duration::from_secs(n)
}

/// Same scheme, host and port.
fn same_origin(base: &str, url: &str) -> bool {
    let origin = |u: &str| {
        let (scheme, rest) = u.split_once("://").unwrap_or(("", u));
        format!("{scheme}://{}", rest.split(['/', '?', '#']).next().unwrap_or(""))
    };
    origin(base) == origin(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_seconds_or_a_unix_time_or_a_backoff() {
        assert_eq!(retry_after(Some("60"), 0), Duration::from_secs(60));
        assert_eq!(retry_after(None, 0), Duration::from_secs(2));
        assert_eq!(retry_after(Some("soon"), 2), Duration::from_secs(8));
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let w = retry_after(Some(&(now + 30).to_string()), 0).as_secs();
        assert!((29..=30).contains(&w), "{w}");
        assert_eq!(retry_after(Some(&(now - 5).to_string()), 0), Duration::ZERO);
    }

    #[test]
    fn the_token_goes_to_the_api_host_only() {
        assert!(same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/x?y=1"));
        assert!(!same_origin("http://127.0.0.1:8080", "http://127.0.0.1:8081/api"));
        assert!(!same_origin("https://hub.docker.com", "https://storage.example/r.csv"));
        assert!(!same_origin("https://hub.docker.com", "http://hub.docker.com/api"));
    }

    #[test]
    fn steps_show_no_signed_query_and_no_own_host() {
        let (mut event, mut sleep) = (|_: &Event| {}, |_: Duration| {});
        let c = Client::new("http://h:1", Politeness::default(), Hooks { event: &mut event, sleep: &mut sleep });
        assert_eq!(c.step("x", "GET", "/a/b?period=last-12-months"), "x (GET /a/b?period=last-12-months)");
        assert_eq!(c.step("x", "GET", "http://h:1/dvp-reports/r.csv?X-Amz-Signature=s"), "x (GET /dvp-reports/r.csv)");
        assert_eq!(c.step("x", "GET", "https://s.example/r.csv?sig=1"), "x (GET https://s.example/r.csv)");
    }

    #[test]
    fn error_bodies_are_summed_up_in_a_few_words() {
        assert_eq!(
            detail(br#"{"detail":"Incorrect authentication credentials"}"#),
            "Incorrect authentication credentials"
        );
        assert_eq!(detail(br#"{"message":"404: Page Not Found"}"#), "404: Page Not Found");
        assert_eq!(detail(b"\n<html><body>502</body></html>"), "answered \"<html><body>502</body></html>\"");
        assert_eq!(detail(b""), "(empty body)");
    }
}
