//! One file per command, as `dvp-mock --help` lists them; this file holds what they share:
//! where a world comes from (`--config`, `--seed`, `--as-of`, `--jobs`), `--target`, printing
//! to a pipe that may close, and the progress line.
pub mod calibrate;
pub mod check;
pub mod config;
pub mod generate;
pub mod hint;
pub mod preview;
pub mod profile;
pub mod report;
pub mod verify;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use dvp_mock::config::load::{self, Overrides};
use dvp_mock::config::Config;
use dvp_mock::engine::period_pass::Progress;
use dvp_mock::output;
use dvp_mock::output::manifest::{Manifest, Record, MANIFEST};
use dvp_mock::wiremock::Target;
use dvp_mock::{Error, Options};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Where the world comes from: the flags every world-building command shares.
#[derive(clap::Args, Clone, Default)]
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

/// A world asked for: the configuration, how it was given, and the generation options.
pub struct Asked {
    pub config: Config,
    pub options: Options,
    /// The configuration's text, the file it came from (`None`: the embedded default) and the
    /// overrides: what the manifest records.
    pub text: String,
    pub file: Option<PathBuf>,
    pub overrides: Overrides,
    /// The `--base-url` of the load profile, `None` for the default profile.
    pub load: Option<String>,
}

impl Asked {
    /// The manifest record of this world written into `out`.
    pub fn record(&self, out: &Path) -> Record {
        let record =
            Record::new(self.options.target, self.file.as_deref(), out, &self.text, self.overrides, &self.config);
        Record { load_base_url: self.load.clone(), ..record }
    }
}

fn jobs_of(jobs: &Jobs) -> Result<usize, Error> {
    let jobs = jobs.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Error::Usage("--jobs: expected at least 1".into()));
    }
    Ok(jobs)
}

/// The configuration and generation options of `source`.
pub fn load(source: &Source, jobs: &Jobs, target: Target, corpus: bool) -> Result<Asked, Error> {
    let overrides = Overrides { seed: source.seed, as_of: source.as_of };
    let (text, label) = load::read(source.config.as_deref())?;
    let config = load::load_text(&text, &label, overrides)?;
    let options = Options { target, jobs: jobs_of(jobs)?, corpus };
    Ok(Asked { config, options, text, file: source.config.clone(), overrides, load: None })
}

/// The world recorded in the manifest of `dir` for `target` (or its only record), after
/// finishing or undoing a swap a killed run left there.
pub fn recorded(dir: &Path, target: Option<Target>, jobs: &Jobs) -> Result<Asked, Error> {
    if dir.is_dir() {
        output::recover(dir)?;
    }
    let manifest = Manifest::read(dir)?;
    let Some(record) = manifest.as_ref().and_then(|m| m.record(target)) else {
        let why = match (&manifest, target) {
            (None, _) => " (there is no manifest)".to_string(),
            (Some(m), Some(t)) if !m.made.is_empty() => format!(" for --target {}", output::manifest::target_name(t)),
            _ => " (written by an earlier dvp-mock)".to_string(),
        };
        return Err(Error::Usage(format!(
            "--as-recorded: {} records no configuration{why}; pass --config, --seed and --as-of as the tree was generated",
            dir.join(MANIFEST).display(),
        )));
    };
    let config = record.load(dir)?;
    let options = Options { target: record.target(), jobs: jobs_of(jobs)?, corpus: false };
    let file = record.config_file.as_ref().map(|f| dir.join(f));
    // A tree of the embedded default follows this release's default.
    let text = if file.is_none() { dvp_mock::config::DEFAULT_TOML.to_string() } else { record.config_text.clone() };
    Ok(Asked { config, options, text, file, overrides: record.overrides(), load: record.load_base_url.clone() })
}

/// `--max-bytes` of the commands that build the mock in memory (`check`, `preview`, `verify`).
#[derive(clap::Args)]
pub struct Budget {
    /// Refuse (exit 2) when the mock would be above SIZE, e.g. 500M, 50G (default 20G): it is
    /// built in memory first. Give the value you gave `generate`.
    #[arg(long, value_name = "SIZE", value_parser = dvp_mock::size::parse_size)]
    pub max_bytes: Option<u64>,
}

/// [`load`], then the size guard ([`admit`]).
pub fn load_admitted(
    source: &Source,
    jobs: &Jobs,
    target: Target,
    corpus: bool,
    budget: &Budget,
) -> Result<Asked, Error> {
    let asked = load(source, jobs, target, corpus)?;
    admit(&asked.config, budget)?;
    Ok(asked)
}

/// The size guard (`size::admit`) of a command that builds the mock in memory: a configuration
/// above the limit is refused in one line before any event is drawn.
pub fn admit(config: &Config, budget: &Budget) -> Result<(), Error> {
    dvp_mock::size::admit(config, &dvp_mock::size::Limit::in_memory(budget.max_bytes)).map(|_| ())
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
