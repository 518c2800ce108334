//! Synthetic pull events: one ChaCha stream per (namespace, day), so days can be generated in
//! any order, streamed, and run in parallel without changing a byte.
use chrono::NaiveDate;
use rand::Rng;

use crate::engine::namespaces::Namespace;
use crate::engine::population::{UseCase, AGENTS};
use crate::engine::rhythm;
use crate::engine::rng;
use crate::engine::volume;
use crate::engine::world::World;

/// Docker's action classification of a pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Action {
    PullByTag,
    PullByDigest,
    VersionCheck,
}

impl Action {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Action::PullByTag => "pull_by_tag",
            Action::PullByDigest => "pull_by_digest",
            Action::VersionCheck => "version_check",
        }
    }
    /// True when the request named a tag (tag column set; `\\N` otherwise in reports).
    pub(crate) fn by_tag(self) -> bool {
        !matches!(self, Action::PullByDigest)
    }
}

/// One pull event. Indices point into the world; strings are resolved only when rendered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    /// The day (UTC).
    pub(crate) date: NaiveDate,
    /// Seconds since midnight UTC.
    pub(crate) second: u32,
    /// Index of the repository in its namespace's `repos`.
    pub repo: u16,
    pub(crate) tag: u16,
    /// Index of the platform digest within the tag.
    pub(crate) platform: u8,
    pub(crate) action: Action,
    /// `true` = HEAD, `false` = GET.
    pub(crate) head: bool,
    /// Id of the pulling client (index into `World::clients`).
    pub client: u32,
}

impl Event {
    pub(crate) fn method(&self) -> &'static str {
        if self.head {
            "HEAD"
        } else {
            "GET"
        }
    }
}

/// Mean number of events of `ns` on `day` (`rhythm::daily_mean_of` its weekly volume and
/// growth).
pub fn daily_mean(ns: &Namespace, history_start: NaiveDate, day: NaiveDate) -> f64 {
    rhythm::daily_mean_of(ns.weekly_pulls, ns.growth, history_start, day)
}

/// The events of namespace `ns_index` on `day`, sorted by time.
pub fn day_events(world: &World, ns_index: usize, day: NaiveDate) -> Vec<Event> {
    let mut out = Vec::new();
    day_events_into(world, ns_index, day, &mut out);
    out
}

/// Like [`day_events`], reusing `out`'s allocation (cleared first).
pub fn day_events_into(world: &World, ns_index: usize, day: NaiveDate, out: &mut Vec<Event>) {
    out.clear();
    let mut stream = DayStream::new(world, ns_index, day);
    while stream.next_chunk(out, usize::MAX) {}
}

/// The events of one (namespace, day), drawn in time order so a day of any size streams in
/// chunks: the event count is Poisson around [`daily_mean`], and each event's time is the
/// smallest of the uniform times still to come (sequential order statistics), so no day is
/// ever held, sorted, in memory.
pub(crate) struct DayStream<'w> {
    world: &'w World,
    ns: &'w Namespace,
    day: NaiveDate,
    rng: rng::Stream,
    /// Events still to draw.
    left: u32,
    /// Time of the last event drawn, as a fraction of the day.
    at: f64,
    /// The day's calibrated part when the namespace has `weeks` profiles.
    volume: Option<volume::Day>,
}

