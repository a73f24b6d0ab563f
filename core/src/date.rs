//! Civil dates as the library stores and accepts them.
//!
//! Dates are local civil dates of the deployment. In SQLite they are integer day numbers
//! (days of the common era, 0001-01-01 being 1): small, and compared as integers on the
//! hot paths. "Since always" and "until further notice" are stored as the sentinels
//! `BEGINNING` (0001-01-01) and `FOREVER` (9999-12-31) so every validity interval is a
//! plain half-open `[from, to)` comparison.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

use crate::error::{Error, Result};

/// A civil date (re-exported from `chrono`).
pub type Date = NaiveDate;

/// The stored start of anything that has existed on every date (0001-01-01).
pub(crate) const BEGINNING: i64 = 1;
/// The stored end of anything not ended (9999-12-31).
pub(crate) const FOREVER: i64 = 3_652_059;

/// The first date the library answers for: 0001-01-01.
pub const FIRST_DATE: Date = match NaiveDate::from_ymd_opt(1, 1, 1) {
    Some(date) => date,
    None => NaiveDate::MIN,
};
/// The last date the library answers for: 9999-12-31.
pub const LAST_DATE: Date = match NaiveDate::from_ymd_opt(9999, 12, 31) {
    Some(date) => date,
    None => NaiveDate::MAX,
};

/// Whether `date` lies in the years the library answers for, 0001 to 9999.
pub fn in_range(date: Date) -> bool {
    (FIRST_DATE..=LAST_DATE).contains(&date)
}

/// The date forms [`parse_date`] reads, for messages.
pub const DATE_FORMS: &str = "2025-01-05, 2025-1-5, 2025/1/5, 2025年1月5日 or 20250105";

/// Parses a date in the years 0001 to 9999, naming `field` in the error: ISO
/// `2025-01-05`, also `2025-1-5`, `2025/1/5`, `2025年1月5日` and `20250105`, with ASCII or
/// full-width digits and surrounding spaces ignored. A month or a day that does not exist
/// (month 13, 2023-02-29) and a year outside 0001 to 9999 are `InvalidInput` naming
/// `field` and saying which.
pub fn parse_date(field: &'static str, text: &str) -> Result<Date> {
    read_date(field, text).unwrap_or_else(|| {
        Err(Error::invalid(
            field,
            text,
            format!("expected a date such as {DATE_FORMS}"),
        ))
    })
}

/// As [`parse_date`], but `None` for text in none of the date forms, so that a caller
/// reading more than dates (a period) can say what it reads.
pub(crate) fn read_date(field: &'static str, text: &str) -> Option<Result<Date>> {
    let normal = half_width(text);
    let (y, m, d) = date_parts(&normal)?;
    Some(ymd(field, text, y, m, d))
}

/// The date of year `y`, month `m`, day `d` (digits as written), or `InvalidInput` naming
/// `field` and saying which part is out of range.
fn ymd(field: &'static str, text: &str, y: &str, m: &str, d: &str) -> Result<Date> {
    let bad = |reason: String| Error::invalid(field, text, reason);
    let year: u32 = y.parse().unwrap_or(u32::MAX);
    if y.len() != 4 || year == 0 {
        return Err(bad("expected a date in the years 0001 to 9999".to_owned()));
    }
    let month: u32 = m.parse().unwrap_or(u32::MAX);
    if !(1..=12).contains(&month) {
        return Err(bad(format!("there is no month {m} (months are 1 to 12)")));
    }
    let day: u32 = d.parse().unwrap_or(u32::MAX);
    NaiveDate::from_ymd_opt(year as i32, month, day)
        .ok_or_else(|| bad(format!("{year:04}-{month:02} has no day {d}")))
}

