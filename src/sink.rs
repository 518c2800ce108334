//! Where large body files (export parts) go as soon as they are rendered, so no period's
//! rows are held longer than one part: memory (tests, Cloud target), a staging folder on disk
//! (`generate`, [`crate::output::DiskSink`]), or a byte comparison with an existing tree
//! (`check`, [`crate::check::CompareSink`], which never writes).
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Receives body files by their path under `__files/`. Called from several threads.
pub trait Sink: Sync {
    /// Takes the body file `path` (relative to `__files/`, `/`-separated) and its bytes.
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;

    /// Whether the sink refuses every further file, so the work feeding it can stop early.
    fn stopped(&self) -> bool {
        false
    }
}

/// Keeps every file in memory.
#[derive(Debug, Default)]
pub struct MemorySink(Mutex<BTreeMap<String, Vec<u8>>>);

impl MemorySink {
    pub(crate) fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.0.into_inner().expect("no writer panicked")
    }
}

impl Sink for MemorySink {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.lock().expect("no writer panicked").insert(path.to_string(), bytes);
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
