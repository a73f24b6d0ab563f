//! The ledger: classification, triage and routing, the workflow, deadlines in working
//! days, tick, standing and the three piles, scopes and audit.

mod common;

use common::{county, d};
use wangge::{
    Action, EntryQuery, ErrorKind, Handler, NewEntry, Period, Standing, Status, Store, TimeLimit,
    Triage,
};

const GRID: &str = "512021100001001";
const OTHER_GRID: &str = "512021100001002";
const COMMUNITY: &str = "512021100001";
const TOWNSHIP: &str = "512021100";
const COUNTY: &str = "512021";

fn t(store: &Store, text: &str) -> wangge::Moment {
    store.parse_moment(text).unwrap()
}

fn ledger() -> Store {
    let store = county();
    store.add_staff("W1", "王网格员", None).unwrap();
    store.add_staff("C1", "陈社区干部", None).unwrap();
    store
        .add_household("H1", GRID, "海慧路1号", "registered", &[], None)
        .unwrap();
    store
        .add_household("H2", GRID, "海慧路2号", "registered", &["低保"], None)
        .unwrap();
    store
        .add_household("H3", GRID, "海慧路3号", "registered", &["上访"], None)
        .unwrap();
    store
}

fn raise(store: &Store, category: Option<&str>, summary: &str, at: &str) -> wangge::Entry {
    store
        .register(&NewEntry::new(GRID, category, summary, t(store, at)))
        .unwrap()
}

#[test]
fn keywords_suggest_a_category_and_the_most_specific_wins() {
    let store = ledger();
    let c = store
        .classify(None, "小区下水道旁垃圾堆积", None, None, false, None)
        .unwrap();
    assert_eq!(c.category, "市政设施", "下水道 (3) beats 垃圾 (2)");
    assert!(c.ties.is_empty());
    assert_eq!(c.books, vec!["民生诉求"]);
    assert_eq!(c.triage, Triage::OnSite);
    assert_eq!(c.time_limit, TimeLimit::WorkingDays(5));
    let keywords: Vec<&str> = c
        .reasons
        .iter()
        .filter(|r| r.rule == "keyword")
        .map(|r| r.matched.as_str())
        .collect();
    assert_eq!(keywords, vec!["下水道", "垃圾"]);
    // Overlapping keywords of one category: the longer is the reason.
    let c = store
        .classify(None, "办理户口迁移", None, None, false, None)
        .unwrap();
    assert_eq!(c.category, "户籍");
    assert!(c.reasons.iter().any(|r| r.matched == "户口迁移"));
}

#[test]
fn equally_specific_keywords_are_a_reported_tie() {
    let store = ledger();
    let c = store
        .classify(None, "楼上噪音，楼下垃圾", None, None, false, None)
        .unwrap();
    assert_eq!(c.ties, vec!["环境卫生", "矛盾纠纷"]);
    assert_eq!(c.category, "环境卫生", "the first listed wins");
    let tie = c.reasons.iter().find(|r| r.rule == "tie").unwrap();
    assert!(tie.effect.contains("环境卫生"), "{tie:?}");
}

