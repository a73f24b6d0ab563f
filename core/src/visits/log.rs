//! Every household's contacts, held in memory for due lists and compliance at county
//! scale.
//!
//! A county's due list asks, for each of up to a million households, whether a qualifying
//! contact fell in a period and when the last one was; one SQL look-up per household and
//! rule costs seconds. The log reads the visit table once into per-household arrays sorted
//! by day; visits recorded through this store afterwards are added to it, and a write
//! through another connection makes the store build it again (see `Store::visit_log`).

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

use super::Channel;
use crate::error::Result;
use crate::snapshot::{Grouped, Held, RegistrySnapshot, text};
use crate::store::{Changes, Decoder, Derived, Encoder, Store, VisitFact};

/// A contact: its day number and channel.
type Contact = (i32, Channel);

/// The contacts of every household.
#[derive(Debug, Clone)]
pub(crate) struct VisitLog {
    /// How many households the registry snapshot base whose household indexes are this
    /// log's first slots holds ([`RegistrySnapshot::base_len`]), and its fingerprint
    /// ([`RegistrySnapshot::fingerprint`]): a base of the same households in the same
    /// order lays it out the same.
    known: usize,
    fingerprint: u64,
    /// Slots of households the snapshot base does not hold. Shared with copies of the
    /// log, which differ only in `added`.
    index: Arc<HashMap<String, u32>>,
    base: Arc<Grouped<Contact>>,
    /// Contacts added since the base was read, per household, sorted by day.
    added: HashMap<String, Vec<Contact>>,
}

impl VisitLog {
    /// Reads every visit through `conn`. Households of `snapshot`'s base keep their
    /// indexes as slots, so [`VisitLog::of_held`] reaches them without hashing.
    pub(crate) fn build(conn: &Connection, snapshot: &RegistrySnapshot) -> Result<Self> {
        let known = snapshot.base_len();
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut pairs: Vec<(u32, Contact)> = Vec::new();
        let mut stmt = conn.prepare("SELECT household_id, day, channel FROM visit")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = text(row, 0)?;
            let h = if let Some(h) = snapshot.base_index(id) {
                h
            } else if let Some(&h) = index.get(id) {
                h
            } else {
                let h = (known + index.len()) as u32;
                index.insert(id.to_owned(), h);
                h
            };
            let day: i64 = row.get(1)?;
            let channel = Channel::parse(text(row, 2)?)?;
            pairs.push((h, (i32::try_from(day).unwrap_or(i32::MAX), channel)));
        }
        pairs.sort_unstable_by_key(|&(h, (day, _))| (h, day));
        Ok(VisitLog {
            known,
            fingerprint: snapshot.fingerprint(),
            base: Arc::new(Grouped::new(known + index.len(), pairs)),
            index: Arc::new(index),
            added: HashMap::new(),
        })
    }

    /// Writes the log for keeping: the households the snapshot base does not hold, with
    /// their slots, then every slot's contacts, each as one number: the days since the
    /// contact before it (of this household or the one before), doubled, plus its channel.
    /// A household's contacts are sorted by day and weeks apart, so most take a byte.
    /// Only a log just built is kept.
    fn encode(&self, e: &mut Encoder<'_>) {
        e.u32(u32::try_from(self.known).unwrap_or(u32::MAX));
        e.i64(i64::from_le_bytes(self.fingerprint.to_le_bytes()));
        e.len(self.index.len());
        for (id, &slot) in self.index.iter() {
            e.bytes(id.as_bytes());
            e.u32(slot);
        }
        let mut before = 0;
        self.base.encode(e, |e, &(day, channel)| {
            let day = i64::from(day);
            let bit = match channel {
                Channel::Home => 0,
                Channel::Phone => 1,
            };
            e.i64((day - before) * 2 + bit);
            before = day;
        });
    }

    /// Reads back what [`VisitLog::encode`] wrote; `None` unless it is whole and every
    /// slot points inside it. It serves only a snapshot it [`fits`](VisitLog::fits),
    /// which need not be at hand yet.
    fn decode(d: &mut Decoder<'_>) -> Option<Self> {
        let known = d.u32()? as usize;
        let fingerprint = u64::from_le_bytes(d.i64()?.to_le_bytes());
        let n = d.count(8)?;
        let mut index: HashMap<String, u32> = HashMap::with_capacity(n);
        for _ in 0..n {
            let id = d.str()?.to_owned();
            let slot = d.u32()?;
            let fresh = (known..known + n).contains(&(slot as usize));
            if !fresh || index.insert(id, slot).is_some() {
                return None;
            }
        }
        let mut before = 0i64;
        let base = Grouped::decode(d, known + n, 1, |d| {
            let step = d.i64()?;
            // Halved down, so that a step back keeps its channel in the low bit.
            let day = before.checked_add(step >> 1)?;
            let channel = if step & 1 == 0 {
                Channel::Home
            } else {
                Channel::Phone
            };
            before = day;
            Some((i32::try_from(day).ok()?, channel))
        })?;
        d.done().then(|| VisitLog {
            known,
            fingerprint,
            index: Arc::new(index),
            base: Arc::new(base),
            added: HashMap::new(),
        })
    }

    /// Whether this log is laid out as the base of `snapshot` lays it out: the same
    /// households in the same order.
    pub(crate) fn fits(&self, snapshot: &RegistrySnapshot) -> bool {
        self.known == snapshot.base_len() && self.fingerprint == snapshot.fingerprint()
    }

    /// Adds a contact recorded since the log was read.
    pub(crate) fn add(&mut self, household: &str, day: i64, channel: Channel) {
        let contacts = self.added.entry(household.to_owned()).or_default();
        let day = i32::try_from(day).unwrap_or(i32::MAX);
        let at = contacts.partition_point(|&(d, _)| d <= day);
        contacts.insert(at, (day, channel));
    }

    /// The contacts of one household of `snapshot`, which must be the snapshot the log
    /// [`fits`](VisitLog::fits).
    pub(crate) fn of_held(&self, snapshot: &RegistrySnapshot, h: Held<'_>) -> Contacts<'_> {
        let id = snapshot.id(h);
        self.contacts(snapshot.base_slot(h), id)
    }

    /// The contacts of household `id`, whose slot is `slot` if the snapshot base holds it.
    fn contacts(&self, slot: Option<u32>, id: &str) -> Contacts<'_> {
        let slot = slot.or_else(|| self.index.get(id).copied());
        Contacts {
            base: slot.map_or(&[], |h| self.base.of(h)),
            added: self.added(id),
        }
    }

    fn added(&self, household: &str) -> &[Contact] {
        if self.added.is_empty() {
            return &[];
        }
        self.added.get(household).map_or(&[], Vec::as_slice)
    }
}

