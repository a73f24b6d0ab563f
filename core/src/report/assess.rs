//! The yearly assessment (考核): each child of a unit scored on weighted indicator
//! targets, and ranked.
//!
//! An item scores its weight times the share of its target reached (at most all of it);
//! an item whose rate has fewer than `min_sample` cases, or none, is not scored and its
//! weight leaves the total, so a unit is scored on what it had to do. The score is out of
//! 100. The items are rule data, versioned by the day they take effect.

use serde::Serialize;
use serde_json::{Value, json};

use super::export::{INDICATOR_NAMES, is_rate};
use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::period::Period;
use crate::store::Store;
use crate::visits::sets::{self, Fields, RuleTable};

/// One weighted target of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentItem {
    /// A rate indicator's key (`closure_rate`).
    pub indicator: String,
    /// Its weight, relative to the others.
    pub weight: f64,
    /// The rate that earns the whole weight.
    pub target: f64,
}

/// The assessment's items and the sample a rate needs to be scored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssessmentRules {
    /// The weighted targets.
    pub items: Vec<AssessmentItem>,
    /// The smallest denominator a rate needs to be scored.
    pub min_sample: u64,
}

impl AssessmentRules {
    /// The rules as JSON: `{"items": [{"indicator", "weight", "target"}], "min_sample"}`.
    pub fn to_json(&self) -> Value {
        json!(self)
    }

    /// Reads rules from JSON, refusing unknown indicators, counts, and weights or targets
    /// that are not positive.
    pub fn from_json(value: &Value) -> Result<Self> {
        let f = Fields::of(value, "assessment rules", &["items", "min_sample"])?;
        let items = f
            .object()
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| Error::invalid("items", value, "expected an array of items"))?;
        let mut out = Vec::new();
        for item in items {
            let g = Fields::of(item, "assessment item", &["indicator", "weight", "target"])?;
            let indicator = g.required("indicator")?;
            if !INDICATOR_NAMES.iter().any(|(k, _)| *k == indicator) || !is_rate(indicator) {
                return Err(Error::invalid(
                    "indicator",
                    indicator,
                    "expected a rate indicator (closure_rate, due_closure_rate, timely_rate, sign_for_rate, timely_sign_for_rate, home_coverage, rule_compliance, report_completeness, report_timeliness)",
                ));
            }
            let number = |field: &'static str| {
                g.object()
                    .get(field)
                    .and_then(Value::as_f64)
                    .filter(|x| x.is_finite() && *x > 0.0)
                    .ok_or_else(|| Error::invalid(field, item, "expected a positive number"))
            };
            out.push(AssessmentItem {
                indicator: indicator.to_owned(),
                weight: number("weight")?,
                target: number("target")?,
            });
        }
        if out.is_empty() {
            return Err(Error::invalid("items", value, "at least one item"));
        }
        let min_sample = match f.object().get("min_sample") {
            None => super::DEFAULT_MIN_SAMPLE,
            Some(v) => v
                .as_u64()
                .ok_or_else(|| Error::invalid("min_sample", v, "expected a count"))?,
        };
        Ok(AssessmentRules {
            items: out,
            min_sample,
        })
    }
}

/// The default assessment: closure 30, timely sign-for 15, home coverage 20, visit rules
/// 20, timely reports 15.
pub fn default_assessment_rules() -> AssessmentRules {
    let item = |indicator: &str, weight: f64, target: f64| AssessmentItem {
        indicator: indicator.to_owned(),
        weight,
        target,
    };
    AssessmentRules {
        items: vec![
            item("closure_rate", 30.0, 0.9),
            item("timely_sign_for_rate", 15.0, 0.95),
            item("home_coverage", 20.0, 0.9),
            item("rule_compliance", 20.0, 0.9),
            item("report_timeliness", 15.0, 1.0),
        ],
        min_sample: super::DEFAULT_MIN_SAMPLE,
    }
}

/// One item of a unit's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    /// The indicator.
    pub indicator: String,
    /// Its rate's numerator and denominator.
    pub num: u64,
    /// The denominator.
    pub den: u64,
    /// The rate, if it has a denominator.
    pub value: Option<f64>,
    /// Points earned: weight × min(1, value / target); `None` when not scored.
    pub points: Option<f64>,
}

