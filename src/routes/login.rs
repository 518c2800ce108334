//! Login and token: `POST /v2/users/login`, the 2FA second step, and the rest of `/v2/users`.
use serde_json::{json, Value};

use super::api::{
    priority, BAD_CREDENTIALS, BEARER_REALM, JSON, LOGIN, LOGIN_2FA, METHOD_NOT_ALLOWED, MFA_DETAIL, NOT_FOUND, USERS,
};
use super::Builder;
use crate::corpus::Case;
use crate::wiremock::{regex_escape, Response, Stub};
use crate::world::User;

impl Builder<'_> {
    pub(super) fn login(&mut self) {
        let users = self.model.world.users.clone();
        for u in &users {
            let creds = json!([
                { "matchesJsonPath": { "expression": "$.username", "equalTo": u.username } },
                { "matchesJsonPath": { "expression": "$.password", "equalTo": u.password } }
            ]);
            let body = json!({ "username": u.username, "password": u.password }).to_string();
            match (&u.totp, &u.login_2fa_token) {
                (Some(code), Some(t2)) => {
                    let challenge = json!({ "detail": MFA_DETAIL, "login_2fa_token": t2 });
                    self.stub(Stub::new(
                        format!("login/{}/2fa-challenge", u.username),
                        format!("login: {} needs a second factor", u.username),
                        priority::SUCCESS,
                        json!({ "method": "POST", "urlPath": LOGIN, "bodyPatterns": creds }),
                        Response::json(401, &challenge).header("WWW-Authenticate", BEARER_REALM),
                    ));
                    self.case(Case::post(format!("login {} (2FA challenge)", u.username), LOGIN, &body).expect(
                        401,
                        JSON,
                        challenge.to_string(),
                    ));
                    let second = json!([
                        { "matchesJsonPath": { "expression": "$.login_2fa_token", "equalTo": t2 } },
                        { "matchesJsonPath": { "expression": "$.code", "matches": format!("^{code}$") } }
                    ]);
                    let body2 = json!({ "login_2fa_token": t2, "code": code }).to_string();
                    self.login_success(u, LOGIN_2FA, second, &body2);
                    let wrong = json!({ "login_2fa_token": t2, "code": "000000" }).to_string();
                    self.case(
                        Case::post(format!("2fa-login {} wrong code", u.username), LOGIN_2FA, wrong)
                            .expect_detail(401, BAD_CREDENTIALS),
                    );
                }
                _ => self.login_success(u, LOGIN, creds, &body),
            }
        }
        // Generic answers: well-formed but wrong credentials, then malformed bodies.
        for (path, fields) in [(LOGIN, ["username", "password"]), (LOGIN_2FA, ["login_2fa_token", "code"])] {
            let short = path.trim_start_matches("/v2/users/");
            self.stub(Stub::new(
                format!("{short}/wrong-credentials"),
                format!("{short}: wrong credentials"),
                priority::WRONG_CREDENTIALS,
                json!({ "method": "POST", "urlPath": path, "bodyPatterns": [
                    { "matchesJsonPath": format!("$.{}", fields[0]) },
                    { "matchesJsonPath": format!("$.{}", fields[1]) }
                ]}),
                Response::detail(401, BAD_CREDENTIALS),
            ));
            let detail =
                format!("Invalid request: a JSON body with \"{}\" and \"{}\" is required", fields[0], fields[1]);
            self.stub(Stub::new(
                format!("{short}/bad-request"),
                format!("{short}: malformed body"),
                priority::MALFORMED,
                json!({ "method": "POST", "urlPath": path }),
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
                json!({ "method": "ANY", "urlPath": path }),
                Response::detail(405, METHOD_NOT_ALLOWED).header("Allow", "POST, OPTIONS"),
            ));
            self.case(Case::get(format!("{short} with GET"), path).expect_detail(405, METHOD_NOT_ALLOWED));
        }
        self.case(
            Case::post("login wrong password", LOGIN, r#"{"username":"demo","password":"wrong"}"#)
                .expect_detail(401, BAD_CREDENTIALS),
        );
        self.stub(Stub::new(
            "users/not-found",
            "v2/users: unknown path",
            priority::USERS_FALLBACK,
            json!({ "method": "ANY", "urlPathPattern": format!("^{}(?:/.*)?$", regex_escape(USERS)) }),
            Response::detail(404, NOT_FOUND),
        ));
        self.case(Case::get("v2/users unknown path", format!("{USERS}/nope")).expect_detail(404, NOT_FOUND));
    }

    fn login_success(&mut self, u: &User, path: &str, body_patterns: Value, body: &str) {
        let short = path.trim_start_matches("/v2/users/");
        let plain = json!({ "token": u.token });
        let refresh = json!({ "token": u.token, "refresh_token": u.refresh_token });
        self.stub(Stub::new(
            format!("{short}/{}/refresh", u.username),
            format!("{short}: {} with refresh_token", u.username),
            priority::SPECIFIC,
            json!({ "method": "POST", "urlPath": path, "queryParameters": { "refresh_token": { "equalTo": "true" } }, "bodyPatterns": body_patterns }),
            Response::json(200, &refresh),
        ));
        self.stub(Stub::new(
            format!("{short}/{}", u.username),
            format!("{short}: {}", u.username),
            priority::SUCCESS,
            json!({ "method": "POST", "urlPath": path, "bodyPatterns": body_patterns }),
            Response::json(200, &plain),
        ));
        self.case(Case::post(format!("{short} {}", u.username), path, body).expect(200, JSON, plain.to_string()));
        self.case(
            Case::post(format!("{short} {} refresh_token", u.username), format!("{path}?refresh_token=true"), body)
                .expect(200, JSON, refresh.to_string()),
        );
    }
}
