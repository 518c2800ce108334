//! The source layout keeps its promises: no file over 600 lines, data flows one way (a module
//! names only the stages before its own, in the order [`STAGES`] declares once), and no two
//! sibling files name each other, even through others. Read from the paths each file names:
//! `crate::`, `dvp_mock::`, `super::` and `self::` paths, grouped imports (`use crate::{a, b}`)
//! included; comments and string literals are skipped.
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The order data flows through the crate, lowest first: every module of `src/` belongs to
/// one stage and names only its own stage and earlier ones. Declared here, once; the crate
/// doc (`src/lib.rs`) and docs/design.md list the same names in the same order (checked
/// below), as `name/` for a folder and `name.rs` for a file.
pub const STAGES: &[&str] = &[
    "error",
    "units",
    "sink",
    "config",
    "engine",
    "bodies",
    "dvp_api",
    "corpus",
    "body_files",
    "wiremock",
    "routes",
    "lib",
    "output",
    "check",
    "http",
    "verify",
    "size",
    "preview",
    "calibrate",
    "cmd",
];

/// Items of the crate root and the stage that defines them, read from src/lib.rs: an item it
/// defines (`pub fn generate`) is `lib`'s, one it re-exports (`pub use error::Error`) is the
/// stage of the module it comes from.
fn root_items() -> &'static [(String, &'static str)] {
    static ITEMS: std::sync::OnceLock<Vec<(String, &'static str)>> = std::sync::OnceLock::new();
    ITEMS.get_or_init(|| {
        let lib = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
        let mut items = Vec::new();
        for line in lib.lines() {
            let words: Vec<&str> = line.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).collect();
            match words.as_slice() {
                ["pub", "use", path, ..] => {
                    let parts: Vec<&str> = path.split("::").collect();
                    let stage = STAGES
                        .iter()
                        .find(|s| **s == parts[0])
                        .unwrap_or_else(|| panic!("src/lib.rs re-exports {path}: its module has no stage in STAGES"));
                    items.push((parts.last().unwrap().to_string(), *stage));
                }
                ["pub", "fn" | "struct" | "enum" | "const" | "static" | "type" | "trait", name, ..] => {
                    items.push((name.to_string(), "lib"));
                }
                _ => {}
            }
        }
        items
    })
}

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

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every source file: (path relative to the crate, text), in path order.
fn src() -> Vec<(String, String)> {
    let mut files = Vec::new();
    sources(&root().join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root()).unwrap().to_string_lossy().replace('\\', "/");
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

/// The tokens of Rust source that paths are made of: identifiers, `::` and single punctuation
/// characters; comments, string, byte-string, raw-string and character literals are dropped.
fn tokens(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let (mut out, mut i) = (Vec::new(), 0);
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    while i < c.len() {
        let ch = c[i];
        if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            loop {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else if i >= c.len() {
                    break;
                } else {
                    i += 1;
                }
            }
        } else if (ch == 'r' || (ch == 'b' && at(i + 1) == 'r')) && raw_string_start(&c, i).is_some() {
            let (hashes, body) = raw_string_start(&c, i).unwrap();
            i = body;
            while i < c.len() && !(c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#')) {
                i += 1;
            }
            i += 1 + hashes;
        } else if ch == '"' || (ch == 'b' && at(i + 1) == '"') {
            i += if ch == 'b' { 2 } else { 1 };
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if ch == '\'' {
            // A character literal ('x', '\n', '\u{..}') or a lifetime ('a): skip the former.
            if at(i + 1) == '\\' {
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1;
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(c[start..i].iter().collect());
        } else if ch == ':' && at(i + 1) == ':' {
            out.push("::".to_string());
            i += 2;
        } else {
            if !ch.is_whitespace() {
                out.push(ch.to_string());
            }
            i += 1;
        }
    }
    out
}

/// At a raw string (`r"`, `r#"`, `br#"` ...): its number of `#` and where its text starts.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i + if c[i] == 'b' { 2 } else { 1 };
    if i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_') {
        return None;
    }
    let hashes = c[j..].iter().take_while(|&&h| h == '#').count();
    j += hashes;
    (c.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

/// The module path of a source file of the library (`src/routes/mod.rs` -> `routes`), or
/// `None` for the binary (`src/main.rs`, `src/cmd/`).
fn module_of(path: &str) -> Option<Vec<String>> {
    let rel = path.strip_prefix("src/").unwrap().strip_suffix(".rs").unwrap();
    if rel == "main" || rel.starts_with("cmd/") {
        return None;
    }
    let mut segments: Vec<String> = rel.split('/').map(str::to_string).collect();
    if segments.last().is_some_and(|s| s == "mod" || s == "lib") {
        segments.pop();
    }
    Some(segments)
}

/// Expands the path tree at `toks[i..]` (after a `prefix::`) into full paths: `a::b`,
/// `{a, b::{c, d}}` ... `self` inside a group names the prefix itself.
fn expand(toks: &[String], mut i: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    if toks.get(i).is_some_and(|t| t == "{") {
        i += 1;
        while i < toks.len() && toks[i] != "}" {
            if toks[i] == "," {
                i += 1;
                continue;
            }
            let next = expand(toks, i, prefix.clone(), out);
            i = next.max(i + 1);
        }
        return i + 1;
    }
    let mut path = prefix;
    while let Some(t) = toks.get(i).filter(|t| t.chars().all(|c| c.is_alphanumeric() || c == '_')) {
        if t != "self" {
            path.push(t.clone());
        }
        i += 1;
        if toks.get(i).is_some_and(|t| t == "::") && toks.get(i + 1).is_some_and(|t| t == "{") {
            return expand(toks, i + 1, path, out);
        }
        if toks.get(i).is_some_and(|t| t == "::") {
            i += 1;
        } else {
            break;
        }
    }
    // `a::*`, `a as b`: the path is `a`.
    if toks.get(i).is_some_and(|t| t == "*") {
        i += 1;
    } else if toks.get(i).is_some_and(|t| t == "as") {
        i += 2;
    }
    out.push(path);
    i
}

/// Every path of the library a file names, absolute from the crate root (`["bodies",
/// "reports", "pct"]`). `module` is the file's module path (`None` for the binary, whose
/// `dvp_mock::` paths are the library's and whose `crate::` paths are its own, not listed).
fn named_paths(text: &str, module: Option<&[String]>) -> Vec<Vec<String>> {
    let toks = tokens(text);
    let mut out = Vec::new();
    // Inline modules (`mod tests { ... }`) open at a brace depth: `super::` climbs them first.
    let (mut depth, mut inline): (usize, Vec<(usize, String)>) = (0, Vec::new());
    let lib_root = module.is_some_and(<[String]>::is_empty);
    let mut i = 0;
    while i < toks.len() {
        let t = toks[i].as_str();
        let after_colons = i > 0 && toks[i - 1] == "::";
        match t {
            "{" => depth += 1,
            "}" => {
                depth -= 1;
                if inline.last().is_some_and(|(d, _)| *d == depth) {
                    inline.pop();
                }
            }
            "mod" if toks.get(i + 2).is_some_and(|t| t == "{") => {
                inline.push((depth, toks[i + 1].clone()));
                i += 2;
                continue;
            }
            _ => {}
        }
        let here: Option<Vec<String>> =
            module.map(|m| m.iter().cloned().chain(inline.iter().map(|(_, name)| name.clone())).collect());
        let base: Option<(Vec<String>, usize)> = match (t, &here) {
            _ if after_colons || toks.get(i + 1).is_none_or(|n| n != "::") => None,
            ("dvp_mock", None) => Some((Vec::new(), i + 2)),
            ("crate", Some(_)) => Some((Vec::new(), i + 2)),
            ("self", Some(h)) => Some((h.clone(), i + 2)),
            ("super", Some(h)) => {
                let mut up = 0;
                while toks.get(i + 2 * up) == Some(&"super".to_string()) && toks[i + 2 * up + 1] == "::" {
                    up += 1;
                }
                Some((h[..h.len() - up].to_vec(), i + 2 * up))
            }
            // At the crate root, a top-level module is named without `crate::`.
            (name, _) if lib_root && STAGES.contains(&name) => Some((Vec::new(), i)),
            _ => None,
        };
        match base {
            Some((prefix, at)) => i = expand(&toks, at, prefix, &mut out),
            None => i += 1,
        }
    }
    out
}

/// The stage of an absolute path of the library, or `Err` naming what no stage holds.
fn stage_of(path: &[String]) -> Result<&'static str, String> {
    let first = path.first().map_or("", String::as_str);
    if let Some(s) = STAGES.iter().find(|s| **s == first) {
        return Ok(s);
    }
    root_items().iter().find(|(item, _)| item == first).map(|(_, s)| *s).ok_or_else(|| format!("crate::{first}"))
}

/// A file's own stage.
fn own_stage(path: &str) -> &'static str {
    match module_of(path) {
        None => "cmd",
        Some(m) if m.is_empty() => "lib",
        Some(m) => stage_of(&m).unwrap_or_else(|e| panic!("{path}: the module {e} has no stage in STAGES")),
    }
}

