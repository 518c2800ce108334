//! The calibrated-volume keys of a repository (`weeks`, `churn`, `by_digest`,
//! `version_checks`): parsed and checked here, with the line of a bad value; the engine's
//! `volume` module makes the events follow them.
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Share of a week's clients replaced the next week when a repository sets no `churn`
/// (INFERRED: no public data relates weekly to monthly distinct IPs).
pub(crate) const DEFAULT_CHURN: f64 = 0.3;

/// Largest `pulls` of one week (keeps day counts in `u32`).
pub(crate) const MAX_WEEK_PULLS: u64 = 1_000_000_000;

/// One week of a profile, as written in the configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "RawWeek")]
pub struct WeekVolume {
    /// The Monday that starts the ISO week.
    pub week: NaiveDate,
    /// Events (`pullCount`) in the week.
    pub pulls: u64,
    /// Distinct clients (`ipCount`) in the week.
    pub(crate) ips: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeek {
    week: NaiveDate,
    pulls: u64,
    ips: u64,
}

impl TryFrom<RawWeek> for WeekVolume {
    type Error = String;
    fn try_from(w: RawWeek) -> Result<Self, String> {
        if w.week.weekday() != chrono::Weekday::Mon {
            return Err(format!(
                "key `week`: {} is a {}, expected the Monday that starts an ISO week",
                w.week,
                w.week.weekday()
            ));
        }
        if w.pulls > MAX_WEEK_PULLS {
            return Err(format!("key `pulls`: {} is above {MAX_WEEK_PULLS}", w.pulls));
        }
        if w.ips > w.pulls {
            return Err(format!("key `ips`: {} distinct clients cannot make only {} pulls", w.ips, w.pulls));
        }
        if w.pulls > 0 && w.ips == 0 {
            return Err(format!("key `ips`: {} pulls need at least one client", w.pulls));
        }
        Ok(WeekVolume { week: w.week, pulls: w.pulls, ips: w.ips })
    }
}

/// A repository's `weeks`: at least one, in ascending order, each week once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "Vec<WeekVolume>")]
pub struct Weeks(pub Vec<WeekVolume>);

impl TryFrom<Vec<WeekVolume>> for Weeks {
    type Error = String;
    fn try_from(v: Vec<WeekVolume>) -> Result<Self, String> {
        if v.is_empty() {
            return Err("key `weeks`: expected at least one week".into());
        }
        if let Some(w) = v.windows(2).find(|w| w[1].week <= w[0].week) {
            return Err(format!(
                "key `weeks`: week {} follows {}, expected ascending weeks, each once",
                w[1].week, w[0].week
            ));
        }
        Ok(Weeks(v))
    }
}

/// The checks of a repository's volume keys that need more than one key; the message starts
/// with the key's name after the repository (`weeks[3].ips`: ...).
pub(crate) fn validate_repo(repo: &crate::config::Repo, clients: u32) -> Result<(), String> {
    let share = |v: Option<f64>| v.is_none_or(|x| x.is_finite() && (0.0..=1.0).contains(&x));
    if !share(repo.churn) {
        return Err("churn`: expected a number in 0..=1".into());
    }
    if !share(repo.by_digest) {
        return Err("by_digest`: expected a number in 0..=1".into());
    }
    if !share(repo.version_checks) {
        return Err("version_checks`: expected a number in 0..=1".into());
    }
    if repo.by_digest.unwrap_or(0.0) + repo.version_checks.unwrap_or(0.0) > 1.0 {
        return Err("version_checks`: by_digest + version_checks must not exceed 1".into());
    }
    if let Some(weeks) = &repo.weeks {
        if let Some((k, w)) = weeks.0.iter().enumerate().find(|(_, w)| w.ips > u64::from(clients)) {
            return Err(format!(
                "weeks[{k}].ips`: {} distinct clients in week {}, but `clients` is {clients}",
                w.ips, w.week
            ));
        }
        if repo.tags.iter().all(|t| t.popularity == 0.0) {
            return Err("weeks`: a repository with weeks needs a tag with popularity > 0".into());
        }
    }
    Ok(())
}
