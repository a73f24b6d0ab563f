//! Many short texts held in one string.

use std::sync::OnceLock;

use crate::store::{Decoder, Encoder, pack, unpack};

/// Texts one after another in one string, each found by where it ends: a county's
/// household ids and addresses are a million texts each, which as separate strings are a
/// million allocations to make when the snapshot is read back from the file, and to free.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    text: String,
    /// Where each text ends in `text`; text `i` starts where `i - 1` ends (0 for the first).
    ends: Vec<usize>,
}

impl Texts {
    /// Adds `s` after the others.
    pub(crate) fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len());
    }

    /// How many texts it holds.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Text `i`.
    pub(crate) fn get(&self, i: usize) -> &str {
        let from = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[from..self.ends[i]]
    }

    /// Whether each text comes after the one before it, so no two are the same.
    pub(crate) fn strictly_ascending(&self) -> bool {
        (1..self.len()).all(|i| self.get(i - 1) < self.get(i))
    }

    /// How many texts, from the first, `pred` holds for: the texts must be partitioned
    /// by it, as [`slice::partition_point`] requires.
    pub(crate) fn partition_point(&self, pred: impl Fn(&str) -> bool) -> usize {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            if pred(self.get(mid)) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        low
    }

    /// A hash of the texts in order, the same for the same texts in any process.
    pub(crate) fn fingerprint(&self) -> u64 {
        use std::hash::BuildHasher;
        foldhash::fast::FixedState::with_seed(0x5747_4745).hash_one((&self.text, &self.ends))
    }

    /// Writes them for keeping: how many bytes they hold and how many they are, then each
    /// text as the bytes it shares with the one before it (a count) and the rest (its
    /// length, then its bytes). Household ids are codes that mostly share all but their
    /// last few characters with the id before them: a county's take a sixth of the bytes
    /// (1.6 MB rather than 10.1).
    pub(crate) fn encode(&self, e: &mut Encoder<'_>) {
        e.len(self.text.len());
        e.len(self.ends.len());
        let mut before: &[u8] = &[];
        for i in 0..self.len() {
            let text = self.get(i).as_bytes();
            let shared = before.iter().zip(text).take_while(|(a, b)| a == b).count();
            e.i64(shared as i64);
            e.i64((text.len() - shared) as i64);
            e.raw(&text[shared..]);
            before = text;
        }
    }

    /// Reads back what [`Texts::encode`] wrote: `None` unless every text shares no more
    /// than the one before it holds, they add up to the bytes said, the whole is UTF-8
    /// and every text ends on a character's boundary. Texts of more than [`SHARED_MAX`]
    /// times the bytes left to read are refused before anything is made of them.
    pub(crate) fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        Texts::decode_ordered(d).map(|(texts, _)| texts)
    }

    /// [`Texts::decode`], and whether each text comes after the one before it
    /// ([`Texts::strictly_ascending`]), told on the way from the bytes after those it
    /// shares with the one before.
    pub(crate) fn decode_ordered(d: &mut Decoder<'_>) -> Option<(Self, bool)> {
        let size = d.u32()? as usize;
        let n = d.count(2)?;
        if size > d.remaining().saturating_mul(SHARED_MAX) {
            return None;
        }
        // Sized for what ids usually are, not for what a hand-made size says.
        let mut text: Vec<u8> = Vec::with_capacity(size.min(d.remaining().saturating_mul(8)));
        let mut ends = Vec::with_capacity(n);
        let mut before = 0..0;
        let mut ascending = true;
        for i in 0..n {
            let shared = usize::try_from(d.i64()?).ok()?;
            let rest = usize::try_from(d.i64()?).ok()?;
            if shared > before.len() || shared.checked_add(rest)? > size - text.len() {
                return None;
            }
            let start = text.len();
            text.extend_from_within(before.start..before.start + shared);
            text.extend_from_slice(d.raw(rest)?);
            // The shared bytes are the same, so what follows them decides: mostly its
            // first byte.
            if i > 0 && ascending {
                let (this, last) = (&text[start + shared..], &text[before.start + shared..start]);
                ascending = match (this.first(), last.first()) {
                    (Some(a), Some(b)) if a != b => a > b,
                    (_, None) => !this.is_empty(),
                    _ => this > last,
                };
            }
            before = start..text.len();
            ends.push(text.len());
        }
        let text = String::from_utf8(text).ok()?;
        (text.len() == size && ends.iter().all(|&end| text.is_char_boundary(end)))
            .then_some((Texts { text, ends }, ascending))
    }
}

