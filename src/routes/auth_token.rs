//! The current Hub login, `POST /v2/auth/token` (FACTS 13.1): a password, a personal access
//! token (any identifier) or an organization access token (identifier = the organization)
//! gives `{"access_token": <JWT>}` minted at request time. Also the login lockout that both
//! login routes share (FACTS 13.2), as one WireMock scenario per username.
use serde_json::json;

use super::faults::too_many_requests;
use super::{fresh_token, Builder, JSON_DIR};
use crate::corpus::Case;
use crate::dvp_api::{
    priority, ANALYTICS, AUTH_TOKEN, BAD_CREDENTIALS, BEARER_REALM, FAULT_HEADER, JSON, LOGIN, METHOD_NOT_ALLOWED,
    PROXY,
};
use crate::engine::jwt::{Family, AUTH_TOKEN_LIFETIME};
use crate::engine::world::User;
use crate::wiremock::request::{Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub};
use crate::wiremock::template::Template;

/// A well-formed `/v2/auth/token` body: an object with string `identifier` and `secret`.
const SCHEMA: &str = r#"{"type":"object","required":["identifier","secret"],"properties":{"identifier":{"type":"string"},"secret":{"type":"string"}}}"#;
/// INFERRED: the 400 body, in the Hub spec's validation-error schema (`fields`, `text`).
const MALFORMED: &str = r#"{"fields":{},"text":"Invalid request: a JSON body with string fields \"identifier\" and \"secret\" is required"}"#;
/// Failed logins of one username before it is locked out (INFERRED count; FACTS 13.2 says
/// "too many").
pub const LOCKOUT_AFTER: usize = 5;
/// Seconds a lockout lasts on the real Hub (10 minutes, FACTS 13.2): the 429's `Retry-After`.
/// The mock's lockout lasts until the scenarios are reset.
const LOCKOUT_SECONDS: u32 = 600;
/// INFERRED: the body of a locked-out login.
const LOCKED_DETAIL: &str = "Too many failed login attempts for this username. Try again later.";

/// The WireMock scenario that counts `username`'s failed logins.
pub fn lockout_scenario(username: &str) -> String {
    format!("login-lockout-{username}")
}

/// State after `k` failed logins.
fn lockout_state(k: usize) -> String {
    match k {
        0 => "Started".into(),
        LOCKOUT_AFTER => "locked".into(),
        k => format!("{k} failed"),
    }
}

/// INFERRED: a wrong secret on `/v2/auth/token` answers in the newer routes' error schema
/// (`detail` and `message`).
fn wrong_secret() -> Response {
    Response::json(401, &json!({ "detail": BAD_CREDENTIALS, "message": BAD_CREDENTIALS }))
        .header("WWW-Authenticate", BEARER_REALM)
}

fn auth_body(identifier: &str, secret: &str) -> String {
    json!({ "identifier": identifier, "secret": secret }).to_string()
}

