//! One integration-test binary (one link step), one module per concern.
mod support;

mod cli;
mod client_paths;
mod cloud;
mod consistency;
mod determinism;
mod snapshots;
mod standalone;
