//! `dvp-mock verify`: replay the request corpus against a running mock.
//!
//! It reads the mock's fingerprint first: a mock made with other settings (or served under
//! another path than `--url` names) is one line and exit 1, not thousands of failures.
use std::process::ExitCode;

use dvp_mock::config::canonical;
use dvp_mock::dvp_api::FINGERPRINT;
use dvp_mock::http;
use dvp_mock::sink::NullSink;
use dvp_mock::verify::{self, Served};
use dvp_mock::wiremock::Target;
use dvp_mock::Error;

use super::{report, Budget, Jobs, Source};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock verify --url http://localhost:8080        replay every request; a summary of the failures
  dvp-mock verify --config my.toml --url http://localhost:8080
                                                     the flags you gave generate
  dvp-mock verify --profile load --base-url http://localhost:8080 --url http://localhost:8080
                                                     a load-profile tree: its corpus
Serve the tree first, e.g. java -jar wiremock-standalone-3.13.2.jar --port 8080 --root-dir .";

/// The flags of `dvp-mock verify` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    budget: Budget,
    /// Base URL of the running mock, e.g. http://localhost:8080.
    #[arg(long)]
    url: String,
    #[command(flatten)]
    profile: super::profile::Profile,
    /// List every failure (by default: counts by kind and the first 10).
    #[arg(long)]
    verbose: bool,
}

/// Replays the corpus of the asked world and prints a summary of the failures and a total.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let url = http::base_url("--url", &args.url)?;
    http::reachable(&url)?;
    let load = args.profile.load_base_url()?;
    let asked = super::load_admitted(&args.source, &Jobs { jobs: None }, Target::Standalone, true, &args.budget)?;
    let profile = load.as_ref().map(|_| "load".to_string());
    let asked_print = canonical::Fingerprint { profile, ..canonical::fingerprint(&asked.config) };
    if let Some(line) = which_mock(&url, &asked_print)? {
        super::print_lines(&[line]);
        return Ok(ExitCode::from(1));
    }
    let generated = match load {
        Some(base_url) => dvp_mock::generate_load(&asked.config, &asked.options, &base_url, &NullSink, None)?,
        None => dvp_mock::generate(&asked.config, &asked.options, &NullSink, None)?,
    };
    let report = verify::run(&url, &generated.corpus);
    if let Some(why) = report.aborted {
        return Err(Error::Unreachable(format!(
            "{url}: the server stopped answering after {} requests ({why})",
            report.passed + report.failures.len()
        )));
    }
    let mut lines = Vec::new();
    if !report.failures.is_empty() {
        let kinds = report.failures.iter().map(|(_, _, why)| kind(why));
        lines.push(format!("failures by kind: {}", report::counts(kinds)));
        let items: Vec<String> =
            report.failures.iter().map(|(name, request, why)| format!("FAIL {name}: {request}: {why}")).collect();
        lines.extend(report::listing(&items, args.verbose));
    }
    lines.push(format!("{} passed, {} failed", report.passed, report.failures.len()));
    super::print_lines(&lines);
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// What a failure differs in, from [`verify::compare`]'s reason.
fn kind(why: &str) -> &'static str {
    match why.split(' ').next().unwrap_or_default() {
        "status" => "status",
        "Content-Type" => "content type",
        "header" => "header",
        _ => "body",
    }
}

/// One line when the mock at `url` is not the one asked for: made with other settings, or
/// answering at the host's root while `url` carries a path. A server without a fingerprint
/// (a mock of an earlier release) gets a warning and is replayed.
fn which_mock(url: &str, asked: &canonical::Fingerprint) -> Result<Option<String>, Error> {
    let read = |base: &str| {
        verify::served_fingerprint(base).map_err(|why| Error::Unreachable(format!("{base}{FINGERPRINT}: {why}")))
    };
    if let Served::Fingerprint(f) = read(url)? {
        return Ok(verify::mismatch(&f, asked).map(|m| format!("the mock at {url} was {m}")));
    }
    let origin = origin(url);
    if origin != url {
        if let Served::Fingerprint(f) = read(&origin)? {
            let path = &url[origin.len()..];
            let also = verify::mismatch(&f, asked).map(|m| format!("; it was {m}")).unwrap_or_default();
            return Ok(Some(format!(
                "--url {url} carries the path {path}, but the mock answers at the host's root: pass --url {origin}{also}"
            )));
        }
    }
    eprintln!(
        "warning: {url}{FINGERPRINT} serves no dvp-mock fingerprint (a mock of an earlier dvp-mock, or another \
         server); replaying anyway"
    );
    Ok(None)
}

/// `scheme://authority` of a URL `http::base_url` accepted.
fn origin(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    format!("{scheme}://{authority}")
}
