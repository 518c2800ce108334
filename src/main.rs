//! The `dvp-mock` command line: parses flags, dispatches to one file per command
//! (`src/cmd/`), and maps errors to exit codes.
#![warn(clippy::too_many_lines)]
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dvp_mock::Error;

mod cmd;

/// Generate a deterministic WireMock mock of Docker's DVP Data API.
///
/// Exit codes (every command): 0 fine; 1 differs (`check` found drift or other settings,
/// `verify` failures or a mock of other settings); 2 refused input (a flag, the configuration,
/// a folder that is not a mock, a tree over the size limit, a dry run that would refuse);
/// 3 environment (I/O, a server that cannot be reached or refuses, foreign files in the mock's
/// folders, a broken stub file before a reload, a half-replaced tree). Reports go to stdout;
/// progress, warnings and errors to stderr.
#[derive(Parser)]
#[command(name = "dvp-mock", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the mock: `mappings/` and `__files/` (standalone) or one import file (cloud).
    #[command(after_help = cmd::generate::EXAMPLES)]
    Generate(cmd::generate::Args),
    /// Regenerate in memory and compare with DIR; exit 1 listing every difference. Never writes.
    #[command(after_help = cmd::check::EXAMPLES)]
    Check(cmd::check::Args),
    /// Write one self-contained HTML page (inline SVG charts) of the data the mock serves.
    #[command(after_help = cmd::preview::EXAMPLES)]
    Preview(cmd::preview::Args),
    /// Print the embedded default configuration.
    #[command(after_help = cmd::config::EXAMPLES)]
    Config,
    /// Write a configuration whose mock serves data of the same shape as your own files.
    ///
    /// Inputs (detected by content, streamed): pull-series JSON as saved from any pulls
    /// endpoint or the `end`-keyed store scripts keep; legacy export CSVs (raw, summary,
    /// repo-summary, namespace-summary); DVP Core report CSVs (summary, trend). Or the live
    /// API (`--from-api URL`): the weekly and monthly pull series of every repository the
    /// account may read and its trend reports, fetched one request at a time.
    #[command(after_help = cmd::calibrate::EXAMPLES)]
    Calibrate(cmd::calibrate::Args),
    /// Replay the full request corpus against a running mock; exit 1 on any difference.
    #[command(after_help = cmd::verify::EXAMPLES)]
    Verify(cmd::verify::Args),
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Config => cmd::config::run(),
        Command::Generate(args) => return cmd::generate::run(args),
        Command::Check(args) => return cmd::check::run(args),
        Command::Calibrate(args) => cmd::calibrate::run(args)?,
        Command::Preview(args) => cmd::preview::run(args)?,
        Command::Verify(args) => return cmd::verify::run(args),
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) if !e.use_stderr() || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
        Err(e) => {
            // One line, like every other error: clap's first paragraph (it names the flag) and
            // its tip, if any (the flag or subcommand meant: "a similar argument exists").
            let text = e.render().to_string();
            let first: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            let tip = text.lines().map(str::trim).find(|l| l.starts_with("tip: "));
            eprintln!("{}{}", first.join(" "), tip.map(|t| format!("; {t}")).unwrap_or_default());
            return ExitCode::from(2);
        }
    };
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
