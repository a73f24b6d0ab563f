//! How the demo's staff work the ledger's entries over the year: a fate drawn for each
//! entry when it is raised (neglected, signed late, escalated, suspended, extended, hard,
//! resolved late, sent back by the resident, closed), its steps taken one by one in time
//! order in office hours of the official working days, and a tick at every week's end.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};

use wangge::{
    Action, Entry, EntryAction, Handler, NewEntry, Period, PeriodKind, Role, Status, Store,
};

use super::super::visits::pick;
use super::super::{date, person};
use super::clock::{Clock, DAY, HOUR};
use super::{COUNTY, LEDGER_YEAR};

/// Named departments (职能部门) entries are handed to, with the staff member who signs.
const DEPARTMENTS: [(&str, &str, &str); 2] = [
    ("县人社局", "RSJ01", "县人社局劳动监察员"),
    ("县信访局", "XFJ01", "县信访局接访员"),
];

/// What will become of an entry, decided when it is raised.
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::struct_excessive_bools)]
struct Fate {
    /// Its first handler never signs for it: the weekly tick escalates it.
    neglected: bool,
    /// Signed for, but after the sign-for limit.
    late_sign: bool,
    /// Handed up (or to a department) by hand after work starts.
    escalate: bool,
    suspend: bool,
    extend: bool,
    hard: bool,
    /// Marked hard and never resolved (the others take weeks).
    stays_hard: bool,
    /// Never resolved, for no recorded reason.
    stuck: bool,
    /// Resolved after its deadline.
    late: bool,
    /// The resident is not satisfied the first time (返工).
    rework: bool,
    close: bool,
}

impl Fate {
    fn of(key: u64, category: &str, urgent: bool) -> Fate {
        let chance = |salt: u64, percent: u64| pick(key ^ (salt << 56), 100) < percent;
        let disputed = matches!(category, "矛盾纠纷" | "司法调解" | "信访隐患");
        let hard = !urgent && chance(5, if disputed { 18 } else { 2 });
        Fate {
            neglected: !urgent && chance(1, 6),
            late_sign: chance(2, 8),
            escalate: !urgent && chance(3, if disputed { 12 } else { 4 }),
            suspend: !urgent && chance(4, 3),
            extend: !urgent && chance(6, 5),
            hard,
            stays_hard: hard && chance(7, 30),
            stuck: !urgent && chance(8, 1),
            late: chance(9, 12),
            rework: chance(10, 8),
            close: chance(11, 94),
        }
    }
}

/// A step the staff take on an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    SignFor,
    Start,
    Escalate,
    Suspend,
    Resume,
    Extend,
    MarkHard,
    Resolve,
    Verify,
    Close,
}

impl Step {
    fn action(self) -> Action {
        match self {
            Step::SignFor => Action::SignFor,
            Step::Start => Action::Start,
            Step::Escalate => Action::Escalate,
            Step::Suspend => Action::Suspend,
            Step::Resume => Action::Resume,
            Step::Extend => Action::Extend,
            Step::MarkHard => Action::MarkHard,
            Step::Resolve => Action::Resolve,
            Step::Verify => Action::Verify,
            Step::Close => Action::Close,
        }
    }
}

/// The steps as [`Tally::steps`] counts them, in workflow order (`rework`: a
/// verification that sent the entry back).
pub(super) const STEP_NAMES: [&str; 11] = [
    "sign_for",
    "start",
    "escalate",
    "suspend",
    "resume",
    "extend",
    "mark_hard",
    "resolve",
    "verify",
    "rework",
    "close",
];

/// An entry being worked, and where its fate has got to.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools)]
pub(super) struct Case {
    pub(super) id: i64,
    key: u64,
    category: String,
    pub(super) community: String,
    urgent: bool,
    fate: Fate,
    handler: Handler,
    pub(super) status: Status,
    deadline: i64,
    next: Option<Step>,
    pub(super) escalated: bool,
    pub(super) suspended: bool,
    pub(super) extended: bool,
    pub(super) marked_hard: bool,
    pub(super) reworks: u32,
    pub(super) auto_escalations: u32,
}

