//! The model: the world plus the aggregate of every (namespace, available period).
use std::collections::BTreeMap;

use crate::calendar::{Granularity, Period};
use crate::config::Config;
use crate::events;
use crate::stats::PeriodStats;
use crate::world::World;

/// Everything every view reads.
#[derive(Debug)]
pub struct Model {
    pub world: World,
    /// Per namespace (world order): the stats of each available period.
    pub stats: Vec<BTreeMap<Period, PeriodStats>>,
}

impl Model {
    /// Builds the world and aggregates every event once. Each namespace's days are generated
    /// from their own streams, so namespaces run on separate threads (`jobs`) with the same
    /// result for any thread count.
    pub fn build(config: Config, jobs: usize) -> Model {
        let world = World::build(config);
        let n = world.namespaces.len();
        let jobs = jobs.clamp(1, n.max(1));
        let mut stats: Vec<Option<BTreeMap<Period, PeriodStats>>> = (0..n).map(|_| None).collect();
        std::thread::scope(|scope| {
            let world = &world;
            let chunks: Vec<Vec<usize>> =
                (0..jobs).map(|j| (j..n).step_by(jobs).collect()).collect();
            let handles: Vec<_> = chunks
                .into_iter()
                .map(|idx| {
                    scope.spawn(move || {
                        idx.into_iter()
                            .map(|i| (i, namespace_stats(world, i)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            for h in handles {
                for (i, s) in h.join().expect("stats thread panicked") {
                    stats[i] = Some(s);
                }
            }
        });
        Model {
            world,
            stats: stats
                .into_iter()
                .map(|s| s.expect("every namespace aggregated"))
                .collect(),
        }
    }

    pub fn period_stats(&self, ns: usize, p: &Period) -> &PeriodStats {
        &self.stats[ns][p]
    }

    pub fn periods(&self, g: Granularity) -> &[Period] {
        self.world.calendar.periods(g)
    }
}

fn namespace_stats(world: &World, ns: usize) -> BTreeMap<Period, PeriodStats> {
    let cal = &world.calendar;
    let mut out: BTreeMap<Period, PeriodStats> =
        cal.all().map(|p| (*p, PeriodStats::new(*p))).collect();
    let mut buf = Vec::new();
    for day in cal.event_days() {
        events::day_events_into(world, ns, day, &mut buf);
        for p in [Period::week_of(day), Period::month_of(day)] {
            if let Some(s) = out.get_mut(&p) {
                s.add_events(&buf);
            }
        }
    }
    out
}
