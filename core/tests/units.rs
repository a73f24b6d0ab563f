//! The unit tree: adding, querying, moving and retiring, as of any date.

mod common;
use common::{codes, county, d};
use wangge::{ErrorKind, Level, Levels, NewUnit, Store, StoreOptions};

#[test]
fn children_are_sorted_by_code_and_descendants_cover_the_subtree() {
    let store = county();
    assert_eq!(
        codes(&store.children("512021", None).unwrap()),
        ["512021100", "512021101"]
    );
    let all = store.descendants("512021", None, None).unwrap();
    assert_eq!(all.len(), 9);
    assert!(all.windows(2).all(|w| w[0].code < w[1].code));
    let grids = store.descendants("512021100", Some("grid"), None).unwrap();
    assert_eq!(
        codes(&grids),
        ["512021100001001", "512021100001002", "512021100002001"]
    );
    assert!(!codes(&store.descendants("512021100", None, None).unwrap()).contains(&"512021100"));
}

#[test]
fn ancestors_are_root_first_without_the_unit_itself() {
    let store = county();
    let chain = store.ancestors("512021100001002", None).unwrap();
    assert_eq!(codes(&chain), ["512021", "512021100", "512021100001"]);
    assert!(store.ancestors("512021", None).unwrap().is_empty());
}

#[test]
fn a_unit_reports_its_parent_level_and_name() {
    let store = county();
    let unit = store.unit("512021100002001", None).unwrap();
    assert_eq!(unit.name, "龙井一网格");
    assert_eq!(unit.level, "grid");
    assert_eq!(unit.parent.as_deref(), Some("512021100002"));
    assert_eq!(unit.start, None);
    assert_eq!(unit.end, None);
}

#[test]
fn bad_codes_are_invalid_input_naming_the_code_and_write_nothing() {
    let store = county();
    let before = store.audit_log(0, 1000).unwrap().len();
    for (code, parent, level) in [
        ("51202", None, "county"),
        ("512022100", Some("512021"), "township"),
        ("5120211000", Some("512021"), "township"),
        ("51202110000A", Some("512021100"), "community"),
        ("512021/100", Some("512021"), "township"),
    ] {
        let err = store.add_unit(code, "x", level, parent, None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{code}: {err}");
        assert!(err.to_string().contains(code), "{err}");
    }
    let err = store
        .add_unit("512021102", "x", "hamlet", Some("512021"), None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("hamlet"));
    let err = store
        .add_unit(
            "512021100009",
            "x",
            "community",
            Some("512021100001001"),
            None,
        )
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::InvalidInput,
        "a grid cannot hold a community: {err}"
    );
    assert_eq!(store.audit_log(0, 1000).unwrap().len(), before);
    assert_eq!(store.descendants("512021", None, None).unwrap().len(), 9);
}

#[test]
fn duplicate_codes_conflict_and_unknown_parents_are_not_found() {
    let store = county();
    let dup = store
        .add_unit("512021100", "又一个", "township", Some("512021"), None)
        .unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict);
    assert!(dup.to_string().contains("512021100"));
    let orphan = store
        .add_unit("512021199", "无", "township", Some("512099"), None)
        .unwrap_err();
    assert_eq!(orphan.kind(), ErrorKind::NotFound);
    assert!(orphan.to_string().contains("512099"));
    assert_eq!(store.unit("512021", None).unwrap().name, "安岳县");
}

