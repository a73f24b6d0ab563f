//! `wangge.Store`: a handle on one deployment's SQLite store, and the record classes of
//! its audit chain. `Store`'s methods are written in one file per area, as the core's
//! modules are: units, staff, registry, archive, import, visits, contacts (quotas,
//! patrols, findings), calendar, period, ledger (with its actions), report and submit.
//!
//! The class is frozen and holds the core handle behind a `Mutex<Option<_>>`: `None` once
//! closed. Every method runs one core call through [`Store::with_args`] (or
//! [`Store::with`] when there is nothing to convert), which takes the lock just long
//! enough to clone the core handle (an `Arc`), so a closed handle is reported before a
//! bad argument, then converts the Python arguments and does the database work with the
//! GIL released: a slow query never blocks other Python threads and no Rust lock is ever
//! held while the GIL is taken.

mod archive;
mod calendar;
mod contacts;
pub(crate) mod frames;
mod handheld;
mod import;
mod ledger;
mod period;
mod registry;
mod report;
mod staff;
mod submit;
mod units;
mod visits;

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use wangge::{Date, StoreOptions};

use crate::args::{Code, Int, Key, Text};
use crate::convert::{input_json, json_text_arg, object_json, repr_text};
use crate::errors::{closed, invalid, module_language, py_result, py_result_in};
use crate::progress::{progress_arg, refuse_inside_progress, watched};
use crate::record::{record, records, serialized};

pub(crate) use period::period_arg;

/// A handle on one deployment's store (one SQLite file, or `":memory:"`).
///
/// A context manager: leaving the `with` block closes the handle. Every write through any
/// handle appends to the audit chain. `scope()` gives a handle restricted to one subtree.
/// Every call honours Ctrl-C: `KeyboardInterrupt` stops it within a fraction of a second
/// and a write it was making is rolled back. The long calls (imports, due lists,
/// compliance, reports, assessments, circulars, `verify_audit`) also take
/// `progress(done, total)`.
#[pyclass(frozen, module = "wangge._native")]
#[derive(Debug)]
pub struct Store {
    /// The core handle, `None` once this handle is closed.
    handle: Mutex<Option<wangge::Store>>,
}

impl Store {
    /// Wraps an open core handle.
    fn wrap(store: wangge::Store) -> Self {
        Store {
            handle: Mutex::new(Some(store)),
        }
    }

    /// A clone of the core handle, or `StorageError` once closed or when called from a
    /// progress callback. The lock is released before this returns.
    fn handle(&self) -> PyResult<wangge::Store> {
        refuse_inside_progress()?;
        self.open_handle().ok_or_else(closed)
    }

    /// A clone of the core handle, `None` once this handle or (for a scope) the store it
    /// came from is closed.
    fn open_handle(&self) -> Option<wangge::Store> {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .filter(|s| !s.is_closed())
    }

