//! Patrols (巡查): a unit walked by its staff on a cadence. 一日双巡 is twice a day, 日巡查
//! once a day, 周自查 once a week. Patrol records carry the moment they were made; rules,
//! versioned like the visit rules, say which level of unit is walked how many times per
//! period, and compliance is counted per unit and period.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};

use crate::date::{self, Date, Moment};
use crate::error::{Error, Result};
use crate::levels::Levels;
use crate::period::{Cadence, Period, PeriodKind};
use crate::store::{Store, Write};
use crate::text;
use crate::units::{span_on, spans_of};
use crate::visits::sets::{self, Fields, RuleTable, parse_array};
use crate::visits::{Rate, RuleCompliance, row_of, tally, total_of};

/// A patrol rule: every unit of `level` is patrolled at least `times` times in each
/// stretch of `cadence`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PatrolRule {
    /// A name for reports, unique within a rule set.
    pub name: String,
    /// The level of the units walked (`grid`).
    pub level: String,
    /// Patrols each unit needs per period.
    pub times: u32,
    /// The period: every `cadence.every` periods of `cadence.kind`.
    pub cadence: Cadence,
}

/// The keys a patrol rule's JSON object may have.
const KEYS: [&str; 5] = ["name", "level", "times", "every", "per"];

impl PatrolRule {
    /// The rule as JSON: `{"name", "level", "times", "every", "per"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name,
            "level": self.level,
            "times": self.times,
            "every": self.cadence.every,
            "per": self.cadence.kind.as_str(),
        })
    }

    /// Reads one rule from JSON, checking its level against the store's levels; a bad
    /// field is `InvalidInput` naming it.
    pub(crate) fn from_json(value: &Value, levels: &Levels) -> Result<Self> {
        let fields = Fields::of(value, "rule", &KEYS)?;
        let level = fields.required("level")?;
        levels.depth(level)?;
        let times = fields.count("times", 1..=100, Some(1))?;
        let every = fields.count("every", 1..=366, Some(1))?;
        let kind = PeriodKind::parse("per", fields.required("per")?)?;
        let name = fields.name(|| format!("{level}-{times}-{}", kind.as_str()))?;
        Ok(PatrolRule {
            name,
            level: level.to_owned(),
            times,
            cadence: Cadence { every, kind },
        })
    }
}

/// The default patrol rule: 一日双巡, every grid walked twice a day (seed 000).
pub fn default_patrol_rules() -> Vec<PatrolRule> {
    vec![PatrolRule {
        name: "一日双巡".to_owned(),
        level: "grid".to_owned(),
        times: 2,
        cadence: Cadence {
            every: 1,
            kind: PeriodKind::Day,
        },
    }]
}

/// A recorded patrol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Patrol {
    /// The patrol's id in this store.
    pub id: i64,
    /// The unit walked.
    pub unit: String,
    /// Who walked it.
    pub staff_id: String,
    /// When, with its offset.
    pub at: Moment,
    /// The civil date of `at` in the deployment's offset: the day rules count it for.
    pub on: Date,
    /// What was seen.
    pub note: String,
}

/// One unit's patrols in one rule period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PatrolRequirement {
    /// The unit held to the rule.
    pub unit: String,
    /// The rule's name.
    pub rule: String,
    /// The period's first day.
    pub from: Date,
    /// The period's last day.
    pub to: Date,
    /// Patrols recorded for the unit in the period.
    pub patrols: u64,
    /// Whether `patrols` reached the rule's times.
    pub met: bool,
}

/// One unit's record under one patrol rule over a report period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitPatrol {
    /// The unit.
    pub unit: String,
    /// The rule's name.
    pub rule: String,
    /// Periods the unit was held to the rule.
    pub required: u64,
    /// Periods in which it met the rule.
    pub met: u64,
    /// `met / required`.
    pub rate: Rate,
}

/// How well the units of a subtree kept their patrol rules over a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatrolCompliance {
    /// The unit whose subtree is counted.
    pub unit: String,
    /// The period, as text.
    pub period: String,
    /// Per rule: (unit, period) requirements and those met.
    pub rules: Vec<RuleCompliance>,
    /// All rules together.
    pub total: RuleCompliance,
    /// Per unit and rule, sorted by unit then rule.
    pub units: Vec<UnitPatrol>,
    /// Every requirement, when asked for; sorted by unit, rule and period.
    pub requirements: Vec<PatrolRequirement>,
}

fn patrol_sets(conn: &Connection, levels: &Levels) -> Result<Vec<(i64, Vec<PatrolRule>)>> {
    sets::load(
        conn,
        RuleTable::Patrol,
        |v| parse_array(v, |r| PatrolRule::from_json(r, levels), |r| &r.name),
        default_patrol_rules,
    )
}

