//! The snapshot's base: the registry's facts read in one pass over the tables and laid
//! out as flat arrays grouped by household and by unit.

use std::sync::OnceLock;

use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use super::texts::{LazyTexts, Texts};
use super::{Stretch, text};
use crate::date::FOREVER;
use crate::error::Result;
use crate::store::{Decoder, Encoder};

/// Items grouped by a dense key (a household, a unit): `starts[k]..starts[k + 1]` indexes
/// `items`.
#[derive(Debug)]
pub(crate) struct Grouped<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T: Copy> Grouped<T> {
    /// Groups `(key, item)` pairs for keys `0..keys`, keeping each key's items in order.
    pub(crate) fn new(keys: usize, mut pairs: Vec<(u32, T)>) -> Self {
        pairs.sort_by_key(|&(k, _)| k);
        let mut starts = Vec::with_capacity(keys + 1);
        let mut items = Vec::with_capacity(pairs.len());
        let mut next = 0;
        for k in 0..keys {
            starts.push(items.len() as u32);
            while next < pairs.len() && pairs[next].0 as usize == k {
                items.push(pairs[next].1);
                next += 1;
            }
        }
        starts.push(items.len() as u32);
        Grouped { starts, items }
    }

    pub(crate) fn of(&self, key: u32) -> &[T] {
        let k = key as usize;
        &self.items[self.starts[k] as usize..self.starts[k + 1] as usize]
    }

    /// How many keys it groups by.
    pub(crate) fn keys(&self) -> usize {
        self.starts.len() - 1
    }

    /// Writes it for keeping: how many items each key has, then each item by `item`.
    pub(crate) fn encode(&self, e: &mut Encoder<'_>, mut item: impl FnMut(&mut Encoder<'_>, &T)) {
        e.len(self.keys());
        for w in self.starts.windows(2) {
            e.i64(i64::from(w[1] - w[0]));
        }
        e.len(self.items.len());
        for x in &self.items {
            item(e, x);
        }
    }

    /// Reads back what [`Grouped::encode`] wrote, items by `item`, each at least `size`
    /// bytes: `None` unless it groups `keys` keys whose items add up to its items.
    pub(crate) fn decode(
        d: &mut Decoder<'_>,
        keys: usize,
        size: usize,
        item: impl FnMut(&mut Decoder<'_>) -> Option<T>,
    ) -> Option<Self> {
        if d.count(1)? != keys {
            return None;
        }
        let mut starts = Vec::with_capacity(keys + 1);
        let mut at: u32 = 0;
        starts.push(at);
        for _ in 0..keys {
            at = at.checked_add(u32::try_from(d.i64()?).ok()?)?;
            starts.push(at);
        }
        let n = d.count(size)?;
        if at as usize != n {
            return None;
        }
        let items = d.each(n, item)?;
        Some(Grouped { starts, items })
    }
}

impl Grouped<(u32, Stretch)> {
    /// The places these homes are, household by household.
    fn places(&self) -> Vec<Place> {
        let mut places = Vec::with_capacity(self.items.len());
        for (household, w) in (0u32..).zip(self.starts.windows(2)) {
            let homes = &self.items[w[0] as usize..w[1] as usize];
            places.extend(homes.iter().map(|&(unit, (from, to))| Place {
                household,
                unit,
                from,
                to,
            }));
        }
        places
    }
}

/// Writes a stretch: its first day, then how far its end falls short of [`FOREVER`],
/// which a stretch still running (most of a county's places and memberships) does not:
/// one byte rather than four.
fn stretch(e: &mut Encoder<'_>, &(from, to): &Stretch) {
    e.i64(from);
    e.i64(FOREVER.wrapping_sub(to));
}

/// Writes an index (a unit's, a tag's) and a stretch.
fn index_stretch(e: &mut Encoder<'_>, &(index, ref s): &(u32, Stretch)) {
    e.i64(i64::from(index));
    stretch(e, s);
}

// These are inlined into the loops that read a county's places and stretches (see
// `Decoder::i64`): called, they cost a quarter of reading its snapshot back.
#[allow(clippy::inline_always)]
#[inline(always)]
fn read_stretch(d: &mut Decoder<'_>) -> Option<Stretch> {
    Some((d.i64()?, FOREVER.wrapping_sub(d.i64()?)))
}

