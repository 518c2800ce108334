//! The `dvp-mock` command line: parses flags, dispatches to one file per command
//! (`src/cmd/`), and maps errors to exit codes.
#![warn(clippy::too_many_lines)]
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use dvp_mock::Error;

mod cmd;

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
    /// repo-summary, namespace-summary); DVP Core report CSVs (summary, trend).
    Calibrate(cmd::calibrate::Args),
    /// Replay the full request corpus against a running mock; exit 1 on any difference.
    #[command(after_help = cmd::verify::EXAMPLES)]
    Verify(cmd::verify::Args),
}

fn run(command: Command) -> Result<ExitCode, Error> {
    match command {
        Command::Config => cmd::config::run(),
        Command::Generate(args) => cmd::generate::run(args)?,
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
            // One line, like every other error: clap's first paragraph (it names the flag).
            let text = e.render().to_string();
            let first: Vec<&str> = text.lines().take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            eprintln!("{}", first.join(" "));
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
