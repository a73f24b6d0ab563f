//! Tags on households and residents, the kinds a deployment knows, and the household
//! class (ordinary or special) derived from them.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::submit::locks::{Locks, TagDay};

use super::{HouseholdClass, TagKind, check_text, end_to_sql};

/// The special flag of every known tag kind.
pub(crate) fn tag_kinds(conn: &Connection) -> Result<HashMap<String, bool>> {
    let mut stmt = conn.prepare_cached("SELECT tag, special FROM tag_kind")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn check_tag(kinds: &HashMap<String, bool>, tag: &str) -> Result<()> {
    if kinds.contains_key(tag) {
        Ok(())
    } else {
        Err(Error::invalid(
            "tag",
            tag,
            "not a tag kind of this store (define it first)",
        ))
    }
}

/// Tags active on `on` for households placed, that day, in the units whose paths lie in
/// `[lo, hi)` or equal `root`: the households' own and their members'.
pub(super) fn subtree_tags(
    conn: &Connection,
    root: &str,
    lo: &str,
    hi: &str,
    on: i64,
) -> Result<HashMap<String, BTreeSet<String>>> {
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    let sql = format!(
        "WITH placed AS MATERIALIZED ({SUBTREE_PLACED}),
         members AS (SELECT r.household_id, r.resident_id FROM placed JOIN resident r
                     ON r.household_id = placed.household_id AND r.member_since <= ?4
                     UNION ALL
                     SELECT m.household_id, m.resident_id FROM placed JOIN membership m
                     ON m.household_id = placed.household_id AND m.valid_from <= ?4 AND m.valid_to > ?4)
         SELECT placed.household_id, t.tag FROM placed
         JOIN tag t ON t.household_id = placed.household_id AND t.start <= ?4 AND t.end_day > ?4
         UNION ALL
         SELECT members.household_id, t.tag FROM members
         JOIN tag t ON t.resident_id = members.resident_id AND t.start <= ?4 AND t.end_day > ?4"
    );
    {
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![root, lo, hi, on])?;
        while let Some(row) = rows.next()? {
            out.entry(row.get(0)?).or_default().insert(row.get(1)?);
        }
    }
    Ok(out)
}

/// The households placed on `?4` in the units whose paths lie in `[?2, ?3)` or equal `?1`:
/// (`household_id`, unit), from the households' own rows and from their earlier places.
pub(super) const SUBTREE_PLACED: &str = "
    SELECT h.household_id, h.unit FROM unit_span s
    JOIN household h ON h.unit = s.code AND h.unit_since <= ?4 AND h.ended > ?4
    WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3)) AND s.valid_from <= ?4 AND s.valid_to > ?4
    UNION ALL
    SELECT p.household_id, p.unit FROM unit_span s
    JOIN household_place p ON p.unit = s.code AND p.valid_from <= ?4 AND p.valid_to > ?4
    WHERE (s.path = ?1 OR (s.path >= ?2 AND s.path < ?3)) AND s.valid_from <= ?4 AND s.valid_to > ?4";

/// The members of household `?1` on `?2`: (`resident_id`, relation).
pub(super) const MEMBERS_ON: &str = "
    SELECT resident_id, relation FROM resident WHERE household_id = ?1 AND member_since <= ?2
    UNION ALL
    SELECT resident_id, relation FROM membership WHERE household_id = ?1 AND valid_from <= ?2 AND valid_to > ?2";

/// The households living on `on` in the subtree of the unit whose path (that day) is
/// `path`, each with its tags that day (its own and its members').
pub(crate) fn placed_with_tags(
    conn: &Connection,
    path: &str,
    on: i64,
) -> Result<HashMap<String, BTreeSet<String>>> {
    let (lo, hi) = (format!("{path}/"), format!("{path}0"));
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached(SUBTREE_PLACED)?;
        let mut rows = stmt.query(params![path, lo, hi, on])?;
        while let Some(row) = rows.next()? {
            out.insert(row.get(0)?, BTreeSet::new());
        }
    }
    for (household, tags) in subtree_tags(conn, path, &lo, &hi, on)? {
        if let Some(slot) = out.get_mut(&household) {
            *slot = tags;
        }
    }
    Ok(out)
}

