//! Time's own action: entries not signed for within their limit escalated, as automatic
//! events, by [`Store::tick`].

use serde_json::json;

use super::apply::{Current, Unstored, Walk, current};
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
            // The entries are worked in id order, where their rows, events and seals lie
            // side by side in the file, and their events returned in the order due.
            let mut order: Vec<usize> = (0..due.len()).collect();
            order.sort_unstable_by_key(|&i| due[i]);
            let mut made_of: Vec<Vec<EntryEvent>> = vec![Vec::new(); due.len()];
            let mut units_of: Vec<Vec<String>> = vec![Vec::new(); due.len()];
            let mut walk = Walk::new(self, &w.tx)?;
            let actor = w.actor().to_owned();
            for i in order {
                let id = due[i];
                let (made, units) = (&mut made_of[i], &mut units_of[i]);
                let mut cur = current(&w.tx, id)?;
                if self.access.root.is_some() {
                    let path = walk.path(&w.tx, &cur.unit)?;
                    if self.check_path_in_scope(&cur.unit, path).is_err() {
                        continue;
                    }
                }
                // The entry's row as its escalations leave it, stored after the last.
                let mut unstored: Option<Unstored> = None;
                while let Some(limit_end) = cur.state.sign_due.filter(|d| *d < now) {
                    let at = (limit_end + 1).max(cur.last_at);
                    let day = day_of(at, offset);
                    let Some(target) =
                        Self::escalation_target(&w.tx, &mut walk, &cur.state, None, day)?
                    else {
                        // Nothing is above: tick need not look at it again.
                        match unstored.take() {
                            Some(done) => done.store_at_top(w)?,
                            None => {
                                w.tx.prepare_cached(
                                    "UPDATE entry SET sign_due = NULL WHERE id = ?1",
                                )?
                                .execute([id])?;
                            }
                        }
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
                    let done =
                        self.step(w, &mut walk, (id, cur), &step, at, (None, &note, true))?;
                    let (state, marks) = (done.state.clone(), done.marks.clone());
                    unstored = Some(done);
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
                        marks,
                    };
                }
                if let Some(done) = unstored {
                    done.store(w)?;
                }
            }
            let made: Vec<EntryEvent> = made_of.into_iter().flatten().collect();
            let units: Vec<String> = units_of.into_iter().flatten().collect();
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

#[cfg(test)]
mod tests {
    use crate::ledger::Action;
    use crate::ledger::marks::{Mark, append};
    use crate::ledger::workflow::State;
    use crate::{NewEntry, Store};

    /// Checks that entry `id`'s row holds its last event's state, its count of events
    /// and a mark for each.
    fn stored_as_its_events_left_it(store: &Store, id: i64) {
        let conn = store.read().unwrap();
        let (state, events, marks): (String, u32, Vec<u8>) = conn
            .query_row(
                "SELECT state, events, marks FROM entry WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        let mut stmt = conn
            .prepare("SELECT action, at, state FROM entry_event WHERE entry_id = ?1 ORDER BY seq")
            .unwrap();
        let history: Vec<(String, i64, String)> = stmt
            .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(events as usize, history.len());
        assert_eq!(state, history.last().unwrap().2);
        let mut rebuilt = Vec::new();
        for (action, at, state) in &history {
            let state = State::from_json(state).unwrap();
            append(
                &mut rebuilt,
                &Mark::new(Action::parse(action).unwrap(), *at, &state),
            );
        }
        assert_eq!(marks, rebuilt);
    }

    /// A county down to one grid, `512021100001001`.
    fn county() -> Store {
        let store = Store::open(":memory:").unwrap();
        for (code, name, level, parent) in [
            ("512021", "安岳县", "county", None),
            ("512021100", "岳阳镇", "township", Some("512021")),
            ("512021100001", "北坝社区", "community", Some("512021100")),
            (
                "512021100001001",
                "北坝一网格",
                "grid",
                Some("512021100001"),
            ),
        ] {
            store.add_unit(code, name, level, parent, None).unwrap();
        }
        store
    }

    #[test]
    fn a_tick_returns_each_entrys_events_in_the_order_the_entries_fell_due_not_by_id() {
        let store = county();
        let at = |s: &str| store.parse_moment(s).unwrap();
        let register = |when: &str| {
            store
                .register(&NewEntry::new(
                    "512021100001001",
                    None,
                    "路灯坏了",
                    at(when),
                ))
                .unwrap()
                .id
        };
        // The later entry is reported first, so it has the smaller id.
        let (later, earlier) = (register("2025-03-05T09:00"), register("2025-03-03T09:00"));
        assert!(later < earlier);
        let events = store.tick(&at("2025-03-20T00:00")).unwrap();
        let ids: Vec<i64> = events.iter().map(|e| e.entry_id).collect();
        let split = ids.iter().position(|&id| id == later).unwrap();
        assert!(split > 0, "{ids:?}");
        assert!(ids[..split].iter().all(|&id| id == earlier), "{ids:?}");
        assert!(ids[split..].iter().all(|&id| id == later), "{ids:?}");
        for pair in events.windows(2).filter(|p| p[0].entry_id == p[1].entry_id) {
            assert!(pair[0].seq < pair[1].seq && pair[0].at <= pair[1].at);
        }
    }

    #[test]
    fn an_entry_escalated_again_and_again_in_one_tick_is_stored_as_its_last_event_left_it() {
        let store = county();
        let at = store.parse_moment("2025-03-03T09:00").unwrap();
        let id = store
            .register(&NewEntry::new("512021100001001", None, "路灯坏了", at))
            .unwrap()
            .id;
        // Twice, to the community and the township; the county's limit has not run out.
        let tick = |at: &str| store.tick(&store.parse_moment(at).unwrap()).unwrap();
        let events = tick("2025-03-08T00:00");
        assert_eq!(events.len(), 2, "{events:?}");
        stored_as_its_events_left_it(&store, id);
        assert_eq!(store.entry(id).unwrap().handler, events[1].handler);
        assert!(
            tick("2025-03-08T00:00").is_empty(),
            "its limit is stored too"
        );
        // Later, to the county, the top, where it stays.
        let events = tick("2025-03-20T00:00");
        assert_eq!(events.len(), 1, "{events:?}");
        stored_as_its_events_left_it(&store, id);
        let due: Option<i64> = store
            .read()
            .unwrap()
            .query_row("SELECT sign_due FROM entry WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(due, None, "tick need not look at it again");
        assert!(tick("2025-04-20T00:00").is_empty());
    }
}
