//! Premium extension views (`ext-premium-summary`, `ext-premium-geo`) of a namespace with the
//! premium extension entitlement.
//!
//! Docker documents only the data points (Installs, UniqueInstalls, Uninstalls,
//! UniqueUninstalls, Usage, UniqueUsers, "Feb 1, 2024"); the layout and the mapping onto the
//! model are INFERRED, all of it here:
//! - `installs` / `uninstalls`: exactly `ext-summary`'s (clients that downloaded the extension in
//!   the period / clients that only version-checked it);
//! - `unique_*`: of those clients, the ones pulling as a signed-in Docker user (distinct
//!   accounts rather than machines);
//! - `usage`: every event on the extension repository in the period (its `pullCount`);
//!   `unique_users`: the signed-in users among all clients that touched it.
//!
//! The geo view splits the same clients and events by the client's country, so its rows add up
//! to the summary's.
use std::collections::BTreeMap;

use crate::engine::events::Action;
use crate::engine::stats::PeriodStats;
use crate::engine::world::World;

/// The premium data points, in documentation order, as columns (INFERRED spelling, like the
/// other legacy exports: lower snake case).
pub const DATA_POINTS: [&str; 6] =
    ["installs", "unique_installs", "uninstalls", "unique_uninstalls", "usage", "unique_users"];

/// The header of `ext-premium-summary` (one row per extension repository) or, with `geo`,
/// `ext-premium-geo` (one row per extension repository and country with activity). INFERRED.
pub(crate) fn header(geo: bool) -> Vec<&'static str> {
    let keys: &[&'static str] = if geo { &["namespace", "extension", "country"] } else { &["namespace", "extension"] };
    keys.iter().copied().chain(DATA_POINTS).collect()
}

/// The premium data points of one extension (and country).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PremiumCounts {
    pub(crate) installs: u64,
    pub(crate) unique_installs: u64,
    pub(crate) uninstalls: u64,
    pub(crate) unique_uninstalls: u64,
    pub(crate) usage: u64,
    pub(crate) unique_users: u64,
}

impl PremiumCounts {
    fn columns(&self) -> [String; 6] {
        [self.installs, self.unique_installs, self.uninstalls, self.unique_uninstalls, self.usage, self.unique_users]
            .map(|n| n.to_string())
    }
}

/// Premium counts per (extension repository, country) of one period's aggregate; the country
/// is `""` unless `by_country`. Without `by_country` every extension repository has an entry
/// (zeros when untouched), like `ext-summary`'s rows.
pub(crate) fn premium_counts(
    world: &World,
    stats: &PeriodStats,
    by_country: bool,
) -> BTreeMap<(u16, &'static str), PremiumCounts> {
    let namespace = &world.namespaces[stats.ns];
    let mut out: BTreeMap<(u16, &'static str), PremiumCounts> = BTreeMap::new();
    for (r, _) in namespace.repos.iter().enumerate().filter(|(_, repo)| repo.extension) {
        let r = r as u16;
        if !by_country {
            out.entry((r, "")).or_default();
        }
        let country = |c: &'static str| if by_country { c } else { "" };
        let downloaders = stats.clients_where(world, |repo, _, _, a| repo == r && a != Action::VersionCheck);
        let present = stats.clients_where(world, |repo, _, _, _| repo == r);
        for c in present.iter() {
            let client = &world.clients[c as usize];
            let signed_in = u64::from(client.user().is_some());
            let e = out.entry((r, country(client.country()))).or_default();
            e.unique_users += signed_in;
            if downloaders.contains(c) {
                e.installs += 1;
                e.unique_installs += signed_in;
            } else {
                e.uninstalls += 1;
                e.unique_uninstalls += signed_in;
            }
        }
        for ((_, c), t) in stats.group(world, |p| (p.repo == r).then_some(()), |pr| Some(country(pr.country()))) {
            out.entry((r, c)).or_default().usage += t.counts.total();
        }
    }
    out
}

/// The data rows of `ext-premium-summary` (`geo = false`) or `ext-premium-geo`.
pub(crate) fn rows(world: &World, stats: &PeriodStats, geo: bool) -> Vec<Vec<String>> {
    let namespace = &world.namespaces[stats.ns];
    premium_counts(world, stats, geo)
        .into_iter()
        .map(|((r, country), counts)| {
            let mut row = vec![namespace.name.clone(), namespace.repos[r as usize].name.clone()];
            if geo {
                row.push(country.to_string());
            }
            row.extend(counts.columns());
            row
        })
        .collect()
}
