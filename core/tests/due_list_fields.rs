//! What a due item says of where the household is and who looks after it: the grid's
//! code and name, the address, and the grid's workers on the list's day.

mod common;
use common::{county, d};
use wangge::{DueVisit, Paging, Responsible, Store};

const GRID: &str = "512021100001001";
const GRID2: &str = "512021100001002";
const BUILDING: &str = "512021100001001001";

fn worker(staff_id: &str, name: &str) -> Responsible {
    Responsible {
        staff_id: staff_id.into(),
        name: name.into(),
    }
}

/// A county whose first grid has two workers (and a chief, who is not listed), a
/// building with a household, and a worker of the second grid whose assignment ended
/// before the list's day.
fn store() -> Store {
    let store = county();
    store
        .add_unit(BUILDING, "北坝一网格1栋", "building", Some(GRID), None)
        .unwrap();
    for (id, name) in [
        ("S1", "网格员甲"),
        ("S2", "网格员乙"),
        ("S3", "网格长丙"),
        ("S4", "网格员丁"),
    ] {
        store.add_staff(id, name, Some("13812345678")).unwrap();
    }
    store.assign("S2", GRID, "grid_worker", None, None).unwrap();
    store.assign("S1", GRID, "grid_worker", None, None).unwrap();
    store.assign("S3", GRID, "grid_chief", None, None).unwrap();
    let ended = store
        .assign("S4", GRID2, "grid_worker", Some(d("2024-01-01")), None)
        .unwrap();
    store.end_assignment(ended.id, d("2024-03-31")).unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .add_household("H2", GRID2, "海慧路2号", "registered", &[], None)
        .unwrap();
    store
        .add_household("H3", BUILDING, "海慧路3号1单元", "registered", &[], None)
        .unwrap();
    store
        .add_household(
            "H4",
            "512021100002",
            "龙井社区直管户",
            "registered",
            &[],
            None,
        )
        .unwrap();
    store
}

fn of<'a>(items: &'a [DueVisit], household: &str) -> &'a DueVisit {
    items
        .iter()
        .find(|i| i.household_id == household)
        .unwrap_or_else(|| panic!("{household} is not due"))
}

#[test]
fn a_due_item_names_its_grid_address_and_the_grids_workers() {
    let store = store();
    let items = store.due_visits("512021", Some(d("2024-05-01"))).unwrap();
    let h1 = of(&items, "H1");
    assert_eq!(h1.grid.as_deref(), Some(GRID));
    assert_eq!(h1.grid_name.as_deref(), Some("北坝一网格"));
    assert_eq!(h1.address, "海慧路1号");
    assert_eq!(
        *h1.responsible,
        [worker("S1", "网格员甲"), worker("S2", "网格员乙")],
        "both workers by staff id, the chief left out, names unmasked"
    );
    // Every item of a household says the same.
    for item in items.iter().filter(|i| i.household_id == "H1") {
        assert_eq!(item.address, h1.address);
        assert_eq!(item.responsible, h1.responsible);
    }
}

#[test]
fn a_household_in_a_building_is_listed_under_the_buildings_grid() {
    let store = store();
    let items = store.due_visits("512021", Some(d("2024-05-01"))).unwrap();
    let h3 = of(&items, "H3");
    assert_eq!(h3.unit, BUILDING);
    assert_eq!(h3.grid.as_deref(), Some(GRID));
    assert_eq!(h3.grid_name.as_deref(), Some("北坝一网格"));
    assert_eq!(h3.address, "海慧路3号1单元");
    assert_eq!(h3.responsible.len(), 2);
}

#[test]
fn a_grid_without_workers_that_day_lists_none() {
    let store = store();
    let before_end = store.due_visits(GRID2, Some(d("2024-03-15"))).unwrap();
    assert_eq!(
        *of(&before_end, "H2").responsible,
        [worker("S4", "网格员丁")]
    );
    let items = store.due_visits(GRID2, Some(d("2024-05-01"))).unwrap();
    let h2 = of(&items, "H2");
    assert_eq!(h2.grid.as_deref(), Some(GRID2));
    assert_eq!(h2.grid_name.as_deref(), Some("北坝二网格"));
    assert!(
        h2.responsible.is_empty(),
        "S4's assignment ended on 2024-03-31"
    );
}

#[test]
fn a_household_above_the_grids_has_no_grid() {
    let store = store();
    let items = store
        .due_visits("512021100", Some(d("2024-05-01")))
        .unwrap();
    let h4 = of(&items, "H4");
    assert_eq!(h4.grid, None);
    assert_eq!(h4.grid_name, None);
    assert_eq!(h4.address, "龙井社区直管户");
    assert!(h4.responsible.is_empty());
}

#[test]
fn the_json_of_a_due_item_has_the_new_keys() {
    let store = store();
    let items = store.due_visits(GRID, Some(d("2024-05-01"))).unwrap();
    let json = serde_json::to_value(of(&items, "H1")).unwrap();
    assert_eq!(json["grid"], GRID);
    assert_eq!(json["grid_name"], "北坝一网格");
    assert_eq!(json["address"], "海慧路1号");
    assert_eq!(
        json["responsible"],
        serde_json::json!([
            {"staff_id": "S1", "name": "网格员甲"},
            {"staff_id": "S2", "name": "网格员乙"}
        ])
    );
    let h4 = store
        .due_visits("512021100", Some(d("2024-05-01")))
        .unwrap();
    let json = serde_json::to_value(of(&h4, "H4")).unwrap();
    assert!(json["grid"].is_null() && json["grid_name"].is_null());
    assert_eq!(json["responsible"], serde_json::json!([]));
}

