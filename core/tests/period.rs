//! Periods through the public API, as the bindings use them: parsing each kind, bounds,
//! neighbours, nesting, and refusals naming the field.

mod common;

use common::d;
use wangge::{ErrorKind, Period, PeriodKind};

#[test]
fn every_kind_parses_and_prints_back_with_its_first_and_last_day() {
    for (text, kind, first, last) in [
        ("2024-03-17", PeriodKind::Day, "2024-03-17", "2024-03-17"),
        ("2024-W11", PeriodKind::Week, "2024-03-11", "2024-03-17"),
        ("2024-02", PeriodKind::Month, "2024-02-01", "2024-02-29"),
        ("2024-Q1", PeriodKind::Quarter, "2024-01-01", "2024-03-31"),
        ("2024-H2", PeriodKind::HalfYear, "2024-07-01", "2024-12-31"),
        ("2024", PeriodKind::Year, "2024-01-01", "2024-12-31"),
    ] {
        let period = Period::parse(text).unwrap();
        assert_eq!(period.kind(), kind, "{text}");
        assert_eq!(period.first(), d(first), "{text}");
        assert_eq!(period.last(), d(last), "{text}");
        assert_eq!(period.to_string(), text);
    }
}

#[test]
fn neighbours_and_nesting_follow_the_calendar() {
    let q4 = Period::parse("2024-Q4").unwrap();
    assert_eq!(q4.next().unwrap(), Period::parse("2025-Q1").unwrap());
    assert_eq!(q4.previous().unwrap(), Period::parse("2024-Q3").unwrap());
    let months = q4.inside(PeriodKind::Month).unwrap();
    assert_eq!(months.len(), 3);
    assert_eq!(months[0], Period::parse("2024-10").unwrap());
    assert_eq!(
        Period::parse("2024-11")
            .unwrap()
            .belongs_to(PeriodKind::HalfYear)
            .unwrap(),
        Period::parse("2024-H2").unwrap()
    );
    assert!(q4.contains(d("2024-12-31")));
    assert!(!q4.contains(d("2025-01-01")));
}

#[test]
fn malformed_periods_are_invalid_input_naming_the_period() {
    for text in [
        "2024-13",
        "2024-W54",
        "2024-Q5",
        "2024-H3",
        "24",
        "",
        "2024-02-30",
    ] {
        let err = Period::parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{text}");
        assert!(
            matches!(
                err,
                wangge::Error::InvalidInput {
                    field: "period",
                    ..
                }
            ),
            "{text}: {err}"
        );
    }
}

