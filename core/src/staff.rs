//! Staff (网格员 and the other roles) and their assignments to units.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::json;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::privacy::mask_phone;
use crate::store::Store;
use crate::store::keys::Field;

/// A role a staff member holds on a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 网格长/网格负责人: the grid chief.
    GridChief,
    /// 网格员: a grid worker.
    GridWorker,
    /// 信息员: the information officer.
    InfoOfficer,
    /// 督导员: the supervisor.
    Supervisor,
    /// 楼栋长: a building captain.
    BuildingCaptain,
    /// 指导员: a guide.
    Guide,
    /// 党员: a party member with a contact quota.
    PartyMember,
}

impl Role {
    /// Every role, in the order the responsible list is given (most responsible first).
    pub const ALL: [Role; 7] = [
        Role::GridChief,
        Role::GridWorker,
        Role::InfoOfficer,
        Role::Supervisor,
        Role::BuildingCaptain,
        Role::Guide,
        Role::PartyMember,
    ];

    /// The role's stable name, e.g. `grid_chief`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::GridChief => "grid_chief",
            Role::GridWorker => "grid_worker",
            Role::InfoOfficer => "info_officer",
            Role::Supervisor => "supervisor",
            Role::BuildingCaptain => "building_captain",
            Role::Guide => "guide",
            Role::PartyMember => "party_member",
        }
    }

    /// Parses a role name, or `InvalidInput` naming it.
    pub fn parse(text: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                Error::invalid(
                    "role",
                    text,
                    format!("expected one of {}", names.join(", ")),
                )
            })
    }

    fn rank(self) -> usize {
        Role::ALL
            .iter()
            .position(|r| *r == self)
            .unwrap_or(usize::MAX)
    }
}

/// A staff member. The phone is masked unless read with [`Store::staff_phone`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Staff {
    /// The caller's id for the person.
    pub staff_id: String,
    /// Their name.
    pub name: String,
    /// Their phone, masked (`138****5678`).
    pub phone: Option<String>,
}

/// A staff member's role on a unit over a stretch of days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The assignment's id in this store.
    pub id: i64,
    /// Who.
    pub staff_id: String,
    /// Their name.
    pub name: String,
    /// On which unit.
    pub unit: String,
    /// In which role.
    pub role: Role,
    /// The first day; `None` for "always".
    pub start: Option<Date>,
    /// The last day (inclusive); `None` while it lasts.
    pub end: Option<Date>,
}

fn check_staff_id(staff_id: &str) -> Result<()> {
    crate::text::check_len("staff_id", staff_id, 1, 64)
}

fn check_phone(phone: &str) -> Result<()> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(3..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
    {
        return Err(Error::invalid(
            "phone",
            mask_phone(phone),
            "a phone is 3 to 20 digits, with '-', '+' or spaces",
        ));
    }
    Ok(())
}

impl Store {
    /// Adds a staff member. A duplicate id is a `Conflict`.
    pub fn add_staff(&self, staff_id: &str, name: &str, phone: Option<&str>) -> Result<Staff> {
        check_staff_id(staff_id)?;
        crate::text::check_len("name", name, 1, 100)?;
        if let Some(phone) = phone {
            check_phone(phone)?;
        }
        self.write(|w| {
            let exists =
                w.tx.prepare_cached("SELECT 1 FROM staff WHERE staff_id = ?1")?
                    .query_row([staff_id], |_| Ok(()))
                    .optional()?
                    .is_some();
            if exists {
                return Err(Error::Conflict(format!(
                    "staff id {staff_id} already exists"
                )));
            }
            let sealed = self
                .vault()
                .seal(Field::StaffPhone, staff_id.as_bytes(), phone)?;
            w.tx.execute(
                "INSERT INTO staff (staff_id, name, phone) VALUES (?1, ?2, ?3)",
                params![staff_id, name, sealed],
            )?;
            w.audit(
                "add_staff",
                staff_id,
                &[] as &[&str],
                &json!({"name": name}),
            )?;
            Ok(Staff {
                staff_id: staff_id.to_owned(),
                name: name.to_owned(),
                phone: phone.map(mask_phone),
            })
        })
    }

    /// A staff member, phone masked. A scoped handle sees only staff assigned inside its
    /// scope at some time, or not assigned anywhere yet.
    pub fn staff(&self, staff_id: &str) -> Result<Staff> {
        let (staff, _) = self.staff_with_phone(staff_id)?;
        Ok(staff)
    }

