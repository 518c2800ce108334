//! Property tests over configuration parsing and name validation: random mutations of the
//! default configuration never panic, every rejection is one `file: ...` line, and an accepted
//! configuration generates a whole mock; every
//! accepted name is safe as a path segment and inside a WireMock regex.
use rand::{Rng, SeedableRng};

use dvp_mock::config::{check_name, Config, NameKind, DEFAULT_TOML};

const ITERATIONS: usize = 20_000;

#[test]
fn mutated_configs_never_panic_and_errors_are_one_line() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(2024);
    let tokens =
        ["=", "\"", "[", "]", "{", "}", ",", "\n", "-1", "1e999", "nan", "\"2026-02-30\"", "x", "🦀", "[[users]]", "0"];
    let base: Vec<char> = DEFAULT_TOML.chars().collect();
    let (mut accepted, mut rejected) = (0, 0);
    let mut distinct = std::collections::BTreeSet::new();
    let mut usable = Vec::new();
    for _ in 0..ITERATIONS {
        let mut text = base.clone();
        for _ in 0..rng.random_range(1..4) {
            let at = rng.random_range(0..text.len());
            match rng.random_range(0..3) {
                0 => {
                    let n = rng.random_range(1..8).min(text.len() - at);
                    text.drain(at..at + n);
                }
                1 => {
                    let t = tokens[rng.random_range(0..tokens.len())];
                    for (i, c) in t.chars().enumerate() {
                        text.insert(at + i, c);
                    }
                }
                _ => {
                    let c = char::from(rng.random_range(32u8..127));
                    text[at] = c;
                }
            }
        }
        let text: String = text.into_iter().collect();
        match std::panic::catch_unwind(|| Config::parse(&text, "fuzz.toml")) {
            Ok(Ok(c)) => {
                accepted += 1;
                if distinct.insert(format!("{c:?}")) {
                    usable.push((c, text));
                }
            }
            Ok(Err(e)) => {
                rejected += 1;
                let msg = e.to_string();
                assert!(msg.starts_with("fuzz.toml: "), "{msg}");
                assert!(!msg.contains('\n'), "one line: {msg:?}");
            }
            Err(_) => panic!("parsing panicked on:\n{text}"),
        }
    }
    assert!(accepted > 0 && rejected > ITERATIONS / 2, "accepted {accepted}, rejected {rejected}");
    assert!(usable.len() > 1, "only {} distinct accepted configurations", usable.len());
    for (c, text) in usable.into_iter().take(MAX_GENERATED) {
        assert_accepted_config_generates(c, &text);
    }
}

/// How many distinct accepted configurations are generated in full (the first, in seed order).
const MAX_GENERATED: usize = 12;

/// What an accepted configuration promises: `generate` builds its world and every file of its
/// mock without a panic or an error (a configuration whose mock would exceed the size guard
/// is only estimated, as `generate` does before refusing it).
fn assert_accepted_config_generates(c: Config, text: &str) {
    let estimate = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| dvp_mock::size::estimate::of_config(&c)))
        .unwrap_or_else(|_| panic!("the size estimate panicked on an accepted configuration:\n{text}"));
    if estimate.bytes > 64 << 20 {
        return;
    }
    let options = dvp_mock::Options { target: dvp_mock::wiremock::Target::Standalone, jobs: 1, corpus: true };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        dvp_mock::generate(&c, &options, &dvp_mock::sink::NullSink, None)
    }));
    match result {
        Ok(Ok(g)) => assert!(!g.tree.is_empty() && !g.corpus.is_empty(), "an empty mock from:\n{text}"),
        Ok(Err(e)) => panic!("generate failed on an accepted configuration ({e}):\n{text}"),
        Err(_) => panic!("generate panicked on an accepted configuration:\n{text}"),
    }
}

#[test]
fn accepted_names_are_safe_everywhere() {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(99);
    let alphabet: Vec<char> = "abcAZ09._-/\\%?#*+()[]{}|^$ \u{e9}\u{0}".chars().collect();
    let mut accepted = 0;
    for _ in 0..ITERATIONS * 5 {
        let len = rng.random_range(0..12);
        let name: String = (0..len).map(|_| alphabet[rng.random_range(0..alphabet.len())]).collect();
        for kind in [NameKind::Namespace, NameKind::Repo, NameKind::Tag, NameKind::Username] {
            if check_name(&name, kind).is_ok() {
                accepted += 1;
                assert!(!name.is_empty() && name != "." && name != "..");
                assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')), "{name:?}");
                assert!(!name.starts_with('.') && !name.starts_with('-'), "{name:?}");
            }
        }
    }
    assert!(accepted > 100);
}
