//! Loading: the embedded default or a file, command-line overrides, then validation.
use std::path::Path;

use chrono::NaiveDate;

use super::Config;
use crate::Error;

/// Values the command line may override.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    pub seed: Option<u64>,
    pub as_of: Option<NaiveDate>,
}

/// The configuration in `path` (or the embedded default), with `overrides` applied, validated.
pub fn load(path: Option<&Path>, overrides: Overrides) -> Result<Config, Error> {
    let file = path.map_or("<default>".to_string(), |p| p.display().to_string());
    let mut config = match path {
        None => Config::default_config(),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Error::Config { file: file.clone(), message: format!("cannot read: {e}") })?;
            Config::parse(&text, &file)?
        }
    };
    if let Some(seed) = overrides.seed {
        config.seed = seed;
    }
    if let Some(as_of) = overrides.as_of {
        config.as_of = as_of;
    }
    config.validate().map_err(|message| Error::Config { file, message })?;
    Ok(config)
}