#[test]
fn a_batch_with_one_bad_unit_adds_none_of_them() {
    let store = county();
    let batch = vec![
        NewUnit {
            code: "512021102".into(),
            name: "通贤镇".into(),
            level: "township".into(),
            parent: Some("512021".into()),
            start: None,
        },
        NewUnit {
            code: "512021102001".into(),
            name: "通贤社区".into(),
            level: "community".into(),
            parent: Some("512021102".into()),
            start: None,
        },
        NewUnit {
            code: "512021102".into(),
            name: "重复".into(),
            level: "township".into(),
            parent: Some("512021".into()),
            start: None,
        },
    ];
    assert_eq!(
        store.add_units(&batch).unwrap_err().kind(),
        ErrorKind::Conflict
    );
    assert_eq!(
        store.unit("512021102", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    store.add_units(&batch[..2]).unwrap();
    assert_eq!(
        codes(&store.children("512021102", None).unwrap()),
        ["512021102001"]
    );
}

/// A new unit of `level` under `parent`, existing as long as its parent.
fn under(parent: &str, code: &str, name: &str, level: &str) -> NewUnit {
    NewUnit {
        code: code.into(),
        name: name.into(),
        level: level.into(),
        parent: Some(parent.into()),
        start: None,
    }
}

/// A township under the county `512021` of `common::county`.
fn township(code: &str, name: &str) -> NewUnit {
    under("512021", code, name, "township")
}

#[test]
fn a_batch_with_several_problems_is_refused_for_the_first_in_its_order() {
    let store = county();
    // Units are written in code order, not the batch's; the refusal is still the one
    // the batch's order meets first.
    let refused = |batch: &[NewUnit]| store.add_units(batch).unwrap_err();
    // 512021100 exists already; 512021107 comes twice; the last name is empty.
    let err = refused(&[
        township("512021109", "九镇"),
        township("512021107", "七镇"),
        township("512021100", "已有"),
        township("512021107", "又七镇"),
        township("512021108", ""),
    ]);
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("512021100"), "{err}");
    let err = refused(&[
        township("512021109", "九镇"),
        township("512021107", "七镇"),
        township("512021107", "又七镇"),
        township("512021100", "已有"),
    ]);
    assert!(err.to_string().contains("512021107"), "{err}");
    // Before any clash, the bad name.
    let err = refused(&[township("512021108", ""), township("512021100", "已有")]);
    assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
    assert!(
        store.unit("512021109", None).is_err(),
        "nothing was written"
    );
}

#[test]
fn a_clash_deep_in_a_batch_of_many_statements_is_refused_for_the_first_and_writes_nothing() {
    let store = county();
    let count = || store.descendants("512021", None, None).unwrap().len();
    let before = count();
    // A hundred townships: written several rows a statement, the last statement short.
    let mut batch: Vec<NewUnit> = (200..300)
        .map(|n| township(&format!("512021{n}"), &format!("{n}镇")))
        .collect();
    batch[70] = township("512021230", "又二三〇镇");
    batch[80] = township("512021100", "已有");
    let err = store.add_units(&batch).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("512021230"), "{err}");
    batch[70] = township("512021270", "二七〇镇");
    let err = store.add_units(&batch).unwrap_err();
    assert!(err.to_string().contains("512021100"), "{err}");
    // A clash in the short last statement, against a unit earlier in the batch.
    batch[80] = township("512021280", "二八〇镇");
    batch[99] = township("512021201", "又二〇一镇");
    let err = store.add_units(&batch).unwrap_err();
    assert!(err.to_string().contains("512021201"), "{err}");
    assert_eq!(count(), before, "nothing was written");
    batch[99] = township("512021299", "二九九镇");
    assert_eq!(store.add_units(&batch).unwrap(), 100);
    assert_eq!(count(), before + 100);
    assert_eq!(store.unit("512021270", None).unwrap().name, "二七〇镇");
    let verified = store.verify_audit().unwrap();
    assert!(verified.ok, "every row sealed as written: {verified:?}");
}

#[test]
fn a_batch_out_of_code_order_reads_back_as_given() {
    let store = county();
    // Parents first, but the codes not in order: children of the later township first.
    let mut batch = vec![township("512021105", "五镇"), township("512021103", "三镇")];
    for (parent, c) in [
        ("512021105", "002"),
        ("512021103", "001"),
        ("512021105", "001"),
    ] {
        let code = format!("{parent}{c}");
        batch.push(under(parent, &code, &format!("社区{code}"), "community"));
    }
    assert_eq!(store.add_units(&batch).unwrap(), 5);
    assert_eq!(
        codes(&store.children("512021105", None).unwrap()),
        ["512021105001", "512021105002"]
    );
    let unit = store.unit("512021103001", None).unwrap();
    assert_eq!(unit.parent.as_deref(), Some("512021103"));
    assert_eq!(unit.name, "社区512021103001");
    assert_eq!(
        codes(&store.ancestors("512021105002", None).unwrap()),
        ["512021", "512021105"]
    );
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn a_moved_unit_keeps_its_code_and_history_answers_where_it_was() {
    let store = county();
    let moved = store
        .move_unit("512021100002", "512021101", d("2024-07-01"))
        .unwrap();
    assert_eq!(moved.parent.as_deref(), Some("512021101"));
    assert_eq!(moved.code, "512021100002");
    let before = d("2024-06-30");
    let after = d("2024-07-01");
    assert_eq!(
        codes(&store.children("512021100", Some(before)).unwrap()),
        ["512021100001", "512021100002"]
    );
    assert_eq!(
        codes(&store.children("512021100", Some(after)).unwrap()),
        ["512021100001"]
    );
    assert_eq!(
        codes(&store.children("512021101", Some(after)).unwrap()),
        ["512021100002", "512021101001"]
    );
    // The grid under the moved community moves with it.
    assert_eq!(
        codes(&store.ancestors("512021100002001", Some(after)).unwrap()),
        ["512021", "512021101", "512021100002"]
    );
    assert_eq!(
        codes(&store.ancestors("512021100002001", Some(before)).unwrap()),
        ["512021", "512021100", "512021100002"]
    );
    assert!(
        codes(
            &store
                .descendants("512021101", Some("grid"), Some(after))
                .unwrap()
        )
        .contains(&"512021100002001")
    );
    assert!(
        !codes(
            &store
                .descendants("512021101", Some("grid"), Some(before))
                .unwrap()
        )
        .contains(&"512021100002001")
    );
}

#[test]
fn moving_under_itself_or_a_descendant_is_refused_and_changes_nothing() {
    let store = county();
    let log = store.audit_log(0, 1000).unwrap().len();
    for target in ["512021100", "512021100001", "512021100001001"] {
        let err = store
            .move_unit("512021100", target, d("2024-01-01"))
            .unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::InvalidInput),
            "{target}: {err}"
        );
        assert!(err.to_string().contains(target), "{err}");
    }
    assert_eq!(store.audit_log(0, 1000).unwrap().len(), log);
    assert_eq!(
        store.unit("512021100", None).unwrap().parent.as_deref(),
        Some("512021")
    );
}