/// How many times more bytes texts may hold than the bytes they are written in: a
/// household id shares all but a few of its characters with the one before it, which
/// comes to far less than this.
const SHARED_MAX: usize = 64;

/// Texts read back from the file packed, and unpacked only when one is first asked for:
/// a county's household addresses (13 of the 46 MB its snapshot once took) are what
/// reports never show, so the first report does not unpack or read them.
#[derive(Debug)]
pub(crate) struct LazyTexts {
    /// How many texts there are, as the file says (checked when they are unpacked).
    len: usize,
    /// The texts as [`Texts::encode`] wrote them, packed; empty when made from texts at
    /// hand ([`LazyTexts::ready`]).
    packed: Vec<u8>,
    /// The texts, once unpacked (`None` if they did not read back whole).
    texts: OnceLock<Option<Texts>>,
}

impl LazyTexts {
    /// Texts already at hand.
    pub(crate) fn ready(texts: Texts) -> Self {
        LazyTexts {
            len: texts.len(),
            packed: Vec::new(),
            texts: OnceLock::from(Some(texts)),
        }
    }

    /// How many texts it holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The texts, unpacked now if they are not yet; `None` when what the file held does
    /// not read back as that many texts.
    fn texts(&self) -> Option<&Texts> {
        self.texts
            .get_or_init(|| {
                let body = unpack(&self.packed)?;
                let mut d = Decoder(&body);
                let texts = Texts::decode(&mut d)?;
                (d.done() && texts.len() == self.len).then_some(texts)
            })
            .as_ref()
    }

