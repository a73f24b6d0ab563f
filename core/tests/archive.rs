//! The archive: every version of a household's file, with time and author.

mod common;
use common::{d, with_households};
use serde_json::json;
use wangge::ErrorKind;

#[test]
fn the_archive_keeps_every_version_with_time_and_author() {
    let store = with_households();
    let clerk = store.scope("512021100001", "楼栋长").unwrap();
    let v1 = clerk
        .set_archive_section("H1", "employment", &json!({"status": "unemployed"}))
        .unwrap();
    let v2 = clerk
        .set_archive_section("H1", "employment", &json!({"status": "阳光家园 staff"}))
        .unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_eq!(v2.author, "楼栋长");
    let now = store.archive("H1", None).unwrap();
    assert_eq!(
        now.sections["employment"].content["status"],
        "阳光家园 staff"
    );
    let then = store.archive("H1", Some(&v1.at)).unwrap();
    assert_eq!(then.sections["employment"].content["status"], "unemployed");
    // The same moment written in UTC, and days, mean the same instants.
    let v1_utc = chrono::DateTime::parse_from_rfc3339(&v1.at)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let then = store.archive("H1", Some(&v1_utc)).unwrap();
    assert_eq!(then.sections["employment"].content["status"], "unemployed");
    assert!(
        store
            .archive("H1", Some("2000-01-01"))
            .unwrap()
            .sections
            .is_empty()
    );
    let today = store.today().to_string();
    assert_eq!(
        store.archive("H1", Some(&today)).unwrap().sections["employment"].version,
        2
    );
    assert_eq!(
        store.archive("H1", Some("yesterday")).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(store.archive_history("H1", "employment").unwrap().len(), 2);
    assert_eq!(
        store
            .set_archive_section("H1", "hobbies", &json!({}))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        store
            .set_archive_section("H1", "health", &json!([1]))
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    store.verify_archive("H1", d("2024-04-01")).unwrap();
    assert_eq!(
        store.archive("H1", None).unwrap().verified,
        Some(d("2024-04-01"))
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}