#[test]
fn a_scoped_handle_sees_its_units_with_their_grid_and_workers() {
    let store = store();
    let scoped = store.scope(GRID, "网格员甲").unwrap();
    let items = scoped.due_visits(GRID, Some(d("2024-05-01"))).unwrap();
    let mut households: Vec<&str> = items.iter().map(|i| i.household_id.as_str()).collect();
    households.dedup();
    assert_eq!(households, ["H1", "H3"]);
    let whole = store.due_visits(GRID, Some(d("2024-05-01"))).unwrap();
    assert_eq!(items, whole);
    assert_eq!(of(&items, "H3").responsible.len(), 2);
    assert!(scoped.due_visits(GRID2, Some(d("2024-05-01"))).is_err());
}

#[test]
fn pages_and_the_staff_list_carry_the_same_fields_as_the_whole_list() {
    let store = store();
    let on = Some(d("2024-05-01"));
    let mut whole = store.due_visits("512021", on).unwrap();
    whole.sort_by(|a, b| (&a.household_id, &a.rule).cmp(&(&b.household_id, &b.rule)));
    let mut paged = Vec::new();
    let mut paging = Paging::first(3);
    loop {
        let page = store.due_visits_page("512021", on, &paging).unwrap();
        paged.extend(page.items);
        match page.next {
            Some(next) => paging = Paging::after(3, &next),
            None => break,
        }
    }
    assert_eq!(paged, whole);
    let mine = store.due_visits_for_staff("S1", on).unwrap();
    assert!(!mine.is_empty());
    for item in &mine {
        assert!(whole.contains(item), "{item:?}");
    }
}

#[test]
fn a_list_over_many_grids_names_the_same_grids_as_each_grids_own_list() {
    let store = store();
    // Enough grids that the county's list reads them all at once.
    for i in 0..80 {
        let code = format!("512021100002{:03}", i + 2);
        store
            .add_unit(
                &code,
                &format!("龙井{i}网格"),
                "grid",
                Some("512021100002"),
                None,
            )
            .unwrap();
        store
            .add_household(
                &format!("L{i:02}"),
                &code,
                &format!("龙井路{i}号"),
                "registered",
                &[],
                None,
            )
            .unwrap();
        if i % 3 == 0 {
            store
                .assign("S2", &code, "grid_worker", None, None)
                .unwrap();
        }
    }
    let on = Some(d("2024-05-01"));
    let whole = store.due_visits("512021", on).unwrap();
    let grids: std::collections::BTreeSet<&str> =
        whole.iter().filter_map(|i| i.grid.as_deref()).collect();
    assert!(grids.len() > 64, "{} grids", grids.len());
    for grid in grids {
        for item in store.due_visits(grid, on).unwrap() {
            assert!(whole.contains(&item), "{item:?}");
        }
    }
    let l03 = of(&whole, "L03");
    assert_eq!(l03.grid_name.as_deref(), Some("龙井3网格"));
    assert_eq!(*l03.responsible, [worker("S2", "网格员乙")]);
    assert!(of(&whole, "L04").responsible.is_empty());
    assert_eq!(of(&whole, "H3").grid.as_deref(), Some(GRID));
    assert_eq!(of(&whole, "H4").grid, None);
    // Pages over so many units read their grids at once too, and name the same ones.
    let mut sorted = whole.clone();
    sorted.sort_by(|a, b| (&a.household_id, &a.rule).cmp(&(&b.household_id, &b.rule)));
    for size in [sorted.len(), 100, 7] {
        let (mut paged, mut paging) = (Vec::new(), Paging::first(size));
        loop {
            let page = store.due_visits_page("512021", on, &paging).unwrap();
            paged.extend(page.items);
            match page.next {
                Some(next) => paging = Paging::after(size, &next),
                None => break,
            }
        }
        assert_eq!(paged, sorted, "pages of {size}");
    }
}

#[test]
fn an_address_changed_by_an_import_shows_in_the_next_due_list() {
    let store = store();
    let on = Some(d("2024-05-01"));
    assert_eq!(
        of(&store.due_visits(GRID, on).unwrap(), "H1").address,
        "海慧路1号"
    );
    let csv =
        format!("household_id,unit,address,kind,name\nH1,{GRID},海慧路1号之一,registered,付良容\n");
    let result = store
        .import_households_csv(csv.as_bytes(), &wangge::ImportOptions::default(), None)
        .unwrap();
    assert!(result.errors.is_empty(), "{:?}", result.errors);
    let items = store.due_visits(GRID, on).unwrap();
    assert_eq!(of(&items, "H1").address, "海慧路1号之一");
    let reopened_view = store.due_visits("512021", on).unwrap();
    assert_eq!(of(&reopened_view, "H1").address, "海慧路1号之一");
    assert_eq!(of(&reopened_view, "H2").address, "海慧路2号");
}
