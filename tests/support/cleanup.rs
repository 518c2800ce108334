//! Nothing outlives the test process: folders and servers registered here are removed and
//! stopped when it exits, whether the run passed or failed (libtest ends a failed run with
//! `process::exit(101)`, which runs the C `atexit` hooks too).
//!
//! * [`TempDir`] removes its folder on drop, also when the test panics (drop runs during the
//!   unwind); [`remove_at_exit`] is for folders that must live until the end of the run.
//! * Every child started through [`spawn_tied`] is started from one long-lived thread with
//!   `PR_SET_PDEATHSIG`, so the kernel kills it when the test process ends, even by `SIGKILL`
//!   (a test thread would not do: the signal fires when the *thread* that forked exits).
//! * [`stop_at_exit`] stops a long-lived server (by PID: `SIGTERM`, then `SIGKILL`) before the
//!   registered folders are removed.
#![allow(dead_code)]

use std::io;
use std::ops::Deref;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

static DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static PIDS: Mutex<Vec<u32>> = Mutex::new(Vec::new());
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Removes `dir` (recursively) when the test process exits.
pub fn remove_at_exit(dir: &Path) {
    install();
    DIRS.lock().unwrap_or_else(|e| e.into_inner()).push(dir.to_path_buf());
}

/// Stops process `pid` when the test process exits (before the folders are removed).
pub fn stop_at_exit(pid: u32) {
    install();
    PIDS.lock().unwrap_or_else(|e| e.into_inner()).push(pid);
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registers a plain `extern "C"` function without arguments.
        let rc = unsafe { libc::atexit(at_exit) };
        assert_eq!(rc, 0, "atexit failed");
        sweep_dead_runs();
    });
}

/// Where every scratch folder of the tests lives (server logs, written trees, the docs'
/// working folders): `DVP_TEST_TMPDIR` if set; else a folder of this user's under `/dev/shm`
/// when that is a RAM file system with at least [`SHM_FREE_NEEDED`] free; else the target
/// dir's `tmp/`. The tests write and remove the mock's 1,550 files dozens of times: on the
/// development machine's disk (ext4 mounted with `discard`) one `generate` spent 0.31-1.04 s
/// in the kernel creating them, on `/dev/shm` 0.03 s.
pub fn scratch_root() -> &'static Path {
    static ROOT: OnceLock<PathBuf> = OnceLock::new();
    ROOT.get_or_init(|| {
        let root = match std::env::var_os("DVP_TEST_TMPDIR") {
            Some(dir) => PathBuf::from(dir),
            None if free_bytes(Path::new("/dev/shm")).is_some_and(|b| b >= SHM_FREE_NEEDED) => {
                // SAFETY: getuid has no preconditions.
                PathBuf::from(format!("/dev/shm/dvp-mock-tests-{}", unsafe { libc::getuid() }))
            }
            None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
        };
        std::fs::create_dir_all(&root).unwrap_or_else(|e| panic!("cannot create {}: {e}", root.display()));
        root
    })
}

/// Free space `/dev/shm` needs before the tests use it: the largest tree a test writes (the
/// calibration at the real verdaccio volume, 2.4 GB, in the release step) with room to spare,
/// so a container's small `/dev/shm` (64 MB by default) is never filled.
const SHM_FREE_NEEDED: u64 = 8 << 30;

/// Free bytes of the file system holding `dir`, if it is a writable directory.
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `c` is a valid C string; `st` is written by statvfs before it is read.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above; access has no other preconditions.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 || unsafe { libc::access(c.as_ptr(), libc::W_OK) } != 0 {
        return None;
    }
    Some(st.f_bavail as u64 * st.f_frsize as u64)
}

/// Removes the scratch folders of earlier test runs that were killed before their exit hook
/// ran: folder names end in `-<pid>` or `-<pid>.<n>`, and that process is gone.
fn sweep_dead_runs() {
    let Ok(entries) = std::fs::read_dir(scratch_root()) else { return };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let last = name.rsplit('-').next().unwrap_or_default();
        let pid = last.split('.').next().and_then(|p| p.parse::<u32>().ok());
        let dead = pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists());
        if dead && e.path().is_dir() {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

extern "C" fn at_exit() {
    let pids = std::mem::take(&mut *PIDS.lock().unwrap_or_else(|e| e.into_inner()));
    for &pid in &pids {
        // SAFETY: signals a child this process started and has not reaped.
        unsafe { libc::kill(pid as libc::pid_t, libc::SIGTERM) };
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    for &pid in &pids {
        loop {
            let mut status = 0;
            // SAFETY: reaps our own child; WNOHANG never blocks.
            let r = unsafe { libc::waitpid(pid as libc::pid_t, &mut status, libc::WNOHANG) };
            if r != 0 {
                break; // reaped, or not our child any more
            }
            if Instant::now() > deadline {
                // SAFETY: as above.
                unsafe {
                    libc::kill(pid as libc::pid_t, libc::SIGKILL);
                    libc::waitpid(pid as libc::pid_t, &mut status, 0);
                }
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    for dir in std::mem::take(&mut *DIRS.lock().unwrap_or_else(|e| e.into_inner())) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

type Request = (Command, Sender<io::Result<Child>>);

/// Spawns `cmd` so that it dies with the test process: from one thread that lives as long as
/// the process, with `PR_SET_PDEATHSIG(SIGKILL)`.
pub fn spawn_tied(cmd: Command) -> io::Result<Child> {
    static SPAWNER: OnceLock<Mutex<Sender<Request>>> = OnceLock::new();
    let spawner = SPAWNER.get_or_init(|| {
        let (tx, rx) = channel::<Request>();
        std::thread::Builder::new()
            .name("tied-spawner".into())
            .spawn(move || {
                for (mut cmd, reply) in rx {
                    // SAFETY: only async-signal-safe calls between fork and exec.
                    unsafe {
                        cmd.pre_exec(|| {
                            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                                return Err(io::Error::last_os_error());
                            }
                            Ok(())
                        });
                    }
                    let _ = reply.send(cmd.spawn());
                }
            })
            .expect("cannot start the spawner thread");
        Mutex::new(tx)
    });
    let (tx, rx) = channel();
    spawner.lock().unwrap_or_else(|e| e.into_inner()).send((cmd, tx)).expect("spawner thread gone");
    rx.recv().expect("spawner thread gone")
}

/// A fresh folder under the [`scratch_root`], removed with everything in it on drop (also
/// when the test panics) and, should the process die first, at exit.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// `<scratch root>/<name>-<pid>.<n>`, created empty.
    pub fn new(name: &str) -> TempDir {
        let dir =
            scratch_root().join(format!("{name}-{}.{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed)));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        remove_at_exit(&dir);
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<Path> for TempDir {
    fn as_ref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}
