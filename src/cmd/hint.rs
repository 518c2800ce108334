//! Hints: commands printed for the user to run as they are, from any folder. Every path is
//! absolute and quoted for the shell when it needs to be, and every hint names the tree it
//! talks about and how it was (or is to be) made, so it can never replace a different mock.
use std::path::{Path, PathBuf};

use dvp_mock::wiremock::Target;

use super::Source;

/// `s` as one shell word: as it is when it is plain, else in single quotes.
pub fn quote(s: &str) -> String {
    let plain = !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+:=,@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `path` made absolute (against the current folder) with `.` and `..` resolved.
pub fn absolute(path: &Path) -> PathBuf {
    dvp_mock::output::manifest::normal(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()))
}

/// `path`, absolute and quoted.
pub fn path(path: &Path) -> String {
    quote(&absolute(path).to_string_lossy())
}

/// The flags of `source`, with absolute paths.
fn source_flags(source: &Source) -> String {
    let mut flags = String::new();
    if let Some(c) = &source.config {
        flags.push_str(&format!(" --config {}", path(c)));
    }
    if let Some(s) = source.seed {
        flags.push_str(&format!(" --seed {s}"));
    }
    if let Some(a) = source.as_of {
        flags.push_str(&format!(" --as-of {a}"));
    }
    flags
}

fn target_flag(target: Target) -> &'static str {
    match target {
        Target::Cloud => " --target cloud",
        Target::Standalone => "",
    }
}

/// `dvp-mock generate` with the user's flags, into `out`.
pub fn generate(source: &Source, target: Target, out: &Path) -> String {
    format!("dvp-mock generate{}{} --out {}", source_flags(source), target_flag(target), path(out))
}

/// `dvp-mock generate --as-recorded`: `out` again, from the record in its manifest.
pub fn generate_recorded(target: Target, out: &Path) -> String {
    format!("dvp-mock generate --as-recorded{} --out {}", target_flag(target), path(out))
}

/// `dvp-mock check` of the tree in `dir`, with the user's flags.
pub fn check(source: &Source, target: Option<Target>, dir: &Path) -> String {
    format!("dvp-mock check{}{} --dir {}", source_flags(source), target.map_or("", target_flag), path(dir))
}
