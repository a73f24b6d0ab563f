//! The ledger's query shapes read from JSON: which entries to list, and what to classify
//! without registering.

use chrono::FixedOffset;
use serde::Deserialize;

use super::{Classification, EntryQuery, Standing, Status};
use crate::date::{self, Moment};
use crate::error::Result;
use crate::json;
use crate::period::Period;
use crate::store::Store;

/// An optional moment given as text: RFC 3339, or a local time read in `offset`.
fn opt_moment(
    field: &'static str,
    text: Option<&str>,
    offset: FixedOffset,
) -> Result<Option<Moment>> {
    text.map(|t| date::parse_moment(field, t, offset))
        .transpose()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QueryShape {
    unit: String,
    #[serde(default)]
    at: Option<String>,
    #[serde(default)]
    standing: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    book: Option<String>,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    overdue: Option<bool>,
}

impl EntryQuery {
    /// Reads a query from a JSON object `{"unit": text, "at": text|null, "standing":
    /// "resolved"|"pending"|"hard"|null, "status": text|null, "book": text|null,
    /// "category": text|null, "period": text|null, "overdue": bool|null}`: only `unit` is
    /// required; `at` is RFC 3339 or a local time read in `offset` (default now);
    /// `period` as [`Period::parse`] reads it (`2024-03-17`, `2024-W11`, `2024-03`,
    /// `2024-Q1`, `2024-H1`, `2024`). A bad value is `InvalidInput` naming its key; an
    /// unknown key or another shape names `query`.
    pub fn from_json(json: &str, offset: FixedOffset) -> Result<EntryQuery> {
        let shape: QueryShape = json::object(json, "query", false)?;
        Ok(EntryQuery {
            at: opt_moment("at", shape.at.as_deref(), offset)?,
            standing: shape.standing.as_deref().map(Standing::parse).transpose()?,
            status: shape.status.as_deref().map(Status::parse).transpose()?,
            book: shape.book,
            category: shape.category,
            period: shape.period.as_deref().map(Period::parse).transpose()?,
            overdue: shape.overdue,
            ..EntryQuery::new(&shape.unit)
        })
    }
}

/// What [`Store::classify`] is asked: an entry classified without registering it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClassifyRequest {
    /// The category; `None` lets the summary's keywords suggest one.
    pub category: Option<String>,
    /// The summary (may be empty when a category is given).
    pub summary: String,
    /// The household: its tags that day add books, its unit that day finds the handler.
    pub household_id: Option<String>,
    /// Where the entry would be raised: finds the handler.
    pub unit: Option<String>,
    /// Flagged urgent.
    pub urgent: bool,
    /// The moment whose rules apply; default now.
    pub at: Option<Moment>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClassifyShape {
    #[serde(default)]
    category: Option<String>,
    summary: String,
    #[serde(default)]
    household_id: Option<String>,
    #[serde(default)]
    unit: Option<String>,
    #[serde(default)]
    urgent: bool,
    #[serde(default)]
    at: Option<String>,
}

impl ClassifyRequest {
    /// Reads a request from a JSON object `{"summary": text, "category": text|null,
    /// "household_id": text|null, "unit": text|null, "urgent": bool, "at": text|null}`:
    /// only `summary` is required; `urgent` defaults to false; `at` is RFC 3339 or a local
    /// time read in `offset` (default now). A bad value is `InvalidInput` naming its key;
    /// an unknown key or another shape names `request`.
    pub fn from_json(json: &str, offset: FixedOffset) -> Result<ClassifyRequest> {
        let shape: ClassifyShape = json::object(json, "request", false)?;
        Ok(ClassifyRequest {
            at: opt_moment("at", shape.at.as_deref(), offset)?,
            category: shape.category,
            summary: shape.summary,
            household_id: shape.household_id,
            unit: shape.unit,
            urgent: shape.urgent,
        })
    }
}

impl Store {
    /// [`Store::classify`] with its arguments taken from `request`.
    pub fn classify_request(&self, request: &ClassifyRequest) -> Result<Classification> {
        self.classify(
            request.category.as_deref(),
            &request.summary,
            request.household_id.as_deref(),
            request.unit.as_deref(),
            request.urgent,
            request.at.as_ref(),
        )
    }
}
