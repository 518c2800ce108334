//! The one step that replaces a tree: `mappings/dvp-mock/`, `__files/dvp-mock/` (or the Cloud
//! file) and the manifest change together, or not at all.
//!
//! The owned folders live under two parents (`mappings/`, `__files/`), so no single rename can
//! swap them. Instead a journal, `.dvp-mock-journal`, written before the first rename, lists
//! the entries to swap. Each entry moves the current one aside (into `.dvp-mock-old-<pid>/`)
//! and the staged one in; then the journal is rewritten as `done` (one rename: the commit
//! point) and the leftovers are removed. Any failure before the commit point rolls every
//! entry back at once; a run killed before it leaves the journal, and the next run rolls back
//! (its stage is discarded) before anything else. A journal marked `done` is only cleaned up.
//! So a reader finds the old tree or the new one, never a mix, except while a run is between
//! the journal and its commit point (a few renames), and `check` says so.
//!
//! Every rename and write goes through `Fs`, so a test can fail any one of them.
use std::io;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;

/// The journal of a swap under way.
pub const JOURNAL: &str = ".dvp-mock-journal";

/// The filesystem calls of a swap (a test fails one of them).
pub(crate) trait Fs {
    /// Renames `from` to `to` (both in one folder, so the rename is atomic).
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Writes `bytes` as the file `path` (the journal).
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Removes a file or a folder with everything in it.
    fn remove(&self, path: &Path) -> io::Result<()>;
}

/// The real filesystem.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RealFs;

impl Fs for RealFs {
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(path, bytes)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        }
    }
}

/// What a swap does, written before it starts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Journal {
    /// The process that swaps.
    pub pid: u32,
    /// `swapping` until the commit point, then `done`.
    pub(crate) state: String,
    /// Folder names (in the output folder) of the staged tree and of the entries moved aside.
    pub(crate) stage: String,
    pub(crate) old: String,
    /// Paths (relative to the output folder) swapped, in order.
    pub(crate) entries: Vec<String>,
    /// Whether each entry existed before the swap (filled in by [`swap`]): with it a rollback
    /// tells a new entry from an old one without looking at the stage.
    #[serde(default)]
    pub(crate) had: Vec<bool>,
    /// Files of an earlier flat layout to remove once done (see `output::remove_legacy`).
    pub(crate) legacy: Vec<String>,
}

impl Journal {
    fn write(&self, fs: &dyn Fs, dir: &Path) -> Result<(), Error> {
        let tmp = dir.join(format!("{JOURNAL}.tmp-{}", self.pid));
        let bytes = serde_json::to_vec_pretty(self).expect("a journal serialises");
        let written = fs
            .write(&tmp, &bytes)
            .map_err(|e| Error::io(&tmp, e))
            .and_then(|()| fs.rename(&tmp, &dir.join(JOURNAL)).map_err(|e| Error::io(dir.join(JOURNAL), e)));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
    }

    /// The journal in `dir`, if any.
    pub fn read(dir: &Path) -> Result<Option<Journal>, Error> {
        let path = dir.join(JOURNAL);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| Error::io(&path, io::Error::other(e))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, e)),
        }
    }
}

fn create_parent(path: &Path) -> Result<(), Error> {
    match path.parent() {
        Some(p) => std::fs::create_dir_all(p).map_err(|e| Error::io(p, e)),
        None => Ok(()),
    }
}

/// Swaps every entry of `journal` (each present in its stage) into `dir`. On failure, rolls
/// back and returns the first error; if even the rollback fails, the journal stays for the
/// next run's [`recover`].
pub(crate) fn swap(fs: &dyn Fs, dir: &Path, mut journal: Journal) -> Result<(), Error> {
    journal.had = journal.entries.iter().map(|e| dir.join(e).exists()).collect();
    journal.write(fs, dir)?;
    let moved = move_all(fs, dir, &journal).and_then(|()| {
        journal.state = "done".into();
        journal.write(fs, dir)
    });
    match moved {
        Ok(()) => {
            finish(fs, dir, &journal);
            Ok(())
        }
        Err(e) => {
            journal.state = "swapping".into();
            if roll_back(fs, dir, &journal).is_ok() {
                discard(dir, &journal);
            }
            Err(e)
        }
    }
}

