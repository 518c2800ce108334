//! The `dvp-mock` command line: parses flags, calls the library, maps errors to exit codes.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::atomic::Ordering;

use clap::{Parser, Subcommand};
use dvp_mock::check::{self, CompareSink};
use dvp_mock::config::{self, Config};
use dvp_mock::pass::Progress;
use dvp_mock::sink::NullSink;
use dvp_mock::wiremock::{self, Target, Tree};
use dvp_mock::{output, verify, Error, Options};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Generate a deterministic WireMock mock of Docker's DVP Data API.
///
/// Exit codes: 0 success; 1 drift found by `check` or failures found by `verify`;
/// 2 usage or configuration error; 3 I/O error or refusal to overwrite foreign files.
#[derive(Parser)]
#[command(name = "dvp-mock", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args)]
struct Source {
    /// Configuration file (TOML). Default: the embedded configuration (`dvp-mock config`).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Override the configuration's seed.
    #[arg(long)]
    seed: Option<u64>,
    /// Override the configuration's `as_of` date (YYYY-MM-DD), the "today" of the mock.
    #[arg(long, value_name = "YYYY-MM-DD")]
    as_of: Option<chrono::NaiveDate>,
    /// Worker threads (default: all cores). The output is byte-identical for any value.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the mock: `mappings/` and `__files/` (standalone) or one import file (cloud).
    Generate {
        #[command(flatten)]
        source: Source,
        /// Output directory. Only `mappings/`, `__files/`, the Cloud file and the manifest
        /// `.dvp-mock-manifest` are written; nothing else is touched.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// standalone: `mappings/` + `__files/` for the jar, Docker image or Testcontainers;
        /// cloud: one WireMock Cloud import file, `dvp-mock-cloud.json`, every body inline.
        #[arg(long, value_enum, default_value_t = TargetArg::Standalone)]
        target: TargetArg,
        /// Replace `mappings/` and `__files/` even if they hold files dvp-mock did not generate.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no progress bar, no summary).
        #[arg(long)]
        quiet: bool,
    },
    /// Regenerate in memory and compare with DIR; exit 1 listing every difference. Never writes.
    Check {
        #[command(flatten)]
        source: Source,
        /// Directory holding the generated output.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Which artifact to compare (standalone or cloud).
        #[arg(long, value_enum, default_value_t = TargetArg::Standalone)]
        target: TargetArg,
    },
    /// Write one self-contained HTML page (inline SVG charts) of the data the mock serves.
    Preview {
        #[command(flatten)]
        source: Source,
        /// The page to write; its folder must exist. Replaced atomically.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// Print the embedded default configuration.
    Config,
    /// Replay the full request corpus against a running mock; exit 1 on any difference.
    Verify {
        #[command(flatten)]
        source: Source,
        /// Base URL of the running mock, e.g. http://localhost:8080.
        #[arg(long)]
        url: String,
    },
}

/// The CLI's `--target` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum TargetArg {
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
fn load(source: &Source, target: Target, corpus: bool) -> Result<(Config, Options), Error> {
    let overrides = config::Overrides { seed: source.seed, as_of: source.as_of };
    let config = config::load(source.config.as_deref(), overrides)?;
    let jobs = source.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Error::Usage("--jobs: expected at least 1".into()));
    }
    Ok((config, Options { target, jobs, corpus }))
}

/// Progress counters that draw a line on stderr (periods done, rows, rows/s) when stderr is a
/// terminal and `quiet` is off; the returned bar is cleared when the work is done.
fn progress_line(quiet: bool) -> (Progress, ProgressBar) {
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

fn generate(source: &Source, out: &Path, target: Target, force: bool, progress: &Progress) -> Result<Tree, Error> {
    let (config, options) = load(source, target, false)?;
    let staging = output::Staging::begin(out, target == Target::Cloud, force)?;
    let generated = dvp_mock::generate(&config, &options, &staging.sink(), Some(progress))?;
    staging.commit(&generated.tree)?;
    Ok(generated.tree)
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Config => {
            print!("{}", dvp_mock::config::DEFAULT_TOML);
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate { source, out, target, force, quiet } => {
            let target = Target::from(target);
            let start = std::time::Instant::now();
            let (progress, bar) = progress_line(quiet);
            let tree = generate(&source, &out, target, force, &progress);
            bar.finish_and_clear();
            let tree = tree?;
            if !quiet {
                let files = match target {
                    Target::Standalone => {
                        let mut n = 0;
                        for d in output::OWNED_DIRS {
                            n += output::list_files(&out, d)?.len();
                        }
                        n
                    }
                    Target::Cloud => 1,
                };
                eprintln!(
                    "wrote {files} files ({} stubs; {} events aggregated over weekly and monthly periods) to {} in {:.2}s",
                    wiremock::stub_count(&tree),
                    progress.rows.load(Ordering::Relaxed),
                    out.display(),
                    start.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { source, out, target } => {
            let (config, options) = load(&source, target.into(), false)?;
            let drifts = match options.target {
                Target::Standalone => {
                    let compare = CompareSink::new(out.join("__files"));
                    let generated = dvp_mock::generate(&config, &options, &compare, None)?;
                    check::check(&out, &generated.tree, Some(compare))?
                }
                Target::Cloud => {
                    check::check(&out, &dvp_mock::generate(&config, &options, &NullSink, None)?.tree, None)?
                }
            };
            if drifts.is_empty() {
                eprintln!("{} matches a fresh generation", out.display());
                Ok(ExitCode::SUCCESS)
            } else {
                let lines: Vec<String> = drifts.iter().map(ToString::to_string).collect();
                print_lines(&lines);
                eprintln!("{} file(s) differ from a fresh generation; HINT: run `dvp-mock generate`", drifts.len());
                Ok(ExitCode::from(1))
            }
        }
        Command::Preview { source, out } => {
            dvp_mock::preview::check_target(&out)?;
            let (config, options) = load(&source, Target::Standalone, false)?;
            let page = dvp_mock::preview::render(&config, options.jobs);
            dvp_mock::preview::write(&out, page.html.as_bytes())?;
            eprintln!(
                "wrote {} ({} bytes): {} namespaces, {} weeks and {} months",
                out.display(),
                page.html.len(),
                page.namespaces,
                page.weeks,
                page.months
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Verify { source, url } => {
            let (config, options) = load(&source, Target::Standalone, true)?;
            let generated = dvp_mock::generate(&config, &options, &NullSink, None)?;
            let report = verify::run(&url, &generated.corpus);
            let mut lines: Vec<String> =
                report.failures.iter().map(|(name, request, why)| format!("FAIL {name}: {request}: {why}")).collect();
            lines.push(format!("{} passed, {} failed", report.passed, report.failures.len()));
            print_lines(&lines);
            Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// Prints to stdout; a closed pipe (`| head`) ends the output quietly instead of panicking.
fn print_lines(lines: &[String]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for l in lines {
        if writeln!(out, "{l}").is_err() {
            return;
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
        Err(e) => {
            // One line, like every other error: clap's first paragraph (it names the flag).
            let text = e.render().to_string();
            let first: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            eprintln!("{}", first.join(" "));
            return ExitCode::from(2);
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
