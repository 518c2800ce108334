//! `dvp-mock config`: print the embedded default configuration.

/// `--help` examples.
pub const EXAMPLES: &str = "Examples:
  dvp-mock config > my.toml                          edit, then: dvp-mock generate --config my.toml";

/// Prints the embedded default configuration to stdout.
pub fn run() {
    super::print_text(dvp_mock::config::DEFAULT_TOML);
}
