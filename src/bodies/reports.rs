//! DVP Core reports (proxylytics catalogue): summary, trend, technographic, technographic
//! companies and tracked companies, all groupings of the same period cells as the legacy views.
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use crate::bodies::csv_layout as layout;
use crate::bodies::ranking::{pct, top_companies};
use crate::engine::calendar::{Granularity, Period};
use crate::engine::namespaces::Namespace;
use crate::engine::period_pass::period_stats;
use crate::engine::population::{UseCase, AGENTS, PUBLIC_IMAGES};
use crate::engine::stats::{ClientSet, PeriodStats, Tally};
use crate::engine::world::World;

/// A report type (`type` in the catalogue).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReportType {
    /// `summary`: downloads, version checks and events at the publisher, namespace and
    /// repository levels.
    Summary,
    /// `trend`: downloads, version checks, pulls and unique users per repository, country,
    /// cloud, user agent and tag.
    Trend,
    /// `technographic`: other public images the namespace's clients pull, with user and domain
    /// shares.
    Technographic,
    /// `technographic_companies`: which company domains pair which images.
    TechnographicCompanies,
    /// `tracked_companies`: the companies that pull most (`reports.tracked_companies`), per
    /// country, cloud, agent and repository.
    TrackedCompanies,
    /// Opt-in (`reports.benchmark_companies`), see `bodies::benchmark`.
    Benchmark,
}

impl ReportType {
    /// The five report types every namespace's catalogue lists, in catalogue order.
    pub const ALL: [ReportType; 5] = [
        ReportType::Summary,
        ReportType::Trend,
        ReportType::Technographic,
        ReportType::TechnographicCompanies,
        ReportType::TrackedCompanies,
    ];

    /// The report types of the catalogue: the five observed ones, plus `benchmark` when
    /// `reports.benchmark_companies` is set.
    pub fn catalogue(config: &crate::config::Config) -> Vec<ReportType> {
        let mut types = ReportType::ALL.to_vec();
        if config.reports.benchmark_companies > 0 {
            types.push(ReportType::Benchmark);
        }
        types
    }

    /// The catalogue `type` (`trend` and `technographic` are confirmed; the rest INFERRED).
    pub(crate) fn api(self) -> &'static str {
        match self {
            ReportType::Summary => "summary",
            ReportType::Trend => "trend",
            ReportType::Technographic => "technographic",
            ReportType::TechnographicCompanies => "technographic_companies",
            ReportType::TrackedCompanies => "tracked_companies",
            ReportType::Benchmark => "benchmark",
        }
    }

    pub(crate) fn header(self) -> &'static [&'static str] {
        match self {
            ReportType::Summary => layout::REPORT_SUMMARY,
            ReportType::Trend => layout::REPORT_TREND,
            ReportType::Technographic => layout::REPORT_TECHNOGRAPHIC,
            ReportType::TechnographicCompanies => layout::REPORT_TECHNOGRAPHIC_COMPANIES,
            ReportType::TrackedCompanies => layout::REPORT_TRACKED_COMPANIES,
            ReportType::Benchmark => crate::bodies::benchmark::REPORT_BENCHMARK,
        }
    }
}

/// File name of a report: `<namespace>_<type>_<weekly|monthly>_YYYY_MM_DD.csv`, dated by the
/// period start (INFERRED prefix; the `_weekly_`/`_monthly_` and date suffix are observed).
pub(crate) fn file_name(ns: &str, t: ReportType, p: &Period) -> String {
    format!("{ns}_{}_{}_{}.csv", t.api(), p.granularity.report(), p.start.format("%Y_%m_%d"))
}

/// The retained periods of the catalogue: the last `weeks` weeks and `months` months.
pub fn retained(world: &World) -> Vec<Period> {
    let r = &world.config.reports;
    let mut out = Vec::new();
    for (g, n) in [(Granularity::Week, r.weeks), (Granularity::Month, r.months)] {
        let ps = world.calendar.periods(g);
        out.extend_from_slice(&ps[ps.len().saturating_sub(n as usize)..]);
    }
    out
}

/// Minimum unique users for a technographic pairing (documented).
pub const MIN_PAIR_USERS: usize = 10;

/// The distinct clients of each repository (with events) of one namespace over one period:
/// all the technographic reports need of a namespace's aggregate.
pub(crate) type RepoClients = Vec<(u16, ClientSet)>;

