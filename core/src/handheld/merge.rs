//! Bringing a device's offline work home: [`Store::merge`].

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::{Value, json};
use sm3::{Digest, Sm3};

use super::ConflictReason;
use super::checkout::{ACTIVE, IDENTITY, LogRow, current_path, read_log};
use crate::error::{Error, ErrorKind, Result};
use crate::ledger::EntryAction;
use crate::ledger::actions::apply::Walk;
use crate::store::keys::Vault;
use crate::store::{Store, StoreOptions, Write};
use crate::{NewEntry, NewVisit};

/// One device log item that was not applied at home, reported by the merge that first met
/// it (a later merge of the same file counts it as skipped).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeConflict {
    /// The item's sequence number on the device.
    pub device_seq: i64,
    /// Its global id, `device_id:seq`.
    pub global_id: String,
    /// What it records: `visit`, `patrol`, `finding`, `entry` or `entry_action`.
    pub kind: String,
    /// The id it had on the device (a visit, finding or entry created there), if any.
    pub local_id: Option<i64>,
    /// The entry an entry action names, as the device named it.
    pub entry_id: Option<i64>,
    /// The household a visit or entry names.
    pub household_id: Option<String>,
    /// Why it was not applied.
    pub reason: ConflictReason,
    /// The reason in English, with the rule's own words.
    pub message: String,
    /// The reason in Chinese (中文).
    pub message_zh: String,
}

/// What [`Store::merge`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MergeResult {
    /// The device merged.
    pub device_id: String,
    /// Its unit.
    pub unit: String,
    /// Its staff member.
    pub staff_id: String,
    /// The items applied by this merge.
    pub applied: u64,
    /// The items an earlier merge already applied or reported.
    pub skipped: u64,
    /// The items this merge did not apply, each with its reason.
    pub conflicts: Vec<MergeConflict>,
    /// The SM3 digest (hex) of the device's whole log, as the audit record keeps it.
    pub digest: String,
}

impl Store {
    /// Merges the device store at `path` (written by [`Store::checkout`]) home, in one
    /// transaction. Its log items not merged before are replayed in their order, with
    /// their recorded times, through the same rules as online calls on a handle scoped to
    /// the device's unit and acting as its staff member: entries created on the device get
    /// home ids, and later items naming them are mapped. An item that no longer fits (the
    /// entry moved on at home, the household moved or ended, the period was approved and
    /// locked, the checkout was withdrawn) is not applied and is reported once, in
    /// [`MergeResult::conflicts`]; the rest is applied. The same file merged again applies
    /// nothing and reports nothing new (every item is `skipped`). The audit chain records
    /// the merge with the device's id and the SM3 digest of its log.
    ///
    /// Refused, with nothing written: a file that is not a wangge store (`Storage`), a
    /// store that is not a device, a device of another store or not checked out here, or
    /// one changed outside the library (`Conflict`); a unit this handle does not see. A
    /// failure of the storage or a stop asked by the progress ([`Store::with_progress`])
    /// mid-merge rolls everything back.
    pub fn merge(&self, path: impl AsRef<Path>) -> Result<MergeResult> {
        self.merge_as(path.as_ref(), None)
    }

    /// [`Store::merge`] of a device store keyed under its own `device_key` (see
    /// [`Store::checkout_with_key`]); another key is `PermissionDenied`, nothing written.
    pub fn merge_with_key(&self, path: impl AsRef<Path>, device_key: &[u8]) -> Result<MergeResult> {
        self.merge_as(path.as_ref(), Some(device_key))
    }

