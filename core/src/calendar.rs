//! The official Chinese working-day calendar: public holidays and the make-up working days
//! (调休) the General Office of the State Council sets each year.
//!
//! Government time limits (签收 within one working day, 办结 within five) are counted in
//! these working days. A day is a working day when the year's arrangement makes it one (a
//! make-up day, even on a weekend), is not one when the arrangement closes it (a holiday,
//! even on a weekday), and otherwise when it falls Monday to Friday.
//!
//! The arrangements for 2010–2026 ship with the crate (`data/holidays_cn.txt`); later years
//! are loaded from text in the same format ([`Calendar::parse`], [`Store::load_calendar`]).
//! Asking about a date of a year without an arrangement is a [`crate::ErrorKind::NotFound`]
//! error naming the year, never a guess from weekdays alone.
//!
//! The format, one holiday per line (`#` starts a comment):
//!
//! ```text
//! # YEAR NAME off FIRST[..LAST] [work DAY[,DAY...]]
//! 2020 春节 off 01-24..02-02 work 01-19
//! 2012 元旦 off 01-01..01-03 work 2011-12-31
//! ```
//!
//! Dates are `MM-DD` in the line's year, or `YYYY-MM-DD` when the notice puts them in
//! another year. A year is covered once any line names it; all lines of a year must be
//! given together.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, Weekday};
use rusqlite::params;

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::store::{Derived, Store};

/// The arrangements shipped with the crate.
const OFFICIAL: &str = include_str!("../data/holidays_cn.txt");

/// One year's arrangement: the days it closes and the days it opens, with its text.
#[derive(Debug, Clone, Default)]
struct YearArrangement {
    off: Vec<i64>,
    work: Vec<i64>,
    lines: Vec<String>,
}

/// A working-day calendar: the official arrangements of the years it covers.
#[derive(Debug, Clone)]
pub struct Calendar {
    years: BTreeMap<i32, YearArrangement>,
    /// Day number of January 1 of the first covered year.
    first: i64,
    /// Per day from `first` to the end of the last covered year: whether it is a working
    /// day, and the working days before it (for counting in one subtraction).
    working: Vec<bool>,
    before: Vec<u32>,
}

