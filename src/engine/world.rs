//! The world built from the configuration: namespaces, repositories, tags with platform
//! digests, the shared client population, and the users with their tokens.
use crate::config::Config;
use crate::engine::calendar::Calendar;
use crate::engine::jwt;
use crate::engine::public_counts::Public;
use crate::engine::rng::{self, Weighted};
use rand::Rng;

/// The built world; everything downstream reads it, nothing mutates it.
#[derive(Debug)]
pub struct World {
    pub config: Config,
    pub calendar: Calendar,
    pub namespaces: Vec<Namespace>,
    pub clients: Vec<Client>,
    /// Distinct client profiles, sorted ([`Client::profile_id`] indexes it).
    pub profiles: Vec<Profile>,
    pub users: Vec<User>,
    /// Public namespaces: pull series on the proxylytics pull routes only.
    pub public: Vec<Public>,
}

#[derive(Debug)]
pub struct Namespace {
    pub name: String,
    pub publisher: String,
    pub publisher_type: String,
    pub extension_publisher: bool,
    pub premium_extensions: bool,
    pub weekly_pulls: f64,
    pub growth: f64,
    pub repos: Vec<Repo>,
    /// Picks a repository by popularity.
    pub repo_pick: Weighted,
    /// Client ids that pull from this namespace, and their activity weights.
    pub audience: Vec<u32>,
    pub audience_pick: Weighted,
    /// Every (repository, tag, platform), in that order: what an event can pull.
    pub variants: Vec<(u16, u16, u8)>,
    /// Per repository, per tag: index in `variants` of its first platform.
    variant_base: Vec<Vec<u32>>,
    /// The repositories with a calibrated `weeks` profile, if any.
    pub volume: Option<crate::engine::volume::NsVolume>,
}

impl Namespace {
    /// Index in `variants` of (repository, tag, platform).
    pub fn variant(&self, repo: u16, tag: u16, platform: u8) -> usize {
        self.variant_base[repo as usize][tag as usize] as usize + platform as usize
    }
}

#[derive(Debug)]
pub struct Repo {
    pub name: String,
    pub popularity: f64,
    pub extension: bool,
    pub tags: Vec<Tag>,
    pub tag_pick: Weighted,
    /// Configured (by digest, version check) shares of all events, if set.
    pub actions: Option<(f64, f64)>,
}

#[derive(Debug)]
pub struct Tag {
    pub name: String,
    /// One `sha256:` digest per platform.
    pub digests: Vec<String>,
    pub platforms: Vec<String>,
}

/// The kind of network an IP belongs to (`Type` in raw exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum IpType {
    Business,
    Isp,
    Hosting,
    Education,
    Unknown,
}

impl IpType {
    pub fn as_str(self) -> &'static str {
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
pub struct Client {
    pub id: u32,
    /// Sampling weight among a namespace's audience (heavy-tailed: CI fleets pull a lot).
    pub activity: f64,
    pub profile: Profile,
    /// Index of `profile` in [`World::profiles`].
    pub profile_id: u32,
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
    pub ip_type: IpType,
    /// Index into [`AGENTS`].
    pub agent: u8,
    /// Index into the table of `ip_type` (companies, ISPs, clouds, universities).
    network: u16,
    /// Index into the country table.
    country: u8,
}

/// At most this many other public images per client.
const MAX_OTHER_IMAGES: usize = 4;

impl Profile {
    /// ISO country code.
    pub fn country(&self) -> &'static str {
        let i = self.country as usize;
        COUNTRIES.get(i).map_or_else(|| crate::config::population::COUNTRY_CODES[i], |c| c.0)
    }
    /// Cloud provider (`aws`, `gcp`, `azure`) when the IP is in a cloud.
    pub fn csp(&self) -> Option<&'static str> {
        (self.ip_type == IpType::Hosting).then(|| CLOUDS[self.network as usize].0)
    }
    /// The IP's domain (reverse DNS owner); empty when unknown.
    pub fn domain(&self) -> &'static str {
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
    pub fn company(&self) -> Option<&'static str> {
        (self.ip_type == IpType::Business).then(|| COMPANIES[self.network as usize])
    }
}

