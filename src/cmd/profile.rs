//! `--profile` and `--base-url`, shared by `generate` and `verify`.
use dvp_mock::http;
use dvp_mock::Error;

/// What the tree is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ProfileArg {
    /// Fidelity: tokens minted and links signed per request, faults, lockouts.
    Default,
    /// Throughput: the same data at the same paths, tokens and links fixed at generation on
    /// --base-url; no faults, no lockout, links that never expire (docs/performance-serving.md).
    Load,
}

/// The flags.
#[derive(clap::Args)]
pub struct Profile {
    /// default: the full mock; load: the same data shaped for load tests (needs --base-url,
    /// standalone only).
    #[arg(long, value_enum, default_value_t = ProfileArg::Default)]
    pub profile: ProfileArg,
    /// With --profile load: the address clients reach the mock at, e.g. http://localhost:8080;
    /// every link the load profile serves is built on it.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
}

impl Profile {
    /// The base URL of the load profile (`None` for the default profile); `--base-url`
    /// without `--profile load`, or `--profile load` without it, is a usage error.
    pub fn load_base_url(&self) -> Result<Option<String>, Error> {
        match (self.profile, &self.base_url) {
            (ProfileArg::Load, Some(url)) => http::base_url("--base-url", url).map(Some),
            (ProfileArg::Load, None) => {
                Err(Error::Usage("--profile load needs --base-url URL (the address clients reach the mock at)".into()))
            }
            (ProfileArg::Default, Some(_)) => Err(Error::Usage("--base-url is only used with --profile load".into())),
            (ProfileArg::Default, None) => Ok(None),
        }
    }
}
