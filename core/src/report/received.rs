//! Reports from received submissions: a unit whose report for the period was received
//! from its own store (a county's, in a city's store) counts in the report of the level
//! above with the figures it submitted, in place of whatever facts of its subtree this
//! store holds.
//!
//! Counts, numerators and denominators add; rates are made again from the sums, never
//! averaged. The submitted report's own row counts the unit's own report as expected
//! there and not yet received (it was made before it was submitted): that expectation is
//! left out, and the unit's own report counts here as this store's reporting rules and
//! the submission's time say. Only a submission for the very period covers the subtree:
//! monthly submissions do not make a quarter (a quarter's stock and rates are not the sum
//! of its months'), so a quarterly report falls back to the facts held here.
//!
//! [`figures`] also checks a submitted report when it is received: every figure a whole
//! number, each numerator at most its denominator, the denominators that are counts
//! equal to them, each value `num / den`, and the rows adding up to the totals.

use std::collections::BTreeMap;

use rusqlite::{Connection, params};
use serde_json::Value;

use super::{Member, Tally, Tree};
use crate::date;
use crate::error::{Error, Result};
use crate::period::Period;

/// The largest figure a submitted report may hold: sums of many reports stay far below
/// `u64::MAX`.
const MAX_FIGURE: u64 = 1_000_000_000_000;

/// The most rows, categories or books a submitted report may hold.
const MAX_ROWS: usize = 100_000;

/// A submitted report's figures, as raw counts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figures {
    /// The whole subtree's.
    pub(crate) totals: Tally,
    /// The unit's own row's.
    pub(crate) own: Tally,
    /// The ledger's, by category and by book.
    pub(crate) categories: BTreeMap<String, Tally>,
    pub(crate) books: BTreeMap<String, Tally>,
}

/// A refusal of the figure at `at` in a submitted report.
fn wrong(at: &str, reason: impl Into<String>) -> Error {
    Error::invalid("report", at, reason)
}

/// The whole number at `key` of `object`, named `at.key`.
fn count(object: &serde_json::Map<String, Value>, at: &str, key: &str) -> Result<u64> {
    object
        .get(key)
        .and_then(Value::as_u64)
        .filter(|n| *n <= MAX_FIGURE)
        .ok_or_else(|| {
            wrong(
                &format!("{at}.{key}"),
                format!("expected a whole number from 0 to {MAX_FIGURE}"),
            )
        })
}

/// The rate at `key` of `object` as (num, den), checked: num ≤ den and value = num / den.
fn rate(object: &serde_json::Map<String, Value>, at: &str, key: &str) -> Result<(u64, u64)> {
    let at = format!("{at}.{key}");
    let Some(rate) = object.get(key).and_then(Value::as_object) else {
        return Err(wrong(&at, "expected a rate {\"num\", \"den\", \"value\"}"));
    };
    let (num, den) = (count(rate, &at, "num")?, count(rate, &at, "den")?);
    if num > den {
        return Err(wrong(
            &at,
            format!("the numerator {num} is more than the denominator {den}"),
        ));
    }
    let value = rate.get("value").unwrap_or(&Value::Null);
    let expected = (den > 0).then(|| num as f64 / den as f64);
    let agrees = match (value, expected) {
        (Value::Null, None) => true,
        (v, Some(x)) => v.as_f64().is_some_and(|v| (v - x).abs() <= 1e-9),
        _ => false,
    };
    if !agrees {
        return Err(wrong(
            &at,
            "the value is not num / den (null when den is 0)",
        ));
    }
    Ok((num, den))
}

/// Checks that the denominator of `key` equals the count `of`.
fn same(at: &str, key: &str, den: u64, of: &str, count: u64) -> Result<()> {
    if den == count {
        Ok(())
    } else {
        Err(wrong(
            &format!("{at}.{key}.den"),
            format!("the denominator is {den} but {of} is {count}"),
        ))
    }
}

