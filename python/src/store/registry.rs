//! The registry on the Python `Store`: households (户), residents (居民) and their tags
//! (特殊群体) over dates, the household class they give, and registry counts; with the
//! `Household`, `Resident`, `TagKind` and `UnitCounts` records. ID numbers and phones
//! arrive masked from the core and stay so in every `repr` and `to_dict()`.

use std::borrow::Cow;

use pyo3::prelude::*;
use wangge::{Date, HouseholdClass, HouseholdFilter, NewResident};

use super::Store;
use crate::args::{Code, Int, Text};
use crate::convert::{
    as_of_arg, date_arg, day_json, input_json, object_json, opt_date_arg, tags_arg,
};
use crate::page::{Listed, listed, paging_arg};
use crate::record::{record, records};

record! {
    /// A household (户) as it stood on some date.
    pub struct Household(wangge::Household) as h, repr = all {
        /// The caller's id for the household.
        household_id: &str = &h.household_id,
        /// The grid or building it lived in that day.
        unit: &str = &h.unit,
        /// Its address.
        address: &str = &h.address,
        /// `registered` (户籍), `floating` (流动) or `rental` (出租).
        kind: &str = h.kind.as_str(),
        /// The tags active that day on the household or any member, sorted.
        tags: Vec<String> = h.tags.clone(),
        /// `ordinary` (普通户) or `special` (特殊户), derived from the tags.
        household_class: &str = h.household_class.as_str(),
        /// The first day it is on the registry; `None` for always.
        start: Option<Date> = h.start,
        /// The day it left the registry, if it has.
        end: Option<Date> = h.end,
        /// The day its archive was last re-verified, if ever.
        verified: Option<Date> = h.verified,
    }
}

record! {
    /// A resident (居民) as they stood on some date. The ID number and the phone are masked
    /// (`510123**********34`, `138****5678`); `Store.resident_clear` reads them in clear.
    pub struct Resident(wangge::Resident) as r, repr = all {
        /// The store's id for the person.
        resident_id: i64 = r.resident_id,
        /// The household they belonged to that day.
        household_id: &str = &r.household_id,
        /// Their name.
        name: &str = &r.name,
        /// Their ID number, masked.
        id_number: Option<&str> = r.id_number.as_deref(),
        /// True when the ID number was given in the 15-digit form and upgraded to 18.
        id_upgraded: bool = r.id_upgraded,
        /// `male` or `female`, as the ID number encodes it.
        sex: Option<&str> = r.sex.map(wangge::Sex::as_str),
        /// Their phone, masked.
        phone: Option<&str> = r.phone.as_deref(),
        /// Hukou type (户口性质).
        hukou: Option<&str> = r.hukou.as_deref(),
        /// Employer (工作单位).
        employer: Option<&str> = r.employer.as_deref(),
        /// Relation to the head of the household (`head`, `spouse`, `child` ...).
        relation: &str = &r.relation,
        /// The tags active that day on the person, sorted.
        tags: Vec<String> = r.tags.clone(),
    }
}

record! {
    /// A tag kind the store knows (特殊群体 and the deployment's own), and whether it makes a
    /// household special.
    pub struct TagKind(wangge::TagKind) as k, repr = all {
        /// Its name, e.g. `低保`.
        tag: &str = &k.tag,
        /// True when carrying it makes a household special (特殊户).
        special: bool = k.special,
    }
}

record! {
    /// Registry counts for one unit on one day: for a row of `Store.unit_counts` the
    /// households living directly in the unit, for its total those of the whole subtree.
    pub struct UnitCounts(wangge::UnitCounts) as c, repr = all {
        /// The unit's code.
        unit: &str = &c.unit,
        /// Households living there.
        households: u64 = c.households,
        /// Of those, special ones (特殊户).
        special_households: u64 = c.special_households,
        /// Residents of those households.
        residents: u64 = c.residents,
        /// Floating households (流动).
        floating: u64 = c.floating,
    }
}

/// Adds the registry's record classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Household>()?;
    m.add_class::<Resident>()?;
    m.add_class::<TagKind>()?;
    m.add_class::<UnitCounts>()
}