fn rank(stage: &str) -> usize {
    STAGES.iter().position(|s| *s == stage).unwrap()
}

#[test]
fn each_module_names_only_its_own_and_earlier_stages() {
    let mut wrong = Vec::new();
    for (path, text) in src() {
        let own = own_stage(&path);
        let module = module_of(&path);
        for named in named_paths(&text, module.as_deref()) {
            match stage_of(&named) {
                Ok(stage) if rank(stage) > rank(own) => {
                    wrong.push(format!("{path} ({own}) names {} ({stage})", named.join("::")))
                }
                Ok(_) => {}
                Err(e) => wrong.push(format!("{path} names {e}, which no stage in STAGES holds")),
            }
        }
    }
    assert!(wrong.is_empty(), "imports against the declared order: {wrong:#?}");
}

#[test]
fn every_module_of_src_has_a_stage() {
    let mut top: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("src")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        top.insert(name.trim_end_matches(".rs").to_string());
    }
    top.remove("main"); // the binary's root: with cmd/
    let declared: BTreeSet<String> = STAGES.iter().map(|s| s.to_string()).collect();
    assert_eq!(top, declared, "the top-level modules of src/ and STAGES differ");
}

/// The stage names listed by the first ```text block after `marker` in `file`: the first
/// word of each line that does not start with a space (`config/` -> `config`).
fn listed_order(file: &str, marker: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(file)).unwrap();
    let from = text.find(marker).unwrap_or_else(|| panic!("{file}: no {marker:?}"));
    let block = text[from..].split_once("```text\n").unwrap_or_else(|| panic!("{file}: no text block")).1;
    let block = block.split_once("```").unwrap().0;
    block
        .lines()
        .map(|l| l.trim_start_matches("//!").strip_prefix(' ').unwrap_or(l.trim_start_matches("//!")))
        .filter(|l| !l.is_empty() && !l.starts_with(' '))
        .map(|l| l.split_whitespace().next().unwrap().trim_end_matches('/').trim_end_matches(".rs").to_string())
        .collect()
}

