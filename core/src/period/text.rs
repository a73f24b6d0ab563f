//! Periods as text: printed as exactly `2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`,
//! `2024-H1` or `2024`, and parsed from that text or the other usual forms (`2024Q1`,
//! `2024年第1季度`, `2024年3月`, `2024-3`...), also through [`FromStr`] and serde.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{Period, PeriodKind};
use crate::date;
use crate::error::{Error, Result};

/// The period forms [`Period::parse`] reads, for messages.
const PERIOD_FORMS: &str = "expected a period: a day (2025-01-05, 2025/1/5, 2025年1月5日, \
     20250105), an ISO week (2025-W02), a month (2025-01, 2025-1, 2025年1月), a quarter \
     (2025-Q1, 2025Q1, 2025年第1季度, 2025年一季度), a half year (2025-H1, 2025年上半年) or a \
     year (2025, 2025年)";

impl Period {
    /// Parses a period in the years 0001 to 9999, as printed (`2024-03-17`, `2024-W11`,
    /// `2024-03`, `2024-Q1`, `2024-H1`, `2024`) or in the other usual forms: a day as
    /// [`date::parse_date`] reads it (`2024/3/17`, `2024年3月17日`, `20240317`); `2024W11`;
    /// a month `2024-3`, `2024/03`, `2024年3月`; a quarter `2024Q1`, `2024年第1季度`,
    /// `2024年一季度`; a half year `2024H1`, `2024年上半年`; a year `2024年`. Letters may be
    /// lower case and digits full-width. Anything else, year `0000`, a month, quarter,
    /// half or week that does not exist, and a week with days outside those years
    /// (`9999-W52`, which ends on 10000-01-02) are `InvalidInput` naming `period` and
    /// saying which forms are read.
    pub fn parse(text: &str) -> Result<Period> {
        let bad = |reason: &str| Error::invalid("period", text, reason.to_owned());
        let normal = date::half_width(text).to_ascii_uppercase();
        let (kind, first) = match period_parts(&normal) {
            Some(Parts::Day) => match date::read_date("period", text) {
                Some(day) => (PeriodKind::Day, day?),
                None => return Err(bad(PERIOD_FORMS)),
            },
            Some(Parts::Of(_, y, _)) if y.len() < 4 => return Err(bad(PERIOD_FORMS)),
            Some(Parts::Of(kind, y, n)) => {
                if y.len() > 4 || y == "0000" {
                    return Err(bad("expected a period in the years 0001 to 9999"));
                }
                let y: i32 = y.parse().map_err(|_| bad(PERIOD_FORMS))?;
                let (count, noun) = match kind {
                    PeriodKind::Week => (53, "week"),
                    PeriodKind::Month => (12, "month"),
                    PeriodKind::Quarter => (4, "quarter"),
                    PeriodKind::HalfYear => (2, "half year"),
                    _ => (1, "year"),
                };
                let number = n.parse::<u32>().ok().filter(|n| (1..=count).contains(n));
                let Some(number) = number else {
                    return Err(bad(&format!(
                        "there is no {noun} {n} (a year has {noun}s 1 to {count})"
                    )));
                };
                let first = if kind == PeriodKind::Week {
                    NaiveDate::from_isoywd_opt(y, number, Weekday::Mon)
                        .ok_or_else(|| bad("that year has no such ISO week"))?
                } else {
                    let months = 12 / count;
                    NaiveDate::from_ymd_opt(y, months * (number - 1) + 1, 1)
                        .ok_or_else(|| bad(PERIOD_FORMS))?
                };
                (kind, first)
            }
            None => return Err(bad(PERIOD_FORMS)),
        };
        let period = Period { kind, first };
        if !period.in_range() {
            return Err(bad("its days fall outside the years 0001 to 9999"));
        }
        Ok(period)
    }
}

/// What a period's text names, before its numbers are checked.
enum Parts<'a> {
    /// A day, for [`date::parse_date`] to read.
    Day,
    /// A period of a kind: its year's digits and its number in the year as written
    /// (`1` for a year itself).
    Of(PeriodKind, &'a str, &'a str),
}

