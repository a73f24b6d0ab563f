//! Paging of due lists, households, findings and entries: walking the pages gives the
//! whole list exactly once, even with writes between pages; bad limits and cursors are
//! `InvalidInput`; a scoped handle pages only its subtree.

mod common;

use common::{county, d};
use wangge::{
    DueVisit, EntryQuery, Error, ErrorKind, HouseholdClass, HouseholdFilter, NewEntry, Page,
    Paging, Result, Store,
};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";
const GRID3: &str = "512021100002001";
const COMMUNITY: &str = "512021100001";
const TOWNSHIP: &str = "512021100";
const COUNTY: &str = "512021";
const DAY: &str = "2025-05-20";

/// The county with 24 households over three grids (every third special), a few visits,
/// findings and entries, and staff S1 assigned to a community and a grid inside it.
fn store() -> Store {
    let store = county();
    store.add_staff("S1", "网格员甲", None).unwrap();
    store
        .assign("S1", COMMUNITY, "grid_worker", Some(d("2025-01-01")), None)
        .unwrap();
    store
        .assign("S1", GRID, "grid_worker", Some(d("2025-01-01")), None)
        .unwrap();
    let grids = [GRID, GRID2, GRID3];
    for i in 0..24 {
        let tags: &[&str] = if i % 3 == 0 { &["低保"] } else { &[] };
        // Ids not in insertion order, so the page order is not the rows' order.
        let id = format!("H{:02}", (i * 7) % 24);
        store
            .add_household(
                &id,
                grids[i % 3],
                "海慧路",
                "registered",
                tags,
                Some(d("2024-01-01")),
            )
            .unwrap();
    }
    for i in 0..8 {
        let id = format!("H{:02}", i * 3);
        let visit = store
            .record_visit(&id, "S1", "home", d("2025-04-10"), "")
            .unwrap();
        store
            .record_finding(visit.id, &format!("发现{i}"), None, i % 2 == 0)
            .unwrap();
    }
    for i in 0..9 {
        let at = store
            .parse_moment(&format!("2025-03-{:02}T09:00", 3 + i))
            .unwrap();
        let unit = grids[i % 3];
        store
            .register(&NewEntry::new(unit, None, "路灯坏了", at))
            .unwrap();
    }
    store
}

/// Every page of a list, asked `size` at a time until one has no `next`; checks each
/// page but the last is full and none is larger.
fn walk<T>(size: usize, mut page: impl FnMut(&Paging) -> Result<Page<T>>) -> Vec<T> {
    walk_with(size, &mut page, |_| {})
}

/// As [`walk`], calling `between` with the number of pages read after each page.
fn walk_with<T>(
    size: usize,
    mut page: impl FnMut(&Paging) -> Result<Page<T>>,
    mut between: impl FnMut(usize),
) -> Vec<T> {
    let mut out = Vec::new();
    let mut paging = Paging::first(size);
    for n in 1.. {
        let p = page(&paging).unwrap();
        assert!(p.items.len() <= size);
        out.extend(p.items);
        match p.next {
            Some(next) => {
                assert_eq!(out.len(), n * size, "a page before the last is full");
                paging = Paging::after(size, &next);
                between(n);
            }
            None => break,
        }
    }
    out
}

fn in_page_order(mut items: Vec<DueVisit>) -> Vec<DueVisit> {
    items.sort_by(|a, b| (&a.household_id, &a.rule).cmp(&(&b.household_id, &b.rule)));
    items
}