#[pymethods]
impl Store {
    /// Adds household `household_id` living in grid or building `unit` at `address`, of
    /// `kind` (`registered` 户籍, `floating` 流动 or `rental` 出租), carrying `tags` (tag
    /// kinds) from `start` (or always). A duplicate id raises `Conflict`, an unknown tag
    /// `InvalidInput`.
    #[pyo3(signature = (household_id, unit, address, kind=Text(Cow::Borrowed("registered")), tags=None, start=None), text_signature = "($self, household_id, unit, address, kind='registered', tags=None, start=None)")]
    #[allow(clippy::too_many_arguments)]
    fn add_household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        unit: Code<'_>,
        address: Text<'_>,
        kind: Text<'_>,
        tags: Option<&Bound<'_, PyAny>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Household> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let unit = unit.0;
        let unit: &str = &unit;
        let address = address.0;
        let address: &str = &address;
        let kind = kind.0;
        let kind: &str = &kind;
        self.with_args(
            py,
            || Ok((tags_arg("tags", tags)?, opt_date_arg("start", start)?)),
            |s, (tags, start)| {
                let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
                s.add_household(household_id, unit, address, kind, &tags, start)
            },
        )
        .map(Household::from)
    }

    /// Moves a household to `unit` from `on`; as of earlier dates it is still where it was.
    /// Returns the household as of `on`.
    fn move_household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        unit: Code<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Household> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let unit = unit.0;
        let unit: &str = &unit;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.move_household(household_id, unit, on),
        )
        .map(Household::from)
    }

    /// Takes a household off the registry from `on` (moved away, dissolved); history keeps
    /// it.
    fn end_household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.end_household(household_id, on),
        )
    }

    /// The household as it stood on `as_of` (default today): where it lived, its tags and
    /// the class they give it.
    #[pyo3(signature = (household_id, as_of=None))]
    fn household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Household> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.household(household_id, as_of),
        )
        .map(Household::from)
    }

    /// The households living on `as_of` (default today) anywhere in `unit`'s subtree,
    /// optionally only those of one class (`ordinary`, `special`), carrying one tag
    /// (themselves or a member) or of one kind; sorted by id, a `Page`. With `limit` (1 to
    /// 100000) or `after` (the `next` of the previous page), one page of them; the first
    /// page fixes the day, and later pages keep it.
    #[pyo3(signature = (
        unit, as_of=None, household_class=None, tag=None, kind=None, *, limit=None, after=None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn households<'py>(
        &self,
        py: Python<'py>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        household_class: Option<Text<'_>>,
        tag: Option<Text<'_>>,
        kind: Option<Text<'_>>,
        limit: Option<Int>,
        after: Option<Text<'_>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let unit = unit.0;
        let unit: &str = &unit;
        let household_class = household_class.map(|t| t.0);
        let household_class: Option<&str> = household_class.as_deref();
        let tag: Option<String> = tag.map(|t| t.0.into_owned());
        let kind = kind.map(|t| t.0);
        let kind: Option<&str> = kind.as_deref();
        self.with_args(
            py,
            || {
                let filter = object_json([
                    (
                        "as_of",
                        as_of.map(|d| day_json("as_of", d)).transpose()?.into(),
                    ),
                    ("household_class", household_class.into()),
                    ("tag", tag.into()),
                    ("kind", kind.into()),
                ]);
                Ok((filter, paging_arg(limit, after)?))
            },
            |s, (filter, paging)| {
                let filter = HouseholdFilter::from_json(&filter)?;
                listed(
                    paging,
                    || s.households(unit, &filter),
                    |p| s.households_page(unit, &filter, p),
                )
            },
        )?
        .into_page::<Household>(py)
    }

    /// The class of a household on `as_of` (default today): `special` (特殊户) when it or a
    /// member carries a special tag that day, else `ordinary` (普通户). `on` is the old
    /// name of `as_of`: it still works, with a `DeprecationWarning`.
    #[pyo3(signature = (household_id, as_of=None, *, on=None))]
    fn household_class(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        on: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<&'static str> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let as_of = as_of_arg("household_class", as_of, on)?;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.household_class(household_id, as_of),
        )
        .map(HouseholdClass::as_str)
    }

    /// Puts `tag` on a household from `start` (default: the day it joined the registry) to
    /// `end`, its last day (default open). The same tag overlapping days it already carries raises
    /// `Conflict`; a tag kind the store does not know, `InvalidInput`.
    #[pyo3(signature = (household_id, tag, start=None, end=None))]
    fn tag(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        tag: Text<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let tag = tag.0;
        let tag: &str = &tag;
        self.with_args(
            py,
            || Ok((opt_date_arg("start", start)?, opt_date_arg("end", end)?)),
            |s, (start, end)| s.tag(household_id, tag, start, end),
        )
    }

    /// The same as `tag`, named as the C function `wg_household_tag`.
    #[pyo3(signature = (household_id, tag, start=None, end=None))]
    fn tag_household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        tag: Text<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let tag = tag.0;
        let tag: &str = &tag;
        self.tag(
            py,
            Text(Cow::Borrowed(household_id)),
            Text(Cow::Borrowed(tag)),
            start,
            end,
        )
    }

    /// Ends a household's `tag` from `on`: it no longer carries it that day.
    fn untag(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        tag: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let tag = tag.0;
        let tag: &str = &tag;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.untag(household_id, tag, on),
        )
    }

    /// The same as `untag`, named as the C function `wg_household_untag`.
    fn untag_household(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        tag: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let tag = tag.0;
        let tag: &str = &tag;
        self.untag(
            py,
            Text(Cow::Borrowed(household_id)),
            Text(Cow::Borrowed(tag)),
            on,
        )
    }

    /// Puts `tag` on a resident from `start` (default: always) to `end`, its last day
    /// (default open); it counts for the class of the household they belong to each day.
    #[pyo3(signature = (resident_id, tag, start=None, end=None))]
    fn tag_resident(
        &self,
        py: Python<'_>,
        resident_id: Int,
        tag: Text<'_>,
        start: Option<&Bound<'_, PyAny>>,
        end: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let resident_id: i64 = resident_id.0;
        let tag = tag.0;
        let tag: &str = &tag;
        self.with_args(
            py,
            || Ok((opt_date_arg("start", start)?, opt_date_arg("end", end)?)),
            |s, (start, end)| s.tag_resident(resident_id, tag, start, end),
        )
    }

    /// Ends a resident's `tag` from `on`.
    fn untag_resident(
        &self,
        py: Python<'_>,
        resident_id: Int,
        tag: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let resident_id: i64 = resident_id.0;
        let tag = tag.0;
        let tag: &str = &tag;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.untag_resident(resident_id, tag, on),
        )
    }

    /// Defines a deployment's own tag kind, or changes whether a kind makes a household
    /// special. Needs a handle that is not scoped.
    fn define_tag(&self, py: Python<'_>, tag: Text<'_>, special: bool) -> PyResult<()> {
        let tag = tag.0;
        let tag: &str = &tag;
        self.with(py, |s| s.define_tag(tag, special))
    }

    /// The tag kinds this store knows, sorted by name.
    fn tag_kinds(&self, py: Python<'_>) -> PyResult<Vec<TagKind>> {
        self.with(py, wangge::Store::tag_kinds).map(records)
    }

    /// Adds a resident to a household from `start` (default: as long as the household).
    /// The ID number (18 characters, or 15 of the old kind, which is upgraded) is checked
    /// (length, region, birth date, check digit) and gives the birth date and sex; one
    /// already in the store raises `Conflict`. The returned record is masked.
    #[pyo3(signature = (
        household_id, name, id_number=None, phone=None, hukou=None, employer=None,
        relation=Text(Cow::Borrowed("head")), tags=None, start=None
    ), text_signature = "($self, household_id, name, id_number=None, phone=None, hukou=None, employer=None, relation='head', tags=None, start=None)")]
    #[allow(clippy::too_many_arguments)]
    fn add_resident(
        &self,
        py: Python<'_>,
        household_id: Text<'_>,
        name: Text<'_>,
        id_number: Option<Text<'_>>,
        phone: Option<Text<'_>>,
        hukou: Option<Text<'_>>,
        employer: Option<Text<'_>>,
        relation: Text<'_>,
        tags: Option<&Bound<'_, PyAny>>,
        start: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Resident> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let name = name.0;
        let name: &str = &name;
        let id_number: Option<String> = id_number.map(|t| t.0.into_owned());
        let phone: Option<String> = phone.map(|t| t.0.into_owned());
        let hukou: Option<String> = hukou.map(|t| t.0.into_owned());
        let employer: Option<String> = employer.map(|t| t.0.into_owned());
        let relation = relation.0;
        let relation: &str = &relation;
        self.with_args(
            py,
            || {
                let tags = tags.map(|t| input_json("tags", t)).transpose()?;
                let resident = object_json([
                    ("name", name.into()),
                    ("id_number", id_number.into()),
                    ("phone", phone.into()),
                    ("hukou", hukou.into()),
                    ("employer", employer.into()),
                    ("relation", relation.into()),
                    ("tags", tags.unwrap_or_default()),
                ]);
                Ok((resident, opt_date_arg("start", start)?))
            },
            |s, (resident, start)| {
                s.add_resident(household_id, &NewResident::from_json(&resident)?, start)
            },
        )
        .map(Resident::from)
    }

    /// Moves a resident to household `household_id` from `on`, with their `relation` to its
    /// head; returns them as of `on`.
    fn move_resident(
        &self,
        py: Python<'_>,
        resident_id: Int,
        household_id: Text<'_>,
        relation: Text<'_>,
        on: &Bound<'_, PyAny>,
    ) -> PyResult<Resident> {
        let resident_id: i64 = resident_id.0;
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let relation = relation.0;
        let relation: &str = &relation;
        self.with_args(
            py,
            || date_arg("on", on),
            |s, on| s.move_resident(resident_id, household_id, relation, on),
        )
        .map(Resident::from)
    }

    /// A resident as they stood on `as_of` (default today), ID number and phone masked.
    #[pyo3(signature = (resident_id, as_of=None))]
    fn resident(
        &self,
        py: Python<'_>,
        resident_id: Int,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Resident> {
        let resident_id: i64 = resident_id.0;
        self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.resident(resident_id, as_of),
        )
        .map(Resident::from)
    }

    /// The residents of a household on `as_of` (default today), the head first, then by
    /// id; ID numbers and phones masked; a `Page`.
    #[pyo3(signature = (household_id, as_of=None))]
    fn residents<'py>(
        &self,
        py: Python<'py>,
        household_id: Text<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let household_id = household_id.0;
        let household_id: &str = &household_id;
        let residents = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.residents(household_id, as_of),
        )?;
        Listed::Whole(residents).into_page::<Resident>(py)
    }

    /// A resident's ID number and phone in clear, as `(id_number, phone)` (either may be
    /// `None`). The read is recorded in the audit chain (action `read_clear`).
    fn resident_clear(
        &self,
        py: Python<'_>,
        resident_id: Int,
    ) -> PyResult<(Option<String>, Option<String>)> {
        let resident_id: i64 = resident_id.0;
        self.with(py, |s| s.resident_clear(resident_id))
    }

    /// Registry counts of `unit`'s subtree on `as_of` (default today), as `(total, rows)`:
    /// `total` for the whole subtree (its `unit` is `unit`), `rows` one per unit with
    /// households living directly in it, sorted by code; the rows sum to the total.
    #[pyo3(signature = (unit, as_of=None))]
    fn unit_counts(
        &self,
        py: Python<'_>,
        unit: Code<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<(UnitCounts, Vec<UnitCounts>)> {
        let unit = unit.0;
        let unit: &str = &unit;
        let (total, rows) = self.with_args(
            py,
            || opt_date_arg("as_of", as_of),
            |s, as_of| s.unit_counts(unit, as_of),
        )?;
        Ok((UnitCounts::from(total), records(rows)))
    }
}
