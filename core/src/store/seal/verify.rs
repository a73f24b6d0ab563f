//! Checking every fact against its seal, and sealing everything anew.

use foldhash::HashMap;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, params};

use super::{
    Digest, SCHEMA, Shape, accumulate, commitment, feed, load_accumulators, push_key, shapes,
    show_key, start_row, store_accumulator,
};
use crate::error::Result;
use crate::progress::Progress;
use crate::store::audit::{self, AuditHead, AuditVerification, FactProblem, MAX_PROBLEMS, Mac};

/// The audit actions that record outside changes found by a write or a migration.
pub(crate) const FOUND: &str = "outside_change";
/// The audit action that records a chain found broken when it was rechained.
pub(crate) const BROKEN: &str = "audit_chain_broken";

/// Problems found, the first [`MAX_PROBLEMS`] kept.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub(crate) problems: Vec<FactProblem>,
    pub(crate) total: i64,
}

impl Found {
    pub(crate) fn add(&mut self, table: &str, row: String, problem: &str) {
        self.total += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(FactProblem {
                table: table.to_owned(),
                row,
                problem: problem.to_owned(),
            });
        }
    }
}

type Next<'a> = Box<dyn FnMut() -> Result<Option<(Vec<u8>, Digest)>> + 'a>;

