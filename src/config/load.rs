//! Loading: the embedded default or a file, command-line overrides, then validation.
use std::path::Path;

use chrono::NaiveDate;

use super::Config;
use crate::Error;

/// Values the command line may override.
#[derive(Debug, Clone, Copy, Default)]
pub struct Overrides {
    /// `--seed`: replaces the configuration's `seed`.
    pub seed: Option<u64>,
    /// `--as-of`: replaces the configuration's `as_of`, the last day of data.
    pub as_of: Option<NaiveDate>,
}

/// The text of the configuration in `path` (or of the embedded default) and the name errors
/// give it (`<default>` for the embedded one).
pub fn read(path: Option<&Path>) -> Result<(String, String), Error> {
    let file = path.map_or("<default>".to_string(), |p| p.display().to_string());
    match path {
        None => Ok((super::DEFAULT_TOML.to_string(), file)),
        Some(path) => std::fs::read_to_string(path)
            .map(|text| (text, file.clone()))
            .map_err(|e| Error::Config { file, message: format!("cannot read: {e}") }),
    }
}

/// The configuration of TOML `text` (named `file` in errors), with `overrides` applied,
/// validated.
pub fn load_text(text: &str, file: &str, overrides: Overrides) -> Result<Config, Error> {
    let mut config = Config::parse_unvalidated(text, file)?;
    if let Some(seed) = overrides.seed {
        config.seed = seed;
    }
    if let Some(as_of) = overrides.as_of {
        if !(super::limits::FIRST_DATE..=super::limits::LAST_DATE).contains(&as_of) {
            return Err(Error::Usage(format!(
                "--as-of {as_of}: outside the supported dates {}",
                super::limits::date_range()
            )));
        }
        config.as_of = as_of;
    }
    config.validate().map_err(|message| Error::Config { file: file.to_string(), message })?;
    Ok(config)
}

/// Deserializes TOML text strictly; an error reads "line L, column C: key `path`: what".
pub(super) fn deserialize(text: &str) -> Result<Config, String> {
    serde_path_to_error::deserialize(toml::Deserializer::new(text)).map_err(|e| describe(text, &e))
}

/// Says where and what: the line and column toml points at, the key's full path (which
/// serde_path_to_error tracks, so a missing key is not blamed on the first line's key), and
/// the message in the configuration's own terms.
fn describe(text: &str, e: &serde_path_to_error::Error<toml::de::Error>) -> String {
    let inner = e.inner();
    let msg = plain_types(&inner.message().trim().replace('\n', " "));
    let path = e.path().to_string();
    let path = if path == "." { String::new() } else { path };
    let (key, msg) = match msg.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')) {
        Some(field) => {
            let key = if path.is_empty() { field.to_string() } else { format!("{path}.{field}") };
            (Some(key), "missing; this key is required".to_string())
        }
        None if msg.starts_with("invalid type: map, expected a formatted date") => {
            (Some(path), "expected a date in quotes, like \"2026-03-18\"; found an unquoted TOML date".to_string())
        }
        // The message already names the key (unknown fields).
        None if msg.contains(&format!("`{}`", path.rsplit('.').next().unwrap_or_default())) => (None, msg),
        None => (Some(path).filter(|p| !p.is_empty()), msg),
    };
    let at = match inner.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("line {line}, column {col}: ")
        }
        None => String::new(),
    };
    match key {
        Some(k) => format!("{at}key `{k}`: {msg}"),
        None => format!("{at}{msg}"),
    }
}

/// serde names the Rust type a value should have (`expected u64`); a configuration's reader
/// knows numbers.
fn plain_types(msg: &str) -> String {
    const WORDS: [(&str, &str); 7] = [
        ("u64", "a whole number, 0 or more"),
        ("u32", "a whole number, 0 or more"),
        ("u16", "a whole number, 0 or more"),
        ("u8", "a whole number, 0 or more"),
        ("usize", "a whole number, 0 or more"),
        ("f64", "a number"),
        ("i64", "a whole number"),
    ];
    match msg.rsplit_once("expected ") {
        Some((head, ty)) => match WORDS.iter().find(|(rust, _)| *rust == ty) {
            Some((_, words)) => format!("{head}expected {words}"),
            None => msg.to_string(),
        },
        None => msg.to_string(),
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_type_is_named_in_words() {
        let text = crate::config::DEFAULT_TOML.replace("seed = 42", "seed = \"x\"");
        let err = deserialize(&text).unwrap_err();
        assert!(err.ends_with("key `seed`: invalid type: string \"x\", expected a whole number, 0 or more"), "{err}");
        let text = crate::config::DEFAULT_TOML.replace("weekly_pulls = 330", "weekly_pulls = \"many\"");
        let err = deserialize(&text).unwrap_err();
        assert!(
            err.ends_with("key `namespaces[0].weekly_pulls`: invalid type: string \"many\", expected a number"),
            "{err}"
        );
        assert_eq!(
            plain_types("invalid value: integer `-1`, expected u32"),
            "invalid value: integer `-1`, expected a whole number, 0 or more"
        );
        assert_eq!(plain_types("expected a formatted date"), "expected a formatted date");
    }
}
