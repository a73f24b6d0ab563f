//! Time's own action: entries not signed for within their limit escalated, as automatic
//! events, by [`Store::tick`].

use serde_json::json;

use super::apply::{Current, Walk, current};
use super::workflow::{Step, day_of};
use crate::date::Moment;
use crate::error::Result;
use crate::ledger::{Action, EntryEvent, TimeLimit, moment_of};
use crate::store::Store;

impl Store {
    /// Applies what time has made due by `now`: every entry of this handle's scope whose
    /// handler has not signed for it within its limit is escalated to the level above,
    /// as an automatic event at the moment the limit ran out (or its last event, if
    /// later), again and again while the new limit has also run out by `now`, up to the
    /// top of the tree. Deterministic, and idempotent: a second tick at the same `now`
    /// does nothing. Returns the events made, in order.
    pub fn tick(&self, now: &Moment) -> Result<Vec<EntryEvent>> {
        let now = now.timestamp();
        let offset = self.offset();
        let made = self.write(|w| {
            let due: Vec<i64> = {
                let mut stmt = w.tx.prepare_cached(
                    "SELECT id FROM entry WHERE sign_due IS NOT NULL AND sign_due < ?1 ORDER BY sign_due, id",
                )?;
                let rows = stmt.query_map([now], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut made = Vec::new();
            let mut units = Vec::new();
            let mut walk = Walk::new(self, &w.tx)?;
            let actor = w.actor().to_owned();
            for id in due {
                let mut cur = current(&w.tx, id)?;
                if self.access.root.is_some() {
                    let path = walk.path(&w.tx, &cur.unit)?;
                    if self.check_path_in_scope(&cur.unit, path).is_err() {
                        continue;
                    }
                }
                while let Some(limit_end) = cur.state.sign_due.filter(|d| *d < now) {
                    let at = (limit_end + 1).max(cur.last_at);
                    let day = day_of(at, offset);
                    let Some(target) =
                        Self::escalation_target(&w.tx, &mut walk, &cur.state, None, day)?
                    else {
                        // Nothing is above: tick need not look at it again.
                        w.tx.prepare_cached("UPDATE entry SET sign_due = NULL WHERE id = ?1")?
                            .execute([id])?;
                        break;
                    };
                    let note = format!(
                        "not signed for by {} within {}",
                        cur.state.handler,
                        describe(cur.limits.1)
                    );
                    let (unit, limits, events) = (cur.unit.clone(), cur.limits, cur.events);
                    units.push(unit.clone());
                    let step = Step::Escalate(target);
                    let state =
                        self.step(w, &mut walk, (id, cur), &step, at, (None, &note, true))?;
                    made.push(EntryEvent {
                        entry_id: id,
                        seq: events + 1,
                        action: Action::Escalate,
                        actor: actor.clone(),
                        at: moment_of(at, offset),
                        note,
                        auto: true,
                        days: None,
                        satisfied: None,
                        status: state.status,
                        handler: state.handler.clone(),
                        deadline: moment_of(state.deadline, offset),
                        hard: state.hard,
                    });
                    cur = Current {
                        unit,
                        limits,
                        state,
                        last_at: at,
                        events: events + 1,
                    };
                }
            }
            w.changes_no_household();
            if !made.is_empty() {
                w.audit(
                    "tick",
                    &moment_of(now, offset).to_rfc3339(),
                    &units,
                    &json!({"escalations": made.len()}),
                )?;
            }
            Ok(made)
        })?;
        Ok(made)
    }
}

fn describe(limit: TimeLimit) -> String {
    match limit {
        TimeLimit::WorkingDays(n) => format!("{n} working day(s)"),
        TimeLimit::Hours(n) => format!("{n} hour(s)"),
    }
}
