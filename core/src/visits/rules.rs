//! Visit rules (走访制度) as data: which households, which channel, how often, and whether
//! calendar-aligned or rolling. JSON in and out; every field is checked and a bad one is
//! `InvalidInput` naming it.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{Value, json};

use super::sets::{Fields, parse_array};
use crate::error::{Error, Result};
use crate::period::{Cadence, PeriodKind};
use crate::registry::HouseholdClass;

/// How a household is contacted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A home visit (上门走访, 入户).
    Home,
    /// A phone follow-up (电话随访).
    Phone,
}

impl Channel {
    /// `home` or `phone`.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Home => "home",
            Channel::Phone => "phone",
        }
    }

    /// Parses `home` or `phone` (上门, 入户 and 电话 are accepted too).
    pub fn parse(text: &str) -> Result<Self> {
        match text.trim() {
            "home" | "上门" | "入户" => Ok(Channel::Home),
            "phone" | "电话" => Ok(Channel::Phone),
            other => Err(Error::invalid("channel", other, "expected home or phone")),
        }
    }
}

/// Whether a rule counts calendar periods or days since the last contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleMode {
    /// At least one contact in each calendar period (each quarter, each month).
    Calendar,
    /// A contact within the cadence of the last one (or of entering the rule's scope).
    Rolling,
}

/// Which households a rule holds: a household class, or those carrying a tag.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RuleScope {
    /// Households of the class (ordinary or special) on the day that counts.
    Class(HouseholdClass),
    /// Households carrying the tag (their own or a member's) on the day that counts.
    Tag(String),
}

/// One visit rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VisitRule {
    /// A name for reports, unique within a rule set.
    pub name: String,
    /// Which households it holds.
    pub scope: RuleScope,
    /// The channel it asks for; a home visit also satisfies a phone rule.
    pub channel: Channel,
    /// How often: every `cadence.every` periods of `cadence.kind`.
    pub cadence: Cadence,
    /// Calendar-aligned or rolling.
    pub mode: RuleMode,
}

impl VisitRule {
    /// Whether a contact by `channel` satisfies this rule.
    pub fn satisfied_by(&self, channel: Channel) -> bool {
        channel == self.channel || channel == Channel::Home
    }

    /// Whether a household of `class` carrying `tags` is in this rule's scope.
    pub fn holds<'t>(
        &self,
        class: HouseholdClass,
        mut tags: impl Iterator<Item = &'t String>,
    ) -> bool {
        match &self.scope {
            RuleScope::Class(c) => *c == class,
            RuleScope::Tag(tag) => tags.any(|t| t == tag),
        }
    }

    /// The rule as JSON: `{"name", "class" or "tag", "channel", "every", "per", "mode"}`.
    pub fn to_json(&self) -> Value {
        let mut rule = json!({
            "name": self.name,
            "channel": self.channel.as_str(),
            "every": self.cadence.every,
            "per": self.cadence.kind.as_str(),
            "mode": match self.mode {
                RuleMode::Calendar => "calendar",
                RuleMode::Rolling => "rolling",
            },
        });
        match &self.scope {
            RuleScope::Class(class) => rule["class"] = json!(class.as_str()),
            RuleScope::Tag(tag) => rule["tag"] = json!(tag),
        }
        rule
    }

    /// Reads one rule from JSON, checking its tag against the store's tag kinds.
    pub(crate) fn from_json(value: &Value, kinds: &HashMap<String, bool>) -> Result<Self> {
        let fields = Fields::of(value, "rule", &KEYS)?;
        let scope = match (fields.text("class")?, fields.text("tag")?) {
            (Some(class), None) => RuleScope::Class(HouseholdClass::parse(class)?),
            (None, Some(tag)) if kinds.contains_key(tag) => RuleScope::Tag(tag.to_owned()),
            (None, Some(tag)) => {
                return Err(Error::invalid(
                    "tag",
                    tag,
                    "not a tag kind of this store (define it first)",
                ));
            }
            _ => {
                return Err(Error::invalid(
                    "class",
                    value.to_string(),
                    "a rule names exactly one of class and tag",
                ));
            }
        };
        let channel = Channel::parse(fields.required("channel")?)?;
        let every = fields.count("every", 1..=366, Some(1))?;
        let kind = PeriodKind::parse("per", fields.required("per")?)?;
        let mode = match fields.text("mode")?.unwrap_or("calendar") {
            "calendar" => RuleMode::Calendar,
            "rolling" => RuleMode::Rolling,
            other => {
                return Err(Error::invalid(
                    "mode",
                    other,
                    "expected calendar or rolling",
                ));
            }
        };
        let name = fields.name(|| {
            let scope = match &scope {
                RuleScope::Class(c) => c.as_str(),
                RuleScope::Tag(t) => t,
            };
            format!("{scope}-{}-{}", channel.as_str(), kind.as_str())
        })?;
        Ok(VisitRule {
            name,
            scope,
            channel,
            cadence: Cadence { every, kind },
            mode,
        })
    }
}

/// The keys a rule's JSON object may have.
const KEYS: [&str; 7] = ["name", "class", "tag", "channel", "every", "per", "mode"];

/// Reads a rule set (a JSON array of rules); names must be unique.
pub(crate) fn rules_from_json(
    value: &Value,
    kinds: &HashMap<String, bool>,
) -> Result<Vec<VisitRule>> {
    parse_array(value, |v| VisitRule::from_json(v, kinds), |r| &r.name)
}

/// The seed's 走访制度: ordinary households a home visit each half year and a phone call
/// each quarter; special households a home visit each quarter and a phone call each month;
/// all calendar-aligned.
pub fn default_visit_rules() -> Vec<VisitRule> {
    let rule = |name: &str, class, channel, kind| VisitRule {
        name: name.to_owned(),
        scope: RuleScope::Class(class),
        channel,
        cadence: Cadence { every: 1, kind },
        mode: RuleMode::Calendar,
    };
    vec![
        rule(
            "普通户入户",
            HouseholdClass::Ordinary,
            Channel::Home,
            PeriodKind::HalfYear,
        ),
        rule(
            "普通户电话",
            HouseholdClass::Ordinary,
            Channel::Phone,
            PeriodKind::Quarter,
        ),
        rule(
            "特殊户入户",
            HouseholdClass::Special,
            Channel::Home,
            PeriodKind::Quarter,
        ),
        rule(
            "特殊户电话",
            HouseholdClass::Special,
            Channel::Phone,
            PeriodKind::Month,
        ),
    ]
}
