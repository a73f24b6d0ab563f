//! The rows a write changed, as the hook collects them: one entry a change, their keys
//! end to end in one buffer (a bulk load changes millions of rows, and a key of its own
//! each cost more in allocating and freeing than in digesting).

use std::ops::Range;

use super::Digest;

/// One row a write changed: its digest before the write (None: it did not exist, or it
/// was changed earlier in the write, whose first change holds what it was) and after it
/// (None: it no longer exists).
#[derive(Debug)]
pub(crate) struct Change {
    pub(crate) table: u32,
    key: Range<usize>,
    pub(crate) before: Option<Digest>,
    pub(crate) after: Option<Digest>,
}

/// The changes of one write, in the order they happened.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    keys: Vec<u8>,
    list: Vec<Change>,
}

impl Changes {
    /// Records a change of the row of `table` keyed `key`.
    pub(crate) fn push(
        &mut self,
        table: u32,
        key: &[u8],
        before: Option<Digest>,
        after: Option<Digest>,
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

    /// Forgets every change.
    pub(crate) fn clear(&mut self) {
        self.list.clear();
        self.keys.clear();
    }

    /// Forgets the changes after the first `len`.
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
        let d = |n: u8| Some([n; 32]);
        c.push(1, b"b", None, d(1));
        c.push(0, b"z", None, d(2));
        c.push(1, b"a", None, d(3));
        c.push(1, b"b", d(1), d(4));
        c.push(0, b"y", None, d(5));
        let order = c.by_row();
        let seen: Vec<(u32, &[u8], Option<Digest>)> = order
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
}