/// Walks a table's rows and its seals, both in key order, reporting every difference;
/// adds the seals to `acc`.
fn merge(
    found: &mut Found,
    table: &str,
    mut ours: Next<'_>,
    mut sealed: Next<'_>,
    acc: &mut Digest,
) -> Result<()> {
    let (mut a, mut b) = (ours()?, sealed()?);
    if let Some((_, d)) = &b {
        accumulate(acc, Some(d), None);
    }
    loop {
        match (&a, &b) {
            (None, None) => return Ok(()),
            (Some((key, _)), None) => {
                found.add(table, show_key(key), "inserted");
                a = ours()?;
                continue;
            }
            (None, Some((key, _))) => {
                found.add(table, show_key(key), "deleted");
            }
            (Some((ka, da)), Some((kb, db))) => match ka.cmp(kb) {
                std::cmp::Ordering::Less => {
                    found.add(table, show_key(ka), "inserted");
                    a = ours()?;
                    continue;
                }
                std::cmp::Ordering::Greater => found.add(table, show_key(kb), "deleted"),
                std::cmp::Ordering::Equal => {
                    if da != db {
                        found.add(table, show_key(ka), "edited");
                    }
                    a = ours()?;
                }
            },
        }
        b = sealed()?;
        if let Some((_, d)) = &b {
            accumulate(acc, Some(d), None);
        }
    }
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The query that reads a table's rows in key order; the key's values come first for a
/// rowid table (the rowid), then every column.
fn scan_sql(shape: &Shape) -> String {
    if shape.rowid {
        format!(
            "SELECT rowid, * FROM {} ORDER BY rowid",
            quoted(&shape.name)
        )
    } else {
        let order: Vec<String> = shape.pk.iter().map(|c| (c + 1).to_string()).collect();
        format!(
            "SELECT * FROM {} ORDER BY {}",
            quoted(&shape.name),
            order.join(", ")
        )
    }
}

/// The key and digest of the current row of a scan made by [`scan_sql`].
fn row_seal(
    mac: &Mac,
    shape: &Shape,
    row: &rusqlite::Row<'_>,
    columns: usize,
) -> Result<(Vec<u8>, Digest)> {
    let mut key = Vec::with_capacity(16);
    let skip = usize::from(shape.rowid);
    if shape.rowid {
        push_key(&mut key, row.get_ref(0)?);
    } else {
        for &c in &shape.pk {
            push_key(&mut key, row.get_ref(c)?);
        }
    }
    let mut h = start_row(mac, &shape.name, &key, columns - skip);
    for i in skip..columns {
        feed(&mut h, row.get_ref(i)?);
    }
    Ok((key, h.finish()))
}

/// The schema as sealed rows: each object of `sqlite_master`, and the file's
/// `application_id` and `user_version`, in key order.
fn schema_rows(conn: &Connection, mac: &Mac) -> Result<Vec<(Vec<u8>, Digest)>> {
    let mut rows: Vec<[String; 4]> = {
        let mut stmt = conn.prepare(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master
             WHERE name NOT LIKE 'sqlite_stat%'",
        )?;
        let rows = stmt.query_map([], |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for pragma in ["application_id", "user_version"] {
        let value: i64 = conn.query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))?;
        rows.push([
            "pragma".into(),
            pragma.into(),
            String::new(),
            value.to_string(),
        ]);
    }
    let mut out: Vec<(Vec<u8>, Digest)> = rows
        .iter()
        .map(|r| {
            let mut key = Vec::new();
            push_key(&mut key, ValueRef::Text(r[0].as_bytes()));
            push_key(&mut key, ValueRef::Text(r[1].as_bytes()));
            let mut h = start_row(mac, SCHEMA, &key, 4);
            for part in r {
                feed(&mut h, ValueRef::Text(part.as_bytes()));
            }
            (key, h.finish())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// The tables that have seals, whether or not they still exist.
fn sealed_tables(conn: &Connection) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut next = conn.prepare("SELECT tbl FROM seal WHERE tbl > ?1 ORDER BY tbl LIMIT 1")?;
    let mut after = String::new();
    while let Some(table) = next
        .query_map([&after], |r| r.get::<_, String>(0))?
        .next()
        .transpose()?
    {
        out.push(table.clone());
        after = table;
    }
    Ok(out)
}

/// What checking the facts found: the problems, and the accumulators recomputed from the
/// seal table.
pub(crate) struct FactsCheck {
    pub(crate) found: Found,
    pub(crate) accs: HashMap<String, Digest>,
}

/// Checks every row of every sealed table, and the schema, against the seals.
pub(crate) fn facts(conn: &Connection, mac: &Mac) -> Result<FactsCheck> {
    let mut found = Found::default();
    let mut accs: HashMap<String, Digest> = HashMap::default();
    let shapes = shapes(conn)?;
    let mut names: Vec<String> = shapes.iter().map(|s| s.name.clone()).collect();
    let mut seal_stmt = conn.prepare("SELECT key, digest FROM seal WHERE tbl = ?1 ORDER BY key")?;
    let sealed_next = |rows: &mut rusqlite::Rows<'_>| -> Result<Option<(Vec<u8>, Digest)>> {
        Ok(match rows.next()? {
            Some(r) => Some((
                r.get(0)?,
                r.get::<_, Vec<u8>>(1)?.try_into().unwrap_or([0; 32]),
            )),
            None => None,
        })
    };
    for shape in &shapes {
        let mut stmt = conn.prepare(&scan_sql(shape))?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        let mut seals = seal_stmt.query([&shape.name])?;
        let acc = accs.entry(shape.name.clone()).or_insert([0; 32]);
        merge(
            &mut found,
            &shape.name,
            Box::new(|| match rows.next()? {
                Some(row) => row_seal(mac, shape, row, columns).map(Some),
                None => Ok(None),
            }),
            Box::new(|| sealed_next(&mut seals)),
            acc,
        )?;
    }
    // The schema, and the seals of tables that no longer exist.
    let schema = schema_rows(conn, mac)?;
    names.push(SCHEMA.to_owned());
    for table in sealed_tables(conn)? {
        if names.contains(&table) && table != SCHEMA {
            continue;
        }
        let mut seals = seal_stmt.query([&table])?;
        let mut ours = (table == SCHEMA)
            .then(|| schema.iter().cloned())
            .into_iter()
            .flatten();
        let acc = accs.entry(table.clone()).or_insert([0; 32]);
        merge(
            &mut found,
            &table,
            Box::new(move || Ok(ours.next())),
            Box::new(|| sealed_next(&mut seals)),
            acc,
        )?;
    }
    if !accs.contains_key(SCHEMA) {
        for (key, _) in &schema {
            found.add(SCHEMA, show_key(key), "inserted");
        }
    }
    Ok(FactsCheck { found, accs })
}

/// The problems recorded in the chain by earlier writes and migrations (outside changes
/// they found and did not launder).
pub(crate) fn recorded(conn: &Connection, found: &mut Found) -> Result<()> {
    let mut stmt = conn
        .prepare("SELECT seq, action, detail FROM audit WHERE action IN (?1, ?2) ORDER BY seq")?;
    let mut rows = stmt.query(params![FOUND, BROKEN])?;
    while let Some(row) = rows.next()? {
        let (seq, action, detail): (i64, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
        let detail: serde_json::Value = serde_json::from_str(&detail).unwrap_or_default();
        if action == BROKEN {
            let first = detail["first_bad"].as_i64().unwrap_or(0);
            found.add("audit", first.to_string(), "found_earlier:broken");
            continue;
        }
        let listed = detail["found"].as_array().cloned().unwrap_or_default();
        for item in &listed {
            let text = |k: &str| item[k].as_str().unwrap_or("").to_owned();
            found.add(
                &text("table"),
                text("row"),
                &format!("found_earlier:{}", text("problem")),
            );
        }
        // Those found beyond the list are counted, not named.
        let total = detail["total"].as_i64().unwrap_or(listed.len() as i64);
        for _ in listed.len() as i64..total {
            found.add("audit", seq.to_string(), "found_earlier:unlisted");
        }
    }
    Ok(())
}

/// The detail of a [`FOUND`] record.
pub(crate) fn found_detail(problems: &[FactProblem], total: i64) -> serde_json::Value {
    serde_json::json!({ "found": problems, "total": total })
}

/// What was there before [`reseal`], to check first.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Before<'a> {
    /// A new store: nothing to check.
    New,
    /// A store from before the seals: its chain is SHA-256 without seals, its head in
    /// `meta` (removed once checked).
    Legacy,
    /// A sealed store, under this MAC.
    Sealed(&'a Mac),
}

/// Seals every fact and the schema anew under `new` and rechains the audit records,
/// after checking what was there (see [`Before`]). What that check finds is appended to
/// the chain as records (never laundered): `audit_chain_broken`, `outside_change`.
///
/// Runs inside the caller's transaction: migrations, and a change of the deployment key.
pub(crate) fn reseal(conn: &Connection, before: Before<'_>, new: &Mac, at: &str) -> Result<()> {
    let old = match before {
        Before::Sealed(mac) => Some(mac),
        Before::New | Before::Legacy => None,
    };
    let chain = audit::check_chain(conn, old.unwrap_or(new), matches!(before, Before::Legacy))?;
    if matches!(before, Before::Legacy) {
        conn.execute("DELETE FROM meta WHERE key = 'audit_head'", [])?;
    }
    let mut records: Vec<(&str, String, serde_json::Value)> = Vec::new();
    if let Some((first_bad, problem)) = &chain.bad {
        records.push((
            BROKEN,
            String::new(),
            serde_json::json!({ "first_bad": first_bad, "problem": problem }),
        ));
    }
    if let Some(old) = old {
        let check = facts(conn, old)?;
        let mut found = check.found;
        if chain.head.seq > 0
            && !chain.seals.is_empty()
            && chain.seals != commitment(old, &check.accs)
        {
            found.add("seal", "*".into(), "resealed");
        }
        if found.total > 0 {
            let target = found.problems[0].table.clone();
            records.push((FOUND, target, found_detail(&found.problems, found.total)));
        }
    }
    for (action, target, detail) in records {
        conn.execute(
            "INSERT INTO audit (seq, at, actor, action, target, detail, hash, seals)
             VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM audit), ?1, 'system', ?2, ?3, ?4, '', '')",
            params![at, action, target, detail.to_string()],
        )?;
    }
    conn.execute_batch("DELETE FROM seal; DELETE FROM audit_state WHERE key LIKE 'acc:%';")?;
    let mut accs: HashMap<String, Digest> = HashMap::default();
    let mut insert = conn.prepare("INSERT INTO seal (tbl, key, digest) VALUES (?1, ?2, ?3)")?;
    for shape in shapes(conn)? {
        let mut stmt = conn.prepare(&scan_sql(&shape))?;
        let columns = stmt.column_count();
        let mut rows = stmt.query([])?;
        let acc = accs.entry(shape.name.clone()).or_insert([0; 32]);
        while let Some(row) = rows.next()? {
            let (key, digest) = row_seal(new, &shape, row, columns)?;
            insert.execute(params![shape.name, key, &digest[..]])?;
            accumulate(acc, Some(&digest), None);
        }
    }
    let acc = accs.entry(SCHEMA.to_owned()).or_insert([0; 32]);
    for (key, digest) in schema_rows(conn, new)? {
        insert.execute(params![SCHEMA, key, &digest[..]])?;
        accumulate(acc, Some(&digest), None);
    }
    for (table, acc) in &accs {
        store_accumulator(conn, table, acc)?;
    }
    audit::rechain(conn, new, &commitment(new, &accs))?;
    debug_assert_eq!(load_accumulators(conn)?.len(), accs.len());
    Ok(())
}

/// Recomputes the chain, checks every fact against its seal and the seals against the
/// chain, and, given `since`, that the chain still holds it; its three stages (the chain,
/// the facts, the seals) are reported to `progress` (step `verify_audit`).
pub(crate) fn everything(
    conn: &Connection,
    mac: &Mac,
    since: Option<&AuditHead>,
    progress: Option<&Progress>,
) -> Result<AuditVerification> {
    let stage = |done| progress.map_or(Ok(()), |p| p.report("verify_audit", done, 3));
    stage(0)?;
    let chain = audit::check_chain(conn, mac, false)?;
    stage(1)?;
    let check = facts(conn, mac)?;
    stage(2)?;
    let mut found = check.found;
    recorded(conn, &mut found)?;
    if chain.head.seq > 0 && chain.bad.is_none() && chain.seals != commitment(mac, &check.accs) {
        // The seal table no longer sums to what the chain committed to: name the tables
        // whose seals moved from the accumulators kept beside the head.
        let kept = load_accumulators(conn)?;
        let mut tables: Vec<&String> = check
            .accs
            .keys()
            .chain(kept.keys())
            .filter(|t| {
                let zero = [0; 32];
                check.accs.get(*t).unwrap_or(&zero) != kept.get(*t).unwrap_or(&zero)
            })
            .collect();
        tables.sort();
        tables.dedup();
        if tables.is_empty() {
            found.add("seal", "*".into(), "resealed");
        }
        for table in tables {
            found.add("seal", table.clone(), "resealed");
        }
    }
    let since_problem = match since {
        Some(head) => audit::check_since(conn, head)?,
        None => None,
    };
    let problem = chain
        .bad
        .as_ref()
        .map(|(_, p)| p.clone())
        .or_else(|| since_problem.clone())
        .or_else(|| {
            found.problems.first().map(|first| {
                format!(
                    "{} facts were changed outside the library (first: {} {} {})",
                    found.total, first.table, first.row, first.problem
                )
            })
        });
    Ok(AuditVerification {
        ok: problem.is_none(),
        records: chain.records,
        first_bad: chain
            .bad
            .as_ref()
            .map(|(seq, _)| *seq)
            .or_else(|| since_problem.as_ref().and(since.map(|h| h.seq))),
        problem,
        problems: found.problems,
        problems_total: found.total,
    })
}
