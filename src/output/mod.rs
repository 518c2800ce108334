//! Writing a tree safely, and comparing one with disk.
//!
//! The mock owns two folders, `mappings/dvp-mock/` and `__files/dvp-mock/` ([`OWNED_DIRS`]);
//! a user's own stubs and bodies anywhere else under `mappings/` and `__files/` sit beside
//! it, are served with it, and are never read, moved or deleted. `generate` renders into a
//! staging folder beside the target (large export parts stream there as they are produced),
//! refuses up front when an owned folder holds files it did not generate (unless forced),
//! then swaps the owned folders and the manifest in as one step ([`swap`]: a journal the next
//! run rolls back if this one dies halfway). The manifest ([`manifest`]) lists what it wrote
//! and records how it was made. A tree of the earlier flat layout (the mock's files directly
//! in `mappings/` and `__files/dvp/`) migrates: after the swap, exactly the files its manifest
//! lists are removed. An error or a kill before the commit point leaves the previous output
//! as it was. `check` ([`crate::check`]) only reads.
pub mod file;
pub mod manifest;
pub mod swap;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::sink::Sink;
use crate::wiremock::{Tree, CLOUD_FILE};
use crate::Error;

use manifest::{Manifest, Record, MANIFEST};
/// The folders a standalone tree owns (WireMock loads `mappings/` recursively, and
/// `bodyFileName` paths are relative to `__files/`).
pub const OWNED_DIRS: [&str; 2] = ["mappings/dvp-mock", "__files/dvp-mock"];

/// True when `rel` (a `/`-separated path) lies in an owned folder.
pub(crate) fn is_owned(rel: &str) -> bool {
    OWNED_DIRS.iter().any(|d| rel.strip_prefix(d).is_some_and(|r| r.starts_with('/')))
}

/// The files the manifest of `dir` lists (none without a manifest).
pub fn listed_files(dir: &Path) -> Result<BTreeSet<String>, Error> {
    Ok(Manifest::read(dir)?.map(|m| m.files.into_iter().collect()).unwrap_or_default())
}

/// Every file under `root/sub`, as `sub/...` relative paths with `/` separators, sorted.
pub fn list_files(root: &Path, sub: &str) -> Result<Vec<String>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![root.join(sub)];
    while let Some(dir) = stack.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io(&dir, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| Error::io(&dir, e))?;
            let path = entry.path();
            let ft = entry.file_type().map_err(|e| Error::io(&path, e))?;
            if ft.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.push(
                    rel.components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                        .join("/"),
                );
            }
        }
    }
    out.sort();
    Ok(out)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    }
    fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

/// A staging folder beside the output; removed on drop unless committed.
#[derive(Debug)]
pub struct Staging {
    dir: PathBuf,
    stage: PathBuf,
    cloud: bool,
    previous: Manifest,
    /// The folders `begin` created for `dir`, deepest first: removed again, when still empty,
    /// if the run ends without output (a Cloud file over its budget is only known while
    /// rendering).
    created: Vec<PathBuf>,
}

