//! An entry's marks: what reports need of each of its events, packed small.
//!
//! Every event of an entry leaves a mark (its action and moment, and the status, deadline,
//! sign-for limit, suspension and first resolution after it). The marks of an entry are
//! kept in `entry.marks`, appended to as each event is written, so reports read one
//! column per entry instead of every event's JSON state.
//!
//! Packing, per event: the action's number, the status's number (with 0x80 when marked
//! hard), a byte saying which optional instants follow, then as zigzag varints the
//! moment (as the difference from the previous event's), the deadline, and the present
//! optional instants of sign-for limit, suspension and first resolution (each as the
//! difference from the moment).

use rusqlite::{Connection, params};

use super::workflow::State;
use super::{Action, Status};
use crate::error::{Error, Result};
use crate::store::AfterMigration;

/// One event as reports read it: its action and moment, and the state after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub(crate) action: Action,
    pub(crate) at: i64,
    pub(crate) status: Status,
    pub(crate) hard: bool,
    pub(crate) deadline: i64,
    pub(crate) sign_due: Option<i64>,
    pub(crate) suspended: Option<i64>,
    pub(crate) first_resolved: Option<i64>,
}

impl Mark {
    /// The mark of event `action` at `at`, leaving `state`.
    pub(crate) fn new(action: Action, at: i64, state: &State) -> Self {
        Mark {
            action,
            at,
            status: state.status,
            hard: state.hard,
            deadline: state.deadline,
            sign_due: state.sign_due,
            suspended: state.suspended,
            first_resolved: state.first_resolved,
        }
    }

    /// Appends the packed mark to `out`, whose last mark was at `previous` (0 for none).
    pub(crate) fn pack(&self, previous: i64, out: &mut Vec<u8>) {
        out.push(number(&Action::ALL, &self.action));
        out.push(number(&Status::ALL, &self.status) | if self.hard { 0x80 } else { 0 });
        let optional = [self.sign_due, self.suspended, self.first_resolved];
        out.push(
            optional
                .iter()
                .enumerate()
                .fold(0, |bits, (i, o)| bits | (u8::from(o.is_some()) << i)),
        );
        varint(self.at.wrapping_sub(previous), out);
        varint(self.deadline.wrapping_sub(self.at), out);
        for o in optional.into_iter().flatten() {
            varint(o.wrapping_sub(self.at), out);
        }
    }
}

fn number<T: PartialEq>(all: &[T], x: &T) -> u8 {
    all.iter()
        .position(|a| a == x)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// Appends `v` zigzag-encoded as a little-endian base-128 varint.
fn varint(v: i64, out: &mut Vec<u8>) {
    #[allow(clippy::cast_sign_loss)]
    let mut z = ((v << 1) ^ (v >> 63)) as u64;
    while z >= 0x80 {
        out.push((z as u8) | 0x80);
        z >>= 7;
    }
    out.push(z as u8);
}

/// The marks packed in `bytes`, in order; `None` at the first malformed byte.
#[derive(Debug, Clone)]
pub(crate) struct Marks<'a> {
    bytes: &'a [u8],
    previous: i64,
}

impl<'a> Marks<'a> {
    /// Reads the marks packed in `bytes`.
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Marks { bytes, previous: 0 }
    }

    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.bytes.split_first()?;
        self.bytes = rest;
        Some(b)
    }

    fn varint(&mut self) -> Option<i64> {
        let mut z = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            z |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                #[allow(clippy::cast_possible_wrap)]
                return Some(((z >> 1) as i64) ^ -((z & 1) as i64));
            }
        }
        None
    }

    fn next_mark(&mut self) -> Option<Mark> {
        let action = *Action::ALL.get(usize::from(self.byte()?))?;
        let s = self.byte()?;
        let status = *Status::ALL.get(usize::from(s & 0x7f))?;
        let bits = self.byte()?;
        let at = self.previous.wrapping_add(self.varint()?);
        let deadline = at.wrapping_add(self.varint()?);
        let mut optional = [None; 3];
        for (i, o) in optional.iter_mut().enumerate() {
            if bits & (1 << i) != 0 {
                *o = Some(at.wrapping_add(self.varint()?));
            }
        }
        self.previous = at;
        Some(Mark {
            action,
            at,
            status,
            hard: s & 0x80 != 0,
            deadline,
            sign_due: optional[0],
            suspended: optional[1],
            first_resolved: optional[2],
        })
    }
}

