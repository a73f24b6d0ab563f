//! Submissions travel up: the store of the level above (a city's, holding its units down
//! to at least its counties) receives a unit's sealed submission from the unit's own store
//! (a county's) and reports from it.
//!
//! **What is sent.** [`Submission::to_json`] with its report: the unit, period, version
//! count, times, author and approver, the sending store's audit head when the version was
//! submitted, the report, and `seal`, the SM3 digest (GB/T 32905) of a canonical
//! serialisation of all the rest ([`seal_of`]).
//!
//! **What the seal proves, and what it does not.** The seal is a plain digest, not keyed:
//! stores of different deployments share no key, so anyone who can edit the JSON can also
//! compute a new seal. It catches corruption and edits made without recomputing it, no
//! more. What anchors a county is its audit head: each version carries the head of its
//! store's chain when it was submitted, received heads of one unit must read as one chain
//! growing (a version submitted later carries a sequence number no lower; equal numbers
//! carry equal digests), and the county's store can prove at any time with
//! `verify_audit(since=head)` that its chain still extends every head it sent, so a
//! rewritten county store cannot pass for the one that submitted. Figures are checked
//! for consistency (each rate's numerator at most its denominator, rows adding up to the
//! totals), which catches careless edits, not careful ones.
//!
//! **Versions.** A later version (by the sender's version count) replaces the earlier
//! one until the report is approved here; after that a newer version is a `Conflict`, as
//! a write to a locked period is. The very same sealed JSON received again changes
//! nothing and returns the submission as stored; an older version, or another text of a
//! version already received, is a `Conflict`.
//!
//! **Approval.** Approval is the level above's act: a received submission stands here as
//! `submitted`, whatever the sender's store said, until this store approves it with
//! [`Store::approve`] (a handle above the unit). A version its own store marks approved is
//! accepted (its approval stays in the stored sealed text), but no version after it is.

use rusqlite::params;
use serde_json::{Map, Value, json};
use sm3::{Digest, Sm3};

use super::{Submission, rule_for, rule_sets};
use crate::date::{self, Moment};
use crate::error::{Error, Result};
use crate::period::Period;
use crate::store::{AuditHead, Store};

/// The longest sealed JSON received, in bytes.
pub const MAX_SEALED_LEN: usize = 8 << 20;

/// The keys of a sealed submission, as [`Submission::to_json`] writes them with its report.
const KEYS: [&str; 15] = [
    "unit",
    "period",
    "due",
    "status",
    "versions",
    "first_submitted_at",
    "submitted_at",
    "author",
    "on_time",
    "approved_at",
    "approver",
    "audit_head",
    "received_at",
    "seal",
    "report",
];

/// What the seal's digest starts with, so it cannot pass for another digest.
const SEAL_DOMAIN: &[u8] = b"wangge submission seal 1\n";

/// Writes `value` with the keys of every object sorted and no spaces.
fn canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                canonical(&map[key], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// The seal of a submission's JSON: the SM3 digest (hex) of the canonical serialisation
/// (keys sorted, no spaces) of every key but `seal`.
pub fn seal_of(submission: &Value) -> String {
    let mut rest = submission.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("seal");
    }
    let mut text = String::new();
    canonical(&rest, &mut text);
    let digest = Sm3::new()
        .chain_update(SEAL_DOMAIN)
        .chain_update(text.as_bytes())
        .finalize();
    crate::store::keys::to_hex(&digest)
}

/// A received submission, read and checked alone.
struct Sealed {
    unit: String,
    period: Period,
    version: u32,
    submitted_at: Moment,
    author: String,
    approved: bool,
    head: AuditHead,
    seal: String,
    /// The report's level.
    level: String,
    /// The report's JSON text.
    report: String,
    /// The sealed JSON without its report.
    rest: String,
}

/// The text at `key`, required.
fn text<'v>(map: &'v Map<String, Value>, key: &'static str) -> Result<&'v str> {
    map.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid(key, shown(map.get(key)), "required text"))
}

