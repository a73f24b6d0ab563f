//! `wangge.Store`: a handle on one deployment's SQLite store.
//!
//! The class is frozen and holds the core handle behind a `Mutex<Option<_>>`: `None` once
//! closed. Every method converts its Python arguments first, then takes the lock just long
//! enough to clone the core handle (an `Arc`), and does the database work with the GIL
//! released, so a slow query never blocks other Python threads and no Rust lock is ever
//! held while the GIL is taken.

use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use wangge::{
    Date, HouseholdClass, HouseholdFilter, HouseholdKind, ImportMode, ImportOptions, NewResident,
    StoreOptions,
};

use crate::convert::{
    date_arg, json_arg, levels_arg, new_unit_arg, opt_date_arg, opt_moment_arg, repr_text, tags_arg,
};
use crate::errors::{closed, invalid, py_result};
use crate::import;
use crate::registry_types::{
    Archive, ArchiveSection, Household, ImportResult, Resident, TagKind, UnitCounts,
};
use crate::types::{Assignment, AuditRecord, AuditVerification, Staff, Unit};

/// A handle on one deployment's store (one SQLite file, or `":memory:"`).
///
/// A context manager: leaving the `with` block closes the handle. Every write through any
/// handle appends to the audit chain. `scope()` gives a handle restricted to one subtree.
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

    /// A clone of the core handle, or `StorageError` once closed or when called from an
    /// import's progress callback. The lock is released before this returns.
    pub(crate) fn handle(&self) -> PyResult<wangge::Store> {
        import::refuse_inside_progress()?;
        self.open_handle().ok_or_else(closed)
    }

    /// A clone of the core handle, `None` once closed.
    fn open_handle(&self) -> Option<wangge::Store> {
        self.handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Runs `work` on a core handle with the GIL released.
pub(crate) fn run<T, F>(py: Python<'_>, store: &wangge::Store, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce(&wangge::Store) -> wangge::Result<T> + Send,
{
    py_result(py.detach(move || work(store)))
}

/// Converts a list of core records into their Python classes.
fn convert<C, P: From<C>>(items: Vec<C>) -> Vec<P> {
    items.into_iter().map(P::from).collect()
}

#[pymethods]
impl Store {
    /// Opens (creating if needed) the store at `path`, or an in-memory store for
    /// `":memory:"`. `levels` (a list of `(name, code length or None)` pairs, root first)
    /// and `utc_offset_minutes` are fixed when the store is created; `actor` is who writes
    /// through this handle.
    #[new]
    #[pyo3(signature = (path, levels=None, actor="system", utc_offset_minutes=None))]
    fn new(
        py: Python<'_>,
        path: PathBuf,
        levels: Option<&Bound<'_, PyAny>>,
        actor: &str,
        utc_offset_minutes: Option<i32>,
    ) -> PyResult<Self> {
        let levels = levels
            .filter(|l| !l.is_none())
            .map(levels_arg)
            .transpose()?;
        let options = StoreOptions {
            levels,
            utc_offset_minutes,
            actor: Some(actor.to_owned()),
        };
        let store = py_result(py.detach(move || wangge::Store::open_with(path, options)))?;
        Ok(Store::wrap(store))
    }

    /// Closes this handle; afterwards every call raises `StorageError`. Closing twice is
    /// harmless. The file is closed when its last handle (including scopes) is closed.
    fn close(&self, py: Python<'_>) {
        let taken = self
            .handle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(store) = taken {
            py.detach(move || drop(store));
        }
    }

    /// True once `close()` was called.
    #[getter]
    fn closed(&self) -> bool {
        self.open_handle().is_none()
    }

    fn __enter__(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().handle()?;
        Ok(slf)
    }

    #[pyo3(signature = (*_exc_info))]
    fn __exit__(&self, py: Python<'_>, _exc_info: &Bound<'_, PyTuple>) -> bool {
        self.close(py);
        false
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
        Ok(self.handle()?.actor().to_owned())
    }

    /// The root of this handle's scope, or `None` for an unrestricted handle.
    #[getter]
    fn scope_root(&self) -> PyResult<Option<String>> {
        Ok(self.handle()?.scope_root().map(str::to_owned))
    }

    /// The deployment's levels, root first, as `(name, code length or None)` pairs.
    #[getter]
    fn levels(&self) -> PyResult<Vec<(String, Option<usize>)>> {
        Ok(self
            .handle()?
            .levels()
            .as_slice()
            .iter()
            .map(|l| (l.name.clone(), l.code_len))
            .collect())
    }

    /// Today's date in the deployment's time zone: what an omitted date means.
    fn today(&self) -> PyResult<Date> {
        Ok(self.handle()?.today())
    }

    /// Adds one unit under `parent` (or as a root), existing from `start` (or as long as
    /// its parent has).
    #[pyo3(signature = (code, name, level, parent=None, start=None))]
    fn add_unit(
        &self,
        py: Python<'_>,
        code: &str,
        name: &str,
        level: &str,
        parent: Option<&str>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Unit> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        run(py, &store, |s| s.add_unit(code, name, level, parent, start)).map(Unit::from)
    }

    /// Adds many units in one transaction, all or none; parents may come earlier in the
    /// same batch. Each item is a dict with the keys `code, name, level` and optionally
    /// `parent, start`, or a tuple in that order. Returns how many were added.
    fn add_units(&self, py: Python<'_>, units: &Bound<'_, PyAny>) -> PyResult<usize> {
        let store = self.handle()?;
        let mut batch = Vec::new();
        for (index, item) in units.try_iter()?.enumerate() {
            batch.push(new_unit_arg(index, &item?)?);
        }
        py_result(py.detach(move || store.add_units(&batch)))
    }

    /// The unit `code` as it stood on `as_of`, or, without a date, as it stands today or,
    /// if retired, as it last stood.
    #[pyo3(signature = (code, as_of=None))]
    fn unit(&self, py: Python<'_>, code: &str, as_of: Option<&Bound<'_, PyAny>>) -> PyResult<Unit> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.unit(code, as_of)).map(Unit::from)
    }

    /// The direct children of `code` on `as_of` (default today), sorted by code.
    #[pyo3(signature = (code, as_of=None))]
    fn children(
        &self,
        py: Python<'_>,
        code: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.children(code, as_of)).map(convert)
    }

    /// Every unit below `code` on `as_of` (default today), optionally only those of one
    /// level, sorted by code; the unit itself is not included.
    #[pyo3(signature = (code, level=None, as_of=None))]
    fn descendants(
        &self,
        py: Python<'_>,
        code: &str,
        level: Option<&str>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.descendants(code, level, as_of)).map(convert)
    }

    /// The ancestors of `code` on `as_of` (default today), root first, not including the
    /// unit itself; a scoped handle sees them only up to its scope's root.
    #[pyo3(signature = (code, as_of=None))]
    fn ancestors(
        &self,
        py: Python<'_>,
        code: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Unit>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.ancestors(code, as_of)).map(convert)
    }

    /// Moves `code`, with its whole subtree, under `new_parent` from `on`; it keeps its
    /// code and the tree as of earlier dates is unchanged.
    fn move_unit(
        &self,
        py: Python<'_>,
        code: &str,
        new_parent: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Unit> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.move_unit(code, new_parent, on)).map(Unit::from)
    }

    /// Retires `code` from `on`: it no longer exists from that day but stays in history.
    fn retire_unit(&self, py: Python<'_>, code: &str, on: &Bound<'_, PyAny>) -> PyResult<Unit> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.retire_unit(code, on)).map(Unit::from)
    }

    /// Adds a staff member; the returned record has the phone masked.
    #[pyo3(signature = (staff_id, name, phone=None))]
    fn add_staff(
        &self,
        py: Python<'_>,
        staff_id: &str,
        name: &str,
        phone: Option<&str>,
    ) -> PyResult<Staff> {
        let store = self.handle()?;
        run(py, &store, |s| s.add_staff(staff_id, name, phone)).map(Staff::from)
    }

    /// A staff member, phone masked.
    fn staff(&self, py: Python<'_>, staff_id: &str) -> PyResult<Staff> {
        let store = self.handle()?;
        run(py, &store, |s| s.staff(staff_id)).map(Staff::from)
    }

    /// A staff member's phone in clear (or `None`); the read is recorded in the audit
    /// chain.
    fn staff_phone(&self, py: Python<'_>, staff_id: &str) -> PyResult<Option<String>> {
        let store = self.handle()?;
        run(py, &store, |s| s.staff_phone(staff_id))
    }

    /// Assigns a staff member to a unit in a role from `start` (or always) to `end`, the
    /// last day (inclusive), or open-ended.
    #[pyo3(signature = (staff_id, unit, role, start=None, end=None))]
    fn assign(
        &self,
        py: Python<'_>,
        staff_id: &str,
        unit: &str,
        role: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assignment> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let end = opt_date_arg("end", end)?;
        run(py, &store, |s| s.assign(staff_id, unit, role, start, end)).map(Assignment::from)
    }

    /// Ends assignment `assignment_id` on `end`, its last day.
    fn end_assignment(
        &self,
        py: Python<'_>,
        assignment_id: i64,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let end = date_arg("end", end)?;
        run(py, &store, |s| s.end_assignment(assignment_id, end))
    }

    /// The assignments of `unit` itself on `on` (default today), most responsible role
    /// first.
    #[pyo3(signature = (unit, on=None))]
    fn assignments(
        &self,
        py: Python<'_>,
        unit: &str,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let store = self.handle()?;
        let on = opt_date_arg("on", on)?;
        run(py, &store, |s| s.assignments(unit, on)).map(convert)
    }

    /// Who is responsible for `unit` on `on` (default today): the unit's own assignments
    /// or, if it has none, those of its nearest ancestor that has some.
    #[pyo3(signature = (unit, on=None))]
    fn responsible(
        &self,
        py: Python<'_>,
        unit: &str,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let store = self.handle()?;
        let on = opt_date_arg("on", on)?;
        run(py, &store, |s| s.responsible(unit, on)).map(convert)
    }

    /// A new handle on the same store, acting as `actor`, that sees and changes only the
    /// subtree of unit `code`; anything outside it raises `PermissionDenied`.
    fn scope(&self, py: Python<'_>, code: &str, actor: &str) -> PyResult<Store> {
        let store = self.handle()?;
        run(py, &store, |s| s.scope(code, actor)).map(Store::wrap)
    }

    /// Recomputes the audit chain and reports whether any record was changed or removed.
    fn verify_audit(&self, py: Python<'_>) -> PyResult<AuditVerification> {
        let store = self.handle()?;
        run(py, &store, wangge::Store::verify_audit).map(AuditVerification::from)
    }

    /// The audit records after sequence number `after`, oldest first, at most `limit`.
    #[pyo3(signature = (after=0, limit=1000))]
    fn audit_log(&self, py: Python<'_>, after: i64, limit: i64) -> PyResult<Vec<AuditRecord>> {
        let store = self.handle()?;
        let limit = usize::try_from(limit)
            .map_err(|_| invalid("limit", limit.to_string(), "must not be negative"))?;
        run(py, &store, |s| s.audit_log(after, limit)).map(convert)
    }

    /// Adds household `household_id` living in grid or building `unit` at `address`, of
    /// `kind` (`registered` 户籍, `floating` 流动 or `rental` 出租), carrying `tags` (tag
    /// kinds) from `start` (or always). A duplicate id raises `Conflict`, an unknown tag
    /// `InvalidInput`.
    #[pyo3(signature = (household_id, unit, address, kind="registered", tags=None, start=None))]
    #[allow(clippy::too_many_arguments)]
    fn add_household(
        &self,
        py: Python<'_>,
        household_id: &str,
        unit: &str,
        address: &str,
        kind: &str,
        tags: Option<&Bound<'_, PyAny>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Household> {
        let store = self.handle()?;
        let tags = tags_arg("tags", tags)?;
        let start = opt_date_arg("start", start)?;
        run(py, &store, |s| {
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            s.add_household(household_id, unit, address, kind, &tags, start)
        })
        .map(Household::from)
    }

    /// Moves a household to `unit` from `on`; as of earlier dates it is still where it was.
    /// Returns the household as of `on`.
    fn move_household(
        &self,
        py: Python<'_>,
        household_id: &str,
        unit: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Household> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.move_household(household_id, unit, on)).map(Household::from)
    }

    /// Takes a household off the registry from `on` (moved away, dissolved); history keeps
    /// it.
    fn end_household(
        &self,
        py: Python<'_>,
        household_id: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.end_household(household_id, on))
    }

    /// The household as it stood on `as_of` (default today): where it lived, its tags and
    /// the class they give it.
    #[pyo3(signature = (household_id, as_of=None))]
    fn household(
        &self,
        py: Python<'_>,
        household_id: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Household> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.household(household_id, as_of)).map(Household::from)
    }

    /// The households living on `as_of` (default today) anywhere in `unit`'s subtree,
    /// optionally only those of one class (`ordinary`, `special`), carrying one tag
    /// (themselves or a member) or of one kind; sorted by id.
    #[pyo3(signature = (unit, as_of=None, household_class=None, tag=None, kind=None))]
    fn households(
        &self,
        py: Python<'_>,
        unit: &str,
        as_of: Option<&Bound<'_, PyAny>>,
        household_class: Option<&str>,
        tag: Option<String>,
        kind: Option<&str>,
    ) -> PyResult<Vec<Household>> {
        let store = self.handle()?;
        let filter = HouseholdFilter {
            as_of: opt_date_arg("as_of", as_of)?,
            household_class: py_result(household_class.map(HouseholdClass::parse).transpose())?,
            tag,
            kind: py_result(kind.map(HouseholdKind::parse).transpose())?,
        };
        run(py, &store, |s| s.households(unit, &filter)).map(convert)
    }

    /// The class of a household on `on` (default today): `special` (特殊户) when it or a
    /// member carries a special tag that day, else `ordinary` (普通户).
    #[pyo3(signature = (household_id, on=None))]
    fn household_class(
        &self,
        py: Python<'_>,
        household_id: &str,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<&'static str> {
        let store = self.handle()?;
        let on = opt_date_arg("on", on)?;
        run(py, &store, |s| s.household_class(household_id, on)).map(HouseholdClass::as_str)
    }

    /// Puts `tag` on a household from `start` (default: the day it joined the registry) to
    /// `end`, its last day (default open). The same tag overlapping days it already carries raises
    /// `Conflict`; a tag kind the store does not know, `InvalidInput`.
    #[pyo3(signature = (household_id, tag, start=None, end=None))]
    fn tag(
        &self,
        py: Python<'_>,
        household_id: &str,
        tag: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let end = opt_date_arg("end", end)?;
        run(py, &store, |s| s.tag(household_id, tag, start, end))
    }

    /// The same as `tag`, named as the C function `wg_household_tag`.
    #[pyo3(signature = (household_id, tag, start=None, end=None))]
    fn tag_household(
        &self,
        py: Python<'_>,
        household_id: &str,
        tag: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        self.tag(py, household_id, tag, start, end)
    }

    /// Ends a household's `tag` from `on`: it no longer carries it that day.
    fn untag(
        &self,
        py: Python<'_>,
        household_id: &str,
        tag: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.untag(household_id, tag, on))
    }

    /// The same as `untag`, named as the C function `wg_household_untag`.
    fn untag_household(
        &self,
        py: Python<'_>,
        household_id: &str,
        tag: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        self.untag(py, household_id, tag, on)
    }

    /// Puts `tag` on a resident from `start` (default: always) to `end`, its last day
    /// (default open); it counts for the class of the household they belong to each day.
    #[pyo3(signature = (resident_id, tag, start=None, end=None))]
    fn tag_resident(
        &self,
        py: Python<'_>,
        resident_id: i64,
        tag: &str,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let start = opt_date_arg("start", start)?;
        let end = opt_date_arg("end", end)?;
        run(py, &store, |s| s.tag_resident(resident_id, tag, start, end))
    }

    /// Ends a resident's `tag` from `on`.
    fn untag_resident(
        &self,
        py: Python<'_>,
        resident_id: i64,
        tag: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.untag_resident(resident_id, tag, on))
    }

    /// Defines a deployment's own tag kind, or changes whether a kind makes a household
    /// special. Needs a handle that is not scoped.
    fn define_tag(&self, py: Python<'_>, tag: &str, special: bool) -> PyResult<()> {
        let store = self.handle()?;
        run(py, &store, |s| s.define_tag(tag, special))
    }

    /// The tag kinds this store knows, sorted by name.
    fn tag_kinds(&self, py: Python<'_>) -> PyResult<Vec<TagKind>> {
        let store = self.handle()?;
        run(py, &store, wangge::Store::tag_kinds).map(convert)
    }

    /// Adds a resident to a household from `start` (default: as long as the household).
    /// The ID number (18 characters, or 15 of the old kind, which is upgraded) is checked
    /// (length, region, birth date, check digit) and gives the birth date and sex; one
    /// already in the store raises `Conflict`. The returned record is masked.
    #[pyo3(signature = (
        household_id, name, id_number=None, phone=None, hukou=None, employer=None,
        relation="head", tags=None, start=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn add_resident(
        &self,
        py: Python<'_>,
        household_id: &str,
        name: &str,
        id_number: Option<String>,
        phone: Option<String>,
        hukou: Option<String>,
        employer: Option<String>,
        relation: &str,
        tags: Option<&Bound<'_, PyAny>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Resident> {
        let store = self.handle()?;
        let resident = NewResident {
            name: name.to_owned(),
            id_number,
            phone,
            hukou,
            employer,
            relation: Some(relation.to_owned()),
            tags: tags_arg("tags", tags)?,
        };
        let start = opt_date_arg("start", start)?;
        run(py, &store, |s| {
            s.add_resident(household_id, &resident, start)
        })
        .map(Resident::from)
    }

    /// Moves a resident to household `household_id` from `on`, with their `relation` to its
    /// head; returns them as of `on`.
    fn move_resident(
        &self,
        py: Python<'_>,
        resident_id: i64,
        household_id: &str,
        relation: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Resident> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| {
            s.move_resident(resident_id, household_id, relation, on)
        })
        .map(Resident::from)
    }

    /// A resident as they stood on `as_of` (default today), ID number and phone masked.
    #[pyo3(signature = (resident_id, as_of=None))]
    fn resident(
        &self,
        py: Python<'_>,
        resident_id: i64,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Resident> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.resident(resident_id, as_of)).map(Resident::from)
    }

    /// The residents of a household on `as_of` (default today), the head first, then by
    /// id; ID numbers and phones masked.
    #[pyo3(signature = (household_id, as_of=None))]
    fn residents(
        &self,
        py: Python<'_>,
        household_id: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Resident>> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        run(py, &store, |s| s.residents(household_id, as_of)).map(convert)
    }

    /// A resident's ID number and phone in clear, as `(id_number, phone)` (either may be
    /// `None`). The read is recorded in the audit chain (action `read_clear`).
    fn resident_clear(
        &self,
        py: Python<'_>,
        resident_id: i64,
    ) -> PyResult<(Option<String>, Option<String>)> {
        let store = self.handle()?;
        run(py, &store, |s| s.resident_clear(resident_id))
    }

    /// Registry counts of `unit`'s subtree on `as_of` (default today), as `(total, rows)`:
    /// `total` for the whole subtree (its `unit` is `unit`), `rows` one per unit with
    /// households living directly in it, sorted by code; the rows sum to the total.
    #[pyo3(signature = (unit, as_of=None))]
    fn unit_counts(
        &self,
        py: Python<'_>,
        unit: &str,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(UnitCounts, Vec<UnitCounts>)> {
        let store = self.handle()?;
        let as_of = opt_date_arg("as_of", as_of)?;
        let (total, rows) = run(py, &store, |s| s.unit_counts(unit, as_of))?;
        Ok((UnitCounts::from(total), convert(rows)))
    }

    /// Writes a new version of one section (one of `ARCHIVE_SECTIONS`) of a household's
    /// 民生档案; `content` is a dict of JSON values. Earlier versions stay readable; the
    /// author is this handle's actor.
    fn set_archive_section(
        &self,
        py: Python<'_>,
        household_id: &str,
        section: &str,
        content: &Bound<'_, PyAny>,
    ) -> PyResult<ArchiveSection> {
        let store = self.handle()?;
        let content = json_arg("content", content)?;
        run(py, &store, |s| {
            s.set_archive_section(household_id, section, &content)
        })
        .map(ArchiveSection::from)
    }

    /// A household's archive as it stood at moment `at`, or now: the latest version of
    /// each section written by then. `at` is a `datetime` with a time zone, RFC 3339 text
    /// (such as the `at` of an `ArchiveSection`), or a date, meaning the end of that day in
    /// the deployment's time zone.
    #[pyo3(signature = (household_id, at=None))]
    fn archive(
        &self,
        py: Python<'_>,
        household_id: &str,
        at: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Archive> {
        let at = opt_moment_arg("at", at)?;
        let store = self.handle()?;
        run(py, &store, |s| s.archive(household_id, at.as_deref())).map(Archive::from)
    }

    /// Every version of one section of a household's archive, oldest first.
    fn archive_history(
        &self,
        py: Python<'_>,
        household_id: &str,
        section: &str,
    ) -> PyResult<Vec<ArchiveSection>> {
        let store = self.handle()?;
        run(py, &store, |s| s.archive_history(household_id, section)).map(convert)
    }

    /// Records that a household's archive was re-verified on `on` (数据更新); the
    /// household's and the archive's `verified` show it.
    fn verify_archive(
        &self,
        py: Python<'_>,
        household_id: &str,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let store = self.handle()?;
        let on = date_arg("on", on)?;
        run(py, &store, |s| s.verify_archive(household_id, on))
    }

    /// Imports households with their residents and tags, one row per resident. The source
    /// is a CSV path or `bytes` (UTF-8 with or without a BOM, or GBK/GB18030; English or
    /// Chinese headers), an iterable of dicts with the CSV columns as keys, or a pandas
    /// `DataFrame`. `mode` is `all_or_nothing` (any bad row: nothing written) or
    /// `skip_invalid`; `on` is the day the data describes (default today); `encoding`
    /// (`utf-8`, `gbk`, `gb18030`) overrides detection. Bad rows never raise: they are in
    /// the result's `errors`. `progress(done, total)` is called as rows are checked;
    /// returning `False` cancels with `InvalidInput`, raising cancels and propagates, and
    /// a cancelled import writes nothing. Re-importing the same ids updates in place.
    #[pyo3(signature = (path_or_rows, mode="all_or_nothing", on=None, encoding=None, progress=None))]
    fn import_households(
        &self,
        py: Python<'_>,
        path_or_rows: &Bound<'_, PyAny>,
        mode: &str,
        on: Option<&Bound<'_, PyAny>>,
        encoding: Option<String>,
        progress: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<ImportResult> {
        let store = self.handle()?;
        let options = ImportOptions {
            mode: py_result(ImportMode::parse(mode))?,
            on: opt_date_arg("on", on)?,
            encoding,
        };
        let progress = progress.filter(|p| !p.is_none());
        if let Some(p) = progress
            && !p.is_callable()
        {
            return Err(invalid(
                "progress",
                repr_text(p),
                "expected a callable taking (done, total)",
            ));
        }
        let source = import::source_arg(path_or_rows)?;
        import::run(py, &store, source, &options, progress)
    }
}
