//! The HTTP client that talks to a running WireMock: a URL that cannot work is one line,
//! after at most `CONNECT_TIMEOUT`; `generate --reload` makes WireMock serve the new tree.
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use crate::Error;

/// How long a connection attempt may take before the server counts as unreachable.
pub(crate) const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// `url` without a trailing slash, or a usage error (exit 2) when it is not `http(s)://host[:port]...`.
pub fn base_url(flag: &str, url: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::Usage(format!("{flag} {url}: {why}; expected e.g. http://localhost:8080"));
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .ok_or_else(|| bad("not an http:// or https:// URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if host.is_empty() || host.starts_with(':') {
        return Err(bad("no host"));
    }
    if let Some((_, port)) = host.rsplit_once(':').filter(|_| !host.ends_with(']')) {
        if port.parse::<u16>().is_err() {
            return Err(bad("the port is not a number in 1..=65535"));
        }
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Connects once to the server of `base` (a URL [`base_url`] accepted) within
/// `CONNECT_TIMEOUT`; `Err` (exit 3) names the URL and why.
pub fn reachable(base: &str) -> Result<(), Error> {
    let https = base.starts_with("https://");
    let rest = base.split_once("://").map_or(base, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let with_port = if host.ends_with(']') || !host.contains(':') {
        format!("{host}:{}", if https { 443 } else { 80 })
    } else {
        host.to_string()
    };
    let unreachable = |why: String| Error::Unreachable(format!("{base}: {why}"));
    let addrs: Vec<_> = with_port.to_socket_addrs().map_err(|e| unreachable(format!("cannot resolve: {e}")))?.collect();
    let mut last = None;
    for a in &addrs {
        match TcpStream::connect_timeout(a, CONNECT_TIMEOUT) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
    }
    Err(unreachable(match last {
        Some(e) if e.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer within {} s; is WireMock running there?", CONNECT_TIMEOUT.as_secs())
        }
        Some(e) => format!("{e}; is WireMock running there?"),
        None => "resolves to no address".to_string(),
    }))
}

/// An agent that gives up connecting after [`CONNECT_TIMEOUT`].
fn agent() -> ureq::Agent {
    ureq::AgentBuilder::new().timeout_connect(CONNECT_TIMEOUT).timeout(Duration::from_secs(60)).build()
}

/// Checks that every stub file WireMock would load from `root/mappings/` (`*.json`, the
/// user's included) is JSON: one broken file makes WireMock refuse the whole reload and serve
/// nothing. `Err` (exit 3) names the first broken file, where and why.
pub fn check_stub_files(root: &Path) -> Result<(), Error> {
    for rel in crate::output::list_files(root, "mappings")? {
        if !rel.to_ascii_lowercase().ends_with(".json") {
            continue;
        }
        let path = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf()).join(&rel);
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
            return Err(Error::io(
                &path,
                std::io::Error::other(format!(
                    "not valid JSON (line {}, column {}: {e}); WireMock would refuse to reload any stub, \
                     so it was not asked and serves what it served before; fix or move this file and run \
                     the command again",
                    e.line(),
                    e.column()
                )),
            ));
        }
    }
    Ok(())
}

/// WireMock's own words for a refused request: the body of its answer, on one line, cut short.
fn reason(e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, resp) => {
            let body = resp.into_string().unwrap_or_default();
            // An HTML error page (WireMock's MappingFileException): its title says it all.
            let body = match body.split_once("<title>").and_then(|(_, t)| t.split_once("</title>")) {
                Some((title, _)) => title
                    .replace("&quot;", "\"")
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&#39;", "'")
                    .replace("&amp;", "&"),
                None => body,
            };
            let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
            let body = if body.chars().count() > 400 {
                format!("{}...", body.chars().take(400).collect::<String>())
            } else {
                body
            };
            if body.is_empty() {
                format!("HTTP {code}")
            } else {
                format!("HTTP {code}: {body}")
            }
        }
        other => other.to_string(),
    }
}

/// Makes the WireMock at `base` reload its stubs from disk (`POST /__admin/mappings/reset`)
/// and returns how many it then serves (`meta.total` of `GET /__admin/mappings?limit=1`).
/// A refusal carries WireMock's reason.
pub fn reload(base: &str) -> Result<u64, Error> {
    reachable(base)?;
    let agent = agent();
    let fail = |what: &str, e: ureq::Error| Error::Unreachable(format!("{base}: {what} failed: {}", reason(e)));
    if let Err(e) = agent.post(&format!("{base}/__admin/mappings/reset")).send_string("") {
        let refused = fail("POST /__admin/mappings/reset", e);
        // What it serves after refusing (WireMock drops every stub when one file fails).
        return Err(match stub_count(&agent, base) {
            Ok(n) => Error::Unreachable(format!("{refused}; it now serves {n} stubs")),
            Err(_) => refused,
        });
    }
    stub_count(&agent, base)
}

/// How many stubs the WireMock at `base` serves (`meta.total` of `GET /__admin/mappings?limit=1`).
fn stub_count(agent: &ureq::Agent, base: &str) -> Result<u64, Error> {
    let resp = agent.get(&format!("{base}/__admin/mappings?limit=1")).call().map_err(|e| {
        Error::Unreachable(format!("{base}: GET /__admin/mappings failed: {}; is it a WireMock admin API?", reason(e)))
    })?;
    let text = resp.into_string().map_err(|e| Error::Unreachable(format!("{base}: reading the stub count: {e}")))?;
    serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["meta"]["total"].as_u64()).ok_or_else(|| {
        Error::Unreachable(format!("{base}: GET /__admin/mappings gave no meta.total; is it a WireMock admin API?"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_without_scheme_or_host_are_usage_errors() {
        assert_eq!(base_url("--url", "http://localhost:8080/").unwrap(), "http://localhost:8080");
        assert!(base_url("--url", "https://mock.example/base").is_ok());
        for bad in ["localhost:8080", "http://", "http://:8080", "ftp://x", "http://h:port"] {
            let e = base_url("--url", bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
            assert!(e.to_string().starts_with(&format!("--url {bad}: ")), "{e}");
        }
    }

    #[test]
    fn a_closed_port_is_unreachable_quickly() {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let e = reachable(&format!("http://127.0.0.1:{port}")).unwrap_err();
        assert_eq!(e.exit_code(), 3);
        assert!(e.to_string().contains("is WireMock running there?"), "{e}");
    }
}
