//! `dvp-mock calibrate`: a configuration whose mock serves data of the same shape as a
//! publisher's own files, without copying identities.
//!
//! ```text
//! inputs (JSON pull series, legacy export CSVs, DVP Core report CSVs; detected by content)
//!  -> series   per (namespace, repository): weekly/monthly points, actions, tags, mixes
//!  -> fit      complete weekly runs, history window, clients, churn, shares
//!  -> toml_out the commented configuration, checked by `Config::parse` before it is returned
//! ```
//!
//! The inputs come from files ([`calibrate`]) or from the live API ([`live::calibrate`], which
//! fetches the same pull series and reports over HTTP with [`api_client`] and feeds them to the
//! same readers, in memory).
pub mod api_client;
mod csv_in;
mod fit;
mod json;
pub mod live;
mod series;
mod toml_out;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use crate::config::{check_name, Config, NameKind};
use crate::Error;

/// One `--from` argument: `[NS[/REPO]=]FILE`.
#[derive(Debug, Clone)]
pub struct Source {
    pub(crate) ns: Option<String>,
    pub(crate) repo: Option<String>,
    pub(crate) path: PathBuf,
}

impl Source {
    /// Splits an optional `NS=` or `NS/REPO=` prefix (valid Docker Hub names) off a path.
    pub fn parse(arg: &str) -> Source {
        if let Some((name, path)) = arg.split_once('=') {
            let (ns, repo) = match name.split_once('/') {
                Some((n, r)) => (n, Some(r)),
                None => (name, None),
            };
            if check_name(ns, NameKind::Namespace).is_ok() && repo.is_none_or(|r| check_name(r, NameKind::Repo).is_ok())
            {
                return Source { ns: Some(ns.to_string()), repo: repo.map(str::to_string), path: PathBuf::from(path) };
            }
        }
        Source { ns: None, repo: None, path: PathBuf::from(arg) }
    }
}

/// A calibrated configuration, and the repairs made to the input on the way.
#[derive(Debug, Clone)]
pub struct Calibrated {
    /// The configuration (TOML text).
    pub text: String,
    /// One line per repair, naming the input file (holes interpolated, tags left out, weeks
    /// given twice): the command prints them as `warning:` lines. Implausible input is an
    /// error instead.
    pub warnings: Vec<String>,
}

/// The calibrated configuration (TOML text) of `sources`; `rename` replaces namespace and
/// repository names with synthetic ones. See [`calibrate_with_warnings`].
pub fn calibrate(sources: &[Source], rename: bool) -> Result<String, Error> {
    calibrate_with_warnings(sources, rename).map(|c| c.text)
}

/// [`calibrate`], with the repairs it made to the input.
pub fn calibrate_with_warnings(sources: &[Source], rename: bool) -> Result<Calibrated, Error> {
    let mut inputs = series::Inputs::default();
    for src in sources {
        let file = src.path.display().to_string();
        inputs.files.push(file.clone());
        let bad = |message: String| Error::Config { file: file.clone(), message };
        let f = std::fs::File::open(&src.path).map_err(|e| Error::io(&src.path, e))?;
        let mut reader = BufReader::with_capacity(1 << 16, f);
        let first = loop {
            let buf = reader.fill_buf().map_err(|e| Error::io(&src.path, e))?;
            match buf.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => break Some(buf[i]),
                None if buf.is_empty() => break None,
                None => {
                    let n = buf.len();
                    reader.consume(n);
                }
            }
        };
        let names = series::Names { ns: src.ns.clone(), repo: src.repo.clone(), stem: stem(&src.path) };
        match first {
            None => return Err(bad("line 1: empty file, expected a pull-series JSON or an export/report CSV".into())),
            Some(b'{') | Some(b'[') => json::read(reader, &names, &mut inputs).map_err(bad)?,
            Some(_) => csv_in::read(reader, &names, &mut inputs).map_err(bad)?,
        }
    }
    finish(&inputs, rename).map(|(calibrated, _)| calibrated)
}

/// What a finished calibration holds: namespaces, repositories, and weeks from the first to
/// the last (the weekly series all repositories follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Namespaces in the configuration.
    pub namespaces: usize,
    /// Repositories, over all namespaces.
    pub repos: usize,
    /// Weeks from the history start to `as_of`.
    pub weeks: usize,
}

/// The configuration (TOML text) of gathered `inputs` with its repairs, and its shape.
fn finish(inputs: &series::Inputs, rename: bool) -> Result<(Calibrated, Shape), Error> {
    let mut plan = fit::plan(inputs).map_err(|(file, message)| Error::Config { file, message })?;
    let mut warnings: Vec<String> =
        plan.namespaces.iter().flat_map(|n| &n.repos).flat_map(|r| r.warnings.clone()).collect();
    if plan.repeated > 0 {
        warnings.push(format!(
            "{}: {} week(s) given by more than one input were taken from the first",
            plan.files.join(", "),
            plan.repeated
        ));
    }
    if rename {
        for (i, ns) in plan.namespaces.iter_mut().enumerate() {
            ns.name = format!("publisher{}", i + 1);
            ns.publisher = format!("Publisher {}", i + 1);
            for (j, r) in ns.repos.iter_mut().enumerate() {
                r.name = format!("image{}", j + 1);
            }
        }
    }
    let text = toml_out::write(&plan);
    // The writer's own check: what it writes is a valid configuration.
    Config::parse(&text, "<calibrated>")?;
    let shape = Shape {
        namespaces: plan.namespaces.len(),
        repos: plan.namespaces.iter().map(|n| n.repos.len()).sum(),
        weeks: ((plan.as_of - plan.history_start).num_days() / 7) as usize,
    };
    Ok((Calibrated { text, warnings }, shape))
}

fn stem(path: &Path) -> String {
    let name = path.file_name().map(|s| s.to_string_lossy().to_string()).unwrap_or_default();
    name.strip_suffix(".gz").unwrap_or(&name).rsplit_once('.').map_or(name.clone(), |(s, _)| s.to_string())
}

#[cfg(test)]
mod tests;