fn refused_field(err: &Error) -> &'static str {
    match err {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn walking_due_list_pages_of_1_2_and_7_gives_the_whole_list_in_household_and_rule_order() {
    let store = store();
    for unit in [COUNTY, TOWNSHIP, GRID] {
        let whole = store.due_visits(unit, Some(d(DAY))).unwrap();
        assert!(whole.len() > 7, "{unit}: a list long enough to page");
        for size in [1, 2, 7] {
            let paged = walk(size, |p| store.due_visits_page(unit, Some(d(DAY)), p));
            assert_eq!(paged, in_page_order(whole.clone()), "{unit} by {size}");
        }
    }
    // The default paging is the whole list, as one page.
    let all = store
        .due_visits_page(COUNTY, Some(d(DAY)), &Paging::default())
        .unwrap();
    assert_eq!(all.next, None);
    assert_eq!(
        all.items,
        in_page_order(store.due_visits(COUNTY, Some(d(DAY))).unwrap())
    );
}

#[test]
fn walking_a_staff_due_list_gives_it_whole_without_repeats_where_units_nest() {
    let store = store();
    let whole = store.due_visits_for_staff("S1", Some(d(DAY))).unwrap();
    assert!(whole.len() > 7);
    for size in [1, 2, 7] {
        let paged = walk(size, |p| {
            store.due_visits_for_staff_page("S1", Some(d(DAY)), p)
        });
        assert_eq!(paged, in_page_order(whole.clone()), "by {size}");
    }
}

#[test]
fn walking_households_findings_and_entries_gives_each_whole_list() {
    let store = store();
    let mut filter = HouseholdFilter {
        as_of: Some(d(DAY)),
        ..HouseholdFilter::default()
    };
    let special = HouseholdFilter {
        household_class: Some(HouseholdClass::Special),
        ..filter.clone()
    };
    for size in [1, 2, 7] {
        for f in [&filter, &special] {
            let whole = store.households(COUNTY, f).unwrap();
            let paged = walk(size, |p| store.households_page(COUNTY, f, p));
            assert_eq!(paged, whole);
        }
        for open_only in [false, true] {
            let mut whole = store.findings(COUNTY, open_only).unwrap();
            whole.sort_by_key(|f| f.id);
            let paged = walk(size, |p| store.findings_page(COUNTY, open_only, p));
            assert_eq!(paged, whole);
        }
        let mut query = EntryQuery::new(COUNTY);
        query.at = Some(store.parse_moment("2025-05-20T12:00").unwrap());
        let whole = store.entries(&query).unwrap();
        assert_eq!(whole.len(), 9);
        let paged = walk(size, |p| store.entries_page(&query, p));
        assert_eq!(paged, whole);
    }
    filter.tag = Some("低保".into());
    let tagged = walk(3, |p| store.households_page(GRID, &filter, p));
    assert_eq!(tagged, store.households(GRID, &filter).unwrap());
    assert!(!tagged.is_empty());
}

#[test]
fn a_page_of_exactly_the_rest_has_no_next() {
    let store = store();
    let filter = HouseholdFilter {
        as_of: Some(d(DAY)),
        ..HouseholdFilter::default()
    };
    let whole = store.households(COUNTY, &filter).unwrap();
    let page = store
        .households_page(COUNTY, &filter, &Paging::first(whole.len()))
        .unwrap();
    assert_eq!((page.items.len(), page.next), (whole.len(), None));
    let page = store
        .households_page(COUNTY, &filter, &Paging::first(whole.len() - 1))
        .unwrap();
    assert!(page.next.is_some());
}

#[test]
fn households_added_between_pages_cause_no_repeat_and_no_skip() {
    let store = store();
    let filter = HouseholdFilter {
        as_of: Some(d(DAY)),
        ..HouseholdFilter::default()
    };
    let before = store.households(COUNTY, &filter).unwrap();
    let due_before = in_page_order(store.due_visits(COUNTY, Some(d(DAY))).unwrap());
    let mut added = 0;
    let mut add = |n: usize| {
        // One id before every cursor, one after, one in between.
        for id in [format!("A{n:02}"), format!("Z{n:02}"), format!("H{n:02}x")] {
            store
                .add_household(&id, GRID2, "新路", "registered", &[], Some(d("2024-01-01")))
                .unwrap();
            added += 1;
        }
    };
    let paged = walk_with(4, |p| store.households_page(COUNTY, &filter, p), &mut add);
    assert!(added > 0);
    let ids: Vec<&str> = paged.iter().map(|h| h.household_id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "no household twice");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order");
    for h in &before {
        assert!(
            ids.contains(&h.household_id.as_str()),
            "{} skipped",
            h.household_id
        );
    }

    let store2 = self::store();
    let mut n = 0;
    let paged = walk_with(
        5,
        |p| store2.due_visits_page(COUNTY, Some(d(DAY)), p),
        |_| {
            n += 1;
            for id in [format!("A{n:02}"), format!("Z{n:02}"), format!("H{n:02}x")] {
                store2
                    .add_household(
                        &id,
                        GRID3,
                        "新路",
                        "registered",
                        &["低保"],
                        Some(d("2024-01-01")),
                    )
                    .unwrap();
            }
        },
    );
    let keys: Vec<(&str, &str)> = paged
        .iter()
        .map(|i| (i.household_id.as_str(), i.rule.as_str()))
        .collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "in order, no repeats");
    for item in &due_before {
        assert!(paged.contains(item), "{item:?} skipped");
    }
    assert!(paged.len() > due_before.len(), "some added households seen");
}

