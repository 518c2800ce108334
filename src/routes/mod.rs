//! Routes: every API operation as stubs, with the corpus cases that exercise them, built from
//! the model and the body files the render pass produced. Routes render nothing heavy: the
//! JSON bodies they write are listings, envelopes and the pull series (pure views of the
//! summaries).
//!
//! The order of [`build`] is the API's table of contents, and also the order of the stubs in
//! the Cloud import file. Priorities, paths and messages are named once in [`crate::dvp_api`].
use std::collections::BTreeMap;

use crate::body_files::{Bodies, EXPORTS_DIR, REPORTS_DIR};
use crate::corpus::Case;
use crate::dvp_api::{self, Root, EXPORT_DL, REPORT_DL};
use crate::engine::jwt;
use crate::engine::model::Model;
use crate::engine::rng;
use crate::engine::world::User;
use crate::sink::Sink;
use crate::wiremock::request::{regex_escape, Matcher};
use crate::wiremock::stub::{Mock, Stub};
use crate::wiremock::template::Template;
use crate::Error;

mod auth_token;
mod discovery;
mod downloads;
mod exports;
mod faults;
mod fingerprint;
mod guards;
mod head_twins;
pub mod load;
mod login;
mod not_found;
mod public_pulls;
mod pulls;
mod reports;
mod repos_pulls;
mod unauthorized;

/// Where the JSON bodies the routes write go under `__files/`.
const JSON_DIR: &str = "dvp-mock/json";

/// A token no client can send (an empty token set must match nothing).
const NEVER: &str = "\u{0}never";

/// The generated mock and its corpus.
#[derive(Debug)]
pub struct Built {
    /// Every stub, and the body files the routes wrote themselves.
    pub mock: Mock,
    /// The requests that exercise the stubs, with the answers they expect (empty unless
    /// [`Options::corpus`]).
    pub corpus: Vec<Case>,
}

/// What a build is for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// List the per-file variants of download stubs (only the Cloud target reads them; for
    /// large histories they are the biggest part of the mock's memory).
    pub download_variants: bool,
    /// Build the request corpus (`verify`, tests); `generate` and `check` do not need it.
    pub corpus: bool,
}

/// What serves body file `path` (under `__files/`): the stub name for downloads, else the
/// listings of the namespace (the Cloud budget's list of contributors).
pub fn body_label(path: &str) -> String {
    for (dir, prefix) in [(EXPORTS_DIR, EXPORT_DL), (REPORTS_DIR, REPORT_DL)] {
        if let Some(rest) = path.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
            return downloads::download_stub_name(prefix, rest.split('/').next().unwrap_or_default());
        }
    }
    format!("bodies under {}", path.rsplit_once('/').map_or(path, |(dir, _)| dir))
}

/// Builds every stub and corpus case. Export listings, whose size grows with the volume, go
/// to `sink`; every other body file is kept in `Built::mock.files`.
pub fn build(model: &Model, bodies: Bodies, sink: &dyn Sink, options: Options) -> Result<Built, Error> {
    let Bodies { mut exports, reports } = bodies;
    let mut b = Builder {
        model,
        sink,
        mock: Mock { expanded_priority: Some(dvp_api::priority::FAULT), ..Mock::default() },
        corpus: Vec::new(),
        download_variants: options.download_variants,
        corpus_enabled: options.corpus,
        corpus_files: BTreeMap::new(),
        error: None,
    };
    b.login();
    b.auth_token();
    b.login_lockout();
    b.discovery();
    for ns in 0..model.world.namespaces.len() {
        b.namespace_pulls(ns);
        b.exports(ns, &mut exports);
        b.reports(ns, &reports);
        b.namespace_not_found(ns);
    }
    for i in 0..model.world.public.len() {
        b.public_pulls(i);
    }
    b.tokens_as_bearer();
    b.repos_pulls();
    b.guards();
    for root in Root::ALL {
        b.root_not_found(root);
        b.method_not_allowed(root);
        b.unauthorized(root);
    }
    b.unsigned_downloads();
    b.host_not_found();
    b.fingerprint();
    b.faults();
    b.head_twins();
    match b.error {
        Some(e) => Err(e),
        None => Ok(Built { mock: b.mock, corpus: b.corpus }),
    }
}

