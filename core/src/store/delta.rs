//! What each write through the library changed, kept in the file beside the derived data
//! (`kept.rs`), so that a value kept at an earlier head of the audit chain is brought up
//! to date with the writes made since, by this process or any other, rather than built
//! again from the facts: the same [`Derived::note`] and [`Derived::patch`] that keep a
//! value up to date within a process, fed from the file.
//!
//! A write records its [`Changes`] (table `kept_change`) only while some derived data is
//! kept in the file, keyed by the head it wrote and sealed under the store's MAC together
//! with the head it started from and the chain's digest at the head it wrote. A kept value
//! is brought up to date only by an unbroken run of records from its own head to the
//! current one, each in step with the chain and sealed; anything else (a record missing,
//! out of step or altered, a write that did not say what it changed) means building the
//! value again, never a wrong one. Records older than every kept value are deleted
//! whenever a value is kept. When the records would reach back more than [`MAX_BEHIND`]
//! records of the chain, or hold more than [`MAX_BYTES`] of changes, the kept values are
//! dropped with them, to be built again on next use: past that, building costs less than
//! reading and applying what changed.

use rusqlite::{Connection, OptionalExtension, params};

use super::audit::{self, GENESIS, Mac};
use super::cache::Derived;
use super::write::{Changes, VisitFact};
use super::{Decoder, Encoder};
use crate::error::Result;

/// How many audit records a kept value may fall behind before it is dropped, with the
/// changes recorded for it.
pub(crate) const MAX_BEHIND: i64 = 10_000;

/// How many bytes of encoded changes are kept at most (a write of about 250,000 entries,
/// or 60,000 households, fills it alone).
pub(crate) const MAX_BYTES: i64 = 1 << 20;

/// What a seal of a record starts with.
const DOMAIN: &[u8] = b"wangge kept change";

/// The seal of a write's record: the heads it goes from and to, the chain's digest at the
/// head it wrote, and its changes as encoded.
fn seal(mac: &Mac, (before, after): (i64, i64), digest: &str, body: &[u8]) -> [u8; 32] {
    mac.of_parts(&[
        DOMAIN,
        &before.to_le_bytes(),
        &after.to_le_bytes(),
        digest.as_bytes(),
        body,
    ])
}

