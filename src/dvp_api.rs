//! The API's vocabulary, named once: roots and paths, error messages, content types, query
//! values and stub priorities. The routes build their stubs with it, the corpus its expected
//! answers (which `verify` replays) and the preview page its links; nothing here depends on
//! a later stage.
use crate::bodies::{Dataview, Group, PERIODS};
use crate::engine::calendar::Granularity;

/// Root of the legacy analytics v1 API (bearer token from `/v2/users/login`).
pub const ANALYTICS: &str = "/api/publisher/analytics/v1";
/// Root of the proxylytics (DVP Core) API.
pub const PROXY: &str = "/api/publisher/proxylytics/v1";
/// Signed-storage prefix of export parts.
pub const EXPORT_DL: &str = "/dvp-exports";
/// Signed-storage prefix of report CSVs.
pub const REPORT_DL: &str = "/dvp-reports";
/// Docker Hub login endpoints.
pub(crate) const LOGIN: &str = "/v2/users/login";
pub(crate) const LOGIN_2FA: &str = "/v2/users/2fa-login";
/// The current Hub login (PAT, OAT or password; FACTS 13.1).
pub(crate) const AUTH_TOKEN: &str = "/v2/auth/token";
/// Every Hub v2 route (faults reach all of them).
pub(crate) const V2: &str = "/v2";
/// Request header that asks for a fault on one request.
pub const FAULT_HEADER: &str = "X-Mock-Fault";
/// WireMock scenario that switches a fault on for a whole run.
pub const FAULT_SCENARIO: &str = "dvp-faults";
/// Most repositories one `/repos/pulls` request may name.
pub(crate) const MAX_REPOS: usize = 50;

/// A root of the Data API: both serve the same pull series; analytics needs a token for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Root {
    /// `/api/publisher/analytics/v1`, the documented root.
    Analytics,
    /// `/api/publisher/proxylytics/v1`, the undocumented root (pull series without a token).
    Proxylytics,
}

impl Root {
    pub(crate) const ALL: [Root; 2] = [Root::Analytics, Root::Proxylytics];

    pub(crate) fn path(self) -> &'static str {
        match self {
            Root::Analytics => ANALYTICS,
            Root::Proxylytics => PROXY,
        }
    }

    /// Stub keys and names start with it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Root::Analytics => "analytics",
            Root::Proxylytics => "proxylytics",
        }
    }

    /// Whether the pull series under this root need a bearer token (INFERRED: proxylytics
    /// series are public, as the public Hub pages show them).
    pub(crate) fn series_need_token(self) -> bool {
        self == Root::Analytics
    }
}

// Messages.
pub(crate) const MFA_DETAIL: &str = "Require secondary authentication on MFA enabled account";
pub(crate) const BAD_CREDENTIALS: &str = "Incorrect authentication credentials";
pub(crate) const UNAUTHENTICATED: &str = "Authentication credentials were not provided.";
/// A raw PAT or OAT as the bearer (observed body, FACTS 13.2).
pub(crate) const RAW_TOKEN_REJECTED: &str = r#"{"message":"unauthorized","errinfo":{}}"#;
/// Any path nothing else answers (observed for unknown `/v2` routes, FACTS 13.2).
pub(crate) const PAGE_NOT_FOUND: &str = r#"{"message":"404: Page Not Found"}"#;
pub(crate) const NS_404: &str = "Not found - namespace doesn't exist or user does not have permission to access it";
pub(crate) const REPO_404: &str = "Not found - repo doesn't exist or user does not have permission to access it";
pub(crate) const NOT_FOUND: &str = "Not Found";
pub(crate) const METHOD_NOT_ALLOWED: &str = "Method not allowed.";
pub(crate) const SIGNATURE_MISMATCH: (&str, &str) =
    ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
pub(crate) const LINK_EXPIRED: (&str, &str) = ("AccessDenied", "Request has expired");
/// `WWW-Authenticate` of every 401.
pub(crate) const BEARER_REALM: &str = "Bearer realm=\"https://hub.docker.com\"";

