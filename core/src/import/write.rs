//! Writing checked rows: households and residents inserted, or updated with history.

use foldhash::HashSet;
use rusqlite::types::Value;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::ImportResult;
use super::check::{Valid, digest_row, opt, relation_of};
use super::file::Fields;
use crate::date::{self, Date, FOREVER};
use crate::error::Result;
use crate::registry::{TagKind, relation_name};
use crate::snapshot::PATCH_LIMIT;
use crate::store::keys::{Field, Vault};
use crate::submit::locks::{Locks, TagDay};

/// A resident's ID number (its look-up value and, in a keyed store, its sealed form) and
/// phone as the `resident` row holds them. In a keyed store making them is SM4-GCM and
/// HMAC-SM3 work, so an import makes them on its checking thread, ahead of the writing
/// one, which then only binds them.
pub(super) struct Stored {
    id_lookup: Option<Value>,
    id_sealed: Option<Value>,
    phone: Option<Value>,
}

impl Stored {
    /// The values for a checked row's ID number and phone.
    pub(super) fn of(vault: &Vault, id_number: Option<&str>, phone: Option<&str>) -> Result<Self> {
        let (id_lookup, id_sealed) = vault.seal_id(id_number)?;
        let phone = vault.seal(Field::ResidentPhone, b"", phone)?;
        Ok(Stored {
            id_lookup,
            id_sealed,
            phone,
        })
    }
}

/// Writes checked rows: households inserted or updated, residents inserted or updated,
/// with their tags. A new household or resident is one row (its place or membership is on
/// it); a changed one keeps its earlier place or membership as history.
pub(super) struct ImportWriter<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    /// Whether the store held an approval lock when the import's write began.
    locks: Locks,
    /// How ID numbers and phones are written: in clear or sealed.
    vault: std::sync::Arc<Vault>,
    on: i64,
    insert_household: rusqlite::CachedStatement<'t>,
    insert_resident: rusqlite::CachedStatement<'t>,
    insert_tag: rusqlite::CachedStatement<'t>,
    household_has_tag: rusqlite::CachedStatement<'t>,
    resident_has_tag: rusqlite::CachedStatement<'t>,
    /// By the household's number in the file: whether it is written yet, and if so
    /// whether it is new.
    households: Vec<Option<bool>>,
    /// Households and residents inserted and updated, in an otherwise empty result.
    counts: ImportResult,
    rows: u64,
    /// The digest of the rows written, when it is not the digest of all good rows.
    digest: Option<Sha256>,
    /// The households whose registry facts changed, until there are too many to name.
    changed: Option<HashSet<String>>,
    /// The units households were written to or moved from, for the audit.
    units: HashSet<String>,
}

impl<'t> ImportWriter<'t> {
    pub(super) fn new(
        tx: &'t rusqlite::Transaction<'t>,
        on: Date,
        digest: bool,
        vault: std::sync::Arc<Vault>,
    ) -> Result<Self> {
        Ok(ImportWriter {
            tx,
            locks: Locks::read(tx)?,
            vault,
            on: date::to_sql(on),
            // Inserts step aside for an existing row: a new row (the common case) costs one
            // index descent instead of a lookup and then an insert.
            insert_household: tx.prepare_cached(
                "INSERT INTO household (household_id, address, kind, start, ended, unit, unit_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?4) ON CONFLICT (household_id) DO NOTHING",
            )?,
            insert_resident: tx.prepare_cached(
                "INSERT INTO resident (name, id_number, id_upgraded, birth_date, sex, phone, hukou, employer,
                                       household_id, relation, member_since, id_sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) ON CONFLICT (id_number) DO NOTHING",
            )?,
            insert_tag: tx.prepare_cached(
                "INSERT INTO tag (household_id, resident_id, tag, start, end_day) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            // Equality on the owner column, so each lookup uses its partial index.
            household_has_tag: tx.prepare_cached(
                "SELECT 1 FROM tag WHERE household_id = ?1 AND tag = ?2 AND start <= ?3 AND end_day > ?3",
            )?,
            resident_has_tag: tx.prepare_cached(
                "SELECT 1 FROM tag WHERE resident_id = ?1 AND tag = ?2 AND start <= ?3 AND end_day > ?3",
            )?,
            households: Vec::new(),
            counts: ImportResult::default(),
            rows: 0,
            digest: digest.then(Sha256::new),
            changed: Some(HashSet::default()),
            units: HashSet::default(),
        })
    }

    fn changed(&mut self, household_id: &str) {
        if let Some(set) = &mut self.changed {
            set.insert(household_id.to_owned());
            if set.len() > PATCH_LIMIT {
                self.changed = None;
            }
        }
    }

