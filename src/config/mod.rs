//! The TOML configuration: parsed strictly (unknown keys are errors), validated once.
//!
//! Every value a user can set lives here, with its default. The embedded default
//! configuration is `src/config/default.toml`, printed by `dvp-mock config`.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::Error;

pub mod canonical;
pub mod limits;
pub mod load;
pub(crate) mod population;
pub(crate) mod public_namespaces;
pub(crate) mod volume;

/// The embedded default configuration (compiled in).
pub const DEFAULT_TOML: &str = include_str!("default.toml");

/// The whole world the mock describes.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Seed of every random stream.
    pub seed: u64,
    /// The "today" of the mock.
    pub as_of: NaiveDate,
    /// First day with pull events.
    pub history_start: NaiveDate,
    /// Exports above this many bytes are split into part files.
    #[serde(default = "default_part_bytes")]
    pub export_part_bytes: u64,
    /// Size of the shared client population.
    #[serde(default = "default_clients")]
    pub clients: u32,
    /// Budget of a WireMock Cloud import file, in bytes.
    #[serde(default = "default_cloud_budget")]
    pub cloud_budget_bytes: u64,
    /// Write export parts as deterministic `.csv.gz` (see `body_files::gzip`).
    #[serde(default)]
    pub export_gzip: bool,
    /// The report catalogue's retention and opt-in reports (`[reports]`).
    #[serde(default)]
    pub reports: Reports,
    /// Country, cloud and agent mixes of the clients (default: the built-in mixes).
    #[serde(default)]
    pub(crate) population: Option<population::Population>,
    /// The publisher namespaces (`[[namespaces]]`), in the order the API lists them.
    pub namespaces: Vec<Namespace>,
    /// Namespaces served on the public proxylytics pull routes only (`bodies::public_series`).
    #[serde(default)]
    pub(crate) public_namespaces: Vec<public_namespaces::PublicNamespace>,
    pub(crate) users: Vec<User>,
}

/// Retention of the proxylytics report catalogue.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Reports {
    /// Weekly reports kept in the catalogue (the latest weeks).
    #[serde(default = "default_report_weeks")]
    pub weeks: u32,
    #[serde(default = "default_report_months")]
    pub(crate) months: u32,
    #[serde(default = "default_tracked")]
    pub(crate) tracked_companies: u32,
    /// Companies in the opt-in `benchmark` report; 0 = no benchmark report.
    #[serde(default)]
    pub benchmark_companies: u32,
}

impl Default for Reports {
    fn default() -> Self {
        let (weeks, months, tracked_companies) = (default_report_weeks(), default_report_months(), default_tracked());
        Reports { weeks, months, tracked_companies, benchmark_companies: 0 }
    }
}

/// A publisher namespace (Docker organisation).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Namespace {
    pub(crate) name: String,
    /// Display name of the publisher (`PUBLISHER_NAME` in reports).
    pub(crate) publisher: String,
    #[serde(default = "default_publisher_type")]
    pub(crate) publisher_type: String,
    #[serde(default)]
    pub(crate) extension_publisher: bool,
    /// Premium extension entitlement: `ext-premium-*` views (needs `extension_publisher`).
    #[serde(default)]
    pub premium_extensions: bool,
    /// Mean events per week at `history_start`.
    pub weekly_pulls: f64,
    /// Relative growth per year.
    #[serde(default)]
    pub(crate) growth: f64,
    /// Share (0..=1) of the client population that pulls from this namespace.
    #[serde(default = "default_reach")]
    pub(crate) reach: f64,
    /// The namespace's repositories.
    pub repos: Vec<Repo>,
    /// Organization access tokens (`dckr_oat_...`) that log in to this namespace alone.
    #[serde(default)]
    pub(crate) oats: Vec<String>,
}

/// A repository with its tags.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Repo {
    pub(crate) name: String,
    /// Relative share of the namespace's pulls; 0 = never pulled.
    pub(crate) popularity: f64,
    /// A Docker Desktop extension (feeds the `extensions` dataset).
    #[serde(default)]
    pub(crate) extension: bool,
    pub(crate) tags: Vec<Tag>,
    /// Calibrated weekly volume: exact events and distinct clients per ISO week (see `volume`).
    #[serde(default)]
    pub weeks: Option<volume::Weeks>,
    /// Share of a week's clients replaced the next week (with `weeks`).
    #[serde(default)]
    pub(crate) churn: Option<f64>,
    /// Shares of all events pulled by digest and of version checks (default: by client kind).
    #[serde(default)]
    pub(crate) by_digest: Option<f64>,
    #[serde(default)]
    pub(crate) version_checks: Option<f64>,
}

