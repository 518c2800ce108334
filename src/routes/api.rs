//! The API's vocabulary, named once: roots and paths, error messages, content types, query
//! values and stub priorities. Every area file reads them from here.
use crate::calendar::Granularity;
use crate::views::{Dataview, Group, PERIODS};

/// Root of the legacy analytics v1 API (bearer token from `/v2/users/login`).
pub const ANALYTICS: &str = "/api/publisher/analytics/v1";
/// Root of the proxylytics (DVP Core) API.
pub const PROXY: &str = "/api/publisher/proxylytics/v1";
/// Signed-storage prefix of export parts.
pub const EXPORT_DL: &str = "/dvp-exports";
/// Signed-storage prefix of report CSVs.
pub const REPORT_DL: &str = "/dvp-reports";
/// Docker Hub login endpoints.
pub const LOGIN: &str = "/v2/users/login";
pub const LOGIN_2FA: &str = "/v2/users/2fa-login";
/// The current Hub login (PAT, OAT or password; FACTS 13.1).
pub const AUTH_TOKEN: &str = "/v2/auth/token";
/// Every Hub v2 route (faults reach all of them).
pub const V2: &str = "/v2";
/// Request header that asks for a fault on one request.
pub const FAULT_HEADER: &str = "X-Mock-Fault";
/// WireMock scenario that switches a fault on for a whole run.
pub const FAULT_SCENARIO: &str = "dvp-faults";
/// Most repositories one `/repos/pulls` request may name.
pub const MAX_REPOS: usize = 50;

/// A root of the Data API: both serve the same pull series; analytics needs a token for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Analytics,
    Proxylytics,
}

impl Root {
    pub const ALL: [Root; 2] = [Root::Analytics, Root::Proxylytics];

    pub fn path(self) -> &'static str {
        match self {
            Root::Analytics => ANALYTICS,
            Root::Proxylytics => PROXY,
        }
    }

    /// Stub keys and names start with it.
    pub fn label(self) -> &'static str {
        match self {
            Root::Analytics => "analytics",
            Root::Proxylytics => "proxylytics",
        }
    }

    /// Whether the pull series under this root need a bearer token (INFERRED: proxylytics
    /// series are public, as the public Hub pages show them).
    pub fn series_need_token(self) -> bool {
        self == Root::Analytics
    }
}

// Messages.
pub const MFA_DETAIL: &str = "Require secondary authentication on MFA enabled account";
pub const BAD_CREDENTIALS: &str = "Incorrect authentication credentials";
pub const UNAUTHENTICATED: &str = "Authentication credentials were not provided.";
/// A raw PAT or OAT as the bearer (observed body, FACTS 13.2).
pub const RAW_TOKEN_REJECTED: &str = r#"{"message":"unauthorized","errinfo":{}}"#;
/// Any path nothing else answers (observed for unknown `/v2` routes, FACTS 13.2).
pub const PAGE_NOT_FOUND: &str = r#"{"message":"404: Page Not Found"}"#;
pub const NS_404: &str = "Not found - namespace doesn't exist or user does not have permission to access it";
pub const REPO_404: &str = "Not found - repo doesn't exist or user does not have permission to access it";
pub const NOT_FOUND: &str = "Not Found";
pub const METHOD_NOT_ALLOWED: &str = "Method not allowed.";
pub const SIGNATURE_MISMATCH: (&str, &str) =
    ("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.");
pub const LINK_EXPIRED: (&str, &str) = ("AccessDenied", "Request has expired");
/// `WWW-Authenticate` of every 401.
pub const BEARER_REALM: &str = "Bearer realm=\"https://hub.docker.com\"";

// Content types.
pub const JSON: &str = "application/json";
pub const CSV: &str = "text/csv; charset=utf-8";
pub const XML: &str = "application/xml";
pub const HTML: &str = "text/html";
pub const TEXT: &str = "text/plain; charset=utf-8";

/// The `timespan` values in query order, as a regex alternation (`weeks|months`).
pub fn timespan_alternatives() -> String {
    query_values("timespan").join("|")
}

/// The `period` value of `months`.
pub fn period_value(months: u32) -> String {
    format!("last-{months}-months")
}

/// "expected one of a, b" for a validation message.
pub fn one_of<S: AsRef<str>>(values: impl IntoIterator<Item = S>) -> String {
    let v: Vec<String> = values.into_iter().map(|s| s.as_ref().to_string()).collect();
    format!("expected one of {}", v.join(", "))
}

/// The valid values of a validated query parameter, in query order.
pub fn query_values(param: &str) -> Vec<String> {
    match param {
        "timespan" => Granularity::ALL.map(|g| g.api().to_string()).to_vec(),
        "period" => PERIODS.iter().map(|m| period_value(*m)).collect(),
        "group" => [Group::Repo, Group::Namespace].map(|g| g.api().to_string()).to_vec(),
        _ => unreachable!("no other query parameter is validated"),
    }
}

