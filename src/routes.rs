//! Every API operation as stubs + body files, with the corpus cases that exercise them.
//!
//! Priorities (1 = highest), the same on every root:
//! 1 faults on demand, request guards; 2 success; 3 parameter validation (400);
//! 4/5 namespace-member fallbacks (404); 6 unknown or invisible namespace (404);
//! 9 unknown path with a valid token (404); 10 wrong method (405); 11/12 no valid token (401).
use serde_json::{json, Value};

use crate::calendar::{Granularity, Period};
use std::collections::BTreeMap;
use std::sync::Mutex;

use crate::corpus::{fingerprint, Case};
use crate::events::Event;
use crate::model::Model;
use crate::model::{run_pass, Pass, PeriodSummary, Progress};
use crate::reports::{self, ReportType};
use crate::rng;
use crate::sink::Sink;
use crate::stats::PeriodStats;
use crate::stub::{alternation, bearer_any, regex_escape, Body, Mock, Response, Stub, Variant};
use crate::views::{self, Dataview, Group, DEFAULT_PERIOD_MONTHS, DEFAULT_TIMESPAN, PERIODS};
use crate::Error;

pub const ANALYTICS: &str = "/api/publisher/analytics/v1";
pub const PROXY: &str = "/api/publisher/proxylytics/v1";
pub const EXPORT_DL: &str = "/dvp-exports";
pub const REPORT_DL: &str = "/dvp-reports";
/// Request header that asks for a fault on one request.
pub const FAULT_HEADER: &str = "X-Mock-Fault";
/// WireMock scenario that switches a fault on for a whole run.
pub const FAULT_SCENARIO: &str = "dvp-faults";

const MFA_DETAIL: &str = "Require secondary authentication on MFA enabled account";
const BAD_CREDENTIALS: &str = "Incorrect authentication credentials";
const NS_404: &str = "Not found - namespace doesn't exist or user does not have permission to access it";
const REPO_404: &str = "Not found - repo doesn't exist or user does not have permission to access it";
const MAX_REPOS: usize = 50;
const CSV: &str = "text/csv; charset=utf-8";
const XML: &str = "application/xml";
const NEVER: &str = "\u{0}never";

/// A downloadable file behind a signed link.
struct Download {
    file: String,
    size: u64,
    fingerprint: u64,
}

/// The generated mock and its corpus.
#[derive(Debug)]
pub struct Built {
    pub mock: Mock,
    pub corpus: Vec<Case>,
}

/// Builds every stub, body file and corpus case from the model. Export parts are rendered
/// on `model.jobs` threads and handed to `sink` as they complete; everything else is kept in
/// `Built::mock.files`.
pub fn build(model: &Model, sink: &dyn Sink, progress: Option<&Progress>) -> Result<Built, Error> {
    build_with(model, sink, progress, Options { cloud: true, corpus: true })
}

/// What a build is for.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Keep everything the Cloud target needs (per-file variants of download stubs).
    pub cloud: bool,
    /// Build the request corpus (`verify`, tests); `generate` and `check` do not need it.
    pub corpus: bool,
}

impl Options {
    /// `generate` / `check` of the standalone tree: stubs and files only.
    pub const STANDALONE: Options = Options { cloud: false, corpus: false };
}

/// [`build`] with options; a standalone-only build skips what only the Cloud target reads.
pub fn build_with(
    model: &Model,
    sink: &dyn Sink,
    progress: Option<&Progress>,
    options: Options,
) -> Result<Built, Error> {
    let (mut rendered, report_files) = render_exports(model, sink, progress)?;
    let mut b = Builder {
        model,
        sink,
        mock: Mock::default(),
        corpus: Vec::new(),
        download_variants: options.cloud,
        corpus_enabled: options.corpus,
        corpus_files: BTreeMap::new(),
        error: None,
    };
    b.login();
    b.discovery();
    for ns in 0..model.world.namespaces.len() {
        b.namespace_pulls(ns);
        b.exports(ns, &mut rendered);
        b.reports(ns, &report_files);
        b.namespace_fallbacks(ns);
    }
    b.repos_pulls();
    b.guards();
    b.fallbacks();
    b.faults();
    match b.error {
        Some(e) => Err(e),
        None => Ok(Built { mock: b.mock, corpus: b.corpus }),
    }
}

/// One rendered export part.
#[derive(Debug, Clone)]
pub struct Part {
    pub file: String,
    pub size: u64,
    pub fingerprint: u64,
}

/// Every export view of every (namespace, period), rendered in one pass over the periods.
type Rendered = BTreeMap<(usize, Period), Vec<(Dataview, Vec<Part>)>>;

fn export_views(model: &Model, ns: usize) -> Vec<Dataview> {
    let mut views: Vec<Dataview> = Dataview::PULLS.to_vec();
    if model.world.namespaces[ns].extension_publisher {
        views.push(Dataview::ExtSummary);
    }
    views
}

fn export_file_stem(name: &str, view: Dataview, p: &Period) -> String {
    let tt = match p.granularity {
        Granularity::Week => format!("w{:02}", p.path_number()),
        Granularity::Month => format!("m{:02}", p.path_number()),
    };
    format!("{name}_{}_{}_{tt}", view.api().replace('-', "_"), p.path_year())
}

/// The export pass: raw rows stream day by day into their part files; the other views are
/// rendered from the period's aggregate when it completes, which also yields its summary.
struct ExportPass<'a> {
    model: &'a Model,
    sink: &'a dyn Sink,
    renderers: Vec<views::RawRenderer<'a>>,
    raw_header: Vec<u8>,
    /// Periods of the report catalogue.
    retained: Vec<Period>,
}

/// A period's raw export while its days stream in, and the first write error, if any.
struct RawExport<'a> {
    parts: PartWriter<'a>,
    error: Option<std::io::Error>,
}

/// What the pass yields for one (namespace, period).
struct PeriodOutput {
    exports: Vec<(Dataview, Vec<Part>)>,
    summary: PeriodSummary,
    /// For a retained period: (size, fingerprint) of the reports rendered in the pass, and the
    /// per-repository clients the technographic reports need once every namespace is done.
    reports: Vec<(ReportType, (u64, u64))>,
    repo_clients: Option<reports::RepoClients>,
}

type PeriodExports = std::io::Result<PeriodOutput>;

/// (size, fingerprint) of every report CSV.
type ReportFiles = BTreeMap<(usize, Period, ReportType), (u64, u64)>;

impl<'a> ExportPass<'a> {
    /// Hands a report CSV to the sink; returns its (size, fingerprint).
    fn put_report(&self, ns: usize, p: &Period, t: ReportType, csv: Vec<u8>) -> std::io::Result<(u64, u64)> {
        let name = &self.model.world.namespaces[ns].name;
        let meta = (csv.len() as u64, fingerprint(&csv));
        self.sink.put(&format!("dvp/reports/{name}/{}", reports::file_name(name, t, p)), csv)?;
        Ok(meta)
    }

    fn parts(&self, ns: usize, view: Dataview, p: &Period) -> PartWriter<'a> {
        let name = &self.model.world.namespaces[ns].name;
        let max = self.model.world.config.export_part_bytes;
        PartWriter::new(self.sink, format!("dvp/exports/{name}"), export_file_stem(name, view, p), max)
    }
}

impl<'a> Pass for ExportPass<'a> {
    type Chunk = views::RawRows;
    type State = RawExport<'a>;
    type Output = PeriodExports;

    fn chunk(&self, ns: usize, events: &[Event], out: &mut views::RawRows) {
        self.renderers[ns].render(events, out);
    }

    fn open(&self, ns: usize, p: &Period) -> RawExport<'a> {
        let mut parts = self.parts(ns, Dataview::Raw, p);
        let error = views::Rows::row(&mut parts, &self.raw_header).err();
        RawExport { parts, error }
    }

    fn feed(&self, state: &mut RawExport<'a>, _: &[Event], rows: &views::RawRows) {
        if state.error.is_none() {
            state.error = rows.rows().try_for_each(|row| views::Rows::row(&mut state.parts, row)).err();
        }
    }

    fn stopped(&self) -> bool {
        self.sink.failed()
    }

    fn finish(&self, ns: usize, p: &Period, state: RawExport<'a>, stats: &PeriodStats) -> PeriodExports {
        if let Some(e) = state.error {
            return Err(e);
        }
        let mut exports = vec![(Dataview::Raw, state.parts.finish()?)];
        // ext-summary needs running totals over earlier periods: rendered after the pass.
        for view in
            export_views(self.model, ns).into_iter().filter(|v| !matches!(v, Dataview::Raw | Dataview::ExtSummary))
        {
            let mut parts = self.parts(ns, view, p);
            views::write_export(self.model, ns, p, view, stats, &mut parts)?;
            exports.push((view, parts.finish()?));
        }
        let (mut reports, mut repo_clients) = (Vec::new(), None);
        if self.retained.contains(p) {
            for t in ReportType::ALL.into_iter().filter(|t| !t.cross_namespace()) {
                let mut csv = Vec::new();
                reports::write_report(self.model, ns, stats, t, &mut csv)?;
                reports.push((t, self.put_report(ns, p, t, csv)?));
            }
            repo_clients = Some(reports::repo_clients(&self.model.world, stats));
        }
        Ok(PeriodOutput { exports, summary: PeriodSummary::of(&self.model.world, ns, stats), reports, repo_clients })
    }
}

