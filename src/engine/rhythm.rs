//! The year's rhythm of pulls: growth, weekdays and weekends, a quiet week around New Year.
use chrono::{Datelike, NaiveDate};

use crate::engine::calendar::is_weekend;

/// Mean number of events on `day` of a namespace of `weekly_pulls` a week: growth since
/// `history_start`, a weekday/weekend rhythm (weekdays 1.16, weekend days 0.6; they sum to 7)
/// and a quiet week around New Year. Modelled and public namespaces share it.
pub(crate) fn daily_mean_of(weekly_pulls: f64, growth: f64, history_start: NaiveDate, day: NaiveDate) -> f64 {
    let years = (day - history_start).num_days() as f64 / 365.25;
    let growth = libm::pow(1.0 + growth, years);
    let rhythm = if is_weekend(day) { 0.6 } else { 1.16 };
    // A quiet week between Christmas and New Year.
    let holiday =
        if (day.month() == 12 && day.day() >= 24) || (day.month() == 1 && day.day() <= 1) { 0.55 } else { 1.0 };
    weekly_pulls / 7.0 * growth * rhythm * holiday
}