/// Clients are the biggest table of the world (hundreds of thousands in load-test
/// configurations), so each is 32 bytes of indices; strings are looked up when read.
impl Client {
    pub fn country(&self) -> &'static str {
        self.profile.country()
    }
    pub fn csp(&self) -> Option<&'static str> {
        self.profile.csp()
    }
    pub fn domain(&self) -> &'static str {
        self.profile.domain()
    }
    pub fn company(&self) -> Option<&'static str> {
        self.profile.company()
    }
    /// Docker user id when the client pulls authenticated.
    pub fn user(&self) -> Option<u32> {
        self.authenticated.then_some(100_000 + self.id)
    }
    /// Other public images this client pulls, indices into [`PUBLIC_IMAGES`].
    pub fn other_images(&self) -> &[u8] {
        &self.other[..self.other_count as usize]
    }
}

/// A principal that can get tokens: an account (password, PATs), or an organization through
/// its OATs (`organization`; empty password, never logs in with one). Accounts come first.
#[derive(Debug, Clone)]
pub struct User {
    pub username: String,
    pub password: String,
    pub totp: Option<String>,
    /// Indices into `World::namespaces`, in configuration order.
    pub namespaces: Vec<usize>,
    /// A sample access token of the first credential (issued at `as_of`; see [`jwt::Family`]).
    pub token: String,
    pub refresh_token: String,
    pub login_2fa_token: Option<String>,
    pub organization: bool,
    /// The password (accounts only, first), then each PAT or OAT, with its token family.
    pub credentials: Vec<Credential>,
}

/// One way to log in and the tokens it yields.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The PAT or OAT; `None` for the password.
    pub secret: Option<String>,
    pub source: jwt::Source,
    pub family: jwt::Family,
}

/// The principal's credentials with their token families.
fn credentials(seed: u64, username: &str, password: bool, secrets: &[String], source: jwt::Source) -> Vec<Credential> {
    let password = password.then_some((None, "password".to_string(), jwt::Source::Password));
    let secrets = secrets.iter().enumerate().map(|(i, s)| (Some(s.clone()), format!("{}/{i}", &s[..8]), source));
    password
        .into_iter()
        .chain(secrets)
        .map(|(secret, key, source)| Credential {
            family: jwt::Family::new(seed, &jwt::Principal { username, credential: &key, source }),
            secret,
            source,
        })
        .collect()
}

/// User-agent tools: (tool, versions, use-case class).
pub const AGENTS: &[(&str, &[&str], UseCase)] = &[
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
pub enum UseCase {
    LocalDev,
    CiCd,
    Prod,
    Unknown,
}

impl UseCase {
    pub fn as_str(self) -> &'static str {
        match self {
            UseCase::LocalDev => "Local Dev",
            UseCase::CiCd => "CI/CD",
            UseCase::Prod => "Prod",
            UseCase::Unknown => "Unknown",
        }
    }
}

