//! The units an import's rows may name: by code, or a grid or building by its name.

use foldhash::{HashMap, HashMapExt};

use super::Source;
use crate::date::{self, Date};
use crate::error::Result;
use crate::store::Store;
use crate::units::span_on;

impl Store {
    /// Whether each unit may take households on `on` (exists then, and lies in this
    /// handle's scope), for the units of rows in memory or, for a file read as it goes,
    /// for every unit that exists on `on`; and the grids and buildings in scope by name,
    /// each the one unit of that name or why not.
    pub(super) fn import_units(
        &self,
        conn: &rusqlite::Connection,
        source: &Source<'_>,
        on: Date,
    ) -> Result<(UnitVerdicts, UnitNames)> {
        let verdict = |code: &str, path: &str| {
            self.check_path_in_scope(code, path)
                .map_err(|e| e.to_string())
        };
        let mut units = HashMap::new();
        let mut named: HashMap<String, Vec<String>> = HashMap::new();
        let by_name = |name: &str, verdict: &std::result::Result<(), String>, level: &str| {
            verdict.is_ok() && NAMED_LEVELS.contains(&level) && !name.is_empty()
        };
        match source {
            Source::Rows(rows) => {
                let mut stmt = conn.prepare(
                    "SELECT code, path, level FROM unit_span
                     WHERE name = ?1 AND valid_from <= ?2 AND valid_to > ?2",
                )?;
                for row in *rows {
                    if units.contains_key(&row.unit) || named.contains_key(&row.unit) {
                        continue;
                    }
                    if let Some(span) = span_on(conn, &row.unit, on)? {
                        let found = verdict(&row.unit, &span.path);
                        units.insert(row.unit.clone(), found);
                        continue;
                    }
                    let mut codes = Vec::new();
                    let mut spans = stmt.query(rusqlite::params![row.unit, date::to_sql(on)])?;
                    while let Some(span) = spans.next()? {
                        let code: String = span.get(0)?;
                        let found = verdict(&code, crate::snapshot::text(span, 1)?);
                        if by_name(&row.unit, &found, crate::snapshot::text(span, 2)?) {
                            codes.push(code.clone());
                        }
                        units.insert(code, found);
                    }
                    if codes.is_empty() {
                        let missing = Err(format!("unit {} does not exist on {on}", row.unit));
                        units.insert(row.unit.clone(), missing);
                    } else {
                        named.insert(row.unit.clone(), codes);
                    }
                }
            }
            Source::Csv(_) => {
                let mut stmt = conn.prepare(
                    "SELECT code, path, name, level FROM unit_span
                     WHERE valid_from <= ?1 AND valid_to > ?1",
                )?;
                let mut rows = stmt.query([date::to_sql(on)])?;
                while let Some(row) = rows.next()? {
                    let code: String = row.get(0)?;
                    let found = verdict(&code, crate::snapshot::text(row, 1)?);
                    let name = crate::snapshot::text(row, 2)?;
                    if by_name(name, &found, crate::snapshot::text(row, 3)?) {
                        named.entry(name.to_owned()).or_default().push(code.clone());
                    }
                    units.insert(code, found);
                }
            }
        }
        let names = named
            .into_iter()
            .map(|(name, mut codes)| {
                let found = if let [code] = codes.as_slice() {
                    Ok(code.clone())
                } else {
                    codes.sort();
                    Err(format!(
                        "{name} names {} grids or buildings ({}): give the unit's code",
                        codes.len(),
                        codes.join(", ")
                    ))
                };
                (name, found)
            })
            .collect();
        Ok((units, names))
    }
}

/// Whether each unit code may take households on the import's day, and if not why.
pub(super) type UnitVerdicts = HashMap<String, std::result::Result<(), String>>;

/// The grids and buildings in scope by name: the one unit of that name, or why not.
pub(super) type UnitNames = HashMap<String, std::result::Result<String, String>>;

/// The levels whose units a row may name by name instead of code.
const NAMED_LEVELS: [&str; 2] = ["grid", "building"];
