//! Every key of the configuration types is documented in docs/configuration.md, and every flag
//! of every command in README.md or docs/. The key list comes from the types themselves: a serde
//! `Deserializer` that records the field names each `deserialize_struct` is given, following
//! every nested struct, list and option; the flags from each command's `--help`.
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::path::Path;

use serde::de::value::{Error, MapDeserializer, SeqDeserializer, StrDeserializer};
use serde::de::{DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use serde::Deserialize;

use dvp_mock::config::Config;

/// A date that is also a Monday and a valid name: every leaf string gets it.
const LEAF: &str = "2026-01-05";

/// Records `prefix + field` for every struct field it is asked for, and feeds plausible values.
struct Recorder<'r> {
    prefix: String,
    keys: &'r RefCell<BTreeSet<String>>,
}

impl<'r> Recorder<'r> {
    fn at(&self, prefix: String) -> Recorder<'r> {
        Recorder { prefix, keys: self.keys }
    }
}

/// The fields of one struct, each with a recorder for its value.
struct Fields<'r> {
    fields: std::slice::Iter<'static, &'static str>,
    current: &'static str,
    parent: Recorder<'r>,
}

impl<'de> MapAccess<'de> for Fields<'_> {
    type Error = Error;
    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        let Some(f) = self.fields.next() else { return Ok(None) };
        self.current = f;
        seed.deserialize(StrDeserializer::<Error>::new(f)).map(Some)
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(self.parent.at(format!("{}{}.", self.parent.prefix, self.current)))
    }
}

impl<'de> Deserializer<'de> for Recorder<'_> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_str(LEAF)
    }
    fn deserialize_bool<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_bool(false)
    }
    fn deserialize_i8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(1)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(1)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(1)
    }
    fn deserialize_i64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_i64(1)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(1)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(1)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(1)
    }
    fn deserialize_u64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_u64(1)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(1.0)
    }
    fn deserialize_f64<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_f64(1.0)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_some(self)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _: &'static str, v: V) -> Result<V::Value, Error> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        let element = self.at(format!("{}[].", self.prefix.trim_end_matches('.')));
        v.visit_seq(SeqDeserializer::new(std::iter::once(element)))
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, Error> {
        v.visit_map(MapDeserializer::new(std::iter::empty::<(&str, &str)>()))
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        self.keys.borrow_mut().extend(fields.iter().map(|f| format!("{}{f}", self.prefix)));
        v.visit_map(Fields { fields: fields.iter(), current: "", parent: self })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, Error> {
        v.visit_enum(variants[0].into_deserializer())
    }

    serde::forward_to_deserialize_any! {
        i128 u128 char str string bytes byte_buf unit unit_struct
        tuple tuple_struct identifier ignored_any
    }
}

impl<'de> IntoDeserializer<'de, Error> for Recorder<'_> {
    type Deserializer = Self;
    fn into_deserializer(self) -> Self {
        self
    }
}

/// Every key of the configuration file, as dotted paths (`namespaces[].repos[].name`).
pub fn config_keys() -> BTreeSet<String> {
    let keys = RefCell::new(BTreeSet::new());
    Config::deserialize(Recorder { prefix: String::new(), keys: &keys })
        .unwrap_or_else(|e| panic!("the key recorder could not walk the configuration types: {e}"));
    keys.into_inner()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

#[test]
fn every_configuration_key_is_in_docs_configuration_md() {
    let keys = config_keys();
    assert!(keys.len() > 30 && keys.contains("seed") && keys.contains("namespaces[].repos[].name"), "{keys:?}");
    let doc = read("docs/configuration.md");
    let missing: Vec<&String> = keys.iter().filter(|k| !doc.contains(&format!("`{k}`"))).collect();
    assert!(missing.is_empty(), "docs/configuration.md does not name these keys (as `path`): {missing:?}");
}

/// The flags of `dvp-mock <cmd> --help` (long names), for every command `--help` lists.
fn flags() -> BTreeSet<(String, String)> {
    let help = |args: &[&str]| {
        let o = std::process::Command::new(env!("CARGO_BIN_EXE_dvp-mock")).args(args).output().unwrap();
        assert!(o.status.success(), "{args:?}");
        String::from_utf8(o.stdout).unwrap()
    };
    let top = help(&["--help"]);
    let commands: Vec<String> = top
        .split_once("Commands:")
        .expect("a Commands: section")
        .1
        .lines()
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 6, "{commands:?}");
    let mut out = BTreeSet::new();
    for cmd in commands {
        // Option lines: `      --seed <SEED>   description` or `  -h, --help`.
        for line in help(&[&cmd, "--help"]).lines().map(str::trim_start) {
            let Some(spec) = line.strip_prefix("--").or_else(|| line.split_once(", --").map(|(_, r)| r)) else {
                continue;
            };
            let name = spec.split([' ', '=', '<']).next().unwrap();
            if name != "help" && name != "version" && !name.is_empty() {
                out.insert((cmd.clone(), format!("--{name}")));
            }
        }
    }
    out
}

#[test]
fn every_flag_of_every_command_is_in_the_docs() {
    let mut docs = read("README.md");
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            docs.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    let flags = flags();
    assert!(flags.len() > 15, "{flags:?}");
    // Documented = named on a line that also names the command (`dvp-mock <cmd> ... --flag`, or
    // a table row or sentence about `<cmd>`).
    let missing: Vec<String> = flags
        .iter()
        .filter(|(cmd, flag)| {
            !docs.lines().any(|l| {
                l.contains(flag.as_str())
                    && l.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').any(|w| w == cmd)
                    && l.split(|c: char| c.is_whitespace() || "`,;()|[]=".contains(c)).any(|w| w == flag)
            })
        })
        .map(|(cmd, flag)| format!("{cmd} {flag}"))
        .collect();
    assert!(missing.is_empty(), "flags no line of README.md or docs/ names with their command: {missing:?}");
}

/// docs/ cites nothing outside the repository: no reference material that is not shipped.
#[test]
fn docs_cite_nothing_outside_the_repository() {
    for e in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&p).unwrap();
            for needle in ["FACTS", "/work/", "shared/reference"] {
                assert!(!text.contains(needle), "{} cites {needle}", p.display());
            }
        }
    }
}
