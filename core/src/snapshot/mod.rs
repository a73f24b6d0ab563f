//! An in-memory snapshot of the registry's time-varying facts, for counts over whole
//! counties.
//!
//! Counting the households, special households, residents and floating households of
//! every unit of a county for one day needs, for each household, where it lived, whether
//! any special tag (its own, or a member's while a member) covered that day, and how many
//! members it had. Joining those tables in SQL costs hundreds of milliseconds per call at
//! county scale; the same facts held as flat interval arrays answer in one linear pass.
//!
//! The snapshot is built on first use and kept in the store's shared state. A write
//! through this store names the households whose facts it changed; the next count re-reads
//! just those and lays them over the snapshot ([`RegistrySnapshot::patched`]). A write that
//! cannot say (or changed too much), or any write through another connection to the same
//! file (SQLite's `PRAGMA data_version`), drops the snapshot and the next count rebuilds
//! it. It is read, patched and rebuilt under the connection lock, so it never mixes two
//! states of the database.

mod base;
mod patch;
mod texts;

#[cfg(test)]
mod kept_tests;

use std::sync::Arc;

use foldhash::HashMap;
use rusqlite::{Connection, Row};

use crate::error::Result;
use base::Base;
pub(crate) use base::Grouped;
pub(crate) use patch::{Facts, PATCH_LIMIT};

/// A half-open stretch of day numbers, `[from, to)`.
type Stretch = (i64, i64);

/// The registry's facts, as of one state of the database: a base read in one pass, with
/// the households re-read since laid over it.
#[derive(Debug)]
pub(crate) struct RegistrySnapshot {
    base: Arc<Base>,
    /// Households re-read since the base was built; their facts replace the base's.
    patched: HashMap<String, Facts>,
    /// For each base household, whether `patched` replaces it.
    replaced: Vec<bool>,
    /// Units named only by patched households, numbered after the base's.
    extra_units: Vec<String>,
    extra_unit_index: HashMap<String, u32>,
}

/// The units of a subtree on one day, by snapshot index: marked, and listed.
#[derive(Debug)]
pub(crate) struct Subtree {
    pub(crate) marks: Vec<bool>,
    pub(crate) units: Vec<u32>,
}

/// One household of a snapshot: from its base, or re-read since.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Held<'s> {
    Base(u32),
    Patched(&'s str, &'s Facts),
}

#[cfg(feature = "parquet")]
/// What a report counts of one household (see [`RegistrySnapshot::facts_of`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct HeldFacts<'s> {
    /// (unit index, stretch) for each place.
    pub(crate) places: &'s [(u32, Stretch)],
    /// Stretches a special tag covered it.
    pub(crate) special: &'s [Stretch],
    /// One stretch per membership of a resident.
    pub(crate) members: &'s [Stretch],
    /// Whether it is a floating household.
    pub(crate) floating: bool,
}

/// A tag name with its index in the snapshot's base, if the base has it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TagRef<'t> {
    name: &'t str,
    id: Option<u32>,
}

/// Counts for one unit, by its index in the snapshot.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) households: u64,
    pub(crate) special_households: u64,
    pub(crate) residents: u64,
    pub(crate) floating: u64,
}

/// Column `i` of `row` as text, borrowed.
pub(crate) fn text<'a>(row: &'a Row<'_>, i: usize) -> Result<&'a str> {
    Ok(row.get_ref(i)?.as_str().map_err(rusqlite::Error::from)?)
}

fn covers(stretches: &[Stretch], on: i64) -> bool {
    stretches.iter().any(|&(from, to)| from <= on && on < to)
}

/// Counts one household living, on `on`, in the unit `t` counts.
fn count(t: &mut Tally, on: i64, special: &[Stretch], members: &[Stretch], floating: bool) {
    t.households += 1;
    t.special_households += u64::from(covers(special, on));
    t.residents += members
        .iter()
        .filter(|&&(from, to)| from <= on && on < to)
        .count() as u64;
    t.floating += u64::from(floating);
}

impl RegistrySnapshot {
    /// The snapshot's index of unit `code`, if any household ever lived there.
    pub(crate) fn unit_index(&self, code: &str) -> Option<u32> {
        self.base
            .unit_index
            .get(code)
            .or_else(|| self.extra_unit_index.get(code))
            .copied()
    }

