//! The audit chain: every write through any handle appends (actor, time, action, target)
//! to a hash chain under the store's [`Mac`] (SM3, or HMAC-SM3 with a deployment key),
//! and [`crate::Store::verify_audit`] recomputes it.
//!
//! Each record also commits to the row seals of every fact as they stood after its write
//! (`seals`, see [`super::seal`]), so the newest record vouches for every fact in the file.
//! The head of the chain (last sequence number and hash) is kept in `audit_state`, written
//! in the same transaction, so removing records from the end is detected as well as
//! changing or removing any record in the middle; [`AuditHead`] kept elsewhere catches a
//! chain recomputed or truncated by someone without the key.

use hmac::{Hmac, Mac as _};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use sm3::{Digest, Sm3};

use crate::error::{Error, Result};

pub(crate) const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// How the chain and the row seals are computed: plain SM3 (GB/T 32905) without a
/// deployment key, HMAC-SM3 under a key derived from it with one.
#[derive(Clone)]
pub(crate) enum Mac {
    /// SM3: detects changes by anyone who does not also recompute the chain; an
    /// [`AuditHead`] kept elsewhere catches those.
    Sm3,
    /// HMAC-SM3 under a 32-byte key: nobody without the key can compute a seal. It holds
    /// the HMAC with the key's inner and outer blocks already hashed, which each
    /// computation copies: a row's seal is its own bytes and one block more, not three.
    Keyed(Box<Hmac<Sm3>>),
}

impl std::fmt::Debug for Mac {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mac::Sm3 => "Sm3",
            Mac::Keyed(_) => "Keyed(..)",
        })
    }
}

/// One computation under a [`Mac`].
pub(crate) enum Hasher {
    Sm3(Sm3),
    Keyed(Hmac<Sm3>),
}

impl Mac {
    /// HMAC-SM3 under `key`.
    pub(crate) fn keyed(key: &[u8; 32]) -> Mac {
        Mac::Keyed(Box::new(
            Hmac::<Sm3>::new_from_slice(key).expect("HMAC takes a key of any length"),
        ))
    }

    /// A new computation.
    pub(crate) fn start(&self) -> Hasher {
        match self {
            Mac::Sm3 => Hasher::Sm3(Sm3::new()),
            Mac::Keyed(prepared) => Hasher::Keyed((**prepared).clone()),
        }
    }

    /// The MAC of length-prefixed `parts`, so that moving text between parts changes it.
    pub(crate) fn of_parts(&self, parts: &[&[u8]]) -> [u8; 32] {
        let mut h = self.start();
        for part in parts {
            h.part(part);
        }
        h.finish()
    }
}

impl Hasher {
    /// Adds raw bytes.
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sm3(h) => h.update(bytes),
            Hasher::Keyed(h) => h.update(bytes),
        }
    }

    /// Adds `bytes` preceded by their length.
    pub(crate) fn part(&mut self, bytes: &[u8]) {
        self.update(&(bytes.len() as u64).to_le_bytes());
        self.update(bytes);
    }

    /// The 32-byte result.
    pub(crate) fn finish(self) -> [u8; 32] {
        match self {
            Hasher::Sm3(h) => h.finalize().into(),
            Hasher::Keyed(h) => h.finalize().into_bytes().into(),
        }
    }
}

/// One record of the audit chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When the write happened (RFC 3339 with the deployment's offset).
    pub at: String,
    /// Who made it (the handle's actor).
    pub actor: String,
    /// What was done, e.g. `add_unit`.
    pub action: String,
    /// What it was done to, e.g. a unit code.
    pub target: String,
    /// Details of the write as JSON text.
    pub detail: String,
    /// SM3 or HMAC-SM3 (hex) over the previous hash, this record's fields and the seals of
    /// every fact after its write.
    pub hash: String,
}

/// A fact found changed outside the library by [`crate::Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactProblem {
    /// The table, e.g. `visit`; `sqlite_master` for the schema (and the file's
    /// `application_id` and `user_version`), `seal` for the seals themselves.
    pub table: String,
    /// The row: its rowid, or its primary key's values separated by `/`.
    pub row: String,
    /// `edited`, `deleted` or `inserted` (outside the library), `resealed` (the seals
    /// committed by the chain no longer match the seal table), or `found_earlier` (an
    /// outside change the library found and recorded when it next wrote the row or
    /// migrated the store).
    pub problem: String,
}

