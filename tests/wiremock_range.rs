//! The WireMock versions the mock is tested on (the oldest supported and the pinned newest),
//! and `generate --reload`, which makes a running WireMock serve a regenerated tree.
use crate::safety::{run, stderr};
use crate::support::{self, wiremock::WireMock};
use dvp_mock::dvp_api::PROXY;

fn verify_all(base: &str, extra: &[&str]) {
    let dir = support::temp_dir("range-verify");
    let mut args = vec!["verify", "--url", base];
    args.extend_from_slice(extra);
    let o = run(&args, &dir);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let last = out.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}

#[test]
fn verify_passes_on_the_oldest_supported_wiremock() {
    let dir = support::write_temp("range-oldest", &support::default_tree());
    let wm = WireMock::start_version(support::wiremock::OLDEST_SUPPORTED, &dir);
    assert_eq!(wm.stub_count(), dvp_mock::wiremock::stub_count(&support::default_tree()));
    verify_all(&wm.base_url(), &[]);
}

#[test]
fn reload_makes_a_running_wiremock_serve_the_regenerated_tree() {
    let dir = support::temp_dir("range-reload");
    assert!(run(&["generate", "--quiet"], &dir).status.success());
    let wm = WireMock::start(&dir);
    let series = format!("{PROXY}/namespaces/acme/pulls");
    let before = wm.get(&series);
    assert_eq!(before.status, 200, "{}", before.text());

    let o = run(&["generate", "--seed", "7", "--reload", &wm.base_url()], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let stubs = dvp_mock::wiremock::stub_count(&support::default_tree());
    let expected = format!("reloaded WireMock: it now serves {stubs} stubs");
    assert!(stderr(&o).lines().any(|l| l == expected), "{}", stderr(&o));
    let after = wm.get(&series);
    assert_eq!(after.status, 200);
    assert_ne!(after.body, before.body, "the new seed's series is served");
    verify_all(&wm.base_url(), &["--seed", "7"]);
}