/// The ledger's raw counts of the indicators object at `at`.
fn ledger(object: &serde_json::Map<String, Value>, at: &str) -> Result<Tally> {
    let c = |key| count(object, at, key);
    let mut t = Tally {
        received: c("received")?,
        resolved: c("resolved")?,
        closed: c("closed")?,
        pending: c("pending")?,
        hard: c("hard")?,
        overdue: c("overdue")?,
        ..Tally::default()
    };
    let closure;
    (t.received_resolved, closure) = rate(object, at, "closure_rate")?;
    same(at, "closure_rate", closure, "received", t.received)?;
    (t.due_on_time, t.due) = rate(object, at, "due_closure_rate")?;
    let timely;
    (t.resolved_on_time, timely) = rate(object, at, "timely_rate")?;
    same(at, "timely_rate", timely, "resolved", t.resolved)?;
    (t.signed, t.dispatched) = rate(object, at, "sign_for_rate")?;
    let timely_sign;
    (t.signed_on_time, timely_sign) = rate(object, at, "timely_sign_for_rate")?;
    same(
        at,
        "timely_sign_for_rate",
        timely_sign,
        "sign_for_rate.den",
        t.dispatched,
    )?;
    Ok(t)
}

/// Every raw count of the indicators object `value` at `at`.
fn tally(value: &Value, at: &str) -> Result<Tally> {
    let Some(object) = value.as_object() else {
        return Err(wrong(at, "expected a JSON object of indicators"));
    };
    let c = |key| count(object, at, key);
    let mut t = ledger(object, at)?;
    t.visits_home = c("visits_home")?;
    t.visits_phone = c("visits_phone")?;
    t.households = c("households")?;
    t.special_households = c("special_households")?;
    t.residents = c("residents")?;
    t.floating = c("floating")?;
    let households;
    (t.home_visited, households) = rate(object, at, "home_coverage")?;
    same(at, "home_coverage", households, "households", t.households)?;
    (t.met, t.required) = rate(object, at, "rule_compliance")?;
    (t.reports_received, t.reports_expected) = rate(object, at, "report_completeness")?;
    let expected;
    (t.reports_on_time, expected) = rate(object, at, "report_timeliness")?;
    same(
        at,
        "report_timeliness",
        expected,
        "report_completeness.den",
        t.reports_expected,
    )?;
    Ok(t)
}

/// The items of the array at `key` of `report`.
fn items<'v>(report: &'v serde_json::Map<String, Value>, key: &str) -> Result<&'v [Value]> {
    let items = report
        .get(key)
        .and_then(Value::as_array)
        .ok_or_else(|| wrong(key, "expected a JSON array"))?;
    if items.len() > MAX_ROWS {
        return Err(wrong(key, format!("at most {MAX_ROWS} items")));
    }
    Ok(items)
}

/// The ledger's counts per key of the breakdown array at `key` (`by_category`).
fn breakdown(
    report: &serde_json::Map<String, Value>,
    key: &str,
) -> Result<BTreeMap<String, Tally>> {
    let mut out = BTreeMap::new();
    for (i, item) in items(report, key)?.iter().enumerate() {
        let at = format!("{key}[{i}]");
        let object = item
            .as_object()
            .ok_or_else(|| wrong(&at, "expected a JSON object of indicators"))?;
        let Some(name) = object.get("key").and_then(Value::as_str) else {
            return Err(wrong(&format!("{at}.key"), "expected text"));
        };
        if out.insert(name.to_owned(), ledger(object, &at)?).is_some() {
            return Err(wrong(&format!("{at}.key"), "listed twice"));
        }
    }
    Ok(out)
}

/// A submitted report's figures (the JSON of [`super::Report::to_json`]), checked: see
/// the [module documentation](self).
pub(crate) fn figures(report: &Value) -> Result<Figures> {
    let Some(object) = report.as_object() else {
        return Err(wrong("report", "expected a JSON object"));
    };
    let totals = tally(object.get("totals").unwrap_or(&Value::Null), "totals")?;
    let (mut sum, mut own) = (Tally::default(), None);
    for (i, row) in items(object, "rows")?.iter().enumerate() {
        let at = format!("rows[{i}]");
        let t = tally(row, &at)?;
        match row.get("own").and_then(Value::as_bool) {
            Some(true) if own.is_none() => own = Some(t),
            Some(true) => return Err(wrong(&format!("{at}.own"), "a second own row")),
            Some(false) => {}
            None => return Err(wrong(&format!("{at}.own"), "expected true or false")),
        }
        sum.add(&t);
    }
    let own = own.ok_or_else(|| wrong("rows", "the own row is missing"))?;
    if sum != totals {
        let shown = |t: &Tally| serde_json::to_value(t.indicators()).unwrap_or_default();
        let (sum, totals) = (shown(&sum), shown(&totals));
        let key = totals
            .as_object()
            .and_then(|o| o.iter().find(|(k, v)| sum.get(k.as_str()) != Some(v)))
            .map_or("", |(k, _)| k.as_str());
        return Err(wrong(
            &format!("totals.{key}"),
            format!(
                "the rows add up to {} but the total is {}",
                sum[key], totals[key]
            ),
        ));
    }
    Ok(Figures {
        totals,
        own,
        categories: breakdown(object, "by_category")?,
        books: breakdown(object, "by_book")?,
    })
}

