//! Calendar periods: day `2024-03-17`, ISO week `2024-W11` (Monday first), month
//! `2024-03`, quarter `2024-Q1`, half year `2024-H1`, year `2024`.
//!
//! A period is its kind and its first day; every period parses from and prints to exactly
//! the text above. Rules that run on a cadence (every N months, every 2 weeks) use
//! [`Cadence`], whose periods are blocks of N periods of one kind counted from the start
//! of the calendar, so that a cadence of one period of a kind gives that kind's periods.

use std::fmt;

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::date::{self, Date};
use crate::error::{Error, Result};

/// The kinds of calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// January–March, April–June, July–September or October–December.
    Quarter,
    /// January–June or July–December.
    HalfYear,
    /// A calendar year.
    Year,
}

impl PeriodKind {
    /// The kind's name: `day`, `week`, `month`, `quarter`, `half_year` or `year`.
    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Quarter => "quarter",
            PeriodKind::HalfYear => "half_year",
            PeriodKind::Year => "year",
        }
    }

    /// Parses a kind's name (singular or plural: `month` or `months`), naming `field`.
    pub fn parse(field: &'static str, text: &str) -> Result<Self> {
        let singular = text.strip_suffix('s').unwrap_or(text);
        Ok(match singular {
            "day" => PeriodKind::Day,
            "week" => PeriodKind::Week,
            "month" => PeriodKind::Month,
            "quarter" => PeriodKind::Quarter,
            "half_year" => PeriodKind::HalfYear,
            "year" => PeriodKind::Year,
            _ => {
                return Err(Error::invalid(
                    field,
                    text,
                    "expected day, week, month, quarter, half_year or year",
                ));
            }
        })
    }

    /// How many months a period of this kind spans, for the kinds made of months.
    fn months(self) -> Option<u32> {
        match self {
            PeriodKind::Day | PeriodKind::Week => None,
            PeriodKind::Month => Some(1),
            PeriodKind::Quarter => Some(3),
            PeriodKind::HalfYear => Some(6),
            PeriodKind::Year => Some(12),
        }
    }
}

/// One calendar period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    kind: PeriodKind,
    first: Date,
}

/// The first day of the month `index` months after January of year 0.
fn month_start(index: i64) -> Date {
    let year = index.div_euclid(12) as i32;
    let month = index.rem_euclid(12) as u32 + 1;
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN)
}

/// The number of months from January of year 0 to `date`'s month.
fn month_index(date: Date) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

