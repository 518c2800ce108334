//! The client population: one [`Client`] per pulling IP, with the [`Profile`] (country,
//! network, agent) every report groups by, drawn once from the seed.
use crate::config::population::Population;
use crate::engine::mix::Tables;
use crate::engine::population::{CLOUDS, COMPANIES, COUNTRIES, ISPS, PUBLIC_IMAGES, UNIVERSITIES};
use crate::engine::rng::{self, Weighted};
use rand::Rng;

/// The kind of network an IP belongs to (`Type` in raw exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum IpType {
    Business,
    Isp,
    Hosting,
    Education,
    Unknown,
}

impl IpType {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            IpType::Business => "business",
            IpType::Isp => "isp",
            IpType::Hosting => "hosting",
            IpType::Education => "education",
            IpType::Unknown => "null",
        }
    }
}

/// One pulling client (an IP address with stable attributes).
#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub(crate) id: u32,
    /// Sampling weight among a namespace's audience (heavy-tailed: CI fleets pull a lot).
    pub(crate) activity: f64,
    pub(crate) profile: Profile,
    /// Index of `profile` in [`World::profiles`](crate::engine::world::World::profiles).
    pub(crate) profile_id: u32,
    authenticated: bool,
    /// Other public images this client pulls (technographic pairings): the first
    /// `other_count` entries are indices into [`PUBLIC_IMAGES`], sorted, distinct.
    other: [u8; MAX_OTHER_IMAGES],
    other_count: u8,
}

/// What every report groups clients by: country, network and agent. Many clients share a
/// profile, so counts are kept per profile and only distinct-client counts look at clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Profile {
    pub(crate) ip_type: IpType,
    /// Index into [`AGENTS`](crate::engine::population::AGENTS).
    pub(crate) agent: u8,
    /// Index into the table of `ip_type` (companies, ISPs, clouds, universities).
    network: u16,
    /// Index into the country table.
    country: u8,
}

/// At most this many other public images per client.
const MAX_OTHER_IMAGES: usize = 4;

impl Profile {
    /// ISO country code.
    pub(crate) fn country(&self) -> &'static str {
        let i = self.country as usize;
        COUNTRIES.get(i).map_or_else(|| crate::config::population::COUNTRY_CODES[i], |c| c.0)
    }
    /// Cloud provider (`aws`, `gcp`, `azure`) when the IP is in a cloud.
    pub(crate) fn csp(&self) -> Option<&'static str> {
        (self.ip_type == IpType::Hosting).then(|| CLOUDS[self.network as usize].0)
    }
    /// The IP's domain (reverse DNS owner); empty when unknown.
    pub(crate) fn domain(&self) -> &'static str {
        let i = self.network as usize;
        match self.ip_type {
            IpType::Business => COMPANIES[i],
            IpType::Isp => ISPS[i],
            IpType::Hosting => CLOUDS[i].1,
            IpType::Education => UNIVERSITIES[i],
            IpType::Unknown => "",
        }
    }
    /// The company behind a business IP.
    pub(crate) fn company(&self) -> Option<&'static str> {
        (self.ip_type == IpType::Business).then(|| COMPANIES[self.network as usize])
    }
}

/// Clients are the biggest table of the world (hundreds of thousands in load-test
/// configurations), so each is 32 bytes of indices; strings are looked up when read.
impl Client {
    pub(crate) fn country(&self) -> &'static str {
        self.profile.country()
    }
    pub(crate) fn csp(&self) -> Option<&'static str> {
        self.profile.csp()
    }
    pub(crate) fn domain(&self) -> &'static str {
        self.profile.domain()
    }
    pub(crate) fn company(&self) -> Option<&'static str> {
        self.profile.company()
    }
    /// Docker user id when the client pulls authenticated.
    pub(crate) fn user(&self) -> Option<u32> {
        self.authenticated.then_some(100_000 + self.id)
    }
    /// Other public images this client pulls, indices into [`PUBLIC_IMAGES`].
    pub(crate) fn other_images(&self) -> &[u8] {
        &self.other[..self.other_count as usize]
    }
}

