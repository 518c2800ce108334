//! What the preview shows, taken from the model in one streamed pass over the periods, the
//! same pass (`model::run_pass`) and aggregates (`PeriodSummary::of`, `PeriodStats::group`)
//! the generator uses. The pull series numbers are the model's period summaries, the ones
//! `bodies::pull_data` serves; nothing is counted a second way.
use std::collections::BTreeMap;

use crate::bodies::reports::{self, ReportType};
use crate::bodies::{self, ExtensionCounts, PERIODS};
use crate::config::Config;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::clients::Profile;
use crate::engine::model::{Model, PeriodSummary, Summaries};
use crate::engine::period_pass;
use crate::engine::population::AGENTS;
use crate::engine::stats::{Counts, PeriodStats};
use crate::engine::world::World;

/// Everything the page needs, in world order.
#[derive(Debug)]
pub(crate) struct Preview {
    pub(crate) namespaces: Vec<NsPreview>,
    /// The report catalogue's retained periods (the same for every namespace).
    pub(crate) report_periods: Vec<Period>,
}

/// One namespace.
#[derive(Debug)]
pub(crate) struct NsPreview {
    pub(crate) ns: usize,
    /// Weekly and monthly series: the namespace total, then each repository.
    pub(crate) weeks: SeriesSet,
    pub(crate) months: SeriesSet,
    /// Client mixes summed over every available week (events, not distinct IPs).
    pub(crate) mix: Mix,
    /// Per extension repository (only for extension publishers): its name and the
    /// `ext-summary` numbers of every week and month.
    pub(crate) extensions: Vec<Extension>,
}

/// The series of one granularity.
#[derive(Debug)]
pub(crate) struct SeriesSet {
    pub(crate) granularity: Granularity,
    pub(crate) total: Vec<Point>,
    /// Per repository (world order), every available period (zero counts included).
    pub(crate) repos: Vec<(String, Vec<Point>)>,
    /// Start of the first period of each pull-series window (`period=last-N-months`), if any.
    pub(crate) windows: Vec<(u32, Period)>,
}

/// One period of a series.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Point {
    pub(crate) period: Period,
    pub(crate) counts: Counts,
    pub(crate) unique: u64,
    /// Whether the pull series list this period (the API omits periods without events).
    pub(crate) listed: bool,
    /// The smallest `period=last-N-months` window that serves it, if any (larger ones do too).
    pub(crate) window: Option<u32>,
}

/// Events by client attribute, summed over weeks.
#[derive(Debug, Default)]
pub(crate) struct Mix {
    pub(crate) countries: BTreeMap<&'static str, Counts>,
    pub(crate) clouds: BTreeMap<&'static str, Counts>,
    pub(crate) agents: BTreeMap<&'static str, Counts>,
    pub(crate) ip_types: BTreeMap<&'static str, Counts>,
}

/// The label of events from IPs outside any cloud provider (the CSV field is empty).
pub(crate) const NO_CLOUD: &str = "none (not a cloud IP)";

impl Mix {
    /// The four groupings of one period's aggregate.
    fn of(world: &World, stats: &PeriodStats) -> Mix {
        fn by<K: Ord + Clone>(
            world: &World,
            stats: &PeriodStats,
            key: impl FnMut(&Profile) -> Option<K>,
        ) -> BTreeMap<K, Counts> {
            stats.group(world, |_| Some(()), key).into_iter().map(|(((), k), t)| (k, t.counts)).collect()
        }
        Mix {
            countries: by(world, stats, |p| Some(p.country())),
            clouds: by(world, stats, |p| Some(p.csp().unwrap_or(NO_CLOUD))),
            agents: by(world, stats, |p| Some(AGENTS[p.agent as usize].0)),
            ip_types: by(world, stats, |p| Some(p.ip_type.as_str())),
        }
    }

    fn add(&mut self, o: &Mix) {
        for (mine, theirs) in [
            (&mut self.countries, &o.countries),
            (&mut self.clouds, &o.clouds),
            (&mut self.agents, &o.agents),
            (&mut self.ip_types, &o.ip_types),
        ] {
            for (k, c) in theirs {
                mine.entry(k).or_default().add(c);
            }
        }
    }
}

/// One extension repository.
#[derive(Debug)]
pub(crate) struct Extension {
    pub(crate) repo: String,
    pub(crate) weeks: Vec<(Period, ExtensionCounts)>,
    pub(crate) months: Vec<(Period, ExtensionCounts)>,
}

