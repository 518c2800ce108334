//! The manifest, `.dvp-mock-manifest`: which files the mock owns, and how it was made.
//!
//! It is JSON: a record per target written into the folder (the configuration's text, the
//! hash of its canonical form, the overrides, the tool version) and the list of owned files.
//! `check` regenerates from a record; `generate --as-recorded` rewrites the tree from it. A
//! manifest of an earlier release (a `#` line, then one path a line) is read as a file list
//! with no record.
use std::path::{Component, Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::load::{load_text, Overrides};
use crate::config::{canonical, Config};
use crate::wiremock::Target;
use crate::Error;

/// The manifest's name, beside the output folders.
pub const MANIFEST: &str = ".dvp-mock-manifest";

/// What one `generate` was asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// `standalone` or `cloud`.
    pub target: String,
    /// The `--config` file, relative to the output folder when both are on one path tree
    /// (so a repository moved elsewhere keeps it); `null` for the embedded default.
    pub config_file: Option<String>,
    /// The hash of the configuration's canonical form (without seed and as_of), as the mock's
    /// fingerprint serves it.
    pub config_sha1: String,
    /// `--seed`, when given.
    pub seed: Option<u64>,
    /// `--as-of`, when given.
    pub as_of: Option<NaiveDate>,
    /// The dvp-mock that wrote the tree.
    pub tool_version: String,
    /// The configuration's text as it was read.
    pub config_text: String,
    /// The `--base-url` of a tree of the load profile (`generate --profile load`); absent for
    /// the default profile. `check` and `--as-recorded` rebuild the same profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_base_url: Option<String>,
}

/// The whole manifest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    /// One sentence for a reader of the file: what it is and that `generate` replaces only
    /// the files it lists.
    #[serde(default)]
    pub about: String,
    /// One record per target written into the folder, standalone first.
    #[serde(default)]
    pub made: Vec<Record>,
    /// Every file the mock owns, `/`-separated, sorted.
    pub files: Vec<String>,
}

/// The name of a target in a record.
pub fn target_name(t: Target) -> &'static str {
    match t {
        Target::Standalone => "standalone",
        Target::Cloud => "cloud",
    }
}

impl Manifest {
    /// The manifest of `dir`; `None` when there is none.
    pub fn read(dir: &Path) -> Result<Option<Manifest>, Error> {
        let path = dir.join(MANIFEST);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        Manifest::parse(&text).map(Some).map_err(|why| Error::Config { file: path.display().to_string(), message: why })
    }

    /// Parses a manifest, of this release (JSON) or of an earlier one (lines).
    pub(crate) fn parse(text: &str) -> Result<Manifest, String> {
        if text.trim_start().starts_with('{') {
            return serde_json::from_str(text).map_err(|e| format!("not a dvp-mock manifest: {e}"));
        }
        let files = text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()).map(String::from).collect();
        Ok(Manifest { files, ..Manifest::default() })
    }

    /// The bytes written: pretty JSON, one file a line.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(self).expect("a manifest serialises");
        out.push(b'\n');
        out
    }

    /// The record of `target`, or when none is asked, the only one (standalone if both).
    pub fn record(&self, target: Option<Target>) -> Option<&Record> {
        match target {
            Some(t) => self.made.iter().find(|r| r.target == target_name(t)),
            None => self.made.iter().find(|r| r.target == "standalone").or_else(|| self.made.first()),
        }
    }
}

impl Record {
    /// The record of a generation into `out` of `config`, read as `text` from `config_file`
    /// (`None`: the embedded default) with `overrides`.
    pub fn new(
        target: Target,
        config_file: Option<&Path>,
        out: &Path,
        text: &str,
        overrides: Overrides,
        config: &Config,
    ) -> Record {
        Record {
            target: target_name(target).to_string(),
            config_file: config_file.map(|f| relative_to(f, out)),
            config_sha1: canonical::fingerprint(config).config,
            seed: overrides.seed,
            as_of: overrides.as_of,
            tool_version: env!("CARGO_PKG_VERSION").to_string(),
            config_text: text.to_string(),
            load_base_url: None,
        }
    }

    /// The target the record names (`cloud`, else standalone).
    pub fn target(&self) -> Target {
        if self.target == "cloud" {
            Target::Cloud
        } else {
            Target::Standalone
        }
    }

    /// The `--seed` and `--as-of` the generation was given, to repeat it.
    pub fn overrides(&self) -> Overrides {
        Overrides { seed: self.seed, as_of: self.as_of }
    }

    /// The recorded configuration, loaded again (errors name the manifest of `dir`). A tree
    /// of the embedded default follows the default of this release (see [`Record::as_written`]).
    pub fn load(&self, dir: &Path) -> Result<Config, Error> {
        if self.config_file.is_none() {
            return load_text(crate::config::DEFAULT_TOML, "<default>", self.overrides());
        }
        self.as_written(dir)
    }

    /// The configuration exactly as the record holds its text.
    pub fn as_written(&self, dir: &Path) -> Result<Config, Error> {
        let label = format!("the configuration recorded in {}", dir.join(MANIFEST).display());
        load_text(&self.config_text, &label, self.overrides())
    }

    /// Whether the tree was made from the embedded default of another release, with other
    /// settings than this release's default.
    pub fn default_changed(&self) -> bool {
        self.config_file.is_none() && self.config_text != crate::config::DEFAULT_TOML
    }

    /// "config ../my.toml, seed 7, standalone": what was asked, for a message.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("config {}", self.config_file.as_deref().unwrap_or("<default>"))];
        if let Some(s) = self.seed {
            parts.push(format!("seed {s}"));
        }
        if let Some(a) = self.as_of {
            parts.push(format!("as-of {a}"));
        }
        parts.push(self.target.clone());
        parts.join(", ")
    }
}

/// `file` as seen from folder `dir`: relative when both are absolute on one tree, else absolute.
fn relative_to(file: &Path, dir: &Path) -> String {
    let (Ok(file), Ok(dir)) = (std::path::absolute(file), std::path::absolute(dir)) else {
        return file.display().to_string();
    };
    let (file, dir) = (normal(&file), normal(&dir));
    let common = file.components().zip(dir.components()).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return file.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in dir.components().skip(common) {
        rel.push("..");
    }
    rel.extend(file.components().skip(common));
    rel.to_string_lossy().replace('\\', "/")
}

/// `path` with `.` and `..` resolved lexically (no file system access).
pub fn normal(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_beside_the_tree_is_recorded_relative_to_it() {
        assert_eq!(relative_to(Path::new("/repo/fixtures.toml"), Path::new("/repo/fixtures")), "../fixtures.toml");
        assert_eq!(relative_to(Path::new("/repo/m/c.toml"), Path::new("/repo/m/./")), "c.toml");
        assert_eq!(relative_to(Path::new("/a/b/../c.toml"), Path::new("/a/x/y")), "../../c.toml");
    }

    #[test]
    fn an_earlier_manifest_is_a_file_list_without_record() {
        let m = Manifest::parse("# files generated by dvp-mock\nmappings/a.json\n__files/dvp/b\n").unwrap();
        assert_eq!(m.files, ["mappings/a.json", "__files/dvp/b"]);
        assert!(m.record(None).is_none());
        let again = Manifest::parse(std::str::from_utf8(&m.to_bytes()).unwrap()).unwrap();
        assert_eq!(again.files, m.files);
    }
}
