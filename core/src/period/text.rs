//! Periods as text: parsed from and printed to exactly `2024-03-17`, `2024-W11`,
//! `2024-03`, `2024-Q1`, `2024-H1` or `2024`, also through [`FromStr`] and serde.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::{Period, PeriodKind};
use crate::date;
use crate::error::{Error, Result};

impl Period {
    /// Parses `2024-03-17`, `2024-W11`, `2024-03`, `2024-Q1`, `2024-H1` or `2024`, in the
    /// years 0001 to 9999. Year `0000` and a week with days outside those years
    /// (`9999-W52`, which ends on 10000-01-02) are `InvalidInput` naming `period`.
    pub fn parse(text: &str) -> Result<Period> {
        let bad = |reason: &str| Error::invalid("period", text, reason.to_owned());
        let t = text.trim();
        let year = |s: &str| -> Result<i32> {
            if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) {
                let y: i32 = s.parse().map_err(|_| bad("expected a four-digit year"))?;
                if y == 0 {
                    return Err(bad("expected a year from 0001 to 9999"));
                }
                Ok(y)
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
        let period = Period { kind, first };
        if !period.in_range() {
            return Err(bad("its days fall outside the years 0001 to 9999"));
        }
        Ok(period)
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
            "2024-Q5", "2024-W54", "2021-W53", "2024-13", "24-Q1", "2024-3", "Q1", "",
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
            "2024-3",
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
