//! Writes: one immediate transaction with its audit records, and what it changed.

use chrono::Utc;
use foldhash::HashSet;
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::Store;
use super::audit::AuditWriter;
use super::seal;
use crate::error::{Error, Result};

/// What a committed write changed, as plain data: what the store's derived data reads
/// to bring itself up to date ([`super::Derived::note`]).
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// The households whose registry facts (where it lives, its kind, members or tags)
    /// changed; `None` when the write did not say, so anything derived may be stale.
    households: Option<HashSet<String>>,
    /// The visits recorded.
    visits: Vec<VisitFact>,
    /// The entries registered or worked.
    entries: Vec<i64>,
}

/// A visit recorded by a write: the household, the day number and the channel.
#[derive(Debug, Clone)]
pub(crate) struct VisitFact {
    /// The household visited.
    pub(crate) household: String,
    /// The day of the visit, as stored.
    pub(crate) day: i64,
    /// The channel of the visit, as stored (`home`, `phone`).
    pub(crate) channel: &'static str,
}

impl Changes {
    /// The households whose registry facts changed, or `None` when the write did not say.
    pub(crate) fn households(&self) -> Option<&HashSet<String>> {
        self.households.as_ref()
    }

    /// The visits recorded.
    pub(crate) fn visits(&self) -> &[VisitFact] {
        &self.visits
    }

    /// The entries registered or worked, in the order the write named them.
    pub(crate) fn entries(&self) -> &[i64] {
        &self.entries
    }
}

impl Store {
    /// Runs `body` in one immediate transaction with an audit writer; commits only if
    /// `body` succeeds, so a failed write leaves nothing behind.
    pub(crate) fn write<T>(&self, body: impl FnOnce(&mut Write<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        self.write_on(&mut conn, body)
    }

    /// Like [`Store::write`], with SQLite's foreign-key checks off for the transaction, for
    /// bulk writes that establish every reference they make themselves (checked in advance,
    /// or written earlier in the same transaction). The checks cost an index look-up per
    /// row; they are back on before anyone else can use the connection.
    pub(crate) fn write_bulk<T>(
        &self,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.conn();
        conn.pragma_update(None, "foreign_keys", "OFF")?;
        let result = self.write_on(&mut conn, body);
        let restored = conn.pragma_update(None, "foreign_keys", "ON");
        let value = result?;
        restored?;
        Ok(value)
    }

    fn write_on<T>(
        &self,
        conn: &mut Connection,
        body: impl FnOnce(&mut Write<'_>) -> Result<T>,
    ) -> Result<T> {
        if self.shared.read_only {
            return Err(Error::PermissionDenied(format!(
                "this store was opened read-only; nothing was written (actor {})",
                self.access.actor
            )));
        }
        self.hook().clear();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let audit = AuditWriter::load(&tx)?;
        let at = Utc::now()
            .with_timezone(&self.shared.config.offset)
            .to_rfc3339_opts(chrono::SecondsFormat::Micros, false);
        let mut write = Write {
            tx,
            audit,
            at,
            actor: &self.access.actor,
            changes: Changes::default(),
        };
        let value = body(&mut write).map_err(Error::refused_by_trigger)?;
        let Write {
            tx,
            mut audit,
            changes,
            at,
            actor,
        } = write;
        let (names, rows) = self.hook().take();
        let wrote = !rows.is_empty();
        let (seals, found) = seal::flush(&tx, self.mac(), &names, rows)?;
        if let Some(first) = found.first() {
            // Rows changed outside the library that this write changed again: their
            // seals move on, but the chain keeps what was found.
            let detail = seal::verify::found_detail(&found, found.len() as i64);
            audit.append(seal::verify::FOUND, &first.table, &detail.to_string());
        }
        if wrote && audit.is_empty() {
            audit.append("write", "", "{}");
        }
        audit.finish(&tx, self.mac(), &at, actor, &seals)?;
        tx.commit()?;
        self.shared.slots.note(&changes);
        Ok(value)
    }
}

/// One write in progress: the transaction plus the audit records it appends.
pub(crate) struct Write<'a> {
    pub(crate) tx: Transaction<'a>,
    audit: AuditWriter,
    at: String,
    actor: &'a str,
    changes: Changes,
}

impl Write<'_> {
    /// Says this write changes the registry facts of `household_id` (where it lives, its
    /// kind, members or tags), so the counts' snapshot re-reads just that household.
    pub(crate) fn changes_household(&mut self, household_id: &str) {
        self.changes
            .households
            .get_or_insert_with(HashSet::default)
            .insert(household_id.to_owned());
    }

    /// Says this write records a visit to `household_id` on day number `day` by `channel`
    /// as stored (`home`, `phone`), so the visit log adds it once committed.
    pub(crate) fn records_visit(&mut self, household_id: &str, day: i64, channel: &'static str) {
        self.changes.visits.push(VisitFact {
            household: household_id.to_owned(),
            day,
            channel,
        });
    }

    /// Says this write registers or works entry `id`, so the reports' columns re-read it
    /// once committed.
    pub(crate) fn changes_entry(&mut self, id: i64) {
        self.changes.entries.push(id);
    }

    /// Says this write changes no registry facts the counts read.
    pub(crate) fn changes_no_household(&mut self) {
        self.changes.households.get_or_insert_with(HashSet::default);
    }

    /// The audit chain's head as this write began (before its own records).
    pub(crate) fn audit_head(&self) -> Result<super::AuditHead> {
        super::audit::head(&self.tx)
    }

    /// What is wrong, if anything, with `head` as part of the chain (see
    /// [`Store::verify_audit_since`]).
    pub(crate) fn audit_head_problem(&self, head: &super::AuditHead) -> Result<Option<String>> {
        super::audit::check_since(&self.tx, head)
    }

    /// When this write happens (RFC 3339 with the deployment's offset).
    pub(crate) fn at(&self) -> &str {
        &self.at
    }

    /// Who makes it.
    pub(crate) fn actor(&self) -> &str {
        self.actor
    }

    /// Appends an audit record for this write (chained when the write commits; fallible
    /// so that every caller already handles a chain that cannot be written).
    #[allow(clippy::unnecessary_wraps)]
    pub(crate) fn audit(
        &mut self,
        action: &str,
        target: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        self.audit.append(action, target, &detail.to_string());
        Ok(())
    }
}
