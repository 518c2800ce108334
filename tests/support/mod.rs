pub mod wiremock;

use std::path::{Path, PathBuf};

use dvp_mock::config::Config;
use dvp_mock::model::Model;
use dvp_mock::routes::{self, Built};
use dvp_mock::target::{self, Tree};

/// The default model, built once per test binary.
pub fn default_model() -> &'static Model {
    static MODEL: std::sync::OnceLock<Model> = std::sync::OnceLock::new();
    MODEL.get_or_init(|| Model::build(Config::default_config(), 2))
}

/// Stubs, files and corpus of the default model, built once.
pub fn default_built() -> &'static Built {
    static BUILT: std::sync::OnceLock<Built> = std::sync::OnceLock::new();
    BUILT.get_or_init(|| routes::build(default_model()))
}

pub fn default_tree() -> Tree {
    target::standalone(&default_built().mock)
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