/// [`RepoClients`] of a period's aggregate.
pub(crate) fn repo_clients(world: &World, stats: &PeriodStats) -> RepoClients {
    // Cells are sorted by repository first: its repositories with events, each once.
    let mut repos: Vec<u16> = stats.cells.iter().map(|(c, _)| c.pull.repo).collect();
    repos.dedup();
    repos.into_iter().map(|r| (r, stats.clients_where(world, |repo, _, _, _| repo == r))).collect()
}

/// What the technographic reports of one period read, for all namespaces at once: which
/// clients pulled each repository.
#[derive(Debug)]
pub struct ReportPeriod {
    pub(crate) period: Period,
    /// Per namespace (world order).
    pub(crate) clients: Vec<RepoClients>,
    /// Image names (`namespace/repo`) of every modelled repository, and where its clients are
    /// in `clients` (namespace, position) if it was pulled.
    images: Vec<(String, Option<(usize, usize)>)>,
}

impl ReportPeriod {
    /// Regenerates every namespace's aggregate of `p` (the generator collects
    /// `repo_clients` during its pass and uses `ReportPeriod::from_clients`).
    pub fn new(world: &World, p: &Period) -> ReportPeriod {
        let clients = (0..world.namespaces.len()).map(|ns| repo_clients(world, &period_stats(world, ns, p))).collect();
        ReportPeriod::from_clients(world, p, clients)
    }

    pub(crate) fn from_clients(world: &World, p: &Period, clients: Vec<RepoClients>) -> ReportPeriod {
        let mut images = Vec::new();
        for (ns, n) in world.namespaces.iter().enumerate() {
            for (r, repo) in n.repos.iter().enumerate() {
                let at = clients[ns].iter().position(|(x, _)| *x as usize == r).map(|i| (ns, i));
                images.push((format!("{}/{}", n.name, repo.name), at));
            }
        }
        ReportPeriod { period: *p, clients, images }
    }

    /// Modelled images `client` pulled in the period, as indices into `images`.
    fn pulled_ids(&self, client: u32) -> impl Iterator<Item = u32> + '_ {
        self.images.iter().enumerate().filter_map(move |(i, (_, at))| {
            let (ns, k) = (*at)?;
            self.clients[ns][k].1.contains(client).then_some(i as u32)
        })
    }
}

impl ReportType {
    /// Whether the report reads other namespaces too (technographic pairings), so it can only
    /// be rendered once every namespace's period is known ([`ReportPeriod`]).
    pub(crate) fn cross_namespace(self) -> bool {
        matches!(self, ReportType::Technographic | ReportType::TechnographicCompanies)
    }
}

/// Renders one report CSV, regenerating what it needs.
pub fn report_csv(world: &World, ns: usize, t: ReportType, p: &Period) -> Vec<u8> {
    let mut out = Vec::new();
    if t.cross_namespace() {
        write_technographic(world, &ReportPeriod::new(world, p), ns, t, &mut out)
    } else {
        write_report(world, ns, &period_stats(world, ns, p), t, &mut out)
    }
    .expect("writing to memory cannot fail");
    out
}

/// The use case of a client: by agent class, reclassified up one step on a cloud provider.
pub(crate) fn use_case(agent: u8, on_cloud: bool) -> UseCase {
    match (AGENTS[agent as usize].2, on_cloud) {
        (UseCase::LocalDev, true) => UseCase::CiCd,
        (UseCase::CiCd, true) => UseCase::Prod,
        (c, _) => c,
    }
}

/// The first columns of every report row: granularity, period start, publisher.
fn row_prefix(world: &World, ns: usize, p: &Period) -> (&'static str, String, String) {
    (p.granularity.csv(), p.start.format("%Y-%m-%d").to_string(), world.namespaces[ns].publisher.clone())
}