    fn merge_as(&self, path: &Path, device_key: Option<&[u8]>) -> Result<MergeResult> {
        let options = StoreOptions {
            read_only: true,
            key: device_key.map(<[u8]>::to_vec),
            ..StoreOptions::default()
        };
        let device = match device_key {
            Some(_) => Store::open_with(path, options)?,
            None => Store::open_inner(path, options, Some(self.vault()))?,
        };
        let whole = device.whole();
        let read = (|| {
            let info = device.device().ok_or_else(|| {
                Error::Conflict(format!(
                    "{} is not a handheld device's store",
                    path.display()
                ))
            })?;
            let verified = whole.verify_audit()?;
            if !verified.ok {
                return Err(Error::Conflict(format!(
                    "{} was changed outside the library: {}",
                    path.display(),
                    verified.problem.unwrap_or_default()
                )));
            }
            let log = read_log(&*whole.read()?)?;
            Ok((info, log))
        })();
        let _ = whole.close();
        let (info, log) = read?;
        self.unit(&info.unit, None)?;
        let mut worker = self.scoped(&info.unit, &info.staff_id);
        worker.progress.clone_from(&self.progress);
        let digest = digest_of(&log);
        worker.write(|w| {
            let identity: Option<String> =
                w.tx.query_row("SELECT value FROM meta WHERE key = ?1", [IDENTITY], |r| {
                    r.get(0)
                })
                .optional()?;
            let row: Option<(String, String, String)> =
                w.tx.query_row(
                    "SELECT unit, staff_id, status FROM checkout WHERE device_id = ?1",
                    [&info.device_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let status = match (identity, row) {
                (Some(home), Some((unit, staff, status)))
                    if home == info.home && unit == info.unit && staff == info.staff_id =>
                {
                    status
                }
                _ => {
                    return Err(Error::Conflict(format!(
                        "device {} was not checked out from this store",
                        info.device_id
                    )));
                }
            };
            self.check_path_in_scope(&info.unit, &current_path(&w.tx, &info.unit)?)?;
            let mut replay = Replay {
                worker: &worker,
                walk: Walk::new(&worker, &w.tx)?,
                homes: merged_before(w, &info.device_id)?,
                withdrawn: status != ACTIVE,
            };
            let mut result = MergeResult {
                device_id: info.device_id.clone(),
                unit: info.unit.clone(),
                staff_id: info.staff_id.clone(),
                applied: 0,
                skipped: 0,
                conflicts: Vec::new(),
                digest: digest.clone(),
            };
            let total = log.len();
            for (i, item) in log.iter().enumerate() {
                // Every item: the progress itself calls back at most every interval.
                worker.report_progress("merge", i as u64, total as u64)?;
                if replay.homes.contains_key(&item.0) {
                    result.skipped += 1;
                    continue;
                }
                let (outcome, home_id) = match replay.item(w, item) {
                    Ok(home_id) => {
                        result.applied += 1;
                        ("applied", home_id)
                    }
                    Err((reason, e)) => {
                        if matches!(e.kind(), ErrorKind::Storage | ErrorKind::Busy) {
                            return Err(e);
                        }
                        result
                            .conflicts
                            .push(conflict(&info.device_id, item, reason, &e));
                        ("conflict", None)
                    }
                };
                w.tx.prepare_cached(
                    "INSERT INTO merged (device_id, seq, kind, outcome, home_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    info.device_id,
                    item.0,
                    item.1,
                    outcome,
                    home_id
                ])?;
                replay.homes.insert(item.0, home_id);
            }
            worker.report_progress("merge", total as u64, total as u64)?;
            w.changes_no_household();
            w.audit(
                "merge",
                &info.device_id,
                &[&info.unit],
                &json!({"device_id": info.device_id, "applied": result.applied,
                        "skipped": result.skipped, "conflicts": result.conflicts.len(),
                        "digest": digest}),
            )?;
            Ok(result)
        })
    }
}

/// Log items by sequence number, with the id of the record each made (`None` for one not
/// applied, or that made none).
pub(super) type Homes = HashMap<i64, Option<i64>>;

/// The items of `device` merged before, with the home id each applied one created.
fn merged_before(w: &Write<'_>, device: &str) -> Result<Homes> {
    merged_homes(&w.tx, device)
}

/// The items of `device` merged into the store on `conn`, with the home id each applied
/// one created.
pub(super) fn merged_homes(conn: &rusqlite::Connection, device: &str) -> Result<Homes> {
    let mut stmt = conn.prepare("SELECT seq, outcome, home_id FROM merged WHERE device_id = ?1")?;
    let rows = stmt.query_map([device], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<i64>>(2)?,
        ))
    })?;
    let mut homes = HashMap::new();
    for row in rows {
        let (seq, outcome, home) = row?;
        homes.insert(seq, if outcome == "applied" { home } else { None });
    }
    Ok(homes)
}

/// Replays a refreshed device's log items not merged yet (`kept`) on its new file at
/// `path`, so the records they made show there again; `homes` gives the home ids of the
/// records made by the items merged before, which the refresh copied. Nothing is logged
/// again: the log already holds the items, and each record made is remembered under its
/// item's sequence number. An item that no longer fits the refreshed data is left out on
/// the device; the merge reports it.
pub(super) fn show_kept(
    path: &Path,
    vault: &Arc<Vault>,
    kept: &[LogRow],
    mut homes: Homes,
) -> Result<()> {
    let device = Store::open_inner(path, StoreOptions::default(), Some(Arc::clone(vault)))?;
    let result = device.write(|w| {
        let mut walk = Walk::new(&device, &w.tx)?;
        for (seq, kind, args, _, refers) in kept {
            let target = match refers.map(|r| homes.get(&r).copied().flatten()) {
                Some(None) => {
                    homes.insert(*seq, None);
                    continue;
                }
                Some(id) => id,
                None => None,
            };
            w.replaying(Some(*seq));
            let made = device.attempt(w, |w| replay(&device, w, &mut walk, kind, args, target));
            w.replaying(None);
            match made {
                Ok(id) => homes.insert(*seq, id),
                Err(e) if matches!(e.kind(), ErrorKind::Storage | ErrorKind::Busy) => {
                    return Err(e);
                }
                Err(_) => homes.insert(*seq, None),
            };
        }
        Ok(())
    });
    let closed = device.close();
    result.and(closed)
}

