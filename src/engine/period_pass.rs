//! The streamed pass over every (namespace, available period): days are generated once, in
//! time order, and handed in chunks to every period containing them, on `jobs` threads with the
//! same result whatever the thread count (`run_pass`). Events are never stored for the whole
//! history, so memory stays flat however long the history or high the volume.
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::NaiveDate;

use super::jobs;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events::{self, Event};
use crate::engine::stats::{self, Cell, Counts, PeriodStats};
use crate::engine::world::World;

/// The events of namespace `ns` over `p`, day by day in time order.
pub(crate) fn period_events(world: &World, ns: usize, p: &Period) -> Vec<Event> {
    let mut out = Vec::new();
    let mut day = Vec::new();
    for d in p.days() {
        events::day_events_into(world, ns, d, &mut day);
        out.extend_from_slice(&day);
    }
    out
}

/// The aggregate of namespace `ns` over `p`, regenerated from its events.
pub(crate) fn period_stats(world: &World, ns: usize, p: &Period) -> PeriodStats {
    PeriodStats::from_events(world, ns, *p, &period_events(world, ns, p))
}

/// Progress counters a caller can watch while a pass runs, and an optional observer told
/// each time a period completes (the CLI draws its progress line from it).
#[derive(Default)]
pub struct Progress {
    /// (namespace, period) pairs whose aggregate is complete.
    pub periods_done: AtomicUsize,
    /// (namespace, period) pairs the pass will complete; set when the pass starts.
    pub periods_total: AtomicUsize,
    /// Raw-export rows streamed so far: an event counts once per period it falls in.
    pub rows: AtomicUsize,
    observer: Option<Observer>,
}

type Observer = Box<dyn Fn(&Progress) + Send + Sync>;

impl Progress {
    /// Counters that call `observer` whenever a period completes.
    pub fn observed(observer: impl Fn(&Progress) + Send + Sync + 'static) -> Progress {
        Progress { observer: Some(Box::new(observer)), ..Progress::default() }
    }

