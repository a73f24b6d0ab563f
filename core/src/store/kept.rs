//! Derived data kept in the file between opens, so that a freshly opened store does not
//! read every fact again for its first county-wide report.
//!
//! A kind of [`Derived`] data that names itself ([`Derived::KEPT`]) is written, once
//! built, into the `kept` table as a compact blob, stamped with the audit chain's head it
//! was read at (sequence number and digest) and sealed under the store's MAC (HMAC-SM3
//! under the deployment key's chain key, or SM3 without a key; the body enters by the
//! keyed GHASH of its chunks, see [`seal`]) together with its kind,
//! format and stamp. On a later open, before building it, the store takes the blob
//! instead when, and only when:
//! - the chain's head is whole: the head the file records is its newest audit record,
//!   with the same digest;
//! - the blob's stamp is that head: no write through the library came after it (a write
//!   through this or any other connection moves the head);
//! - its seal checks under this store's MAC, so a blob edited by hand, copied from
//!   another store, or kept under another key is never used;
//! - it reads back whole, in the format this library writes;
//! - it fits what lays it out ([`Derived::fits`]: the visit log, the snapshot's households
//!   in their order), checked where it is taken, since it may be read before that is at
//!   hand ([`Store::read_kept_ahead`]).
//!
//! The body is kept compressed (LZ4, `lz4_flex`) when that saves a quarter of it or more:
//! a county's snapshot compresses to an eighth, so the first report reads, and checks the
//! seal of, an eighth of the bytes; a ledger's columns, mostly event marks packed bit by
//! bit already, shrink by a fifth only and are kept as they are, read in place rather than
//! uncompressed (see [`pack`]). The seal covers the stored bytes. It is checked on another
//! thread while this one uncompresses and reads them, and what was read is used only if it
//! checks: reading trusts no byte (a cut or altered body reads as nothing, never as a
//! crash).
//!
//! Anything else, a malformed blob included, is ignored and the data built from the facts
//! as before (and kept anew). The table holds no fact: it is not row-sealed and never
//! shown; what is read from it serves the same calls, with the same scope checks, as the
//! data in memory. A write moves the head, so what was kept before it is built again on
//! the next open, and kept again. Facts
//! edited outside the library without moving the chain are what
//! [`Store::verify_audit`] reports; kept data reflects what the library wrote.

use rusqlite::{Connection, OptionalExtension, params};

use super::Store;
use super::audit::{self, GENESIS, Mac};
use super::cache::Derived;
use super::codec::{pack, unpack};
use crate::error::Result;

/// The audit chain's head, when the file's record of it is its newest audit record.
fn whole_head(conn: &Connection) -> Result<Option<(i64, String)>> {
    let (seq, digest) = audit::load_head(conn)?;
    let newest: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(match newest {
        Some(newest) if newest == (seq, digest.clone()) => Some((seq, digest)),
        None if seq == 0 && digest == GENESIS => Some((seq, digest)),
        _ => None,
    })
}

/// The seal of a kept blob: its kind, format, stamp and body under the store's MAC. The
/// body enters by the GHASH of each [`CHUNK`]-byte chunk ([`chunk_digests`]): a county's
/// blobs are tens of megabytes, read and checked on the first report.
fn seal(
    store: &Store,
    kind: &str,
    format: u32,
    (seq, digest): (i64, &str),
    body: &[u8],
) -> Vec<u8> {
    let mac = store.mac();
    let chunks = chunk_digests(&mac, body);
    mac.of_parts(&[
        b"wangge kept derived data, GHASH chunks",
        kind.as_bytes(),
        &format.to_le_bytes(),
        &seq.to_le_bytes(),
        digest.as_bytes(),
        &(body.len() as u64).to_le_bytes(),
        &chunks,
    ])
    .to_vec()
}

/// How many bytes of a kept body each digest covers.
const CHUNK: usize = 1 << 22;

/// The hash key of the chunks' GHASH, made as SM4-GCM makes its own (SM4 of the zero
/// block) under a key drawn from `mac`: secret under a deployment key, so that the chunks'
/// GHASH values, which only ever enter the seal through the MAC, cannot be steered to
/// collide. (Without a key, the seal is a checksum whichever hash it uses: anyone could
/// compute it, as with SM3.)
fn ghash_key(mac: &Mac) -> ghash::Key {
    use sm4::cipher::{BlockEncrypt, KeyInit};
    let key = mac.of_parts(&[b"wangge kept derived data: GHASH key"]);
    let mut h = ghash::Key::default();
    sm4::Sm4::new(sm4::cipher::generic_array::GenericArray::from_slice(
        &key[..16],
    ))
    .encrypt_block(&mut h);
    h
}

