//! The WireMock Cloud target: one import file, every body inline, every file set expanded into
//! one stub per variant, within a size budget.
use std::collections::BTreeMap;
use std::sync::Mutex;

use base64::Engine;
use serde_json::{json, Value};

use super::stub::{Body, Mock, Variant};
use super::template::has_expression;
use super::{pretty, response_json, stub_json, Tree, CLOUD_FILE};
use crate::sink::Sink;
use crate::units::{commas, human};
use crate::Error;

fn inline(bytes: &[u8]) -> (&'static str, Value) {
    match std::str::from_utf8(bytes) {
        Ok(s) => ("body", json!(s)),
        Err(_) => ("base64Body", json!(base64::engine::general_purpose::STANDARD.encode(bytes))),
    }
}

/// The stub's headers with the variant's concrete values in place of templated ones.
fn concrete_headers(headers: &[(String, String)], v: &Variant) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, val)| {
            let concrete = v.headers.iter().find(|(name, _)| name == k).map_or(val, |(_, c)| c);
            (k.clone(), concrete.clone())
        })
        .collect()
}

/// One stub of the Cloud file, with the size of its body (for the budget report) and its
/// place in the file.
struct CloudStub {
    json: Value,
    label: String,
    body_bytes: usize,
    order: (u32, u8, usize, usize),
}

/// Where a stub goes in the Cloud file. WireMock tries stubs of one priority in the order of
/// the import file, so the file can order what a standalone tree cannot: within a priority,
/// single stubs first, then the stubs of file sets, smaller sets first. The variants of sets
/// too large to serve early move to `expanded` (see [`Mock::expanded_priority`]), first there:
/// what shares that level (HEAD twins, logins, faults) is disjoint from them and rarer.
fn place(priority: u32, set_size: usize, index: usize, expanded: Option<u32>) -> (u32, u8, usize, usize) {
    match expanded {
        Some(p) if set_size > super::serving::EXPAND_MAX && p > priority => (p, 0, set_size, index),
        _ => (priority, 1, set_size, index),
    }
}

/// What the Cloud file of `mock` holds around its bodies: its stubs (every file set expanded
/// into one stub per distinct file, as [`cloud`] does) and the bytes of the file with every
/// body file empty (inline texts kept), without reading a body. For the dry run's estimate.
pub(crate) fn envelope_of(mock: &Mock) -> (usize, u64) {
    let stubs = cloud_stubs(mock, &|_| &[]);
    let doc = json!({ "mappings": stubs.iter().map(|s| s.json.clone()).collect::<Vec<_>>() });
    (stubs.len(), pretty(&doc).len() as u64)
}

/// The Cloud import file; `streamed` holds the body files rendered through a
/// [`crate::sink::MemorySink`]. Fails when the file would exceed `budget` bytes.
pub fn cloud(mock: &Mock, streamed: &BTreeMap<String, Vec<u8>>, budget: u64) -> Result<Tree, Error> {
    let file = |path: &str| mock.files.get(path).or_else(|| streamed.get(path)).expect("every body file was rendered");
    let stubs = cloud_stubs(mock, &|path| file(path).as_slice());
    let total: usize = stubs.iter().map(|s| s.body_bytes).sum();
    let doc = json!({ "mappings": stubs.iter().map(|s| s.json.clone()).collect::<Vec<_>>() });
    let bytes = pretty(&doc);
    if bytes.len() as u64 > budget {
        let mut by_label: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &stubs {
            *by_label.entry(s.label.as_str()).or_default() += s.body_bytes;
        }
        return Err(over_budget(Some(bytes.len() as u64), budget, total, by_label));
    }
    Ok(Tree::from([(CLOUD_FILE.to_string(), bytes)]))
}

/// The stubs of the Cloud file of `mock` in file order, each body read with `file`.
fn cloud_stubs<'a>(mock: &Mock, file: &dyn Fn(&str) -> &'a [u8]) -> Vec<CloudStub> {
    let mut stubs: Vec<CloudStub> = Vec::new();
    for s in &mock.stubs {
        let r = &s.response;
        match &r.body {
            Body::FileSet { variants, .. } => {
                let variants = super::serving::merge_by_file(variants.clone());
                for v in &variants {
                    let order = place(s.priority, variants.len(), stubs.len(), mock.expanded_priority);
                    let bytes = file(&v.file);
                    let headers = concrete_headers(&r.headers, v);
                    let transform = r.body_templated || headers.iter().any(|(_, h)| has_expression(h));
                    let id =
                        uuid::Uuid::new_v5(&super::stub::ID_NAMESPACE, format!("{}#{}", s.key, v.label).as_bytes());
                    let mut named = s.clone();
                    named.name = format!("{} [{}]", s.name, v.label);
                    named.key = format!("{}#{}", s.key, v.label);
                    named.priority = order.0;
                    stubs.push(CloudStub {
                        json: stub_json(
                            id,
                            &named,
                            &v.request,
                            response_json(r, Some(inline(bytes)), &headers, transform),
                        ),
                        label: s.name.clone(),
                        body_bytes: bytes.len(),
                        order,
                    });
                }
            }
            body => {
                let (b, size) = match body {
                    Body::Empty => (None, 0),
                    Body::Text(t) => (Some(("body", json!(t))), t.len()),
                    Body::File(f) => (Some(inline(file(f))), file(f).len()),
                    Body::FileSet { .. } => unreachable!("handled above"),
                };
                let transform = r.templated || r.body_templated;
                stubs.push(CloudStub {
                    json: stub_json(s.id(), s, &s.request, response_json(r, b, &r.headers, transform)),
                    label: s.name.clone(),
                    body_bytes: size,
                    order: place(s.priority, 1, stubs.len(), None),
                });
            }
        }
    }
    stubs.sort_by_key(|s| s.order);
    stubs
}

