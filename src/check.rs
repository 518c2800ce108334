//! `check`: a fresh generation compared with disk, byte for byte. Never writes.
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::output::{list_files, OWNED_DIRS};
use crate::sink::Sink;
use crate::wiremock::{Tree, CLOUD_FILE};
use crate::Error;

/// One difference between a fresh generation and disk.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Drift {
    /// A file the generation makes is not on disk (path relative to the tree).
    Missing(String),
    /// A file on disk under an owned folder that the generation does not make.
    Extra(String),
    /// A file in both whose bytes differ.
    Differs(String),
}

impl std::fmt::Display for Drift {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Drift::Missing(p) => write!(f, "missing: {p}"),
            Drift::Extra(p) => write!(f, "extra: {p}"),
            Drift::Differs(p) => write!(f, "differs: {p}"),
        }
    }
}

/// Compares `tree` (plus whatever `streamed` compared on the fly) with `dir`; never writes.
pub fn check(dir: &Path, tree: &Tree, streamed: Option<CompareSink>) -> Result<Vec<Drift>, Error> {
    let (mut drifts, seen) = match streamed {
        Some(s) => {
            (s.drifts.into_inner().expect("no writer panicked"), s.seen.into_inner().expect("no writer panicked"))
        }
        None => (Vec::new(), BTreeSet::new()),
    };
    let on_disk: BTreeSet<String> = if tree.contains_key(CLOUD_FILE) {
        [CLOUD_FILE.to_string()].into_iter().filter(|f| dir.join(f).exists()).collect()
    } else {
        let mut s = BTreeSet::new();
        for sub in OWNED_DIRS {
            s.extend(list_files(dir, sub)?);
        }
        s
    };
    for (rel, bytes) in tree {
        if !on_disk.contains(rel) {
            drifts.push(Drift::Missing(rel.clone()));
            continue;
        }
        let path = dir.join(rel);
        let disk = fs::read(&path).map_err(|e| Error::io(&path, e))?;
        if &disk != bytes {
            drifts.push(Drift::Differs(rel.clone()));
        }
    }
    drifts.extend(on_disk.into_iter().filter(|f| !tree.contains_key(f) && !seen.contains(f)).map(Drift::Extra));
    drifts.sort();
    Ok(drifts)
}

/// Compares each file with the one on disk; records differences, writes nothing.
#[derive(Debug)]
pub struct CompareSink {
    pub(crate) files_dir: PathBuf,
    pub(crate) seen: Mutex<BTreeSet<String>>,
    pub(crate) drifts: Mutex<Vec<Drift>>,
}

impl CompareSink {
    /// A sink comparing each body file with the one under `files_dir` (a tree's `__files/`).
    pub fn new(files_dir: PathBuf) -> CompareSink {
        CompareSink { files_dir, seen: Mutex::default(), drifts: Mutex::default() }
    }
}

impl Sink for CompareSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let rel = format!("__files/{path}");
        let drift = match std::fs::read(self.files_dir.join(path)) {
            Ok(disk) if disk == bytes => None,
            Ok(_) => Some(Drift::Differs(rel.clone())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Drift::Missing(rel.clone())),
            Err(e) => return Err(e),
        };
        if let Some(d) = drift {
            self.drifts.lock().expect("no writer panicked").push(d);
        }
        self.seen.lock().expect("no writer panicked").insert(rel);
        Ok(())
    }
}
