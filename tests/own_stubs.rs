//! A user's own stubs beside the mock: never touched by `generate` or `check`, served by the
//! real WireMock at the default priority without being shadowed by the mock's fallbacks, kept
//! through `generate --reload`, and `verify` still passes. A tree of the earlier flat layout
//! migrates without loss.
use std::path::Path;

use crate::safety::{run, stderr};
use crate::support::{self, wiremock::WireMock};
use dvp_mock::dvp_api::priority;
use dvp_mock::dvp_api::{ANALYTICS, PROXY};

/// A user's stub under the mock's analytics root, at WireMock's default priority (none set),
/// with its body in a file of its own; and a second one in a subfolder, inline.
fn add_user_stubs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let stub = format!(
        r#"{{"request": {{"method": "GET", "urlPath": "{ANALYTICS}/my/own/path"}},
 "response": {{"status": 200, "bodyFileName": "mine/answer.json", "headers": {{"Content-Type": "application/json"}}}}}}"#
    );
    let files = [
        ("mappings/my-stub.json", stub.into_bytes()),
        ("__files/mine/answer.json", br#"{"mine": true}"#.to_vec()),
        (
            "mappings/team/other.json",
            br#"{"request": {"method": "GET", "url": "/team/health"}, "response": {"status": 200, "body": "ok"}}"#
                .to_vec(),
        ),
    ];
    for (rel, bytes) in &files {
        std::fs::create_dir_all(dir.join(rel).parent().unwrap()).unwrap();
        std::fs::write(dir.join(rel), bytes).unwrap();
    }
    files.iter().map(|(r, b)| (r.to_string(), b.clone())).collect()
}

fn assert_untouched(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (rel, bytes) in files {
        assert_eq!(&std::fs::read(dir.join(rel)).unwrap(), bytes, "{rel} changed");
    }
    let manifest = dvp_mock::output::manifest::Manifest::read(dir).unwrap().unwrap();
    for (rel, _) in files {
        assert!(!manifest.files.contains(rel), "the manifest claims {rel}");
    }
}

#[test]
fn own_stubs_beside_the_mock_are_kept_served_and_never_shadowed() {
    let dir = support::temp_dir("own-stubs");
    let mine = add_user_stubs(&dir);
    let o = run(&["generate", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_untouched(&dir, &mine);
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0), "check ignores them: {}", stderr(&o));
    // Regenerating (another world) replaces only the mock's folders.
    let o = run(&["generate", "--quiet", "--seed", "7"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_untouched(&dir, &mine);
    assert!(run(&["generate", "--quiet"], &dir).status.success());

    let wm = WireMock::start(&dir);
    let emitted = dvp_mock::wiremock::stub_count(&support::default_tree());
    assert_eq!(wm.stub_count(), emitted + 2, "WireMock loads the mock's subfolder and the user's stubs");
    // Without a token the mock answers 401 to anything under its root, but below the
    // default priority: the user's stub wins.
    let resp = wm.get(&format!("{ANALYTICS}/my/own/path"));
    assert_eq!((resp.status, resp.text()), (200, r#"{"mine": true}"#.to_string()), "{}", wm.logs());
    assert_eq!(wm.get("/team/health").text(), "ok");
    let resp = wm.get(&format!("{ANALYTICS}/my/other/path"));
    assert_eq!(resp.status, 401, "the mock's fallback still answers what the user did not stub");

    // `generate --reload` makes the running server serve the regenerated tree, the user's
    // stubs still among them, and the whole corpus of the new world passes there.
    let series = format!("{PROXY}/namespaces/acme/pulls");
    let before = wm.get(&series);
    assert_eq!(before.status, 200, "{}", before.text());
    let o = run(&["generate", "--seed", "7", "--reload", &wm.base_url()], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let expected = format!("reloaded WireMock: it now serves {} stubs", emitted + 2);
    assert!(stderr(&o).lines().any(|l| l == expected), "{}", stderr(&o));
    assert_untouched(&dir, &mine);
    let after = wm.get(&series);
    assert_eq!(after.status, 200);
    assert_ne!(after.body, before.body, "the new seed's series is served");
    assert_eq!(wm.get("/team/health").text(), "ok");
    let o = run(&["verify", "--seed", "7", "--url", &wm.base_url()], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).ends_with(" passed, 0 failed\n"));
}

/// Every answer that only applies when nothing better matched (a 400 after the success
/// stubs missed, 401, 403, 404, 405) ranks below WireMock's default priority.
#[test]
fn every_fallback_ranks_below_the_default_priority() {
    let tree = support::default_tree();
    let mut seen = 0;
    for (path, bytes) in tree.iter().filter(|(k, _)| k.starts_with("mappings/")) {
        let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let p = v["priority"].as_u64().unwrap() as u32;
        let status = v["response"]["status"].as_u64().unwrap_or(200);
        let targeted =
            ["--guard--", "/fault--", "--expired", "--2fa-challenge", "auth-token--bad-request", "--locked-out"]
                .iter()
                .any(|t| path.contains(t));
        if status >= 400 && !targeted {
            seen += 1;
            assert!(p > priority::USER_DEFAULT, "{path}: fallback at priority {p}");
        }
        if p > priority::USER_DEFAULT {
            assert!(status >= 400, "{path}: a success below the default priority ({p})");
        }
    }
    assert!(seen > 20, "only {seen} fallbacks");
}

#[test]
fn a_flat_layout_tree_migrates_without_loss() {
    let dir = support::temp_dir("own-migrate");
    assert!(run(&["generate", "--quiet"], &dir).status.success());
    // Rewrite it as the earlier layout wrote it: stubs directly in mappings/, bodies in
    // __files/dvp/, the manifest listing those paths.
    let manifest = dvp_mock::output::manifest::Manifest::read(&dir).unwrap().unwrap();
    let mut legacy = String::from("# files generated by dvp-mock; `generate` replaces only these\n");
    for rel in &manifest.files {
        let old = rel.replacen("mappings/dvp-mock/", "mappings/", 1).replacen("__files/dvp-mock/", "__files/dvp/", 1);
        std::fs::create_dir_all(dir.join(&old).parent().unwrap()).unwrap();
        std::fs::rename(dir.join(rel), dir.join(&old)).unwrap();
        legacy.push_str(&old);
        legacy.push('\n');
    }
    std::fs::remove_dir_all(dir.join("mappings/dvp-mock")).unwrap();
    std::fs::remove_dir_all(dir.join("__files/dvp-mock")).unwrap();
    std::fs::write(dir.join(".dvp-mock-manifest"), legacy).unwrap();
    let mine = add_user_stubs(&dir);
    std::fs::write(dir.join("__files/dvp/notes.txt"), "the user's, in the old folder").unwrap();

    let o = run(&["generate", "--quiet"], &dir);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_untouched(&dir, &mine);
    assert_eq!(std::fs::read_to_string(dir.join("__files/dvp/notes.txt")).unwrap(), "the user's, in the old folder");
    let mut left: Vec<String> = std::fs::read_dir(dir.join("mappings"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, ["dvp-mock", "my-stub.json", "team"], "the old stubs are gone, the user's stay");
    let left: Vec<_> = std::fs::read_dir(dir.join("__files/dvp")).unwrap().flatten().map(|e| e.file_name()).collect();
    assert_eq!(left, ["notes.txt"], "only the user's file is left in the old body folder");
    let o = run(&["check"], &dir);
    assert_eq!(o.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
}
