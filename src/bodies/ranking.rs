//! What several reports share: the companies ranked by pulls (tracked companies, benchmark)
//! and percentages as the reports print them.
use crate::engine::stats::PeriodStats;
use crate::engine::world::World;

/// `part` as a percentage of `whole` with two decimals (`"0.00"` of nothing).
pub(crate) fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        "0.00".into()
    } else {
        format!("{:.2}", part as f64 * 100.0 / whole as f64)
    }
}

/// The `n` companies with the most pulls in the period, most first (ties by domain): the
/// companies of the tracked-companies and benchmark reports.
pub(crate) fn top_companies(world: &World, stats: &PeriodStats, n: u32) -> Vec<&'static str> {
    let by_company = stats.group(world, |_| Some(()), |pr| pr.company());
    let mut ranked: Vec<(&str, u64)> = by_company.iter().map(|(((), d), t)| (*d, t.counts.total())).collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.into_iter().take(n as usize).map(|x| x.0).collect()
}