#[test]
fn moving_to_an_unknown_parent_is_not_found() {
    let store = county();
    let err = store
        .move_unit("512021100001", "512021199", d("2024-01-01"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}

#[test]
fn two_successive_moves_keep_all_three_placements() {
    let store = county();
    store
        .move_unit("512021100001001", "512021100002", d("2024-03-01"))
        .unwrap();
    store
        .move_unit("512021100001001", "512021101001", d("2024-09-01"))
        .unwrap();
    let parent_on = |day| {
        store
            .unit("512021100001001", Some(d(day)))
            .unwrap()
            .parent
            .unwrap()
    };
    assert_eq!(parent_on("2024-02-29"), "512021100001");
    assert_eq!(parent_on("2024-03-01"), "512021100002");
    assert_eq!(parent_on("2024-09-01"), "512021101001");
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn a_retired_unit_stays_in_history_but_not_after() {
    let store = county();
    store
        .retire_unit("512021100001002", d("2024-05-01"))
        .unwrap();
    let grids_before = store
        .descendants("512021100001", None, Some(d("2024-04-30")))
        .unwrap();
    let grids_after = store
        .descendants("512021100001", None, Some(d("2024-05-01")))
        .unwrap();
    assert_eq!(grids_before.len(), 2);
    assert_eq!(codes(&grids_after), ["512021100001001"]);
    let retired = store.unit("512021100001002", None).unwrap();
    assert_eq!(retired.end, Some(d("2024-05-01")));
    assert_eq!(
        store
            .unit("512021100001002", Some(d("2024-06-01")))
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    let again = store
        .retire_unit("512021100001002", d("2024-06-01"))
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
}

#[test]
fn a_unit_with_active_children_cannot_be_retired() {
    let store = county();
    let err = store
        .retire_unit("512021100001", d("2024-05-01"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.to_string().contains("512021100001001"), "{err}");
}

#[test]
fn a_unit_started_later_does_not_exist_before_its_start() {
    let store = county();
    store
        .add_unit(
            "512021100001003",
            "北坝三网格",
            "grid",
            Some("512021100001"),
            Some(d("2024-04-01")),
        )
        .unwrap();
    assert_eq!(
        store
            .children("512021100001", Some(d("2024-03-31")))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .children("512021100001", Some(d("2024-04-01")))
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store.unit("512021100001003", None).unwrap().start,
        Some(d("2024-04-01"))
    );
}

#[test]
fn a_child_added_without_start_under_a_moved_parent_follows_its_history() {
    let store = county();
    store
        .move_unit("512021100002", "512021101", d("2024-07-01"))
        .unwrap();
    store
        .add_unit(
            "512021100002002",
            "龙井二网格",
            "grid",
            Some("512021100002"),
            None,
        )
        .unwrap();
    assert_eq!(
        codes(
            &store
                .ancestors("512021100002002", Some(d("2024-01-01")))
                .unwrap()
        ),
        ["512021", "512021100", "512021100002"]
    );
    assert_eq!(
        codes(
            &store
                .ancestors("512021100002002", Some(d("2024-08-01")))
                .unwrap()
        ),
        ["512021", "512021101", "512021100002"]
    );
}

#[test]
fn deployments_may_configure_levels_above_the_county() {
    let levels = Levels::new(vec![
        Level::coded("province", 2),
        Level::coded("city", 4),
        Level::coded("county", 6),
        Level::coded("township", 9),
    ])
    .unwrap();
    let store = Store::open_with(
        ":memory:",
        StoreOptions {
            levels: Some(levels),
            ..Default::default()
        },
    )
    .unwrap();
    store
        .add_unit("51", "四川省", "province", None, None)
        .unwrap();
    store
        .add_unit("5120", "资阳市", "city", Some("51"), None)
        .unwrap();
    store
        .add_unit("512021", "安岳县", "county", Some("5120"), None)
        .unwrap();
    assert_eq!(
        codes(&store.ancestors("512021", None).unwrap()),
        ["51", "5120"]
    );
    assert_eq!(
        store
            .add_unit("5220", "x", "city", Some("51"), None)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn free_form_codes_skip_the_length_and_prefix_rules() {
    let levels = Levels::new(vec![Level::free("district"), Level::free("block")]).unwrap();
    let store = Store::open_with(
        ":memory:",
        StoreOptions {
            levels: Some(levels),
            ..Default::default()
        },
    )
    .unwrap();
    store
        .add_unit("north", "北区", "district", None, None)
        .unwrap();
    store
        .add_unit("B-07", "七号街区", "block", Some("north"), None)
        .unwrap();
    assert_eq!(codes(&store.children("north", None).unwrap()), ["B-07"]);
}

#[test]
fn a_unit_retired_after_a_move_keeps_both_placements_in_history() {
    let store = county();
    store
        .move_unit("512021100001002", "512021100002", d("2024-03-01"))
        .unwrap();
    let retired = store
        .retire_unit("512021100001002", d("2024-09-01"))
        .unwrap();
    assert_eq!(retired.parent.as_deref(), Some("512021100002"));
    let on = |day| store.unit("512021100001002", Some(d(day)));
    assert_eq!(
        on("2024-02-01").unwrap().parent.as_deref(),
        Some("512021100001")
    );
    assert_eq!(
        on("2024-08-31").unwrap().parent.as_deref(),
        Some("512021100002")
    );
    assert_eq!(on("2024-08-31").unwrap().end, Some(d("2024-09-01")));
    assert_eq!(on("2024-09-01").unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        store
            .children("512021100002", Some(d("2024-08-31")))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        store
            .children("512021100002", Some(d("2024-09-01")))
            .unwrap()
            .len(),
        1
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn a_unit_retired_on_the_day_it_moved_has_no_placement_from_then() {
    let store = county();
    store
        .move_unit("512021100001002", "512021100002", d("2024-03-01"))
        .unwrap();
    store
        .retire_unit("512021100001002", d("2024-03-01"))
        .unwrap();
    assert_eq!(
        store
            .unit("512021100001002", None)
            .unwrap()
            .parent
            .as_deref(),
        Some("512021100001")
    );
    assert!(
        store
            .children("512021100002", Some(d("2024-03-01")))
            .unwrap()
            .iter()
            .all(|u| u.code != "512021100001002")
    );
    assert_eq!(
        store
            .children("512021100001", Some(d("2024-02-29")))
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn moves_are_refused_when_the_new_parent_changes_later() {
    let store = county();
    store
        .move_unit("512021100002", "512021101", d("2024-07-01"))
        .unwrap();
    let err = store
        .move_unit("512021100001001", "512021100002", d("2024-01-01"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict, "{err}");
    assert!(err.to_string().contains("2024-07-01"), "{err}");
}

#[test]
fn a_span_stored_by_hand_for_a_new_code_refuses_the_batch_and_writes_nothing() {
    let path = common::temp_store_path("hand-span");
    drop(common::county_at(path.to_str().unwrap()));
    // A span for 512021102, which `unit` does not list, written around the library.
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO unit_span SELECT '/512021/512021102', valid_from, valid_to, '512021102',
                    parent, '手写', level, depth, start, retired
             FROM unit_span WHERE code = '512021101'",
            [],
        )
        .unwrap();
    let store = Store::open(&path).unwrap();
    let count = || store.descendants("512021", None, None).unwrap().len();
    let before = count();
    let batch = [
        township("512021103", "一〇三镇"),
        township("512021102", "一〇二镇"),
    ];
    let err = store.add_units(&batch).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    assert!(err.to_string().contains("already stored"), "{err}");
    assert!(
        store.unit("512021103", None).is_err(),
        "nothing was written"
    );
    assert_eq!(count(), before);
    // Without the clashing unit the batch goes in.
    assert_eq!(store.add_units(&batch[..1]).unwrap(), 1);
    assert_eq!(count(), before + 1);
    drop(store);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
