//! Contact quotas (联户, 党群连心): staff of a role must each contact K distinct households
//! per period, as "1+10" asks every party member to keep in touch with ten households a
//! month. Rules are data, versioned like the visit rules; compliance is counted per staff
//! member and period.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::date::{self, Date};
use crate::error::Result;
use crate::period::{Cadence, Period, PeriodKind};
use crate::staff::Role;
use crate::store::Store;
use crate::units::span_on;
use crate::visits::sets::{self, Fields, RuleTable, parse_array};
use crate::visits::{Rate, RuleCompliance, row_of, tally, total_of};

/// A contact quota: every staff member holding `role` contacts `contacts` distinct
/// households in each stretch of `cadence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QuotaRule {
    /// A name for reports, unique within a rule set.
    pub name: String,
    /// The role held to the quota.
    pub role: Role,
    /// How many distinct households each must contact per period (K).
    pub contacts: u32,
    /// The period: every `cadence.every` periods of `cadence.kind`.
    pub cadence: Cadence,
}

/// The keys a quota rule's JSON object may have.
const KEYS: [&str; 5] = ["name", "role", "contacts", "every", "per"];

impl QuotaRule {
    /// The rule as JSON: `{"name", "role", "contacts", "every", "per"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "role": self.role.as_str(),
            "contacts": self.contacts,
            "every": self.cadence.every,
            "per": self.cadence.kind.as_str(),
        })
    }

    /// Reads one rule from JSON; a bad field is `InvalidInput` naming it.
    pub fn from_json(value: &Value) -> Result<Self> {
        let fields = Fields::of(value, "rule", &KEYS)?;
        let role = Role::parse(fields.required("role")?)?;
        let contacts = fields.count("contacts", 1..=10_000, None)?;
        let every = fields.count("every", 1..=366, Some(1))?;
        let kind = PeriodKind::parse("per", fields.required("per")?)?;
        let name = fields.name(|| format!("{}-{contacts}-{}", role.as_str(), kind.as_str()))?;
        Ok(QuotaRule {
            name,
            role,
            contacts,
            cadence: Cadence { every, kind },
        })
    }
}

/// The default quota: "1+10", each party member contacts ten households a month (seeds
/// 002 and 003).
pub fn default_quota_rules() -> Vec<QuotaRule> {
    vec![QuotaRule {
        name: "1+10".to_owned(),
        role: Role::PartyMember,
        contacts: 10,
        cadence: Cadence {
            every: 1,
            kind: PeriodKind::Month,
        },
    }]
}

fn quota_sets(conn: &Connection) -> Result<Vec<(i64, Vec<QuotaRule>)>> {
    sets::load(
        conn,
        RuleTable::Quota,
        |v| parse_array(v, QuotaRule::from_json, |r| &r.name),
        default_quota_rules,
    )
}

/// One staff member's quota in one period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaRequirement {
    /// The staff member held to the quota.
    pub staff_id: String,
    /// The rule's name.
    pub rule: String,
    /// The period's first day.
    pub from: Date,
    /// The period's last day.
    pub to: Date,
    /// Distinct households they contacted in the period.
    pub contacts: u64,
    /// Whether `contacts` reached the quota.
    pub met: bool,
}

/// One staff member's record under one quota rule over a report period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StaffQuota {
    /// The staff member.
    pub staff_id: String,
    /// The rule's name.
    pub rule: String,
    /// Periods they were held to the quota.
    pub required: u64,
    /// Periods in which they met it.
    pub met: u64,
    /// `met / required`.
    pub rate: Rate,
}

/// How well the staff of a unit's subtree kept their contact quotas over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuotaCompliance {
    /// The unit.
    pub unit: String,
    /// The period, as text.
    pub period: String,
    /// Per rule: (staff member, period) requirements and those met.
    pub rules: Vec<RuleCompliance>,
    /// All rules together.
    pub total: RuleCompliance,
    /// Per staff member and rule, sorted by staff member then rule.
    pub staff: Vec<StaffQuota>,
    /// Every requirement, when asked for; sorted by staff member, rule and period.
    pub requirements: Vec<QuotaRequirement>,
}