    /// Households and residents inserted and updated (in an otherwise empty result), rows
    /// written, the digest of the rows written (when it was kept), the households changed
    /// (unless too many), and the units written to or moved from.
    #[allow(clippy::type_complexity)]
    pub(super) fn finish(
        self,
    ) -> (
        ImportResult,
        u64,
        Option<Vec<u8>>,
        Option<HashSet<String>>,
        Vec<String>,
    ) {
        (
            self.counts,
            self.rows,
            self.digest.map(|d| d.finalize().to_vec()),
            self.changed,
            self.units.into_iter().collect(),
        )
    }

    /// Writes one checked row, with its [`Stored`] values when they were made ahead.
    pub(super) fn write(&mut self, row: &Fields<'_>, c: &mut Valid) -> Result<()> {
        let hid = row.household_id;
        let on = self.on;
        self.rows += 1;
        if let Some(digest) = &mut self.digest {
            digest_row(digest, row, c.id_number.as_deref());
        }
        let number = c.household as usize;
        if self.households.len() <= number {
            self.households.resize(number + 1, None);
        }
        let new_household = if let Some(new) = self.households[number] {
            new
        } else {
            let new = self.write_household(row, c)?;
            self.households[number] = Some(new);
            new
        };
        // A new household's residents and tags hold from its beginning; anything else
        // changes from the import's day.
        let since = if new_household { date::BEGINNING } else { on };
        let relation = relation_of(relation_name(
            opt(row.relation).unwrap_or(crate::registry::NewResident::DEFAULT_RELATION),
        ));
        // A resident is known by ID number anywhere in the store, or without one by name
        // within an existing household. Anyone else is inserted straight away; an insert
        // that meets a known ID number steps aside and the resident is updated.
        let by_name: Option<i64> = if c.id_number.is_none() && !new_household {
            self.tx
                .prepare_cached(
                    "SELECT resident_id FROM resident
                     WHERE household_id = ?1 AND member_since <= ?2 AND name = ?3 AND id_number IS NULL
                     UNION ALL
                     SELECT r.resident_id FROM membership m JOIN resident r ON r.resident_id = m.resident_id
                     WHERE m.household_id = ?1 AND m.valid_from <= ?2 AND m.valid_to > ?2
                       AND r.name = ?3 AND r.id_number IS NULL
                     LIMIT 1",
                )?
                .query_row(params![hid, on, row.name], |r| r.get(0))
                .optional()?
        } else {
            None
        };
        // Found by name means no ID number: nothing to seal for it.
        let Stored {
            id_lookup,
            id_sealed,
            phone,
        } = match c.stored.take() {
            Some(stored) => stored,
            None => Stored::of(&self.vault, c.id_number.as_deref(), opt(row.phone))?,
        };
        let added = by_name.is_none()
            && self.insert_resident.execute(params![
                row.name,
                id_lookup,
                c.upgraded,
                c.birth_date,
                c.sex,
                phone,
                opt(row.hukou),
                opt(row.employer),
                hid,
                relation,
                since,
                id_sealed
            ])? == 1;
        let resident_id = if added {
            self.counts.residents_inserted += 1;
            self.tx.last_insert_rowid()
        } else {
            let id = match (by_name, c.id_number.as_deref()) {
                (Some(id), _) => id,
                (None, _) => self
                    .tx
                    .prepare_cached("SELECT resident_id FROM resident WHERE id_number = ?1")?
                    .query_row([&id_lookup], |r| r.get(0))?,
            };
            self.tx
                .prepare_cached(
                    "UPDATE resident SET name = ?2, phone = ?3, hukou = ?4, employer = ?5 WHERE resident_id = ?1",
                )?
                .execute(params![
                    id,
                    row.name,
                    phone,
                    opt(row.hukou),
                    opt(row.employer)
                ])?;
            if let Some(left) = self.set_membership(id, hid, relation)? {
                if let Some(unit) = crate::registry::latest_unit(self.tx, &left)? {
                    self.units.insert(unit);
                }
                self.changed(&left);
            }
            self.counts.residents_updated += 1;
            id
        };
        for tag in TagKind::split(row.resident_tags) {
            if self
                .resident_has_tag
                .query_row(params![resident_id, tag, on], |_| Ok(()))
                .optional()?
                .is_none()
            {
                crate::submit::locks::check_tag_day(
                    self.tx,
                    self.locks,
                    (None, Some(resident_id)),
                    (TagDay::Start, since),
                )?;
                self.insert_tag.execute(params![
                    None::<String>,
                    resident_id,
                    tag,
                    since,
                    FOREVER
                ])?;
            }
        }
        Ok(())
    }

