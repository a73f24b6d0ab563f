//! Importing a real-shaped 民政 register export (`tests/data/minzheng.*`, written by
//! `tests/data/make_minzheng.py`) from every source through one column reader: title lines,
//! Chinese headers, unknown columns, tags split on 、 and ，, Chinese kinds and relations,
//! a grid named by its name, the `columns` mapping and `header_row`.

mod common;
use common::{county, d};
use wangge::{
    COLUMN_ALIASES, ErrorKind, HouseholdClass, HouseholdKind, ImportMode, ImportOptions,
    ImportResult, ImportRow, ImportTable, KIND_NAMES, RELATION_NAMES, Store,
};

const CSV_GBK: &[u8] = include_bytes!("../../tests/data/minzheng.csv");
const XLSX: &[u8] = include_bytes!("../../tests/data/minzheng.xlsx");

fn options() -> ImportOptions {
    ImportOptions {
        on: Some(d("2025-03-01")),
        ..Default::default()
    }
}

/// What the export holds, as the store shows it after any import of it.
fn assert_the_export_is_in(store: &Store, result: &ImportResult) {
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(
        (
            result.households_inserted,
            result.households_updated,
            result.residents_inserted,
            result.residents_updated
        ),
        (3, 0, 5, 0)
    );
    assert_eq!((result.inserted, result.updated), (8, 0));
    assert_eq!(result.unknown_columns, ["序号", "出生日期", "备注"]);
    let m1 = store.household("M001", None).unwrap();
    assert_eq!(m1.unit, "512021100001001", "the grid named 北坝一网格");
    assert_eq!(m1.kind, HouseholdKind::Registered);
    let mut tags = m1.tags.clone();
    tags.sort();
    // The household's own tags, and 李四's 人员类别 (a household shows its residents' tags).
    assert_eq!(tags, ["低保", "残疾", "空巢"]);
    let people = store.residents("M001", None).unwrap();
    let relations: Vec<(&str, &str)> = people
        .iter()
        .map(|r| (r.name.as_str(), r.relation.as_str()))
        .collect();
    assert_eq!(
        relations,
        [("张三", "head"), ("李四", "spouse"), ("张小", "child")]
    );
    assert_eq!(people[1].tags, ["残疾"]);
    let m2 = store.household("M002", None).unwrap();
    assert_eq!(m2.kind, HouseholdKind::Floating);
    assert_eq!(
        m2.household_class,
        HouseholdClass::Special,
        "人员类别 低保 makes the household special"
    );
    let m3 = store.household("M003", None).unwrap();
    assert_eq!(m3.kind, HouseholdKind::Rental);
    let mut tags = m3.tags.clone();
    tags.sort();
    assert_eq!(tags, ["单亲", "残疾"]);
    assert_eq!(store.residents("M003", None).unwrap()[0].relation, "head");
}

#[test]
fn the_export_imports_as_csv_below_its_title_line() {
    let store = county();
    let result = store
        .import_households_csv(CSV_GBK, &options(), None)
        .unwrap();
    assert_the_export_is_in(&store, &result);
    let again = store
        .import_households_csv(CSV_GBK, &options(), None)
        .unwrap();
    assert_eq!(
        (
            again.households_inserted,
            again.households_updated,
            again.residents_inserted,
            again.residents_updated
        ),
        (0, 3, 0, 5)
    );
    assert_eq!((again.inserted, again.updated), (0, 8));
}

#[test]
fn the_export_imports_as_xlsx_with_the_same_result() {
    let csv_store = county();
    let from_csv = csv_store
        .import_households_csv(CSV_GBK, &options(), None)
        .unwrap();
    let store = county();
    let result = store
        .import_households_xlsx(XLSX, &options(), None)
        .unwrap();
    assert_the_export_is_in(&store, &result);
    assert_eq!(result, from_csv);
    let picked = county()
        .import_households_file(XLSX, None, &options(), None)
        .unwrap();
    assert_eq!(picked, from_csv);
    let head = &store.residents("M001", None).unwrap()[0];
    let (_, phone) = store.resident_clear(head.resident_id).unwrap();
    assert_eq!(
        phone.as_deref(),
        Some("13812345678"),
        "a phone typed as a number"
    );
}

