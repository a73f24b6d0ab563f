//! The registry: households, residents, ID numbers, tags and class, counts.

mod common;
use common::{big_csv, d, resident, with_households};
use serde_json::json;
use wangge::{
    ErrorKind, HouseholdClass, HouseholdFilter, HouseholdKind, ImportOptions, Sex, Store, TagKind,
};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";

#[test]
fn residents_get_their_sex_from_the_id_number_and_are_masked_without_a_birth_date() {
    let store = with_households();
    let people = store.residents("H1", None).unwrap();
    assert_eq!(people.len(), 1);
    let p = &people[0];
    assert_eq!(p.sex, Some(Sex::Female));
    assert_eq!(p.id_number.as_deref(), Some("510123**********20"));
    assert_eq!(p.phone.as_deref(), Some("138****5678"));
    assert_eq!(p.relation, "head");
    let json = serde_json::to_string(p).unwrap();
    assert!(
        !json.contains("510123194805121220")
            && !json.contains("13812345678")
            && !json.contains("1948")
            && !json.contains("birth"),
        "{json}"
    );
    let (id, phone) = store.resident_clear(p.resident_id).unwrap();
    assert_eq!(id.as_deref(), Some("510123194805121220"));
    assert_eq!(phone.as_deref(), Some("13812345678"));
    assert_eq!(
        store.audit_log(0, 1000).unwrap().last().unwrap().action,
        "read_clear"
    );
}

#[test]
fn bad_or_duplicate_id_numbers_are_refused_and_write_nothing() {
    let store = with_households();
    let before = store.audit_log(0, 1000).unwrap().len();
    let bad = store
        .add_resident(
            "H1",
            &resident("张莉", Some("510123194805121221"), None),
            None,
        )
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    assert!(bad.to_string().contains("check digit"), "{bad}");
    let dup = store
        .add_resident(
            "H2",
            &resident("冒名", Some("510123194805121220"), None),
            None,
        )
        .unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict);
    assert!(!dup.to_string().contains("194805121220"), "masked: {dup}");
    assert_eq!(store.audit_log(0, 1000).unwrap().len(), before);
    assert!(store.residents("H2", None).unwrap().is_empty());
}

#[test]
fn a_fifteen_digit_id_number_is_upgraded_and_flagged() {
    let store = with_households();
    let r = store
        .add_resident(
            "H3",
            &resident("老住户", Some("110105491231002"), None),
            None,
        )
        .unwrap();
    assert!(r.id_upgraded);
    assert_eq!(r.id_number.as_deref(), Some("110105**********2X"));
}

