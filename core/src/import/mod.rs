//! Bulk import of households with their residents and tags (户籍/流动人口 files).
//!
//! One row per resident; the household's fields repeat on each of its rows. Every source
//! (CSV, XLSX, a table of text such as a `DataFrame` gives, rows as JSON objects) goes
//! through one column reader: columns by English name or the Chinese header a government
//! spreadsheet uses ([`COLUMN_ALIASES`]: `household_id` 户编号, `unit` 所属网格, `address`
//! 住址, `kind` 户类型, `tags` 标签, `name` 姓名, `id_number` 身份证号, `phone` 联系电话,
//! `relation` 与户主关系, and the optional `hukou` 户口性质, `employer` 工作单位,
//! `resident_tags` 人员类别), or by the caller's `columns` mapping. In a file the header is
//! the first row naming at least two fields, below any title lines (or the row
//! `header_row` says). Columns that name no field are not read and are listed in
//! [`ImportResult::unknown_columns`].
//!
//! Values: tags are split on `;；,，、`; Chinese household kinds and relations are read as
//! the stored ones ([`KIND_NAMES`], [`RELATION_NAMES`]). A `unit` that is no unit's code
//! may be the name of exactly one grid or building under the import's root (the handle's
//! scope, or the whole store).
//!
//! CSV files may be UTF-8, with or without a BOM, or GBK/GB18030 (what Chinese spreadsheet
//! software exports); XLSX files are read from their first sheet. Re-importing the same
//! ids updates in place: households by id, residents by ID number (or, without one, by
//! name within the household).
//!
//! Through a scoped handle, a row whose household, or whose ID number's resident, is
//! registered outside the scope is a per-row error (`household_id`, `id_number`): a scope
//! may not move them in.

mod check;
mod columns;
mod entry;
mod file;
mod input;
mod scope;
mod sheet;
mod units;
mod write;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::date::Date;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::keys::Vault;
use check::{Checker, Failure, Valid};
pub use check::{KIND_NAMES, RELATION_NAMES};
pub use columns::COLUMN_ALIASES;
use columns::ColumnIndex;
pub use entry::ImportTable;
pub use file::parse_csv;
use file::{CsvRows, Fields, record_fields};
use scope::ScopeCheck;
use write::ImportWriter;

/// What to do with bad rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// One bad row rejects the whole batch; the store is left unchanged.
    #[default]
    AllOrNothing,
    /// Bad rows (and the other rows of a household whose own fields are bad) are left out;
    /// the rest is written.
    SkipInvalid,
}

impl ImportMode {
    /// Parses `all_or_nothing` or `skip_invalid`.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "all_or_nothing" => Ok(ImportMode::AllOrNothing),
            "skip_invalid" => Ok(ImportMode::SkipInvalid),
            _ => Err(Error::invalid(
                "mode",
                text,
                "expected all_or_nothing or skip_invalid",
            )),
        }
    }
}

/// How to import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// What to do with bad rows.
    pub mode: ImportMode,
    /// The day the import describes: ID birth dates may not be later, and changes to
    /// existing households and residents (moves) take effect that day. Default today.
    pub on: Option<Date>,
    /// The CSV encoding: `utf-8`, `gbk` or `gb18030`; default: detected.
    pub encoding: Option<String>,
    /// The caller's column names: (their header or key, a field's English name or one of
    /// its Chinese headers), read before [`COLUMN_ALIASES`]. A target that is no field is
    /// `InvalidInput` naming `columns`.
    pub columns: Vec<(String, String)>,
    /// The header's row in a file (its line in a CSV file, its row in the sheet), from 1;
    /// default: the first row naming at least two fields, below any title lines.
    pub header_row: Option<usize>,
}

/// One input row, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// The row's line in the file (or its position, from 1, for rows given directly).
    pub line: usize,
    /// Household id.
    pub household_id: String,
    /// The grid or building.
    pub unit: String,
    /// The address.
    pub address: String,
    /// `registered`, `floating` or `rental`, or a Chinese name of [`KIND_NAMES`].
    pub kind: String,
    /// Household tags, separated by any of `;；,，、`.
    pub tags: String,
    /// The resident's name.
    pub name: String,
    /// ID number.
    pub id_number: String,
    /// Phone.
    pub phone: String,
    /// Relation to the head (default `head`); a Chinese name of [`RELATION_NAMES`] is
    /// stored as its English one.
    pub relation: String,
    /// Hukou type.
    pub hukou: String,
    /// Employer.
    pub employer: String,
    /// The resident's tags, separated by any of `;；,，、`.
    pub resident_tags: String,
}

