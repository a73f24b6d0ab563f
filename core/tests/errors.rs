//! The same bad input gives the same error kind whichever door it comes through: every
//! case below is one the C and Python tests repeat. Each refusal names its field, shows
//! at most 200 characters of what was given, and leaves the store as it was.

mod common;

use common::county;
use wangge::{
    ClassifyRequest, EntryAction, EntryQuery, Error, ErrorKind, HouseholdFilter, ImportOptions,
    ImportRow, NewEntry, NewResident, NewUnit, NewVisit, Period, Store, StoreOptions,
};

const COUNTY: &str = "512021";
const GRID: &str = "512021100001001";

/// A county with a staff member, a household and one registered entry, whose id is given.
fn with_entry() -> (Store, i64) {
    let store = county();
    store.add_staff("W1", "王网格员", None).unwrap();
    store
        .add_household("H1", GRID, "北坝一网格1号", "registered", &[], None)
        .unwrap();
    let at = store.parse_moment("2025-03-03T09:00:00").unwrap();
    let entry = NewEntry::new(GRID, Some("市政设施"), "路灯不亮", at);
    let id = store.register(&entry).unwrap().id;
    (store, id)
}

/// What a refusal may change: nothing, so these must read the same before and after.
fn footprint(store: &Store) -> (i64, usize, usize) {
    let audit = store.verify_audit().unwrap();
    assert!(audit.ok);
    let entries = store.entries(&EntryQuery::new(COUNTY)).unwrap();
    let households = store
        .households(COUNTY, &HouseholdFilter::default())
        .unwrap();
    (audit.records, entries.len(), households.len())
}

/// How a case reaches the public API, given the store and the entry's id.
type Run = Box<dyn Fn(&Store, i64) -> Result<(), Error>>;

/// One bad input: what it is, the error kind and the field it must give.
struct Case {
    name: &'static str,
    kind: ErrorKind,
    field: Option<&'static str>,
    run: Run,
}

fn case(
    name: &'static str,
    kind: ErrorKind,
    field: Option<&'static str>,
    run: impl Fn(&Store, i64) -> Result<(), Error> + 'static,
) -> Case {
    Case {
        name,
        kind,
        field,
        run: Box::new(run),
    }
}

fn huge() -> String {
    "长".repeat(10 * 1024 * 1024 / 3)
}