/// Who works the entries a handler gets: a handle scoped to the unit acting as its lead,
/// the lead who signs for them and the worker who starts them.
#[derive(Debug)]
struct Desk {
    handle: Store,
    signer: String,
    worker: String,
}

/// What was raised and done over the year.
#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) registered: usize,
    pub(super) from_findings: usize,
    pub(super) batches: usize,
    /// Steps taken, by the names of [`STEP_NAMES`].
    pub(super) steps: BTreeMap<&'static str, usize>,
    pub(super) to_department: usize,
    pub(super) ticks: usize,
    pub(super) auto_events: usize,
    pub(super) auto_entries: usize,
}

/// One entry to raise, or a visit finding to register, at a moment.
#[derive(Debug)]
pub(super) enum Raise {
    Entry(NewEntry),
    Finding(i64),
}

/// The year's work: the cases and the steps waiting, in time order.
#[derive(Debug)]
pub(super) struct Ledger<'a> {
    root: &'a Store,
    pub(super) clock: Clock,
    desks: HashMap<String, Desk>,
    pub(super) cases: Vec<Case>,
    by_id: HashMap<i64, usize>,
    queue: BinaryHeap<Reverse<(i64, usize)>>,
    pub(super) tally: Tally,
}

/// Raises `raises` (in time order) week by week, one batch each, and works them to
/// [`LEDGER_YEAR`]'s end, with a tick every Monday at midnight and one at the year's last
/// second. Adds the staff the townships and the county lack, and the departments'.
pub(super) fn work_year(
    store: &Store,
    clock: Clock,
    raises: Vec<(i64, Raise)>,
) -> wangge::Result<Ledger<'_>> {
    let year_end = clock.at_local(date(&format!("{}-01-01", LEDGER_YEAR + 1)), 0);
    // Weeks run Monday to Sunday, as the three piles' weeks do.
    let first = Period::containing(PeriodKind::Week, date(&format!("{LEDGER_YEAR}-01-01")))?;
    let mut week_end = clock.at_local(first.first(), 0);
    let mut ledger = Ledger {
        root: store,
        clock,
        desks: open_desks(store)?,
        cases: Vec::new(),
        by_id: HashMap::new(),
        queue: BinaryHeap::new(),
        tally: Tally::default(),
    };
    let mut raises = raises.into_iter().peekable();
    while week_end < year_end - 1 {
        week_end = (week_end + 7 * DAY).min(year_end - 1);
        let mut batch = Vec::new();
        let mut findings = Vec::new();
        while let Some((at, raise)) = raises.next_if(|(at, _)| *at < week_end) {
            match raise {
                Raise::Entry(entry) => batch.push(entry),
                Raise::Finding(id) => findings.push((at, id)),
            }
        }
        let mut entries = Vec::new();
        if !batch.is_empty() {
            for id in store.register_entries(&batch)? {
                entries.push(store.entry(id)?);
            }
            ledger.tally.batches += 1;
        }
        for (at, finding) in findings {
            let at = ledger.clock.moment(at);
            entries.push(store.register_finding(finding, None, &at)?);
            ledger.tally.from_findings += 1;
        }
        ledger.tally.registered += entries.len();
        for entry in &entries {
            ledger.open_case(entry);
        }
        ledger.run_until(week_end)?;
        ledger.tick(week_end)?;
    }
    Ok(ledger)
}