impl Builder<'_> {
    /// Sets `u`'s lockout scenario back to its start (an admin request, for the corpus).
    pub(super) fn unlock(u: &User) -> Case {
        Case::post(
            format!("reset the login lockout of {}", u.username),
            format!("/__admin/scenarios/{}/state", lockout_scenario(&u.username)),
            r#"{"state":"Started"}"#,
        )
        .method("PUT")
        .expect_status(200)
    }

    /// `{"access_token": <fresh token of family>}` for a request matching `body_patterns`.
    fn token_stub(&mut self, key: String, name: String, body_patterns: Vec<Matcher>, family: &Family, sample: &str) {
        let token = fresh_token(family, AUTH_TOKEN_LIFETIME);
        self.stub(Stub::new(
            format!("auth-token/{key}"),
            format!("auth/token: {name}"),
            priority::LOGIN,
            Request::post(Url::path(AUTH_TOKEN)).body_patterns(body_patterns),
            Response::new(
                200,
                JSON,
                Body::Text(Template::new().text("{\"access_token\":\"").then(&token).text("\"}").build()),
            )
            .body_templated(),
        ));
        self.case(Case::post(format!("auth/token {name}"), AUTH_TOKEN, sample).expect_token(
            200,
            "{\"access_token\":\"",
            family,
            AUTH_TOKEN_LIFETIME,
            "\"}",
        ));
    }

    pub(super) fn auth_token(&mut self) {
        let users = self.model.world.users.clone();
        let schema = Matcher::json_schema(SCHEMA);
        let field = |f: &str, v: &str| Matcher::json_path_with(format!("$.{f}"), Matcher::equal_to(v));
        self.stub(Stub::new(
            "auth-token/bad-request",
            "auth/token: malformed body",
            priority::LOGIN_GUARD,
            Request::post(Url::path(AUTH_TOKEN)).body(Matcher::not_matching(schema.clone())),
            Response::new(400, JSON, Body::Text(MALFORMED.into())),
        ));
        for bad in ["not json", "", "[]", r#"{"identifier":"demo"}"#, r#"{"identifier":1,"secret":"demo"}"#] {
            self.case(
                Case::post(format!("auth/token malformed {bad:?}"), AUTH_TOKEN, bad).expect(400, JSON, MALFORMED),
            );
        }
        for u in &users {
            for (i, c) in u.credentials.iter().enumerate() {
                match (&c.secret, u.organization) {
                    (None, _) => {
                        let creds =
                            vec![schema.clone(), field("identifier", &u.username), field("secret", &u.password)];
                        let sample = auth_body(&u.username, &u.password);
                        if let Some(t2) = &u.login_2fa_token {
                            self.mfa_challenge("auth-token", AUTH_TOKEN, &u.username, creds, &sample, t2);
                        } else {
                            let name = format!("{} with the password", u.username);
                            self.token_stub(u.username.clone(), name, creds, &c.family, &sample);
                        }
                    }
                    // A PAT: the identifier is not checked (reportedly as on the real Hub).
                    (Some(pat), false) => {
                        let name = format!("PAT {i} of {}", u.username);
                        let sample = auth_body("any-identifier", pat);
                        let creds = vec![schema.clone(), field("secret", pat)];
                        self.token_stub(format!("{}/pat-{i}", u.username), name, creds, &c.family, &sample);
                    }
                    // An OAT: the identifier is the organization.
                    (Some(oat), true) => {
                        let name = format!("OAT {i} of {}", u.username);
                        let creds = vec![schema.clone(), field("identifier", &u.username), field("secret", oat)];
                        let sample = auth_body(&u.username, oat);
                        self.token_stub(format!("{}/oat-{i}", u.username), name, creds, &c.family, &sample);
                        let other = auth_body("someoneelse", oat);
                        self.case(
                            Case::post(
                                format!("auth/token OAT {i} of {} for another org", u.username),
                                AUTH_TOKEN,
                                other,
                            )
                            .expect(401, JSON, wrong_secret_body()),
                        );
                    }
                }
            }
        }
        self.stub(Stub::new(
            "auth-token/wrong-credentials",
            "auth/token: wrong credentials",
            priority::WRONG_CREDENTIALS,
            Request::post(Url::path(AUTH_TOKEN)).body(schema),
            wrong_secret(),
        ));
        self.case(Case::post("auth/token unknown identifier", AUTH_TOKEN, auth_body("nobody", "x")).expect(
            401,
            JSON,
            wrong_secret_body(),
        ));
        self.stub(Stub::new(
            "auth-token/method-not-allowed",
            "auth/token: method not allowed",
            priority::METHOD_NOT_ALLOWED,
            Request::any(Url::path(AUTH_TOKEN)),
            Response::detail(405, METHOD_NOT_ALLOWED).header("Allow", "POST, OPTIONS"),
        ));
        self.case(Case::get("auth/token with GET", AUTH_TOKEN).expect_detail(405, METHOD_NOT_ALLOWED));
    }

    /// Every credential's token works as a bearer like a login token: on the analytics root
    /// and, for members, on the proxylytics report catalogue.
    pub(super) fn tokens_as_bearer(&mut self) {
        let users = self.model.world.users.clone();
        for u in &users {
            let names: Vec<&str> = u.namespaces.iter().map(|&i| self.model.world.namespaces[i].name.as_str()).collect();
            let root = json!({ "namespaces": names }).to_string();
            for (i, c) in u.credentials.iter().enumerate() {
                let token = c.family.sample(self.model.world.config.as_of, AUTH_TOKEN_LIFETIME);
                let what = format!("{} credential {i}", u.username);
                self.case(
                    Case::get(format!("GET / with a token of {what}"), format!("{ANALYTICS}/")).bearer(&token).expect(
                        200,
                        JSON,
                        root.clone(),
                    ),
                );
                if let Some(&ns) = u.namespaces.first() {
                    let name = &self.model.world.namespaces[ns].name;
                    let path = format!("{PROXY}/namespaces/{name}/reports");
                    let catalogue = String::from_utf8(self.file_body(&format!("{JSON_DIR}/{name}/reports.json")))
                        .expect("JSON is UTF-8");
                    self.case(
                        Case::get(format!("report catalogue of {name} with a token of {what}"), path)
                            .bearer(&token)
                            .expect_template(200, JSON, catalogue),
                    );
                }
            }
        }
    }

    /// After [`LOCKOUT_AFTER`] failed logins (on either route) a username gets 429 on both,
    /// whatever the secret, until the scenarios are reset.
    pub(super) fn login_lockout(&mut self) {
        let users: Vec<User> = self.model.world.users.iter().filter(|u| !u.organization).cloned().collect();
        let schema = Matcher::json_schema(SCHEMA);
        for u in &users {
            let scenario = lockout_scenario(&u.username);
            let routes = [
                (
                    LOGIN,
                    "login",
                    vec![
                        Matcher::json_path_with("$.username", Matcher::equal_to(&u.username)),
                        Matcher::json_path("$.password"),
                    ],
                    Response::detail(401, BAD_CREDENTIALS),
                ),
                (
                    AUTH_TOKEN,
                    "auth-token",
                    vec![schema.clone(), Matcher::json_path_with("$.identifier", Matcher::equal_to(&u.username))],
                    wrong_secret(),
                ),
            ];
            for (path, short, who, failed) in routes {
                let mut locked = Stub::new(
                    format!("{short}/{}/locked-out", u.username),
                    format!(
                        "{}: {} locked out after {LOCKOUT_AFTER} failed logins",
                        short.replace('-', "/"),
                        u.username
                    ),
                    priority::LOCKED_OUT,
                    Request::post(Url::path(path)).body_patterns(who.clone()).header(FAULT_HEADER, Matcher::Absent),
                    too_many_requests(LOCKOUT_SECONDS, LOCKED_DETAIL),
                );
                locked.scenario = Some((scenario.clone(), lockout_state(LOCKOUT_AFTER)));
                self.stub(locked);
                for k in 0..LOCKOUT_AFTER {
                    let mut s = Stub::new(
                        format!("{short}/{}/failed-{}", u.username, k + 1),
                        format!("{}: failed login {} of {}", short.replace('-', "/"), k + 1, u.username),
                        priority::FAILED_LOGIN,
                        Request::post(Url::path(path)).body_patterns(who.clone()),
                        failed.clone(),
                    );
                    s.scenario = Some((scenario.clone(), lockout_state(k)));
                    s.new_state = Some(lockout_state(k + 1));
                    self.stub(s);
                }
            }
            // Corpus: lock out through /v2/users/login, see 429 on both routes (even with the
            // right password), unlock, count through /v2/auth/token, unlock.
            let wrong_login = json!({ "username": u.username, "password": "wrong" }).to_string();
            let wrong_auth = auth_body(&u.username, "wrong");
            self.case(Self::unlock(u));
            for k in 1..=LOCKOUT_AFTER {
                self.case(
                    Case::post(format!("login {} failed {k}", u.username), LOGIN, &wrong_login)
                        .expect_detail(401, BAD_CREDENTIALS),
                );
            }
            let right_login = json!({ "username": u.username, "password": u.password }).to_string();
            let right_auth = auth_body(&u.username, &u.password);
            let locked_body = json!({ "detail": LOCKED_DETAIL }).to_string();
            for (path, body) in [(LOGIN, right_login), (AUTH_TOKEN, right_auth)] {
                self.case(
                    Case::post(format!("{path} {} locked out", u.username), path, body)
                        .expect(429, JSON, locked_body.clone())
                        .expect_header("Retry-After", &LOCKOUT_SECONDS.to_string())
                        .expect_header("X-RateLimit-Reset", "*")
                        .expect_header("X-RateLimit-Ip", "*"),
                );
            }
            self.case(Self::unlock(u));
            for k in 1..=LOCKOUT_AFTER {
                self.case(Case::post(format!("auth/token {} failed {k}", u.username), AUTH_TOKEN, &wrong_auth).expect(
                    401,
                    JSON,
                    wrong_secret_body(),
                ));
            }
            self.case(Self::unlock(u));
        }
    }
}

fn wrong_secret_body() -> String {
    json!({ "detail": BAD_CREDENTIALS, "message": BAD_CREDENTIALS }).to_string()
}