/// The outcome of [`crate::Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// True when every record is intact, none is missing, the head given (if any) is still
    /// in the chain, and every fact is as the library wrote it.
    pub ok: bool,
    /// How many records the chain holds.
    pub records: i64,
    /// The sequence number of the first bad or missing record, when the chain is broken.
    pub first_bad: Option<i64>,
    /// What is wrong, when not ok: the chain's problem, or a summary of the facts'.
    pub problem: Option<String>,
    /// The facts changed outside the library, at most [`MAX_PROBLEMS`] of them.
    pub problems: Vec<FactProblem>,
    /// How many such problems there are in all.
    pub problems_total: i64,
}

/// How many fact problems [`AuditVerification::problems`] lists at most.
pub const MAX_PROBLEMS: usize = 100;

/// The newest record of the chain, to keep elsewhere and check later with
/// [`crate::Store::verify_audit_since`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditHead {
    /// Its sequence number; 0 for an empty chain.
    pub seq: i64,
    /// Its hash (hex); 64 zeros for an empty chain.
    pub digest: String,
    /// When it was written; empty for an empty chain.
    pub at: String,
}

impl AuditHead {
    /// Reads a head from its JSON (`{"seq", "digest", "at"}`); bad JSON is `InvalidInput`
    /// naming `since`.
    pub fn from_json(text: &str) -> Result<Self> {
        let head: AuditHead = serde_json::from_str(text).map_err(|e| {
            Error::invalid(
                "since",
                text,
                format!("an audit head is {{\"seq\", \"digest\", \"at\"}}: {e}"),
            )
        })?;
        if head.seq < 0
            || head.digest.len() != 64
            || !head.digest.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(Error::invalid(
                "since",
                text,
                "an audit head has a sequence number from 0 and a 64-digit hex digest",
            ));
        }
        Ok(head)
    }
}

/// The hash of one record.
#[allow(clippy::too_many_arguments)]
pub(crate) fn digest(
    mac: &Mac,
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
    seals: &str,
    unit_path: &str,
) -> String {
    let seq = seq.to_string();
    hex(&mac.of_parts(&[
        prev.as_bytes(),
        seq.as_bytes(),
        at.as_bytes(),
        actor.as_bytes(),
        action.as_bytes(),
        target.as_bytes(),
        detail.as_bytes(),
        seals.as_bytes(),
        unit_path.as_bytes(),
    ]))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    out
}

/// The head as kept in `audit_state`: (seq, hash).
pub(crate) fn load_head(conn: &Connection) -> Result<(i64, String)> {
    let head: Option<String> = conn
        .query_row(
            "SELECT value FROM audit_state WHERE key = 'head'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    Ok(match head.as_deref().and_then(|h| h.split_once(':')) {
        Some((seq, hash)) => (seq.parse().unwrap_or(0), hash.to_owned()),
        None => (0, GENESIS.to_owned()),
    })
}

pub(crate) fn store_head(conn: &Connection, seq: i64, hash: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_state (key, value) VALUES ('head', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )?
    .execute([format!("{seq}:{hash}")])?;
    Ok(())
}

struct Pending {
    /// Who made it, when not the write's own actor (an action of another handle in a
    /// write that applies several handles' actions together).
    actor: Option<String>,
    action: String,
    target: String,
    detail: String,
    unit_path: Option<String>,
}

/// Collects a write's records; they are chained and inserted when the write commits,
/// once the seals they commit to are known.
pub(crate) struct AuditWriter {
    seq: i64,
    hash: String,
    pending: Vec<Pending>,
}

