//! Deterministic JWT-shaped tokens (three base64url parts), one per (user, purpose).
//!
//! The mock never verifies signatures; it matches the exact token strings it issued. Claims use
//! `as_of` (never the wall clock) so the same config gives the same tokens.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use rand::RngCore;

use crate::rng;

/// A token for `username` and `purpose` (`access`, `refresh`, `login_2fa`).
pub fn token(seed: u64, as_of: NaiveDate, username: &str, purpose: &str) -> String {
    let iat = as_of.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
    let mut s = rng::stream(seed, &["jwt", username, purpose]);
    let jti = rng::hex(&mut s, 16);
    let header = r#"{"alg":"RS256","kid":"dvp-mock","typ":"JWT"}"#;
    let payload = format!(
        r#"{{"iss":"https://hub.docker.com","sub":"{}","username":"{username}","purpose":"{purpose}","iat":{iat},"exp":{},"jti":"{jti}"}}"#,
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("dvp-mock:user:{username}").as_bytes()),
        iat + 30 * 24 * 3600,
    );
    let mut sig = [0u8; 64];
    s.fill_bytes(&mut sig);
    format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(sig))
}
