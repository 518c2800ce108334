//! The optional `[population]` table: country, cloud and agent mixes of the client population
//! (a calibrated configuration copies them from the input), and the names it accepts.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Name of the "not in a cloud" entry of `clouds` (as `CLOUD_SERVICE_PROVIDER` spells it).
pub(crate) const NO_CLOUD: &str = "no csp";

/// The countries a client can have, in the engine's index order: the 20 of the built-in mix,
/// then more a calibrated mix may name (a test holds the engine's tables to these lists).
pub(crate) const COUNTRY_CODES: &[&str] = &[
    "US", "DE", "IN", "GB", "CN", "FR", "JP", "BR", "CA", "NL", "IE", "SG", "KR", "AU", "SE", "PL", "ES", "IT", "CH",
    "FI", "AE", "AR", "AT", "BD", "BE", "BG", "CL", "CO", "CZ", "DK", "EE", "EG", "GR", "HK", "HR", "HU", "ID", "IL",
    "IS", "KE", "LT", "LU", "LV", "MA", "MX", "MY", "NG", "NO", "NZ", "PE", "PH", "PK", "PT", "RO", "RU", "SA", "SI",
    "SK", "TH", "TR", "TW", "UA", "UY", "VN", "ZA",
];

/// Relative weights by name; each part is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, try_from = "RawPopulation")]
pub struct Population {
    pub(crate) countries: BTreeMap<String, f64>,
    pub(crate) clouds: BTreeMap<String, f64>,
    pub(crate) agents: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    #[serde(default)]
    countries: BTreeMap<String, f64>,
    #[serde(default)]
    clouds: BTreeMap<String, f64>,
    #[serde(default)]
    agents: BTreeMap<String, f64>,
}

impl TryFrom<RawPopulation> for Population {
    type Error = String;
    fn try_from(p: RawPopulation) -> Result<Self, String> {
        let countries: Vec<&str> = COUNTRY_CODES.to_vec();
        let clouds: Vec<&str> = CLOUD_NAMES.iter().copied().chain([NO_CLOUD]).collect();
        let agents: Vec<&str> = AGENT_NAMES.to_vec();
        for (key, map, known) in
            [("countries", &p.countries, &countries), ("clouds", &p.clouds, &clouds), ("agents", &p.agents, &agents)]
        {
            for (name, w) in map {
                if !known.contains(&name.as_str()) {
                    return Err(format!("key `{key}.{name}`: unknown; expected one of {}", known.join(", ")));
                }
                if !(w.is_finite() && *w >= 0.0) {
                    return Err(format!("key `{key}.{name}`: expected a weight >= 0"));
                }
            }
            if !map.is_empty() && map.values().all(|w| *w == 0.0) {
                return Err(format!("key `{key}`: expected a weight > 0"));
            }
        }
        Ok(Population { countries: p.countries, clouds: p.clouds, agents: p.agents })
    }
}

/// Cloud providers, in the engine's order.
pub(crate) const CLOUD_NAMES: &[&str] = &["aws", "gcp", "azure"];

/// User-agent tools, in the engine's order.
pub(crate) const AGENT_NAMES: &[&str] = &[
    "docker",
    "containerd",
    "buildkit",
    "podman",
    "docker-scout",
    "regclient",
    "skopeo",
    "kaniko",
    "cri-o",
    "go-http-client",
    "node-fetch",
];
