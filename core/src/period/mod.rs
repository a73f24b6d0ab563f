//! Calendar periods: day `2024-03-17`, ISO week `2024-W11` (Monday first), month
//! `2024-03`, quarter `2024-Q1`, half year `2024-H1`, year `2024`.
//!
//! A period is its kind and its first day; every period parses from and prints to exactly
//! the text above (also through [`FromStr`](std::str::FromStr) and serde, which write it as that text). Rules
//! that run on a cadence (every N months, every 2 weeks) use [`Cadence`], whose periods are
//! blocks of N periods of one kind counted from the start of the calendar, so that a
//! cadence of one period of a kind gives that kind's periods.
//!
//! Days, months, quarters, half years and years nest: each lies inside exactly one period
//! of every longer kind. ISO weeks cross month and year ends, so a week *belongs* to the
//! month, quarter, half year and year that hold four or more of its days, which is the
//! one holding its Thursday (the ISO 8601 rule that also numbers the weeks): 2024-W01
//! (2024-01-01..07) belongs to January 2024, 2025-W01 (2024-12-30..2025-01-05) to January
//! 2025, 2020-W53 (2020-12-28..2021-01-03) to December 2020. So every week belongs to
//! exactly one month, quarter, half year and year, and a year's weeks are those numbered
//! `W01` up to `W52` or `W53`. [`Period::inside`] lists the periods of a shorter kind that
//! make up a period (for weeks: the ones that belong to it) and [`Period::belongs_to`]
//! gives the period of a longer kind a period belongs to; the two agree.
//!
//! Periods live in the years 0001 to 9999: every day of a period lies in
//! 0001-01-01..=9999-12-31. Text naming a period outside (year `0000`, or `9999-W52`,
//! which ends on 10000-01-02) is refused, and so is the period after the last one
//! (`9999-12-31`, `9999-W51`, `9999-12`, `9999`...) or before the first (`0001-01-01`,
//! `0001-W01`, `0001`...), so every period there is has a first and a last day in range.

