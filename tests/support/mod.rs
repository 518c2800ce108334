pub mod cleanup;
pub mod shared;
pub mod wiremock;

pub use cleanup::TempDir;

use std::path::PathBuf;

use dvp_mock::config::Config;
use dvp_mock::corpus::Case;
use dvp_mock::engine::model::Model;
use dvp_mock::sink::MemorySink;
use dvp_mock::wiremock::{Target, Tree};
use dvp_mock::{Generated, Options};

/// Generates `config` in memory for `target` on `jobs` threads, with the corpus: what was
/// generated, and the whole tree (streamed body files included).
pub fn generate(config: &Config, target: Target, jobs: usize) -> Result<(Generated, Tree), dvp_mock::Error> {
    let sink = MemorySink::default();
    let generated = dvp_mock::generate(config, &Options { target, jobs, corpus: true }, &sink, None)?;
    let tree = generated.with_files(sink);
    Ok((generated, tree))
}

/// The standalone tree of `config`, generated in memory on `jobs` threads.
pub fn tree_of(config: &Config, jobs: usize) -> Tree {
    generate(config, Target::Standalone, jobs).unwrap().1
}

/// Corpus, model and the whole standalone tree of the default configuration, built once.
fn default_output() -> &'static (Generated, Tree) {
    static OUT: std::sync::OnceLock<(Generated, Tree)> = std::sync::OnceLock::new();
    OUT.get_or_init(|| generate(&Config::default_config(), Target::Standalone, 2).unwrap())
}

/// The default model (world and period summaries).
pub fn default_model() -> &'static Model {
    &default_output().0.model
}

/// The request corpus of the default configuration.
pub fn default_corpus() -> &'static [Case] {
    &default_output().0.corpus
}

pub fn default_tree() -> Tree {
    default_output().1.clone()
}

/// The default Cloud import file under `budget` (without a limit: built once).
pub fn default_cloud(budget: u64) -> Result<Tree, dvp_mock::Error> {
    static UNLIMITED: std::sync::OnceLock<Tree> = std::sync::OnceLock::new();
    if budget == u64::MAX {
        return Ok(UNLIMITED.get_or_init(|| default_cloud_generated(budget).unwrap()).clone());
    }
    default_cloud_generated(budget)
}

fn default_cloud_generated(budget: u64) -> Result<Tree, dvp_mock::Error> {
    let mut config = Config::default_config();
    config.cloud_budget_bytes = budget;
    generate(&config, Target::Cloud, 2).map(|(_, tree)| tree)
}

/// One stub of a standalone tree, read back from its mapping file.
#[derive(Debug)]
pub struct MappingInfo {
    pub key: String,
    pub id: String,
    pub name: String,
}

/// Every stub of a standalone tree, in mapping-file order.
pub fn mappings(tree: &Tree) -> Vec<MappingInfo> {
    tree.iter()
        .filter(|(k, _)| k.starts_with("mappings/"))
        .map(|(_, bytes)| {
            let v: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            let text = |x: &serde_json::Value| x.as_str().unwrap().to_string();
            MappingInfo { key: text(&v["metadata"]["key"]), id: text(&v["id"]), name: text(&v["name"]) }
        })
        .collect()
}

/// The WireMock serving the committed tree (the repository root, which a test keeps equal to
/// the default tree), shared by every test for the whole run; read access (see
/// [`shared::Served`]).
pub fn default_wiremock() -> shared::Served {
    committed().read()
}

/// The same server held alone, for a test that changes scenario state (failed logins, the
/// fault scenario, the request corpus); every scenario is reset when it is dropped.
pub fn default_wiremock_exclusive() -> shared::ServedExclusive {
    committed().exclusive()
}

/// The answers of the shared server to the whole request corpus of the default configuration,
/// in corpus order, with the base URL they were sent to: sent once per run (holding the server
/// alone: the corpus counts failed logins), for every test that compares them.
pub fn default_corpus_answers() -> &'static (String, Vec<dvp_mock::verify::Received>) {
    static ANSWERS: std::sync::OnceLock<(String, Vec<dvp_mock::verify::Received>)> = std::sync::OnceLock::new();
    ANSWERS.get_or_init(|| {
        let wm = default_wiremock_exclusive();
        let (agent, base) = (dvp_mock::verify::agent(), wm.base_url());
        let answers = default_corpus()
            .iter()
            .map(|case| dvp_mock::verify::send(&agent, &base, case).unwrap_or_else(|e| panic!("{}: {e}", case.name)))
            .collect();
        (base, answers)
    })
}

/// The cases of the default corpus that reach every stub once: for each stub that answered
/// the corpus on the shared server (WireMock names it in the `Matched-Stub-Id` header), the
/// first case per method and status; and every case that is not a GET or HEAD (logins and
/// scenario resets, kept whole and in order: failed logins count towards a lockout). In
/// corpus order, each with the id of the stub that answered it there.
pub fn one_case_per_stub() -> Vec<(&'static Case, Option<&'static str>)> {
    let (_, answers) = default_corpus_answers();
    let mut seen = std::collections::BTreeSet::new();
    default_corpus()
        .iter()
        .zip(answers)
        .map(|(case, answer)| (case, answer.header("Matched-Stub-Id"), answer.status))
        .filter(|(case, stub, status)| {
            !matches!(case.method.as_str(), "GET" | "HEAD") || seen.insert((*stub, case.method.as_str(), *status))
        })
        .map(|(case, stub, _)| (case, stub))
        .collect()
}

fn committed() -> &'static shared::SharedMock {
    shared::shared("committed", || PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

/// A fresh, empty scratch directory under the scratch root ([`cleanup::scratch_root`]), removed when the test process exits
/// (prefer [`temp_dir`], removed as soon as the test is done).
pub fn scratch(name: &str) -> PathBuf {
    let dir = cleanup::scratch_root().join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    cleanup::remove_at_exit(&dir);
    dir
}

/// A fresh, empty scratch directory removed on drop (also when the test panics).
pub fn temp_dir(name: &str) -> TempDir {
    TempDir::new(name)
}

/// Writes `tree` into a fresh scratch directory (removed at exit; prefer [`write_temp`]).
#[allow(dead_code)]
pub fn write_scratch(name: &str, tree: &Tree) -> PathBuf {
    let dir = scratch(name);
    dvp_mock::output::write(&dir, tree, false).unwrap();
    dir
}

/// Writes `tree` into a fresh directory removed on drop.
pub fn write_temp(name: &str, tree: &Tree) -> TempDir {
    let dir = temp_dir(name);
    dvp_mock::output::write(&dir, tree, false).unwrap();
    dir
}
