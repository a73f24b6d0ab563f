//! Handheld terminals (手持终端): a grid worker's device store, written by
//! [`Store::checkout`], worked offline with the same API, and brought home by
//! [`Store::merge`].
//!
//! A device store is a normal wangge store holding one unit's share of the home store (its
//! ancestors and subtree, the staff it needs, its households and residents, the rule sets,
//! the visit history the due list reads, the open entries the unit handles with their
//! events) and one `device` row saying what it is. Opened, it gives handles scoped to that
//! unit, acting as the checked-out worker. On it, the writes that create or move a fact
//! (visits, patrols, findings, new entries, entry actions) also append, in the same
//! transaction, an item to the device log: its kind, the call's arguments in their JSON
//! shape with the times as recorded, the id it created on the device. Every item has a
//! global id, `device_id:seq`. Any other write (a household, a tag, a rule set) is refused
//! on a device: it could not be merged.
//!
//! [`Store::merge`] replays the items not merged yet, in their order, through the same core
//! rules on a handle scoped to the device's unit, in one transaction; an item that no
//! longer fits is not applied and is reported once, with its reason ([`ConflictReason`]).

mod checkout;
mod merge;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

pub use checkout::Checkout;
pub use merge::{MergeConflict, MergeResult};

/// What a handheld device's store is: read from its `device` row when it is opened.
#[derive(Debug, Clone)]
pub(crate) struct DeviceInfo {
    /// The device's id, fresh for each checkout file.
    pub(crate) device_id: String,
    /// The identity of the home store it was checked out from.
    pub(crate) home: String,
    /// The unit it was checked out for: its handles are scoped to it.
    pub(crate) unit: String,
    /// The staff member it was checked out to: its handles act as them.
    pub(crate) staff_id: String,
}

/// The device row of a store, if it is a device's (a store of an older schema, before the
/// table existed, is not).
pub(crate) fn device_info(conn: &Connection) -> Result<Option<DeviceInfo>> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'device'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT device_id, home, unit, staff_id FROM device",
            [],
            |r| {
                Ok(DeviceInfo {
                    device_id: r.get(0)?,
                    home: r.get(1)?,
                    unit: r.get(2)?,
                    staff_id: r.get(3)?,
                })
            },
        )
        .optional()?)
}

/// Appends one item to a device's log, in the write's transaction, and remembers which
/// local id it created; gives its sequence number.
pub(crate) fn log_item(
    conn: &Connection,
    kind: &str,
    args: &Value,
    local_id: Option<i64>,
    refers: Option<i64>,
) -> Result<i64> {
    let seq: i64 = conn.query_row("SELECT next_seq FROM device", [], |r| r.get(0))?;
    conn.prepare_cached(
        "INSERT INTO device_log (seq, kind, args, local_id, refers) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![seq, kind, args.to_string(), local_id, refers])?;
    conn.prepare_cached("UPDATE device SET next_seq = ?1")?
        .execute([seq + 1])?;
    if let Some(id) = local_id {
        remember_local(conn, kind, id, seq)?;
    }
    Ok(seq)
}

/// On a device, remembers that log item `seq` made local record `id` of `kind`.
pub(crate) fn remember_local(conn: &Connection, kind: &str, id: i64, seq: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO device_local (kind, local_id, seq) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![kind, id, seq])?;
    Ok(())
}

/// On a device, the log item that created local record `id` of `kind` (`visit`,
/// `finding`, `entry`), if it was created there; `None` for a record from home.
pub(crate) fn local_origin(conn: &Connection, kind: &str, id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT seq FROM device_local WHERE kind = ?1 AND local_id = ?2")?
        .query_row(params![kind, id], |r| r.get(0))
        .optional()?)
}

/// The refusal of a write on a device that is not offline work.
pub(crate) fn only_offline_work(actor: &str) -> Error {
    Error::PermissionDenied(format!(
        "a handheld device records only visits, patrols, findings, entries and entry actions (actor {actor})"
    ))
}

/// Why a device's log item was not applied at home.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConflictReason {
    /// The entry moved on at home meanwhile (escalated away, signed for, closed...): the
    /// action no longer fits its state, or comes before its latest event.
    EntryMovedOn,
    /// The household moved out of the device's unit or ended before the visit's day.
    HouseholdGone,
    /// The fact falls in a period whose report was approved and locked.
    PeriodLocked,
    /// The checkout was withdrawn at home: nothing of the device is applied.
    Withdrawn,
    /// The item names a record the device created whose own item was not applied.
    DependsOnConflict,
    /// Any other refusal of the core's rules (the message says which).
    Refused,
}

impl ConflictReason {
    /// A stable lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictReason::EntryMovedOn => "entry_moved_on",
            ConflictReason::HouseholdGone => "household_gone",
            ConflictReason::PeriodLocked => "period_locked",
            ConflictReason::Withdrawn => "withdrawn",
            ConflictReason::DependsOnConflict => "depends_on_conflict",
            ConflictReason::Refused => "refused",
        }
    }

    /// The reason in English.
    pub fn message_en(self) -> &'static str {
        match self {
            ConflictReason::EntryMovedOn => "the entry moved on at home meanwhile",
            ConflictReason::HouseholdGone => {
                "the household moved out of the unit or ended before that day"
            }
            ConflictReason::PeriodLocked => "the period was approved and locked",
            ConflictReason::Withdrawn => "the checkout was withdrawn",
            ConflictReason::DependsOnConflict => "it names a record whose own item was not applied",
            ConflictReason::Refused => "refused by the rules",
        }
    }

    /// The reason in Chinese (中文).
    pub fn message_zh(self) -> &'static str {
        match self {
            ConflictReason::EntryMovedOn => "事项已在本部有新进展",
            ConflictReason::HouseholdGone => "该户已迁出本单位或已注销",
            ConflictReason::PeriodLocked => "该期报表已审核锁定",
            ConflictReason::Withdrawn => "该终端的签出已撤回",
            ConflictReason::DependsOnConflict => "所涉记录本身未能合并",
            ConflictReason::Refused => "不符合规则",
        }
    }

    /// The reason an item refused with `error` was not applied.
    pub(crate) fn of(kind: &str, error: &Error) -> ConflictReason {
        let text = error.to_string();
        if text.contains("locked: ") {
            return ConflictReason::PeriodLocked;
        }
        match (kind, error) {
            (
                "entry_action",
                Error::InvalidTransition(_) | Error::NotFound { .. } | Error::PermissionDenied(_),
            ) => ConflictReason::EntryMovedOn,
            ("entry_action", Error::InvalidInput { .. }) if text.contains("last event") => {
                ConflictReason::EntryMovedOn
            }
            (
                "visit" | "entry",
                Error::NotFound {
                    what: "household", ..
                },
            ) => ConflictReason::HouseholdGone,
            _ => ConflictReason::Refused,
        }
    }
}

impl std::fmt::Display for ConflictReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
