//! The engine: from a validated configuration to events and their aggregates. Its files, each
//! using only those above it:
//!
//! ```text
//! rng            one ChaCha stream per (seed, key): where determinism lives
//! calendar       the weeks and months available as of `as_of`
//! rhythm         growth, weekday rhythm and holiday dip of the mean daily volume
//! population     the built-in countries, networks, user agents and other public images
//! mix            the configuration's country, cloud and agent mixes over those tables
//! clients        the client population: one client per pulling IP, its report profile
//! volume         calibrated repositories: exact events and distinct clients per week
//! namespaces     namespaces, repos, tags, platform digests, each namespace's audience
//! jwt            the users' bearer tokens and their layout
//! public_counts  daily pull counts of the public namespaces (no events)
//! world          the built world: namespaces, clients, users and their tokens
//! events         synthetic pulls, one stream per (namespace, day), drawn in time order
//! stats          every aggregate: counts per (variant, client profile), client bitsets
//! memory         hands freed memory back to the OS between phases
//! jobs           the one way work runs on threads
//! period_pass    one streamed pass over every (namespace, period)
//! model          the world plus every period's summary: what views read
//! ```
pub mod calendar;
pub(crate) mod clients;
pub mod events;
pub(crate) mod jobs;
pub mod jwt;
pub(crate) mod memory;
pub(crate) mod mix;
pub mod model;
pub(crate) mod namespaces;
pub mod period_pass;
pub(crate) mod population;
pub(crate) mod public_counts;
pub(crate) mod rhythm;
pub(crate) mod rng;
pub(crate) mod stats;
pub(crate) mod volume;
pub mod world;
