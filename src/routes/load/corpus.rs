//! The load profile's corpus: the default corpus minus what the profile drops, with the
//! profile's fixed tokens and links.
use super::fixed::Fixed;
use crate::corpus::{Case, ExpectBody};
use crate::dvp_api::{FAULT_HEADER, LINK_EXPIRED};

/// Why the load profile answers `c` differently from the default tree, if it does: then the
/// case is left out of its corpus. (HEAD cases follow their GET case.)
pub fn dropped(c: &Case) -> Option<&'static str> {
    let expired = format!("<Message>{}</Message>", LINK_EXPIRED.1);
    if c.path.starts_with("/__admin/") {
        Some("no scenarios to reset (no login lockout)")
    } else if c.headers.iter().any(|(k, _)| k == FAULT_HEADER) {
        Some("no faults")
    } else if c.expect.status == 429 {
        Some("no login lockout")
    } else if c.path.contains("X-Amz-Date=20200101")
        || matches!(&c.expect.body, ExpectBody::Bytes(b) if b.ends_with(expired.as_bytes()))
    {
        Some("links do not expire")
    } else if c.path.contains(&format!("X-Amz-Signature={}", "0".repeat(64))) {
        Some("a link's signature is not checked against its file")
    } else {
        None
    }
}

/// The corpus of the load profile built from the default one.
pub fn load_corpus(cases: Vec<Case>, fixed: &Fixed) -> Vec<Case> {
    cases
        .into_iter()
        .filter(|c| dropped(c).is_none())
        .map(|mut c| {
            for (k, v) in &mut c.headers {
                if k == "Authorization" {
                    if let Some(t) = v.strip_prefix("Bearer ").and_then(|t| fixed.token_for_sample(t)) {
                        *v = format!("Bearer {t}");
                    }
                }
            }
            c.expect.body = match std::mem::replace(&mut c.expect.body, ExpectBody::Any) {
                ExpectBody::Bytes(b) if c.path == crate::dvp_api::FINGERPRINT && c.method == "GET" => {
                    ExpectBody::Bytes(super::with_profile(&String::from_utf8_lossy(&b)).into_bytes())
                }
                ExpectBody::Token { before, tail, after, .. } => {
                    let token = fixed.token_for_tail(&tail).expect("every token family has a load token");
                    ExpectBody::Bytes(format!("{before}{token}{after}").into_bytes())
                }
                ExpectBody::Template(t) => ExpectBody::Bytes(fixed.text(&t).into_bytes()),
                other => other,
            };
            c
        })
        .collect()
}
