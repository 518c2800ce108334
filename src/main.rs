//! The `dvp-mock` command line: parses flags, calls the library, maps errors to exit codes.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::sync::atomic::Ordering;

use clap::{Parser, Subcommand};
use dvp_mock::check::{self, CompareSink};
use dvp_mock::config::{self, Config};
use dvp_mock::pass::Progress;
use dvp_mock::safety::{self, estimate, server, Limit};
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
}

#[derive(clap::Args)]
struct Jobs {
    /// Worker threads (default: all cores). The output is byte-identical for any value.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

const GENERATE_EXAMPLES: &str = "Examples:
  dvp-mock generate                                  the default mock into ./mappings and ./__files
  dvp-mock generate --dry-run                        how big it would be; writes nothing
  dvp-mock generate --config my.toml --out mock      your configuration into ./mock
  dvp-mock generate --seed 7 --as-of 2026-01-31      another world, another \"today\"
  dvp-mock generate --reload http://localhost:8080   regenerate and make a running WireMock serve it
  dvp-mock generate --target cloud                   one WireMock Cloud import file";

const CHECK_EXAMPLES: &str = "Examples:
  dvp-mock check                                     is ./mappings + ./__files what generate writes?
  dvp-mock check --config my.toml --dir mock         the same flags you gave generate (--out = --dir)";

const VERIFY_EXAMPLES: &str = "Examples:
  dvp-mock verify --url http://localhost:8080        replay every request; one line per failure
  dvp-mock verify --config my.toml --url http://localhost:8080
                                                     the flags you gave generate
Serve the tree first, e.g. java -jar wiremock-standalone-3.13.2.jar --port 8080 --root-dir .";

const PREVIEW_EXAMPLES: &str = "Examples:
  dvp-mock preview --out preview.html                the default mock's data as one HTML page
  dvp-mock preview --config my.toml --out my.html    the flags you gave generate";

const CONFIG_EXAMPLES: &str = "Examples:
  dvp-mock config > my.toml                          edit, then: dvp-mock generate --config my.toml";

#[derive(Subcommand)]
enum Command {
    /// Write the mock: `mappings/` and `__files/` (standalone) or one import file (cloud).
    #[command(after_help = GENERATE_EXAMPLES)]
    Generate {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        jobs: Jobs,
        /// Output directory. Only `mappings/dvp-mock/`, `__files/dvp-mock/`, the Cloud file and the
        /// manifest `.dvp-mock-manifest` are written; nothing else is touched.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// standalone: `mappings/` + `__files/` for the jar, Docker image or Testcontainers;
        /// cloud: one WireMock Cloud import file, `dvp-mock-cloud.json`, every body inline.
        #[arg(long, value_enum, default_value_t = TargetArg::Standalone)]
        target: TargetArg,
        /// Replace `mappings/dvp-mock/` and `__files/dvp-mock/` even if they hold files dvp-mock
        /// did not generate (your own stubs elsewhere in `mappings/` and `__files/` are never touched).
        #[arg(long)]
        force: bool,
        /// Print nothing but errors (no progress bar, no summary).
        #[arg(long)]
        quiet: bool,
        /// Print the estimated size (files, stubs, rows, bytes) and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Refuse (exit 2, nothing written) when the estimate is above SIZE, e.g. 500M, 2G.
        /// Default: the smaller of 20G and the free space where the output goes.
        #[arg(long, value_name = "SIZE", value_parser = safety::parse_size)]
        max_bytes: Option<u64>,
        /// After writing, make the WireMock at URL serve the new tree
        /// (POST URL/__admin/mappings/reset) and print how many stubs it serves.
        #[arg(long, value_name = "URL")]
        reload: Option<String>,
    },
    /// Regenerate in memory and compare with DIR; exit 1 listing every difference. Never writes.
    #[command(after_help = CHECK_EXAMPLES)]
    Check {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        jobs: Jobs,
        /// Directory holding the generated output (the `--out` of generate).
        #[arg(long, visible_alias = "out", value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Which artifact to compare (standalone or cloud).
        #[arg(long, value_enum, default_value_t = TargetArg::Standalone)]
        target: TargetArg,
    },
    /// Write one self-contained HTML page (inline SVG charts) of the data the mock serves.
    #[command(after_help = PREVIEW_EXAMPLES)]
    Preview {
        #[command(flatten)]
        source: Source,
        #[command(flatten)]
        jobs: Jobs,
        /// The page to write; its folder must exist. Replaced atomically.
        #[arg(long, value_name = "FILE.html")]
        out: PathBuf,
    },
    /// Print the embedded default configuration.
    #[command(after_help = CONFIG_EXAMPLES)]
    Config,
    /// Write a configuration whose mock serves data of the same shape as your own files.
    ///
    /// Inputs (detected by content, streamed): pull-series JSON as saved from any pulls
    /// endpoint or the `end`-keyed store scripts keep; legacy export CSVs (raw, summary,
    /// repo-summary, namespace-summary); DVP Core report CSVs (summary, trend).
    Calibrate {
        /// An input file; `NS=FILE` or `NS/REPO=FILE` names series the file leaves unnamed.
        #[arg(long = "from", value_name = "FILE", required = true)]
        from: Vec<String>,
        /// Write the configuration here instead of stdout (only once it is complete).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Synthetic namespace and repository names instead of the input's.
        #[arg(long)]
        rename: bool,
    },
    /// Replay the full request corpus against a running mock; exit 1 on any difference.
    #[command(after_help = VERIFY_EXAMPLES)]
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
fn load(source: &Source, jobs: &Jobs, target: Target, corpus: bool) -> Result<(Config, Options), Error> {
    let overrides = config::Overrides { seed: source.seed, as_of: source.as_of };
    let config = config::load(source.config.as_deref(), overrides)?;
    let jobs = jobs.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
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

fn generate(
    (config, options): (Config, Options),
    out: &Path,
    target: Target,
    force: bool,
    progress: &Progress,
) -> Result<Tree, Error> {
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
        Command::Generate { source, jobs, out, target, force, quiet, dry_run, max_bytes, reload } => {
            let target = Target::from(target);
            let start = std::time::Instant::now();
            let reload = reload.map(|url| server::base_url("--reload", &url)).transpose()?;
            let loaded = load(&source, &jobs, target, false)?;
            let estimate = estimate::of_config(&loaded.0);
            if let Some(w) = safety::history_warning(&estimate) {
                eprintln!("warning: {w}");
            }
            let limit = Limit::resolve(max_bytes, &out);
            if dry_run {
                print_lines(&safety::describe(&estimate, &limit));
                return Ok(ExitCode::SUCCESS);
            }
            safety::guard(&estimate, &limit)?;
            if let Some(url) = &reload {
                server::reachable(url)?;
            }
            let (progress, bar) = progress_line(quiet);
            let tree = generate(loaded, &out, target, force, &progress);
            bar.finish_and_clear();
            let tree = tree.map_err(safety::full_disk)?;
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
            if let Some(url) = &reload {
                let stubs = server::reload(url)?;
                if !quiet {
                    eprintln!("reloaded WireMock: it now serves {stubs} stubs");
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { source, jobs, dir: out, target } => {
            let again = hint(&source, &out, target.into());
            if !out.is_dir() {
                return Err(Error::Usage(format!(
                    "{}: no such folder; HINT: create the mock there with `{again}`",
                    out.display()
                )));
            }
            let (config, options) = load(&source, &jobs, target.into(), false)?;
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
                eprintln!("{} file(s) differ from a fresh generation; HINT: run `{again}`", drifts.len());
                Ok(ExitCode::from(1))
            }
        }
        Command::Calibrate { from, out, rename } => {
            let sources: Vec<_> = from.iter().map(|f| dvp_mock::calibrate::Source::parse(f)).collect();
            let text = dvp_mock::calibrate::calibrate(&sources, rename)?;
            match out {
                None => print!("{text}"),
                Some(path) => {
                    let tmp = path.with_extension("toml.partial");
                    std::fs::write(&tmp, &text).map_err(|e| Error::Io { path: tmp.clone(), source: e })?;
                    std::fs::rename(&tmp, &path).map_err(|e| Error::Io { path: path.clone(), source: e })?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Preview { source, jobs, out } => {
            dvp_mock::preview::check_target(&out)?;
            let (config, options) = load(&source, &jobs, Target::Standalone, false)?;
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
            let url = server::base_url("--url", &url)?;
            server::reachable(&url)?;
            let (config, options) = load(&source, &Jobs { jobs: None }, Target::Standalone, true)?;
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
            print_lines(&lines);
            Ok(if report.failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
        }
    }
}

/// The `generate` command that recreates what `check` compared: the flags the user gave.
fn hint(source: &Source, dir: &Path, target: Target) -> String {
    let mut cmd = String::from("dvp-mock generate");
    if let Some(c) = &source.config {
        cmd.push_str(&format!(" --config {}", c.display()));
    }
    if let Some(s) = source.seed {
        cmd.push_str(&format!(" --seed {s}"));
    }
    if let Some(a) = source.as_of {
        cmd.push_str(&format!(" --as-of {a}"));
    }
    if dir != Path::new(".") {
        cmd.push_str(&format!(" --out {}", dir.display()));
    }
    if target == Target::Cloud {
        cmd.push_str(" --target cloud");
    }
    cmd
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
