//! The modelled namespaces: their repositories, tags and platform digests, what an event can
//! pull (`variants`), and the audience of clients that pulls from each.
use crate::engine::clients::Client;
use crate::engine::rng::{self, Weighted};
use crate::engine::volume::NsVolume;

#[derive(Debug)]
pub struct Namespace {
    pub name: String,
    pub(crate) publisher: String,
    pub(crate) publisher_type: String,
    pub extension_publisher: bool,
    pub premium_extensions: bool,
    pub(crate) weekly_pulls: f64,
    pub(crate) growth: f64,
    pub repos: Vec<Repo>,
    /// Picks a repository by popularity.
    pub(crate) repo_pick: Weighted,
    /// Client ids that pull from this namespace, and their activity weights.
    pub(crate) audience: Vec<u32>,
    pub(crate) audience_pick: Weighted,
    /// Every (repository, tag, platform), in that order: what an event can pull.
    pub(crate) variants: Vec<(u16, u16, u8)>,
    /// Per repository, per tag: index in `variants` of its first platform.
    variant_base: Vec<Vec<u32>>,
    /// The repositories with a calibrated `weeks` profile, if any.
    pub(crate) volume: Option<NsVolume>,
}

impl Namespace {
    /// Index in `variants` of (repository, tag, platform).
    pub(crate) fn variant(&self, repo: u16, tag: u16, platform: u8) -> usize {
        self.variant_base[repo as usize][tag as usize] as usize + platform as usize
    }
}

#[derive(Debug)]
pub struct Repo {
    pub name: String,
    pub(crate) popularity: f64,
    pub(crate) extension: bool,
    pub(crate) tags: Vec<Tag>,
    pub(crate) tag_pick: Weighted,
    /// Configured (by digest, version check) shares of all events, if set.
    pub(crate) actions: Option<(f64, f64)>,
}

#[derive(Debug)]
pub(crate) struct Tag {
    pub(crate) name: String,
    /// One `sha256:` digest per platform.
    pub(crate) digests: Vec<String>,
}

/// The namespace of `ns`: digests drawn per (namespace, repository, tag, platform) and an
/// audience drawn from `clients`, so no namespace depends on another.
pub(crate) fn build(seed: u64, ns: &crate::config::Namespace, clients: &[Client]) -> Namespace {
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
    let volume = NsVolume::build(seed, ns, audience.len());
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
