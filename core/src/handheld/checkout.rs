//! Checking a unit out to a handheld device: the device store written at a path, the
//! `checkout` row at home, a refresh, and a withdrawal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use serde::Serialize;
use serde_json::json;

use crate::date;
use crate::error::{Error, Result};
use crate::store::audit::AuditWriter;
use crate::store::keys::Vault;
use crate::store::rekey::{reseal_residents, reseal_staff};
use crate::store::seal::{self, verify::Before};
use crate::store::{Store, StoreOptions, Write, vault_mac};
use crate::units::spans_of;

use super::merge::Homes;

/// A checkout: what [`Store::checkout`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Checkout {
    /// The device's id: fresh for each new checkout file, kept by a refresh.
    pub device_id: String,
    /// The unit checked out.
    pub unit: String,
    /// The staff member it is checked out to.
    pub staff_id: String,
    /// When (RFC 3339).
    pub checked_out_at: String,
    /// The device file's path, as given.
    pub path: String,
    /// The households copied to the device.
    pub households: u64,
    /// The open entries copied to the device.
    pub entries: u64,
    /// True when an earlier device file of the same checkout was brought up to date.
    pub refreshed: bool,
    /// The device's log items not merged yet that the refresh kept.
    pub kept_items: u64,
}

/// The meta key of a store's identity, which its devices carry.
pub(crate) const IDENTITY: &str = "store_identity";

/// The status of a checkout whose device may still be merged.
pub(crate) const ACTIVE: &str = "active";
/// The status of a withdrawn checkout.
pub(crate) const WITHDRAWN: &str = "withdrawn";

impl Store {
    /// Checks unit `unit` out to staff member `staff_id` on a handheld device (手持终端):
    /// writes a device store at `path` (a normal wangge store, written under a temporary
    /// name and renamed) holding the unit's ancestors and subtree, the staff it needs, its
    /// households and residents, the rule sets and calendar, the visit history of its
    /// households, its patrols, and the open entries raised or handled in it with their
    /// events. Opened, the device gives handles scoped to `unit`, acting as `staff_id`;
    /// see [`Store::merge`] for the way home.
    ///
    /// The device store of a keyed store is keyed under the same deployment key (its ID
    /// numbers and phones stay sealed, its chain and seals keyed): the device opens it with
    /// that key, as the county does. Refused when this handle does not see `unit`, and when
    /// `staff_id` has no assignment in its subtree today (`Conflict`). When `path` is
    /// already a device file of this store checked out for the same unit and staff member,
    /// it is refreshed: the home data is written anew and its log items not merged yet are
    /// kept and replayed on it, so the work shows on the device as before (an item that no
    /// longer fits the home data, such as an action on an entry closed at home, is left
    /// out there and reported by the merge). Any
    /// other existing file at `path` is `Conflict`, untouched. Audited at home.
    pub fn checkout(&self, unit: &str, staff_id: &str, path: impl AsRef<Path>) -> Result<Checkout> {
        self.checkout_as(unit, staff_id, path.as_ref(), None)
    }

    /// [`Store::checkout`], the device store keyed under `device_key` (16 to 64 bytes, a
    /// key of the device's own, never written to the file): its ID numbers and phones are
    /// sealed anew under it (from clear, or from the deployment key) and its chain and seals
    /// are keyed with it. The device opens the file with that key, and
    /// [`Store::merge_with_key`] brings it home; a refresh needs the same key
    /// (`PermissionDenied` otherwise, untouched). A key of
    /// another length is `InvalidInput` naming `key`.
    pub fn checkout_with_key(
        &self,
        unit: &str,
        staff_id: &str,
        path: impl AsRef<Path>,
        device_key: &[u8],
    ) -> Result<Checkout> {
        self.checkout_as(unit, staff_id, path.as_ref(), Some(device_key))
    }

