//! Public namespaces (`[[public_namespaces]]`, default `library`): images of no publisher.
//! They have no raw rows, so they cost no events: each (repository, day) gets one pull count,
//! Poisson around the same [`daily_mean_of`] rhythm, holiday dip and growth as modelled
//! namespaces, drawn from its own stream. Their series are `bodies::public_series`.
use chrono::NaiveDate;

use crate::config::public_namespaces::PublicNamespace;
use crate::engine::calendar::{Calendar, Period};
use crate::engine::rhythm::daily_mean_of;
use crate::engine::rng;

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
    pub(crate) name: String,
    pub(crate) repos: Vec<String>,
    first_day: NaiveDate,
    /// Per repository, per day from `history_start` (exclusive of `as_of`): pulls.
    days: Vec<Vec<u64>>,
}

impl Public {
    /// Draws the daily counts: one stream per (namespace, repository, day), like events.
    pub(crate) fn build(seed: u64, calendar: &Calendar, ns: &PublicNamespace) -> Public {
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
    pub(crate) fn pulls(&self, repo: usize, p: &Period) -> u64 {
        p.days()
            .filter_map(|d| usize::try_from((d - self.first_day).num_days()).ok())
            .filter_map(|i| self.days[repo].get(i))
            .fold(0u64, |sum, n| sum.checked_add(*n).expect("config::limits keeps a period far below u64::MAX"))
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
    }

    /// The first four weeks of nginx are near its configured share of the namespace volume
    /// (the day swing averages out to about 1 % over 28 days).
    #[test]
    fn volumes_follow_the_configuration() {
        let config = Config::default_config();
        let cal = Calendar::new(config.history_start, config.as_of);
        let lib_cfg = &config.public_namespaces[0];
        let lib = Public::build(config.seed, &cal, lib_cfg);
        assert_eq!(lib.name, "library");
        let share = lib_cfg.repos[0].popularity / lib_cfg.repos.iter().map(|r| r.popularity).sum::<f64>();
        let expected = 4.0 * lib_cfg.weekly_pulls * share;
        let first = cal.weeks[..4].iter().map(|w| lib.pulls(0, w)).sum::<u64>() as f64;
        assert!((first / expected - 1.0).abs() < 0.05, "{first} vs {expected}");
    }
}
