//! Docker Hub access tokens as the mock issues them: JWTs with the claim layout observed in a
//! real `/v2/auth/token` token (FACTS 13.1), minted by WireMock at request time.
//!
//! A token is `H.P.G`: header, payload and signature, each base64url without padding. The
//! payload puts the only claims that change per request (`iat`, `exp`, `jti`) together, and
//! everything before and after them is cut at 3-byte boundaries, so the base64 of a payload is
//! `prefix + middle + suffix` where only the middle (fixed length) changes:
//!
//! ```text
//! {"aud":"https://hub.docker.com","iss":"https://api.docker.com/","iat":1773792000,"exp":...,"jti":"<uuid>","scope":...,"https://hub.docker.com":{...}}
//! |<-------------- prefix: the same for every token ---------->|<-- middle: per request -->|<-- suffix: per credential -->|
//! ```
//!
//! A [`Family`] is every token one credential (a password, a PAT, an OAT) ever yields: the
//! header and prefix are shared by all families, the suffix is the family's own, and the
//! signature is fixed per principal (INFERRED: nobody outside Docker can check it). The data
//! routes recognise a principal's tokens by the head and the signature, whatever the middle:
//! the mapping files hold only the template and the regex, so they stay byte-identical for a
//! config and seed, while each token carries the wall-clock `iat` of its request.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDate;
use rand::RngCore;

use crate::engine::rng;

/// Lifetime of a `/v2/auth/token` access token: 10 minutes (observed, FACTS 13.1).
pub const AUTH_TOKEN_LIFETIME: u64 = 600;
/// INFERRED: lifetime of a `/v2/users/login` token. Today's value is unknown; one month is
/// the last one seen (2017), and a client that caches the token then never sees it expire
/// during a run.
pub const LOGIN_TOKEN_LIFETIME: u64 = 30 * 24 * 3600;
/// INFERRED: `alg` ES256 (64-byte signatures keep the bearer matchers short).
const SIGNATURE_BYTES: usize = 64;
const HEADER: &str = r#"{"alg":"ES256","kid":"dvp-mock","typ":"JWT"}"#;
/// The payload up to the first claim that changes per request.
const BEFORE: &str = r#"{"aud":"https://hub.docker.com","iss":"https://api.docker.com/","iat":"#;
/// Base64url characters of a token's changing middle.
pub(crate) const MIDDLE_CLASS: &str = "[A-Za-z0-9_-]";

/// What a credential is; fixes the `source` and `scope` claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Password,
    PersonalAccessToken,
    OrganizationAccessToken,
}

impl Source {
    /// The `source` claim's kind (`docker_pat|<uuid>` was observed; the others follow it).
    fn kind(self) -> &'static str {
        match self {
            Source::Password => "docker_password",
            Source::PersonalAccessToken => "docker_pat",
            Source::OrganizationAccessToken => "docker_oat",
        }
    }

    /// INFERRED: the `scope` claim. `repo:public_read` is the observed example (a read-only
    /// PAT); a password login gets the full account scope.
    pub(crate) fn scope(self) -> &'static str {
        match self {
            Source::Password => "repo:admin",
            Source::PersonalAccessToken | Source::OrganizationAccessToken => "repo:public_read",
        }
    }
}

/// The principal a token speaks for.
#[derive(Debug, Clone)]
pub(crate) struct Principal<'a> {
    /// Docker ID, or the organization name for an OAT.
    pub(crate) username: &'a str,
    /// Key of the credential among the principal's (e.g. `password`, `pat/0`): seeds its
    /// session id, signature and sample `jti`.
    pub(crate) credential: &'a str,
    pub(crate) source: Source,
}

/// Every token one credential yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    /// Base64url of the payload after the middle, then `.` and the signature.
    tail: String,
    /// A deterministic `jti` for [`Family::sample`].
    sample_jti: String,
}

/// The fixed parts of the layout: (`H.P`, middle text before `iat`, middle text after `jti`).
struct Layout {
    head: String,
    pre: &'static str,
    post: &'static str,
}

