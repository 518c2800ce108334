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
mod estimate_props;
mod docs;
mod layout;
mod robustness;
mod own_stubs;
mod preview;
pub mod safety;
mod schema;
mod serving;
mod snapshots;
mod spec;
mod standalone;
mod wiremock_range;
