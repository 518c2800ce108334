//! Fixtures regenerated in CI, as a user meets them: a mock of their own configuration checks
//! as that mock, every hint runs as printed from another folder and fixes exactly the tree it
//! names, each wrong target is one line, verify says which mock it talks to, and --reload
//! checks the stub files first and carries WireMock's reason. Against the real jar.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::safety::{run, small_toml, stderr};
use crate::support::{self, wiremock::WireMock};

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The command between the first pair of backticks after `marker` in `text`.
pub fn hint_after(text: &str, marker: &str) -> String {
    let rest = text.split_once(marker).unwrap_or_else(|| panic!("no {marker:?} in {text}")).1;
    rest.split('`').nth(1).unwrap_or_else(|| panic!("no command after {marker:?} in {text}")).to_string()
}

/// Runs `command` with bash in `cwd`, `dvp-mock` first on the PATH.
pub fn shell(command: &str, cwd: &Path) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_dvp-mock")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    Command::new("bash").arg("-c").arg(command).current_dir(cwd).env("PATH", path).output().unwrap()
}

/// A small configuration with a namespace of its own (`mycorp`, not in the default).
fn custom_toml() -> String {
    small_toml().replace("betalabs", "mycorp")
}

fn has_mycorp(dir: &Path) -> bool {
    dir.join("__files/dvp-mock/exports/mycorp").is_dir()
}