#[test]
fn a_given_category_wins_over_keywords_and_unknown_ones_are_refused() {
    let store = ledger();
    let c = store
        .classify(
            Some("矛盾纠纷"),
            "下水道漏水引发争吵",
            None,
            None,
            false,
            None,
        )
        .unwrap();
    assert_eq!(c.category, "矛盾纠纷");
    assert_eq!(c.suggested_category.as_deref(), Some("市政设施"));
    assert!(c.reasons.iter().any(|r| r.rule == "given_category"));
    let err = store
        .classify(Some("外星人"), "不明飞行物", None, None, false, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("外星人"), "{err}");
    let err = store
        .classify(None, "今天天气很好", None, None, false, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // Rules that keep free categories accept it, as they say.
    let mut rules = store.ledger_rules(None).unwrap().to_json();
    rules["free_categories"] =
        serde_json::json!({"books": ["民生诉求"], "triage": "coordinate", "days": 7});
    store
        .set_ledger_rules_json(&rules.to_string(), None)
        .unwrap();
    let c = store
        .classify(Some("外星人"), "不明飞行物", None, Some(GRID), false, None)
        .unwrap();
    assert_eq!(c.triage, Triage::Coordinate);
    assert_eq!(c.time_limit, TimeLimit::WorkingDays(7));
    assert_eq!(c.handler, Some(Handler::Unit(COMMUNITY.into())));
    assert!(c.reasons.iter().any(|r| r.rule == "free_category"));
}

#[test]
fn household_tags_add_books() {
    let store = ledger();
    let c = store
        .classify(None, "路灯不亮", Some("H2"), None, false, None)
        .unwrap();
    assert_eq!(c.books, vec!["民生诉求", "困难群众"]);
    assert!(
        c.reasons
            .iter()
            .any(|r| r.rule == "tag" && r.matched == "低保")
    );
    assert_eq!(c.handler, Some(Handler::Unit(GRID.into())));
    let c = store
        .classify(Some("低保"), "低保续办", Some("H3"), None, false, None)
        .unwrap();
    assert_eq!(c.books, vec!["困难群众", "稳定工作"]);
}

#[test]
fn urgency_keywords_escalate_at_once_with_limits_in_hours() {
    let store = ledger();
    let e = raise(
        &store,
        None,
        "三单元楼道燃气泄漏，有异味",
        "2025-03-03T09:00",
    );
    assert!(e.urgent);
    assert_eq!(e.triage, Triage::Escalate);
    assert_eq!(e.handler, Handler::Unit(TOWNSHIP.into()));
    assert_eq!(e.time_limit, TimeLimit::Hours(24));
    assert_eq!(e.deadline.to_rfc3339(), "2025-03-04T09:00:00+08:00");
    assert_eq!(
        e.sign_due.unwrap().to_rfc3339(),
        "2025-03-03T11:00:00+08:00"
    );
    let c = store
        .classify(None, "三单元楼道燃气泄漏", None, None, false, None)
        .unwrap();
    assert!(
        c.reasons
            .iter()
            .any(|r| r.rule == "urgent_keyword" && r.matched == "燃气泄漏")
    );
    // The flag alone makes it urgent too.
    let c = store
        .classify(None, "路灯不亮", None, None, true, None)
        .unwrap();
    assert!(c.urgent);
    assert!(c.reasons.iter().any(|r| r.rule == "urgent_flag"));
}

#[test]
fn triage_names_the_handler() {
    let store = ledger();
    let on_site = raise(&store, None, "路灯坏了", "2025-03-03T09:00");
    assert_eq!(on_site.handler, Handler::Unit(GRID.into()));
    assert_eq!(on_site.books, vec!["民生诉求"]);
    let coordinate = raise(&store, None, "邻里纠纷", "2025-03-03T09:00");
    assert_eq!(coordinate.triage, Triage::Coordinate);
    assert_eq!(coordinate.handler, Handler::Unit(COMMUNITY.into()));
    let escalate = raise(&store, None, "有人准备集体上访", "2025-03-03T09:00");
    assert_eq!(escalate.handler, Handler::Unit(TOWNSHIP.into()));
    assert_eq!(escalate.books, vec!["稳定工作"]);
    // Raised at the community itself, on-site work stays with the community.
    let e = store
        .register(&NewEntry::new(
            COMMUNITY,
            None,
            "路灯坏了",
            t(&store, "2025-03-03T09:00"),
        ))
        .unwrap();
    assert_eq!(e.handler, Handler::Unit(COMMUNITY.into()));
    // A category may name a department.
    let mut rules = store.ledger_rules(None).unwrap();
    rules.categories[0].department = Some("县住建局".into());
    store.set_ledger_rules(&rules, None).unwrap();
    let e = raise(&store, None, "路灯坏了", "2025-03-03T09:00");
    assert_eq!(e.handler, Handler::Department("县住建局".into()));
}

#[test]
fn rules_are_versioned_by_the_day_they_take_effect() {
    let store = ledger();
    let mut rules = store.ledger_rules(None).unwrap();
    rules.categories[0].days = 2;
    store
        .set_ledger_rules(&rules, Some(d("2025-06-01")))
        .unwrap();
    let before = raise(&store, None, "路灯坏了", "2025-05-30T09:00");
    let after = raise(&store, None, "路灯坏了", "2025-06-03T09:00");
    assert_eq!(before.time_limit, TimeLimit::WorkingDays(5));
    assert_eq!(after.time_limit, TimeLimit::WorkingDays(2));
    let c = store
        .classify(
            None,
            "路灯坏了",
            None,
            None,
            false,
            Some(&t(&store, "2025-06-03T09:00")),
        )
        .unwrap();
    assert_eq!(c.rules_from, Some(d("2025-06-01")));
    let bad = store
        .set_ledger_rules_json(
            r#"{"categories": [{"name": "x", "books": ["不存在"]}]}"#,
            None,
        )
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    let bad = store
        .set_ledger_rules_json(
            r#"{"categories": [], "handlers": {"on_site": "street"}}"#,
            None,
        )
        .unwrap_err();
    assert!(bad.to_string().contains("street"), "{bad}");
}

#[test]
fn the_whole_workflow_is_recorded_as_events() {
    let store = ledger();
    let e = raise(&store, None, "路灯坏了", "2025-03-03T09:00");
    assert_eq!(e.status, Status::Registered);
    assert_eq!(e.deadline.to_rfc3339(), "2025-03-10T23:59:59+08:00");
    assert_eq!(
        e.sign_due.unwrap().to_rfc3339(),
        "2025-03-04T23:59:59+08:00"
    );
    let id = e.id;
    store
        .sign_for(id, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap();
    store
        .start(id, "W1", &t(&store, "2025-03-03T10:30"))
        .unwrap();
    let e = store
        .resolve(id, &t(&store, "2025-03-04T16:00"), "已更换灯泡")
        .unwrap();
    assert_eq!(e.standing(), Standing::Resolved);
    let e = store
        .verify(id, &t(&store, "2025-03-05T09:00"), false, "还是不亮")
        .unwrap();
    assert_eq!(e.status, Status::InProgress);
    assert_eq!(e.rework, 1);
    assert_eq!(
        e.first_resolved_at.unwrap().to_rfc3339(),
        "2025-03-04T16:00:00+08:00"
    );
    store
        .resolve(id, &t(&store, "2025-03-05T15:00"), "更换线路")
        .unwrap();
    store
        .verify(id, &t(&store, "2025-03-06T09:00"), true, "满意")
        .unwrap();
    let e = store
        .close_entry(id, &t(&store, "2025-03-06T10:00"))
        .unwrap();
    assert_eq!(e.status, Status::Closed);
    assert_eq!(e.verified, Some(true));
    let e = store
        .reopen(id, &t(&store, "2025-03-20T10:00"), "又坏了")
        .unwrap();
    assert_eq!(e.status, Status::InProgress);
    assert_eq!(e.standing(), Standing::Pending);
    let history = store.history(id).unwrap();
    let actions: Vec<Action> = history.iter().map(|h| h.action).collect();
    assert_eq!(
        actions,
        vec![
            Action::Register,
            Action::SignFor,
            Action::Start,
            Action::Resolve,
            Action::Verify,
            Action::Resolve,
            Action::Verify,
            Action::Close,
            Action::Reopen,
        ]
    );
    assert_eq!(history[1].actor, "W1");
    assert_eq!(history[4].satisfied, Some(false));
    assert_eq!(history[3].note, "已更换灯泡");
    assert!(history.iter().all(|h| !h.auto));
    assert!(history.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn invalid_transitions_change_nothing() {
    let store = ledger();
    let id = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let at = t(&store, "2025-03-03T10:00");
    let before = store.entry(id).unwrap();
    let refused: Vec<wangge::Error> = vec![
        store.start(id, "W1", &at).unwrap_err(),
        store.resolve(id, &at, "done").unwrap_err(),
        store.close_entry(id, &at).unwrap_err(),
        store.resume(id, &at).unwrap_err(),
        store.suspend(id, &at, "等待").unwrap_err(),
        store.verify(id, &at, true, "").unwrap_err(),
        store.reopen(id, &at, "again").unwrap_err(),
        store.extend(id, &at, 2, "more time").unwrap_err(),
        store.return_entry(id, &at, "not ours").unwrap_err(),
    ];
    for err in &refused {
        assert_eq!(err.kind(), ErrorKind::InvalidTransition, "{err}");
    }
    assert!(
        refused[0].to_string().contains("registered"),
        "{}",
        refused[0]
    );
    assert_eq!(store.entry(id).unwrap(), before);
    assert_eq!(store.history(id).unwrap().len(), 1);
    store.mark_hard(id, &at, "涉及多部门").unwrap();
    let err = store.mark_hard(id, &at, "again").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    // Time does not run backwards within an entry's history.
    let err = store
        .sign_for(id, "W1", &t(&store, "2025-03-03T08:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // Unknown staff, entries and bad arguments.
    assert_eq!(
        store.sign_for(id, "nobody", &at).unwrap_err().kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.entry(999).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(
        store.mark_hard(id, &at, " ").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    store.sign_for(id, "W1", &at).unwrap();
    assert_eq!(
        store.extend(id, &at, 0, "x").unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    store.start(id, "W1", &at).unwrap();
    store.resolve(id, &at, "done").unwrap();
    store.verify(id, &at, true, "").unwrap();
    let err = store.verify(id, &at, false, "").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
}

#[test]
fn escalation_and_return_move_the_handler() {
    let store = ledger();
    let id = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let e = store
        .escalate(id, &t(&store, "2025-03-03T10:00"), "需要社区协调", None)
        .unwrap();
    assert_eq!(e.handler, Handler::Unit(COMMUNITY.into()));
    assert_eq!(e.status, Status::Registered);
    assert_eq!(
        e.sign_due.unwrap().to_rfc3339(),
        "2025-03-04T23:59:59+08:00"
    );
    let e = store
        .return_entry(id, &t(&store, "2025-03-03T11:00"), "属网格职责")
        .unwrap();
    assert_eq!(e.handler, Handler::Unit(GRID.into()));
    store
        .sign_for(id, "W1", &t(&store, "2025-03-03T12:00"))
        .unwrap();
    let e = store
        .escalate(
            id,
            &t(&store, "2025-03-03T13:00"),
            "交县住建局",
            Some("县住建局"),
        )
        .unwrap();
    assert_eq!(e.handler, Handler::Department("县住建局".into()));
    assert!(e.signed_at.is_none());
    let e = store
        .escalate(id, &t(&store, "2025-03-03T14:00"), "上报县里", Some(COUNTY))
        .unwrap();
    assert_eq!(e.handler, Handler::Unit(COUNTY.into()));
    let err = store
        .escalate(id, &t(&store, "2025-03-03T15:00"), "再上报", None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidTransition);
    let err = store
        .escalate(
            id,
            &t(&store, "2025-03-03T15:00"),
            "交邻格",
            Some(OTHER_GRID),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    // A mistyped unit code is refused, not taken for a department.
    let err = store
        .escalate(id, &t(&store, "2025-03-03T15:00"), "上报", Some("51202110"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let e = store
        .return_entry(id, &t(&store, "2025-03-03T16:00"), "退回")
        .unwrap();
    assert_eq!(e.handler, Handler::Department("县住建局".into()));
}

#[test]
fn suspension_stops_the_clock_and_extension_adds_working_days() {
    let store = ledger();
    let id = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    store
        .sign_for(id, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap();
    store
        .start(id, "W1", &t(&store, "2025-03-03T11:00"))
        .unwrap();
    let e = store
        .suspend(id, &t(&store, "2025-03-04T10:00"), "等待配件")
        .unwrap();
    assert_eq!(e.status, Status::Suspended);
    // While suspended, it is not overdue even long after its deadline.
    assert!(!e.overdue_at(&t(&store, "2025-04-01T00:00")));
    let e = store.resume(id, &t(&store, "2025-03-06T15:00")).unwrap();
    assert_eq!(e.status, Status::InProgress);
    // Suspended Tuesday to Thursday: two working days, so 10 Mar becomes 12 Mar.
    assert_eq!(e.deadline.to_rfc3339(), "2025-03-12T23:59:59+08:00");
    let e = store
        .extend(id, &t(&store, "2025-03-07T09:00"), 3, "施工需要时间")
        .unwrap();
    assert_eq!(e.deadline.to_rfc3339(), "2025-03-17T23:59:59+08:00");
    assert_eq!(store.history(id).unwrap().last().unwrap().days, Some(3));
    assert!(!e.overdue_at(&t(&store, "2025-03-17T23:59:59")));
    assert!(e.overdue_at(&t(&store, "2025-03-18T00:00")));
    // An urgent entry's clock is stopped for exactly the time it was suspended.
    let id = raise(&store, None, "燃气泄漏", "2025-03-03T09:00").id;
    store
        .sign_for(id, "C1", &t(&store, "2025-03-03T09:30"))
        .unwrap();
    store
        .suspend(id, &t(&store, "2025-03-03T10:00"), "等燃气公司")
        .unwrap();
    let e = store.resume(id, &t(&store, "2025-03-03T13:30")).unwrap();
    assert_eq!(e.deadline.to_rfc3339(), "2025-03-04T12:30:00+08:00");
}

#[test]
fn deadlines_cross_the_national_day_week_and_the_spring_festival() {
    let store = ledger();
    let e = raise(&store, None, "路灯坏了", "2025-09-30T10:00");
    assert_eq!(e.deadline.to_rfc3339(), "2025-10-14T23:59:59+08:00");
    assert_eq!(
        e.sign_due.unwrap().to_rfc3339(),
        "2025-10-09T23:59:59+08:00"
    );
    // Extended over the 2020 Spring Festival, which was lengthened to 2 Feb.
    let id = raise(&store, None, "邻里纠纷", "2020-01-20T09:00").id;
    let e = store.entry(id).unwrap();
    // 21, 22, 23 Jan, then 3 and 4 Feb.
    assert_eq!(e.deadline.to_rfc3339(), "2020-02-04T23:59:59+08:00");
    store
        .sign_for(id, "C1", &t(&store, "2020-01-20T10:00"))
        .unwrap();
    let e = store
        .extend(id, &t(&store, "2020-01-21T10:00"), 1, "春节延长")
        .unwrap();
    assert_eq!(e.deadline.to_rfc3339(), "2020-02-05T23:59:59+08:00");
    // A 调休 Saturday counts: reported Friday 7 Feb 2025, sign for by Saturday 8 Feb.
    let e = raise(&store, None, "路灯坏了", "2025-02-07T09:00");
    assert_eq!(
        e.sign_due.unwrap().to_rfc3339(),
        "2025-02-08T23:59:59+08:00"
    );
    // No calendar for 2027: refused, nothing written.
    let before = store.entries(&EntryQuery::new(COUNTY)).unwrap().len();
    let err = store
        .register(&NewEntry::new(
            GRID,
            None,
            "路灯坏了",
            t(&store, "2026-12-30T09:00"),
        ))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("2027"), "{err}");
    assert_eq!(
        store.entries(&EntryQuery::new(COUNTY)).unwrap().len(),
        before
    );
}

#[test]
fn tick_escalates_what_was_not_signed_for_and_is_idempotent() {
    let store = ledger();
    let id = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let signed = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    store
        .sign_for(signed, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap();
    assert!(
        store
            .tick(&t(&store, "2025-03-04T23:00"))
            .unwrap()
            .is_empty()
    );
    let now = t(&store, "2025-03-05T08:00");
    let events = store.tick(&now).unwrap();
    assert_eq!(events.len(), 1);
    let ev = &events[0];
    assert_eq!(
        (ev.entry_id, ev.action, ev.auto),
        (id, Action::Escalate, true)
    );
    assert_eq!(ev.at.to_rfc3339(), "2025-03-05T00:00:00+08:00");
    assert_eq!(ev.handler, Handler::Unit(COMMUNITY.into()));
    assert!(
        store.tick(&now).unwrap().is_empty(),
        "a second tick does nothing"
    );
    // Much later, it climbs level by level to the top and stops there.
    let later = t(&store, "2025-03-20T00:00");
    let events = store.tick(&later).unwrap();
    let handlers: Vec<&str> = events.iter().map(|e| e.handler.name()).collect();
    assert_eq!(handlers, vec![TOWNSHIP, COUNTY]);
    assert_eq!(events[0].at.to_rfc3339(), "2025-03-07T00:00:00+08:00");
    assert!(store.tick(&later).unwrap().is_empty());
    assert_eq!(
        store.entry(signed).unwrap().handler,
        Handler::Unit(GRID.into())
    );
    // Urgent: two hours.
    let urgent = raise(&store, None, "仓库起火", "2025-03-21T09:00").id;
    let events = store.tick(&t(&store, "2025-03-21T11:30")).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].entry_id, urgent);
    assert_eq!(events[0].at.to_rfc3339(), "2025-03-21T11:00:01+08:00");
    assert_eq!(events[0].handler, Handler::Unit(COUNTY.into()));
    // Two stores with the same facts tick alike.
    let again = ledger();
    raise(&again, None, "路灯坏了", "2025-03-03T09:00");
    let a = again.tick(&later).unwrap();
    let first: Vec<_> = store.history(id).unwrap()[1..]
        .iter()
        .map(|e| (e.at, e.handler.clone()))
        .collect();
    let second: Vec<_> = a.iter().map(|e| (e.at, e.handler.clone())).collect();
    assert_eq!(first, second);
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn standing_and_queries_at_any_moment() {
    let store = ledger();
    let lamp = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let dispute = raise(&store, None, "邻里纠纷", "2025-03-04T09:00").id;
    let petition = store
        .register(&{
            let mut e = NewEntry::new(
                GRID,
                None,
                "低保申请未批准，扬言上访",
                t(&store, "2025-03-05T09:00"),
            );
            e.household_id = Some("H2".into());
            e
        })
        .unwrap()
        .id;
    store
        .sign_for(lamp, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap();
    store
        .start(lamp, "W1", &t(&store, "2025-03-03T11:00"))
        .unwrap();
    store
        .resolve(lamp, &t(&store, "2025-03-06T11:00"), "修好")
        .unwrap();
    store
        .mark_hard(dispute, &t(&store, "2025-03-06T12:00"), "双方不让步")
        .unwrap();
    let q = |f: &dyn Fn(&mut EntryQuery)| {
        let mut q = EntryQuery::new(COMMUNITY);
        f(&mut q);
        store
            .entries(&q)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(q(&|_| {}), vec![lamp, dispute, petition]);
    assert_eq!(q(&|q| q.standing = Some(Standing::Resolved)), vec![lamp]);
    assert_eq!(q(&|q| q.standing = Some(Standing::Hard)), vec![dispute]);
    assert_eq!(q(&|q| q.standing = Some(Standing::Pending)), vec![petition]);
    assert_eq!(q(&|q| q.book = Some("困难群众".into())), vec![petition]);
    assert_eq!(q(&|q| q.category = Some("矛盾纠纷".into())), vec![dispute]);
    assert_eq!(
        q(&|q| q.status = Some(Status::Registered)),
        vec![dispute, petition]
    );
    assert_eq!(
        q(&|q| q.period = Some(Period::parse("2025-03-04").unwrap())),
        vec![dispute]
    );
    // As of the 5th, noon: the lamp was in progress, nothing hard, the petition raised.
    let noon = t(&store, "2025-03-05T12:00");
    assert_eq!(
        q(&|q| {
            q.at = Some(noon);
            q.status = Some(Status::InProgress);
        }),
        vec![lamp]
    );
    assert!(
        q(&|q| {
            q.at = Some(noon);
            q.standing = Some(Standing::Hard);
        })
        .is_empty()
    );
    assert_eq!(
        q(&|q| q.at = Some(t(&store, "2025-03-04T00:00"))),
        vec![lamp]
    );
    // Overdue: the dispute (5 working days from the 4th) is overdue after the 11th.
    let late = t(&store, "2025-03-12T09:00");
    assert_eq!(
        q(&|q| {
            q.at = Some(late);
            q.overdue = Some(true);
        }),
        vec![dispute]
    );
    assert!(store.entry(dispute).unwrap().overdue_at(&late));
    // Another community sees none of them.
    assert!(
        store
            .entries(&EntryQuery::new("512021100002"))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn the_weekly_meetings_three_piles() {
    let store = ledger();
    let lamp = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let old = raise(&store, None, "楼道灯坏了", "2025-02-24T09:00").id;
    let dispute = raise(&store, None, "邻里纠纷", "2025-03-04T09:00").id;
    let drain = raise(&store, None, "下水道堵塞", "2025-03-05T09:00").id;
    for (id, day) in [(lamp, "2025-03-04"), (old, "2025-02-25")] {
        store
            .sign_for(id, "W1", &t(&store, &format!("{day}T09:00")))
            .unwrap();
        store
            .start(id, "W1", &t(&store, &format!("{day}T10:00")))
            .unwrap();
        store
            .resolve(id, &t(&store, &format!("{day}T11:00")), "修好")
            .unwrap();
    }
    store
        .mark_hard(dispute, &t(&store, "2025-03-06T12:00"), "双方不让步")
        .unwrap();
    let piles = store
        .piles(COMMUNITY, Period::parse("2025-W10").unwrap())
        .unwrap();
    let ids = |v: &[wangge::Entry]| v.iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(
        ids(&piles.resolved),
        vec![lamp],
        "resolved in the week only"
    );
    assert_eq!(ids(&piles.pending), vec![drain]);
    assert_eq!(ids(&piles.hard), vec![dispute]);
    assert_eq!(piles.at.to_rfc3339(), "2025-03-09T23:59:59+08:00");
    let json = piles.to_json();
    assert_eq!(json["hard"]["count"], 1);
    assert_eq!(json["period"], "2025-W10");
    // The week before: only the old one, resolved then; the others were not yet raised.
    let piles = store
        .piles(COMMUNITY, Period::parse("2025-W09").unwrap())
        .unwrap();
    assert_eq!(ids(&piles.resolved), vec![old]);
    assert!(piles.pending.is_empty() && piles.hard.is_empty());
}

#[test]
fn scopes_and_audit_are_honoured() {
    let store = ledger();
    let lamp = raise(&store, None, "路灯坏了", "2025-03-03T09:00").id;
    let dispute = raise(&store, None, "邻里纠纷", "2025-03-03T09:00").id;
    let neighbour = store.scope(OTHER_GRID, "邻格网格员").unwrap();
    assert_eq!(
        neighbour.entry(lamp).unwrap_err().kind(),
        ErrorKind::NotFound,
        "an entry outside a scope is not found, as if there were none"
    );
    let err = neighbour
        .register(&NewEntry::new(
            GRID,
            None,
            "路灯坏了",
            t(&store, "2025-03-03T09:00"),
        ))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    assert!(neighbour.entries(&EntryQuery::new(COMMUNITY)).is_err());
    let grid = store.scope(GRID, "王网格员").unwrap();
    grid.sign_for(lamp, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap();
    // The dispute is the community's to handle: the grid sees it but cannot sign for it.
    assert_eq!(
        grid.entry(dispute).unwrap().handler,
        Handler::Unit(COMMUNITY.into())
    );
    let err = grid
        .sign_for(dispute, "W1", &t(&store, "2025-03-03T10:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    // The grid's tick leaves the rest of the county alone.
    let elsewhere = store
        .register(&NewEntry::new(
            "512021101001001",
            None,
            "路灯坏了",
            t(&store, "2025-03-03T09:00"),
        ))
        .unwrap()
        .id;
    let events = grid.tick(&t(&store, "2025-03-05T08:00")).unwrap();
    assert_eq!(
        events.iter().map(|e| e.entry_id).collect::<Vec<_>>(),
        vec![dispute]
    );
    assert_eq!(store.entry(elsewhere).unwrap().status, Status::Registered);
    assert_eq!(
        store.entry(elsewhere).unwrap().handler.name(),
        "512021101001001"
    );
    let log = store.audit_log(0, 1000).unwrap();
    assert!(log.iter().any(|r| r.action == "register_entry"));
    assert!(
        log.iter()
            .any(|r| r.action == "sign_for" && r.actor == "王网格员")
    );
    assert!(log.iter().any(|r| r.action == "tick"));
    assert!(store.verify_audit().unwrap().ok);
}

#[test]
fn households_residents_and_findings() {
    let store = ledger();
    store
        .add_household("H9", OTHER_GRID, "别处1号", "registered", &[], None)
        .unwrap();
    let mut e = NewEntry::new(GRID, None, "路灯坏了", t(&store, "2025-03-03T09:00"));
    e.household_id = Some("H9".into());
    assert_eq!(
        store.register(&e).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    e.household_id = Some("NOPE".into());
    assert_eq!(store.register(&e).unwrap_err().kind(), ErrorKind::NotFound);
    let resident = wangge::NewResident {
        name: "李低保".into(),
        id_number: None,
        phone: None,
        hukou: None,
        employer: None,
        relation: Some("head".into()),
        tags: Vec::new(),
    };
    let r = store.add_resident("H2", &resident, None).unwrap();
    let mut e = NewEntry::new(GRID, None, "路灯坏了", t(&store, "2025-03-03T09:00"));
    e.resident_id = Some(r.resident_id);
    let entry = store.register(&e).unwrap();
    assert_eq!(
        entry.household_id.as_deref(),
        Some("H2"),
        "the resident's household"
    );
    assert!(entry.books.contains(&"困难群众".to_string()));
    // A visit's finding becomes an entry once, and the finding knows it.
    let visit = store
        .record_visit("H1", "W1", "home", d("2025-03-02"), "")
        .unwrap();
    let finding = store
        .record_finding(visit.id, "楼道灯坏了三天", None, false)
        .unwrap();
    let entry = store
        .register_finding(finding.id, None, &t(&store, "2025-03-03T09:00"))
        .unwrap();
    assert_eq!(entry.category, "市政设施");
    assert_eq!(entry.household_id.as_deref(), Some("H1"));
    assert_eq!(entry.finding_id, Some(finding.id));
    assert_eq!(entry.source, wangge::Source::Visit);
    let found = store.findings(GRID, false).unwrap();
    assert_eq!(found[0].entry_id, Some(entry.id));
    assert!(store.findings(GRID, true).unwrap().is_empty());
    let err = store
        .register_finding(finding.id, None, &t(&store, "2025-03-03T09:00"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
}

#[test]
fn batches_are_all_or_nothing_and_entries_persist() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wangge-ledger-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("county.db");
    let _ = std::fs::remove_file(&db);
    let id;
    {
        let store = Store::open(&db).unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        store
            .add_unit(TOWNSHIP, "岳阳镇", "township", Some("512021"), None)
            .unwrap();
        store
            .add_unit(COMMUNITY, "北坝社区", "community", Some(TOWNSHIP), None)
            .unwrap();
        store
            .add_unit(GRID, "北坝一网格", "grid", Some(COMMUNITY), None)
            .unwrap();
        let json = r#"[
            {"unit": "512021100001001", "summary": "路灯坏了", "reported_at": "2025-03-03T09:00"},
            {"unit": "512021100001001", "summary": "今天天气很好", "reported_at": "2025-03-03T09:00"}
        ]"#;
        let err = store.register_entries_json(json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert!(err.to_string().contains("entry 1 of the batch"), "{err}");
        assert!(store.entries(&EntryQuery::new(COUNTY)).unwrap().is_empty());
        let ids = store
            .register_entries_json(&json.replace("今天天气很好", "邻里纠纷"))
            .unwrap();
        assert_eq!(ids.len(), 2);
        id = ids[1];
        store.add_staff("C1", "陈社区干部", None).unwrap();
        store
            .sign_for(id, "C1", &t(&store, "2025-03-03T10:00"))
            .unwrap();
        store
            .mark_hard(id, &t(&store, "2025-03-03T11:00"), "难")
            .unwrap();
    }
    let store = Store::open(&db).unwrap();
    let e = store.entry(id).unwrap();
    assert_eq!(
        (e.status, e.hard, e.category.as_str()),
        (Status::SignedFor, true, "矛盾纠纷")
    );
    assert_eq!(store.history(id).unwrap().len(), 3);
    assert!(store.verify_audit().unwrap().ok);
    std::fs::remove_dir_all(&dir).unwrap();
}
