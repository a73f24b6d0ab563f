//! Residents: added to a household, moved between households, read back masked (or in
//! clear, audited).

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::id_number::{Sex, mask_id_number, parse_id_number};
use crate::privacy::mask_phone;
use crate::store::Store;
use crate::store::keys::{Field, Vault};

use super::tags::{MEMBERS_ON, check_tag, insert_tag, tag_kinds};
use super::{NewResident, Resident, check_phone, check_resident_extra, check_text, relation_name};

/// The membership of a resident valid on `on`: (`household_id`, relation, `valid_from`).
pub(crate) fn membership_on(
    conn: &Connection,
    resident_id: i64,
    on: i64,
) -> Result<Option<(String, String, i64)>> {
    Ok(conn
        .prepare_cached(
            "SELECT household_id, relation, member_since FROM resident
             WHERE resident_id = ?1 AND member_since <= ?2
             UNION ALL
             SELECT household_id, relation, valid_from FROM membership
             WHERE resident_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
        )?
        .query_row(params![resident_id, on], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?)
}

impl Store {
    pub(super) fn resident_in_scope(
        &self,
        conn: &Connection,
        resident_id: i64,
        on: Date,
    ) -> Result<String> {
        let (household_id, _, _) = membership_on(conn, resident_id, date::to_sql(on))?
            .ok_or_else(|| Error::not_found("resident", format!("{resident_id} on {on}")))?;
        // A resident outside is not found, without naming their household.
        self.household_in_scope(conn, &household_id, on)
            .map_err(|e| match e.kind() {
                crate::ErrorKind::NotFound => {
                    Error::not_found("resident", format!("{resident_id} on {on}"))
                }
                _ => e,
            })?;
        Ok(household_id)
    }

    /// Adds a resident to a household from `start` (default: as long as the household).
    /// The ID number is checked (GB 11643) against the start date (or today); a number
    /// already in the store is a `Conflict`.
    pub fn add_resident(
        &self,
        household_id: &str,
        resident: &NewResident,
        start: Option<Date>,
    ) -> Result<Resident> {
        let on = start.unwrap_or_else(|| self.today());
        let id = self.write(|w| self.add_resident_in(w, household_id, resident, start))?;
        self.resident(id, Some(on))
    }

    pub(crate) fn add_resident_in(
        &self,
        w: &mut crate::store::Write<'_>,
        household_id: &str,
        resident: &NewResident,
        start: Option<Date>,
    ) -> Result<i64> {
        let on = start.unwrap_or_else(|| self.today());
        check_text("name", &resident.name, 100)?;
        let id = resident
            .id_number
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|n| parse_id_number(n, on))
            .transpose()?;
        if let Some(phone) = resident.phone.as_deref() {
            check_phone(phone)?;
        }
        check_resident_extra("hukou", resident.hukou.as_deref())?;
        check_resident_extra("employer", resident.employer.as_deref())?;
        let relation = relation_name(
            resident
                .relation
                .as_deref()
                .unwrap_or(NewResident::DEFAULT_RELATION),
        );
        check_text("relation", relation, 32)?;
        let unit = self.household_in_scope(&w.tx, household_id, on)?;
        let kinds = tag_kinds(&w.tx)?;
        for tag in &resident.tags {
            check_tag(&kinds, tag)?;
        }
        let household_start: i64 =
            w.tx.prepare_cached("SELECT start FROM household WHERE household_id = ?1")?
                .query_row([household_id], |r| r.get(0))?;
        let start_sql = start.map_or(household_start, date::to_sql);
        let vault = self.vault();
        let (id_lookup, id_sealed) = vault.seal_id(id.as_ref().map(|i| i.number.as_str()))?;
        let phone = vault.seal(Field::ResidentPhone, b"", resident.phone.as_deref())?;
        w.tx.prepare_cached(
            "INSERT INTO resident (name, id_number, id_upgraded, birth_date, sex, phone, hukou, employer,
                                   household_id, relation, member_since, id_sealed)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        )?
        .execute(params![
            resident.name,
            id_lookup,
            id.as_ref().is_some_and(|i| i.upgraded),
            id.as_ref().map(|i| date::to_sql(i.birth_date)),
            id.as_ref().map(|i| i.sex.as_str()),
            phone,
            resident.hukou,
            resident.employer,
            household_id,
            relation,
            start_sql,
            id_sealed
        ])
        .map_err(|e| match &e {
            rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => Error::Conflict(
                format!("ID number {} is already in the store", mask_id_number(&id.as_ref().map(|i| i.number.clone()).unwrap_or_default())),
            ),
            _ => Error::from(e),
        })?;
        let resident_id = w.tx.last_insert_rowid();
        w.changes_household(household_id);
        let label = format!("resident {resident_id}");
        for tag in &resident.tags {
            insert_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                start_sql,
                FOREVER,
            )?;
        }
        w.audit(
            "add_resident",
            &resident_id.to_string(),
            &[unit],
            &json!({"household_id": household_id, "relation": relation}),
        )?;
        Ok(resident_id)
    }

    /// Moves a resident to another household from `on`, with their relation to its head.
    pub fn move_resident(
        &self,
        resident_id: i64,
        household_id: &str,
        relation: &str,
        on: Date,
    ) -> Result<Resident> {
        let relation = relation_name(relation);
        check_text("relation", relation, 32)?;
        let on_sql = date::to_sql(on);
        self.write(|w| {
            let from = self.resident_in_scope(&w.tx, resident_id, on)?;
            let from_unit = super::latest_unit(&w.tx, &from)?;
            let to_unit = self.household_in_scope(&w.tx, household_id, on)?;
            let (_, old_relation, valid_from) = membership_on(&w.tx, resident_id, on_sql)?
                .ok_or_else(|| Error::not_found("resident", resident_id))?;
            let since: i64 = w
                .tx
                .prepare_cached("SELECT member_since FROM resident WHERE resident_id = ?1")?
                .query_row([resident_id], |r| r.get(0))?;
            if since > on_sql {
                return Err(Error::Conflict(format!("resident {resident_id} has moves recorded after {on}")));
            }
            // The membership valid on `on` is the latest, on the resident's row.
            if valid_from != on_sql {
                w.tx.prepare_cached(
                    "INSERT INTO membership (resident_id, valid_from, valid_to, household_id, relation) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![resident_id, valid_from, on_sql, from, old_relation])?;
            }
            w.tx.prepare_cached("UPDATE resident SET household_id = ?2, relation = ?3, member_since = ?4 WHERE resident_id = ?1")?
                .execute(params![resident_id, household_id, relation, on_sql])?;
            w.changes_household(&from);
            w.changes_household(household_id);
            w.audit(
                "move_resident",
                &resident_id.to_string(),
                &from_unit.into_iter().chain([to_unit]).collect::<Vec<_>>(),
                &json!({"from": from, "to": household_id, "on": on.to_string()}),
            )
        })?;
        self.resident(resident_id, Some(on))
    }

    /// A resident as they stood on `as_of` (default today), ID number and phone masked.
    pub fn resident(&self, resident_id: i64, as_of: Option<Date>) -> Result<Resident> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.read()?;
        let household_id = self.resident_in_scope(&conn, resident_id, on)?;
        let mut found = residents_of(
            &conn,
            &self.vault(),
            &household_id,
            date::to_sql(on),
            Some(resident_id),
        )?;
        found
            .pop()
            .ok_or_else(|| Error::not_found("resident", resident_id))
    }

    /// The residents of a household on `as_of` (default today), heads first, then by id.
    pub fn residents(&self, household_id: &str, as_of: Option<Date>) -> Result<Vec<Resident>> {
        let on = as_of.unwrap_or_else(|| self.today());
        let conn = self.read()?;
        self.household_in_scope(&conn, household_id, on)?;
        residents_of(&conn, &self.vault(), household_id, date::to_sql(on), None)
    }

    /// A resident's ID number and phone in clear. The read is recorded in the audit chain.
    pub fn resident_clear(&self, resident_id: i64) -> Result<(Option<String>, Option<String>)> {
        let today = self.today();
        self.write(|w| {
            let latest: Option<i64> =
                w.tx.prepare_cached("SELECT member_since FROM resident WHERE resident_id = ?1")?
                    .query_row([resident_id], |r| r.get(0))
                    .optional()?;
            let Some(latest) = latest else {
                return Err(Error::not_found("resident", resident_id));
            };
            let on = if latest > date::to_sql(today) {
                date::from_sql(latest)
            } else {
                today
            };
            if self.access.root.is_some() {
                self.resident_in_scope(&w.tx, resident_id, on)?;
            }
            let household_id: String =
                w.tx.prepare_cached("SELECT household_id FROM resident WHERE resident_id = ?1")?
                    .query_row([resident_id], |r| r.get(0))?;
            let unit = super::latest_unit(&w.tx, &household_id)?;
            let (lookup, sealed, phone) =
                w.tx.prepare_cached(
                    "SELECT id_number, id_sealed, phone FROM resident WHERE resident_id = ?1",
                )?
                .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let vault = self.vault();
            let clear = (
                vault.open_id(lookup, sealed)?,
                vault.open(Field::ResidentPhone, b"", phone)?,
            );
            w.changes_no_household();
            w.audit(
                "read_clear",
                &resident_id.to_string(),
                unit.as_slice(),
                &json!({"fields": ["id_number", "phone"]}),
            )?;
            Ok(clear)
        })
    }
}

