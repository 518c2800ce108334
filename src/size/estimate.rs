//! A cheap estimate of what `generate` would write, from the configuration alone: the
//! expected events of every (namespace, period) from the volume parameters, the raw row width
//! of a small sample of rendered rows, and the size of every other file from its layout and
//! the number of keys it is expected to hold. The stubs, the JSON files the routes write and
//! the bytes of the mappings come from the route code itself, run over an empty model
//! ([`super::structure`]). Nothing is generated; it runs in milliseconds for the default
//! history, so `generate` can refuse a mistyped year before writing a byte.
//!
//! The constants marked CALIBRATED are average row widths and row counts measured on the
//! committed default tree; a test holds the whole estimate within 25 % of real output on a
//! small, the default and a large configuration.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::structure::{self, Structure};
use crate::bodies::csv_layout as layout;
use crate::bodies::reports::ReportType;
use crate::bodies::{self, PERIODS};
use crate::body_files::export_views;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events::{self, daily_mean};
use crate::engine::world::{Namespace, World};

/// What a configuration would produce.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimate {
    /// Expected pull events (each day once).
    pub events: f64,
    /// CSV rows over every export part and report (a day's events appear in its week and its month).
    pub rows: u64,
    /// Body files under `__files/`.
    pub body_files: u64,
    /// Stubs (one file each under `mappings/`).
    pub stubs: u64,
    /// Bytes of every file.
    pub bytes: u64,
    /// Available weeks and months of the history.
    pub weeks: usize,
    pub months: usize,
    pub history_start: NaiveDate,
    pub as_of: NaiveDate,
    /// Bytes per part of the output, for the tests and the curious (`mappings` includes the
    /// manifest).
    pub breakdown: Breakdown,
    /// The namespace with the most bytes, and its bytes.
    pub busiest: Option<(String, u64)>,
}

/// Bytes per kind of file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breakdown {
    pub raw: f64,
    pub summaries: f64,
    pub export_json: f64,
    pub pulls_json: f64,
    pub reports: f64,
    pub mappings: f64,
}

impl Estimate {
    /// Every file: bodies, stubs and the manifest.
    pub fn files(&self) -> u64 {
        self.body_files + self.stubs + 1
    }

    /// Bytes the files take on a file system with 4 KiB blocks: on average half a block more
    /// per file (most files are small).
    pub fn bytes_on_disk(&self) -> u64 {
        self.bytes + self.files() * 2048
    }

    /// Length of the history in years (365.25 days).
    pub fn history_years(&self) -> f64 {
        (self.as_of - self.history_start).num_days() as f64 / 365.25
    }
}

/// Histories longer than this many years draw a warning (most are a mistyped year).
pub const WARN_HISTORY_YEARS: f64 = 5.0;
/// Default `--max-bytes`: 20 GB (decimal), lowered to the free space where the output goes.
pub const DEFAULT_MAX_BYTES: u64 = 20_000_000_000;

// CALIBRATED on the default tree (bytes per row, rows per event); see the module comment.
/// Average bytes of one report row, by type.
const REPORT_ROW_BYTES: [(f64, f64); 5] = [
    // (rows per trend row, bytes per row): summary (rows = 2 + repos), trend, technographic,
    // technographic companies, tracked companies.
    (0.0, 74.0),
    (1.0, 87.0),
    (0.12, 85.0),
    (0.6, 76.0),
    (0.18, 99.0),
];
/// Trend rows of a period of `n` events with `t` pulled tags: `TREND_A * sqrt(t) * n^TREND_B`,
/// at most `n` (distinct keys saturate slowly: clients are heavy-tailed).
const TREND_A: f64 = 3.2;
const TREND_B: f64 = 0.533;
/// Small bodies are written into their stubs (`wiremock::serving`), JSON-escaped: the quotes
/// of a pull series make it about 15 % longer there.
const INLINE_ESCAPE: f64 = 1.15;
/// A namespace's series bodies are written into a stub of each root.
const INLINE_COPIES: f64 = 2.0 * INLINE_ESCAPE;
/// One entry of an export's JSON listing, without its file name and size digits.
const EXPORT_JSON_ENTRY: f64 = 389.0;
/// One item of a pull series (`start`, `end`, a label, two counts), without the label.
const PULL_ITEM: f64 = 100.0;
/// What each export part after a view's first adds to its namespace's download stub (the
/// structure pass lists one part per view).
const DOWNLOAD_ENTRY_BYTES: f64 = 74.0;
/// A line of the manifest (a relative path).
const MANIFEST_LINE_BYTES: f64 = 68.0;