/// What received submissions change in a report: the trees its facts and its expected
/// reports are counted over, and the figures each covered unit adds to its row.
#[derive(Debug)]
pub(crate) struct Received {
    /// The tree without the covered subtrees, for the facts.
    pub(crate) facts: Tree,
    /// The tree without what lies below the covered units, for the reports expected.
    pub(crate) reports: Tree,
    /// Each covered unit's row and figures.
    covered: Vec<(usize, Figures)>,
}

impl Received {
    /// Adds the covered units' figures to `rows`, `categories` and `books`.
    pub(crate) fn add_to(
        &self,
        rows: &mut [Tally],
        categories: &mut BTreeMap<String, Tally>,
        books: &mut BTreeMap<String, Tally>,
    ) {
        for (row, f) in &self.covered {
            let mut t = f.totals;
            t.reports_expected -= f.own.reports_expected;
            t.reports_received -= f.own.reports_received;
            t.reports_on_time -= f.own.reports_on_time;
            rows[*row].add(&t);
            for (key, t) in &f.categories {
                categories.entry(key.clone()).or_default().add(t);
            }
            for (key, t) in &f.books {
                books.entry(key.clone()).or_default().add(t);
            }
        }
    }
}

/// Whether `path` is `top` or lies below it.
fn within(path: &str, top: &str) -> bool {
    path.strip_prefix(top)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// The received submissions for `period` of the units of `tree` below its root (each
/// unit's latest version, when it was received), or `None` when there are none.
pub(crate) fn received(conn: &Connection, tree: &Tree, period: Period) -> Result<Option<Received>> {
    let mut stmt = conn.prepare_cached(
        "SELECT s.unit, s.report FROM submission s
         WHERE s.last_day = ?1 AND s.period = ?2 AND s.received_at IS NOT NULL
           AND s.version = (SELECT max(t.version) FROM submission t
                            WHERE t.unit = s.unit AND t.period = s.period)",
    )?;
    let mut found: BTreeMap<String, String> = BTreeMap::new();
    let mut rows = stmt.query(params![date::to_sql(period.last()), period.to_string()])?;
    while let Some(r) = rows.next()? {
        found.insert(r.get(0)?, r.get(1)?);
    }
    if found.is_empty() {
        return Ok(None);
    }
    // The covered units, outermost only, by path.
    let mut tops: Vec<&Member> = tree.members[1..]
        .iter()
        .filter(|m| found.contains_key(&m.code))
        .collect();
    tops.sort_by(|a, b| a.path.cmp(&b.path));
    let mut covered: Vec<&Member> = Vec::new();
    for m in tops {
        if !covered.last().is_some_and(|c| within(&m.path, &c.path)) {
            covered.push(m);
        }
    }
    if covered.is_empty() {
        return Ok(None);
    }
    let under = |m: &Member, strictly: bool| {
        covered
            .iter()
            .any(|c| within(&m.path, &c.path) && !(strictly && m.path == c.path))
    };
    let pruned = |strictly: bool| Tree {
        rows: tree.rows.clone(),
        members: tree
            .members
            .iter()
            .filter(|m| !under(m, strictly))
            .cloned()
            .collect(),
        path: tree.path.clone(),
    };
    let mut out = Vec::with_capacity(covered.len());
    for m in &covered {
        let value: Value = serde_json::from_str(&found[&m.code])
            .map_err(|e| Error::Storage(format!("the stored report of {}: {e}", m.code)))?;
        out.push((m.row, figures(&value)?));
    }
    Ok(Some(Received {
        facts: pruned(false),
        reports: pruned(true),
        covered: out,
    }))
}