#[test]
fn the_crate_doc_and_the_design_list_the_stages_in_order() {
    let stages: Vec<String> = STAGES.iter().map(|s| s.to_string()).collect();
    assert_eq!(listed_order("src/lib.rs", "//!"), stages, "src/lib.rs's crate doc");
    assert_eq!(listed_order("docs/design.md", "# Design"), stages, "docs/design.md's first diagram");
}

/// The edges between sibling files of one folder (a file naming another of the same folder;
/// `mod.rs`, the folder itself, is not a sibling), in every folder of `src/`.
fn sibling_edges() -> BTreeMap<String, BTreeSet<(String, String)>> {
    let files = src();
    let modules: BTreeSet<Vec<String>> = files.iter().filter_map(|(p, _)| module_of(p)).collect();
    let mut edges: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    for (path, text) in &files {
        let Some(module) = module_of(path) else { continue };
        if path.ends_with("/mod.rs") || module.is_empty() {
            continue;
        }
        let folder = &module[..module.len() - 1];
        for named in named_paths(text, Some(&module)) {
            if named.len() > folder.len() && named.starts_with(folder) {
                let sibling = named[..=folder.len()].to_vec();
                if sibling != module && modules.contains(&sibling) {
                    let key = if folder.is_empty() { "src".to_string() } else { format!("src/{}", folder.join("/")) };
                    edges
                        .entry(key)
                        .or_default()
                        .insert((module.last().unwrap().clone(), sibling.last().unwrap().clone()));
                }
            }
        }
    }
    edges
}