#[test]
fn the_export_imports_as_a_table_and_as_json_rows_with_the_same_result() {
    let text = encoding_rs::GBK.decode(CSV_GBK).0.into_owned();
    let mut lines = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect::<Vec<String>>());
    let header = lines.next().unwrap();
    let table = ImportTable {
        header,
        rows: lines.collect(),
    };
    let store = county();
    let result = store
        .import_households_table(&table, &options(), None)
        .unwrap();
    assert_the_export_is_in(&store, &result);
    // Written by hand: the keys keep the columns' order, as a Python dict's do.
    let objects: Vec<String> = table
        .rows
        .iter()
        .map(|row| {
            let pairs: Vec<String> = table
                .header
                .iter()
                .zip(row)
                .map(|(k, v)| format!("{}:{}", serde_json::json!(k), serde_json::json!(v)))
                .collect();
            format!("{{{}}}", pairs.join(","))
        })
        .collect();
    let from_json = ImportTable::from_json(&format!("[{}]", objects.join(","))).unwrap();
    assert_eq!(from_json, table);
    let store = county();
    let again = store
        .import_households_table(&from_json, &options(), None)
        .unwrap();
    assert_eq!(again, result);
}

#[test]
fn a_columns_mapping_names_headers_the_aliases_do_not_know() {
    let store = county();
    let csv = "档案号,网格名称,门牌,类别,户主姓名,身份号\n\
               K1,512021100001001,北坝街9号,流动,钱七,\n";
    let refused = store
        .import_households_csv(csv.as_bytes(), &options(), None)
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput);
    let columns = [
        ("档案号", "household_id"),
        ("网格名称", "unit"),
        ("门牌", "address"),
        ("类别", "户类型"),
        ("户主姓名", "name"),
    ]
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .to_vec();
    let result = store
        .import_households_csv(
            csv.as_bytes(),
            &ImportOptions {
                columns: columns.clone(),
                ..options()
            },
            None,
        )
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.unknown_columns, ["身份号"]);
    assert_eq!(
        store.household("K1", None).unwrap().kind,
        HouseholdKind::Floating
    );
    let bad = store
        .import_households_csv(
            csv.as_bytes(),
            &ImportOptions {
                columns: vec![("档案号".into(), "archive".into())],
                ..options()
            },
            None,
        )
        .unwrap_err();
    assert!(bad.to_string().starts_with("invalid columns "), "{bad}");
    let json = r#"{"columns": {"档案号": "household_id"}, "header_row": 2}"#;
    let read = ImportOptions::from_json(json).unwrap();
    assert_eq!(
        read.columns,
        [("档案号".to_owned(), "household_id".to_owned())]
    );
    assert_eq!(read.header_row, Some(2));
    let zero = ImportOptions::from_json(r#"{"header_row": 0}"#).unwrap_err();
    assert!(
        zero.to_string().starts_with("invalid header_row "),
        "{zero}"
    );
}

#[test]
fn a_header_row_given_is_used_and_one_not_found_is_an_error() {
    let store = county();
    let csv = "花名册,户编号,所属网格\n\
               户编号,所属网格,住址,户类型,姓名\n\
               Q1,512021100001001,北坝街8号,常住,孙八\n";
    let wrong = store
        .import_households_csv(csv.as_bytes(), &options(), None)
        .unwrap_err();
    assert!(wrong.to_string().contains("missing columns"), "{wrong}");
    let given = store
        .import_households_csv(
            csv.as_bytes(),
            &ImportOptions {
                header_row: Some(2),
                ..options()
            },
            None,
        )
        .unwrap();
    assert_eq!((given.households_inserted, given.errors.len()), (1, 0));
    let past = store
        .import_households_csv(
            csv.as_bytes(),
            &ImportOptions {
                header_row: Some(9),
                ..options()
            },
            None,
        )
        .unwrap_err();
    assert!(
        past.to_string().starts_with("invalid header_row "),
        "{past}"
    );
    let titles = "名单\n".repeat(30) + "户编号,所属网格,住址,户类型,姓名\n";
    let none = store
        .import_households_csv(titles.as_bytes(), &options(), None)
        .unwrap_err();
    assert!(none.to_string().contains("no header row"), "{none}");
}