/// A value as a message shows it.
fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(missing)".to_owned(), Value::to_string)
}

/// The moment at `key`, if any (RFC 3339).
fn moment(
    map: &Map<String, Value>,
    key: &'static str,
    offset: chrono::FixedOffset,
) -> Result<Option<Moment>> {
    match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(t)) => date::parse_moment(key, t, offset).map(Some),
        Some(other) => Err(Error::invalid(
            key,
            other,
            "expected a time (RFC 3339) or null",
        )),
    }
}

/// Reads and checks `json` alone: its shape, its seal and its report's figures.
fn read(json: &str, offset: chrono::FixedOffset) -> Result<Sealed> {
    if json.len() > MAX_SEALED_LEN {
        return Err(Error::invalid(
            "sealed",
            format!("{} bytes", json.len()),
            format!("a sealed submission has at most {MAX_SEALED_LEN} bytes"),
        ));
    }
    let value = crate::json::value(json, "sealed", false)?;
    let Some(map) = value.as_object() else {
        return Err(Error::invalid(
            "sealed",
            json,
            "expected a JSON object: a submission with its report and seal",
        ));
    };
    if let Some(key) = map.keys().find(|k| !KEYS.contains(&k.as_str())) {
        return Err(Error::invalid(
            "sealed",
            key,
            format!("unknown key (expected {})", KEYS.join(", ")),
        ));
    }
    let seal = text(map, "seal")?;
    if seal != seal_of(&value) {
        return Err(Error::invalid(
            "seal",
            seal,
            "the seal does not match the submission: it was changed after it was sealed",
        ));
    }
    let unit = text(map, "unit")?;
    crate::levels::check_code_chars(unit)
        .map_err(|_| Error::invalid("unit", unit, "not a unit code"))?;
    let period = Period::parse(text(map, "period")?)?;
    let version = map
        .get("versions")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n >= 1)
        .ok_or_else(|| {
            Error::invalid(
                "versions",
                shown(map.get("versions")),
                "a whole number from 1",
            )
        })?;
    let submitted_at = moment(map, "submitted_at", offset)?
        .ok_or_else(|| Error::invalid("submitted_at", "null", "required"))?;
    for key in ["due", "first_submitted_at", "approved_at", "received_at"] {
        moment(map, key, offset)?;
    }
    let author = text(map, "author")?;
    crate::text::check_len("author", author, 1, 128)?;
    let approved = match map.get("status").and_then(Value::as_str) {
        Some("submitted") => false,
        Some("approved") => true,
        _ => {
            return Err(Error::invalid(
                "status",
                shown(map.get("status")),
                "expected submitted or approved",
            ));
        }
    };
    let head = match map.get("audit_head") {
        Some(h @ Value::Object(_)) => AuditHead::from_json(&h.to_string())?,
        other => {
            return Err(Error::invalid(
                "audit_head",
                shown(other),
                "required: the sending store's audit head {\"seq\", \"digest\", \"at\"}",
            ));
        }
    };
    let report = map.get("report").unwrap_or(&Value::Null);
    let level = report
        .get("level")
        .and_then(Value::as_str)
        .unwrap_or_default();
    for (key, want) in [("unit", unit.to_owned()), ("period", period.to_string())] {
        if report.get(key).and_then(Value::as_str) != Some(want.as_str()) {
            return Err(Error::invalid(
                "report",
                format!("{key} {}", shown(report.get(key))),
                format!("the report is not the submission's: its {key} is not {want}"),
            ));
        }
    }
    crate::report::received::figures(report)?;
    let mut rest = map.clone();
    rest.remove("report");
    Ok(Sealed {
        unit: unit.to_owned(),
        period,
        version,
        submitted_at,
        author: author.to_owned(),
        approved,
        head,
        seal: seal.to_owned(),
        level: level.to_owned(),
        report: report.to_string(),
        rest: Value::Object(rest).to_string(),
    })
}