impl AuditWriter {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        let (seq, hash) = load_head(conn)?;
        Ok(AuditWriter {
            seq,
            hash,
            pending: Vec::new(),
        })
    }

    /// Adds a record to chain when the write commits; `unit_path` (what the record is
    /// about, for scoped reads, `None` for the deployment as a whole) is chained with it.
    /// `actor` names who made it when that is not the write's actor.
    pub(crate) fn append(
        &mut self,
        actor: Option<&str>,
        action: &str,
        target: &str,
        detail: &str,
        unit_path: Option<&str>,
    ) {
        self.pending.push(Pending {
            actor: actor.map(str::to_owned),
            action: action.to_owned(),
            target: target.to_owned(),
            detail: detail.to_owned(),
            unit_path: unit_path.map(str::to_owned),
        });
    }

    /// How many records this write appended so far.
    pub(crate) fn pending_len(&self) -> usize {
        self.pending.len()
    }

    /// Forgets the records appended after the first `len` (their savepoint was rolled
    /// back).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.pending.truncate(len);
    }

    /// The sequence number of the chain's head this write appends after.
    pub(crate) fn head_seq(&self) -> i64 {
        self.seq
    }

    /// Whether this write appended any record.
    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Chains and inserts the records, each committing to `seals` (the seals after the
    /// write), and moves the head; returns the head's new sequence number. A record whose
    /// actor was not named is `actor`'s.
    pub(crate) fn finish(
        self,
        conn: &Connection,
        mac: &Mac,
        at: &str,
        actor: &str,
        seals: &str,
    ) -> Result<i64> {
        if self.pending.is_empty() {
            return Ok(self.seq);
        }
        let (mut seq, mut hash) = (self.seq, self.hash);
        let mut insert = conn.prepare_cached(
            "INSERT INTO audit (seq, at, actor, action, target, detail, hash, seals, unit_path)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?;
        for record in &self.pending {
            seq += 1;
            let actor = record.actor.as_deref().unwrap_or(actor);
            hash = digest(
                mac,
                &hash,
                seq,
                at,
                actor,
                &record.action,
                &record.target,
                &record.detail,
                seals,
                record.unit_path.as_deref().unwrap_or(""),
            );
            insert.execute(params![
                seq,
                at,
                actor,
                record.action,
                record.target,
                record.detail,
                hash,
                seals,
                record.unit_path,
            ])?;
        }
        store_head(conn, seq, &hash)?;
        Ok(seq)
    }
}

/// Columns `first..first + N` of `row`, as text: a record's fields as the chain reads them.
fn texts<const N: usize>(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<[String; N]> {
    let mut out: [String; N] = std::array::from_fn(|_| String::new());
    for (i, text) in out.iter_mut().enumerate() {
        *text = row.get(first + i)?;
    }
    Ok(out)
}

/// What recomputing the chain found.
pub(crate) struct ChainCheck {
    /// How many records the head says there are.
    pub(crate) records: i64,
    /// The first bad or missing record and what is wrong, if any.
    pub(crate) bad: Option<(i64, String)>,
    /// The newest record's `seals` (empty for an empty chain).
    pub(crate) seals: String,
    /// The newest record: seq, hash, at.
    pub(crate) head: AuditHead,
}

/// Recomputes the chain under `mac`; `legacy` recomputes it as stores before the seals
/// did (SHA-256, no `seals`).
pub(crate) fn check_chain(conn: &Connection, mac: &Mac, legacy: bool) -> Result<ChainCheck> {
    let (head_seq, head_hash) = if legacy {
        legacy_head(conn)?
    } else {
        load_head(conn)?
    };
    let sql = if legacy {
        "SELECT seq, at, actor, action, target, detail, hash, '', '' FROM audit ORDER BY seq"
    } else {
        "SELECT seq, at, actor, action, target, detail, hash, seals, coalesce(unit_path, '')
         FROM audit ORDER BY seq"
    };
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let (mut seals, mut at) = (String::new(), String::new());
    let check =
        |bad: Option<(i64, String)>, seals: String, prev: String, last: i64, at| ChainCheck {
            records: head_seq,
            bad,
            seals,
            head: AuditHead {
                seq: last,
                digest: prev,
                at,
            },
        };
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        if seq != expected {
            let bad = Some((expected, format!("record {expected} is missing")));
            return Ok(check(bad, seals, prev, expected - 1, at));
        }
        let fields: [String; 8] = texts(row, 1)?;
        let [
            r_at,
            actor,
            action,
            target,
            detail,
            hash,
            r_seals,
            unit_path,
        ] = fields;
        let computed = if legacy {
            legacy_digest(&prev, seq, &r_at, &actor, &action, &target, &detail)
        } else {
            digest(
                mac, &prev, seq, &r_at, &actor, &action, &target, &detail, &r_seals, &unit_path,
            )
        };
        if computed != hash {
            let bad = Some((seq, format!("record {seq} was altered")));
            return Ok(check(bad, seals, prev, expected - 1, at));
        }
        prev = hash;
        seals = r_seals;
        at = r_at;
        expected += 1;
    }
    let last = expected - 1;
    let bad = (last != head_seq || prev != head_hash).then(|| {
        (
            last + 1,
            format!("the chain ends at record {last} but its head says {head_seq}"),
        )
    });
    Ok(check(bad, seals, prev, last, at))
}

/// Checks that the chain still holds `head` unchanged at its place.
pub(crate) fn check_since(conn: &Connection, head: &AuditHead) -> Result<Option<String>> {
    if head.seq == 0 {
        return Ok(None);
    }
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT hash, at FROM audit WHERE seq = ?1",
            [head.seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match row {
        None => Some(format!(
            "record {} of the head kept elsewhere is no longer in the chain (truncated)",
            head.seq
        )),
        Some((hash, at)) if !hash.eq_ignore_ascii_case(&head.digest) || at != head.at => {
            Some(format!(
                "record {} no longer matches the head kept elsewhere (the chain was recomputed)",
                head.seq
            ))
        }
        Some(_) => None,
    })
}

/// The head as stores before the seals kept it, in `meta`.
fn legacy_head(conn: &Connection) -> Result<(i64, String)> {
    let head: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
            r.get(0)
        })
        .optional()?;
    Ok(match head.as_deref().and_then(|h| h.split_once(':')) {
        Some((seq, hash)) => (seq.parse().unwrap_or(0), hash.to_owned()),
        None => (0, GENESIS.to_owned()),
    })
}