#[allow(clippy::inline_always)]
#[inline(always)]
fn read_index_stretch(d: &mut Decoder<'_>) -> Option<(u32, Stretch)> {
    Some((u32::try_from(d.i64()?).ok()?, read_stretch(d)?))
}

/// Households by id: the index of each in the base's ids, found by a hash of the id and
/// checked against it, so that the ids are not held twice (a county's base is read back
/// from the file on the first report; half a million more strings cost a third of it).
#[derive(Debug, Default)]
pub(super) struct HouseholdIndex {
    hasher: foldhash::fast::RandomState,
    by_hash: HashMap<u64, u32>,
    /// Households whose hash another household's already took, by id.
    overflow: HashMap<String, u32>,
}

impl HouseholdIndex {
    fn with_capacity(n: usize) -> Self {
        HouseholdIndex {
            by_hash: HashMap::with_capacity(n),
            ..HouseholdIndex::default()
        }
    }

    fn hash(&self, id: &str) -> u64 {
        use std::hash::BuildHasher;
        self.hasher.hash_one(id)
    }

    /// Every household of `ids`; `None` if an id is there twice.
    fn of(ids: &Texts) -> Option<Self> {
        let mut index = HouseholdIndex::with_capacity(ids.len());
        (0..ids.len() as u32)
            .all(|i| index.insert(ids, i))
            .then_some(index)
    }

    /// Adds household `i` of `ids`; false if its id was there already.
    fn insert(&mut self, ids: &Texts, i: u32) -> bool {
        let id = ids.get(i as usize);
        let hash = self.hash(id);
        match self.by_hash.entry(hash) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(i);
                true
            }
            std::collections::hash_map::Entry::Occupied(taken) => {
                ids.get(*taken.get() as usize) != id
                    && self.overflow.insert(id.to_owned(), i).is_none()
            }
        }
    }

    /// The index of household `id` in `ids` (the ids it was made with).
    pub(super) fn get(&self, ids: &Texts, id: &str) -> Option<u32> {
        match self.by_hash.get(&self.hash(id)) {
            Some(&i) if ids.get(i as usize) == id => Some(i),
            Some(_) => self.overflow.get(id).copied(),
            None => None,
        }
    }
}

/// Where a household lived on `[from, to)`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Place {
    pub(super) household: u32,
    pub(super) unit: u32,
    pub(super) from: i64,
    pub(super) to: i64,
}

/// The registry's facts, read in one pass over the tables.
#[derive(Debug)]
pub(super) struct Base {
    /// Unit codes named by places, indexed by `Place::unit`.
    pub(super) units: Vec<String>,
    pub(super) unit_index: HashMap<String, u32>,
    /// Households by id, made when first asked for when the ids are in order: a base
    /// read back from the file for a due list or a report never looks one up.
    household_index: OnceLock<HouseholdIndex>,
    /// Household ids, by index.
    pub(super) ids: Texts,
    /// Whether the indexes follow the ids' order (the household table is read in key
    /// order, so they do).
    pub(super) ids_sorted: bool,
    /// Every place, by household: made from `homes` when read back from the file.
    pub(super) places: Vec<Place>,
    /// Indexes into `places`, per unit.
    pub(super) by_unit: Grouped<u32>,
    /// (unit, stretch) of each place, per household.
    pub(super) homes: Grouped<(u32, Stretch)>,
    pub(super) floating: Vec<bool>,
    /// Every household's address, by index: read back from the file packed, and unpacked
    /// when a due list first shows one (a report never does).
    pub(super) addresses: LazyTexts,
    /// Stretches on which a special tag covered each household.
    pub(super) special: Grouped<Stretch>,
    /// Stretches on which each household had each member.
    pub(super) members: Grouped<Stretch>,
    /// (tag, stretch) of every tag that covered each household, its own or a member's
    /// while a member; tags are indexes into `tag_names`.
    pub(super) tags: Grouped<(u32, Stretch)>,
    pub(super) tag_names: Vec<String>,
    /// The fingerprint of `ids`, in order.
    pub(super) fingerprint: u64,
}

impl Base {
    /// The household index, made now if it is not yet.
    pub(super) fn household_index(&self) -> &HouseholdIndex {
        // Made now only over ids in order (see `decode`), which are each there once.
        self.household_index
            .get_or_init(|| HouseholdIndex::of(&self.ids).expect("ids in order, each there once"))
    }
}

