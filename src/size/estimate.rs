//! A cheap estimate of what `generate` would write, from the configuration alone: the
//! expected events of every (namespace, period) from the volume parameters, the raw row width
//! of a small sample of rendered rows, and the size of every other file from its layout and
//! the number of keys it is expected to hold. The stubs, the JSON files the routes write and
//! the bytes of the mappings come from the route code itself, run over an empty model
//! (`super::structure`). Nothing is generated; it runs in milliseconds for the default
//! history, so `generate` can refuse a mistyped year before writing a byte.
//!
//! The constants marked CALIBRATED are average row widths and row counts measured on the
//! committed default tree; a test holds the whole estimate within 25 % of real output on a
//! small, the default and a large configuration.
use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::mix::Mix;
use super::structure::{self, Structure};
use crate::bodies::csv_layout as layout;
use crate::bodies::reports::ReportType;
use crate::bodies::{self, PERIODS};
use crate::body_files::export_views;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events;
use crate::engine::world::World;

/// What a configuration would produce.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Estimate {
    /// Expected pull events (each day once).
    pub(crate) events: f64,
    /// CSV rows over every export part and report (a day's events appear in its week and its month).
    pub(crate) rows: u64,
    /// Body files under `__files/`.
    pub(crate) body_files: u64,
    /// Stubs (one file each under `mappings/`).
    pub stubs: u64,
    /// Bytes of every file.
    pub bytes: u64,
    /// Available weeks and months of the history.
    pub(crate) weeks: usize,
    pub(crate) months: usize,
    pub(crate) history_start: NaiveDate,
    pub(crate) as_of: NaiveDate,
    /// Bytes per part of the output, for the tests and the curious (`mappings` includes the
    /// manifest).
    pub breakdown: Breakdown,
    /// The namespace with the most bytes, and its bytes.
    pub(crate) busiest: Option<(String, u64)>,
    /// Export parts beyond the first of each view: the structure pass counts one per view.
    pub(crate) extra_parts: f64,
}

/// Bytes per kind of file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Breakdown {
    pub(crate) raw: f64,
    pub(crate) summaries: f64,
    pub(crate) export_json: f64,
    pub(crate) pulls_json: f64,
    pub(crate) reports: f64,
    pub(crate) mappings: f64,
}

impl Estimate {
    /// Every file: bodies, stubs and the manifest.
    pub fn files(&self) -> u64 {
        self.body_files + self.stubs + 1
    }

    /// Bytes the files take on a file system with 4 KiB blocks: on average half a block more
    /// per file (most files are small).
    pub(crate) fn bytes_on_disk(&self) -> u64 {
        self.bytes + self.files() * 2048
    }

    /// Length of the history in years (365.25 days).
    pub(crate) fn history_years(&self) -> f64 {
        (self.as_of - self.history_start).num_days() as f64 / 365.25
    }
}

/// Histories longer than this many years draw a warning (most are a mistyped year).
pub(crate) const WARN_HISTORY_YEARS: f64 = 5.0;
/// Default `--max-bytes`: 20 GB (decimal), lowered to the free space where the output goes.
pub(crate) const DEFAULT_MAX_BYTES: u64 = 20_000_000_000;

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
/// Base64 (a Cloud file's binary bodies) writes 4 bytes for every 3.
const BASE64: f64 = 4.0 / 3.0;
/// A namespace's series bodies are written into a stub of each root.
const INLINE_COPIES: f64 = 2.0 * INLINE_ESCAPE;
/// One entry of an export's JSON listing, without its file name and size digits.
const EXPORT_JSON_ENTRY: f64 = 389.0;
/// One item of a pull series (`start`, `end`, a label, two counts), without the label.
const PULL_ITEM: f64 = 100.0;
/// What each export part after a view's first adds to its namespace's download stub (the
/// structure pass lists one part per view).
const DOWNLOAD_ENTRY_BYTES: f64 = 74.0;
/// What gzip keeps of a raw CSV when no row could be sampled.
const GZIP_RATIO: f64 = 0.25;
/// A line of the manifest (a relative path).
const MANIFEST_LINE_BYTES: f64 = 68.0;