impl Calendar {
    /// The calendar shipped with the crate: 2010 to 2026.
    pub fn official() -> &'static Calendar {
        static OFFICIAL_CALENDAR: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL_CALENDAR
            .get_or_init(|| Calendar::parse(OFFICIAL).expect("the shipped holiday data parses"))
    }

    /// Reads arrangements in the format of the module documentation. A malformed line is
    /// `InvalidInput` naming its number.
    pub fn parse(text: &str) -> Result<Calendar> {
        let mut years: BTreeMap<i32, YearArrangement> = BTreeMap::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let bad = |reason: &str| {
                Error::invalid("calendar", raw.trim(), format!("line {}: {reason}", n + 1))
            };
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (year, rest) = match fields.as_slice() {
                [year, _name, "off", rest @ ..] => (*year, rest),
                _ => return Err(bad("expected YEAR NAME off FIRST[..LAST] [work DAYS]")),
            };
            let year: i32 = year
                .parse()
                .ok()
                .filter(|y| (1949..=9998).contains(y))
                .ok_or_else(|| bad("the year is not a year"))?;
            let arrangement = years.entry(year).or_default();
            let (off, work) = match rest {
                [off] => (*off, None),
                [off, "work", days] => (*off, Some(*days)),
                _ => return Err(bad("expected FIRST[..LAST] then optionally work DAYS")),
            };
            let (first, last) = match off.split_once("..") {
                Some((a, b)) => (day_in(year, a), day_in(year, b)),
                None => (day_in(year, off), day_in(year, off)),
            };
            let (Some(first), Some(last)) = (first, last) else {
                return Err(bad("a date is not MM-DD or YYYY-MM-DD"));
            };
            if last < first || last - first > 31 {
                return Err(bad("a holiday runs forwards and lasts at most a month"));
            }
            arrangement.off.extend(first..=last);
            for day in work
                .map(|w| w.split(',').collect::<Vec<_>>())
                .unwrap_or_default()
            {
                let day = day_in(year, day).ok_or_else(|| bad("a make-up day is not a date"))?;
                arrangement.work.push(day);
            }
            arrangement.lines.push(line.to_owned());
        }
        for (year, arrangement) in &mut years {
            for days in [&mut arrangement.off, &mut arrangement.work] {
                days.sort_unstable();
                days.dedup();
            }
            if let Some(day) = arrangement
                .off
                .iter()
                .find(|d| arrangement.work.binary_search(d).is_ok())
            {
                return Err(Error::invalid(
                    "calendar",
                    year,
                    format!("{} is both a holiday and a make-up day", date::iso(*day)),
                ));
            }
        }
        Ok(Calendar::build(years))
    }

    /// Reads arrangements from a file in the format of the module documentation.
    pub fn load(path: impl AsRef<Path>) -> Result<Calendar> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid("path", path.display(), format!("cannot read: {e}")))?;
        Calendar::parse(&text)
    }

    /// This calendar with `other`'s years added; a year both cover is taken from `other`.
    #[must_use]
    pub fn with(&self, other: &Calendar) -> Calendar {
        let mut years = self.years.clone();
        for (year, arrangement) in &other.years {
            years.insert(*year, arrangement.clone());
        }
        Calendar::build(years)
    }

    /// The years this calendar covers, in order.
    pub fn years(&self) -> Vec<i32> {
        self.years.keys().copied().collect()
    }

    /// The arrangement of `year` in the text format, one holiday per line.
    pub fn year_text(&self, year: i32) -> Option<String> {
        self.years.get(&year).map(|a| a.lines.join("\n"))
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Date) -> Result<bool> {
        let i = self.index(date::to_sql(day))?;
        Ok(self.working[i])
    }

    /// The `n`-th working day after `day` (`day` itself not counted); with a negative `n`,
    /// the `-n`-th working day before it; `day` itself when `n` is 0. An `n` larger (in
    /// size) than the days the calendar covers can have no answer: `InvalidInput` naming
    /// `n`; an answer outside the covered years is `NotFound`.
    pub fn add_working_days(&self, day: Date, n: i64) -> Result<Date> {
        let start = date::to_sql(day);
        if n == 0 {
            return Ok(day);
        }
        // No answer can be further away than the days the calendar covers.
        let span = self.working.len() as u64;
        if n.unsigned_abs() > span {
            return Err(Error::invalid(
                "n",
                n.to_string(),
                format!(
                    "more working days than the {span} days the calendar covers ({})",
                    self.covered_text()
                ),
            ));
        }
        let mut at = start;
        let step = n.signum();
        let mut left = n.unsigned_abs();
        while left > 0 {
            at += step;
            if self.working[self.index(at)?] {
                left -= 1;
            }
        }
        Ok(date::from_sql(at))
    }

    /// The working days in `(a, b]`; negative, counting `(b, a]`, when `b` is before `a`.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64> {
        let (a, b) = (date::to_sql(a), date::to_sql(b));
        if a == b {
            return Ok(0);
        }
        let (lo, hi, sign) = if a < b { (a, b, 1) } else { (b, a, -1) };
        // Every day of (lo, hi] must be covered; checking each end and every year between
        // is the same as checking each day.
        let (i, j) = (self.index(lo + 1)?, self.index(hi)?);
        for year in date::from_sql(lo + 1).year()..=date::from_sql(hi).year() {
            self.covers(year)?;
        }
        let count =
            i64::from(self.before[j]) + i64::from(self.working[j]) - i64::from(self.before[i]);
        Ok(sign * count)
    }

    /// Refuses a year without an arrangement.
    fn covers(&self, year: i32) -> Result<()> {
        if self.years.contains_key(&year) {
            Ok(())
        } else {
            Err(Error::not_found(
                "working-day calendar for year",
                format!(
                    "{year} (covered: {}; load the year's arrangement)",
                    self.covered_text()
                ),
            ))
        }
    }

    fn covered_text(&self) -> String {
        match (self.years.keys().next(), self.years.keys().next_back()) {
            (Some(a), Some(b)) if self.years.len() as i32 == b - a + 1 => format!("{a}–{b}"),
            (Some(_), Some(_)) => self
                .years
                .keys()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            _ => "none".to_owned(),
        }
    }

    /// The index of day number `day` in the tables, refused for a year not covered.
    fn index(&self, day: i64) -> Result<usize> {
        self.covers(date::from_sql(day).year())?;
        Ok((day - self.first) as usize)
    }

    fn build(years: BTreeMap<i32, YearArrangement>) -> Calendar {
        let (Some(&lo), Some(&hi)) = (years.keys().next(), years.keys().next_back()) else {
            return Calendar {
                years,
                first: 0,
                working: Vec::new(),
                before: Vec::new(),
            };
        };
        let first = date::to_sql(NaiveDate::from_ymd_opt(lo, 1, 1).unwrap_or(NaiveDate::MIN));
        let last = date::to_sql(NaiveDate::from_ymd_opt(hi, 12, 31).unwrap_or(NaiveDate::MAX));
        let mut working: Vec<bool> = (first..=last)
            .map(|d| !matches!(date::from_sql(d).weekday(), Weekday::Sat | Weekday::Sun))
            .collect();
        for arrangement in years.values() {
            for (days, value) in [(&arrangement.off, false), (&arrangement.work, true)] {
                for &d in days {
                    if (first..=last).contains(&d) {
                        working[(d - first) as usize] = value;
                    }
                }
            }
        }
        let mut before = Vec::with_capacity(working.len());
        let mut count = 0u32;
        for &w in &working {
            before.push(count);
            count += u32::from(w);
        }
        Calendar {
            years,
            first,
            working,
            before,
        }
    }
}