// Content types.
pub(crate) const JSON: &str = "application/json";
pub(crate) const CSV: &str = "text/csv; charset=utf-8";
pub(crate) const XML: &str = "application/xml";
pub(crate) const HTML: &str = "text/html";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";

/// The `timespan` values in query order, as a regex alternation (`weeks|months`).
pub(crate) fn timespan_alternatives() -> String {
    query_values("timespan").join("|")
}

/// The index WireMock's `request.pathSegments` gives the segment `after` segments past the
/// end of `root` (e.g. the repository of `{root}/namespaces/{ns}/repos/{repo}` is at 3).
pub(crate) fn segment_after(root: &str, after: usize) -> usize {
    root.split('/').filter(|s| !s.is_empty()).count() + after
}

/// The `period` value of `months`.
pub(crate) fn period_value(months: u32) -> String {
    format!("last-{months}-months")
}

/// "expected one of a, b" for a validation message.
pub(crate) fn one_of<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    let v: Vec<String> = values.into_iter().map(|s| s.as_ref().to_string()).collect();
    format!("expected one of {}", v.join(", "))
}

/// The valid values of a validated query parameter, in query order.
pub(crate) fn query_values(param: &str) -> Vec<String> {
    match param {
        "timespan" => Granularity::ALL.map(|g| g.api().to_string()).to_vec(),
        "period" => PERIODS.iter().map(|m| period_value(*m)).collect(),
        "group" => [Group::Repo, Group::Namespace].map(|g| g.api().to_string()).to_vec(),
        _ => unreachable!("no other query parameter is validated"),
    }
}

/// The query parameters the guards validate.
pub(crate) const VALIDATED_QUERY: [&str; 3] = ["timespan", "period", "group"];

/// The timespans as messages list them (alphabetically).
pub(crate) fn timespans_listed() -> Vec<String> {
    let mut t = query_values("timespan");
    t.sort();
    t
}

/// The message of an invalid query parameter `param`, listing its values.
pub(crate) fn invalid_query(param: &str) -> String {
    let values = if param == "timespan" { timespans_listed() } else { query_values(param) };
    format!("Invalid value for '{param}': {}", one_of(values))
}

/// The message of an invalid `dataview` path segment.
pub(crate) fn invalid_dataview() -> String {
    format!("Invalid dataview: {}", one_of(Dataview::ALL.map(Dataview::api)))
}

