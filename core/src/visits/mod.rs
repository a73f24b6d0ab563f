//! Visits (走访): rules, visit records, due lists and compliance.
//!
//! Rule sets are versioned by the day they take effect, so a change of rules never
//! rewrites the past. A household is held to a calendar rule for a period when it is in
//! the rule's scope on the period's first day: it lives in the unit's subtree and has the
//! class or tag. A contact counts for the period it falls in, and a home visit satisfies
//! a phone rule too.

mod due;
mod due_page;
pub(crate) mod facts;
mod grid;
pub(crate) mod log;
mod record;
mod reverify;
mod rules;
pub(crate) mod sets;
mod view;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rusqlite::Connection;
use serde::Serialize;
use serde_json::Value;

use crate::date::{self, Date};
use crate::error::Result;
use crate::period::Period;
use crate::progress;
use crate::registry::{HouseholdClass, class_of, placed_with_tags, tag_kinds};
use crate::store::Store;
use crate::units::span_on;
use due::{due_list, sort_due};
pub use record::NewVisit;
pub(crate) use record::household_unit;
pub use reverify::{REVERIFIED_TAGS, ReverificationDue};
use rules::rules_from_json;
pub use rules::{Channel, RuleMode, RuleScope, VisitRule, default_visit_rules};
use sets::RuleTable;
use view::View;

/// A recorded contact with a household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Visit {
    /// The visit's id in this store.
    pub id: i64,
    /// The household contacted.
    pub household_id: String,
    /// Who made the contact.
    pub staff_id: String,
    /// Home visit or phone call.
    pub channel: Channel,
    /// The day of the contact.
    pub on: Date,
    /// What was said or found.
    pub note: String,
}

/// One item of a due list: a household that still needs a contact under one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DueVisit {
    /// The household.
    pub household_id: String,
    /// The unit it lives in on the list's day.
    pub unit: String,
    /// The rule's name.
    pub rule: String,
    /// The channel the rule asks for.
    pub channel: Channel,
    /// The last day of the current period (calendar rules), or the day the next contact
    /// falls due (rolling rules).
    pub due: Date,
    /// Calendar rules: the household was held to the rule in the previous period too, that
    /// period had no qualifying contact, and none came since. Rolling rules: the list's
    /// day is after `due`.
    pub overdue: bool,
    /// The household's latest qualifying contact up to the list's day.
    pub last_visit: Option<Date>,
    /// The code of the grid (网格) its unit lies in on the list's day (the unit itself or
    /// the nearest ancestor of level `grid`); `None` when there is none. Shared by the
    /// items of one grid, as are its name and workers: a list of millions of items holds
    /// each once.
    pub grid: Option<Arc<str>>,
    /// That grid's name.
    pub grid_name: Option<Arc<str>>,
    /// The household's address, as the household list shows it.
    pub address: String,
    /// The grid's workers (网格员, `grid_worker` assignments) on the list's day, by staff
    /// id; empty when the grid has none or there is no grid.
    pub responsible: Arc<[Responsible]>,
}

/// A staff member responsible for a due item's grid (责任网格员).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Responsible {
    /// The staff member's id.
    pub staff_id: String,
    /// Their name, unmasked.
    pub name: String,
}

/// A rate with its parts; `value` is `None` when the denominator is 0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    /// Numerator.
    pub num: u64,
    /// Denominator.
    pub den: u64,
    /// `num / den`, or `None` when `den` is 0.
    pub value: Option<f64>,
}

impl Rate {
    /// The rate `num / den`.
    pub fn new(num: u64, den: u64) -> Rate {
        Rate {
            num,
            den,
            value: (den > 0).then(|| num as f64 / den as f64),
        }
    }
}

/// The row of rule `name` in a compliance report, added (with nothing counted) if new, so
/// a rule that held nobody is still listed, its rate null.
pub(crate) fn row_of(rules: &mut Vec<RuleCompliance>, name: &str) -> usize {
    if let Some(i) = rules.iter().position(|c| c.rule == name) {
        i
    } else {
        rules.push(RuleCompliance {
            rule: name.to_owned(),
            required: 0,
            met: 0,
            rate: Rate::new(0, 0),
        });
        rules.len() - 1
    }
}

/// Counts one requirement in a compliance report's row.
pub(crate) fn tally(row: &mut RuleCompliance, met: bool) {
    row.required += 1;
    row.met += u64::from(met);
}

/// Fills each rule's rate and returns the total over all rules.
pub(crate) fn total_of(rules: &mut [RuleCompliance]) -> RuleCompliance {
    for c in rules.iter_mut() {
        c.rate = Rate::new(c.met, c.required);
    }
    let (required, met) = rules
        .iter()
        .fold((0, 0), |(r, m), c| (r + c.required, m + c.met));
    RuleCompliance {
        rule: "total".into(),
        required,
        met,
        rate: Rate::new(met, required),
    }
}

