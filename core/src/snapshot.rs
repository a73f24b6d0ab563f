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

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};

use rusqlite::{Connection, Row};

use crate::date::FOREVER;
use crate::error::Result;
use crate::store::{Changes, Derived, Store};

/// A half-open stretch of day numbers, `[from, to)`.
type Stretch = (i64, i64);

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
}

/// Where a household lived on `[from, to)`.
#[derive(Debug, Clone, Copy)]
struct Place {
    household: u32,
    unit: u32,
    from: i64,
    to: i64,
}

/// The registry's facts, read in one pass over the tables.
#[derive(Debug)]
struct Base {
    /// Unit codes named by places, indexed by `Place::unit`.
    units: Vec<String>,
    unit_index: HashMap<String, u32>,
    household_index: HashMap<String, u32>,
    /// Which build this is, for what is laid out by its household indexes.
    generation: u64,
    /// Household ids, by index.
    ids: Vec<String>,
    /// Whether the indexes follow the ids' order (the household table is read in key
    /// order, so they do).
    ids_sorted: bool,
    places: Vec<Place>,
    /// Indexes into `places`, per unit.
    by_unit: Grouped<u32>,
    /// (unit, stretch) of each place, per household.
    homes: Grouped<(u32, Stretch)>,
    floating: Vec<bool>,
    /// Stretches on which a special tag covered each household.
    special: Grouped<Stretch>,
    /// Stretches on which each household had each member.
    members: Grouped<Stretch>,
    /// (tag, stretch) of every tag that covered each household, its own or a member's
    /// while a member; tags are indexes into `tag_names`.
    tags: Grouped<(u32, Stretch)>,
    tag_names: Vec<String>,
}

/// One household's facts, re-read after a write.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    floating: bool,
    /// (unit index, stretch) for each place.
    places: Vec<(u32, Stretch)>,
    special: Vec<Stretch>,
    members: Vec<Stretch>,
    /// Every tag that covered the household, its own or a member's while a member.
    tags: Vec<(String, Stretch)>,
}

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

/// Bases built so far in this process, numbering each.
static BUILDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Households whose facts a snapshot may re-read at once; more, and it is rebuilt.
pub(crate) const PATCH_LIMIT: usize = 2_000;

/// One household's facts, by household id (`?1`), in the order [`Facts::read`] takes
/// them. The whole-table versions are in [`Base::build`].
const FACTS_SQL: [&str; 4] = [
    "SELECT kind, unit, unit_since, ended FROM household WHERE household_id = ?1",
    "SELECT unit, valid_from, valid_to FROM household_place WHERE household_id = ?1",
    "SELECT member_since, ?2 FROM resident WHERE household_id = ?1
     UNION ALL
     SELECT valid_from, valid_to FROM membership WHERE household_id = ?1",
    "SELECT t.start, t.end_day, t.tag, k.special FROM tag t JOIN tag_kind k ON k.tag = t.tag
     WHERE t.household_id = ?1
     UNION ALL
     SELECT max(t.start, r.member_since), t.end_day, t.tag, k.special FROM resident r
     JOIN tag t ON t.resident_id = r.resident_id JOIN tag_kind k ON k.tag = t.tag
     WHERE r.household_id = ?1 AND r.member_since < t.end_day
     UNION ALL
     SELECT max(t.start, m.valid_from), min(t.end_day, m.valid_to), t.tag, k.special
     FROM membership m
     JOIN tag t ON t.resident_id = m.resident_id JOIN tag_kind k ON k.tag = t.tag
     WHERE m.household_id = ?1 AND t.start < m.valid_to AND m.valid_from < t.end_day",
];

impl RegistrySnapshot {
    /// Reads the registry's facts through `conn`.
    pub(crate) fn build(conn: &Connection) -> Result<Self> {
        let base = Base::build(conn)?;
        Ok(RegistrySnapshot {
            replaced: vec![false; base.floating.len()],
            base: Arc::new(base),
            patched: HashMap::new(),
            extra_units: Vec::new(),
            extra_unit_index: HashMap::new(),
        })
    }

    /// This snapshot with `households` re-read through `conn`; a full rebuild once the
    /// households re-read since the base outgrow [`PATCH_LIMIT`].
    pub(crate) fn patched(&self, conn: &Connection, households: &HashSet<String>) -> Result<Self> {
        if self.patched.len() + households.len() > PATCH_LIMIT {
            return Self::build(conn);
        }
        let mut next = RegistrySnapshot {
            base: Arc::clone(&self.base),
            patched: self.patched.clone(),
            replaced: self.replaced.clone(),
            extra_units: self.extra_units.clone(),
            extra_unit_index: self.extra_unit_index.clone(),
        };
        for household_id in households {
            let facts = next.read_facts(conn, household_id)?;
            if let Some(&i) = self.base.household_index.get(household_id) {
                next.replaced[i as usize] = true;
            }
            next.patched.insert(household_id.clone(), facts);
        }
        Ok(next)
    }