    fn checkout_as(
        &self,
        unit: &str,
        staff_id: &str,
        path: &Path,
        device_key: Option<&[u8]>,
    ) -> Result<Checkout> {
        crate::text::check_path("path", path, crate::store::STORE_PATH_EMPTY)?;
        let home_vault = self.vault();
        let device_vault = match device_key {
            Some(key) => Arc::new(Vault::fresh(key)?),
            None => Arc::clone(&home_vault),
        };
        self.unit(unit, None)?;
        let previous = if path.exists() {
            let previous = read_previous(path)?;
            // A refresh is written under the key the device already has, and no other.
            let options = StoreOptions {
                read_only: true,
                key: device_key.map(<[u8]>::to_vec),
                ..StoreOptions::default()
            };
            let opened = match device_key {
                Some(_) => Store::open_with(path, options)?,
                None => Store::open_inner(path, options, Some(Arc::clone(&home_vault)))?,
            };
            opened.whole().close()?;
            Some(previous)
        } else {
            None
        };
        let tmp = temp_path(path);
        let _ = std::fs::remove_file(&tmp);
        // The empty device store, created with this deployment's settings.
        {
            let device = Store::open_inner(
                &tmp,
                StoreOptions {
                    levels: Some(self.levels().clone()),
                    utc_offset_minutes: Some(self.offset().local_minus_utc() / 60),
                    ..StoreOptions::default()
                },
                Some(Arc::clone(&device_vault)),
            )?;
            device.close()?;
        }
        let result = self.write(|w| {
            let identity = identity(w)?;
            let path_of_unit = current_path(&w.tx, unit)?;
            self.check_path_in_scope(unit, &path_of_unit)?;
            check_assigned(&w.tx, unit, staff_id, date::to_sql(self.today()))?;
            let (device_id, kept, homes, refreshed) = match &previous {
                Some(p) => p.matching(&w.tx, &identity, unit, staff_id)?,
                None => (fresh_id()?, Vec::new(), Homes::new(), false),
            };
            let head = w.audit_head()?;
            let spec = Spec {
                device_id: &device_id,
                home: &identity,
                unit,
                unit_path: &path_of_unit,
                staff_id,
                at: w.at(),
                vaults: (&home_vault, &device_vault),
            };
            let (households, entries) = write_device(&w.tx, &tmp, &spec, &kept)?;
            if !kept.is_empty() {
                super::merge::show_kept(&tmp, &device_vault, &kept, homes)?;
            }
            w.tx.execute(
                "INSERT INTO checkout (device_id, unit, staff_id, checked_out_at, audit_seq,
                    audit_digest, status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (device_id) DO UPDATE SET checked_out_at = excluded.checked_out_at,
                    audit_seq = excluded.audit_seq, audit_digest = excluded.audit_digest",
                params![
                    device_id,
                    unit,
                    staff_id,
                    w.at(),
                    head.seq,
                    head.digest,
                    ACTIVE
                ],
            )?;
            w.changes_no_household();
            w.audit(
                "checkout",
                &device_id,
                &[unit],
                &json!({"staff_id": staff_id, "households": households, "entries": entries,
                        "refreshed": refreshed, "kept_items": kept.len()}),
            )?;
            Ok(Checkout {
                device_id,
                unit: unit.to_owned(),
                staff_id: staff_id.to_owned(),
                checked_out_at: w.at().to_owned(),
                path: path.to_string_lossy().into_owned(),
                households,
                entries,
                refreshed,
                kept_items: kept.len() as u64,
            })
        });
        match result {
            Ok(checkout) => {
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(with_suffix(path, suffix));
                }
                std::fs::rename(&tmp, path)
                    .map_err(|e| Error::Storage(format!("cannot write {}: {e}", path.display())))?;
                Ok(checkout)
            }
            Err(e) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(with_suffix(&tmp, suffix));
                }
                Err(e)
            }
        }
    }

    /// Withdraws the checkout of device `device_id`: its later merge applies nothing and
    /// reports each of its items as a conflict (`withdrawn`). `NotFound` for a device this
    /// handle does not see; audited.
    pub fn withdraw_checkout(&self, device_id: &str) -> Result<()> {
        self.write(|w| {
            let unit: Option<String> =
                w.tx.query_row(
                    "SELECT unit FROM checkout WHERE device_id = ?1",
                    [device_id],
                    |r| r.get(0),
                )
                .optional()?;
            let unit = unit.ok_or_else(|| Error::not_found("checkout", device_id))?;
            let path = current_path(&w.tx, &unit)?;
            self.check_hidden(&path, "checkout", device_id)?;
            w.tx.execute(
                "UPDATE checkout SET status = ?2 WHERE device_id = ?1",
                params![device_id, WITHDRAWN],
            )?;
            w.changes_no_household();
            w.audit("withdraw_checkout", device_id, &[&unit], &json!({}))
        })
    }
}