/// A date written `MM-DD` (in `year`) or `YYYY-MM-DD`, as a day number.
fn day_in(year: i32, text: &str) -> Option<i64> {
    let full = if text.len() == 5 {
        format!("{year}-{text}")
    } else {
        text.to_owned()
    };
    NaiveDate::parse_from_str(&full, "%Y-%m-%d")
        .ok()
        .filter(|_| full.len() == 10)
        .map(date::to_sql)
}

/// The `n`-th working day after `day` in the official calendar (see
/// [`Calendar::add_working_days`]).
pub fn add_working_days(day: Date, n: i64) -> Result<Date> {
    Calendar::official().add_working_days(day, n)
}

/// The working days in `(a, b]` in the official calendar (see
/// [`Calendar::working_days_between`]).
pub fn working_days_between(a: Date, b: Date) -> Result<i64> {
    Calendar::official().working_days_between(a, b)
}

/// Kept by the store while the years loaded into it stay the same: the stamp is their
/// count and the length of their text, whoever wrote them.
impl Derived for Calendar {
    type Input<'a> = ();
    type Pending = ();
    const STAMPED_BY_CHAIN: bool = false;

    fn stamp(conn: &rusqlite::Connection) -> Result<i64> {
        Ok(conn.query_row(
            "SELECT count(*) + coalesce(sum(length(lines)), 0) FROM calendar_year",
            [],
            |r| r.get(0),
        )?)
    }

    fn build(conn: &rusqlite::Connection, (): ()) -> Result<Self> {
        let mut text = String::new();
        let mut stmt = conn.prepare_cached("SELECT lines FROM calendar_year ORDER BY year")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            text.push_str(&row.get::<_, String>(0)?);
            text.push('\n');
        }
        Ok(Calendar::official().with(&Calendar::parse(&text)?))
    }
}