/// The error of a Cloud file over `budget`: its `size` (`None` when rendering stopped at the
/// first body over the budget), the body total and the five biggest contributors (body bytes
/// by stub name).
fn over_budget<L: AsRef<str>>(size: Option<u64>, budget: u64, total: usize, by_label: BTreeMap<L, usize>) -> Error {
    let mut top: Vec<(L, usize)> = by_label.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.as_ref().cmp(b.0.as_ref())));
    let list = top
        .iter()
        .take(5)
        .map(|(l, n)| format!("{} ({})", l.as_ref(), human(*n as u64)))
        .collect::<Vec<_>>()
        .join("; ");
    let budget = format!("the budget of {} bytes (cloud_budget_bytes)", commas(budget));
    let what = match size {
        Some(n) => format!(
            "the Cloud import file would be {} bytes ({}), over {budget}; its bodies total {}",
            commas(n),
            human(n),
            human(total as u64)
        ),
        None => format!(
            "the Cloud import file would be over {budget}: its bodies alone passed it at {} bytes, where rendering \
             stopped",
            commas(total as u64)
        ),
    };
    Error::Budget(format!(
        "{what}. Biggest contributors: {list}. Shrink it with a later history_start (fewer periods), lower \
         weekly_pulls, or fewer repositories, or raise cloud_budget_bytes if your plan allows"
    ))
}

/// Keeps the body files the Cloud file will inline, and stops the build at the first one that
/// takes their total over the budget (bodies are a lower bound of the file's size), so a
/// history far too large for the budget fails early instead of after holding every body.
pub struct BudgetSink<'a> {
    budget: u64,
    /// Names the stub that will serve a body file (the contributors of the error message).
    label: &'a (dyn Fn(&str) -> String + Sync),
    state: Mutex<Held>,
}

#[derive(Default)]
struct Held {
    files: BTreeMap<String, Vec<u8>>,
    total: usize,
    by_label: BTreeMap<String, usize>,
    error: Option<Error>,
}

impl<'a> BudgetSink<'a> {
    /// A sink holding bodies up to `budget` bytes in all; `label` names the stub that serves
    /// a path (the contributors of the error message).
    pub fn new(budget: u64, label: &'a (dyn Fn(&str) -> String + Sync)) -> BudgetSink<'a> {
        BudgetSink { budget, label, state: Mutex::default() }
    }

    /// The budget error, once a body went over.
    pub fn take_error(&self) -> Option<Error> {
        self.state.lock().expect("no writer panicked").error.take()
    }

    /// The bodies held, by path under `__files/` (none once over the budget).
    pub fn into_files(self) -> BTreeMap<String, Vec<u8>> {
        self.state.into_inner().expect("no writer panicked").files
    }
}

impl Sink for BudgetSink<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let label = (self.label)(path);
        let mut held = self.state.lock().expect("no writer panicked");
        let refused = || std::io::Error::other("over the Cloud budget");
        if held.error.is_some() {
            return Err(refused());
        }
        held.total += bytes.len();
        *held.by_label.entry(label).or_default() += bytes.len();
        if held.total as u64 > self.budget {
            let by_label = std::mem::take(&mut held.by_label);
            held.error = Some(over_budget(None, self.budget, held.total, by_label));
            held.files.clear();
            return Err(refused());
        }
        held.files.insert(path.to_string(), bytes);
        Ok(())
    }

    fn stopped(&self) -> bool {
        self.state.lock().expect("no writer panicked").error.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_sink_refuses_from_the_first_body_over_budget() {
        let label = |path: &str| path.split('/').next().unwrap_or_default().to_string();
        let sink = BudgetSink::new(10, &label);
        sink.put("a/1", vec![b'x'; 6]).unwrap();
        assert!(!sink.stopped());
        assert!(sink.put("b/1", vec![b'x'; 5]).is_err(), "6 + 5 bytes are over a budget of 10");
        assert!(sink.stopped());
        assert!(sink.put("a/2", vec![b'x'; 1]).is_err(), "refuses everything once over");
        let err = sink.take_error().expect("the budget error").to_string();
        assert!(
            err.contains("over the budget of 10 bytes (cloud_budget_bytes): its bodies alone passed it at 11 bytes"),
            "{err}"
        );
        assert!(err.contains("Biggest contributors: a (6 B); b (5 B)"), "{err}");
        assert!(sink.into_files().is_empty(), "held bodies are released");
    }
}
