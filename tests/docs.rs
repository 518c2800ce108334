//! Every command transcript in README.md and docs/*.md, run against the committed tree.
//!
//! A ```console block is a transcript: each `$ ` line is run with bash, the lines after it are
//! its expected combined stdout + stderr, and a line `...` stands for any number of lines.
//! The blocks of one file run in order in ONE bash session (variables such as `TOKEN` carry
//! over), whose working directory is a fresh scratch copy of the repository root; `dvp-mock` is
//! the binary under test, and `$M` is the base URL of a real WireMock 3.13.2 serving the
//! committed tree. In the output, that base URL is written `$M`. `DVP_DOCS_UPDATE=1` rewrites
//! the expected outputs that differ, in place, for review with `git diff`.
//! The convention for writers is in docs/contributing.md.
mod transcript;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{self, wiremock::WireMock};
use transcript::{diff, matches, parse, refreshed, rewrite, Block};

/// What bash prints between two commands, so one run can be cut back into per-command outputs.
const MARK: &str = "\u{1e}DVP-DOCS-COMMAND-END\u{1e}";
/// One file's transcripts together may take this long, then they are killed.
const FILE_TIMEOUT: Duration = Duration::from_secs(300);
/// Lines of diff shown per failing command.
const DIFF_LINES: usize = 40;
/// README.md is the front page; everything longer belongs in docs/.
const README_MAX_LINES: usize = 250;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// README.md, then docs/*.md in name order.
fn doc_files() -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(repo().join("docs"))
        .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "md")).collect())
        .unwrap_or_default();
    docs.sort();
    std::iter::once(repo().join("README.md")).chain(docs).collect()
}

/// The parts of the repository root a transcript may use, in a fresh directory: copies, but
/// for the 1,500 files of the committed tree (`mappings/`, `__files/`), which are hard links to
/// the repository's own where the scratch root is on the repository's file system (copies
/// elsewhere, e.g. on `/dev/shm`). `generate` replaces files (a new file renamed over the old
/// one), so a transcript may regenerate there; it must never edit one of those files in place.
fn working_folder(name: &str) -> PathBuf {
    let dir = support::scratch(name);
    for entry in [".dvp-mock-manifest", "examples", "src", "tests/data", "Cargo.toml", "Cargo.lock", ".gitignore"] {
        copy(&repo().join(entry), &dir.join(entry), false);
    }
    for entry in ["mappings", "__files"] {
        copy(&repo().join(entry), &dir.join(entry), true);
    }
    dir
}

/// Copies `from` to `to` recursively; files as hard links if `link` (copies where linking fails).
fn copy(from: &Path, to: &Path, link: bool) {
    if from.is_dir() {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            copy(&e.path(), &to.join(e.file_name()), link);
        }
    } else if !(link && std::fs::hard_link(from, to).is_ok()) {
        std::fs::copy(from, to).unwrap_or_else(|e| panic!("copy {}: {e}", from.display()));
    }
}

/// Runs every command of `blocks` in one bash session in `cwd`; one output per command, with
/// the base URL written `$M`. A session cut short (timeout, `exit`) leaves later outputs empty
/// and says so in the last one.
fn run_session(blocks: &[Block], cwd: &Path, base_url: &str) -> Vec<Vec<String>> {
    let mut script = String::from("exec 2>&1 </dev/null\n");
    let count: usize = blocks.iter().map(|b| b.commands.len()).sum();
    for c in blocks.iter().flat_map(|b| &b.commands) {
        script.push_str(&c.text);
        script.push_str(&format!("\nprintf '%s\\n' '{MARK}'\n"));
    }
    let script_file = cwd.join(".docs-transcript.sh");
    let out_file = cwd.join(".docs-transcript.out");
    std::fs::write(&script_file, script).unwrap();
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_dvp-mock")).parent().unwrap().to_path_buf();
    let path = std::env::join_paths(
        std::iter::once(bin_dir).chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    let mut child = Command::new("bash")
        .arg(&script_file)
        .current_dir(cwd)
        .env("PATH", path)
        .env("M", base_url)
        .env("LC_ALL", "C")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_file).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("cannot run bash");
    let deadline = Instant::now() + FILE_TIMEOUT;
    let mut timed_out = false;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let raw = String::from_utf8_lossy(&std::fs::read(&out_file).unwrap()).replace(base_url, "$M");
    let _ = std::fs::remove_file(&script_file);
    let _ = std::fs::remove_file(&out_file);
    let mut outputs: Vec<Vec<String>> =
        raw.split(&format!("{MARK}\n")).map(|chunk| chunk.lines().map(str::to_string).collect()).collect();
    // The text after the last mark belongs to no command (empty when every command ran).
    let trailing = outputs.pop().unwrap_or_default();
    if outputs.len() < count {
        let mut cut = trailing;
        cut.push(format!(
            "[session ended here: {}]",
            if timed_out { format!("timeout after {FILE_TIMEOUT:?}") } else { "bash exited".into() }
        ));
        outputs.push(cut);
        outputs.resize(count, vec!["[not run: the session ended earlier]".into()]);
    }
    outputs
}

