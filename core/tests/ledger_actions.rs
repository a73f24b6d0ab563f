//! Working many entries in one write: the same events as the single actions, all or
//! nothing, and the same from JSON.

mod common;

use common::county;
use wangge::{Action, EntryAction, ErrorKind, NewEntry, Period, Store};

const GRID: &str = "512021100001001";

fn with_entries(n: usize) -> (Store, Vec<i64>) {
    let store = county();
    store.add_staff("W1", "王网格员", None).unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let at =
            store.parse_moment("2025-03-03T09:00:00").unwrap() + chrono::Duration::hours(i as i64);
        let entry = NewEntry::new(GRID, Some("市政设施"), &format!("路灯不亮{i}"), at);
        ids.push(store.register(&entry).unwrap().id);
    }
    (store, ids)
}

/// A varied working of entry `id`, as batch actions.
fn plan(store: &Store, id: i64, i: usize) -> Vec<EntryAction> {
    let at =
        |h: i64| store.parse_moment("2025-03-04T09:00:00").unwrap() + chrono::Duration::hours(h);
    let mut sign = EntryAction::new(id, Action::SignFor, at(0));
    sign.staff_id = Some("W1".into());
    let mut out = vec![sign];
    match i % 4 {
        0 => {
            let mut w = EntryAction::new(id, Action::Start, at(1));
            w.staff_id = Some("W1".into());
            out.push(w);
            let mut r = EntryAction::new(id, Action::Resolve, at(5));
            r.note = "已修复".into();
            let mut v = EntryAction::new(id, Action::Verify, at(8));
            v.satisfied = Some(true);
            out.extend([r, v, EntryAction::new(id, Action::Close, at(9))]);
        }
        1 => {
            let mut e = EntryAction::new(id, Action::Extend, at(3));
            e.note = "情况复杂".into();
            e.days = Some(5);
            let mut h = EntryAction::new(id, Action::MarkHard, at(4));
            h.note = "历史遗留".into();
            out.extend([e, h]);
        }
        2 => {
            let mut e = EntryAction::new(id, Action::Escalate, at(2));
            e.note = "超出能力".into();
            out.push(e);
        }
        _ => {
            let mut s = EntryAction::new(id, Action::Suspend, at(1));
            s.note = "等待材料".into();
            out.extend([s, EntryAction::new(id, Action::Resume, at(30))]);
        }
    }
    out
}

fn single(store: &Store, a: &EntryAction) {
    let (id, at, note) = (a.entry_id, &a.at, a.note.as_str());
    match a.action {
        Action::SignFor => store.sign_for(id, a.staff_id.as_deref().unwrap(), at),
        Action::Start => store.start(id, a.staff_id.as_deref().unwrap(), at),
        Action::Resolve => store.resolve(id, at, note),
        Action::Verify => store.verify(id, at, a.satisfied.unwrap(), note),
        Action::Close => store.close_entry(id, at),
        Action::Extend => store.extend(id, at, a.days.unwrap(), note),
        Action::MarkHard => store.mark_hard(id, at, note),
        Action::Escalate => store.escalate(id, at, note, a.to.as_deref()),
        Action::Suspend => store.suspend(id, at, note),
        Action::Resume => store.resume(id, at),
        other => panic!("not planned: {other:?}"),
    }
    .unwrap();
}

#[test]
fn a_batch_leaves_the_same_events_as_the_single_actions() {
    let (one, ids) = with_entries(8);
    let (many, _) = with_entries(8);
    let mut batch = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        for a in plan(&one, id, i) {
            single(&one, &a);
            batch.push(a);
        }
    }
    assert_eq!(many.work_entries(&batch).unwrap(), batch.len());
    for &id in &ids {
        assert_eq!(one.entry(id).unwrap(), many.entry(id).unwrap());
        assert_eq!(one.history(id).unwrap(), many.history(id).unwrap());
    }
    let period = Period::parse("2025-03").unwrap();
    assert_eq!(
        one.report("512021", period).unwrap(),
        many.report("512021", period).unwrap()
    );
    assert_eq!(many.report("512021", period).unwrap().totals.ledger.hard, 2);
    assert!(one.verify_audit().unwrap().ok);
    assert!(many.verify_audit().unwrap().ok);
}

