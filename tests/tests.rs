//! One integration-test binary (one link step), one module per concern.
mod support;

mod auth;
mod cli;
mod client_paths;
mod cloud;
mod config_props;
mod consistency;
mod determinism;
mod docs;
mod layout;
mod preview;
mod schema;
mod snapshots;
mod spec;
mod standalone;