impl Base {
    pub(super) fn build(conn: &Connection) -> Result<Self> {
        let mut household_index = HouseholdIndex::default();
        let mut ids = Texts::default();
        let mut floating = Vec::new();
        let mut addresses = Texts::default();
        let mut units = Vec::new();
        let mut unit_index: HashMap<String, u32> = HashMap::new();
        let mut places = Vec::new();
        let mut unit_of = |code: &str| {
            if let Some(&i) = unit_index.get(code) {
                i
            } else {
                let i = units.len() as u32;
                units.push(code.to_owned());
                unit_index.insert(code.to_owned(), i);
                i
            }
        };
        {
            // Each household with its latest place, then the places before.
            let mut stmt = conn.prepare(
                "SELECT household_id, kind, unit, unit_since, ended, address FROM household",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let household = floating.len() as u32;
                ids.push(text(row, 0)?);
                household_index.insert(&ids, household);
                floating.push(text(row, 1)? == "floating");
                addresses.push(text(row, 5)?);
                if let Some(code) = row
                    .get_ref(2)?
                    .as_str_or_null()
                    .map_err(rusqlite::Error::from)?
                {
                    places.push(Place {
                        household,
                        unit: unit_of(code),
                        from: row.get(3)?,
                        to: row.get(4)?,
                    });
                }
            }
        }
        let household_of = |id: &str| household_index.get(&ids, id);
        {
            let mut stmt = conn
                .prepare("SELECT household_id, unit, valid_from, valid_to FROM household_place")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let Some(household) = household_of(text(row, 0)?) else {
                    continue;
                };
                places.push(Place {
                    household,
                    unit: unit_of(text(row, 1)?),
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
        // Every membership: the latest on each resident's row, then the ones before.
        let mut members = pairs(&format!(
            "SELECT household_id, member_since, {FOREVER} FROM resident WHERE household_id IS NOT NULL"
        ))?;
        members.extend(pairs(
            "SELECT household_id, valid_from, valid_to FROM membership",
        )?);
        // Every tag: the household's own, then its members' while they were members.
        let mut tag_names: Vec<String> = Vec::new();
        let mut tag_index: HashMap<String, u32> = HashMap::new();
        let mut special = Vec::new();
        let mut tags = Vec::new();
        {
            let mut stmt = conn.prepare(
                "SELECT t.household_id, t.start, t.end_day, t.tag, k.special FROM tag t
                 JOIN tag_kind k ON k.tag = t.tag
                 WHERE t.household_id IS NOT NULL
                 UNION ALL
                 SELECT r.household_id, max(t.start, r.member_since), t.end_day, t.tag, k.special
                 FROM tag t JOIN tag_kind k ON k.tag = t.tag
                 JOIN resident r ON r.resident_id = t.resident_id
                 WHERE t.resident_id IS NOT NULL AND r.household_id IS NOT NULL
                   AND r.member_since < t.end_day
                 UNION ALL
                 SELECT m.household_id, max(t.start, m.valid_from), min(t.end_day, m.valid_to),
                        t.tag, k.special
                 FROM tag t JOIN tag_kind k ON k.tag = t.tag
                 JOIN membership m ON m.resident_id = t.resident_id
                 WHERE t.resident_id IS NOT NULL AND t.start < m.valid_to AND m.valid_from < t.end_day",
            )?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let Some(h) = household_of(text(row, 0)?) else {
                    continue;
                };
                let stretch = (row.get(1)?, row.get(2)?);
                let name = text(row, 3)?;
                let tag = if let Some(&i) = tag_index.get(name) {
                    i
                } else {
                    let i = tag_names.len() as u32;
                    tag_names.push(name.to_owned());
                    tag_index.insert(name.to_owned(), i);
                    i
                };
                if row.get(4)? {
                    special.push((h, stretch));
                }
                tags.push((h, (tag, stretch)));
            }
        }
        let households = floating.len();
        let homes = Grouped::new(
            households,
            places
                .iter()
                .map(|p| (p.household, (p.unit, (p.from, p.to))))
                .collect(),
        );
        // The places in the order a base read back from the file has them.
        let places = homes.places();
        let by_unit = Grouped::new(
            units.len(),
            places
                .iter()
                .enumerate()
                .map(|(i, p)| (p.unit, i as u32))
                .collect(),
        );
        let ids_sorted = ids.strictly_ascending();
        Ok(Base {
            fingerprint: ids.fingerprint(),
            units,
            unit_index,
            household_index: OnceLock::from(household_index),
            ids,
            ids_sorted,
            places,
            by_unit,
            homes,
            floating,
            addresses: LazyTexts::ready(addresses),
            special: Grouped::new(households, special),
            members: Grouped::new(households, members),
            tags: Grouped::new(households, tags),
            tag_names,
        })
    }
}

impl Base {
    /// Writes the base for keeping: its units, households, places and stretches.
    pub(super) fn encode(&self, e: &mut Encoder<'_>) {
        e.strings(&self.units);
        self.ids.encode(e);
        e.bytes(
            &self
                .floating
                .iter()
                .map(|&f| u8::from(f))
                .collect::<Vec<u8>>(),
        );
        self.homes.encode(e, index_stretch);
        // A unit's places, by household, are mostly households one after the other: each
        // is kept as its step from the place before.
        let mut before = 0;
        self.by_unit.encode(e, |e, &i| {
            e.i64(i64::from(i) - before);
            before = i64::from(i);
        });
        self.special.encode(e, stretch);
        self.members.encode(e, stretch);
        self.tags.encode(e, index_stretch);
        e.strings(&self.tag_names);
        self.addresses.encode(e);
    }

    /// Reads back what [`Base::encode`] wrote, as a new build; `None` unless it is whole
    /// and every index points inside it.
    pub(super) fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        let units = d.strings()?;
        let (ids, ids_sorted) = Texts::decode_ordered(d)?;
        let households = ids.len();
        let floating: Vec<bool> = d.bytes()?.iter().map(|&b| b != 0).collect();
        let homes = Grouped::decode(d, households, 3, read_index_stretch)?;
        let places = homes.places();
        let mut before = 0i64;
        let by_unit = Grouped::decode(d, units.len(), 1, |d| {
            before = before.checked_add(d.i64()?)?;
            u32::try_from(before).ok()
        })?;
        let special = Grouped::decode(d, households, 2, read_stretch)?;
        let members = Grouped::decode(d, households, 2, read_stretch)?;
        let tags = Grouped::decode(d, households, 3, read_index_stretch)?;
        let tag_names = d.strings()?;
        let addresses = LazyTexts::decode(d)?;
        let unit_index: HashMap<String, u32> =
            (0u32..).zip(&units).map(|(i, u)| (u.clone(), i)).collect();
        // Ids in order are each there once; others are indexed now, to find one twice.
        let household_index = OnceLock::new();
        if !ids_sorted {
            household_index
                .set(HouseholdIndex::of(&ids)?)
                .expect("a new cell");
        }
        let whole = d.done()
            && floating.len() == households
            && addresses.len() == households
            && unit_index.len() == units.len()
            && homes.items.iter().all(|&(u, _)| (u as usize) < units.len())
            && by_unit.items.iter().all(|&i| (i as usize) < places.len())
            && tags
                .items
                .iter()
                .all(|&(t, _)| (t as usize) < tag_names.len());
        whole.then(|| Base {
            ids_sorted,
            fingerprint: ids.fingerprint(),
            units,
            unit_index,
            household_index,
            ids,
            places,
            by_unit,
            homes,
            floating,
            addresses,
            special,
            members,
            tags,
            tag_names,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::covers;

    #[test]
    fn a_household_whose_hash_is_taken_is_still_found_by_its_id() {
        let mut ids = Texts::default();
        for id in ["H1", "H2", "H3"] {
            ids.push(id);
        }
        let mut index = HouseholdIndex::default();
        assert!(index.insert(&ids, 0));
        assert!(!index.insert(&ids, 0), "an id is there once");
        // H2's hash taken by H1, as a collision would.
        let taken = index.hash("H2");
        index.by_hash.insert(taken, 0);
        assert!(index.insert(&ids, 1));
        assert!(!index.insert(&ids, 1));
        assert!(index.insert(&ids, 2));
        let found: Vec<Option<u32>> = ["H1", "H2", "H3", "H4"]
            .iter()
            .map(|id| index.get(&ids, id))
            .collect();
        assert_eq!(found, [Some(0), Some(1), Some(2), None]);
    }

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