#[test]
fn the_household_class_follows_household_and_member_tags_over_time() {
    let store = with_households();
    assert_eq!(
        store.household_class("H1", Some(d("2024-01-01"))).unwrap(),
        HouseholdClass::Ordinary
    );
    store
        .tag("H1", "低保", Some(d("2024-02-15")), None)
        .unwrap();
    assert_eq!(
        store.household_class("H1", Some(d("2024-02-14"))).unwrap(),
        HouseholdClass::Ordinary
    );
    assert_eq!(
        store.household_class("H1", Some(d("2024-02-15"))).unwrap(),
        HouseholdClass::Special
    );
    store.untag("H1", "低保", d("2024-06-01")).unwrap();
    assert_eq!(
        store.household_class("H1", Some(d("2024-06-01"))).unwrap(),
        HouseholdClass::Ordinary
    );
    // A member's tag makes the household special too.
    let member = store.residents("H3", None).unwrap_or_default();
    assert!(member.is_empty());
    let r = store
        .add_resident("H3", &resident("冯宣云", None, None), None)
        .unwrap();
    store
        .tag_resident(
            r.resident_id,
            "残疾",
            Some(d("2024-01-01")),
            Some(d("2024-12-31")),
        )
        .unwrap();
    let h3 = store.household("H3", Some(d("2024-12-31"))).unwrap();
    assert_eq!(h3.household_class, HouseholdClass::Special);
    assert_eq!(h3.tags, ["残疾"]);
    assert_eq!(
        store.household_class("H3", Some(d("2025-01-01"))).unwrap(),
        HouseholdClass::Ordinary
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn tags_as_text_split_on_every_separator_an_import_cell_takes() {
    assert_eq!(
        TagKind::split("低保；残疾, 上访，独居、 ;"),
        ["低保", "残疾", "上访", "独居"]
    );
    assert_eq!(TagKind::split(" 低保 "), ["低保"]);
    assert!(TagKind::split(" ；,、 ").is_empty());
    assert!(TagKind::split("").is_empty());
    // One list, one rule: the import reads a cell with the same separators.
    let store = with_households();
    let csv = format!(
        "household_id,unit,address,kind,tags,name\nH9,{GRID},x,registered,低保、残疾,王五\n"
    );
    let done = store
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    assert!(done.errors.is_empty(), "{:?}", done.errors);
    assert_eq!(store.household("H9", None).unwrap().tags, ["低保", "残疾"]);
}

#[test]
fn unknown_tags_are_invalid_until_defined_and_non_special_tags_keep_a_household_ordinary() {
    let store = with_households();
    let err = store.tag("H1", "志愿者", None, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("志愿者"));
    store.define_tag("志愿者", false).unwrap();
    store.tag("H1", "志愿者", None, None).unwrap();
    let h1 = store.household("H1", None).unwrap();
    assert_eq!(h1.tags, ["志愿者"]);
    assert_eq!(h1.household_class, HouseholdClass::Ordinary);
    assert_eq!(
        store.tag("H1", "志愿者", None, None).unwrap_err().kind(),
        ErrorKind::Conflict
    );
}

#[test]
fn households_of_a_subtree_filter_by_class_tag_and_kind() {
    let store = with_households();
    let all = store
        .households("512021100", &HouseholdFilter::default())
        .unwrap();
    assert_eq!(
        all.iter()
            .map(|h| h.household_id.as_str())
            .collect::<Vec<_>>(),
        ["H1", "H2", "H3"]
    );
    let special = store
        .households(
            "512021100",
            &HouseholdFilter {
                household_class: Some(HouseholdClass::Special),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(special.len(), 1);
    assert_eq!(special[0].household_id, "H2");
    let rental = store
        .households(
            "512021",
            &HouseholdFilter {
                kind: Some(HouseholdKind::Rental),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(rental[0].household_id, "H3");
    let tagged = store
        .households(
            "512021100001",
            &HouseholdFilter {
                tag: Some("流动人口".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(tagged.len(), 1);
    assert!(
        store
            .households("512021101", &HouseholdFilter::default())
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_moved_household_is_counted_where_it_lived_on_each_day() {
    let store = with_households();
    store
        .move_household("H1", "512021101001001", d("2024-07-01"))
        .unwrap();
    assert_eq!(
        store.household("H1", Some(d("2024-06-30"))).unwrap().unit,
        GRID
    );
    assert_eq!(
        store.household("H1", Some(d("2024-07-01"))).unwrap().unit,
        "512021101001001"
    );
    let june = HouseholdFilter {
        as_of: Some(d("2024-06-30")),
        ..Default::default()
    };
    let july = HouseholdFilter {
        as_of: Some(d("2024-07-01")),
        ..Default::default()
    };
    assert_eq!(store.households("512021101", &june).unwrap().len(), 0);
    assert_eq!(store.households("512021101", &july).unwrap().len(), 1);
}

#[test]
fn residents_move_between_households_with_history() {
    let store = with_households();
    let r = store.residents("H1", None).unwrap().remove(0);
    store
        .move_resident(r.resident_id, "H2", "spouse", d("2024-03-01"))
        .unwrap();
    assert_eq!(
        store.residents("H1", Some(d("2024-02-29"))).unwrap().len(),
        1
    );
    assert_eq!(
        store.residents("H1", Some(d("2024-03-01"))).unwrap().len(),
        0
    );
    assert_eq!(
        store.residents("H2", Some(d("2024-03-01"))).unwrap()[0].relation,
        "spouse"
    );
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn counts_per_unit_sum_to_the_total() {
    let store = with_households();
    let (total, rows) = store.unit_counts("512021", None).unwrap();
    assert_eq!(total.households, 3);
    assert_eq!(total.special_households, 1);
    assert_eq!(total.residents, 1);
    assert_eq!(total.floating, 1);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows.iter().map(|r| r.households).sum::<u64>(), 3);
    assert_eq!(rows[0].unit, GRID);
    assert_eq!(rows[0].households, 2);
}

#[test]
fn a_scope_cannot_see_or_change_households_outside_it() {
    let store = with_households();
    store
        .add_household(
            "H9",
            "512021101001001",
            "解放村9号",
            "registered",
            &[],
            None,
        )
        .unwrap();
    let town = store.scope("512021100", "岳阳镇").unwrap();
    assert_eq!(
        town.household("H9", None).unwrap_err().kind(),
        ErrorKind::NotFound,
        "a household outside a scope is not found, as if there were none"
    );
    assert_eq!(
        town.tag("H9", "低保", None, None).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        town.add_household("H10", "512021101001001", "x", "registered", &[], None)
            .unwrap_err()
            .kind(),
        ErrorKind::PermissionDenied
    );
    assert_eq!(
        town.households("512021100", &HouseholdFilter::default())
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn registry_writes_are_audited_under_the_handles_actor() {
    let store = with_households();
    let grid = store.scope(GRID, "网格员").unwrap();
    grid.tag("H1", "空巢", None, None).unwrap();
    let last = store.audit_log(0, 1000).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.action.as_str(),
            last.target.as_str()
        ),
        ("网格员", "tag", "H1")
    );
    assert!(store.verify_audit().unwrap().ok);
}

/// The counts computed independently from `households` and `residents`.
fn counts_by_listing(store: &Store, unit: &str, on: wangge::Date) -> (u64, u64, u64, u64) {
    let households = store
        .households(
            unit,
            &HouseholdFilter {
                as_of: Some(on),
                ..Default::default()
            },
        )
        .unwrap();
    let residents: usize = households
        .iter()
        .map(|h| store.residents(&h.household_id, Some(on)).unwrap().len())
        .sum();
    (
        households.len() as u64,
        households
            .iter()
            .filter(|h| h.household_class == HouseholdClass::Special)
            .count() as u64,
        residents as u64,
        households
            .iter()
            .filter(|h| h.kind == HouseholdKind::Floating)
            .count() as u64,
    )
}

fn counts_of(store: &Store, unit: &str, on: wangge::Date) -> (u64, u64, u64, u64) {
    let (t, rows) = store.unit_counts(unit, Some(on)).unwrap();
    let sum = |f: fn(&wangge::UnitCounts) -> u64| rows.iter().map(f).sum::<u64>();
    assert_eq!(
        (t.households, t.special_households, t.residents, t.floating),
        (
            sum(|r| r.households),
            sum(|r| r.special_households),
            sum(|r| r.residents),
            sum(|r| r.floating)
        ),
        "the rows of {unit} on {on} sum to its total"
    );
    (t.households, t.special_households, t.residents, t.floating)
}

#[test]
fn counts_follow_every_change_and_agree_with_the_listings() {
    let store = with_households();
    let dates = [
        "2023-12-31",
        "2024-03-01",
        "2024-06-15",
        "2024-09-01",
        "2025-01-01",
    ];
    let check = |store: &Store| {
        for on in dates {
            for unit in ["512021", "512021100", "512021100001", GRID, "512021101"] {
                assert_eq!(
                    counts_of(store, unit, d(on)),
                    counts_by_listing(store, unit, d(on)),
                    "{unit} on {on}"
                );
            }
        }
    };
    check(&store);
    let member = store
        .add_resident("H3", &resident("王五", None, None), None)
        .unwrap();
    store
        .tag_resident(member.resident_id, "残疾", Some(d("2024-03-01")), None)
        .unwrap();
    check(&store);
    assert_eq!(counts_of(&store, GRID2, d("2024-03-01")).1, 1);
    store
        .move_resident(member.resident_id, "H1", "spouse", d("2024-06-15"))
        .unwrap();
    store
        .move_household("H2", "512021101001001", d("2024-09-01"))
        .unwrap();
    store.untag("H2", "流动人口", d("2025-01-01")).unwrap();
    store.end_household("H3", d("2025-01-01")).unwrap();
    check(&store);
    assert_eq!(
        counts_of(&store, GRID2, d("2024-06-15")).1,
        0,
        "the tag left with its bearer"
    );
    assert_eq!(counts_of(&store, GRID, d("2024-06-15")).1, 2);
    store.define_tag("残疾", false).unwrap();
    check(&store);
    assert_eq!(counts_of(&store, GRID, d("2024-06-15")).1, 1);
    assert!(
        store.verify_audit().unwrap().ok,
        "{:?}",
        store.verify_audit().unwrap()
    );
}

#[test]
fn counts_see_writes_made_through_another_connection() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-counts-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.db");
    let _ = std::fs::remove_file(&path);
    let first = Store::open(&path).unwrap();
    first
        .add_unit("512021", "安岳县", "county", None, None)
        .unwrap();
    first
        .add_unit("512021100", "岳阳镇", "township", Some("512021"), None)
        .unwrap();
    first
        .add_household("H1", "512021100", "x", "registered", &[], None)
        .unwrap();
    assert_eq!(first.unit_counts("512021", None).unwrap().0.households, 1);
    let second = Store::open(&path).unwrap();
    second
        .add_household("H2", "512021100", "y", "floating", &["低保"], None)
        .unwrap();
    let (total, _) = first.unit_counts("512021", None).unwrap();
    assert_eq!(
        (total.households, total.special_households, total.floating),
        (2, 1, 1)
    );
    drop((first, second));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn counts_patched_after_each_write_equal_counts_built_afresh() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-patch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("store.db");
    let _ = std::fs::remove_file(&path);
    let store = Store::open(&path).unwrap();
    for (code, name, level, parent) in [
        ("512021", "安岳县", "county", None),
        ("512021100", "岳阳镇", "township", Some("512021")),
        ("512021100001", "北坝社区", "community", Some("512021100")),
        (GRID, "网格一", "grid", Some("512021100001")),
        (GRID2, "网格二", "grid", Some("512021100001")),
    ] {
        store.add_unit(code, name, level, parent, None).unwrap();
    }
    // The second handle has its own snapshot: each write through the first makes it
    // rebuild from scratch, while the first patches the households it wrote.
    let fresh = Store::open(&path).unwrap();
    let same = |what: &str| {
        for on in ["2024-01-01", "2024-06-30", "2024-07-01", "2025-01-01"] {
            for unit in ["512021", GRID, GRID2] {
                assert_eq!(
                    store.unit_counts(unit, Some(d(on))).unwrap(),
                    fresh.unit_counts(unit, Some(d(on))).unwrap(),
                    "after {what}: {unit} on {on}"
                );
            }
        }
    };
    let csv = big_csv(0, 300);
    store
        .import_households_csv(csv.as_bytes(), &ImportOptions::default(), None)
        .unwrap();
    same("an import");
    store
        .add_household("P1", GRID2, "x", "floating", &[], Some(d("2024-03-01")))
        .unwrap();
    same("a new household");
    let person = store
        .add_resident("P1", &resident("甲", None, None), Some(d("2024-03-01")))
        .unwrap();
    same("a new resident");
    store
        .tag_resident(person.resident_id, "残疾", Some(d("2024-05-01")), None)
        .unwrap();
    same("a resident's tag");
    store
        .move_resident(person.resident_id, "B7", "spouse", d("2024-07-01"))
        .unwrap();
    same("a resident's move");
    store
        .untag_resident(person.resident_id, "残疾", d("2024-12-01"))
        .unwrap();
    same("a resident's tag ended");
    store.move_household("B8", GRID2, d("2024-07-01")).unwrap();
    same("a household's move");
    store
        .tag("B9", "低保", Some(d("2024-06-30")), None)
        .unwrap();
    store.untag("B9", "低保", d("2025-01-01")).unwrap();
    same("a household's tag");
    store.end_household("B10", d("2024-07-01")).unwrap();
    same("a household's end");
    store
        .set_archive_section("B11", "health", &json!({"chronic": true}))
        .unwrap();
    same("an archive change");
    store.define_tag("残疾", false).unwrap();
    same("a tag kind's change");
    let moves = format!(
        "household_id,unit,address,kind,tags,name,id_number,phone,relation\n\
         B13,{GRID2},幸福路13号,rental,空巢,居民24,{},,head\n",
        wangge::id_number::with_check_digit("51202119800125024").unwrap()
    );
    store
        .import_households_csv(
            moves.as_bytes(),
            &ImportOptions {
                on: Some(d("2024-07-01")),
                ..Default::default()
            },
            None,
        )
        .unwrap();
    same("an import that moves a household and a resident");
    drop((store, fresh));
    let _ = std::fs::remove_dir_all(&dir);
}