/// This store's identity, made (and sealed) with its first checkout.
fn identity(w: &mut Write<'_>) -> Result<String> {
    let found: Option<String> =
        w.tx.query_row("SELECT value FROM meta WHERE key = ?1", [IDENTITY], |r| {
            r.get(0)
        })
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    let id = fresh_id()?;
    w.tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
        params![IDENTITY, id],
    )?;
    Ok(id)
}

/// 16 random bytes as hex.
pub(crate) fn fresh_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    crate::store::keys::getrandom(&mut bytes)?;
    Ok(crate::store::audit::hex(&bytes))
}

/// The path of unit `code` as it stands today (or last stood).
pub(crate) fn current_path(conn: &Connection, code: &str) -> Result<String> {
    spans_of(conn, code)?
        .pop()
        .map(|s| s.path)
        .ok_or_else(|| Error::not_found("unit", code))
}

/// Refuses a staff member with no assignment in `unit`'s subtree on day `day`.
fn check_assigned(conn: &Connection, unit: &str, staff_id: &str, day: i64) -> Result<()> {
    let assigned: bool = conn.query_row(
        "SELECT count(*) > 0 FROM assignment a WHERE a.staff_id = ?1 AND a.start <= ?3
            AND a.end_day > ?3 AND EXISTS (SELECT 1 FROM unit_span s WHERE s.code = a.unit
            AND s.valid_from <= ?3 AND s.valid_to > ?3
            AND instr('/' || s.path || '/', '/' || ?2 || '/') > 0)",
        params![staff_id, unit, day],
        |r| r.get(0),
    )?;
    if assigned {
        Ok(())
    } else {
        Err(Error::Conflict(format!(
            "staff {staff_id} is not assigned in {unit}"
        )))
    }
}

/// `path` with `suffix` appended to its file name.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn temp_path(path: &Path) -> PathBuf {
    with_suffix(path, ".checkout-tmp")
}

/// What an existing device file at the checkout's path holds.
struct Previous {
    device: super::DeviceInfo,
    /// Its log items, in order.
    items: Vec<LogRow>,
}

/// One device log row: seq, kind, args, local id, refers.
pub(crate) type LogRow = (i64, String, String, Option<i64>, Option<i64>);

fn read_previous(path: &Path) -> Result<Previous> {
    let not_device = || {
        Error::Conflict(format!(
            "{} exists and is not a device of this store for this unit and staff member; it was not changed",
            path.display()
        ))
    };
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE)
        .map_err(|_| not_device())?;
    let device = super::device_info(&conn)
        .map_err(|_| not_device())?
        .ok_or_else(not_device)?;
    let items = read_log(&conn)?;
    Ok(Previous { device, items })
}

/// A device's log, in order.
pub(crate) fn read_log(conn: &Connection) -> Result<Vec<LogRow>> {
    let mut stmt =
        conn.prepare("SELECT seq, kind, args, local_id, refers FROM device_log ORDER BY seq")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

impl Previous {
    /// The device id, the log items to keep (those not merged yet), the home ids of the
    /// records its merged items made, and `true`, when this is a device of `home` for
    /// `unit` and `staff_id` still checked out.
    fn matching(
        &self,
        home_conn: &Connection,
        home: &str,
        unit: &str,
        staff_id: &str,
    ) -> Result<(String, Vec<LogRow>, Homes, bool)> {
        let d = &self.device;
        let status: Option<String> = home_conn
            .query_row(
                "SELECT status FROM checkout WHERE device_id = ?1",
                [&d.device_id],
                |r| r.get(0),
            )
            .optional()?;
        if d.home != home || d.unit != unit || d.staff_id != staff_id || status.is_none() {
            return Err(Error::Conflict(format!(
                "the existing file is a device of {} for {} and {}, not of this store for {unit} and {staff_id}",
                d.home, d.unit, d.staff_id
            )));
        }
        let homes = super::merge::merged_homes(home_conn, &d.device_id)?;
        let kept = self
            .items
            .iter()
            .filter(|i| !homes.contains_key(&i.0))
            .cloned()
            .collect();
        Ok((d.device_id.clone(), kept, homes, true))
    }
}

/// What a device file is written for.
struct Spec<'a> {
    device_id: &'a str,
    home: &'a str,
    unit: &'a str,
    unit_path: &'a str,
    staff_id: &'a str,
    at: &'a str,
    /// The home store's vault and the device's: the same one, or the device's own key.
    vaults: (&'a Vault, &'a Vault),
}