/// Estimates what `generate` would write for `config` (builds its world: namespaces and
/// clients, and its routes over empty summaries; no events).
pub fn of_config(config: &crate::config::Config) -> Estimate {
    let model = structure::empty_model(World::build(config.clone()));
    let shape = structure::measure(&model);
    estimate(&model.world, &shape)
}

/// Estimates what `generate` would write for `world`, whose routes have the shape `shape`.
fn estimate(world: &World, shape: &Structure) -> Estimate {
    let config = &world.config;
    let cal = &world.calendar;
    let mut e = Estimate {
        weeks: cal.weeks.len(),
        months: cal.months.len(),
        history_start: config.history_start,
        as_of: config.as_of,
        ..Estimate::default()
    };
    let report_types = ReportType::catalogue(config).len();
    let retained: Vec<Period> = crate::bodies::reports::retained(world);
    let mut rows = 0.0;
    let mut per_ns = Vec::new();
    for (i, ns) in world.namespaces.iter().enumerate() {
        let before = e.breakdown.clone();
        let width = raw_row_width(world, i);
        let mut header = Vec::new();
        bodies::header_row(layout::RAW, &mut header);
        let views = export_views(world, i).len() as u64;
        let mix = Mix::of(world, i);
        for p in cal.all() {
            let n = if mix.silent { 0.0 } else { p.days().map(|d| daily_mean(ns, config.history_start, d)).sum() };
            if p.granularity == Granularity::Week {
                e.events += n;
            }
            // Raw: the rows, split into parts that each repeat the header.
            let raw = n * width;
            let parts = (raw / (config.export_part_bytes as f64 - header.len() as f64)).ceil().max(1.0);
            e.breakdown.raw += raw + parts * header.len() as f64;
            rows += n;
            e.body_files += parts as u64 + (views - 1);
            // Each part after the first adds a line to its namespace's download stub.
            let stem = ns.name.len() as f64 + 20.0;
            let part_suffix = if parts > 1.0 { 8.0 } else { 0.0 };
            e.breakdown.mappings += (parts - 1.0) * (DOWNLOAD_ENTRY_BYTES + stem) + parts * part_suffix;
            let (sum_rows, sum_bytes) = mix.summaries(ns, n);
            rows += sum_rows;
            e.breakdown.summaries += sum_bytes;
            // JSON listings: one file per view (one entry per part), the period's own file,
            // and its line in the year's listing.
            e.breakdown.export_json +=
                11.0 * views as f64 + (parts + (views - 1) as f64) * (EXPORT_JSON_ENTRY + stem + 6.0) + 12.0 + 13.0;
            if retained.contains(p) {
                let trend = (TREND_A * mix.tags.sqrt() * n.powf(TREND_B)).min(n);
                for (k, (share, bytes)) in REPORT_ROW_BYTES.iter().enumerate() {
                    let r = if k == 0 { 2.0 + ns.repos.len() as f64 } else { share * trend };
                    rows += r;
                    e.breakdown.reports += (r + 1.0) * bytes;
                }
                e.body_files += report_types as u64;
            }
        }
        // The year listings, and the report catalogue.
        e.breakdown.export_json += 30.0 * cal.years().len() as f64;
        e.breakdown.reports += 150.0 * retained.len() as f64 * report_types as f64;
        // Pull series: the namespace's 16 bodies in each grouping, written into the stubs of
        // both roots (JSON-escaped), and 16 files per repository.
        let series = pull_points(world);
        let pulled = mix.pulled_repos as f64;
        e.breakdown.pulls_json += INLINE_COPIES
            * (series * (PULL_ITEM + ns.name.len() as f64) + series * pulled * (PULL_ITEM + mix.repo_name_len))
            + (ns.repos.len() as f64) * series * 2.0 * (PULL_ITEM + mix.repo_name_len)
            + 16.0 * 14.0 * (1 + ns.repos.len()) as f64;
        let b = &e.breakdown;
        let added = b.raw + b.summaries + b.export_json + b.pulls_json + b.reports
            - (before.raw + before.summaries + before.export_json + before.pulls_json + before.reports);
        per_ns.push((ns.name.clone(), added, mix.pulled_repos, series, mix.repo_name_len));
    }
    // Cross-namespace pull series (`repos-pulls`): per user and the public one, every visible
    // pulled repository's series in a template written into its stubs.
    let viewers: Vec<Vec<usize>> = world
        .users
        .iter()
        .map(|u| u.namespaces.clone())
        .chain(std::iter::once((0..world.namespaces.len()).collect()))
        .collect();
    for visible in &viewers {
        for &i in visible {
            let (_, _, pulled, series, name_len) = per_ns[i];
            e.breakdown.pulls_json += INLINE_ESCAPE * 2.0 * series * pulled as f64 * (PULL_ITEM + 14.0 + name_len);
        }
    }
    // The routes: their stubs, their JSON files and the mappings' bytes, measured.
    e.stubs = shape.stubs;
    e.body_files += shape.route_files;
    e.breakdown.mappings += shape.mapping_bytes as f64;
    // The manifest: one line per file.
    e.breakdown.mappings += MANIFEST_LINE_BYTES * (e.body_files + e.stubs) as f64;
    let b = &e.breakdown;
    e.bytes = (b.raw + b.summaries + b.export_json + b.pulls_json + b.reports + b.mappings).round() as u64;
    e.rows = rows.round() as u64;
    e.busiest =
        per_ns.iter().max_by(|a, b| a.1.total_cmp(&b.1)).map(|(name, bytes, ..)| (name.clone(), bytes.round() as u64));
    e
}