/// Renders a report of one namespace's aggregate (any type but the technographic ones, see
/// [`ReportType::cross_namespace`] and [`write_technographic`]).
pub(crate) fn write_report(
    world: &World,
    ns: usize,
    stats: &PeriodStats,
    t: ReportType,
    w: impl Write,
) -> std::io::Result<()> {
    let namespace = &world.namespaces[ns];
    let (gran, date, publisher) = row_prefix(world, ns, &stats.period);
    let publisher = publisher.as_str();
    let image = |r: u16| format!("{}/{}", namespace.name, namespace.repos[r as usize].name);
    let mut w = layout::writer(w);
    w.write_record(t.header())?;
    match t {
        ReportType::Summary => {
            // INFERRED: the levels real files carry (publisher, namespace, repository); each
            // restates the same total, so only one level should be summed.
            let total = stats.total(world).counts;
            let mut rows =
                vec![("publisher", publisher.to_string(), total), ("namespace", namespace.name.clone(), total)];
            rows.extend(stats.by_repo(world).into_iter().map(|(r, tl)| ("repository", image(r), tl.counts)));
            for (level, reference, c) in rows {
                w.write_record([
                    gran,
                    &date,
                    publisher,
                    level,
                    &reference,
                    &c.downloads().to_string(),
                    &c.checks.to_string(),
                    &c.total().to_string(),
                ])?;
            }
        }
        ReportType::Trend => write_trend(world, namespace, stats, (gran, &date, publisher), &mut w)?,
        ReportType::Benchmark => {
            let companies = world.config.reports.benchmark_companies;
            crate::bodies::benchmark::write_rows(world, stats, companies, (gran, &date, publisher), &mut w)?;
        }
        ReportType::Technographic | ReportType::TechnographicCompanies => {
            return Err(std::io::Error::other(format!("{} reads every namespace: use write_technographic", t.api())));
        }
        ReportType::TrackedCompanies => write_tracked(world, namespace, stats, (gran, &date, publisher), &mut w)?,
    }
    w.flush()
}

/// The rows of the trend report: per image, country, cloud, agent and tag.
fn write_trend<W: Write>(
    world: &World,
    namespace: &Namespace,
    stats: &PeriodStats,
    (gran, date, publisher): (&str, &str, &str),
    w: &mut csv::Writer<W>,
) -> std::io::Result<()> {
    let image = |r: u16| format!("{}/{}", namespace.name, namespace.repos[r as usize].name);
    let groups: BTreeMap<_, Tally> = stats
        .group(
            world,
            |p| Some((p.repo, p.by_tag.then(|| namespace.repos[p.repo as usize].tags[p.tag as usize].name.as_str()))),
            |pr| Some((pr.country(), pr.csp().unwrap_or(layout::NO_CSP), AGENTS[pr.agent as usize].0)),
        )
        .into_iter()
        .map(|(((repo, tag), (country, csp, agent)), t)| ((image(repo), country, csp, agent, tag), t))
        .collect();
    for ((img, country, csp, agent, tag), tl) in groups {
        let (auth, unauth) = (tl.authenticated, tl.clients - tl.authenticated);
        w.write_record([
            gran,
            date,
            publisher,
            &img,
            &namespace.name,
            country,
            csp,
            agent,
            tag.unwrap_or(layout::NO_TAG),
            &tl.counts.downloads().to_string(),
            &tl.counts.checks.to_string(),
            &tl.counts.total().to_string(),
            &auth.to_string(),
            &unauth.to_string(),
        ])?;
    }
    Ok(())
}

/// The rows of the tracked-companies report: per tracked company, country, cloud, agent, use
/// case and image.
fn write_tracked<W: Write>(
    world: &World,
    namespace: &Namespace,
    stats: &PeriodStats,
    (gran, date, publisher): (&str, &str, &str),
    w: &mut csv::Writer<W>,
) -> std::io::Result<()> {
    let image = |r: u16| format!("{}/{}", namespace.name, namespace.repos[r as usize].name);
    let tracked: BTreeSet<&str> =
        top_companies(world, stats, world.config.reports.tracked_companies).into_iter().collect();
    let groups: BTreeMap<_, Tally> = stats
        .group(
            world,
            |p| Some(p.repo),
            |pr| {
                let company = pr.company().filter(|d| tracked.contains(d))?;
                let csp = pr.csp();
                let agent = AGENTS[pr.agent as usize].0;
                let uc = use_case(pr.agent, csp.is_some()).as_str();
                Some((company, pr.country(), csp.unwrap_or(layout::NO_CSP), agent, uc))
            },
        )
        .into_iter()
        .map(|((repo, (company, country, csp, agent, uc)), t)| ((company, country, csp, agent, uc, image(repo)), t))
        .collect();
    for ((company, country, csp, agent, uc, img), tl) in groups {
        let auth = tl.authenticated;
        w.write_record([
            gran,
            date,
            publisher,
            company,
            country,
            csp,
            agent,
            uc,
            &img,
            &tl.counts.downloads().to_string(),
            &tl.counts.checks.to_string(),
            &tl.counts.total().to_string(),
            &auth.to_string(),
        ])?;
    }
    Ok(())
}