mod cadence;
mod text;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::date::{self, Date};
use crate::error::{Error, Result};
pub use cadence::Cadence;

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

    /// The kind in words, for messages: `day`, `week`, `month`, `quarter`, `half year`
    /// or `year`.
    fn noun(self) -> &'static str {
        match self {
            PeriodKind::HalfYear => "half year",
            other => other.as_str(),
        }
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
    /// The period of `kind` that contains `date`. A period with days outside the years
    /// 0001 to 9999 (the week of 9999-12-31, or any period of a date outside them) is
    /// `InvalidInput` naming `date`.
    pub fn containing(kind: PeriodKind, date: Date) -> Result<Period> {
        let period = Period::around(kind, date);
        if period.in_range() {
            Ok(period)
        } else {
            Err(Error::invalid(
                "date",
                date.to_string(),
                format!(
                    "its {} {period} has days outside the years 0001 to 9999",
                    kind.noun()
                ),
            ))
        }
    }

    /// The period of `kind` that contains `date`, wherever it lies.
    fn around(kind: PeriodKind, date: Date) -> Period {
        Cadence { every: 1, kind }.containing(date)
    }

    /// Whether all its days lie in the years 0001 to 9999.
    fn in_range(self) -> bool {
        self.first >= date::FIRST_DATE && self.last() <= date::LAST_DATE
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
        self.unchecked_next()
            .first
            .pred_opt()
            .unwrap_or(NaiveDate::MAX)
    }

    /// Whether `date` falls in it.
    pub fn contains(self, date: Date) -> bool {
        self.first <= date && date <= self.last()
    }

    /// The period of the same kind after this one. After the last period of 9999 there
    /// is none: `InvalidInput` naming `period`.
    pub fn next(self) -> Result<Period> {
        let next = self.unchecked_next();
        if next.in_range() {
            Ok(next)
        } else {
            Err(Error::invalid(
                "period",
                self.to_string(),
                "it is the last of its kind in the years 0001 to 9999",
            ))
        }
    }

    /// The period of the same kind before this one. Before the first period of year 1
    /// there is none: `InvalidInput` naming `period`.
    pub fn previous(self) -> Result<Period> {
        let previous = self
            .first
            .pred_opt()
            .map(|day| Period::around(self.kind, day))
            .filter(|p| p.in_range());
        previous.ok_or_else(|| {
            Error::invalid(
                "period",
                self.to_string(),
                "it is the first of its kind in the years 0001 to 9999",
            )
        })
    }

    /// The period of the same kind after this one, wherever it lies.
    fn unchecked_next(self) -> Period {
        let first = if let Some(months) = self.kind.months() {
            self.first.checked_add_months(Months::new(months))
        } else {
            self.first.checked_add_days(Days::new(self.day_step()))
        };
        Period {
            kind: self.kind,
            first: first.unwrap_or(NaiveDate::MAX),
        }
    }

    /// How far [`Period::next`] moves a period not made of months, in days.
    fn day_step(self) -> u64 {
        match self.kind {
            PeriodKind::Week => 7,
            _ => 1,
        }
    }

    /// How many days it spans: 1, 7, 28 to 31, 90 to 92, 181 to 184, 365 or 366.
    pub fn days(self) -> u32 {
        ((self.last() - self.first).num_days() + 1) as u32
    }

    /// The Thursday of a week, which decides the month, quarter, half year and year it
    /// belongs to; the first day of any other period.
    fn deciding_day(self) -> Date {
        match self.kind {
            PeriodKind::Week => self.first.checked_add_days(Days::new(3)),
            _ => Some(self.first),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// The periods of `kind` that make up this one, in order: the days, months, quarters
    /// or half years whose days lie inside it; the weeks that belong to it (see the module
    /// documentation: those whose Thursday falls inside it, so 2024-03 is made of 2024-W10
    /// to 2024-W13, 2024-W09 being February's); a week's 7 days; for its own kind, itself
    /// alone. Only periods in the years 0001 to 9999 are listed, so December 9999 holds
    /// 9999-W48 to 9999-W51 (9999-W52 ends in the year 10000). A kind longer than the
    /// period, weeks of a day, or months, quarters or half years of a week are
    /// `InvalidInput` naming `kind`.
    pub fn inside(self, kind: PeriodKind) -> Result<Vec<Period>> {
        if kind > self.kind {
            return Err(Error::invalid(
                "kind",
                kind.as_str(),
                format!(
                    "{self} is a {}, which holds no {}s (ask which {} it belongs to)",
                    self.kind.noun(),
                    kind.noun(),
                    kind.noun()
                ),
            ));
        }
        let last = self.last();
        let mut period = Period::around(kind, self.first);
        if period.deciding_day() < self.first {
            period = period.unchecked_next();
        }
        let mut periods = Vec::new();
        while period.deciding_day() <= last {
            // The weeks of December 9999 include 9999-W52, which ends in the year 10000.
            if period.in_range() {
                periods.push(period);
            }
            let next = period.unchecked_next();
            if next.first <= period.first {
                break;
            }
            period = next;
        }
        Ok(periods)
    }

    /// The period of `kind` this one belongs to: for a week, the one holding its Thursday
    /// (2025-W01 belongs to 2025-01 and 2025, though it starts on 2024-12-30); for any other
    /// period, the one holding its first day (a day's week is its ISO week); for its own
    /// kind, itself. It is the period whose [`Period::inside`] lists this one. A shorter
    /// kind is `InvalidInput` naming `kind`; a period belonging to one with days outside
    /// the years 0001 to 9999 (a day of 9999-12-27..31 to the week 9999-W52) is
    /// `InvalidInput` naming `period`.
    pub fn belongs_to(self, kind: PeriodKind) -> Result<Period> {
        if kind < self.kind {
            return Err(Error::invalid(
                "kind",
                kind.as_str(),
                format!(
                    "{self} is a {}, which belongs to no {} (ask which {}s are inside it)",
                    self.kind.noun(),
                    kind.noun(),
                    kind.noun()
                ),
            ));
        }
        if kind == self.kind {
            return Ok(self);
        }
        let longer = Period::around(kind, self.deciding_day());
        if longer.in_range() {
            Ok(longer)
        } else {
            Err(Error::invalid(
                "period",
                self.to_string(),
                format!(
                    "its {} {longer} has days outside the years 0001 to 9999",
                    kind.noun()
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date;

    fn d(text: &str) -> Date {
        date::parse_date("d", text).unwrap()
    }

    fn p(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    fn texts(periods: &[Period]) -> Vec<String> {
        periods.iter().map(ToString::to_string).collect()
    }

    const KINDS: [PeriodKind; 6] = [
        PeriodKind::Day,
        PeriodKind::Week,
        PeriodKind::Month,
        PeriodKind::Quarter,
        PeriodKind::HalfYear,
        PeriodKind::Year,
    ];

    #[test]
    fn contains_holds_the_days_from_first_to_last_only() {
        let week = p("2025-W01");
        assert!(week.contains(d("2024-12-30")) && week.contains(d("2025-01-05")));
        assert!(!week.contains(d("2024-12-29")) && !week.contains(d("2025-01-06")));
        let february = p("2024-02");
        assert!(february.contains(d("2024-02-29")));
        assert!(!february.contains(d("2024-03-01")) && !february.contains(d("2024-01-31")));
        assert!(p("2024-03-17").contains(d("2024-03-17")));
        assert!(!p("2024-03-17").contains(d("2024-03-18")));
    }

    #[test]
    fn next_and_previous_cross_year_ends_both_ways() {
        for (before, after) in [
            ("2024-12-31", "2025-01-01"),
            ("2024-W52", "2025-W01"),
            ("2020-W52", "2020-W53"),
            ("2020-W53", "2021-W01"),
            ("2026-W53", "2027-W01"),
            ("2024-12", "2025-01"),
            ("2024-Q4", "2025-Q1"),
            ("2024-H2", "2025-H1"),
            ("2024", "2025"),
        ] {
            assert_eq!(p(before).next().unwrap(), p(after), "{before}");
            assert_eq!(p(after).previous().unwrap(), p(before), "{after}");
        }
    }

    #[test]
    fn inside_lists_the_days_weeks_and_months_that_make_up_a_period() {
        let weeks = |text: &str| p(text).inside(PeriodKind::Week).unwrap();
        assert_eq!(weeks("2024").len(), 52);
        assert_eq!(weeks("2020").len(), 53);
        assert_eq!(weeks("2026").len(), 53);
        assert_eq!(weeks("2020").last().unwrap().to_string(), "2020-W53");
        assert_eq!(weeks("2025")[0].to_string(), "2025-W01");
        let q1: Vec<String> = (1..=13).map(|w| format!("2024-W{w:02}")).collect();
        assert_eq!(texts(&weeks("2024-Q1")), q1);
        // 2024-W09 (02-26..03-03) has its Thursday on 29 February: it is February's.
        assert_eq!(
            texts(&weeks("2024-03")),
            ["2024-W10", "2024-W11", "2024-W12", "2024-W13"]
        );
        assert_eq!(texts(&weeks("2024-02")).last().unwrap(), "2024-W09");
        assert_eq!(
            texts(&weeks("2024-12")),
            ["2024-W49", "2024-W50", "2024-W51", "2024-W52"]
        );
        assert_eq!(texts(&weeks("2025-01"))[0], "2025-W01");
        assert_eq!(texts(&weeks("2020-12")).last().unwrap(), "2020-W53");
        let march = p("2024-03").inside(PeriodKind::Day).unwrap();
        assert_eq!(march.len(), 31);
        assert_eq!((march[0], march[30]), (p("2024-03-01"), p("2024-03-31")));
        let week = p("2025-W01").inside(PeriodKind::Day).unwrap();
        assert_eq!(week.len(), 7);
        assert_eq!((week[0], week[6]), (p("2024-12-30"), p("2025-01-05")));
        assert_eq!(p("2024").inside(PeriodKind::Day).unwrap().len(), 366);
        assert_eq!(p("2024").inside(PeriodKind::Month).unwrap().len(), 12);
        assert_eq!(
            texts(&p("2024").inside(PeriodKind::Quarter).unwrap()),
            ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
        );
        assert_eq!(
            texts(&p("2024-H2").inside(PeriodKind::Month).unwrap()),
            [
                "2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12"
            ]
        );
        for text in [
            "2024-03-17",
            "2024-W11",
            "2024-03",
            "2024-Q1",
            "2024-H1",
            "2024",
        ] {
            assert_eq!(p(text).inside(p(text).kind()).unwrap(), [p(text)]);
        }
    }

    #[test]
    fn inside_refuses_kinds_a_period_is_not_made_of_naming_kind() {
        for (text, kind) in [
            ("2024-03", PeriodKind::Year),
            ("2024-03-17", PeriodKind::Week),
            ("2024-W11", PeriodKind::Month),
            ("2024-W11", PeriodKind::Quarter),
            ("2024-W11", PeriodKind::HalfYear),
            ("2024-H1", PeriodKind::Year),
        ] {
            let err = p(text).inside(kind).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{text}");
            let message = err.to_string();
            assert!(message.starts_with("invalid kind"), "{message}");
            assert!(
                message.contains(kind.as_str()) && message.contains(text),
                "{message}"
            );
        }
    }

    #[test]
    fn belongs_to_goes_by_the_thursday_for_weeks_and_the_first_day_otherwise() {
        for (text, kind, owner) in [
            ("2025-W01", PeriodKind::Month, "2025-01"),
            ("2025-W01", PeriodKind::Quarter, "2025-Q1"),
            ("2025-W01", PeriodKind::HalfYear, "2025-H1"),
            ("2025-W01", PeriodKind::Year, "2025"),
            ("2024-W01", PeriodKind::Month, "2024-01"),
            ("2020-W53", PeriodKind::Month, "2020-12"),
            ("2020-W53", PeriodKind::Year, "2020"),
            ("2024-W09", PeriodKind::Month, "2024-02"),
            ("2024-W10", PeriodKind::Month, "2024-03"),
            ("2024-W05", PeriodKind::Month, "2024-02"),
            ("2024-12-30", PeriodKind::Week, "2025-W01"),
            ("2024-12-30", PeriodKind::Year, "2024"),
            ("2024-03-17", PeriodKind::Week, "2024-W11"),
            ("2024-05", PeriodKind::Quarter, "2024-Q2"),
            ("2024-Q3", PeriodKind::HalfYear, "2024-H2"),
            ("2024-H2", PeriodKind::HalfYear, "2024-H2"),
        ] {
            assert_eq!(
                p(text).belongs_to(kind).unwrap(),
                p(owner),
                "{text} {kind:?}"
            );
        }
        for (text, kind) in [
            ("2024-03", PeriodKind::Week),
            ("2024-W11", PeriodKind::Day),
            ("2024", PeriodKind::HalfYear),
        ] {
            let err = p(text).belongs_to(kind).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{text}");
            let message = err.to_string();
            assert!(message.starts_with("invalid kind"), "{message}");
            assert!(
                message.contains(kind.as_str()) && message.contains(text),
                "{message}"
            );
        }
    }

    /// Over 2018–2027, for every pair of kinds a period can be made of: the periods inside
    /// consecutive longer periods follow each other without gap or repeat, and each of
    /// them belongs to the one it was listed in. So `p` is in `q.inside(p.kind())` exactly
    /// when `p.belongs_to(q.kind())` is `q`.
    #[test]
    fn inside_and_belongs_to_agree_and_tile_the_years() {
        for long in KINDS {
            for short in KINDS.into_iter().filter(|k| *k <= long) {
                let mut owner = Period::containing(long, d("2018-01-01")).unwrap();
                let mut expected: Option<Period> = None;
                while owner.first() <= d("2027-12-31") {
                    for part in owner.inside(short).unwrap() {
                        if let Some(expected) = expected {
                            assert_eq!(part, expected, "{short:?} in {owner}");
                        }
                        assert_eq!(part.belongs_to(long).unwrap(), owner, "{part}");
                        let previous = owner.previous().unwrap();
                        assert!(!previous.inside(short).unwrap().contains(&part));
                        let next = owner.next().unwrap();
                        assert!(!next.inside(short).unwrap().contains(&part));
                        expected = Some(part.next().unwrap());
                    }
                    owner = owner.next().unwrap();
                }
            }
        }
    }
}
