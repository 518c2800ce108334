//! The data views added for the Docker Hub of 2026 (issue 11, items 7-10): premium extension
//! views, the opt-in benchmark report, opt-in gzipped exports and public namespaces.
pub mod benchmark;
pub mod gzip;
pub mod premium;
pub mod public;