/// Compliance with one rule (or with all, for the total).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleCompliance {
    /// The rule's name (`total` for the total).
    pub rule: String,
    /// (household, period) requirements.
    pub required: u64,
    /// Those met by a qualifying contact in the period.
    pub met: u64,
    /// `met / required`.
    pub rate: Rate,
}

/// One (household, rule, period) requirement, for the detail of a compliance report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The household held to the rule.
    pub household_id: String,
    /// The rule's name.
    pub rule: String,
    /// The period's first day.
    pub from: Date,
    /// The period's last day.
    pub to: Date,
    /// Whether a qualifying contact fell in the period.
    pub met: bool,
}

/// How well a unit's subtree kept its visit rules over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    /// The unit.
    pub unit: String,
    /// The period, as text (`2024-Q1`).
    pub period: String,
    /// Per rule, in the order of the rule sets.
    pub rules: Vec<RuleCompliance>,
    /// All rules together.
    pub total: RuleCompliance,
    /// Every requirement, when asked for; sorted by household, rule and period.
    pub requirements: Vec<Requirement>,
}

/// The visit rule sets in force over time: (first day, rules), oldest first. Before the
/// first stored set (or with none) the seed's rules apply.
fn rule_sets(conn: &Connection) -> Result<Vec<(i64, Vec<VisitRule>)>> {
    let kinds = tag_kinds(conn)?;
    sets::load(
        conn,
        RuleTable::Visit,
        |v| rules_from_json(v, &kinds),
        default_visit_rules,
    )
}

/// The rules in force on `day`.
fn rules_on(sets: &[(i64, Vec<VisitRule>)], day: i64) -> &[VisitRule] {
    sets::in_force(sets, day)
}

/// Households of a unit's subtree on given days, each with its class and tags, read once
/// per day.
struct Population<'c> {
    conn: &'c Connection,
    unit: String,
    kinds: HashMap<String, bool>,
    by_day: HashMap<i64, HashMap<String, (HouseholdClass, BTreeSet<String>)>>,
}

impl<'c> Population<'c> {
    fn new(conn: &'c Connection, unit: &str) -> Result<Self> {
        Ok(Population {
            conn,
            unit: unit.to_owned(),
            kinds: tag_kinds(conn)?,
            by_day: HashMap::new(),
        })
    }

    fn on(&mut self, day: i64) -> Result<&HashMap<String, (HouseholdClass, BTreeSet<String>)>> {
        if !self.by_day.contains_key(&day) {
            let households = match span_on(self.conn, &self.unit, date::from_sql(day))? {
                Some(span) => placed_with_tags(self.conn, &span.path, day)?
                    .into_iter()
                    .map(|(h, tags)| {
                        let class = class_of(&self.kinds, &tags);
                        (h, (class, tags))
                    })
                    .collect(),
                None => HashMap::new(),
            };
            self.by_day.insert(day, households);
        }
        Ok(&self.by_day[&day])
    }
}

impl Store {
    /// Sets the visit rules in force from `start` (default: always), replacing a set that
    /// starts the same day. Rules are checked as [`Store::set_visit_rules_json`] checks
    /// them. Needs an unrestricted handle.
    pub fn set_visit_rules(&self, rules: &[VisitRule], start: Option<Date>) -> Result<()> {
        self.set_visit_rules_json(&sets::to_array(rules, VisitRule::to_json), start)
    }