/// A tag; each platform gets its own digest (multi-arch images have several).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) popularity: f64,
    #[serde(default = "default_platforms")]
    pub(crate) platforms: Vec<String>,
}

/// A Docker Hub account that can log in.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct User {
    pub(crate) username: String,
    pub(crate) password: String,
    /// TOTP code accepted by `/v2/users/2fa-login`; set = the account has 2FA enabled.
    #[serde(default)]
    pub(crate) totp: Option<String>,
    pub(crate) namespaces: Vec<String>,
    /// Personal access tokens (`dckr_pat_...`) of the account.
    #[serde(default)]
    pub(crate) pats: Vec<String>,
}

fn default_part_bytes() -> u64 {
    262_144
}
fn default_clients() -> u32 {
    3000
}
fn default_cloud_budget() -> u64 {
    20 * 1024 * 1024
}
fn default_report_weeks() -> u32 {
    4
}
fn default_report_months() -> u32 {
    3
}
fn default_tracked() -> u32 {
    10
}
fn default_publisher_type() -> String {
    "DVP".to_string()
}
fn default_reach() -> f64 {
    0.5
}
fn default_platforms() -> Vec<String> {
    vec!["linux/amd64".to_string()]
}

impl Config {
    /// The embedded default configuration.
    pub fn default_config() -> Config {
        Config::parse(DEFAULT_TOML, "<default>").expect("embedded default configuration is valid")
    }

    /// Parses and validates TOML text; `file` names the source in error messages.
    pub fn parse(text: &str, file: &str) -> Result<Config, Error> {
        let config = Config::parse_unvalidated(text, file)?;
        config.validate().map_err(|message| Error::Config { file: file.to_string(), message })?;
        Ok(config)
    }

    /// Parses TOML text strictly, without the checks of [`Config::validate`].
    fn parse_unvalidated(text: &str, file: &str) -> Result<Config, Error> {
        load::deserialize(text).map_err(|message| Error::Config { file: file.to_string(), message })
    }

    /// Checks every rule that serde cannot: names, dates, ranges, references.
    pub fn validate(&self) -> Result<(), String> {
        if self.history_start >= self.as_of {
            return Err(format!("key `as_of`: {} must be after `history_start` {}", self.as_of, self.history_start));
        }
        if self.export_part_bytes < 1024 {
            return Err("key `export_part_bytes`: expected at least 1024".into());
        }
        if !(1..=5_000_000).contains(&self.clients) {
            return Err("key `clients`: expected 1..=5000000".into());
        }
        if self.namespaces.is_empty() {
            return Err("key `namespaces`: expected at least one namespace".into());
        }
        let mut ns_names = BTreeSet::new();
        for (i, ns) in self.namespaces.iter().enumerate() {
            let at = format!("namespaces[{i}]");
            check_name(&ns.name, NameKind::Namespace).map_err(|m| format!("key `{at}.name`: {m}"))?;
            if !ns_names.insert(ns.name.as_str()) {
                return Err(format!("key `{at}.name`: duplicate namespace `{}`", ns.name));
            }
            if ns.publisher.trim().is_empty() || ns.publisher.contains([',', '"', '\n', '\r']) {
                return Err(format!(
                    "key `{at}.publisher`: expected a non-empty name without commas, quotes or line breaks"
                ));
            }
            check_name(&ns.publisher_type, NameKind::Word).map_err(|m| format!("key `{at}.publisher_type`: {m}"))?;
            if !(ns.weekly_pulls.is_finite() && ns.weekly_pulls >= 0.0 && ns.weekly_pulls <= 1e9) {
                return Err(format!("key `{at}.weekly_pulls`: expected a number in 0..=1e9"));
            }
            if !(ns.growth.is_finite() && (-0.9..=10.0).contains(&ns.growth)) {
                return Err(format!("key `{at}.growth`: expected a number in -0.9..=10"));
            }
            if !(ns.reach.is_finite() && ns.reach > 0.0 && ns.reach <= 1.0) {
                return Err(format!("key `{at}.reach`: expected a number in (0, 1]"));
            }
            if ns.premium_extensions && !ns.extension_publisher {
                return Err(format!("key `{at}.premium_extensions`: needs `extension_publisher = true`"));
            }
            if ns.repos.is_empty() {
                return Err(format!("key `{at}.repos`: expected at least one repository"));
            }
            validate_repos(ns, &at, self.clients)?;
        }
        if self.reports.benchmark_companies > 1000 {
            return Err("key `reports.benchmark_companies`: expected 0..=1000".into());
        }
        public_namespaces::validate(&self.public_namespaces, &ns_names)?;
        let mut user_names = BTreeSet::new();
        for (i, user) in self.users.iter().enumerate() {
            let at = format!("users[{i}]");
            check_name(&user.username, NameKind::Username).map_err(|m| format!("key `{at}.username`: {m}"))?;
            if !user_names.insert(user.username.as_str()) {
                return Err(format!("key `{at}.username`: duplicate user `{}`", user.username));
            }
            if user.password.is_empty() || user.password.chars().any(char::is_control) {
                return Err(format!("key `{at}.password`: expected a non-empty password without control characters"));
            }
            if let Some(code) = &user.totp {
                if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("key `{at}.totp`: expected six digits"));
                }
            }
            for ns in &user.namespaces {
                if !ns_names.contains(ns.as_str()) {
                    return Err(format!("key `{at}.namespaces`: unknown namespace `{ns}`"));
                }
            }
        }
        check_access_tokens(self)?;
        limits::validate(self)?;
        Ok(())
    }
}