#[test]
fn findings_and_entries_added_between_pages_cause_no_repeat_and_no_skip() {
    let store = store();
    let before = store.findings(COUNTY, false).unwrap();
    let visit = store
        .record_visit("H01", "S1", "home", d("2025-04-11"), "")
        .unwrap();
    let paged = walk_with(
        3,
        |p| store.findings_page(COUNTY, false, p),
        |n| {
            store
                .record_finding(visit.id, &format!("新发现{n}"), None, false)
                .unwrap();
        },
    );
    let ids: Vec<i64> = paged.iter().map(|f| f.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert!(before.iter().all(|f| ids.contains(&f.id)));
    assert!(ids.len() > before.len());

    let query = EntryQuery::new(COUNTY);
    let before = store.entries(&query).unwrap();
    let paged = walk_with(
        2,
        |p| store.entries_page(&query, p),
        |n| {
            let at = store
                .parse_moment(&format!("2025-04-{:02}T09:00", n + 1))
                .unwrap();
            store
                .register(&NewEntry::new(GRID, None, "垃圾堆积", at))
                .unwrap();
        },
    );
    let ids: Vec<i64> = paged.iter().map(|e| e.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    assert!(before.iter().all(|e| ids.contains(&e.id)));
}

#[test]
fn a_limit_of_0_or_above_100000_is_invalid_input_naming_limit() {
    let store = store();
    for limit in [0, wangge::PAGE_LIMIT_MAX + 1] {
        let paging = Paging {
            limit: Some(limit),
            after: None,
        };
        let errors = [
            store
                .due_visits_page(COUNTY, None, &paging)
                .map(|_| ())
                .unwrap_err(),
            store
                .households_page(COUNTY, &HouseholdFilter::default(), &paging)
                .map(|_| ())
                .unwrap_err(),
            store
                .findings_page(COUNTY, false, &paging)
                .map(|_| ())
                .unwrap_err(),
            store
                .entries_page(&EntryQuery::new(COUNTY), &paging)
                .map(|_| ())
                .unwrap_err(),
        ];
        for err in &errors {
            assert_eq!(refused_field(err), "limit", "{err}");
        }
    }
    for limit in [-1, 0, 100_001, i64::MIN] {
        let err = Paging::from_signed(Some(limit), None).unwrap_err();
        assert_eq!(refused_field(&err), "limit");
        assert!(err.to_string().contains(&limit.to_string()), "{err}");
    }
    assert_eq!(
        Paging::from_signed(Some(100_000), Some("x")).unwrap(),
        Paging::after(100_000, "x")
    );
}

#[test]
fn a_cursor_that_does_not_parse_or_belongs_elsewhere_is_invalid_input_naming_after() {
    let store = store();
    let day = Some(d(DAY));
    let filter = HouseholdFilter::default();
    let due = store
        .due_visits_page(COUNTY, day, &Paging::first(2))
        .unwrap()
        .next
        .unwrap();
    let households = store
        .households_page(COUNTY, &filter, &Paging::first(2))
        .unwrap()
        .next
        .unwrap();
    let findings = store
        .findings_page(COUNTY, false, &Paging::first(2))
        .unwrap()
        .next
        .unwrap();
    let mut tampered = due.clone();
    tampered.pop();
    tampered.push(if due.ends_with('0') { '1' } else { '0' });
    let bad = [
        // Does not parse.
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, "garbage"))
            .map(|_| ()),
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, "v1.zz"))
            .map(|_| ()),
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, "v1."))
            .map(|_| ()),
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, &"v1.00".repeat(2000)))
            .map(|_| ()),
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, &tampered))
            .map(|_| ()),
        // Another list.
        store
            .due_visits_page(COUNTY, day, &Paging::after(2, &households))
            .map(|_| ()),
        store
            .findings_page(COUNTY, false, &Paging::after(2, &households))
            .map(|_| ()),
        store
            .entries_page(&EntryQuery::new(COUNTY), &Paging::after(2, &findings))
            .map(|_| ()),
        // Another query of the same list.
        store
            .due_visits_page(TOWNSHIP, day, &Paging::after(2, &due))
            .map(|_| ()),
        store
            .due_visits_page(COUNTY, Some(d("2025-05-21")), &Paging::after(2, &due))
            .map(|_| ()),
        store
            .findings_page(COUNTY, true, &Paging::after(2, &findings))
            .map(|_| ()),
        store
            .households_page(
                COUNTY,
                &HouseholdFilter {
                    household_class: Some(HouseholdClass::Special),
                    ..HouseholdFilter::default()
                },
                &Paging::after(2, &households),
            )
            .map(|_| ()),
    ];
    for (i, result) in bad.iter().enumerate() {
        let err = result.as_ref().unwrap_err();
        assert_eq!(refused_field(err), "after", "case {i}: {err}");
    }
    // The same cursor with its query carries on; a missing `as_of` keeps the cursor's day.
    let fixed = store
        .due_visits_page(COUNTY, day, &Paging::after(2, &due))
        .unwrap();
    let kept = store
        .due_visits_page(COUNTY, None, &Paging::after(2, &due))
        .unwrap();
    assert_eq!(fixed, kept);
}