fn render_exports(
    model: &Model,
    sink: &dyn Sink,
    progress: Option<&Progress>,
) -> Result<(Rendered, ReportFiles), Error> {
    let max = model.world.config.export_part_bytes;
    let mut raw_header = Vec::new();
    views::header_row(crate::csv_layout::RAW, &mut raw_header);
    let pass = ExportPass {
        model,
        sink,
        renderers: (0..model.world.namespaces.len()).map(|ns| views::RawRenderer::new(&model.world, ns)).collect(),
        raw_header,
        retained: reports::retained(model),
    };
    // One pass renders every export and summarises every period for the pull series.
    let results = run_pass(&model.world, model.jobs, progress, &pass);
    let mut rendered = Rendered::new();
    let mut summaries = Vec::with_capacity(results.len());
    let mut report_files = ReportFiles::new();
    let mut clients: BTreeMap<Period, Vec<reports::RepoClients>> = BTreeMap::new();
    for (k, result) in results {
        let out = result.map_err(|e| Error::io(format!("__files/dvp/{}", model.world.namespaces[k.0].name), e))?;
        rendered.insert(k, out.exports);
        summaries.push((k, out.summary));
        report_files.extend(out.reports.into_iter().map(|(t, meta)| ((k.0, k.1, t), meta)));
        // Results come in namespace order, so each period's list is in world order.
        if let Some(c) = out.repo_clients {
            clients.entry(k.1).or_default().push(c);
        }
    }
    report_files.extend(technographic_reports(&pass, clients)?);
    model.set_summaries(summaries);
    for ((ns, p), exports) in rendered.iter_mut() {
        if !export_views(model, *ns).contains(&Dataview::ExtSummary) {
            continue;
        }
        let name = &model.world.namespaces[*ns].name;
        let stats = PeriodStats::new(*p, *ns);
        let mut parts =
            PartWriter::new(sink, format!("dvp/exports/{name}"), export_file_stem(name, Dataview::ExtSummary, p), max);
        views::write_export(model, *ns, p, Dataview::ExtSummary, &stats, &mut parts)
            .and_then(|()| parts.finish())
            .map(|parts| exports.push((Dataview::ExtSummary, parts)))
            .map_err(|e| Error::io(format!("__files/dvp/exports/{name}"), e))?;
    }
    Ok((rendered, report_files))
}

/// The technographic reports of each retained period, once every namespace's clients are
/// known; periods are spread over `model.jobs` threads.
fn technographic_reports(
    pass: &ExportPass,
    clients: BTreeMap<Period, Vec<reports::RepoClients>>,
) -> Result<ReportFiles, Error> {
    let model = pass.model;
    let jobs = model.jobs.clamp(1, clients.len().max(1));
    // Results merge into a sorted map, so the order periods are taken in does not matter.
    let queue = Mutex::new(clients);
    // The lock is released before the period is rendered.
    let take = || queue.lock().expect("no worker panicked").pop_first();
    let results: Mutex<Vec<Result<ReportFiles, Error>>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                while let Some((p, clients)) = take() {
                    let ctx = reports::ReportPeriod::from_clients(model, &p, clients);
                    let mut files = ReportFiles::new();
                    let result = (0..model.world.namespaces.len()).try_for_each(|ns| {
                        for t in ReportType::ALL.into_iter().filter(|t| t.cross_namespace()) {
                            let mut csv = Vec::new();
                            let name = &model.world.namespaces[ns].name;
                            let path = format!("__files/dvp/reports/{name}/{}", reports::file_name(name, t, &p));
                            reports::write_technographic(model, &ctx, ns, t, &mut csv)
                                .and_then(|()| pass.put_report(ns, &p, t, csv))
                                .map(|meta| files.insert((ns, p, t), meta))
                                .map_err(|e| Error::io(path, e))?;
                        }
                        Ok(())
                    });
                    results.lock().expect("no worker panicked").push(result.map(|()| files));
                }
            });
        }
    });
    let mut all = ReportFiles::new();
    for r in results.into_inner().expect("no worker panicked") {
        all.extend(r?);
    }
    Ok(all)
}

/// Splits rows into part files of at most `max` bytes at row boundaries; every part starts
/// with the header. A single part is named `<stem>.csv`, several `<stem>_partNNN.csv`.
struct PartWriter<'a> {
    sink: &'a dyn Sink,
    dir: String,
    stem: String,
    max: u64,
    header: Vec<u8>,
    cur: Vec<u8>,
    first: Option<Vec<u8>>,
    count: usize,
    parts: Vec<Part>,
}