#[test]
fn periods_live_in_the_years_0001_to_9999() {
    for bad in [
        "0000",
        "0000-01",
        "0000-Q1",
        "0000-H2",
        "0000-W01",
        "0000-01-01",
        "9999-W52",
    ] {
        let err = Period::parse(bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        assert!(err.to_string().starts_with("invalid period"), "{err}");
    }
    for last in [
        "9999-12-31",
        "9999-W51",
        "9999-12",
        "9999-Q4",
        "9999-H2",
        "9999",
    ] {
        let period = Period::parse(last).unwrap();
        assert!(period.last() <= d("9999-12-31"), "{last}");
        let err = period.next().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{last}");
        assert!(err.to_string().contains(last), "{err}");
        assert_eq!(period.previous().unwrap().next().unwrap(), period);
    }
    for first in [
        "0001-01-01",
        "0001-W01",
        "0001-01",
        "0001-Q1",
        "0001-H1",
        "0001",
    ] {
        let period = Period::parse(first).unwrap();
        assert_eq!(period.first(), d("0001-01-01"), "{first}");
        let err = period.previous().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{first}");
        assert_eq!(period.next().unwrap().previous().unwrap(), period);
    }
    let err = Period::containing(PeriodKind::Week, d("9999-12-31")).unwrap_err();
    assert!(err.to_string().starts_with("invalid date"), "{err}");
    assert_eq!(
        Period::containing(PeriodKind::Year, d("9999-12-31")).unwrap(),
        Period::parse("9999").unwrap()
    );
}

/// Found by fuzzing: December 9999 listed 9999-W52 among its weeks and a day of
/// 9999-12-27..31 said it belonged to 9999-W52, a week that ends in the year 10000 and
/// that `Period::parse` refuses.
#[test]
fn nesting_at_the_end_of_9999_stays_in_the_years_0001_to_9999() {
    let texts =
        |periods: Vec<Period>| -> Vec<String> { periods.iter().map(ToString::to_string).collect() };
    let weeks = Period::parse("9999-12").unwrap().inside(PeriodKind::Week);
    assert_eq!(
        texts(weeks.unwrap()),
        ["9999-W48", "9999-W49", "9999-W50", "9999-W51"]
    );
    for year_end in ["9999", "9999-H2", "9999-Q4"] {
        let weeks = Period::parse(year_end)
            .unwrap()
            .inside(PeriodKind::Week)
            .unwrap();
        assert_eq!(weeks.last().unwrap().to_string(), "9999-W51", "{year_end}");
    }
    for day in ["9999-12-27", "9999-12-31"] {
        let err = Period::parse(day)
            .unwrap()
            .belongs_to(PeriodKind::Week)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{day}");
        assert!(err.to_string().starts_with("invalid period"), "{err}");
        assert!(err.to_string().contains("9999-W52"), "{err}");
        assert_eq!(
            Period::parse(day)
                .unwrap()
                .belongs_to(PeriodKind::Month)
                .unwrap(),
            Period::parse("9999-12").unwrap()
        );
    }
    let last_week = Period::parse("9999-12-26")
        .unwrap()
        .belongs_to(PeriodKind::Week);
    assert_eq!(last_week.unwrap().to_string(), "9999-W51");
}

#[test]
fn the_usual_other_forms_name_the_same_periods() {
    for (text, printed) in [
        ("2025Q1", "2025-Q1"),
        ("2025q1", "2025-Q1"),
        ("2025/Q1", "2025-Q1"),
        ("2025年第1季度", "2025-Q1"),
        ("2025年1季度", "2025-Q1"),
        ("2025年一季度", "2025-Q1"),
        ("2025年第四季度", "2025-Q4"),
        ("２０２５Ｑ２", "2025-Q2"),
        ("2025年3月", "2025-03"),
        ("2025年12月", "2025-12"),
        ("2025-1", "2025-01"),
        ("2025/3", "2025-03"),
        ("2025H2", "2025-H2"),
        ("2025年上半年", "2025-H1"),
        ("2025年下半年", "2025-H2"),
        ("2025W02", "2025-W02"),
        ("2025-w02", "2025-W02"),
        ("2025年", "2025"),
        ("2025/1/5", "2025-01-05"),
        ("2025-1-5", "2025-01-05"),
        ("2025年1月5日", "2025-01-05"),
        ("20250105", "2025-01-05"),
    ] {
        let period = Period::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(period.to_string(), printed, "{text}");
    }
    // The printed forms read as before.
    for text in [
        "2024-03-17",
        "2024-W11",
        "2024-03",
        "2024-Q1",
        "2024-H1",
        "2024",
    ] {
        assert_eq!(Period::parse(text).unwrap().to_string(), text);
    }
}

#[test]
fn a_bad_period_is_refused_in_words_about_periods() {
    for (text, says) in [
        ("2025Q5", "no quarter 5"),
        ("2025-Q0", "no quarter 0"),
        ("2025年第5季度", "no quarter 5"),
        ("2025-13", "no month 13"),
        ("2025年13月", "no month 13"),
        ("2025H3", "no half year 3"),
        ("2025-W54", "no week 54"),
        ("2021-W53", "no such ISO week"),
        ("0000-Q1", "0001 to 9999"),
        ("99999-Q1", "0001 to 9999"),
        ("99999", "0001 to 9999"),
        ("0000", "0001 to 9999"),
        ("2025-13-01", "no month 13"),
        ("2025-02-30", "no day 30"),
    ] {
        let err = Period::parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{text}");
        let message = err.to_string();
        assert!(message.starts_with("invalid period"), "{message}");
        assert!(message.contains(text), "{message}");
        assert!(message.contains(says), "{text}: {message}");
    }
    for text in [
        "",
        "Q1",
        "2025-",
        "2025-1-",
        "25Q1",
        "2025年第季度",
        "2025年五季度",
        "2025-Qx",
        "2025-01-05T08:00",
        "next quarter",
        "202501",
        "2025011",
        "202",
    ] {
        let err = Period::parse(text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{text}");
        let message = err.to_string();
        assert!(message.starts_with("invalid period"), "{message}");
        assert!(message.contains("expected a period"), "{text}: {message}");
        assert!(
            message.contains("2025-Q1") && message.contains("2025年第1季度"),
            "{message}"
        );
        assert!(!message.contains("expected a date"), "{message}");
    }
}
