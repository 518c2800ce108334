//! `dvp-mock calibrate`: a configuration whose mock serves data shaped like the user's files.
use std::path::PathBuf;

use dvp_mock::calibrate::{self, Source};
use dvp_mock::output::file;
use dvp_mock::Error;

/// The flags of `dvp-mock calibrate` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
pub struct Args {
    /// An input file; `NS=FILE` or `NS/REPO=FILE` names series the file leaves unnamed.
    #[arg(long = "from", value_name = "FILE", required = true)]
    from: Vec<String>,
    /// Write the configuration here instead of stdout (only once it is complete).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Synthetic namespace and repository names instead of the input's.
    #[arg(long)]
    rename: bool,
}

/// Reads every input and prints or writes the configuration.
pub fn run(args: Args) -> Result<(), Error> {
    if let Some(out) = &args.out {
        file::check_target(out)?;
    }
    let sources: Vec<Source> = args.from.iter().map(|f| Source::parse(f)).collect();
    let calibrated = calibrate::calibrate_with_warnings(&sources, args.rename)?;
    for w in &calibrated.warnings {
        eprintln!("warning: {w}");
    }
    let text = calibrated.text;
    match &args.out {
        None => super::print_text(&text),
        Some(out) => file::write(out, text.as_bytes())?,
    }
    Ok(())
}
