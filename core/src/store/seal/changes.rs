//! The rows a write changed, as the hook collects them: one entry a change, their keys
//! end to end in one buffer (a bulk load changes millions of rows, and a key of its own
//! each cost more in allocating and freeing than in digesting), and the images of the
//! rows to digest.
//!
//! A row's image is the bytes its digest is computed over ([`super::head`],
//! [`super::feed`]). Images are gathered in chunks; once a write has filled one, a
//! thread of its own digests the chunks while the write goes on, so on a machine of two
//! cores or more the digests of a bulk load cost it little more than copying the rows.
//! A small write digests its few images when it commits.

use std::ops::Range;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::Digest;
use crate::error::{Error, Result};
use crate::store::audit::Mac;

/// Which image, of the write's, a digest is of: its number in the order images were
/// taken (numbers are not reused when a savepoint is rolled back).
pub(crate) type Image = u32;

/// One row a write changed: the image of its digest before the write (None: it did not
/// exist, or it was changed earlier in the write, whose first change holds what it was)
/// and after it (None: it no longer exists).
#[derive(Debug)]
pub(crate) struct Change {
    pub(crate) table: u32,
    key: Range<usize>,
    pub(crate) before: Option<Image>,
    pub(crate) after: Option<Image>,
}

/// How many bytes of images a chunk holds before it is handed to the digesting thread.
const CHUNK: usize = 4 << 20;

/// Images waiting to be digested: the bytes end to end, and where each one ends.
#[derive(Debug, Default)]
struct Chunk {
    first: Image,
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl Chunk {
    /// The digests of the chunk's images, in order.
    fn digest(&self, mac: &Mac) -> Vec<Digest> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let mut h = mac.start();
                h.update(&self.bytes[start..end]);
                start = end;
                h.finish()
            })
            .collect()
    }
}

/// The thread digesting a write's full chunks, started with its first. It hands each
/// chunk's buffers back once digested, to be filled again: a bulk load fills hundreds,
/// and fresh ones cost their growth and the memory's first touch every time.
#[derive(Debug)]
struct Digester {
    chunks: SyncSender<Chunk>,
    spare: Receiver<Chunk>,
    done: JoinHandle<Vec<(Image, Vec<Digest>)>>,
}

impl Digester {
    fn start(mac: Mac) -> Option<Digester> {
        let (chunks, receive): (SyncSender<Chunk>, Receiver<Chunk>) = sync_channel(2);
        let (give_back, spare) = sync_channel(4);
        let done = std::thread::Builder::new()
            .name("wangge-seal".into())
            .spawn(move || {
                receive
                    .iter()
                    .map(|mut chunk| {
                        let digests = (chunk.first, chunk.digest(&mac));
                        chunk.bytes.clear();
                        chunk.ends.clear();
                        let _ = give_back.try_send(chunk);
                        digests
                    })
                    .collect()
            })
            .ok()?;
        Some(Digester {
            chunks,
            spare,
            done,
        })
    }
}

/// The changes of one write, in the order they happened.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    keys: Vec<u8>,
    list: Vec<Change>,
    /// The images taken so far.
    images: Image,
    /// The chunk being filled.
    chunk: Chunk,
    /// Chunks digested here, for want of a thread.
    digested: Vec<(Image, Vec<Digest>)>,
    digester: Option<Digester>,
}

impl Changes {
    /// Takes the image of a row, written by `write` ([`super::head`], [`super::feed`]),
    /// to be digested under `mac`.
    pub(crate) fn image(&mut self, mac: &Mac, write: impl FnOnce(&mut Vec<u8>)) -> Image {
        if self.chunk.ends.is_empty() {
            self.chunk.first = self.images;
        }
        write(&mut self.chunk.bytes);
        self.chunk.ends.push(self.chunk.bytes.len());
        let image = self.images;
        self.images += 1;
        if self.chunk.bytes.len() >= CHUNK {
            if self.digester.is_none() {
                self.digester = Digester::start(mac.clone());
            }
            // The next chunk in buffers already grown: one handed back, or new ones
            // sized for a whole chunk.
            let next = self
                .digester
                .as_ref()
                .and_then(|d| d.spare.try_recv().ok())
                .unwrap_or_else(|| Chunk {
                    first: 0,
                    bytes: Vec::with_capacity(CHUNK + CHUNK / 16),
                    ends: Vec::with_capacity(self.chunk.ends.len() + 64),
                });
            let full = std::mem::replace(&mut self.chunk, next);
            let full = match &self.digester {
                Some(d) => d.chunks.send(full).err().map(|e| e.0),
                None => Some(full),
            };
            // Without a thread (none could start, or it stopped): digested here.
            if let Some(full) = full {
                self.digested.push((full.first, full.digest(mac)));
            }
        }
        image
    }

    /// The digests of every image taken, by image number: the last chunk is digested
    /// here while the thread finishes the others.
    pub(crate) fn digests(&mut self, mac: &Mac) -> Result<Vec<Digest>> {
        let last = std::mem::take(&mut self.chunk);
        let mut done = std::mem::take(&mut self.digested);
        done.push((last.first, last.digest(mac)));
        if let Some(d) = self.digester.take() {
            drop(d.chunks);
            let theirs = d
                .done
                .join()
                .map_err(|_| Error::Storage("the row seals could not be computed".into()))?;
            done.extend(theirs);
        }
        let mut all = vec![[0; 32]; self.images as usize];
        for (first, digests) in done {
            let first = first as usize;
            all[first..first + digests.len()].copy_from_slice(&digests);
        }
        Ok(all)
    }

