//! Rule sets versioned by the day they take effect, kept as JSON in a table of
//! `(start, rules)`: visit rules, contact quotas and patrol rules are all stored this way,
//! and so are the ledger's classification rules, so a change of rules never rewrites the
//! past.

use rusqlite::{Connection, params};
use serde_json::Value;

use crate::date::{self, BEGINNING, Date};
use crate::error::{Error, Result};
use crate::period::Cadence;
use crate::store::Store;

/// The tables holding versioned rule sets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RuleTable {
    Visit,
    Quota,
    Patrol,
    Ledger,
    Reporting,
    Assessment,
}

impl RuleTable {
    fn name(self) -> &'static str {
        match self {
            RuleTable::Visit => "visit_rule_set",
            RuleTable::Quota => "quota_rule_set",
            RuleTable::Patrol => "patrol_rule_set",
            RuleTable::Ledger => "ledger_rule_set",
            RuleTable::Reporting => "reporting_rule_set",
            RuleTable::Assessment => "assessment_rule_set",
        }
    }

    /// What setting a rule set of this table is called in a refusal.
    fn what(self) -> &'static str {
        match self {
            RuleTable::Visit => "setting visit rules",
            RuleTable::Quota => "setting quota rules",
            RuleTable::Patrol => "setting patrol rules",
            RuleTable::Ledger => "setting ledger rules",
            RuleTable::Reporting => "setting reporting rules",
            RuleTable::Assessment => "setting assessment rules",
        }
    }

    /// The audit action that sets a rule set of this table.
    fn action(self) -> &'static str {
        match self {
            RuleTable::Visit => "set_visit_rules",
            RuleTable::Quota => "set_quota_rules",
            RuleTable::Patrol => "set_patrol_rules",
            RuleTable::Ledger => "set_ledger_rules",
            RuleTable::Reporting => "set_reporting_rules",
            RuleTable::Assessment => "set_assessment_rules",
        }
    }
}

/// Rules as a JSON array.
pub(crate) fn to_array<R>(rules: &[R], to_json: impl Fn(&R) -> Value) -> String {
    Value::Array(rules.iter().map(to_json).collect()).to_string()
}

/// Sets the rules of `table` in force from `start` (default: always) from `json`, read by
/// `parse` on the write's transaction and stored as `to_json` gives them back, replacing
/// a set that starts the same day. Needs an unrestricted handle; audited.
pub(crate) fn set_json<R>(
    store: &Store,
    table: RuleTable,
    (json, start): (&str, Option<Date>),
    parse: impl Fn(&Connection, &Value) -> Result<Vec<R>>,
    to_json: impl Fn(&R) -> Value,
) -> Result<()> {
    store.check_unscoped(table.what())?;
    let value: Value = serde_json::from_str(json)
        .map_err(|e| Error::invalid("rules", json, format!("not JSON: {e}")))?;
    let start = date::start_to_sql(start);
    store.write(|w| {
        let rules = parse(&w.tx, &value)?;
        save(&w.tx, table, start, &to_array(&rules, &to_json))?;
        w.changes_no_household();
        w.audit(
            table.action(),
            &date::iso(start),
            &[] as &[&str],
            &serde_json::json!({"rules": rules.len()}),
        )
    })
}

/// The stored sets of `table`, oldest first, each read by `parse`; before the first stored
/// set (or with none) `defaults` apply.
pub(crate) fn load<R>(
    conn: &Connection,
    table: RuleTable,
    parse: impl Fn(&Value) -> Result<Vec<R>>,
    defaults: impl FnOnce() -> Vec<R>,
) -> Result<Vec<(i64, Vec<R>)>> {
    let sql = format!("SELECT start, rules FROM {} ORDER BY start", table.name());
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([])?;
    let mut sets = Vec::new();
    while let Some(row) = rows.next()? {
        let text: String = row.get(1)?;
        let value: Value =
            serde_json::from_str(&text).map_err(|e| Error::Storage(e.to_string()))?;
        sets.push((row.get(0)?, parse(&value)?));
    }
    if sets.first().is_none_or(|(start, _)| *start > BEGINNING) {
        sets.insert(0, (BEGINNING, defaults()));
    }
    Ok(sets)
}

/// Stores `rules` (JSON text) as the set of `table` in force from `start`, replacing a set
/// that starts the same day.
pub(crate) fn save(conn: &Connection, table: RuleTable, start: i64, rules: &str) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} (start, rules) VALUES (?1, ?2)
         ON CONFLICT (start) DO UPDATE SET rules = excluded.rules",
        table.name()
    );
    conn.prepare_cached(&sql)?.execute(params![start, rules])?;
    Ok(())
}

/// The rules in force on `day`.
pub(crate) fn in_force<R>(sets: &[(i64, Vec<R>)], day: i64) -> &[R] {
    sets.iter()
        .rev()
        .find(|(start, _)| *start <= day)
        .map_or(&[], |(_, rules)| rules.as_slice())
}

/// Each set with the day the next one takes over (`i64::MAX` for the last).
pub(crate) fn with_ends<R>(sets: &[(i64, Vec<R>)]) -> impl Iterator<Item = (i64, i64, &[R])> {
    sets.iter().enumerate().map(|(i, (start, rules))| {
        let until = sets.get(i + 1).map_or(i64::MAX, |(next, _)| *next);
        (*start, until, rules.as_slice())
    })
}

/// The stretches of `cadence`, as `(first, last)` day numbers, that end inside
/// `[first, last]` and start in `[set_from, set_until)`: the periods a report over
/// `[first, last]` holds a rule of a set to. A stretch that starts before the report but
/// ends inside it counts in full, so a half year counts in the quarter where it ends.
pub(crate) fn periods_ending_within(
    cadence: Cadence,
    (first, last): (Date, Date),
    (set_from, set_until): (i64, i64),
) -> Vec<(i64, i64)> {
    let (first, last) = (date::to_sql(first), date::to_sql(last));
    let mut stretch = cadence.bounds(date::from_sql(first));
    let mut out = Vec::new();
    loop {
        let (from, to) = (date::to_sql(stretch.0), date::to_sql(stretch.1));
        if to > last {
            break;
        }
        if to >= first && from >= set_from && from < set_until {
            out.push((from, to));
        }
        match stretch.1.succ_opt() {
            Some(next) => stretch = cadence.bounds(next),
            None => break,
        }
    }
    out
}

/// Reads a JSON array of rules with `parse`, refusing two rules of one name.
pub(crate) fn parse_array<R>(
    value: &Value,
    parse: impl Fn(&Value) -> Result<R>,
    name: impl Fn(&R) -> &str,
) -> Result<Vec<R>> {
    let Some(items) = value.as_array() else {
        return Err(Error::invalid(
            "rules",
            value.to_string(),
            "a rule set is a JSON array of rules",
        ));
    };
    let rules = items.iter().map(parse).collect::<Result<Vec<_>>>()?;
    for (i, rule) in rules.iter().enumerate() {
        if rules[..i].iter().any(|r| name(r) == name(rule)) {
            return Err(Error::invalid(
                "name",
                name(rule),
                "two rules have this name",
            ));
        }
    }
    Ok(rules)
}

pub(crate) use crate::json::Fields;
