//! `dvp-mock check`: regenerate in memory and compare with a folder; never writes.
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use dvp_mock::check::{self, CompareSink};
use dvp_mock::sink::NullSink;
use dvp_mock::wiremock::Target;
use dvp_mock::Error;

use super::{Budget, Jobs, Source, TargetArg};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock check                                     is ./mappings + ./__files what generate writes?
  dvp-mock check --config my.toml --dir mock         the same flags you gave generate (--out = --dir)";

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
    /// Which artifact to compare (standalone or cloud).
    #[arg(long, value_enum, default_value_t = TargetArg::Standalone)]
    target: TargetArg,
}

/// Compares and reports; exit 1 when anything differs.
pub fn run(args: Args) -> Result<ExitCode, Error> {
    let target = Target::from(args.target);
    let out = &args.dir;
    let again = hint(&args.source, out, target);
    if !out.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no such folder; HINT: create the mock there with `{again}`",
            out.display()
        )));
    }
    let (config, options) = super::load_admitted(&args.source, &args.jobs, target, false, &args.budget)?;
    let drifts = match target {
        Target::Standalone => {
            let compare = CompareSink::new(out.join("__files"));
            let generated = dvp_mock::generate(&config, &options, &compare, None)?;
            check::check(out, &generated.tree, Some(compare))?
        }
        Target::Cloud => check::check(out, &dvp_mock::generate(&config, &options, &NullSink, None)?.tree, None)?,
    };
    if drifts.is_empty() {
        eprintln!("{} matches a fresh generation", out.display());
        Ok(ExitCode::SUCCESS)
    } else {
        let lines: Vec<String> = drifts.iter().map(ToString::to_string).collect();
        super::print_lines(&lines);
        eprintln!("{} file(s) differ from a fresh generation; HINT: run `{again}`", drifts.len());
        Ok(ExitCode::from(1))
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