/// A rejected row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportError {
    /// The line (or position) of the row.
    pub line: usize,
    /// The column that was wrong.
    pub field: String,
    /// Why.
    pub message: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    /// Households and residents created: `households_inserted + residents_inserted`.
    pub inserted: u64,
    /// Households and residents that existed and were updated:
    /// `households_updated + residents_updated`.
    pub updated: u64,
    /// Households created.
    pub households_inserted: u64,
    /// Households that existed and were updated.
    pub households_updated: u64,
    /// Residents created.
    pub residents_inserted: u64,
    /// Residents that existed and were updated.
    pub residents_updated: u64,
    /// The source's columns that name no field (not read), in their order.
    pub unknown_columns: Vec<String>,
    /// Every rejected row; in all-or-nothing mode any error means nothing was written.
    pub errors: Vec<ImportError>,
}

/// Where an import's rows come from.
enum Source<'a> {
    /// Rows already in memory.
    Rows(&'a [ImportRow]),
    /// CSV text, read as it is checked.
    Csv(Box<CsvRows<'a>>),
}

/// The rows of one batch: borrowed, or CSV records read for it.
enum BatchRows<'a> {
    Rows(&'a [ImportRow]),
    Records(ColumnIndex, Vec<csv::StringRecord>),
}

impl BatchRows<'_> {
    fn len(&self) -> usize {
        match self {
            BatchRows::Rows(rows) => rows.len(),
            BatchRows::Records(_, records) => records.len(),
        }
    }

    fn get(&self, i: usize) -> Fields<'_> {
        match self {
            BatchRows::Rows(rows) => rows[i].fields(),
            BatchRows::Records(index, records) => record_fields(index, &records[i]),
        }
    }
}

/// Rows checked together, with the outcome of each.
struct Batch<'a> {
    rows: BatchRows<'a>,
    checks: Vec<std::result::Result<Valid, Failure>>,
}

impl Batch<'_> {
    /// Makes the [`write::Stored`] values of each good row.
    fn seal(&mut self, vault: &Vault) -> Result<()> {
        for (i, check) in self.checks.iter_mut().enumerate() {
            if let Ok(valid) = check {
                let row = self.rows.get(i);
                valid.stored = Some(write::Stored::of(
                    vault,
                    valid.id_number.as_deref(),
                    check::opt(row.phone),
                )?);
            }
        }
        Ok(())
    }
}

/// From how many rows an import may rebuild an index rather than update it.
const BULK_ROWS: usize = 10_000;

/// Rows per batch handed from the checking thread to the writing one.
const BATCH: usize = 4096;

impl<'a> Source<'a> {
    /// The next batch of rows, or `None` at the end. CSV records are read into `spare`
    /// ones when there are any, so a long file reuses the same few thousand buffers.
    fn next_rows(&mut self, spare: &mut Vec<csv::StringRecord>) -> Result<Option<BatchRows<'a>>> {
        match self {
            Source::Rows(rows) => {
                if rows.is_empty() {
                    return Ok(None);
                }
                let (batch, rest) = rows.split_at(rows.len().min(BATCH));
                *rows = rest;
                Ok(Some(BatchRows::Rows(batch)))
            }
            Source::Csv(reader) => {
                let mut records = Vec::with_capacity(BATCH);
                while records.len() < BATCH {
                    let mut record = spare.pop().unwrap_or_default();
                    if !reader.next_record(&mut record)? {
                        spare.push(record);
                        break;
                    }
                    records.push(record);
                }
                Ok((!records.is_empty()).then_some(BatchRows::Records(reader.index, records)))
            }
        }
    }
}