/// One assessed unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitScore {
    /// The unit's code.
    pub unit: String,
    /// Its name.
    pub name: String,
    /// Its score out of 100; `None` when no item could be scored.
    pub score: Option<f64>,
    /// 1 for the best; units with equal scores share a rank; `None` when not scored.
    pub rank: Option<u32>,
    /// Each item, in the rules' order.
    pub items: Vec<ItemScore>,
}

/// The assessment of a unit's children over a period (a year, usually).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The unit whose children are assessed.
    pub unit: String,
    /// The period, as text.
    pub period: String,
    /// The rules applied.
    pub rules: AssessmentRules,
    /// The children, best first; those with no score last, by code.
    pub rows: Vec<UnitScore>,
}

impl Assessment {
    /// The assessment as JSON (the C API's shape; Python's `to_json`).
    pub fn to_json(&self) -> Value {
        json!(self)
    }
}

impl Store {
    /// Sets the assessment rules in force from `start` (default: always) from JSON (see
    /// [`AssessmentRules::from_json`]). Needs an unrestricted handle.
    pub fn set_assessment_rules_json(&self, json: &str, start: Option<Date>) -> Result<()> {
        sets::set_json(
            self,
            RuleTable::Assessment,
            (json, start),
            |_, v| Ok(vec![AssessmentRules::from_json(v)?]),
            AssessmentRules::to_json,
        )
    }

    /// The assessment rules in force on `as_of` (default today).
    pub fn assessment_rules(&self, as_of: Option<Date>) -> Result<AssessmentRules> {
        let day = date::to_sql(as_of.unwrap_or_else(|| self.today()));
        let sets = sets::load(
            &*self.read()?,
            RuleTable::Assessment,
            // Stored as a one-element array, as every rule set is.
            |v| Ok(vec![AssessmentRules::from_json(v.get(0).unwrap_or(v))?]),
            || vec![default_assessment_rules()],
        )?;
        Ok(sets::in_force(&sets, day)
            .first()
            .cloned()
            .unwrap_or_else(default_assessment_rules))
    }

    /// Assesses the direct children of `unit` over `period` (考核) with the rules in force
    /// on the period's first day, and ranks them.
    pub fn assessment(&self, unit: &str, period: Period) -> Result<Assessment> {
        let rules = self.assessment_rules(Some(period.first()))?;
        let report = self.report(unit, period)?;
        let mut rows: Vec<UnitScore> = Vec::new();
        for row in report.rows.iter().filter(|r| !r.own) {
            let values = serde_json::to_value(&row.indicators).unwrap_or(Value::Null);
            let (mut points, mut weights) = (0.0, 0.0);
            let items = rules
                .items
                .iter()
                .map(|item| {
                    let v = &values[item.indicator.as_str()];
                    let num = v["num"].as_u64().unwrap_or(0);
                    let den = v["den"].as_u64().unwrap_or(0);
                    let value = v["value"].as_f64();
                    let earned = value
                        .filter(|_| den >= rules.min_sample)
                        .map(|x| item.weight * (x / item.target).min(1.0));
                    if let Some(p) = earned {
                        points += p;
                        weights += item.weight;
                    }
                    ItemScore {
                        indicator: item.indicator.clone(),
                        num,
                        den,
                        value,
                        points: earned,
                    }
                })
                .collect();
            rows.push(UnitScore {
                unit: row.unit.clone(),
                name: row.name.clone(),
                score: (weights > 0.0).then(|| 100.0 * points / weights),
                rank: None,
                items,
            });
        }
        rows.sort_by(|a, b| match (a.score, b.score) {
            (Some(x), Some(y)) => y.total_cmp(&x).then_with(|| a.unit.cmp(&b.unit)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.unit.cmp(&b.unit),
        });
        let mut previous: Option<(f64, u32)> = None;
        for (i, row) in rows.iter_mut().enumerate() {
            let Some(score) = row.score else { break };
            let rank = match previous {
                // Scores equal to a millionth of a point share a rank.
                Some((s, r)) if (s - score).abs() < 1e-6 => r,
                _ => u32::try_from(i + 1).unwrap_or(u32::MAX),
            };
            row.rank = Some(rank);
            previous = Some((score, rank));
        }
        Ok(Assessment {
            unit: report.unit,
            period: period.to_string(),
            rules,
            rows,
        })
    }
}