impl Staging {
    /// Checks the target and creates the staging folder. Refuses, writing nothing, when an
    /// owned folder (or the Cloud file) holds files the previous run did not generate.
    pub fn begin(dir: &Path, cloud: bool, force: bool) -> Result<Staging, Error> {
        let created: Vec<PathBuf> =
            dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).map(Path::to_path_buf).collect();
        let staging = fs::create_dir_all(dir)
            .map_err(|e| Error::io(dir, e))
            .and_then(|()| Self::prepare(dir, cloud, force))
            .map(|(stage, previous)| Staging {
                dir: dir.to_path_buf(),
                stage,
                cloud,
                previous,
                created: created.clone(),
            });
        if staging.is_err() {
            remove_empty(&created);
        }
        staging
    }

    /// In the existing folder `dir`: finishes an interrupted swap, reads the previous
    /// manifest, refuses foreign files and creates the staging folder.
    fn prepare(dir: &Path, cloud: bool, force: bool) -> Result<(PathBuf, Manifest), Error> {
        recover(dir)?;
        let previous = Manifest::read(dir)?.unwrap_or_default();
        if !force {
            let foreign = foreign_files(dir, cloud, &previous.files.iter().cloned().collect())?;
            if !foreign.is_empty() {
                return Err(Error::Foreign { path: dir.to_path_buf(), files: foreign });
            }
        }
        let stage = dir.join(format!(".dvp-mock-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&stage);
        fs::create_dir_all(&stage).map_err(|e| Error::io(&stage, e))?;
        Ok((stage, previous))
    }

    /// Where streamed body files go.
    pub fn sink(&self) -> DiskSink {
        DiskSink::new(self.stage.join("__files"))
    }

    /// Writes `tree` and the manifest (with `record`, how it was made) into the stage and swaps
    /// them in as one step. Everything that needs space is written before the swap, which only
    /// renames: a full disk leaves the previous output as it was.
    pub fn commit(self, tree: &Tree, record: Option<Record>) -> Result<(), Error> {
        self.commit_with(&swap::RealFs, tree, record)
    }

    /// [`Staging::commit`] through `fs` (a test fails one of its calls).
    pub(crate) fn commit_with(self, fs: &dyn swap::Fs, tree: &Tree, record: Option<Record>) -> Result<(), Error> {
        for (rel, bytes) in tree {
            write_file(&self.stage.join(rel), bytes)?;
        }
        let previous: BTreeSet<String> = self.previous.files.iter().cloned().collect();
        let mut names: BTreeSet<String> = BTreeSet::new();
        let entries: Vec<String> = if self.cloud {
            names.insert(CLOUD_FILE.to_string());
            // Standalone files of an earlier run stay owned.
            names.extend(previous.iter().filter(|p| p.as_str() != CLOUD_FILE).cloned());
            vec![CLOUD_FILE.to_string(), MANIFEST.to_string()]
        } else {
            for sub in OWNED_DIRS {
                fs::create_dir_all(self.stage.join(sub)).map_err(|e| Error::io(self.stage.join(sub), e))?;
                names.extend(list_files(&self.stage, sub)?);
            }
            if previous.contains(CLOUD_FILE) {
                names.insert(CLOUD_FILE.to_string());
            }
            OWNED_DIRS.iter().map(|s| s.to_string()).chain([MANIFEST.to_string()]).collect()
        };
        let target = if self.cloud { "cloud" } else { "standalone" };
        // The other target's record stays while its files do.
        let mut made: Vec<Record> = self
            .previous
            .made
            .iter()
            .filter(|r| r.target != target && names.iter().any(|n| (n == CLOUD_FILE) == (r.target == "cloud")))
            .cloned()
            .collect();
        made.extend(record);
        made.sort_by(|a, b| b.target.cmp(&a.target));
        let manifest = Manifest {
            about: "files generated by dvp-mock (`generate` replaces only these) and how they were made".into(),
            made,
            files: names.into_iter().collect(),
        };
        write_file(&self.stage.join(MANIFEST), &manifest.to_bytes())?;
        let name = |p: &Path| p.file_name().expect("named").to_string_lossy().into_owned();
        let journal = swap::Journal {
            pid: std::process::id(),
            state: "swapping".into(),
            stage: name(&self.stage),
            old: format!(".dvp-mock-old-{}", std::process::id()),
            entries,
            had: Vec::new(),
            legacy: if self.cloud { Vec::new() } else { previous.into_iter().collect() },
        };
        swap::swap(fs, &self.dir, journal)
    }
}

/// The files in the owned folders (or the Cloud file) that `listed` (the manifest) does not list.
pub fn foreign_files(dir: &Path, cloud: bool, listed: &BTreeSet<String>) -> Result<Vec<String>, Error> {
    let mut foreign = Vec::new();
    if cloud {
        if dir.join(CLOUD_FILE).exists() && !listed.contains(CLOUD_FILE) {
            foreign.push(CLOUD_FILE.to_string());
        }
    } else {
        for sub in OWNED_DIRS {
            foreign.extend(list_files(dir, sub)?.into_iter().filter(|f| !listed.contains(f)));
        }
    }
    Ok(foreign)
}

/// Cleans up after a run that was killed: completes or rolls back its swap (`swap::recover`),
/// removes its staging folder, and (a run of an earlier release, without a journal) if it
/// died between the two renames of its swap, puts the previous `mappings/` or `__files/` back.
pub fn recover(dir: &Path) -> Result<(), Error> {
    swap::recover(&swap::RealFs, dir)?;
    let entries = fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some((kind, pid)) = name.strip_prefix(".dvp-mock-").and_then(|r| r.split_once('-')) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        if kind == "old" {
            for sub in OWNED_DIRS {
                if !dir.join(sub).exists() && path.join(sub).exists() {
                    create_parent(&dir.join(sub))?;
                    fs::rename(path.join(sub), dir.join(sub)).map_err(|e| Error::io(dir.join(sub), e))?;
                }
            }
        }
        if kind == "old" || kind == "staging" {
            let _ = fs::remove_dir_all(&path);
        }
    }
    Ok(())
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(p) => fs::create_dir_all(p).map_err(|e| Error::io(p, e)),
        None => Ok(()),
    }
}