    fn period_done(&self) {
        self.periods_done.fetch_add(1, Ordering::Relaxed);
        if let Some(o) = &self.observer {
            o(self);
        }
    }
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("periods_done", &self.periods_done)
            .field("periods_total", &self.periods_total)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

/// A streamed pass over every (namespace, available period). Days are generated once, in time
/// order, and handed in chunks of at most [`CHUNK_EVENTS`] events to every period that contains
/// them; the period's aggregate is built day by day alongside. Nothing holds more than one
/// chunk of events.
pub(crate) trait Pass: Sync {
    /// Derived once from a chunk of a day's events (into a buffer reused by the worker),
    /// shared by the periods containing the day.
    type Chunk: Default;
    /// The state of one period while its days stream in.
    type State;
    /// What a finished period yields; [`run_pass`] returns them in period order.
    type Output: Send;
    /// Derives the chunk's shared part from a chunk of namespace `ns`'s events.
    fn chunk(&self, ns: usize, events: &[Event], out: &mut Self::Chunk);
    /// Starts period `p` of namespace `ns`, before its first day.
    fn open(&self, ns: usize, p: &Period) -> Self::State;
    /// Hands one chunk of the period's events, in time order, and its derived part.
    fn feed(&self, state: &mut Self::State, events: &[Event], chunk: &Self::Chunk);
    /// The period is complete; `stats` is its aggregate.
    fn finish(&self, ns: usize, p: &Period, state: Self::State, stats: &PeriodStats) -> Self::Output;
    /// Whether the rest of the pass is pointless (its output already failed): days are then
    /// skipped, and the remaining periods finish at once, empty.
    fn stopped(&self) -> bool {
        false
    }
}

/// Events per chunk handed to [`Pass::chunk`]: bounds what a pass derives at once (about 1 MB of
/// raw rows) however busy a day is.
pub(crate) const CHUNK_EVENTS: usize = 4096;

/// A unit of work: the days `start..end` of a namespace and the periods they complete. A month
/// carries the weeks that lie inside it, so their days are generated once; other weeks (across
/// a month boundary, or in a month that is not available) are jobs of their own.
#[derive(Debug)]
struct Job {
    ns: usize,
    start: NaiveDate,
    end: NaiveDate,
    /// Indices into the (namespace, period) work list.
    periods: Vec<usize>,
}

/// Runs `pass` over every (namespace, available period) on `jobs` threads. Results come back
/// in a fixed order (namespace, then weeks, then months), whatever the thread count; larger
/// jobs are scheduled first.
pub(crate) fn run_pass<P: Pass>(
    world: &World,
    jobs: usize,
    progress: Option<&Progress>,
    pass: &P,
) -> Vec<((usize, Period), P::Output)> {
    let work: Vec<(usize, Period)> =
        (0..world.namespaces.len()).flat_map(|ns| world.calendar.all().map(move |p| (ns, *p))).collect();
    let mut plan: Vec<Job> = Vec::new();
    let mut covered = vec![false; work.len()];
    for (i, (ns, m)) in work.iter().enumerate().filter(|(_, (_, p))| p.granularity == Granularity::Month) {
        let inside = work.iter().enumerate().filter(|(_, (n, w))| {
            n == ns
                && w.granularity == Granularity::Week
                && w.start >= m.start
                && w.end_exclusive() <= m.end_exclusive()
        });
        let mut periods = vec![i];
        for (j, _) in inside {
            covered[j] = true;
            periods.push(j);
        }
        plan.push(Job { ns: *ns, start: m.start, end: m.end_exclusive(), periods });
    }
    for (i, (ns, w)) in work.iter().enumerate() {
        if w.granularity == Granularity::Week && !covered[i] {
            plan.push(Job { ns: *ns, start: w.start, end: w.end_exclusive(), periods: vec![i] });
        }
    }
    // By expected volume, largest first, so the last jobs to start are the small ones.
    let weekly =
        |ns: &crate::engine::namespaces::Namespace| ns.weekly_pulls + ns.volume.as_ref().map_or(0.0, |v| v.mean_weekly);
    let weight = |j: &Job| (j.end - j.start).num_days() as f64 * weekly(&world.namespaces[j.ns]);
    plan.sort_by(|a, b| weight(b).total_cmp(&weight(a)).then(a.periods[0].cmp(&b.periods[0])));
    if let Some(pr) = progress {
        pr.periods_total.fetch_add(work.len(), Ordering::Relaxed);
    }
    let init = || Buffers {
        events: Vec::new(),
        cells: Vec::new(),
        day_cells: Vec::new(),
        derived: P::Chunk::default(),
        pool: Vec::new(),
    };
    let done = jobs::map_with(jobs, plan, init, |buffers, job| run_job(world, &work, &job, pass, progress, buffers));
    crate::engine::memory::release_free_memory();
    let mut results: Vec<Option<P::Output>> = (0..work.len()).map(|_| None).collect();
    for (i, out) in done.into_iter().flatten() {
        results[i] = Some(out);
    }
    work.into_iter().zip(results).map(|(k, r)| (k, r.expect("every period ran"))).collect()
}

/// A worker's buffers, reused from job to job.
struct Buffers<D> {
    /// A chunk of a day's events.
    events: Vec<Event>,
    /// The chunk's cells, and the day's so far.
    cells: Vec<(Cell, Counts)>,
    day_cells: Vec<(Cell, Counts)>,
    /// What the pass derived from the chunk.
    derived: D,
    /// Emptied period aggregates: a month's cells are the largest buffer, and reusing it keeps
    /// the allocator from scattering a new one over the heap for every month.
    pool: Vec<Vec<(Cell, Counts)>>,
}

fn run_job<P: Pass>(
    world: &World,
    work: &[(usize, Period)],
    job: &Job,
    pass: &P,
    progress: Option<&Progress>,
    buf: &mut Buffers<P::Chunk>,
) -> Vec<(usize, P::Output)> {
    let mut done = Vec::with_capacity(job.periods.len());
    let mut open: Vec<(usize, P::State, PeriodStats)> = Vec::new();
    let mut pending: Vec<usize> = job.periods.clone();
    let mut day = job.start;
    while day < job.end {
        // Periods starting today open; every open period takes the day.
        pending.retain(|&i| {
            let (ns, p) = &work[i];
            if p.start == day {
                let cells = buf.pool.pop().unwrap_or_default();
                open.push((i, pass.open(*ns, p), PeriodStats::reusing(*p, *ns, cells)));
                false
            } else {
                true
            }
        });
        // The day streams in chunks, in time order; its cells gather in `day_cells` and join
        // each open period's aggregate once, at the end of the day.
        let mut stream = events::DayStream::new(world, job.ns, day);
        buf.day_cells.clear();
        while !pass.stopped() {
            buf.events.clear();
            let more = stream.next_chunk(&mut buf.events, CHUNK_EVENTS);
            let chunk = &buf.events;
            if !chunk.is_empty() {
                pass.chunk(job.ns, chunk, &mut buf.derived);
                for (_, state, st) in open.iter_mut() {
                    pass.feed(state, chunk, &buf.derived);
                    st.mark(world, chunk);
                }
                stats::cells_of(world, chunk, &mut buf.cells);
                stats::merge_cells(&mut buf.day_cells, &buf.cells);
                if let Some(pr) = progress {
                    pr.rows.fetch_add(chunk.len() * open.len(), Ordering::Relaxed);
                }
            }
            if !more {
                break;
            }
        }
        for (_, _, st) in open.iter_mut() {
            st.absorb(&buf.day_cells);
        }
        // Periods ending today finish (their memory is released before the next day).
        let mut k = 0;
        while k < open.len() {
            if open[k].2.period.last_day() == day {
                let (i, state, st) = open.swap_remove(k);
                let (ns, p) = &work[i];
                done.push((i, pass.finish(*ns, p, state, &st)));
                buf.pool.push(st.cells);
                if let Some(pr) = progress {
                    pr.period_done();
                }
            } else {
                k += 1;
            }
        }
        day = day.succ_opt().expect("calendar dates are far from the end of time");
    }
    debug_assert!(open.is_empty() && pending.is_empty());
    done
}

/// The simplest pass: `f` of each period's aggregate.
struct StatsPass<F>(F);

impl<R: Send, F: Fn(usize, &Period, &PeriodStats) -> R + Sync> Pass for StatsPass<F> {
    type Chunk = ();
    type State = ();
    type Output = R;
    fn chunk(&self, _: usize, _: &[Event], _: &mut ()) {}
    fn open(&self, _: usize, _: &Period) {}
    fn feed(&self, _: &mut (), _: &[Event], _: &()) {}
    fn finish(&self, ns: usize, p: &Period, _: (), stats: &PeriodStats) -> R {
        (self.0)(ns, p, stats)
    }
}

/// Runs `f` on the aggregate of every (namespace, available period); see [`run_pass`].
pub(crate) fn for_each_period<R: Send>(
    world: &World,
    jobs: usize,
    progress: Option<&Progress>,
    f: impl Fn(usize, &Period, &PeriodStats) -> R + Sync,
) -> Vec<((usize, Period), R)> {
    run_pass(world, jobs, progress, &StatsPass(f))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The streamed pass (days merged into each period's aggregate, months carrying their
    /// weeks) gives every period exactly the aggregate of all its events at once.
    #[test]
    fn streamed_aggregates_equal_whole_period_aggregates() {
        let world = World::build(crate::config::Config::default_config());
        let streamed = for_each_period(&world, 2, None, |_, _, stats| stats.clone());
        let periods = world.calendar.all().count() * world.namespaces.len();
        assert_eq!(streamed.len(), periods);
        for ((ns, p), stats) in streamed {
            let whole = period_stats(&world, ns, &p);
            assert!(!whole.cells.is_empty());
            assert_eq!(stats, whole, "{ns} {p:?}");
        }
    }
}