/// The units of `level` in the subtree of `unit` (itself included) as it stood on `day`.
fn units_of_level(conn: &Connection, unit: &str, level: &str, day: i64) -> Result<Vec<String>> {
    let Some(span) = span_on(conn, unit, date::from_sql(day))? else {
        return Ok(Vec::new());
    };
    let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
    let mut stmt = conn.prepare_cached(
        "SELECT code FROM unit_span
         WHERE (path = ?1 OR (path >= ?2 AND path < ?3)) AND level = ?4
           AND valid_from <= ?5 AND valid_to > ?5",
    )?;
    let rows = stmt.query_map(params![span.path, lo, hi, level, day], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The days of every patrol in `[from, to]`, per unit, sorted.
fn patrol_days(conn: &Connection, from: i64, to: i64) -> Result<HashMap<String, Vec<i64>>> {
    let mut stmt =
        conn.prepare_cached("SELECT unit, day FROM patrol WHERE day BETWEEN ?1 AND ?2")?;
    let mut rows = stmt.query(params![from, to])?;
    let mut out: HashMap<String, Vec<i64>> = HashMap::new();
    while let Some(row) = rows.next()? {
        out.entry(row.get(0)?).or_default().push(row.get(1)?);
    }
    for days in out.values_mut() {
        days.sort_unstable();
    }
    Ok(out)
}

/// How many of the sorted `days` lie in `[from, to]`.
fn within(days: &[i64], from: i64, to: i64) -> u64 {
    let lo = days.partition_point(|&d| d < from);
    let hi = days.partition_point(|&d| d <= to);
    (hi - lo) as u64
}

impl Store {
    /// Sets the patrol rules in force from `start` (default: always), replacing a set that
    /// starts the same day. Needs an unrestricted handle.
    pub fn set_patrol_rules(&self, rules: &[PatrolRule], start: Option<Date>) -> Result<()> {
        self.set_patrol_rules_json(&sets::to_array(rules, PatrolRule::to_json), start)
    }

    /// Sets the patrol rules in force from `start` from JSON: an array of
    /// `{"name", "level", "times": K, "every": N, "per": "day"|"week"|...}`. A bad field,
    /// or a level the store does not have, is `InvalidInput` naming it.
    pub fn set_patrol_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        let levels = self.levels();
        let parse = |_: &Connection, v: &Value| {
            parse_array(v, |r| PatrolRule::from_json(r, levels), |r| &r.name)
        };
        sets::set_json(
            self,
            RuleTable::Patrol,
            (json, start),
            parse,
            PatrolRule::to_json,
        )
    }

    /// The patrol rules in force on `as_of` (default today).
    pub fn patrol_rules(&self, as_of: Option<Date>) -> Result<Vec<PatrolRule>> {
        let day = date::to_sql(as_of.unwrap_or_else(|| self.today()));
        let conn = self.read()?;
        Ok(sets::in_force(&patrol_sets(&conn, self.levels())?, day).to_vec())
    }

    /// The patrol rules in force on `as_of` as a JSON array.
    pub fn patrol_rules_json(&self, as_of: Option<Date>) -> Result<String> {
        Ok(sets::to_array(
            &self.patrol_rules(as_of)?,
            PatrolRule::to_json,
        ))
    }

    /// Records a patrol of `unit` by `staff_id` at `at`. Refused for a unit that did not
    /// exist (in this handle's scope) on that day, or a staff member the store does not
    /// know.
    pub fn record_patrol(
        &self,
        unit: &str,
        staff_id: &str,
        at: Moment,
        note: &str,
    ) -> Result<Patrol> {
        text::check_len("note", note, 0, text::LONG_TEXT_MAX)?;
        let on = date::local_date(&at, self.offset());
        self.unit(unit, Some(on))?;
        let id = self.write(|w| self.record_patrol_in(w, unit, staff_id, &at, note))?;
        Ok(Patrol {
            id,
            unit: unit.to_owned(),
            staff_id: staff_id.to_owned(),
            at,
            on,
            note: note.to_owned(),
        })
    }

    /// What [`Store::record_patrol`] does inside its write (a merge replays patrols here):
    /// the unit checked on the patrol's day against this handle's scope.
    pub(crate) fn record_patrol_in(
        &self,
        w: &mut Write<'_>,
        unit: &str,
        staff_id: &str,
        at: &Moment,
        note: &str,
    ) -> Result<i64> {
        text::check_len("note", note, 0, text::LONG_TEXT_MAX)?;
        let on = date::local_date(at, self.offset());
        let day = date::to_sql(on);
        let span = spans_of(&w.tx, unit)?
            .into_iter()
            .find(|s| s.valid_from <= day && day < s.valid_to)
            .ok_or_else(|| Error::not_found("unit", format!("{unit} on {on}")))?;
        self.check_path_in_scope(unit, &span.path)?;
        let known: Option<i64> =
            w.tx.prepare_cached("SELECT 1 FROM staff WHERE staff_id = ?1")?
                .query_row([staff_id], |r| r.get(0))
                .optional()?;
        if known.is_none() {
            return Err(Error::not_found("staff", staff_id));
        }
        let at_text = at.to_rfc3339();
        w.tx.prepare_cached(
            "INSERT INTO patrol (unit, staff_id, at, day, note) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![unit, staff_id, at_text, day, note])?;
        let id = w.tx.last_insert_rowid();
        w.changes_no_household();
        let args = json!({"unit": unit, "staff_id": staff_id, "at": at_text, "note": note});
        w.log_device("patrol", &args, Some(id), None)?;
        w.audit(
            "record_patrol",
            unit,
            &[unit],
            &json!({"patrol": id, "staff_id": staff_id, "at": at_text}),
        )?;
        Ok(id)
    }

    /// The patrols of `unit` itself (not its descendants) in `period`, oldest first.
    pub fn patrols(&self, unit: &str, period: &Period) -> Result<Vec<Patrol>> {
        self.unit(unit, Some(period.last()))?;
        let conn = self.read()?;
        let mut stmt = conn.prepare_cached(
            "SELECT id, staff_id, at, day, note FROM patrol
             WHERE unit = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY at, id",
        )?;
        let first = date::to_sql(period.first());
        let last = date::to_sql(period.last());
        let rows = stmt.query_map(params![unit, first, last], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (id, staff_id, at, day, note) = row?;
            Ok(Patrol {
                id,
                unit: unit.to_owned(),
                staff_id,
                at: Moment::parse_from_rfc3339(&at).map_err(|e| Error::Storage(e.to_string()))?,
                on: date::from_sql(day),
                note,
            })
        })
        .collect()
    }

    /// Compliance of the units of `unit`'s subtree with the patrol rules over `period`.
    /// A unit is held to a rule for a rule period when it has the rule's level and lies in
    /// the subtree on the period's first day; it meets it with at least `times` patrols
    /// recorded for it in the period. Rule periods count when they end inside `period`,
    /// as for visit rules. With `detail`, every (unit, period) requirement is listed.
    pub fn patrol_compliance(
        &self,
        unit: &str,
        period: &Period,
        detail: bool,
    ) -> Result<PatrolCompliance> {
        self.unit(unit, Some(period.last()))?;
        self.report_progress("compliance", 0, 1)?;
        let conn = self.read()?;
        let all_sets = patrol_sets(&conn, self.levels())?;
        let mut work = Vec::new();
        for (start, until, set) in sets::with_ends(&all_sets) {
            for rule in set {
                let spans = sets::periods_ending_within(
                    rule.cadence,
                    (period.first(), period.last()),
                    (start, until),
                );
                if !spans.is_empty() {
                    work.push((rule, spans));
                }
            }
        }
        let earliest = work
            .iter()
            .filter_map(|(_, spans)| spans.first().map(|s| s.0))
            .min()
            .unwrap_or(0);
        let days = patrol_days(&conn, earliest, date::to_sql(period.last()))?;
        let mut rules: Vec<RuleCompliance> = Vec::new();
        let mut per_unit: BTreeMap<(String, String), (u64, u64)> = BTreeMap::new();
        let mut requirements = Vec::new();
        let mut held: HashMap<(String, i64), Vec<String>> = HashMap::new();
        for (rule, spans) in work {
            let row = row_of(&mut rules, &rule.name);
            for (from, to) in spans {
                let key = (rule.level.clone(), from);
                if !held.contains_key(&key) {
                    held.insert(key.clone(), units_of_level(&conn, unit, &rule.level, from)?);
                }
                for code in &held[&key] {
                    let patrols = days.get(code).map_or(0, |d| within(d, from, to));
                    let met = patrols >= u64::from(rule.times);
                    tally(&mut rules[row], met);
                    let row = per_unit
                        .entry((code.clone(), rule.name.clone()))
                        .or_insert((0, 0));
                    row.0 += 1;
                    row.1 += u64::from(met);
                    if detail {
                        requirements.push(PatrolRequirement {
                            unit: code.clone(),
                            rule: rule.name.clone(),
                            from: date::from_sql(from),
                            to: date::from_sql(to),
                            patrols,
                            met,
                        });
                    }
                }
            }
        }
        let units = per_unit
            .into_iter()
            .map(|((unit, rule), (required, met))| UnitPatrol {
                unit,
                rule,
                required,
                met,
                rate: Rate::new(met, required),
            })
            .collect();
        requirements.sort_by(|a, b| (&a.unit, &a.rule, a.from).cmp(&(&b.unit, &b.rule, b.from)));
        Ok(PatrolCompliance {
            unit: unit.to_owned(),
            period: period.to_string(),
            total: total_of(&mut rules),
            rules,
            units,
            requirements,
        })
    }
}
