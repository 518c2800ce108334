//! The load profile (`generate --profile load --base-url URL`): the default tree's data at the
//! same paths, shaped for throughput. It is built from the default build and rewritten:
//!
//! - what a request would render is fixed at generation: links on the base URL, signed at
//!   midnight of `as_of` (`load/fixed.rs`); one token per principal, which the logins answer
//!   and the data routes accept by exact match;
//! - what costs every request and serves no data is dropped: the faults and the gate every
//!   stub carried for them, the login lockout scenarios, the expired-link stubs (a fixed link
//!   never expires);
//! - every stub gets its own priority, in the order of how often a client asks (see
//!   `load/order.rs`): WireMock tries the stubs one by one, and within one priority a standalone
//!   tree's order is the file system's.
//!
//! `docs/performance-serving.md` lists what the profile drops and why.
use std::collections::BTreeMap;

use super::{Built, Options};
use crate::body_files::REPORTS_DIR;
use crate::dvp_api::{EXPORT_DL, FAULT_HEADER, FAULT_SCENARIO, REPORT_DL};
use crate::engine::model::Model;
use crate::engine::period_pass::Progress;
use crate::engine::world::World;
use crate::sink::Sink;
use crate::wiremock::request::{alternation, regex_escape, Matcher, Request, Url};
use crate::wiremock::stub::{Body, Mock, Stub};
use crate::Error;

/// The key suffix of the export listings' file sets (see `routes::exports`).
const LISTINGS: &str = "/dataview";

/// The query parameter of a signed link that carries its signature.
const SIGNATURE: &str = "X-Amz-Signature";

/// Any signature: the profile's download stubs ask for one, not for the file's own.
const ANY_SIGNATURE: &str = "^[0-9a-f]{64}$";

mod corpus;
mod fixed;
mod order;

use fixed::{Fixed, FixingSink};

/// Renders `world` into `sink` and builds the load profile's stubs and corpus (the corpus: the
/// default one, minus what the profile drops, with its tokens and expected links fixed the
/// same way).
pub fn generate(
    world: World,
    jobs: usize,
    sink: &dyn Sink,
    progress: Option<&Progress>,
    corpus: bool,
    base_url: &str,
) -> Result<(Model, Built), Error> {
    let fixed = Fixed::new(&world, base_url);
    let newest = newest_periods(&world);
    // Report CSVs and the newest listings are served from their stubs: keep their bytes.
    let keep = |path: &str| path.starts_with(REPORTS_DIR) || newest.iter().any(|p| path.contains(p.as_str()));
    let sink = FixingSink { inner: sink, fixed: &fixed, keep: &keep, kept: Default::default() };
    let rendered = crate::body_files::render(&world, jobs, &sink, progress)?;
    let model = Model { world, summaries: rendered.summaries };
    let built = super::build(&model, rendered.bodies, &sink, Options { download_variants: true, corpus })?;
    let rewrites = fixed.bearer_rewrites(&model);
    let Mock { stubs, mut files, .. } = built.mock;
    files.extend(sink.into_kept());
    let downloads = download_files(&stubs);
    let stubs = report_files(newest_listings_first(stubs, &newest));
    let mut out = Vec::with_capacity(stubs.len());
    for mut s in stubs.into_iter().filter(|s| !dropped(s)) {
        ungate(&mut s);
        exact_tokens(&mut s, &rewrites);
        fix_response(&mut s, &fixed, &mut files);
        signed_download(&mut s, &downloads);
        name_the_profile(&mut s);
        out.push(s);
    }
    let mock = order::serving_order(Mock { stubs: out, files, expanded_priority: None });
    let corpus = corpus::load_corpus(built.corpus, &fixed);
    Ok((model, Built { mock, corpus }))
}

/// The fingerprint (`dvp_api::FINGERPRINT`) of a load tree says `"profile": "load"`, so `verify`
/// tells a load tree from a default one in one line.
fn name_the_profile(s: &mut Stub) {
    if s.key == FINGERPRINT_KEY {
        if let Body::Text(t) = &mut s.response.body {
            *t = with_profile(t);
        }
    }
}

