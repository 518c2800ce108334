//! `dvp-mock preview`: one self-contained HTML page of the data the mock serves.
use std::path::PathBuf;

use dvp_mock::output::file;
use dvp_mock::wiremock::Target;
use dvp_mock::Error;

use super::{Budget, Jobs, Source};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock preview --out preview.html                the default mock's data as one HTML page
  dvp-mock preview --config my.toml --out my.html    the flags you gave generate";

/// The flags of `dvp-mock preview` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    jobs: Jobs,
    #[command(flatten)]
    budget: Budget,
    /// The page to write; its folder must exist. Replaced atomically.
    #[arg(long, value_name = "FILE.html")]
    out: PathBuf,
}

/// Renders the page and writes it.
pub fn run(args: Args) -> Result<(), Error> {
    file::check_target(&args.out)?;
    let asked = super::load_admitted(&args.source, &args.jobs, Target::Standalone, false, &args.budget)?;
    let page = dvp_mock::preview::render(&asked.config, asked.options.jobs);
    file::write(&args.out, page.html.as_bytes())?;
    eprintln!(
        "wrote {} ({} bytes): {} namespaces, {} weeks and {} months",
        args.out.display(),
        page.html.len(),
        page.namespaces,
        page.weeks,
        page.months
    );
    Ok(())
}
