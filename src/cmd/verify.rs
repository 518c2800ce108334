//! `dvp-mock verify`: replay the request corpus against a running mock.
use std::process::ExitCode;

use dvp_mock::http;
use dvp_mock::sink::NullSink;
use dvp_mock::wiremock::Target;
use dvp_mock::{verify, Error};

use super::{Budget, Jobs, Source};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock verify --url http://localhost:8080        replay every request; one line per failure
  dvp-mock verify --config my.toml --url http://localhost:8080
                                                     the flags you gave generate
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
}

/// Replays the corpus of the asked world and prints one line per failure and a total.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let url = http::base_url("--url", &args.url)?;
    http::reachable(&url)?;
    let (config, options) =
        super::load_admitted(&args.source, &Jobs { jobs: None }, Target::Standalone, true, &args.budget)?;
    let generated = dvp_mock::generate(&config, &options, &NullSink, None)?;
    let report = verify::run(&url, &generated.corpus);
    if let Some(why) = report.aborted {
        return Err(Error::Unreachable(format!(
            "{url}: the server stopped answering after {} requests ({why})",
            report.passed + report.failures.len()
        )));
    }
    let mut lines: Vec<String> =
        report.failures.iter().map(|(name, request, why)| format!("FAIL {name}: {request}: {why}")).collect();
    lines.push(format!("{} passed, {} failed", report.passed, report.failures.len()));
    super::print_lines(&lines);
    Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
