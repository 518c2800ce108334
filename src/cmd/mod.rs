//! One file per command, as `dvp-mock --help` lists them; this file holds what they share:
//! where a world comes from (`--config`, `--seed`, `--as-of`, `--jobs`), `--target`, printing
//! to a pipe that may close, and the progress line.
pub mod calibrate;
pub mod check;
pub mod config;
pub mod generate;
pub mod preview;
pub mod verify;

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use dvp_mock::config::Config;
use dvp_mock::engine::pass::Progress;
use dvp_mock::wiremock::Target;
use dvp_mock::{Error, Options};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where the world comes from: the flags every world-building command shares.
#[derive(clap::Args)]
pub struct Source {
    /// Configuration file (TOML). Default: the embedded configuration (`dvp-mock config`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Override the configuration's seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override the configuration's `as_of` date (YYYY-MM-DD), the "today" of the mock.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<chrono::NaiveDate>,
}

/// `--jobs`.
#[derive(clap::Args)]
pub struct Jobs {
    /// Worker threads (default: all cores). The output is byte-identical for any value.
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
}

/// The CLI's `--target` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// `mappings/` + `__files/` for the WireMock jar, Docker image or Testcontainers.
    Standalone,
    /// One import file for WireMock Cloud, bodies inline.
    Cloud,
}

impl From<TargetArg> for Target {
    fn from(t: TargetArg) -> Target {
        match t {
            TargetArg::Standalone => Target::Standalone,
            TargetArg::Cloud => Target::Cloud,
        }
    }
}

/// The configuration and generation options of `source`.
pub fn load(source: &Source, jobs: &Jobs, target: Target, corpus: bool) -> Result<(Config, Options), Error> {
    let overrides = dvp_mock::config::Overrides { seed: source.seed, as_of: source.as_of };
    let config = dvp_mock::config::load(source.config.as_deref(), overrides)?;
    let jobs = jobs.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Error::Usage("--jobs: expected at least 1".into()));
    }
    Ok((config, Options { target, jobs, corpus }))
}

/// `--max-bytes` of the commands that build the mock in memory (`check`, `preview`, `verify`).
#[derive(clap::Args)]
pub struct Budget {
    /// Refuse (exit 2) when the mock would be above SIZE, e.g. 500M, 50G (default 20G): it is
    /// built in memory first. Give the value you gave `generate`.
    #[arg(long, value_name = "SIZE", value_parser = dvp_mock::size::parse_size)]
    pub max_bytes: Option<u64>,
}

/// [`load`], then the size guard (`size::admit`): a configuration above the limit is refused
/// in one line before any event is drawn.
pub fn load_admitted(
    source: &Source,
    jobs: &Jobs,
    target: Target,
    corpus: bool,
    budget: &Budget,
) -> Result<(Config, Options), Error> {
    let (config, options) = load(source, jobs, target, corpus)?;
    dvp_mock::size::admit(&config, &dvp_mock::size::Limit::in_memory(budget.max_bytes))?;
    Ok((config, options))
}

/// Progress counters that draw a line on stderr (periods done, rows, rows/s) when stderr is a
/// terminal and `quiet` is off; the returned bar is cleared when the work is done.
pub fn progress_line(quiet: bool) -> (Progress, ProgressBar) {
    let bar =
        if quiet { ProgressBar::hidden() } else { ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()) };
    bar.set_style(
        ProgressStyle::with_template("  periods {pos}/{len} {wide_bar} {msg}").expect("a valid progress template"),
    );
    let shown = bar.clone();
    let progress = Progress::observed(move |p| {
        let rows = p.rows.load(Ordering::Relaxed);
        shown.set_length(p.periods_total.load(Ordering::Relaxed) as u64);
        shown.set_position(p.periods_done.load(Ordering::Relaxed) as u64);
        let secs = shown.elapsed().as_secs_f64().max(1e-3);
        shown.set_message(format!("rows {rows}  {:.0} rows/s", rows as f64 / secs));
    });
    (progress, bar)
}

/// Prints to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
pub fn print_lines(lines: &[String]) {
    print_text(&lines.iter().map(|l| format!("{l}\n")).collect::<String>());
}

/// Prints `text` to stdout as it is; a closed pipe ends the output quietly.
pub fn print_text(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
