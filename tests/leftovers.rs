//! A failing run leaves nothing behind: this test runs the test binary itself on one test that
//! creates a scratch folder, a removed-on-drop folder and a shared WireMock, then panics; once
//! that process has exited, its folders (the server's log folder too) must be gone and the JVM
//! must be dead.
use std::path::PathBuf;
use std::process::Command;

use crate::support;

const CHILD: &str = "DVP_LEFTOVERS_CHILD";

/// Run by `a_failing_run_leaves_no_folder_and_no_server` in a child process (a no-op
/// otherwise): writes what it created to the file named by the environment, then fails.
#[test]
fn child_creates_folders_and_a_server_then_fails() {
    let Some(out) = std::env::var_os(CHILD) else { return };
    let kept = support::scratch("leftovers-scratch");
    let dropped = support::temp_dir("leftovers-temp");
    let wm = support::shared::shared("leftovers", || kept.clone()).read();
    let me = std::process::id();
    std::fs::write(&out, format!("{}\n{}\n{}\n{me}\n", kept.display(), dropped.display(), wm.pid)).unwrap();
    panic!("this child test fails on purpose");
}

#[test]
fn a_failing_run_leaves_no_folder_and_no_server() {
    let dir = support::temp_dir("leftovers");
    let out = dir.join("created.txt");
    let o = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "leftovers::child_creates_folders_and_a_server_then_fails", "--test-threads=1"])
        .env(CHILD, &out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(101), "the child run fails: {}", String::from_utf8_lossy(&o.stdout));
    let created = std::fs::read_to_string(&out).expect("the child wrote what it created");
    let lines: Vec<&str> = created.lines().collect();
    for folder in &lines[..2] {
        assert!(!PathBuf::from(folder).exists(), "{folder} is left behind");
    }
    // Nor any other folder of that process (the server's log folder included).
    let child = format!("-{}", lines[3]);
    let left: Vec<String> = std::fs::read_dir(crate::support::cleanup::scratch_root())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(&child) || n.contains(&format!("{child}.")))
        .collect();
    assert!(left.is_empty(), "left behind by the failed run: {left:?}");
    let pid = lines[2];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(std::time::Instant::now() < deadline, "WireMock (pid {pid}) outlived the failed run");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