/// Stub priorities (1 = matched first), the same on every root. Several meanings share a
/// level; the order between levels is what matters. Every fallback (the 400 that needs the
/// success stubs to have missed, 401, 403, 404, 405) ranks below [`priority::USER_DEFAULT`], so
/// a user's own stub beside the mock, at WireMock's default priority, is never shadowed by one.
///
/// The levels are also what a request costs: WireMock tries the stubs one by one in priority
/// order for every request (in a standalone tree the order within a level is the file
/// system's, so only levels order anything), and a stub met on the way costs even when it
/// misses (`benches/serve.sh`, docs/performance-serving.md). So the success stubs, which are
/// disjoint, come first: the few stubs of the common requests, then the families of many
/// stubs (pull series per file, report links), then the `/repos/pulls` templates. Guards come
/// before a success only where that success would accept the bad value. Then what a client
/// sends rarely: the HEAD twins (which never answer a GET), the logins (once per session),
/// and the faults, after everything the fault gate closes (`routes/faults.rs`) and before
/// every fallback.
pub mod priority {
    /// WireMock's priority of a stub that sets none (a user's own stubs, typically).
    pub const USER_DEFAULT: u32 = 5;
    /// Successes of the common requests, first: discovery, namespace metadata, export years,
    /// periods and listings, catalogues, signed downloads (fresh and expired links are
    /// disjoint).
    pub(crate) const SUCCESS: u32 = 1;
    pub(crate) const SPECIFIC: u32 = 1;
    pub(crate) const EXPIRED: u32 = 1;
    /// Guards that must meet a request before a success that would accept the bad value
    /// (`/repos/pulls` names and count; a few cheap stubs, disjoint from the successes above).
    pub(crate) const GUARD: u32 = 1;
    /// Families of many stubs: the pull series (one stub per body file) and the report links.
    pub(crate) const SERIES: u32 = 2;
    /// `/repos/pulls`, one template per caller, timespan and period: after the pull series,
    /// which are asked for more often and cost less to answer.
    pub(crate) const REPOS_PULLS: u32 = 3;
    /// A username locked out after failed logins (429), and a malformed `/v2/auth/token` body
    /// (400): before the login successes, which a client sends once per session.
    pub(crate) const LOCKED_OUT: u32 = 3;
    pub(crate) const LOGIN_GUARD: u32 = 3;
    /// The HEAD twins of the common successes and guards (before the HEAD twin of the
    /// `/repos/pulls` those guards protect).
    pub(crate) const HEAD_GUARD: u32 = 3;
    /// Logins and tokens (`/v2/users/login`, `/v2/users/2fa-login`, `/v2/auth/token`).
    /// The HEAD twins of the series and of `/repos/pulls` share this level with them.
    pub(crate) const LOGIN: u32 = 4;
    /// Faults on demand, after every stub the fault gate closes (they refuse a fault
    /// request), before the fallbacks and a user's own stubs. The HEAD twins of the series
    /// share the level: behind the same gate, the two never both match.
    pub const FAULT: u32 = 4;
    pub(crate) const HEAD: u32 = 4;
    /// Parameter validation that needs the success stubs to have missed (400), and storage
    /// requests with a bad signature (403).
    pub(crate) const VALIDATION: u32 = USER_DEFAULT + 1;
    pub(crate) const BAD_SIGNATURE: u32 = USER_DEFAULT + 1;
    /// `/repos/pulls` without `repos` (400): after the guards of the other parameters, which
    /// share its path.
    pub(crate) const REPOS_MISSING: u32 = USER_DEFAULT + 2;
    /// Namespace-member fallbacks (404): an unknown repository, then any other path.
    pub(crate) const UNKNOWN_REPO: u32 = USER_DEFAULT + 2;
    pub(crate) const MEMBER_NOT_FOUND: u32 = USER_DEFAULT + 3;
    /// Well-formed login with wrong credentials (401).
    pub(crate) const WRONG_CREDENTIALS: u32 = USER_DEFAULT + 3;
    /// Unknown or invisible namespace (404).
    pub(crate) const NAMESPACE_NOT_FOUND: u32 = USER_DEFAULT + 4;
    /// Malformed login body (400).
    pub(crate) const MALFORMED: u32 = USER_DEFAULT + 5;
    /// Unknown path with a valid token (404).
    pub(crate) const UNKNOWN_PATH: u32 = USER_DEFAULT + 7;
    pub(crate) const METHOD_NOT_ALLOWED: u32 = USER_DEFAULT + 8;
    /// No valid token (401): a personal access token or none, then anything else.
    pub(crate) const NO_CREDENTIALS: u32 = USER_DEFAULT + 9;
    pub(crate) const BAD_CREDENTIALS: u32 = USER_DEFAULT + 10;
    /// A failed login of a known username, counted towards its lockout (401): before the
    /// other wrong credentials.
    pub(crate) const FAILED_LOGIN: u32 = USER_DEFAULT + 2;
    /// Any other path under `/api` (the API's own 404), then any request nothing above
    /// answered, anywhere on the host (the Hub's JSON 404).
    pub(crate) const API_FALLBACK: u32 = USER_DEFAULT + 14;
    pub(crate) const HOST_FALLBACK: u32 = USER_DEFAULT + 15;

    /// The priority of the HEAD twin of a GET stub at `get`: after every GET success (a GET
    /// request never meets one before its own stub), in the same order among the twins as
    /// among their GET stubs; fallbacks keep theirs.
    pub(crate) fn head_twin(get: u32) -> u32 {
        match get {
            SUCCESS => HEAD_GUARD,
            SERIES | REPOS_PULLS => HEAD,
            p => p,
        }
    }
}

/// The reserved path where the mock serves its fingerprint (how it was made; `verify` reads it
/// first). The DVP API does not use it.
pub const FINGERPRINT: &str = "/__dvp-mock/fingerprint";
