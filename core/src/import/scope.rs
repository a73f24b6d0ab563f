//! What a scoped handle's import may touch: only households and residents registered in
//! its subtree. A row naming a household, or an ID number, registered outside is a
//! per-row error; without this, an import would move them (residents and all) inside.

use std::sync::Arc;

use foldhash::HashMap;
use rusqlite::{Connection, OptionalExtension};

use super::check::{Failure, Valid};
use super::file::Fields;
use crate::date::{self, Date};
use crate::error::Result;
use crate::id_number::mask_id_number;
use crate::registry::{latest_unit, place_on};
use crate::store::keys::Vault;
use crate::store::path_contains;
use crate::units::spans_of;

/// Checks rows against the registry as it stands, for a handle scoped to `root`.
pub(super) struct ScopeCheck<'r> {
    root: &'r str,
    on: Date,
    /// Whether each household looked up so far is registered outside the scope.
    outside: HashMap<String, bool>,
    /// How ID numbers are looked up (their blind index in a keyed store).
    vault: Arc<Vault>,
}

impl<'r> ScopeCheck<'r> {
    pub(super) fn new(root: &'r str, on: Date, vault: Arc<Vault>) -> Self {
        ScopeCheck {
            root,
            on,
            outside: HashMap::default(),
            vault,
        }
    }

    /// Why a row that passed every other check may not be written by this handle, if it
    /// may not: its household, or the resident its ID number names, is registered
    /// outside the scope.
    pub(super) fn check(
        &mut self,
        conn: &Connection,
        row: &Fields<'_>,
        valid: &Valid,
    ) -> Result<Option<Failure>> {
        if self.household_outside(conn, row.household_id)? {
            return Ok(Some((
                "household_id",
                format!(
                    "household {} is registered outside the scope of {}",
                    row.household_id, self.root
                ),
            )));
        }
        if let Some(number) = &valid.id_number {
            let household: Option<String> = conn
                .prepare_cached("SELECT household_id FROM resident WHERE id_number = ?1")?
                .query_row([self.vault.id_lookup(number)], |r| r.get(0))
                .optional()?;
            if let Some(household) = household
                && self.household_outside(conn, &household)?
            {
                return Ok(Some((
                    "id_number",
                    format!(
                        "ID number {} is registered outside the scope of {}",
                        mask_id_number(number),
                        self.root
                    ),
                )));
            }
        }
        Ok(None)
    }

    /// True for a household in the store that lives (on the import's day, or else where
    /// it last lived) outside the scope; false for one not in the store yet.
    fn household_outside(&mut self, conn: &Connection, household_id: &str) -> Result<bool> {
        if let Some(outside) = self.outside.get(household_id) {
            return Ok(*outside);
        }
        let on = date::to_sql(self.on);
        let unit = match place_on(conn, household_id, on)? {
            Some((unit, _, _)) => Some(unit),
            None => latest_unit(conn, household_id)?,
        };
        let outside = match unit {
            None => false,
            Some(unit) => {
                let spans = spans_of(conn, &unit)?;
                let span = spans
                    .iter()
                    .find(|s| s.valid_from <= on && on < s.valid_to)
                    .or(spans.last());
                !span.is_some_and(|s| path_contains(&s.path, self.root))
            }
        };
        self.outside.insert(household_id.to_owned(), outside);
        Ok(outside)
    }
}