/// `"<10-digit iat>,"exp":<10 digits>,"jti":"<36-char uuid>` (until the year 2286).
const VARIABLE_LEN: usize = 10 + 7 + 10 + 8 + 36;

fn layout() -> Layout {
    let cut = BEFORE.len() / 3 * 3;
    let pre = &BEFORE[cut..];
    // The payload after the jti always starts `","scope":"`; take what aligns the middle.
    let post = &"\",\"scope\""[..(3 - (pre.len() + VARIABLE_LEN) % 3) % 3];
    let head = format!("{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(&BEFORE[..cut]));
    Layout { head, pre, post }
}

/// Length of the changing middle in base64url characters.
pub fn middle_len() -> usize {
    let l = layout();
    (l.pre.len() + VARIABLE_LEN + l.post.len()) / 3 * 4
}

/// What the changing middle of every token encodes around `iat`, `exp` and `jti`: the end of
/// the payload's fixed start and the start of its fixed end, so that the middle is whole
/// base64 groups (`pre{iat},"exp":{exp},"jti":"{jti}post`).
pub(crate) fn middle_affixes() -> (&'static str, &'static str) {
    let l = layout();
    (l.pre, l.post)
}

/// `H.P`: what every token the mock issues starts with.
pub fn head() -> String {
    layout().head
}

fn uuid_from(s: &mut rng::Stream) -> String {
    let mut b = [0u8; 16];
    s.fill_bytes(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// The signature of every token of `username`, base64url.
fn signature(seed: u64, username: &str) -> String {
    let mut sig = [0u8; SIGNATURE_BYTES];
    rng::stream(seed, &["jwt-signature", username]).fill_bytes(&mut sig);
    URL_SAFE_NO_PAD.encode(sig)
}

/// The stable UUID of a principal (`uuid` claim).
pub(crate) fn principal_uuid(username: &str) -> uuid::Uuid {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, format!("dvp-mock:user:{username}").as_bytes())
}

impl Family {
    pub(crate) fn new(seed: u64, p: &Principal) -> Family {
        let mut s = rng::stream(seed, &["jwt-family", p.username, p.credential]);
        let session_id = uuid_from(&mut s);
        let source_id = uuid_from(&mut s);
        let sample_jti = uuid_from(&mut s);
        let uuid = principal_uuid(p.username);
        // INFERRED: e-mail address, and `roles` (empty: a token sees what its principal's
        // namespace memberships allow, nothing role-based).
        let rest = format!(
            r#":"{}","https://hub.docker.com":{{"username":"{}","uuid":"{uuid}","email":"{}@example.com","session_id":"{session_id}","roles":[],"source":"{}|{source_id}"}}}}"#,
            p.source.scope(),
            p.username,
            p.username,
            p.source.kind(),
        );
        let l = layout();
        // `rest` continues `","scope"` after the part the middle holds.
        let after = format!("{}{rest}", &"\",\"scope\""[l.post.len()..]);
        Family { tail: format!("{}.{}", URL_SAFE_NO_PAD.encode(after), signature(seed, p.username)), sample_jti }
    }

    /// A concrete token of this family issued at `iat`.
    pub fn token(&self, iat: i64, lifetime: u64, jti: &str) -> String {
        let l = layout();
        let middle = format!("{}{iat},\"exp\":{},\"jti\":\"{jti}{}", l.pre, iat + lifetime as i64, l.post);
        assert_eq!(middle.len() % 3, 0, "iat and exp have ten digits, jti is a UUID");
        format!("{}{}{}", l.head, URL_SAFE_NO_PAD.encode(middle), self.tail)
    }

    /// The family's sample token: issued at midnight of `as_of` (docs and the corpus use it;
    /// the data routes accept it like any other token of the family).
    pub(crate) fn sample(&self, as_of: NaiveDate, lifetime: u64) -> String {
        let iat = as_of.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
        self.token(iat, lifetime, &self.sample_jti)
    }

    /// The part after the middle (`S.G`), as it appears in every token of the family.
    pub(crate) fn tail(&self) -> &str {
        &self.tail
    }

    /// The signature (`G`), the same for every family of the principal.
    pub(crate) fn signature(&self) -> &str {
        self.tail.rsplit('.').next().expect("a tail ends with the signature")
    }
}

/// `(iat, exp)` of a token in the mock's layout, or `None` if it is not one.
pub(crate) fn times(token: &str) -> Option<(i64, i64)> {
    let payload = token.split('.').nth(1)?;
    let bytes = URL_SAFE_NO_PAD.decode(payload).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    Some((v["iat"].as_i64()?, v["exp"].as_i64()?))
}

/// A token for `username` and `purpose` (`refresh`, `login_2fa`): opaque to clients, fixed per
/// config (the mock matches these exact strings).
pub(crate) fn token(seed: u64, as_of: NaiveDate, username: &str, purpose: &str) -> String {
    let iat = as_of.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc().timestamp();
    let mut s = rng::stream(seed, &["jwt", username, purpose]);
    let jti = rng::hex(&mut s, 16);
    let payload = format!(
        r#"{{"iss":"https://hub.docker.com","sub":"{}","username":"{username}","purpose":"{purpose}","iat":{iat},"exp":{},"jti":"{jti}"}}"#,
        principal_uuid(username),
        iat + 30 * 24 * 3600,
    );
    let mut sig = [0u8; 64];
    s.fill_bytes(&mut sig);
    format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(HEADER), URL_SAFE_NO_PAD.encode(payload), URL_SAFE_NO_PAD.encode(sig))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `aud` of every token.
    const AUDIENCE: &str = "https://hub.docker.com";
    /// `iss` of every token.
    const ISSUER: &str = "https://api.docker.com/";

    fn family(source: Source) -> Family {
        Family::new(42, &Principal { username: "demo", credential: "password", source })
    }

    #[test]
    fn a_token_is_head_middle_tail_and_decodes_to_the_observed_claims() {
        let f = family(Source::PersonalAccessToken);
        let t = f.token(1_773_792_000, AUTH_TOKEN_LIFETIME, "0a1b2c3d-0000-4000-8000-000000000000");
        assert!(t.starts_with(&head()) && t.ends_with(f.tail()));
        assert_eq!(t.len(), head().len() + middle_len() + f.tail().len());
        let payload = URL_SAFE_NO_PAD.decode(t.split('.').nth(1).unwrap()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&payload).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["aud", "iss", "iat", "exp", "jti", "scope", "https://hub.docker.com"]);
        assert_eq!(v["aud"], AUDIENCE);
        assert_eq!(v["iss"], ISSUER);
        assert_eq!(v["exp"].as_i64().unwrap() - v["iat"].as_i64().unwrap(), 600);
        assert_eq!(v["scope"], "repo:public_read");
        let hub = &v["https://hub.docker.com"];
        let keys: Vec<&str> = hub.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["username", "uuid", "email", "session_id", "roles", "source"]);
        assert!(hub["source"].as_str().unwrap().starts_with("docker_pat|"));
        assert_eq!(times(&t), Some((1_773_792_000, 1_773_792_600)));
    }

    #[test]
    fn tokens_of_one_family_differ_only_in_the_middle() {
        let f = family(Source::Password);
        let a = f.token(1_773_792_000, 600, "0a1b2c3d-0000-4000-8000-000000000000");
        let b = f.token(1_999_999_999, 60, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let (h, m) = (head().len(), middle_len());
        assert_eq!(a[..h], b[..h]);
        assert_eq!(a[h + m..], b[h + m..]);
        assert_ne!(a[h..h + m], b[h..h + m]);
        assert_ne!(family(Source::PersonalAccessToken).tail(), f.tail());
        assert_eq!(family(Source::PersonalAccessToken).signature(), f.signature());
    }
}
