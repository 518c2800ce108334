//! Weeks (ISO, Monday to Sunday) and months, and which of them are available as of `as_of`.
//!
//! A week is available once complete: its Sunday is before `as_of`. A month is available from
//! the 1st of the following month. Only periods that start on or after `history_start` exist.
//! Export paths number weeks by ISO week within the ISO week-year (`/years/2026/weeks/1` is the
//! week of Monday 2025-12-29).
use chrono::{Datelike, Days, Months, NaiveDate, Weekday};

/// Whether a period is a week or a month (`timespantype` in the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Granularity {
    /// An ISO week, Monday to Sunday (`weeks` in the API).
    Week,
    /// A calendar month (`months` in the API).
    Month,
}

impl Granularity {
    /// Both, in API order.
    pub(crate) const ALL: [Granularity; 2] = [Granularity::Week, Granularity::Month];

    /// The API spelling (`weeks`, `months`).
    pub fn api(self) -> &'static str {
        match self {
            Granularity::Week => "weeks",
            Granularity::Month => "months",
        }
    }
    /// The report spelling (`weekly`, `monthly`).
    pub(crate) fn report(self) -> &'static str {
        match self {
            Granularity::Week => "weekly",
            Granularity::Month => "monthly",
        }
    }
    /// `DATE_GRANULARITY` in report CSVs (`week`, `month`).
    pub fn csv(self) -> &'static str {
        self.item()
    }
    /// The key of one period in export listings (`week`, `month`).
    pub(crate) fn item(self) -> &'static str {
        match self {
            Granularity::Week => "week",
            Granularity::Month => "month",
        }
    }
}

/// One week or one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// Week or month.
    pub granularity: Granularity,
    /// First day (a Monday, or the 1st).
    pub start: NaiveDate,
}

impl Period {
    pub(crate) fn week_of(day: NaiveDate) -> Period {
        let start = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
        Period { granularity: Granularity::Week, start }
    }

    pub(crate) fn month_of(day: NaiveDate) -> Period {
        Period { granularity: Granularity::Month, start: day.with_day(1).expect("day 1 exists") }
    }

    /// Last day, inclusive (a Sunday, or the last of the month).
    pub(crate) fn last_day(&self) -> NaiveDate {
        self.end_exclusive() - Days::new(1)
    }

    /// The day after the last day.
    pub(crate) fn end_exclusive(&self) -> NaiveDate {
        match self.granularity {
            Granularity::Week => self.start + Days::new(7),
            Granularity::Month => self.start + Months::new(1),
        }
    }

    /// The year used in export paths: ISO week-year for weeks, calendar year for months.
    pub fn path_year(&self) -> i32 {
        match self.granularity {
            Granularity::Week => self.start.iso_week().year(),
            Granularity::Month => self.start.year(),
        }
    }

    /// The number used in export paths: ISO week (1..=53) or month (1..=12).
    pub fn path_number(&self) -> u32 {
        match self.granularity {
            Granularity::Week => self.start.iso_week().week(),
            Granularity::Month => self.start.month(),
        }
    }

    /// Every day of the period.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let end = self.end_exclusive();
        self.start.iter_days().take_while(move |d| *d < end)
    }

    /// Whether the period is complete (available) as of `as_of`.
    pub(crate) fn available(&self, as_of: NaiveDate) -> bool {
        self.end_exclusive() <= as_of
    }

    /// A stable short label: `2025-W36` or `2025-09`.
    pub fn label(&self) -> String {
        match self.granularity {
            Granularity::Week => format!("{}-W{:02}", self.path_year(), self.path_number()),
            Granularity::Month => format!("{}-{:02}", self.start.year(), self.start.month()),
        }
    }
}

/// The available periods of a history window.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub(crate) history_start: NaiveDate,
    pub(crate) as_of: NaiveDate,
    /// Available weeks, oldest first.
    pub weeks: Vec<Period>,
    /// Available months, oldest first.
    pub months: Vec<Period>,
}

