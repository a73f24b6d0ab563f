//! What a store is: [`Store::info`].

use serde::Serialize;

use super::Store;
use super::schema::LATEST;
use crate::error::Result;
use crate::levels::Levels;
use crate::messages::Language;

/// This library's version, `MAJOR.MINOR.PATCH` (the crate version).
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The version of the C ABI: the SONAME's number (`libwangge.so.0`), raised when a C
/// program built against an older `wangge.h` could break.
pub const ABI_VERSION: u32 = 0;

/// What a store is, for an integrator: [`Store::info`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoreInfo {
    /// The file's path as given when it was opened (`:memory:` for an in-memory store).
    pub path: String,
    /// True when ID numbers and phones are sealed with a deployment key (SM4) and the
    /// audit chain is keyed; false when they are in clear and the chain is unkeyed.
    pub keyed: bool,
    /// This library's version (the crate version, `MAJOR.MINOR.PATCH`).
    pub library_version: String,
    /// The version of the SQLite the library runs on in this process (`3.40.1`, say):
    /// its own bundled copy, or the platform's `libsqlite3` it was linked with (the Python
    /// module runs on the interpreter's, the one its `sqlite3` module uses).
    pub sqlite_version: String,
    /// The version of the C ABI ([`ABI_VERSION`]): the `MAJOR` of `libwangge.so.MAJOR`,
    /// raised when a C program built against an older header could break.
    pub abi_version: u32,
    /// The file's schema version (`PRAGMA user_version`).
    pub schema_version: i64,
    /// The newest schema version this library writes.
    pub library_schema_version: i64,
    /// The file's `PRAGMA application_id` ([`super::APPLICATION_ID`] for a wangge store).
    pub application_id: i32,
    /// True when the store was opened read-only.
    pub read_only: bool,
    /// How long a write waits for another connection's write lock before it is
    /// [`crate::Error::Busy`], in milliseconds.
    pub busy_timeout_ms: u32,
    /// The deployment's level kinds.
    pub levels: Levels,
    /// The deployment's offset from UTC in minutes.
    pub utc_offset_minutes: i32,
    /// The actor this handle writes as.
    pub actor: String,
    /// The root of this handle's scope, or `None` for an unrestricted handle.
    pub scope: Option<String>,
    /// The language of the messages of this store's errors (`en` or `zh`).
    pub language: Language,
}

impl Store {
    /// What this store is: its path, whether it is keyed, the versions of the library, of
    /// the SQLite it runs on and of the C ABI, its schema version and application id,
    /// whether it was opened read-only and its busy time, the deployment's levels and UTC
    /// offset, and this handle's actor and scope.
    pub fn info(&self) -> Result<StoreInfo> {
        let keyed = self.vault().is_keyed();
        let conn = self.read()?;
        let schema_version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
        drop(conn);
        Ok(StoreInfo {
            path: self.shared.path.clone(),
            keyed,
            library_version: LIBRARY_VERSION.to_owned(),
            sqlite_version: super::sqlite_version().to_owned(),
            abi_version: ABI_VERSION,
            schema_version,
            library_schema_version: LATEST,
            application_id,
            read_only: self.shared.read_only,
            busy_timeout_ms: self.shared.busy_timeout_ms,
            levels: self.levels().clone(),
            utc_offset_minutes: self.offset().local_minus_utc() / 60,
            actor: self.access.actor.clone(),
            scope: self.access.root.clone(),
            language: self.shared.language,
        })
    }

    /// The language of the messages of this store's errors ([`StoreOptions::language`](crate::StoreOptions::language)).
    pub fn language(&self) -> Language {
        self.shared.language
    }
}