    /// The code of the unit at `index`.
    pub(crate) fn unit_code(&self, index: u32) -> &str {
        let i = index as usize;
        match self.base.units.get(i) {
            Some(code) => code,
            None => &self.extra_units[i - self.base.units.len()],
        }
    }

    /// How many units the snapshot knows.
    pub(crate) fn unit_len(&self) -> usize {
        self.base.units.len() + self.extra_units.len()
    }

    /// The units of the subtree of `code` as it stood on `day` (the unit included), as
    /// known to this snapshot; `None` when the unit did not exist that day.
    pub(crate) fn subtree(
        &self,
        conn: &Connection,
        code: &str,
        day: i64,
    ) -> Result<Option<Subtree>> {
        let Some(span) = crate::units::span_on(conn, code, crate::date::from_sql(day))? else {
            return Ok(None);
        };
        let (lo, hi) = (format!("{}/", span.path), format!("{}0", span.path));
        let mut subtree = Subtree {
            marks: vec![false; self.unit_len()],
            units: Vec::new(),
        };
        let mut stmt = conn.prepare_cached(
            "SELECT code FROM unit_span
             WHERE (path = ?1 OR (path >= ?2 AND path < ?3)) AND valid_from <= ?4 AND valid_to > ?4",
        )?;
        let mut rows = stmt.query(rusqlite::params![span.path, lo, hi, day])?;
        while let Some(row) = rows.next()? {
            if let Some(i) = self.unit_index(text(row, 0)?) {
                subtree.marks[i as usize] = true;
                subtree.units.push(i);
            }
        }
        Ok(Some(subtree))
    }

    /// The households living on `day` in a unit of `subtree`, each with that unit.
    pub(crate) fn living(&self, day: i64, subtree: &Subtree) -> Vec<(Held<'_>, u32)> {
        // Sized once, for every place the subtree's units ever had (those living that
        // day are among them): a county's half a million would otherwise be copied at
        // each doubling.
        let base = &self.base;
        let places: usize = (subtree.units.iter())
            .filter(|&&unit| (unit as usize) < base.units.len())
            .map(|&unit| base.by_unit.of(unit).len())
            .sum();
        let mut out = Vec::with_capacity(places + self.patched.len());
        self.each_living(day, subtree, |h, unit| out.push((h, unit)));
        out
    }

    /// Calls `f` with each household living on `day` in a unit of `subtree`, and that
    /// unit, without gathering them.
    pub(crate) fn each_living<'s>(
        &'s self,
        day: i64,
        subtree: &Subtree,
        mut f: impl FnMut(Held<'s>, u32),
    ) {
        let base = &self.base;
        for &unit in &subtree.units {
            if unit as usize >= base.units.len() {
                continue;
            }
            for &i in base.by_unit.of(unit) {
                let p = &base.places[i as usize];
                if p.from <= day && day < p.to && !self.replaced[p.household as usize] {
                    f(Held::Base(p.household), unit);
                }
            }
        }
        self.each_patched_living(day, subtree, f);
    }

    /// Calls `f` with every household the snapshot holds: from its base, or re-read since.
    pub(crate) fn each_held<'s>(&'s self, mut f: impl FnMut(Held<'s>)) {
        for (i, &replaced) in (0u32..).zip(&self.replaced) {
            if !replaced {
                f(Held::Base(i));
            }
        }
        for (id, facts) in &self.patched {
            f(Held::Patched(id, facts));
        }
    }

    /// How many places (stretches of a household in a unit, any day) the base holds in the
    /// units of `subtree`: what reading its households through its units costs.
    pub(crate) fn places_in(&self, subtree: &Subtree) -> usize {
        let base = &self.base;
        subtree
            .units
            .iter()
            .filter(|&&u| (u as usize) < base.units.len())
            .map(|&u| base.by_unit.of(u).len())
            .sum()
    }