fn cases() -> Vec<Case> {
    use ErrorKind::{InvalidInput, NotFound};
    let at = |s: &Store| s.parse_moment("2025-03-04T09:00:00").unwrap();
    vec![
        // Ids that name nothing.
        case("entry 0", NotFound, None, |s, _| s.entry(0).map(drop)),
        case("entry -1", NotFound, None, |s, _| s.entry(-1).map(drop)),
        case("history of entry 0", NotFound, None, |s, _| {
            s.history(0).map(drop)
        }),
        case("sign_for entry 0", NotFound, None, move |s, _| {
            s.sign_for(0, "W1", &at(s)).map(drop)
        }),
        case("resolve entry -1", NotFound, None, move |s, _| {
            s.resolve(-1, &at(s), "修好了").map(drop)
        }),
        case("close entry -1", NotFound, None, move |s, _| {
            s.close_entry(-1, &at(s)).map(drop)
        }),
        case("a batch action on entry 0", NotFound, None, |s, _| {
            s.work_entries_json(
                r#"[{"entry_id": 0, "action": "resume", "at": "2025-03-04T09:00:00"}]"#,
            )
            .map(drop)
        }),
        case("resident -1", NotFound, None, |s, _| {
            s.resident(-1, None).map(drop)
        }),
        // Extension days out of range.
        case(
            "extend by 0 days",
            InvalidInput,
            Some("days"),
            move |s, id| s.extend(id, &at(s), 0, "等材料").map(drop),
        ),
        case(
            "extend by 400 days",
            InvalidInput,
            Some("days"),
            move |s, id| s.extend(id, &at(s), 400, "等材料").map(drop),
        ),
        case("check_days 0", InvalidInput, Some("days"), |_, _| {
            EntryAction::check_days(0).map(drop)
        }),
        case("check_days -1", InvalidInput, Some("days"), |_, _| {
            EntryAction::check_days(-1).map(drop)
        }),
        case(
            "a batch extension of 400 days",
            InvalidInput,
            Some("days"),
            |s, id| {
                s.work_entries_json(&format!(
                    r#"[{{"entry_id": {id}, "action": "extend", "at": "2025-03-04T09:00:00",
                     "note": "等材料", "days": 400}}]"#
                ))
                .map(drop)
            },
        ),
        // A negative sample size.
        case("min_sample -1", InvalidInput, Some("min_sample"), |s, _| {
            let period = Period::parse("2025-03").unwrap();
            s.circular(COUNTY, period, "closure_rate", Some(-1))
                .map(drop)
        }),
        // Malformed moments.
        case("a malformed at", InvalidInput, Some("at"), |s, _| {
            s.parse_moment("2025-13-45T99:00").map(drop)
        }),
        case(
            "a malformed at in a query",
            InvalidInput,
            Some("at"),
            |s, _| {
                EntryQuery::from_json(r#"{"unit": "512021", "at": "yesterday"}"#, s.offset())
                    .map(drop)
            },
        ),
        case(
            "a malformed at in a request",
            InvalidInput,
            Some("at"),
            |s, _| {
                ClassifyRequest::from_json(r#"{"summary": "路灯", "at": "3pm"}"#, s.offset())
                    .map(drop)
            },
        ),
        case(
            "a malformed at in a batch",
            InvalidInput,
            Some("at"),
            |s, id| {
                s.work_entries_json(&format!(
                    r#"[{{"entry_id": {id}, "action": "resume", "at": "2025-03-04 9h"}}]"#
                ))
                .map(drop)
            },
        ),
        // Unknown keys.
        case(
            "an unknown key in a unit",
            InvalidInput,
            Some("unit"),
            |_, _| {
                NewUnit::from_json(r#"{"code": "1", "name": "x", "level": "grid", "colour": 1}"#)
                    .map(drop)
            },
        ),
        case(
            "an unknown key in a resident",
            InvalidInput,
            Some("resident"),
            |_, _| NewResident::from_json(r#"{"name": "付良容", "age": 40}"#).map(drop),
        ),
        case(
            "an unknown key in a filter",
            InvalidInput,
            Some("filter"),
            |_, _| HouseholdFilter::from_json(r#"{"klass": "special"}"#).map(drop),
        ),
        case(
            "an unknown key in a query",
            InvalidInput,
            Some("query"),
            |s, _| {
                EntryQuery::from_json(r#"{"unit": "512021", "colour": "red"}"#, s.offset())
                    .map(drop)
            },
        ),
        case(
            "an unknown key in a request",
            InvalidInput,
            Some("request"),
            |s, _| {
                ClassifyRequest::from_json(r#"{"summary": "x", "urgency": 1}"#, s.offset())
                    .map(drop)
            },
        ),
        case(
            "an unknown key in import options",
            InvalidInput,
            Some("options"),
            |_, _| ImportOptions::from_json(r#"{"mode": "skip_invalid", "fast": true}"#).map(drop),
        ),
        case(
            "an unknown key in an import row",
            InvalidInput,
            Some("rows"),
            |_, _| ImportRow::list_from_json(r#"[{"name": "付良容", "age": "40"}]"#).map(drop),
        ),
        case(
            "an unknown key in store options",
            InvalidInput,
            Some("options"),
            |_, _| {
                StoreOptions::from_json(r#"{"actor": "a", "timezone": "Asia/Shanghai"}"#).map(drop)
            },
        ),
        case(
            "an unknown key in an entry",
            InvalidInput,
            Some("entry"),
            |s, _| {
                s.register_entries_json(
                    r#"[{"unit": "512021100001001", "summary": "x",
                     "reported_at": "2025-03-03T09:00:00", "colour": 1}]"#,
                )
                .map(drop)
            },
        ),
        case(
            "an unknown key in an action",
            InvalidInput,
            Some("action"),
            |s, id| {
                s.work_entries_json(&format!(
                    r#"[{{"entry_id": {id}, "action": "resume", "at": "2025-03-04T09:00:00",
                     "why": "x"}}]"#
                ))
                .map(drop)
            },
        ),
        case(
            "an unknown key in a visit",
            InvalidInput,
            Some("visit"),
            |_, _| {
                NewVisit::list_from_json(
                    r#"[{"household_id": "H1", "staff_id": "W1", "channel": "home",
                     "on": "2025-03-03", "mood": "good"}]"#,
                )
                .map(drop)
            },
        ),
        // An array where an object is meant, and the reverse.
        case("an array for a unit", InvalidInput, Some("unit"), |_, _| {
            NewUnit::from_json("[]").map(drop)
        }),
        case(
            "an array for a resident",
            InvalidInput,
            Some("resident"),
            |_, _| NewResident::from_json(r#"["付良容"]"#).map(drop),
        ),
        case(
            "an array for a filter",
            InvalidInput,
            Some("filter"),
            |_, _| HouseholdFilter::from_json("[]").map(drop),
        ),
        case(
            "an array for a query",
            InvalidInput,
            Some("query"),
            |s, _| EntryQuery::from_json(r#"["512021"]"#, s.offset()).map(drop),
        ),
        case(
            "an array for a request",
            InvalidInput,
            Some("request"),
            |s, _| ClassifyRequest::from_json("[]", s.offset()).map(drop),
        ),
        case(
            "an array for import options",
            InvalidInput,
            Some("options"),
            |_, _| ImportOptions::from_json("[]").map(drop),
        ),
        case(
            "an array for store options",
            InvalidInput,
            Some("options"),
            |_, _| StoreOptions::from_json("[]").map(drop),
        ),
        case(
            "an array for an import row",
            InvalidInput,
            Some("rows"),
            |_, _| ImportRow::list_from_json("[[]]").map(drop),
        ),
        case(
            "an array for an action",
            InvalidInput,
            Some("action"),
            |s, _| s.work_entries_json("[[]]").map(drop),
        ),
        case(
            "an object for a list of units",
            InvalidInput,
            Some("units"),
            |_, _| NewUnit::list_from_json(r#"{"code": "1"}"#).map(drop),
        ),
        case(
            "an object for a batch of entries",
            InvalidInput,
            Some("entries"),
            |s, _| s.register_entries_json("{}").map(drop),
        ),
        case(
            "an object for a batch of actions",
            InvalidInput,
            Some("actions"),
            |s, _| s.work_entries_json("{}").map(drop),
        ),
        case(
            "an object for import rows",
            InvalidInput,
            Some("rows"),
            |_, _| ImportRow::list_from_json("{}").map(drop),
        ),
        case(
            "archive content that is not JSON",
            InvalidInput,
            Some("content"),
            |s, _| {
                s.set_archive_section_json("H1", "basic", "{510123194805121220")
                    .map(drop)
            },
        ),
        case(
            "archive content that is an array",
            InvalidInput,
            Some("content"),
            |s, _| s.set_archive_section_json("H1", "basic", "[]").map(drop),
        ),
        // A control character where a name goes (one a C reader would stop at, or not see).
        case(
            "a staff name with a control character",
            InvalidInput,
            Some("name"),
            |s, _| s.add_staff("W9", "王\u{7}网格员", None).map(drop),
        ),
        // Ten megabytes where a name, a summary or a note goes.
        case("a huge unit name", InvalidInput, Some("name"), |s, _| {
            s.add_unit(
                "512021100001009",
                &huge(),
                "grid",
                Some("512021100001"),
                None,
            )
            .map(drop)
        }),
        case("a huge staff name", InvalidInput, Some("name"), |s, _| {
            s.add_staff("W9", &huge(), None).map(drop)
        }),
        case(
            "a huge summary",
            InvalidInput,
            Some("summary"),
            move |s, _| {
                s.register(&NewEntry::new(GRID, Some("市政设施"), &huge(), at(s)))
                    .map(drop)
            },
        ),
        case(
            "a huge reason",
            InvalidInput,
            Some("reason"),
            move |s, id| s.mark_hard(id, &at(s), &huge()).map(drop),
        ),
        case(
            "a huge note on a feedback",
            InvalidInput,
            Some("note"),
            move |s, id| s.verify(id, &at(s), true, &huge()).map(drop),
        ),
        case("a huge visit note", InvalidInput, Some("note"), |s, _| {
            let on = common::d("2025-03-03");
            s.record_visit("H1", "W1", "home", on, &huge()).map(drop)
        }),
        case(
            "a huge archive section",
            InvalidInput,
            Some("content"),
            |s, _| {
                let content = format!(r#"{{"note": "{}"}}"#, huge());
                s.set_archive_section_json("H1", "basic", &content)
                    .map(drop)
            },
        ),
        case("a huge hukou", InvalidInput, Some("hukou"), |s, _| {
            let resident =
                NewResident::from_json(&format!(r#"{{"name": "付良容", "hukou": "{}"}}"#, huge()))?;
            s.add_resident("H1", &resident, None).map(drop)
        }),
        case(
            "a huge household id",
            InvalidInput,
            Some("household_id"),
            |s, _| {
                s.add_household(&huge(), GRID, "x", "registered", &[], None)
                    .map(drop)
            },
        ),
        case("a huge unknown key", InvalidInput, Some("unit"), |_, _| {
            NewUnit::from_json(&format!(r#"{{"{}": 1}}"#, huge())).map(drop)
        }),
        case("a huge unit code", InvalidInput, Some("code"), |s, _| {
            s.unit(&huge(), None).map(drop)
        }),
        case(
            "a huge sealed submission",
            InvalidInput,
            Some("sealed"),
            |s, _| s.receive_submission(&huge()).map(drop),
        ),
    ]
}

#[test]
fn every_bad_input_gives_its_kind_names_its_field_and_changes_nothing() {
    let (store, id) = with_entry();
    let before = footprint(&store);
    for case in cases() {
        let err = (case.run)(&store, id).expect_err(case.name);
        assert_eq!(err.kind(), case.kind, "{}: {err}", case.name);
        if let Some(field) = case.field {
            match &err {
                Error::InvalidInput { field: f, .. } => {
                    assert_eq!(*f, field, "{}: {err}", case.name);
                }
                other => panic!(
                    "{}: expected InvalidInput naming {field}, got {other}",
                    case.name
                ),
            }
        }
        let message = err.to_string();
        assert!(
            message.chars().count() <= 1000,
            "{}: a message of {} characters",
            case.name,
            message.chars().count()
        );
        // Every huge input is made of 长: however many pieces of it a message shows, they
        // add up to at most 200 characters.
        assert!(
            message.chars().filter(|&c| c == '长').count() <= 200,
            "{}: the message echoes more than 200 characters of the input: {message}",
            case.name
        );
        assert_eq!(
            footprint(&store),
            before,
            "{}: the store changed",
            case.name
        );
    }
}

#[test]
fn a_long_value_is_shown_cut_with_its_length() {
    let store = county();
    let err = store
        .add_unit(
            "512021100001009",
            &"名".repeat(500),
            "grid",
            Some("512021100001"),
            None,
        )
        .unwrap_err();
    let message = err.to_string();
    assert!(message.contains(&"名".repeat(200)), "{message}");
    assert!(!message.contains(&"名".repeat(201)), "{message}");
    assert!(message.contains("500 characters"), "{message}");
}

#[test]
fn the_defaults_come_from_the_core() {
    assert_eq!(wangge::HouseholdKind::DEFAULT.as_str(), "registered");
    assert_eq!(
        wangge::HouseholdKind::default(),
        wangge::HouseholdKind::Registered
    );
    assert_eq!(NewResident::DEFAULT_RELATION, "head");
    assert_eq!(wangge::Source::DEFAULT.as_str(), "visit");
    assert_eq!(wangge::Source::default(), wangge::Source::Visit);
    assert_eq!(wangge::report::DEFAULT_MIN_SAMPLE, 5);
    assert_eq!(EntryAction::EXTENSION_DAYS, 1..=365);
}

/// A batch of units reads as its items do one by one, a key given twice included (the
/// last holds), and a refused item is named by its place, whatever the other items are.
#[test]
fn a_batch_of_units_reads_as_its_items_and_names_the_refused_one() {
    let items = [
        r#"{"code": "512021100001009", "name": "北坝九网格", "level": "grid",
            "parent": "512021100001", "start": "2024-01-01"}"#,
        r#"{"code": "512021", "name": "安岳县", "level": "county", "parent": null}"#,
        r#"{"code": "1", "name": "岳阳镇", "level": "township", "parent": "512021",
            "code": "512021100"}"#,
    ];
    let batch = NewUnit::list_from_json(&format!("[{}]", items.join(","))).unwrap();
    let one_by_one: Vec<NewUnit> = items
        .iter()
        .map(|j| NewUnit::from_json(j).unwrap())
        .collect();
    assert_eq!(batch, one_by_one);
    assert_eq!(batch[2].code, "512021100");
    for (bad, field) in [
        (r#"["512021", "安岳县", "county"]"#, "unit"),
        (
            r#"{"code": "512021", "name": "安岳县", "level": "county", "x": 1}"#,
            "unit",
        ),
        (
            r#"{"code": "512021", "name": "安岳县", "level": 3}"#,
            "unit",
        ),
        (
            r#"{"code": "512021", "name": "安岳县", "level": "county", "start": "2024-13-01"}"#,
            "start",
        ),
    ] {
        let err =
            NewUnit::list_from_json(&format!("[{}, {bad}, {}]", items[1], items[0])).unwrap_err();
        match &err {
            Error::InvalidInput { field: f, .. } => assert_eq!(*f, field, "{bad}: {err}"),
            other => panic!("{bad}: expected InvalidInput naming {field}, got {other}"),
        }
        assert!(err.to_string().contains("unit 1 of the batch"), "{err}");
        let alone = NewUnit::from_json(bad).unwrap_err().to_string();
        assert!(err.to_string().contains(&alone), "{err} / {alone}");
    }
}

#[test]
fn the_parsers_read_what_the_bindings_send() {
    let store = county();
    let units = NewUnit::list_from_json(
        r#"[{"code": "512021100001009", "name": "北坝九网格", "level": "grid",
             "parent": "512021100001", "start": "2024-01-01"}]"#,
    )
    .unwrap();
    assert_eq!(units[0].start, Some(common::d("2024-01-01")));
    assert_eq!(store.add_units(&units).unwrap(), 1);
    let resident =
        NewResident::from_json(r#"{"name": "付良容", "phone": "13800001111", "tags": ["低保"]}"#)
            .unwrap();
    assert_eq!(resident.relation, None);
    assert_eq!(resident.tags, vec!["低保".to_owned()]);
    let filter =
        HouseholdFilter::from_json(r#"{"as_of": "2025-01-01", "kind": "rental"}"#).unwrap();
    assert_eq!(filter.kind, Some(wangge::HouseholdKind::Rental));
    let query = EntryQuery::from_json(
        r#"{"unit": "512021", "standing": "hard", "period": "2025-W10", "overdue": true}"#,
        store.offset(),
    )
    .unwrap();
    assert_eq!(query.standing, Some(wangge::Standing::Hard));
    assert_eq!(query.overdue, Some(true));
    let request = ClassifyRequest::from_json(
        r#"{"summary": "路灯不亮", "unit": "512021100001001", "at": "2025-03-03T09:00:00"}"#,
        store.offset(),
    )
    .unwrap();
    let classification = store.classify_request(&request).unwrap();
    assert!(!classification.category.is_empty());
    let options =
        ImportOptions::from_json(r#"{"mode": "skip_invalid", "on": "2025-01-01"}"#).unwrap();
    assert_eq!(options.mode, wangge::ImportMode::SkipInvalid);
    let rows = ImportRow::list_from_json(
        r#"[{"household_id": "H1", "name": "付良容", "tags": ["低保", "独居"]},
            {"household_id": "H1", "name": "付小明", "tags": "低保;独居", "phone": null}]"#,
    )
    .unwrap();
    assert_eq!(rows[0].line, 1);
    assert_eq!(rows[1].line, 2);
    assert_eq!(rows[0].tags, rows[1].tags);
    let options =
        StoreOptions::from_json(r#"{"levels": [["county", 6], ["grid", null]], "actor": "李"}"#)
            .unwrap();
    assert_eq!(options.levels.unwrap().as_slice().len(), 2);
    assert_eq!(options.actor.as_deref(), Some("李"));
    let err = StoreOptions::from_json(r#"{"levels": [["county", -1]]}"#).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "levels",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn personal_data_in_a_refused_resident_is_not_shown() {
    let err =
        NewResident::from_json(r#"{"name": "付良容", "id_number": 510123, "x": 1}"#).unwrap_err();
    assert!(!err.to_string().contains("510123"), "{err}");
    let err = ImportRow::list_from_json(r#"[{"phone": "13800001111", "x": 1}]"#).unwrap_err();
    assert!(!err.to_string().contains("13800001111"), "{err}");
}
