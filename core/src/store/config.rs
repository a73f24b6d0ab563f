//! The deployment's configuration, fixed when a store is created.

use chrono::FixedOffset;
use rusqlite::{Connection, OptionalExtension};

use super::{Config, DEFAULT_OFFSET_MINUTES, StoreOptions, keys};
use crate::error::{Error, Result};
use crate::levels::Levels;

pub(super) fn load_or_create_config(
    conn: &Connection,
    options: &StoreOptions,
    new_key: Option<&keys::KeyMeta>,
) -> Result<Config> {
    let get = |key: &str| -> Result<Option<String>> {
        Ok(conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    };
    let stored_levels = get("levels")?;
    let Some(stored_levels) = stored_levels else {
        let levels = options.levels.clone().unwrap_or_default();
        let minutes = options.utc_offset_minutes.unwrap_or(DEFAULT_OFFSET_MINUTES);
        let offset = offset_from_minutes(minutes)?;
        let levels_json =
            serde_json::to_string(&levels).map_err(|e| Error::Storage(e.to_string()))?;
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('levels', ?1), ('utc_offset_minutes', ?2)",
            [levels_json, minutes.to_string()],
        )?;
        if let Some(meta) = new_key {
            keys::write_meta(conn, meta)?;
        }
        return Ok(Config { levels, offset });
    };
    let levels: Levels = serde_json::from_str(&stored_levels)
        .map_err(|e| Error::Storage(format!("stored levels are unreadable: {e}")))?;
    let minutes: i32 = get("utc_offset_minutes")?
        .and_then(|m| m.parse().ok())
        .unwrap_or(DEFAULT_OFFSET_MINUTES);
    if let Some(wanted) = &options.levels
        && *wanted != levels
    {
        return Err(Error::Conflict(format!(
            "this store was created with levels {stored_levels}; levels can only be chosen when a store is created"
        )));
    }
    if let Some(wanted) = options.utc_offset_minutes
        && wanted != minutes
    {
        return Err(Error::Conflict(format!(
            "this store was created with UTC offset {minutes} minutes, not {wanted}"
        )));
    }
    Ok(Config {
        levels,
        offset: offset_from_minutes(minutes)?,
    })
}

fn offset_from_minutes(minutes: i32) -> Result<FixedOffset> {
    FixedOffset::east_opt(minutes * 60)
        .ok_or_else(|| Error::invalid("utc_offset_minutes", minutes, "must lie within ±24 hours"))
}
