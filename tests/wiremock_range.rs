//! The oldest WireMock version the mock supports (the pinned newest serves every other test;
//! `generate --reload` is tested with the user's own stubs, in tests/own_stubs.rs).
use crate::safety::{run, stderr};
use crate::support::{self, wiremock::WireMock};

#[test]
fn verify_passes_on_the_oldest_supported_wiremock() {
    let dir = support::write_temp("range-oldest", &support::default_tree());
    let wm = WireMock::start_version(support::wiremock::OLDEST_SUPPORTED, &dir);
    assert_eq!(wm.stub_count(), dvp_mock::wiremock::stub_count(&support::default_tree()));
    let o = run(&["verify", "--url", &wm.base_url()], &dir);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(o.status.code(), Some(0), "{out}{}", stderr(&o));
    let last = out.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
}
