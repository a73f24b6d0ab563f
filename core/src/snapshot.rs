//! An in-memory snapshot of the registry's time-varying facts, for counts over whole
//! counties.
//!
//! Counting the households, special households, residents and floating households of
//! every unit of a county for one day needs, for each household, where it lived, whether
//! any special tag (its own, or a member's while a member) covered that day, and how many
//! members it had. Joining those tables in SQL costs hundreds of milliseconds per call at
//! county scale; the same facts held as flat interval arrays answer in one linear pass.
//!
//! The snapshot is built on first use and kept in the store's shared state. It is dropped
//! when anything writes: through any handle of this store (a generation number that every
//! committed write bumps) or through another connection to the same file (SQLite's
//! `PRAGMA data_version`). It is read and rebuilt under the connection lock, so it never
//! mixes two states of the database.

use foldhash::{HashMap, HashMapExt};

use rusqlite::{Connection, Row};

use crate::error::Result;

/// A half-open stretch of day numbers, `[from, to)`.
type Stretch = (i64, i64);

/// Facts grouped per household: `starts[h]..starts[h + 1]` indexes `items`.
#[derive(Debug, Default)]
struct Grouped {
    starts: Vec<u32>,
    items: Vec<Stretch>,
}

impl Grouped {
    /// Groups `(household, stretch)` pairs for `households` households.
    fn new(households: usize, mut pairs: Vec<(u32, Stretch)>) -> Self {
        pairs.sort_unstable_by_key(|&(h, _)| h);
        let mut starts = Vec::with_capacity(households + 1);
        let mut items = Vec::with_capacity(pairs.len());
        let mut next = 0;
        for h in 0..households {
            starts.push(items.len() as u32);
            while next < pairs.len() && pairs[next].0 as usize == h {
                items.push(pairs[next].1);
                next += 1;
            }
        }
        starts.push(items.len() as u32);
        Grouped { starts, items }
    }

    fn of(&self, household: u32) -> &[Stretch] {
        let h = household as usize;
        &self.items[self.starts[h] as usize..self.starts[h + 1] as usize]
    }
}

/// Where a household lived on `[from, to)`.
#[derive(Debug, Clone, Copy)]
struct Place {
    household: u32,
    unit: u32,
    from: i64,
    to: i64,
}

/// The registry's facts, as of one state of the database.
#[derive(Debug)]
pub(crate) struct RegistrySnapshot {
    /// The generation and data version it was built at.
    pub(crate) built_at: (u64, i64),
    /// Unit codes named by places, indexed by `Place::unit`.
    units: Vec<String>,
    unit_index: HashMap<String, u32>,
    places: Vec<Place>,
    floating: Vec<bool>,
    /// Stretches on which a special tag covered each household.
    special: Grouped,
    /// Stretches on which each household had each member.
    members: Grouped,
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

impl RegistrySnapshot {
    /// Reads the registry's facts through `conn`.
    pub(crate) fn build(conn: &Connection, built_at: (u64, i64)) -> Result<Self> {
        let mut household_index: HashMap<String, u32> = HashMap::new();
        let mut floating = Vec::new();
        {
            let mut stmt = conn.prepare("SELECT household_id, kind FROM household")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                household_index.insert(row.get(0)?, floating.len() as u32);
                floating.push(text(row, 1)? == "floating");
            }
        }
        let household_of = |id: &str| household_index.get(id).copied();

        let mut units = Vec::new();
        let mut unit_index: HashMap<String, u32> = HashMap::new();
        let mut places = Vec::new();
        {
            let mut stmt = conn
                .prepare("SELECT household_id, unit, valid_from, valid_to FROM household_place")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let Some(household) = household_of(text(row, 0)?) else {
                    continue;
                };
                let code = text(row, 1)?;
                let unit = if let Some(&i) = unit_index.get(code) {
                    i
                } else {
                    let i = units.len() as u32;
                    units.push(code.to_owned());
                    unit_index.insert(code.to_owned(), i);
                    i
                };
                places.push(Place {
                    household,
                    unit,
                    from: row.get(2)?,
                    to: row.get(3)?,
                });
            }
        }

        let pairs = |sql: &str| -> Result<Vec<(u32, Stretch)>> {
            let mut stmt = conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                if let Some(h) = household_of(text(row, 0)?) {
                    out.push((h, (row.get(1)?, row.get(2)?)));
                }
            }
            Ok(out)
        };
        let members = pairs("SELECT household_id, valid_from, valid_to FROM membership")?;
        let mut special = pairs(
            "SELECT t.household_id, t.start, t.end_day FROM tag t
             JOIN tag_kind k ON k.tag = t.tag AND k.special
             WHERE t.household_id IS NOT NULL",
        )?;
        // A member's special tag counts for the household only while they are a member.
        special.extend(pairs(
            "SELECT m.household_id, max(t.start, m.valid_from), min(t.end_day, m.valid_to) FROM tag t
             JOIN tag_kind k ON k.tag = t.tag AND k.special
             JOIN membership m ON m.resident_id = t.resident_id
             WHERE t.resident_id IS NOT NULL AND t.start < m.valid_to AND m.valid_from < t.end_day",
        )?);
        let households = floating.len();
        Ok(RegistrySnapshot {
            built_at,
            units,
            unit_index,
            places,
            floating,
            special: Grouped::new(households, special),
            members: Grouped::new(households, members),
        })
    }

    /// The snapshot's index of unit `code`, if any household ever lived there.
    pub(crate) fn unit_index(&self, code: &str) -> Option<u32> {
        self.unit_index.get(code).copied()
    }

    /// The code of the unit at `index`.
    pub(crate) fn unit_code(&self, index: u32) -> &str {
        &self.units[index as usize]
    }

    /// How many units the snapshot knows.
    pub(crate) fn unit_len(&self) -> usize {
        self.units.len()
    }

    /// Counts, per unit index, the households living on day `on` in the units that
    /// `wanted` marks.
    pub(crate) fn tally(&self, on: i64, wanted: &[bool]) -> Vec<Tally> {
        let mut out = vec![Tally::default(); self.units.len()];
        for p in &self.places {
            if !(p.from <= on && on < p.to && wanted[p.unit as usize]) {
                continue;
            }
            let t = &mut out[p.unit as usize];
            t.households += 1;
            t.special_households += u64::from(covers(self.special.of(p.household), on));
            t.residents += self
                .members
                .of(p.household)
                .iter()
                .filter(|&&(from, to)| from <= on && on < to)
                .count() as u64;
            t.floating += u64::from(self.floating[p.household as usize]);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping_keeps_each_households_stretches_together() {
        let g = Grouped::new(3, vec![(2, (5, 6)), (0, (1, 2)), (2, (7, 9))]);
        assert_eq!(g.of(0), &[(1, 2)]);
        assert!(g.of(1).is_empty());
        assert_eq!(g.of(2).len(), 2);
        assert!(covers(g.of(2), 8));
        assert!(!covers(g.of(2), 6));
    }
}
