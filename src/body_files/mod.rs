//! The render pass: every body file that grows with the volume (export parts, report CSVs)
//! handed to a [`Sink`] as it is produced, and what the routes need to know about them, as
//! values: the parts of every export, the (size, fingerprint) of every report, and every
//! period's summary (which the pull series read).
//!
//! One streamed pass over the periods ([`crate::engine::period_pass::run_pass`]) renders the raw, summary and
//! report views; two stages follow it, in this order, because they read across periods or
//! namespaces: the technographic reports (every namespace's clients of a period) and the
//! `ext-summary` exports (running totals over earlier periods).
use std::collections::BTreeMap;

use crate::bodies::reports::{self, ReportType};
use crate::bodies::{self, Dataview};
use crate::corpus::fingerprint;
use crate::engine::calendar::{Granularity, Period};
use crate::engine::events::Event;
use crate::engine::jobs;
use crate::engine::model::{PeriodSummary, Summaries};
use crate::engine::period_pass::{run_pass, Pass, Progress};
use crate::engine::stats::PeriodStats;
use crate::engine::world::World;
use crate::sink::Sink;
use crate::Error;
use export_parts::{Part, PartWriter};

pub(crate) mod export_parts;
pub(crate) mod gzip;

/// Where export parts go under `__files/` (then `/<namespace>/<file>`).
pub(crate) const EXPORTS_DIR: &str = "dvp-mock/exports";
/// Where report CSVs go under `__files/` (then `/<namespace>/<file>`).
pub(crate) const REPORTS_DIR: &str = "dvp-mock/reports";

/// Per (namespace, period): the parts of every export view, in API order.
pub(crate) type ExportParts = BTreeMap<(usize, Period), Vec<(Dataview, Vec<Part>)>>;

/// (size, fingerprint) of every report CSV.
pub(crate) type ReportFiles = BTreeMap<(usize, Period, ReportType), (u64, u64)>;

/// What the render pass produced.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The body files handed to the sink.
    pub(crate) bodies: Bodies,
    /// Every period's summary.
    pub(crate) summaries: Summaries,
}

/// The body files the render pass handed to the sink, as the routes need them.
#[derive(Debug, Default)]
pub struct Bodies {
    /// Per (namespace, period): the parts of every export view, in API order.
    pub(crate) exports: ExportParts,
    /// Every report CSV of the retained periods.
    pub(crate) reports: ReportFiles,
}

/// The export views of namespace `ns`, in API order.
pub(crate) fn export_views(world: &World, ns: usize) -> Vec<Dataview> {
    let mut views: Vec<Dataview> = Dataview::PULLS.to_vec();
    let n = &world.namespaces[ns];
    if n.extension_publisher {
        views.extend_from_slice(Dataview::extensions(n.premium_extensions));
    }
    views
}

pub(crate) fn export_file_stem(name: &str, view: Dataview, p: &Period) -> String {
    let tt = match p.granularity {
        Granularity::Week => format!("w{:02}", p.path_number()),
        Granularity::Month => format!("m{:02}", p.path_number()),
    };
    format!("{name}_{}_{}_{tt}", view.api().replace('-', "_"), p.path_year())
}

fn parts<'a>(world: &World, sink: &'a dyn Sink, ns: usize, view: Dataview, p: &Period) -> PartWriter<'a> {
    let name = &world.namespaces[ns].name;
    let max = world.config.export_part_bytes;
    PartWriter::new(sink, format!("{EXPORTS_DIR}/{name}"), export_file_stem(name, view, p), max)
        .gzipped(world.config.export_gzip)
}

/// Hands a report CSV to the sink; returns its (size, fingerprint).
fn put_report(
    world: &World,
    sink: &dyn Sink,
    ns: usize,
    p: &Period,
    t: ReportType,
    csv: Vec<u8>,
) -> std::io::Result<(u64, u64)> {
    let name = &world.namespaces[ns].name;
    let meta = (csv.len() as u64, fingerprint(&csv));
    sink.put(&format!("{REPORTS_DIR}/{name}/{}", reports::file_name(name, t, p)), csv)?;
    Ok(meta)
}

/// The export pass: raw rows stream day by day into their part files; the other views are
/// rendered from the period's aggregate when it completes, which also yields its summary.
struct ExportPass<'a> {
    world: &'a World,
    sink: &'a dyn Sink,
    renderers: Vec<bodies::RawRenderer<'a>>,
    raw_header: Vec<u8>,
    /// Periods of the report catalogue.
    retained: Vec<Period>,
}

/// A period's raw export while its days stream in, and the first write error, if any.
struct RawExport<'a> {
    parts: PartWriter<'a>,
    error: Option<std::io::Error>,
}

/// What the pass yields for one (namespace, period).
struct PeriodOutput {
    exports: Vec<(Dataview, Vec<Part>)>,
    summary: PeriodSummary,
    /// For a retained period: (size, fingerprint) of the reports rendered in the pass, and the
    /// per-repository clients the technographic reports need once every namespace is done.
    reports: Vec<(ReportType, (u64, u64))>,
    repo_clients: Option<reports::RepoClients>,
}

type PeriodExports = std::io::Result<PeriodOutput>;

impl<'a> Pass for ExportPass<'a> {
    type Chunk = bodies::RawRows;
    type State = RawExport<'a>;
    type Output = PeriodExports;

    fn chunk(&self, ns: usize, events: &[Event], out: &mut bodies::RawRows) {
        self.renderers[ns].render(events, out);
    }

