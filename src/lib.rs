//! dvp-mock: a deterministic WireMock mock of Docker's DVP Data API.
//!
//! Data flows one way, one module per step:
//!
//! ```text
//! config   (TOML, embedded default)         validated once, at the edge
//!  -> world     namespaces, repos, digests, clients, users, tokens
//!  -> calendar  the weeks and months available as of `as_of`
//!  -> events    synthetic pulls, one ChaCha stream per (namespace, day), drawn in time order
//!  -> stats     every aggregate: counts per (variant, client profile), client bitsets
//!  -> model     one streamed pass over (namespace, period) on --jobs threads
//!  -> views     CSV exports, reports, pull-series JSON: pure functions of stats/events
//!  -> routes    every API operation as stubs + body files, plus the request corpus
//!  -> target    standalone tree (mappings/ + __files/) or one WireMock Cloud import file
//!  -> output    atomic write with a manifest, or a byte comparison (`check`)
//! ```
//!
//! `sink` takes body files as they are rendered; `memory` hands freed memory back between
//! phases. The library never prints; the binary (`src/main.rs`) parses flags and maps errors to exit codes.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod calendar;
pub mod config;
pub mod corpus;
pub mod csv_layout;
pub mod error;
pub mod events;
pub mod jwt;
pub mod memory;
pub mod model;
pub mod output;
pub mod reports;
pub mod rng;
pub mod routes;
pub mod serving;
pub mod sink;
pub mod stats;
pub mod stub;
pub mod target;
pub mod verify;
pub mod views;
pub mod world;

pub use error::Error;

use model::Model;
use routes::Built;
use target::Tree;

/// The whole standalone tree of `model`, held in memory (tests and small configurations).
pub fn standalone_in_memory(model: &Model) -> Result<(Built, Tree), Error> {
    let sink = sink::MemorySink::default();
    let built = routes::build(model, &sink, None)?;
    let mut tree = target::standalone(built.mock.clone());
    tree.extend(sink.into_files().into_iter().map(|(k, v)| (format!("__files/{k}"), v)));
    Ok((built, tree))
}

/// The WireMock Cloud import file of `model` (with the corpus; `progress` counts the pass).
pub fn cloud_in_memory(model: &Model, progress: Option<&model::Progress>) -> Result<(Built, Tree), Error> {
    let sink = sink::MemorySink::default();
    let built = routes::build(model, &sink, progress)?;
    let tree = target::cloud(&built.mock, &sink.into_files(), model.world.config.cloud_budget_bytes)?;
    Ok((built, tree))
}
