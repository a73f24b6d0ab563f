//! Keying a store, or changing its key: [`Store::rekey`].

use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::{Connection, params};
use serde_json::json;
use zeroize::Zeroizing;

use super::keys::{self, Field, Vault};
use super::seal::verify::Before;
use super::{Store, seal, vault_mac};
use crate::error::{Error, Result};

/// Residents re-sealed per read of the table, so memory stays flat at any size.
const BATCH: i64 = 10_000;

impl Store {
    /// Seals the store with `new_key` (16 to 64 bytes): a store without a key becomes
    /// keyed, a keyed store changes its key. In one transaction, every ID number and phone
    /// is opened with the old key (or read in clear) and sealed with the new one, every
    /// blind index is recomputed, the new key check is stored and the audit chain is
    /// re-keyed; the change is audited. On any failure nothing is changed. Then the file
    /// is rewritten and its journal emptied, so no earlier value stays in its free space
    /// (if that fails, the error says so and calling rekey again finishes it). From then on
    /// the store opens only with `new_key`; other handles opened earlier on the same file
    /// (in another process) are refused their writes until they open it again.
    ///
    /// A key of another length is `InvalidInput` naming `key`; a scoped or read-only
    /// handle is `PermissionDenied`. Rows found changed outside the library before the
    /// rekey are recorded in the chain first, as any resealing does; heads kept from
    /// before the rekey no longer match (the chain is re-MACed), so keep a new one.
    pub fn rekey(&self, new_key: &[u8]) -> Result<()> {
        self.check_unscoped("rekey")?;
        let new = Vault::fresh(new_key)?;
        let meta = new.meta().expect("a fresh vault is keyed");
        let mut conn = self.conn()?;
        let old = self.vault();
        let (old_mac, new_mac) = (vault_mac(&old), vault_mac(&new));
        let new = Arc::new(new);
        let result = self.write_on(&mut conn, |w| {
            // What was changed outside the library is checked under the old key and
            // recorded in the chain, never laundered; then every seal and the whole chain
            // move to the new key.
            let at = w.at().to_owned();
            seal::verify::reseal(&w.tx, Before::Sealed(&old_mac), &new_mac, &at)?;
            w.restart_chain()?;
            self.hook().set_mac(new_mac.clone());
            let residents = reseal_residents(&w.tx, &old, &new)?;
            let staff = reseal_staff(&w.tx, &old, &new)?;
            keys::write_meta(&w.tx, &meta)?;
            // The rows above and this write's record are sealed and chained under the
            // new key when the write commits. Still holding the connection: no other
            // write sees the new key before the commit, nor the old one after it.
            self.set_vault(Arc::clone(&new));
            w.changes_no_household();
            w.audit(
                "rekey",
                "store",
                &[] as &[&str],
                &json!({
                    "from": if old.is_keyed() { "keyed" } else { "clear" },
                    "residents": residents,
                    "staff": staff,
                }),
            )
        });
        if let Err(e) = result {
            self.set_vault(old);
            self.hook().set_mac(old_mac);
            return Err(e);
        }
        purge(&conn, self.shared.checkpoints.as_ref()).map_err(|e| {
            Error::Storage(format!(
                "the store was rekeyed, but the earlier values could not be cleared from its free \
                 space and journal ({e}): call rekey again once the file is free"
            ))
        })?;
        drop(conn);
        Ok(())
    }
}

/// Clears what the rekey replaced from the file: SQLite leaves replaced values in free
/// space within pages and in the write-ahead log, where a clear ID number (or one sealed
/// under the old key) could still be read. The file is rewritten (`VACUUM`) and the log
/// emptied, once a checkpoint the rewrite started has ended.
fn purge(
    conn: &rusqlite::Connection,
    checkpoints: Option<&super::checkpoint::Checkpoints>,
) -> Result<()> {
    conn.execute_batch("VACUUM")?;
    if let Some(checkpoints) = checkpoints {
        checkpoints.wait();
    }
    let (busy, _, _): (i64, i64, i64) =
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    if busy != 0 {
        return Err(Error::Storage(
            "another connection is reading the file, so its log cannot be emptied".to_owned(),
        ));
    }
    Ok(())
}

/// Re-seals every resident's ID number (and blind index) and phone; returns how many
/// residents hold either.
pub(crate) fn reseal_residents(tx: &Connection, old: &Vault, new: &Vault) -> Result<u64> {
    let mut read = tx.prepare(
        "SELECT resident_id, id_number, id_sealed, phone FROM resident
         WHERE resident_id > ?1 AND (id_number IS NOT NULL OR phone IS NOT NULL)
         ORDER BY resident_id LIMIT ?2",
    )?;
    let mut write = tx.prepare(
        "UPDATE resident SET id_number = ?2, id_sealed = ?3, phone = ?4 WHERE resident_id = ?1",
    )?;
    let mut after = i64::MIN;
    let mut count = 0;
    loop {
        let batch = read
            .query_map(params![after, BATCH], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<Value>>(1)?,
                    r.get::<_, Option<Value>>(2)?,
                    r.get::<_, Option<Value>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let Some(last) = batch.last() else {
            return Ok(count);
        };
        after = last.0;
        for (id, lookup, sealed, phone) in batch {
            let number = old.open_id(lookup, sealed)?.map(Zeroizing::new);
            let phone = old
                .open(Field::ResidentPhone, b"", phone)?
                .map(Zeroizing::new);
            let (lookup, sealed) = new.seal_id(number.as_deref().map(String::as_str))?;
            let phone = new.seal(
                Field::ResidentPhone,
                b"",
                phone.as_deref().map(String::as_str),
            )?;
            write.execute(params![id, lookup, sealed, phone])?;
            count += 1;
        }
    }
}

/// Re-seals every staff member's phone; returns how many hold one.
pub(crate) fn reseal_staff(tx: &Connection, old: &Vault, new: &Vault) -> Result<u64> {
    let phones = tx
        .prepare("SELECT staff_id, phone FROM staff WHERE phone IS NOT NULL")?
        .query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<Value>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut write = tx.prepare("UPDATE staff SET phone = ?2 WHERE staff_id = ?1")?;
    let mut count = 0;
    for (staff_id, phone) in phones {
        let bind = staff_id.as_bytes();
        let phone = old
            .open(Field::StaffPhone, bind, phone)?
            .map(Zeroizing::new);
        let phone = new.seal(
            Field::StaffPhone,
            bind,
            phone.as_deref().map(String::as_str),
        )?;
        write.execute(params![staff_id, phone])?;
        count += 1;
    }
    Ok(count)
}

impl Store {
    /// Replaces how ID numbers and phones are kept (only while holding the connection).
    fn set_vault(&self, vault: Arc<Vault>) {
        *self
            .shared
            .vault
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = vault;
    }
}
