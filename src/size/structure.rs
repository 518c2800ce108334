//! The shape of a mock without its volume: the real route code run over empty period
//! summaries and one empty part per export view, so the estimate takes its stub count, its
//! count of route-written JSON files and the bytes of its mappings from the code that writes
//! them (and cannot drift from it when routes change). No event is generated and nothing is
//! written: the files the routes would send to disk are only counted.
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bodies::reports::{self, ReportType};
use crate::body_files::export_parts::Part;
use crate::body_files::{export_file_stem, export_views, Bodies};
use crate::engine::model::{Model, PeriodSummary, Summaries};
use crate::engine::world::World;
use crate::routes;
use crate::sink::Sink;
use crate::wiremock::{self, Tree};

/// What the routes of a configuration write, whatever its volume.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Structure {
    /// Stubs (one file each under `mappings/`).
    pub(crate) stubs: u64,
    /// JSON bodies the routes write (listings, pull series, catalogues).
    pub(crate) route_files: u64,
    /// Bytes of the mapping files with one part per export view.
    pub(crate) mapping_bytes: u64,
}

/// Counts what it is given, keeping nothing.
#[derive(Default)]
struct Counting(AtomicU64);

impl Sink for Counting {
    fn put(&self, _path: &str, _bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// `world` with an empty summary for every (namespace, period): no event is generated.
pub(crate) fn empty_model(world: World) -> Model {
    let all: Vec<_> = (0..world.namespaces.len())
        .flat_map(|ns| world.calendar.all().map(move |p| ((ns, *p), PeriodSummary::default())))
        .collect();
    let summaries = Summaries::collect(world.namespaces.len(), all);
    Model { world, summaries }
}

/// The body files the render pass would hand the routes, one empty part per export view.
fn empty_bodies(world: &World) -> Bodies {
    let mut bodies = Bodies::default();
    for (ns, n) in world.namespaces.iter().enumerate() {
        for p in world.calendar.all() {
            let views = export_views(world, ns)
                .into_iter()
                .map(|v| {
                    let file = format!("{}.csv", export_file_stem(&n.name, v, p));
                    (v, vec![Part { file, size: 0, fingerprint: 0 }])
                })
                .collect();
            bodies.exports.insert((ns, *p), views);
        }
        for p in reports::retained(world) {
            for t in ReportType::catalogue(&world.config) {
                bodies.reports.insert((ns, p, t), (0, 0));
            }
        }
    }
    bodies
}

/// The Cloud import file of `model` (see [`empty_model`]) around its bodies: its stubs and
/// its bytes with every body file empty ([`wiremock::cloud::envelope_of`]). The routes are
/// built with the variants of every file set, which the Cloud form expands into one stub each.
/// (Its own build: with variants, the standalone form serves small file sets as single stubs.)
pub(crate) fn cloud_envelope(model: &Model) -> (u64, u64) {
    let options = routes::Options { download_variants: true, corpus: false };
    let built = routes::build(model, empty_bodies(&model.world), &Counting::default(), options)
        .expect("a counting sink never fails, so neither does the build");
    let (stubs, bytes) = wiremock::cloud::envelope_of(&built.mock);
    (stubs as u64, bytes)
}

/// Builds the routes of `model` (see [`empty_model`]) for the standalone target and measures them.
pub(crate) fn measure(model: &Model) -> Structure {
    let sink = Counting::default();
    let options = routes::Options { download_variants: false, corpus: false };
    let built = routes::build(model, empty_bodies(&model.world), &sink, options)
        .expect("a counting sink never fails, so neither does the build");
    let (tree, inline_bytes): (Tree, u64) = wiremock::standalone::standalone_measured(built.mock);
    // Bodies the standalone form writes into their stubs are not files any more, and their
    // bytes (here of empty series) are the estimate's to count with the volume.
    let kept = tree.keys().filter(|path| path.starts_with("__files/")).count() as u64;
    let route_files = kept + sink.0.load(Ordering::Relaxed);
    let mapping_bytes =
        tree.iter().filter(|(path, _)| path.starts_with("mappings/")).map(|(_, b)| b.len() as u64).sum::<u64>()
            - inline_bytes;
    Structure { stubs: wiremock::stub_count(&tree) as u64, route_files, mapping_bytes }
}
