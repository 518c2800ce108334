//! Modern Hub auth on the real jar: tokens minted at request time open the data routes, so do
//! tokens of the same credential issued at any other time, and nothing else does; the 429
//! carries the caller's IP. (Every other variant is a corpus case, replayed in standalone.rs.)
use serde_json::Value;

use crate::support::{self, wiremock::WireMock};
use dvp_mock::dvp_api::{ANALYTICS, FAULT_HEADER, PROXY};
use dvp_mock::engine::jwt::{AUTH_TOKEN_LIFETIME, LOGIN_TOKEN_LIFETIME};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn post_json(wm: &WireMock, path: &str, body: &str) -> Value {
    let r = wm.request("POST", path, &[("Content-Type", "application/json")], Some(body.as_bytes()));
    assert_eq!(r.status, 200, "{path}: {}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

fn claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn get(wm: &WireMock, path: &str, token: &str) -> (u16, String) {
    let auth = format!("Bearer {token}");
    let r = wm.request("GET", path, &[("Authorization", &auth)], None);
    (r.status, r.text())
}

#[test]
fn tokens_minted_at_request_time_open_the_data_routes_whatever_their_iat() {
    let wm = support::default_wiremock();
    let world = &support::default_model().world;
    let demo = world.users.iter().find(|u| u.username == "demo").unwrap();
    let acme = world.users.iter().find(|u| u.organization && u.username == "acme").unwrap();
    let root = format!("{ANALYTICS}/");

    // A PAT with any identifier: a 10-minute token of the observed layout, issued now.
    let pat = demo.credentials[1].secret.clone().unwrap();
    let v = post_json(&wm, "/v2/auth/token", &format!(r#"{{"identifier":"whoever","secret":"{pat}"}}"#));
    let token = v["access_token"].as_str().unwrap().to_string();
    let c = claims(&token);
    let iat = c["iat"].as_i64().unwrap();
    assert!((iat - now()).abs() < 120, "iat {iat} is not the request time");
    assert_eq!(c["exp"].as_i64().unwrap() - iat, AUTH_TOKEN_LIFETIME as i64);
    assert_eq!(c["aud"], "https://hub.docker.com");
    assert_eq!(c["iss"], "https://api.docker.com/");
    assert_eq!(c["https://hub.docker.com"]["username"], "demo");
    assert!(c["https://hub.docker.com"]["source"].as_str().unwrap().starts_with("docker_pat|"));
    assert_eq!(get(&wm, &root, &token), (200, r#"{"namespaces":["acme","betalabs"]}"#.into()));
    // Two requests a second apart get different tokens (jti), both valid.
    let again = post_json(&wm, "/v2/auth/token", &format!(r#"{{"identifier":"x","secret":"{pat}"}}"#));
    assert_ne!(again["access_token"].as_str().unwrap(), token);

    // The same credential's tokens from any other time are accepted too; a changed tail is not.
    let family = &demo.credentials[1].family;
    for iat in [1_600_000_000, 1_900_000_000, 4_000_000_000] {
        let t = family.token(iat, AUTH_TOKEN_LIFETIME, "00000000-0000-4000-8000-000000000000");
        assert_eq!(get(&wm, &root, &t).0, 200, "iat {iat}");
    }
    let forged = format!("{}x", &token[..token.len() - 1]);
    assert_eq!(get(&wm, &root, &forged).0, 401);

    // The login route's token: same layout, the inferred lifetime.
    let v = post_json(&wm, "/v2/users/login", r#"{"username":"demo","password":"demo"}"#);
    let login = v["token"].as_str().unwrap();
    let c = claims(login);
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), LOGIN_TOKEN_LIFETIME as i64);
    assert!(c["https://hub.docker.com"]["source"].as_str().unwrap().starts_with("docker_password|"));
    assert_eq!(get(&wm, &root, login).0, 200);

    // An OAT's token sees its organization only.
    let oat = acme.credentials[0].secret.clone().unwrap();
    let v = post_json(&wm, "/v2/auth/token", &format!(r#"{{"identifier":"acme","secret":"{oat}"}}"#));
    let org = v["access_token"].as_str().unwrap();
    assert_eq!(get(&wm, &root, org), (200, r#"{"namespaces":["acme"]}"#.into()));
    assert_eq!(get(&wm, &format!("{PROXY}/namespaces/acme/reports"), org).0, 200);
    assert_eq!(get(&wm, &format!("{PROXY}/namespaces/betalabs/reports"), org).0, 404);

    // The 429 names the caller's IP (the forwarded one when a proxy says so).
    for (extra, ip) in [(None, "127.0.0.1"), (Some(("X-Forwarded-For", "203.0.113.9")), "203.0.113.9")] {
        let mut headers = vec![(FAULT_HEADER, "rate-limit")];
        headers.extend(extra);
        let r = wm.request("GET", &root, &headers, None);
        assert_eq!(r.status, 429);
        assert_eq!(r.header("X-RateLimit-Ip"), Some(ip));
        assert_eq!(r.header("Content-Type"), Some("application/json"));
        let reset: i64 = r.header("X-RateLimit-Reset").unwrap().parse().unwrap();
        assert!((reset - now() - 60).abs() < 120, "reset {reset} is not about a minute ahead");
    }
}