/// A version stored here of one unit's reports: period, version, submitted, approved,
/// audit head, sealed text (`None` when submitted in this store).
type Stored = (
    String,
    u32,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// What is wrong, if anything, with `new` as a head of the same chain as `old`, when the
/// submission carrying `new` came `later` (or earlier) than the one carrying `old`: a
/// later version of the same period, or a report of another period submitted later.
fn head_problem(new: &AuditHead, old: &AuditHead, later: Option<bool>) -> Option<String> {
    if new.seq == old.seq && new.digest != old.digest {
        return Some(format!(
            "its audit head {} at sequence {} is not the head {} received at the same sequence",
            new.digest, new.seq, old.digest
        ));
    }
    match later {
        Some(true) if new.seq < old.seq => Some(format!(
            "its audit head goes back: sequence {} after {} was received",
            new.seq, old.seq
        )),
        Some(false) if new.seq > old.seq => Some(format!(
            "its audit head goes back: sequence {} after {} was received",
            old.seq, new.seq
        )),
        _ => None,
    }
}

impl Store {
    /// Receives a unit's sealed submission, `sealed_json` as [`Submission::to_json`]
    /// gives it with its report in the unit's own store, and returns where the unit's
    /// report for the period now stands here. What the seal is worth, how versions,
    /// approval and audit heads are handled: see `submit/receive.rs`. A version the
    /// unit's own store marked approved stands here as submitted until this store
    /// approves it with [`Store::approve`].
    ///
    /// The unit must exist here on the period's last day (`NotFound`), lie in this
    /// handle's scope and not be its root (`PermissionDenied`), and its level must report
    /// at the period's cadence under this store's rules (`InvalidInput`). A malformed
    /// JSON, a seal that does not match, a report of another unit or period, or figures
    /// that do not add up are `InvalidInput` naming the field; an audit head that does not
    /// extend the unit's earlier ones, an older version, or a version after approval are
    /// `Conflict`. Nothing is written then.
    pub fn receive_submission(&self, sealed_json: &str) -> Result<Submission> {
        let s = read(sealed_json, self.offset())?;
        self.receive_sealed(&s)
    }

    fn receive_sealed(&self, s: &Sealed) -> Result<Submission> {
        let (unit, key) = (s.unit.as_str(), s.period.to_string());
        self.write(|w| {
            let span = crate::units::span_on(&w.tx, unit, s.period.last())?
                .ok_or_else(|| Error::not_found("unit", format!("{unit} on {}", s.period.last())))?;
            self.check_path_in_scope(unit, &span.path)?;
            if self.access.root.as_deref() == Some(unit) {
                return Err(Error::PermissionDenied(format!(
                    "the report of {unit} is received by the level above, not by {unit} itself (actor {})",
                    self.access.actor
                )));
            }
            if s.level != span.level {
                return Err(Error::invalid(
                    "report",
                    format!("level {}", s.level),
                    format!("the report is of a {} but {unit} is a {} here", s.level, span.level),
                ));
            }
            let sets = rule_sets(&w.tx, self.levels())?;
            match rule_for(&sets, &span.level, date::to_sql(s.period.first())) {
                None => {
                    return Err(Error::invalid(
                        "unit",
                        unit,
                        format!("a {} does not report (no reporting rule for its level)", span.level),
                    ));
                }
                Some(rule) if rule.every != s.period.kind() => {
                    return Err(Error::invalid(
                        "period",
                        s.period,
                        format!("a {} reports every {}", span.level, rule.every.as_str()),
                    ));
                }
                Some(_) => {}
            }
            // Every version of this unit's reports stored here, any period.
            let stored: Vec<Stored> = w
                .tx
                .prepare_cached(
                    "SELECT period, version, submitted_at, approved_at, audit_head, sealed
                     FROM submission WHERE unit = ?1",
                )?
                .query_map(params![unit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })?
                .collect::<rusqlite::Result<_>>()?;
            let sealed_of = |text: &Option<String>| -> Option<Value> {
                text.as_deref().and_then(|t| serde_json::from_str(t).ok())
            };
            let this: Vec<_> = stored.iter().filter(|r| r.0 == key).collect();
            if this.iter().any(|r| sealed_of(&r.5).is_some_and(|v| v["seal"] == s.seal.as_str())) {
                return Ok(false);
            }
            if let Some(latest) = this.iter().max_by_key(|r| r.1) {
                if latest.5.is_none() {
                    return Err(Error::Conflict(format!(
                        "the report of {unit} for {key} was submitted in this store, not received"
                    )));
                }
                let approved_there = this
                    .iter()
                    .any(|r| sealed_of(&r.5).is_some_and(|v| v["status"] == "approved"));
                if latest.3.is_some() || approved_there {
                    return Err(Error::Conflict(format!(
                        "the report of {unit} for {key} was approved and is locked"
                    )));
                }
                if s.version <= latest.1 {
                    return Err(Error::Conflict(format!(
                        "the report of {unit} for {key}: version {} was received, {} is not newer",
                        latest.1, s.version
                    )));
                }
            }
            let at = s.submitted_at.timestamp();
            for (period, version, old_at, _, head, sealed) in &stored {
                let Some(old) = head.as_deref().filter(|_| sealed.is_some()) else {
                    continue;
                };
                let old = AuditHead::from_json(old)?;
                // Versions of one period are in order of their numbers; reports of other
                // periods in order of their times.
                let later = if *period == key {
                    Some(s.version > *version)
                } else {
                    (at != *old_at).then_some(at > *old_at)
                };
                if let Some(problem) = head_problem(&s.head, &old, later) {
                    return Err(Error::Conflict(format!(
                        "the report of {unit} for {key} cannot be received: {problem}"
                    )));
                }
            }
            let head = serde_json::to_string(&s.head).map_err(|e| Error::Storage(e.to_string()))?;
            w.tx.prepare_cached(
                "INSERT INTO submission (unit, period, version, first_day, last_day, submitted_at,
                     author, report, audit_head, received_at, sealed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                unit,
                key,
                s.version,
                date::to_sql(s.period.first()),
                date::to_sql(s.period.last()),
                at,
                s.author,
                s.report,
                head,
                chrono::Utc::now().timestamp(),
                s.rest
            ])?;
            w.changes_no_household();
            w.audit(
                "receive_report",
                unit,
                &[unit],
                &json!({"period": key, "version": s.version, "submitted_at": s.submitted_at.to_rfc3339(),
                        "author": s.author, "approved_there": s.approved, "audit_head": s.head, "seal": s.seal}),
            )?;
            Ok(true)
        })?;
        self.submission(unit, s.period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seal_does_not_depend_on_key_order_and_covers_every_other_key() {
        let a = json!({"b": 1, "a": {"y": [1, 2], "x": null}});
        let b: Value = serde_json::from_str(r#"{"a": {"x": null, "y": [1, 2]}, "b": 1}"#).unwrap();
        assert_eq!(seal_of(&a), seal_of(&b));
        let mut sealed = a.clone();
        sealed["seal"] = Value::String(seal_of(&a));
        assert_eq!(seal_of(&sealed), seal_of(&a), "the seal itself is left out");
        let c = json!({"b": 2, "a": {"y": [1, 2], "x": null}});
        assert_ne!(seal_of(&a), seal_of(&c));
        assert_eq!(seal_of(&a).len(), 64);
    }

    #[test]
    fn heads_of_one_chain_only_grow() {
        let head = |seq, d: char| AuditHead {
            seq,
            digest: d.to_string().repeat(64),
            at: String::new(),
        };
        assert!(head_problem(&head(5, 'a'), &head(3, 'b'), Some(true)).is_none());
        assert!(head_problem(&head(3, 'a'), &head(5, 'b'), Some(true)).is_some());
        assert!(head_problem(&head(3, 'a'), &head(5, 'b'), Some(false)).is_none());
        assert!(head_problem(&head(5, 'a'), &head(5, 'b'), None).is_some());
        assert!(head_problem(&head(5, 'a'), &head(5, 'a'), None).is_none());
    }
}
