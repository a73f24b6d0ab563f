//! The compact form of derived data kept in the file ([`super::kept`]) and of the changes
//! writes record ([`super::delta`]): an [`Encoder`] writes numbers, runs and strings, a
//! [`Decoder`] reads them back trusting no byte, and [`pack`]/[`unpack`] compress the
//! whole with LZ4 (`lz4_flex`) when that saves enough.

use std::borrow::Cow;

/// The bit of [`pack`]'s length that marks a body kept as it is: no LZ4 block reaches a
/// length that high (at most 255 bytes a byte), so a packed length never has it.
const RAW: u64 = 1 << 63;

/// `body` compressed, after its length (eight little-endian bytes); or, when LZ4 would
/// save less than a quarter of it, `body` itself after its length marked [`RAW`]. A
/// ledger's columns are mostly event marks already packed bit by bit, which LZ4 shrinks
/// by a fifth and takes as long to uncompress as to read them twice over.
pub(crate) fn pack(body: &[u8]) -> Vec<u8> {
    let packed = lz4_flex::block::compress(body);
    let raw = packed.len() > body.len() / 4 * 3;
    let kept: &[u8] = if raw { body } else { &packed };
    let mut out = Vec::with_capacity(8 + kept.len());
    let len = body.len() as u64 | if raw { RAW } else { 0 };
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(kept);
    out
}

/// What [`pack`] packed, borrowed when it was kept as it is, or `None`: a length LZ4
/// cannot reach from what follows it (at most 255 bytes a byte), so a hand-made length
/// never sizes a large allocation, a body kept as it is of another length than marked, or
/// data that does not uncompress to exactly that length.
pub(crate) fn unpack(stored: &[u8]) -> Option<Cow<'_, [u8]>> {
    let (len, packed) = stored.split_first_chunk::<8>()?;
    let len = u64::from_le_bytes(*len);
    if len & RAW != 0 {
        return (len & !RAW == packed.len() as u64).then_some(Cow::Borrowed(packed));
    }
    let len = usize::try_from(len).ok()?;
    if len > packed.len().checked_mul(255)?.checked_add(16)? {
        return None;
    }
    let mut body = vec![0; len];
    (lz4_flex::block::decompress_into(packed, &mut body).ok()? == len).then_some(Cow::Owned(body))
}

/// Writes derived data compactly: `u32`s in four little-endian bytes, `i64`s in as few
/// bytes as they need, runs and strings length first.
#[derive(Debug)]
pub(crate) struct Encoder<'a>(pub(crate) &'a mut Vec<u8>);

impl Encoder<'_> {
    /// A `u32`.
    pub(crate) fn u32(&mut self, x: u32) {
        self.0.extend_from_slice(&x.to_le_bytes());
    }

    /// A byte.
    pub(crate) fn u8(&mut self, x: u8) {
        self.0.push(x);
    }

    /// An `i64`, in as few bytes as it needs (zigzag, then 7 bits a byte): day numbers
    /// take three.
    pub(crate) fn i64(&mut self, x: i64) {
        let mut v = ((x << 1) ^ (x >> 63)).cast_unsigned();
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    /// A length (as a `u32`; derived data never holds 4 billion items of anything).
    pub(crate) fn len(&mut self, n: usize) {
        self.u32(u32::try_from(n).unwrap_or(u32::MAX));
    }

    /// Bytes as they are, their length written elsewhere.
    pub(crate) fn raw(&mut self, b: &[u8]) {
        self.0.extend_from_slice(b);
    }

    /// Bytes, length first.
    pub(crate) fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }

    /// Strings, count first.
    pub(crate) fn strings<S: AsRef<str>>(&mut self, items: &[S]) {
        self.len(items.len());
        for s in items {
            self.bytes(s.as_ref().as_bytes());
        }
    }

    /// `u32`s, count first.
    pub(crate) fn u32s(&mut self, items: &[u32]) {
        self.len(items.len());
        for &x in items {
            self.u32(x);
        }
    }

    /// `i64`s, count first.
    pub(crate) fn i64s(&mut self, items: &[i64]) {
        self.len(items.len());
        for &x in items {
            self.i64(x);
        }
    }
}

