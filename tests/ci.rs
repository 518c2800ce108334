//! The CI recipe runs: the workflow's steps call the script in the repository, and the
//! script, as CI runs it, passes on an up-to-date mock, fails with a hint when the
//! configuration changes, and passes again once the hint, run as printed, fixed the tree.
use std::path::Path;
use std::process::Command;

use crate::fixtures::{hint_after, shell, stdout};
use crate::safety::{run, small_toml, stderr};
use crate::support;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn script(args: &[&str], cwd: &Path) -> std::process::Output {
    Command::new(repo().join("examples/ci/check-fixtures.sh"))
        .args(args)
        .current_dir(cwd)
        .env("DVP_MOCK", env!("CARGO_BIN_EXE_dvp-mock"))
        .output()
        .unwrap()
}

#[test]
fn the_workflow_calls_the_script_on_the_committed_mock() {
    let text = std::fs::read_to_string(repo().join("examples/ci/fixtures.yml")).unwrap();
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let steps = workflow["jobs"]["fixtures"]["steps"].as_sequence().expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs.contains(&"examples/ci/check-fixtures.sh ."), "{runs:?}");
    // That step, on the committed tree (check only reads).
    let o = script(&["."], repo());
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), ". matches a fresh generation\n");
}

#[test]
fn the_ci_script_fails_on_a_changed_configuration_and_its_hint_fixes_it() {
    let root = support::scratch("ci-script");
    let elsewhere = support::scratch("ci-script-elsewhere");
    let config = small_toml().replace("betalabs", "mycorp");
    std::fs::write(root.join("fixtures.toml"), &config).unwrap();
    let o = run(&["generate", "--quiet", "--config", "fixtures.toml", "--out", "fixtures"], &root);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = script(&["fixtures", "fixtures.toml"], &root);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));

    std::fs::write(root.join("fixtures.toml"), config.replace("weekly_pulls = 40", "weekly_pulls = 60")).unwrap();
    let o = script(&["fixtures", "fixtures.toml"], &root);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(
        out.lines().next().unwrap().ends_with("(recorded -> asked): namespaces[0].weekly_pulls 40.0 -> 60.0"),
        "{out}"
    );
    assert!(out.lines().count() <= 20, "{out}");
    assert!(stderr(&o).starts_with("check-fixtures: fixtures is out of date"), "{}", stderr(&o));
    let hint = hint_after(&out, "make it match your settings:");
    let o = shell(&hint, &elsewhere);
    assert!(o.status.success(), "{hint}: {}", stderr(&o));
    let o = script(&["fixtures", "fixtures.toml"], &root);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    let o = script(&["fixtures"], &root);
    assert_eq!(o.status.code(), Some(0), "as recorded, too: {}{}", stdout(&o), stderr(&o));
    let _ = std::fs::remove_dir_all(&root);
}