/// The GHASH (as GCM computes it over its ciphertext: zero-padded, then the length in
/// bits) of each of `body`'s chunks, in order, one after the other. GHASH runs at gigabytes
/// a second where SM3 ran at a few hundred megabytes, on several threads, and took a
/// fifth of the first county report.
fn chunk_digests(mac: &Mac, body: &[u8]) -> Vec<u8> {
    use ghash::universal_hash::{KeyInit, UniversalHash};
    let key = ghash_key(mac);
    let digest = |chunk: &[u8]| -> [u8; 16] {
        let mut hash = ghash::GHash::new(&key);
        hash.update_padded(chunk);
        let mut length = ghash::Block::default();
        length[8..].copy_from_slice(&((chunk.len() as u64) * 8).to_be_bytes());
        hash.update(&[length]);
        hash.finalize().into()
    };
    let chunks: Vec<&[u8]> = body.chunks(CHUNK).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 8)
        .min(chunks.len().max(1));
    let mut digests = vec![[0u8; 16]; chunks.len()];
    if threads <= 1 {
        for (d, chunk) in digests.iter_mut().zip(&chunks) {
            *d = digest(chunk);
        }
    } else {
        let per = chunks.len().div_ceil(threads);
        let digest = &digest;
        std::thread::scope(|scope| {
            for (ds, cs) in digests.chunks_mut(per).zip(chunks.chunks(per)) {
                scope.spawn(move || {
                    for (d, chunk) in ds.iter_mut().zip(cs) {
                        *d = digest(chunk);
                    }
                });
            }
        });
    }
    digests.concat()
}

impl Store {
    /// `T` read back from the file if it was kept at the database's current state (see
    /// the module documentation), or kept at an earlier one with what the writes since
    /// changed (`delta.rs`), which the caller patches it with; else built through `conn`
    /// and kept for the next open.
    pub(super) fn kept_or_build<T: Derived>(
        &self,
        conn: &Connection,
        input: T::Input<'_>,
    ) -> Result<(T, T::Pending)> {
        let built = |conn| Ok((T::build(conn, input)?, T::Pending::default()));
        let Some((kind, format)) = T::KEPT.filter(|_| T::STAMPED_BY_CHAIN && self.keeps()) else {
            return built(conn);
        };
        let Some(head) = whole_head(conn)? else {
            return built(conn);
        };
        if let Some(value) = self
            .read_kept::<T>(conn, kind, format, &head)
            .filter(|value| value.fits(input))
        {
            return Ok((value, T::Pending::default()));
        }
        if let Some(behind) = self
            .kept_behind::<T>(conn, (kind, format), &head)?
            .filter(|(value, _)| value.fits(input))
        {
            return Ok(behind);
        }
        let value = T::build(conn, input)?;
        if !self.shared.read_only {
            let mut body = Vec::new();
            value.encode(&mut body);
            self.write_kept(kind, format, &head, &pack(&body));
        }
        Ok((value, T::Pending::default()))
    }

