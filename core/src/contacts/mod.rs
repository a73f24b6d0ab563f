//! Contacts beyond the household visit (联系): the quotas of contacts each staff member
//! owes per period (quota), the patrols of units (patrol), and what a visit found, to be
//! taken up as a ledger entry (findings).

mod findings;
mod patrol;
mod quota;

pub use findings::Finding;
pub use patrol::{
    Patrol, PatrolCompliance, PatrolRequirement, PatrolRule, UnitPatrol, default_patrol_rules,
};
pub use quota::{QuotaCompliance, QuotaRequirement, QuotaRule, StaffQuota, default_quota_rules};
