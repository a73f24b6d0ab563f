//! wangge (网格): the core of a library for grid-based community service management
//! (网格化服务管理).
//!
//! A deployment's territory is a tree of units (county, township, community, grid,
//! building) kept with its history in one SQLite file; staff are assigned to units; every
//! write is recorded in a tamper-evident audit chain; a [`Store::scope`] handle sees only
//! one subtree. The C ABI (`wangge-ffi`) and the Python module (`wangge`) are thin layers
//! over this crate.
//!
//! ```
//! use wangge::Store;
//! let store = Store::open(":memory:")?;
//! store.add_unit("512021", "安岳县", "county", None, None)?;
//! store.add_unit("512021100", "岳阳镇", "township", Some("512021"), None)?;
//! let children = store.children("512021", None)?;
//! assert_eq!(children[0].name, "岳阳镇");
//! # Ok::<(), wangge::Error>(())
//! ```

#![deny(missing_docs)]

mod archive;
pub mod calendar;
mod contacts;
pub mod date;
mod error;
#[cfg(feature = "parquet")]
pub mod facts;
#[cfg(feature = "arrow")]
pub mod frame;
mod handheld;
pub mod id_number;
mod import;
mod json;
pub mod labels;
mod ledger;
pub mod levels;
mod messages;
mod paging;
pub mod period;
pub mod privacy;
mod progress;
mod registry;
pub mod report;
pub mod shapes;
mod snapshot;
mod staff;
mod store;
use store::audit;
mod submit;
pub mod text;
mod units;
mod visits;
mod xlsx;

pub use archive::{ARCHIVE_CONTENT_MAX, ARCHIVE_SECTIONS, Archive, ArchiveSection};
pub use calendar::{Calendar, add_working_days, working_days_between};
pub use contacts::{
    Finding, Patrol, PatrolCompliance, PatrolRequirement, PatrolRule, QuotaCompliance,
    QuotaRequirement, QuotaRule, StaffQuota, UnitPatrol, default_patrol_rules, default_quota_rules,
};
pub use date::{Date, Moment};
pub use error::{Error, ErrorKind, Result};
pub use handheld::{Checkout, ConflictReason, MergeConflict, MergeResult};
pub use id_number::{IdNumber, Sex};
pub use import::{
    COLUMN_ALIASES, ImportError, ImportMode, ImportOptions, ImportResult, ImportRow, ImportTable,
    KIND_NAMES, RELATION_NAMES, parse_csv,
};
pub use ledger::{
    Action, CategoryRule, Classification, ClassifyRequest, Entry, EntryAction, EntryEvent,
    EntryQuery, Handler, LedgerRules, NewEntry, Piles, Reason, Source, Standing, Status, TimeLimit,
    Triage, default_ledger_rules,
};
pub use levels::{Level, Levels};
pub use messages::{Language, kind_heading_zh};
pub use paging::{PAGE_LIMIT_MAX, Page, Paging};
pub use period::{Cadence, Period, PeriodKind};
pub use progress::{PROGRESS_INTERVAL, Progress};
pub use registry::{
    Household, HouseholdClass, HouseholdFilter, HouseholdKind, NewResident, Resident, TagKind,
    UnitCounts,
};
pub use report::{
    Assessment, AssessmentItem, AssessmentRules, Breakdown, Circular, CircularRow, Indicators,
    ItemScore, LedgerIndicators, LeftOut, MAX_SEALED_LEN, Report, ReportRow, ReportingRule,
    Submission, SubmissionStatus, UnitScore, default_assessment_rules, default_reporting_rules,
    seal_of,
};
pub use staff::{Assignment, Role, Staff};
pub use store::{
    ABI_VERSION, APPLICATION_ID, AuditHead, AuditRecord, AuditVerification,
    DEFAULT_BUSY_TIMEOUT_MS, FactProblem, KEY_MAX_BYTES, KEY_MIN_BYTES, LIBRARY_VERSION,
    MAX_BUSY_TIMEOUT_MS, MAX_PROBLEMS, MIN_SQLITE_VERSION_NUMBER, STORE_CLOSED, Store, StoreInfo,
    StoreOptions, key_from_hex, sqlite_memory_statistics_off, sqlite_version,
};
pub use units::{NewUnit, Unit};
pub use visits::{
    Channel, Compliance, DueVisit, NewVisit, REVERIFIED_TAGS, Rate, Requirement, Responsible,
    ReverificationDue, RuleCompliance, RuleMode, RuleScope, Visit, VisitRule, default_visit_rules,
};

/// What migrations leave to the domain modules, run in this order on a store migrated
/// from an older schema version (see [`store::AfterMigration`]).
const AFTER_MIGRATIONS: &[store::AfterMigration] = &[ledger::marks::FILL_MARKS];

/// The library's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