/// `text` trimmed, with full-width digits, letters and signs (`２０２５／１／５`) made ASCII.
pub(crate) fn half_width(text: &str) -> String {
    text.trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            other => other,
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Whether `s` is one or more ASCII digits.
pub(crate) fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The year, month and day digits of a date written in one of [`DATE_FORMS`] (already
/// made ASCII by [`half_width`]); the year may have any number of digits here, so that
/// `99999-01-01` is refused for its year rather than its form.
fn date_parts(t: &str) -> Option<(&str, &str, &str)> {
    if t.len() == 8 && digits(t) {
        return Some((&t[..4], &t[4..6], &t[6..]));
    }
    if let Some((y, rest)) = t.split_once('年') {
        let (m, d) = rest.split_once('月')?;
        let d = d.strip_suffix('日').or_else(|| d.strip_suffix('号'))?;
        let (y, m, d) = (y.trim(), m.trim(), d.trim());
        let fits = digits(y) && y.len() >= 4 && digits(m) && m.len() <= 2;
        return (fits && digits(d) && d.len() <= 2).then_some((y, m, d));
    }
    let separator = if t.contains('/') { '/' } else { '-' };
    let mut parts = t.split(separator);
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none()
        && digits(y)
        && y.len() >= 4
        && digits(m)
        && digits(d)
        && m.len() <= 2
        && d.len() <= 2)
        .then_some((y, m, d))
}

/// A moment in time with its offset from UTC.
pub type Moment = DateTime<FixedOffset>;

/// Parses a moment: RFC 3339 (`2024-03-17T08:30:00+08:00`), or a local time without an
/// offset (`2024-03-17T08:30`, `2024-03-17 08:30:00`), which is read in `offset`. Names
/// `field` in the error.
pub fn parse_moment(field: &'static str, text: &str, offset: FixedOffset) -> Result<Moment> {
    let trimmed = text.trim();
    if let Ok(moment) = DateTime::parse_from_rfc3339(trimmed) {
        return Ok(moment);
    }
    let normal = trimmed.replacen(' ', "T", 1);
    if let Ok(moment) = DateTime::parse_from_str(&normal, "%Y-%m-%dT%H:%M%:z") {
        return Ok(moment);
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(&normal, format).ok())
        .and_then(|local| offset.from_local_datetime(&local).single())
        .ok_or_else(|| {
            Error::invalid(
                field,
                text,
                "expected a time as YYYY-MM-DDTHH:MM[:SS][+08:00]",
            )
        })
}

/// The civil date of `moment` in a deployment whose clocks run `offset` from UTC.
pub fn local_date(moment: &Moment, offset: FixedOffset) -> Date {
    moment.with_timezone(&offset).date_naive()
}

/// Today in a deployment whose clocks run `offset` from UTC.
pub fn today(offset: FixedOffset) -> Date {
    Utc::now().with_timezone(&offset).date_naive()
}

/// The stored day number of `date`.
pub(crate) fn to_sql(date: Date) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// The date of a stored day number.
pub(crate) fn from_sql(day: i64) -> Date {
    i32::try_from(day)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(NaiveDate::MIN)
}

/// A stored day number as ISO text, for messages and audit details.
pub(crate) fn iso(day: i64) -> String {
    from_sql(day).format("%Y-%m-%d").to_string()
}

/// Reads a stored bound back: the sentinels become `None`.
pub(crate) fn from_sql_bound(day: i64) -> Option<Date> {
    (day != BEGINNING && day != FOREVER).then(|| from_sql(day))
}

pub(crate) fn start_to_sql(start: Option<Date>) -> i64 {
    start.map_or(BEGINNING, to_sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_date_accepts_iso_and_names_the_field_when_wrong() {
        assert_eq!(
            parse_date("on", "2024-02-29").unwrap(),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        let err = parse_date("on", "2023-02-29").unwrap_err().to_string();
        assert!(err.contains("on") && err.contains("2023-02-29"), "{err}");
        assert!(err.contains("no day 29"), "{err}");
        assert!(parse_date("on", "2024-3-1-").is_err());
    }

    #[test]
    fn moments_parse_with_or_without_an_offset() {
        let east8 = FixedOffset::east_opt(8 * 3600).unwrap();
        let a = parse_moment("at", "2024-03-17T23:30:00+00:00", east8).unwrap();
        assert_eq!(local_date(&a, east8).to_string(), "2024-03-18");
        let b = parse_moment("at", "2024-03-17 08:30", east8).unwrap();
        assert_eq!(b.to_rfc3339(), "2024-03-17T08:30:00+08:00");
        let short = parse_moment("at", "2024-03-17T08:30+08:00", east8).unwrap();
        assert_eq!(short, b);
        let c = parse_moment("at", "2024-03-17T08:30:15.5", east8).unwrap();
        assert_eq!(c.timestamp_subsec_millis(), 500);
        let err = parse_moment("at", "2024-03-17", east8)
            .unwrap_err()
            .to_string();
        assert!(err.contains("at") && err.contains("2024-03-17"), "{err}");
    }

    #[test]
    fn stored_sentinels_read_back_as_open_bounds() {
        assert_eq!(from_sql_bound(BEGINNING), None);
        assert_eq!(from_sql_bound(FOREVER), None);
        let day = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(from_sql_bound(to_sql(day)), Some(day));
        assert_eq!(to_sql(NaiveDate::from_ymd_opt(1, 1, 1).unwrap()), BEGINNING);
        assert_eq!(
            to_sql(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()),
            FOREVER
        );
        assert_eq!(iso(to_sql(day)), "2024-01-02");
    }
}