    /// A staff member's phone in clear; the read is recorded in the audit chain.
    pub fn staff_phone(&self, staff_id: &str) -> Result<Option<String>> {
        let (_, phone) = self.staff_with_phone(staff_id)?;
        self.write(|w| {
            let units: Vec<String> =
                w.tx.prepare_cached("SELECT DISTINCT unit FROM assignment WHERE staff_id = ?1")?
                    .query_map([staff_id], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()?;
            w.audit("read_clear", staff_id, &units, &json!({"field": "phone"}))
        })?;
        Ok(phone)
    }

    fn staff_with_phone(&self, staff_id: &str) -> Result<(Staff, Option<String>)> {
        check_staff_id(staff_id)?;
        let conn = self.read()?;
        let (name, phone): (String, Option<rusqlite::types::Value>) = conn
            .prepare_cached("SELECT name, phone FROM staff WHERE staff_id = ?1")?
            .query_row([staff_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?
            .ok_or_else(|| Error::not_found("staff", staff_id))?;
        let phone = self
            .vault()
            .open(Field::StaffPhone, staff_id.as_bytes(), phone)?;
        if let Some(root) = &self.access.root {
            let units: Vec<String> = conn
                .prepare_cached("SELECT DISTINCT unit FROM assignment WHERE staff_id = ?1")?
                .query_map([staff_id], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            let mut visible = units.is_empty();
            for unit in &units {
                visible = visible
                    || crate::units::spans_of(&conn, unit)?
                        .iter()
                        .any(|span| crate::store::path_contains(&span.path, root));
            }
            if !visible {
                return Err(Error::PermissionDenied(format!(
                    "staff {staff_id} works outside the scope of {root}"
                )));
            }
        }
        let staff = Staff {
            staff_id: staff_id.to_owned(),
            name,
            phone: phone.as_deref().map(mask_phone),
        };
        Ok((staff, phone))
    }

    /// Assigns a staff member to a unit in a role from `start` (or always) to `end`, the
    /// last day (inclusive), or open-ended. The unit must exist on `start`.
    pub fn assign(
        &self,
        staff_id: &str,
        unit: &str,
        role: &str,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<Assignment> {
        check_staff_id(staff_id)?;
        let role = Role::parse(role)?;
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return Err(Error::invalid(
                "end",
                end,
                format!("ends before its start {start}"),
            ));
        }
        let start_sql = date::start_to_sql(start);
        let end_sql = end.map_or(FOREVER, date::to_sql);
        let on = start.unwrap_or_else(|| self.today());
        self.write(|w| {
            let name: String = w
                .tx
                .prepare_cached("SELECT name FROM staff WHERE staff_id = ?1")?
                .query_row([staff_id], |r| r.get(0))
                .optional()?
                .ok_or_else(|| Error::not_found("staff", staff_id))?;
            let span = crate::units::span_on(&w.tx, unit, on)?
                .ok_or_else(|| Error::not_found("unit", format!("{unit} on {on}")))?;
            self.check_path_in_scope(unit, &span.path)?;
            self.check_not_assigned_outside(&w.tx, staff_id)?;
            w.tx.execute(
                "INSERT INTO assignment (staff_id, unit, role, start, end_day) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![staff_id, unit, role.as_str(), start_sql, end_sql],
            )?;
            let id = w.tx.last_insert_rowid();
            w.audit(
                "assign",
                staff_id,
                &[unit],
                &json!({"id": id, "unit": unit, "role": role.as_str(), "start": start.map(|d| d.to_string()),
                        "end": end.map(|d| d.to_string())}),
            )?;
            Ok(Assignment {
                id,
                staff_id: staff_id.to_owned(),
                name,
                unit: unit.to_owned(),
                role,
                start,
                end,
            })
        })
    }

    /// Refuses, on a scoped handle, a staff member assigned outside its scope today or
    /// later: a scope may not take over staff another unit has.
    fn check_not_assigned_outside(
        &self,
        conn: &rusqlite::Connection,
        staff_id: &str,
    ) -> Result<()> {
        let Some(root) = &self.access.root else {
            return Ok(());
        };
        let today = self.today();
        let units: Vec<String> = conn
            .prepare_cached(
                "SELECT DISTINCT unit FROM assignment WHERE staff_id = ?1 AND end_day >= ?2",
            )?
            .query_map(params![staff_id, date::to_sql(today)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for unit in units {
            let path = crate::units::span_on(conn, &unit, today)?
                .map(|s| s.path)
                .or_else(|| {
                    crate::units::spans_of(conn, &unit)
                        .ok()
                        .and_then(|mut s| s.pop().map(|s| s.path))
                })
                .unwrap_or_default();
            if !crate::store::path_contains(&path, root) {
                return Err(Error::PermissionDenied(format!(
                    "staff {staff_id} is assigned outside the scope of {root} (actor {})",
                    self.access.actor
                )));
            }
        }
        Ok(())
    }

    /// Ends assignment `id` on `end`, its last day. An assignment outside a scoped
    /// handle's scope is `NotFound`.
    pub fn end_assignment(&self, id: i64, end: Date) -> Result<()> {
        let end_sql = date::to_sql(end);
        self.write(|w| {
            let (unit, start, old_end): (String, i64, i64) =
                w.tx.prepare_cached("SELECT unit, start, end_day FROM assignment WHERE id = ?1")?
                    .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()?
                    .ok_or_else(|| Error::not_found("assignment", id))?;
            let mut spans = crate::units::spans_of(&w.tx, &unit)?;
            let on = date::to_sql(end);
            let path = match spans
                .iter()
                .position(|s| s.valid_from <= on && on < s.valid_to)
            {
                Some(i) => spans.swap_remove(i).path,
                None => spans.pop().map(|s| s.path).unwrap_or_default(),
            };
            self.check_hidden(&path, "assignment", id)?;
            if end_sql < start {
                return Err(Error::invalid(
                    "end",
                    end,
                    format!("before the assignment's start {}", date::iso(start)),
                ));
            }
            if old_end != FOREVER && end_sql > old_end {
                return Err(Error::Conflict(format!(
                    "assignment {id} already ended on {}",
                    date::iso(old_end)
                )));
            }
            w.tx.execute(
                "UPDATE assignment SET end_day = ?2 WHERE id = ?1",
                params![id, end_sql],
            )?;
            w.audit(
                "end_assignment",
                &id.to_string(),
                &[&unit],
                &json!({"end": end.to_string()}),
            )
        })
    }

    /// The assignments of `unit` itself on `on` (default today), most responsible role
    /// first.
    pub fn assignments(&self, unit: &str, on: Option<Date>) -> Result<Vec<Assignment>> {
        let on = on.unwrap_or_else(|| self.today());
        self.unit(unit, Some(on))?;
        let conn = self.read()?;
        assignments_on(&conn, unit, on)
    }

    /// Who is responsible for `unit` on `on` (default today): the unit's own assignments
    /// that day or, if it has none, those of its nearest ancestor that has some.
    pub fn responsible(&self, unit: &str, on: Option<Date>) -> Result<Vec<Assignment>> {
        let on = on.unwrap_or_else(|| self.today());
        let chain = self.ancestors(unit, Some(on))?;
        let conn = self.read()?;
        for code in std::iter::once(unit).chain(chain.iter().rev().map(|u| u.code.as_str())) {
            let found = assignments_on(&conn, code, on)?;
            if !found.is_empty() {
                return Ok(found);
            }
        }
        Ok(Vec::new())
    }
}

fn assignments_on(conn: &rusqlite::Connection, unit: &str, on: Date) -> Result<Vec<Assignment>> {
    let on = date::to_sql(on);
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.staff_id, s.name, a.role, a.start, a.end_day FROM assignment a
         JOIN staff s ON s.staff_id = a.staff_id
         WHERE a.unit = ?1 AND a.start <= ?2 AND a.end_day >= ?2",
    )?;
    let rows = stmt.query_map(params![unit, on], |r| {
        let role: String = r.get(3)?;
        let start: i64 = r.get(4)?;
        let end: i64 = r.get(5)?;
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, role, start, end))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, staff_id, name, role, start, end): (i64, String, String, String, i64, i64) = row?;
        out.push(Assignment {
            id,
            staff_id,
            name,
            unit: unit.to_owned(),
            role: Role::parse(&role)?,
            start: date::from_sql_bound(start),
            end: date::from_sql_bound(end),
        });
    }
    out.sort_by(|a, b| {
        a.role
            .rank()
            .cmp(&b.role.rank())
            .then_with(|| a.staff_id.cmp(&b.staff_id))
    });
    Ok(out)
}