/// The stub key of the fingerprint.
const FINGERPRINT_KEY: &str = "dvp-mock/fingerprint";

/// A fingerprint body with `"profile": "load"` added.
pub(super) fn with_profile(body: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(body).expect("the fingerprint is JSON");
    v["profile"] = serde_json::Value::from("load");
    v.to_string()
}

/// `/{year}/{timespantype}/{timespan}/` of the newest week and the newest month: the listings
/// an incremental export job asks for on every run (the older ones, once).
fn newest_periods(world: &World) -> Vec<String> {
    let cal = &world.calendar;
    [cal.weeks.last(), cal.months.last()]
        .into_iter()
        .flatten()
        .map(|p| format!("/{}/{}/{}/", p.path_year(), p.granularity.api(), p.path_number()))
        .collect()
}

/// The listings of the newest periods out of their file set, one stub each with its own file
/// (inlined by the serving form: nothing to compile or read per request), keyed
/// `{set}/newest/{period}/{view}` so [`order`] serves them early.
fn newest_listings_first(stubs: Vec<Stub>, newest: &[String]) -> Vec<Stub> {
    let mut out = Vec::with_capacity(stubs.len());
    for mut s in stubs {
        if s.key.ends_with(LISTINGS) && !s.key.starts_with("head/") {
            if let Body::FileSet { variants, .. } = &mut s.response.body {
                let (hot, rest): (Vec<_>, Vec<_>) = std::mem::take(variants)
                    .into_iter()
                    .partition(|v| newest.iter().any(|p| format!("/{}", v.label).starts_with(p.as_str())));
                *variants = rest;
                for v in hot {
                    let mut r = s.response.clone();
                    r.body = Body::File(v.file);
                    let key = format!("{}/newest/{}", s.key, v.label);
                    out.push(Stub::new(key, format!("{} [{}]", s.name, v.label), s.priority, v.request, r));
                }
            }
        }
        out.push(s);
    }
    out
}

/// The report downloads as one stub per file (reports are small and few): the file by its
/// path, any signature, the file's own `Content-Disposition`; its body inline when small.
/// Nothing is compiled per request, where the default tree's one stub per namespace picks
/// the file with a template. The HEAD twin keeps one stub per namespace.
fn report_files(stubs: Vec<Stub>) -> Vec<Stub> {
    let mut out = Vec::with_capacity(stubs.len());
    for s in stubs {
        let Body::FileSet { variants, .. } = &s.response.body else {
            out.push(s);
            continue;
        };
        if !(s.key.starts_with(&REPORT_DL[1..]) && s.key.ends_with("/download")) {
            out.push(s);
            continue;
        }
        for v in variants {
            let mut r = s.response.clone();
            r.body = Body::File(v.file.clone());
            r.headers = r
                .headers
                .iter()
                .map(|(k, h)| v.headers.iter().find(|(n, _)| n == k).unwrap_or(&(k.clone(), h.clone())).clone())
                .collect();
            r.templated = false;
            r.raw_body_file = false;
            let ns = s.key.split('/').nth(1).unwrap_or_default();
            let request = Request::get(Url::path(format!("{REPORT_DL}/{ns}/{}", v.label)))
                .query(SIGNATURE, Matcher::matches(ANY_SIGNATURE));
            out.push(Stub::new(
                format!("{}/{}", s.key, v.label),
                format!("{} [{}]", s.name, v.label),
                s.priority,
                request,
                r,
            ));
        }
    }
    out
}

/// Whether the profile leaves `s` out: a fault, a login lockout step, an expired-link answer.
fn dropped(s: &Stub) -> bool {
    let key = s.key.strip_prefix("head/").unwrap_or(&s.key);
    let lockout = s.scenario.as_ref().is_some_and(|(name, _)| name != FAULT_SCENARIO);
    key.starts_with("fault/") || lockout || key.ends_with("/expired")
}

