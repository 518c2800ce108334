//! `dvp-mock check`: regenerate in memory and compare with a folder; never writes.
//!
//! Without `--config`, `--seed` or `--as-of` it regenerates what the folder's manifest records
//! (so a mock made from your own configuration checks as that mock); with them, it first says
//! in one line which settings differ from the record. A folder that is not a mock (a file, a
//! folder inside a tree, a folder with no mock, foreign files in the mock's own folders, a
//! half-replaced tree) gets one line saying what was found and what to do: exit 2 when the
//! folder named is not a mock, 3 when the disk holds what dvp-mock did not write or a run left. A
//! report is at most 20 lines unless `--verbose`, and every hint runs as printed from anywhere.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dvp_mock::check::{self, CompareSink, Drift};
use dvp_mock::config::canonical;
use dvp_mock::output::manifest::{Manifest, MANIFEST};
use dvp_mock::output::{self, swap, OWNED_DIRS};
use dvp_mock::sink::NullSink;
use dvp_mock::wiremock::{Target, CLOUD_FILE};
use dvp_mock::Error;

use super::{hint, report, Budget, Jobs, Source, TargetArg};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock check                                     is ./mappings + ./__files what its manifest says?
  dvp-mock check --dir mock --verbose                every difference, not the first few
  dvp-mock check --config my.toml --dir mock         does mock match my.toml (says which settings differ)";

/// The flags of `dvp-mock check` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    source: Source,
    #[command(flatten)]
    jobs: Jobs,
    #[command(flatten)]
    budget: Budget,
    /// Directory holding the generated output (the `--out` of generate).
    #[arg(long, visible_alias = "out", value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Which artifact to compare (standalone or cloud); default: the one the manifest records.
    #[arg(long, value_enum)]
    target: Option<TargetArg>,
    /// List every difference (by default: counts and the first 10).
    #[arg(long)]
    verbose: bool,
}

/// What the comparison is against, and the hint that would make the folder match it.
struct Plan {
    config: dvp_mock::config::Config,
    options: dvp_mock::Options,
    /// One line: the settings that differ from the record (only with flags).
    settings: Option<String>,
    hint: String,
    /// The load profile's `--base-url` when the record names that profile.
    load: Option<String>,
}

/// Compares and reports; exit 1 when anything differs.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let dir = args.dir.as_path();
    let asked_target = args.target.map(Target::from);
    diagnose(&args, dir, asked_target)?;
    let manifest = Manifest::read(dir)?;
    let plan = plan(&args, dir, asked_target, manifest.as_ref())?;
    super::admit(&plan.config, &args.budget)?;
    let target = plan.options.target;
    let drifts = match target {
        Target::Standalone => {
            let compare = CompareSink::new(dir.join("__files"));
            let generated = match plan.load.as_deref() {
                Some(url) => dvp_mock::generate_load(&plan.config, &plan.options, url, &compare, None)?,
                None => dvp_mock::generate(&plan.config, &plan.options, &compare, None)?,
            };
            check::check(dir, &generated.tree, Some(compare))?
        }
        Target::Cloud => {
            check::check(dir, &dvp_mock::generate(&plan.config, &plan.options, &NullSink, None)?.tree, None)?
        }
    };
    let mut lines: Vec<String> = plan.settings.iter().cloned().collect();
    if drifts.is_empty() {
        lines.push(format!("{} matches a fresh generation", dir.display()));
        if plan.settings.is_none() {
            super::print_lines(&lines);
            return Ok(ExitCode::SUCCESS);
        }
        // Same bytes, other settings: the record is out of date.
        lines.push(format!("HINT: {}", plan.hint));
        super::print_lines(&lines);
        return Ok(ExitCode::from(1));
    }
    let kind = |d: &Drift| match d {
        Drift::Missing(_) => "missing",
        Drift::Extra(_) => "extra",
        Drift::Differs(_) => "differ",
    };
    lines.push(format!(
        "{} file(s) differ from a fresh generation ({})",
        drifts.len(),
        report::counts(drifts.iter().map(kind))
    ));
    let items: Vec<String> = drifts.iter().map(ToString::to_string).collect();
    lines.extend(report::listing(&items, args.verbose));
    lines.push(format!("HINT: {}", plan.hint));
    super::print_lines(&lines);
    Ok(ExitCode::from(1))
}

/// Whether any of `--config`, `--seed`, `--as-of` was given.
fn has_flags(s: &Source) -> bool {
    s.config.is_some() || s.seed.is_some() || s.as_of.is_some()
}