#[test]
fn tags_split_on_every_separator_and_chinese_values_are_read_as_stored() {
    let store = county();
    let rows = vec![
        ImportRow {
            line: 1,
            household_id: "T1".into(),
            unit: "512021100001001".into(),
            address: "北坝街7号".into(),
            kind: "租住".into(),
            tags: "低保, 空巢；残疾;单亲，下岗失业、低收入".into(),
            name: "周九".into(),
            relation: "本人".into(),
            ..Default::default()
        },
        ImportRow {
            line: 2,
            household_id: "T1".into(),
            unit: "512021100001001".into(),
            address: "北坝街7号".into(),
            kind: "租住".into(),
            tags: "低保, 空巢；残疾;单亲，下岗失业、低收入".into(),
            name: "周小".into(),
            relation: "女儿".into(),
            ..Default::default()
        },
    ];
    let result = store.import_households(&rows, &options(), None).unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let household = store.household("T1", None).unwrap();
    assert_eq!(household.kind, HouseholdKind::Rental);
    assert_eq!(household.tags.len(), 6);
    let relations: Vec<String> = store
        .residents("T1", None)
        .unwrap()
        .into_iter()
        .map(|r| r.relation)
        .collect();
    assert_eq!(relations, ["head", "child"]);
    // The tables the documentation lists are the ones the reader uses.
    for (stored, names) in KIND_NAMES {
        assert_eq!(HouseholdKind::parse(stored).unwrap().as_str(), stored);
        assert!(!names.is_empty());
    }
    assert!(
        RELATION_NAMES
            .iter()
            .any(|(s, n)| *s == "spouse" && n.contains(&"配偶"))
    );
    let fields: Vec<&str> = COLUMN_ALIASES.iter().map(|(f, _)| *f).collect();
    assert_eq!(fields, ImportRow::KEYS);
}

#[test]
fn a_grid_named_by_an_ambiguous_or_unknown_name_is_a_row_error() {
    let store = county();
    store
        .add_unit(
            "512021100002002",
            "北坝一网格",
            "grid",
            Some("512021100002"),
            None,
        )
        .unwrap();
    let csv = "户编号,所属网格,住址,户类型,姓名\n\
               N1,北坝一网格,北坝街1号,常住,甲\n\
               N2,龙井一网格,龙井路1号,常住,乙\n\
               N3,无名网格,北坝街3号,常住,丙\n";
    let result = store
        .import_households_csv(
            csv.as_bytes(),
            &ImportOptions {
                mode: ImportMode::SkipInvalid,
                ..options()
            },
            None,
        )
        .unwrap();
    let errors: Vec<(usize, &str)> = result
        .errors
        .iter()
        .map(|e| (e.line, e.field.as_str()))
        .collect();
    assert_eq!(errors, [(2, "unit"), (4, "unit")]);
    assert!(
        result.errors[0].message.contains("512021100002002"),
        "{:?}",
        result.errors
    );
    assert_eq!(store.household("N2", None).unwrap().unit, "512021100002001");
    // A scope names only the grids inside it: there the name is unique.
    let town = store.scope("512021100001", "北坝社区管理员").unwrap();
    let rows = vec![ImportRow {
        line: 1,
        household_id: "N4".into(),
        unit: "北坝一网格".into(),
        address: "北坝街4号".into(),
        kind: "常住".into(),
        name: "丁".into(),
        ..Default::default()
    }];
    let scoped = town.import_households(&rows, &options(), None).unwrap();
    assert!(scoped.errors.is_empty(), "{:?}", scoped.errors);
    assert_eq!(store.household("N4", None).unwrap().unit, "512021100001001");
}

#[test]
fn json_rows_name_too_few_columns_or_hold_other_values_are_refused() {
    let store = county();
    let few = ImportTable::from_json(r#"[{"name": "付良容", "age": "40"}]"#).unwrap();
    let err = store
        .import_households_table(&few, &options(), None)
        .unwrap_err();
    assert!(err.to_string().starts_with("invalid rows "), "{err}");
    let number = ImportTable::from_json(r#"[{"phone": 13800000001}]"#).unwrap_err();
    assert!(!number.to_string().contains("13800000001"), "{number}");
    let text = ImportTable::from_json(r#"[{"name": "x"}, "y"]"#).unwrap_err();
    assert!(text.to_string().contains("(row 2)"), "{text}");
}
