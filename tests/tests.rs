//! One integration-test binary (one link step), one module per concern.
mod support;

mod auth;
mod calibrate;
mod cli;
mod client_paths;
mod cloud;
mod config_props;
mod consistency;
pub mod data_views;
mod determinism;
mod docs;
mod estimate_props;
mod layout;
mod own_stubs;
mod preview;
mod robustness;
pub mod safety;
mod schema;
mod serving;
mod snapshots;
mod spec;
mod standalone;
mod wiremock_range;
