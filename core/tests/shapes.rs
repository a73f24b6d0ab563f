//! The documented input shapes (`wangge::shapes::INPUTS`, listed in the C header) say
//! exactly what the core's readers take: a sample holding every documented key is read,
//! the same sample with one more key is refused, and where a reader keeps its own key
//! list, the documented keys are that list.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use wangge::shapes::{self, Shape};
use wangge::{
    ClassifyRequest, EntryAction, EntryQuery, ErrorKind, HouseholdFilter, ImportOptions, ImportRow,
    NewEntry, NewResident, NewUnit, NewVisit, Result, StoreOptions,
};

/// Reads one value of a shape from JSON text, as the bindings hand it to the core.
type Reader = fn(&str) -> Result<()>;

fn offset() -> chrono::FixedOffset {
    chrono::FixedOffset::east_opt(8 * 3600).unwrap()
}

/// Each input shape, a sample with every documented key, and the core reader of it.
fn samples() -> Vec<(Shape, Value, Reader)> {
    vec![
        (
            shapes::STORE_OPTIONS,
            json!({"levels": [["county", 6], ["township", 9]], "actor": "管理员",
                   "utc_offset_minutes": 480, "read_only": false,
                   "key_hex": "000102030405060708090a0b0c0d0e0f", "busy_timeout_ms": 5000, "language": "zh"}),
            |j| StoreOptions::from_json(j).map(drop),
        ),
        (
            shapes::NEW_UNIT,
            json!({"code": "512021100", "name": "岳阳镇", "level": "township",
                   "parent": "512021", "start": "2024-01-01"}),
            |j| NewUnit::from_json(j).map(drop),
        ),
        (
            shapes::HOUSEHOLD_FILTER,
            json!({"as_of": "2024-03-01", "household_class": "special", "tag": "低保",
                   "kind": "registered"}),
            |j| HouseholdFilter::from_json(j).map(drop),
        ),
        (
            shapes::NEW_RESIDENT,
            json!({"name": "付良容", "id_number": "510123194805121220", "phone": "13812345678",
                   "hukou": "农业", "employer": "无", "relation": "head", "tags": ["残疾"]}),
            |j| NewResident::from_json(j).map(drop),
        ),
        (
            shapes::NEW_VISIT,
            json!({"household_id": "H1", "staff_id": "W1", "channel": "home",
                   "on": "2024-04-10", "note": "入户走访"}),
            |j| NewVisit::list_from_json(&format!("[{j}]")).map(drop),
        ),
        (
            shapes::IMPORT_OPTIONS,
            json!({"mode": "skip_invalid", "on": "2024-01-01", "encoding": "GBK",
                   "columns": {"户主姓名": "name"}, "header_row": 2}),
            |j| ImportOptions::from_json(j).map(drop),
        ),
        (
            shapes::IMPORT_ROW,
            json!({"household_id": "H1", "unit": "512021100001001", "address": "北坝街1号",
                   "kind": "registered", "tags": "低保", "name": "付良容",
                   "id_number": "510123194805121220", "phone": "13812345678",
                   "relation": "head", "hukou": "农业", "employer": "无",
                   "resident_tags": ["残疾"]}),
            |j| ImportRow::from_json(j, 1).map(drop),
        ),
        (
            shapes::NEW_ENTRY,
            json!({"unit": "512021100001001", "summary": "路灯不亮",
                   "reported_at": "2025-03-03T09:00", "category": "市政设施",
                   "household_id": "H1", "resident_id": 7, "source": "hotline",
                   "urgent": false, "finding_id": 3}),
            |j| NewEntry::from_json_str(j, offset()).map(drop),
        ),
        (
            shapes::CLASSIFY_REQUEST,
            json!({"summary": "小区下水道堵塞", "category": null, "household_id": "H1",
                   "unit": "512021100001001", "urgent": true, "at": "2025-03-03T09:00"}),
            |j| ClassifyRequest::from_json(j, offset()).map(drop),
        ),
        (
            shapes::ENTRY_QUERY,
            json!({"unit": "512021", "at": "2025-03-31T18:00", "standing": "pending",
                   "status": "registered", "book": "民生诉求", "category": "市政设施",
                   "period": "2025-03", "overdue": true}),
            |j| EntryQuery::from_json(j, offset()).map(drop),
        ),
        (
            shapes::ENTRY_ACTION,
            json!({"entry_id": 1, "action": "extend", "at": "2025-03-04T09:00",
                   "staff_id": "W1", "note": "等材料", "to": null, "days": 5,
                   "satisfied": null}),
            |j| EntryAction::list_from_json(&format!("[{j}]"), offset()).map(drop),
        ),
    ]
}

