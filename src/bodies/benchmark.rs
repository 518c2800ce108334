//! The opt-in `benchmark` report (`[reports] benchmark_companies = N`, default 0 = off).
//!
//! Docker lists "Benchmark report allocations" next to the tracked companies in DVP Settings,
//! but neither the catalogue `type` nor the columns are public. INFERRED here: catalogue type
//! `benchmark`; the N companies with the most pulls of the namespace in the period (the same
//! ranking as the tracked-companies report, [`crate::bodies::ranking::top_companies`]); one row per
//! (company, repository) from the same cells as the tracked-companies report, summed over
//! country, cloud, agent and use case, plus the company's share of the repository's pulls and
//! its rank among the benchmark companies.
use std::collections::BTreeMap;
use std::io::Write;

use crate::bodies::ranking::{pct, top_companies};
use crate::engine::stats::PeriodStats;
use crate::engine::world::World;

/// Benchmark report header (INFERRED layout, DVP Core naming).
pub(crate) const REPORT_BENCHMARK: &[&str] = &[
    "DATE_GRANULARITY",
    "DATE_REFERENCE",
    "PUBLISHER_NAME",
    "DOMAIN",
    "IMAGE_REPOSITORY",
    "DATA_DOWNLOADS",
    "VERSION_CHECKS",
    "PULLS",
    "UNIQUE_AUTHENTICATED_USERS",
    "PCT_REPOSITORY_PULLS",
    "RANK",
];

/// Writes the data rows (the header is written by the caller) for the top `companies`
/// companies; `prefix` = (granularity, period start, publisher).
pub(crate) fn write_rows<W: Write>(
    world: &World,
    stats: &PeriodStats,
    companies: u32,
    prefix: (&str, &str, &str),
    w: &mut csv::Writer<W>,
) -> std::io::Result<()> {
    let namespace = &world.namespaces[stats.ns];
    let ranked = top_companies(world, stats, companies);
    let rank = |d: &str| ranked.iter().position(|x| *x == d).map(|i| i + 1);
    let repo_pulls: BTreeMap<u16, u64> = stats.by_repo(world).into_iter().map(|(r, t)| (r, t.counts.total())).collect();
    let groups = stats.group(world, |p| Some(p.repo), |pr| pr.company().filter(|d| rank(d).is_some()));
    let mut rows: Vec<_> = groups.into_iter().map(|((repo, company), t)| ((company, repo), t)).collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let (gran, date, publisher) = prefix;
    for ((company, repo), t) in rows {
        let image = format!("{}/{}", namespace.name, namespace.repos[repo as usize].name);
        let total = repo_pulls.get(&repo).copied().unwrap_or(0);
        w.write_record([
            gran,
            date,
            publisher,
            company,
            &image,
            &t.counts.downloads().to_string(),
            &t.counts.checks.to_string(),
            &t.counts.total().to_string(),
            &t.authenticated.to_string(),
            &pct(t.counts.total() as usize, total as usize),
            &rank(company).expect("filtered to ranked companies").to_string(),
        ])?;
    }
    Ok(())
}
