//! `dvp-mock preview`: one self-contained HTML page showing the data the mock serves.
//!
//! ```text
//! data       one streamed pass over the periods (the generator's pass and aggregates):
//!            period summaries (the pull series), client mixes, extension and report views
//!  -> svg       fixed-size charts written as plain SVG text, exact values in <title>s
//!  -> namespace one section per namespace, with its data table
//!  -> html      the page: inline CSS and SVG, no script, nothing fetched
//! ```
//!
//! Charts are plain SVG written here rather than through a plotting crate: the page must be
//! byte-identical for the same configuration and small, and a few hundred lines of text
//! output control both (no float formatting or id generation we do not choose), with no
//! dependency that could change the bytes.
//! The page grows with namespaces, repositories and periods, never with the number of events.
use std::path::Path;

use crate::config::Config;
use crate::Error;

pub mod data;
pub mod html;
mod namespace;
pub mod svg;

/// A rendered page and what it covers.
#[derive(Debug)]
pub struct Page {
    pub html: String,
    pub namespaces: usize,
    pub weeks: usize,
    pub months: usize,
}

/// Renders the preview of `config` (one pass over every period on `jobs` threads; the page is
/// the same bytes for any `jobs`).
pub fn render(config: &Config, jobs: usize) -> Page {
    let (model, preview) = data::extract(config, jobs);
    let cal = &model.world.calendar;
    Page {
        html: html::page(&model, &preview),
        namespaces: model.world.namespaces.len(),
        weeks: cal.weeks.len(),
        months: cal.months.len(),
    }
}

/// Fails early (before any work) when `out` cannot be written: its folder is missing, or it is
/// a folder.
pub fn check_target(out: &Path) -> Result<(), Error> {
    let dir = parent(out);
    if !dir.is_dir() {
        let e = std::io::Error::new(std::io::ErrorKind::NotFound, "folder does not exist");
        return Err(Error::io(dir, e));
    }
    if out.is_dir() {
        return Err(Error::io(out, std::io::Error::other("is a folder, expected a file name")));
    }
    Ok(())
}

fn parent(out: &Path) -> &Path {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `out` atomically: a temporary file beside it, renamed over it. On error
/// nothing is left behind and an existing `out` is untouched.
pub fn write(out: &Path, bytes: &[u8]) -> Result<(), Error> {
    check_target(out)?;
    let name = out.file_name().map_or("preview".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent(out).join(format!(".{name}.tmp-{}", std::process::id()));
    let result = std::fs::write(&tmp, bytes)
        .map_err(|e| Error::io(&tmp, e))
        .and_then(|()| std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
