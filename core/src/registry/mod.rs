//! The registry (户籍/流动人口 files): households, residents, their tags and the derived
//! household class, all answerable for any date.
//!
//! A household lives in a grid or building over stretches of time; a resident belongs to
//! a household over stretches of time. The latest stretch of each is on the household's
//! or resident's own row (`unit` from `unit_since`, `household_id` from `member_since`),
//! the earlier ones in `household_place` and `membership`, so a new household or resident
//! is one row. Tags sit on a household or on a resident with a start and an end. A household is `special` on a day
//! when it, or one of its members that day, carries a tag that day whose kind counts as
//! special; the class is always derived, never stored.
//!
//! Dates: an `end` argument is the last day something holds (inclusive); an `on` argument
//! of an action is the first day of the new state. Stored intervals are half-open.

mod counts;
mod households;
mod input;
mod residents;
mod tags;

use serde::Serialize;

use crate::date::{self, Date, FOREVER};
use crate::error::{Error, Result};
use crate::id_number::Sex;
use crate::privacy::mask_phone;

pub(crate) use households::{latest_unit, place_on};
pub(crate) use residents::membership_on;
pub(crate) use tags::{class_of, household_tags, placed_with_tags, tag_kinds};

/// How a household is registered here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdKind {
    /// 户籍: registered residence.
    Registered,
    /// 流动: floating population.
    Floating,
    /// 出租: a rented dwelling.
    Rental,
}

impl HouseholdKind {
    /// Every kind.
    pub const ALL: [HouseholdKind; 3] = [
        HouseholdKind::Registered,
        HouseholdKind::Floating,
        HouseholdKind::Rental,
    ];

    /// `registered`, `floating` or `rental`.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdKind::Registered => "registered",
            HouseholdKind::Floating => "floating",
            HouseholdKind::Rental => "rental",
        }
    }

    /// Parses a kind name, or `InvalidInput` naming it.
    pub fn parse(text: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| Error::invalid("kind", text, "expected registered, floating or rental"))
    }
}

/// 普通户/特殊户: derived from tags, never set by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HouseholdClass {
    /// 普通户: no active special tag.
    Ordinary,
    /// 特殊户: the household or a member has an active special tag.
    Special,
}

impl HouseholdClass {
    /// `ordinary` or `special`.
    pub fn as_str(self) -> &'static str {
        match self {
            HouseholdClass::Ordinary => "ordinary",
            HouseholdClass::Special => "special",
        }
    }

    /// Parses a class name, or `InvalidInput` naming it.
    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "ordinary" => Ok(HouseholdClass::Ordinary),
            "special" => Ok(HouseholdClass::Special),
            _ => Err(Error::invalid(
                "household_class",
                text,
                "expected ordinary or special",
            )),
        }
    }
}

/// A household as it stood on some date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Household {
    /// The caller's id for the household.
    pub household_id: String,
    /// The grid or building it lived in that day.
    pub unit: String,
    /// Its address.
    pub address: String,
    /// How it is registered.
    pub kind: HouseholdKind,
    /// The tags active that day on the household or any member, sorted.
    pub tags: Vec<String>,
    /// Derived from the tags.
    pub household_class: HouseholdClass,
    /// The first day it is on the registry; `None` for always.
    pub start: Option<Date>,
    /// The day it left the registry, if it has.
    pub end: Option<Date>,
    /// The day its archive was last re-verified, if ever.
    pub verified: Option<Date>,
}

/// A resident as they stood on some date. The ID number and phone are masked unless read
/// with [`Store::resident_clear`](crate::Store::resident_clear).
///
/// What the record shows with the masked ID number cannot complete it (at least 1,000
/// valid numbers remain). The mask keeps the region (6 digits) and the last 2 (the sex
/// digit and the check character), and the record never shows the birth date, an age or
/// an age band: the birth date would leave about 9 numbers, and with the former mask's
/// last 4 even a decade of birth left only about 330. As it is, every real date from 1850
/// to the day of the record times 100 sequences fits, over 400,000 numbers; and if a tag
/// (留守儿童, 高龄 …) tells an onlooker the age, the exact birth year still leaves over
/// 3,000. The sex shown adds nothing: it is the parity of a digit the mask shows. The
/// birth date stays in the store and in the clear number [`Store::resident_clear`](crate::Store::resident_clear) gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resident {
    /// The store's id for the person.
    pub resident_id: i64,
    /// The household they belonged to that day.
    pub household_id: String,
    /// Their name.
    pub name: String,
    /// Their ID number, masked (`510123**********34`).
    pub id_number: Option<String>,
    /// True when the ID number was given in the 15-digit form and upgraded.
    pub id_upgraded: bool,
    /// Derived from the ID number.
    pub sex: Option<Sex>,
    /// Their phone, masked (`138****5678`).
    pub phone: Option<String>,
    /// Hukou type (户口性质), free text.
    pub hukou: Option<String>,
    /// Employer (工作单位).
    pub employer: Option<String>,
    /// Relation to the head of the household (`head`, `spouse`, `child` …).
    pub relation: String,
    /// Tags active that day on the person, sorted.
    pub tags: Vec<String>,
}