/// Runs one file's transcripts; returns its failures (and rewrites it in update mode).
fn check_file(file: &Path, base_url: &str, update: bool) -> Vec<String> {
    let rel = file.strip_prefix(repo()).unwrap().display().to_string();
    let text = std::fs::read_to_string(file).unwrap();
    let blocks = match parse(&text) {
        Ok(b) => b,
        Err(e) => return vec![format!("{rel}: {e}")],
    };
    if blocks.is_empty() {
        return Vec::new();
    }
    let started = Instant::now();
    let cwd = working_folder(&format!("docs-{}", rel.replace(['/', '.'], "-")));
    let copied = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let outputs = run_session(&blocks, &cwd, base_url);
    eprintln!("docs: {rel} ran in {:.1} s (its scratch copy took {copied:.1} s)", started.elapsed().as_secs_f64());
    let _ = std::fs::remove_dir_all(&cwd);
    let mut failures = Vec::new();
    let mut changed = Vec::new();
    let commands = blocks.iter().flat_map(|b| b.commands.iter().map(move |c| (b, c)));
    for ((block, cmd), actual) in commands.zip(outputs) {
        if matches(&cmd.expected, &actual) {
            continue;
        }
        failures.push(format!(
            "{rel}:{} (block at line {}): `{}`\n--- expected (-) vs actual (+):\n{}",
            cmd.line,
            block.line,
            cmd.text,
            diff(&cmd.expected, &actual, DIFF_LINES)
        ));
        changed.push((cmd, actual));
    }
    if update && !changed.is_empty() {
        match rewrite(&text, &changed) {
            Ok(new) => {
                std::fs::write(file, new).unwrap();
                eprintln!("{rel}: rewrote {} expected output(s); review with git diff", changed.len());
                return Vec::new();
            }
            Err(e) => failures.push(format!("{rel}: cannot update: {e}")),
        }
    }
    failures
}

/// The files whose transcripts change the mock's state (scenarios, login lockouts, global
/// settings, added or reloaded stubs): they run one after another on one WireMock of their own,
/// restored to the committed tree's state after each ([`restore`]). The others run on the
/// shared server of the committed tree (read access); a read-only file that leaves a scenario
/// changed fails the test, naming this list.
const STATEFUL: [&str; 4] = ["docs/api.md", "docs/auth.md", "docs/deployment.md", "docs/safety.md"];
/// Workers checking files at the same time: one takes the stateful files in turn, the others
/// the rest. A file's session mostly waits (for WireMock, for `verify`'s replay, for a child
/// `dvp-mock`), so a few at once keep two cores busy.
const WORKERS: usize = 3;

/// What one worker takes from the queue: every stateful file (on their own server, in turn),
/// or one other file.
enum Job {
    Stateful(Vec<PathBuf>),
    Shared(PathBuf),
}