impl<'a> PartWriter<'a> {
    fn new(sink: &'a dyn Sink, dir: String, stem: String, max: u64) -> PartWriter<'a> {
        PartWriter {
            sink,
            dir,
            stem,
            max,
            header: Vec::new(),
            cur: Vec::new(),
            first: None,
            count: 0,
            parts: Vec::new(),
        }
    }

    /// A part buffer holding the header, allocated at its final size (up to 8 MiB): parts of
    /// one size, allocated and freed by the thousand, then reuse each other's memory instead of
    /// fragmenting the heap by growing step by step.
    fn fresh_part(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity((self.max as usize).min(8 << 20) + 4096);
        buf.extend_from_slice(&self.header);
        buf
    }

    fn emit(&mut self, file: String, bytes: Vec<u8>) -> std::io::Result<()> {
        self.parts.push(Part { size: bytes.len() as u64, fingerprint: fingerprint(&bytes), file: file.clone() });
        self.sink.put(&format!("{}/{file}", self.dir), bytes)
    }

    fn close_part(&mut self) -> std::io::Result<()> {
        let fresh = self.fresh_part();
        let buf = std::mem::replace(&mut self.cur, fresh);
        self.count += 1;
        if self.count == 1 {
            self.first = Some(buf);
        } else {
            if let Some(first) = self.first.take() {
                self.emit(format!("{}_part001.csv", self.stem), first)?;
            }
            self.emit(format!("{}_part{:03}.csv", self.stem, self.count), buf)?;
        }
        Ok(())
    }

    fn finish(mut self) -> std::io::Result<Vec<Part>> {
        if self.cur.len() > self.header.len() || self.count == 0 {
            self.close_part()?;
        }
        if let Some(only) = self.first.take() {
            self.emit(format!("{}.csv", self.stem), only)?;
        }
        Ok(self.parts)
    }
}

impl views::Rows for PartWriter<'_> {
    fn row(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        if self.header.is_empty() {
            self.header = bytes.to_vec();
            self.cur = self.fresh_part();
            return Ok(());
        }
        if self.cur.len() > self.header.len() && (self.cur.len() + bytes.len()) as u64 > self.max {
            self.close_part()?;
        }
        self.cur.extend_from_slice(bytes);
        Ok(())
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
    /// Whether to list the per-file variants of download stubs (only the Cloud target reads
    /// them; for large histories they are the biggest part of the mock's memory).
    download_variants: bool,
}

/// A signed-storage query string; `{{now}}` makes links expire six hours after issue.
fn signed_query(signature: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F{{{{now format='yyyyMMdd' timezone='UTC'}}}}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date={{{{now format=\"yyyyMMdd'T'HHmmss'Z'\" timezone='UTC'}}}}&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
}

/// Regex of a signed query string with this signature (dates free, order fixed).
fn signed_query_regex(signature: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F[0-9]{{8}}%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=[0-9]{{8}}T[0-9]{{6}}Z&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
}

/// A concrete, fresh signed query for corpus requests (a date far in the future never expires).
fn fresh_query(signature: &str) -> String {
    format!(
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIADVPMOCKEXAMPLE%2F20991231%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20991231T000000Z&X-Amz-Expires=21600&X-Amz-SignedHeaders=host&X-Amz-Signature={signature}"
    )
}

fn expired_query(signature: &str) -> String {
    fresh_query(signature).replace("20991231", "20200101")
}

fn s3_error(code: &str, message: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    )
}

fn query_of(t: Option<Granularity>, months: Option<u32>, group: Option<Group>) -> String {
    let mut q = Vec::new();
    if let Some(t) = t {
        q.push(format!("timespan={}", t.api()));
    }
    if let Some(m) = months {
        q.push(format!("period=last-{m}-months"));
    }
    if let Some(g) = group {
        q.push(format!("group={}", g.api()));
    }
    if q.is_empty() {
        String::new()
    } else {
        format!("?{}", q.join("&"))
    }
}

/// Every (timespan, period, group) a client can send, each possibly absent.
fn param_combinations() -> Vec<(Option<Granularity>, Option<u32>, Option<Group>)> {
    let mut out = Vec::new();
    for t in [None, Some(Granularity::Week), Some(Granularity::Month)] {
        for m in std::iter::once(None).chain(PERIODS.iter().map(|m| Some(*m))) {
            for g in [None, Some(Group::Repo), Some(Group::Namespace)] {
                out.push((t, m, g));
            }
        }
    }
    out
}

fn query_matchers(t: Option<Granularity>, m: Option<u32>, g: Option<Group>) -> Value {
    let one = |v: Option<String>| match v {
        Some(v) => json!({ "equalTo": v }),
        None => json!({ "absent": true }),
    };
    json!({
        "timespan": one(t.map(|t| t.api().to_string())),
        "period": one(m.map(|m| format!("last-{m}-months"))),
        "group": one(g.map(|g| g.api().to_string())),
    })
}

/// File name of a pull series for one parameter combination (defaults applied).
fn pulls_file_name(t: Granularity, m: u32, g: Group) -> String {
    format!("{}_last-{m}-months_{}.json", t.api(), g.api())
}

/// The standalone template that picks [`pulls_file_name`] from the query, applying defaults.
fn pulls_file_template(dir: &str, default_group: Group) -> String {
    format!(
        "{dir}/{{{{#if request.query.timespan}}}}{{{{request.query.timespan}}}}{{{{else}}}}{}{{{{/if}}}}_{{{{#if request.query.period}}}}{{{{request.query.period}}}}{{{{else}}}}last-{}-months{{{{/if}}}}_{{{{#if request.query.group}}}}{{{{request.query.group}}}}{{{{else}}}}{}{{{{/if}}}}.json",
        DEFAULT_TIMESPAN.api(),
        DEFAULT_PERIOD_MONTHS,
        default_group.api()
    )
}

/// Adds an `Authorization` matcher to a request pattern, when there is one.
fn require_auth(req: &mut Value, auth: Option<&Value>) {
    if let Some(a) = auth {
        req["headers"] = json!({ "Authorization": a });
    }
}

fn root_pattern(root: &str) -> String {
    format!("^{}(?:/.*)?$", regex_escape(root))
}

impl<'a> Builder<'a> {
    fn seed(&self) -> u64 {
        self.model.world.config.seed
    }

    fn signature(&self, ns: &str, file: &str) -> String {
        rng::hex(&mut rng::stream(self.seed(), &["signature", ns, file]), 32)
    }

    fn any_token(&self) -> Value {
        bearer_any(self.model.world.users.iter().map(|u| u.token.as_str())).unwrap_or(json!({ "equalTo": NEVER }))
    }

    fn member_tokens(&self, ns: usize) -> Value {
        bearer_any(self.model.world.members(ns).map(|u| u.token.as_str())).unwrap_or(json!({ "equalTo": NEVER }))
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

    // ---------------------------------------------------------------- login

    fn login(&mut self) {
        let users = self.model.world.users.clone();
        for u in &users {
            let creds = json!([
                { "matchesJsonPath": { "expression": "$.username", "equalTo": u.username } },
                { "matchesJsonPath": { "expression": "$.password", "equalTo": u.password } }
            ]);
            let body = json!({ "username": u.username, "password": u.password }).to_string();
            match (&u.totp, &u.login_2fa_token) {
                (Some(code), Some(t2)) => {
                    let challenge = json!({ "detail": MFA_DETAIL, "login_2fa_token": t2 });
                    self.stub(Stub::new(
                        format!("login/{}/2fa-challenge", u.username),
                        format!("login: {} needs a second factor", u.username),
                        2,
                        json!({ "method": "POST", "urlPath": "/v2/users/login", "bodyPatterns": creds }),
                        Response::json(401, &challenge)
                            .header("WWW-Authenticate", "Bearer realm=\"https://hub.docker.com\""),
                    ));
                    self.case(
                        Case::post(format!("login {} (2FA challenge)", u.username), "/v2/users/login", &body).expect(
                            401,
                            "application/json",
                            challenge.to_string(),
                        ),
                    );
                    let second = json!([
                        { "matchesJsonPath": { "expression": "$.login_2fa_token", "equalTo": t2 } },
                        { "matchesJsonPath": { "expression": "$.code", "matches": format!("^{code}$") } }
                    ]);
                    let body2 = json!({ "login_2fa_token": t2, "code": code }).to_string();
                    self.login_success(u, "/v2/users/2fa-login", second, &body2);
                    let wrong = json!({ "login_2fa_token": t2, "code": "000000" }).to_string();
                    self.case(
                        Case::post(format!("2fa-login {} wrong code", u.username), "/v2/users/2fa-login", wrong)
                            .expect(401, "application/json", json!({ "detail": BAD_CREDENTIALS }).to_string()),
                    );
                }
                _ => self.login_success(u, "/v2/users/login", creds, &body),
            }
        }
        // Generic answers: well-formed but wrong credentials, then malformed bodies.
        for (path, fields) in
            [("/v2/users/login", ["username", "password"]), ("/v2/users/2fa-login", ["login_2fa_token", "code"])]
        {
            let short = path.trim_start_matches("/v2/users/");
            self.stub(Stub::new(
                format!("{short}/wrong-credentials"),
                format!("{short}: wrong credentials"),
                5,
                json!({ "method": "POST", "urlPath": path, "bodyPatterns": [
                    { "matchesJsonPath": format!("$.{}", fields[0]) },
                    { "matchesJsonPath": format!("$.{}", fields[1]) }
                ]}),
                Response::detail(401, BAD_CREDENTIALS),
            ));
            let detail =
                format!("Invalid request: a JSON body with \"{}\" and \"{}\" is required", fields[0], fields[1]);
            self.stub(Stub::new(
                format!("{short}/bad-request"),
                format!("{short}: malformed body"),
                7,
                json!({ "method": "POST", "urlPath": path }),
                Response::detail(400, &detail),
            ));
            self.case(Case::post(format!("{short} malformed body"), path, "not json").expect(
                400,
                "application/json",
                json!({ "detail": detail }).to_string(),
            ));
            self.case(
                Case::post(format!("{short} missing field"), path, format!("{{\"{}\":\"x\"}}", fields[0])).expect(
                    400,
                    "application/json",
                    json!({ "detail": detail }).to_string(),
                ),
            );
            self.stub(Stub::new(
                format!("{short}/method-not-allowed"),
                format!("{short}: method not allowed"),
                10,
                json!({ "method": "ANY", "urlPath": path }),
                Response::detail(405, "Method not allowed.").header("Allow", "POST, OPTIONS"),
            ));
            self.case(Case::get(format!("{short} with GET"), path).expect(
                405,
                "application/json",
                json!({ "detail": "Method not allowed." }).to_string(),
            ));
        }
        self.case(
            Case::post("login wrong password", "/v2/users/login", r#"{"username":"demo","password":"wrong"}"#).expect(
                401,
                "application/json",
                json!({ "detail": BAD_CREDENTIALS }).to_string(),
            ),
        );
        self.stub(Stub::new(
            "users/not-found",
            "v2/users: unknown path",
            12,
            json!({ "method": "ANY", "urlPathPattern": "^/v2/users(?:/.*)?$" }),
            Response::detail(404, "Not Found"),
        ));
        self.case(Case::get("v2/users unknown path", "/v2/users/nope").expect(
            404,
            "application/json",
            json!({ "detail": "Not Found" }).to_string(),
        ));
    }

    fn login_success(&mut self, u: &crate::world::User, path: &str, body_patterns: Value, body: &str) {
        let short = path.trim_start_matches("/v2/users/");
        let plain = json!({ "token": u.token });
        let refresh = json!({ "token": u.token, "refresh_token": u.refresh_token });
        self.stub(Stub::new(
            format!("{short}/{}/refresh", u.username),
            format!("{short}: {} with refresh_token", u.username),
            1,
            json!({ "method": "POST", "urlPath": path, "queryParameters": { "refresh_token": { "equalTo": "true" } }, "bodyPatterns": body_patterns }),
            Response::json(200, &refresh),
        ));
        self.stub(Stub::new(
            format!("{short}/{}", u.username),
            format!("{short}: {}", u.username),
            2,
            json!({ "method": "POST", "urlPath": path, "bodyPatterns": body_patterns }),
            Response::json(200, &plain),
        ));
        self.case(Case::post(format!("{short} {}", u.username), path, body).expect(
            200,
            "application/json",
            plain.to_string(),
        ));
        self.case(
            Case::post(format!("{short} {} refresh_token", u.username), format!("{path}?refresh_token=true"), body)
                .expect(200, "application/json", refresh.to_string()),
        );
    }

    // ------------------------------------------------------------ discovery

    fn namespace_metadata(&self, ns: usize) -> Value {
        let n = &self.model.world.namespaces[ns];
        let mut datasets = vec![json!({
            "name": "pulls",
            "views": Dataview::PULLS.iter().map(|v| v.api()).collect::<Vec<_>>(),
            "timespans": ["months", "weeks"],
        })];
        if n.extension_publisher {
            datasets.push(json!({ "name": "extensions", "views": ["ext-summary"], "timespans": ["months", "weeks"] }));
        }
        json!({
            "namespace": n.name,
            "publisherType": n.publisher_type,
            "extensionPublisher": n.extension_publisher,
            "extraRepos": null,
            "datasets": datasets,
        })
    }

    fn discovery(&mut self) {
        let users = self.model.world.users.clone();
        for u in &users {
            let names: Vec<&str> = u.namespaces.iter().map(|&i| self.model.world.namespaces[i].name.as_str()).collect();
            let root = json!({ "namespaces": names });
            let list = Value::Array(u.namespaces.iter().map(|&i| self.namespace_metadata(i)).collect());
            let auth = json!({ "Authorization": { "equalTo": format!("Bearer {}", u.token) } });
            self.stub(Stub::new(
                format!("analytics/root/{}", u.username),
                format!("analytics: GET / for {}", u.username),
                2,
                json!({ "method": "GET", "urlPathPattern": format!("^{}/?$", regex_escape(ANALYTICS)), "headers": auth }),
                Response::json(200, &root),
            ));
            self.stub(Stub::new(
                format!("analytics/namespaces/{}", u.username),
                format!("analytics: GET /namespaces for {}", u.username),
                2,
                json!({ "method": "GET", "urlPath": format!("{ANALYTICS}/namespaces"), "headers": auth }),
                Response::json(200, &list),
            ));
            self.case(Case::get(format!("GET / as {}", u.username), format!("{ANALYTICS}/")).bearer(&u.token).expect(
                200,
                "application/json",
                root.to_string(),
            ));
            self.case(
                Case::get(format!("GET /namespaces as {}", u.username), format!("{ANALYTICS}/namespaces"))
                    .bearer(&u.token)
                    .expect(200, "application/json", list.to_string()),
            );
        }
        for ns in 0..self.model.world.namespaces.len() {
            let name = self.model.world.namespaces[ns].name.clone();
            let meta = self.namespace_metadata(ns);
            self.stub(Stub::new(
                format!("analytics/namespace/{name}"),
                format!("analytics: GET /namespaces/{name}"),
                2,
                json!({ "method": "GET", "urlPath": format!("{ANALYTICS}/namespaces/{name}"), "headers": { "Authorization": self.member_tokens(ns) } }),
                Response::json(200, &meta),
            ));
            if let Some(t) = self.member_token(ns) {
                self.case(
                    Case::get(format!("GET /namespaces/{name}"), format!("{ANALYTICS}/namespaces/{name}"))
                        .bearer(&t)
                        .expect(200, "application/json", meta.to_string()),
                );
            }
            if let Some(t) = self.outsider_token(ns) {
                self.case(
                    Case::get(format!("GET /namespaces/{name} as outsider"), format!("{ANALYTICS}/namespaces/{name}"))
                        .bearer(&t)
                        .expect(404, "application/json", json!({ "detail": NS_404 }).to_string()),
                );
            }
        }
    }

    // ---------------------------------------------------------- pull series

    fn namespace_pulls(&mut self, ns: usize) {
        let model = self.model;
        let n = &model.world.namespaces[ns];
        let name = n.name.clone();
        // Files: one per parameter combination (defaults applied) for the namespace and each repo.
        let write_set = |b: &mut Self, dir: &str, repo: Option<u16>| {
            for t in [Granularity::Week, Granularity::Month] {
                for m in PERIODS {
                    for g in [Group::Repo, Group::Namespace] {
                        let v = views::pull_data(model, ns, repo, t, m, g);
                        b.add_file(format!("{dir}/{}", pulls_file_name(t, m, g)), v.to_string().into_bytes());
                    }
                }
            }
        };
        let ns_dir = format!("dvp/json/{name}/pulls/namespace");
        write_set(self, &ns_dir, None);
        for (r, repo) in n.repos.iter().enumerate() {
            write_set(self, &format!("dvp/json/{name}/pulls/repo/{}", repo.name), Some(r as u16));
        }
        let repo_names: Vec<&str> = n.repos.iter().map(|r| r.name.as_str()).collect();
        let repo_alt = format!("^{}$", alternation(repo_names.iter().copied()));
        for (root, auth) in [(ANALYTICS, Some(self.member_tokens(ns))), (PROXY, None)] {
            let label = if root == ANALYTICS { "analytics" } else { "proxylytics" };
            // Namespace series.
            let path = format!("{root}/namespaces/{name}/pulls");
            let variants = param_combinations()
                .into_iter()
                .map(|(t, m, g)| {
                    let file = format!(
                        "{ns_dir}/{}",
                        pulls_file_name(
                            t.unwrap_or(DEFAULT_TIMESPAN),
                            m.unwrap_or(DEFAULT_PERIOD_MONTHS),
                            g.unwrap_or(Group::Namespace)
                        )
                    );
                    let mut req =
                        json!({ "method": "GET", "urlPath": path, "queryParameters": query_matchers(t, m, g) });
                    require_auth(&mut req, auth.as_ref());
                    Variant { label: query_of(t, m, g), request: req, file }
                })
                .collect::<Vec<_>>();
            let mut req = json!({ "method": "GET", "urlPath": path });
            require_auth(&mut req, auth.as_ref());
            self.stub(Stub::new(
                format!("{label}/pulls/{name}"),
                format!("{label}: GET /namespaces/{name}/pulls"),
                2,
                req,
                Response::new(
                    200,
                    "application/json",
                    Body::FileSet {
                        template: pulls_file_template(&ns_dir, Group::Namespace),
                        variants: variants.clone(),
                    },
                )
                .templated(),
            ));
            for v in &variants {
                let mut c =
                    Case::get(format!("{label} namespace pulls {name}{}", v.label), format!("{path}{}", v.label));
                if auth.is_some() {
                    match self.member_token(ns) {
                        Some(t) => c = c.bearer(&t),
                        None => continue,
                    }
                }
                let body = self.mock.files[&v.file].clone();
                self.case(c.expect(200, "application/json", body));
            }
            // Repository series: one stub per namespace, repo restricted to known names.
            let tpl_dir = format!("dvp/json/{name}/pulls/repo/{{{{request.path.repo}}}}");
            let mut variants = Vec::new();
            for repo in &n.repos {
                for (t, m, g) in param_combinations() {
                    let file = format!(
                        "dvp/json/{name}/pulls/repo/{}/{}",
                        repo.name,
                        pulls_file_name(
                            t.unwrap_or(DEFAULT_TIMESPAN),
                            m.unwrap_or(DEFAULT_PERIOD_MONTHS),
                            g.unwrap_or(Group::Repo)
                        )
                    );
                    let mut req = json!({ "method": "GET", "urlPath": format!("{root}/namespaces/{name}/repos/{}/pulls", repo.name), "queryParameters": query_matchers(t, m, g) });
                    require_auth(&mut req, auth.as_ref());
                    variants.push(Variant { label: format!("{}{}", repo.name, query_of(t, m, g)), request: req, file });
                }
            }
            let mut req = json!({
                "method": "GET",
                "urlPathTemplate": format!("{root}/namespaces/{{namespace}}/repos/{{repo}}/pulls"),
                "pathParameters": { "namespace": { "equalTo": name }, "repo": { "matches": repo_alt } },
            });
            require_auth(&mut req, auth.as_ref());
            self.stub(Stub::new(
                format!("{label}/repo-pulls/{name}"),
                format!("{label}: GET /namespaces/{name}/repos/{{repo}}/pulls"),
                2,
                req,
                Response::new(
                    200,
                    "application/json",
                    Body::FileSet { template: pulls_file_template(&tpl_dir, Group::Repo), variants: variants.clone() },
                )
                .templated(),
            ));
            // Corpus: every combination for the first repo, the default for every repo.
            for v in variants
                .iter()
                .filter(|v| v.label.starts_with(&format!("{}?", n.repos[0].name)) || !v.label.contains('?'))
            {
                let (repo, q) =
                    v.label.split_once('?').map_or((v.label.as_str(), String::new()), |(r, q)| (r, format!("?{q}")));
                let mut c = Case::get(
                    format!("{label} repo pulls {name}/{}", v.label),
                    format!("{root}/namespaces/{name}/repos/{repo}/pulls{q}"),
                );
                if auth.is_some() {
                    match self.member_token(ns) {
                        Some(t) => c = c.bearer(&t),
                        None => continue,
                    }
                }
                let body = self.mock.files[&v.file].clone();
                self.case(c.expect(200, "application/json", body));
            }
        }
    }

    // --------------------------------------------------------------- exports

    /// Takes the namespace's rendered parts out of `rendered` (their names move into the
    /// download list).
    fn exports(&mut self, ns: usize, rendered: &mut Rendered) {
        let model = self.model;
        let n = &model.world.namespaces[ns];
        let name = n.name.clone();
        let auth = self.member_tokens(ns);
        let member = self.member_token(ns);
        let cal = &model.world.calendar;
        let base = format!("{ANALYTICS}/namespaces/{name}/pulls/exports/years");
        let json_dir = format!("dvp/json/{name}/exports");
        let views = export_views(model, ns);

        // years
        let years = json!({ "years": cal.years().iter().map(|y| json!({ "year": y })).collect::<Vec<_>>() });
        self.stub(Stub::new(
            format!("analytics/exports/{name}/years"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years"),
            2,
            json!({ "method": "GET", "urlPath": base, "headers": { "Authorization": auth } }),
            Response::json(200, &years),
        ));
        if let Some(t) = &member {
            self.case(Case::get(format!("export years {name}"), base.clone()).bearer(t).expect(
                200,
                "application/json",
                years.to_string(),
            ));
        }
        if let (Some(t), Some(p)) = (self.outsider_token(ns), cal.weeks.last()) {
            let listing = format!("{base}/{}/weeks/{}/raw", p.path_year(), p.path_number());
            self.case(Case::get(format!("export listing {name} as outsider"), listing).bearer(&t).expect(
                404,
                "application/json",
                json!({ "detail": NS_404 }).to_string(),
            ));
        }

        // years/{year}/{timespantype}
        let mut variants = Vec::new();
        for y in cal.years() {
            for g in [Granularity::Week, Granularity::Month] {
                let key = match g {
                    Granularity::Week => "weeks",
                    Granularity::Month => "months",
                };
                let item = match g {
                    Granularity::Week => "week",
                    Granularity::Month => "month",
                };
                let list: Vec<Value> = cal
                    .periods(g)
                    .iter()
                    .filter(|p| p.path_year() == y)
                    .map(|p| json!({ item: p.path_number() }))
                    .collect();
                let file =
                    self.add_file(format!("{json_dir}/{y}_{key}.json"), json!({ key: list }).to_string().into_bytes());
                variants.push(Variant {
                    label: format!("{y}/{key}"),
                    request: json!({ "method": "GET", "urlPath": format!("{base}/{y}/{key}"), "headers": { "Authorization": auth } }),
                    file,
                });
            }
        }
        let year_alt =
            alternation(cal.years().iter().map(|y| y.to_string()).collect::<Vec<_>>().iter().map(String::as_str));
        self.file_set_stub(
            format!("analytics/exports/{name}/timespans"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}"),
            json!({ "method": "GET", "urlPathPattern": format!("^{}/{year_alt}/(?:weeks|months)$", regex_escape(&base)), "headers": { "Authorization": auth } }),
            format!("{json_dir}/{{{{request.pathSegments.[9]}}}}_{{{{request.pathSegments.[10]}}}}.json"),
            variants,
            member.as_deref(),
            false,
        );

        // years/{year}/{timespantype}/{timespan}
        let mut variants = Vec::new();
        let mut alts = Vec::new();
        for p in cal.all() {
            let (y, tt, num) = (p.path_year(), p.granularity.api(), p.path_number());
            let item = if p.granularity == Granularity::Week { "week" } else { "month" };
            let file =
                self.add_file(format!("{json_dir}/{y}_{tt}_{num}.json"), json!({ item: num }).to_string().into_bytes());
            alts.push(format!("{y}/{tt}/{num}"));
            variants.push(Variant {
                label: format!("{y}/{tt}/{num}"),
                request: json!({ "method": "GET", "urlPath": format!("{base}/{y}/{tt}/{num}"), "headers": { "Authorization": auth } }),
                file,
            });
        }
        let period_alt = alternation(alts.iter().map(String::as_str));
        self.file_set_stub(
            format!("analytics/exports/{name}/timespan"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}/{{timespan}}"),
            json!({ "method": "GET", "urlPathPattern": format!("^{}/{period_alt}$", regex_escape(&base)), "headers": { "Authorization": auth } }),
            format!("{json_dir}/{{{{request.pathSegments.[9]}}}}_{{{{request.pathSegments.[10]}}}}_{{{{request.pathSegments.[11]}}}}.json"),
            variants,
            member.as_deref(),
            false,
        );

        // years/{year}/{timespantype}/{timespan}/{dataview}, and the files behind the links.
        let mut variants = Vec::new();
        let mut downloads: Vec<Download> = Vec::new();
        for p in cal.all() {
            for (view, parts) in rendered.remove(&(ns, *p)).expect("every period was rendered") {
                let mut data = Vec::new();
                for part in parts {
                    let sig = self.signature(&name, &part.file);
                    data.push(format!(
                        "{{\"url\":\"{{{{request.baseUrl}}}}{EXPORT_DL}/{name}/{}?{}\",\"size\":{}}}",
                        part.file,
                        signed_query(&sig),
                        part.size
                    ));
                    downloads.push(Download { file: part.file, size: part.size, fingerprint: part.fingerprint });
                }
                let (y, tt, num) = (p.path_year(), p.granularity.api(), p.path_number());
                let listing = format!("{{\"data\":[{}]}}", data.join(","));
                let file =
                    self.stream_file(format!("{json_dir}/{y}_{tt}_{num}_{}.json", view.api()), listing.into_bytes());
                variants.push(Variant {
                    label: format!("{y}/{tt}/{num}/{}", view.api()),
                    request: json!({ "method": "GET", "urlPath": format!("{base}/{y}/{tt}/{num}/{}", view.api()), "headers": { "Authorization": auth } }),
                    file,
                });
            }
        }
        let view_alt = alternation(views.iter().map(|v| v.api()));
        self.file_set_stub(
            format!("analytics/exports/{name}/dataview"),
            format!("analytics: GET /namespaces/{name}/pulls/exports/years/{{year}}/{{timespantype}}/{{timespan}}/{{dataview}}"),
            json!({ "method": "GET", "urlPathPattern": format!("^{}/{period_alt}/{view_alt}$", regex_escape(&base)), "headers": { "Authorization": auth } }),
            format!("{json_dir}/{{{{request.pathSegments.[9]}}}}_{{{{request.pathSegments.[10]}}}}_{{{{request.pathSegments.[11]}}}}_{{{{request.pathSegments.[12]}}}}.json"),
            variants,
            member.as_deref(),
            true,
        );
        self.download_stubs(&name, EXPORT_DL, "dvp/exports", &downloads);
    }

    /// A stub answering a file set, plus one corpus case per variant.
    #[allow(clippy::too_many_arguments)]
    fn file_set_stub(
        &mut self,
        key: String,
        name: String,
        request: Value,
        template: String,
        variants: Vec<Variant>,
        token: Option<&str>,
        body_templated: bool,
    ) {
        let with_cases = self.corpus_enabled;
        for v in variants.iter().filter(|_| with_cases) {
            let path = v.request["urlPath"].as_str().expect("variants use urlPath").to_string();
            if let Some(t) = token {
                let body = String::from_utf8(self.file_body(&v.file)).expect("JSON is UTF-8");
                let c = Case::get(format!("{name} [{}]", v.label), path).bearer(t);
                self.case(if body_templated {
                    c.expect_template(200, "application/json", body)
                } else {
                    c.expect(200, "application/json", body)
                });
            }
        }
        let mut response = Response::new(200, "application/json", Body::FileSet { template, variants }).templated();
        if body_templated {
            response = response.body_templated();
        }
        self.stub(Stub::new(key, name, 2, request, response));
    }

    /// Every file of `files` with its own signature, checked by a lookahead so the query regex
    /// is written once; the parts of one export share their stem. About 80 bytes per file,
    /// written straight into one string (for large histories this is the biggest stub).
    fn files_alternation(&self, name: &str, files: &[Download], out: &mut String) {
        fn split(f: &str) -> (&str, &str) {
            match f.rfind("_part") {
                Some(i) => f.split_at(i + "_part".len()),
                None => ("", f),
            }
        }
        // Whole files first, then parts grouped by stem in stem order; files keep their order.
        let mut order: Vec<usize> = (0..files.len()).collect();
        order.sort_by_key(|&i| split(&files[i].file).0);
        out.reserve(files.len() * 90);
        let entry = |out: &mut String, file: &str, rest: &str| {
            out.push_str(&regex_escape(rest));
            out.push_str("(?=.*=");
            out.push_str(&self.signature(name, file));
            out.push_str("$)");
        };
        let mut k = 0;
        while k < order.len() {
            let (stem, _) = split(&files[order[k]].file);
            let end = k + order[k..].iter().take_while(|&&i| split(&files[i].file).0 == stem).count();
            let group = &order[k..end];
            if stem.is_empty() {
                for (n, &i) in group.iter().enumerate() {
                    if k + n > 0 {
                        out.push('|');
                    }
                    entry(out, &files[i].file, &files[i].file);
                }
            } else {
                if k > 0 {
                    out.push('|');
                }
                out.push_str(&regex_escape(stem));
                if group.len() > 1 {
                    out.push_str("(?:");
                }
                for (n, &i) in group.iter().enumerate() {
                    if n > 0 {
                        out.push('|');
                    }
                    entry(out, &files[i].file, split(&files[i].file).1);
                }
                if group.len() > 1 {
                    out.push(')');
                }
            }
            k = end;
        }
    }

    /// Signed download stubs for one namespace's files under `prefix`: valid and fresh → the
    /// file; valid but older than six hours → 403 expired; anything else → 403 (generic stub).
    fn download_stubs(&mut self, name: &str, prefix: &str, dir: &str, files: &[Download]) {
        if files.is_empty() {
            return;
        }
        let kind = prefix.trim_start_matches('/');
        // Each file with its own signature, checked by a lookahead so the query regex is written
        // once; parts share their stem. About 80 bytes per file.
        // A signed link to a file matching `files` (a regex), any signature and date.
        let head = format!("^{}/{}/", regex_escape(prefix), regex_escape(name));
        let tail = format!("\\?{}$", signed_query_regex("[0-9a-f]{64}"));
        let link = |files: &str| format!("{head}{files}{tail}");
        // Written in place: for large histories this is the biggest string the build makes.
        let mut pattern = format!("{head}(?:");
        self.files_alternation(name, files, &mut pattern);
        pattern.push(')');
        pattern.push_str(&tail);
        let date =
            |when: &str| json!({ "X-Amz-Date": { when: "now -6 hours", "actualFormat": "yyyyMMdd'T'HHmmss'Z'" } });
        let fresh = date("after");
        let variants = files
            .iter()
            .filter(|_| self.download_variants)
            .map(|Download { file: f, .. }| (f, self.signature(name, f)))
            .map(|(f, sig)| Variant {
                label: f.clone(),
                request: json!({
                    "method": "GET",
                    "urlPattern": format!("^{}/{}/{}\\?{}$", regex_escape(prefix), regex_escape(name), regex_escape(f), signed_query_regex(&sig)),
                    "queryParameters": fresh,
                }),
                file: format!("{dir}/{name}/{f}"),
            })
            .collect::<Vec<_>>();
        let with_cases = self.corpus_enabled;
        for Download { file: f, size, fingerprint } in files.iter().filter(|_| with_cases) {
            let sig = self.signature(name, f);
            self.case(
                Case::get(format!("download {kind} {name}/{f}"), format!("{prefix}/{name}/{f}?{}", fresh_query(&sig)))
                    .expect_fingerprint(200, CSV, *size, *fingerprint)
                    .expect_header("Content-Disposition", &format!("attachment; filename=\"{f}\"")),
            );
        }
        let mut response = Response::new(
            200,
            CSV,
            Body::FileSet { template: format!("{dir}/{name}/{{{{request.pathSegments.[2]}}}}"), variants },
        )
        .header("Content-Disposition", "attachment; filename=\"{{request.pathSegments.[2]}}\"")
        .templated();
        response.extra.insert("transformerParameters".into(), json!({ "disableBodyFileTemplating": true }));
        self.stub(Stub::new(
            format!("{kind}/{name}/download"),
            format!("{kind}: signed download of {name} files"),
            1,
            json!({ "method": "GET", "urlPattern": pattern, "queryParameters": fresh }),
            response,
        ));
        // INFERRED: expiry is judged before the signature, so any well-formed link older than
        // six hours is "expired" (one small stub, whatever the number of files).
        let expired = s3_error("AccessDenied", "Request has expired");
        let any_file = link("[^/?]+");
        let stale = date("before");
        self.stub(Stub::new(
            format!("{kind}/{name}/expired"),
            format!("{kind}: expired link to a {name} file"),
            2,
            json!({ "method": "GET", "urlPattern": any_file, "queryParameters": stale }),
            Response::new(403, XML, Body::Text(expired.clone())),
        ));
        let f = &files[0].file;
        let sig = &self.signature(name, f);
        self.case(
            Case::get(format!("expired {kind} link {name}/{f}"), format!("{prefix}/{name}/{f}?{}", expired_query(sig)))
                .expect(403, XML, expired),
        );
        let tampered = s3_error(
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided.",
        );
        self.case(
            Case::get(
                format!("tampered {kind} link {name}/{f}"),
                format!("{prefix}/{name}/{f}?{}", fresh_query(&"0".repeat(64))),
            )
            .expect(403, XML, tampered),
        );
    }

    // --------------------------------------------------------------- reports

    fn reports(&mut self, ns: usize, files: &ReportFiles) {
        let model = self.model;
        let name = model.world.namespaces[ns].name.clone();
        let auth = self.member_tokens(ns);
        let member = self.member_token(ns);
        let mut entries = Vec::new();
        let mut downloads = Vec::new();
        for p in reports::retained(model) {
            for t in ReportType::ALL {
                let file = reports::file_name(&name, t, &p);
                let (size, fp) = files[&(ns, p, t)];
                entries.push(format!(
                    "{{\"type\":\"{}\",\"url\":\"{{{{request.baseUrl}}}}{PROXY}/namespaces/{name}/reports/{file}\"}}",
                    t.api()
                ));
                let sig = self.signature(&name, &file);
                let location = format!("{{{{request.baseUrl}}}}{REPORT_DL}/{name}/{file}?{}", signed_query(&sig));
                let path = format!("{PROXY}/namespaces/{name}/reports/{file}");
                self.stub(Stub::new(
                    format!("proxylytics/report/{name}/{file}"),
                    format!("proxylytics: report {file}"),
                    2,
                    json!({ "method": "GET", "urlPath": path, "headers": { "Authorization": auth } }),
                    Response::new(302, "text/plain; charset=utf-8", Body::Empty)
                        .header("Location", &location)
                        .templated(),
                ));
                if let Some(tk) = &member {
                    self.case(
                        Case::get(format!("report redirect {file}"), path)
                            .bearer(tk)
                            .expect_status(302)
                            .expect_header("Location", "*"),
                    );
                }
                downloads.push(Download { file, size, fingerprint: fp });
            }
        }
        let catalogue = format!("{{\"reports\":[{}]}}", entries.join(","));
        let file = self.add_file(format!("dvp/json/{name}/reports.json"), catalogue.clone().into_bytes());
        let path = format!("{PROXY}/namespaces/{name}/reports");
        self.stub(Stub::new(
            format!("proxylytics/reports/{name}"),
            format!("proxylytics: GET /namespaces/{name}/reports"),
            2,
            json!({ "method": "GET", "urlPath": path, "headers": { "Authorization": auth } }),
            Response::new(200, "application/json", Body::File(file)).templated().body_templated(),
        ));
        if let Some(tk) = &member {
            self.case(Case::get(format!("reports catalogue {name}"), path.clone()).bearer(tk).expect_template(
                200,
                "application/json",
                catalogue,
            ));
        }
        // A caller who may not see the namespace gets the same 404 as for one that does not exist,
        // on the catalogue and on every report URL.
        if let (Some(tk), Some(first)) = (self.outsider_token(ns), downloads.first()) {
            let not_found = json!({ "detail": NS_404 }).to_string();
            self.case(Case::get(format!("reports catalogue {name} as outsider"), path.clone()).bearer(&tk).expect(
                404,
                "application/json",
                not_found.clone(),
            ));
            self.case(
                Case::get(format!("report {} as outsider", first.file), format!("{path}/{}", first.file))
                    .bearer(&tk)
                    .expect(404, "application/json", not_found),
            );
        }
        self.case(Case::get(format!("reports catalogue {name} without token"), path).expect(
            401,
            "application/json",
            json!({ "detail": "Authentication credentials were not provided." }).to_string(),
        ));
        self.download_stubs(&name, REPORT_DL, "dvp/reports", &downloads);
    }

    // ------------------------------------------------------- per-namespace 404s

    fn namespace_fallbacks(&mut self, ns: usize) {
        let name = self.model.world.namespaces[ns].name.clone();
        let auth = self.member_tokens(ns);
        for root in [ANALYTICS, PROXY] {
            let label = if root == ANALYTICS { "analytics" } else { "proxylytics" };
            let prefix = format!("{}/namespaces/{}", regex_escape(root), regex_escape(&name));
            let mut req = json!({ "method": "GET", "urlPathPattern": format!("^{prefix}/repos/[^/]+/pulls$") });
            if root == ANALYTICS {
                req["headers"] = json!({ "Authorization": auth });
            }
            self.stub(Stub::new(
                format!("{label}/{name}/unknown-repo"),
                format!("{label}: unknown repository in {name}"),
                4,
                req,
                Response::detail(404, REPO_404),
            ));
            self.stub(Stub::new(
                format!("{label}/{name}/not-found"),
                format!("{label}: unknown path or period in {name}"),
                5,
                json!({ "method": "GET", "urlPathPattern": format!("^{prefix}/.+$"), "headers": { "Authorization": auth } }),
                Response::detail(404, "Not Found"),
            ));
            let mut c = Case::get(
                format!("{label} unknown repo in {name}"),
                format!("{root}/namespaces/{name}/repos/nope/pulls"),
            );
            if root == ANALYTICS {
                match self.member_token(ns) {
                    Some(t) => c = c.bearer(&t),
                    None => continue,
                }
            }
            self.case(c.expect(404, "application/json", json!({ "detail": REPO_404 }).to_string()));
            if let Some(t) = self.member_token(ns) {
                self.case(
                    Case::get(
                        format!("{label} unknown period in {name}"),
                        format!("{root}/namespaces/{name}/pulls/exports/years/1999/weeks"),
                    )
                    .bearer(&t)
                    .expect(404, "application/json", json!({ "detail": "Not Found" }).to_string()),
                );
            }
        }
    }

    // ---------------------------------------------------------- /repos/pulls

    /// The body template of `/repos/pulls`: parses the requested keys (repeated or
    /// comma-separated) and answers each from the embedded, pre-rendered series.
    fn repos_pulls_template(entries: &[(String, String)]) -> String {
        let enc = |k: &str| k.replace('/', ":").replace('.', ";");
        let data = Value::Object(entries.iter().map(|(k, v)| (enc(k), Value::String(v.clone()))).collect()).to_string();
        let list = entries.iter().map(|(k, _)| enc(k)).collect::<Vec<_>>().join(",");
        format!(
            "{{{{#parseJson 'data'}}}}{data}{{{{/parseJson}}}}{{{{#parseJson 'keys'}}}}[{{{{#each request.query.repos as |r|}}}}{{{{#unless @first}}}},{{{{/unless}}}}\"{{{{replace r ',' '\",\"'}}}}\"{{{{/each}}}}]{{{{/parseJson}}}}{{\"repos\":{{ {{{{~#each keys as |k|~}}}}{{{{#unless @first}}}},{{{{/unless}}}}\"{{{{k}}}}\":{{{{#assign 'kk'}}}}{{{{replace (replace k '/' ':') '.' ';'}}}}{{{{/assign}}}}{{{{#assign 'needle'}}}},{{{{kk}}}},{{{{/assign}}}}{{{{#if (contains ',{list},' needle)}}}}{{{{{{lookup data kk}}}}}}{{{{else}}}}{{\"pulls\":[]}}{{{{/if}}}}{{{{~/each~}}}} }}}}"
        )
    }

    /// What the template answers for `keys`, computed directly (corpus expectation).
    fn repos_pulls_expected(entries: &[(String, String)], keys: &[&str]) -> String {
        let parts: Vec<String> = keys
            .iter()
            .map(|k| {
                let v = entries.iter().find(|(e, _)| e == k).map_or("{\"pulls\":[]}", |(_, v)| v.as_str());
                format!("\"{k}\":{v}")
            })
            .collect();
        format!("{{\"repos\":{{{}}}}}", parts.join(","))
    }

    fn repos_pulls(&mut self) {
        let model = self.model;
        let world = &model.world;
        // (scope label, visible namespaces, token)
        let mut scopes: Vec<(String, Vec<usize>, Option<String>)> =
            world.users.iter().map(|u| (u.username.clone(), u.namespaces.clone(), Some(u.token.clone()))).collect();
        scopes.push(("_public".into(), (0..world.namespaces.len()).collect(), None));
        for (scope, visible, token) in scopes {
            let root = if token.is_some() { ANALYTICS } else { PROXY };
            let label = if token.is_some() { "analytics" } else { "proxylytics" };
            let dir = format!("dvp/json/repos-pulls/{scope}");
            let mut variants = Vec::new();
            let mut templates = std::collections::BTreeMap::new();
            for (t, m, g) in param_combinations() {
                let (t0, m0, g0) =
                    (t.unwrap_or(DEFAULT_TIMESPAN), m.unwrap_or(DEFAULT_PERIOD_MONTHS), g.unwrap_or(Group::Repo));
                let file = format!("{dir}/{}", pulls_file_name(t0, m0, g0));
                if !templates.contains_key(&file) {
                    let entries: Vec<(String, String)> = visible
                        .iter()
                        .flat_map(|&ns| {
                            let n = &world.namespaces[ns];
                            (0..n.repos.len()).map(move |r| (ns, r))
                        })
                        .map(|(ns, r)| {
                            let n = &world.namespaces[ns];
                            (
                                format!("{}/{}", n.name, n.repos[r].name),
                                views::pull_data(model, ns, Some(r as u16), t0, m0, g0).to_string(),
                            )
                        })
                        .collect();
                    let tpl = Self::repos_pulls_template(&entries);
                    self.add_file(file.clone(), tpl.into_bytes());
                    templates.insert(file.clone(), entries);
                }
                let mut q = query_matchers(t, m, g);
                q["repos"] = json!({ "matches": ".+" });
                let mut req =
                    json!({ "method": "GET", "urlPath": format!("{root}/repos/pulls"), "queryParameters": q });
                if let Some(tk) = &token {
                    req["headers"] = json!({ "Authorization": { "equalTo": format!("Bearer {tk}") } });
                }
                variants.push(Variant { label: query_of(t, m, g), request: req, file });
            }
            // Corpus: several subsets, both spellings, one unknown repo, for the default query
            // and every explicit combination.
            let visible_keys: Vec<String> = visible
                .iter()
                .flat_map(|&ns| {
                    world.namespaces[ns].repos.iter().map(move |r| format!("{}/{}", world.namespaces[ns].name, r.name))
                })
                .collect();
            for v in &variants {
                let entries = &templates[&v.file];
                let sep = if v.label.is_empty() { "?" } else { "&" };
                let mut subsets: Vec<Vec<&str>> = vec![visible_keys.iter().take(1).map(String::as_str).collect()];
                if v.label.is_empty() {
                    subsets.push(visible_keys.iter().map(String::as_str).collect());
                    subsets.push(vec![visible_keys[0].as_str(), "nobody/nothing"]);
                }
                for (k, keys) in subsets.iter().enumerate() {
                    let repeated = keys.iter().map(|k| format!("repos={k}")).collect::<Vec<_>>().join("&");
                    let comma = format!("repos={}", keys.join(","));
                    for q in if k == 0 { vec![repeated] } else { vec![repeated, comma] } {
                        let mut c = Case::get(
                            format!("{label} repos/pulls as {scope} {}{sep}{q}", v.label),
                            format!("{root}/repos/pulls{}{sep}{q}", v.label),
                        );
                        if let Some(tk) = &token {
                            c = c.bearer(tk);
                        }
                        self.case(c.expect(200, "application/json", Self::repos_pulls_expected(entries, keys)));
                    }
                }
            }
            let mut req = json!({
                "method": "GET",
                "urlPath": format!("{root}/repos/pulls"),
                "queryParameters": { "repos": { "matches": ".+" } },
            });
            if let Some(tk) = &token {
                req["headers"] = json!({ "Authorization": { "equalTo": format!("Bearer {tk}") } });
            }
            let response = Response::new(
                200,
                "application/json",
                Body::FileSet { template: pulls_file_template(&dir, Group::Repo), variants },
            )
            .templated()
            .body_templated();
            self.stub(Stub::new(
                format!("{label}/repos-pulls/{scope}"),
                format!("{label}: GET /repos/pulls as {scope}"),
                2,
                req,
                response,
            ));
        }
    }

    // ---------------------------------------------------------------- guards

    fn guards(&mut self) {
        let any = self.any_token();
        let token = self.any_user_token();
        for root in [ANALYTICS, PROXY] {
            let label = if root == ANALYTICS { "analytics" } else { "proxylytics" };
            let auth = (root == ANALYTICS).then(|| any.clone());
            let with_auth = |mut req: Value| {
                require_auth(&mut req, auth.as_ref());
                req
            };
            let case = |b: &mut Self, name: String, path: String, status: u16, detail: &str| {
                let mut c = Case::get(name, path);
                if root == ANALYTICS {
                    match &token {
                        Some(t) => c = c.bearer(t),
                        None => return,
                    }
                }
                b.case(c.expect(status, "application/json", json!({ "detail": detail }).to_string()));
            };
            let pulls_paths =
                format!("^{}/(?:namespaces/[^/]+(?:/repos/[^/]+)?/pulls|repos/pulls)$", regex_escape(root));
            for (param, valid, detail) in [
                ("timespan", "weeks|months", "Invalid value for 'timespan': expected one of months, weeks"),
                (
                    "period",
                    "last-2-months|last-3-months|last-6-months|last-12-months",
                    "Invalid value for 'period': expected one of last-2-months, last-3-months, last-6-months, last-12-months",
                ),
                ("group", "repo|namespace", "Invalid value for 'group': expected one of repo, namespace"),
            ] {
                self.stub(Stub::new(
                    format!("{label}/guard/{param}"),
                    format!("{label}: invalid {param}"),
                    1,
                    with_auth(json!({ "method": "GET", "urlPathPattern": pulls_paths, "queryParameters": { param: { "matches": format!("^(?!(?:{valid})$).*$") } } })),
                    Response::detail(400, detail),
                ));
                case(self, format!("{label} invalid {param}"), format!("{root}/repos/pulls?repos=a/b&{param}=bogus"), 400, detail);
                case(self, format!("{label} empty {param}"), format!("{root}/namespaces/acme/pulls?{param}="), 400, detail);
            }
            // /repos/pulls: names, count and presence of `repos`.
            let repos_path = format!("{root}/repos/pulls");
            let bad_name = "Invalid value for 'repos': expected namespace/repository names";
            self.stub(Stub::new(
                format!("{label}/guard/repos-names"),
                format!("{label}: /repos/pulls with an invalid name"),
                1,
                with_auth(json!({ "method": "GET", "urlPath": repos_path, "queryParameters": { "repos": { "includes": [{ "doesNotMatch": "^[a-z0-9._/,-]+$" }] } } })),
                Response::detail(400, bad_name),
            ));
            case(self, format!("{label} repos with a quote"), format!("{repos_path}?repos=%22x"), 400, bad_name);
            let too_many = format!("A maximum of {MAX_REPOS} repositories can be requested at once");
            let rp = regex_escape(&repos_path);
            self.stub(Stub::new(
                format!("{label}/guard/repos-max"),
                format!("{label}: /repos/pulls with more than {MAX_REPOS} repositories"),
                1,
                with_auth(json!({ "method": "GET", "urlPattern": format!(
                    "{rp}\\?(?:[^&]*+&)*?repos=(?:[^&]*+&repos=){{{MAX_REPOS}}}+.*|{rp}\\?(?:[^&]*+&)*?repos=(?:[^,&]*+,){{{MAX_REPOS},}}+.*"
                ) })),
                Response::detail(400, &too_many),
            ));
            let many: Vec<String> = (0..=MAX_REPOS).map(|i| format!("acme/r{i}")).collect();
            case(
                self,
                format!("{label} 51 repeated repos"),
                format!("{repos_path}?repos={}", many.join("&repos=")),
                400,
                &too_many,
            );
            case(
                self,
                format!("{label} 51 comma repos"),
                format!("{repos_path}?timespan=weeks&repos={}", many.join(",")),
                400,
                &too_many,
            );
            let missing = "The 'repos' query parameter is required";
            self.stub(Stub::new(
                format!("{label}/guard/repos-missing"),
                format!("{label}: /repos/pulls without repos"),
                3,
                with_auth(json!({ "method": "GET", "urlPath": repos_path })),
                Response::detail(400, missing),
            ));
            case(self, format!("{label} repos missing"), repos_path.clone(), 400, missing);
            // Export path segments.
            if root == ANALYTICS {
                let pfx = format!("^{}/namespaces/[^/]+/pulls/exports/years/", regex_escape(root));
                let views = Dataview::ALL.iter().map(|v| v.api()).collect::<Vec<_>>().join("|");
                for (what, pattern, detail, example) in [
                    ("year", format!("{pfx}(?![0-9]++(?:/|$))[^/]*+(?:/.*)?$"), "Invalid year: expected an integer", "abc/weeks"),
                    (
                        "timespantype",
                        format!("{pfx}[0-9]++/(?!(?:weeks|months)(?:/|$))[^/]*+(?:/.*)?$"),
                        "Invalid timespantype: expected one of months, weeks",
                        "2025/days",
                    ),
                    (
                        "week",
                        format!("{pfx}[0-9]++/weeks/(?!(?:[1-9]|[1-4][0-9]|5[0-3])(?:/|$))[^/]*+(?:/.*)?$"),
                        "Invalid timespan: expected a week number from 1 to 53",
                        "2025/weeks/54",
                    ),
                    (
                        "month",
                        format!("{pfx}[0-9]++/months/(?!(?:[1-9]|1[0-2])(?:/|$))[^/]*+(?:/.*)?$"),
                        "Invalid timespan: expected a month number from 1 to 12",
                        "2025/months/13",
                    ),
                    (
                        "dataview",
                        format!("{pfx}[0-9]++/(?:weeks|months)/[0-9]++/(?!(?:{views})(?:/|$))[^/]*+(?:/.*)?$"),
                        "Invalid dataview: expected one of raw, summary, repo-summary, namespace-summary, geo-repo-summary, ext-summary",
                        "2025/weeks/40/everything",
                    ),
                ] {
                    self.stub(Stub::new(
                        format!("analytics/guard/{what}"),
                        format!("analytics: invalid {what} in an export path"),
                        3,
                        with_auth(json!({ "method": "GET", "urlPathPattern": pattern })),
                        Response::detail(400, detail),
                    ));
                    case(self, format!("analytics invalid {what}"), format!("{root}/namespaces/acme/pulls/exports/years/{example}"), 400, detail);
                }
            }
        }
    }

    // ------------------------------------------------------- root fallbacks

    fn fallbacks(&mut self) {
        let any = self.any_token();
        let token = self.any_user_token();
        let unauthenticated = "Authentication credentials were not provided.";
        let invalid = "Incorrect authentication credentials";
        let pat = "Personal access tokens cannot be used here: log in with /v2/users/login and use the returned token";
        for root in [ANALYTICS, PROXY] {
            let label = if root == ANALYTICS { "analytics" } else { "proxylytics" };
            let all = root_pattern(root);
            let ns_pattern = format!("^{}/namespaces/[^/]+(?:/.*)?$", regex_escape(root));
            self.stub(Stub::new(
                format!("{label}/namespace-not-found"),
                format!("{label}: namespace unknown or not visible"),
                6,
                json!({ "method": "GET", "urlPathPattern": ns_pattern, "headers": { "Authorization": any } }),
                Response::detail(404, NS_404),
            ));
            if root == PROXY {
                // Public pull series of namespaces the mock does not model (e.g. `library`).
                self.stub(Stub::new(
                    "proxylytics/public-pulls-not-found",
                    "proxylytics: pull series of an unmodelled namespace",
                    6,
                    json!({ "method": "GET", "urlPathPattern": format!("^{}/namespaces/[^/]+/(?:repos/[^/]+/)?pulls$", regex_escape(root)) }),
                    Response::detail(404, REPO_404),
                ));
                self.case(
                    Case::get(
                        "proxylytics library/nginx pulls",
                        format!("{root}/namespaces/library/repos/nginx/pulls"),
                    )
                    .expect(404, "application/json", json!({ "detail": REPO_404 }).to_string()),
                );
            }
            self.stub(Stub::new(
                format!("{label}/not-found"),
                format!("{label}: unknown path"),
                9,
                json!({ "method": "GET", "urlPathPattern": all, "headers": { "Authorization": any } }),
                Response::detail(404, "Not Found"),
            ));
            self.stub(Stub::new(
                format!("{label}/method-not-allowed"),
                format!("{label}: method not allowed"),
                10,
                json!({ "method": "ANY", "urlPathPattern": all, "headers": { "Authorization": any } }),
                Response::detail(405, "Method not allowed.").header("Allow", "GET"),
            ));
            self.stub(Stub::new(
                format!("{label}/pat-rejected"),
                format!("{label}: personal access token used as bearer"),
                11,
                json!({ "method": "ANY", "urlPathPattern": all, "headers": { "Authorization": { "matches": "^Bearer dckr_pat_.*$" } } }),
                Response::detail(401, pat),
            ));
            self.stub(Stub::new(
                format!("{label}/no-credentials"),
                format!("{label}: no credentials"),
                11,
                json!({ "method": "ANY", "urlPathPattern": all, "headers": { "Authorization": { "absent": true } } }),
                Response::detail(401, unauthenticated),
            ));
            self.stub(Stub::new(
                format!("{label}/bad-credentials"),
                format!("{label}: invalid token"),
                12,
                json!({ "method": "ANY", "urlPathPattern": all }),
                Response::detail(401, invalid),
            ));
            let d = |s: &str| json!({ "detail": s }).to_string();
            self.case(
                Case::get(format!("{label} namespaces without token"), format!("{root}/namespaces"))
                    .expect(401, "application/json", d(unauthenticated))
                    .expect_header("WWW-Authenticate", "*"),
            );
            self.case(
                Case::get(format!("{label} with a PAT"), format!("{root}/namespaces"))
                    .bearer("dckr_pat_abcdefghijklmnopqrstuvwxyz0")
                    .expect(401, "application/json", d(pat)),
            );
            self.case(
                Case::get(format!("{label} with a forged token"), format!("{root}/namespaces")).bearer("a.b.c").expect(
                    401,
                    "application/json",
                    d(invalid),
                ),
            );
            if let Some(t) = &token {
                self.case(
                    Case::get(
                        format!("{label} unknown namespace"),
                        format!("{root}/namespaces/nosuchorg/pulls/exports/years"),
                    )
                    .bearer(t)
                    .expect(404, "application/json", d(NS_404)),
                );
                self.case(Case::get(format!("{label} unknown path"), format!("{root}/no/such/path")).bearer(t).expect(
                    404,
                    "application/json",
                    d("Not Found"),
                ));
                self.case(
                    Case::get(format!("{label} POST"), format!("{root}/namespaces")).bearer(t).method("POST").expect(
                        405,
                        "application/json",
                        d("Method not allowed."),
                    ),
                );
            }
        }
        // Storage: any other request under the download prefixes is a bad signature.
        for prefix in [EXPORT_DL, REPORT_DL] {
            let kind = prefix.trim_start_matches('/');
            let body = s3_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            );
            self.stub(Stub::new(
                format!("{kind}/signature-mismatch"),
                format!("{kind}: missing or tampered signature"),
                3,
                json!({ "method": "ANY", "urlPathPattern": format!("^{}(?:/.*)?$", regex_escape(prefix)) }),
                Response::new(403, XML, Body::Text(body.clone())),
            ));
            self.case(Case::get(format!("{kind} unsigned"), format!("{prefix}/x/y.csv")).expect(403, XML, body));
        }
    }

    // ---------------------------------------------------------------- faults

    fn faults(&mut self) {
        let everywhere = format!(
            "^(?:{}|{}|/v2/users|{}|{})(?:/.*)?$",
            regex_escape(ANALYTICS),
            regex_escape(PROXY),
            regex_escape(EXPORT_DL),
            regex_escape(REPORT_DL)
        );
        let rate_limited = || {
            Response::detail(429, "Rate limit exceeded")
                .header("Retry-After", "60")
                .header("X-RateLimit-Limit", "180")
                .header("X-RateLimit-Remaining", "0")
                .header("X-RateLimit-Reset", "{{now offset='60 seconds' format='unix'}}")
                .templated()
        };
        let faults: Vec<(&str, Response)> = vec![
            ("rate-limit", rate_limited()),
            ("500", Response::detail(500, "Internal Server Error")),
            (
                "502",
                Response::new(
                    502,
                    "text/html",
                    Body::Text("<html><body><h1>502 Bad Gateway</h1></body></html>\n".into()),
                ),
            ),
            ("503", Response::detail(503, "Service Unavailable").header("Retry-After", "30")),
            ("timeout", {
                let mut r = Response::new(
                    504,
                    "text/html",
                    Body::Text("<html><body><h1>504 Gateway Time-out</h1></body></html>\n".into()),
                );
                r.extra.insert("fixedDelayMilliseconds".into(), json!(3000));
                r
            }),
            ("slow", {
                let mut r = Response::detail(503, "Service Unavailable").header("Retry-After", "5");
                r.extra.insert("delayDistribution".into(), json!({ "type": "uniform", "lower": 500, "upper": 2500 }));
                r
            }),
            ("reset", fault_response("CONNECTION_RESET_BY_PEER")),
            ("empty", fault_response("EMPTY_RESPONSE")),
            ("malformed", fault_response("MALFORMED_RESPONSE_CHUNK")),
            ("garbage", fault_response("RANDOM_DATA_THEN_CLOSE")),
        ];
        for (name, response) in faults {
            self.stub(Stub::new(
                format!("fault/header/{name}"),
                format!("fault on request: {FAULT_HEADER}: {name}"),
                1,
                json!({ "method": "ANY", "urlPathPattern": everywhere, "headers": { FAULT_HEADER: { "equalTo": name } } }),
                response.clone(),
            ));
            let mut s = Stub::new(
                format!("fault/scenario/{name}"),
                format!("fault for the whole run: scenario {FAULT_SCENARIO} = {name}"),
                1,
                json!({ "method": "ANY", "urlPathPattern": everywhere }),
                response.clone(),
            );
            s.scenario = Some((FAULT_SCENARIO.into(), name.into()));
            self.stub(s);
            if matches!(name, "rate-limit" | "500" | "503") {
                let c =
                    Case::get(format!("fault {name}"), format!("{ANALYTICS}/namespaces")).header(FAULT_HEADER, name);
                let status = response.status;
                let body = match &response.body {
                    Body::Text(t) => t.clone(),
                    _ => String::new(),
                };
                let mut c = c.expect(status, "application/json", body);
                if name == "rate-limit" {
                    c = c
                        .expect_header("Retry-After", "60")
                        .expect_header("X-RateLimit-Remaining", "0")
                        .expect_header("X-RateLimit-Reset", "*");
                }
                self.case(c);
            }
        }
    }
}

fn fault_response(fault: &str) -> Response {
    let mut r = Response::new(200, "application/json", Body::Empty);
    r.headers.clear();
    r.extra.insert("fault".into(), json!(fault));
    r
}