#[test]
fn a_custom_mock_checks_from_its_record_and_each_hint_fixes_exactly_it() {
    let root = support::scratch("fixtures-scenario");
    let elsewhere = support::scratch("fixtures-elsewhere");
    std::fs::write(root.join("my.toml"), custom_toml()).unwrap();
    let o = run(&["generate", "--quiet", "--config", "my.toml", "--seed", "7", "--out", "mock2"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    // Without flags, check regenerates what the manifest records: the custom mock matches.
    let o = run(&["check", "--dir", "mock2"], &root);
    assert_eq!((o.status.code(), stdout(&o)), (Some(0), "mock2 matches a fresh generation\n".into()));

    // Drift: the hint regenerates it as recorded, from any folder.
    std::fs::remove_file(root.join("mock2/mappings/dvp-mock/analytics--mycorp--not-found.json")).unwrap();
    let o = run(&["check", "--dir", "mock2"], &root);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("(config ../my.toml, seed 7, standalone)"), "{out}");
    let hint = hint_after(&out, "HINT:");
    assert_eq!(hint, format!("dvp-mock generate --as-recorded --out {}", root.join("mock2").display()));
    let o = shell(&hint, &elsewhere);
    assert!(o.status.success(), "{hint}: {}", stderr(&o));
    assert!(has_mycorp(&root.join("mock2")), "the custom namespace is still there");
    assert_eq!(run(&["check", "--dir", "mock2"], &root).status.code(), Some(0));

    // The configuration changes: check --config names the setting in one line; the hint,
    // run from elsewhere, makes the tree match it.
    std::fs::write(root.join("my.toml"), custom_toml().replace("weekly_pulls = 15", "weekly_pulls = 25")).unwrap();
    let o = run(&["check", "--config", "my.toml", "--seed", "7", "--dir", "mock2"], &root);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(first.ends_with("(recorded -> asked): namespaces[1].weekly_pulls 15.0 -> 25.0"), "{first}");
    assert!(out.lines().count() <= 20, "a short report: {out}");
    let o = run(&["check", "--config", "my.toml", "--seed", "7", "--dir", "mock2", "--verbose"], &root);
    assert!(stdout(&o).lines().count() > 20, "--verbose lists every difference");
    let hint = hint_after(&out, "make it match your settings:");
    let o = shell(&hint, &elsewhere);
    assert!(o.status.success(), "{hint}: {}", stderr(&o));
    for args in [&["check", "--config", "my.toml", "--seed", "7", "--dir", "mock2"][..], &["check", "--dir", "mock2"]] {
        let o = run(args, &root);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}{}", stdout(&o), stderr(&o));
    }
    assert!(has_mycorp(&root.join("mock2")));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn each_wrong_target_is_one_line_saying_what_was_found_and_what_to_do() {
    let root = support::scratch("fixtures-targets");
    let elsewhere = support::scratch("fixtures-targets-elsewhere");
    std::fs::write(root.join("my.toml"), custom_toml()).unwrap();
    assert!(run(&["generate", "--quiet", "--config", "my.toml", "--out", "my mock"], &root).status.success());
    std::fs::create_dir_all(root.join("empty")).unwrap();
    let abs = |p: &str| root.join(p).display().to_string();
    let quoted = format!("'{}'", abs("my mock"));
    // (target, exit code, what the line says, the hint's command or None)
    let cases: [(&str, i32, &str, Option<String>); 5] = [
        ("my.toml", 2, "my.toml is a file, not a folder; a configuration goes to --config", None),
        ("my mock/mappings", 2, "is a folder inside the mock at", Some(format!("dvp-mock check --dir {quoted}"))),
        (
            "my mock/__files/dvp-mock",
            2,
            "is a folder inside the mock at",
            Some(format!("dvp-mock check --dir {quoted}")),
        ),
        ("empty", 2, "empty holds no mock", Some(format!("dvp-mock generate --out {}", abs("empty")))),
        ("nosuch", 2, "nosuch: no such folder", Some(format!("dvp-mock generate --out {}", abs("nosuch")))),
    ];
    for (target, code, says, hint) in cases {
        let o = run(&["check", "--dir", target], &root);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{target}: {err}");
        assert_eq!(err.lines().count(), 1, "{target}: {err}");
        assert!(err.contains(says), "{target}: {err}");
        assert!(o.stdout.is_empty());
        if let Some(expected) = hint {
            let printed = hint_after(&err, "HINT:");
            assert_eq!(printed, expected, "{target}");
            let o = shell(&printed, &elsewhere);
            assert!(o.status.success(), "{printed}: {}{}", stdout(&o), stderr(&o));
        }
    }
    assert!(has_mycorp(&root.join("my mock")), "checking inside it never replaced the custom mock");
    assert_eq!(run(&["check", "--dir", "empty"], &root).status.code(), Some(0), "the hint created it");

    // A foreign file in the mock's own folder: one line, a check that runs once it is moved.
    std::fs::write(root.join("my mock/mappings/dvp-mock/mine.json"), "{}").unwrap();
    let o = run(&["check", "--dir", "my mock"], &root);
    let err = stderr(&o);
    assert_eq!((o.status.code(), err.lines().count()), (Some(3), 1), "{err}");
    assert!(err.contains("holds 1 file(s) dvp-mock did not generate") && err.contains("mine.json"), "{err}");
    std::fs::rename(root.join("my mock/mappings/dvp-mock/mine.json"), root.join("my mock/mappings/mine.json")).unwrap();
    let o = shell(&hint_after(&err, "then check again:"), &elsewhere);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    // A generate that died halfway through its swap (its journal left behind): one line; the
    // hint puts the previous tree back and regenerates it as recorded.
    let dead = {
        let mut c = Command::new("true").spawn().unwrap();
        let pid = c.id();
        c.wait().unwrap();
        pid
    };
    let journal = format!(
        r#"{{"pid": {dead}, "state": "swapping", "stage": ".dvp-mock-staging-{dead}", "old": ".dvp-mock-old-{dead}",
            "entries": ["mappings/dvp-mock", "__files/dvp-mock", ".dvp-mock-manifest"], "had": [true, true, true], "legacy": []}}"#
    );
    let mock = root.join("my mock");
    std::fs::create_dir_all(mock.join(format!(".dvp-mock-old-{dead}/mappings"))).unwrap();
    std::fs::rename(mock.join("mappings/dvp-mock"), mock.join(format!(".dvp-mock-old-{dead}/mappings/dvp-mock")))
        .unwrap();
    std::fs::write(mock.join(".dvp-mock-journal"), journal).unwrap();
    let o = run(&["check", "--dir", "my mock"], &root);
    let err = stderr(&o);
    assert_eq!((o.status.code(), err.lines().count()), (Some(3), 1), "{err}");
    assert!(err.contains("died while replacing this tree"), "{err}");
    let o = shell(&hint_after(&err, "back first:"), &elsewhere);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(run(&["check", "--dir", "my mock"], &root).status.code(), Some(0));
    assert!(has_mycorp(&mock));
    let _ = std::fs::remove_dir_all(&root);
}

