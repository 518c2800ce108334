//! Login: `POST /v2/users/login` (password, or a PAT as the password) and the 2FA second step.
//! Unknown `/v2` paths are the host fallback's (`not_found.rs`).
use serde_json::json;

use super::{fresh_token, Builder};
use crate::corpus::Case;
use crate::dvp_api::{priority, BAD_CREDENTIALS, BEARER_REALM, JSON, LOGIN, LOGIN_2FA, METHOD_NOT_ALLOWED, MFA_DETAIL};
use crate::engine::jwt::LOGIN_TOKEN_LIFETIME;
use crate::engine::world::{Credential, User};
use crate::wiremock::request::{Matcher, Request, Url};
use crate::wiremock::stub::{Body, Response, Stub};
use crate::wiremock::template::Template;

impl Builder<'_> {
    pub(super) fn login(&mut self) {
        let users: Vec<User> = self.model.world.users.iter().filter(|u| !u.organization).cloned().collect();
        // Failed logins count towards a lockout: every corpus run starts from unlocked accounts.
        for u in &users {
            self.case(Self::unlock(u));
        }
        for u in &users {
            let creds = credentials(&u.username, &u.password);
            let body = json!({ "username": u.username, "password": u.password }).to_string();
            match (&u.totp, &u.login_2fa_token) {
                (Some(code), Some(t2)) => {
                    self.mfa_challenge("login", LOGIN, &u.username, creds, &body, t2);
                    let second = vec![
                        Matcher::json_path_with("$.login_2fa_token", Matcher::equal_to(t2)),
                        Matcher::json_path_with("$.code", Matcher::matches(format!("^{code}$"))),
                    ];
                    let body2 = json!({ "login_2fa_token": t2, "code": code }).to_string();
                    self.login_success(u, LOGIN_2FA, second, &body2, &u.credentials[0], "");
                    let wrong = json!({ "login_2fa_token": t2, "code": "000000" }).to_string();
                    self.case(
                        Case::post(format!("2fa-login {} wrong code", u.username), LOGIN_2FA, wrong)
                            .expect_detail(401, BAD_CREDENTIALS),
                    );
                }
                _ => self.login_success(u, LOGIN, creds, &body, &u.credentials[0], ""),
            }
            // A PAT as the password (what real clients send): no second factor. INFERRED: the
            // username must be the PAT's owner here.
            for (i, c) in u.credentials.iter().enumerate().skip(1) {
                let secret = c.secret.as_deref().expect("PATs follow the password");
                let creds = credentials(&u.username, secret);
                let body = json!({ "username": u.username, "password": secret }).to_string();
                self.login_success(u, LOGIN, creds, &body, c, &format!("/pat-{i}"));
            }
        }
        // Generic answers: well-formed but wrong credentials, then malformed bodies.
        for (path, fields) in [(LOGIN, ["username", "password"]), (LOGIN_2FA, ["login_2fa_token", "code"])] {
            let short = path.trim_start_matches("/v2/users/");
            self.stub(Stub::new(
                format!("{short}/wrong-credentials"),
                format!("{short}: wrong credentials"),
                priority::WRONG_CREDENTIALS,
                Request::post(Url::path(path))
                    .body(Matcher::json_path(format!("$.{}", fields[0])))
                    .body(Matcher::json_path(format!("$.{}", fields[1]))),
                Response::detail(401, BAD_CREDENTIALS),
            ));
            let detail =
                format!("Invalid request: a JSON body with \"{}\" and \"{}\" is required", fields[0], fields[1]);
            self.stub(Stub::new(
                format!("{short}/bad-request"),
                format!("{short}: malformed body"),
                priority::MALFORMED,
                Request::post(Url::path(path)),
                Response::detail(400, &detail),
            ));
            self.case(Case::post(format!("{short} malformed body"), path, "not json").expect_detail(400, &detail));
            self.case(
                Case::post(format!("{short} missing field"), path, format!("{{\"{}\":\"x\"}}", fields[0]))
                    .expect_detail(400, &detail),
            );
            self.stub(Stub::new(
                format!("{short}/method-not-allowed"),
                format!("{short}: method not allowed"),
                priority::METHOD_NOT_ALLOWED,
                Request::any(Url::path(path)),
                Response::detail(405, METHOD_NOT_ALLOWED).header("Allow", "POST, OPTIONS"),
            ));
            self.case(Case::get(format!("{short} with GET"), path).expect_detail(405, METHOD_NOT_ALLOWED));
        }
        self.case(
            Case::post("login wrong password", LOGIN, r#"{"username":"demo","password":"wrong"}"#)
                .expect_detail(401, BAD_CREDENTIALS),
        );
        self.case(
            Case::post("login unknown user", LOGIN, r#"{"username":"nobody","password":"x"}"#)
                .expect_detail(401, BAD_CREDENTIALS),
        );
    }

    /// A password login of an account with 2FA: 401 with the `login_2fa_token` (on `path`,
    /// whose stubs are named `short`).
    pub(super) fn mfa_challenge(
        &mut self,
        short: &str,
        path: &str,
        user: &str,
        creds: Vec<Matcher>,
        body: &str,
        t2: &str,
    ) {
        let challenge = json!({ "detail": MFA_DETAIL, "login_2fa_token": t2 });
        self.stub(Stub::new(
            format!("{short}/{user}/2fa-challenge"),
            format!("{}: {user} needs a second factor", short.replace('-', "/")),
            priority::LOGIN,
            Request::post(Url::path(path)).body_patterns(creds),
            Response::json(401, &challenge).header("WWW-Authenticate", BEARER_REALM),
        ));
        self.case(Case::post(format!("{short} {user} (2FA challenge)",), path, body).expect(
            401,
            JSON,
            challenge.to_string(),
        ));
    }

    /// `{"token": <fresh token of c>}`, with `refresh_token` when the query asks for it. The two
    /// stubs are disjoint (so a lockout, one level above, beats both).
    fn login_success(
        &mut self,
        u: &User,
        path: &str,
        body_patterns: Vec<Matcher>,
        body: &str,
        c: &Credential,
        key: &str,
    ) {
        let short = path.trim_start_matches("/v2/users/");
        let token = fresh_token(&c.family, LOGIN_TOKEN_LIFETIME);
        let refresh_after = format!("\",\"refresh_token\":\"{}\"}}", u.refresh_token);
        for (refresh, query, after) in [
            (true, Matcher::equal_to("true"), refresh_after.as_str()),
            (false, Matcher::does_not_match("^true$"), "\"}"),
        ] {
            let suffix = if refresh { "/refresh" } else { "" };
            self.stub(Stub::new(
                format!("{short}/{}{key}{suffix}", u.username),
                format!("{short}: {}{key}{}", u.username, if refresh { " with refresh_token" } else { "" }),
                priority::LOGIN,
                Request::post(Url::path(path)).query("refresh_token", query).body_patterns(body_patterns.clone()),
                Response::new(
                    200,
                    JSON,
                    Body::Text(Template::new().text("{\"token\":\"").then(&token).text(after).build()),
                )
                .body_templated(),
            ));
            let (name, url) = if refresh {
                (format!("{short} {}{key} refresh_token", u.username), format!("{path}?refresh_token=true"))
            } else {
                (format!("{short} {}{key}", u.username), path.to_string())
            };
            self.case(Case::post(name, url, body).expect_token(
                200,
                "{\"token\":\"",
                &c.family,
                LOGIN_TOKEN_LIFETIME,
                after,
            ));
        }
    }
}

/// The body patterns of a login with `username` and `password` (a password or a PAT).
fn credentials(username: &str, password: &str) -> Vec<Matcher> {
    vec![
        Matcher::json_path_with("$.username", Matcher::equal_to(username)),
        Matcher::json_path_with("$.password", Matcher::equal_to(password)),
    ]
}
