//! Calibrated weekly volume (`weeks` on a repository): the events follow a given series.
//!
//! A repository with a `weeks` profile gets, in each listed ISO week, exactly `pulls` events
//! from exactly `ips` distinct clients. Days stay independent (any order, any thread):
//! - the week's events are split over its seven days by the weekday rhythm with a little noise
//!   drawn from the week's own stream, and the week's `ips` over the days in proportion;
//! - the week's clients are a window of `ips` positions in a fixed pseudo-random order of the
//!   namespace audience (a keyed permutation, nothing stored per client); the window slides by
//!   `churn` × `ips` positions a week, so part of a week's clients come back the next week;
//! - a day owns a slice of the window: each position of its slice gets exactly one of the day's
//!   events (a "first" visit), the day's other events pick positions of the whole window with a
//!   heavy tail (recent clients pull most). So the week's distinct clients are the window.
//!
//! Repositories without a profile keep the Poisson volume of `weekly_pulls`; a namespace
//! without any profile never reaches this module, so its events are the same bytes as before.
use chrono::{Datelike, NaiveDate};
use rand::Rng;

use crate::config::volume::{WeekVolume, DEFAULT_CHURN};

use crate::engine::calendar::{is_weekend, Period};
use crate::engine::rng::{self, Weighted};

/// Exponent of the heavy tail of repeat pulls over a week's window (INFERRED): with 2.5, the
/// newest 1 % of the window takes about 16 % of the repeat pulls.
const REPEAT_TAIL: f64 = 2.5;

/// A profiled repository, built once with the world.
#[derive(Debug)]
pub(crate) struct RepoVolume {
    pub(crate) repo: u16,
    /// The weeks, ascending, with the window start of each.
    weeks: Vec<(WeekVolume, u64)>,
    /// Key of the repository's permutation of the audience.
    key: u64,
    /// The repository's name (its weeks' day splits are keyed by it).
    name: String,
}

/// The profiled part of a namespace.
#[derive(Debug)]
pub struct NsVolume {
    /// The namespace's name (its weeks' day splits are keyed by it).
    name: String,
    pub(crate) repos: Vec<RepoVolume>,
    /// Picks among the repositories without a profile (their Poisson volume).
    pub(crate) others: Weighted,
    /// Mean events per week of the profiled repositories (work scheduling only).
    pub(crate) mean_weekly: f64,
}

impl NsVolume {
    /// `None` when no repository of the namespace has a profile.
    pub(crate) fn build(seed: u64, ns: &crate::config::Namespace, audience: usize) -> Option<NsVolume> {
        let mut repos = Vec::new();
        let (mut pulls, mut weeks) = (0.0, 0usize);
        for (i, r) in ns.repos.iter().enumerate() {
            let Some(profile) = &r.weeks else { continue };
            let churn = r.churn.unwrap_or(DEFAULT_CHURN);
            let mut start = 0u64;
            let list = profile
                .0
                .iter()
                .map(|w| {
                    let at = start;
                    start += (churn * w.ips as f64).round() as u64;
                    pulls += w.pulls as f64;
                    (*w, if audience > 0 { at % audience as u64 } else { 0 })
                })
                .collect();
            weeks += profile.0.len();
            let key = rng::stream(seed, &["pool", &ns.name, &r.name]).random::<u64>();
            repos.push(RepoVolume { repo: i as u16, weeks: list, key, name: r.name.clone() });
        }
        if repos.is_empty() {
            return None;
        }
        let others = Weighted::new(ns.repos.iter().map(|r| if r.weeks.is_some() { 0.0 } else { r.popularity }));
        Some(NsVolume { name: ns.name.clone(), repos, others, mean_weekly: pulls / weeks.max(1) as f64 })
    }
}

/// The split of one profiled week over its days.
struct WeekSplit {
    /// Events per day (Monday first).
    events: [u32; 7],
    /// First visits per day, and where each day's slice of the window starts.
    firsts: [u32; 7],
    slice: [u32; 7],
}