/// The query parameters the guards validate.
pub const VALIDATED_QUERY: [&str; 3] = ["timespan", "period", "group"];

/// The timespans as messages list them (alphabetically).
pub fn timespans_listed() -> Vec<String> {
    let mut t = query_values("timespan");
    t.sort();
    t
}

/// The message of an invalid query parameter `param`, listing its values.
pub fn invalid_query(param: &str) -> String {
    let values = if param == "timespan" { timespans_listed() } else { query_values(param) };
    format!("Invalid value for '{param}': {}", one_of(values))
}

/// The message of an invalid `dataview` path segment.
pub fn invalid_dataview() -> String {
    format!("Invalid dataview: {}", one_of(Dataview::ALL.map(Dataview::api)))
}

/// Stub priorities (1 = matched first), the same on every root. Several meanings share a
/// level; the order between levels is what matters.
///
/// WireMock tries the stubs in this order for every request, so the order is also what a
/// request costs (`benches/serve.sh`, `docs/performance-serving.md`): the levels are ten apart
/// and the common successes get their own levels, the families of few stubs first (the stubs
/// per file of the pull series and report links last), so a common request meets few stubs
/// before its own; guards sit in front only where a success stub would accept a bad value; the
/// faults come last and cost nothing to a request that does not ask for one
/// ([`super::faults`] makes every other stub refuse a fault request).
pub mod priority {
    /// Request guards (invalid parameters) win over the successes that would accept them.
    pub const GUARD: u32 = 10;
    /// A more specific success (login with `refresh_token`).
    pub const SPECIFIC: u32 = 10;
    /// Logins, discovery, namespace metadata, catalogues, export years and weeks.
    pub const SUCCESS: u32 = 20;
    /// Fresh signed downloads (a few regex stubs whose prefix no API stub shares, cheap to pass
    /// over): reports, then export parts; an expired link after them.
    pub const REPORT_DOWNLOAD: u32 = 21;
    pub const EXPORT_DOWNLOAD: u32 = 22;
    pub const EXPIRED: u32 = 23;
    /// Export listings (one templated stub per namespace).
    pub const LISTING: u32 = 24;
    /// Namespace pull series, one stub per namespace, root and file.
    pub const PULLS: u32 = 25;
    /// `/repos/pulls`, one stub per user and file.
    pub const REPOS_PULLS: u32 = 26;
    /// Report links (a redirect to the signed download), one stub per report.
    pub const REPORT: u32 = 27;
    /// Repository pull series (one templated stub per namespace and root).
    pub const REPO_PULLS: u32 = 28;
    /// Parameter validation that needs the success stubs to have missed (400), and storage
    /// requests with a bad signature (403).
    pub const VALIDATION: u32 = 30;
    pub const BAD_SIGNATURE: u32 = 30;
    /// Namespace-member fallbacks (404): an unknown repository, then any other path.
    pub const UNKNOWN_REPO: u32 = 40;
    pub const MEMBER_NOT_FOUND: u32 = 50;
    /// Well-formed login with wrong credentials (401).
    pub const WRONG_CREDENTIALS: u32 = 50;
    /// Unknown or invisible namespace (404).
    pub const NAMESPACE_NOT_FOUND: u32 = 60;
    /// Malformed login body (400).
    pub const MALFORMED: u32 = 70;
    /// Unknown path with a valid token (404).
    pub const UNKNOWN_PATH: u32 = 90;
    pub const METHOD_NOT_ALLOWED: u32 = 100;
    /// No valid token (401): a personal access token or none, then anything else.
    pub const NO_CREDENTIALS: u32 = 110;
    pub const BAD_CREDENTIALS: u32 = 120;
    /// A username locked out after failed logins (429): before its successes on both login
    /// routes, and before every fault-free login request of that username.
    pub const LOCKED_OUT: u32 = 5;
    /// A failed login of a known username, counted towards its lockout (401).
    pub const FAILED_LOGIN: u32 = 40;
    /// Any other path under `/api` (the API's own 404), then any request nothing above
    /// answered, anywhere on the host (the Hub's JSON 404).
    pub const API_FALLBACK: u32 = 190;
    pub const HOST_FALLBACK: u32 = 195;
    /// Faults on demand: after everything, behind the gate of [`super::super::faults`]; for the
    /// stubs that count in a scenario of their own (login lockout), which the fault scenario
    /// cannot gate, a copy of the whole-run faults on their paths comes first.
    pub const FAULT: u32 = 200;
    pub const FAULT_BEFORE_OWN_SCENARIO: u32 = 1;
}
