//! Staff (网格员 and the other roles) and their assignments on the Python `Store`, and
//! the `Staff` and `Assignment` records.

use pyo3::prelude::*;

use super::Store;
use crate::args::{Code, Int, Text};
use crate::convert::{as_of_arg, date_arg, opt_date_arg};
use crate::record::{record, records};

record! {
    /// A staff member (网格员 and the other roles); the phone is masked (`138****5678`).
    pub struct Staff(wangge::Staff) as s, repr = all {
        /// The caller's id for the person.
        staff_id: &str = &s.staff_id,
        /// Their name.
        name: &str = &s.name,
        /// Their phone, masked; `Store.staff_phone` reads it in clear.
        phone: Option<&str> = s.phone.as_deref(),
    }
}

record! {
    /// A staff member's role on a unit over a stretch of days, both ends inclusive.
    pub struct Assignment(wangge::Assignment) as a, repr = all {
        /// The assignment's id in this store.
        id: i64 = a.id,
        /// Who.
        staff_id: &str = &a.staff_id,
        /// Their name.
        name: &str = &a.name,
        /// On which unit (its code).
        unit: &str = &a.unit,
        /// In which role, e.g. `grid_chief`.
        role: &str = a.role.as_str(),
        /// The first day; `None` for "always".
        start: Option<wangge::Date> = a.start,
        /// The last day (inclusive); `None` while it lasts.
        end: Option<wangge::Date> = a.end,
    }
}

/// Adds the `Staff` and `Assignment` classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Staff>()?;
    m.add_class::<Assignment>()
}

#[pymethods]
impl Store {
    /// Adds a staff member; the returned record has the phone masked.
    #[pyo3(signature = (staff_id, name, phone=None))]
    fn add_staff(
        &self,
        py: Python<'_>,
        staff_id: Text<'_>,
        name: Text<'_>,
        phone: Option<Text<'_>>,
    ) -> PyResult<Staff> {
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        let name = name.0;
        let name: &str = &name;
        let phone = phone.map(|t| t.0);
        let phone: Option<&str> = phone.as_deref();
        self.with(py, |s| s.add_staff(staff_id, name, phone))
            .map(Staff::from)
    }

    /// A staff member, phone masked.
    fn staff(&self, py: Python<'_>, staff_id: Text<'_>) -> PyResult<Staff> {
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        self.with(py, |s| s.staff(staff_id)).map(Staff::from)
    }

    /// A staff member's phone in clear (or `None`); the read is recorded in the audit
    /// chain.
    fn staff_phone(&self, py: Python<'_>, staff_id: Text<'_>) -> PyResult<Option<String>> {
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        self.with(py, |s| s.staff_phone(staff_id))
    }

    /// Assigns a staff member to a unit in a role from `start` (or always) to `end`, the
    /// last day (inclusive), or open-ended.
    #[pyo3(signature = (staff_id, unit, role, start=None, end=None))]
    fn assign(
        &self,
        py: Python<'_>,
        staff_id: Text<'_>,
        unit: Code<'_>,
        role: Text<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Assignment> {
        let staff_id = staff_id.0;
        let staff_id: &str = &staff_id;
        let unit = unit.0;
        let unit: &str = &unit;
        let role = role.0;
        let role: &str = &role;
        self.with_args(
            py,
            || Ok((opt_date_arg("start", start)?, opt_date_arg("end", end)?)),
            |s, (start, end)| s.assign(staff_id, unit, role, start, end),
        )
        .map(Assignment::from)
    }

    /// Ends assignment `assignment_id` on `end`, its last day.
    fn end_assignment(
        &self,
        py: Python<'_>,
        assignment_id: Int,
        end: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let assignment_id: i64 = assignment_id.0;
        self.with_args(
            py,
            || date_arg("end", end),
            |s, end| s.end_assignment(assignment_id, end),
        )
    }

    /// The assignments of `unit` itself on `as_of` (default today), most responsible role
    /// first.
    /// `on` is the old name of `as_of`: it still works, with a `DeprecationWarning`.
    #[pyo3(signature = (unit, as_of=None, *, on=None))]
    fn assignments(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let as_of = as_of_arg("assignments", as_of, on)?;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.assignments(unit, as_of),
        )
        .map(records)
    }

    /// Who is responsible for `unit` on `as_of` (default today): the unit's own assignments
    /// or, if it has none, those of its nearest ancestor that has some.
    /// `on` is the old name of `as_of`: it still works, with a `DeprecationWarning`.
    #[pyo3(signature = (unit, as_of=None, *, on=None))]
    fn responsible(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<Assignment>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let as_of = as_of_arg("responsible", as_of, on)?;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.responsible(unit, as_of),
        )
        .map(records)
    }
}
