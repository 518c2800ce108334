//! `dvp-mock calibrate`: a configuration whose mock serves data shaped like the user's files,
//! or like the data the live API serves the user's account (`--from-api`).
use std::path::PathBuf;
use std::time::Duration;

use dvp_mock::calibrate::api_client::{Credentials, Event, Hooks, Politeness};
use dvp_mock::calibrate::{self, live, Calibrated, Source};
use dvp_mock::output::file;
use dvp_mock::Error;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock calibrate --from acme/web=web.json --out acme.toml    a saved repository pulls response
  dvp-mock calibrate --from a.json --from acme_trend.csv         several inputs, combined
  DVP_USERNAME=me DVP_SECRET=dckr_pat_... dvp-mock calibrate --from-api https://hub.docker.com --out mine.toml
                                                                 every namespace the account may read";

/// The flags of `dvp-mock calibrate` (its help text is on the command in `main.rs`).
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["from", "from_api"])))]
pub struct Args {
    /// An input file; `NS=FILE` or `NS/REPO=FILE` names series the file leaves unnamed.
    #[arg(long = "from", value_name = "FILE")]
    from: Vec<String>,
    /// Read the inputs from the API at URL (its host, e.g. https://hub.docker.com) instead:
    /// logs in as DVP_USERNAME with DVP_SECRET (a password or personal access token) and
    /// DVP_TOTP (a 2FA code, if the account asks for one), all from the environment.
    #[arg(long, value_name = "URL")]
    from_api: Option<String>,
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
    let calibrated = match &args.from_api {
        Some(url) => from_api(url, args.rename)?,
        None => {
            let sources: Vec<Source> = args.from.iter().map(|f| Source::parse(f)).collect();
            calibrate::calibrate_with_warnings(&sources, args.rename)?
        }
    };
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

/// The environment variable `name`, unless unset or empty.
fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// Calibrates from the live API, with a progress bar on a terminal and a summary line.
fn from_api(url: &str, rename: bool) -> Result<Calibrated, Error> {
    let (Some(username), Some(secret)) = (env("DVP_USERNAME"), env("DVP_SECRET")) else {
        return Err(Error::Usage(
            "--from-api: set DVP_USERNAME and DVP_SECRET (a password or personal access token) in the \
             environment, and DVP_TOTP for an account with two-factor authentication"
                .into(),
        ));
    };
    let creds = Credentials { username, secret, totp: env("DVP_TOTP") };
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    bar.set_style(ProgressStyle::with_template("  requests {pos}/{len} {wide_bar} {msg}").expect("a valid template"));
    let shown = bar.clone();
    let mut event = move |e: &Event| match e {
        Event::Answered { done, planned, step } => {
            shown.set_length(u64::from(*planned));
            shown.set_position(u64::from(*done));
            // The step without its request, which can be long.
            shown.set_message(step.split(" (").next().unwrap_or(step).to_string());
        }
        Event::Waiting { step, status, wait, retry } => shown.suspend(|| {
            eprintln!("note: {step}: HTTP {status}: waiting {} s before retry {retry}", wait.as_secs());
        }),
    };
    let mut sleep = |d: Duration| std::thread::sleep(d);
    let hooks = Hooks { event: &mut event, sleep: &mut sleep };
    let done = live::calibrate(url, &creds, rename, Politeness::default(), hooks);
    bar.finish_and_clear();
    let done = done?;
    eprintln!(
        "read {} namespace(s), {} repositories, {} weeks and {} trend report(s) in {} requests ({} retried)",
        done.shape.namespaces, done.shape.repos, done.shape.weeks, done.reports, done.requests, done.retries
    );
    Ok(done.config)
}
