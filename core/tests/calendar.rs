//! The official working-day calendar: holidays, make-up days, missing years, loaded years.

mod common;

use common::d;
use wangge::{Calendar, ErrorKind, Store, add_working_days, working_days_between};

#[test]
fn the_2020_spring_festival_extension_is_counted() {
    // The holiday ran 24 Jan to 30 Jan, then was extended to 2 Feb: the Saturday 1 Feb
    // make-up day was cancelled, so the first working day after the eve is Monday 3 Feb.
    assert_eq!(
        add_working_days(d("2020-01-23"), 1).unwrap(),
        d("2020-02-03")
    );
    let cal = Calendar::official();
    for day in ["2020-01-31", "2020-02-01", "2020-02-02"] {
        assert!(!cal.is_working_day(d(day)).unwrap(), "{day}");
    }
    assert!(
        cal.is_working_day(d("2020-01-19")).unwrap(),
        "Sunday 19 Jan was a make-up day"
    );
    assert_eq!(
        working_days_between(d("2020-01-23"), d("2020-02-03")).unwrap(),
        1
    );
}

#[test]
fn a_make_up_saturday_is_a_working_day() {
    // Saturday 8 Feb 2025 was worked for the Spring Festival.
    assert_eq!(
        add_working_days(d("2025-02-07"), 1).unwrap(),
        d("2025-02-08")
    );
    assert_eq!(
        add_working_days(d("2025-02-08"), 1).unwrap(),
        d("2025-02-10")
    );
    // An ordinary Saturday is not.
    assert_eq!(
        add_working_days(d("2025-03-07"), 1).unwrap(),
        d("2025-03-10")
    );
}

#[test]
fn the_national_day_week_is_skipped() {
    // 2025: off 1–8 Oct, Saturday 11 Oct worked. From 30 Sep, five working days are
    // 9, 10, 11, 13 and 14 Oct.
    assert_eq!(
        add_working_days(d("2025-09-30"), 5).unwrap(),
        d("2025-10-14")
    );
    assert_eq!(
        working_days_between(d("2025-09-30"), d("2025-10-08")).unwrap(),
        0
    );
    // 2015's extra holiday for the 70th anniversary: 3–5 Sep off, Sunday 6 Sep worked.
    assert_eq!(
        add_working_days(d("2015-09-02"), 1).unwrap(),
        d("2015-09-06")
    );
}

#[test]
fn counting_is_the_inverse_of_adding_across_years() {
    let start = d("2012-12-20");
    for n in [1, 10, 250, 1000, 3000] {
        let end = add_working_days(start, n).unwrap();
        assert_eq!(working_days_between(start, end).unwrap(), n, "{n}");
        assert!(add_working_days(end, -n).unwrap() <= start);
    }
}

#[test]
fn a_year_without_data_is_an_error_not_a_guess() {
    let err = add_working_days(d("2026-12-28"), 5).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("2027"), "{err}");
    let err = Calendar::official()
        .is_working_day(d("2009-06-01"))
        .unwrap_err();
    assert!(err.to_string().contains("2009"), "{err}");
}

#[test]
fn a_store_loads_later_years_and_keeps_them() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-calendar-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("county.db");
    let _ = std::fs::remove_file(&db);
    let file = dir.join("2027.txt");
    std::fs::write(
        &file,
        "# 2027, for the test\n2027 元旦 off 01-01..01-03\n2027 春节 off 02-06..02-12 work 02-14\n",
    )
    .unwrap();
    {
        let store = Store::open(&db).unwrap();
        assert!(store.add_working_days(d("2027-02-05"), 1).is_err());
        assert_eq!(store.load_calendar_file(&file).unwrap(), vec![2027]);
        assert_eq!(
            store.add_working_days(d("2027-02-05"), 1).unwrap(),
            d("2027-02-14")
        );
        assert_eq!(
            store
                .working_days_between(d("2026-12-31"), d("2027-01-04"))
                .unwrap(),
            1
        );
    }
    let store = Store::open(&db).unwrap();
    assert_eq!(
        store.add_working_days(d("2027-02-05"), 1).unwrap(),
        d("2027-02-14")
    );
    assert!(store.calendar().unwrap().years().contains(&2027));
    assert!(store.verify_audit().unwrap().ok);
    // The shipped calendar itself is untouched.
    assert!(add_working_days(d("2027-02-05"), 1).is_err());
    let bad = store.load_calendar("2028 春节 off 02-30").unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    assert!(bad.to_string().contains("line 1"), "{bad}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_count_beyond_the_covered_days_is_invalid_input_naming_n() {
    for n in [i64::MAX, i64::MIN, 1_000_000, -1_000_000] {
        let err = add_working_days(d("2024-03-15"), n).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{n}");
        assert!(err.to_string().starts_with("invalid n"), "{err}");
    }
    let far = working_days_between(d("0001-01-01"), d("9999-12-31")).unwrap_err();
    assert_eq!(far.kind(), ErrorKind::NotFound, "{far}");
}
