//! Households: added, moved, ended, read back for a day, listed for a subtree.

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::paging::{Page, Paging, read_batches};
use crate::store::Store;
use crate::submit::locks::Locks;
use crate::units::span_on;

use super::tags::{
    SUBTREE_PLACED, check_tag, class_of, household_tags, insert_tag, subtree_tags, tag_kinds,
};
use super::{
    Household, HouseholdClass, HouseholdFilter, HouseholdKind, check_household_id, check_text,
};

/// The placement of a household valid on `on`: (unit, `valid_from`, `valid_to`).
pub(crate) fn place_on(
    conn: &Connection,
    household_id: &str,
    on: i64,
) -> Result<Option<(String, i64, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT unit, unit_since, ended FROM household
             WHERE household_id = ?1 AND unit_since <= ?2 AND ended > ?2
             UNION ALL
             SELECT unit, valid_from, valid_to FROM household_place
             WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
        )?
        .query_row(params![household_id, on], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

/// The unit household `household_id` lives in (or last lived in), for the audit.
pub(crate) fn latest_unit(conn: &Connection, household_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT unit FROM household WHERE household_id = ?1")?
        .query_row([household_id], |r| r.get(0))
        .optional()?)
}

impl Store {
    /// Checks that `unit` exists on `on`, is a place households live (a unit without units
    /// below it is expected but not required) and lies in this handle's scope.
    pub(super) fn check_household_unit(
        &self,
        conn: &Connection,
        unit: &str,
        on: Date,
    ) -> Result<()> {
        let span = span_on(conn, unit, on)?
            .ok_or_else(|| Error::not_found("unit", format!("{unit} on {on}")))?;
        self.check_path_in_scope(unit, &span.path)
    }

    /// Checks that `household_id` lives, on `on`, in this handle's scope; returns its unit.
    pub(super) fn household_in_scope(
        &self,
        conn: &Connection,
        household_id: &str,
        on: Date,
    ) -> Result<String> {
        check_household_id(household_id)?;
        let (unit, _, _) = place_on(conn, household_id, date::to_sql(on))?
            .ok_or_else(|| Error::not_found("household", format!("{household_id} on {on}")))?;
        if self.access.root.is_some() {
            let span = span_on(conn, &unit, on)?.ok_or_else(|| Error::not_found("unit", &unit))?;
            self.check_hidden(&span.path, "household", format!("{household_id} on {on}"))?;
        }
        Ok(unit)
    }

    /// Checks a household exists and, for a scoped handle, lives in scope on `on` (or, if
    /// it had left by then, where it last lived). Returns its last re-verification day.
    pub(crate) fn household_visible(
        &self,
        conn: &Connection,
        household_id: &str,
        on: Date,
    ) -> Result<Option<Date>> {
        check_household_id(household_id)?;
        let row: Option<(i64, Option<i64>)> = conn
            .prepare_cached("SELECT ended, verified FROM household WHERE household_id = ?1")?
            .query_row([household_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((ended, verified)) = row else {
            return Err(Error::not_found("household", household_id));
        };
        if self.access.root.is_some() {
            let day = if ended == FOREVER || date::to_sql(on) < ended {
                on
            } else {
                date::from_sql(ended - 1)
            };
            self.household_in_scope(conn, household_id, day)?;
        }
        Ok(verified.map(date::from_sql))
    }

    /// Adds a household living in `unit` from `start` (or always), with household tags
    /// from the same day. A duplicate id is a `Conflict`.
    pub fn add_household(
        &self,
        household_id: &str,
        unit: &str,
        address: &str,
        kind: &str,
        tags: &[&str],
        start: Option<Date>,
    ) -> Result<Household> {
        check_household_id(household_id)?;
        check_text("address", address, 200)?;
        let kind = HouseholdKind::parse(kind)?;
        let start_sql = date::start_to_sql(start);
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            self.check_household_unit(&w.tx, unit, on)?;
            let kinds = tag_kinds(&w.tx)?;
            for tag in tags {
                check_tag(&kinds, tag)?;
            }
            crate::submit::locks::check_arrival(&w.tx, Locks::read(&w.tx)?, unit, start_sql)?;
            w.tx.prepare_cached(
                "INSERT INTO household (household_id, address, kind, start, ended, unit, unit_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4)",
            )?
            .execute(params![household_id, address, kind.as_str(), start_sql, FOREVER, unit])
            .map_err(|e| match &e {
                rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY => {
                    Error::Conflict(format!("household id {household_id} already exists"))
                }
                _ => Error::from(e),
            })?;
            for tag in tags {
                insert_tag(&w.tx, (household_id, Some(household_id), None), tag, start_sql, FOREVER)?;
            }
            w.changes_household(household_id);
            w.audit(
                "add_household",
                household_id,
                &[unit],
                &json!({"unit": unit, "kind": kind.as_str(), "tags": tags, "start": start.map(|d| d.to_string())}),
            )
        })?;
        self.household(household_id, Some(on))
    }