/// The record hash of stores before the seals: SHA-256 without `seals`.
fn legacy_digest(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> String {
    use sha2::Sha256;
    let mut hasher = Sha256::new();
    for part in [prev, &seq.to_string(), at, actor, action, target, detail] {
        sha2::Digest::update(&mut hasher, (part.len() as u64).to_le_bytes());
        sha2::Digest::update(&mut hasher, part.as_bytes());
    }
    hex(&sha2::Digest::finalize(hasher))
}

/// Recomputes every record's hash under `mac`, the newest committing to `seals`, and
/// moves the head: after a migration or a change of key, once the old chain was checked.
pub(crate) fn rechain(conn: &Connection, mac: &Mac, seals: &str) -> Result<()> {
    let records: Vec<(i64, [String; 7])> = {
        let mut stmt = conn.prepare(
            "SELECT seq, at, actor, action, target, detail, seals, coalesce(unit_path, '')
             FROM audit ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, texts(r, 1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut prev = GENESIS.to_owned();
    let mut last = 0;
    let count = records.len();
    let mut update =
        conn.prepare("UPDATE audit SET seq = ?2, hash = ?3, seals = ?4 WHERE seq = ?1")?;
    for (i, (seq, [at, actor, action, target, detail, old_seals, unit_path])) in
        records.into_iter().enumerate()
    {
        // Records are renumbered without gaps: a gap was recorded before rechaining.
        let new_seq = i as i64 + 1;
        let record_seals = if i + 1 == count {
            seals.to_owned()
        } else {
            old_seals
        };
        let hash = digest(
            mac,
            &prev,
            new_seq,
            &at,
            &actor,
            &action,
            &target,
            &detail,
            &record_seals,
            &unit_path,
        );
        update.execute(params![seq, new_seq, hash, record_seals])?;
        prev = hash;
        last = new_seq;
    }
    store_head(conn, last, &prev)
}

/// The newest record of the chain.
pub(crate) fn head(conn: &Connection) -> Result<AuditHead> {
    let (seq, digest) = load_head(conn)?;
    let at: Option<String> = conn
        .query_row("SELECT at FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
        .optional()?;
    Ok(AuditHead {
        seq,
        digest,
        at: at.unwrap_or_default(),
    })
}
