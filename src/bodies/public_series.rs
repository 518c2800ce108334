//! The pull series of public namespaces (`crate::engine::public_counts`): served on the no-token
//! proxylytics pull routes only; never on the analytics root, in a user's namespace list, in
//! exports or in reports. `pullCount` is the sum of the period's daily counts; `ipCount` has no
//! client population behind it and is derived from the pulls ([`ip_count`], INFERRED).
use serde_json::Value;

use crate::bodies::{pull_series, Group, SeriesPoint};
use crate::engine::calendar::{Calendar, Granularity, Period};
use crate::engine::public_counts::Public;

/// Pulls per distinct IP address in one week: the ratio of the newest spec's `ReposPullData`
/// example (272407 pulls, 41490 IPs). INFERRED for public images.
pub(crate) const PULLS_PER_IP_WEEK: f64 = 6.6;

/// INFERRED: over a longer period the same IPs come back, so pulls per IP grow with the square
/// root of the period length (a month has about twice a week's pulls per IP).
pub(crate) fn ip_count(pulls: u64, days: i64) -> u64 {
    let ratio = PULLS_PER_IP_WEEK * libm::sqrt(days as f64 / 7.0);
    ((pulls as f64 / ratio).round() as u64).clamp(u64::from(pulls > 0), pulls)
}

/// INFERRED: share of a namespace's per-repository IPs that are distinct across repositories
/// (the rest pull more than one of its images); clamped between the largest repository's IPs and
/// the sum.
pub(crate) const NAMESPACE_DISTINCT_IPS: f64 = 0.8;

/// (pulls, IPs) of public namespace `public` and of each of its repositories with pulls, over `p`.
pub(crate) fn point(public: &Public, p: &Period) -> SeriesPoint {
    let len = (p.end_exclusive() - p.start).num_days();
    let repos: Vec<(u16, (u64, u64))> = (0..public.repos.len())
        .map(|r| (r as u16, public.pulls(r, p)))
        .filter(|(_, n)| *n > 0)
        .map(|(r, n)| (r, (n, ip_count(n, len))))
        .collect();
    let pulls = repos
        .iter()
        .try_fold(0u64, |sum, (_, (n, _))| sum.checked_add(*n))
        .expect("config::limits keeps a namespace's period far below u64::MAX");
    let max = repos.iter().map(|(_, (_, u))| *u).max().unwrap_or(0);
    let sum: u64 = repos.iter().map(|(_, (_, u))| u).sum();
    let ips = ((sum as f64 * NAMESPACE_DISTINCT_IPS).round() as u64).clamp(max, sum);
    SeriesPoint { total: (pulls, ips), repos }
}

/// `PullData` of public namespace `public` (`repo = None`) or one of its repositories, like
/// [`crate::bodies::pull_data`] for a modelled namespace.
pub(crate) fn pull_data(
    public: &Public,
    calendar: &Calendar,
    repo: Option<u16>,
    g: Granularity,
    months: u32,
    group: Group,
) -> Value {
    let names: Vec<&str> = public.repos.iter().map(String::as_str).collect();
    pull_series(&public.name, &names, &calendar.last_months(g, months), repo, group, |p| point(public, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

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
        for p in cal.all() {
            let point = point(&lib, p);
            assert_eq!(point.repos.len(), lib.repos.len(), "every image is pulled every period");
            assert_eq!(point.total.0, point.repos.iter().map(|(_, (n, _))| n).sum::<u64>());
            let ips: Vec<u64> = point.repos.iter().map(|(_, (_, u))| *u).collect();
            assert!(point.total.1 >= *ips.iter().max().unwrap() && point.total.1 <= ips.iter().sum());
        }
    }
}
