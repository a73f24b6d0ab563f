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

    /// Writes them for keeping: the whole text, then each text's length in as few bytes as
    /// it needs.
    pub(crate) fn encode(&self, e: &mut Encoder<'_>) {
        e.bytes(self.text.as_bytes());
        e.len(self.ends.len());
        let mut from = 0;
        for &end in &self.ends {
            e.i64((end - from) as i64);
            from = end;
        }
    }

    /// Reads back what [`Texts::encode`] wrote: `None` unless the text is UTF-8, every
    /// text ends on a character's boundary and together they are the whole text.
    pub(crate) fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        let text = d.str()?.to_owned();
        let n = d.count(1)?;
        let mut ends = Vec::with_capacity(n);
        let mut end = 0usize;
        for _ in 0..n {
            end = end.checked_add(usize::try_from(d.i64()?).ok()?)?;
            if !text.is_char_boundary(end) {
                return None;
            }
            ends.push(end);
        }
        (end == text.len()).then_some(Texts { text, ends })
    }
}

/// Texts read back from the file packed, and unpacked only when one is first asked for:
/// a county's household addresses are a quarter of its snapshot, which reports never
/// show, so the first report does not unpack or read them.
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
        let mut body = Vec::new();
        let mut e = Encoder(&mut body);
        e.bytes("幸福".as_bytes());
        e.len(2);
        e.i64(1);
        e.i64(5);
        assert!(Texts::decode(&mut Decoder(&body)).is_none(), "inside 幸");
        let mut body = Vec::new();
        let mut e = Encoder(&mut body);
        e.bytes(b"H1H2");
        e.len(1);
        e.i64(2);
        assert!(Texts::decode(&mut Decoder(&body)).is_none(), "H2 left over");
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