/// Residents of one household on `on` (or just `only`), heads first.
fn residents_of(
    conn: &Connection,
    vault: &Vault,
    household_id: &str,
    on: i64,
    only: Option<i64>,
) -> Result<Vec<Resident>> {
    let mut stmt = conn.prepare_cached(&format!(
        "WITH m AS ({MEMBERS_ON})
         SELECT r.resident_id, r.name, r.id_number, r.id_upgraded, r.sex, r.phone, r.hukou, r.employer, m.relation,
                r.id_sealed
         FROM m JOIN resident r ON r.resident_id = m.resident_id
         WHERE ?3 IS NULL OR r.resident_id = ?3"
    ))?;
    let mut rows = stmt.query(params![household_id, on, only])?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let sex: Option<String> = row.get(4)?;
        out.push(Resident {
            resident_id: row.get(0)?,
            household_id: household_id.to_owned(),
            name: row.get(1)?,
            id_number: vault
                .open_id(row.get(2)?, row.get(9)?)?
                .as_deref()
                .map(mask_id_number),
            id_upgraded: row.get(3)?,
            sex: sex.map(|s| if s == "male" { Sex::Male } else { Sex::Female }),
            phone: vault
                .open(Field::ResidentPhone, b"", row.get(5)?)?
                .as_deref()
                .map(mask_phone),
            hukou: row.get(6)?,
            employer: row.get(7)?,
            relation: row.get(8)?,
            tags: Vec::new(),
        });
    }
    let mut tag_stmt = conn.prepare_cached(
        "SELECT tag FROM tag WHERE resident_id = ?1 AND start <= ?2 AND end_day > ?2 ORDER BY tag",
    )?;
    for resident in &mut out {
        resident.tags = tag_stmt
            .query_map(params![resident.resident_id, on], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    out.sort_by(|a, b| {
        (a.relation != "head")
            .cmp(&(b.relation != "head"))
            .then(a.resident_id.cmp(&b.resident_id))
    });
    Ok(out)
}
