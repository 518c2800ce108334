//! How big a tree will be before anything is written: the size estimate, the limit it is
//! checked against (`--max-bytes` or the free space) and the one-line refusal.
pub mod estimate;
mod mix;
pub(crate) mod structure;

use std::path::Path;

use crate::units::{commas, human};
use crate::Error;
use estimate::{Estimate, DEFAULT_MAX_BYTES, WARN_HISTORY_YEARS};

/// The largest output `generate` accepts, and where that number came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Limit {
    /// `--max-bytes` as given.
    Flag(u64),
    /// The default, `DEFAULT_MAX_BYTES`.
    Default(u64),
    /// The free space where the output goes (smaller than the default).
    FreeSpace(u64),
}

impl Limit {
    /// `--max-bytes` if given, else the smaller of `DEFAULT_MAX_BYTES` and the free space of
    /// the file system that holds `out` (or its nearest existing ancestor).
    pub fn resolve(flag: Option<u64>, out: &Path) -> Limit {
        match flag {
            Some(b) => Limit::Flag(b),
            None => match free_space(out) {
                Some(free) if free < DEFAULT_MAX_BYTES => Limit::FreeSpace(free),
                _ => Limit::Default(DEFAULT_MAX_BYTES),
            },
        }
    }

    /// The limit of a command that builds the mock in memory (`check`, `preview`, `verify`):
    /// `--max-bytes` if given, else `DEFAULT_MAX_BYTES` (no disk is involved).
    pub fn in_memory(flag: Option<u64>) -> Limit {
        flag.map_or(Limit::Default(DEFAULT_MAX_BYTES), Limit::Flag)
    }

    pub(crate) fn bytes(&self) -> u64 {
        match *self {
            Limit::Flag(b) | Limit::Default(b) | Limit::FreeSpace(b) => b,
        }
    }

    fn describe(&self) -> String {
        match self {
            Limit::Flag(b) => format!("limit {}, --max-bytes", human(*b)),
            Limit::Default(b) => format!("limit {}, the default of --max-bytes", human(*b)),
            Limit::FreeSpace(b) => format!("limit {} = the free space where the output goes", human(*b)),
        }
    }
}

/// The guard of every command that builds a world: the estimate of `config`, or one line
/// refusing it when it is above `limit` (see [`guard`]) or its events would not fit their
/// counters (`config::limits::check_events`). It costs milliseconds whatever the
/// volume, so a mistyped volume is refused before any event is drawn.
pub fn admit(config: &crate::config::Config, limit: &Limit) -> Result<Estimate, Error> {
    let e = estimate::of_config(config);
    guard(&e, limit)?;
    crate::config::limits::check_events(config).map_err(Error::Budget)?;
    Ok(e)
}

/// `Err` with one line naming the estimate, its cause and the limit when `e` is above `limit`.
pub fn guard(e: &Estimate, limit: &Limit) -> Result<(), Error> {
    // Against free space, count what the files take on disk (whole blocks).
    let (need, what) = match limit {
        Limit::FreeSpace(_) => (e.bytes_on_disk(), " on disk"),
        _ => (e.bytes, ""),
    };
    if need <= limit.bytes() {
        return Ok(());
    }
    let remedy = match limit {
        Limit::FreeSpace(_) => "free some space, write elsewhere (--out), shorten the history or lower volumes",
        Limit::Default(_) | Limit::Flag(_) => "shorten the history or lower volumes, or raise --max-bytes",
    };
    Err(Error::Budget(format!(
        "the mock would be about {}{what} ({}; {}); {remedy}",
        human(need),
        cause(e),
        limit.describe()
    )))
}

/// What makes the estimate big: a long history, else the busiest namespace.
fn cause(e: &Estimate) -> String {
    let history = format!("history {}..{} = {} weeks", e.history_start, e.as_of, commas(e.weeks as u64));
    match &e.busiest {
        Some((name, bytes)) if e.history_years() <= WARN_HISTORY_YEARS => {
            format!("{history}; namespace `{name}` alone about {}", human(*bytes))
        }
        _ => history,
    }
}

/// The warning for a history longer than `WARN_HISTORY_YEARS` (most are a mistyped year).
pub fn history_warning(e: &Estimate) -> Option<String> {
    (e.history_years() > WARN_HISTORY_YEARS).then(|| {
        format!(
            "history {}..{} spans {:.1} years (more than {WARN_HISTORY_YEARS}); check --as-of and history_start",
            e.history_start,
            e.as_of,
            e.history_years()
        )
    })
}

