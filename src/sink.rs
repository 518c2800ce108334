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

/// Writes files under a `__files` folder.
#[derive(Debug)]
pub struct DiskSink {
    pub files_dir: PathBuf,
}

impl Sink for DiskSink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let target = self.files_dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(target, bytes)
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
