//! Frames of real records: the due list, entries, households, residents and a report as
//! Arrow record batches, their columns typed, ID numbers and phones masked, and the
//! Chinese labels. Needs the `arrow` feature (`cargo test -p wangge-core --features arrow
//! --test frames`).
#![cfg(feature = "arrow")]

mod common;

use common::{d, with_households};
use wangge::frame::arrow_array::RecordBatch;
use wangge::frame::arrow_array::cast::AsArray;
use wangge::frame::arrow_schema::DataType;
use wangge::frame::{record_batch, record_batch_with};
use wangge::labels::Labels;
use wangge::{EntryQuery, HouseholdFilter, NewEntry};

fn names(batch: &RecordBatch) -> Vec<String> {
    let schema = batch.schema();
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

fn column_type(batch: &RecordBatch, name: &str) -> DataType {
    batch
        .schema()
        .field_with_name(name)
        .unwrap()
        .data_type()
        .clone()
}

fn texts(batch: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let i = batch.schema().index_of(name).unwrap();
    batch
        .column(i)
        .as_string::<i32>()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect()
}

#[test]
fn a_due_list_is_a_frame_with_date_columns_and_chinese_labels() {
    let store = with_households();
    let due = store.due_visits("512021", Some(d("2024-03-31"))).unwrap();
    assert!(!due.is_empty());
    let batch = record_batch(&due, Labels::En).unwrap();
    assert_eq!(batch.num_rows(), due.len());
    assert_eq!(
        names(&batch),
        [
            "household_id",
            "unit",
            "rule",
            "channel",
            "due",
            "overdue",
            "last_visit",
            "grid",
            "grid_name",
            "address",
            "responsible"
        ]
    );
    assert_eq!(column_type(&batch, "due"), DataType::Date32);
    assert_eq!(column_type(&batch, "last_visit"), DataType::Date32);
    assert_eq!(column_type(&batch, "overdue"), DataType::Boolean);
    let zh = record_batch(&due, Labels::Zh).unwrap();
    assert_eq!(
        names(&zh),
        [
            "户编号",
            "单位代码",
            "走访规则",
            "走访方式",
            "应访日期",
            "逾期",
            "最近走访",
            "所属网格",
            "网格名称",
            "住址",
            "责任网格员"
        ]
    );
    // The grid's workers as one text a row (`王五 W1、李四 W2`).
    assert_eq!(column_type(&batch, "responsible"), DataType::Utf8);
    assert_eq!(column_type(&batch, "grid_name"), DataType::Utf8);
    for channel in texts(&zh, "走访方式").into_iter().flatten() {
        assert!(["入户", "电话"].contains(&channel.as_str()), "{channel}");
    }
}

#[test]
fn entries_are_frames_with_timestamps_and_chinese_statuses() {
    let store = with_households();
    let at = store.parse_moment("2024-03-04T09:00").unwrap();
    let entry = store
        .register(&NewEntry::new(
            "512021100001001",
            Some("市政设施"),
            "路灯坏了",
            at,
        ))
        .unwrap();
    let entries = store.entries(&EntryQuery::new("512021")).unwrap();
    let batch = record_batch(&entries, Labels::En).unwrap();
    assert_eq!(names(&batch)[..3], ["id", "unit", "household_id"]);
    assert!(matches!(
        column_type(&batch, "reported_at"),
        DataType::Timestamp(_, Some(tz)) if &*tz == "+08:00"
    ));
    assert_eq!(column_type(&batch, "id"), DataType::Int64);
    assert_eq!(
        texts(&batch, "status"),
        [Some(entry.status.as_str().to_owned())]
    );
    let zh = record_batch(&entries, Labels::Zh).unwrap();
    assert_eq!(texts(&zh, "状态"), [Some("已登记".to_owned())]);
    assert!(names(&zh).contains(&"上报时间".to_owned()));
}

#[test]
fn households_and_residents_frames_show_what_the_records_show() {
    let store = with_households();
    let households = store
        .households("512021", &HouseholdFilter::default())
        .unwrap();
    let batch = record_batch(&households, Labels::Zh).unwrap();
    assert_eq!(
        texts(&batch, "户类型"),
        [Some("户籍"), Some("流动"), Some("出租")].map(|s| s.map(str::to_owned))
    );
    assert!(matches!(column_type(&batch, "标签"), DataType::List(_)));
    let residents = store.residents("H1", None).unwrap();
    let batch = record_batch(&residents, Labels::En).unwrap();
    let id_number = texts(&batch, "id_number")[0].clone().unwrap();
    assert_eq!(Some(id_number.as_str()), residents[0].id_number.as_deref());
    assert!(id_number.contains('*') && !id_number.contains("19480512"));
    let phone = texts(&batch, "phone")[0].clone().unwrap();
    assert!(phone.contains('*') && phone != "13812345678");
    let zh = record_batch_with(&residents, Labels::Zh, &wangge::labels::RESIDENT_HEADERS).unwrap();
    assert_eq!(texts(&zh, "与户主关系"), [Some("户主".to_owned())]);
    assert_eq!(texts(&zh, "姓名"), [Some("付良容".to_owned())]);
}

#[test]
fn a_report_frame_has_every_indicator_in_order_rates_in_three_columns() {
    let store = with_households();
    let report = store.report("512021", "2024-Q1".parse().unwrap()).unwrap();
    let batch = report.frame(Labels::En).unwrap();
    let names = names(&batch);
    assert_eq!(names[..4], ["unit", "name", "level", "own"]);
    let mut expected = Vec::new();
    for (key, _) in wangge::report::INDICATOR_NAMES {
        expected.push(key.to_owned());
        if names.contains(&format!("{key}_num")) {
            expected.push(format!("{key}_num"));
            expected.push(format!("{key}_den"));
        }
    }
    assert_eq!(names[4..], expected[..]);
    assert_eq!(column_type(&batch, "closure_rate"), DataType::Float64);
    assert_eq!(column_type(&batch, "closure_rate_num"), DataType::Int64);
    let zh = report.frame(Labels::Zh).unwrap();
    assert_eq!(
        texts(&zh, "层级"),
        [Some("乡镇"), Some("乡镇"), Some("县")].map(|s| s.map(str::to_owned))
    );
}

/// A due item as the list gives it, for the frames of items the test store does not make.
fn due_item(
    household_id: &str,
    last_visit: Option<&str>,
    grid: Option<(&str, &str)>,
    responsible: &std::sync::Arc<[wangge::Responsible]>,
) -> wangge::DueVisit {
    wangge::DueVisit {
        household_id: household_id.into(),
        unit: "512021100001001".into(),
        rule: "特殊人群每月".into(),
        channel: if last_visit.is_some() {
            wangge::Channel::Phone
        } else {
            wangge::Channel::Home
        },
        due: d("2024-03-31"),
        overdue: last_visit.is_none(),
        last_visit: last_visit.map(d),
        grid: grid.map(|(code, _)| code.into()),
        grid_name: grid.map(|(_, name)| name.into()),
        address: format!("幸福路{household_id}号"),
        responsible: std::sync::Arc::clone(responsible),
    }
}

#[test]
fn the_due_lists_typed_frame_is_the_serde_frame_in_both_languages() {
    let store = with_households();
    let listed = store.due_visits("512021", Some(d("2024-03-31"))).unwrap();
    assert!(!listed.is_empty());
    let two: std::sync::Arc<[wangge::Responsible]> = vec![
        wangge::Responsible {
            staff_id: "S1".into(),
            name: "王芳".into(),
        },
        wangge::Responsible {
            staff_id: "S2".into(),
            name: "李强".into(),
        },
    ]
    .into();
    let none: std::sync::Arc<[wangge::Responsible]> = Vec::new().into();
    let made = vec![
        due_item("H9", None, None, &none),
        due_item("H8", Some("2024-02-01"), Some(("G1", "一网格")), &two),
        due_item("H7", None, Some(("G1", "一网格")), &two),
        due_item("H6", Some("2024-01-09"), Some(("G2", "二网格")), &none),
    ];
    let no_grid = vec![due_item("H5", None, None, &none)];
    // Long enough to be made on two threads.
    let long: Vec<wangge::DueVisit> = (0..70_000)
        .map(|i| {
            let (last, grid) = match i % 3 {
                0 => (None, None),
                1 => (Some("2024-02-01"), Some(("G1", "一网格"))),
                _ => (None, Some(("G2", "二网格"))),
            };
            due_item(
                &format!("L{i}"),
                last,
                grid,
                if i % 3 == 1 { &two } else { &none },
            )
        })
        .collect();
    for items in [&listed, &made, &no_grid, &long, &Vec::new()] {
        for labels in [Labels::En, Labels::Zh] {
            let typed = wangge::frame::due_visit_batch(items.iter(), labels).unwrap();
            let serde = record_batch(items.iter(), labels).unwrap();
            assert_eq!(typed.schema(), serde.schema(), "{labels:?}");
            assert_eq!(typed, serde, "{labels:?}: {} items", items.len());
        }
    }
    let zh = wangge::frame::due_visit_batch(&made, Labels::Zh).unwrap();
    assert_eq!(
        texts(&zh, "责任网格员"),
        [
            None,
            Some("王芳 S1、李强 S2".into()),
            Some("王芳 S1、李强 S2".into()),
            None
        ]
    );
    assert_eq!(
        texts(&zh, "走访方式")[..2],
        [Some("入户".into()), Some("电话".into())]
    );
    assert_eq!(texts(&zh, "所属网格")[0], None);
}

#[test]
fn units_from_a_frame_are_added_as_units_from_json_are_and_meet_the_same_checks() {
    use std::sync::Arc;
    use wangge::frame::arrow_array::{ArrayRef, StringArray};

    let frame = |codes: [&str; 2]| {
        let column = |v: [&str; 2]| -> ArrayRef { Arc::new(StringArray::from(v.to_vec())) };
        RecordBatch::try_from_iter([
            ("code", column(codes)),
            ("name", column(["通贤镇", "通贤社区"])),
            ("level", column(["township", "community"])),
            ("parent", column(["512021", codes[0]])),
        ])
        .unwrap()
    };
    let units = |batch: &RecordBatch| {
        wangge::NewUnit::list_from_arrow(&batch.schema(), std::slice::from_ref(batch)).unwrap()
    };
    let store = common::county();
    let batch = frame(["512021102", "512021102001"]);
    assert_eq!(store.add_units(&units(&batch)).unwrap(), 2);
    let community = store.unit("512021102001", None).unwrap();
    assert_eq!(community.parent.as_deref(), Some("512021102"));
    // The same codes again: a conflict; a scoped handle outside its subtree: refused.
    let again = store.add_units(&units(&batch)).unwrap_err();
    assert_eq!(again.kind(), wangge::ErrorKind::Conflict);
    let scoped = store.scope("512021100", "岳阳镇管理员").unwrap();
    let outside = scoped.add_units(&units(&frame(["512021103", "512021103001"])));
    assert_eq!(
        outside.unwrap_err().kind(),
        wangge::ErrorKind::PermissionDenied
    );
}