    /// Runs one core call on this handle with the GIL released; a core error becomes the
    /// Python exception of its kind, a closed handle `StorageError`.
    pub(crate) fn with<T, F>(&self, py: Python<'_>, work: F) -> PyResult<T>
    where
        T: Send,
        F: FnOnce(&wangge::Store) -> wangge::Result<T> + Send,
    {
        self.with_args(py, || Ok(()), |s, ()| work(s))
    }

    /// As [`Store::with`], for a call with arguments to convert first: `args` converts
    /// them once the handle is known to be open (a closed handle is reported before a bad
    /// argument), then `work` runs with them and the GIL released.
    pub(crate) fn with_args<A, T, F>(
        &self,
        py: Python<'_>,
        args: impl FnOnce() -> PyResult<A>,
        work: F,
    ) -> PyResult<T>
    where
        A: Send,
        T: Send,
        F: FnOnce(&wangge::Store, A) -> wangge::Result<T> + Send,
    {
        self.with_progress_args(py, None, args, work)
    }

    /// As [`Store::with_args`], calling `progress` (a callable taking `(done, total)`,
    /// checked by [`progress_arg`]) as the work goes on. Whether or not there is one,
    /// the work honours Ctrl-C (see the `progress` module).
    pub(crate) fn with_progress_args<A, T, F>(
        &self,
        py: Python<'_>,
        progress: Option<&Bound<'_, PyAny>>,
        args: impl FnOnce() -> PyResult<A>,
        work: F,
    ) -> PyResult<T>
    where
        A: Send,
        T: Send,
        F: FnOnce(&wangge::Store, A) -> wangge::Result<T> + Send,
    {
        let store = self.handle()?;
        let language = store.language();
        let args = crate::errors::reading_for(language, args)?;
        let callback = progress_arg(progress)?;
        watched(py, callback, language, move |p| {
            store.with_progress(p, |s| work(s, args))
        })
    }

    /// Sets a versioned rule set through `set` (one of the core's `set_*_rules_json`):
    /// `rules` a list of dicts or its JSON text, in force from `start` (default: always).
    pub(crate) fn set_rule_set(
        &self,
        py: Python<'_>,
        rules: &Bound<'_, PyAny>,
        start: Option<&Bound<'_, PyAny>>,
        set: fn(&wangge::Store, &str, Option<wangge::Date>) -> wangge::Result<()>,
    ) -> PyResult<()> {
        self.with_args(
            py,
            || {
                Ok((
                    crate::convert::opt_date_arg("start", start)?,
                    crate::convert::json_text_arg("rules", rules)?,
                ))
            },
            move |s, (start, json)| set(s, &json, start),
        )
    }

    /// Reads what the core handle holds in memory (no database work), with the GIL held.
    fn read<T>(&self, work: impl FnOnce(&wangge::Store) -> T) -> PyResult<T> {
        Ok(work(&self.handle()?))
    }
}

#[pymethods]
impl Store {
    /// Opens (creating if needed) the store at `path`, or an in-memory store for
    /// `":memory:"`. `levels` (a list of `(name, code length or None)` pairs, root first)
    /// and `utc_offset_minutes` are fixed when the store is created; `actor` is who writes
    /// through this handle (default `"system"`, or on a handheld device's store the worker
    /// it was checked out to). `read_only` opens an existing store without migrating it and
    /// refuses every write with `PermissionDenied`. `key` (bytes, 16 to 64) is the
    /// deployment key, never written to the file: a new store opened with one keeps ID
    /// numbers and phones sealed (SM4); a keyed store opened without its key or with
    /// another, or a store without a key opened with one, raises `PermissionDenied` and is
    /// left untouched (`rekey()` keys a store). `busy_timeout_ms` is how long a write waits
    /// for another connection's write lock (another process's import) before it raises
    /// `Busy`: 0 to 600000, default 60000. `language` (`"en"` or `"zh"`, default the
    /// module's, see `set_language`) is the language of the messages of this store's
    /// errors and its scopes'; the exception classes, and the field names and values in the
    /// messages, are the same in both. An empty `path` raises `InvalidInput`.
    #[new]
    #[allow(clippy::too_many_arguments)] // Python keyword arguments, one per option.
    #[pyo3(signature = (path, levels=None, actor=None, utc_offset_minutes=None, read_only=false, key=None, busy_timeout_ms=None, language=None), text_signature = "(path, levels=None, actor=None, utc_offset_minutes=None, read_only=False, key=None, busy_timeout_ms=None, language=None)")]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        levels: Option<&Bound<'_, PyAny>>,
        actor: Option<Text<'_>>,
        utc_offset_minutes: Option<Int>,
        read_only: bool,
        key: Option<Key>,
        busy_timeout_ms: Option<Int>,
        language: Option<Text<'_>>,
    ) -> PyResult<Self> {
        let actor = actor.map(|a| a.0);
        let language = language.map(|l| l.0);
        let levels = levels.map(|l| input_json("levels", l)).transpose()?;
        let mut options = py_result(StoreOptions::from_json(&object_json([
            ("levels", levels.unwrap_or_default()),
            ("actor", actor.as_deref().into()),
            ("utc_offset_minutes", utc_offset_minutes.map(|n| n.0).into()),
            ("read_only", read_only.into()),
            ("busy_timeout_ms", busy_timeout_ms.map(|n| n.0).into()),
            (
                "language",
                language
                    .as_deref()
                    .unwrap_or(module_language().as_str())
                    .into(),
            ),
        ])))?;
        // Moved, not copied: the library wipes it once the store is open.
        options.key = key.map(|mut k| std::mem::take(&mut *k.0));
        let language = options.language;
        let store = py_result_in(
            py.detach(move || wangge::Store::open_with(path, options)),
            language,
        )?;
        Ok(Store::wrap(store))
    }

