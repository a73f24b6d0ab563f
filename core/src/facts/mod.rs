//! The facts of a store as Parquet files (事实数据导出), for DuckDB on one machine and
//! Spark across many: [`Store::export_parquet`].
//!
//! # Layout
//!
//! A directory holds one folder per table (`units/`, `households/`, ...), each with part
//! files `part-NNNNNN.parquet` (NNNNNN the export's `export_seq`), and beside them the
//! manifest `_wangge.json` and the key digests `_wangge.keys`. Files are Snappy-compressed,
//! written in row groups of at most 65,536 rows. Every table has `store_id` (the store's
//! identity, so many counties' files can be read together) and `export_seq`.
//!
//! # Types
//!
//! Civil dates are Parquet `DATE` in the deployment's time zone (its UTC offset is the
//! `store` table's `utc_offset_seconds`, +08:00 by default); an open end is 9999-12-31.
//! Moments are `TIMESTAMP` in milliseconds, adjusted to UTC. Codes, ids and names of
//! kinds are `STRING`; ledger books `LIST<STRING>`. Every column is listed below (the
//! README's "Facts as Parquet" section holds the same, [`schema_markdown`] writes both).
//!
//! # Personal data
//!
//! Nothing personal is written: no name, ID number, phone, address, birth date, free text
//! (summaries, notes, results), staff member or tag name. Households and entries are
//! their numbers; residents appear only as stretches of membership.
//!
//! # Increments
//!
//! Each export reads the whole store (streaming: one bounded batch per table in memory)
//! and writes only what differs from the previous export into the directory:
//! - `visits` are appended: the visits numbered after the last written;
//! - households (with their places, special stretches, members and visit
//!   requirements), entries (with their events) and submissions are written again when
//!   their digest differs from the one kept in `_wangge.keys` (16 bytes per key);
//! - the small tables (`store`, `units`, `reporting_rules`, `reporting_periods`) are
//!   written whole when anything in them changed.
//!
//! Readers take, per key, the rows of the greatest `export_seq` (see
//! `examples/province/report.sql`). Part files are written under temporary names and
//! renamed once whole; the manifest is written last, so an export that fails leaves the
//! previous one readable.
//!
//! What a directory's manifest may say, and what an export does then:
//! - none (an empty or new directory): a full export; a directory holding table folders
//!   but no manifest is refused (`Conflict`);
//! - written by another store, or for another unit: refused (`Conflict`), nothing
//!   written;
//! - unreadable, edited by hand (its checksum does not match), or listing files that are
//!   gone, or key digests that do not match: refused (`Conflict`): export to a new
//!   directory;
//! - an audit head no longer in the store's chain (the chain was recomputed, or the store
//!   restored from an older copy): a full export, every table written again in a new
//!   part, and the older parts removed once the new manifest is in place.
//!
//! # Schema
//!
#![doc = include_str!("SCHEMA.md")]

mod ledger;
mod manifest;
mod parts;
mod registry;
mod rows;
mod tables;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use serde_json::json;

use crate::error::{Error, Result};
use crate::store::Store;
pub use tables::schema_markdown;

/// The tables' folder names, in the order an export writes them.
pub const TABLE_NAMES: [&str; 13] = [
    "store",
    "units",
    "households",
    "household_places",
    "household_special",
    "household_members",
    "requirements",
    "visits",
    "entries",
    "entry_events",
    "submissions",
    "reporting_rules",
    "reporting_periods",
];

/// What one table of an export holds after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableExport {
    /// The table's name (its folder).
    pub table: String,
    /// Rows this export wrote (0: nothing changed).
    pub rows_written: u64,
    /// The part files the table now has, relative to the directory, oldest first.
    pub files: Vec<String>,
}

/// What [`Store::export_parquet`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParquetExport {
    /// The directory written.
    pub directory: String,
    /// The store's identity, as the files' `store_id` column gives it.
    pub store_id: String,
    /// The unit whose subtree was exported; `None`: the whole store.
    pub unit: Option<String>,
    /// This export's number in the directory (1 for the first).
    pub export_seq: i64,
    /// Whether every table was written afresh (a first export, or a chain that no longer
    /// holds the previous export's head).
    pub full: bool,
    /// The audit chain's record the previous export covered up to (0: none).
    pub audit_from: i64,
    /// The record this export covers up to.
    pub audit_to: i64,
    /// Each table, in [`TABLE_NAMES`] order.
    pub tables: Vec<TableExport>,
}

