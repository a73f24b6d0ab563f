//! Households re-read after a write and laid over the snapshot's base, and the snapshot
//! as the store keeps it.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt, HashSet};
use rusqlite::Connection;

use super::base::Base;
use super::{RegistrySnapshot, Stretch, text};
use crate::date::FOREVER;
use crate::error::Result;
use crate::store::{Changes, Decoder, Derived, Encoder, Store};

/// One household's facts, re-read after a write.
#[derive(Debug, Clone, Default)]
pub(crate) struct Facts {
    pub(super) floating: bool,
    /// Its address.
    pub(super) address: String,
    /// (unit index, stretch) for each place.
    pub(super) places: Vec<(u32, Stretch)>,
    pub(super) special: Vec<Stretch>,
    pub(super) members: Vec<Stretch>,
    /// Every tag that covered the household, its own or a member's while a member.
    pub(super) tags: Vec<(String, Stretch)>,
}

/// Households whose facts a snapshot may re-read at once; more, and it is rebuilt.
pub(crate) const PATCH_LIMIT: usize = 2_000;

/// One household's facts, by household id (`?1`), in the order [`RegistrySnapshot::read_facts`] takes
/// them. The whole-table versions are in [`Base::build`].
const FACTS_SQL: [&str; 4] = [
    "SELECT kind, unit, unit_since, ended, address FROM household WHERE household_id = ?1",
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
        Ok(Self::over(Base::build(conn)?))
    }

    /// A snapshot of `base` alone.
    fn over(base: Base) -> Self {
        RegistrySnapshot {
            replaced: vec![false; base.floating.len()],
            base: Arc::new(base),
            patched: HashMap::new(),
            extra_units: Vec::new(),
            extra_unit_index: HashMap::new(),
        }
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
            if let Some(i) = self.base_index(household_id) {
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
                text(row, 4)?.clone_into(&mut facts.address);
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
}

/// Kept by the store: patched with the households written through it since, dropped by
/// a write that does not say which households it changed or that changed too many.
impl Derived for RegistrySnapshot {
    type Input<'a> = ();
    type Pending = HashSet<String>;
    const KEPT: Option<(&'static str, u32)> = Some(("registry_snapshot", 6));

    fn build(conn: &Connection, (): ()) -> Result<Self> {
        RegistrySnapshot::build(conn)
    }

    /// Only a snapshot just built is kept: its base, nothing laid over it.
    fn encode(&self, out: &mut Vec<u8>) {
        self.base.encode(&mut Encoder(out));
    }

    fn decode(body: &[u8]) -> Option<Self> {
        let base = Base::decode(&mut Decoder(body))?;
        Some(RegistrySnapshot::over(base))
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
