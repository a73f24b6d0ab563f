//! The audit chain: every write through any handle appends (actor, time, action, target)
//! to a SHA-256 hash chain, and [`crate::Store::verify_audit`] recomputes it.
//!
//! The head of the chain (last sequence number and hash) is also kept in `meta`, written in
//! the same transaction, so removing records from the end is detected as well as changing
//! or removing any record in the middle.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::Result;

const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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
    /// SHA-256 (hex) over the previous hash and this record's fields.
    pub hash: String,
}

/// The outcome of [`crate::Store::verify_audit`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// True when every record is intact and none is missing.
    pub ok: bool,
    /// How many records the chain holds.
    pub records: i64,
    /// The sequence number of the first bad or missing record, when not ok.
    pub first_bad: Option<i64>,
    /// What is wrong, when not ok.
    pub problem: Option<String>,
}

fn digest(
    prev: &str,
    seq: i64,
    at: &str,
    actor: &str,
    action: &str,
    target: &str,
    detail: &str,
) -> String {
    let mut hasher = Sha256::new();
    for part in [prev, &seq.to_string(), at, actor, action, target, detail] {
        // Length-prefixed so that moving text between fields changes the hash.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
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

/// Appends records within the caller's transaction, remembering the head as it goes.
pub(crate) struct AuditWriter {
    seq: i64,
    hash: String,
}

impl AuditWriter {
    pub(crate) fn load(conn: &Connection) -> Result<Self> {
        let head: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'audit_head'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let (seq, hash) = match head.as_deref().and_then(|h| h.split_once(':')) {
            Some((seq, hash)) => (seq.parse().unwrap_or(0), hash.to_owned()),
            None => (0, GENESIS.to_owned()),
        };
        Ok(AuditWriter { seq, hash })
    }

    /// Appends one record; `unit_path` (what the record is about, for scoped reads) is
    /// stored beside it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn append(
        &mut self,
        conn: &Connection,
        at: &str,
        actor: &str,
        action: &str,
        target: &str,
        detail: &str,
        unit_path: Option<&str>,
    ) -> Result<()> {
        let seq = self.seq + 1;
        let hash = digest(&self.hash, seq, at, actor, action, target, detail);
        conn.prepare_cached(
            "INSERT INTO audit (seq, at, actor, action, target, detail, hash, unit_path) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![seq, at, actor, action, target, detail, hash, unit_path])?;
        self.seq = seq;
        self.hash = hash;
        Ok(())
    }

    pub(crate) fn finish(self, conn: &Connection) -> Result<()> {
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('audit_head', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [format!("{}:{}", self.seq, self.hash)],
        )?;
        Ok(())
    }
}

pub(crate) fn verify(conn: &Connection) -> Result<AuditVerification> {
    let head = AuditWriter::load(conn)?;
    let mut stmt = conn
        .prepare("SELECT seq, at, actor, action, target, detail, hash FROM audit ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let bad = |seq: i64, problem: String| AuditVerification {
        ok: false,
        records: head.seq,
        first_bad: Some(seq),
        problem: Some(problem),
    };
    while let Some(row) = rows.next()? {
        let seq: i64 = row.get(0)?;
        if seq != expected {
            return Ok(bad(expected, format!("record {expected} is missing")));
        }
        let fields: [String; 6] = [
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
            row.get(6)?,
        ];
        let [at, actor, action, target, detail, hash] = fields;
        if digest(&prev, seq, &at, &actor, &action, &target, &detail) != hash {
            return Ok(bad(seq, format!("record {seq} was altered")));
        }
        prev = hash;
        expected += 1;
    }
    let last = expected - 1;
    if last != head.seq || prev != head.hash {
        return Ok(bad(
            last + 1,
            format!(
                "the chain ends at record {last} but its head says {}",
                head.seq
            ),
        ));
    }
    Ok(AuditVerification {
        ok: true,
        records: last,
        first_bad: None,
        problem: None,
    })
}
