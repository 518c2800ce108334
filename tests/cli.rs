//! The command line as a user meets it: errors, exit codes, refusals, drift.
use std::process::{Command, Output};

use crate::support;

fn run(args: &[&str], dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).current_dir(dir).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_config_typo_is_one_error_line_with_file_line_and_column() {
    let dir = support::temp_dir("cli-typo");
    let text = dvp_mock::config::DEFAULT_TOML.replace("clients = 250", "clients = 250\nclinets = 5");
    std::fs::write(dir.join("my.toml"), text).unwrap();
    let o = run(&["generate", "--config", "my.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.starts_with("error: my.toml: line 17, column 1: unknown field `clinets`"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(!dir.join("mappings").exists() && !dir.join("__files").exists(), "nothing written");

    let cases = [
        ("as_of = \"2026-03-18\"", "as_of = \"2026-02-30\"", "as_of"),
        ("as_of = \"2026-03-18\"", "as_of = \"2025-01-01\"", "key `as_of`"),
        ("name = \"acme\"", "name = \"Acme\"", "key `namespaces[0].name`"),
        ("namespaces = [\"betalabs\"]", "namespaces = [\"nosuch\"]", "unknown namespace `nosuch`"),
        ("name = \"web\"", "name = \"../../etc\"", "key `namespaces[0].repos[0].name`"),
        ("seed = 42", "seed = \"42\"", "line 5"),
    ];
    for (from, to, needle) in cases {
        assert!(dvp_mock::config::DEFAULT_TOML.contains(from), "{from}");
        std::fs::write(dir.join("bad.toml"), dvp_mock::config::DEFAULT_TOML.replacen(from, to, 1)).unwrap();
        let o = run(&["generate", "--config", "bad.toml"], &dir);
        assert_eq!(o.status.code(), Some(2), "{to}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.starts_with("error: bad.toml: ") && err.contains(needle), "{to}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}

/// The exact line for a value of the wrong kind: an unquoted TOML date.
#[test]
fn an_unquoted_date_is_reported_on_its_key() {
    let dir = support::temp_dir("cli-date");
    let text = dvp_mock::config::DEFAULT_TOML.replacen("as_of = \"2026-03-18\"", "as_of = 2026-03-18", 1);
    std::fs::write(dir.join("bad.toml"), text).unwrap();
    let o = run(&["generate", "--config", "bad.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        "error: bad.toml: line 8, column 9: key `as_of`: expected a date in quotes, like \"2026-03-18\"; \
         found an unquoted TOML date\n"
    );
}

/// The exact line for a missing key: named by its own name, not by the first line's key.
#[test]
fn a_missing_key_is_named_not_blamed_on_the_first_line() {
    let dir = support::temp_dir("cli-missing");
    let text = "seed = 7\nas_of = \"2026-03-18\"\nhistory_start = \"2025-09-01\"\nusers = []\n";
    std::fs::write(dir.join("bad.toml"), text).unwrap();
    let o = run(&["generate", "--config", "bad.toml"], &dir);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "error: bad.toml: line 1, column 1: key `namespaces`: missing; this key is required\n");
}

#[test]
fn generate_refuses_foreign_files_and_never_touches_other_files() {
    let dir = support::temp_dir("cli-foreign");
    // A file dvp-mock did not write inside its own folder blocks it (your own stubs belong
    // beside it, anywhere else in mappings/: see tests/own_stubs.rs).
    std::fs::create_dir_all(dir.join("mappings/dvp-mock")).unwrap();
    std::fs::write(dir.join("mappings/dvp-mock/my-own-stub.json"), "{}").unwrap();
    std::fs::write(dir.join("Cargo.toml"), "# the user's own").unwrap();
    let o = run(&["generate", "--quiet"], &dir);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("my-own-stub.json"));
    assert!(!dir.join("__files").exists());
    // With --force the generated folders are replaced; the user's Cargo.toml stays.
    let o = run(&["generate", "--quiet", "--force"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(), "# the user's own");
    assert!(!dir.join("mappings/dvp-mock/my-own-stub.json").exists());
    // A second generate replaces its own files without --force; check is clean.
    assert!(run(&["generate", "--quiet"], &dir).status.success());
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Drift: an edited and a deleted file are listed; check writes nothing.
    let some_csv =
        std::fs::read_dir(dir.join("__files/dvp-mock/exports/acme")).unwrap().next().unwrap().unwrap().path();
    std::fs::write(&some_csv, "x").unwrap();
    std::fs::remove_file(dir.join("mappings/dvp-mock/analytics--acme--not-found.json")).unwrap();
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("differs: __files/dvp-mock/exports/acme/")
            && out.contains("missing: mappings/dvp-mock/analytics--acme--not-found.json"),
        "{out}"
    );
    assert_eq!(std::fs::read(&some_csv).unwrap(), b"x");
    // A file dvp-mock did not write in its folder: one line, not an `extra:` whose hint
    // (generate) would refuse.
    std::fs::write(dir.join("mappings/dvp-mock/extra.json"), "{}").unwrap();
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(3));
    let err = stderr(&o);
    assert!(err.contains("holds 1 file(s) dvp-mock did not generate") && err.contains("extra.json"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn help_version_and_config_round_trip() {
    let dir = support::temp_dir("cli-help");
    let o = run(&["--version"], &dir);
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("dvp-mock "));
    let o = run(&["generate", "--help"], &dir);
    let help = String::from_utf8_lossy(&o.stdout);
    for flag in ["--config", "--seed", "--as-of", "--out", "--target", "--force", "--jobs"] {
        assert!(help.contains(flag), "{flag} missing from help");
    }
    let o = run(&["config"], &dir);
    assert_eq!(String::from_utf8_lossy(&o.stdout), dvp_mock::config::DEFAULT_TOML);
    let o = run(&["generate", "--bogus"], &dir);
    assert_eq!(o.status.code(), Some(2));
    // A near miss names what was meant, on the same one line.
    for (args, tip) in [
        (&["generate", "--dry-rn"][..], "; tip: a similar argument exists: '--dry-run'\n"),
        (&["generat"][..], "; tip: a similar subcommand exists: 'generate'\n"),
    ] {
        let o = run(args, &dir);
        let err = stderr(&o);
        assert_eq!((o.status.code(), err.lines().count()), (Some(2), 1), "{err}");
        assert!(err.starts_with("error: ") && err.ends_with(tip), "{err}");
    }
}

#[test]
fn a_run_killed_midway_leaves_the_previous_tree_intact() {
    let dir = support::temp_dir("cli-kill");
    assert!(run(&["generate", "--quiet"], &dir).status.success());
    // A much bigger configuration takes seconds; kill it while it renders.
    let big = dvp_mock::config::DEFAULT_TOML
        .replace("weekly_pulls = 330", "weekly_pulls = 60000")
        .replace("weekly_pulls = 110", "weekly_pulls = 20000");
    std::fs::write(dir.join("big.toml"), big).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_dvp-mock"))
        .args(["generate", "--quiet", "--config", "big.toml"])
        .current_dir(&dir)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "the big run should still be running");
    child.kill().unwrap();
    child.wait().unwrap();
    // The old tree is untouched (check passes) and the next run cleans the staging folder up.
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(run(&["generate", "--quiet"], &dir).status.success());
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".dvp-mock-staging"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn generate_into_a_file_is_one_line_and_touches_nothing() {
    let dir = support::scratch("cli-out-file");
    std::fs::write(dir.join("live.toml"), "mine").unwrap();
    let o = run(&["generate", "--out", "live.toml"], &dir);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert_eq!(err, "error: --out live.toml: is a file; --out takes the folder that gets mappings/ and __files/\n");
    assert_eq!(std::fs::read_to_string(dir.join("live.toml")).unwrap(), "mine");
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "nothing else written");
}
