//! The load profile's serving order: every stub its own priority.
//!
//! WireMock tries the stubs one by one for every request, in priority order, and each stub met
//! before the one that answers costs about a microsecond (`docs/performance-serving.md`);
//! within one priority a standalone tree's order is the file system's. So the profile numbers
//! its stubs 1, 2, 3, ... in the order of how often a client asks:
//!
//! 1. the GET successes, by [`GROUPS`]: discovery, the listings of the newest week and month
//!    (one stub each, inline), the namespace pull series of the analytics root (first by exact
//!    URL, see [`with_canonical_urls`]), the other
//!    export listings, downloads, the rest of the exports, reports, the proxylytics
//!    series, `/repos/pulls` (behind the guards that must meet its requests first), the
//!    repository series;
//! 2. the other successes (logins, `/v2/auth/token`), in the default tree's order;
//! 3. the HEAD twins of the successes, in the order of their GET stubs;
//! 4. the fallbacks (400, 401, 403, 404, 405), in the default tree's order, their levels kept.
//!
//! The successes are disjoint (the default tree relies on it too), so their order changes no
//! answer; it only changes what each request costs.
use crate::dvp_api::priority::USER_DEFAULT;
use crate::wiremock::request::{Method, Request, Url};
use crate::wiremock::serving::standalone_form;
use crate::wiremock::stub::{Mock, Stub};

/// Key fragments of the GET successes, in serving order (the first that a key contains
/// places it; keys that none names come after these).
pub const GROUPS: [&str; 16] = [
    "analytics/namespaces/",
    "analytics/root/",
    "analytics/namespace/",
    "/dataview/newest/",
    "analytics/pulls-url/",
    "analytics/pulls/",
    "/dataview",
    "dvp-exports/",
    "dvp-reports/",
    "analytics/exports/",
    "proxylytics/report",
    "proxylytics/pulls-url/",
    "proxylytics/pulls/",
    "/guard/",
    "/repos-pulls/",
    "/repo-pulls/",
];

fn group(key: &str) -> usize {
    GROUPS.iter().position(|g| key.contains(g)).unwrap_or(GROUPS.len())
}

/// Where a stub goes: (class, group, default priority, build order).
fn place(s: &Stub, index: usize) -> (u8, usize, u32, usize) {
    let head = s.key.strip_prefix("head/");
    let key = head.unwrap_or(&s.key);
    if s.priority > USER_DEFAULT {
        (3, 0, s.priority, index)
    } else if head.is_some() {
        (2, group(key), s.priority, index)
    } else if s.request.method == Method::Get {
        (0, group(key), s.priority, index)
    } else {
        (1, 0, s.priority, index)
    }
}

/// The mock in its standalone serving form ([`standalone_form`]: small file sets one stub per
/// file, small bodies inline), every success with its own priority in serving order, the
/// fallbacks after them.
pub fn serving_order(mock: Mock) -> Mock {
    let (mut mock, _) = standalone_form(mock);
    mock.stubs = with_canonical_urls(mock.stubs);
    let mut placed: Vec<((u8, usize, u32, usize), Stub)> =
        mock.stubs.into_iter().enumerate().map(|(i, s)| (place(&s, i), s)).collect();
    placed.sort_by_key(|(p, _)| *p);
    let successes = placed.iter().filter(|(p, _)| p.0 < 3).count() as u32;
    for (n, (p, s)) in placed.iter_mut().enumerate() {
        s.priority = if p.0 < 3 { n as u32 + 1 } else { successes + p.2 };
    }
    mock.stubs = placed.into_iter().map(|(_, s)| s).collect();
    mock
}

/// Before the namespace pull series (one stub per file, the query matched parameter by
/// parameter), the same answers by exact `url` for the spelling the API documents (`timespan`,
/// `period`, `group`, in that order, all given). A stub whose path matches but whose query
/// does not costs far more to pass than one whose URL differs, so the request a dashboard
/// repeats meets only cheap misses; other spellings are answered by the stubs behind.
fn with_canonical_urls(stubs: Vec<Stub>) -> Vec<Stub> {
    let mut out = Vec::with_capacity(stubs.len() * 2);
    for s in stubs {
        let root = ["analytics/pulls/", "proxylytics/pulls/"].into_iter().find(|p| s.key.starts_with(p));
        let file = s.key.rsplit('/').next().unwrap_or_default();
        let parts: Vec<&str> = file.splitn(3, '_').collect();
        if let (Some(root), Url::Path(path), [t, m, g]) = (root, &s.request.url, parts.as_slice()) {
            let mut request = Request::get(Url::exact(format!("{path}?timespan={t}&period={m}&group={g}")));
            request.headers = s.request.headers.clone();
            let key = format!("{}-url/{}", root.trim_end_matches('/'), &s.key[root.len()..]);
            let name = format!("{} (?timespan={t}&period={m}&group={g})", s.name);
            out.push(Stub::new(key, name, s.priority, request, s.response.clone()));
        }
        out.push(s);
    }
    out
}
