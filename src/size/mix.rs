//! What one namespace's periods hold, as the estimate sees it: the expected events of each
//! repository in a period (the Poisson volume of `weekly_pulls` by popularity, and the
//! calibrated `weeks` profiles day by day, as `engine::events::DayStream` draws them), and the
//! probability of each summary key (repository, tag, platform, country) within a repository.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::bodies::csv_layout as layout;
use crate::engine::calendar::{is_weekend, Period};
use crate::engine::events::daily_mean;
use crate::engine::namespaces::Namespace;
use crate::engine::world::World;

/// Share of pulls that name a tag (pull by tag and version checks), the rest by digest.
const BY_TAG_SHARE: f64 = 0.62;
/// Share of pulls that pick a multi-platform tag's first platform.
const FIRST_PLATFORM: f64 = 0.7;

/// One namespace, for the estimate.
pub(super) struct Mix {
    /// No event at all (no audience).
    silent: bool,
    /// Per repository: its summary keys (probability within the repository, bytes of the
    /// row's names).
    keys: Vec<Vec<(f64, f64)>>,
    /// Per repository: bytes of its name.
    repo_names: Vec<f64>,
    /// Per repository: its share of the Poisson volume (0 for profiled repositories).
    poisson_share: Vec<f64>,
    /// Per repository with a calibrated profile: events by Monday.
    profiles: Vec<Option<BTreeMap<NaiveDate, u64>>>,
    /// Share of pulls per country.
    countries: Vec<f64>,
    /// Pulled tags (with a share of events).
    pub(crate) tags: f64,
    pub(crate) pulled_repos: usize,
    pub(crate) repo_name_len: f64,
    /// Distinct (country, cloud, agent) of the audience: the trend report's rows per tag.
    pub(crate) trend_keys: f64,
    ext_repos: usize,
}

impl Mix {
    pub(crate) fn of(world: &World, i: usize) -> Mix {
        let ns = &world.namespaces[i];
        let configured = &world.config.namespaces[i];
        let profiles: Vec<Option<BTreeMap<NaiveDate, u64>>> = configured
            .repos
            .iter()
            .map(|r| r.weeks.as_ref().map(|w| w.0.iter().map(|w| (w.week, w.pulls)).collect()))
            .collect();
        // As the day streams pick: among the repositories without a profile, by popularity.
        // (No volume, no events: such a repository's series is never pulled.)
        let weight = |r: usize| {
            if profiles[r].is_some() || ns.weekly_pulls <= 0.0 {
                0.0
            } else {
                ns.repos[r].popularity.max(0.0)
            }
        };
        let total: f64 = (0..ns.repos.len()).map(weight).sum();
        let poisson_share: Vec<f64> =
            (0..ns.repos.len()).map(|r| if total > 0.0 { weight(r) / total } else { 0.0 }).collect();
        let (mut keys, mut tags, mut pulled) = (Vec::new(), 0.0, 0);
        let name = ns.name.len() as f64;
        for (r, (repo, rc)) in ns.repos.iter().zip(&configured.repos).enumerate() {
            // Pulled: some events in the history (a profile's weeks outside it draw none).
            let (from, to) = (world.config.history_start, world.config.as_of);
            let profiled = profiles[r].as_ref().is_some_and(|p| p.range(from..to).any(|(_, &n)| n > 0));
            let is_pulled = !ns.audience.is_empty() && (poisson_share[r] > 0.0 || profiled);
            pulled += usize::from(is_pulled);
            let tag_total: f64 = rc.tags.iter().map(|t| t.popularity.max(0.0)).sum();
            let mut repo_keys = Vec::new();
            for (t, tc) in repo.tags.iter().zip(&rc.tags) {
                let pt = if tag_total > 0.0 { tc.popularity.max(0.0) / tag_total } else { 0.0 };
                if pt > 0.0 && is_pulled {
                    tags += 1.0;
                }
                let k = t.digests.len();
                for (p, digest) in t.digests.iter().enumerate() {
                    let pp = match (k, p) {
                        (1, _) => 1.0,
                        (_, 0) => FIRST_PLATFORM,
                        _ => (1.0 - FIRST_PLATFORM) / (k - 1) as f64,
                    };
                    let base = 2.0 * name + repo.name.len() as f64 + digest.len() as f64;
                    repo_keys.push((pt * pp * BY_TAG_SHARE, base + t.name.len() as f64));
                    repo_keys.push((pt * pp * (1.0 - BY_TAG_SHARE), base));
                }
            }
            keys.push(repo_keys);
        }
        let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
        let mut trend_keys = std::collections::BTreeSet::new();
        for &c in &ns.audience {
            let client = &world.clients[c as usize];
            trend_keys.insert((client.country(), client.csp(), client.profile.agent));
            *by_country.entry(client.country()).or_default() += client.activity;
        }
        let sum: f64 = by_country.values().sum();
        let countries = by_country.values().map(|v| v / sum.max(f64::MIN_POSITIVE)).collect();
        let repo_names: Vec<f64> = ns.repos.iter().map(|r| r.name.len() as f64).collect();
        let repo_name_len = repo_names.iter().sum::<f64>() / repo_names.len().max(1) as f64;
        Mix {
            silent: ns.audience.is_empty(),
            keys,
            repo_names,
            poisson_share,
            profiles,
            countries,
            tags,
            pulled_repos: pulled,
            repo_name_len,
            trend_keys: trend_keys.len() as f64,
            ext_repos: ns.repos.iter().filter(|r| r.extension).count(),
        }
    }