/// Builds the world of `config` and runs one pass over its periods on `jobs` threads: the
/// period summaries (the model every view reads, pull series included) and the client mixes of
/// the weeks; then collects the page's data.
pub(crate) fn extract(config: &Config, jobs: usize) -> (Model, Preview) {
    let world = World::build(config.clone());
    let results = period_pass::for_each_period(&world, jobs.max(1), None, |ns, p, stats| {
        let mix = (p.granularity == Granularity::Week).then(|| Mix::of(&world, stats));
        (PeriodSummary::of(&world, ns, stats), mix)
    });
    let mut mixes: Vec<Mix> = (0..world.namespaces.len()).map(|_| Mix::default()).collect();
    let mut summaries = Vec::with_capacity(results.len());
    for ((ns, p), (summary, mix)) in results {
        if let Some(m) = mix {
            mixes[ns].add(&m);
        }
        summaries.push(((ns, p), summary));
    }
    let summaries = Summaries::collect(world.namespaces.len(), summaries);
    let model = Model { world, summaries };
    let preview = preview(&model, mixes);
    (model, preview)
}

fn preview(model: &Model, mixes: Vec<Mix>) -> Preview {
    let namespaces = mixes
        .into_iter()
        .enumerate()
        .map(|(ns, mix)| NsPreview {
            ns,
            weeks: series(model, ns, Granularity::Week),
            months: series(model, ns, Granularity::Month),
            mix,
            extensions: extensions(model, ns),
        })
        .collect();
    Preview { namespaces, report_periods: reports::retained(&model.world) }
}

/// The smallest pull-series window serving each period of `g`, from the calendar function the
/// pull series use (`Calendar::last_months`).
fn windows(model: &Model, g: Granularity) -> (BTreeMap<Period, u32>, Vec<(u32, Period)>) {
    let mut smallest = BTreeMap::new();
    let mut starts = Vec::new();
    for m in PERIODS {
        let served = model.world.calendar.last_months(g, m);
        if let Some(first) = served.first() {
            starts.push((m, *first));
        }
        for p in served {
            smallest.entry(p).or_insert(m);
        }
    }
    (smallest, starts)
}

fn series(model: &Model, ns: usize, g: Granularity) -> SeriesSet {
    let (smallest, starts) = windows(model, g);
    let namespace = &model.world.namespaces[ns];
    let periods = model.periods(g);
    let point = |p: &Period, counts: Counts, unique: u64, listed: bool| Point {
        period: *p,
        counts,
        unique,
        listed,
        window: smallest.get(p).copied(),
    };
    let total = periods
        .iter()
        .map(|p| {
            let s = model.summary(ns, p);
            point(p, s.total, s.unique, s.total.total() > 0)
        })
        .collect();
    let repos = namespace
        .repos
        .iter()
        .enumerate()
        .map(|(r, repo)| {
            let points = periods
                .iter()
                .map(|p| match model.summary(ns, p).repos.get(&(r as u16)) {
                    Some((c, u)) => point(p, *c, *u, true),
                    None => point(p, Counts::default(), 0, false),
                })
                .collect();
            (repo.name.clone(), points)
        })
        .collect();
    SeriesSet { granularity: g, total, repos, windows: starts }
}

fn extensions(model: &Model, ns: usize) -> Vec<Extension> {
    let namespace = &model.world.namespaces[ns];
    if !namespace.extension_publisher {
        return Vec::new();
    }
    let of = |r: usize, g: Granularity| -> Vec<(Period, ExtensionCounts)> {
        model
            .periods(g)
            .iter()
            .map(|p| (*p, bodies::extension_counts(&model.world, &model.summaries, ns, r as u16, p)))
            .collect()
    };
    namespace
        .repos
        .iter()
        .enumerate()
        .filter(|(_, r)| r.extension)
        .map(|(r, repo)| Extension {
            repo: repo.name.clone(),
            weeks: of(r, Granularity::Week),
            months: of(r, Granularity::Month),
        })
        .collect()
}

/// The report catalogue of one namespace: per report type, per retained period, the file name
/// the catalogue lists.
pub(crate) fn report_files(model: &Model, ns: usize, periods: &[Period]) -> Vec<(ReportType, Vec<String>)> {
    let name = &model.world.namespaces[ns].name;
    ReportType::ALL.iter().map(|t| (*t, periods.iter().map(|p| reports::file_name(name, *t, p)).collect())).collect()
}
