//! The one error type of the library and the kinds the bindings map it to.

use std::fmt;

/// What went wrong, coarsely: the C status codes and the Python exception classes are
/// one-to-one with these kinds, so a caller in any language can branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A unit, staff member or other record named by the caller does not exist.
    NotFound,
    /// An argument is malformed or out of range; the message names the field and value.
    InvalidInput,
    /// A workflow action is not allowed in the record's current state.
    InvalidTransition,
    /// The request contradicts what is stored (a duplicate code, a cycle, a newer schema).
    Conflict,
    /// The handle's scope does not cover the unit the request touches.
    PermissionDenied,
    /// SQLite failed, or the file is not a wangge store.
    Storage,
    /// Another connection (in this process or another) held the store's write lock for
    /// longer than the handle's busy time (`busy_timeout_ms`): nothing was written, and the
    /// same call may be retried. A kind of storage error: Python `Busy` is a subclass of
    /// `StorageError`.
    Busy,
}

impl ErrorKind {
    /// A stable lower-case name for the kind, used in JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::InvalidInput => "invalid_input",
            ErrorKind::InvalidTransition => "invalid_transition",
            ErrorKind::Conflict => "conflict",
            ErrorKind::PermissionDenied => "permission_denied",
            ErrorKind::Storage => "storage_error",
            ErrorKind::Busy => "busy",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every failure of the library. Messages name the field and the value that was wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A record named by the caller does not exist (on the date asked about, where dated).
    #[error("{what} not found: {key}")]
    NotFound {
        /// What kind of record was looked for, e.g. `unit`.
        what: &'static str,
        /// The key the caller gave.
        key: String,
    },
    /// An argument is malformed or out of range.
    #[error("invalid {field} {value:?}: {reason}")]
    InvalidInput {
        /// The name of the argument or column.
        field: &'static str,
        /// The offending value as given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A workflow action not allowed in the record's current state.
    #[error("invalid transition: {0}")]
    InvalidTransition(String),
    /// The request contradicts what is stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The handle's scope does not cover what the request touches.
    #[error("permission denied: {0}")]
    PermissionDenied(String),
    /// SQLite failed.
    #[error("storage error: {0}")]
    Sqlite(rusqlite::Error),
    /// The file is not usable as a store (not SQLite, newer schema, bad metadata).
    #[error("storage error: {0}")]
    Storage(String),
    /// The store's write lock stayed taken by another connection for the whole busy
    /// time; nothing was written and the call may be retried.
    #[error("busy: {0}")]
    Busy(String),
}

impl From<rusqlite::Error> for Error {
    /// SQLite's error, except that a lock it could not get within the busy time
    /// (`SQLITE_BUSY`, `SQLITE_LOCKED`) becomes [`Error::Busy`].
    fn from(error: rusqlite::Error) -> Self {
        match error.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                Error::Busy(format!(
                    "{error}: another connection held the store's write lock for the whole \
                     busy time (busy_timeout_ms); nothing was written, retry later"
                ))
            }
            _ => Error::Sqlite(error),
        }
    }
}

impl Error {
    /// The coarse kind of this error, which the C and Python bindings map to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::NotFound { .. } => ErrorKind::NotFound,
            Error::InvalidInput { .. } => ErrorKind::InvalidInput,
            Error::InvalidTransition(_) => ErrorKind::InvalidTransition,
            Error::Conflict(_) => ErrorKind::Conflict,
            Error::PermissionDenied(_) => ErrorKind::PermissionDenied,
            Error::Sqlite(_) | Error::Storage(_) => ErrorKind::Storage,
            Error::Busy(_) => ErrorKind::Busy,
        }
    }

    /// An `InvalidInput` error for `field`; the value shown is clipped to
    /// [`crate::text::ECHO_MAX`] characters.
    pub(crate) fn invalid(
        field: &'static str,
        value: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidInput {
            field,
            value: crate::text::clip(&value.to_string()),
            reason: reason.into(),
        }
    }

    /// The same error, its message saying where it arose (`visit 3 of the batch`); the
    /// kind is kept.
    pub(crate) fn context(self, place: &str) -> Self {
        match self.refused_by_trigger() {
            Error::NotFound { what, key } => Error::NotFound {
                what,
                key: format!("{key} ({place})"),
            },
            Error::InvalidInput {
                field,
                value,
                reason,
            } => Error::InvalidInput {
                field,
                value,
                reason: format!("{reason} ({place})"),
            },
            Error::InvalidTransition(m) => Error::InvalidTransition(format!("{m} ({place})")),
            Error::Conflict(m) => Error::Conflict(format!("{m} ({place})")),
            Error::PermissionDenied(m) => Error::PermissionDenied(format!("{m} ({place})")),
            Error::Sqlite(e) => Error::Storage(format!("{e} ({place})")),
            Error::Storage(m) => Error::Storage(format!("{m} ({place})")),
            Error::Busy(m) => Error::Busy(format!("{m} ({place})")),
        }
    }

    /// A schema trigger's refusal (a fact in a locked period: `locked: ...`) as the
    /// conflict it is; any other error unchanged.
    pub(crate) fn refused_by_trigger(self) -> Self {
        if let Error::Sqlite(rusqlite::Error::SqliteFailure(_, Some(message))) = &self
            && message.starts_with("locked: ")
        {
            return Error::Conflict(message.clone());
        }
        self
    }

    /// A `NotFound` error for the record `what` named `key`, the key clipped as
    /// [`Error::invalid`] clips values.
    pub(crate) fn not_found(what: &'static str, key: impl fmt::Display) -> Self {
        Error::NotFound {
            what,
            key: crate::text::clip(&key.to_string()),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