    /// Expected events of each repository in `p`.
    pub(crate) fn events(&self, ns: &Namespace, history_start: NaiveDate, p: &Period) -> Vec<f64> {
        let mut out = vec![0.0; self.keys.len()];
        if self.silent {
            return out;
        }
        let poisson: f64 = if self.poisson_share.iter().any(|&s| s > 0.0) {
            p.days().map(|d| daily_mean(ns, history_start, d)).sum()
        } else {
            0.0
        };
        for (r, out) in out.iter_mut().enumerate() {
            *out = poisson * self.poisson_share[r];
            if let Some(weeks) = &self.profiles[r] {
                // A week's events fall on its days by the weekday rhythm (weights sum to 7).
                for d in p.days() {
                    if let Some(&n) = weeks.get(&Period::week_of(d).start) {
                        *out += n as f64 * if is_weekend(d) { 0.6 } else { 1.16 } / 7.0;
                    }
                }
            }
        }
        out
    }

    /// Rows and bytes of the summary, repo-summary, namespace-summary, geo-repo-summary (and
    /// ext-summary) exports of a period with `events` expected events per repository.
    pub(crate) fn summaries(&self, ns: &Namespace, events: &[f64]) -> (f64, f64) {
        let seen = |x: f64| 1.0 - (-x).exp();
        let name = ns.name.len() as f64;
        let n: f64 = events.iter().sum();
        // Four counts (unique clients, by tag, by digest, checks): their digits, and 8 commas
        // and a line end.
        let counts = |k: f64| 4.0 * digits(k * 0.4) + 9.0;
        let header = |h: &[&str]| h.iter().map(|s| s.len() as f64 + 1.0).sum::<f64>();
        let (mut rows, mut bytes) = (0.0, 0.0);
        bytes += header(layout::SUMMARY) + header(layout::REPO_SUMMARY) + header(layout::NAMESPACE_SUMMARY);
        bytes += header(layout::GEO_REPO_SUMMARY);
        for (r, &nr) in events.iter().enumerate() {
            for &(q, len) in &self.keys[r] {
                let k = seen(nr * q);
                rows += k;
                bytes += k * (len + counts(nr * q));
            }
            let k = seen(nr);
            rows += k;
            bytes += k * (2.0 * name + self.repo_names[r] + counts(nr) - 1.0);
            for &c in &self.countries {
                let k = seen(nr * c);
                rows += k;
                bytes += k * (2.0 * name + self.repo_names[r] + 3.0 + counts(nr * c));
            }
        }
        rows += 1.0;
        bytes += 2.0 * name + counts(n) - 2.0;
        if ns.extension_publisher {
            rows += self.ext_repos as f64;
            bytes += header(layout::EXT_SUMMARY) + self.ext_repos as f64 * (name + 20.0 + 5.0 * digits(n * 0.01) + 6.0);
        }
        (rows, bytes)
    }
}

/// Decimal digits of the integer part of `x` (at least 1).
fn digits(x: f64) -> f64 {
    if x < 10.0 {
        1.0
    } else {
        x.log10().floor() + 1.0
    }
}