fn move_all(fs: &dyn Fs, dir: &Path, j: &Journal) -> Result<(), Error> {
    let (stage, old) = (dir.join(&j.stage), dir.join(&j.old));
    for e in &j.entries {
        let (target, aside) = (dir.join(e), old.join(e));
        if target.exists() {
            create_parent(&aside)?;
            fs.rename(&target, &aside).map_err(|err| Error::io(&target, err))?;
        }
        create_parent(&target)?;
        fs.rename(&stage.join(e), &target).map_err(|err| Error::io(&target, err))?;
    }
    Ok(())
}

/// Puts every entry back as it was before the swap: a new entry already moved in goes back to
/// the stage, the entry moved aside back into place. Each step checks what is done, so it can
/// run again after it failed halfway.
fn roll_back(fs: &dyn Fs, dir: &Path, j: &Journal) -> Result<(), Error> {
    let (stage, old) = (dir.join(&j.stage), dir.join(&j.old));
    for (i, e) in j.entries.iter().enumerate().rev() {
        let (target, staged, aside) = (dir.join(e), stage.join(e), old.join(e));
        let had = j.had.get(i).copied().unwrap_or(true);
        // The entry in place is the new one when the old one is aside, or there was none.
        let new_in_place = target.exists() && (if had { aside.exists() } else { true });
        if new_in_place {
            let _ = std::fs::remove_dir_all(&staged);
            create_parent(&staged)?;
            fs.rename(&target, &staged).map_err(|err| Error::io(&target, err))?;
        }
        if aside.exists() {
            fs.rename(&aside, &target).map_err(|err| Error::io(&aside, err))?;
        }
    }
    Ok(())
}

/// After the commit point: removes what was moved aside, the flat layout's files and the
/// journal (last: a run killed before that is finished by the next).
fn finish(fs: &dyn Fs, dir: &Path, j: &Journal) {
    let old = dir.join(&j.old);
    if old.exists() && fs.remove(&old).is_err() {
        return;
    }
    super::remove_legacy(dir, &j.legacy.iter().cloned().collect());
    let _ = fs.remove(&dir.join(JOURNAL));
}

/// Removes the temporary journals of runs that died while writing one.
fn remove_dead_temporaries(dir: &Path) {
    let prefix = format!("{JOURNAL}.tmp-");
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok()) else { continue };
        if pid == std::process::id() || !super::process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// After a rollback: removes the stage, the empty aside folder and the journal.
fn discard(dir: &Path, j: &Journal) {
    let _ = std::fs::remove_dir_all(dir.join(&j.stage));
    let _ = std::fs::remove_dir_all(dir.join(&j.old));
    let _ = std::fs::remove_file(dir.join(JOURNAL));
}

