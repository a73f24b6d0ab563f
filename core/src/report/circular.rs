//! Circulars (通报): the children of a unit ranked on one indicator.

use serde::Serialize;
use serde_json::{Value, json};

use super::Report;
use super::export::{INDICATOR_NAMES, is_rate};
use crate::error::{Error, Result};
use crate::period::Period;
use crate::store::Store;

/// The sample a rate needs by default to be ranked.
pub const DEFAULT_MIN_SAMPLE: u64 = 5;

/// One ranked unit of a circular.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CircularRow {
    /// The unit's code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its value: the rate, or the count.
    pub value: f64,
    /// The rate's numerator, or the count.
    pub num: u64,
    /// The rate's denominator (the sample), or the count.
    pub den: u64,
    /// 1 for the best; units with equal values share a rank (1, 2, 2, 4).
    pub rank: u32,
}

/// A unit a circular leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeftOut {
    /// The unit's code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its sample: the rate's denominator.
    pub den: u64,
    /// Why it is not ranked, in words.
    pub reason: String,
}

/// The children of a unit ranked on one indicator over a period (通报).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Circular {
    /// The unit whose children are ranked.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// The period, as text.
    pub period: String,
    /// The indicator's key (`closure_rate`).
    pub indicator: String,
    /// Its Chinese name (办结率).
    pub indicator_name: String,
    /// Whether a lower value ranks better (pending, hard and overdue counts).
    pub lower_is_better: bool,
    /// The smallest denominator a rate needs to be ranked.
    pub min_sample: u64,
    /// The ranked children, best first; ties in code order.
    pub ranked: Vec<CircularRow>,
    /// The children left out, by code.
    pub left_out: Vec<LeftOut>,
}

impl Circular {
    /// The circular as JSON (the shape the C API returns and Python's dict holds).
    pub fn to_json(&self) -> Value {
        json!(self)
    }
}

impl Store {
    /// Ranks the direct children of `unit` on `indicator` over `period` (通报). A rate is
    /// ranked only when its denominator is at least `min_sample` (default
    /// [`DEFAULT_MIN_SAMPLE`]; a negative one is `InvalidInput` naming `min_sample`); those
    /// below are listed in `left_out` with the reason.
    /// Counts are ranked whatever their size, higher first except `pending`, `hard` and
    /// `overdue`. The unit's own row is not a child and is never ranked.
    pub fn circular(
        &self,
        unit: &str,
        period: Period,
        indicator: &str,
        min_sample: Option<i64>,
    ) -> Result<Circular> {
        let min_sample = min_sample
            .map(|n| {
                u64::try_from(n)
                    .map_err(|_| Error::invalid("min_sample", n, "a sample size is 0 or more"))
            })
            .transpose()?;
        let Some(&(key, indicator_name)) = INDICATOR_NAMES.iter().find(|(k, _)| *k == indicator)
        else {
            let known: Vec<&str> = INDICATOR_NAMES.iter().map(|(k, _)| *k).collect();
            return Err(Error::invalid(
                "indicator",
                indicator,
                format!("expected one of {}", known.join(", ")),
            ));
        };
        let min_sample = min_sample.unwrap_or(DEFAULT_MIN_SAMPLE);
        let report = self.report(unit, period)?;
        Ok(rank(&report, key, indicator_name, min_sample))
    }
}

/// Ranks the children rows of `report` on indicator `key` (named `indicator_name`), as
/// [`Store::circular`] describes.
pub(super) fn rank(report: &Report, key: &str, indicator_name: &str, min_sample: u64) -> Circular {
    let lower_is_better = matches!(key, "pending" | "hard" | "overdue");
    let is_count = !is_rate(key);
    let mut ranked = Vec::new();
    let mut left_out = Vec::new();
    for row in report.rows.iter().filter(|r| !r.own) {
        let values = serde_json::to_value(&row.indicators).unwrap_or(Value::Null);
        let v = &values[key];
        if v.is_object() {
            let num = v["num"].as_u64().unwrap_or(0);
            let den = v["den"].as_u64().unwrap_or(0);
            match v["value"].as_f64() {
                Some(value) if den >= min_sample => ranked.push(CircularRow {
                    unit: row.unit.clone(),
                    name: row.name.clone(),
                    value,
                    num,
                    den,
                    rank: 0,
                }),
                _ => left_out.push(LeftOut {
                    unit: row.unit.clone(),
                    name: row.name.clone(),
                    den,
                    reason: format!("样本不足: {den} < {min_sample}"),
                }),
            }
        } else {
            let n = v.as_u64().unwrap_or(0);
            ranked.push(CircularRow {
                unit: row.unit.clone(),
                name: row.name.clone(),
                #[allow(clippy::cast_precision_loss)]
                value: n as f64,
                num: n,
                den: n,
                rank: 0,
            });
        }
    }
    let better = |a: f64, b: f64| {
        if lower_is_better {
            a.total_cmp(&b)
        } else {
            b.total_cmp(&a)
        }
    };
    ranked.sort_by(|a, b| better(a.value, b.value).then_with(|| a.unit.cmp(&b.unit)));
    // Equal values share a rank: counts compared as they are, rates exactly as
    // fractions.
    let tie = |a: &CircularRow, b: &CircularRow| {
        if is_count {
            a.num == b.num
        } else {
            u128::from(a.num) * u128::from(b.den) == u128::from(b.num) * u128::from(a.den)
        }
    };
    for i in 0..ranked.len() {
        ranked[i].rank = if i > 0 && tie(&ranked[i], &ranked[i - 1]) {
            ranked[i - 1].rank
        } else {
            u32::try_from(i + 1).unwrap_or(u32::MAX)
        };
    }
    Circular {
        unit: report.unit.clone(),
        name: report.name.clone(),
        period: report.period.to_string(),
        indicator: key.to_owned(),
        indicator_name: indicator_name.to_owned(),
        lower_is_better,
        min_sample,
        ranked,
        left_out,
    }
}