    /// Closes this handle; afterwards every call raises `StorageError`. Closing twice is
    /// harmless. Closing an unrestricted handle closes the store: the file, and every
    /// scope made from it, which then raise the same error. Closing a scope closes only
    /// that scope. From inside an import's progress callback it raises `StorageError`
    /// (the import holds the connection closing would wait for).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        refuse_inside_progress()?;
        let taken = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(store) = taken {
            py.detach(move || {
                if store.scope_root().is_none() {
                    // Only a scoped handle is refused, and this one is not scoped.
                    let _ = store.close();
                }
                drop(store);
            });
        }
        Ok(())
    }

    /// True once `close()` was called on this handle or, for a scope, on the store it
    /// came from.
    #[getter]
    fn closed(&self) -> bool {
        self.open_handle().is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().read(|_| ())?;
        Ok(slf)
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> PyResult<bool> {
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.open_handle() {
            None => "Store(closed)".to_owned(),
            Some(store) => {
                let text = |s: Option<&str>| {
                    s.into_pyobject(py)
                        .map_or_else(|_| String::new(), |o| repr_text(&o))
                };
                format!(
                    "Store(actor={}, scope_root={})",
                    text(Some(store.actor())),
                    text(store.scope_root())
                )
            }
        }
    }

    /// The actor this handle writes as.
    #[getter]
    fn actor(&self) -> PyResult<String> {
        self.read(|s| s.actor().to_owned())
    }

    /// The root of this handle's scope, or `None` for an unrestricted handle.
    #[getter]
    fn scope_root(&self) -> PyResult<Option<String>> {
        self.read(|s| s.scope_root().map(str::to_owned))
    }

    /// The deployment's levels, root first, as `(name, code length or None)` pairs.
    #[getter]
    fn levels(&self) -> PyResult<Vec<(String, Option<usize>)>> {
        self.read(|s| level_pairs(s.levels()))
    }

    /// Today's date in the deployment's time zone: what an omitted date means.
    fn today(&self) -> PyResult<Date> {
        self.read(wangge::Store::today)
    }

    /// A new handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`; anything outside it raises `PermissionDenied` for a unit
    /// code, or `NotFound` for a household, resident, visit, finding, entry or assignment,
    /// as if there were none. It is closed when the store is closed.
    fn scope(&self, py: Python<'_>, code: Code<'_>, actor: Text<'_>) -> PyResult<Store> {
        let code = code.0;
        let code: &str = &code;
        let actor = actor.0;
        let actor: &str = &actor;
        self.with(py, |s| s.scope(code, actor)).map(Store::wrap)
    }

    /// Seals the store with `new_key` (bytes, 16 to 64): a store without a key becomes
    /// keyed, a keyed store changes its key. Every ID number and phone is re-sealed and
    /// the audit chain re-keyed in one transaction, audited; on failure nothing changes.
    /// From then on the store opens only with `new_key`. A scoped or read-only handle
    /// raises `PermissionDenied`.
    fn rekey(&self, py: Python<'_>, new_key: Key) -> PyResult<()> {
        let key = new_key.0;
        self.with(py, move |s| s.rekey(&key))
    }

    /// What the store is: its path, whether it is keyed, its schema version and
    /// application id, whether it is read-only, the deployment's levels and UTC offset,
    /// and this handle's actor and scope.
    fn info(&self, py: Python<'_>) -> PyResult<StoreInfo> {
        self.with(py, wangge::Store::info).map(StoreInfo::from)
    }

    /// Recomputes the audit chain and checks every fact against its seal: whether any
    /// record was changed or removed, and every row (the schema and the settings
    /// included) edited, deleted or inserted outside the library, in `problems`. With
    /// `since`, a head from `audit_head()` kept elsewhere (a dict or its JSON text), also
    /// proves the chain still holds it unchanged; a bad one is `InvalidInput` naming it.
    /// The chain is the whole deployment's: a scoped handle raises `PermissionDenied`.
    /// `progress(done, total)` as for `import_households`.
    #[pyo3(signature = (since=None, *, progress=None), text_signature = "($self, since=None, *, progress=None)")]
    fn verify_audit(
        &self,
        py: Python<'_>,
        since: Option<Bound<'_, PyAny>>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<AuditVerification> {
        self.with_progress_args(
            py,
            progress,
            || since.map(|v| json_text_arg("since", &v)).transpose(),
            |s, since| match since {
                None => s.verify_audit(),
                Some(text) => s.verify_audit_since(&wangge::AuditHead::from_json(&text)?),
            },
        )
        .map(AuditVerification::from)
    }

    /// The newest record of the audit chain as a dict `{"seq", "digest", "at"}`, to keep
    /// elsewhere and give later to `verify_audit(since=...)`.
    fn audit_head<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let head = self.with(py, wangge::Store::audit_head)?;
        serialized(py, serde_json::to_value(&head))
    }

    /// The audit records after sequence number `after`, oldest first, at most `limit`. A
    /// scoped handle gets only the records about its subtree.
    #[pyo3(signature = (after=Int(0), limit=Int(1000)), text_signature = "($self, after=0, limit=1000)")]
    fn audit_log(&self, py: Python<'_>, after: Int, limit: Int) -> PyResult<Vec<AuditRecord>> {
        let after: i64 = after.0;
        let limit: i64 = limit.0;
        self.with_args(
            py,
            || {
                usize::try_from(limit)
                    .map_err(|_| invalid("limit", limit.to_string(), "must not be negative"))
            },
            |s, limit| s.audit_log(after, limit),
        )
        .map(records)
    }
}