    /// Writes the household of a row seen first; returns whether it is new.
    fn write_household(&mut self, row: &Fields<'_>, c: &Valid) -> Result<bool> {
        let hid = row.household_id;
        let on = self.on;
        let unit = c.unit.as_deref().unwrap_or(row.unit);
        self.changed(hid);
        if !self.units.contains(unit) {
            self.units.insert(unit.to_owned());
        }
        crate::submit::locks::check_arrival(self.tx, self.locks, unit, date::BEGINNING)?;
        let new = self.insert_household.execute(params![
            hid,
            row.address,
            c.kind.as_str(),
            date::BEGINNING,
            FOREVER,
            unit
        ])? == 1;
        if new {
            self.counts.households_inserted += 1;
        } else {
            self.tx
                .prepare_cached(
                    "UPDATE household SET address = ?2, kind = ?3 WHERE household_id = ?1",
                )?
                .execute(params![hid, row.address, c.kind.as_str()])?;
            self.set_place(hid, unit)?;
            self.counts.households_updated += 1;
        }
        // A new household has no tags yet; an existing one keeps those it has.
        let since = if new { date::BEGINNING } else { on };
        for tag in TagKind::split(row.tags) {
            if new
                || self
                    .household_has_tag
                    .query_row(params![hid, tag, on], |_| Ok(()))
                    .optional()?
                    .is_none()
            {
                crate::submit::locks::check_tag_day(
                    self.tx,
                    self.locks,
                    (Some(hid), None),
                    (TagDay::Start, since),
                )?;
                self.insert_tag
                    .execute(params![hid, None::<i64>, tag, since, FOREVER])?;
            }
        }
        Ok(new)
    }

    /// Makes an existing household live in `unit` from the import's day, unless it already
    /// does. Changes recorded for later days give way to the import; a household that had
    /// ended is back on the registry.
    fn set_place(&mut self, hid: &str, unit: &str) -> Result<()> {
        let on = self.on;
        let tx = self.tx;
        let (current, since, ended): (String, i64, i64) = tx
            .prepare_cached(
                "SELECT unit, unit_since, ended FROM household WHERE household_id = ?1",
            )?
            .query_row([hid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if current == unit && since <= on && on < ended {
            return Ok(());
        }
        self.units.insert(current.clone());
        let earlier: Option<String> = tx
            .prepare_cached(
                "SELECT unit FROM household_place WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
            )?
            .query_row(params![hid, on], |r| r.get(0))
            .optional()?;
        if earlier.as_deref() == Some(unit) {
            return Ok(());
        }
        tx.prepare_cached(
            "DELETE FROM household_place WHERE household_id = ?1 AND valid_from >= ?2",
        )?
        .execute(params![hid, on])?;
        tx.prepare_cached(
            "UPDATE household_place SET valid_to = ?2 WHERE household_id = ?1 AND valid_from < ?2 AND valid_to > ?2",
        )?
        .execute(params![hid, on])?;
        // The row's own stretch, as far as it lies before the import's day, becomes history.
        if since < on && since < ended {
            tx.prepare_cached(
                "INSERT INTO household_place (household_id, valid_from, valid_to, unit) VALUES (?1, ?2, ?3, ?4)",
            )?
            .execute(params![hid, since, ended.min(on), current])?;
        }
        crate::submit::locks::check_move(tx, self.locks, &current, unit, on)?;
        tx.prepare_cached(
            "UPDATE household SET unit = ?2, unit_since = ?3, ended = max(ended, CASE WHEN ended <= ?3 THEN ?4 ELSE ended END)
             WHERE household_id = ?1",
        )?
        .execute(params![hid, unit, on, FOREVER])?;
        Ok(())
    }

    /// Makes an existing resident a member of `hid` with `relation` from the import's day,
    /// unless they already are. Moves recorded for later days give way to the import.
    /// Returns the household they were in, if that changed.
    fn set_membership(
        &self,
        resident_id: i64,
        hid: &str,
        relation: &str,
    ) -> Result<Option<String>> {
        let on = self.on;
        let tx = self.tx;
        let (current, current_relation, since): (String, String, i64) = tx
            .prepare_cached(
                "SELECT household_id, relation, member_since FROM resident WHERE resident_id = ?1",
            )?
            .query_row([resident_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        if current == hid && current_relation == relation && since <= on {
            return Ok(None);
        }
        let earlier: Option<(String, String)> = tx
            .prepare_cached(
                "SELECT household_id, relation FROM membership WHERE resident_id = ?1 AND valid_from <= ?2 AND valid_to > ?2",
            )?
            .query_row(params![resident_id, on], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if earlier
            .as_ref()
            .is_some_and(|(h, rel)| h == hid && rel == relation)
        {
            return Ok(None);
        }
        tx.prepare_cached("DELETE FROM membership WHERE resident_id = ?1 AND valid_from >= ?2")?
            .execute(params![resident_id, on])?;
        tx.prepare_cached(
            "UPDATE membership SET valid_to = ?2 WHERE resident_id = ?1 AND valid_from < ?2 AND valid_to > ?2",
        )?
        .execute(params![resident_id, on])?;
        if since < on {
            tx.prepare_cached(
                "INSERT INTO membership (resident_id, valid_from, valid_to, household_id, relation) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![resident_id, since, on, current, current_relation])?;
        }
        tx.prepare_cached(
            "UPDATE resident SET household_id = ?2, relation = ?3, member_since = ?4 WHERE resident_id = ?1",
        )?
        .execute(params![resident_id, hid, relation, on])?;
        Ok(Some(current))
    }
}
