//! Error messages in Chinese: the store option `language`, and real refusals rendered in
//! both languages with the same kind, field and value.

mod common;

use common::{county, d};
use wangge::{Error, ErrorKind, Language, Store, StoreOptions};

const GRID: &str = "512021100001001";

/// `invalid FIELD "VALUE"` of an English message, and `FIELD 无效 "VALUE"` of a Chinese
/// one: (field, quoted value).
fn field_and_value(message: &str, chinese: bool) -> (String, String) {
    let (head, _) = if chinese {
        message.split_once("：").unwrap()
    } else {
        message.split_once(": ").unwrap()
    };
    let head = head.strip_prefix("invalid ").unwrap_or(head);
    let (field, value) = head.split_once(' ').unwrap();
    let value = value.strip_prefix("无效 ").unwrap_or(value);
    (field.to_owned(), value.to_owned())
}

fn refusals(store: &Store) -> Vec<Error> {
    vec![
        store
            .add_household("", GRID, "路", "registered", &[], None)
            .unwrap_err(),
        store
            .add_household("H9", GRID, "路", "tenant", &[], None)
            .unwrap_err(),
        store
            .record_visit("H1", "W1", "fax", d("2025-03-03"), "")
            .unwrap_err(),
        wangge::Period::parse("2025-13").unwrap_err(),
        wangge::date::parse_date("as_of", "2025-02-30").unwrap_err(),
    ]
}

#[test]
fn both_renderings_keep_the_kind_field_and_value() {
    let store = county();
    store.add_staff("W1", "王网格员", None).unwrap();
    store
        .add_household("H1", GRID, "北坝一网格1号", "registered", &[], None)
        .unwrap();
    for error in refusals(&store) {
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{error}");
        let english = error.message(Language::En);
        let chinese = error.message(Language::Zh);
        assert_eq!(english, error.to_string());
        assert_ne!(english, chinese);
        assert_eq!(
            field_and_value(&english, false),
            field_and_value(&chinese, true),
            "{english} / {chinese}"
        );
        let reason = chinese.split_once("：").unwrap().1;
        assert!(
            reason
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "the reason is not rendered in Chinese: {chinese}"
        );
    }
}

#[test]
fn other_kinds_keep_their_key_and_codes() {
    let store = county();
    let missing = store.unit("512021999", None).unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    assert!(missing.message(Language::En).ends_with("512021999"));
    assert_eq!(missing.message(Language::Zh), "未找到单位：512021999");
    let duplicate = store
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap_err();
    assert_eq!(duplicate.kind(), ErrorKind::Conflict);
    assert_eq!(
        duplicate.message(Language::Zh),
        "冲突：单位编码 512021 已存在"
    );
    let scoped = store.scope("512021100", "镇干部").unwrap();
    let outside = scoped.unit("512021101", None).unwrap_err();
    let chinese = outside.message(Language::Zh);
    assert!(chinese.contains("512021101"), "{chinese}");
    assert!(
        chinese.starts_with(wangge::kind_heading_zh(outside.kind())),
        "{chinese}"
    );
}

#[test]
fn the_language_is_a_store_option_shown_by_info() {
    let store = Store::open(":memory:").unwrap();
    assert_eq!(store.language(), Language::En);
    assert_eq!(store.info().unwrap().language, Language::En);
    let options = StoreOptions::from_json(r#"{"language": "zh"}"#).unwrap();
    assert_eq!(options.language, Language::Zh);
    let store = Store::open_with(":memory:", options).unwrap();
    assert_eq!(store.language(), Language::Zh);
    let info = serde_json::to_value(store.info().unwrap()).unwrap();
    assert_eq!(info["language"], "zh");
    let scoped = {
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store.scope("512021", "县干部").unwrap()
    };
    assert_eq!(scoped.language(), Language::Zh);
}

#[test]
fn a_language_other_than_en_or_zh_is_refused_naming_language() {
    for bad in [r#"{"language": "中文"}"#, r#"{"language": "fr"}"#] {
        let error = StoreOptions::from_json(bad).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(
            error.to_string().starts_with("invalid language "),
            "{error}"
        );
    }
}