#[test]
fn a_scoped_handle_pages_only_its_subtree_whatever_the_cursor() {
    let store = store();
    let grid = store.scope(GRID, "网格员甲").unwrap();
    let day = Some(d(DAY));
    let filter = HouseholdFilter {
        as_of: day,
        ..HouseholdFilter::default()
    };
    assert_eq!(
        walk(2, |p| grid.households_page(GRID, &filter, p)),
        grid.households(GRID, &filter).unwrap()
    );
    assert_eq!(
        walk(2, |p| grid.due_visits_page(GRID, day, p)),
        in_page_order(grid.due_visits(GRID, day).unwrap())
    );
    // The staff list seen from the grid: only the grid's households, though S1's
    // community covers more.
    let staff = walk(2, |p| grid.due_visits_for_staff_page("S1", day, p));
    assert_eq!(
        staff,
        in_page_order(grid.due_visits_for_staff("S1", day).unwrap())
    );
    assert!(staff.iter().all(|i| i.unit == GRID));
    assert!(
        store
            .due_visits_for_staff("S1", day)
            .unwrap()
            .iter()
            .any(|i| i.unit != GRID)
    );
    // A unit outside is refused as the whole list refuses it, with or without a cursor
    // made by an unrestricted handle.
    let cursor = store
        .households_page(COUNTY, &filter, &Paging::first(2))
        .unwrap()
        .next
        .unwrap();
    let whole = grid.households(COUNTY, &filter).unwrap_err().kind();
    assert_ne!(whole, ErrorKind::InvalidInput);
    for paging in [Paging::first(2), Paging::after(2, &cursor)] {
        assert_eq!(
            grid.households_page(COUNTY, &filter, &paging)
                .unwrap_err()
                .kind(),
            whole
        );
    }
    assert_eq!(
        grid.due_visits_page(GRID2, day, &Paging::first(2))
            .unwrap_err()
            .kind(),
        grid.due_visits(GRID2, day).unwrap_err().kind()
    );
    assert_eq!(
        grid.findings_page(COUNTY, false, &Paging::first(2))
            .unwrap_err()
            .kind(),
        grid.findings(COUNTY, false).unwrap_err().kind()
    );
    assert_eq!(
        grid.entries_page(&EntryQuery::new(COUNTY), &Paging::first(2))
            .unwrap_err()
            .kind(),
        grid.entries(&EntryQuery::new(COUNTY)).unwrap_err().kind()
    );
    let findings = walk(1, |p| grid.findings_page(GRID, false, p));
    assert!(!findings.is_empty() && findings.iter().all(|f| f.unit == GRID));
}
