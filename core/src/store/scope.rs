//! A handle's scope: the checks every path through a scoped handle makes.

use super::{Store, path_contains};
use crate::error::{Error, Result};

impl Store {
    /// Refuses a unit whose path (on the date in question) lies outside this handle's scope.
    pub(crate) fn check_path_in_scope(&self, code: &str, path: &str) -> Result<()> {
        match &self.access.root {
            None => Ok(()),
            Some(root) if path_contains(path, root) => Ok(()),
            Some(root) => Err(Error::PermissionDenied(format!(
                "unit {code} is outside the scope of {root} (actor {})",
                self.access.actor
            ))),
        }
    }

    /// Refuses, as `NotFound` (`what`, `key`) exactly as if it did not exist, a record (a
    /// household, resident, visit, finding, entry or assignment) whose unit's `path` lies
    /// outside this handle's scope: saying "outside" would tell that it exists.
    pub(crate) fn check_hidden(
        &self,
        path: &str,
        what: &'static str,
        key: impl std::fmt::Display,
    ) -> Result<()> {
        match &self.access.root {
            Some(root) if !path_contains(path, root) => Err(Error::not_found(what, key)),
            _ => Ok(()),
        }
    }

    /// Refuses a request that needs an unrestricted handle.
    pub(crate) fn check_unscoped(&self, what: &str) -> Result<()> {
        match &self.access.root {
            None => Ok(()),
            Some(root) => Err(Error::PermissionDenied(format!(
                "{what} is outside the scope of {root} (actor {})",
                self.access.actor
            ))),
        }
    }
}