/// Items over the 16 pull-series files of one grouping: every (timespan, period) pair's points.
fn pull_points(world: &World) -> f64 {
    let cal = &world.calendar;
    let mut n = 0;
    for g in [Granularity::Week, Granularity::Month] {
        for m in PERIODS {
            n += cal.last_months(g, m).len();
        }
    }
    n as f64
}

/// Average bytes of a raw row of namespace `ns`, measured on up to [`SAMPLE_ROWS`] rows
/// rendered from the first days of the history that have events (at most [`SAMPLE_DAYS`]).
fn raw_row_width(world: &World, ns: usize) -> f64 {
    const SAMPLE_ROWS: usize = 512;
    const SAMPLE_DAYS: usize = 60;
    let renderer = bodies::RawRenderer::new(world, ns);
    let (mut events, mut out) = (Vec::new(), bodies::RawRows::default());
    let (mut rows, mut bytes) = (0usize, 0usize);
    let mut day = world.config.history_start;
    for _ in 0..SAMPLE_DAYS {
        if rows >= SAMPLE_ROWS || day >= world.config.as_of {
            break;
        }
        events.clear();
        events::DayStream::new(world, ns, day).next_chunk(&mut events, SAMPLE_ROWS - rows);
        renderer.render(&events, &mut out);
        rows += out.ends.len();
        bytes += out.bytes.len();
        day = day.succ_opt().expect("calendar dates are far from the end of time");
    }
    if rows == 0 {
        // No event in the sample: a typical row of the layout.
        260.0
    } else {
        bytes as f64 / rows as f64
    }
}

/// What a namespace's summaries look like: the probability of each (repository, tag,
/// platform) and of each (repository, country).
struct Mix {
    silent: bool,
    /// Summary keys: (probability, bytes of the row's names).
    keys: Vec<(f64, f64)>,
    /// (probability of the repository, bytes of its name).
    repos: Vec<(f64, f64)>,
    /// Share of pulls per country.
    countries: Vec<f64>,
    tags: f64,
    pulled_repos: usize,
    repo_name_len: f64,
    ext_repos: usize,
}

/// Share of pulls that name a tag (pull by tag and version checks), the rest by digest.
const BY_TAG_SHARE: f64 = 0.62;
/// Share of pulls that pick a multi-platform tag's first platform.
const FIRST_PLATFORM: f64 = 0.7;