#[test]
fn a_batch_with_one_refusal_writes_nothing_and_says_where() {
    let (store, ids) = with_entries(3);
    let before: Vec<_> = ids.iter().map(|&id| store.history(id).unwrap()).collect();
    let mut batch = plan(&store, ids[0], 0);
    // Closing an entry just registered is not allowed.
    batch.push(EntryAction::new(ids[1], Action::Close, batch[0].at));
    batch.extend(plan(&store, ids[2], 0));
    let e = store.work_entries(&batch).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidTransition, "{e}");
    assert!(e.to_string().contains("action 5 of the batch"), "{e}");
    let after: Vec<_> = ids.iter().map(|&id| store.history(id).unwrap()).collect();
    assert_eq!(before, after);

    let mut bad = EntryAction::new(ids[0], Action::SignFor, batch[0].at);
    bad.staff_id = Some("NOBODY".into());
    assert_eq!(
        store.work_entries(&[bad]).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    let register = EntryAction::new(ids[0], Action::Register, batch[0].at);
    assert_eq!(
        store.work_entries(&[register]).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let no_days = EntryAction::new(ids[0], Action::Extend, batch[0].at);
    assert_eq!(
        store.work_entries(&[no_days]).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn a_batch_reads_from_json() {
    let (one, ids) = with_entries(4);
    let (many, _) = with_entries(4);
    let mut batch = Vec::new();
    for (i, &id) in ids.iter().enumerate() {
        for a in plan(&one, id, i) {
            single(&one, &a);
            batch.push(a.to_json());
        }
    }
    let json = serde_json::Value::Array(batch).to_string();
    assert_eq!(many.work_entries_json(&json).unwrap(), 13);
    for &id in &ids {
        assert_eq!(one.history(id).unwrap(), many.history(id).unwrap());
    }
    for bad in [
        "{}",
        "[1]",
        r#"[{"entry_id": 1, "action": "sign_for"}]"#,
        r#"[{"entry_id": 1, "action": "fly", "at": "2025-03-05T09:00:00"}]"#,
    ] {
        assert_eq!(
            many.work_entries_json(bad).unwrap_err().kind(),
            ErrorKind::InvalidInput,
            "{bad}"
        );
    }
}

/// Entries 0..4 worked by the community's desk, 4..8 by the township's, in `store`.
fn desks(store: &Store) -> (Store, Store) {
    (
        store.scope("512021100001", "北坝社区网格员").unwrap(),
        store.scope("512021100", "岳阳镇综治中心").unwrap(),
    )
}

#[test]
fn batches_of_several_handles_apply_in_one_write_each_under_its_own_scope_and_actor() {
    let (one, ids) = with_entries(8);
    let (many, _) = with_entries(8);
    let plans: Vec<Vec<EntryAction>> = [&ids[..4], &ids[4..]]
        .iter()
        .map(|part| {
            part.iter()
                .enumerate()
                .flat_map(|(i, &id)| plan(&one, id, i))
                .collect()
        })
        .collect();
    let (community, township) = desks(&one);
    assert_eq!(community.work_entries(&plans[0]).unwrap(), plans[0].len());
    assert_eq!(township.work_entries(&plans[1]).unwrap(), plans[1].len());

    let seq = many.audit_log(0, 100_000).unwrap().len() as i64;
    let (community, township) = desks(&many);
    let together = [(&community, &plans[0][..]), (&township, &plans[1][..])];
    assert_eq!(
        Store::work_entries_together(&together).unwrap(),
        plans[0].len() + plans[1].len()
    );
    for &id in &ids {
        assert_eq!(one.entry(id).unwrap(), many.entry(id).unwrap());
        assert_eq!(one.history(id).unwrap(), many.history(id).unwrap());
    }
    // One write: its records share one time, and each names its own handle's actor.
    let records = many.audit_log(seq, 100_000).unwrap();
    assert_eq!(records.len(), plans[0].len() + plans[1].len());
    assert!(records.iter().all(|r| r.at == records[0].at));
    let actors: Vec<&str> = records.iter().map(|r| r.actor.as_str()).collect();
    let mut expected = vec!["北坝社区网格员"; plans[0].len()];
    expected.extend(vec!["岳阳镇综治中心"; plans[1].len()]);
    assert_eq!(actors, expected);
    let apart = one.audit_log(seq, 100_000).unwrap();
    assert_ne!(apart[0].at, apart[apart.len() - 1].at, "two writes apart");
    assert!(many.verify_audit().unwrap().ok);
    assert_eq!(Store::work_entries_together(&[]).unwrap(), 0);
}

#[test]
fn a_refusal_in_any_batch_of_several_handles_writes_nothing_and_names_it() {
    let (store, ids) = with_entries(2);
    let before: Vec<_> = ids.iter().map(|&id| store.history(id).unwrap()).collect();
    let (community, _) = desks(&store);
    // Another community's desk cannot see the entries of 北坝社区's grid.
    let other = store.scope("512021100002", "龙井社区网格员").unwrap();
    let (first, second) = (plan(&store, ids[0], 0), plan(&store, ids[1], 1));
    let e = Store::work_entries_together(&[(&community, &first[..]), (&other, &second[..])])
        .unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::NotFound | ErrorKind::PermissionDenied),
        "{e}"
    );
    assert!(e.to_string().contains("action 0 of batch 1"), "{e}");
    let after: Vec<_> = ids.iter().map(|&id| store.history(id).unwrap()).collect();
    assert_eq!(before, after, "the first batch was not written either");

    // Handles of two stores cannot write together.
    let (elsewhere, _) = with_entries(2);
    let e = Store::work_entries_together(&[(&community, &first[..]), (&elsewhere, &second[..])])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
    assert!(e.to_string().contains("batches"), "{e}");
    assert!(store.verify_audit().unwrap().ok);
}