/// Tags active on `on` for one household: its own and its members'.
pub(crate) fn household_tags(
    conn: &Connection,
    household_id: &str,
    on: i64,
) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    // Three plain statements rather than one over a union of the members: SQLite
    // re-prepared that one for every pair of values bound.
    for sql in [
        "SELECT tag FROM tag WHERE household_id = ?1 AND start <= ?2 AND end_day > ?2",
        "SELECT t.tag FROM resident r JOIN tag t ON t.resident_id = r.resident_id
         WHERE r.household_id = ?1 AND r.member_since <= ?2 AND t.start <= ?2 AND t.end_day > ?2",
        "SELECT t.tag FROM membership m JOIN tag t ON t.resident_id = m.resident_id
         WHERE m.household_id = ?1 AND m.valid_from <= ?2 AND m.valid_to > ?2
           AND t.start <= ?2 AND t.end_day > ?2",
    ] {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query(params![household_id, on])?;
        while let Some(row) = rows.next()? {
            out.insert(row.get(0)?);
        }
    }
    Ok(out)
}

pub(crate) fn class_of(kinds: &HashMap<String, bool>, tags: &BTreeSet<String>) -> HouseholdClass {
    if tags.iter().any(|t| kinds.get(t).copied().unwrap_or(false)) {
        HouseholdClass::Special
    } else {
        HouseholdClass::Ordinary
    }
}