impl Mix {
    fn of(world: &World, i: usize) -> Mix {
        let ns = &world.namespaces[i];
        let configured = &world.config.namespaces[i];
        let total_pop: f64 = ns.repos.iter().map(|r| r.popularity.max(0.0)).sum();
        let silent = ns.audience.is_empty() || total_pop <= 0.0;
        let (mut keys, mut repos, mut tags, mut pulled) = (Vec::new(), Vec::new(), 0.0, 0);
        let name = ns.name.len() as f64;
        for (r, rc) in ns.repos.iter().zip(&configured.repos) {
            let pr = if total_pop > 0.0 { r.popularity.max(0.0) / total_pop } else { 0.0 };
            repos.push((pr, r.name.len() as f64));
            if pr > 0.0 {
                pulled += 1;
            }
            let tag_total: f64 = rc.tags.iter().map(|t| t.popularity.max(0.0)).sum();
            for (t, tc) in r.tags.iter().zip(&rc.tags) {
                let pt = if tag_total > 0.0 { pr * tc.popularity.max(0.0) / tag_total } else { 0.0 };
                if pt > 0.0 {
                    tags += 1.0;
                }
                let k = t.digests.len();
                for (p, digest) in t.digests.iter().enumerate() {
                    let pp = match (k, p) {
                        (1, _) => 1.0,
                        (_, 0) => FIRST_PLATFORM,
                        _ => (1.0 - FIRST_PLATFORM) / (k - 1) as f64,
                    };
                    let base = 2.0 * name + r.name.len() as f64 + digest.len() as f64;
                    keys.push((pt * pp * BY_TAG_SHARE, base + t.name.len() as f64));
                    keys.push((pt * pp * (1.0 - BY_TAG_SHARE), base));
                }
            }
        }
        let mut by_country: BTreeMap<&str, f64> = BTreeMap::new();
        for &c in &ns.audience {
            let client = &world.clients[c as usize];
            *by_country.entry(client.country()).or_default() += client.activity;
        }
        let sum: f64 = by_country.values().sum();
        let countries = by_country.values().map(|v| v / sum.max(f64::MIN_POSITIVE)).collect();
        let repo_name_len = if ns.repos.is_empty() {
            0.0
        } else {
            ns.repos.iter().map(|r| r.name.len() as f64).sum::<f64>() / ns.repos.len() as f64
        };
        Mix {
            silent,
            keys,
            repos,
            countries,
            tags,
            pulled_repos: pulled,
            repo_name_len,
            ext_repos: ns.repos.iter().filter(|r| r.extension).count(),
        }
    }

    /// Rows and bytes of the summary, repo-summary, namespace-summary, geo-repo-summary (and
    /// ext-summary) exports of a period with `n` expected events.
    fn summaries(&self, ns: &Namespace, n: f64) -> (f64, f64) {
        let seen = |p: f64| 1.0 - (-n * p).exp();
        let name = ns.name.len() as f64;
        // Four counts (unique clients, by tag, by digest, checks): their digits, and 8 commas
        // and a line end.
        let counts = |k: f64| 4.0 * digits(k * 0.4) + 9.0;
        let header = |h: &[&str]| h.iter().map(|s| s.len() as f64 + 1.0).sum::<f64>();
        let (mut rows, mut bytes) = (0.0, 0.0);
        bytes += header(layout::SUMMARY) + header(layout::REPO_SUMMARY) + header(layout::NAMESPACE_SUMMARY);
        bytes += header(layout::GEO_REPO_SUMMARY);
        for &(p, len) in &self.keys {
            let r = seen(p);
            rows += r;
            bytes += r * (len + counts(n * p));
        }
        for &(p, len) in &self.repos {
            let r = seen(p);
            rows += r;
            bytes += r * (2.0 * name + len + counts(n * p) - 1.0);
            for &c in &self.countries {
                let r = seen(p * c);
                rows += r;
                bytes += r * (2.0 * name + len + 3.0 + counts(n * p * c));
            }
        }
        rows += 1.0;
        bytes += 2.0 * name + counts(n) - 2.0;
        if ns.extension_publisher {
            rows += self.ext_repos as f64;
            bytes += header(layout::EXT_SUMMARY) + self.ext_repos as f64 * (name + 20.0 + 5.0 * digits(n * 0.01) + 6.0);
        }
        (rows, bytes)
    }
}

/// Decimal digits of the integer part of `x` (at least 1).
fn digits(x: f64) -> f64 {
    if x < 10.0 {
        1.0
    } else {
        x.log10().floor() + 1.0
    }
}