struct Builder<'a> {
    model: &'a Model,
    sink: &'a dyn Sink,
    mock: Mock,
    corpus: Vec<Case>,
    corpus_enabled: bool,
    /// Bodies of files sent to the sink that corpus cases quote (only with the corpus).
    corpus_files: BTreeMap<String, Vec<u8>>,
    /// The first error of the sink; the build fails with it.
    error: Option<Error>,
    /// See [`Options::download_variants`].
    download_variants: bool,
}

/// An `Authorization` matcher for every token any credential of `users` yields, whatever its
/// `iat` (see [`crate::engine::jwt`]): the shared head, then anything base64url from the middle on,
/// then one of the principals' signatures.
fn bearer_of<'a>(users: impl IntoIterator<Item = &'a User>) -> Matcher {
    let sigs: Vec<String> =
        users.into_iter().filter_map(|u| u.credentials.first()).map(|c| regex_escape(c.family.signature())).collect();
    if sigs.is_empty() {
        return Matcher::equal_to(NEVER);
    }
    let (head, len) = (regex_escape(&jwt::head()), jwt::middle_len());
    Matcher::matches(format!("^Bearer {head}{}{{{len},}}\\.(?:{})$", jwt::MIDDLE_CLASS, sigs.join("|")))
}

/// A response template that renders a fresh token of `family`: `iat` is the request's time,
/// `exp = iat + lifetime`, `jti` a random UUID (the layout of [`jwt::middle_affixes`]).
pub(crate) fn fresh_token(family: &jwt::Family, lifetime: u64) -> Template {
    let (pre, post) = jwt::middle_affixes();
    let middle = Template::new()
        .text(pre)
        .expr("iat")
        .text(",\"exp\":")
        .expr(&format!("math iat '+' {lifetime}"))
        .text(",\"jti\":\"")
        .expr("randomValue type='UUID'")
        .text(post);
    Template::new()
        .block("assign 'iat'", &Template::new().expr("now format='unix'"))
        .block("assign 'mid'", &Template::new().block("base64 padding=false", &middle))
        .text(&jwt::head())
        .expr("replace (replace mid '+' '-') '/' '_'")
        .text(family.tail())
}

/// Any path under `root`.
fn root_pattern(root: &str) -> String {
    format!("^{}(?:/.*)?$", regex_escape(root))
}

impl Builder<'_> {
    fn seed(&self) -> u64 {
        self.model.world.config.seed
    }

    fn signature(&self, ns: &str, file: &str) -> String {
        rng::hex(&mut rng::stream(self.seed(), &["signature", ns, file]), 32)
    }

    fn any_token(&self) -> Matcher {
        bearer_of(&self.model.world.users)
    }

    fn member_tokens(&self, ns: usize) -> Matcher {
        bearer_of(self.model.world.members(ns))
    }

    /// Any token of a user who may not see `ns` (for corpus cases), if there is one.
    fn outsider_token(&self, ns: usize) -> Option<String> {
        self.model.world.users.iter().find(|u| !u.namespaces.contains(&ns)).map(|u| u.token.clone())
    }

    fn member_token(&self, ns: usize) -> Option<String> {
        self.model.world.members(ns).next().map(|u| u.token.clone())
    }

    fn any_user_token(&self) -> Option<String> {
        self.model.world.users.first().map(|u| u.token.clone())
    }

    fn add_file(&mut self, path: String, bytes: Vec<u8>) -> String {
        self.mock.files.insert(path.clone(), bytes);
        path
    }

    /// Like [`Builder::add_file`] for files whose size grows with the volume (export
    /// listings): straight to the sink, kept only if the corpus needs the body.
    fn stream_file(&mut self, path: String, bytes: Vec<u8>) -> String {
        if self.corpus_enabled {
            self.corpus_files.insert(path.clone(), bytes.clone());
        }
        if let Err(e) = self.sink.put(&path, bytes) {
            self.error.get_or_insert(Error::io(format!("__files/{path}"), e));
        }
        path
    }

    /// The body of a file added or streamed earlier (corpus only).
    fn file_body(&self, path: &str) -> Vec<u8> {
        self.mock.files.get(path).or_else(|| self.corpus_files.get(path)).expect("file added before its case").clone()
    }

    fn stub(&mut self, s: Stub) {
        self.mock.stubs.push(s);
    }

    fn case(&mut self, c: Case) {
        if !self.corpus_enabled {
            return;
        }
        self.corpus.push(c);
    }
}
