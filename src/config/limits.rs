//! The limits every configuration is held to before a world is built, so that no date
//! overflows the calendar or a token, and no count wraps or saturates anywhere downstream:
//! - every date (`as_of`, `history_start`, each `weeks[].week`) lies in
//!   `FIRST_DATE`..=`LAST_DATE`: the calendar then never leaves chrono's range, and every
//!   token's `iat` and `exp` have the ten digits its layout holds (`engine::jwt`);
//! - a modelled namespace holds at most `MAX_PERIOD_EVENTS` expected events in any month
//!   (`weekly_pulls` grown by `growth` to the end of the history, plus its `weeks` profiles):
//!   event counters are `u32`;
//! - a public namespace serves at most `MAX_PUBLIC_PULLS` pulls in any month, so each of its
//!   counts is an exact integer (below 2^53, exact in the `f64` its mean is drawn from) and no
//!   sum of them can wrap.
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::Config;

/// The first date a configuration may name.
pub(crate) const FIRST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2002, 1, 1) {
    Some(d) => d,
    None => panic!("a valid date"),
};
/// The last date a configuration may name.
pub(crate) const LAST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2199, 12, 31) {
    Some(d) => d,
    None => panic!("a valid date"),
};
/// Most expected events of one modelled namespace in one month (event counters are `u32`).
pub(crate) const MAX_PERIOD_EVENTS: f64 = 2e9;
/// Most pulls of one public namespace in one month (exact integers, far from `u64::MAX`).
pub(crate) const MAX_PUBLIC_PULLS: f64 = 1e15;

/// Most days in a period (a month).
const PERIOD_DAYS: f64 = 31.0;
/// The largest factor of the weekday rhythm and of a public image's day swing.
const PEAK_FACTOR: f64 = 1.16 * 1.1;

/// The date rule, as error messages state it.
pub(crate) fn date_range() -> String {
    format!("{FIRST_DATE}..={LAST_DATE}")
}

/// `Err("key `key`: ...")` when `d` lies outside the supported dates.
pub(crate) fn check_date(key: &str, d: NaiveDate) -> Result<(), String> {
    if (FIRST_DATE..=LAST_DATE).contains(&d) {
        Ok(())
    } else {
        Err(format!("key `{key}`: {d} is outside the supported dates {}", date_range()))
    }
}

/// Checks the dates of `c` and the counts of its public namespaces (names and ranges are
/// checked before); [`check_events`] follows the size guard.
pub(crate) fn validate(c: &Config) -> Result<(), String> {
    check_date("history_start", c.history_start)?;
    check_date("as_of", c.as_of)?;
    for (i, repo) in
        c.namespaces.iter().enumerate().flat_map(|(i, ns)| ns.repos.iter().enumerate().map(move |r| (i, r)))
    {
        let (j, repo) = repo;
        for (k, w) in repo.weeks.iter().flat_map(|w| w.0.iter()).enumerate() {
            check_date(&format!("namespaces[{i}].repos[{j}].weeks[{k}].week"), w.week)?;
        }
    }
    check_public(c)
}

/// The events of each publisher namespace fit its counters. Checked after the size guard (by
/// `size::admit`, `generate` and [`crate::generate`]): a history mistyped by decades is first
/// of all far too big, and the guard says so with its cause.
pub fn check_events(c: &Config) -> Result<(), String> {
    for (i, ns) in c.namespaces.iter().enumerate() {
        let mut profiled: BTreeMap<NaiveDate, f64> = BTreeMap::new();
        for repo in &ns.repos {
            for w in repo.weeks.iter().flat_map(|w| w.0.iter()) {
                // A week counts in the month of its Monday and of its Sunday (an upper bound).
                let last = w.week + chrono::Days::new(6);
                *profiled.entry(month_start(w.week)).or_default() += w.pulls as f64;
                if last.month() != w.week.month() {
                    *profiled.entry(month_start(last)).or_default() += w.pulls as f64;
                }
            }
        }
        let poisson = PERIOD_DAYS * peak_daily(c, ns.weekly_pulls, ns.growth);
        let most = poisson + profiled.values().copied().fold(0.0, f64::max);
        if most > MAX_PERIOD_EVENTS {
            return Err(format!(
                "key `namespaces[{i}].weekly_pulls`: with growth {} over {}..{} and its repositories' `weeks`, \
                 a month would hold about {most:.3e} events; expected at most {MAX_PERIOD_EVENTS:.0e} \
                 (lower weekly_pulls or growth, or shorten the history)",
                ns.growth, c.history_start, c.as_of
            ));
        }
    }
    Ok(())
}