/// Estimates what `generate` would write for `config` (builds its world: namespaces and
/// clients, and its routes over empty summaries; no events).
pub fn of_config(config: &crate::config::Config) -> Estimate {
    let model = structure::empty_model(World::build(config.clone()));
    let shape = structure::measure(&model);
    estimate(&model.world, &shape)
}

/// What `generate --target cloud` would write: one import file (and the manifest).
#[derive(Debug, Clone, PartialEq)]
pub struct CloudEstimate {
    /// Stubs in the import file: one per body file of a file set.
    pub stubs: u64,
    /// Bytes of the import file: its stubs around the bodies, and every body inline.
    pub bytes: u64,
    /// Bytes of the import file with every body file empty.
    pub(crate) envelope: u64,
}

/// Estimates the Cloud import file of `config`, whose standalone estimate is `e`: the stubs
/// and their bytes around the bodies measured on the routes (one stub per export part, the
/// parts the structure pass does not list added at the average stub's size), and the bodies
/// of `e` inline: CSV with each line end escaped, gzipped files in base64, JSON escaped.
pub fn cloud_of_config(config: &crate::config::Config, e: &Estimate) -> CloudEstimate {
    let (stubs, envelope) = structure::cloud_envelope(&structure::empty_model(World::build(config.clone())));
    let per_stub = envelope as f64 / stubs.max(1) as f64;
    let b = &e.breakdown;
    let exports = if config.export_gzip { (b.raw + b.summaries) * BASE64 } else { b.raw + b.summaries };
    let bodies = exports + b.reports + e.rows as f64 + b.export_json * INLINE_ESCAPE + b.pulls_json;
    let envelope = envelope as f64 + e.extra_parts * per_stub;
    CloudEstimate {
        stubs: stubs + e.extra_parts.round() as u64,
        bytes: (envelope + bodies).round() as u64,
        envelope: envelope.round() as u64,
    }
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
        let sample = raw_sample(world, i);
        let mut gzip = GzipRatios::default();
        let width = sample.width;
        let mut header = Vec::new();
        bodies::header_row(layout::RAW, &mut header);
        let views = export_views(world, i).len() as u64;
        let mix = Mix::of(world, i);
        for p in cal.all() {
            let per_repo = mix.events(ns, config.history_start, p);
            let n: f64 = per_repo.iter().sum();
            if p.granularity == Granularity::Week {
                e.events += n;
            }
            // Raw: the rows, split into parts that each repeat the header.
            let raw = n * width;
            let parts = (raw / (config.export_part_bytes as f64 - header.len() as f64)).ceil().max(1.0);
            let csv = raw + parts * header.len() as f64;
            // Gzipped parts: what gzip keeps of sample pieces of a part's size.
            e.breakdown.raw += if config.export_gzip { csv * gzip.ratio(&sample, csv / parts) } else { csv };
            rows += n;
            e.body_files += parts as u64 + (views - 1);
            // Each part after the first adds a line to its namespace's download stub.
            let stem = ns.name.len() as f64 + 20.0;
            let part_suffix = if parts > 1.0 { 8.0 } else { 0.0 };
            e.breakdown.mappings += (parts - 1.0) * (DOWNLOAD_ENTRY_BYTES + stem) + parts * part_suffix;
            e.extra_parts += parts - 1.0;
            let (sum_rows, sum_bytes) = mix.summaries(ns, &per_repo);
            rows += sum_rows;
            // The summary views are cut into parts too.
            let sum_parts = ((sum_bytes / config.export_part_bytes as f64).ceil() as u64).max(views - 1);
            e.body_files += sum_parts - (views - 1);
            let extra = (sum_parts - (views - 1)) as f64;
            e.extra_parts += extra;
            e.breakdown.mappings += extra * (DOWNLOAD_ENTRY_BYTES + stem + 8.0);
            e.breakdown.export_json += extra * (EXPORT_JSON_ENTRY + stem + 6.0);
            e.breakdown.summaries += if config.export_gzip {
                sum_bytes * gzip.ratio(&sample, sum_bytes / sum_parts as f64)
            } else {
                sum_bytes
            };
            // JSON listings: one file per view (one entry per part), the period's own file,
            // and its line in the year's listing.
            e.breakdown.export_json +=
                11.0 * views as f64 + (parts + (views - 1) as f64) * (EXPORT_JSON_ENTRY + stem + 6.0) + 12.0 + 13.0;
            if retained.contains(p) {
                let most = (mix.tags + mix.pulled_repos as f64) * mix.trend_keys;
                let trend = (TREND_A * mix.tags.sqrt() * n.powf(TREND_B)).min(n).min(most);
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
    e.breakdown.pulls_json += repos_pulls_bytes(world, &per_ns);
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

/// The cross-namespace pull series (`repos-pulls`): per user and the public one, every visible
/// pulled repository's series in a template written into its stubs. `per_ns` holds, per
/// namespace, (name, bytes, pulled repositories, series points, average repository name).
fn repos_pulls_bytes(world: &World, per_ns: &[(String, f64, usize, f64, f64)]) -> f64 {
    let viewers: Vec<Vec<usize>> = world
        .users
        .iter()
        .map(|u| u.namespaces.clone())
        .chain(std::iter::once((0..world.namespaces.len()).collect()))
        .collect();
    let mut bytes = 0.0;
    for visible in &viewers {
        for &i in visible {
            let (_, _, pulled, series, name_len) = per_ns[i];
            bytes += INLINE_ESCAPE * 2.0 * series * pulled as f64 * (PULL_ITEM + 14.0 + name_len);
        }
    }
    bytes
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

/// A sample of a namespace's raw rows: their average width, and the CSV itself (to measure
/// what gzip keeps of it).
struct RawSample {
    width: f64,
    csv: Vec<u8>,
}

impl RawSample {
    /// Compressed bytes (gzip frame included) per CSV byte of files of about `file` bytes,
    /// measured by gzipping up to eight pieces of the sample of that size (`export_gzip`).
    fn gzip_ratio(&self, file: f64) -> f64 {
        if self.csv.is_empty() {
            return GZIP_RATIO;
        }
        // Powers of two, so that a few sizes are measured at most.
        let size = (file.max(64.0) as usize).next_power_of_two().min(self.csv.len());
        let (mut raw, mut packed) = (0usize, 0usize);
        for piece in self.csv.chunks(size).take(8) {
            raw += piece.len();
            packed += crate::body_files::gzip::gzip(piece).len();
        }
        packed as f64 / raw as f64
    }
}

/// Measures up to [`SAMPLE_ROWS`] raw rows of namespace `ns`, rendered from the first days of
/// the history that have events (at most [`SAMPLE_DAYS`]); when those have none (a calibrated
/// profile may start later), from days spread over the whole history.
fn raw_sample(world: &World, ns: usize) -> RawSample {
    const SAMPLE_ROWS: usize = 512;
    const SAMPLE_DAYS: u64 = 60;
    let (start, end) = (world.config.history_start, world.config.as_of);
    let days = (end - start).num_days().max(1) as u64;
    let renderer = bodies::RawRenderer::new(world, ns);
    let (mut events, mut out) = (Vec::new(), bodies::RawRows::default());
    let mut csv = Vec::new();
    bodies::header_row(layout::RAW, &mut csv);
    let (header, mut rows) = (csv.len(), 0usize);
    for stride in [1, (days / SAMPLE_DAYS).max(1)] {
        for k in 0..SAMPLE_DAYS {
            let day = start + chrono::Days::new(k * stride);
            if rows >= SAMPLE_ROWS || day >= end {
                break;
            }
            events.clear();
            events::DayStream::new(world, ns, day).next_chunk(&mut events, SAMPLE_ROWS - rows);
            renderer.render(&events, &mut out);
            rows += out.ends.len();
            csv.extend_from_slice(&out.bytes);
        }
        if rows > 0 {
            break;
        }
    }
    if rows == 0 {
        // No event in the sample: a typical row of the layout.
        return RawSample { width: 260.0, csv: Vec::new() };
    }
    RawSample { width: (csv.len() - header) as f64 / rows as f64, csv }
}

/// [`RawSample::gzip_ratio`] by file size (rounded to a power of two), each measured once.
#[derive(Default)]
struct GzipRatios(BTreeMap<usize, f64>);

impl GzipRatios {
    fn ratio(&mut self, sample: &RawSample, file: f64) -> f64 {
        let key = (file.max(64.0) as usize).next_power_of_two();
        *self.0.entry(key).or_insert_with(|| sample.gzip_ratio(file))
    }
}