/// Staff holding `role` on `day` on a unit in the subtree of `unit` (as it stood that day).
fn holders(conn: &Connection, unit: &str, role: Role, day: i64) -> Result<Vec<String>> {
    let Some(span) = span_on(conn, unit, date::from_sql(day))? else {
        return Ok(Vec::new());
    };
    let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT a.staff_id FROM assignment a
         JOIN unit_span s ON s.code = a.unit AND s.valid_from <= ?4 AND s.valid_to > ?4
         WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3))
           AND a.role = ?5 AND a.start <= ?4 AND a.end_day >= ?4
         ORDER BY a.staff_id",
    )?;
    let rows = stmt.query_map(params![span.path, lo, hi, day, role.as_str()], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Distinct households `staff_id` contacted in `[from, to]`.
fn contacted(conn: &Connection, staff_id: &str, from: i64, to: i64) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached(
            "SELECT count(DISTINCT household_id) FROM visit WHERE staff_id = ?1 AND day BETWEEN ?2 AND ?3",
        )?
        .query_row(params![staff_id, from, to], |r| r.get(0))?;
    Ok(n.unsigned_abs())
}

impl Store {
    /// Sets the contact quotas in force from `start` (default: always), replacing a set
    /// that starts the same day. Needs an unrestricted handle.
    pub fn set_quota_rules(&self, rules: &[QuotaRule], start: Option<Date>) -> Result<()> {
        self.set_quota_rules_json(&sets::to_array(rules, QuotaRule::to_json), start)
    }

    /// Sets the contact quotas in force from `start` from JSON: an array of
    /// `{"name", "role", "contacts": K, "every": N, "per": "day"|"week"|"month"|...}`.
    /// A bad field is `InvalidInput` naming it.
    pub fn set_quota_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        let parse = |_: &Connection, v: &Value| parse_array(v, QuotaRule::from_json, |r| &r.name);
        sets::set_json(
            self,
            RuleTable::Quota,
            (json, start),
            parse,
            QuotaRule::to_json,
        )
    }

    /// The contact quotas in force on `as_of` (default today).
    pub fn quota_rules(&self, as_of: Option<Date>) -> Result<Vec<QuotaRule>> {
        let day = date::to_sql(as_of.unwrap_or_else(|| self.today()));
        let conn = self.read()?;
        Ok(sets::in_force(&quota_sets(&conn)?, day).to_vec())
    }

    /// The contact quotas in force on `as_of` as a JSON array.
    pub fn quota_rules_json(&self, as_of: Option<Date>) -> Result<String> {
        Ok(sets::to_array(
            &self.quota_rules(as_of)?,
            QuotaRule::to_json,
        ))
    }

    /// Compliance of the staff of `unit`'s subtree with the contact quotas over `period`.
    /// A staff member is held to a quota for a quota period when, on its first day, they
    /// hold the rule's role on a unit of the subtree; they meet it when the distinct
    /// households they contacted (any channel, any household) in the period reach K.
    /// Quota periods count when they end inside `period`, as for visit rules. With
    /// `detail`, every (staff member, period) requirement is listed.
    pub fn quota_compliance(
        &self,
        unit: &str,
        period: &Period,
        detail: bool,
    ) -> Result<QuotaCompliance> {
        self.unit(unit, Some(period.last()))?;
        self.report_progress("compliance", 0, 1)?;
        let conn = self.read()?;
        let all_sets = quota_sets(&conn)?;
        let mut rules: Vec<RuleCompliance> = Vec::new();
        let mut per_staff: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
        let mut requirements = Vec::new();
        for (start, until, set) in sets::with_ends(&all_sets) {
            for rule in set {
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
                    for staff_id in holders(&conn, unit, rule.role, from)? {
                        let contacts = contacted(&conn, &staff_id, from, to)?;
                        let met = contacts >= u64::from(rule.contacts);
                        tally(&mut rules[row], met);
                        let row = per_staff
                            .entry((staff_id.clone(), rule.name.clone()))
                            .or_insert((0, 0));
                        row.0 += 1;
                        row.1 += u64::from(met);
                        if detail {
                            requirements.push(QuotaRequirement {
                                staff_id,
                                rule: rule.name.clone(),
                                from: date::from_sql(from),
                                to: date::from_sql(to),
                                contacts,
                                met,
                            });
                        }
                    }
                }
            }
        }
        let staff = per_staff
            .into_iter()
            .map(|((staff_id, rule), (required, met))| StaffQuota {
                staff_id,
                rule,
                required,
                met,
                rate: Rate::new(met, required),
            })
            .collect();
        requirements
            .sort_by(|a, b| (&a.staff_id, &a.rule, a.from).cmp(&(&b.staff_id, &b.rule, b.from)));
        Ok(QuotaCompliance {
            unit: unit.to_owned(),
            period: period.to_string(),
            total: total_of(&mut rules),
            rules,
            staff,
            requirements,
        })
    }
}
