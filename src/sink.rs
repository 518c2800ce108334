//! Where large body files (export parts) go as soon as they are rendered, so no period's
//! rows are held longer than one part: memory (tests, Cloud target), a staging folder on disk
//! (`generate`), or a byte comparison with an existing tree (`check`, which never writes).
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Mutex;

use crate::output::Drift;

/// Receives body files by their path under `__files/`. Called from several threads.
pub trait Sink: Sync {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;
    /// True once a write has failed: every later `put` fails at once, and the passes that
    /// feed the sink stop generating (a full disk ends the run within seconds).
    fn failed(&self) -> bool {
        false
    }
}

/// Keeps every file in memory.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<BTreeMap<String, Vec<u8>>>);

impl MemorySink {
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().expect("no writer panicked")
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.lock().expect("no writer panicked").insert(path.to_string(), bytes);
        Ok(())
    }
}

/// Writes files under a `__files` folder; after the first failed write (a full disk), every
/// write fails at once with the same error.
#[derive(Debug)]
pub struct DiskSink {
    pub files_dir: PathBuf,
    first_error: std::sync::OnceLock<(std::io::ErrorKind, String)>,
}

impl DiskSink {
    pub fn new(files_dir: PathBuf) -> DiskSink {
        DiskSink { files_dir, first_error: std::sync::OnceLock::new() }
    }
}

impl Sink for DiskSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        if let Some((kind, message)) = self.first_error.get() {
            return Err(std::io::Error::new(*kind, message.clone()));
        }
        let target = self.files_dir.join(path);
        let written = match target.parent() {
            Some(parent) => std::fs::create_dir_all(parent),
            None => Ok(()),
        }
        .and_then(|()| std::fs::write(&target, bytes));
        written.map_err(|e| {
            let (kind, message) = self.first_error.get_or_init(|| (e.kind(), e.to_string()));
            std::io::Error::new(*kind, message.clone())
        })
    }

    fn failed(&self) -> bool {
        self.first_error.get().is_some()
    }
}

/// Compares each file with the one on disk; records differences, writes nothing.
#[derive(Debug)]
pub struct CompareSink {
    pub files_dir: PathBuf,
    pub seen: Mutex<BTreeSet<String>>,
    pub drifts: Mutex<Vec<Drift>>,
}

impl CompareSink {
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

/// Discards every file (when only sizes and fingerprints are needed, as in `verify`).
#[derive(Debug, Default)]
pub struct NullSink;

impl Sink for NullSink {
    fn put(&self, _path: &str, _bytes: Vec<u8>) -> std::io::Result<()> {
        Ok(())
    }
}