/// The repositories of namespace `ns` (at key `at`) and their tags.
fn validate_repos(ns: &Namespace, at: &str, clients: u32) -> Result<(), String> {
    let mut repo_names = BTreeSet::new();
    for (j, repo) in ns.repos.iter().enumerate() {
        let at = format!("{at}.repos[{j}]");
        check_name(&repo.name, NameKind::Repo).map_err(|m| format!("key `{at}.name`: {m}"))?;
        if !repo_names.insert(repo.name.as_str()) {
            return Err(format!("key `{at}.name`: duplicate repository `{}`", repo.name));
        }
        check_weight(repo.popularity).map_err(|m| format!("key `{at}.popularity`: {m}"))?;
        if repo.tags.is_empty() {
            return Err(format!("key `{at}.tags`: expected at least one tag"));
        }
        let mut tag_names = BTreeSet::new();
        for (k, tag) in repo.tags.iter().enumerate() {
            let at = format!("{at}.tags[{k}]");
            check_name(&tag.name, NameKind::Tag).map_err(|m| format!("key `{at}.name`: {m}"))?;
            if !tag_names.insert(tag.name.as_str()) {
                return Err(format!("key `{at}.name`: duplicate tag `{}`", tag.name));
            }
            check_weight(tag.popularity).map_err(|m| format!("key `{at}.popularity`: {m}"))?;
            if tag.platforms.is_empty() {
                return Err(format!("key `{at}.platforms`: expected at least one platform"));
            }
            for p in &tag.platforms {
                if !is_platform(p) {
                    return Err(format!(
                        "key `{at}.platforms`: `{}` is not an os/arch[/variant] platform",
                        p.escape_debug()
                    ));
                }
            }
        }
        volume::validate_repo(repo, clients).map_err(|m| format!("key `{at}.{m}"))?;
        if repo.popularity > 0.0 && repo.tags.iter().all(|t| t.popularity == 0.0) {
            return Err(format!("key `{at}.tags`: a pulled repository needs a tag with popularity > 0"));
        }
    }
    Ok(())
}

/// PATs and OATs: `dckr_pat_` / `dckr_oat_` + 27 to 32 of `[A-Za-z0-9_-]`, each used once.
fn check_access_tokens(c: &Config) -> Result<(), String> {
    let users = c.users.iter().enumerate().map(|(i, u)| (format!("users[{i}].pats"), &u.pats, "dckr_pat_"));
    let orgs = c.namespaces.iter().enumerate().map(|(i, n)| (format!("namespaces[{i}].oats"), &n.oats, "dckr_oat_"));
    let mut seen = BTreeSet::new();
    for (i, u) in c.users.iter().enumerate() {
        if c.namespaces.iter().any(|n| n.name == u.username && !n.oats.is_empty()) {
            return Err(format!("key `users[{i}].username`: `{}` is an organization with OATs", u.username));
        }
    }
    for (at, secrets, prefix) in users.chain(orgs) {
        for s in secrets {
            let rest = s.strip_prefix(prefix).unwrap_or("");
            if !(27..=32).contains(&rest.len())
                || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
            {
                return Err(format!(
                    "key `{at}`: `{}` is not a valid token: expected {prefix} + 27 to 32 of [A-Za-z0-9_-]",
                    s.escape_debug()
                ));
            }
            if !seen.insert(s.as_str()) {
                return Err(format!("key `{at}`: duplicate token `{s}`"));
            }
        }
    }
    Ok(())
}

fn check_weight(w: f64) -> Result<(), String> {
    if w.is_finite() && (0.0..=1e6).contains(&w) {
        Ok(())
    } else {
        Err("expected a number in 0..=1000000".into())
    }
}