/// Day weights of the weekday rhythm (weekdays 1.16, weekend days 0.6, as the Poisson volume).
fn rhythm(day: NaiveDate) -> f64 {
    if is_weekend(day) {
        0.6
    } else {
        1.16
    }
}

fn split_week(seed: u64, ns: &str, repo: &str, w: &WeekVolume) -> WeekSplit {
    let mut s = rng::stream(seed, &["volume", ns, repo, &w.week.to_string()]);
    let period = Period::week_of(w.week);
    let mut weights = [0.0; 7];
    for (i, d) in period.days().enumerate() {
        weights[i] = rhythm(d) * (0.85 + 0.3 * rng::unit(&mut s));
    }
    let events = apportion(w.pulls, &weights);
    let firsts = apportion(w.ips, &events.map(f64::from));
    let mut slice = [0u32; 7];
    for i in 1..7 {
        slice[i] = slice[i - 1] + firsts[i - 1];
    }
    WeekSplit { events, firsts, slice }
}

/// Largest-remainder split of `total` in proportion to `weights` (ties to the earlier day).
/// A share never exceeds its weight when the weights are counts summing to at least `total`.
fn apportion(total: u64, weights: &[f64; 7]) -> [u32; 7] {
    let sum: f64 = weights.iter().sum();
    let mut out = [0u32; 7];
    if sum <= 0.0 || total == 0 {
        return out;
    }
    let mut rest: Vec<(f64, usize)> = Vec::with_capacity(7);
    let mut given = 0u64;
    for i in 0..7 {
        let exact = total as f64 * weights[i] / sum;
        let floor = exact.floor();
        out[i] = floor as u32;
        given += floor as u64;
        rest.push((exact - floor, i));
    }
    rest.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in rest.iter().take(total.saturating_sub(given) as usize) {
        out[i] += 1;
    }
    out
}

/// A profiled repository's part of one day.
#[derive(Debug)]
struct RepoDay {
    repo: u16,
    key: u64,
    /// The week's window: start in the permuted audience, and size.
    start: u64,
    size: u64,
    /// Events and first visits still to draw; the next first visit's window position.
    left: u32,
    firsts_left: u32,
    next_first: u64,
}

/// Where the next event of a day comes from.
pub(crate) enum Source {
    /// A repository without a profile, picked by popularity; client from the audience.
    Audience,
    /// A profiled repository (index into the day's list).
    Profiled(usize),
}

/// The profiled part of one (namespace, day): per source, the events still to draw, picked
/// without replacement so the day's counts are exact.
#[derive(Debug)]
pub(crate) struct Day {
    /// Events still to draw from the Poisson part.
    audience_left: u32,
    repos: Vec<RepoDay>,
    /// Size of the namespace audience.
    audience: u64,
}

impl Day {
    /// The day's profiled part; `audience_left` events come from the Poisson part.
    pub(crate) fn new(seed: u64, audience: usize, v: &NsVolume, day: NaiveDate, audience_left: u32) -> Day {
        let monday = Period::week_of(day).start;
        let index = day.weekday().num_days_from_monday() as usize;
        let audience = audience as u64;
        let repos = v
            .repos
            .iter()
            .filter_map(|r| {
                let k = r.weeks.binary_search_by_key(&monday, |(w, _)| w.week).ok()?;
                let (w, start) = r.weeks[k];
                let split = split_week(seed, &v.name, &r.name, &w);
                let size = w.ips.min(audience);
                let firsts = (split.firsts[index] as u64).min(size.saturating_sub(split.slice[index] as u64)) as u32;
                Some(RepoDay {
                    repo: r.repo,
                    key: r.key,
                    start,
                    size,
                    left: if size == 0 { 0 } else { split.events[index] },
                    firsts_left: firsts,
                    next_first: split.slice[index] as u64,
                })
            })
            .collect();
        Day { audience_left, repos, audience }
    }

    /// Events still to draw.
    pub(crate) fn left(&self) -> u32 {
        self.audience_left + self.repos.iter().map(|r| r.left).sum::<u32>()
    }