/// The dry-run report: what `generate` would write, and whether it would.
///
/// `cloud`: for the Cloud target, its import file ([`estimate::cloud_of_config`]) and the
/// `cloud_budget_bytes` it must fit in; it writes that file and the manifest.
pub fn describe(e: &Estimate, limit: &Limit, cloud: Option<(&estimate::CloudEstimate, u64)>) -> Vec<String> {
    let b = &e.breakdown;
    let (bytes, files, stubs, stub_bytes) = match cloud {
        None => (e.bytes, e.files(), commas(e.stubs), b.mappings),
        Some((c, _)) => (c.bytes, 2, format!("about {}", commas(c.stubs)), c.envelope as f64),
    };
    let mut lines = vec![
        format!(
            "would write about {} in {} files ({} stubs), {} CSV rows from about {} events",
            human(bytes),
            commas(files),
            stubs,
            commas(e.rows),
            commas(e.events.round() as u64)
        ),
        format!(
            "history {}..{}: {} weeks, {} months",
            e.history_start,
            e.as_of,
            commas(e.weeks as u64),
            commas(e.months as u64)
        ),
        format!(
            "raw exports {}, summaries {}, reports {}, JSON {}, stubs {}",
            human(b.raw as u64),
            human(b.summaries as u64),
            human(b.reports as u64),
            human((b.export_json + b.pulls_json) as u64),
            human(stub_bytes as u64)
        ),
    ];
    if let Some((c, budget)) = cloud {
        lines.push(if c.bytes <= budget {
            format!("within the Cloud budget of {} (cloud_budget_bytes)", human(budget))
        } else {
            format!("above the Cloud budget of {} (cloud_budget_bytes): generate would refuse", human(budget))
        });
    }
    lines.push(match guard(e, limit) {
        Ok(()) => format!("within the {}; nothing written (dry run)", limit.describe()),
        Err(_) => format!("above the {}: generate would refuse; nothing written (dry run)", limit.describe()),
    });
    lines
}

/// Adds to a full disk's error that nothing was replaced (the staging folder is gone and the
/// previous output is as it was).
pub fn full_disk(e: Error) -> Error {
    match e {
        Error::Io { path, source } if source.kind() == std::io::ErrorKind::StorageFull => Error::Io {
            path,
            source: std::io::Error::new(source.kind(), format!("{source}; the previous output is unchanged")),
        },
        e => e,
    }
}

/// Parses `--max-bytes`: a number of bytes with an optional decimal unit (`k`, `M`, `G`, `T`,
/// optionally followed by `B`), e.g. `500M`, `1.5GB`, `20000000000`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let factor: f64 = match unit.trim().to_ascii_lowercase().trim_end_matches('b') {
        "" => 1.0,
        "k" => 1e3,
        "m" => 1e6,
        "g" => 1e9,
        "t" => 1e12,
        _ => return Err(format!("`{text}`: unknown unit (use B, k, M, G or T, e.g. 500M)")),
    };
    match number.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok((v * factor).round() as u64),
        _ => Err(format!("`{text}`: expected a size such as 20G, 500M or 1000000")),
    }
}

/// Free bytes (for an unprivileged user) of the file system holding `path`, or its nearest
/// existing ancestor; `None` when it cannot be told.
pub(crate) fn free_space(path: &Path) -> Option<u64> {
    let abs = std::path::absolute(path).ok()?;
    let existing = abs.ancestors().find(|p| p.exists())?;
    statvfs_free(existing)
}

#[cfg(unix)]
fn statvfs_free(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `s` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return None;
    }
    Some((s.f_bavail as u64).saturating_mul(s.f_frsize as u64))
}

#[cfg(not(unix))]
fn statvfs_free(_: &Path) -> Option<u64> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print_in_decimal_units() {
        assert_eq!(parse_size("20G"), Ok(20_000_000_000));
        assert_eq!(parse_size("1.5GB"), Ok(1_500_000_000));
        assert_eq!(parse_size("500m"), Ok(500_000_000));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("12X").is_err() && parse_size("G").is_err());
        assert_eq!(human(78_100_000_000), "78.1 GB");
        assert_eq!(human(999), "999 B");
        assert_eq!(human(7_698_912), "7.7 MB");
        assert_eq!(human(999_990), "1.0 MB");
        assert_eq!(commas(3804), "3,804");
        assert_eq!(commas(100), "100");
        assert_eq!(commas(1_234_567), "1,234,567");
    }

    #[test]
    fn free_space_is_known_for_an_existing_ancestor() {
        let free = free_space(Path::new("no/such/folder/below/the/cwd")).expect("statvfs of the cwd");
        assert!(free > 0);
    }
}
