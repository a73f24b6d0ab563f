//! Row seals: every fact the library writes is sealed, so an edit, delete or insert made
//! outside it is found and named by table and row.
//!
//! The library's connection watches every row a write inserts, updates or deletes
//! (SQLite's preupdate hook, [`hook`]): the table, the row's key (its rowid, or its
//! primary key for tables without one) and the digest, under the store's [`Mac`], of the
//! row's values. When the write commits, [`flush`] turns them into rows of `seal(tbl, key,
//! digest)` and moves one accumulator per table: the sum modulo 2^256 of its seals, kept
//! in `audit_state`. The write's audit records commit to the accumulators (their `seals`),
//! so the seal table cannot be changed unseen either. A row written by any other
//! connection is not watched, so it stays unsealed and [`verify::facts`] reports it.
//!
//! The schema (each row of `sqlite_master`, and the file's `application_id` and
//! `user_version`) is sealed as the pseudo-table `sqlite_master`; migrations reseal
//! everything ([`verify::reseal`]) after checking what was there.

use foldhash::HashMap;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, params};

use super::audit::{self, FactProblem, Hasher, Mac};
use crate::error::Result;

mod changes;
pub(crate) mod hook;
pub(crate) mod verify;

pub(crate) use changes::Changes;
pub(crate) use hook::Hook;

/// Tables that are not facts: the chain, the seals, the chain's bookkeeping, the derived
/// data kept between opens (`store/kept.rs`) and what writes changed since
/// (`store/delta.rs`).
pub(crate) const UNSEALED: [&str; 5] = ["audit", "seal", "audit_state", "kept", "kept_change"];

/// The name the schema is sealed under.
pub(crate) const SCHEMA: &str = "sqlite_master";

/// A row digest.
pub(crate) type Digest = [u8; 32];

/// How one sealed table is keyed.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub(crate) name: String,
    /// Keyed by rowid (else by the primary key's columns).
    pub(crate) rowid: bool,
    /// The primary key's column positions, in key order (tables without rowid).
    pub(crate) pk: Vec<usize>,
}