/// The SM3 digest of a device's log, item by item.
fn digest_of(log: &[LogRow]) -> String {
    let mut h = Sm3::new();
    for (seq, kind, args, local, refers) in log {
        let line = json!([seq, kind, args, local, refers]).to_string();
        h.update((line.len() as u64).to_be_bytes());
        h.update(line.as_bytes());
    }
    crate::store::audit::hex(&h.finalize())
}

fn conflict(device: &str, item: &LogRow, reason: ConflictReason, e: &Error) -> MergeConflict {
    let args: Value = serde_json::from_str(&item.2).unwrap_or(Value::Null);
    let message = match reason {
        ConflictReason::Withdrawn | ConflictReason::DependsOnConflict => {
            reason.message_en().to_owned()
        }
        _ => format!("{}: {e}", reason.message_en()),
    };
    let message_zh = match reason {
        ConflictReason::Withdrawn | ConflictReason::DependsOnConflict => {
            reason.message_zh().to_owned()
        }
        _ => format!(
            "{}：{}",
            reason.message_zh(),
            e.message(crate::Language::Zh)
        ),
    };
    MergeConflict {
        device_seq: item.0,
        global_id: format!("{device}:{}", item.0),
        kind: item.1.clone(),
        local_id: item.3,
        entry_id: args.get("entry_id").and_then(Value::as_i64),
        household_id: args
            .get("household_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        reason,
        message,
        message_zh,
    }
}

/// One merge's replay: the scoped worker, the entries' walk, the home ids of the items
/// merged so far (`None` for one not applied).
struct Replay<'s> {
    worker: &'s Store,
    walk: Walk,
    homes: HashMap<i64, Option<i64>>,
    withdrawn: bool,
}

impl Replay<'_> {
    /// Applies one item inside a savepoint; gives the home id it created, or why not.
    fn item(
        &mut self,
        w: &mut Write<'_>,
        item: &LogRow,
    ) -> std::result::Result<Option<i64>, (ConflictReason, Error)> {
        let (_, kind, args, _, refers) = item;
        if self.withdrawn {
            return Err((ConflictReason::Withdrawn, withdrawn()));
        }
        let target = match refers {
            None => None,
            Some(r) => match self.homes.get(r) {
                Some(Some(id)) => Some(*id),
                _ => {
                    return Err((
                        ConflictReason::DependsOnConflict,
                        Error::Conflict(format!("item {r} was not applied")),
                    ));
                }
            },
        };
        let worker = self.worker;
        let walk = &mut self.walk;
        worker
            .attempt(w, |w| replay(worker, w, walk, kind, args, target))
            .map_err(|e| (ConflictReason::of(kind, &e), e))
    }
}

fn withdrawn() -> Error {
    Error::Conflict("the checkout was withdrawn".to_owned())
}

/// Replays log item `kind` with `args` through the core's own write paths; `target` is
/// the home id of the device-made record it names, if it names one.
fn replay(
    s: &Store,
    w: &mut Write<'_>,
    walk: &mut Walk,
    kind: &str,
    args: &str,
    target: Option<i64>,
) -> Result<Option<i64>> {
    let v: Value = serde_json::from_str(args)
        .map_err(|e| Error::invalid("args", args, format!("not JSON: {e}")))?;
    let text = |field: &'static str| -> Result<&str> {
        v.get(field)
            .and_then(Value::as_str)
            .ok_or_else(|| Error::invalid(field, args, "a device log item without it"))
    };
    match kind {
        "visit" => s.record_visit_in(w, &NewVisit::from_json(&v)?).map(Some),
        "patrol" => {
            let at = s.parse_moment(text("at")?)?;
            s.record_patrol_in(w, text("unit")?, text("staff_id")?, &at, text("note")?)
                .map(Some)
        }
        "finding" => {
            let visit = match target {
                Some(id) => id,
                None => v.get("visit_id").and_then(Value::as_i64).unwrap_or(0),
            };
            let category = v.get("category").and_then(Value::as_str);
            let urgent = v.get("urgent").and_then(Value::as_bool).unwrap_or(false);
            s.record_finding_in(w, visit, text("summary")?, category, urgent)
                .map(Some)
        }
        "entry" => {
            let mut entry = NewEntry::from_json(&v, s.offset())?;
            if target.is_some() {
                entry.finding_id = target;
            }
            s.register_in(w, &entry).map(Some)
        }
        "entry_action" => {
            let mut action = EntryAction::from_json(&v, s.offset())?;
            if let Some(id) = target {
                action.entry_id = id;
            }
            s.act_logged(w, walk, &action)?;
            Ok(None)
        }
        _ => Err(Error::invalid("kind", kind, "an unknown device log item")),
    }
}
