//! Civil dates as the library stores and accepts them.
//!
//! Dates are local civil dates of the deployment. In SQLite they are ISO text
//! (`2024-03-17`), which sorts as it reads. "Since always" and "until further notice"
//! are stored as the sentinels [`BEGINNING`] and [`FOREVER`] so every validity interval is
//! a plain half-open `[from, to)` comparison.

use chrono::{FixedOffset, NaiveDate, Utc};

use crate::error::{Error, Result};

/// A civil date (re-exported from `chrono`).
pub type Date = NaiveDate;

/// The stored start of anything that has existed on every date.
pub(crate) const BEGINNING: &str = "0001-01-01";
/// The stored end of anything not ended.
pub(crate) const FOREVER: &str = "9999-12-31";

/// Parses an ISO date (`YYYY-MM-DD`), naming `field` in the error.
pub fn parse_date(field: &'static str, text: &str) -> Result<Date> {
    let trimmed = text.trim();
    if trimmed.len() != 10 {
        return Err(Error::invalid(field, text, "expected a date as YYYY-MM-DD"));
    }
    NaiveDate::parse_from_str(trimmed, "%Y-%m-%d")
        .map_err(|_| Error::invalid(field, text, "expected a real date as YYYY-MM-DD"))
}

/// Today in a deployment whose clocks run `offset` from UTC.
pub fn today(offset: FixedOffset) -> Date {
    Utc::now().with_timezone(&offset).date_naive()
}

pub(crate) fn to_sql(date: Date) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// Reads a stored bound back: the sentinels become `None`.
pub(crate) fn from_sql_bound(text: &str) -> Option<Date> {
    if text == BEGINNING || text == FOREVER {
        None
    } else {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
    }
}

pub(crate) fn start_to_sql(start: Option<Date>) -> String {
    start.map_or_else(|| BEGINNING.to_owned(), to_sql)
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
        assert!(parse_date("on", "2024-3-1").is_err());
    }

    #[test]
    fn stored_sentinels_read_back_as_open_bounds() {
        assert_eq!(from_sql_bound(BEGINNING), None);
        assert_eq!(from_sql_bound(FOREVER), None);
        assert_eq!(
            from_sql_bound("2024-01-02"),
            NaiveDate::from_ymd_opt(2024, 1, 2)
        );
    }
}