impl Store {
    /// The calendar this store counts time limits in: the official one, with the years
    /// loaded into the store ([`Store::load_calendar`]) added or replacing shipped ones.
    pub fn calendar(&self) -> Result<Arc<Calendar>> {
        let conn = self.read()?;
        self.calendar_on(&conn)
    }

    pub(crate) fn calendar_on(&self, conn: &rusqlite::Connection) -> Result<Arc<Calendar>> {
        self.derived(conn, ())
    }

    /// Loads the arrangements of `text` (the format of [`crate::calendar`]) into the store,
    /// so every handle on it counts working days with them; a year already loaded or
    /// shipped is replaced. Returns the years loaded. Needs an unrestricted handle; audited.
    pub fn load_calendar(&self, text: &str) -> Result<Vec<i32>> {
        self.check_unscoped("loading a working-day calendar")?;
        let calendar = Calendar::parse(text)?;
        let years = calendar.years();
        if years.is_empty() {
            return Err(Error::invalid("calendar", text, "names no year"));
        }
        self.write(|w| {
            for &year in &years {
                let lines = calendar.year_text(year).unwrap_or_default();
                w.tx.prepare_cached(
                    "INSERT INTO calendar_year (year, lines) VALUES (?1, ?2)
                     ON CONFLICT (year) DO UPDATE SET lines = excluded.lines",
                )?
                .execute(params![year, lines])?;
            }
            w.changes_no_household();
            w.audit(
                "load_calendar",
                &format!("{} years", years.len()),
                &[] as &[&str],
                &serde_json::json!({"years": years}),
            )
        })?;
        Ok(years)
    }

    /// Loads the arrangements in the file at `path` (see [`Store::load_calendar`]).
    pub fn load_calendar_file(&self, path: impl AsRef<Path>) -> Result<Vec<i32>> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::invalid("path", path.display(), format!("cannot read: {e}")))?;
        self.load_calendar(&text)
    }

    /// The `n`-th working day after `day` in this store's calendar.
    pub fn add_working_days(&self, day: Date, n: i64) -> Result<Date> {
        self.calendar()?.add_working_days(day, n)
    }

    /// The working days in `(a, b]` in this store's calendar.
    pub fn working_days_between(&self, a: Date, b: Date) -> Result<i64> {
        self.calendar()?.working_days_between(a, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        date::parse_date("date", text).unwrap()
    }

    #[test]
    fn the_shipped_calendar_covers_2010_to_2026() {
        let years = Calendar::official().years();
        assert_eq!(years, (2010..=2026).collect::<Vec<_>>());
    }

    #[test]
    fn a_missing_year_is_an_error_naming_it() {
        let err = add_working_days(d("2026-12-30"), 5).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotFound);
        assert!(err.to_string().contains("2027"), "{err}");
        assert!(working_days_between(d("2009-12-01"), d("2010-01-05")).is_err());
    }

    #[test]
    fn malformed_lines_are_refused_by_number() {
        let err = Calendar::parse("2027 元旦 off 01-01\n2027 春节 of 02-06").unwrap_err();
        assert!(err.to_string().contains("line 2"), "{err}");
        assert!(Calendar::parse("2027 春节 off 02-30").is_err());
        assert!(Calendar::parse("2027 春节 off 02-10..02-01").is_err());
        assert!(Calendar::parse("2027 春节 off 02-06 work 02-06").is_err());
    }

    #[test]
    fn counting_agrees_with_stepping() {
        let cal = Calendar::official();
        let a = d("2019-12-20");
        for n in 0..60 {
            let b = cal.add_working_days(a, n).unwrap();
            assert_eq!(cal.working_days_between(a, b).unwrap(), n);
            assert_eq!(cal.working_days_between(b, a).unwrap(), -n);
            if n > 0 {
                assert!(cal.is_working_day(b).unwrap());
                assert!(cal.add_working_days(b, -n).unwrap() <= a);
            }
        }
    }
}