/// `n` clients drawn from the `["clients"]` stream of `seed`, from the built-in tables
/// reweighted by the configuration's `mix`; `profile_id` is left 0 for the world to set.
pub(crate) fn build(seed: u64, n: u32, mix: Option<&Population>) -> Vec<Client> {
    let mut s = rng::stream(seed, &["clients"]);
    let images = Weighted::new(PUBLIC_IMAGES.iter().map(|c| c.1));
    let builtin = Tables {
        countries: Weighted::new(COUNTRIES.iter().map(|c| c.1)),
        clouds: Weighted::new(CLOUDS.iter().map(|c| c.2)),
        types: [0.30, 0.62, 0.90, 0.94],
        // Agent mixes per network kind: clouds run CI and runtimes, people run docker.
        agent_people: Weighted::new([50.0, 4.0, 6.0, 8.0, 6.0, 1.0, 1.0, 0.0, 0.0, 2.0, 2.0]),
        agent_cloud: Weighted::new([12.0, 30.0, 18.0, 2.0, 2.0, 5.0, 5.0, 6.0, 10.0, 6.0, 4.0]),
    };
    let Tables { countries, clouds, types, agent_people, agent_cloud } = Tables::new(mix, builtin);
    (0..n)
        .map(|id| {
            let country = countries.pick(&mut s) as u8;
            let r = rng::unit(&mut s);
            let (ip_type, network) = if r < types[0] {
                (IpType::Business, s.random_range(0..COMPANIES.len()))
            } else if r < types[1] {
                (IpType::Isp, s.random_range(0..ISPS.len()))
            } else if r < types[2] {
                (IpType::Hosting, clouds.pick(&mut s))
            } else if r < types[3] {
                (IpType::Education, s.random_range(0..UNIVERSITIES.len()))
            } else {
                (IpType::Unknown, 0)
            };
            let on_cloud = ip_type == IpType::Hosting;
            let agent = if on_cloud { agent_cloud.pick(&mut s) } else { agent_people.pick(&mut s) } as u8;
            let authenticated = rng::unit(&mut s) < 0.45;
            let k = s.random_range(0..MAX_OTHER_IMAGES as u32 + 1);
            let mut other = [u8::MAX; MAX_OTHER_IMAGES];
            for slot in other.iter_mut().take(k as usize) {
                *slot = images.pick(&mut s) as u8;
            }
            other.sort_unstable();
            let mut other_count = 0;
            for i in 0..k as usize {
                if i == 0 || other[i] != other[i - 1] {
                    other[other_count] = other[i];
                    other_count += 1;
                }
            }
            // Heavy-tailed activity: a few clients (CI fleets) pull a lot.
            let u = rng::unit(&mut s);
            let mut activity = libm::pow(1.0 - u, -1.0 / 1.1).min(1000.0);
            if on_cloud {
                activity *= 2.0;
            }
            Client {
                id,
                activity,
                profile: Profile { ip_type, agent, network: network as u16, country },
                profile_id: 0,
                authenticated,
                other,
                other_count: other_count as u8,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DEFAULT_TOML};
    use crate::engine::population::AGENTS;

    fn with_population(population: &str) -> Result<Config, crate::Error> {
        Config::parse(&DEFAULT_TOML.replace("[reports]", &format!("{population}\n[reports]")), "t.toml")
    }

    fn clients_of(c: &Config) -> Vec<Client> {
        build(c.seed, c.clients, c.population.as_ref())
    }

    #[test]
    fn a_mix_replaces_the_builtin_one() {
        let c = with_population(
            "[population]\ncountries = { VN = 3, US = 1 }\nclouds = { \"no csp\" = 1 }\nagents = { podman = 1 }\n",
        )
        .unwrap();
        let clients = clients_of(&c);
        assert!(clients.iter().all(|c| c.country() == "VN" || c.country() == "US"));
        let vn = clients.iter().filter(|c| c.country() == "VN").count() as f64 / clients.len() as f64;
        assert!((0.65..0.85).contains(&vn), "{vn}");
        assert!(clients.iter().all(|c| c.profile.ip_type != IpType::Hosting && c.csp().is_none()));
        assert!(clients.iter().all(|c| AGENTS[c.profile.agent as usize].0 == "podman"));
        let c = with_population("[population]\nclouds = { aws = 1 }\n").unwrap();
        assert!(clients_of(&c).iter().all(|c| c.csp() == Some("aws")));
    }

    #[test]
    fn a_client_stays_small() {
        assert!(std::mem::size_of::<Client>() <= 32, "{}", std::mem::size_of::<Client>());
    }
}