/// What to compare with: the record (no flags), or the flags, said against the record.
fn plan(args: &Args, dir: &Path, asked: Option<Target>, manifest: Option<&Manifest>) -> Result<Plan, Error> {
    let record = manifest.and_then(|m| m.record(asked));
    let target = asked.or(record.map(|r| r.target())).unwrap_or(Target::Standalone);
    match record {
        Some(r) if !has_flags(&args.source) => {
            // Not `super::recorded`: that finishes a killed run's swap, and check never writes.
            let options = super::load(&Source::default(), &args.jobs, target, false)?.options;
            let config = r.load(dir)?;
            let settings = if r.default_changed() {
                let changed = settings_line(&canonical::differences(&r.as_written(dir)?, &config));
                changed.map(|c| {
                    format!(
                        "the embedded default configuration changed since {} was generated (then -> now): {c}",
                        dir.display()
                    )
                })
            } else {
                None
            };
            Ok(Plan {
                config,
                options,
                settings,
                hint: format!(
                    "regenerate it as recorded ({}): `{}`",
                    r.describe(),
                    hint::generate_recorded(target, dir)
                ),
                load: r.load_base_url.clone(),
            })
        }
        Some(r) => {
            let asked = super::load(&args.source, &args.jobs, target, false)?;
            let differences = canonical::differences(&r.load(dir)?, &asked.config);
            let settings = settings_line(&differences).map(|d| {
                format!(
                    "settings differ from those recorded in {} (recorded -> asked): {d}",
                    dir.join(MANIFEST).display()
                )
            });
            let profile = r
                .load_base_url
                .as_ref()
                .map(|u| format!(" --profile load --base-url {}", hint::quote(u)))
                .unwrap_or_default();
            let hint = format!(
                "make it match your settings: `{}{profile}`; or check it as recorded: `{}`",
                hint::generate(&args.source, target, dir),
                hint::check(&Source::default(), args.target.map(Target::from), dir)
            );
            let load = r.load_base_url.clone();
            Ok(Plan { config: asked.config, options: asked.options, settings, hint, load })
        }
        None => {
            let asked = super::load(&args.source, &args.jobs, target, false)?;
            let unrecorded =
                if has_flags(&args.source) { "" } else { "if it was made from the default configuration, " };
            let hint = format!("{unrecorded}regenerate it: `{}`", hint::generate(&args.source, target, dir));
            Ok(Plan { config: asked.config, options: asked.options, settings: None, hint, load: None })
        }
    }
}

/// "key a -> b, ..." (the first five), or `None` when nothing differs.
fn settings_line(differences: &[canonical::Difference]) -> Option<String> {
    if differences.is_empty() {
        return None;
    }
    let shown: Vec<String> = differences.iter().take(5).map(ToString::to_string).collect();
    let more = differences.len().saturating_sub(5);
    let more = if more > 0 { format!(", and {more} more") } else { String::new() };
    Some(format!("{}{more}", shown.join(", ")))
}

/// One line (an error) when `dir` is not a mock `check` can compare.
fn diagnose(args: &Args, dir: &Path, target: Option<Target>) -> Result<(), Error> {
    let shown = dir.display();
    let create = || hint::generate(&args.source, target.unwrap_or(Target::Standalone), dir);
    if !dir.exists() {
        return Err(Error::Usage(format!("{shown}: no such folder; HINT: create the mock there: `{}`", create())));
    }
    if !dir.is_dir() {
        let config = dir.extension().is_some_and(|e| e == "toml") && args.source.config.is_none();
        let cwd = Path::new(".");
        let fix = if config && cwd.join(MANIFEST).exists() {
            let source = Source { config: Some(dir.to_path_buf()), ..args.source.clone() };
            format!("; HINT: it looks like a configuration: `{}`", hint::check(&source, target, cwd))
        } else if config {
            "; a configuration goes to --config, and --dir takes the folder generate wrote".to_string()
        } else {
            "; --dir takes the folder generate wrote (it holds mappings/ and __files/)".to_string()
        };
        return Err(Error::Usage(format!("{shown} is a file, not a folder{fix}")));
    }
    let abs = hint::absolute(dir);
    if !dir.join(MANIFEST).exists() {
        let root = abs.ancestors().skip(1).find(|a| a.join(MANIFEST).exists());
        let inside = root.filter(|r| {
            let first = abs.strip_prefix(r).ok().and_then(|rest| rest.components().next());
            first.is_some_and(|c| c.as_os_str() == "mappings" || c.as_os_str() == "__files")
        });
        if let Some(root) = inside {
            return Err(Error::Usage(format!(
                "{shown} is a folder inside the mock at {}; HINT: check the whole tree: `{}`",
                root.display(),
                hint::check(&args.source, target, root)
            )));
        }
        let owned = OWNED_DIRS.iter().any(|d| dir.join(d).exists()) || dir.join(CLOUD_FILE).exists();
        if !owned {
            return Err(Error::Usage(format!(
                "{shown} holds no mock (no {MANIFEST}, mappings/dvp-mock/ or __files/dvp-mock/); \
                 HINT: create one there: `{}`",
                create()
            )));
        }
    }
    if let Some(j) = swap::Journal::read(dir)? {
        let why = if j.pid != std::process::id() && output::process_alive(j.pid) {
            format!("a generate (pid {}) is replacing this tree right now; check again when it ends", j.pid)
        } else {
            format!(
                "a generate (pid {}) died while replacing this tree; the next generate puts the previous tree \
                 back first: `{}`",
                j.pid,
                hint::generate_recorded(target.unwrap_or(Target::Standalone), dir)
            )
        };
        return Err(Error::Io { path: dir.join(swap::JOURNAL), source: std::io::Error::other(why) });
    }
    let listed = output::listed_files(dir)?;
    let cloud = target == Some(Target::Cloud);
    let foreign = output::foreign_files(dir, cloud, &listed)?;
    if let Some(first) = foreign.first() {
        let owned = if cloud { CLOUD_FILE.to_string() } else { "mappings/dvp-mock/ and __files/dvp-mock/".into() };
        let why = format!(
            "holds {} file(s) dvp-mock did not generate in {owned} (first: {first}); move them out (your own \
             stubs belong beside mappings/dvp-mock/, anywhere else in mappings/), then check again: `{}`",
            foreign.len(),
            hint::check(&args.source, target, dir)
        );
        return Err(Error::Io { path: dir.to_path_buf(), source: std::io::Error::other(why) });
    }
    Ok(())
}