#[test]
fn every_transcript_in_readme_and_docs_passes_against_the_committed_tree() {
    let update = std::env::var_os("DVP_DOCS_UPDATE").is_some_and(|v| v == "1");
    // DVP_DOCS_FILE=docs/api.md runs one file only, to iterate quickly on it.
    let only = std::env::var("DVP_DOCS_FILE").ok();
    let files: Vec<PathBuf> =
        doc_files().into_iter().filter(|f| only.as_ref().is_none_or(|o| f.ends_with(o))).collect();
    assert!(!files.is_empty(), "no documentation file matches DVP_DOCS_FILE={only:?}");
    let (stateful, shared): (Vec<PathBuf>, Vec<PathBuf>) = files.into_iter().partition(|f| is_stateful(f));
    // The stateful files first: together they take longest.
    let jobs = (!stateful.is_empty())
        .then_some(Job::Stateful(stateful))
        .into_iter()
        .chain(shared.into_iter().map(Job::Shared));
    let queue = std::sync::Mutex::new(jobs);
    let failures: Vec<String> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                s.spawn(|| {
                    let mut failures = Vec::new();
                    loop {
                        // Its own statement: the guard is dropped before the job runs.
                        let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
                        match next {
                            None => break,
                            Some(Job::Stateful(files)) => failures.extend(check_stateful(&files, update)),
                            Some(Job::Shared(f)) => failures.extend(check_on_the_shared_server(&f, update)),
                        }
                    }
                    failures
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a documentation worker panicked")).collect()
    });
    assert!(
        failures.is_empty(),
        "{} transcript command(s) failed (DVP_DOCS_UPDATE=1 cargo test docs rewrites them for review):\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

fn is_stateful(file: &Path) -> bool {
    STATEFUL.iter().any(|s| file.ends_with(s))
}

/// Checks the stateful `files` one after another on one WireMock of their own, restoring it
/// after each.
fn check_stateful(files: &[PathBuf], update: bool) -> Vec<String> {
    let wm = WireMock::start(repo());
    let stubs = wm.stub_count();
    let mut failures = Vec::new();
    for file in files {
        failures.extend(check_file(file, &wm.base_url(), update));
        let rel = file.strip_prefix(repo()).unwrap().display().to_string();
        failures.extend(restore(&wm, stubs).into_iter().map(|e| format!("{rel}: {e}")));
    }
    failures
}

/// Puts `wm` back into the state it started in: the stubs of its folder (a file may add,
/// delete or reload stubs), every scenario at its start, no global delay, an empty journal.
/// Fails when that is not what it serves afterwards.
fn restore(wm: &WireMock, stubs: usize) -> Vec<String> {
    let calls = [
        ("POST", "/__admin/mappings/reset", None),
        ("POST", "/__admin/scenarios/reset", None),
        ("POST", "/__admin/settings", Some(&b"{}"[..])),
        ("DELETE", "/__admin/requests", None),
    ];
    let mut failures: Vec<String> = calls
        .iter()
        .map(|(method, path, body)| (method, path, wm.request(method, path, &[], *body).status))
        .filter(|(_, _, status)| *status != 200)
        .map(|(method, path, status)| format!("cannot restore the server: {method} {path} answered {status}"))
        .collect();
    if wm.stub_count() != stubs {
        failures.push(format!("after a restore the server serves {} stubs, not {stubs}", wm.stub_count()));
    }
    failures.extend(changed_scenarios(wm));
    failures
}

/// Checks `file` on the shared server of the committed tree, holding a read lock for this file
/// only (a test waiting for the server alone waits for one file at most).
fn check_on_the_shared_server(file: &Path, update: bool) -> Vec<String> {
    let wm = support::default_wiremock();
    let mut failures = check_file(file, &wm.base_url(), update);
    let rel = file.strip_prefix(repo()).unwrap().display().to_string();
    failures.extend(changed_scenarios(&wm).into_iter().map(|e| format!("{rel}: {e}")));
    failures
}

/// The scenarios of `wm` not in their start state, as failures.
fn changed_scenarios(wm: &WireMock) -> Vec<String> {
    let r = wm.get("/__admin/scenarios");
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
    v["scenarios"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["state"] != "Started")
        .map(|s| {
            format!(
                "scenario {} was left in state {} by a file that runs on the shared server: reset it there, \
                 or add the file to STATEFUL in tests/docs.rs",
                s["name"], s["state"]
            )
        })
        .collect()
}

#[test]
fn the_readme_stays_short() {
    let n = std::fs::read_to_string(repo().join("README.md")).unwrap().lines().count();
    assert!(n <= README_MAX_LINES, "README.md has {n} lines; at most {README_MAX_LINES}: move detail to docs/");
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

#[test]
fn dots_match_any_number_of_lines_including_none() {
    let pat = lines("a\n...\nz");
    assert!(matches(&pat, &lines("a\nz")));
    assert!(matches(&pat, &lines("a\nb\nz")));
    assert!(matches(&pat, &lines("a\nb\nc\nz")));
    assert!(!matches(&pat, &lines("a\nb")), "the line after ... is still required");
    assert!(!matches(&pat, &lines("x\nb\nz")), "the line before ... is still required");
    assert!(matches(&lines("..."), &[]));
    assert!(matches(&lines("..."), &lines("x\ny")));
    assert!(matches(&lines("a\n..."), &lines("a\nb\nc")));
    assert!(matches(&lines("...\nc"), &lines("a\nb\nc")));
    assert!(matches(&lines("a\n...\nb\n...\nc"), &lines("a\nx\nb\ny\nb\nc")), "backtracks to the last ...");
    assert!(!matches(&lines("a\n...\nb\n...\nc"), &lines("a\nc\nb")));
}

#[test]
fn without_dots_every_line_must_be_equal() {
    assert!(matches(&lines("a\nb"), &lines("a\nb")));
    assert!(!matches(&lines("a\nb"), &lines("a\nb\nc")), "an extra line fails");
    assert!(!matches(&lines("a\nb"), &lines("a")), "a missing line fails");
    assert!(!matches(&lines("a"), &lines("a ")), "trailing spaces count");
    assert!(!matches(&lines("a..."), &lines("abc")), "... inside a line is literal");
    assert!(matches(&[], &[]));
    assert!(!matches(&[], &lines("x")), "no expected lines means no output");
}

#[test]
fn a_console_block_without_a_command_is_rejected() {
    let err = parse("text\n\n```console\nsome output\n```\n").unwrap_err();
    assert!(err.contains("line 3") && err.contains("`$ `"), "{err}");
    let err = parse("```console\n```\n").unwrap_err();
    assert!(err.contains("no `$ ` command line"), "{err}");
    assert!(parse("```console\n$ true\n").unwrap_err().contains("never closed"));
    // ```sh and other blocks are not transcripts.
    assert_eq!(parse("```sh\ncargo test\n```\n```text\nout\n```\n").unwrap(), vec![]);
    // A console block shown inside a longer fence is an example, not a transcript.
    assert_eq!(parse("````markdown\n```console\n$ false\n```\n````\n").unwrap(), vec![]);
}

#[test]
fn a_block_is_cut_into_commands_with_their_expected_lines() {
    let doc = "# t\n\n  ```console\n  $ echo a \\\n    b\n  a b\n\n  $ true\n  ```\n";
    let blocks = parse(doc).unwrap();
    assert_eq!(blocks.len(), 1);
    assert_eq!(blocks[0].line, 3);
    let c = &blocks[0].commands;
    assert_eq!((c[0].line, c[0].text.as_str()), (4, "echo a \\\n  b"));
    assert_eq!(c[0].expected, vec!["a b".to_string(), String::new()]);
    assert_eq!((c[1].line, c[1].expected.len()), (8, 0));
}

#[test]
fn update_mode_rewrites_only_the_output_and_keeps_the_shape_of_dots() {
    let doc = "intro\n```console\n$ seq 5\n1\n...\n5\n$ echo hi\nho\n```\nend\n";
    let blocks = parse(doc).unwrap();
    let (seq, echo) = (&blocks[0].commands[0], &blocks[0].commands[1]);
    assert_eq!(refreshed(&seq.expected, &lines("1\n2\n3\n4\n6")), lines("1\n...\n6"));
    assert_eq!(refreshed(&seq.expected, &lines("7")), lines("7"), "too short to keep the shape");
    let new = rewrite(doc, &[(seq, lines("1\n2\n9")), (echo, lines("hi"))]).unwrap();
    assert_eq!(new, "intro\n```console\n$ seq 5\n1\n...\n9\n$ echo hi\nhi\n```\nend\n");
    let err = rewrite(doc, &[(echo, lines("$ not output"))]).unwrap_err();
    assert!(err.contains("cannot hold"), "{err}");
}

#[test]
fn the_diff_marks_what_is_missing_and_what_is_new() {
    let d = diff(&lines("a\nb\nc"), &lines("a\nx\nc"), 10);
    assert_eq!(d, " a\n+x\n-b\n c");
    let d = diff(&lines("a"), &lines("b\nc\nd"), 2);
    assert!(d.ends_with("[... 2 more diff lines]"), "{d}");
}

/// The README says how many tests `cargo test` leaves out (`#[ignore]`, run by CI's release
/// step); the count is read from the test files, so a new ignored test makes this fail.
#[test]
fn the_readme_counts_the_ignored_tests() {
    let mut ignored = Vec::new();
    for entry in std::fs::read_dir(repo().join("tests")).unwrap().flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            let n = text.lines().filter(|l| l.trim_start().starts_with("#[ignore")).count();
            ignored.extend(std::iter::repeat_n(path.display().to_string(), n));
        }
    }
    let words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    let word = words.get(ignored.len()).copied().unwrap_or("many");
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let said = format!("`cargo test` runs every test but {word} ");
    assert!(readme.contains(&said), "README.md must say {said:?}: ignored tests in {ignored:?}");
}
