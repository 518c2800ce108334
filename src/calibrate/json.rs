//! Pull-series JSON, streamed: `PullData` (`{"pulls":[...]}` or `null`) from a namespace or
//! repository pulls endpoint, `ReposPullData` (`{"repos":{"ns/repo":{"pulls":[...]}}}`), and
//! the store scripts keep (`{"<end>":{"pullCount":..,"ipCount":..}}`, one key per week).
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::series::{bump, parse_day, period_of, Inputs, Names};

/// Reads one JSON input into `inputs`; the error is "line L, column C: what".
pub(crate) fn read(reader: impl std::io::Read, names: &Names, inputs: &mut Inputs) -> Result<(), String> {
    let mut de = serde_json::Deserializer::from_reader(reader);
    Top { names, inputs }.deserialize(&mut de).and_then(|()| de.end()).map_err(|e| {
        let text = e.to_string();
        let what = text.rsplit_once(" at line ").map_or(text.as_str(), |(w, _)| w);
        format!("line {}, column {}: {what}", e.line(), e.column())
    })
}

struct Top<'a> {
    names: &'a Names,
    inputs: &'a mut Inputs,
}

impl<'de> DeserializeSeed<'de> for Top<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Top<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a pull series object (`pulls`, `repos`, or weeks keyed by their `end`)")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "pulls" => map.next_value_seed(Pulls {
                    path: String::new(),
                    ns: None,
                    repo: None,
                    names: self.names,
                    inputs: self.inputs,
                })?,
                "repos" => map.next_value_seed(Repos { names: self.names, inputs: self.inputs })?,
                _ => {
                    let Some(end) = parse_day(&key) else {
                        return Err(de::Error::custom(format!(
                            "field `{key}`: not a pull series (expected `pulls`, `repos`, or weeks keyed by their `end` date)"
                        )));
                    };
                    let item: EndItem = map.next_value()?;
                    let start = end - chrono::Days::new(6);
                    let (start, _) = period_of(start, end)
                        .map_err(|m| de::Error::custom(format!("field `{key}`: {m} (an `end` key is a Sunday)")))?;
                    let pulls = count(&key, "pullCount", item.pull_count)?;
                    let ips = count(&key, "ipCount", item.ip_count)?;
                    let (ns, repo) = self.names.default_repo();
                    self.inputs.acc(&ns, &repo).holes_ok = true;
                    self.inputs.add(&ns, &repo, start, false, pulls, Some(ips), &format!("field `{key}`"));
                }
            }
        }
        Ok(())
    }
}

fn count<E: de::Error>(at: &str, field: &str, n: i64) -> Result<u64, E> {
    u64::try_from(n).map_err(|_| E::custom(format!("field `{at}.{field}`: negative count {n}")))
}

#[derive(Deserialize)]
struct EndItem {
    #[serde(rename = "pullCount")]
    pull_count: i64,
    #[serde(rename = "ipCount")]
    ip_count: i64,
}

#[derive(Deserialize)]
struct Item {
    start: String,
    end: String,
    #[serde(default)]
    repo: Option<String>,
    #[serde(default)]
    namespace: Option<String>,
    #[serde(rename = "pullCount")]
    pull_count: i64,
    #[serde(rename = "ipCount")]
    ip_count: i64,
    #[serde(default)]
    country: Option<String>,
}

/// `{"ns/repo": {"pulls": ...}, ...}`
struct Repos<'a> {
    names: &'a Names,
    inputs: &'a mut Inputs,
}

impl<'de> DeserializeSeed<'de> for Repos<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Repos<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object keyed by `namespace/repo`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            let Some((ns, repo)) = key.split_once('/') else {
                return Err(de::Error::custom(format!("field `repos.{key}`: expected a `namespace/repo` key")));
            };
            let (ns, repo) = (Some(ns.to_string()), Some(repo.to_string()));
            map.next_value_seed(PullData { ns, repo, names: self.names, inputs: self.inputs })?;
        }
        Ok(())
    }
}

/// `{"pulls": ...}` inside `repos`.
struct PullData<'a> {
    ns: Option<String>,
    repo: Option<String>,
    names: &'a Names,
    inputs: &'a mut Inputs,
}

impl<'de> DeserializeSeed<'de> for PullData<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for PullData<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object with `pulls`")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "pulls" {
                let (ns, repo) = (self.ns.clone(), self.repo.clone());
                let path = format!("repos.{}/{}.", ns.as_deref().unwrap_or(""), repo.as_deref().unwrap_or(""));
                map.next_value_seed(Pulls { path, ns, repo, names: self.names, inputs: self.inputs })?;
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `[item, ...]` or `null`.
struct Pulls<'a> {
    /// Path of the array in the document (`` or `repos.ns/repo.`), for error messages.
    path: String,
    ns: Option<String>,
    repo: Option<String>,
    names: &'a Names,
    inputs: &'a mut Inputs,
}

impl<'de> DeserializeSeed<'de> for Pulls<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Pulls<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of pull items or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        while let Some(item) = seq.next_element::<Item>()? {
            let at = format!("{}pulls[{i}]", self.path);
            i += 1;
            let day = |s: &str, field: &str| {
                parse_day(s).ok_or_else(|| de::Error::custom(format!("field `{at}.{field}`: `{s}` is not a date")))
            };
            let (start, end) = (day(&item.start, "start")?, day(&item.end, "end")?);
            let (start, month) =
                period_of(start, end).map_err(|m| de::Error::custom(format!("field `{at}.start`: {m}")))?;
            let pulls = count(&at, "pullCount", item.pull_count)?;
            let ips = count(&at, "ipCount", item.ip_count)?;
            let ns = self.ns.clone().or(item.namespace.clone()).or(self.names.ns.clone());
            let (ns, repo) = match (&self.repo, &item.repo) {
                (Some(r), _) | (None, Some(r)) => (ns.unwrap_or_else(|| self.names.default_repo().0), r.clone()),
                // A namespace-level item (group=namespace).
                (None, None) => (ns.unwrap_or_else(|| self.names.default_repo().0), String::new()),
            };
            self.inputs.add(&ns, &repo, start, month, pulls, Some(ips), &format!("field `{at}`"));
            if let Some(c) = &item.country {
                bump(&mut self.inputs.acc(&ns, &repo).countries, c, pulls);
            }
        }
        Ok(())
    }
}