/// Reads what an [`Encoder`] wrote; every read is `None` once the bytes run out or do
/// not hold what is asked, so that a malformed blob is ignored rather than trusted.
#[derive(Debug)]
pub(crate) struct Decoder<'a>(pub(crate) &'a [u8]);

impl<'a> Decoder<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn array<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.take(N)?.try_into().ok()
    }

    /// A `u32`.
    pub(crate) fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.array()?))
    }

    /// A byte.
    pub(crate) fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    /// An `i64` as [`Encoder::i64`] wrote it; `None` for more than ten bytes or bits
    /// beyond 64.
    // Inlined into every loop that reads numbers: a call each cost a third of reading a
    // county's snapshot back.
    #[allow(clippy::inline_always)]
    #[inline(always)]
    pub(crate) fn i64(&mut self) -> Option<i64> {
        // Counts and day numbers (the last day, `FOREVER`, included), most of what derived
        // data holds, take one to four bytes.
        let zigzag = |v: u64| (v >> 1).cast_signed() ^ -((v & 1).cast_signed());
        match *self.0 {
            [b0, ref rest @ ..] if b0 < 0x80 => {
                self.0 = rest;
                Some(zigzag(u64::from(b0)))
            }
            [b0, b1, ref rest @ ..] if b1 < 0x80 => {
                self.0 = rest;
                Some(zigzag(u64::from(b0 & 0x7f) | u64::from(b1) << 7))
            }
            [b0, b1, b2, ref rest @ ..] if b2 < 0x80 => {
                self.0 = rest;
                Some(zigzag(
                    u64::from(b0 & 0x7f) | u64::from(b1 & 0x7f) << 7 | u64::from(b2) << 14,
                ))
            }
            [b0, b1, b2, b3, ref rest @ ..] if b3 < 0x80 => {
                self.0 = rest;
                Some(zigzag(
                    u64::from(b0 & 0x7f)
                        | u64::from(b1 & 0x7f) << 7
                        | u64::from(b2 & 0x7f) << 14
                        | u64::from(b3) << 21,
                ))
            }
            _ => self.i64_long(),
        }
    }

    /// [`Decoder::i64`] of a number of any length.
    #[cold]
    fn i64_long(&mut self) -> Option<i64> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = self.0.split_first()?;
            self.0 = rest;
            let bits = u64::from(b & 0x7f);
            if shift == 63 && bits > 1 {
                return None;
            }
            v |= bits << shift;
            if b & 0x80 == 0 {
                return Some((v >> 1).cast_signed() ^ -((v & 1).cast_signed()));
            }
        }
        None
    }

    /// A count of items of at least `size` bytes each, refused when the bytes left
    /// cannot hold that many (no allocation is made for a count the blob cannot back).
    pub(crate) fn count(&mut self, size: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(size.max(1))? <= self.0.len()).then_some(n)
    }

    /// `n` bytes as they are.
    pub(crate) fn raw(&mut self, n: usize) -> Option<&'a [u8]> {
        self.take(n)
    }

    /// Bytes, length first.
    pub(crate) fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.count(1)?;
        self.take(n)
    }

    /// A string, length first.
    pub(crate) fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }

    /// Strings, count first.
    pub(crate) fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.count(4)?;
        self.each(n, |d| d.str().map(str::to_owned))
    }

    /// `u32`s, count first.
    pub(crate) fn u32s(&mut self) -> Option<Vec<u32>> {
        let n = self.count(4)?;
        let raw = self.take(n * 4)?;
        Some(
            raw.chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        )
    }

    /// `i64`s, count first.
    pub(crate) fn i64s(&mut self) -> Option<Vec<i64>> {
        let n = self.count(1)?;
        self.each(n, Decoder::i64)
    }

    /// `n` items read by `item`, in a vector sized once: collecting into an `Option`
    /// cannot know the length, and a growing vector copies itself at each doubling.
    pub(crate) fn each<T>(
        &mut self,
        n: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        // Read through a copy, which stays in registers, rather than through `self`.
        let mut d = Decoder(self.0);
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(item(&mut d)?);
        }
        self.0 = d.0;
        Some(items)
    }

    /// How many bytes are left to read.
    pub(crate) fn remaining(&self) -> usize {
        self.0.len()
    }

    /// Whether every byte was read: a blob with bytes left over is not what was written.
    pub(crate) fn done(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_packed_body_unpacks_as_itself_and_a_cut_or_flipped_one_never_crashes() {
        let body: Vec<u8> = (0..5000u32).flat_map(|i| (i % 97).to_le_bytes()).collect();
        let packed = pack(&body);
        assert!(packed.len() < body.len() / 2, "{} bytes", packed.len());
        assert_eq!(unpack(&packed).as_deref(), Some(&body[..]));
        assert_eq!(unpack(&pack(&[])).as_deref(), Some(&[][..]));
        // A body LZ4 hardly shrinks is kept as it is, and read back without a copy.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let noise: Vec<u8> = (0..5000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let kept = pack(&noise);
        assert_eq!(kept.len(), 8 + noise.len());
        assert!(matches!(unpack(&kept), Some(Cow::Borrowed(b)) if b == &noise[..]));
        for cut in 0..kept.len() {
            assert!(unpack(&kept[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = kept.clone();
        longer.push(0);
        assert!(unpack(&longer).is_none(), "a byte more than marked");
        for cut in 0..packed.len() {
            assert!(unpack(&packed[..cut]).is_none(), "cut at {cut}");
        }
        let mut flipped = packed.clone();
        for i in 0..flipped.len() {
            for bit in [0x01, 0x80, 0xff] {
                flipped[i] ^= bit;
                let _ = unpack(&flipped);
                flipped[i] ^= bit;
            }
        }
        // A length far beyond what the data could hold is refused before any allocation.
        let mut huge = packed.clone();
        huge[..8].copy_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(unpack(&huge).is_none());
    }

    #[test]
    fn numbers_read_back_as_written_in_as_few_bytes_as_they_need() {
        let numbers = [
            0,
            1,
            -1,
            63,
            -64,
            64,
            739_000,
            3_652_059,
            i64::MAX,
            i64::MIN,
        ];
        let mut body = Vec::new();
        let mut e = Encoder(&mut body);
        e.i64s(&numbers);
        e.u8(7);
        assert_eq!(body.len(), 4 + 1 + 1 + 1 + 1 + 1 + 2 + 3 + 4 + 10 + 10 + 1);
        let mut d = Decoder(&body);
        assert_eq!(d.i64s().unwrap(), numbers);
        assert_eq!(d.u8(), Some(7));
        assert!(d.done());
        // Each length read on its own, at the edges where one more byte is needed.
        for (x, len) in [
            (-64, 1),
            (64, 2),
            (8191, 2),
            (8192, 3),
            (1_048_575, 3),
            (-1_048_577, 4),
            (3_652_059, 4),
            (134_217_727, 4),
            (134_217_728, 5),
            (-134_217_729, 5),
        ] {
            let mut body = Vec::new();
            Encoder(&mut body).i64(x);
            assert_eq!(body.len(), len, "{x}");
            body.push(0x2a);
            let mut d = Decoder(&body);
            assert_eq!(d.i64(), Some(x));
            assert_eq!(d.u8(), Some(0x2a), "{x}: read to its end");
            for cut in 0..len {
                assert_eq!(Decoder(&body[..cut]).i64(), None, "{x} cut at {cut}");
            }
        }
        // Eleven bytes, or a tenth byte with bits beyond 64, are no number.
        assert_eq!(Decoder(&[0xff; 11]).i64(), None);
        let mut wide = vec![0xff; 9];
        wide.push(0x02);
        assert_eq!(Decoder(&wide).i64(), None);
    }
}