/// The tables whose rows are sealed, as the schema stands.
pub(crate) fn shapes(conn: &Connection) -> Result<Vec<Shape>> {
    let tables: Vec<(String, bool)> = {
        let mut stmt = conn.prepare(
            "SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table'
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut out = Vec::new();
    for (name, without_rowid) in tables {
        if UNSEALED.contains(&name.as_str()) {
            continue;
        }
        let pk = if without_rowid {
            let mut stmt =
                conn.prepare("SELECT cid FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")?;
            let rows = stmt.query_map([&name], |r| r.get::<_, i64>(0))?;
            rows.map(|c| c.map(|c| c as usize))
                .collect::<rusqlite::Result<_>>()?
        } else {
            Vec::new()
        };
        out.push(Shape {
            name,
            rowid: !without_rowid,
            pk,
        });
    }
    Ok(out)
}

/// Appends `value` to an order-preserving key: keys compare as bytes in the order SQLite
/// sorts the values (NULL, numbers, text, blobs; text by bytes).
pub(crate) fn push_key(key: &mut Vec<u8>, value: ValueRef<'_>) {
    let escaped = |key: &mut Vec<u8>, bytes: &[u8]| {
        for &b in bytes {
            key.push(b);
            if b == 0 {
                key.push(0xff);
            }
        }
        key.push(0);
    };
    match value {
        ValueRef::Null => key.push(1),
        ValueRef::Integer(i) => {
            key.push(2);
            key.extend_from_slice(&((i as u64) ^ (1 << 63)).to_be_bytes());
        }
        ValueRef::Real(f) => {
            key.push(3);
            key.extend_from_slice(&f.to_bits().to_be_bytes());
        }
        ValueRef::Text(t) => {
            key.push(4);
            escaped(key, t);
        }
        ValueRef::Blob(b) => {
            key.push(5);
            escaped(key, b);
        }
    }
}

/// A key as people read it: its values separated by `/`.
pub(crate) fn show_key(key: &[u8]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    let unescape = |i: &mut usize| {
        let mut bytes = Vec::new();
        while *i < key.len() {
            let b = key[*i];
            *i += 1;
            if b == 0 {
                if key.get(*i) == Some(&0xff) {
                    bytes.push(0);
                    *i += 1;
                } else {
                    break;
                }
            } else {
                bytes.push(b);
            }
        }
        bytes
    };
    while i < key.len() {
        let tag = key[i];
        i += 1;
        let eight = |i: usize| -> u64 {
            key.get(i..i + 8)
                .and_then(|b| b.try_into().ok())
                .map_or(0, u64::from_be_bytes)
        };
        match tag {
            1 => parts.push("NULL".to_owned()),
            2 => {
                parts.push(((eight(i) ^ (1 << 63)) as i64).to_string());
                i += 8;
            }
            3 => {
                parts.push(f64::from_bits(eight(i)).to_string());
                i += 8;
            }
            4 => parts.push(String::from_utf8_lossy(&unescape(&mut i)).into_owned()),
            _ => parts.push(audit::hex(&unescape(&mut i))),
        }
    }
    parts.join("/")
}

/// Where a row's image goes: straight into a digest, or into a buffer digested later
/// ([`Changes`]); one format either way.
pub(crate) trait Sink {
    /// Adds raw bytes.
    fn update(&mut self, bytes: &[u8]);

    /// Adds `bytes` preceded by their length.
    fn part(&mut self, bytes: &[u8]) {
        self.update(&(bytes.len() as u64).to_le_bytes());
        self.update(bytes);
    }
}

impl Sink for Hasher {
    fn update(&mut self, bytes: &[u8]) {
        Hasher::update(self, bytes);
    }
}

impl Sink for Vec<u8> {
    fn update(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Adds one column value, type-tagged and length-prefixed.
pub(crate) fn feed(h: &mut impl Sink, value: ValueRef<'_>) {
    match value {
        ValueRef::Null => h.update(&[0]),
        ValueRef::Integer(i) => {
            h.update(&[1]);
            h.update(&i.to_le_bytes());
        }
        ValueRef::Real(f) => {
            h.update(&[2]);
            h.update(&f.to_bits().to_le_bytes());
        }
        ValueRef::Text(t) => {
            h.update(&[3]);
            h.part(t);
        }
        ValueRef::Blob(b) => {
            h.update(&[4]);
            h.part(b);
        }
    }
}

/// Starts a row's image: the table and key come first, so a seal belongs to one row.
pub(crate) fn head(h: &mut impl Sink, table: &str, key: &[u8], columns: usize) {
    h.part(table.as_bytes());
    h.part(key);
    h.update(&(columns as u64).to_le_bytes());
}

/// Starts a row's digest ([`head`]).
pub(crate) fn start_row(mac: &Mac, table: &str, key: &[u8], columns: usize) -> Hasher {
    let mut h = mac.start();
    head(&mut h, table, key, columns);
    h
}

/// `acc + add - sub` modulo 2^256 (little-endian).
pub(crate) fn accumulate(acc: &mut Digest, add: Option<&Digest>, sub: Option<&Digest>) {
    fn limbs(d: &Digest) -> [u64; 4] {
        std::array::from_fn(|i| u64::from_le_bytes(d[i * 8..i * 8 + 8].try_into().unwrap()))
    }
    let mut a = limbs(acc);
    if let Some(add) = add {
        let b = limbs(add);
        let mut carry = false;
        for i in 0..4 {
            let (s, c1) = a[i].overflowing_add(b[i]);
            let (s, c2) = s.overflowing_add(u64::from(carry));
            a[i] = s;
            carry = c1 || c2;
        }
    }
    if let Some(sub) = sub {
        let b = limbs(sub);
        let mut borrow = false;
        for i in 0..4 {
            let (s, b1) = a[i].overflowing_sub(b[i]);
            let (s, b2) = s.overflowing_sub(u64::from(borrow));
            a[i] = s;
            borrow = b1 || b2;
        }
    }
    for i in 0..4 {
        acc[i * 8..i * 8 + 8].copy_from_slice(&a[i].to_le_bytes());
    }
}

/// The accumulators kept in `audit_state`, by table.
pub(crate) fn load_accumulators(conn: &Connection) -> Result<HashMap<String, Digest>> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(key, 5), value FROM audit_state WHERE key > 'acc:' AND key < 'acc;'",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    let mut out = HashMap::default();
    for row in rows {
        let (table, value) = row?;
        out.insert(table, value.try_into().unwrap_or([0; 32]));
    }
    Ok(out)
}

pub(crate) fn store_accumulator(conn: &Connection, table: &str, acc: &Digest) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_state (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![format!("acc:{table}"), &acc[..]])?;
    Ok(())
}

/// What the chain commits to: the MAC of every table's accumulator, by table name.
pub(crate) fn commitment(mac: &Mac, accs: &HashMap<String, Digest>) -> String {
    let mut tables: Vec<_> = accs.iter().filter(|(_, a)| **a != [0; 32]).collect();
    tables.sort_by(|a, b| a.0.cmp(b.0));
    let mut h = mac.start();
    h.part(b"seals");
    for (table, acc) in tables {
        h.part(table.as_bytes());
        h.update(acc);
    }
    audit::hex(&h.finish())
}

/// Writes the seals of the rows `changes` lists (in the order they happened) and moves
/// the accumulators. Returns the commitment the write's records carry and the rows found
/// changed outside the library before this write changed them again (their seal did not
/// match the row the write replaced), which the caller records rather than launders.
pub(crate) fn flush(
    conn: &Connection,
    mac: &Mac,
    names: &[String],
    mut changes: Changes,
) -> Result<(String, Vec<FactProblem>)> {
    let mut accs = load_accumulators(conn)?;
    if changes.is_empty() {
        return Ok((commitment(mac, &accs), Vec::new()));
    }
    let digests = changes.digests(mac)?;
    let digest = |image: Option<changes::Image>| image.map(|i| digests[i as usize]);
    // Sorted by row (each row's changes in order); one seal per row.
    let order = changes.by_row();
    let mut sealer = Sealer::new(conn, names)?;
    let mut i = 0;
    while i < order.len() {
        let first = changes.get(order[i]);
        let key = changes.key(first);
        let mut j = i + 1;
        while j < order.len()
            && changes.get(order[j]).table == first.table
            && changes.key(changes.get(order[j])) == key
        {
            j += 1;
        }
        let last = changes.get(order[j - 1]);
        i = j;
        sealer.row(first.table, key, digest(first.before), digest(last.after))?;
    }
    let Sealer { moved, found, .. } = sealer.finish()?;
    for (table, delta) in moved {
        let name = &names[table as usize];
        let acc = accs.entry(name.clone()).or_insert([0; 32]);
        accumulate(acc, Some(&delta), None);
        store_accumulator(conn, name, acc)?;
    }
    Ok((commitment(mac, &accs), found))
}

/// New rows' seals are inserted this many to a statement.
const FRESH_CHUNK: usize = 64;

/// Writes seals for [`flush`], row by row in order. New rows' seals (a bulk write's
/// common case) wait in `fresh` and go in together: one statement for each
/// [`FRESH_CHUNK`] of one table, after one look that no seal lies between their first
/// and last key, rather than one statement and one search from the top of the seal
/// table for each (within one statement, SQLite's cursor stays where the last row went,
/// so a new seal after it is placed without a search).
struct Sealer<'c> {
    conn: &'c Connection,
    names: &'c [String],
    select: rusqlite::CachedStatement<'c>,
    insert: rusqlite::CachedStatement<'c>,
    upsert: rusqlite::CachedStatement<'c>,
    delete: rusqlite::CachedStatement<'c>,
    /// New rows of one table waiting to be sealed: key and seal, keys ascending.
    fresh: Vec<(&'c [u8], Digest)>,
    fresh_table: u32,
    /// The statement inserting a chunk, made when first needed (a process-wide static
    /// would be memory never freed, which hosts' leak checks report).
    fresh_sql: Option<String>,
    /// What each table's accumulator moves by.
    moved: HashMap<u32, Digest>,
    found: Vec<FactProblem>,
}

impl<'c> Sealer<'c> {
    fn new(conn: &'c Connection, names: &'c [String]) -> Result<Self> {
        Ok(Sealer {
            conn,
            names,
            select: conn.prepare_cached("SELECT digest FROM seal WHERE tbl = ?1 AND key = ?2")?,
            insert: conn.prepare_cached(
                "INSERT INTO seal (tbl, key, digest) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?,
            upsert: conn.prepare_cached(
                "INSERT INTO seal (tbl, key, digest) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tbl, key) DO UPDATE SET digest = excluded.digest",
            )?,
            delete: conn.prepare_cached("DELETE FROM seal WHERE tbl = ?1 AND key = ?2")?,
            fresh: Vec::with_capacity(FRESH_CHUNK),
            fresh_table: 0,
            fresh_sql: None,
            moved: HashMap::default(),
            found: Vec::new(),
        })
    }

    /// Seals row `key` of table `table` (an index into `names`), which the write found as
    /// `before` and left as `after` (`None`: no row).
    fn row(
        &mut self,
        table: u32,
        key: &'c [u8],
        before: Option<Digest>,
        after: Option<Digest>,
    ) -> Result<()> {
        if let (None, Some(new)) = (before, after) {
            if self.fresh.len() == FRESH_CHUNK
                || (!self.fresh.is_empty() && table != self.fresh_table)
            {
                self.settle_fresh()?;
            }
            self.fresh_table = table;
            self.fresh.push((key, new));
            return Ok(());
        }
        // Rows are settled in order, so what is found is listed in order.
        self.settle_fresh()?;
        self.one(table, key, before, after)
    }

    /// Settles the new rows waiting, then gives back what was moved and found.
    fn finish(mut self) -> Result<Self> {
        self.settle_fresh()?;
        Ok(self)
    }

    /// Inserts the waiting new rows' seals in one statement when they are a whole chunk
    /// and no seal lies between their first and last key (so none of theirs exists), or
    /// one by one otherwise.
    fn settle_fresh(&mut self) -> Result<()> {
        if self.fresh.is_empty() {
            return Ok(());
        }
        let fresh = std::mem::take(&mut self.fresh);
        let table = self.fresh_table;
        let name = self.names[table as usize].as_str();
        let together = fresh.len() == FRESH_CHUNK && {
            let (first, last) = (fresh[0].0, fresh[FRESH_CHUNK - 1].0);
            !self
                .conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM seal WHERE tbl = ?1 AND key >= ?2 AND key <= ?3)",
                )?
                .query_row(params![name, first, last], |r| r.get::<_, bool>(0))?
        };
        if together {
            let sql: &str = self.fresh_sql.get_or_insert_with(fresh_insert);
            let mut stmt = self.conn.prepare_cached(sql)?;
            stmt.raw_bind_parameter(1, name)?;
            for (n, (key, digest)) in fresh.iter().enumerate() {
                stmt.raw_bind_parameter(2 * n + 2, key)?;
                stmt.raw_bind_parameter(2 * n + 3, &digest[..])?;
            }
            let inserted = stmt.raw_execute()?;
            if inserted != fresh.len() {
                return Err(crate::error::Error::Storage(format!(
                    "{inserted} of {} new seals of {name} were written",
                    fresh.len()
                )));
            }
            let acc = self.moved.entry(table).or_insert([0; 32]);
            for (_, digest) in &fresh {
                accumulate(acc, Some(digest), None);
            }
        } else {
            for (key, digest) in &fresh {
                self.one(table, key, None, Some(*digest))?;
            }
        }
        self.fresh = fresh;
        self.fresh.clear();
        Ok(())
    }

    /// Seals one row: compares the stored seal with the row the write found, records a
    /// mismatch, and writes (or deletes) the seal of what the write left.
    fn one(
        &mut self,
        table: u32,
        key: &[u8],
        before: Option<Digest>,
        after: Option<Digest>,
    ) -> Result<()> {
        let name = self.names[table as usize].as_str();
        // A new row: insert its seal without reading.
        if let (None, Some(new)) = (before, after)
            && self.insert.execute(params![name, key, &new[..]])? == 1
        {
            let acc = self.moved.entry(table).or_insert([0; 32]);
            accumulate(acc, after.as_ref(), None);
            return Ok(());
        }
        let stored: Option<Digest> = self
            .select
            .query_row(params![name, key], |r| r.get::<_, Vec<u8>>(0))
            .optional()?
            .map(|d| d.try_into().unwrap_or([0; 32]));
        if stored != before {
            let problem = match (stored, before) {
                (None, _) => "inserted",
                (Some(_), None) => "deleted",
                (Some(_), Some(_)) => "edited",
            };
            self.found.push(FactProblem {
                table: name.to_owned(),
                row: show_key(key),
                problem: problem.to_owned(),
            });
        }
        if stored == after {
            return Ok(());
        }
        match &after {
            Some(d) => self.upsert.execute(params![name, key, &d[..]])?,
            None => self.delete.execute(params![name, key])?,
        };
        let acc = self.moved.entry(table).or_insert([0; 32]);
        accumulate(acc, after.as_ref(), stored.as_ref());
        Ok(())
    }
}

/// An insert of [`FRESH_CHUNK`] new seals of one table, named once (`?1`), then each
/// row's key and digest. `OR IGNORE` rather than the default `ABORT`: nothing in it
/// can fail (the values are never NULL, and no key exists, as looked at just before), and
/// a statement that might abort after writing rows would have SQLite journal every page
/// it touches in case it must undo them.
fn fresh_insert() -> String {
    let rows: Vec<String> = (0..FRESH_CHUNK)
        .map(|i| format!("(?1,?{},?{})", 2 * i + 2, 2 * i + 3))
        .collect();
    format!(
        "INSERT OR IGNORE INTO seal (tbl, key, digest) VALUES {}",
        rows.join(",")
    )
}