/// Splits a period's text (made ASCII and upper case) into what it names, or `None` for
/// no period form.
fn period_parts(t: &str) -> Option<Parts<'_>> {
    use PeriodKind::{HalfYear, Month, Quarter, Week, Year};
    let numbered = |s: &str| date::digits(s) && s.len() <= 2;
    if let Some((y, rest)) = t.split_once('年') {
        if !date::digits(y) {
            return None;
        }
        let rest = rest.trim();
        let quarter = rest
            .strip_suffix("季度")
            .map(|q| q.strip_prefix('第').unwrap_or(q));
        let of = |kind, n| Some(Parts::Of(kind, y, n));
        return match rest {
            "" => of(Year, "1"),
            "上半年" => of(HalfYear, "1"),
            "下半年" => of(HalfYear, "2"),
            _ if rest.contains('日') || rest.contains('号') => Some(Parts::Day),
            _ => match (quarter, rest.strip_suffix('月')) {
                (Some(q), _) => {
                    let n = ["一", "二", "三", "四"]
                        .iter()
                        .position(|c| *c == q)
                        .map(|i| ["1", "2", "3", "4"][i])
                        .or(numbered(q).then_some(q))?;
                    of(Quarter, n)
                }
                (None, Some(m)) if numbered(m) => of(Month, m),
                _ => None,
            },
        };
    }
    if date::digits(t) {
        // Six or seven digits (`202403`) could be a month or a year past 9999: neither is
        // guessed.
        return match t.len() {
            8 => Some(Parts::Day),
            4 | 5 => Some(Parts::Of(Year, t, "1")),
            _ => None,
        };
    }
    let split = t.find(|c: char| !c.is_ascii_digit())?;
    let (y, rest) = t.split_at(split);
    if y.is_empty() {
        return None;
    }
    let (separated, rest) = match rest.strip_prefix(['-', '/']) {
        Some(rest) => (true, rest),
        None => (false, rest),
    };
    for (letter, kind) in [('W', Week), ('Q', Quarter), ('H', HalfYear)] {
        if let Some(n) = rest.strip_prefix(letter) {
            // Weeks are two digits (2024-W05), as ISO writes them.
            let width = if kind == Week {
                n.len() == 2
            } else {
                n.len() == 1
            };
            return (date::digits(n) && width).then_some(Parts::Of(kind, y, n));
        }
    }
    if separated && numbered(rest) {
        return Some(Parts::Of(Month, y, rest));
    }
    separated.then_some(Parts::Day)
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

impl FromStr for Period {
    type Err = Error;

    /// The same as [`Period::parse`].
    fn from_str(text: &str) -> Result<Period> {
        Period::parse(text)
    }
}

impl Serialize for Period {
    /// Writes the period as its text, `2024-Q1` and the like.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    /// Reads the period from its text, as [`Period::parse`] does.
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Period, D::Error> {
        let text = String::deserialize(deserializer)?;
        Period::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;

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
        assert_eq!(q.next().unwrap().to_string(), "2024-Q2");
        assert_eq!(q.previous().unwrap().to_string(), "2023-Q4");
        assert_eq!(Period::parse("2024-02").unwrap().last(), d("2024-02-29"));
        assert_eq!(
            Period::containing(PeriodKind::HalfYear, d("2024-07-01"))
                .unwrap()
                .to_string(),
            "2024-H2"
        );
        // 2024-12-30 is in the first ISO week of 2025.
        assert_eq!(
            Period::containing(PeriodKind::Week, d("2024-12-30"))
                .unwrap()
                .to_string(),
            "2025-W01"
        );
        for bad in [
            "2024-Q5", "2024-W54", "2021-W53", "2024-13", "24-Q1", "2024-3-", "Q1", "",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(err.to_string().contains("period"), "{err}");
        }
    }

    fn p(text: &str) -> Period {
        Period::parse(text).unwrap()
    }

    #[test]
    fn every_kind_round_trips_through_text_from_str_and_serde_with_its_bounds() {
        for (text, kind, first, last, days) in [
            ("2024-03-17", PeriodKind::Day, "2024-03-17", "2024-03-17", 1),
            ("2024-W11", PeriodKind::Week, "2024-03-11", "2024-03-17", 7),
            ("2020-W53", PeriodKind::Week, "2020-12-28", "2021-01-03", 7),
            ("2026-W53", PeriodKind::Week, "2026-12-28", "2027-01-03", 7),
            ("2025-W01", PeriodKind::Week, "2024-12-30", "2025-01-05", 7),
            ("2024-02", PeriodKind::Month, "2024-02-01", "2024-02-29", 29),
            (
                "2024-Q1",
                PeriodKind::Quarter,
                "2024-01-01",
                "2024-03-31",
                91,
            ),
            (
                "2024-H2",
                PeriodKind::HalfYear,
                "2024-07-01",
                "2024-12-31",
                184,
            ),
            ("2024", PeriodKind::Year, "2024-01-01", "2024-12-31", 366),
            ("2023", PeriodKind::Year, "2023-01-01", "2023-12-31", 365),
        ] {
            let period: Period = text.parse().unwrap();
            assert_eq!(period, p(text));
            assert_eq!(period.to_string(), text);
            assert_eq!(period.kind(), kind, "{text}");
            assert_eq!(
                (period.first(), period.last()),
                (d(first), d(last)),
                "{text}"
            );
            assert_eq!(period.days(), days, "{text}");
            let json = serde_json::to_string(&period).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            assert_eq!(serde_json::from_str::<Period>(&json).unwrap(), period);
            assert_eq!(Period::containing(kind, d(last)).unwrap(), period, "{text}");
        }
        let err = serde_json::from_str::<Period>("\"2024-Q5\"").unwrap_err();
        assert!(err.to_string().contains("2024-Q5"), "{err}");
    }

    #[test]
    fn bad_texts_are_refused_naming_the_text() {
        for bad in [
            "2024-Q5",
            "2024-Q0",
            "2024-H3",
            "2024-W00",
            "2024-W54",
            "2021-W53",
            "2024-W1",
            "2024-13",
            "2024-00",
            "24-Q1",
            "2024-3-",
            "2024-02-30",
            "Q1",
            "20244",
            "",
            "2024-",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            let message = err.to_string();
            assert!(message.contains(&format!("{bad:?}")), "{message}");
            assert!(bad.parse::<Period>().is_err());
        }
    }
}