/// A mock of another configuration is one line naming the setting, not thousands of failures.
#[test]
fn verify_says_which_settings_the_mock_was_made_with() {
    // A one-repository world: the test replays its whole corpus three times.
    let root = support::scratch("fixtures-verify");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/one-repo.toml"), root.join("one.toml"))
        .unwrap();
    let made = run(&["generate", "--quiet", "--config", "one.toml", "--seed", "7", "--out", "seven"], &root);
    assert!(made.status.success(), "{}", stderr(&made));
    let wm = WireMock::start(&root.join("seven"));
    let url = wm.base_url();
    let o = run(&["verify", "--config", "one.toml", "--url", &url], &root);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o), format!("the mock at {url} was generated with seed 7, you asked for 42: pass --seed 7\n"));
    let o = run(&["verify", "--config", "one.toml", "--url", &format!("{url}/api/publisher")], &root);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        stdout(&o),
        format!(
            "--url {url}/api/publisher carries the path /api/publisher, but the mock answers at the host's root: \
             pass --url {url}; it was generated with seed 7, you asked for 42: pass --seed 7\n"
        )
    );
    std::fs::write(root.join("small.toml"), small_toml()).unwrap();
    let o = run(&["verify", "--config", "small.toml", "--seed", "7", "--url", &url], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).starts_with(&format!("the mock at {url} was generated with configuration sha1:")),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).ends_with(": pass the --config it was generated from (its manifest records it)\n"));
    let verify = ["verify", "--config", "one.toml", "--seed", "7", "--url", &url];
    let o = run(&verify, &root);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).ends_with(" passed, 0 failed\n"), "{}", stdout(&o));

    // Many failures: a summary of at most 20 lines; --verbose lists every one.
    let mut removed = 0;
    for entry in std::fs::read_dir(root.join("seven/mappings/dvp-mock")).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with("proxylytics--") && removed < 30 {
            let stub: serde_json::Value = serde_json::from_slice(&std::fs::read(entry.path()).unwrap()).unwrap();
            let id = stub["id"].as_str().unwrap();
            assert_eq!(wm.request("DELETE", &format!("/__admin/mappings/{id}"), &[], None).status, 200);
            removed += 1;
        }
    }
    assert_eq!(removed, 30, "the one-repository world has 30 proxylytics stubs to remove");
    let o = run(&verify, &root);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() <= 20, "{out}");
    assert!(lines[0].starts_with("failures by kind: "), "{out}");
    assert!(lines[lines.len() - 2].ends_with("more (--verbose lists every one)"), "{out}");
    let failed: usize = lines.last().unwrap().split(", ").nth(1).unwrap().trim_end_matches(" failed").parse().unwrap();
    assert!(failed > 10, "{out}");
    let o = run(&[&verify[..], &["--verbose"]].concat(), &root);
    assert_eq!(stdout(&o).lines().filter(|l| l.starts_with("FAIL ")).count(), failed);
}

fn reload_dir(name: &str) -> (PathBuf, WireMock) {
    let root = support::scratch(name);
    assert!(run(&["generate", "--quiet", "--out", "."], &root).status.success());
    let wm = WireMock::start(&root);
    (root, wm)
}

/// A broken stub file (the user's) is named before anything is written or reloaded; a file
/// WireMock itself refuses gets WireMock's reason.
#[test]
fn reload_checks_every_stub_file_first_and_carries_wiremocks_reason() {
    let (root, wm) = reload_dir("fixtures-reload");
    let served = wm.stub_count();
    let url = wm.base_url();
    std::fs::create_dir_all(root.join("mappings/mine")).unwrap();
    std::fs::write(root.join("mappings/mine/broken.json"), r#"{"request": "#).unwrap();
    let o = run(&["generate", "--seed", "7", "--reload", &url], &root);
    let err = stderr(&o);
    assert_eq!((o.status.code(), err.lines().count()), (Some(3), 1), "{err}");
    assert!(
        err.starts_with(&format!(
            "error: {}: not valid JSON (line 1, column ",
            root.join("mappings/mine/broken.json").display()
        )),
        "{err}"
    );
    assert!(err.contains("serves what it served before"), "{err}");
    assert_eq!(wm.stub_count(), served, "WireMock serves what it served");
    assert_eq!(run(&["check"], &root).status.code(), Some(0), "nothing was written");

    // Valid JSON that WireMock refuses: its own reason, and what it serves now.
    std::fs::write(
        root.join("mappings/mine/broken.json"),
        r#"{"request": {"method": "GET", "url": "/y"}, "response": {"status": "abc"}}"#,
    )
    .unwrap();
    let o = run(&["generate", "--quiet", "--reload", &url], &root);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert!(
        err.contains("POST /__admin/mappings/reset failed: HTTP 500:") && err.contains("mine/broken.json"),
        "{err}"
    );
    assert!(err.contains("Cannot deserialize value of type `int` from String \"abc\""), "{err}");
    // How many stubs WireMock loaded before the file it refused depends on the order the file
    // system lists the folders in: the line must say what it really serves now.
    let now = wm.stub_count();
    assert!(err.trim_end().ends_with(&format!("it now serves {now} stubs")), "{err}");
    std::fs::remove_file(root.join("mappings/mine/broken.json")).unwrap();
    let o = run(&["generate", "--reload", &url], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).ends_with(&format!("reloaded WireMock: it now serves {served} stubs\n")), "{}", stderr(&o));
}