impl Iterator for Marks<'_> {
    type Item = Mark;

    fn next(&mut self) -> Option<Mark> {
        if self.bytes.is_empty() {
            return None;
        }
        let mark = self.next_mark();
        if mark.is_none() {
            self.bytes = &[];
        }
        mark
    }
}

/// Checks that entry `id`'s `bytes` are whole marks, at least one, and gives the last.
pub(crate) fn last(id: i64, bytes: &[u8]) -> Result<Mark> {
    let mut marks = Marks::new(bytes);
    let mut last = None;
    while !marks.bytes.is_empty() {
        last =
            Some(marks.next_mark().ok_or_else(|| {
                Error::Storage(format!("entry {id}: its event marks are damaged"))
            })?);
    }
    last.ok_or_else(|| Error::Storage(format!("entry {id} has no event marks")))
}

/// Appends `mark` to the marks `bytes`.
pub(crate) fn append(bytes: &mut Vec<u8>, mark: &Mark) {
    let previous = Marks::new(bytes).last().map_or(0, |m| m.at);
    mark.pack(previous, bytes);
}

/// Fills the marks of the entries of a store migrated from before version 8, which
/// keeps them.
pub(crate) const FILL_MARKS: AfterMigration = AfterMigration {
    before: 8,
    run: fill,
};

/// Packs every entry's marks from its events: for stores written before marks were kept.
pub(crate) fn fill(conn: &Connection) -> Result<()> {
    let mut read =
        conn.prepare("SELECT entry_id, action, at, state FROM entry_event ORDER BY entry_id, seq")?;
    let mut write = conn.prepare("UPDATE entry SET marks = ?2 WHERE id = ?1")?;
    let mut rows = read.query([])?;
    let mut current: Option<(i64, Vec<u8>, i64)> = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let action = Action::parse(&row.get::<_, String>(1)?)?;
        let at: i64 = row.get(2)?;
        let state = State::from_json(&row.get::<_, String>(3)?)?;
        if current.as_ref().is_some_and(|c| c.0 != id)
            && let Some((done, bytes, _)) = current.take()
        {
            write.execute(params![done, bytes])?;
        }
        let (_, bytes, previous) = current.get_or_insert_with(|| (id, Vec::new(), 0));
        Mark::new(action, at, &state).pack(*previous, bytes);
        *previous = at;
    }
    if let Some((done, bytes, _)) = current {
        write.execute(params![done, bytes])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_round_trip() {
        let marks = [
            Mark {
                action: Action::Register,
                at: 1_735_660_800,
                status: Status::Registered,
                hard: false,
                deadline: 1_736_265_599,
                sign_due: Some(1_735_747_199),
                suspended: None,
                first_resolved: None,
            },
            Mark {
                action: Action::MarkHard,
                at: 1_735_700_000,
                status: Status::InProgress,
                hard: true,
                deadline: 1_736_265_599,
                sign_due: None,
                suspended: Some(1_735_690_000),
                first_resolved: Some(1_735_680_000),
            },
            Mark {
                action: Action::Reopen,
                at: 1_735_700_000,
                status: Status::Closed,
                hard: false,
                deadline: -5,
                sign_due: Some(i64::MAX),
                suspended: None,
                first_resolved: Some(0),
            },
        ];
        let mut bytes = Vec::new();
        let mut previous = 0;
        for m in &marks {
            m.pack(previous, &mut bytes);
            previous = m.at;
        }
        assert_eq!(Marks::new(&bytes).collect::<Vec<_>>(), marks);
        assert_eq!(last(1, &bytes).unwrap(), marks[2]);
        bytes.pop();
        assert!(last(1, &bytes).is_err());
        assert!(last(1, &[]).is_err());
        assert_eq!(Marks::new(&bytes).count(), 2);
    }
}
