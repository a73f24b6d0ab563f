//! The households' part of an export: each household's places, special stretches,
//! members and visit requirements, written again together when any of them changed.

use rusqlite::Connection;

use super::manifest::{Keys, digest64};
use super::parts::Val;
use super::rows::{Plan, Writers};
use crate::date::FOREVER;
use crate::error::Result;
use crate::store::Store;
use crate::visits::facts::{Requirement, calendar_rules, each_requirement_of};

/// Writes the households living, at any time, under the root whose facts changed.
pub(super) fn households(
    store: &Store,
    conn: &Connection,
    plan: &Plan,
    w: &mut Writers,
    keys: &mut Keys,
    seq: i64,
) -> Result<()> {
    let snapshot = store.registry_snapshot(conn)?;
    let log = store.visit_log(conn, &snapshot)?;
    let rules = calendar_rules(conn)?;
    let covered: Vec<bool> = (0..snapshot.unit_len())
        .map(|i| plan.covers(snapshot.unit_code(i as u32)))
        .collect();
    let known = keys.tables.entry("households".to_owned()).or_default();
    let id = plan.store_id.as_str();
    let mut failed = None;
    let mut bytes: Vec<u8> = Vec::new();
    let mut requirements: Vec<Requirement> = Vec::new();
    let mut i = 0usize;
    snapshot.each_held(|h| {
        if failed.is_some() {
            return;
        }
        i += 1;
        if let Err(e) = crate::progress::keep_going(store.progress(), i) {
            failed = Some(e);
            return;
        }
        let facts = snapshot.facts_of(h);
        if !facts.places.iter().any(|&(u, _)| covered[u as usize]) {
            return;
        }
        let household = snapshot.id(h);
        requirements.clear();
        each_requirement_of(&snapshot, &log, h, &rules, plan.window(), |r| {
            if covered[r.unit as usize] {
                requirements.push(r);
            }
        });
        bytes.clear();
        bytes.push(u8::from(facts.floating));
        for &(u, (from, to)) in facts.places.iter().filter(|(u, _)| covered[*u as usize]) {
            bytes.extend_from_slice(snapshot.unit_code(u).as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(&from.to_le_bytes());
            bytes.extend_from_slice(&to.to_le_bytes());
        }
        for list in [facts.special, facts.members] {
            bytes.push(0xff);
            for &(from, to) in list {
                bytes.extend_from_slice(&from.to_le_bytes());
                bytes.extend_from_slice(&to.to_le_bytes());
            }
        }
        bytes.push(0xfe);
        for r in &requirements {
            bytes.extend_from_slice(&(r.rule as u64).to_le_bytes());
            bytes.extend_from_slice(&r.first.to_le_bytes());
            bytes.extend_from_slice(&r.unit.to_le_bytes());
            bytes.push(u8::from(r.met));
        }
        let key = digest64(&[household.as_bytes()]);
        let digest = digest64(&[household.as_bytes(), &bytes]);
        if known.get(&key) == Some(&digest) {
            return;
        }
        known.insert(key, digest);
        let mut write = || -> Result<()> {
            let hid = Val::Text(household);
            let s = Val::Int(seq);
            let day = |d: i64| Val::Date(d.min(FOREVER));
            w.get("households")
                .push(&[Val::Text(id), hid, Val::Bool(facts.floating), s])?;
            for &(u, (from, to)) in facts.places.iter().filter(|(u, _)| covered[*u as usize]) {
                w.get("household_places").push(&[
                    Val::Text(id),
                    hid,
                    Val::Text(snapshot.unit_code(u)),
                    day(from),
                    day(to),
                    s,
                ])?;
            }
            for (table, list) in [
                ("household_special", facts.special),
                ("household_members", facts.members),
            ] {
                let p = w.get(table);
                for &(from, to) in list {
                    p.push(&[Val::Text(id), hid, day(from), day(to), s])?;
                }
            }
            let p = w.get("requirements");
            for r in &requirements {
                let (set_from, _, rule) = &rules[r.rule];
                p.push(&[
                    Val::Text(id),
                    hid,
                    Val::Text(&rule.name),
                    day(*set_from),
                    Val::Text(rule.channel.as_str()),
                    day(r.first),
                    day(r.last),
                    Val::Text(snapshot.unit_code(r.unit)),
                    Val::Bool(r.met),
                    s,
                ])?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            failed = Some(e);
        }
    });
    failed.map_or(Ok(()), Err)
}