/// Fills the empty device store at `tmp` from the home connection `home`: the copy,
/// the device row, the log items `kept`, every row sealed, and the chain's first record.
/// Gives the households and entries copied.
fn write_device(
    home: &Connection,
    tmp: &Path,
    spec: &Spec<'_>,
    kept: &[LogRow],
) -> Result<(u64, u64)> {
    let dev = Connection::open(tmp)?;
    dev.pragma_update(None, "foreign_keys", "OFF")?;
    dev.execute_batch("BEGIN IMMEDIATE")?;
    let result = (|| -> Result<(u64, u64)> {
        let counts = copy_share(home, &dev, spec)?;
        let (home_vault, device_vault) = spec.vaults;
        if !std::ptr::eq(home_vault, device_vault) {
            // Sealed anew under the device's key; the key check is the device's.
            reseal_residents(&dev, home_vault, device_vault)?;
            reseal_staff(&dev, home_vault, device_vault)?;
            if let Some(meta) = device_vault.meta() {
                crate::store::keys::write_meta(&dev, &meta)?;
            }
        }
        let next_seq = kept.last().map_or(1, |k| k.0 + 1);
        dev.execute(
            "INSERT INTO device (device_id, home, unit, staff_id, next_seq) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![spec.device_id, spec.home, spec.unit, spec.staff_id, next_seq],
        )?;
        let mut insert = dev.prepare(
            "INSERT INTO device_log (seq, kind, args, local_id, refers) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for (seq, kind, args, local, refers) in kept {
            insert.execute(params![seq, kind, args, local, refers])?;
        }
        let mac = &vault_mac(spec.vaults.1);
        seal::verify::reseal(&dev, Before::New, mac, spec.at)?;
        let mut audit = AuditWriter::load(&dev)?;
        let detail = json!({"home": spec.home, "unit": spec.unit, "staff_id": spec.staff_id});
        audit.append(
            None,
            "checkout",
            spec.device_id,
            &detail.to_string(),
            Some(spec.unit_path),
        );
        let seals = seal::commitment(mac, &seal::load_accumulators(&dev)?);
        audit.finish(&dev, mac, spec.at, spec.staff_id, &seals)?;
        Ok(counts)
    })();
    match result {
        Ok(counts) => {
            dev.execute_batch("COMMIT")?;
            Ok(counts)
        }
        Err(e) => {
            let _ = dev.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Copies the unit's share of the home store into the device; gives the households and
/// entries copied.
fn copy_share(home: &Connection, dev: &Connection, spec: &Spec<'_>) -> Result<(u64, u64)> {
    // Sets of keys are passed to SQLite as JSON arrays (read back with json_each).
    let list = |sql: &str, arg: &str| -> Result<Vec<serde_json::Value>> {
        let mut stmt = home.prepare(sql)?;
        let rows = stmt.query_map([arg], |r| r.get::<_, rusqlite::types::Value>(0))?;
        rows.map(|v| {
            Ok(match v? {
                rusqlite::types::Value::Integer(i) => json!(i),
                rusqlite::types::Value::Text(t) => json!(t),
                _ => serde_json::Value::Null,
            })
        })
        .collect()
    };
    let mut units = list(
        "SELECT DISTINCT code FROM unit_span WHERE instr('/' || path || '/', '/' || ?1 || '/') > 0",
        spec.unit,
    )?;
    let subtree = json!(units).to_string();
    units.extend(
        spec.unit_path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| json!(s)),
    );
    let units = json!(units).to_string();
    let households = json!(list(
        "SELECT household_id FROM household WHERE unit IN (SELECT value FROM json_each(?1))",
        &subtree
    )?)
    .to_string();
    let entries = json!(list(
        "SELECT id FROM entry WHERE status <> 'closed' AND (unit IN (SELECT value FROM json_each(?1))
            OR substr(handler, 6) IN (SELECT value FROM json_each(?1)) AND handler LIKE 'unit:%')",
        &subtree
    )?)
    .to_string();
    let visits = json!(list(
        "SELECT id FROM visit WHERE household_id IN (SELECT value FROM json_each(?1))",
        &households
    )?)
    .to_string();
    let in_set = |column: &str| format!("WHERE {column} IN (SELECT value FROM json_each(?1))");
    dev.execute_batch(
        "DELETE FROM tag_kind; DELETE FROM visit_rule_set; DELETE FROM quota_rule_set;
         DELETE FROM patrol_rule_set; DELETE FROM ledger_rule_set; DELETE FROM calendar_year;
         DELETE FROM reporting_rule_set; DELETE FROM assessment_rule_set;",
    )?;
    let all = "";
    let staff_of = format!(
        "WHERE staff_id = ?1 OR staff_id IN (SELECT staff_id FROM assignment {units})
            OR staff_id IN (SELECT staff_id FROM visit {visits})
            OR staff_id IN (SELECT staff_id FROM patrol {subtree})",
        units = in_set("unit").replace("?1", "?2"),
        visits = in_set("id").replace("?1", "?3"),
        subtree = in_set("unit").replace("?1", "?4"),
    );
    let tables: [(&str, String, Vec<&str>); 24] = [
        ("meta", format!("WHERE key <> '{IDENTITY}'"), vec![]),
        ("unit", in_set("code"), vec![&units]),
        ("unit_span", in_set("code"), vec![&units]),
        (
            "staff",
            staff_of,
            vec![spec.staff_id, &units, &visits, &subtree],
        ),
        ("assignment", in_set("unit"), vec![&units]),
        ("household", in_set("household_id"), vec![&households]),
        ("household_place", in_set("household_id"), vec![&households]),
        ("resident", in_set("household_id"), vec![&households]),
        (
            "membership",
            format!(
                "{} AND resident_id IN (SELECT resident_id FROM resident {})",
                in_set("household_id"),
                in_set("household_id")
            ),
            vec![&households],
        ),
        ("tag_kind", all.to_owned(), vec![]),
        (
            "tag",
            format!(
                "{} OR resident_id IN (SELECT resident_id FROM resident {})",
                in_set("household_id"),
                in_set("household_id")
            ),
            vec![&households],
        ),
        ("visit_rule_set", all.to_owned(), vec![]),
        ("quota_rule_set", all.to_owned(), vec![]),
        ("patrol_rule_set", all.to_owned(), vec![]),
        ("ledger_rule_set", all.to_owned(), vec![]),
        ("reporting_rule_set", all.to_owned(), vec![]),
        ("assessment_rule_set", all.to_owned(), vec![]),
        ("calendar_year", all.to_owned(), vec![]),
        ("report_lock", all.to_owned(), vec![]),
        ("visit", in_set("id"), vec![&visits]),
        ("visit_finding", in_set("visit_id"), vec![&visits]),
        ("patrol", in_set("unit"), vec![&subtree]),
        ("entry", in_set("id"), vec![&entries]),
        ("entry_event", in_set("entry_id"), vec![&entries]),
    ];
    let mut counts = (0, 0);
    for (table, filter, args) in &tables {
        let n = copy_rows(home, dev, table, filter, args)?;
        match *table {
            "household" => counts.0 = n,
            "entry" => counts.1 = n,
            _ => {}
        }
    }
    Ok(counts)
}

/// Copies the rows of `table` that `filter` keeps (its parameters `args`), as they are.
fn copy_rows(
    from: &Connection,
    to: &Connection,
    table: &str,
    filter: &str,
    args: &[&str],
) -> Result<u64> {
    let mut select = from.prepare(&format!("SELECT * FROM {table} {filter}"))?;
    let columns = select.column_count();
    let marks = vec!["?"; columns].join(", ");
    let mut insert = to.prepare(&format!("INSERT OR REPLACE INTO {table} VALUES ({marks})"))?;
    let mut rows = select.query(params_from_iter(args.iter()))?;
    let mut count = 0;
    while let Some(row) = rows.next()? {
        let values = (0..columns)
            .map(|i| row.get::<_, rusqlite::types::Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()?;
        insert.execute(params_from_iter(values))?;
        count += 1;
    }
    Ok(count)
}