/// The files of `edges` that reach themselves again.
fn on_a_circle(edges: &BTreeSet<(String, String)>) -> BTreeSet<String> {
    let reaches = |from: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![from.to_string()]);
        while let Some(n) = todo.pop() {
            for (_, to) in edges.iter().filter(|(a, _)| *a == n) {
                if seen.insert(to.clone()) {
                    todo.push(to.clone());
                }
            }
        }
        seen
    };
    edges.iter().map(|(a, _)| a.clone()).filter(|a| reaches(a).contains(a)).collect()
}

#[test]
fn no_two_sibling_files_name_each_other() {
    let mut circles = Vec::new();
    for (folder, edges) in sibling_edges() {
        let on = on_a_circle(&edges);
        if !on.is_empty() {
            let involved: Vec<String> = edges
                .iter()
                .filter(|(a, b)| on.contains(a) && on.contains(b))
                .map(|(a, b)| format!("{a} -> {b}"))
                .collect();
            circles.push(format!("{folder}: {}", involved.join(", ")));
        }
    }
    assert!(circles.is_empty(), "circles between sibling files: {circles:#?}");
}

#[test]
fn the_scanner_reads_grouped_imports_and_climbs_out_of_folders() {
    let text = "use crate::{config::Config, engine::{world, stats::X}, sink as s, output::*};\nuse super::super::routes::Y;\n\
                // crate::cmd in a comment\nlet s = \"crate::preview\";\nmod tests { use super::Z; use super::super::W; }";
    let module = ["bodies".to_string(), "reports".to_string()];
    let named: Vec<String> = named_paths(text, Some(&module)).iter().map(|p| p.join("::")).collect();
    assert_eq!(
        named,
        [
            "config::Config",
            "engine::world",
            "engine::stats::X",
            "sink",
            "output",
            "routes::Y",
            "bodies::reports::Z",
            "bodies::W"
        ]
    );
    // A sibling circle is found through a third file; a chain is not a circle.
    let edges: BTreeSet<(String, String)> =
        [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")].map(|(a, b)| (a.to_string(), b.to_string())).into();
    assert_eq!(on_a_circle(&edges), ["a", "b", "c"].map(String::from).into());
}

/// docs/design.md's module map: one row per source file, `` | `src/x.rs` | lines | what | ``,
/// with its true line count. `DVP_LAYOUT_UPDATE=1` rewrites the counts instead of failing.
#[test]
fn the_module_map_lists_every_source_file_with_its_line_count() {
    let design = root().join("docs/design.md");
    let text = std::fs::read_to_string(&design).unwrap();
    let actual: BTreeMap<String, usize> = src().into_iter().map(|(p, t)| (p, t.lines().count())).collect();
    let (mut listed, mut wrong, mut out) = (BTreeSet::new(), Vec::new(), Vec::new());
    for line in text.lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let file = cells.get(1).and_then(|c| c.strip_prefix('`')).and_then(|c| c.strip_suffix('`'));
        match (file, cells.get(2).and_then(|n| n.parse::<usize>().ok())) {
            (Some(file), Some(n)) if file.starts_with("src/") => {
                listed.insert(file.to_string());
                let true_n = actual.get(file).copied();
                if true_n != Some(n) {
                    wrong.push(format!("{file}: {n} lines listed, {true_n:?} true"));
                }
                out.push(line.replacen(&format!("| {n} |"), &format!("| {} |", true_n.unwrap_or(n)), 1));
            }
            _ => out.push(line.to_string()),
        }
    }
    let unlisted: Vec<&String> = actual.keys().filter(|f| !listed.contains(*f)).collect();
    if std::env::var_os("DVP_LAYOUT_UPDATE").is_some() {
        std::fs::write(&design, out.join("\n") + "\n").unwrap();
    } else {
        assert!(wrong.is_empty(), "docs/design.md's module map (DVP_LAYOUT_UPDATE=1 rewrites it): {wrong:#?}");
    }
    assert!(unlisted.is_empty(), "source files missing from docs/design.md's module map: {unlisted:?}");
}