/// Renders a technographic report (see [`ReportType::cross_namespace`]).
pub(crate) fn write_technographic(
    world: &World,
    ctx: &ReportPeriod,
    ns: usize,
    t: ReportType,
    w: impl Write,
) -> std::io::Result<()> {
    let (gran, date, publisher) = row_prefix(world, ns, &ctx.period);
    let publisher = publisher.as_str();
    let mut w = layout::writer(w);
    w.write_record(t.header())?;
    for pair in pairings(world, ctx, ns) {
        if t == ReportType::Technographic {
            w.write_record([
                gran,
                &date,
                publisher,
                &pair.image,
                &pair.paired,
                &pair.users.to_string(),
                &pair.total_pullers.to_string(),
                &pct(pair.users, pair.total_pullers),
                &pair.domains.len().to_string(),
                &pair.total_domains.to_string(),
                &pct(pair.domains.len(), pair.total_domains),
            ])?;
        } else {
            for d in &pair.domains {
                w.write_record([gran, &date, publisher, d, &pair.image, &pair.paired])?;
            }
        }
    }
    w.flush()
}

/// One technographic pairing.
#[derive(Debug, Clone)]
pub struct Pairing {
    pub(crate) image: String,
    pub(crate) paired: String,
    /// Unique users of the pairing.
    pub(crate) users: usize,
    pub(crate) total_pullers: usize,
    pub(crate) domains: BTreeSet<&'static str>,
    pub(crate) total_domains: usize,
}

/// Pairings of each image of `ns` with every other image its pullers pull in the period: the
/// public images of their profile and the modelled images they pulled in the same period.
/// Only pairings with at least [`MIN_PAIR_USERS`] users are kept.
pub fn pairings(world: &World, ctx: &ReportPeriod, ns: usize) -> Vec<Pairing> {
    let namespace = &world.namespaces[ns];
    // Every image a puller can pair with, distinct by name and in name order (the order of
    // the rows): public images first, then modelled images, mapped to their slot.
    let mut names: Vec<&str> =
        PUBLIC_IMAGES.iter().map(|i| i.0).chain(ctx.images.iter().map(|i| i.0.as_str())).collect();
    names.sort_unstable();
    names.dedup();
    let slot = |name: &str| names.binary_search(&name).expect("every image is named");
    let public_slot: Vec<usize> = PUBLIC_IMAGES.iter().map(|i| slot(i.0)).collect();
    let image_slot: Vec<usize> = ctx.images.iter().map(|i| slot(&i.0)).collect();
    // Per paired image: its users and their company domains.
    let mut paired_with: Vec<(usize, BTreeSet<&'static str>)> = vec![(0, BTreeSet::new()); names.len()];
    let mut slots: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (repo, clients) in &ctx.clients[ns] {
        let image = format!("{}/{}", namespace.name, namespace.repos[*repo as usize].name);
        let own = slot(&image);
        let total_domains: BTreeSet<&str> =
            clients.iter().filter_map(|c| world.clients[c as usize].company()).collect();
        paired_with.iter_mut().for_each(|(n, d)| {
            *n = 0;
            d.clear();
        });
        for c in clients.iter() {
            let client = &world.clients[c as usize];
            let publics = client.other_images().iter().map(|&i| public_slot[i as usize]);
            let pulled = ctx.pulled_ids(c).map(|i| image_slot[i as usize]);
            slots.clear();
            slots.extend(publics.chain(pulled).filter(|&s| s != own));
            slots.sort_unstable();
            slots.dedup();
            for &other in &slots {
                let (users, domains) = &mut paired_with[other];
                *users += 1;
                domains.extend(client.company());
            }
        }
        let total_pullers = clients.len();
        for (paired, (users, domains)) in names.iter().zip(&mut paired_with) {
            if *users < MIN_PAIR_USERS {
                continue;
            }
            out.push(Pairing {
                image: image.clone(),
                paired: paired.to_string(),
                users: *users,
                total_pullers,
                domains: std::mem::take(domains),
                total_domains: total_domains.len(),
            });
        }
    }
    out
}