    /// Picks the source of the next event in proportion to what each still has to draw.
    pub(crate) fn pick(&mut self, s: &mut rng::Stream) -> Source {
        let mut x = s.random_range(0..self.left());
        if x < self.audience_left {
            self.audience_left -= 1;
            return Source::Audience;
        }
        x -= self.audience_left;
        for (i, r) in self.repos.iter_mut().enumerate() {
            if x < r.left {
                return Source::Profiled(i);
            }
            x -= r.left;
        }
        unreachable!("x < left()")
    }

    /// The repository of a profiled source.
    pub(crate) fn repo(&self, i: usize) -> u16 {
        self.repos[i].repo
    }

    /// The client (audience index) of the next event of profiled source `i`.
    pub(crate) fn client(&mut self, i: usize, s: &mut rng::Stream) -> usize {
        let r = &mut self.repos[i];
        let first = s.random_range(0..r.left) < r.firsts_left;
        r.left -= 1;
        let pos = if first {
            r.firsts_left -= 1;
            r.next_first += 1;
            r.next_first - 1
        } else {
            let u = rng::unit(s).powf(REPEAT_TAIL);
            r.size - 1 - ((u * r.size as f64) as u64).min(r.size - 1)
        };
        permute((r.start + pos) % self.audience, r.key, self.audience) as usize
    }
}

/// A keyed pseudo-random permutation of `0..n` (a four-round Feistel network on the smallest
/// even power of two holding `n`, walking the cycle until the value falls below `n`).
pub(crate) fn permute(i: u64, key: u64, n: u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let half = bits.div_ceil(2);
    let mask = (1u64 << half) - 1;
    let mut x = i;
    loop {
        let (mut l, mut r) = (x >> half, x & mask);
        for round in 0..4u64 {
            let f = mix(r ^ key.rotate_left(round as u32 * 16) ^ (round << 60)) & mask;
            (l, r) = (r, l ^ f);
        }
        x = (l << half) | r;
        if x < n {
            return x;
        }
    }
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DEFAULT_TOML};

    #[test]
    fn apportion_is_exact_and_bounded() {
        let w = [1.16, 1.16, 1.16, 1.16, 1.16, 0.6, 0.6];
        for total in [0u64, 1, 6, 7, 8, 151_846] {
            let a = apportion(total, &w);
            assert_eq!(a.iter().map(|&x| u64::from(x)).sum::<u64>(), total);
            let f = apportion(total / 3, &a.map(f64::from));
            assert!(f.iter().zip(&a).all(|(f, a)| f <= a), "{f:?} {a:?}");
        }
    }

    #[test]
    fn permute_is_a_bijection() {
        for n in [1u64, 2, 3, 17, 64, 1000] {
            let mut seen: Vec<u64> = (0..n).map(|i| permute(i, 99, n)).collect();
            seen.sort_unstable();
            assert_eq!(seen, (0..n).collect::<Vec<_>>());
        }
    }

    #[test]
    fn bad_weeks_name_their_line() {
        let text = DEFAULT_TOML.replace(
            "name = \"web\"\npopularity = 50\n",
            "name = \"web\"\npopularity = 50\nweeks = [\n  { week = \"2025-09-02\", pulls = 5, ips = 1 },\n]\n",
        );
        let err = Config::parse(&text, "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml: line "), "{err}");
        assert!(err.contains("key `week`: 2025-09-02 is a Tue, expected the Monday that starts an ISO week"), "{err}");
        for (bad, what) in [
            ("{ week = \"2025-09-01\", pulls = 5, ips = 6 }", "ips"),
            ("{ week = \"2025-09-01\", pulls = -5, ips = 1 }", "-5"),
            (
                "{ week = \"2025-09-08\", pulls = 5, ips = 1 }, { week = \"2025-09-01\", pulls = 5, ips = 1 }",
                "ascending",
            ),
        ] {
            let text = DEFAULT_TOML.replace(
                "name = \"web\"\npopularity = 50\n",
                &format!("name = \"web\"\npopularity = 50\nweeks = [{bad}]\n"),
            );
            let err = Config::parse(&text, "t.toml").unwrap_err().to_string();
            assert!(err.starts_with("t.toml: line ") && err.contains(what), "{err}");
        }
    }
}