    /// Calls `f` with each household re-read since the base was built that lives on `day`
    /// in a unit of `subtree`, and that unit.
    pub(crate) fn each_patched_living<'s>(
        &'s self,
        day: i64,
        subtree: &Subtree,
        mut f: impl FnMut(Held<'s>, u32),
    ) {
        for (id, facts) in &self.patched {
            for &(unit, (from, to)) in &facts.places {
                if from <= day && day < to && subtree.marks[unit as usize] {
                    f(Held::Patched(id, facts), unit);
                }
            }
        }
    }

    /// Calls `f` with each base household (not re-read since) of rank `from` or more that
    /// lives on `day` in a unit of `subtree`, and that unit, by rank, while `f` answers
    /// true. Reads the base in its own order, so a page of a large subtree costs the page,
    /// not the subtree. Only for a snapshot whose ranks follow ids
    /// ([`RegistrySnapshot::rank_from`] gives a rank).
    pub(crate) fn each_base_living_by_rank<'s>(
        &'s self,
        day: i64,
        subtree: &Subtree,
        from: u32,
        mut f: impl FnMut(Held<'s>, u32) -> Result<bool>,
    ) -> Result<()> {
        for i in from..self.base.ids.len() as u32 {
            if self.replaced[i as usize] {
                continue;
            }
            let h = Held::Base(i);
            if let Some(unit) = self.unit_on(h, day)
                && subtree.marks[unit as usize]
                && !f(h, unit)?
            {
                break;
            }
        }
        Ok(())
    }

    /// The fingerprint of the base's households in their order: data laid out by their
    /// indexes is read back from the file only over a base of the same fingerprint.
    pub(crate) fn fingerprint(&self) -> u64 {
        self.base.fingerprint
    }

    /// How many households the base holds; their indexes are `0..base_len()`.
    pub(crate) fn base_len(&self) -> usize {
        self.base.ids.len()
    }

    /// The base index of a household, if the base holds it (even if re-read since).
    pub(crate) fn base_slot(&self, h: Held<'_>) -> Option<u32> {
        match h {
            Held::Base(i) => Some(i),
            Held::Patched(id, _) => self.base_index(id),
        }
    }

    /// A household's index in the base, if the base holds it.
    pub(crate) fn base_index(&self, id: &str) -> Option<u32> {
        self.base.household_index().get(&self.base.ids, id)
    }

    /// A rank that orders base households as their ids do, `None` for households re-read
    /// since: compare two households by rank when both have one, by id otherwise.
    pub(crate) fn rank(&self, h: Held<'_>) -> Option<u32> {
        match h {
            Held::Base(i) if self.base.ids_sorted => Some(i),
            _ => None,
        }
    }

    /// The first rank of a base household whose id comes after `id` (or is `id`, when
    /// `inclusive`), to compare ranks rather than ids against a bound; `None` when ranks
    /// do not follow ids ([`RegistrySnapshot::rank`] gives none).
    pub(crate) fn rank_from(&self, id: &str, inclusive: bool) -> Option<u32> {
        let ids = &self.base.ids;
        self.base.ids_sorted.then(|| {
            let rank = if inclusive {
                ids.partition_point(|x| x < id)
            } else {
                ids.partition_point(|x| x <= id)
            };
            rank as u32
        })
    }

    /// The household's id.
    pub(crate) fn id<'s>(&'s self, h: Held<'s>) -> &'s str {
        match h {
            Held::Base(i) => self.base.ids.get(i as usize),
            Held::Patched(id, _) => id,
        }
    }

    /// The household's address. The base's addresses are read from the file when one
    /// is first asked for; a `Storage` error when they do not read back (a body sealed
    /// as kept, yet not as this library writes it).
    pub(crate) fn address<'s>(&'s self, h: Held<'s>) -> Result<&'s str> {
        match h {
            Held::Base(i) => self.base.addresses.get(i as usize).ok_or_else(|| {
                crate::error::Error::Storage(
                    "the household addresses kept in the store's file do not read back".into(),
                )
            }),
            Held::Patched(_, facts) => Ok(&facts.address),
        }
    }

    /// The unit the household lived in on `day`.
    pub(crate) fn unit_on(&self, h: Held<'_>, day: i64) -> Option<u32> {
        let places = match h {
            Held::Base(i) => self.base.homes.of(i),
            Held::Patched(_, facts) => &facts.places,
        };
        places
            .iter()
            .find(|&&(_, (from, to))| from <= day && day < to)
            .map(|&(unit, _)| unit)
    }

