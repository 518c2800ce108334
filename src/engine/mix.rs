//! The client tables of the world: the built-in mixes, replaced part by part by the
//! configuration's `[population]`. Absent, the clients are the same bytes as before.
use std::collections::BTreeMap;

use crate::config::population::{Population, AGENT_NAMES, CLOUD_NAMES, COUNTRY_CODES};
use crate::engine::rng::Weighted;

/// The tables client generation draws from.
pub(crate) struct Tables {
    pub(crate) countries: Weighted,
    pub(crate) clouds: Weighted,
    /// Upper bounds of one uniform draw for business, ISP, hosting, education (else unknown).
    pub(crate) types: [f64; 4],
    pub(crate) agent_people: Weighted,
    pub(crate) agent_cloud: Weighted,
}

impl Tables {
    /// The built-in mixes, replaced part by part by `mix`.
    pub(crate) fn new(mix: Option<&Population>, builtin: Tables) -> Tables {
        let Some(m) = mix else { return builtin };
        let by_name = |map: &BTreeMap<String, f64>, names: &mut dyn Iterator<Item = &str>| {
            Weighted::new(names.map(|n| map.get(n).copied().unwrap_or(0.0)).collect::<Vec<_>>())
        };
        let mut t = builtin;
        if !m.countries.is_empty() {
            t.countries = by_name(&m.countries, &mut COUNTRY_CODES.iter().copied());
        }
        let in_cloud: f64 = CLOUD_NAMES.iter().map(|c| m.clouds.get(*c).copied().unwrap_or(0.0)).sum();
        if in_cloud > 0.0 {
            t.clouds = by_name(&m.clouds, &mut CLOUD_NAMES.iter().copied());
        }
        if !m.clouds.is_empty() {
            // The cloud share of clients; the other kinds of network keep their built-in ratios.
            let share = in_cloud / m.clouds.values().sum::<f64>();
            let rest = 1.0 - share;
            let (b, i, e) = (0.30 / 0.72 * rest, 0.32 / 0.72 * rest, 0.04 / 0.72 * rest);
            t.types = [b, b + i, b + i + share, b + i + share + e];
        }
        if !m.agents.is_empty() {
            let agents = by_name(&m.agents, &mut AGENT_NAMES.iter().copied());
            t.agent_people = agents.clone();
            t.agent_cloud = agents;
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, DEFAULT_TOML};

    fn with(population: &str) -> Result<Config, crate::Error> {
        Config::parse(&DEFAULT_TOML.replace("[reports]", &format!("{population}\n[reports]")), "t.toml")
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