/// Records what a write changed, the chain having moved from `before` to `after` (its
/// head, already stored through `conn`, the write's transaction): only while some derived
/// data is kept in the file. When the records would then reach back more than
/// [`MAX_BEHIND`] records of the chain or hold more than [`MAX_BYTES`], the kept data is
/// dropped instead, with every record.
pub(super) fn record(
    conn: &Connection,
    mac: &Mac,
    (before, after): (i64, i64),
    changes: &Changes,
) -> Result<()> {
    if after == before {
        return Ok(());
    }
    let oldest: Option<i64> = conn
        .prepare_cached("SELECT min(seq) FROM kept")?
        .query_row([], |r| r.get(0))?;
    let Some(oldest) = oldest else {
        return Ok(());
    };
    // Records at or past this head were made by no write of this chain.
    conn.prepare_cached("DELETE FROM kept_change WHERE head_after >= ?1")?
        .execute([after])?;
    let mut body = Vec::new();
    encode(changes, &mut Encoder(&mut body));
    // The bytes the records hold: each carries the running total of the bodies written
    // since the table was last emptied.
    let first: Option<i64> = conn
        .prepare_cached("SELECT total - length(body) FROM kept_change ORDER BY head_after LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let last: Option<i64> = conn
        .prepare_cached("SELECT total FROM kept_change ORDER BY head_after DESC LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    let total = last.unwrap_or(0) + body.len() as i64;
    let (seq, digest) = audit::load_head(conn)?;
    if after - oldest > MAX_BEHIND || total - first.unwrap_or(0) > MAX_BYTES || seq != after {
        conn.execute_batch("DELETE FROM kept; DELETE FROM kept_change;")?;
        return Ok(());
    }
    let sealed = seal(mac, (before, after), &digest, &body);
    conn.prepare_cached(
        "INSERT INTO kept_change (head_after, head_before, total, mac, body)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![after, before, total, &sealed[..], body])?;
    Ok(())
}

/// Deletes the records no kept value needs, the chain being at `head`: those of writes up
/// to the oldest kept head, and any past `head` (which no write of this chain made).
pub(super) fn prune(conn: &Connection, head: i64) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM kept_change
         WHERE head_after <= (SELECT coalesce(min(seq), 1 << 62) FROM kept) OR head_after > ?1",
    )?
    .execute([head])?;
    Ok(())
}

/// The chain's digest at `seq`, as its head then was.
fn digest_at(conn: &Connection, seq: i64) -> Result<Option<String>> {
    if seq == 0 {
        return Ok(Some(GENESIS.to_owned()));
    }
    Ok(conn
        .prepare_cached("SELECT hash FROM audit WHERE seq = ?1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

/// What `T` kept at `from` (its head: sequence number and digest) must take note of to
/// stand at `to`, the chain's current head: the changes of every write between, noted as
/// [`Derived::note`] notes them. `None` when `from` is not on the chain, a record is
/// missing, out of step or does not match its seal, or `T` cannot be brought up to date by
/// what one of them changed.
pub(super) fn since<T: Derived>(
    conn: &Connection,
    mac: &Mac,
    from: (i64, &str),
    to: &(i64, String),
) -> Result<Option<T::Pending>> {
    if from.0 >= to.0 || digest_at(conn, from.0)?.as_deref() != Some(from.1) {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT head_after, head_before, mac, body FROM kept_change
         WHERE head_after > ?1 AND head_after <= ?2 ORDER BY head_after",
    )?;
    let mut rows = stmt.query(params![from.0, to.0])?;
    let mut pending = T::Pending::default();
    let (mut at, mut bytes) = (from.0, 0);
    while let Some(row) = rows.next()? {
        let (after, before): (i64, i64) = (row.get(0)?, row.get(1)?);
        let (Ok(sealed), Ok(body)) = (row.get_ref(2)?.as_blob(), row.get_ref(3)?.as_blob()) else {
            return Ok(None);
        };
        bytes += body.len();
        if before != at || bytes as i64 > MAX_BYTES {
            return Ok(None);
        }
        let Some(digest) = digest_at(conn, after)? else {
            return Ok(None);
        };
        if sealed != seal(mac, (before, after), &digest, body) {
            return Ok(None);
        }
        let Some(changes) = decode(&mut Decoder(body)) else {
            return Ok(None);
        };
        if !T::note(&mut pending, &changes) {
            return Ok(None);
        }
        at = after;
    }
    Ok((at == to.0).then_some(pending))
}

/// Writes what a write changed: the households (a flag, then their ids, sorted), the
/// visits, the entries.
fn encode(changes: &Changes, e: &mut Encoder<'_>) {
    match &changes.households {
        None => e.u8(0),
        Some(ids) => {
            e.u8(1);
            let mut ids: Vec<&String> = ids.iter().collect();
            ids.sort_unstable();
            e.strings(&ids);
        }
    }
    e.len(changes.visits.len());
    for v in &changes.visits {
        e.bytes(v.household.as_bytes());
        e.i64(v.day);
        e.bytes(v.channel.as_bytes());
    }
    e.i64s(&changes.entries);
}

/// What [`encode`] wrote, or `None`.
fn decode(d: &mut Decoder<'_>) -> Option<Changes> {
    let households = match d.u8()? {
        0 => None,
        1 => Some(d.strings()?.into_iter().collect()),
        _ => return None,
    };
    let n = d.count(3)?;
    let visits = (0..n)
        .map(|_| {
            Some(VisitFact {
                household: d.str()?.to_owned(),
                day: d.i64()?,
                channel: d.str()?.to_owned(),
            })
        })
        .collect::<Option<_>>()?;
    let entries = d.i64s()?;
    d.done().then_some(Changes {
        households,
        visits,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(changes: &Changes) -> Vec<u8> {
        let mut body = Vec::new();
        encode(changes, &mut Encoder(&mut body));
        body
    }

    fn visit(household: &str, day: i64, channel: &str) -> VisitFact {
        VisitFact {
            household: household.into(),
            day,
            channel: channel.into(),
        }
    }

    #[test]
    fn changes_read_back_as_written_and_a_cut_or_flipped_record_never_crashes() {
        let said = Changes {
            households: Some(["H2".to_owned(), "户1".to_owned()].into_iter().collect()),
            visits: vec![visit("H2", 739_000, "home"), visit("户1", -5, "phone")],
            entries: vec![1, 42, i64::MAX, -1],
        };
        let unsaid = Changes {
            households: None,
            visits: Vec::new(),
            entries: vec![7],
        };
        for changes in [&said, &unsaid] {
            let body = encoded(changes);
            let back = decode(&mut Decoder(&body)).expect("reads back");
            assert_eq!(back.households, changes.households);
            assert_eq!(back.entries, changes.entries);
            let visits = |c: &Changes| -> Vec<(String, i64, String)> {
                c.visits
                    .iter()
                    .map(|v| (v.household.clone(), v.day, v.channel.clone()))
                    .collect()
            };
            assert_eq!(visits(&back), visits(changes));
            assert_eq!(encoded(&back), body, "the households are written sorted");
            for cut in 0..body.len() {
                assert!(decode(&mut Decoder(&body[..cut])).is_none(), "cut at {cut}");
            }
            let mut longer = body.clone();
            longer.push(0);
            assert!(decode(&mut Decoder(&longer)).is_none(), "a byte left over");
            for i in 0..body.len() {
                for bit in 0..8 {
                    let mut flipped = body.clone();
                    flipped[i] ^= 1 << bit;
                    let _ = decode(&mut Decoder(&flipped));
                }
            }
        }
    }

    #[test]
    fn a_record_is_sealed_to_its_heads_its_digest_and_its_changes() {
        let mac = Mac::keyed(&[7; 32]);
        let body = encoded(&Changes::default());
        let sealed = seal(&mac, (3, 5), "ab", &body);
        assert_eq!(seal(&mac, (3, 5), "ab", &body), sealed);
        assert_ne!(seal(&mac, (4, 5), "ab", &body), sealed);
        assert_ne!(seal(&mac, (3, 6), "ab", &body), sealed);
        assert_ne!(seal(&mac, (3, 5), "ac", &body), sealed);
        assert_ne!(seal(&mac, (3, 5), "ab", &[1]), sealed);
        assert_ne!(seal(&Mac::keyed(&[8; 32]), (3, 5), "ab", &body), sealed);
        assert_ne!(seal(&Mac::Sm3, (3, 5), "ab", &body), sealed);
    }
}
