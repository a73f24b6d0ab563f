//! Cadences: every N periods of one kind, counted from the start of the calendar.

use chrono::{Days, Months, NaiveDate};

use super::{Period, PeriodKind, month_index, month_start};
use crate::date::{self, Date};

/// Every `every` periods of `kind`: a rule's rhythm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cadence {
    /// How many periods of `kind` one stretch spans (at least 1).
    pub every: u32,
    /// The kind of period counted.
    pub kind: PeriodKind,
}

impl Cadence {
    /// The stretch of this cadence containing `date`, as a period of the cadence's kind
    /// whose [`Period::last`] is that of the stretch's last period. Stretches are counted
    /// from the start of the calendar (day 0001-01-01, a Monday, for days and weeks;
    /// January of year 0 for the kinds made of months), so every year's quarters and half
    /// years are the usual ones.
    pub fn containing(&self, date: Date) -> Period {
        let every = i64::from(self.every.max(1));
        let first = if let Some(months) = self.kind.months() {
            let span = i64::from(months) * every;
            month_start(month_index(date).div_euclid(span) * span)
        } else {
            let span = if self.kind == PeriodKind::Week { 7 } else { 1 } * every;
            let day = date::to_sql(date) - 1;
            date::from_sql(day.div_euclid(span) * span + 1)
        };
        Period {
            kind: self.kind,
            first,
        }
    }

    /// The first and last day of the stretch containing `date`.
    pub fn bounds(&self, date: Date) -> (Date, Date) {
        let start = self.containing(date).first;
        let next = self.after(start);
        (start, next.pred_opt().unwrap_or(NaiveDate::MAX))
    }

    /// `date` moved on by one stretch: the same day that many days, weeks or months later
    /// (the month's last day when the month is shorter).
    pub fn after(&self, date: Date) -> Date {
        let every = self.every.max(1);
        if let Some(months) = self.kind.months() {
            date.checked_add_months(Months::new(months * every))
        } else {
            let days = if self.kind == PeriodKind::Week { 7 } else { 1 } * u64::from(every);
            date.checked_add_days(Days::new(days))
        }
        .unwrap_or(NaiveDate::MAX)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Datelike, Weekday};

    use super::*;

    fn d(text: &str) -> Date {
        date::parse_date("d", text).unwrap()
    }

    #[test]
    fn cadences_tile_the_calendar() {
        let two_months = Cadence {
            every: 2,
            kind: PeriodKind::Month,
        };
        assert_eq!(
            two_months.bounds(d("2024-04-30")),
            (d("2024-03-01"), d("2024-04-30"))
        );
        let fortnight = Cadence {
            every: 2,
            kind: PeriodKind::Week,
        };
        let (first, last) = fortnight.bounds(d("2024-03-13"));
        assert_eq!(first.weekday(), Weekday::Mon);
        assert_eq!((last - first).num_days(), 13);
        assert!(first <= d("2024-03-13") && d("2024-03-13") <= last);
        let month = Cadence {
            every: 1,
            kind: PeriodKind::Month,
        };
        assert_eq!(month.after(d("2024-01-31")), d("2024-02-29"));
    }
}