    /// Sets the visit rules in force from `start` from JSON: an array of
    /// `{"name", "class": "ordinary"|"special" or "tag", "channel": "home"|"phone",
    /// "every": N, "per": "day"|"week"|"month"|"quarter"|"half_year"|"year",
    /// "mode": "calendar"|"rolling"}`. A bad field is `InvalidInput` naming it.
    pub fn set_visit_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        let parse = |conn: &Connection, v: &Value| rules_from_json(v, &tag_kinds(conn)?);
        sets::set_json(
            self,
            RuleTable::Visit,
            (json, start),
            parse,
            VisitRule::to_json,
        )
    }

    /// The visit rules in force on `as_of` (default today).
    pub fn visit_rules(&self, as_of: Option<Date>) -> Result<Vec<VisitRule>> {
        let day = date::to_sql(as_of.unwrap_or_else(|| self.today()));
        let conn = self.read()?;
        Ok(rules_on(&rule_sets(&conn)?, day).to_vec())
    }

    /// The visit rules in force on `as_of` as a JSON array.
    pub fn visit_rules_json(&self, as_of: Option<Date>) -> Result<String> {
        Ok(sets::to_array(
            &self.visit_rules(as_of)?,
            VisitRule::to_json,
        ))
    }

    /// The due list of `unit`'s whole subtree on `as_of` (default today): one item per
    /// (household, rule) that still needs a contact, overdue items first, then by due day,
    /// household and rule.
    pub fn due_visits(&self, unit: &str, as_of: Option<Date>) -> Result<Vec<DueVisit>> {
        let on = as_of.unwrap_or_else(|| self.today());
        self.unit(unit, Some(on))?;
        let conn = self.read()?;
        let snapshot = self.registry_snapshot(&conn)?;
        let log = self.visit_log(&conn, &snapshot)?;
        due_list(
            &conn,
            &snapshot,
            &log,
            unit,
            date::to_sql(on),
            self.progress(),
        )
    }

    /// The due list of the units `staff_id` is assigned to on `as_of` (default today), in
    /// this handle's scope, without repeats where their units nest.
    pub fn due_visits_for_staff(
        &self,
        staff_id: &str,
        as_of: Option<Date>,
    ) -> Result<Vec<DueVisit>> {
        let on = as_of.unwrap_or_else(|| self.today());
        self.staff(staff_id)?;
        let conn = self.read()?;
        let units = due_page::staff_units(&conn, staff_id, on)?;
        let snapshot = self.registry_snapshot(&conn)?;
        let log = self.visit_log(&conn, &snapshot)?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        let total = units.len();
        for (i, unit) in units.into_iter().enumerate() {
            self.report_progress("due_visits_for_staff", i as u64, total as u64)?;
            let Some(span) = span_on(&conn, &unit, on)? else {
                continue;
            };
            if self.check_path_in_scope(&unit, &span.path).is_err() {
                continue;
            }
            for item in due_list(&conn, &snapshot, &log, &unit, date::to_sql(on), None)? {
                if seen.insert((item.household_id.clone(), item.rule.clone())) {
                    out.push(item);
                }
            }
        }
        sort_due(&mut out);
        Ok(out)
    }

    /// Compliance of `unit`'s whole subtree with its calendar visit rules over `period`:
    /// every (household, rule, rule period) requirement whose rule period ends inside
    /// `period`, held on the rule period's first day, met by a qualifying contact in the
    /// rule period. The rules are those in force on each rule period's first day; a
    /// half-year rule counts in a quarterly report only in the quarter where the half year
    /// ends. With `detail`, every requirement is listed.
    pub fn visit_compliance(
        &self,
        unit: &str,
        period: &Period,
        detail: bool,
    ) -> Result<Compliance> {
        self.unit(unit, Some(period.last()))?;
        self.report_progress("compliance", 0, 1)?;
        let conn = self.read()?;
        let sets = rule_sets(&conn)?;
        let snapshot = self.registry_snapshot(&conn)?;
        let log = self.visit_log(&conn, &snapshot)?;
        let mut view = View::new(&conn, unit, &snapshot);
        let mut rules: Vec<RuleCompliance> = Vec::new();
        let mut requirements = Vec::new();
        for (start, until, set) in sets::with_ends(&sets) {
            for rule in set.iter().filter(|r| r.mode == RuleMode::Calendar) {
                let scope = view.scope(rule);
                let qualifies = |channel| rule.satisfied_by(channel);
                let spans = sets::periods_ending_within(
                    rule.cadence,
                    (period.first(), period.last()),
                    (start, until),
                );
                if spans.is_empty() {
                    continue;
                }
                let row = row_of(&mut rules, &rule.name);
                for (from, to) in spans {
                    for (i, (h, _)) in view.living(from)?.into_iter().enumerate() {
                        progress::keep_going(self.progress(), i)?;
                        if !view.matches(scope, h, from) {
                            continue;
                        }
                        let id = snapshot.id(h);
                        let met = log.of_held(&snapshot, h).any(from, to, qualifies);
                        tally(&mut rules[row], met);
                        if detail {
                            requirements.push(Requirement {
                                household_id: id.to_owned(),
                                rule: rule.name.clone(),
                                from: date::from_sql(from),
                                to: date::from_sql(to),
                                met,
                            });
                        }
                    }
                }
            }
        }
        requirements.sort_by(progress::watched_order(
            self.progress(),
            |a: &Requirement, b| {
                (&a.household_id, &a.rule, a.from).cmp(&(&b.household_id, &b.rule, b.from))
            },
        ));
        progress::keep_going(self.progress(), 0)?;
        Ok(Compliance {
            unit: unit.to_owned(),
            period: period.to_string(),
            total: total_of(&mut rules),
            rules,
            requirements,
        })
    }
}