/// The deployment's levels as `(name, code length or None)` pairs, root first.
pub(crate) fn level_pairs(levels: &wangge::Levels) -> Vec<(String, Option<usize>)> {
    levels
        .as_slice()
        .iter()
        .map(|l| (l.name.clone(), l.code_len))
        .collect()
}

record! {
    /// One record of the audit chain: who did what to which record, and when.
    pub struct AuditRecord(wangge::AuditRecord) as r, repr = all {
        /// Position in the chain, from 1, without gaps.
        seq: i64 = r.seq,
        /// When the write happened (RFC 3339 text with the deployment's offset).
        at: &str = &r.at,
        /// Who made it (the handle's actor).
        actor: &str = &r.actor,
        /// What was done, e.g. `add_unit`.
        action: &str = &r.action,
        /// What it was done to, e.g. a unit code.
        target: &str = &r.target,
        /// Details of the write as JSON text.
        detail: &str = &r.detail,
        /// SM3 or HMAC-SM3 (hex) over the previous hash, this record's fields and the
        /// seals of every fact after its write.
        hash: &str = &r.hash,
    }
}

record! {
    /// The outcome of `Store.verify_audit()`; true in a boolean context when the chain is
    /// intact and every fact is as the library wrote it.
    pub struct AuditVerification(wangge::AuditVerification) as v, repr = all {
        /// True when every record is intact, none is missing, the head given (if any) is
        /// still in the chain, and no fact was changed outside the library.
        ok: bool = v.ok,
        /// How many records the chain holds.
        records: i64 = v.records,
        /// The sequence number of the first bad or missing record, or of a head no longer
        /// in the chain.
        first_bad: Option<i64> = v.first_bad,
        /// What is wrong, when not ok.
        problem: Option<&str> = v.problem.as_deref(),
        /// The facts changed outside the library, at most 100.
        problems: Vec<FactProblem> = v.problems.iter().cloned().map(FactProblem::from).collect()
            => problem_dicts,
        /// How many such problems there are in all.
        problems_total: i64 = v.problems_total,
    }
}