impl Period {
    /// The period of `kind` that contains `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Period {
        Cadence { every: 1, kind }.containing(date)
    }

    /// The kind of period.
    pub fn kind(self) -> PeriodKind {
        self.kind
    }

    /// Its first day.
    pub fn first(self) -> Date {
        self.first
    }

    /// Its last day.
    pub fn last(self) -> Date {
        self.next().first.pred_opt().unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in it.
    pub fn contains(self, date: Date) -> bool {
        self.first <= date && date <= self.last()
    }

    /// The period of the same kind after this one.
    #[must_use]
    pub fn next(self) -> Period {
        let first = if let Some(months) = self.kind.months() {
            self.first.checked_add_months(Months::new(months))
        } else {
            self.first.checked_add_days(Days::new(self.days()))
        };
        Period {
            kind: self.kind,
            first: first.unwrap_or(NaiveDate::MAX),
        }
    }

    /// The period of the same kind before this one.
    #[must_use]
    pub fn previous(self) -> Period {
        let day = self.first.pred_opt().unwrap_or(NaiveDate::MIN);
        Period::containing(self.kind, day)
    }

    fn days(self) -> u64 {
        match self.kind {
            PeriodKind::Week => 7,
            _ => 1,
        }
    }

    /// Parses `2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1` or `2024`.
    pub fn parse(text: &str) -> Result<Period> {
        let bad = |reason: &str| Error::invalid("period", text, reason.to_owned());
        let t = text.trim();
        let year = |s: &str| -> Result<i32> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                Ok(s.parse().map_err(|_| bad("expected a four-digit year"))?)
            } else {
                Err(bad("expected a four-digit year"))
            }
        };
        let number = |s: &str, low: u32, high: u32| -> Option<u32> {
            (!s.is_empty() && s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
                .filter(|n| (low..=high).contains(n))
        };
        let expected =
            "expected 2024-03-17, 2024-W11, 2024-03, 2024-Q1, 2024-H1 or 2024 (ISO weeks)";
        if t.len() == 4 {
            let y = year(t)?;
            return Ok(Period {
                kind: PeriodKind::Year,
                first: NaiveDate::from_ymd_opt(y, 1, 1).ok_or_else(|| bad(expected))?,
            });
        }
        let Some((y, rest)) = t.split_once('-') else {
            return Err(bad(expected));
        };
        let y = year(y)?;
        let (kind, first) = if let Some(n) = rest.strip_prefix('W') {
            let week = number(n, 1, 53)
                .filter(|_| n.len() == 2)
                .ok_or_else(|| bad(expected))?;
            let first = NaiveDate::from_isoywd_opt(y, week, Weekday::Mon)
                .ok_or_else(|| bad("that year has no such ISO week"))?;
            (PeriodKind::Week, first)
        } else {
            // Quarters, half years and months: the kind and the first month.
            let (kind, month) = if let Some(n) = rest.strip_prefix('Q') {
                let q = number(n, 1, 4).filter(|_| n.len() == 1);
                (PeriodKind::Quarter, q.map(|q| 3 * q - 2))
            } else if let Some(n) = rest.strip_prefix('H') {
                let h = number(n, 1, 2).filter(|_| n.len() == 1);
                (PeriodKind::HalfYear, h.map(|h| 6 * h - 5))
            } else if rest.len() == 2 {
                (PeriodKind::Month, number(rest, 1, 12))
            } else {
                return Ok(Period {
                    kind: PeriodKind::Day,
                    first: date::parse_date("period", t)?,
                });
            };
            let first = month
                .and_then(|m| NaiveDate::from_ymd_opt(y, m, 1))
                .ok_or_else(|| bad(expected))?;
            (kind, first)
        };
        Ok(Period { kind, first })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first;
        match self.kind {
            PeriodKind::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            PeriodKind::Week => {
                let w = d.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            PeriodKind::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            PeriodKind::Quarter => write!(f, "{:04}-Q{}", d.year(), d.month0() / 3 + 1),
            PeriodKind::HalfYear => write!(f, "{:04}-H{}", d.year(), d.month0() / 6 + 1),
            PeriodKind::Year => write!(f, "{:04}", d.year()),
        }
    }
}

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
    use super::*;

    fn d(text: &str) -> Date {
        date::parse_date("d", text).unwrap()
    }

    #[test]
    fn periods_round_trip_through_their_text() {
        for text in [
            "2024-03-17",
            "2024-W11",
            "2024-03",
            "2024-Q1",
            "2024-H2",
            "2024",
            "2020-W53",
        ] {
            assert_eq!(Period::parse(text).unwrap().to_string(), text);
        }
        let w = Period::parse("2024-W11").unwrap();
        assert_eq!((w.first(), w.last()), (d("2024-03-11"), d("2024-03-17")));
        let q = Period::parse("2024-Q1").unwrap();
        assert_eq!((q.first(), q.last()), (d("2024-01-01"), d("2024-03-31")));
        assert_eq!(q.next().to_string(), "2024-Q2");
        assert_eq!(q.previous().to_string(), "2023-Q4");
        assert_eq!(Period::parse("2024-02").unwrap().last(), d("2024-02-29"));
        assert_eq!(
            Period::containing(PeriodKind::HalfYear, d("2024-07-01")).to_string(),
            "2024-H2"
        );
        // 2024-12-30 is in the first ISO week of 2025.
        assert_eq!(
            Period::containing(PeriodKind::Week, d("2024-12-30")).to_string(),
            "2025-W01"
        );
        for bad in [
            "2024-Q5", "2024-W54", "2021-W53", "2024-13", "24-Q1", "2024-3", "Q1", "",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(err.to_string().contains("period"), "{err}");
        }
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
