//! dvp-mock: a deterministic WireMock mock of Docker's DVP Data API.
//!
//! Data flows one way, one folder per stage:
//!
//! ```text
//! config/    TOML (embedded default), validated once, at the edge
//! engine/    world -> calendar -> events -> stats, one streamed pass over (namespace, period)
//! render/    the pass that writes every large body file to a Sink, and returns as values
//!            what the routes need (parts, report sizes) and every period's summary
//! views/     pure functions: CSV layouts, pull series, reports
//! routes/    every API operation as stubs + the request corpus, one file per API area
//! wiremock/  typed stubs; targets: standalone tree or one WireMock Cloud import file
//! preview/   one self-contained HTML page of the data (`dvp-mock preview`)
//! output     atomic write with a manifest;  check: comparison with disk;  verify: corpus replay
//! ```
//!
//! [`generate`] is the one entry point (the CLI, the tests and the benchmark use it). The
//! library never prints; the binary (`src/main.rs`) parses flags and maps errors to exit codes.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod calibrate;
pub mod check;
pub mod config;
pub mod corpus;
pub mod engine;
pub mod error;
pub mod http;
pub mod output;
pub mod preview;
pub mod render;
pub mod routes;
pub mod sink;
pub mod size;
pub mod verify;
pub mod views;
pub mod wiremock;

pub use error::Error;

use config::Config;
use corpus::Case;
use engine::model::Model;
use engine::pass::Progress;
use sink::Sink;
use wiremock::{Target, Tree};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
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
    // The size guard ran before (or the caller chose not to): the counters must still fit.
    config::limits::check_events(config).map_err(Error::Budget)?;
    let world = engine::world::World::build(config.clone());
    let jobs = options.jobs.max(1);
    match options.target {
        Target::Standalone => {
            let rendered = render::render(&world, jobs, sink, progress)?;
            let model = Model { world, summaries: rendered.summaries };
            let built = routes::build(
                &model,
                rendered.bodies,
                sink,
                routes::Options { download_variants: false, corpus: options.corpus },
            )?;
            Ok(Generated { tree: wiremock::standalone(built.mock), corpus: built.corpus, model })
        }
        Target::Cloud => {
            let label = routes::body_label;
            let bodies = wiremock::cloud::BudgetSink::new(config.cloud_budget_bytes, &label);
            // A body over the budget stops the build; its error replaces the sink's refusal.
            let over = |e: Error| bodies.take_error().unwrap_or(e);
            let rendered = render::render(&world, jobs, &bodies, progress).map_err(over)?;
            let model = Model { world, summaries: rendered.summaries };
            let options = routes::Options { download_variants: true, corpus: options.corpus };
            let built = routes::build(&model, rendered.bodies, &bodies, options).map_err(over)?;
            let tree = wiremock::cloud(&built.mock, &bodies.into_files(), config.cloud_budget_bytes)?;
            Ok(Generated { tree, corpus: built.corpus, model })
        }
    }
}
