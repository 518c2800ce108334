//! `dvp-mock preview`: one self-contained HTML page showing the data the mock serves.
//!
//! ```text
//! data       one streamed pass over the periods (the generator's pass and aggregates):
//!            period summaries (the pull series), client mixes, extension and report views
//!  -> escape    HTML escaping (text and attribute values)
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
use crate::config::Config;

pub(crate) mod data;
pub(crate) mod escape;
pub(crate) mod html;
mod namespace;
pub(crate) mod svg;

/// A rendered page and what it covers.
#[derive(Debug)]
pub struct Page {
    /// The whole page: HTML with inline CSS and SVG, no script.
    pub html: String,
    /// Namespaces shown, one section each.
    pub namespaces: usize,
    /// Weeks of the calendar: the weekly periods the mock serves.
    pub weeks: usize,
    /// Months of the calendar: the monthly periods the mock serves.
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