    fn open(&self, ns: usize, p: &Period) -> RawExport<'a> {
        let mut parts = parts(self.world, self.sink, ns, Dataview::Raw, p);
        let error = bodies::Rows::row(&mut parts, &self.raw_header).err();
        RawExport { parts, error }
    }

    fn feed(&self, state: &mut RawExport<'a>, _: &[Event], rows: &bodies::RawRows) {
        if state.error.is_none() {
            state.error = rows.rows().try_for_each(|row| bodies::Rows::row(&mut state.parts, row)).err();
        }
    }

    fn finish(&self, ns: usize, p: &Period, state: RawExport<'a>, stats: &PeriodStats) -> PeriodExports {
        if let Some(e) = state.error {
            return Err(e);
        }
        let world = self.world;
        let mut exports = vec![(Dataview::Raw, state.parts.finish()?)];
        // ext-summary needs running totals over earlier periods: rendered after the pass.
        for view in export_views(world, ns).into_iter().filter(|v| !matches!(v, Dataview::Raw | Dataview::ExtSummary)) {
            let mut parts = parts(world, self.sink, ns, view, p);
            bodies::write_export(world, ns, p, view, stats, &mut parts)?;
            exports.push((view, parts.finish()?));
        }
        let (mut reports, mut repo_clients) = (Vec::new(), None);
        if self.retained.contains(p) {
            for t in ReportType::catalogue(&world.config).into_iter().filter(|t| !t.cross_namespace()) {
                let mut csv = Vec::new();
                reports::write_report(world, ns, stats, t, &mut csv)?;
                reports.push((t, put_report(world, self.sink, ns, p, t, csv)?));
            }
            repo_clients = Some(reports::repo_clients(world, stats));
        }
        Ok(PeriodOutput { exports, summary: PeriodSummary::of(world, ns, stats), reports, repo_clients })
    }

    fn stopped(&self) -> bool {
        self.sink.stopped()
    }
}

/// Renders every body file of `world` into `sink` on `jobs` threads: the pass, then the
/// technographic reports, then the `ext-summary` exports.
pub(crate) fn render(
    world: &World,
    jobs: usize,
    sink: &dyn Sink,
    progress: Option<&Progress>,
) -> Result<Rendered, Error> {
    let mut raw_header = Vec::new();
    bodies::header_row(bodies::csv_layout::RAW, &mut raw_header);
    let pass = ExportPass {
        world,
        sink,
        renderers: (0..world.namespaces.len()).map(|ns| bodies::RawRenderer::new(world, ns)).collect(),
        raw_header,
        retained: reports::retained(world),
    };
    // One pass renders every export and summarises every period for the pull series.
    let results = run_pass(world, jobs, progress, &pass);
    let mut exports = BTreeMap::new();
    let mut summaries = Vec::with_capacity(results.len());
    let mut report_files = ReportFiles::new();
    let mut clients: BTreeMap<Period, Vec<reports::RepoClients>> = BTreeMap::new();
    for (k, result) in results {
        let out = result.map_err(|e| Error::io(format!("__files/{EXPORTS_DIR}/{}", world.namespaces[k.0].name), e))?;
        exports.insert(k, out.exports);
        summaries.push((k, out.summary));
        report_files.extend(out.reports.into_iter().map(|(t, meta)| ((k.0, k.1, t), meta)));
        // Results come in namespace order, so each period's list is in world order.
        if let Some(c) = out.repo_clients {
            clients.entry(k.1).or_default().push(c);
        }
    }
    report_files.extend(technographic_reports(world, jobs, sink, clients)?);
    let summaries = Summaries::collect(world.namespaces.len(), summaries);
    for ((ns, p), exports) in exports.iter_mut() {
        if !export_views(world, *ns).contains(&Dataview::ExtSummary) {
            continue;
        }
        let name = &world.namespaces[*ns].name;
        let mut parts = parts(world, sink, *ns, Dataview::ExtSummary, p);
        bodies::write_ext_summary(world, &summaries, *ns, p, &mut parts)
            .and_then(|()| parts.finish())
            .map(|parts| exports.push((Dataview::ExtSummary, parts)))
            .map_err(|e| Error::io(format!("__files/{EXPORTS_DIR}/{name}"), e))?;
    }
    Ok(Rendered { bodies: Bodies { exports, reports: report_files }, summaries })
}

/// The technographic reports of each retained period, once every namespace's clients are
/// known; periods are spread over `jobs` threads.
fn technographic_reports(
    world: &World,
    jobs: usize,
    sink: &dyn Sink,
    clients: BTreeMap<Period, Vec<reports::RepoClients>>,
) -> Result<ReportFiles, Error> {
    let results = jobs::map(jobs, clients.into_iter().collect(), |(p, clients)| {
        let ctx = reports::ReportPeriod::from_clients(world, &p, clients);
        let mut files = ReportFiles::new();
        for ns in 0..world.namespaces.len() {
            for t in ReportType::ALL.into_iter().filter(|t| t.cross_namespace()) {
                let mut csv = Vec::new();
                let name = &world.namespaces[ns].name;
                let path = format!("__files/{REPORTS_DIR}/{name}/{}", reports::file_name(name, t, &p));
                reports::write_technographic(world, &ctx, ns, t, &mut csv)
                    .and_then(|()| put_report(world, sink, ns, &p, t, csv))
                    .map(|meta| files.insert((ns, p, t), meta))
                    .map_err(|e| Error::io(path, e))?;
            }
        }
        Ok::<_, Error>(files)
    });
    let mut all = ReportFiles::new();
    for r in results {
        all.extend(r?);
    }
    Ok(all)
}
