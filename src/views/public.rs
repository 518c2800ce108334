//! Public namespaces (default: `library` with `nginx`, `redis`, `postgres`): images that belong
//! to no publisher. Their pull series are served on the no-token proxylytics pull routes only;
//! they are never on the analytics root, in a user's namespace list, in exports or in reports.
//!
//! They have no raw rows, so they cost no events: each (repository, day) gets one pull count,
//! Poisson around the same [`daily_mean_of`] rhythm and growth as modelled namespaces, and a
//! period's `pullCount` is the sum of its days. `ipCount` has no client population behind it
//! and is derived from the pulls ([`ip_count`], INFERRED).
use chrono::NaiveDate;
use serde_json::Value;

use crate::calendar::{Calendar, Granularity, Period};
use crate::config::public::PublicNamespace;
use crate::events::daily_mean_of;
use crate::rng;
use crate::views::{pull_series, Group, SeriesPoint};

/// Pulls per distinct IP address in one week: the ratio of the newest spec's `ReposPullData`
/// example (272407 pulls, 41490 IPs). INFERRED for public images.
pub const PULLS_PER_IP_WEEK: f64 = 6.6;

/// INFERRED: over a longer period the same IPs come back, so pulls per IP grow with the square
/// root of the period length (a month has about twice a week's pulls per IP).
pub fn ip_count(pulls: u64, days: i64) -> u64 {
    let ratio = PULLS_PER_IP_WEEK * libm::sqrt(days as f64 / 7.0);
    ((pulls as f64 / ratio).round() as u64).clamp(u64::from(pulls > 0), pulls)
}

/// INFERRED: share of a namespace's per-repository IPs that are distinct across repositories
/// (the rest pull more than one of its images); clamped between the largest repository's IPs and
/// the sum.
pub const NAMESPACE_DISTINCT_IPS: f64 = 0.8;

/// INFERRED day-to-day swing of a public image's pulls (uniform factor in 1 ± this).
const DAY_SWING: f64 = 0.1;

/// A Poisson count around `mean`; above `u32` range (a busy public image under fast growth)
/// the Poisson spread is far below a pull in a million, so the mean itself is the count.
fn day_count(s: &mut rng::Stream, mean: f64) -> u64 {
    if mean < f64::from(u32::MAX) / 2.0 {
        u64::from(rng::poisson(s, mean))
    } else {
        mean.round() as u64
    }
}

/// A public namespace with its daily pull counts over the history.
#[derive(Debug, Clone)]
pub struct Public {
    pub name: String,
    pub repos: Vec<String>,
    first_day: NaiveDate,
    /// Per repository, per day from `history_start` (exclusive of `as_of`): pulls.
    days: Vec<Vec<u64>>,
}

impl Public {
    /// Draws the daily counts: one stream per (namespace, repository, day), like events.
    pub fn build(seed: u64, calendar: &Calendar, ns: &PublicNamespace) -> Public {
        let total: f64 = ns.repos.iter().map(|r| r.popularity).sum();
        let n_days = (calendar.as_of - calendar.history_start).num_days().max(0) as u64;
        let days = ns
            .repos
            .iter()
            .map(|r| {
                let share = if total > 0.0 { r.popularity / total } else { 0.0 };
                (0..n_days)
                    .map(|i| {
                        let day = calendar.history_start + chrono::Days::new(i);
                        let mean = daily_mean_of(ns.weekly_pulls * share, ns.growth, calendar.history_start, day);
                        let mut s = rng::stream(seed, &["public", &ns.name, &r.name, &day.to_string()]);
                        let swing = 1.0 + DAY_SWING * (2.0 * rng::unit(&mut s) - 1.0);
                        day_count(&mut s, mean * swing)
                    })
                    .collect()
            })
            .collect();
        Public {
            name: ns.name.clone(),
            repos: ns.repos.iter().map(|r| r.name.clone()).collect(),
            first_day: calendar.history_start,
            days,
        }
    }

    /// Pulls of repository `repo` over `p` (days outside the history count 0).
    pub fn pulls(&self, repo: usize, p: &Period) -> u64 {
        p.days()
            .filter_map(|d| usize::try_from((d - self.first_day).num_days()).ok())
            .filter_map(|i| self.days[repo].get(i))
            .sum()
    }