/// Migration from the flat layout: removes the files an earlier run listed in its manifest
/// outside the owned folders (the Cloud file aside), then their folders if that left them
/// empty. Nothing the manifest does not list is touched; a file already gone is skipped.
pub(crate) fn remove_legacy(dir: &Path, previous: &BTreeSet<String>) {
    let legacy = previous.iter().filter(|p| !is_owned(p) && p.as_str() != CLOUD_FILE);
    let mut parents = BTreeSet::new();
    for rel in legacy {
        if rel.split('/').any(|c| c == ".." || c.is_empty())
            || !(rel.starts_with("mappings/") || rel.starts_with("__files/"))
        {
            continue;
        }
        let _ = fs::remove_file(dir.join(rel));
        let mut p = Path::new(rel.as_str()).parent();
        while let Some(d) = p.filter(|d| d.components().count() > 1) {
            parents.insert(d.to_path_buf());
            p = d.parent();
        }
    }
    // Deepest first; `remove_dir` fails (and is ignored) on a folder that still holds files.
    for d in parents.iter().rev() {
        let _ = fs::remove_dir(dir.join(d));
    }
}

/// Whether a process is running (Linux: `/proc/<pid>`; elsewhere assume it is, and keep its files).
pub fn process_alive(pid: u32) -> bool {
    if Path::new("/proc/self").exists() {
        Path::new(&format!("/proc/{pid}")).exists()
    } else {
        true
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.stage);
        // Only empty folders go: after a commit `dir` holds the output.
        remove_empty(&self.created);
    }
}

/// Removes each folder of `dirs` (deepest first) that is empty; leaves any other.
fn remove_empty(dirs: &[PathBuf]) {
    for d in dirs {
        let _ = fs::remove_dir(d);
    }
}

/// Writes a tree held entirely in memory (tests, small configurations).
pub fn write(dir: &Path, tree: &Tree, force: bool) -> Result<(), Error> {
    Staging::begin(dir, tree.contains_key(CLOUD_FILE), force)?.commit(tree, None)
}

/// Writes files under a `__files` folder.
#[derive(Debug)]
pub struct DiskSink {
    pub(crate) files_dir: PathBuf,
    first_error: std::sync::OnceLock<(std::io::ErrorKind, String)>,
}

impl DiskSink {
    /// A sink writing each body file under `files_dir` (the staging folder's `__files/`).
    pub fn new(files_dir: PathBuf) -> DiskSink {
        DiskSink { files_dir, first_error: std::sync::OnceLock::new() }
    }
}

