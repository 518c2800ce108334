//! The canonical form of a configuration: what a mock was made from, independent of how the
//! TOML was written (key order, comments, defaults spelled out or left out).
//!
//! It is the configuration as JSON, every default filled in, keys in declaration order. Its
//! hash names a configuration in the manifest (`output::manifest`) and in the fingerprint the
//! mock serves (`routes::fingerprint`); its keys name the settings two configurations differ in.
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Config;

/// How a mock was made, as far as its bytes depend on it: the seed, the "today", and the hash
/// of everything else. No tool version: a release that changes no output byte changes no
/// fingerprint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint {
    /// The seed the mock was generated with.
    pub seed: u64,
    /// The last day of data the mock serves.
    pub as_of: NaiveDate,
    /// `sha1:` and the hex SHA-1 of the canonical form without `seed`, `as_of` and
    /// `cloud_budget_bytes` (which limits the Cloud file and changes no answer).
    pub config: String,
    /// `load` for a tree of the load profile (`generate --profile load`); absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
}

/// The configuration as canonical JSON.
pub(crate) fn canonical(config: &Config) -> Value {
    serde_json::to_value(config).expect("a configuration serialises")
}

/// The fingerprint of `config`.
pub fn fingerprint(config: &Config) -> Fingerprint {
    let mut v = canonical(config);
    if let Value::Object(m) = &mut v {
        m.remove("seed");
        m.remove("as_of");
        // A limit on the Cloud file, not a property of any answer (like --max-bytes).
        m.remove("cloud_budget_bytes");
    }
    let bytes = serde_json::to_vec(&v).expect("JSON values serialise");
    Fingerprint {
        seed: config.seed,
        as_of: config.as_of,
        config: format!("sha1:{}", sha1_smol::Sha1::from(bytes).digest()),
        profile: None,
    }
}

/// One setting two configurations differ in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The key's path, as errors name it: `seed`, `namespaces[1].weekly_pulls`.
    pub(crate) key: String,
    /// Its value in the first and the second configuration (compact JSON, `-` when absent).
    pub(crate) values: (String, String),
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {} -> {}", self.key, self.values.0, self.values.1)
    }
}

/// The settings in which `a` and `b` differ, in declaration order.
pub fn differences(a: &Config, b: &Config) -> Vec<Difference> {
    let mut out = Vec::new();
    diff("", &canonical(a), &canonical(b), &mut out);
    out
}

fn short(v: Option<&Value>) -> String {
    let text = match v {
        None => "-".to_string(),
        Some(Value::Array(a)) => format!("[{} entries]", a.len()),
        Some(Value::Object(_)) => "{...}".to_string(),
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(37).collect::<String>())
    } else {
        text
    }
}

fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<Difference>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys = x.keys().chain(y.keys().filter(|k| !x.contains_key(*k)));
            for k in keys {
                let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                match (x.get(k), y.get(k)) {
                    (Some(va), Some(vb)) => diff(&p, va, vb, out),
                    (va, vb) => out.push(Difference { key: p, values: (short(va), short(vb)) }),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ => out.push(Difference { key: path.to_string(), values: (short(Some(a)), short(Some(b))) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_settings_written_differently_have_one_fingerprint() {
        let a = Config::default_config();
        let text = crate::config::DEFAULT_TOML.replace("clients = ", "# a comment\nclients = ");
        let b = Config::parse(&text, "b").unwrap();
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert!(differences(&a, &b).is_empty());
    }

    #[test]
    fn differences_name_each_setting_with_both_values() {
        let a = Config::default_config();
        let mut b = a.clone();
        b.seed = 7;
        b.namespaces[1].weekly_pulls = 150.0;
        b.users.pop();
        let d: Vec<String> = differences(&a, &b).iter().map(ToString::to_string).collect();
        let users = a.users.len();
        assert_eq!(
            d,
            [
                "seed 42 -> 7".to_string(),
                "namespaces[1].weekly_pulls 110.0 -> 150.0".to_string(),
                format!("users [{users} entries] -> [{} entries]", users - 1)
            ]
        );
        assert_eq!(
            fingerprint(&a).config,
            {
                let mut c = b.clone();
                c.namespaces[1].weekly_pulls = 110.0;
                c.users = a.users.clone();
                fingerprint(&c).config
            },
            "the seed is not part of the configuration hash"
        );
        assert_ne!(fingerprint(&a).config, fingerprint(&b).config);
        let mut c = a.clone();
        c.cloud_budget_bytes = 1;
        assert_eq!(fingerprint(&a), fingerprint(&c), "a limit, not an answer");
        assert_eq!(differences(&a, &c).len(), 1, "but a setting check names");
    }
}