/// A desk for every unit of the county and every department. Units without staff (the
/// townships' 综治中心 and the county's) get one supervisor, numbered from `AY90001`.
fn open_desks(store: &Store) -> wangge::Result<HashMap<String, Desk>> {
    let mut desks = HashMap::new();
    let mut units = vec![store.unit(COUNTY, None)?];
    units.extend(store.descendants(COUNTY, None, None)?);
    // Numbered apart from the grid and community staff, however many there are.
    for (n, unit) in (90_001..).zip(&units) {
        let mut staff = store.assignments(&unit.code, None)?;
        if staff.is_empty() {
            let id = format!("AY{n:04}");
            let phone = format!("138{:08}", 20_170_000 + n * 37);
            store.add_staff(&id, &person(n), Some(&phone))?;
            store.assign(&id, &unit.code, "supervisor", None, None)?;
            staff = store.assignments(&unit.code, None)?;
        }
        let signer = staff[0].staff_id.clone();
        let worker = staff
            .iter()
            .find(|a| a.role == Role::GridWorker)
            .map_or_else(|| signer.clone(), |a| a.staff_id.clone());
        let handle = store.scope(&unit.code, &signer)?;
        let desk = Desk {
            handle,
            signer,
            worker,
        };
        desks.insert(unit.code.clone(), desk);
    }
    for (department, id, name) in DEPARTMENTS {
        store.add_staff(id, name, None)?;
        let desk = Desk {
            handle: store.scope(COUNTY, id)?,
            signer: id.to_owned(),
            worker: id.to_owned(),
        };
        desks.insert(department.to_owned(), desk);
    }
    Ok(desks)
}