/// A resident to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewResident {
    /// Their name.
    pub name: String,
    /// Their ID number (18, or 15 to be upgraded), if known.
    pub id_number: Option<String>,
    /// Their phone.
    pub phone: Option<String>,
    /// Hukou type.
    pub hukou: Option<String>,
    /// Employer.
    pub employer: Option<String>,
    /// Relation to the head; default `head`.
    pub relation: Option<String>,
    /// Tags on the person from the day they are added.
    pub tags: Vec<String>,
}

/// A tag kind a deployment knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagKind {
    /// Its name, e.g. `低保`.
    pub tag: String,
    /// Whether it makes a household special.
    pub special: bool,
}

impl TagKind {
    /// The characters that separate the tags of a text list: `;` `；` `,` `，` `、`.
    pub const SEPARATORS: [char; 5] = [';', '；', ',', '，', '、'];

    /// The tags a text lists, as a CSV cell or the C API's `tags` argument gives them:
    /// split on any of [`TagKind::SEPARATORS`], trimmed, empty ones dropped
    /// (`"低保；残疾, "` lists `低保` and `残疾`). Whether each is a tag kind of the store
    /// is checked where they are written.
    #[must_use]
    pub fn split(text: &str) -> Vec<&str> {
        text.split(Self::SEPARATORS)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect()
    }
}

/// Which households to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HouseholdFilter {
    /// The day to answer for; default today.
    pub as_of: Option<Date>,
    /// Only this class.
    pub household_class: Option<HouseholdClass>,
    /// Only households carrying this tag (themselves or a member).
    pub tag: Option<String>,
    /// Only this kind.
    pub kind: Option<HouseholdKind>,
}

/// Registry counts for one unit on one day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UnitCounts {
    /// The unit.
    pub unit: String,
    /// Households living in it (directly, or in its whole subtree for totals).
    pub households: u64,
    /// Of those, special ones.
    pub special_households: u64,
    /// Residents of those households.
    pub residents: u64,
    /// Floating households (流动).
    pub floating: u64,
}

pub(crate) fn check_household_id(id: &str) -> Result<()> {
    crate::text::check_len("household_id", id, 1, 64)
}

pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<()> {
    crate::text::check_len(field, value, 1, max)
}

/// The most characters of a resident's 户籍 (`hukou`) or 工作单位 (`employer`).
pub(crate) const RESIDENT_EXTRA_MAX: usize = 200;

/// Checks a resident's optional 户籍 (`field` `hukou`) or 工作单位 (`employer`), given one
/// by one or imported: at most [`RESIDENT_EXTRA_MAX`] characters, on one line, no control
/// character.
pub(crate) fn check_resident_extra(field: &'static str, value: Option<&str>) -> Result<()> {
    value.map_or(Ok(()), |v| {
        crate::text::check_len(field, v, 0, RESIDENT_EXTRA_MAX)
    })
}

/// The relation to the head as stored: the head is `head` whether it was given in English
/// or as 户主 (as Chinese spreadsheets write it), so heads sort first either way; other
/// relations are kept as given.
pub(crate) fn relation_name(relation: &str) -> &str {
    match relation.trim() {
        "户主" | "本人" => "head",
        other => other,
    }
}

pub(crate) fn check_phone(phone: &str) -> Result<()> {
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if !(3..=20).contains(&digits)
        || !phone
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | ' '))
    {
        return Err(Error::invalid(
            "phone",
            mask_phone(phone),
            "a phone is 3 to 20 digits, with '-', '+' or spaces",
        ));
    }
    Ok(())
}

/// The stored end (exclusive) for an inclusive last day.
pub(crate) fn end_to_sql(end: Option<Date>) -> i64 {
    end.map_or(FOREVER, |d| date::to_sql(d) + 1)
}