/// Public images outside the modelled namespaces that clients also pull.
pub const PUBLIC_IMAGES: &[(&str, f64)] = &[
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

const COUNTRIES: &[(&str, f64)] = &[
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

const COMPANIES: &[&str] = &[
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
const ISPS: &[&str] = &[
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
const UNIVERSITIES: &[&str] = &["mit.edu", "ethz.ch", "tum.de", "u-tokyo.ac.jp", "ox.ac.uk"];
const CLOUDS: &[(&str, &str, f64)] =
    &[("aws", "amazonaws.com", 50.0), ("gcp", "googleusercontent.com", 25.0), ("azure", "cloudapp.net", 25.0)];

impl World {
    pub fn build(config: Config) -> World {
        let calendar = Calendar::new(config.history_start, config.as_of);
        let mut clients = build_clients(config.seed, config.clients, config.population.as_ref());
        let mut profiles: Vec<Profile> = clients.iter().map(|c| c.profile).collect();
        profiles.sort_unstable();
        profiles.dedup();
        for c in &mut clients {
            c.profile_id = profiles.binary_search(&c.profile).expect("every profile is listed") as u32;
        }
        let namespaces =
            config.namespaces.iter().map(|ns| build_namespace(config.seed, ns, &clients)).collect::<Vec<_>>();
        let (seed, as_of) = (config.seed, config.as_of);
        let mut users: Vec<User> = config
            .users
            .iter()
            .map(|u| {
                let credentials = credentials(seed, &u.username, true, &u.pats, jwt::Source::PersonalAccessToken);
                User {
                    username: u.username.clone(),
                    password: u.password.clone(),
                    totp: u.totp.clone(),
                    namespaces: namespaces
                        .iter()
                        .enumerate()
                        .filter(|(_, ns)| u.namespaces.contains(&ns.name))
                        .map(|(i, _)| i)
                        .collect(),
                    token: credentials[0].family.sample(as_of, jwt::LOGIN_TOKEN_LIFETIME),
                    refresh_token: jwt::token(seed, as_of, &u.username, "refresh"),
                    login_2fa_token: u.totp.as_ref().map(|_| jwt::token(seed, as_of, &u.username, "login_2fa")),
                    organization: false,
                    credentials,
                }
            })
            .collect();
        // INFERRED: an OAT's principal is its organization (username claim = the namespace),
        // and it sees that namespace only.
        users.extend(config.namespaces.iter().enumerate().filter(|(_, n)| !n.oats.is_empty()).map(|(i, n)| {
            let credentials = credentials(seed, &n.name, false, &n.oats, jwt::Source::OrganizationAccessToken);
            User {
                username: n.name.clone(),
                password: String::new(),
                totp: None,
                namespaces: vec![i],
                token: credentials[0].family.sample(as_of, jwt::AUTH_TOKEN_LIFETIME),
                refresh_token: jwt::token(seed, as_of, &n.name, "refresh"),
                login_2fa_token: None,
                organization: true,
                credentials,
            }
        }));
        let public = config.public_namespaces.iter().map(|p| Public::build(config.seed, &calendar, p)).collect();
        World { config, calendar, namespaces, clients, profiles, users, public }
    }

    pub fn namespace(&self, name: &str) -> Option<(usize, &Namespace)> {
        self.namespaces.iter().enumerate().find(|(_, n)| n.name == name)
    }

    /// Users allowed to read namespace `ns`.
    pub fn members(&self, ns: usize) -> impl Iterator<Item = &User> {
        self.users.iter().filter(move |u| u.namespaces.contains(&ns))
    }
}

fn build_namespace(seed: u64, ns: &crate::config::Namespace, clients: &[Client]) -> Namespace {
    let repos: Vec<Repo> = ns
        .repos
        .iter()
        .map(|r| Repo {
            name: r.name.clone(),
            popularity: r.popularity,
            extension: r.extension,
            actions: (r.by_digest.is_some() || r.version_checks.is_some())
                .then(|| (r.by_digest.unwrap_or(0.0), r.version_checks.unwrap_or(0.0))),
            tag_pick: Weighted::new(r.tags.iter().map(|t| t.popularity)),
            tags: r
                .tags
                .iter()
                .map(|t| Tag {
                    name: t.name.clone(),
                    platforms: t.platforms.clone(),
                    digests: t
                        .platforms
                        .iter()
                        .map(|p| {
                            let mut s = rng::stream(seed, &["digest", &ns.name, &r.name, &t.name, p]);
                            format!("sha256:{}", rng::hex(&mut s, 32))
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    // Audience: each client joins with probability `reach`, decided by a per-namespace stream
    // read in client order, so the audience of one namespace never depends on another's.
    let mut s = rng::stream(seed, &["audience", &ns.name]);
    let audience: Vec<u32> = clients.iter().filter(|_| rng::unit(&mut s) < ns.reach).map(|c| c.id).collect();
    let audience_pick = Weighted::new(audience.iter().map(|&id| clients[id as usize].activity));
    let mut variants = Vec::new();
    let variant_base = repos
        .iter()
        .enumerate()
        .map(|(r, repo)| {
            repo.tags
                .iter()
                .enumerate()
                .map(|(t, tag)| {
                    let base = variants.len() as u32;
                    variants.extend((0..tag.digests.len()).map(|p| (r as u16, t as u16, p as u8)));
                    base
                })
                .collect()
        })
        .collect();
    let volume = crate::engine::volume::NsVolume::build(seed, ns, audience.len());
    Namespace {
        name: ns.name.clone(),
        publisher: ns.publisher.clone(),
        publisher_type: ns.publisher_type.clone(),
        extension_publisher: ns.extension_publisher,
        premium_extensions: ns.premium_extensions,
        weekly_pulls: ns.weekly_pulls,
        growth: ns.growth,
        repo_pick: Weighted::new(repos.iter().map(|r| r.popularity)),
        repos,
        audience,
        audience_pick,
        variants,
        variant_base,
        volume,
    }
}

/// ISO codes of every country a client can have, in index order.
pub fn country_codes() -> impl Iterator<Item = &'static str> {
    COUNTRIES.iter().map(|c| c.0).chain(crate::config::population::COUNTRY_CODES[COUNTRIES.len()..].iter().copied())
}

/// Cloud provider names (`aws`, `gcp`, `azure`).
pub fn cloud_names() -> impl Iterator<Item = &'static str> {
    CLOUDS.iter().map(|c| c.0)
}

fn build_clients(seed: u64, n: u32, mix: Option<&crate::engine::mix::Population>) -> Vec<Client> {
    let mut s = rng::stream(seed, &["clients"]);
    let images = Weighted::new(PUBLIC_IMAGES.iter().map(|c| c.1));
    let builtin = crate::engine::mix::Tables {
        countries: Weighted::new(COUNTRIES.iter().map(|c| c.1)),
        clouds: Weighted::new(CLOUDS.iter().map(|c| c.2)),
        types: [0.30, 0.62, 0.90, 0.94],
        // Agent mixes per network kind: clouds run CI and runtimes, people run docker.
        agent_people: Weighted::new([50.0, 4.0, 6.0, 8.0, 6.0, 1.0, 1.0, 0.0, 0.0, 2.0, 2.0]),
        agent_cloud: Weighted::new([12.0, 30.0, 18.0, 2.0, 2.0, 5.0, 5.0, 6.0, 10.0, 6.0, 4.0]),
    };
    let crate::engine::mix::Tables { countries, clouds, types, agent_people, agent_cloud } =
        crate::engine::mix::Tables::new(mix, builtin);
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
    use crate::config::DEFAULT_TOML;

    fn with_population(population: &str) -> Result<Config, crate::Error> {
        Config::parse(&DEFAULT_TOML.replace("[reports]", &format!("{population}\n[reports]")), "t.toml")
    }

    #[test]
    fn a_mix_replaces_the_builtin_one() {
        let c = with_population(
            "[population]\ncountries = { VN = 3, US = 1 }\nclouds = { \"no csp\" = 1 }\nagents = { podman = 1 }\n",
        )
        .unwrap();
        let w = World::build(c);
        assert!(w.clients.iter().all(|c| c.country() == "VN" || c.country() == "US"));
        let vn = w.clients.iter().filter(|c| c.country() == "VN").count() as f64 / w.clients.len() as f64;
        assert!((0.65..0.85).contains(&vn), "{vn}");
        assert!(w.clients.iter().all(|c| c.profile.ip_type != IpType::Hosting && c.csp().is_none()));
        assert!(w.clients.iter().all(|c| AGENTS[c.profile.agent as usize].0 == "podman"));
        let c = with_population("[population]\nclouds = { aws = 1 }\n").unwrap();
        assert!(World::build(c).clients.iter().all(|c| c.csp() == Some("aws")));
    }

    #[test]
    fn the_mock_knows_65_countries_and_the_engine_tables_match_the_names() {
        let codes: std::collections::BTreeSet<&str> = crate::engine::mix::COUNTRY_CODES.iter().copied().collect();
        assert_eq!(codes.len(), 65);
        assert!(country_codes().eq(crate::engine::mix::COUNTRY_CODES.iter().copied()));
        assert!(cloud_names().eq(crate::engine::mix::CLOUD_NAMES.iter().copied()));
        assert!(AGENTS.iter().map(|a| a.0).eq(crate::engine::mix::AGENT_NAMES.iter().copied()));
    }

    #[test]
    fn a_client_stays_small() {
        assert!(std::mem::size_of::<Client>() <= 32, "{}", std::mem::size_of::<Client>());
    }
}