    /// One household's facts, its units numbered in this snapshot.
    fn read_facts(&mut self, conn: &Connection, household_id: &str) -> Result<Facts> {
        let mut facts = Facts::default();
        let stretches = |sql: &str| -> Result<Vec<Stretch>> {
            let mut stmt = conn.prepare_cached(sql)?;
            // The membership query also takes the end of the open membership.
            let params: &[&dyn rusqlite::ToSql] = &[&household_id, &FOREVER];
            let used = stmt.parameter_count();
            let rows = stmt.query_map(&params[..used], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        };
        facts.members = stretches(FACTS_SQL[2])?;
        {
            let mut stmt = conn.prepare_cached(FACTS_SQL[3])?;
            let mut rows = stmt.query([household_id])?;
            while let Some(row) = rows.next()? {
                let stretch = (row.get(0)?, row.get(1)?);
                if row.get(3)? {
                    facts.special.push(stretch);
                }
                facts.tags.push((row.get(2)?, stretch));
            }
        }
        let mut places: Vec<(String, Stretch)> = Vec::new();
        {
            let mut stmt = conn.prepare_cached(FACTS_SQL[0])?;
            let mut rows = stmt.query([household_id])?;
            if let Some(row) = rows.next()? {
                facts.floating = text(row, 0)? == "floating";
                if let Some(unit) = row.get::<_, Option<String>>(1)? {
                    places.push((unit, (row.get(2)?, row.get(3)?)));
                }
            }
            let mut stmt = conn.prepare_cached(FACTS_SQL[1])?;
            let mut rows = stmt.query([household_id])?;
            while let Some(row) = rows.next()? {
                places.push((row.get(0)?, (row.get(1)?, row.get(2)?)));
            }
        }
        for (code, stretch) in places {
            let unit = if let Some(i) = self.unit_index(&code) {
                i
            } else {
                let i = (self.base.units.len() + self.extra_units.len()) as u32;
                self.extra_unit_index.insert(code.clone(), i);
                self.extra_units.push(code);
                i
            };
            facts.places.push((unit, stretch));
        }
        Ok(facts)
    }

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
        let base = &self.base;
        let mut out = Vec::new();
        for &unit in &subtree.units {
            if unit as usize >= base.units.len() {
                continue;
            }
            for &i in base.by_unit.of(unit) {
                let p = &base.places[i as usize];
                if p.from <= day && day < p.to && !self.replaced[p.household as usize] {
                    out.push((Held::Base(p.household), unit));
                }
            }
        }
        for (id, facts) in &self.patched {
            for &(unit, (from, to)) in &facts.places {
                if from <= day && day < to && subtree.marks[unit as usize] {
                    out.push((Held::Patched(id, facts), unit));
                }
            }
        }
        out
    }

    /// Which base this snapshot lays over: snapshots patched from one base share it.
    pub(crate) fn generation(&self) -> u64 {
        self.base.generation
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

    /// A household by id: as re-read since the base was built, or from the base.
    pub(crate) fn held<'s>(&'s self, id: &'s str) -> Option<Held<'s>> {
        if let Some((id, facts)) = self.patched.get_key_value(id) {
            return Some(Held::Patched(id, facts));
        }
        self.base_index(id).map(Held::Base)
    }

    /// A household's index in the base, if the base holds it.
    pub(crate) fn base_index(&self, id: &str) -> Option<u32> {
        self.base.household_index.get(id).copied()
    }

    /// A rank that orders base households as their ids do, `None` for households re-read
    /// since: compare two households by rank when both have one, by id otherwise.
    pub(crate) fn rank(&self, h: Held<'_>) -> Option<u32> {
        match h {
            Held::Base(i) if self.base.ids_sorted => Some(i),
            _ => None,
        }
    }

    /// The household's id.
    pub(crate) fn id<'s>(&'s self, h: Held<'s>) -> &'s str {
        match h {
            Held::Base(i) => &self.base.ids[i as usize],
            Held::Patched(id, _) => id,
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

/// Kept by the store: patched with the households written through it since, dropped by
/// a write that does not say which households it changed or that changed too many.
impl Derived for RegistrySnapshot {
    type Input<'a> = ();
    type Pending = HashSet<String>;

    fn build(conn: &Connection, (): ()) -> Result<Self> {
        RegistrySnapshot::build(conn)
    }

    fn note(pending: &mut HashSet<String>, changes: &Changes) -> bool {
        match changes.households() {
            Some(households) => {
                pending.extend(households.iter().cloned());
                pending.len() <= PATCH_LIMIT
            }
            None => false,
        }
    }

    fn patch(value: &mut Arc<Self>, conn: &Connection, pending: HashSet<String>) -> Result<()> {
        if !pending.is_empty() {
            *value = Arc::new(value.patched(conn, &pending)?);
        }
        Ok(())
    }
}

impl Store {
    /// The registry snapshot for the database's current state: built if there is none
    /// or another connection to the same file changed it, patched with the households
    /// written through this store since. `conn` is this store's connection, held by the
    /// caller.
    pub(crate) fn registry_snapshot(&self, conn: &Connection) -> Result<Arc<RegistrySnapshot>> {
        self.derived(conn, ())
    }
}

impl Base {
    fn build(conn: &Connection) -> Result<Self> {
        let mut household_index: HashMap<String, u32> = HashMap::new();
        let mut floating = Vec::new();
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
            let mut stmt =
                conn.prepare("SELECT household_id, kind, unit, unit_since, ended FROM household")?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let household = floating.len() as u32;
                household_index.insert(row.get(0)?, household);
                floating.push(text(row, 1)? == "floating");
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
        let household_of = |id: &str| household_index.get(id).copied();
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
        let mut ids = vec![String::new(); households];
        for (id, &i) in &household_index {
            ids[i as usize].clone_from(id);
        }
        let by_unit = Grouped::new(
            units.len(),
            places
                .iter()
                .enumerate()
                .map(|(i, p)| (p.unit, i as u32))
                .collect(),
        );
        let homes = Grouped::new(
            households,
            places
                .iter()
                .map(|p| (p.household, (p.unit, (p.from, p.to))))
                .collect(),
        );
        let ids_sorted = ids.windows(2).all(|w| w[0] < w[1]);
        Ok(Base {
            generation: BUILDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            units,
            unit_index,
            household_index,
            ids,
            ids_sorted,
            places,
            by_unit,
            homes,
            floating,
            special: Grouped::new(households, special),
            members: Grouped::new(households, members),
            tags: Grouped::new(households, tags),
            tag_names,
        })
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
