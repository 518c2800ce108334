//! The source layout keeps its promises: no file over 600 lines, and data flows one way (a
//! stage never imports a later one), read from the `crate::` paths each file names.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn src() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    sources(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn no_source_file_is_over_600_lines() {
    let long: Vec<String> = src()
        .iter()
        .filter(|(_, text)| text.lines().count() > 600)
        .map(|(path, text)| format!("{path}: {} lines", text.lines().count()))
        .collect();
    assert!(long.is_empty(), "{long:?}");
}

/// The stage of a top-level module of the crate (engine modules are also reachable at the root).
fn stage(module: &str) -> &str {
    match module {
        "calendar" | "events" | "jobs" | "jwt" | "memory" | "model" | "pass" | "rng" | "stats" | "world" => "engine",
        m => m,
    }
}

/// The stages a file's `crate::` paths reach (in code; comments may point anywhere).
fn imports(text: &str) -> BTreeSet<String> {
    let code: String = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && name.chars().next().unwrap().is_ascii_lowercase() {
            out.insert(stage(&name).to_string());
        }
    }
    out
}

#[test]
fn each_stage_imports_only_earlier_stages() {
    // What each stage may not name: the stages after it.
    let forbidden: [(&str, &[&str]); 7] = [
        ("src/config/", &["engine", "render", "views", "routes", "wiremock", "output", "check", "verify", "sink"]),
        ("src/engine/", &["render", "views", "routes", "wiremock", "output", "check", "verify", "sink", "corpus"]),
        ("src/views/", &["render", "routes", "wiremock", "output", "check", "verify", "sink", "corpus"]),
        ("src/render/", &["routes", "wiremock", "output", "check", "verify"]),
        ("src/wiremock/", &["config", "engine", "views", "render", "routes", "output", "check", "verify", "corpus"]),
        ("src/sink.rs", &["output", "check", "wiremock", "routes", "render"]),
        ("src/output.rs", &["check", "verify", "routes", "render"]),
    ];
    let mut wrong = Vec::new();
    for (path, text) in src() {
        for (prefix, stages) in forbidden {
            if path.starts_with(prefix) {
                for s in imports(&text).into_iter().filter(|s| stages.contains(&s.as_str())) {
                    wrong.push(format!("{path} names crate::{s}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the flow: {wrong:?}");
}
