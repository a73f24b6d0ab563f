//! Handheld terminals (手持终端) on the Python `Store`: checking a unit out to a device
//! store, merging a device home, withdrawing a checkout.

use std::path::PathBuf;

use pyo3::prelude::*;

use super::Store;
use crate::args::{Code, Key, Text};
use crate::record::record;

record! {
    /// A unit checked out to a handheld device: what `Store.checkout` wrote.
    pub struct Checkout(wangge::Checkout) as c, repr = all {
        /// The device's id: fresh for each new device file, kept by a refresh.
        device_id: &str = &c.device_id,
        /// The unit checked out.
        unit: &str = &c.unit,
        /// The staff member it is checked out to.
        staff_id: &str = &c.staff_id,
        /// When (RFC 3339 text).
        checked_out_at: &str = &c.checked_out_at,
        /// The device file's path, as given.
        path: &str = &c.path,
        /// The households copied to the device.
        households: u64 = c.households,
        /// The open entries copied to the device.
        entries: u64 = c.entries,
        /// True when an earlier device file of the same checkout was brought up to date.
        refreshed: bool = c.refreshed,
        /// The device's log items not merged yet that the refresh kept.
        kept_items: u64 = c.kept_items,
    }
}

record! {
    /// A device's log item not applied at home, reported by the merge that first met it.
    pub struct MergeConflict(wangge::MergeConflict) as c, repr = all {
        /// Its sequence number on the device.
        device_seq: i64 = c.device_seq,
        /// Its global id, `device_id:seq`.
        global_id: &str = &c.global_id,
        /// What it records: `visit`, `patrol`, `finding`, `entry` or `entry_action`.
        kind: &str = &c.kind,
        /// The id it had on the device (a record created there), or `None`.
        local_id: Option<i64> = c.local_id,
        /// The entry an entry action names, as the device named it, or `None`.
        entry_id: Option<i64> = c.entry_id,
        /// The household a visit or entry names, or `None`.
        household_id: Option<&str> = c.household_id.as_deref(),
        /// Why it was not applied: `entry_moved_on`, `household_gone`, `period_locked`,
        /// `withdrawn`, `depends_on_conflict` or `refused`.
        reason: &str = c.reason.as_str(),
        /// The reason in English, with the rule's own words.
        message: &str = &c.message,
        /// The reason in Chinese.
        message_zh: &str = &c.message_zh,
    }
}

record! {
    /// What `Store.merge` did.
    pub struct MergeResult(wangge::MergeResult) as r, repr = all {
        /// The device merged.
        device_id: &str = &r.device_id,
        /// Its unit.
        unit: &str = &r.unit,
        /// Its staff member.
        staff_id: &str = &r.staff_id,
        /// The items this merge applied.
        applied: u64 = r.applied,
        /// The items an earlier merge already applied or reported.
        skipped: u64 = r.skipped,
        /// The items this merge did not apply, each with its reason.
        conflicts: Vec<MergeConflict> = r.conflicts.iter().cloned().map(MergeConflict::from).collect()
            => conflict_dicts,
        /// The SM3 digest (hex) of the device's log, as the audit record keeps it.
        digest: &str = &r.digest,
    }
}

/// The conflicts as a new list of dicts, for `MergeResult.to_dict()`.
fn conflict_dicts<'py>(
    py: Python<'py>,
    conflicts: &Vec<MergeConflict>,
) -> PyResult<Bound<'py, PyAny>> {
    let list = pyo3::types::PyList::empty(py);
    for c in conflicts {
        list.append(c.to_dict(py)?)?;
    }
    Ok(list.into_any())
}

/// Adds the handheld record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Checkout>()?;
    m.add_class::<MergeConflict>()?;
    m.add_class::<MergeResult>()?;
    Ok(())
}

#[pymethods]
impl Store {
    /// Checks unit `unit` out to staff member `staff_id` on a handheld device: writes a
    /// device store at `path` (a `str` or `os.PathLike`), a normal store that
    /// `wangge.Store(path)` opens on the device, scoped to the unit. A file already there
    /// that is a device of this store for the same unit and worker is refreshed, keeping
    /// its work not merged yet (shown on the device as before); any other file raises
    /// `Conflict`, untouched. A worker not
    /// assigned in the unit's subtree raises `Conflict`. Without `key`, a keyed store's
    /// device is keyed under the same deployment key; with `key` (bytes, 16 to 64), the
    /// device has a key of its own: `wangge.Store(path, key=key)` on the device and
    /// `merge(path, key=key)` at home.
    #[pyo3(signature = (unit, staff_id, path, key=None))]
    fn checkout(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        staff_id: Text<'_>,
        path: PathBuf,
        key: Option<Key>,
    ) -> PyResult<Checkout> {
        let (unit, staff_id) = (unit.0, staff_id.0);
        let (unit, staff_id): (&str, &str) = (&unit, &staff_id);
        let key = key.map(|k| k.0);
        self.with_args(
            py,
            || Ok((path, key)),
            |s, (path, key)| match key {
                Some(key) => s.checkout_with_key(unit, staff_id, path, &key),
                None => s.checkout(unit, staff_id, path),
            },
        )
        .map(Checkout::from)
    }

    /// Merges the device store at `path` home in one transaction: its work not merged
    /// before is applied with its recorded times; each item that no longer fits is
    /// reported once in `conflicts`. The same file merged again applies nothing. A store
    /// that is not a device of this one, or a device changed outside the library, raises
    /// `Conflict`; a device of its own `key` given without it or with another raises
    /// `PermissionDenied`; nothing is written then.
    #[pyo3(signature = (path, key=None))]
    fn merge(&self, py: Python<'_>, path: PathBuf, key: Option<Key>) -> PyResult<MergeResult> {
        let key = key.map(|k| k.0);
        self.with_args(
            py,
            || Ok((path, key)),
            |s, (path, key)| match key {
                Some(key) => s.merge_with_key(path, &key),
                None => s.merge(path),
            },
        )
        .map(MergeResult::from)
    }

    /// Withdraws the checkout of device `device_id`: its later merge applies nothing and
    /// reports each of its items as a conflict. An unknown device raises `NotFound`.
    fn withdraw_checkout(&self, py: Python<'_>, device_id: Text<'_>) -> PyResult<()> {
        let device_id = device_id.0;
        let device_id: &str = &device_id;
        self.with_args(py, || Ok(()), |s, ()| s.withdraw_checkout(device_id))
    }
}
