//! The `dvp-mock` command line: parses flags, calls the library, maps errors to exit codes.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dvp_mock::config::Config;
use dvp_mock::model::Model;
use dvp_mock::target::{self, Target};
use dvp_mock::{output, routes, verify, Error};

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
    /// Worker threads for generation (default: all cores). Output is identical for any value.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

#[derive(Subcommand)]
enum Command {
    /// Write the mock: `mappings/` and `__files/` (standalone) or one import file (cloud).
    Generate {
        #[command(flatten)]
        source: Source,
        /// Output directory (default: the current directory). Only `mappings/`, `__files/`,
        /// the Cloud file and the manifest are written; nothing else is touched.
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// standalone (default) or cloud (one WireMock Cloud import file, bodies inline).
        #[arg(long, value_enum, default_value_t = Target::Standalone)]
        target: Target,
        /// Replace `mappings/` and `__files/` even if they hold files dvp-mock did not generate.
        #[arg(long)]
        force: bool,
        /// Print nothing but errors.
        #[arg(long)]
        quiet: bool,
    },
    /// Regenerate in memory and compare with DIR; exit 1 listing every difference. Never writes.
    Check {
        #[command(flatten)]
        source: Source,
        /// Directory holding the generated output (default: the current directory).
        #[arg(long, value_name = "DIR", default_value = ".")]
        out: PathBuf,
        /// Which artifact to compare.
        #[arg(long, value_enum, default_value_t = Target::Standalone)]
        target: Target,
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

fn load(source: &Source) -> Result<Model, Error> {
    let mut config = match &source.config {
        None => Config::default_config(),
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
                file: path.display().to_string(),
                message: format!("cannot read: {e}"),
            })?;
            Config::parse(&text, &path.display().to_string())?
        }
    };
    if let Some(seed) = source.seed {
        config.seed = seed;
    }
    if let Some(as_of) = source.as_of {
        config.as_of = as_of;
    }
    let file = source
        .config
        .as_deref()
        .map_or("<default>".to_string(), |p| p.display().to_string());
    config
        .validate()
        .map_err(|message| Error::Config { file, message })?;
    let jobs = source
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        return Err(Error::Usage("--jobs: expected at least 1".into()));
    }
    Ok(Model::build(config, jobs))
}

fn tree(model: &Model, target: Target) -> Result<target::Tree, Error> {
    let built = routes::build(model);
    match target {
        Target::Standalone => Ok(target::standalone(&built.mock)),
        Target::Cloud => target::cloud(&built.mock, model.world.config.cloud_budget_bytes),
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Config => {
            print!("{}", dvp_mock::config::DEFAULT_TOML);
            Ok(ExitCode::SUCCESS)
        }
        Command::Generate {
            source,
            out,
            target,
            force,
            quiet,
        } => {
            let start = std::time::Instant::now();
            let model = load(&source)?;
            let tree = tree(&model, target)?;
            output::write(&out, &tree, force)?;
            if !quiet {
                let bytes: usize = tree.values().map(Vec::len).sum();
                eprintln!(
                    "wrote {} files ({} stubs, {:.1} MB) to {} in {:.2}s",
                    tree.len(),
                    target::stub_count(&tree),
                    bytes as f64 / 1e6,
                    display(&out),
                    start.elapsed().as_secs_f64()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check {
            source,
            out,
            target,
        } => {
            let model = load(&source)?;
            let tree = tree(&model, target)?;
            let drifts = output::check(&out, &tree)?;
            if drifts.is_empty() {
                eprintln!(
                    "{} matches a fresh generation ({} files)",
                    display(&out),
                    tree.len()
                );
                Ok(ExitCode::SUCCESS)
            } else {
                for d in &drifts {
                    println!("{d}");
                }
                eprintln!(
                    "{} file(s) differ from a fresh generation; HINT: run `dvp-mock generate`",
                    drifts.len()
                );
                Ok(ExitCode::from(1))
            }
        }
        Command::Verify { source, url } => {
            let model = load(&source)?;
            let built = routes::build(&model);
            let report = verify::run(&url, &built.corpus);
            for (name, request, why) in &report.failures {
                println!("FAIL {name}: {request}: {why}");
            }
            println!("{} passed, {} failed", report.passed, report.failures.len());
            Ok(if report.failures.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
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
