//! The registry's input shapes read from JSON, and the defaults a caller may leave out.

use serde::Deserialize;

use super::{HouseholdClass, HouseholdFilter, HouseholdKind, NewResident};
use crate::error::Result;
use crate::json::{self, private_text};

impl HouseholdKind {
    /// The kind a household has when none is given: `registered` (户籍).
    pub const DEFAULT: HouseholdKind = HouseholdKind::Registered;
}

impl Default for HouseholdKind {
    /// [`HouseholdKind::DEFAULT`].
    fn default() -> Self {
        HouseholdKind::DEFAULT
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidentShape {
    name: String,
    #[serde(default, deserialize_with = "private_text")]
    id_number: Option<String>,
    #[serde(default, deserialize_with = "private_text")]
    phone: Option<String>,
    #[serde(default)]
    hukou: Option<String>,
    #[serde(default)]
    employer: Option<String>,
    #[serde(default)]
    relation: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
}

impl NewResident {
    /// The relation to the head a resident has when none is given: `head` (户主).
    pub const DEFAULT_RELATION: &'static str = "head";

    /// Reads a resident from a JSON object `{"name": text, "id_number": text|null,
    /// "phone": text|null, "hukou": text|null, "employer": text|null, "relation":
    /// text|null, "tags": [text]}`; only `name` is required, `relation` defaults to
    /// [`NewResident::DEFAULT_RELATION`]. Unknown keys, other shapes and values of the
    /// wrong type are `InvalidInput` naming `resident`; the text is never shown, since it
    /// holds an ID number and a phone.
    pub fn from_json(json: &str) -> Result<NewResident> {
        let shape: ResidentShape = json::object(json, "resident", true)?;
        Ok(NewResident {
            name: shape.name,
            id_number: shape.id_number,
            phone: shape.phone,
            hukou: shape.hukou,
            employer: shape.employer,
            relation: shape.relation,
            tags: shape.tags,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FilterShape {
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    household_class: Option<String>,
    #[serde(default)]
    tag: Option<String>,
    #[serde(default)]
    kind: Option<String>,
}

impl HouseholdFilter {
    /// Reads a filter from a JSON object `{"as_of": "YYYY-MM-DD"|null, "household_class":
    /// "ordinary"|"special"|null, "tag": text|null, "kind":
    /// "registered"|"floating"|"rental"|null}`, every key optional (absent: no filter,
    /// `as_of` today). A bad value is `InvalidInput` naming its key; an unknown key or
    /// another shape names `filter`.
    pub fn from_json(json: &str) -> Result<HouseholdFilter> {
        let shape: FilterShape = json::object(json, "filter", false)?;
        Ok(HouseholdFilter {
            as_of: json::opt_date("as_of", shape.as_of.as_deref())?,
            household_class: shape
                .household_class
                .as_deref()
                .map(HouseholdClass::parse)
                .transpose()?,
            tag: shape.tag,
            kind: shape
                .kind
                .as_deref()
                .map(HouseholdKind::parse)
                .transpose()?,
        })
    }
}