impl Calendar {
    pub(crate) fn new(history_start: NaiveDate, as_of: NaiveDate) -> Calendar {
        let mut weeks = Vec::new();
        let mut w = Period::week_of(history_start);
        if w.start < history_start {
            w.start = w.start + Days::new(7);
        }
        while w.available(as_of) {
            weeks.push(w);
            w.start = w.start + Days::new(7);
        }
        let mut months = Vec::new();
        let mut m = Period::month_of(history_start);
        if m.start < history_start {
            m.start = m.start + Months::new(1);
        }
        while m.available(as_of) {
            months.push(m);
            m.start = m.start + Months::new(1);
        }
        Calendar { history_start, as_of, weeks, months }
    }

    /// The available weeks or months, oldest first.
    pub fn periods(&self, g: Granularity) -> &[Period] {
        match g {
            Granularity::Week => &self.weeks,
            Granularity::Month => &self.months,
        }
    }

    /// All available periods, weeks first.
    pub fn all(&self) -> impl Iterator<Item = &Period> {
        self.weeks.iter().chain(self.months.iter())
    }

    /// Years that have at least one available period (export `years` listing).
    pub(crate) fn years(&self) -> Vec<i32> {
        let mut ys: Vec<i32> = self.all().map(Period::path_year).collect();
        ys.sort_unstable();
        ys.dedup();
        ys
    }

    /// The periods of `g` within the last `months` months before `as_of` (the `period` query
    /// parameter): weeks starting on or after `as_of - months`, or the last `months` months.
    pub(crate) fn last_months(&self, g: Granularity, months: u32) -> Vec<Period> {
        match g {
            Granularity::Week => {
                let from = self.as_of - Months::new(months);
                self.weeks.iter().filter(|p| p.start >= from).copied().collect()
            }
            Granularity::Month => {
                let n = self.months.len();
                self.months[n.saturating_sub(months as usize)..].to_vec()
            }
        }
    }
}

/// True for Saturday and Sunday.
pub(crate) fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn iso_week_one_belongs_to_the_next_year() {
        let w = Period::week_of(d("2025-12-31"));
        assert_eq!(w.start, d("2025-12-29"));
        assert_eq!((w.path_year(), w.path_number()), (2026, 1));
        assert_eq!(w.last_day(), d("2026-01-04"));
    }

    #[test]
    fn week_53_exists_in_long_years() {
        let w = Period::week_of(d("2026-12-31"));
        assert_eq!((w.path_year(), w.path_number()), (2026, 53));
        let w = Period::week_of(d("2021-01-03"));
        assert_eq!((w.path_year(), w.path_number()), (2020, 53));
    }

    #[test]
    fn a_week_is_available_the_day_after_its_sunday() {
        let w = Period::week_of(d("2026-03-09"));
        assert!(!w.available(d("2026-03-15")));
        assert!(w.available(d("2026-03-16")));
    }

    #[test]
    fn a_month_is_available_from_the_first_of_the_next() {
        let m = Period::month_of(d("2026-02-14"));
        assert!(!m.available(d("2026-02-28")));
        assert!(m.available(d("2026-03-01")));
        assert_eq!(m.last_day(), d("2026-02-28"));
    }

    #[test]
    fn calendar_skips_partial_first_periods_and_crosses_years() {
        let c = Calendar::new(d("2025-09-03"), d("2026-03-18"));
        assert_eq!(c.weeks.first().unwrap().start, d("2025-09-08"));
        assert_eq!(c.weeks.last().unwrap().last_day(), d("2026-03-15"));
        assert_eq!(c.months.first().unwrap().start, d("2025-10-01"));
        assert_eq!(c.months.last().unwrap().start, d("2026-02-01"));
        assert_eq!(c.years(), vec![2025, 2026]);
    }

    #[test]
    fn last_months_selects_recent_periods() {
        let c = Calendar::new(d("2025-09-01"), d("2026-03-18"));
        let m = c.last_months(Granularity::Month, 3);
        assert_eq!(
            m.iter().map(|p| p.start).collect::<Vec<_>>(),
            vec![d("2025-12-01"), d("2026-01-01"), d("2026-02-01")]
        );
        let w = c.last_months(Granularity::Week, 2);
        assert!(w.iter().all(|p| p.start >= d("2026-01-18")));
        assert_eq!(w.first().unwrap().start, d("2026-01-19"));
    }
}