/// After the first failed write (a full disk), every write fails at once with the same error.
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

    fn stopped(&self) -> bool {
        self.first_error.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory holding a previous run's output: `mappings/dvp-mock/a.json` and
    /// `__files/dvp-mock/b`.
    fn previous_output(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dvp-mock-output-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        write_file(&dir.join("mappings/dvp-mock/a.json"), b"old stub").unwrap();
        write_file(&dir.join("__files/dvp-mock/b"), b"old body").unwrap();
        dir
    }

    /// A run that ends without output (a Cloud file over its budget) removes the folders it
    /// created for `--out`, and never one that existed before it.
    #[test]
    fn a_run_without_output_leaves_no_folder_it_created() {
        let root = std::env::temp_dir().join(format!("dvp-mock-output-created-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();
        let out = root.join("a/b");
        drop(Staging::begin(&out, true, false).unwrap());
        assert!(!root.join("a").exists(), "the folders begin created are gone");
        assert!(root.exists(), "the folder that was there stays");
        fs::create_dir_all(&out).unwrap();
        drop(Staging::begin(&out, true, false).unwrap());
        assert!(out.is_dir(), "an existing --out folder stays, even empty");
        Staging::begin(&root.join("c"), true, false)
            .unwrap()
            .commit(&Tree::from([(CLOUD_FILE.into(), b"{}".to_vec())]), None)
            .unwrap();
        assert!(root.join("c").join(CLOUD_FILE).is_file(), "a committed run keeps its folder");
        fs::remove_dir_all(&root).unwrap();
    }

    /// The id of a process that has exited.
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    /// A run killed between the two renames of the swap: `mappings/` is already in its `old`
    /// folder and the new one not yet in place. The next run puts the previous one back and
    /// removes the dead run's folders.
    #[test]
    fn a_swap_killed_between_its_two_renames_is_undone() {
        let dir = previous_output("between");
        let pid = dead_pid();
        let old = dir.join(format!(".dvp-mock-old-{pid}"));
        let stage = dir.join(format!(".dvp-mock-staging-{pid}"));
        fs::create_dir_all(old.join("mappings")).unwrap();
        fs::rename(dir.join("mappings/dvp-mock"), old.join("mappings/dvp-mock")).unwrap();
        write_file(&stage.join("mappings/dvp-mock/a.json"), b"new stub").unwrap();
        recover(&dir).unwrap();
        assert_eq!(fs::read(dir.join("mappings/dvp-mock/a.json")).unwrap(), b"old stub");
        assert_eq!(fs::read(dir.join("__files/dvp-mock/b")).unwrap(), b"old body");
        assert!(!old.exists() && !stage.exists(), "the dead run's folders are removed");
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Killed after the second rename: the new folder is in place and stays; the previous one,
    /// still in `old`, is removed.
    #[test]
    fn a_swap_killed_after_its_second_rename_keeps_the_new_output() {
        let dir = previous_output("after");
        let pid = dead_pid();
        let old = dir.join(format!(".dvp-mock-old-{pid}"));
        fs::create_dir_all(old.join("mappings")).unwrap();
        fs::rename(dir.join("mappings/dvp-mock"), old.join("mappings/dvp-mock")).unwrap();
        write_file(&dir.join("mappings/dvp-mock/a.json"), b"new stub").unwrap();
        recover(&dir).unwrap();
        assert_eq!(fs::read(dir.join("mappings/dvp-mock/a.json")).unwrap(), b"new stub");
        assert!(!old.exists());
        fs::remove_dir_all(&dir).unwrap();
    }

    /// The folders of a run that is still going are not touched.
    #[test]
    fn a_running_swap_is_left_alone() {
        let dir = previous_output("running");
        let mut running = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let old = dir.join(format!(".dvp-mock-old-{}", running.id()));
        fs::create_dir_all(old.join("mappings")).unwrap();
        fs::rename(dir.join("mappings/dvp-mock"), old.join("mappings/dvp-mock")).unwrap();
        let recovered = recover(&dir);
        running.kill().unwrap();
        running.wait().unwrap();
        recovered.unwrap();
        assert!(!dir.join("mappings/dvp-mock").exists(), "another run's swap is its own business");
        assert!(old.join("mappings/dvp-mock/a.json").exists());
        fs::remove_dir_all(&dir).unwrap();
    }
}
