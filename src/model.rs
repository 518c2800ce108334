//! The model: the world plus a small summary of every (namespace, available period).
//!
//! Events are never stored for the whole history. A period's events are regenerated from
//! their (namespace, day) streams whenever a view needs them, so memory stays flat however
//! long the history or high the volume, and periods can be processed on any number of
//! threads with the same result ([`for_each_period`]).
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::calendar::{Granularity, Period};
use crate::config::Config;
use crate::events::{self, Event};
use crate::stats::{Counts, PeriodStats};
use crate::world::World;

/// Everything every view reads.
#[derive(Debug)]
pub struct Model {
    pub world: World,
    /// Per namespace (world order): the summary of each available period. Filled by the
    /// first pass over the periods that needs it (the export pass fills it as a by-product).
    summaries: OnceLock<Vec<BTreeMap<Period, PeriodSummary>>>,
    /// Worker threads used by the passes over periods.
    pub jobs: usize,
}

/// What the pull series and extension views need of one (namespace, period).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodSummary {
    pub total: Counts,
    /// Distinct clients of the namespace.
    pub unique: u64,
    /// Per repository with events: counts and distinct clients.
    pub repos: BTreeMap<u16, (Counts, u64)>,
    /// Per extension repository: (installs, uninstalls, updates), see `views::extension_counts`.
    pub extensions: BTreeMap<u16, (u64, u64, u64)>,
}

impl PeriodSummary {
    pub fn of(world: &World, ns: usize, stats: &PeriodStats) -> PeriodSummary {
        let total = stats.total();
        let repos: BTreeMap<u16, (Counts, u64)> =
            stats.by_repo().into_iter().map(|(r, t)| (r, (t.counts, t.unique()))).collect();
        let mut extensions = BTreeMap::new();
        for (r, _) in world.namespaces[ns].repos.iter().enumerate().filter(|(_, r)| r.extension) {
            let mut per_client: BTreeMap<u32, Counts> = BTreeMap::new();
            for (c, n) in stats.cells.iter().filter(|(c, _)| c.repo as usize == r) {
                per_client.entry(c.client).or_default().add(n);
            }
            let installs = per_client.values().filter(|c| c.downloads() > 0).count() as u64;
            let downloads: u64 = per_client.values().map(Counts::downloads).sum();
            let uninstalls = per_client.values().filter(|c| c.downloads() == 0).count() as u64;
            extensions.insert(r as u16, (installs, uninstalls, downloads - installs));
        }
        PeriodSummary { total: total.counts, unique: total.unique(), repos, extensions }
    }
}

impl Model {
    /// Builds the world; passes over the periods run later, on `jobs` threads.
    pub fn build(config: Config, jobs: usize) -> Model {
        Model { world: World::build(config), summaries: OnceLock::new(), jobs: jobs.max(1) }
    }

    /// The summary of (namespace, period), computing every summary in one pass if no pass
    /// has yet.
    pub fn summary(&self, ns: usize, p: &Period) -> &PeriodSummary {
        &self.summaries.get_or_init(|| {
            let all = for_each_period(&self.world, self.jobs, None, |ns, _, _, stats| {
                PeriodSummary::of(&self.world, ns, stats)
            });
            self.collect_summaries(all)
        })[ns][p]
    }

    /// Stores summaries computed by another pass (ignored if already known; they are equal).
    pub fn set_summaries(&self, all: Vec<((usize, Period), PeriodSummary)>) {
        let _ = self.summaries.set(self.collect_summaries(all));
    }

    fn collect_summaries(&self, all: Vec<((usize, Period), PeriodSummary)>) -> Vec<BTreeMap<Period, PeriodSummary>> {
        let mut out: Vec<BTreeMap<Period, PeriodSummary>> = vec![BTreeMap::new(); self.world.namespaces.len()];
        for ((ns, p), s) in all {
            out[ns].insert(p, s);
        }
        out
    }

    pub fn periods(&self, g: Granularity) -> &[Period] {
        self.world.calendar.periods(g)
    }

    /// The events of namespace `ns` over `p`, regenerated from their day streams.
    pub fn period_events(&self, ns: usize, p: &Period) -> Vec<Event> {
        period_events(&self.world, ns, p)
    }

    /// The aggregate of namespace `ns` over `p`, regenerated.
    pub fn period_stats(&self, ns: usize, p: &Period) -> PeriodStats {
        PeriodStats::from_events(*p, &self.period_events(ns, p))
    }
}

/// The events of namespace `ns` over `p`, day by day in time order.
pub fn period_events(world: &World, ns: usize, p: &Period) -> Vec<Event> {
    let mut out = Vec::new();
    let mut day = Vec::new();
    for d in p.days() {
        events::day_events_into(world, ns, d, &mut day);
        out.extend_from_slice(&day);
    }
    out
}

/// Progress counters a caller can watch while a pass runs.
#[derive(Debug, Default)]
pub struct Progress {
    pub periods_done: AtomicUsize,
    pub periods_total: AtomicUsize,
    pub rows: AtomicUsize,
}

/// Runs `f` for every (namespace, available period) on `jobs` threads, handing it the
/// period's events and aggregate. Results come back in a fixed order (namespace, then weeks,
/// then months), whatever the thread count; larger periods are scheduled first.
pub fn for_each_period<R: Send>(
    world: &World,
    jobs: usize,
    progress: Option<&Progress>,
    f: impl Fn(usize, &Period, &[Event], &PeriodStats) -> R + Sync,
) -> Vec<((usize, Period), R)> {
    let work: Vec<(usize, Period)> =
        (0..world.namespaces.len()).flat_map(|ns| world.calendar.all().map(move |p| (ns, *p))).collect();
    // Months first, then weeks, each by expected volume: the last jobs are the small ones.
    let mut schedule: Vec<usize> = (0..work.len()).collect();
    let weight = |i: usize| {
        let (ns, p) = &work[i];
        let days = (p.end_exclusive() - p.start).num_days() as f64;
        days * world.namespaces[*ns].weekly_pulls
    };
    schedule.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
    if let Some(pr) = progress {
        pr.periods_total.fetch_add(work.len(), Ordering::Relaxed);
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..work.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, work.len().max(1)) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = schedule.get(k) else { break };
                let (ns, p) = &work[i];
                let events = period_events(world, *ns, p);
                let stats = PeriodStats::from_events(*p, &events);
                let r = f(*ns, p, &events, &stats);
                if let Some(pr) = progress {
                    pr.periods_done.fetch_add(1, Ordering::Relaxed);
                    pr.rows.fetch_add(events.len(), Ordering::Relaxed);
                }
                results.lock().expect("no worker panicked")[i] = Some(r);
            });
        }
    });
    let results = results.into_inner().expect("no worker panicked");
    work.into_iter().zip(results).map(|(k, r)| (k, r.expect("every job ran"))).collect()
}