/// Adds a tag row after checking it does not overlap an existing one of the same tag.
pub(super) fn insert_tag(
    conn: &Connection,
    owner: (&str, Option<&str>, Option<i64>),
    tag: &str,
    start: i64,
    end_day: i64,
) -> Result<()> {
    let (label, household_id, resident_id) = owner;
    let clash: Option<i64> = conn
        .prepare_cached(
            "SELECT start FROM tag WHERE household_id IS ?1 AND resident_id IS ?2 AND tag = ?3
             AND start < ?5 AND end_day > ?4 LIMIT 1",
        )?
        .query_row(
            params![household_id, resident_id, tag, start, end_day],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(from) = clash {
        return Err(Error::Conflict(format!(
            "{label} already carries tag {tag} from {} over those days",
            date::iso(from)
        )));
    }
    crate::submit::locks::check_tag_day(
        conn,
        Locks::read(conn)?,
        (household_id, resident_id),
        (TagDay::Start, start),
    )?;
    conn.prepare_cached("INSERT INTO tag (household_id, resident_id, tag, start, end_day) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![household_id, resident_id, tag, start, end_day])?;
    Ok(())
}

/// Ends the tag active on `on` (it no longer holds from that day).
pub(super) fn end_tag(
    conn: &Connection,
    owner: (&str, Option<&str>, Option<i64>),
    tag: &str,
    on: i64,
) -> Result<()> {
    let (label, household_id, resident_id) = owner;
    let found: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT id, start FROM tag WHERE household_id IS ?1 AND resident_id IS ?2 AND tag = ?3
             AND start <= ?4 AND end_day > ?4",
        )?
        .query_row(params![household_id, resident_id, tag, on], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let Some((id, start)) = found else {
        return Err(Error::not_found(
            "tag",
            format!("{tag} on {label} on {}", date::iso(on)),
        ));
    };
    if start == on {
        conn.prepare_cached("DELETE FROM tag WHERE id = ?1")?
            .execute([id])?;
    } else {
        crate::submit::locks::check_tag_day(
            conn,
            Locks::read(conn)?,
            (household_id, resident_id),
            (TagDay::End, on),
        )?;
        conn.prepare_cached("UPDATE tag SET end_day = ?2 WHERE id = ?1")?
            .execute(params![id, on])?;
    }
    Ok(())
}

/// Says a write changed the registry facts of every household `resident_id` ever belonged
/// to (a tag of theirs counts for each while they were a member).
pub(super) fn changes_households_of(
    w: &mut crate::store::Write<'_>,
    resident_id: i64,
) -> Result<()> {
    let households: Vec<String> =
        w.tx.prepare_cached(
            "SELECT household_id FROM resident WHERE resident_id = ?1 AND household_id IS NOT NULL
             UNION SELECT household_id FROM membership WHERE resident_id = ?1",
        )?
        .query_map([resident_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for household_id in &households {
        w.changes_household(household_id);
    }
    Ok(())
}

impl Store {
    /// Puts `tag` on a household from `start` (default: the day it joined the registry) to
    /// `end`, its last day (default open).
    pub fn tag(
        &self,
        household_id: &str,
        tag: &str,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<()> {
        let start_sql = date::start_to_sql(start);
        let end_sql = end_to_sql(end);
        if end_sql <= start_sql {
            return Err(Error::invalid(
                "end",
                end.map(|d| d.to_string()).unwrap_or_default(),
                "ends before it starts",
            ));
        }
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            let unit = self.household_in_scope(&w.tx, household_id, on)?;
            check_tag(&tag_kinds(&w.tx)?, tag)?;
            insert_tag(&w.tx, (household_id, Some(household_id), None), tag, start_sql, end_sql)?;
            w.changes_household(household_id);
            w.audit("tag", household_id, &[unit], &json!({"tag": tag, "start": start.map(|d| d.to_string()), "end": end.map(|d| d.to_string())}))
        })
    }

    /// Ends a household's `tag` from `on` (it no longer carries it that day).
    pub fn untag(&self, household_id: &str, tag: &str, on: Date) -> Result<()> {
        self.write(|w| {
            let unit = self.household_in_scope(&w.tx, household_id, on)?;
            end_tag(
                &w.tx,
                (household_id, Some(household_id), None),
                tag,
                date::to_sql(on),
            )?;
            w.changes_household(household_id);
            w.audit(
                "untag",
                household_id,
                &[unit],
                &json!({"tag": tag, "on": on.to_string()}),
            )
        })
    }

    /// Puts `tag` on a resident from `start` (default always) to `end` (last day).
    pub fn tag_resident(
        &self,
        resident_id: i64,
        tag: &str,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<()> {
        let start_sql = date::start_to_sql(start);
        let end_sql = end_to_sql(end);
        if end_sql <= start_sql {
            return Err(Error::invalid(
                "end",
                end.map(|d| d.to_string()).unwrap_or_default(),
                "ends before it starts",
            ));
        }
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            let household_id = self.resident_in_scope(&w.tx, resident_id, on)?;
            let unit = super::latest_unit(&w.tx, &household_id)?;
            check_tag(&tag_kinds(&w.tx)?, tag)?;
            let label = format!("resident {resident_id}");
            insert_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                start_sql,
                end_sql,
            )?;
            changes_households_of(w, resident_id)?;
            w.audit(
                "tag_resident",
                &resident_id.to_string(),
                unit.as_slice(),
                &json!({"tag": tag, "start": start.map(|d| d.to_string())}),
            )
        })
    }

    /// Ends a resident's `tag` from `on`.
    pub fn untag_resident(&self, resident_id: i64, tag: &str, on: Date) -> Result<()> {
        self.write(|w| {
            let household_id = self.resident_in_scope(&w.tx, resident_id, on)?;
            let unit = super::latest_unit(&w.tx, &household_id)?;
            let label = format!("resident {resident_id}");
            end_tag(
                &w.tx,
                (&label, None, Some(resident_id)),
                tag,
                date::to_sql(on),
            )?;
            changes_households_of(w, resident_id)?;
            w.audit(
                "untag_resident",
                &resident_id.to_string(),
                unit.as_slice(),
                &json!({"tag": tag, "on": on.to_string()}),
            )
        })
    }

    /// Defines a deployment's own tag kind, or changes whether a kind counts as special.
    /// Needs an unrestricted handle.
    pub fn define_tag(&self, tag: &str, special: bool) -> Result<()> {
        self.check_unscoped("defining tags")?;
        check_text("tag", tag, 32)?;
        self.write(|w| {
            w.tx.prepare_cached(
                "INSERT INTO tag_kind (tag, special) VALUES (?1, ?2) ON CONFLICT (tag) DO UPDATE SET special = excluded.special",
            )?
            .execute(params![tag, special])?;
            w.audit("define_tag", tag, &[] as &[&str], &json!({"special": special}))
        })
    }

    /// The tag kinds this store knows, sorted.
    pub fn tag_kinds(&self) -> Result<Vec<TagKind>> {
        let conn = self.read()?;
        let mut kinds: Vec<TagKind> = tag_kinds(&conn)?
            .into_iter()
            .map(|(tag, special)| TagKind { tag, special })
            .collect();
        kinds.sort_by(|a, b| a.tag.cmp(&b.tag));
        Ok(kinds)
    }
}
