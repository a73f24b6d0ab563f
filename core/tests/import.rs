//! Bulk import of households and residents: CSV in UTF-8 or GBK, all or nothing or
//! skipping bad rows, progress and cancelling, moves and returns.

mod common;
use common::{big_csv, county, d, with_households};
use std::fmt::Write as _;
use wangge::{
    ErrorKind, HouseholdClass, HouseholdFilter, HouseholdKind, ImportMode, ImportOptions,
};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";

const CSV: &str = "household_id,unit,address,kind,tags,name,id_number,phone,relation\n\
H10,512021100001001,北坝路10号,registered,低保,袁婷,11010519491231002X,13800000001,head\n\
H10,512021100001001,北坝路10号,registered,低保,谢小华,,,spouse\n\
H11,512021100001002,北坝路11号,floating,,郑小芳,440524188001010014,,head\n";

#[test]
fn a_csv_imports_households_residents_and_tags() {
    let store = county();
    let result = store
        .import_households_csv(CSV.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!(result.inserted, 5);
    assert_eq!(store.residents("H10", None).unwrap().len(), 2);
    assert_eq!(
        store.household("H10", None).unwrap().household_class,
        HouseholdClass::Special
    );
    assert_eq!(
        store.household("H11", None).unwrap().kind,
        HouseholdKind::Floating
    );
    // Importing again updates in place.
    let again = store
        .import_households_csv(CSV.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!((again.inserted, again.updated), (0, 5));
    assert_eq!(store.residents("H10", None).unwrap().len(), 2);
    assert_eq!(store.household("H10", None).unwrap().tags, ["低保"]);
    // A later file moves a person (known by ID number) and a household, from its day on.
    let later = "household_id,unit,address,kind,tags,name,id_number,phone,relation
                 H11,512021100001001,北坝路11号,floating,,郑小芳,440524188001010014,,head
                 H11,512021100001001,北坝路11号,floating,,袁婷,11010519491231002X,,母亲
                 H10,512021100001001,北坝路10号,registered,低保,谢小华,,,spouse
";
    let moved = store
        .import_households_csv(
            later.as_bytes(),
            &ImportOptions {
                on: Some(d("2024-07-01")),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    assert!(moved.errors.is_empty(), "{:?}", moved.errors);
    assert_eq!((moved.inserted, moved.updated), (0, 5));
    let names = |hid: &str, on: &str| -> Vec<String> {
        store
            .residents(hid, Some(d(on)))
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect()
    };
    assert_eq!(names("H10", "2024-06-30"), ["袁婷", "谢小华"]);
    assert_eq!(names("H10", "2024-07-01"), ["谢小华"]);
    assert_eq!(names("H11", "2024-07-01"), ["郑小芳", "袁婷"]);
    assert_eq!(
        store.household("H11", Some(d("2024-06-30"))).unwrap().unit,
        GRID2
    );
    assert_eq!(
        store.household("H11", Some(d("2024-07-01"))).unwrap().unit,
        GRID
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn a_gbk_csv_with_chinese_headers_imports() {
    let store = county();
    let text = "户编号,所属网格,地址,户类型,户标签,姓名,身份证号,联系电话,与户主关系\n\
                G1,512021100001001,海慧路5号,户籍,空巢,付良容,510123194805121220,,户主\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    assert!(
        std::str::from_utf8(&gbk).is_err(),
        "the bytes really are GBK"
    );
    let result = store
        .import_households_csv(&gbk, &ImportOptions::default(), None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let h = store.household("G1", None).unwrap();
    assert_eq!(h.address, "海慧路5号");
    assert_eq!(h.tags, ["空巢"]);
    assert_eq!(store.residents("G1", None).unwrap()[0].name, "付良容");
    let bom = [b"\xEF\xBB\xBF".as_slice(), CSV.as_bytes()].concat();
    assert!(
        store
            .import_households_csv(&bom, &ImportOptions::default(), None)
            .unwrap()
            .errors
            .is_empty()
    );
}

#[test]
fn one_bad_row_rejects_an_all_or_nothing_import_and_changes_nothing() {
    let store = county();
    let bad = format!(
        "{CSV}H12,512021100001002,北坝路12号,rental,,坏人,110105194912310021,,head\nH13,512099,x,registered,,无网格,,,head\n"
    );
    let before = store.audit_log(0, 1000).unwrap();
    let mut calls = Vec::new();
    let mut progress = |done: usize, total: usize| {
        calls.push((done, total));
        true
    };
    let result = store
        .import_households_csv(
            bad.as_bytes(),
            &ImportOptions::default(),
            Some(&mut progress),
        )
        .unwrap();
    assert_eq!((result.inserted, result.updated), (0, 0));
    assert_eq!(result.errors.len(), 2);
    assert_eq!(
        (result.errors[0].line, result.errors[0].field.as_str()),
        (5, "id_number")
    );
    assert!(result.errors[0].message.contains("check digit"));
    assert_eq!(
        (result.errors[1].line, result.errors[1].field.as_str()),
        (6, "unit")
    );
    assert_eq!(calls.last(), Some(&(5, 5)));
    assert_eq!(store.audit_log(0, 1000).unwrap(), before);
    assert!(
        store
            .households("512021", &HouseholdFilter::default())
            .unwrap()
            .is_empty()
    );
    // Skipping invalid rows writes the rest.
    let options = ImportOptions {
        mode: ImportMode::SkipInvalid,
        ..Default::default()
    };
    let partial = store
        .import_households_csv(bad.as_bytes(), &options, None)
        .unwrap();
    assert_eq!(partial.errors.len(), 2);
    assert_eq!(partial.inserted, 5);
    assert_eq!(
        store
            .households("512021", &HouseholdFilter::default())
            .unwrap()
            .len(),
        2
    );
}

#[test]
fn a_progress_callback_can_cancel_an_import_and_nothing_is_written() {
    let store = county();
    let mut stop = |_: usize, _: usize| false;
    let err = store
        .import_households_csv(CSV.as_bytes(), &ImportOptions::default(), Some(&mut stop))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("cancelled"), "{err}");
    assert!(
        store
            .households("512021", &HouseholdFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_bad_row_after_thousands_of_written_ones_rolls_the_whole_import_back() {
    let store = with_households();
    // Enough rows that the good ones are written before the bad one is read.
    let mut csv = big_csv(0, 6000);
    writeln!(
        csv,
        "H1,{GRID2},海慧路1号,registered,,付良容,510123194805121220,,head"
    )
    .unwrap();
    writeln!(
        csv,
        "B9999,{GRID},x,registered,,坏人,110105194912310021,,head"
    )
    .unwrap();
    let before = (
        store.audit_log(0, 10_000).unwrap(),
        store.unit_counts("512021", None).unwrap(),
        store.household("H1", None).unwrap(),
    );
    let result = store
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert_eq!(result.errors[0].line, 12_003);
    assert_eq!((result.inserted, result.updated), (0, 0));
    let after = (
        store.audit_log(0, 10_000).unwrap(),
        store.unit_counts("512021", None).unwrap(),
        store.household("H1", None).unwrap(),
    );
    assert_eq!(after, before);
    assert_eq!(
        store.household("B0", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    // Without the bad row it all goes in, the move of H1 included.
    let good = csv.lines().take(12_002).collect::<Vec<_>>().join("\n");
    let result = store
        .import_households_csv(good.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    assert_eq!((result.inserted, result.updated), (18_000, 2));
    let (total, _) = store.unit_counts("512021", None).unwrap();
    assert_eq!((total.households, total.residents), (6003, 12_001));
    assert_eq!(store.household("H1", None).unwrap().unit, GRID2);
}

#[test]
fn skip_invalid_leaves_out_a_household_whose_later_row_is_bad() {
    let store = county();
    // B1's third row, far down the file, names a unit that does not exist: the whole of
    // B1 is left out, though its first rows were good when they were read.
    let mut csv = big_csv(0, 5000);
    csv.push_str("B1,512099,幸福路1号,registered,,迟到,,,member\n");
    let options = ImportOptions {
        mode: ImportMode::SkipInvalid,
        ..Default::default()
    };
    let result = store
        .import_households_csv(csv.as_bytes(), &options, None)
        .unwrap();
    assert_eq!(result.errors.len(), 1, "{:?}", result.errors);
    assert_eq!(result.errors[0].field, "unit");
    assert_eq!(result.inserted, 3 * 4999);
    assert_eq!(
        store.household("B1", None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.residents("B2", None).unwrap().len(), 2);
}

#[test]
fn an_import_brings_back_an_ended_household_and_overrides_later_moves() {
    const GRID3: &str = "512021100002001";
    let store = with_households();
    store.end_household("H2", d("2024-03-01")).unwrap();
    store.move_household("H3", GRID3, d("2024-09-01")).unwrap();
    let file = format!(
        "household_id,unit,address,kind,tags,name,id_number,phone,relation
         H2,{GRID2},海慧路2号,floating,,郑小芳,440524188001010014,,head
         H3,{GRID},海慧路3号,rental,,袁婷,11010519491231002X,,head
"
    );
    let options = ImportOptions {
        on: Some(d("2024-06-01")),
        ..Default::default()
    };
    let result = store
        .import_households_csv(file.as_bytes(), &options, None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let unit = |hid: &str, on: &str| store.household(hid, Some(d(on))).map(|h| h.unit);
    // H2 lived in GRID until it ended, was gone, and is back in GRID2 from the file's day.
    assert_eq!(unit("H2", "2024-02-29").unwrap(), GRID);
    assert_eq!(
        unit("H2", "2024-04-01").unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(unit("H2", "2024-06-01").unwrap(), GRID2);
    assert_eq!(
        store.household("H2", Some(d("2024-06-01"))).unwrap().end,
        None
    );
    // H3's move recorded for September gives way to the file.
    assert_eq!(unit("H3", "2024-05-31").unwrap(), GRID2);
    assert_eq!(unit("H3", "2024-06-01").unwrap(), GRID);
    assert_eq!(unit("H3", "2024-10-01").unwrap(), GRID);
    let (total, rows) = store.unit_counts("512021", Some(d("2024-10-01"))).unwrap();
    assert_eq!(total.households, 3);
    assert_eq!(
        rows.iter()
            .map(|r| (r.unit.as_str(), r.households))
            .collect::<Vec<_>>(),
        [(GRID, 2), (GRID2, 1)]
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}
