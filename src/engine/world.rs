//! The world built from the configuration: the namespaces, the shared client population, and
//! the users with their credentials and tokens.
use crate::config::Config;
use crate::engine::calendar::Calendar;
use crate::engine::clients::{self, Client, Profile};
use crate::engine::jwt;
use crate::engine::namespaces::{self, Namespace};
use crate::engine::public_counts::Public;

/// The built world; everything downstream reads it, nothing mutates it.
#[derive(Debug)]
pub struct World {
    /// The validated configuration the world was built from.
    pub config: Config,
    /// The weeks and months available from `history_start` to `as_of`.
    pub calendar: Calendar,
    /// The publisher namespaces, in configuration order.
    pub namespaces: Vec<Namespace>,
    pub(crate) clients: Vec<Client>,
    /// Distinct client profiles, sorted ([`Client::profile_id`] indexes it).
    pub(crate) profiles: Vec<Profile>,
    /// Every principal that can log in: the configured accounts, then one per namespace
    /// with OATs.
    pub users: Vec<User>,
    /// Public namespaces: pull series on the proxylytics pull routes only.
    pub(crate) public: Vec<Public>,
}

/// A principal that can get tokens: an account (password, PATs), or an organization through
/// its OATs (`organization`; empty password, never logs in with one). Accounts come first.
#[derive(Debug, Clone)]
pub struct User {
    /// The Docker ID, or the organization (namespace) name of an OAT principal.
    pub username: String,
    pub(crate) password: String,
    pub(crate) totp: Option<String>,
    /// Indices into `World::namespaces`, in configuration order.
    pub(crate) namespaces: Vec<usize>,
    /// A sample access token of the first credential (issued at `as_of`; see [`jwt::Family`]).
    pub token: String,
    pub(crate) refresh_token: String,
    pub(crate) login_2fa_token: Option<String>,
    /// Whether this is an organization that logs in with its OATs only.
    pub organization: bool,
    /// The password (accounts only, first), then each PAT or OAT, with its token family.
    pub credentials: Vec<Credential>,
}

/// One way to log in and the tokens it yields.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The PAT or OAT; `None` for the password.
    pub secret: Option<String>,
    /// Every token a login with this credential yields (its own payload suffix, see
    /// [`jwt::Family`]).
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
        })
        .collect()
}

impl World {
    /// Builds the world of a validated `config`: every draw comes from `config.seed`.
    pub fn build(config: Config) -> World {
        let calendar = Calendar::new(config.history_start, config.as_of);
        let mut clients = clients::build(config.seed, config.clients, config.population.as_ref());
        let mut profiles: Vec<Profile> = clients.iter().map(|c| c.profile).collect();
        profiles.sort_unstable();
        profiles.dedup();
        for c in &mut clients {
            c.profile_id = profiles.binary_search(&c.profile).expect("every profile is listed") as u32;
        }
        let namespaces =
            config.namespaces.iter().map(|ns| namespaces::build(config.seed, ns, &clients)).collect::<Vec<_>>();
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

    /// The namespace called `name`, with its index in `namespaces`.
    pub fn namespace(&self, name: &str) -> Option<(usize, &Namespace)> {
        self.namespaces.iter().enumerate().find(|(_, n)| n.name == name)
    }

    /// Users allowed to read namespace `ns`.
    pub fn members(&self, ns: usize) -> impl Iterator<Item = &User> {
        self.users.iter().filter(move |u| u.namespaces.contains(&ns))
    }
}