impl Ledger<'_> {
    /// Draws the fate of a registered entry and schedules its first step: signing for it,
    /// unless it is neglected.
    fn open_case(&mut self, entry: &Entry) {
        let key = entry.id as u64;
        let fate = Fate::of(key, &entry.category, entry.urgent);
        let t = entry.reported_at.timestamp();
        let sign = if entry.urgent {
            Some(t + (10 + pick(key, 30) as i64) * 60)
        } else if fate.neglected {
            None
        } else if fate.late_sign {
            let due = entry.sign_due.map_or(t, |m| m.timestamp());
            Some(
                self.clock
                    .office(due + (2 + pick(key, 30) as i64) * HOUR, key),
            )
        } else {
            Some(
                self.clock
                    .office(t + (30 + pick(key, 240) as i64) * 60, key),
            )
        };
        self.by_id.insert(entry.id, self.cases.len());
        self.cases.push(Case {
            id: entry.id,
            key,
            category: entry.category.clone(),
            community: entry.unit[..12].to_owned(),
            urgent: entry.urgent,
            fate,
            handler: entry.handler.clone(),
            status: entry.status,
            deadline: entry.deadline.timestamp(),
            next: None,
            escalated: false,
            suspended: false,
            extended: false,
            marked_hard: false,
            reworks: 0,
            auto_escalations: 0,
        });
        if let Some(at) = sign {
            self.schedule(self.cases.len() - 1, at, Step::SignFor);
        }
    }

    fn schedule(&mut self, i: usize, at: i64, step: Step) {
        self.cases[i].next = Some(step);
        self.queue.push(Reverse((at, i)));
    }

    /// Takes every step due before `end`, round by round: each round takes every step
    /// then due (one per case, for a case waits for its step's outcome before the next),
    /// each desk's as one batch under the desk's own handle, and every desk's batch in
    /// one write ([`Store::work_entries_together`]), as a platform gathering its
    /// officials' actions would: one write a round instead of one per desk at work. A
    /// case's steps keep their order; cases do not depend on each other.
    fn run_until(&mut self, end: i64) -> wangge::Result<()> {
        loop {
            let mut due = Vec::new();
            while let Some(&Reverse((t, i))) = self.queue.peek() {
                if t >= end {
                    break;
                }
                self.queue.pop();
                due.push((t, i));
            }
            if due.is_empty() {
                return Ok(());
            }
            let mut batches: BTreeMap<String, Vec<EntryAction>> = BTreeMap::new();
            let mut taken = Vec::with_capacity(due.len());
            for (t, i) in due {
                let step = self.cases[i].next.take().expect("a scheduled step");
                let (desk, action) = self.action(i, step, t);
                batches.entry(desk).or_default().push(action);
                taken.push((t, i, step));
            }
            let together: Vec<(&Store, &[EntryAction])> = batches
                .iter()
                .map(|(desk, actions)| (&self.desks[desk.as_str()].handle, &actions[..]))
                .collect();
            Store::work_entries_together(&together)?;
            for (t, i, step) in taken {
                let entry = self.root.entry(self.cases[i].id)?;
                self.took(i, step, &entry);
                if let Some((at, next)) = self.plan(i, step, t) {
                    self.schedule(i, at.max(t + 60), next);
                }
            }
        }
    }

    /// The weekly tick: escalates what was not signed for in time; the new handler of an
    /// entry nobody meant to sign for signs for it the next office hour.
    fn tick(&mut self, t: i64) -> wangge::Result<()> {
        let events = self.root.tick(&self.clock.moment(t))?;
        self.tally.ticks += 1;
        self.tally.auto_events += events.len();
        let mut touched: Vec<usize> = Vec::new();
        for event in &events {
            let i = self.by_id[&event.entry_id];
            let case = &mut self.cases[i];
            case.handler = event.handler.clone();
            case.status = event.status;
            case.auto_escalations += 1;
            if touched.last() != Some(&i) {
                touched.push(i);
            }
        }
        self.tally.auto_entries += touched.len();
        for i in touched {
            if self.cases[i].next.is_none() {
                let at = self.clock.office(t + HOUR, self.cases[i].key ^ 0xA5);
                self.schedule(i, at, Step::SignFor);
            }
        }
        Ok(())
    }

    /// What `step` on case `i` at `t` asks, and the desk that takes it: its handler's
    /// (or its community's, for the resident's verification and the closing).
    fn action(&mut self, i: usize, step: Step, t: i64) -> (String, EntryAction) {
        let at = self.clock.moment(t);
        let case = &self.cases[i];
        let (id, satisfied) = (case.id, !(case.fate.rework && case.reworks == 0));
        let handler = case.handler.name().to_owned();
        let desk = &self.desks[handler.as_str()];
        let community = case.community.clone();
        let action = match step {
            Step::SignFor => EntryAction::sign_for(id, &desk.signer, at),
            Step::Start => EntryAction::start(id, &desk.worker, at),
            Step::Escalate => {
                let to = match case.category.as_str() {
                    "司法调解" if pick(case.key, 2) == 0 => Some(DEPARTMENTS[0].0),
                    "信访隐患" => Some(DEPARTMENTS[1].0),
                    _ => None,
                };
                let reason = to.map_or_else(
                    || "超出本级处置能力，提请上级协调".to_owned(),
                    |d| format!("涉及职能部门，移交{d}办理"),
                );
                self.tally.to_department += usize::from(to.is_some());
                EntryAction::escalate(id, at, &reason, to)
            }
            Step::Suspend => EntryAction::suspend(id, at, "等待相关部门审批"),
            Step::Resume => EntryAction::resume(id, at),
            Step::Extend => EntryAction::extend(id, at, 5, "需协调施工单位，申请延期"),
            Step::MarkHard => EntryAction::mark_hard(id, at, hard_reason(&case.category)),
            Step::Resolve => EntryAction::resolve(id, at, result_of(&case.category)),
            Step::Verify => {
                let note = if satisfied {
                    "电话回访，居民满意"
                } else {
                    "居民反映问题未彻底解决"
                };
                return (community, EntryAction::verify(id, at, satisfied, note));
            }
            Step::Close => return (community, EntryAction::close(id, at)),
        };
        (handler, action)
    }

    /// Notes on case `i` what `step` made of its entry.
    fn took(&mut self, i: usize, step: Step, entry: &Entry) {
        let case = &mut self.cases[i];
        let satisfied = !(case.fate.rework && case.reworks == 0);
        case.handler = entry.handler.clone();
        case.status = entry.status;
        case.deadline = entry.deadline.timestamp();
        case.reworks = entry.rework;
        match step {
            Step::Escalate => case.escalated = true,
            Step::Suspend => case.suspended = true,
            Step::Extend => case.extended = true,
            Step::MarkHard => case.marked_hard = true,
            _ => {}
        }
        let name = match step {
            Step::Verify if !satisfied => "rework",
            _ => step.action().as_str(),
        };
        *self.tally.steps.entry(name).or_default() += 1;
    }

    /// The next step after `done` at `t`, if the case's fate has one.
    fn plan(&self, i: usize, done: Step, t: i64) -> Option<(i64, Step)> {
        let case = &self.cases[i];
        let clock = &self.clock;
        let k = case.key ^ ((done as u64) << 40) ^ (u64::from(case.reworks) << 48);
        let minutes = |n: u64| pick(k, n) as i64 * 60;
        match done {
            Step::SignFor if case.urgent => Some((t + 300 + minutes(20), Step::Start)),
            Step::SignFor => Some((clock.office(t + minutes(120), k), Step::Start)),
            Step::Start => {
                let can_escalate = case.handler.unit().is_some_and(|u| u != COUNTY);
                if case.fate.escalate && !case.escalated && can_escalate {
                    let at = t + (4 + pick(k, 30) as i64) * HOUR;
                    Some((clock.office(at, k), Step::Escalate))
                } else {
                    self.keep_working(case, t, k)
                }
            }
            Step::Escalate => Some((clock.office(t + HOUR + minutes(180), k), Step::SignFor)),
            Step::Suspend => {
                let back = clock.working_days_later(t, 3 + pick(k, 8));
                Some((clock.office(back, k), Step::Resume))
            }
            Step::Resume | Step::Extend | Step::MarkHard => self.keep_working(case, t, k),
            Step::Resolve => Some((clock.office(t + DAY + minutes(1440), k), Step::Verify)),
            Step::Verify if case.status == Status::InProgress => {
                let again = clock.working_days_later(t, 1 + pick(k, 3));
                Some((clock.office(again, k), Step::Resolve))
            }
            Step::Verify if case.fate.close => {
                Some((clock.office(t + 2 * HOUR + minutes(2400), k), Step::Close))
            }
            Step::Verify | Step::Close => None,
        }
    }

    /// The next step of work once signed for and started: the case's suspension,
    /// extension and marking hard, in that order, then its resolution (unless it stays
    /// open): in hours when urgent, after the deadline when late or hard, else before.
    fn keep_working(&self, case: &Case, t: i64, k: u64) -> Option<(i64, Step)> {
        let (clock, fate) = (&self.clock, case.fate);
        let at = if fate.suspend && !case.suspended {
            return Some((clock.office(t + DAY, k), Step::Suspend));
        } else if fate.extend && !case.extended {
            let at = (case.deadline - 6 * HOUR).max(t + HOUR);
            return Some((clock.office(at, k), Step::Extend));
        } else if fate.hard && !case.marked_hard {
            let at = t + (1 + pick(k, 3) as i64) * DAY;
            return Some((clock.office(at, k), Step::MarkHard));
        } else if fate.stuck || fate.stays_hard {
            return None;
        } else if case.urgent {
            t + (if fate.late { 26 } else { 2 } + pick(k, 16) as i64) * HOUR
        } else if fate.late || case.marked_hard || case.deadline <= t {
            let days = if case.marked_hard {
                10 + pick(k, 30)
            } else {
                1 + pick(k, 7)
            };
            clock.office(clock.working_days_later(case.deadline.max(t), days), k)
        } else {
            let at = t + (case.deadline - t) * (20 + pick(k, 65) as i64) / 100;
            Some(clock.office(at, k))
                .filter(|office| *office < case.deadline)
                .unwrap_or(at)
        };
        Some((at, Step::Resolve))
    }
}

/// What the handler reports on resolving an entry of `category`.
fn result_of(category: &str) -> &'static str {
    match category {
        "市政设施" => "已安排维修，恢复正常",
        "环境卫生" => "已组织清理，环境恢复整洁",
        "低保" | "民政帮扶" | "民政" => "已协助准备材料并提交审核",
        "矛盾纠纷" | "司法调解" => "经调解双方达成一致",
        "安全生产" => "隐患已排除，已对住户进行安全提醒",
        "信访隐患" | "综治维稳" => "已稳控化解，持续关注",
        _ => "已按政策办理并答复居民",
    }
}

/// Why an entry of `category` is marked hard (难解决).
fn hard_reason(category: &str) -> &'static str {
    match category {
        "矛盾纠纷" => "双方分歧较大，多次调解未果",
        "司法调解" => "用工方负责人失联，需多部门联动",
        "信访隐患" => "历史遗留问题，涉及多个部门",
        _ => "涉及多个部门，短期内难以解决",
    }
}