/// Removes the fault gate: the fault-header matcher and the fault scenario.
fn ungate(s: &mut Stub) {
    if s.scenario.as_ref().is_some_and(|(name, _)| name == FAULT_SCENARIO) {
        s.scenario = None;
    }
    let strip = |request: &mut Request| request.headers.remove(FAULT_HEADER);
    strip(&mut s.request);
    if let Body::FileSet { variants, .. } = &mut s.response.body {
        variants.iter_mut().for_each(|v| strip(&mut v.request));
    }
}

/// Replaces every bearer regex of the default tree by the load profile's exact tokens.
fn exact_tokens(s: &mut Stub, rewrites: &[(Matcher, Matcher)]) {
    let swap = |request: &mut Request| {
        if let Some(a) = request.headers.get_mut("Authorization") {
            if let Some((_, load)) = rewrites.iter().find(|(default, _)| default == a) {
                *a = load.clone();
            }
        }
    };
    swap(&mut s.request);
    if let Body::FileSet { variants, .. } = &mut s.response.body {
        variants.iter_mut().for_each(|v| swap(&mut v.request));
    }
}

/// Fixes what the response would render per request, where the answer is known now.
fn fix_response(s: &mut Stub, fixed: &Fixed, files: &mut BTreeMap<String, Vec<u8>>) {
    let listing = s.key.ends_with(LISTINGS);
    let r = &mut s.response;
    for (_, v) in r.headers.iter_mut().filter(|(_, v)| v.contains("{{request.baseUrl}}")) {
        *v = fixed.text(v);
    }
    match &mut r.body {
        // Logins: the token a template minted becomes the credential's fixed token.
        Body::Text(t) if r.body_templated => {
            *t = fixed.tokens_in(t);
            r.body_templated = t.contains("{{");
        }
        // The report catalogue: its links.
        Body::File(f) if r.body_templated => {
            let text = String::from_utf8(files[f.as_str()].clone()).expect("JSON is UTF-8");
            files.insert(f.clone(), fixed.text(&text).into_bytes());
            r.body_templated = false;
        }
        // Export listings: fixed as they went to the sink; the file name stays a template.
        Body::FileSet { .. } if listing => {
            r.body_templated = false;
            r.raw_body_file = true;
        }
        _ => {}
    }
    r.templated = r.headers.iter().any(|(_, v)| v.contains("{{")) || matches!(r.body, Body::FileSet { .. });
}

/// The files each download stub serves (by its key), read from the variants of its file set.
fn download_files(stubs: &[Stub]) -> BTreeMap<String, Vec<String>> {
    stubs
        .iter()
        .filter(|s| s.key.ends_with("/download"))
        .filter_map(|s| match &s.response.body {
            Body::FileSet { variants, .. } => Some((s.key.clone(), variants.iter().map(|v| v.label.clone()).collect())),
            _ => None,
        })
        .collect()
}

/// A download stub of the load profile: the namespace's files by path, any signature. The
/// default tree checks each file's own signature and the link's date with one large regex and
/// a date matcher; the profile's links are fixed, so it only asks for a signature.
fn signed_download(s: &mut Stub, downloads: &BTreeMap<String, Vec<String>>) {
    let key = s.key.strip_prefix("head/").unwrap_or(&s.key).to_string();
    let Some(files) = downloads.get(&key) else { return };
    let Some(prefix) = [EXPORT_DL, REPORT_DL].into_iter().find(|p| key.starts_with(&p[1..])) else { return };
    let ns = key.split('/').nth(1).expect("download keys are {kind}/{namespace}/download");
    if let Body::FileSet { variants, .. } = &mut s.response.body {
        variants.clear();
    }
    let path =
        format!("^{}/{}/{}$", regex_escape(prefix), regex_escape(ns), alternation(files.iter().map(String::as_str)));
    s.request =
        Request::new(s.request.method, Url::path_pattern(path)).query(SIGNATURE, Matcher::matches(ANY_SIGNATURE));
}