/// Completes what a run that died left: a journal marked `done` is cleaned up (the new tree
/// stays), any other rolled back (the old tree comes back). `Err` when the journal belongs to
/// a run still going.
pub(crate) fn recover(fs: &dyn Fs, dir: &Path) -> Result<(), Error> {
    remove_dead_temporaries(dir);
    let Some(j) = Journal::read(dir)? else { return Ok(()) };
    if j.pid != std::process::id() && super::process_alive(j.pid) {
        return Err(Error::io(
            dir.join(JOURNAL),
            io::Error::other(format!("another dvp-mock (pid {}) is replacing this tree; wait for it to end", j.pid)),
        ));
    }
    if j.state == "done" {
        finish(fs, dir, &j);
    } else {
        roll_back(fs, dir, &j)?;
        discard(dir, &j);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::PathBuf;

    use super::*;
    use crate::output::manifest::{Manifest, MANIFEST};
    use crate::output::{self, Staging};
    use crate::wiremock::Tree;

    /// Fails call number `at` (0-based); with `dies`, every later call too, as if the process
    /// had been killed there (no rollback can run).
    struct Failing {
        at: usize,
        dies: bool,
        calls: Cell<usize>,
    }

    impl Failing {
        fn step(&self) -> io::Result<()> {
            let n = self.calls.get();
            self.calls.set(n + 1);
            if n == self.at || (self.dies && n > self.at) {
                Err(io::Error::other("injected failure"))
            } else {
                Ok(())
            }
        }
    }

    impl Fs for Failing {
        fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
            self.step()?;
            std::fs::rename(from, to)
        }
        fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
            self.step()?;
            std::fs::write(path, bytes)
        }
        fn remove(&self, path: &Path) -> io::Result<()> {
            self.step()?;
            RealFs.remove(path)
        }
    }

    /// A tree tagged `tag` in every file, with one file of its own.
    fn tree(tag: &str) -> Tree {
        let mut t = Tree::new();
        t.insert("mappings/dvp-mock/a.json".into(), tag.as_bytes().to_vec());
        t.insert(format!("mappings/dvp-mock/only-{tag}.json"), tag.as_bytes().to_vec());
        t.insert("__files/dvp-mock/b".into(), tag.as_bytes().to_vec());
        t
    }

    /// The tag of the tree in `dir`; panics on a mix of two trees (stubs, bodies, manifest).
    fn state(dir: &Path) -> String {
        let read = |rel: &str| String::from_utf8(std::fs::read(dir.join(rel)).unwrap()).unwrap();
        let tag = read("mappings/dvp-mock/a.json");
        assert_eq!(read("__files/dvp-mock/b"), tag, "stubs of one run, bodies of another");
        let files = Manifest::read(dir).unwrap().unwrap().files;
        assert_eq!(files, tree(&tag).keys().cloned().collect::<Vec<_>>(), "a manifest of another run");
        assert_eq!(output::list_files(dir, "mappings").unwrap().len(), 2, "stubs of two runs");
        tag
    }

    fn fresh(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("dvp-mock-swap-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        output::write(&dir, &tree("old"), false).unwrap();
        dir
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        let names = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned());
        names.filter(|n| n.starts_with(".dvp-mock-") && n != MANIFEST).collect()
    }

    /// Every filesystem call of a swap, failed in turn: a failure before the commit point rolls
    /// back (the old tree is there, whole, nothing left behind); one after it (cleaning up)
    /// keeps the new tree, and the next run removes what was left.
    #[test]
    fn a_failure_at_any_step_leaves_the_old_tree_or_after_the_commit_the_new() {
        let dir = fresh("fail");
        let (mut rolled_back, mut kept) = (0, 0);
        for at in 0..20 {
            output::write(&dir, &tree("old"), false).unwrap();
            let fs = Failing { at, dies: false, calls: Cell::new(0) };
            let result = Staging::begin(&dir, false, false).unwrap().commit_with(&fs, &tree("new"), None);
            match result {
                Ok(()) if at >= fs.calls.get() => {
                    assert_eq!(state(&dir), "new");
                    break;
                }
                Ok(()) => {
                    kept += 1;
                    assert_eq!(state(&dir), "new", "after a failure at call {at}, past the commit point");
                    output::recover(&dir).unwrap();
                }
                Err(e) => {
                    rolled_back += 1;
                    assert!(e.to_string().contains("injected failure"), "{e}");
                    assert_eq!(state(&dir), "old", "after a failure at call {at}");
                }
            }
            assert!(leftovers(&dir).is_empty(), "after a failure at call {at}: {:?}", leftovers(&dir));
        }
        assert!(rolled_back >= 10, "journal, 3 entries, commit point: {rolled_back} calls before the commit");
        assert!(kept >= 1, "the cleanup after the commit point: {kept}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A run killed at any step: the next run finds the old tree or the new one, never a mix,
    /// and then writes its own without calling the files of either foreign.
    #[test]
    fn a_run_killed_at_any_step_is_completed_or_undone_by_the_next() {
        let mut seen = std::collections::BTreeSet::new();
        for at in 0..20 {
            let dir = fresh(&format!("kill-{at}"));
            let fs = Failing { at, dies: true, calls: Cell::new(0) };
            let result = Staging::begin(&dir, false, false).unwrap().commit_with(&fs, &tree("new"), None);
            if result.is_ok() && at >= fs.calls.get() {
                std::fs::remove_dir_all(&dir).unwrap();
                break;
            }
            output::recover(&dir).unwrap();
            let tag = state(&dir);
            seen.insert(tag.clone());
            assert!(leftovers(&dir).is_empty(), "killed at call {at}: {:?}", leftovers(&dir));
            output::write(&dir, &tree("next"), false).unwrap_or_else(|e| panic!("killed at call {at} ({tag}): {e}"));
            assert_eq!(state(&dir), "next");
            std::fs::remove_dir_all(&dir).unwrap();
        }
        assert_eq!(seen.into_iter().collect::<Vec<_>>(), ["new", "old"], "killed before and after the commit point");
    }
}
