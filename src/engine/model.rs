//! The model every view reads: the world and the summary of every (namespace, available
//! period). A `Model` cannot exist without its summaries, so no view can trigger a pass: the
//! generator takes them from the render pass (`crate::body_files::Rendered`), tests and tools
//! that render nothing compute them with one explicit pass ([`Model::build`]).
use std::collections::BTreeMap;

use crate::config::Config;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events::Action;
use crate::engine::period_pass::{for_each_period, period_stats};
use crate::engine::stats::{Counts, PeriodStats};
use crate::engine::world::World;

/// The world and its period summaries.
#[derive(Debug)]
pub struct Model {
    /// The world built from the configuration.
    pub world: World,
    pub(crate) summaries: Summaries,
}

/// What the pull series and extension views need of one (namespace, period).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodSummary {
    /// The namespace's pulls by action: by tag, by digest, version checks.
    pub total: Counts,
    /// Distinct clients of the namespace.
    pub(crate) unique: u64,
    /// Per repository with events: counts and distinct clients.
    pub(crate) repos: BTreeMap<u16, (Counts, u64)>,
    /// Per extension repository: (installs, uninstalls, updates), see `bodies::extension_counts`.
    pub(crate) extensions: BTreeMap<u16, (u64, u64, u64)>,
}

impl PeriodSummary {
    pub(crate) fn of(world: &World, ns: usize, stats: &PeriodStats) -> PeriodSummary {
        let total = stats.total(world);
        let repos: BTreeMap<u16, (Counts, u64)> =
            stats.by_repo(world).into_iter().map(|(r, t)| (r, (t.counts, t.unique()))).collect();
        let mut extensions = BTreeMap::new();
        for (r, _) in world.namespaces[ns].repos.iter().enumerate().filter(|(_, r)| r.extension) {
            let r = r as u16;
            let downloaders = stats.clients_where(world, |repo, _, _, a| repo == r && a != Action::VersionCheck);
            let present = stats.clients_where(world, |repo, _, _, _| repo == r);
            let installs = downloaders.len() as u64;
            // Present but never downloading: only version checks.
            let uninstalls = (present.len() - downloaders.len()) as u64;
            let downloads: u64 = stats.cells.iter().filter(|(c, _)| c.pull.repo == r).map(|(_, n)| n.downloads()).sum();
            extensions.insert(r, (installs, uninstalls, downloads - installs));
        }
        PeriodSummary { total: total.counts, unique: total.unique(), repos, extensions }
    }
}

/// The summary of every (namespace, available period): per namespace (world order), by period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Summaries(Vec<BTreeMap<Period, PeriodSummary>>);

impl Summaries {
    /// Gathers summaries computed by a pass over every period.
    pub(crate) fn collect(
        namespaces: usize,
        all: impl IntoIterator<Item = ((usize, Period), PeriodSummary)>,
    ) -> Summaries {
        let mut out: Vec<BTreeMap<Period, PeriodSummary>> = vec![BTreeMap::new(); namespaces];
        for ((ns, p), s) in all {
            out[ns].insert(p, s);
        }
        Summaries(out)
    }

    /// One pass over every period on `jobs` threads, computing only the summaries.
    pub(crate) fn compute(world: &World, jobs: usize) -> Summaries {
        let all = for_each_period(world, jobs, None, |ns, _, stats| PeriodSummary::of(world, ns, stats));
        Summaries::collect(world.namespaces.len(), all)
    }

    /// The summary of namespace `ns` over the available period `p`.
    pub(crate) fn get(&self, ns: usize, p: &Period) -> &PeriodSummary {
        &self.0[ns][p]
    }
}

impl Model {
    /// The world of `config` and its summaries, computed by one explicit pass on `jobs` threads
    /// (tests and tools; the generator takes the summaries from its render pass instead).
    pub fn build(config: Config, jobs: usize) -> Model {
        let world = World::build(config);
        let summaries = Summaries::compute(&world, jobs.max(1));
        Model { world, summaries }
    }

    /// The summary of (namespace, period).
    pub fn summary(&self, ns: usize, p: &Period) -> &PeriodSummary {
        self.summaries.get(ns, p)
    }

    /// The available weeks or months, oldest first.
    pub fn periods(&self, g: Granularity) -> &[Period] {
        self.world.calendar.periods(g)
    }

    /// The aggregate of namespace `ns` over `p`, regenerated.
    pub(crate) fn period_stats(&self, ns: usize, p: &Period) -> PeriodStats {
        period_stats(&self.world, ns, p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, DEFAULT_TOML};
    use chrono::NaiveDate;

    fn profiled(weeks: &str) -> Config {
        let text = DEFAULT_TOML.replace(
            "name = \"web\"\npopularity = 50\n",
            &format!("name = \"web\"\npopularity = 50\nchurn = 0.5\nweeks = [{weeks}]\n"),
        );
        Config::parse(&text, "t.toml").unwrap()
    }

    /// Every profiled week gets exactly its events and its distinct clients; other weeks none.
    #[test]
    fn profiled_weeks_are_exact() {
        let series = [(0, 120, 40), (1, 7, 7), (2, 1, 1), (3, 0, 0), (4, 900, 120), (6, 300, 3)];
        let monday = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        let weeks: Vec<String> = series
            .iter()
            .map(|(i, p, u)| format!("{{ week = \"{}\", pulls = {p}, ips = {u} }}", monday + chrono::Days::new(7 * i)))
            .collect();
        let model = Model::build(profiled(&weeks.join(", ")), 2);
        let web = 0u16;
        for (i, p) in model.periods(Granularity::Week).iter().enumerate().take(8) {
            let got = model.summary(0, p).repos.get(&web).map(|(c, u)| (c.total(), *u)).unwrap_or((0, 0));
            let want = series.iter().find(|s| s.0 == i as u64).map(|s| (s.1, s.2)).unwrap_or((0, 0));
            assert_eq!(got, want, "week {}", p.start);
        }
    }
}
