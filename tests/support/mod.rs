pub mod wiremock;

use std::path::{Path, PathBuf};

use dvp_mock::config::Config;
use dvp_mock::model::Model;
use dvp_mock::routes::Built;
use dvp_mock::target::{self, Tree};

/// The default model, built once per test binary.
pub fn default_model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| Model::build(Config::default_config(), 2))
}

/// Stubs, corpus and the whole standalone tree of the default model, built once.
fn default_output() -> &'static (Built, Tree) {
    static OUT: std::sync::OnceLock<(Built, Tree)> = std::sync::OnceLock::new();
    OUT.get_or_init(|| dvp_mock::standalone_in_memory(default_model()).unwrap())
}

pub fn default_built() -> &'static Built {
    &default_output().0
}

pub fn default_tree() -> Tree {
    default_output().1.clone()
}

/// The default Cloud import file under `budget`.
pub fn default_cloud(budget: u64) -> Result<Tree, dvp_mock::Error> {
    let streamed = default_output()
        .1
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("__files/").map(|k| (k.to_string(), v.clone())))
        .collect();
    target::cloud(&default_built().mock, &streamed, budget)
}

/// A fresh, empty scratch directory under the target dir.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `tree` into a fresh scratch directory.
pub fn write_scratch(name: &str, tree: &Tree) -> PathBuf {
    let dir = scratch(name);
    dvp_mock::output::write(&dir, tree, false).unwrap();
    dir
}
