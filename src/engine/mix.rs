//! The optional `[population]` table: country, cloud and agent mixes of the client population
//! (a calibrated configuration copies them from the input). Absent, the built-in mixes apply
//! and the clients are the same bytes as before.
use std::collections::BTreeMap;

use serde::Deserialize;

use crate::rng::Weighted;

/// Name of the "not in a cloud" entry of `clouds` (as `CLOUD_SERVICE_PROVIDER` spells it).
pub const NO_CLOUD: &str = "no csp";

/// Countries a mix may name beyond the 20 of the built-in mix (weight 0 there).
pub const MORE_COUNTRIES: &[&str] = &[
    "AE", "AR", "AT", "BD", "BE", "BG", "CL", "CO", "CZ", "DK", "EE", "EG", "GR", "HK", "HR", "HU", "ID", "IL", "IS",
    "KE", "LT", "LU", "LV", "MA", "MX", "MY", "NG", "NO", "NZ", "PE", "PH", "PK", "PT", "RO", "RU", "SA", "SI", "SK",
    "TH", "TR", "TW", "UA", "UY", "VN", "ZA",
];

/// Relative weights by name; each part is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, try_from = "RawPopulation")]
pub struct Population {
    pub countries: BTreeMap<String, f64>,
    pub clouds: BTreeMap<String, f64>,
    pub agents: BTreeMap<String, f64>,
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
        let countries: Vec<&str> = crate::world::country_codes().collect();
        let clouds: Vec<&str> = crate::world::cloud_names().chain([NO_CLOUD]).collect();
        let agents: Vec<&str> = crate::world::AGENTS.iter().map(|a| a.0).collect();
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

/// The tables client generation draws from.
pub struct Tables {
    pub countries: Weighted,
    pub clouds: Weighted,
    /// Upper bounds of one uniform draw for business, ISP, hosting, education (else unknown).
    pub types: [f64; 4],
    pub agent_people: Weighted,
    pub agent_cloud: Weighted,
}

impl Tables {
    /// The built-in mixes, replaced part by part by `mix`.
    pub fn new(mix: Option<&Population>, builtin: Tables) -> Tables {
        let Some(m) = mix else { return builtin };
        let by_name = |map: &BTreeMap<String, f64>, names: &mut dyn Iterator<Item = &str>| {
            Weighted::new(names.map(|n| map.get(n).copied().unwrap_or(0.0)).collect::<Vec<_>>())
        };
        let mut t = builtin;
        if !m.countries.is_empty() {
            t.countries = by_name(&m.countries, &mut crate::world::country_codes());
        }
        let in_cloud: f64 = crate::world::cloud_names().map(|c| m.clouds.get(c).copied().unwrap_or(0.0)).sum();
        if in_cloud > 0.0 {
            t.clouds = by_name(&m.clouds, &mut crate::world::cloud_names());
        }
        if !m.clouds.is_empty() {
            // The cloud share of clients; the other kinds of network keep their built-in ratios.
            let share = in_cloud / m.clouds.values().sum::<f64>();
            let rest = 1.0 - share;
            let (b, i, e) = (0.30 / 0.72 * rest, 0.32 / 0.72 * rest, 0.04 / 0.72 * rest);
            t.types = [b, b + i, b + i + share, b + i + share + e];
        }
        if !m.agents.is_empty() {
            let agents = by_name(&m.agents, &mut crate::world::AGENTS.iter().map(|a| a.0));
            t.agent_people = agents.clone();
            t.agent_cloud = agents;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, DEFAULT_TOML};
    use crate::world::{IpType, World};

    fn with(population: &str) -> Result<Config, crate::Error> {
        Config::parse(&DEFAULT_TOML.replace("[reports]", &format!("{population}\n[reports]")), "t.toml")
    }

    #[test]
    fn a_mix_replaces_the_builtin_one() {
        let c = with(
            "[population]\ncountries = { VN = 3, US = 1 }\nclouds = { \"no csp\" = 1 }\nagents = { podman = 1 }\n",
        )
        .unwrap();
        let w = World::build(c);
        assert!(w.clients.iter().all(|c| c.country() == "VN" || c.country() == "US"));
        let vn = w.clients.iter().filter(|c| c.country() == "VN").count() as f64 / w.clients.len() as f64;
        assert!((0.65..0.85).contains(&vn), "{vn}");
        assert!(w.clients.iter().all(|c| c.profile.ip_type != IpType::Hosting && c.csp().is_none()));
        assert!(w.clients.iter().all(|c| crate::world::AGENTS[c.profile.agent as usize].0 == "podman"));
        let c = with("[population]\nclouds = { aws = 1 }\n").unwrap();
        assert!(World::build(c).clients.iter().all(|c| c.csp() == Some("aws")));
    }

    #[test]
    fn the_mock_knows_65_countries() {
        let codes: std::collections::BTreeSet<&str> = crate::world::country_codes().collect();
        assert_eq!(codes.len(), 65);
    }

    #[test]
    fn a_bad_mix_names_its_line() {
        for (bad, what) in [
            ("countries = { XX = 1 }", "countries.XX"),
            ("agents = { docker = -1 }", "agents.docker"),
            ("clouds = { aws = 0 }", "clouds"),
        ] {
            let err = with(&format!("[population]\n{bad}\n")).unwrap_err().to_string();
            assert!(err.starts_with("t.toml: line ") && err.contains(what), "{err}");
        }
    }
}
