//! `dvp-mock generate`: write the mock, after the size guard; optionally reload a running
//! WireMock.
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

use dvp_mock::engine::period_pass::Progress;
use dvp_mock::http;
use dvp_mock::size::{self, estimate, Limit};
use dvp_mock::wiremock::{self, Target, Tree};
use dvp_mock::{output, Error};

use super::{Asked, Jobs, Source, TargetArg};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock generate                                  the default mock into ./mappings and ./__files
  dvp-mock generate --dry-run                        how big it would be; writes nothing
  dvp-mock generate --config my.toml --out mock      your configuration into ./mock
  dvp-mock generate --seed 7 --as-of 2026-01-31      another world, another \"today\"
  dvp-mock generate --reload http://localhost:8080   regenerate and make a running WireMock serve it
  dvp-mock generate --as-recorded --out mock         mock again, as its manifest records it was made
  dvp-mock generate --target cloud                   one WireMock Cloud import file
  dvp-mock generate --profile load --base-url http://localhost:8080
                                                     the same data for load tests (fixed tokens and links)";

/// The flags of `dvp-mock generate` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    jobs: Jobs,
    /// Output directory. Only `mappings/dvp-mock/`, `__files/dvp-mock/`, the Cloud file and the
    /// manifest `.dvp-mock-manifest` are written; nothing else is touched.
    #[arg(long, value_name = "DIR", default_value = ".")]
    out: PathBuf,
    /// standalone (the default): `mappings/` + `__files/` for the jar, Docker image or
    /// Testcontainers; cloud: one WireMock Cloud import file, `dvp-mock-cloud.json`, every body inline.
    #[arg(long, value_enum)]
    target: Option<TargetArg>,
    /// Generate DIR again from the configuration, overrides and target its manifest records
    /// (what `check` compares with); instead of --config, --seed and --as-of.
    #[arg(long, conflicts_with_all = ["config", "seed", "as_of", "profile", "base_url"])]
    as_recorded: bool,
    #[command(flatten)]
    profile: super::profile::Profile,
    /// Replace `mappings/dvp-mock/` and `__files/dvp-mock/` even if they hold files dvp-mock
    /// did not generate (your own stubs elsewhere in `mappings/` and `__files/` are never touched).
    #[arg(long)]
    force: bool,
    /// Print nothing but errors (no progress bar, no summary).
    #[arg(long)]
    quiet: bool,
    /// Print the estimated size (files, stubs, rows, bytes) and write nothing; exit 2 when
    /// generate would refuse.
    #[arg(long)]
    dry_run: bool,
    /// Refuse (exit 2, nothing written) when the estimate is above SIZE, e.g. 500M, 2G.
    /// Default: the smaller of 20G and the free space where the output goes.
    #[arg(long, value_name = "SIZE", value_parser = size::parse_size)]
    max_bytes: Option<u64>,
    /// After writing, make the WireMock at URL serve the new tree
    /// (POST URL/__admin/mappings/reset) and print how many stubs it serves. Every stub file in
    /// `mappings/` is checked first: a broken one is named and nothing is written or reloaded.
    #[arg(long, value_name = "URL")]
    reload: Option<String>,
}

/// Estimates, guards, writes and reports.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let start = std::time::Instant::now();
    if args.out.is_file() {
        return Err(Error::Usage(format!(
            "--out {}: is a file; --out takes the folder that gets mappings/ and __files/",
            args.out.display()
        )));
    }
    let reload = args.reload.as_ref().map(|url| http::base_url("--reload", url)).transpose()?;
    let load = args.profile.load_base_url()?;
    let asked = if args.as_recorded {
        // The record says which profile the tree was made with.
        super::recorded(&args.out, args.target.map(Target::from), &args.jobs)?
    } else {
        let target = args.target.map_or(Target::Standalone, Target::from);
        super::Asked { load, ..super::load(&args.source, &args.jobs, target, false)? }
    };
    let load = asked.load.clone();
    let target = asked.options.target;
    let estimate = estimate::of_config(&asked.config);
    if load.is_some() && target == Target::Cloud {
        return Err(Error::Usage(
            "--profile load builds a standalone tree; it cannot be used with --target cloud".into(),
        ));
    }
    if let Some(w) = size::history_warning(&estimate) {
        eprintln!("warning: {w}");
    }
    let limit = Limit::resolve(args.max_bytes, &args.out);
    // The size guard, then the event counters (a history mistyped by decades is refused for
    // its size first); before any write or reload, and the verdict of a dry run too.
    let admitted = size::guard(&estimate, &limit)
        .and_then(|()| dvp_mock::config::limits::check_events(&asked.config).map_err(Error::Budget));
    if args.dry_run {
        let cloud = (target == Target::Cloud).then(|| estimate::cloud_of_config(&asked.config, &estimate));
        let budget = asked.config.cloud_budget_bytes;
        let over_budget = cloud.as_ref().is_some_and(|c| c.bytes > budget);
        super::print_lines(&size::describe(&estimate, &limit, cloud.as_ref().map(|c| (c, budget))));
        return Ok(ExitCode::from(if admitted.is_ok() && !over_budget { 0 } else { 2 }));
    }
    admitted?;
    if let Some(url) = &reload {
        http::reachable(url)?;
        http::check_stub_files(&args.out)?;
    }
    let (progress, bar) = super::progress_line(args.quiet);
    let tree = write(&asked, &args.out, args.force, &progress);
    bar.finish_and_clear();
    let tree = tree.map_err(size::full_disk)?;
    if !args.quiet {
        eprintln!(
            "wrote {} files ({} stubs; {} raw-export rows, an event in each complete period it falls in) to {} in {:.2}s",
            files_written(&args.out, target)?,
            wiremock::stub_count(&tree),
            progress.rows.load(Ordering::Relaxed),
            args.out.display(),
            start.elapsed().as_secs_f64()
        );
    }
    if let Some(url) = &reload {
        http::check_stub_files(&args.out)?;
        let stubs = http::reload(url)?;
        if !args.quiet {
            eprintln!("reloaded WireMock: it now serves {stubs} stubs");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Generates into a staging folder beside `out` and swaps it in with its manifest record (the
/// record names the profile, so `check` and `--as-recorded` rebuild the same one).
fn write(asked: &Asked, out: &Path, force: bool, progress: &Progress) -> Result<Tree, Error> {
    let staging = output::Staging::begin(out, asked.options.target == Target::Cloud, force)?;
    let (config, options, sink) = (&asked.config, &asked.options, &staging.sink());
    let generated = match asked.load.as_deref() {
        Some(base_url) => dvp_mock::generate_load(config, options, base_url, sink, Some(progress))?,
        None => dvp_mock::generate(config, options, sink, Some(progress))?,
    };
    staging.commit(&generated.tree, Some(asked.record(out)))?;
    Ok(generated.tree)
}

/// The files `generate` wrote into `out`, the manifest included (as the dry run counts them).
fn files_written(out: &Path, target: Target) -> Result<usize, Error> {
    let mock = match target {
        Target::Standalone => {
            let mut n = 0;
            for d in output::OWNED_DIRS {
                n += output::list_files(out, d)?.len();
            }
            n
        }
        Target::Cloud => 1,
    };
    Ok(mock + 1)
}
