//! What a store is: [`Store::info`].

use serde::Serialize;

use super::Store;
use super::schema::LATEST;
use crate::error::Result;
use crate::levels::Levels;

/// What a store is, for an integrator: [`Store::info`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreInfo {
    /// The file's path as given when it was opened (`:memory:` for an in-memory store).
    pub path: String,
    /// True when ID numbers and phones are sealed with a deployment key (SM4) and the
    /// audit chain is keyed; false when they are in clear and the chain is unkeyed.
    pub keyed: bool,
    /// The file's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    /// The newest schema version this library writes.
    pub library_schema_version: i64,
    /// The file's `PRAGMA application_id` ([`super::APPLICATION_ID`] for a wangge store).
    pub application_id: i32,
    /// True when the store was opened read-only.
    pub read_only: bool,
    /// The deployment's level kinds.
    pub levels: Levels,
    /// The deployment's offset from UTC in minutes.
    pub utc_offset_minutes: i32,
    /// The actor this handle writes as.
    pub actor: String,
    /// The root of this handle's scope, or `None` for an unrestricted handle.
    pub scope: Option<String>,
}

impl Store {
    /// What this store is: its path, whether it is keyed, its schema version and
    /// application id, whether it was opened read-only, the deployment's levels and UTC
    /// offset, and this handle's actor and scope.
    pub fn info(&self) -> Result<StoreInfo> {
        let keyed = self.vault().is_keyed();
        let conn = self.conn()?;
        let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        drop(conn);
        Ok(StoreInfo {
            path: self.shared.path.clone(),
            keyed,
            schema_version,
            library_schema_version: LATEST,
            application_id,
            read_only: self.shared.read_only,
            levels: self.levels().clone(),
            utc_offset_minutes: self.offset().local_minus_utc() / 60,
            actor: self.access.actor.clone(),
            scope: self.access.root.clone(),
        })
    }
}