    /// (pulls, IPs) of the namespace and of each repository with pulls, over `p`.
    pub fn point(&self, p: &Period) -> SeriesPoint {
        let len = (p.end_exclusive() - p.start).num_days();
        let repos: Vec<(u16, (u64, u64))> = (0..self.repos.len())
            .map(|r| (r as u16, self.pulls(r, p)))
            .filter(|(_, n)| *n > 0)
            .map(|(r, n)| (r, (n, ip_count(n, len))))
            .collect();
        let pulls: u64 = repos.iter().map(|(_, (n, _))| n).sum();
        let max = repos.iter().map(|(_, (_, u))| *u).max().unwrap_or(0);
        let sum: u64 = repos.iter().map(|(_, (_, u))| u).sum();
        let ips = ((sum as f64 * NAMESPACE_DISTINCT_IPS).round() as u64).clamp(max, sum);
        SeriesPoint { total: (pulls, ips), repos }
    }

    /// `PullData` of the namespace (`repo = None`) or one repository, like
    /// [`crate::views::pull_data`] for a modelled namespace.
    pub fn pull_data(
        &self,
        calendar: &Calendar,
        repo: Option<u16>,
        g: Granularity,
        months: u32,
        group: Group,
    ) -> Value {
        let names: Vec<&str> = self.repos.iter().map(String::as_str).collect();
        pull_series(&self.name, &names, &calendar.last_months(g, months), repo, group, |p| self.point(p))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// The largest volume the configuration accepts, grown for years, is counted, not clamped.
    #[test]
    fn huge_volumes_do_not_saturate() {
        let mut config = Config::default_config();
        config.history_start = config.as_of - chrono::Days::new(3 * 365);
        config.validate().unwrap();
        let cal = Calendar::new(config.history_start, config.as_of);
        let mut ns = config.public_namespaces[0].clone();
        ns.weekly_pulls = 1e10;
        ns.growth = 10.0;
        let big = Public::build(config.seed, &cal, &ns);
        let last = big.pulls(0, cal.weeks.last().unwrap());
        assert!(last > 100 * u64::from(u32::MAX), "{last}");
        assert!(big.point(cal.weeks.last().unwrap()).total.1 > 0);
    }

    #[test]
    fn ip_counts_stay_between_one_and_the_pulls() {
        assert_eq!(ip_count(0, 7), 0);
        assert_eq!(ip_count(1, 31), 1);
        assert_eq!(ip_count(272_407, 7), 41_274);
        for pulls in [1, 5, 66, 10_000, 40_000_000] {
            for days in [7, 28, 31] {
                let ips = ip_count(pulls, days);
                assert!((1..=pulls).contains(&ips), "{pulls} {days} {ips}");
            }
        }
    }

    /// A period's namespace pulls are the sum of its repositories'; the namespace's IPs lie
    /// between its largest repository's and the sum of its repositories'.
    #[test]
    fn the_default_library_adds_up() {
        let config = Config::default_config();
        let cal = Calendar::new(config.history_start, config.as_of);
        let lib = Public::build(config.seed, &cal, &config.public_namespaces[0]);
        assert_eq!(lib.name, "library");
        for p in cal.all() {
            let point = lib.point(p);
            assert_eq!(point.repos.len(), lib.repos.len(), "every image is pulled every period");
            assert_eq!(point.total.0, point.repos.iter().map(|(_, (n, _))| n).sum::<u64>());
            let ips: Vec<u64> = point.repos.iter().map(|(_, (_, u))| *u).collect();
            assert!(point.total.1 >= *ips.iter().max().unwrap() && point.total.1 <= ips.iter().sum());
        }
        // The first four weeks of nginx are near its configured share of the namespace volume
        // (the day swing averages out to about 1 % over 28 days).
        let lib_cfg = &config.public_namespaces[0];
        let share = lib_cfg.repos[0].popularity / lib_cfg.repos.iter().map(|r| r.popularity).sum::<f64>();
        let expected = 4.0 * lib_cfg.weekly_pulls * share;
        let first = cal.weeks[..4].iter().map(|w| lib.pulls(0, w)).sum::<u64>() as f64;
        assert!((first / expected - 1.0).abs() < 0.05, "{first} vs {expected}");
    }
}