impl<'w> DayStream<'w> {
    pub(crate) fn new(world: &'w World, ns_index: usize, day: NaiveDate) -> DayStream<'w> {
        let ns = &world.namespaces[ns_index];
        let mut rng = rng::stream(world.config.seed, &["events", &ns.name, &day.to_string()]);
        if let Some(v) = &ns.volume {
            let poisson = if ns.audience.is_empty() || v.others.total() <= 0.0 {
                0
            } else {
                rng::poisson(&mut rng, daily_mean(ns, world.config.history_start, day))
            };
            let day_volume = volume::Day::new(world.config.seed, ns.audience.len(), v, day, poisson);
            let left = if ns.audience.is_empty() { 0 } else { day_volume.left() };
            return DayStream { world, ns, day, rng, left, at: 0.0, volume: Some(day_volume) };
        }
        let left = if ns.audience.is_empty() || ns.repo_pick.total() <= 0.0 {
            0
        } else {
            rng::poisson(&mut rng, daily_mean(ns, world.config.history_start, day))
        };
        DayStream { world, ns, day, rng, left, at: 0.0, volume: None }
    }

    /// Appends up to `max` more events to `out`; false once the day is exhausted.
    pub(crate) fn next_chunk(&mut self, out: &mut Vec<Event>, max: usize) -> bool {
        let n = (self.left as usize).min(max);
        out.reserve(n);
        for _ in 0..n {
            let e = self.draw();
            out.push(e);
        }
        self.left > 0
    }

    fn draw(&mut self) -> Event {
        let (ns, s) = (self.ns, &mut self.rng);
        // The minimum of `left` uniform times on [at, 1).
        let v = rng::unit(s);
        self.at += (1.0 - self.at) * (1.0 - libm::pow(1.0 - v, 1.0 / f64::from(self.left)));
        self.left -= 1;
        let second = ((self.at * 86_400.0) as u32).min(86_399);
        let source = match &mut self.volume {
            None => None,
            Some(v) => match v.pick(s) {
                volume::Source::Audience => {
                    // A repository without a profile, by popularity.
                    let others = &ns.volume.as_ref().expect("a day with a volume part").others;
                    Some((others.pick(s), None))
                }
                volume::Source::Profiled(i) => Some((v.repo(i) as usize, Some(i))),
            },
        };
        let repo_i = match source {
            None => ns.repo_pick.pick(s),
            Some((r, _)) => r,
        };
        let repo = &ns.repos[repo_i];
        let tag_i = repo.tag_pick.pick(s);
        let tag = &repo.tags[tag_i];
        let platform = if tag.digests.len() > 1 {
            // The first platform (usually linux/amd64) dominates.
            if rng::unit(s) < 0.7 {
                0
            } else {
                s.random_range(1..tag.digests.len())
            }
        } else {
            0
        };
        let client = match (source, &mut self.volume) {
            (Some((_, Some(i))), Some(v)) => ns.audience[v.client(i, s)],
            _ => ns.audience[ns.audience_pick.pick(s)],
        };
        let class = AGENTS[self.world.clients[client as usize].profile.agent as usize].2;
        // Runtimes pin digests; people and CI mostly pull tags.
        let (p_check, p_digest) = match (repo.actions, class) {
            (Some((digest, check)), _) => (check, digest),
            (None, class) => match class {
                UseCase::Prod => (0.10, 0.60),
                UseCase::CiCd => (0.18, 0.38),
                UseCase::LocalDev => (0.14, 0.28),
                UseCase::Unknown => (0.25, 0.30),
            },
        };
        let r = rng::unit(s);
        let action = if r < p_check {
            Action::VersionCheck
        } else if r < p_check + p_digest {
            Action::PullByDigest
        } else {
            Action::PullByTag
        };
        let head = match action {
            Action::VersionCheck => true,
            Action::PullByTag => rng::unit(s) < 0.2,
            Action::PullByDigest => rng::unit(s) < 0.1,
        };
        Event {
            date: self.day,
            second,
            repo: repo_i as u16,
            tag: tag_i as u16,
            platform: platform as u8,
            action,
            head,
            client,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    /// A day streams in time order, and the chunk size never changes the events.
    #[test]
    fn a_day_streams_sorted_and_chunking_changes_nothing() {
        let world = World::build(Config::default_config());
        let day = world.config.as_of - chrono::Duration::days(3);
        let whole = day_events(&world, 0, day);
        assert!(whole.len() > 10, "a busy enough day: {}", whole.len());
        assert!(whole.windows(2).all(|w| w[0].second <= w[1].second), "not in time order");
        assert!(whole.iter().all(|e| e.date == day && e.second < 86_400));
        // Sequential order statistics of uniform times: spread over the whole day.
        let median = whole[whole.len() / 2].second;
        assert!((86_400 * 3 / 10..86_400 * 7 / 10).contains(&median), "median second {median}");
        for chunk in [1, 7, 4096] {
            let mut stream = DayStream::new(&world, 0, day);
            let (mut all, mut part) = (Vec::new(), Vec::new());
            loop {
                part.clear();
                let more = stream.next_chunk(&mut part, chunk);
                assert!(part.len() <= chunk);
                all.extend_from_slice(&part);
                if !more {
                    break;
                }
            }
            assert_eq!(all, whole, "chunks of {chunk}");
        }
    }
}
