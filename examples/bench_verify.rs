//! What `verify_audit()` costs on a county: the whole check (chain, every row of every
//! table against its seal, the seals against the chain) against a plain full scan of the
//! same tables that reads every value of every row, in the same run.
//!
//! Usage: `bench_verify PATH` on a store built by `demo --county PATH` (about 500,000
//! households). The demo's stores are keyed: the key is `WANGGE_DEMO_KEY_HEX` or, without
//! it, the demo's own; a store without a key is opened without one.

use std::time::Instant;

use rusqlite::Connection;
use rusqlite::types::ValueRef;
use wangge::{ErrorKind, Store, StoreOptions};

/// The demo's key when `WANGGE_DEMO_KEY_HEX` is not set (see `examples/demo.rs`).
const DEMO_KEY: &[u8] = b"wangge demo key: not for production";

/// Opens the store with the demo's key, or without a key if it has none.
fn open(path: &str) -> wangge::Result<Store> {
    let key = match std::env::var("WANGGE_DEMO_KEY_HEX") {
        Ok(hex) => wangge::key_from_hex(&hex)?,
        Err(_) => DEMO_KEY.to_vec(),
    };
    let options = StoreOptions {
        key: Some(key),
        ..StoreOptions::default()
    };
    match Store::open_with(path, options) {
        Err(e) if e.kind() == ErrorKind::PermissionDenied => Store::open(path),
        other => other,
    }
}

fn main() -> wangge::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "out/demo.db".to_owned());
    let store = open(&path)?;
    // The plain scan, through a connection of its own: every row of every table but the
    // chain and the seals, each value read.
    let conn = Connection::open(&path)?;
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
             AND name NOT IN ('audit', 'seal', 'audit_state') ORDER BY name",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let scan = || -> rusqlite::Result<(u64, u64)> {
        let (mut rows, mut bytes) = (0u64, 0u64);
        for table in &tables {
            let mut stmt = conn.prepare(&format!("SELECT * FROM \"{table}\""))?;
            let columns = stmt.column_count();
            let mut cursor = stmt.query([])?;
            while let Some(row) = cursor.next()? {
                rows += 1;
                for i in 0..columns {
                    bytes += match row.get_ref(i)? {
                        ValueRef::Text(t) | ValueRef::Blob(t) => t.len() as u64,
                        ValueRef::Null => 0,
                        ValueRef::Integer(_) | ValueRef::Real(_) => 8,
                    };
                }
            }
        }
        Ok((rows, bytes))
    };
    // Warm the page cache for both.
    let (rows, bytes) = scan()?;
    let mut scans = Vec::new();
    let mut verifies = Vec::new();
    let mut check = None;
    for _ in 0..3 {
        let t = Instant::now();
        scan()?;
        scans.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        check = Some(store.verify_audit()?);
        verifies.push(t.elapsed().as_secs_f64());
    }
    let check = check.expect("ran");
    assert!(check.ok, "{check:?}");
    scans.sort_by(f64::total_cmp);
    verifies.sort_by(f64::total_cmp);
    let seals: i64 = conn.query_row("SELECT count(*) FROM seal", [], |r| r.get(0))?;
    println!(
        "verify_audit: {} tables, {rows} rows ({:.0} MB of values), {seals} seals, {} audit records\n\
         \x20 verify_audit {:>7.2} s (median of 3: chain, each row's SM3 against its seal, the seals against the chain)\n\
         \x20 plain scan   {:>7.2} s (median of 3: SELECT * of the same tables, every value read)\n\
         \x20 ratio {:.1}x",
        tables.len(),
        bytes as f64 / 1e6,
        check.records,
        verifies[1],
        scans[1],
        verifies[1] / scans[1]
    );
    Ok(())
}