impl ParquetExport {
    /// The summary as JSON: `{"directory", "store_id", "unit", "export_seq", "full",
    /// "audit_from", "audit_to", "tables": [{"table", "rows_written", "files"}]}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl Store {
    /// Writes the facts of the store, or of `unit`'s subtree, as Parquet files into `dir`
    /// (created if need be), writing only what changed since the previous export into the
    /// same directory. See the [module documentation](crate::facts) for the tables, types,
    /// increments and what happens to a directory written otherwise.
    ///
    /// A scoped handle exports its scope (or `unit` inside it); `unit` outside it is
    /// `PermissionDenied`, an unknown one `NotFound`. The export is recorded in the audit
    /// chain with the range of records it covers.
    pub fn export_parquet(&self, dir: &Path, unit: Option<&str>) -> Result<ParquetExport> {
        crate::text::check_path("directory", dir, "the path of the directory is empty")?;
        let root = match unit {
            Some(u) => Some(u.to_owned()),
            None => self.scope_root().map(str::to_owned),
        };
        let plan = rows::Plan::new(self, root.as_deref())?;
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::Storage(format!("cannot create {}: {e}", dir.display())))?;
        let previous = manifest::Manifest::load(dir, &plan.store_id, root.as_deref())?;
        let (previous, full) = match previous {
            Some(m) if rows::Plan::holds_head(self, &m)? => (Some(m), false),
            Some(m) => (Some(m), true),
            None => (None, true),
        };
        let keys = match &previous {
            Some(m) if !full => manifest::Keys::load(dir, m)?,
            _ => manifest::Keys::default(),
        };
        let seq = previous.as_ref().map_or(0, |m| m.export_seq) + 1;
        let mut next = manifest::Manifest::new(&plan.store_id, root.as_deref());
        next.export_seq = seq;
        if let (Some(m), false) = (&previous, full) {
            next.visits_after = m.visits_after;
            next.whole.clone_from(&m.whole);
            next.tables.clone_from(&m.tables);
        }
        let written = {
            let conn = self.read()?;
            rows::write_all(self, &conn, &plan, dir, &mut next, keys)?
        };
        let audit_from = previous.as_ref().map_or(0, |m| m.audit_seq);
        let counts: BTreeMap<&str, u64> = written.rows.iter().map(|(t, n)| (*t, *n)).collect();
        self.write(|w| {
            w.audit(
                "export_parquet",
                &dir.display().to_string(),
                root.as_slice(),
                &json!({
                    "unit": root,
                    "export_seq": seq,
                    "full": full,
                    "audit_from": audit_from,
                    "audit_to": plan.head.0,
                    "rows": counts,
                }),
            )
        })?;
        written.commit(dir, &mut next)?;
        next.audit_seq = plan.head.0;
        next.audit_digest.clone_from(&plan.head.1);
        next.audit_at.clone_from(&plan.head.2);
        next.save(dir)?;
        if full && let Some(m) = &previous {
            for (table, parts) in &m.tables {
                for p in parts {
                    let _ = std::fs::remove_file(dir.join(table).join(&p.file));
                }
            }
        }
        Ok(ParquetExport {
            directory: dir.display().to_string(),
            store_id: plan.store_id.clone(),
            unit: root,
            export_seq: seq,
            full,
            audit_from,
            audit_to: plan.head.0,
            tables: TABLE_NAMES
                .iter()
                .map(|&t| TableExport {
                    table: t.to_owned(),
                    rows_written: counts.get(t).copied().unwrap_or(0),
                    files: next
                        .tables
                        .get(t)
                        .map(|ps| ps.iter().map(|p| format!("{t}/{}", p.file)).collect())
                        .unwrap_or_default(),
                })
                .collect(),
        })
    }
}
