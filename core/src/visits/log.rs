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
use crate::snapshot::{Grouped, text};

/// A contact: its day number and channel.
type Contact = (i32, Channel);

/// The contacts of every household.
#[derive(Debug, Clone)]
pub(crate) struct VisitLog {
    /// Shared with copies of the log, which differ only in `added`.
    index: Arc<HashMap<String, u32>>,
    base: Arc<Grouped<Contact>>,
    /// Contacts added since the base was read, per household, sorted by day.
    added: HashMap<String, Vec<Contact>>,
}

impl VisitLog {
    /// Reads every visit through `conn`.
    pub(crate) fn build(conn: &Connection) -> Result<Self> {
        let mut index: HashMap<String, u32> = HashMap::new();
        let mut pairs: Vec<(u32, Contact)> = Vec::new();
        let mut stmt = conn.prepare("SELECT household_id, day, channel FROM visit")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = text(row, 0)?;
            let h = if let Some(&h) = index.get(id) {
                h
            } else {
                let h = index.len() as u32;
                index.insert(id.to_owned(), h);
                h
            };
            let day: i64 = row.get(1)?;
            let channel = Channel::parse(text(row, 2)?)?;
            pairs.push((h, (i32::try_from(day).unwrap_or(i32::MAX), channel)));
        }
        pairs.sort_unstable_by_key(|&(h, (day, _))| (h, day));
        Ok(VisitLog {
            base: Arc::new(Grouped::new(index.len(), pairs)),
            index: Arc::new(index),
            added: HashMap::new(),
        })
    }

    /// Adds a contact recorded since the log was read.
    pub(crate) fn add(&mut self, household: &str, day: i64, channel: Channel) {
        let contacts = self.added.entry(household.to_owned()).or_default();
        let day = i32::try_from(day).unwrap_or(i32::MAX);
        let at = contacts.partition_point(|&(d, _)| d <= day);
        contacts.insert(at, (day, channel));
    }

    /// The contacts of one household.
    pub(crate) fn of(&self, household: &str) -> Contacts<'_> {
        Contacts {
            base: self.index.get(household).map_or(&[], |&h| self.base.of(h)),
            added: self.added.get(household).map_or(&[], Vec::as_slice),
        }
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
            index: Arc::new(HashMap::new()),
            base: Arc::new(Grouped::new(0, Vec::new())),
            added: HashMap::new(),
        };
        log.add("H", 20, Channel::Phone);
        log.add("H", 10, Channel::Home);
        log.add("H", 30, Channel::Phone);
        let c = log.of("H");
        let home = |ch| ch == Channel::Home;
        assert!(c.any(10, 10, home));
        assert!(!c.any(11, 40, home));
        assert!(c.any(11, 20, |_| true));
        assert_eq!(c.last(29, |_| true), Some(20));
        assert_eq!(c.last(40, home), Some(10));
        assert_eq!(c.last(9, |_| true), None);
        assert_eq!(log.of("other").last(100, |_| true), None);
    }
}
