//! dvp-mock: a deterministic WireMock mock of Docker's DVP Data API.
//!
//! Data flows one way. Every module belongs to one stage and names only its own stage and
//! earlier ones; the order, lowest first (declared once, in `tests/layout.rs`, which checks
//! every import against it):
//!
//! ```text
//! error.rs     the one `Error` type and its exit codes
//! units.rs     sizes and counts as people read them (`21.0 MB`, `1,649`)
//! sink.rs      where body files go: `Sink`, `MemorySink`, `NullSink`
//! config/      TOML (embedded default or a file) -> `Config`, validated once, at the edge
//! engine/      world -> calendar -> events -> stats; one streamed pass over (namespace, period)
//! bodies/      pure functions: what each response body says (CSV exports, reports, pull series)
//! dvp_api.rs   the API's vocabulary: roots, paths, messages, content types, stub priorities
//! corpus.rs    `Case`: one request to the mock and the answer it expects
//! body_files/  the pass that writes every large body file to a `Sink` and returns, as values,
//!              what the routes need (export parts, report sizes) and every period's summary
//! wiremock/    the stub format (typed stubs, matchers, templates) and the two targets
//! routes/      every API operation as stubs + corpus cases, one file per API area
//! lib.rs       [`generate`]: body files, then routes, then the target's files
//! output/      staging folder, atomic swap, manifest; the one atomic single-file writer
//! check.rs     a fresh generation compared with a tree on disk
//! http.rs      the HTTP client to a running WireMock (reachable, reload)
//! verify.rs    the corpus replayed against a running mock
//! size/        the size estimate and the free-space guard
//! preview/     one self-contained HTML page of the data (`dvp-mock preview`)
//! calibrate/   a configuration fitted to a publisher's own files (`dvp-mock calibrate`)
//! cmd/         the binary: `main.rs` parses flags, one file per command
//! ```
//!
//! `wiremock/` comes before `routes/` because routes write in its format; the data still flows
//! routes -> targets, through [`generate`]. [`generate`] is the one entry point (the CLI, the
//! tests and the benchmark use it). The library never prints; the binary parses flags and maps
//! errors to exit codes.
#![warn(clippy::print_stdout, clippy::print_stderr)]
#![warn(clippy::too_many_lines)]
#![warn(missing_docs)]

pub mod bodies;
pub(crate) mod body_files;
pub mod calibrate;
pub mod check;
pub mod config;
pub mod corpus;
pub mod dvp_api;
pub mod engine;
pub(crate) mod error;
pub mod http;
pub mod output;
pub mod preview;
pub mod routes;
pub mod sink;
pub mod size;
pub(crate) mod units;
pub mod verify;
pub mod wiremock;

pub use error::Error;

use config::Config;
use corpus::Case;
use engine::model::Model;
use engine::period_pass::Progress;
use sink::Sink;
use wiremock::{Target, Tree};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Standalone tree (`mappings/` + `__files/`) or one Cloud import file.
    pub target: Target,
    /// Worker threads; the output is byte-identical for any value.
    pub jobs: usize,
    /// Also build the request corpus (`verify`, tests).
    pub corpus: bool,
}

/// What [`generate`] produced.
#[derive(Debug)]
pub struct Generated {
    /// Standalone: every mapping and the small body files (the large ones went to the sink);
    /// cloud: the one import file.
    pub tree: Tree,
    /// The request corpus (empty unless asked for).
    pub corpus: Vec<Case>,
    /// The model the mock was built from.
    pub model: Model,
}

impl Generated {
    /// The whole tree, with the body files a [`sink::MemorySink`] received under `__files/`.
    pub fn with_files(&self, sink: sink::MemorySink) -> Tree {
        let mut tree = self.tree.clone();
        tree.extend(sink.into_files().into_iter().map(|(k, v)| (format!("__files/{k}"), v)));
        tree
    }
}

/// Generates the mock of `config`: renders every body file (the large ones into `sink` as they
/// are produced; the Cloud target keeps them to inline, within `cloud_budget_bytes`), builds
/// the stubs and writes them for the target. `progress` counts the render pass.
pub fn generate(
    config: &Config,
    options: &Options,
    sink: &dyn Sink,
    progress: Option<&Progress>,
) -> Result<Generated, Error> {
    let world = world_of(config)?;
    let jobs = options.jobs.max(1);
    match options.target {
        Target::Standalone => {
            let rendered = body_files::render(&world, jobs, sink, progress)?;
            let model = Model { world, summaries: rendered.summaries };
            let built = routes::build(
                &model,
                rendered.bodies,
                sink,
                routes::Options { download_variants: false, corpus: options.corpus },
            )?;
            Ok(Generated { tree: wiremock::standalone::standalone(built.mock), corpus: built.corpus, model })
        }
        Target::Cloud => {
            let label = routes::body_label;
            let bodies = wiremock::cloud::BudgetSink::new(config.cloud_budget_bytes, &label);
            // A body over the budget stops the build; its error replaces the sink's refusal.
            let over = |e: Error| bodies.take_error().unwrap_or(e);
            let rendered = body_files::render(&world, jobs, &bodies, progress).map_err(over)?;
            let model = Model { world, summaries: rendered.summaries };
            let options = routes::Options { download_variants: true, corpus: options.corpus };
            let built = routes::build(&model, rendered.bodies, &bodies, options).map_err(over)?;
            let tree = wiremock::cloud::cloud(&built.mock, &bodies.into_files(), config.cloud_budget_bytes)?;
            Ok(Generated { tree, corpus: built.corpus, model })
        }
    }
}

/// Generates the load profile of `config` (`generate --profile load`, see
/// [`routes::load`]): the default tree's data at the same paths, with tokens and links fixed
/// at generation on `base_url`, shaped for throughput. Standalone only.
pub fn generate_load(
    config: &Config,
    options: &Options,
    base_url: &str,
    sink: &dyn Sink,
    progress: Option<&Progress>,
) -> Result<Generated, Error> {
    if options.target != Target::Standalone {
        return Err(Error::Usage("--profile load: only --target standalone is supported".into()));
    }
    let world = world_of(config)?;
    let (model, built) = routes::load::generate(world, options.jobs.max(1), sink, progress, options.corpus, base_url)?;
    Ok(Generated { tree: wiremock::standalone::standalone(built.mock), corpus: built.corpus, model })
}

/// The world of `config` for a generation. The size guard ran before (or the caller chose not
/// to): the event counters must still fit.
fn world_of(config: &Config) -> Result<engine::world::World, Error> {
    config::limits::check_events(config).map_err(Error::Budget)?;
    Ok(engine::world::World::build(config.clone()))
}
