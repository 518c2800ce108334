//! One WireMock per distinct setup for the whole test run.
//!
//! A shared server is started by the first test that asks for it and stopped when the test
//! process exits ([`super::cleanup`]). Tests that only read take a [`Served`] (a read lock:
//! many at once); tests that change the server's state (failed logins that count towards a
//! lockout, the fault scenario, the request corpus, which does both) take a
//! [`ServedExclusive`] (a write lock), which resets every scenario when it is dropped, also
//! when the test panicked. A test takes at most one lock of a server at a time: a second one in
//! the same thread (even a second read lock, behind a waiting writer) deadlocks. Hold a lock
//! no longer than needed: a waiting writer makes every later reader wait too.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::cleanup;
use super::wiremock::WireMock;

/// A server started once and kept for the whole run.
pub struct SharedMock {
    wm: WireMock,
    lock: RwLock<()>,
}

static SERVERS: Mutex<BTreeMap<String, &'static SharedMock>> = Mutex::new(BTreeMap::new());

/// The shared server called `key`, started on the folder `root()` returns the first time.
/// `root` runs at most once per key; the folder it returns must live until the process exits
/// (a [`cleanup::remove_at_exit`] folder, or the repository itself).
pub fn shared(key: &str, root: impl FnOnce() -> PathBuf) -> &'static SharedMock {
    let mut servers = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(s) = servers.get(key) {
        return s;
    }
    let wm = WireMock::start(&root());
    wm.stop_at_exit();
    let s: &'static SharedMock = Box::leak(Box::new(SharedMock { wm, lock: RwLock::new(()) }));
    servers.insert(key.to_string(), s);
    s
}

/// The shared server of a generated tree: written once into a folder removed at exit.
pub fn shared_tree(key: &str, tree: impl FnOnce() -> dvp_mock::wiremock::Tree) -> &'static SharedMock {
    shared(key, || {
        let dir = cleanup::scratch_root().join(format!("shared-{key}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        cleanup::remove_at_exit(&dir);
        dvp_mock::output::write(&dir, &tree(), false).unwrap();
        dir
    })
}

/// How many shared servers this process started (one per key).
pub fn started() -> usize {
    SERVERS.lock().unwrap_or_else(|e| e.into_inner()).len()
}

impl SharedMock {
    /// Read access: any number of tests at once.
    pub fn read(&'static self) -> Served {
        Served { wm: &self.wm, _guard: self.lock.read().unwrap_or_else(|e| e.into_inner()) }
    }

    /// Sole access, for a test that changes scenario state; scenarios are reset on drop.
    pub fn exclusive(&'static self) -> ServedExclusive {
        ServedExclusive { wm: &self.wm, _guard: self.lock.write().unwrap_or_else(|e| e.into_inner()) }
    }
}

/// A shared server, read-only for the holder.
pub struct Served {
    wm: &'static WireMock,
    _guard: RwLockReadGuard<'static, ()>,
}

impl Deref for Served {
    type Target = WireMock;
    fn deref(&self) -> &WireMock {
        self.wm
    }
}

/// A shared server held alone; its scenarios are reset when this is dropped.
pub struct ServedExclusive {
    wm: &'static WireMock,
    _guard: RwLockWriteGuard<'static, ()>,
}

impl Deref for ServedExclusive {
    type Target = WireMock;
    fn deref(&self) -> &WireMock {
        self.wm
    }
}

impl Drop for ServedExclusive {
    fn drop(&mut self) {
        let r = super::wiremock::http_request(self.wm.port(), "POST", "/__admin/scenarios/reset", &[], None);
        if !matches!(r, Ok(ref r) if r.status == 200) && !std::thread::panicking() {
            panic!("cannot reset the scenarios of the shared WireMock: {r:?}");
        }
        let _ = super::wiremock::http_request(self.wm.port(), "DELETE", "/__admin/requests", &[], None);
    }
}