    /// Text `i` (below [`LazyTexts::len`]); `None` when the texts do not read back.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.texts().map(|t| t.get(i))
    }

    /// Writes them for keeping: how many, then the texts packed.
    pub(crate) fn encode(&self, e: &mut Encoder<'_>) {
        e.len(self.len);
        match self.texts.get() {
            Some(Some(texts)) => {
                let mut body = Vec::new();
                texts.encode(&mut Encoder(&mut body));
                e.bytes(&pack(&body));
            }
            _ => e.bytes(&self.packed),
        }
    }

    /// Reads back what [`LazyTexts::encode`] wrote, still packed.
    pub(crate) fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        let len = d.u32()? as usize;
        Some(LazyTexts {
            len,
            packed: d.bytes()?.to_vec(),
            texts: OnceLock::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(items: &[&str]) -> Texts {
        let mut t = Texts::default();
        for s in items {
            t.push(s);
        }
        t
    }

    #[test]
    fn texts_read_back_as_written_empty_ones_and_chinese_included() {
        let t = texts(&["H1", "", "幸福里3号", "H10"]);
        let mut body = Vec::new();
        t.encode(&mut Encoder(&mut body));
        let back = Texts::decode(&mut Decoder(&body)).expect("whole");
        let got: Vec<&str> = (0..back.len()).map(|i| back.get(i)).collect();
        assert_eq!(got, ["H1", "", "幸福里3号", "H10"]);
        assert_eq!(back.fingerprint(), t.fingerprint());
        assert_ne!(
            texts(&["H1", "H10"]).fingerprint(),
            texts(&["H11", "0"]).fingerprint()
        );
    }

    #[test]
    fn an_end_inside_a_character_or_short_of_the_text_reads_as_nothing() {
        // The whole size and the count, then each text's shared count, (rest, bytes).
        let written = |size: u32, texts: &[(i64, &[u8])], shared: &[i64]| {
            let mut body = Vec::new();
            let mut e = Encoder(&mut body);
            e.u32(size);
            e.len(texts.len());
            for (&(rest, bytes), &shared) in texts.iter().zip(shared) {
                e.i64(shared);
                e.i64(rest);
                e.raw(bytes);
            }
            body
        };
        let read = |body: &[u8]| Texts::decode(&mut Decoder(body)).map(|t| t.len());
        let fu = "幸福".as_bytes();
        assert_eq!(
            read(&written(6, &[(3, &fu[..3]), (3, &fu[3..])], &[0, 0])),
            Some(2)
        );
        // 幸 cut after its first byte.
        assert_eq!(
            read(&written(6, &[(1, &fu[..1]), (5, &fu[1..])], &[0, 0])),
            None
        );
        // Sharing more than the text before holds, or before any text.
        assert_eq!(read(&written(4, &[(2, b"H1"), (0, b"")], &[0, 3])), None);
        assert_eq!(read(&written(2, &[(1, b"1")], &[1])), None);
        // Shared bytes are copied: H1 then H12.
        let body = written(5, &[(2, b"H1"), (1, b"2")], &[0, 2]);
        let back = Texts::decode(&mut Decoder(&body)).expect("whole");
        assert_eq!((back.get(0), back.get(1)), ("H1", "H12"));
        // Fewer or more bytes than said.
        assert_eq!(read(&written(6, &[(2, b"H1"), (1, b"2")], &[0, 2])), None);
        assert_eq!(read(&written(4, &[(2, b"H1"), (1, b"2")], &[0, 2])), None);
        // A size far beyond what the bytes could spell out is refused before allocating.
        assert_eq!(read(&written(u32::MAX, &[(2, b"H1")], &[0])), None);
    }

    #[test]
    fn lazy_texts_unpack_when_first_asked_for_and_keep_as_they_were_read() {
        let t = texts(&["幸福里3号", "", "H10"]);
        let lazy = LazyTexts::ready(t);
        let mut body = Vec::new();
        lazy.encode(&mut Encoder(&mut body));
        let back = LazyTexts::decode(&mut Decoder(&body)).expect("whole");
        assert_eq!(back.len(), 3);
        assert!(back.texts.get().is_none(), "still packed");
        // Kept again as read, without unpacking.
        let mut again = Vec::new();
        back.encode(&mut Encoder(&mut again));
        assert_eq!(again, body);
        assert_eq!(back.get(0), Some("幸福里3号"));
        assert_eq!(back.get(2), Some("H10"));
        // Packed texts cut short, or fewer than the count says, read as none.
        let cut = LazyTexts {
            len: 3,
            packed: back.packed[..back.packed.len() - 1].to_vec(),
            texts: OnceLock::new(),
        };
        assert_eq!(cut.get(0), None);
        let miscounted = LazyTexts {
            len: 4,
            packed: back.packed.clone(),
            texts: OnceLock::new(),
        };
        assert_eq!(miscounted.get(0), None);
    }

    #[test]
    fn the_order_told_while_reading_is_the_texts_order() {
        for items in [
            &["H1", "H2", "H3"][..],
            &["H1", "H1"],
            &["H2", "H1"],
            &["H1", "H10", "H2"],
            &["H10", "H1"],
            &["幸福里", "幸福里3号", "幸福路"],
            &["幸福路", "幸福里"],
            &["", "a"],
            &["a", ""],
            &[""],
            &[],
        ] {
            let t = texts(items);
            let mut body = Vec::new();
            t.encode(&mut Encoder(&mut body));
            let (back, ascending) = Texts::decode_ordered(&mut Decoder(&body)).expect("whole");
            assert_eq!(ascending, t.strictly_ascending(), "{items:?}");
            assert_eq!(back.len(), items.len());
        }
        // Shared bytes said short of what the texts share: H12 after H1 sharing one byte.
        let mut body = Vec::new();
        let e = &mut Encoder(&mut body);
        e.u32(5);
        e.len(2);
        for (shared, rest) in [(0, "H1"), (1, "12")] {
            e.i64(shared);
            e.i64(rest.len() as i64);
            e.raw(rest.as_bytes());
        }
        let (back, ascending) = Texts::decode_ordered(&mut Decoder(&body)).expect("whole");
        assert_eq!((back.get(1), ascending), ("H12", true));
    }

    #[test]
    fn partition_point_and_order_follow_the_texts() {
        let t = texts(&["H1", "H2", "H3"]);
        assert!(t.strictly_ascending());
        assert_eq!(t.partition_point(|x| x < "H2"), 1);
        assert_eq!(t.partition_point(|x| x <= "H2"), 2);
        assert_eq!(t.partition_point(|x| x < "H0"), 0);
        assert_eq!(t.partition_point(|x| x < "H9"), 3);
        assert!(!texts(&["H1", "H1"]).strictly_ascending());
        assert!(!texts(&["H2", "H1"]).strictly_ascending());
    }
}