/// Every count of a public namespace is an exact integer far below `u64::MAX`.
fn check_public(c: &Config) -> Result<(), String> {
    for (i, ns) in c.public_namespaces.iter().enumerate() {
        let most = PERIOD_DAYS * peak_daily(c, ns.weekly_pulls, ns.growth);
        if most > MAX_PUBLIC_PULLS {
            return Err(format!(
                "key `public_namespaces[{i}].weekly_pulls`: with growth {} over {}..{}, a month would count \
                 about {most:.3e} pulls; expected at most {MAX_PUBLIC_PULLS:.0e} \
                 (lower weekly_pulls or growth, or shorten the history)",
                ns.growth, c.history_start, c.as_of
            ));
        }
    }
    Ok(())
}

/// The first day of `d`'s month.
fn month_start(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// An upper bound of the mean of one day over the history: the engine's daily mean
/// (`engine::rhythm::daily_mean_of`: `weekly / 7`, compounded by `growth` per year since
/// `history_start`, times a rhythm and holiday factor of at most 1.16) at its largest day, with
/// the largest day factors ([`PEAK_FACTOR`]). Computed here from that formula, without the
/// engine, since the configuration is checked before any engine code runs.
fn peak_daily(c: &Config, weekly: f64, growth: f64) -> f64 {
    let day = if growth >= 0.0 { c.as_of } else { c.history_start };
    let years = (day - c.history_start).num_days() as f64 / 365.25;
    weekly / 7.0 * libm::pow(1.0 + growth, years) * PEAK_FACTOR
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_TOML;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(text, "t.toml").map_err(|e| e.to_string())
    }

    #[test]
    fn dates_outside_the_range_are_one_line_naming_the_key_and_the_range() {
        for (from, to, key) in [
            ("as_of = \"2026-03-18\"", "as_of = \"+262142-12-31\"", "as_of"),
            ("as_of = \"2026-03-18\"", "as_of = \"2290-03-18\"", "as_of"),
            ("history_start = \"2025-09-01\"", "history_start = \"1999-12-06\"", "history_start"),
        ] {
            let err = parse(&DEFAULT_TOML.replace(from, to)).unwrap_err();
            assert!(err.contains(&format!("key `{key}`")) && err.contains("2002-01-01..=2199-12-31"), "{err}");
            assert!(!err.contains('\n'));
        }
        let edge = DEFAULT_TOML.replace("as_of = \"2026-03-18\"", "as_of = \"2199-12-31\"");
        let edge = edge.replace("history_start = \"2025-09-01\"", "history_start = \"2199-06-01\"");
        assert!(parse(&edge).is_ok());
    }

    #[test]
    fn counts_that_would_not_fit_are_refused_up_front() {
        let public = DEFAULT_TOML
            .replace("weekly_pulls = 60_000_000", "weekly_pulls = 10_000_000_000")
            .replace("growth = 0.1\n", "growth = 10.0\n")
            .replace("history_start = \"2025-09-01\"", "history_start = \"2006-01-02\"");
        let err = parse(&public).unwrap_err();
        assert!(err.contains("key `public_namespaces[0].weekly_pulls`") && err.contains("at most 1e15"), "{err}");
        let modelled = parse(&DEFAULT_TOML.replace("weekly_pulls = 330", "weekly_pulls = 1e9")).unwrap();
        let err = check_events(&modelled).unwrap_err();
        assert!(err.contains("key `namespaces[0].weekly_pulls`") && err.contains("at most 2e9"), "{err}");
        // Just inside: 1e8 a week is about 5e8 a month.
        let inside = parse(&DEFAULT_TOML.replace("weekly_pulls = 330", "weekly_pulls = 1e8")).unwrap();
        assert!(check_events(&inside).is_ok());
    }
}