/// The naming rules of Docker Hub, one per kind of name.
#[derive(Clone, Copy)]
pub enum NameKind {
    /// Docker ID / organisation: 4 to 30 lowercase letters and digits.
    Namespace,
    /// Repository: lowercase alphanumerics separated by single `.`, `_` or `-`, 2 to 255 chars.
    Repo,
    /// Tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
    Tag,
    /// A plain word such as `DVP`: letters and digits.
    Word,
    /// A login name: 2 to 30 lowercase letters, digits, `-` or `_`, starting with a letter or digit.
    Username,
}

/// Validates a name against Docker Hub's rules. Every accepted name is safe in a URL path,
/// a file name and (after escaping `.`) a WireMock regex.
pub fn check_name(name: &str, kind: NameKind) -> Result<(), String> {
    let ok = match kind {
        NameKind::Namespace => {
            (4..=30).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        }
        NameKind::Repo => {
            (2..=255).contains(&name.len())
                && name
                    .split(['.', '_', '-'])
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        }
        NameKind::Tag => {
            let b = name.as_bytes();
            (1..=128).contains(&b.len())
                && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
                && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        }
        NameKind::Word => (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric()),
        NameKind::Username => {
            (2..=30).contains(&name.len())
                && name.as_bytes()[0].is_ascii_alphanumeric()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        }
    };
    if ok {
        Ok(())
    } else {
        let rule = match kind {
            NameKind::Namespace => "4 to 30 lowercase letters and digits (Docker ID rules)",
            NameKind::Repo => "2 to 255 lowercase letters and digits, separated by single '.', '_' or '-'",
            NameKind::Tag => "up to 128 of [A-Za-z0-9_.-], not starting with '.' or '-'",
            NameKind::Word => "1 to 32 letters and digits",
            NameKind::Username => "2 to 30 lowercase letters, digits, '-' or '_'",
        };
        Err(format!("`{name}` is not a valid name: expected {rule}"))
    }
}

fn is_platform(p: &str) -> bool {
    let parts: Vec<&str> = p.split('/').collect();
    (2..=3).contains(&parts.len())
        && parts.iter().all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_config_is_valid_and_meets_the_brief() {
        let c = Config::default_config();
        assert!(c.namespaces.len() >= 2);
        assert!(c.namespaces.iter().any(|n| n.repos.len() >= 4));
        let demo = c.users.iter().find(|u| u.username == "demo").unwrap();
        assert_eq!(demo.namespaces.len(), c.namespaces.len());
        let outsider = c.users.iter().find(|u| u.username == "outsider").unwrap();
        assert_eq!(outsider.namespaces.len(), 1);
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let text = DEFAULT_TOML.replace("clients = 250", "clients = 250\nclinets = 4");
        let err = Config::parse(&text, "x.toml").unwrap_err().to_string();
        assert!(err.starts_with("x.toml: line "), "{err}");
        assert!(err.contains("clinets"), "{err}");
    }

    #[test]
    fn access_tokens_are_checked_and_named_with_their_key() {
        let parse = |from: &str, to: &str| Config::parse(&DEFAULT_TOML.replace(from, to), "x.toml");
        let pat = "dckr_pat_dvpmockDemoReadOnly000000000";
        assert!(parse("", "").is_ok());
        let short = parse(pat, "dckr_pat_tooShort").unwrap_err().to_string();
        assert!(short.contains("key `users[0].pats`") && short.contains("27 to 32"), "{short}");
        let oat_as_pat = parse(pat, "dckr_oat_dvpmockDemoReadOnly000000000").unwrap_err().to_string();
        assert!(oat_as_pat.contains("expected dckr_pat_"), "{oat_as_pat}");
        let twice = parse("dckr_pat_dvpmockDemo2faReadOnly00000", pat).unwrap_err().to_string();
        assert!(twice.contains("duplicate token"), "{twice}");
        let bad_char = parse(pat, "dckr_pat_dvpmockDemoReadOnly00000000!").unwrap_err().to_string();
        assert!(bad_char.contains("not a valid token"), "{bad_char}");
        let clash = parse("username = \"outsider\"", "username = \"acme\"").unwrap_err().to_string();
        assert!(clash.contains("is an organization with OATs"), "{clash}");
    }

    #[test]
    fn names_follow_docker_hub_rules() {
        assert!(check_name("acme", NameKind::Namespace).is_ok());
        assert!(check_name("Acme", NameKind::Namespace).is_err());
        assert!(check_name("../x", NameKind::Repo).is_err());
        assert!(check_name("a--b", NameKind::Repo).is_err());
        assert!(check_name("my-repo.v2", NameKind::Repo).is_ok());
        assert!(check_name("v1.2.3-rc.1", NameKind::Tag).is_ok());
        assert!(check_name(".hidden", NameKind::Tag).is_err());
    }
}