    #[cfg(feature = "parquet")]
    /// The household's places (unit index and stretch), its special stretches, its
    /// members' stretches and whether it is floating: what a report counts of it.
    pub(crate) fn facts_of<'s>(&'s self, h: Held<'s>) -> HeldFacts<'s> {
        match h {
            Held::Base(i) => HeldFacts {
                places: self.base.homes.of(i),
                special: self.base.special.of(i),
                members: self.base.members.of(i),
                floating: self.base.floating[i as usize],
            },
            Held::Patched(_, facts) => HeldFacts {
                places: &facts.places,
                special: &facts.special,
                members: &facts.members,
                floating: facts.floating,
            },
        }
    }

    /// Whether a special tag covered the household on `day`.
    pub(crate) fn special_on(&self, h: Held<'_>, day: i64) -> bool {
        match h {
            Held::Base(i) => covers(self.base.special.of(i), day),
            Held::Patched(_, facts) => covers(&facts.special, day),
        }
    }

    /// The tag as this snapshot numbers it, for [`RegistrySnapshot::tagged_on`].
    pub(crate) fn tag<'t>(&self, name: &'t str) -> TagRef<'t> {
        TagRef {
            name,
            id: self
                .base
                .tag_names
                .iter()
                .position(|t| t == name)
                .map(|i| i as u32),
        }
    }

    /// Whether `tag` covered the household (its own or a member's) on `day`.
    pub(crate) fn tagged_on(&self, h: Held<'_>, tag: &TagRef<'_>, day: i64) -> bool {
        match h {
            Held::Base(i) => tag.id.is_some_and(|id| {
                self.base
                    .tags
                    .of(i)
                    .iter()
                    .any(|&(t, (from, to))| t == id && from <= day && day < to)
            }),
            Held::Patched(_, facts) => facts
                .tags
                .iter()
                .any(|(t, (from, to))| t == tag.name && *from <= day && day < *to),
        }
    }

    /// Counts, per unit index, the households living on day `on` in the units of
    /// `subtree`, reading only those units' places: what [`RegistrySnapshot::tally`]
    /// gives for the subtree's marks, at the subtree's cost rather than the registry's.
    pub(crate) fn tally_subtree(&self, on: i64, subtree: &Subtree) -> Vec<Tally> {
        let base = &self.base;
        let mut out = vec![Tally::default(); self.unit_len()];
        for &unit in &subtree.units {
            if unit as usize >= base.units.len() {
                continue;
            }
            for &i in base.by_unit.of(unit) {
                let p = &base.places[i as usize];
                if p.from <= on && on < p.to && !self.replaced[p.household as usize] {
                    let h = p.household;
                    count(
                        &mut out[unit as usize],
                        on,
                        base.special.of(h),
                        base.members.of(h),
                        base.floating[h as usize],
                    );
                }
            }
        }
        for facts in self.patched.values() {
            for &(unit, (from, to)) in &facts.places {
                if from <= on && on < to && subtree.marks[unit as usize] {
                    count(
                        &mut out[unit as usize],
                        on,
                        &facts.special,
                        &facts.members,
                        facts.floating,
                    );
                }
            }
        }
        out
    }

    /// Counts, per unit index, the households living on day `on` in the units that
    /// `wanted` marks.
    pub(crate) fn tally(&self, on: i64, wanted: &[bool]) -> Vec<Tally> {
        let base = &self.base;
        let mut out = vec![Tally::default(); self.unit_len()];
        for p in &base.places {
            if !(p.from <= on && on < p.to && wanted[p.unit as usize])
                || self.replaced[p.household as usize]
            {
                continue;
            }
            let h = p.household;
            count(
                &mut out[p.unit as usize],
                on,
                base.special.of(h),
                base.members.of(h),
                base.floating[h as usize],
            );
        }
        for facts in self.patched.values() {
            for &(unit, (from, to)) in &facts.places {
                if from <= on && on < to && wanted[unit as usize] {
                    count(
                        &mut out[unit as usize],
                        on,
                        &facts.special,
                        &facts.members,
                        facts.floating,
                    );
                }
            }
        }
        out
    }
}
