//! Dates as every binding reads them: ISO text and the other usual forms, one parser for
//! all, and refusals that name the field and say what is wrong.

use wangge::ErrorKind;
use wangge::date::{Date, parse_date};

fn ymd(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap()
}

#[test]
fn iso_dates_are_read_as_before() {
    assert_eq!(parse_date("on", "2025-01-05").unwrap(), ymd(2025, 1, 5));
    assert_eq!(parse_date("on", " 2024-02-29 ").unwrap(), ymd(2024, 2, 29));
    assert_eq!(parse_date("on", "0001-01-01").unwrap(), ymd(1, 1, 1));
    assert_eq!(parse_date("on", "9999-12-31").unwrap(), ymd(9999, 12, 31));
}

#[test]
fn the_usual_other_forms_are_the_same_date() {
    for text in [
        "2025/1/5",
        "2025/01/05",
        "2025-1-5",
        "2025-01-5",
        "2025年1月5日",
        "2025年01月05日",
        "2025年1月5号",
        "20250105",
        "２０２５／１／５",
        "２０２５年１月５日",
        "２０２５０１０５",
        "\u{3000}2025-01-05 ",
    ] {
        assert_eq!(parse_date("on", text).unwrap(), ymd(2025, 1, 5), "{text}");
    }
}

#[test]
fn out_of_range_parts_are_invalid_input_naming_the_field_and_the_part() {
    for (text, says) in [
        ("2025-13-01", "no month 13"),
        ("2025/0/1", "no month 0"),
        ("2025年13月1日", "no month 13"),
        ("20251301", "no month 13"),
        ("2025-01-32", "no day 32"),
        ("2023-02-29", "no day 29"),
        ("2025/4/31", "no day 31"),
        ("0000-01-01", "0001 to 9999"),
        ("00000101", "0001 to 9999"),
        ("99999-01-01", "0001 to 9999"),
        ("10000/1/1", "0001 to 9999"),
    ] {
        let err = parse_date("as_of", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{text}");
        let message = err.to_string();
        assert!(message.contains("as_of"), "{message}");
        assert!(message.contains(text), "{message}");
        assert!(message.contains(says), "{text}: {message}");
    }
}

#[test]
fn other_text_is_refused_saying_which_forms_are_read() {
    for text in [
        "",
        "yesterday",
        "2025",
        "2025-01",
        "2025-1-5-",
        "2025/1-5",
        "25-1-5",
        "2025-001-05",
        "2025-01-05T08:00",
        "2025年1月",
        "2025年1月5",
        "202501051",
        "2025-01-05x",
    ] {
        let err = parse_date("start", text).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{text}");
        let message = err.to_string();
        assert!(message.contains("start"), "{message}");
        assert!(
            message.contains("2025/1/5") && message.contains("20250105"),
            "{message}"
        );
    }
}
