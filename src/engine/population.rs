//! The built-in client population: the countries, networks (companies, ISPs, clouds,
//! universities), user agents and other public images a client is drawn from, with their
//! built-in weights. A configuration's `[population]` reweights them (see `engine::mix`).

/// User-agent tools: (tool, versions, use-case class).
pub(crate) const AGENTS: &[(&str, &[&str], UseCase)] = &[
    ("docker", &["28.0.4", "27.5.1", "27.3.1", "26.1.4"], UseCase::LocalDev),
    ("containerd", &["2.0.2", "1.7.24", "1.7.22"], UseCase::Prod),
    ("buildkit", &["0.18.2", "0.16.0"], UseCase::CiCd),
    ("podman", &["5.3.1", "4.9.4"], UseCase::LocalDev),
    ("docker-scout", &["1.16.1", "1.15.0"], UseCase::LocalDev),
    ("regclient", &["0.8.0", "0.7.1"], UseCase::CiCd),
    ("skopeo", &["1.17.0", "1.16.1"], UseCase::CiCd),
    ("kaniko", &["1.23.2"], UseCase::CiCd),
    ("cri-o", &["1.31.3", "1.30.6"], UseCase::Prod),
    ("go-http-client", &["1.1", "2.0"], UseCase::Unknown),
    ("node-fetch", &["1.0"], UseCase::Unknown),
];

/// `INFERRED_USE_CASE` classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UseCase {
    LocalDev,
    CiCd,
    Prod,
    Unknown,
}

impl UseCase {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UseCase::LocalDev => "Local Dev",
            UseCase::CiCd => "CI/CD",
            UseCase::Prod => "Prod",
            UseCase::Unknown => "Unknown",
        }
    }
}

/// Public images outside the modelled namespaces that clients also pull.
pub(crate) const PUBLIC_IMAGES: &[(&str, f64)] = &[
    ("library/postgres", 30.0),
    ("library/redis", 26.0),
    ("library/nginx", 24.0),
    ("library/node", 20.0),
    ("library/python", 18.0),
    ("library/alpine", 16.0),
    ("library/ubuntu", 14.0),
    ("grafana/grafana", 9.0),
    ("prom/prometheus", 8.0),
    ("bitnami/kafka", 6.0),
    ("library/mongo", 6.0),
    ("hashicorp/terraform", 4.0),
    ("jenkins/jenkins", 3.0),
];

pub(crate) const COUNTRIES: &[(&str, f64)] = &[
    ("US", 34.0),
    ("DE", 9.0),
    ("IN", 7.0),
    ("GB", 6.0),
    ("CN", 5.0),
    ("FR", 5.0),
    ("JP", 4.0),
    ("BR", 4.0),
    ("CA", 4.0),
    ("NL", 3.0),
    ("IE", 3.0),
    ("SG", 3.0),
    ("KR", 2.0),
    ("AU", 2.0),
    ("SE", 2.0),
    ("PL", 2.0),
    ("ES", 2.0),
    ("IT", 2.0),
    ("CH", 1.0),
    ("FI", 1.0),
];

pub(crate) const COMPANIES: &[&str] = &[
    "contoso.com",
    "initech.com",
    "globex.com",
    "hooli.com",
    "umbrellacorp.com",
    "northwind.io",
    "wayne-enterprises.com",
    "stark-industries.com",
    "cyberdyne.io",
    "tyrell.com",
    "vandelay.com",
    "massive-dynamic.com",
    "aperture-science.com",
    "soylent.io",
    "wonka.com",
    "piedpiper.com",
    "dunder-mifflin.com",
    "bluth.com",
    "oceanic-air.com",
    "gringotts.co.uk",
];
pub(crate) const ISPS: &[&str] = &[
    "comcast.net",
    "verizon.net",
    "t-online.de",
    "orange.fr",
    "bt.com",
    "ntt.ne.jp",
    "rogers.com",
    "vodafone.com",
    "airtel.in",
    "telstra.net",
];
pub(crate) const UNIVERSITIES: &[&str] = &["mit.edu", "ethz.ch", "tum.de", "u-tokyo.ac.jp", "ox.ac.uk"];
pub(crate) const CLOUDS: &[(&str, &str, f64)] =
    &[("aws", "amazonaws.com", 50.0), ("gcp", "googleusercontent.com", 25.0), ("azure", "cloudapp.net", 25.0)];

#[cfg(test)]
mod tests {
    use super::*;

    /// ISO codes of every country a client can have, in index order.
    fn country_codes() -> impl Iterator<Item = &'static str> {
        COUNTRIES.iter().map(|c| c.0).chain(crate::config::population::COUNTRY_CODES[COUNTRIES.len()..].iter().copied())
    }

    /// Cloud provider names (`aws`, `gcp`, `azure`).
    fn cloud_names() -> impl Iterator<Item = &'static str> {
        CLOUDS.iter().map(|c| c.0)
    }

    #[test]
    fn the_mock_knows_65_countries_and_the_engine_tables_match_the_names() {
        let codes: std::collections::BTreeSet<&str> =
            crate::config::population::COUNTRY_CODES.iter().copied().collect();
        assert_eq!(codes.len(), 65);
        assert!(country_codes().eq(crate::config::population::COUNTRY_CODES.iter().copied()));
        assert!(cloud_names().eq(crate::config::population::CLOUD_NAMES.iter().copied()));
        assert!(AGENTS.iter().map(|a| a.0).eq(crate::config::population::AGENT_NAMES.iter().copied()));
    }
}
