//! `[[public_namespaces]]`: namespaces of no publisher (default `library`), whose pull series
//! are served on the no-token proxylytics pull routes only (see `bodies::public_series`).
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::{check_name, NameKind};

/// A public namespace as configured (`[[public_namespaces]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PublicNamespace {
    pub(crate) name: String,
    /// Mean pulls per week of the whole namespace at `history_start`.
    pub(crate) weekly_pulls: f64,
    /// Relative growth per year.
    #[serde(default)]
    pub(crate) growth: f64,
    pub(crate) repos: Vec<PublicRepo>,
}

/// A public repository: its share of the namespace's pulls.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublicRepo {
    pub(crate) name: String,
    pub(crate) popularity: f64,
}

/// Validates `[[public_namespaces]]`; `publishers` are the names of the publisher namespaces.
pub(crate) fn validate(list: &[PublicNamespace], publishers: &BTreeSet<&str>) -> Result<(), String> {
    let mut names = BTreeSet::new();
    for (i, ns) in list.iter().enumerate() {
        let at = format!("public_namespaces[{i}]");
        check_name(&ns.name, NameKind::Namespace).map_err(|m| format!("key `{at}.name`: {m}"))?;
        if publishers.contains(ns.name.as_str()) || !names.insert(ns.name.as_str()) {
            return Err(format!("key `{at}.name`: duplicate namespace `{}`", ns.name));
        }
        if !(ns.weekly_pulls.is_finite() && (0.0..=1e10).contains(&ns.weekly_pulls)) {
            return Err(format!("key `{at}.weekly_pulls`: expected a number in 0..=1e10"));
        }
        if !(ns.growth.is_finite() && (-0.9..=10.0).contains(&ns.growth)) {
            return Err(format!("key `{at}.growth`: expected a number in -0.9..=10"));
        }
        if ns.repos.is_empty() {
            return Err(format!("key `{at}.repos`: expected at least one repository"));
        }
        let mut repos = BTreeSet::new();
        for (j, r) in ns.repos.iter().enumerate() {
            let at = format!("{at}.repos[{j}]");
            check_name(&r.name, NameKind::Repo).map_err(|m| format!("key `{at}.name`: {m}"))?;
            if !repos.insert(r.name.as_str()) {
                return Err(format!("key `{at}.name`: duplicate repository `{}`", r.name));
            }
            if !(r.popularity.is_finite() && (0.0..=1e6).contains(&r.popularity)) {
                return Err(format!("key `{at}.popularity`: expected a number in 0..=1000000"));
            }
        }
    }
    Ok(())
}
