//! What the load profile fixes at generation that the default tree renders per request: the
//! base URL and signing date of every link, and one token per principal (credential).
use super::super::bearer_of;
use crate::engine::jwt::{AUTH_TOKEN_LIFETIME, LOGIN_TOKEN_LIFETIME};
use crate::engine::model::Model;
use crate::engine::world::{User, World};
use crate::sink::Sink;
use crate::wiremock::request::Matcher;

/// Lifetime of a load-profile token: issued at midnight of `as_of`, it expires ten years
/// later, so a client that reads `exp` never sees it expire during a run.
pub const LOAD_TOKEN_LIFETIME: u64 = 10 * 365 * 24 * 3600;

/// The tokens of one credential: what the default tree renders or quotes, and the one fixed
/// token of the load profile.
struct CredentialTokens {
    /// The response templates that mint a token at request time (login, `/v2/auth/token`).
    templates: [String; 2],
    /// The sample tokens the corpus sends (issued at `as_of`, both lifetimes).
    samples: [String; 2],
    /// The part after the changing middle (`S.G`), the same in every token of the credential.
    tail: String,
    /// The load profile's token.
    load: String,
}

/// The values the load profile writes where the default tree has a template.
pub struct Fixed {
    base_url: String,
    /// `yyyyMMdd` of `as_of` (the credential date of signed links).
    date: String,
    /// `yyyyMMdd'T'HHmmss'Z'` of midnight of `as_of` (the signing time of links).
    datetime: String,
    credentials: Vec<(usize, CredentialTokens)>,
}

impl Fixed {
    /// The fixed values of `world`'s credentials and links on `base_url`, as of its `as_of`.
    pub fn new(world: &World, base_url: &str) -> Fixed {
        let as_of = world.config.as_of;
        let credentials = world
            .users
            .iter()
            .enumerate()
            .flat_map(|(i, u)| u.credentials.iter().map(move |c| (i, c)))
            .map(|(i, c)| {
                let f = &c.family;
                let tokens = CredentialTokens {
                    templates: [
                        crate::routes::fresh_token(f, LOGIN_TOKEN_LIFETIME).build(),
                        crate::routes::fresh_token(f, AUTH_TOKEN_LIFETIME).build(),
                    ],
                    samples: [f.sample(as_of, LOGIN_TOKEN_LIFETIME), f.sample(as_of, AUTH_TOKEN_LIFETIME)],
                    tail: f.tail().to_string(),
                    load: f.sample(as_of, LOAD_TOKEN_LIFETIME),
                };
                (i, tokens)
            })
            .collect();
        Fixed {
            base_url: base_url.trim_end_matches('/').to_string(),
            date: as_of.format("%Y%m%d").to_string(),
            datetime: as_of.format("%Y%m%dT000000Z").to_string(),
            credentials,
        }
    }

    /// `text` with `{{request.baseUrl}}` and every `{{now format=...}}` replaced by their fixed
    /// values (other Handlebars expressions are left as they are).
    pub fn text(&self, text: &str) -> String {
        let text = text.replace("{{request.baseUrl}}", &self.base_url);
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(i) = rest.find("{{now ") {
            out.push_str(&rest[..i]);
            let end = rest[i..].find("}}").map_or(rest.len(), |j| i + j + 2);
            // The two formats signed links use: a date, or a date and time.
            out.push_str(if rest[i..end].contains("'T'") { &self.datetime } else { &self.date });
            rest = &rest[end..];
        }
        out.push_str(rest);
        out
    }

    /// A response body with every token template replaced by the credential's fixed token.
    pub fn tokens_in(&self, body: &str) -> String {
        let mut out = body.to_string();
        for (_, c) in &self.credentials {
            for t in &c.templates {
                out = out.replace(t.as_str(), &c.load);
            }
        }
        out
    }

    /// The load token of a token the default tree's corpus sends (a sample), if it is one.
    pub fn token_for_sample(&self, token: &str) -> Option<&str> {
        self.credentials.iter().find(|(_, c)| c.samples.iter().any(|s| s == token)).map(|(_, c)| c.load.as_str())
    }

    /// The load token of the credential whose tokens end with `tail`.
    pub fn token_for_tail(&self, tail: &str) -> Option<&str> {
        self.credentials.iter().find(|(_, c)| c.tail == tail).map(|(_, c)| c.load.as_str())
    }

    /// The load tokens of `users`, each as an `Authorization` value.
    fn bearers(&self, users: &[usize]) -> Vec<String> {
        self.credentials.iter().filter(|(u, _)| users.contains(u)).map(|(_, c)| format!("Bearer {}", c.load)).collect()
    }

    /// The `Authorization` matchers of the default tree (any token of a set of principals, by
    /// regex) with the load profile's: the fixed tokens of the same principals, by equality.
    pub fn bearer_rewrites(&self, model: &Model) -> Vec<(Matcher, Matcher)> {
        let users = &model.world.users;
        let index = |u: &User| users.iter().position(|x| x.username == u.username).expect("a user of the world");
        let mut sets: Vec<Vec<usize>> = (0..users.len()).map(|i| vec![i]).collect();
        sets.extend((0..model.world.namespaces.len()).map(|ns| model.world.members(ns).map(index).collect()));
        sets.push((0..users.len()).collect());
        sets.into_iter()
            .filter(|s| !s.is_empty())
            .map(|s| {
                let default = bearer_of(s.iter().map(|&i| &users[i]));
                let exact = self.bearers(&s).into_iter().map(Matcher::EqualTo).collect();
                (default, Matcher::any_of(exact))
            })
            .collect()
    }
}

/// A sink that writes the export listings with their links fixed ([`Fixed::text`]): every
/// JSON body file holding a template expression; everything else passes unchanged. It keeps a
/// copy of the files whose path `keep` accepts (bodies the profile serves from their stub).
pub struct FixingSink<'a> {
    /// Where every file goes, fixed or not.
    pub inner: &'a dyn Sink,
    /// The values put in place of the templates.
    pub fixed: &'a Fixed,
    /// Which paths to keep a copy of.
    pub keep: &'a (dyn Fn(&str) -> bool + Sync),
    /// The copies kept, by path under `__files/`.
    pub kept: std::sync::Mutex<std::collections::BTreeMap<String, Vec<u8>>>,
}

impl Sink for FixingSink<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let templated = path.ends_with(".json") && bytes.windows(2).any(|w| w == b"{{");
        match (templated, std::str::from_utf8(&bytes)) {
            (true, Ok(text)) => self.keep_and_put(path, self.fixed.text(text).into_bytes()),
            _ => self.keep_and_put(path, bytes),
        }
    }

    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
}

impl FixingSink<'_> {
    fn keep_and_put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        if (self.keep)(path) {
            self.kept.lock().expect("no writer panicked").insert(path.to_string(), bytes.clone());
        }
        self.inner.put(path, bytes)
    }

    /// The files kept.
    pub fn into_kept(self) -> std::collections::BTreeMap<String, Vec<u8>> {
        self.kept.into_inner().expect("no writer panicked")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_get_the_base_url_and_the_signing_date_of_as_of() {
        let model = Model::build(crate::config::Config::default_config(), 1);
        let f = Fixed::new(&model.world, "http://h:1/");
        let t = r#"{{request.baseUrl}}/x?c=A%2F{{now format='yyyyMMdd' timezone='UTC'}}%2F&d={{now format="yyyyMMdd'T'HHmmss'Z'" timezone='UTC'}}&e={{#if x}}"#;
        assert_eq!(f.text(t), "http://h:1/x?c=A%2F20260318%2F&d=20260318T000000Z&e={{#if x}}");
    }
}