    /// `T` kept at an earlier head than `head`, the current one, with what it must be
    /// patched with to stand at `head`: when every write since recorded its changes and
    /// `T` can take them ([`super::delta::since`]).
    fn kept_behind<T: Derived>(
        &self,
        conn: &Connection,
        (kind, format): (&str, u32),
        head: &(i64, String),
    ) -> Result<Option<(T, T::Pending)>> {
        let stamp: Option<(i64, i64, String)> = conn
            .prepare_cached("SELECT format, seq, head FROM kept WHERE kind = ?1")?
            .query_row([kind], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((kept_format, seq, digest)) = stamp else {
            return Ok(None);
        };
        if kept_format != i64::from(format) || seq >= head.0 {
            return Ok(None);
        }
        let mac = self.mac();
        let Some(pending) = super::delta::since::<T>(conn, &mac, (seq, &digest), head)? else {
            return Ok(None);
        };
        Ok(self
            .read_kept::<T>(conn, kind, format, &(seq, digest))
            .map(|value| (value, pending)))
    }

    /// `T` read back from the file if it was kept at the database's current state, or
    /// at an earlier one with what it must be patched with (as [`Store::kept_or_build`]
    /// reads it), whether or not it fits what lays it out (which [`Derived::fits`] checks
    /// where it is taken): so that it can be read beside what it is laid out by.
    pub(super) fn kept<T: Derived>(&self, conn: &Connection) -> Result<Option<(T, T::Pending)>> {
        let Some((kind, format)) = T::KEPT.filter(|_| T::STAMPED_BY_CHAIN && self.keeps()) else {
            return Ok(None);
        };
        let Some(head) = whole_head(conn)? else {
            return Ok(None);
        };
        if let Some(value) = self.read_kept::<T>(conn, kind, format, &head) {
            return Ok(Some((value, T::Pending::default())));
        }
        self.kept_behind::<T>(conn, (kind, format), &head)
    }

    /// Whether this store keeps derived data in its file: not an in-memory one.
    pub(super) fn keeps(&self) -> bool {
        self.shared.path != ":memory:"
    }

    /// The kept `T`, if it is there, stamped `head`, sealed and whole.
    fn read_kept<T: Derived>(
        &self,
        conn: &Connection,
        kind: &str,
        format: u32,
        head: &(i64, String),
    ) -> Option<T> {
        let mut stmt = conn
            .prepare_cached("SELECT format, seq, head, mac, body FROM kept WHERE kind = ?1")
            .ok()?;
        let mut rows = stmt.query([kind]).ok()?;
        let row = rows.next().ok()??;
        let stamp: (i64, i64, &str) = (
            row.get(0).ok()?,
            row.get(1).ok()?,
            row.get_ref(2).ok()?.as_str().ok()?,
        );
        if stamp != (i64::from(format), head.0, head.1.as_str()) {
            return None;
        }
        let mac = row.get_ref(3).ok()?.as_blob().ok()?;
        let body = row.get_ref(4).ok()?.as_blob().ok()?;
        let (sealed, value) = std::thread::scope(|scope| {
            let sealed = scope.spawn(|| seal(self, kind, format, (head.0, &head.1), body) == mac);
            let value = unpack(body).and_then(|body| T::decode(&body));
            let sealed = sealed
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (sealed, value)
        });
        value.filter(|_| sealed)
    }

    /// Keeps `body` as `kind` stamped `head`, through the store's writer if it is free
    /// at once and the chain is still at `head`: derived data is kept when it can be,
    /// never waited for (but for another kind being kept by this store, one after the
    /// other), and a write that fails leaves nothing behind.
    fn write_kept(&self, kind: &str, format: u32, head: &(i64, String), body: &[u8]) {
        let _keeping = super::cache::lock(&self.shared.keeping);
        let Ok(guard) = self.shared.conn.try_lock() else {
            return;
        };
        let Some(conn) = guard.as_ref() else {
            return;
        };
        if !conn.is_autocommit() {
            return;
        }
        let mac = seal(self, kind, format, (head.0, &head.1), body);
        let busy = self.shared.busy_timeout_ms;
        let write = || -> Result<()> {
            conn.execute_batch("BEGIN IMMEDIATE")?;
            if audit::load_head(conn)? != *head {
                return Ok(());
            }
            conn.execute(
                "INSERT INTO kept (kind, format, seq, head, mac, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (kind) DO UPDATE SET format = excluded.format, seq = excluded.seq,
                     head = excluded.head, mac = excluded.mac, body = excluded.body",
                params![kind, format, head.0, head.1, mac, body],
            )?;
            super::delta::prune(conn, head.0)
        };
        if conn.pragma_update(None, "busy_timeout", 0).is_err() {
            return;
        }
        let end = if write().is_ok() {
            "COMMIT"
        } else {
            "ROLLBACK"
        };
        if !conn.is_autocommit() && conn.execute_batch(end).is_err() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        let _ = conn.pragma_update(None, "busy_timeout", busy);
    }
}

#[cfg(test)]
/// Every proper prefix of `body` reads as nothing, and every byte flipped reads as
/// nothing or as some value: never a panic. The whole body reads back as itself.
pub(crate) fn check<T: Derived>(body: &[u8]) {
    let value = T::decode(body).expect("the whole body reads back");
    let mut again = Vec::new();
    value.encode(&mut again);
    assert_eq!(again, body, "read back as written");
    for cut in 0..body.len() {
        assert!(T::decode(&body[..cut]).is_none(), "cut at {cut}");
    }
    let mut flipped = body.to_vec();
    for i in 0..body.len() {
        for bit in [0x01, 0x80, 0xff] {
            flipped[i] ^= bit;
            let _ = T::decode(&flipped);
            flipped[i] ^= bit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chunks_digest_tells_every_change_of_the_body_and_depends_on_the_key() {
        let body: Vec<u8> = (0..2 * CHUNK + 5).map(|i| (i % 251) as u8).collect();
        let keyed = Mac::keyed(&[7; 32]);
        let sealed = chunk_digests(&keyed, &body);
        assert_eq!(sealed.len(), 3 * 16, "a digest a chunk");
        assert_eq!(
            sealed,
            chunk_digests(&keyed, &body),
            "the same body, the same digest"
        );
        // One bit flipped in any chunk, at its start, middle or end.
        for at in [0, CHUNK / 2, CHUNK - 1, CHUNK, 2 * CHUNK + 4] {
            let mut changed = body.clone();
            changed[at] ^= 1;
            assert_ne!(chunk_digests(&keyed, &changed), sealed, "bit at {at}");
        }
        // Zero bytes added or cut at the end: the padding is told apart by the length.
        let mut longer = body.clone();
        longer.push(0);
        assert_ne!(chunk_digests(&keyed, &longer), sealed);
        let short: &[u8] = &[1, 2, 3];
        assert_ne!(
            chunk_digests(&keyed, short),
            chunk_digests(&keyed, &[1, 2, 3, 0])
        );
        // Another key, or none, hashes under another GHASH key.
        assert_ne!(chunk_digests(&Mac::keyed(&[8; 32]), &body), sealed);
        assert_ne!(chunk_digests(&Mac::Sm3, &body), sealed);
    }
}