record! {
    /// What a store is: `Store.info()`.
    pub struct StoreInfo(wangge::StoreInfo) as i, repr = all {
        /// The file's path as given when it was opened (`:memory:` for an in-memory store).
        path: &str = &i.path,
        /// True when ID numbers and phones are sealed with a deployment key (SM4) and the
        /// audit chain is keyed; false when they are in clear.
        keyed: bool = i.keyed,
        /// This library's version, `MAJOR.MINOR.PATCH`.
        library_version: &str = &i.library_version,
        /// The version of the SQLite the module runs on: the interpreter's own, the one
        /// `sqlite3.sqlite_version` names.
        sqlite_version: &str = &i.sqlite_version,
        /// The C ABI's version: the `MAJOR` of `libwangge.so.MAJOR`.
        abi_version: u32 = i.abi_version,
        /// The file's schema version.
        schema_version: i64 = i.schema_version,
        /// The newest schema version this library writes.
        library_schema_version: i64 = i.library_schema_version,
        /// The file's `PRAGMA application_id` (0x57474745 for a wangge store).
        application_id: i32 = i.application_id,
        /// True when the store was opened read-only.
        read_only: bool = i.read_only,
        /// How long a write waits for another connection's write lock before it raises
        /// `Busy`, in milliseconds.
        busy_timeout_ms: u32 = i.busy_timeout_ms,
        /// The deployment's levels, root first, as `(name, code length or None)` pairs.
        levels: Vec<(String, Option<usize>)> = level_pairs(&i.levels),
        /// The deployment's offset from UTC in minutes.
        utc_offset_minutes: i32 = i.utc_offset_minutes,
        /// Who writes through this handle.
        actor: &str = &i.actor,
        /// The root of this handle's scope, or `None` for an unrestricted handle.
        scope: Option<&str> = i.scope.as_deref(),
        /// The language of the messages of this store's errors, `"en"` or `"zh"`.
        language: &str = i.language.as_str(),
    }
}

record! {
    /// A fact found changed outside the library: its table (`sqlite_master` for the
    /// schema, `seal` for the seals), its row (rowid, or primary key values separated by
    /// `/`) and the problem (`edited`, `deleted`, `inserted`, `resealed`,
    /// `found_earlier:...`).
    pub struct FactProblem(wangge::FactProblem) as p, repr = all {
        /// The table.
        table: &str = &p.table,
        /// The row.
        row: &str = &p.row,
        /// What was done to it.
        problem: &str = &p.problem,
    }
}

/// The problems as a new list of dicts, for `AuditVerification.to_dict()`.
fn problem_dicts<'py>(py: Python<'py>, problems: &Vec<FactProblem>) -> PyResult<Bound<'py, PyAny>> {
    let list = pyo3::types::PyList::empty(py);
    for p in problems {
        list.append(p.to_dict(py)?)?;
    }
    Ok(list.into_any())
}

#[pymethods]
impl AuditVerification {
    fn __bool__(&self) -> bool {
        self.0.ok
    }
}

/// Adds `Store`, every record class and the module functions to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Store>()?;
    m.add_class::<AuditRecord>()?;
    m.add_class::<AuditVerification>()?;
    m.add_class::<StoreInfo>()?;
    m.add_class::<FactProblem>()?;
    units::register(m)?;
    staff::register(m)?;
    registry::register(m)?;
    archive::register(m)?;
    import::register(m)?;
    visits::register(m)?;
    contacts::register(m)?;
    calendar::register(m)?;
    period::register(m)?;
    ledger::register(m)?;
    report::register(m)?;
    submit::register(m)?;
    frames::register(m)?;
    handheld::register(m)?;
    Ok(())
}