/// Kept by the store (and in its file between opens), laid out by the registry snapshot
/// it was built with: the visits
/// recorded through the store since are added; a new snapshot base builds it again.
impl Derived for VisitLog {
    type Input<'a> = &'a RegistrySnapshot;
    type Pending = Vec<VisitFact>;
    const KEPT: Option<(&'static str, u32)> = Some(("visit_log", 3));

    fn build(conn: &Connection, snapshot: &RegistrySnapshot) -> Result<Self> {
        VisitLog::build(conn, snapshot)
    }

    fn encode(&self, out: &mut Vec<u8>) {
        VisitLog::encode(self, &mut Encoder(out));
    }

    fn decode(body: &[u8]) -> Option<Self> {
        VisitLog::decode(&mut Decoder(body))
    }

    fn fits(&self, snapshot: &RegistrySnapshot) -> bool {
        VisitLog::fits(self, snapshot)
    }

    fn note(pending: &mut Vec<VisitFact>, changes: &Changes) -> bool {
        // A channel that does not read (only from a record in the file that is not what
        // the library wrote) means building the log again rather than failing the call.
        let visits = changes.visits();
        if visits.iter().any(|v| Channel::parse(&v.channel).is_err()) {
            return false;
        }
        pending.extend_from_slice(visits);
        true
    }

    fn patch(value: &mut Arc<Self>, _conn: &Connection, pending: Vec<VisitFact>) -> Result<()> {
        if !pending.is_empty() {
            let log = Arc::make_mut(value);
            for visit in pending {
                log.add(&visit.household, visit.day, Channel::parse(&visit.channel)?);
            }
        }
        Ok(())
    }
}

impl Store {
    /// The visit log for the database's current state, laid out by `snapshot` (the
    /// registry snapshot just taken through [`Store::registry_snapshot`]): built if there
    /// is none, if another connection to the same file changed the database, or if the
    /// snapshot was rebuilt since; with the visits recorded through this store since
    /// added. `conn` is this store's connection, held by the caller.
    pub(crate) fn visit_log(
        &self,
        conn: &Connection,
        snapshot: &RegistrySnapshot,
    ) -> Result<Arc<VisitLog>> {
        self.derived(conn, snapshot)
    }
}

/// One household's contacts: two runs, each sorted by day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Contacts<'a> {
    base: &'a [Contact],
    added: &'a [Contact],
}

impl Contacts<'_> {
    /// Whether a contact accepted by `qualifies` fell in `[from, to]`.
    pub(crate) fn any(&self, from: i64, to: i64, qualifies: impl Fn(Channel) -> bool) -> bool {
        [self.base, self.added].iter().any(|run| {
            let lo = run.partition_point(|&(d, _)| i64::from(d) < from);
            run[lo..]
                .iter()
                .take_while(|&&(d, _)| i64::from(d) <= to)
                .any(|&(_, c)| qualifies(c))
        })
    }

    /// Calls `f(day, channel)` for each contact in `[from, to]`.
    pub(crate) fn each_within(&self, from: i64, to: i64, mut f: impl FnMut(i64, Channel)) {
        for run in [self.base, self.added] {
            let lo = run.partition_point(|&(d, _)| i64::from(d) < from);
            for &(day, channel) in run[lo..].iter().take_while(|&&(d, _)| i64::from(d) <= to) {
                f(i64::from(day), channel);
            }
        }
    }

    /// The latest day up to `to` with a contact accepted by `qualifies`.
    pub(crate) fn last(&self, to: i64, qualifies: impl Fn(Channel) -> bool) -> Option<i64> {
        [self.base, self.added]
            .iter()
            .filter_map(|run| {
                let hi = run.partition_point(|&(d, _)| i64::from(d) <= to);
                run[..hi]
                    .iter()
                    .rev()
                    .find(|&&(_, c)| qualifies(c))
                    .map(|&(d, _)| i64::from(d))
            })
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contacts_are_found_by_period_and_channel_across_both_runs() {
        let mut log = VisitLog {
            known: 0,
            fingerprint: 0,
            index: Arc::new(HashMap::new()),
            base: Arc::new(Grouped::new(0, Vec::new())),
            added: HashMap::new(),
        };
        log.add("H", 20, Channel::Phone);
        log.add("H", 10, Channel::Home);
        log.add("H", 30, Channel::Phone);
        let c = log.contacts(None, "H");
        let home = |ch| ch == Channel::Home;
        assert!(c.any(10, 10, home));
        assert!(!c.any(11, 40, home));
        assert!(c.any(11, 20, |_| true));
        assert_eq!(c.last(29, |_| true), Some(20));
        assert_eq!(c.last(40, home), Some(10));
        assert_eq!(c.last(9, |_| true), None);
        assert_eq!(log.contacts(None, "other").last(100, |_| true), None);
    }
}