impl Store {
    /// `total` is the number of rows, exact when there is a progress callback to tell,
    /// otherwise an estimate for sizing tables.
    ///
    /// Rows are read and checked on a second thread while this one writes. In
    /// all-or-nothing mode each good row is written as soon as it is checked, and the
    /// first bad one stops the writing; the transaction is then rolled back, so the store
    /// is unchanged. In skip-invalid mode a bad row can exclude its household's earlier
    /// rows, so writing waits until every row is checked.
    fn import_from(
        &self,
        source: Source<'_>,
        total: usize,
        options: &ImportOptions,
        mut progress: Option<&mut dyn FnMut(usize, usize) -> bool>,
    ) -> Result<ImportResult> {
        let on = options.on.unwrap_or_else(|| self.today());
        self.report_progress("import", 0, total as u64)?;
        let mut report = |done: usize, total: usize| -> Result<bool> {
            self.report_item("import", done, total)?;
            Ok(match progress.as_deref_mut() {
                Some(p) if done.is_multiple_of(1000) || done == total => p(done, total),
                _ => true,
            })
        };
        let cancel = || {
            Error::invalid(
                "progress",
                "false",
                "the import was cancelled by its progress callback; nothing was written",
            )
        };
        let streaming = options.mode == ImportMode::AllOrNothing;
        let mut rejected = None;
        // Every reference the import writes is checked in advance (units, tag kinds) or
        // made in the same transaction (households before their residents and tags).
        let outcome = self.write_bulk(|w| {
            let kinds: HashSet<String> =
                w.tx.prepare("SELECT tag FROM tag_kind")?
                    .query_map([], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
            let (units, unit_names) = self.import_units(&w.tx, &source, on)?;
            let mut checker = Checker {
                on,
                kinds: &kinds,
                units: &units,
                unit_names: &unit_names,
                // Sized once: growing a table of a million keys rehashes it many times.
                first_of: HashMap::with_capacity(total / 2),
                seen_ids: HashMap::with_capacity(total),
                bad_households: HashSet::new(),
                digest: Sha256::new(),
            };
            let mut errors = Vec::new();
            let mut kept: Vec<Batch<'_>> = Vec::new();
            // A load larger than the registry it goes into rebuilds the households' unit
            // index once at the end, instead of updating it at a random place per household.
            let unit_index: Option<String> = if total >= BULK_ROWS
                && w.tx
                    .query_row("SELECT count(*) FROM household", [], |r| r.get::<_, i64>(0))?
                    < total as i64
            {
                let sql = w.tx.query_row(
                    "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'household_unit'",
                    [],
                    |r| r.get(0),
                )?;
                w.tx.execute_batch("DROP INDEX household_unit")?;
                Some(sql)
            } else {
                None
            };
            // In skip-invalid mode the rows written are not all the good rows.
            let mut writer = ImportWriter::new(&w.tx, on, !streaming, self.vault())?;
            // A scoped handle also checks each good row against the registry it may touch.
            let mut scope_check = self
                .access
                .root
                .as_deref()
                .map(|root| ScopeCheck::new(root, on, self.vault()));
            let vault = self.vault();
            let (bad_households, digest) = std::thread::scope(|scope| {
                let (sender, receiver) = std::sync::mpsc::sync_channel::<Result<Batch<'_>>>(8);
                // Written batches go back to be freed off the writing thread.
                let (recycle, written) = std::sync::mpsc::channel::<Batch<'_>>();
                let checking = scope.spawn(move || {
                    let mut source = source;
                    let mut spare = Vec::new();
                    loop {
                        let batch = match source.next_rows(&mut spare) {
                            Ok(Some(rows)) => {
                                let checks =
                                    (0..rows.len()).map(|i| checker.check(&rows.get(i))).collect();
                                let mut batch = Batch { rows, checks };
                                // Written as it comes: sealed here, off the writing
                                // thread. Rows kept to the end are sealed as they are
                                // written, so that they do not hold their sealed values
                                // meanwhile.
                                if streaming {
                                    batch.seal(&vault).map(|()| batch)
                                } else {
                                    Ok(batch)
                                }
                            }
                            Ok(None) => break,
                            Err(e) => Err(e),
                        };
                        let failed = batch.is_err();
                        // A closed channel means the writer stopped (cancelled or failed).
                        if sender.send(batch).is_err() || failed {
                            break;
                        }
                        while let Ok(batch) = written.try_recv() {
                            if let BatchRows::Records(_, records) = batch.rows {
                                spare.extend(records);
                            }
                        }
                    }
                    drop(sender);
                    // Freed here rather than on the writing thread.
                    for batch in written {
                        drop(batch);
                    }
                    (checker.bad_households, checker.digest.finalize().to_vec())
                });
                let mut done = 0;
                for batch in receiver {
                    let mut batch = batch?;
                    for i in 0..batch.checks.len() {
                        let row = batch.rows.get(i);
                        done += 1;
                        if let (Some(scope_check), Ok(valid)) = (&mut scope_check, &batch.checks[i])
                            && let Some(failure) = scope_check.check(&w.tx, &row, valid)?
                        {
                            batch.checks[i] = Err(failure);
                        }
                        match &mut batch.checks[i] {
                            Ok(valid) if streaming && errors.is_empty() => {
                                writer.write(&row, valid)?;
                            }
                            Ok(_) => {}
                            Err((field, message)) => errors.push(ImportError {
                                line: row.line,
                                field: (*field).to_owned(),
                                message: message.clone(),
                            }),
                        }
                        if !report(done, total.max(done))? {
                            return Err(cancel());
                        }
                    }
                    if streaming {
                        // The checking thread is gone only if it stopped early.
                        let _ = recycle.send(batch);
                    } else {
                        kept.push(batch);
                    }
                }
                drop(recycle);
                // The count read ahead of a CSV can overshoot (a row of empty quoted
                // fields): the last call still says all is done.
                if done < total && !report(done, done)? {
                    return Err(cancel());
                }
                Ok(checking
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            })?;
            if !errors.is_empty() && options.mode == ImportMode::AllOrNothing {
                errors.sort_by_key(|e| e.line);
                rejected = Some(ImportResult {
                    errors,
                    ..Default::default()
                });
                // Rolls back whatever was written before the first bad row.
                return Err(Error::Storage("the import was rejected".into()));
            }
            for batch in &mut kept {
                for (i, check) in batch.checks.iter_mut().enumerate() {
                    let row = batch.rows.get(i);
                    if let Ok(valid) = check
                        && !bad_households.contains(row.household_id)
                    {
                        writer.write(&row, valid)?;
                    }
                }
            }
            let (counts, written, written_digest, changed, units_written) = writer.finish();
            let (inserted, updated) = (
                counts.households_inserted + counts.residents_inserted,
                counts.households_updated + counts.residents_updated,
            );
            // Too many households changed to name leaves the counts' snapshot to be rebuilt.
            if let Some(changed) = changed {
                w.changes_no_household();
                for household_id in &changed {
                    w.changes_household(household_id);
                }
            }
            if let Some(sql) = unit_index {
                w.tx.execute_batch(&sql)?;
            }
            let digest = written_digest.unwrap_or(digest);
            w.audit(
                "import_households",
                &format!("{written} rows"),
                &units_written,
                &json!({"inserted": inserted, "updated": updated, "rejected": errors.len(),
                        "sha256": crate::audit::hex(&digest)}),
            )?;
            errors.sort_by_key(|e| e.line);
            Ok(ImportResult {
                inserted,
                updated,
                errors,
                ..counts
            })
        });
        match (outcome, rejected) {
            (Err(_), Some(result)) => Ok(result),
            (outcome, _) => outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large load drops and rebuilds the unit index and turns foreign-key checks off;
    /// whether it commits or is rejected, both are back as they were.
    #[test]
    fn a_bulk_load_leaves_the_index_and_the_checks_in_place() {
        let store = Store::open(":memory:").unwrap();
        store
            .add_unit("512021", "安岳县", "county", None, None)
            .unwrap();
        let mut rows: Vec<ImportRow> = (0..=BULK_ROWS)
            .map(|i| ImportRow {
                line: i + 2,
                household_id: format!("B{i}"),
                unit: "512021".into(),
                address: "x".into(),
                kind: "registered".into(),
                name: format!("居民{i}"),
                ..Default::default()
            })
            .collect();
        let state = || {
            let conn = store.conn().unwrap();
            let index: i64 = conn
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'household_unit'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let checks: i64 = conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap();
            (index, checks)
        };
        rows.last_mut().unwrap().unit = "512099".into();
        let rejected = store
            .import_households(&rows, &ImportOptions::default(), None)
            .unwrap();
        assert_eq!(rejected.errors.len(), 1);
        assert_eq!(state(), (1, 1));
        rows.pop();
        let done = store
            .import_households(&rows, &ImportOptions::default(), None)
            .unwrap();
        assert_eq!(done.inserted as usize, 2 * BULK_ROWS);
        assert_eq!(state(), (1, 1));
        let (total, _) = store.unit_counts("512021", None).unwrap();
        assert_eq!(total.households as usize, BULK_ROWS);
    }
}
