//! The registry snapshot seen from one unit's subtree, day by day: who
//! lived there on a day, and which rules held them.

use rusqlite::Connection;

use super::{RuleScope, VisitRule};
use crate::error::Result;
use crate::registry::HouseholdClass;
use crate::snapshot::{Held, RegistrySnapshot, Subtree, TagRef};

/// A rule's scope resolved against a snapshot.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scope<'a> {
    Class(HouseholdClass),
    Tag(TagRef<'a>),
}

/// One unit's subtree, read from a registry snapshot.
pub(super) struct View<'a> {
    conn: &'a Connection,
    unit: &'a str,
    snapshot: &'a RegistrySnapshot,
    /// The subtree on each day asked about (a handful); `None` when the unit did not
    /// exist that day.
    subtrees: Vec<(i64, Option<Subtree>)>,
}

impl<'a> View<'a> {
    pub(super) fn new(conn: &'a Connection, unit: &'a str, snapshot: &'a RegistrySnapshot) -> Self {
        View {
            conn,
            unit,
            snapshot,
            subtrees: Vec::new(),
        }
    }

    /// `rule`'s scope in this view's snapshot.
    pub(super) fn scope(&self, rule: &'a VisitRule) -> Scope<'a> {
        match &rule.scope {
            RuleScope::Class(class) => Scope::Class(*class),
            RuleScope::Tag(tag) => Scope::Tag(self.snapshot.tag(tag)),
        }
    }

    /// The subtree's units on `day`; `None` when the unit did not exist that day.
    pub(super) fn subtree(&mut self, day: i64) -> Result<Option<&Subtree>> {
        let i = if let Some(i) = self.subtrees.iter().position(|(d, _)| *d == day) {
            i
        } else {
            let subtree = self.snapshot.subtree(self.conn, self.unit, day)?;
            self.subtrees.push((day, subtree));
            self.subtrees.len() - 1
        };
        Ok(self.subtrees[i].1.as_ref())
    }

    /// The households living in the subtree on `day`, each with its unit (by snapshot
    /// index), in no particular order.
    pub(super) fn living(&mut self, day: i64) -> Result<Vec<(Held<'a>, u32)>> {
        let snapshot = self.snapshot;
        Ok(self
            .subtree(day)?
            .map(|subtree| snapshot.living(day, subtree))
            .unwrap_or_default())
    }

    /// Whether household `h` is in `scope` on `day`: living in the subtree, with the class
    /// or tag.
    pub(super) fn holds(&mut self, scope: Scope<'_>, h: Held<'a>, day: i64) -> Result<bool> {
        let snapshot = self.snapshot;
        let Some(unit) = snapshot.unit_on(h, day) else {
            return Ok(false);
        };
        let Some(subtree) = self.subtree(day)? else {
            return Ok(false);
        };
        Ok(subtree.marks[unit as usize] && self.matches(scope, h, day))
    }

    /// Whether household `h` has the class or tag of `scope` on `day`, wherever it lives.
    pub(super) fn matches(&self, scope: Scope<'_>, h: Held<'a>, day: i64) -> bool {
        match scope {
            Scope::Class(class) => {
                let special = self.snapshot.special_on(h, day);
                special == (class == HouseholdClass::Special)
            }
            Scope::Tag(tag) => self.snapshot.tagged_on(h, &tag, day),
        }
    }
}