    /// Moves a household to `unit` from `on`; its history keeps where it was before.
    pub fn move_household(&self, household_id: &str, unit: &str, on: Date) -> Result<Household> {
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let from = self.household_in_scope(&w.tx, household_id, on)?;
            self.check_household_unit(&w.tx, unit, on)?;
            let (_, valid_from, valid_to) = place_on(&w.tx, household_id, on_sql)?
                .ok_or_else(|| Error::not_found("household", household_id))?;
            if from == unit {
                return Ok(());
            }
            if valid_to != FOREVER {
                return Err(Error::Conflict(format!(
                    "household {household_id} has changes recorded from {}",
                    date::iso(valid_to)
                )));
            }
            // The place valid on `on` runs to FOREVER, so it is the one on the household's row.
            if valid_from != on_sql {
                w.tx.prepare_cached("INSERT INTO household_place (household_id, valid_from, valid_to, unit) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![household_id, valid_from, on_sql, from])?;
            }
            crate::submit::locks::check_move(&w.tx, Locks::read(&w.tx)?, &from, unit, on_sql)?;
            w.tx.prepare_cached("UPDATE household SET unit = ?2, unit_since = ?3 WHERE household_id = ?1")?
                .execute(params![household_id, unit, on_sql])?;
            w.changes_household(household_id);
            w.audit("move_household", household_id, &[from.as_str(), unit], &json!({"from": from, "to": unit, "on": on.to_string()}))
        })?;
        self.household(household_id, Some(on))
    }

    /// Takes a household off the registry from `on` (moved away, dissolved); history keeps it.
    pub fn end_household(&self, household_id: &str, on: Date) -> Result<()> {
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let unit = self.household_in_scope(&w.tx, household_id, on)?;
            let (_, _, valid_to) = place_on(&w.tx, household_id, on_sql)?
                .ok_or_else(|| Error::not_found("household", household_id))?;
            if valid_to != FOREVER {
                return Err(Error::Conflict(format!(
                    "household {household_id} has changes recorded after {on}"
                )));
            }
            // The latest place now ends with the household (empty if it began that day).
            w.tx.prepare_cached("UPDATE household SET ended = ?2 WHERE household_id = ?1")?
                .execute(params![household_id, on_sql])?;
            w.changes_household(household_id);
            w.audit(
                "end_household",
                household_id,
                &[unit],
                &json!({"on": on.to_string()}),
            )
        })
    }

    /// A household as it stood on `as_of` (default today).
    pub fn household(&self, household_id: &str, as_of: Option<Date>) -> Result<Household> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.read()?;
        let unit = self.household_in_scope(&conn, household_id, on)?;
        let (address, kind, start, ended, verified): (String, String, i64, i64, Option<i64>) = conn
            .prepare_cached("SELECT address, kind, start, ended, verified FROM household WHERE household_id = ?1")?
            .query_row([household_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
        let tags = household_tags(&conn, household_id, date::to_sql(on))?;
        let kinds = tag_kinds(&conn)?;
        Ok(Household {
            household_id: household_id.to_owned(),
            unit,
            address,
            kind: HouseholdKind::parse(&kind)?,
            household_class: class_of(&kinds, &tags),
            tags: tags.into_iter().collect(),
            start: date::from_sql_bound(start),
            end: date::from_sql_bound(ended),
            verified: verified.map(date::from_sql),
        })
    }

    /// The households living on the filter's day in `unit`'s whole subtree, filtered by
    /// class, tag and kind, sorted by id.
    pub fn households(&self, unit: &str, filter: &HouseholdFilter) -> Result<Vec<Household>> {
        let on = filter.as_of.unwrap_or_else(|| self.today());
        if let Some(tag) = &filter.tag {
            let conn = self.read()?;
            check_tag(&tag_kinds(&conn)?, tag)?;
        }
        let root = self.unit(unit, Some(on))?;
        let conn = self.read()?;
        let span = span_on(&conn, &root.code, on)?.ok_or_else(|| Error::not_found("unit", unit))?;
        let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
        let on_sql = date::to_sql(on);
        let kinds = tag_kinds(&conn)?;
        let mut tags = subtree_tags(&conn, &span.path, &lo, &hi, on_sql)?;
        let mut stmt = conn.prepare_cached(&format!(
            "WITH p AS ({SUBTREE_PLACED})
             SELECT p.household_id, p.unit, h.address, h.kind, h.start, h.ended, h.verified FROM p
             JOIN household h ON h.household_id = p.household_id"
        ))?;
        let mut rows = stmt.query(params![span.path, lo, hi, on_sql])?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let household_id: String = row.get(0)?;
            let kind = HouseholdKind::parse(&row.get::<_, String>(3)?)?;
            if filter.kind.is_some_and(|k| k != kind) {
                continue;
            }
            let household_tags = tags.remove(&household_id).unwrap_or_default();
            let class = class_of(&kinds, &household_tags);
            if filter.household_class.is_some_and(|c| c != class) {
                continue;
            }
            if filter
                .tag
                .as_ref()
                .is_some_and(|t| !household_tags.contains(t))
            {
                continue;
            }
            out.push(Household {
                household_id,
                unit: row.get(1)?,
                address: row.get(2)?,
                kind,
                household_class: class,
                tags: household_tags.into_iter().collect(),
                start: date::from_sql_bound(row.get(4)?),
                end: date::from_sql_bound(row.get(5)?),
                verified: row.get::<_, Option<i64>>(6)?.map(date::from_sql),
            });
        }
        out.sort_unstable_by(|a, b| a.household_id.cmp(&b.household_id));
        Ok(out)
    }

    /// A page of [`Store::households`]: the same households, in the same order (by id).
    /// The first page fixes the filter's day (`as_of`, default today); later pages keep
    /// it, and an `as_of` other than it is `InvalidInput` naming `after`.
    pub fn households_page(
        &self,
        unit: &str,
        filter: &HouseholdFilter,
        paging: &Paging,
    ) -> Result<Page<Household>> {
        let query = format!(
            "{unit}\n{}\n{}\n{}",
            filter.household_class.map_or("", HouseholdClass::as_str),
            filter.tag.as_deref().unwrap_or(""),
            filter.kind.map_or("", HouseholdKind::as_str),
        );
        let walk = paging.start("households", &query, filter.as_of.map(date::to_sql), || {
            date::to_sql(self.today())
        })?;
        let on = date::from_sql(walk.fixed);
        if let Some(tag) = &filter.tag {
            let conn = self.read()?;
            check_tag(&tag_kinds(&conn)?, tag)?;
        }
        let root = self.unit(unit, Some(on))?;
        let conn = self.read()?;
        let span = span_on(&conn, &root.code, on)?.ok_or_else(|| Error::not_found("unit", unit))?;
        let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
        let kinds = tag_kinds(&conn)?;
        let mut stmt = conn.prepare_cached(&format!(
            "WITH p AS ({SUBTREE_PLACED})
             SELECT p.household_id, p.unit, h.address, h.kind, h.start, h.ended, h.verified FROM p
             JOIN household h ON h.household_id = p.household_id
             WHERE p.household_id > ?5 ORDER BY p.household_id LIMIT ?6"
        ))?;
        let first = walk.key(0).unwrap_or_default().to_owned();
        let items = read_batches(&walk, first, |after, size| {
            let mut rows =
                stmt.query(params![span.path, lo, hi, walk.fixed, after, size as i64])?;
            let mut batch = Vec::new();
            while let Some(row) = rows.next()? {
                let household_id: String = row.get(0)?;
                let kind = HouseholdKind::parse(&row.get::<_, String>(3)?)?;
                let tags = household_tags(&conn, &household_id, walk.fixed)?;
                let class = class_of(&kinds, &tags);
                let kept = filter.kind.is_none_or(|k| k == kind)
                    && filter.household_class.is_none_or(|c| c == class)
                    && filter.tag.as_ref().is_none_or(|t| tags.contains(t));
                let item = kept
                    .then(|| -> Result<Household> {
                        Ok(Household {
                            household_id: household_id.clone(),
                            unit: row.get(1)?,
                            address: row.get(2)?,
                            kind,
                            household_class: class,
                            tags: tags.into_iter().collect(),
                            start: date::from_sql_bound(row.get(4)?),
                            end: date::from_sql_bound(row.get(5)?),
                            verified: row.get::<_, Option<i64>>(6)?.map(date::from_sql),
                        })
                    })
                    .transpose()?;
                batch.push((household_id, item));
            }
            Ok(batch)
        })?;
        Ok(walk.finish(items, |h| vec![h.household_id.clone()]))
    }

    /// The class of a household on `on` (default today).
    pub fn household_class(&self, household_id: &str, on: Option<Date>) -> Result<HouseholdClass> {
        Ok(self.household(household_id, on)?.household_class)
    }
}
