//! The engine: from a validated configuration to events and their aggregates.
//!
//! ```text
//! world     namespaces, repos, digests, clients, users, tokens (from the configuration)
//! calendar  the weeks and months available as of `as_of`
//! rng       one ChaCha stream per (seed, key): where determinism lives
//! rhythm    growth, weekday rhythm and holiday dip of the mean daily volume
//! events    synthetic pulls, one stream per (namespace, day), drawn in time order
//! mix       optional country, cloud and agent mixes of the client population
//! volume    calibrated repositories: exact events and distinct clients per week
//! stats     every aggregate: counts per (variant, client profile), client bitsets
//! period_pass  one streamed pass over every (namespace, period)
//! jobs      the one way work runs on threads
//! model     the world plus every period's summary: what views read
//! public    daily pull counts of the public namespaces (no events)
//! ```
pub mod calendar;
pub mod events;
pub mod jobs;
pub mod jwt;
pub mod memory;
pub mod mix;
pub mod model;
pub mod period_pass;
pub mod public_counts;
pub mod rhythm;
pub mod rng;
pub mod stats;
pub mod volume;
pub mod world;