    /// Records a change of the row of `table` keyed `key`.
    pub(crate) fn push(
        &mut self,
        table: u32,
        key: &[u8],
        before: Option<Image>,
        after: Option<Image>,
    ) {
        let start = self.keys.len();
        self.keys.extend_from_slice(key);
        self.list.push(Change {
            table,
            key: start..self.keys.len(),
            before,
            after,
        });
    }

    /// How many changes there are.
    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Forgets every change, and the images taken (a thread still digesting some is left
    /// to finish them and end).
    pub(crate) fn clear(&mut self) {
        *self = Changes::default();
    }

    /// Forgets the changes after the first `len` (their images are digested all the
    /// same, and not used).
    pub(crate) fn truncate(&mut self, len: usize) {
        self.list.truncate(len);
        let end = self.list.last().map_or(0, |c| c.key.end);
        self.keys.truncate(end);
    }

    /// Change `i`.
    pub(crate) fn get(&self, i: usize) -> &Change {
        &self.list[i]
    }

    /// The key of `change`.
    pub(crate) fn key(&self, change: &Change) -> &[u8] {
        &self.keys[change.key.clone()]
    }

    /// The changes' positions ordered by row, table then key, each row's changes in the
    /// order they happened. Each table's keys are sorted only when they are not in order
    /// already, as a bulk load's new rows are.
    pub(crate) fn by_row(&self) -> Vec<usize> {
        let tables = self
            .list
            .iter()
            .map(|c| c.table as usize + 1)
            .max()
            .unwrap_or(0);
        let mut starts = vec![0usize; tables + 1];
        for c in &self.list {
            starts[c.table as usize + 1] += 1;
        }
        for t in 0..tables {
            starts[t + 1] += starts[t];
        }
        let mut order = vec![0usize; self.list.len()];
        let mut next = starts.clone();
        for (i, c) in self.list.iter().enumerate() {
            order[next[c.table as usize]] = i;
            next[c.table as usize] += 1;
        }
        for t in 0..tables {
            let run = &mut order[starts[t]..starts[t + 1]];
            let key = |i: &usize| &self.keys[self.list[*i].key.clone()];
            if !run.is_sorted_by(|a, b| key(a) <= key(b)) {
                run.sort_by(|a, b| key(a).cmp(key(b)));
            }
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_ordered_by_table_and_key_each_rows_changes_as_they_happened() {
        let mut c = Changes::default();
        let d = Some;
        c.push(1, b"b", None, d(1));
        c.push(0, b"z", None, d(2));
        c.push(1, b"a", None, d(3));
        c.push(1, b"b", d(1), d(4));
        c.push(0, b"y", None, d(5));
        let order = c.by_row();
        let seen: Vec<(u32, &[u8], Option<Image>)> = order
            .iter()
            .map(|&i| (c.get(i).table, c.key(c.get(i)), c.get(i).after))
            .collect();
        assert_eq!(
            seen,
            vec![
                (0, &b"y"[..], d(5)),
                (0, &b"z"[..], d(2)),
                (1, &b"a"[..], d(3)),
                (1, &b"b"[..], d(1)),
                (1, &b"b"[..], d(4)),
            ]
        );
        c.truncate(2);
        assert_eq!(c.len(), 2);
        assert_eq!(c.key(c.get(1)), b"z");
        c.push(2, b"x", None, None);
        assert_eq!(c.key(c.get(2)), b"x");
        c.clear();
        assert!(c.is_empty() && c.by_row().is_empty());
    }

    #[test]
    fn images_are_digested_as_written_whether_here_or_on_the_thread() {
        for mac in [Mac::Sm3, Mac::keyed(&[7; 32])] {
            let mut c = Changes::default();
            // Enough to fill a few chunks, so the thread digests some and hands their
            // buffers back, to be filled again.
            let rows: Vec<Vec<u8>> = (0..80_000u32)
                .map(|i| i.to_le_bytes().repeat(1 + (i % 64) as usize))
                .collect();
            let images: Vec<Image> = rows
                .iter()
                .map(|r| c.image(&mac, |b| b.extend_from_slice(r)))
                .collect();
            assert!(c.digester.is_some(), "a thread took the full chunks");
            let digests = c.digests(&mac).unwrap();
            assert_eq!(digests.len(), rows.len());
            for (row, image) in rows.iter().zip(images) {
                let mut h = mac.start();
                h.update(row);
                assert_eq!(digests[image as usize], h.finish());
            }
        }
    }

    #[test]
    fn a_keyed_digest_is_hmac_sm3_computed_afresh_each_time() {
        use sm3::{Digest as _, Sm3};
        // HMAC (RFC 2104) over SM3 by hand: a 64-byte block, the key zero-padded in it.
        let hmac = |key: &[u8; 32], message: &[u8]| -> [u8; 32] {
            let pad = |byte: u8| {
                let mut block = [byte; 64];
                for (b, k) in block.iter_mut().zip(key) {
                    *b ^= k;
                }
                block
            };
            let inner = Sm3::new().chain_update(pad(0x36)).chain_update(message);
            let inner = inner.finalize();
            Sm3::new()
                .chain_update(pad(0x5c))
                .chain_update(inner)
                .finalize()
                .into()
        };
        let key = [0xa5; 32];
        let mac = Mac::keyed(&key);
        for message in [&b""[..], b"abc", &[7; 200]] {
            let mut h = mac.start();
            h.update(message);
            assert_eq!(h.finish(), hmac(&key, message), "{} bytes", message.len());
        }
        // One computation leaves nothing in the next.
        let mut first = mac.start();
        first.update(b"abc");
        let _ = first.finish();
        let mut again = mac.start();
        again.update(b"abc");
        assert_eq!(again.finish(), hmac(&key, b"abc"));
        assert_ne!(hmac(&[0x5a; 32], b"abc"), hmac(&key, b"abc"));
    }
}