fn keys(value: &Value) -> BTreeSet<String> {
    value.as_object().unwrap().keys().cloned().collect()
}

fn documented(shape: &Shape) -> BTreeSet<String> {
    shape.key_names().into_iter().map(str::to_owned).collect()
}

#[test]
fn every_input_shape_has_a_sample_here() {
    let covered: BTreeSet<_> = samples().iter().map(|(shape, ..)| shape.name).collect();
    let listed: BTreeSet<_> = shapes::INPUTS.iter().map(|shape| shape.name).collect();
    assert_eq!(covered, listed);
}

#[test]
fn a_sample_with_every_documented_key_is_read_and_one_more_key_is_refused() {
    for (shape, sample, read) in samples() {
        assert_eq!(keys(&sample), documented(&shape), "{}", shape.name);
        if let Err(e) = read(&sample.to_string()) {
            panic!("{}: the documented keys are refused: {e}", shape.name);
        }
        let mut extra = sample.clone();
        extra
            .as_object_mut()
            .unwrap()
            .insert("colour".into(), json!("red"));
        let err = read(&extra.to_string()).expect_err(shape.name);
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}: {err}", shape.name);
    }
}

#[test]
fn readers_with_their_own_key_lists_take_exactly_the_documented_keys() {
    let list = |keys: &[&str]| {
        keys.iter()
            .map(|k| (*k).to_owned())
            .collect::<BTreeSet<_>>()
    };
    assert_eq!(list(&NewEntry::KEYS), documented(&shapes::NEW_ENTRY));
    assert_eq!(list(&EntryAction::KEYS), documented(&shapes::ENTRY_ACTION));
    assert_eq!(list(&NewVisit::KEYS), documented(&shapes::NEW_VISIT));
    assert_eq!(list(&ImportRow::KEYS), documented(&shapes::IMPORT_ROW));
    assert_eq!(list(&NewUnit::KEYS), documented(&shapes::NEW_UNIT));
}

/// A unit's plain fields read directly are the unit their JSON object reads as, and
/// nothing where the object is refused: a binding reading plain records directly
/// accepts exactly what the JSON path accepts.
#[test]
fn a_units_plain_fields_read_as_their_json_object_does() {
    let town: [(&str, Option<&str>); 3] = [
        ("code", Some("512021100")),
        ("name", Some("岳阳镇")),
        ("level", Some("township")),
    ];
    let with = |more: &[(&'static str, Option<&'static str>)]| {
        town.iter().chain(more).copied().collect::<Vec<_>>()
    };
    let cases: Vec<Vec<(&str, Option<&str>)>> = vec![
        with(&[]),
        with(&[("parent", Some("512021"))]),
        with(&[("parent", None), ("start", None)]),
        with(&[("parent", Some("512021")), ("start", Some("2024-01-01"))]),
        with(&[("start", Some("2024-13-01"))]),
        with(&[("start", Some("someday"))]),
        with(&[("extra", Some("x"))]),
        with(&[("code", Some("512021101"))]),
        vec![("name", Some("")), ("level", Some("")), ("code", Some(""))],
        vec![("code", Some("512021100")), ("level", Some("township"))],
        vec![
            ("code", None),
            ("name", Some("岳阳镇")),
            ("level", Some("township")),
        ],
        vec![
            ("code", Some("5")),
            ("name", None),
            ("level", Some("township")),
        ],
        vec![],
    ];
    let mut read = 0;
    for fields in &cases {
        let members: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{}", json!(k), json!(v)))
            .collect();
        let object = format!("{{{}}}", members.join(","));
        let direct = NewUnit::from_texts(fields.iter().map(|(k, v)| (k, v.map(String::from))));
        assert_eq!(direct, NewUnit::from_json(&object).ok(), "{object}");
        assert_eq!(
            direct.map(|u| vec![u]),
            NewUnit::list_from_json(&format!("[{object}]")).ok(),
            "{object}"
        );
        read += usize::from(NewUnit::from_json(&object).is_ok());
    }
    assert_eq!(read, 6, "the cases read and refused are those meant");
}
