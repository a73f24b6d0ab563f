//! Checking rows: everything but the database, in file order.

use foldhash::{HashMap, HashSet};
use sha2::{Digest, Sha256};

use super::file::Fields;
use crate::date::{self, Date};
use crate::error::{Error, Result};
use crate::id_number::{mask_id_number, parse_id_number};
use crate::registry::{HouseholdKind, TagKind, check_household_id, check_phone};

/// The Chinese household kinds an import reads, and the stored kind each stands for.
///
/// | stored | read from |
/// |---|---|
/// | `registered` | 户籍, 户籍户, 常住, 常住户, 常住人口, 本地 |
/// | `floating` | 流动, 流动户, 流动人口, 外来, 暂住 |
/// | `rental` | 出租, 出租户, 出租房, 租住, 租户, 租赁 |
pub const KIND_NAMES: [(&str, &[&str]); 3] = [
    (
        "registered",
        &["户籍", "户籍户", "常住", "常住户", "常住人口", "本地"],
    ),
    ("floating", &["流动", "流动户", "流动人口", "外来", "暂住"]),
    (
        "rental",
        &["出租", "出租户", "出租房", "租住", "租户", "租赁"],
    ),
];

/// The Chinese relations to the head an import reads, and the stored relation each
/// stands for; any other relation is stored as given.
///
/// | stored | read from |
/// |---|---|
/// | `head` | 户主, 本人 |
/// | `spouse` | 配偶, 妻, 妻子, 夫, 丈夫 |
/// | `child` | 子, 女, 子女, 儿子, 女儿, 长子, 次子, 长女, 次女, 养子, 养女, 继子, 继女 |
/// | `parent` | 父母, 父, 母, 父亲, 母亲 |
/// | `grandchild` | 孙子, 孙女, 外孙, 外孙子, 外孙女 |
/// | `grandparent` | 祖父, 祖母, 外祖父, 外祖母 |
/// | `sibling` | 兄弟姐妹, 兄, 弟, 姐, 妹, 哥哥, 弟弟, 姐姐, 妹妹 |
/// | `child_in_law` | 儿媳, 女婿 |
/// | `other` | 其他 |
pub const RELATION_NAMES: [(&str, &[&str]); 9] = [
    ("head", &["户主", "本人"]),
    ("spouse", &["配偶", "妻", "妻子", "夫", "丈夫"]),
    (
        "child",
        &[
            "子", "女", "子女", "儿子", "女儿", "长子", "次子", "长女", "次女", "养子", "养女",
            "继子", "继女",
        ],
    ),
    ("parent", &["父母", "父", "母", "父亲", "母亲"]),
    ("grandchild", &["孙子", "孙女", "外孙", "外孙子", "外孙女"]),
    ("grandparent", &["祖父", "祖母", "外祖父", "外祖母"]),
    (
        "sibling",
        &[
            "兄弟姐妹",
            "兄",
            "弟",
            "姐",
            "妹",
            "哥哥",
            "弟弟",
            "姐姐",
            "妹妹",
        ],
    ),
    ("child_in_law", &["儿媳", "女婿"]),
    ("other", &["其他"]),
];

/// A household kind by its stored name or a Chinese name of [`KIND_NAMES`].
pub(super) fn kind_of(text: &str) -> Result<HouseholdKind> {
    match KIND_NAMES.iter().find(|(_, names)| names.contains(&text)) {
        Some((stored, _)) => HouseholdKind::parse(stored),
        None => HouseholdKind::parse(text),
    }
}

/// The stored relation for a relation as given: a Chinese name of [`RELATION_NAMES`]
/// becomes its stored one, anything else stays as it is.
pub(super) fn relation_of(text: &str) -> &str {
    let text = text.trim();
    RELATION_NAMES
        .iter()
        .find(|(_, names)| names.contains(&text))
        .map_or(text, |(stored, _)| stored)
}

/// A checked ID number (18 ASCII characters) as a fixed-size key, so remembering a
/// million of them allocates nothing.
pub(super) fn id_key(number: &str) -> [u8; 18] {
    let mut key = [0; 18];
    key.copy_from_slice(&number.as_bytes()[..18]);
    key
}

pub(super) fn opt(text: &str) -> Option<&str> {
    (!text.is_empty()).then_some(text)
}

/// What a row that passed every check decoded to.
pub(super) struct Valid {
    /// The household's number among the file's households, from 0, in order of first
    /// appearance.
    pub(super) household: u32,
    pub(super) kind: HouseholdKind,
    pub(super) id_number: Option<String>,
    pub(super) birth_date: Option<i64>,
    pub(super) sex: Option<&'static str>,
    pub(super) upgraded: bool,
    /// The unit's code, when the row named it by name.
    pub(super) unit: Option<Box<str>>,
    /// The resident's ID number and phone as they are written, when they were sealed
    /// ahead of the writing thread ([`super::write::Stored`]).
    pub(super) stored: Option<super::write::Stored>,
}

/// A failed check: the field and the reason.
pub(super) type Failure = (&'static str, String);

/// Checks rows in file order. It needs no database: the units' verdicts are read before
/// it starts, so it runs on a second thread while the first one writes.
pub(super) struct Checker<'k> {
    pub(super) on: Date,
    pub(super) kinds: &'k HashSet<String>,
    /// Whether each unit may take households on the import's day, and if not why.
    pub(super) units: &'k HashMap<String, std::result::Result<(), String>>,
    /// The grids and buildings in scope by name: the one unit of that name, or why not.
    pub(super) unit_names: &'k HashMap<String, std::result::Result<String, String>>,
    /// Each household's first good row: its line, its unit, address and kind (joined by
    /// `\u{1f}`, so each household costs one allocation besides its id), and the
    /// household's number.
    pub(super) first_of: HashMap<Box<str>, (usize, Box<str>, u32)>,
    pub(super) seen_ids: HashMap<[u8; 18], usize>,
    /// Households with a row whose household fields are bad.
    pub(super) bad_households: HashSet<Box<str>>,
    /// The digest of the good rows, in order.
    pub(super) digest: Sha256,
}

impl Checker<'_> {
    pub(super) fn check(&mut self, row: &Fields<'_>) -> std::result::Result<Valid, Failure> {
        let (kind, unit) = self.check_household(row).inspect_err(|_| {
            self.bad_households.insert(row.household_id.into());
        })?;
        let fields = [row.unit, row.address, row.kind];
        let household = if let Some((line, first, household)) = self.first_of.get(row.household_id)
        {
            let differs = first
                .split('\u{1f}')
                .zip(fields)
                .zip(["unit", "address", "kind"])
                .find(|((a, b), _)| a != b);
            if let Some(((a, _), field)) = differs {
                return Err((
                    field,
                    format!("differs from line {line} of the same household ({a})"),
                ));
            }
            *household
        } else {
            let household = self.first_of.len() as u32;
            let joined = format!("{}\u{1f}{}\u{1f}{}", row.unit, row.address, row.kind);
            self.first_of.insert(
                row.household_id.into(),
                (row.line, joined.into(), household),
            );
            household
        };
        crate::text::check_len("name", row.name, 1, 100).map_err(|e| ("name", error_reason(&e)))?;
        let id = opt(row.id_number)
            .map(|n| parse_id_number(n, self.on))
            .transpose()
            .map_err(|e| ("id_number", error_reason(&e)))?;
        if let Some(id) = &id
            && let Some(line) = self.seen_ids.insert(id_key(&id.number), row.line)
        {
            return Err((
                "id_number",
                format!("{} also appears on line {line}", mask_id_number(&id.number)),
            ));
        }
        if let Some(phone) = opt(row.phone) {
            check_phone(phone).map_err(|e| ("phone", error_reason(&e)))?;
        }
        for (field, value) in [("hukou", row.hukou), ("employer", row.employer)] {
            crate::registry::check_resident_extra(field, opt(value))
                .map_err(|e| (field, error_reason(&e)))?;
        }
        if let Some(message) = self.unknown_tag(row.resident_tags) {
            return Err(("resident_tags", message));
        }
        digest_row(
            &mut self.digest,
            row,
            id.as_ref().map(|i| i.number.as_str()),
        );
        Ok(Valid {
            household,
            kind,
            birth_date: id.as_ref().map(|i| date::to_sql(i.birth_date)),
            sex: id.as_ref().map(|i| i.sex.as_str()),
            upgraded: id.as_ref().is_some_and(|i| i.upgraded),
            id_number: id.map(|i| i.number),
            unit,
            stored: None,
        })
    }

    /// The household fields of one row: its kind, and its unit's code when it gives the
    /// unit by name.
    fn check_household(
        &self,
        row: &Fields<'_>,
    ) -> std::result::Result<(HouseholdKind, Option<Box<str>>), Failure> {
        check_household_id(row.household_id).map_err(|e| ("household_id", error_reason(&e)))?;
        let mut by_name = None;
        match self.units.get(row.unit) {
            Some(Ok(())) => {}
            Some(Err(message)) => return Err(("unit", message.clone())),
            None => match self.unit_names.get(row.unit) {
                Some(Ok(code)) => by_name = Some(code.as_str().into()),
                Some(Err(message)) => return Err(("unit", message.clone())),
                None => {
                    return Err((
                        "unit",
                        format!("unit {} does not exist on {}", row.unit, self.on),
                    ));
                }
            },
        }
        crate::text::check_len("address", row.address, 1, 200)
            .map_err(|e| ("address", error_reason(&e)))?;
        let kind = kind_of(row.kind).map_err(|e| ("kind", error_reason(&e)))?;
        if let Some(message) = self.unknown_tag(row.tags) {
            return Err(("tags", message));
        }
        Ok((kind, by_name))
    }

    fn unknown_tag(&self, text: &str) -> Option<String> {
        TagKind::split(text)
            .into_iter()
            .find(|t| !self.kinds.contains(*t))
            .map(|tag| format!("{tag} is not a tag kind of this store"))
    }
}

/// Adds a written row to an import's digest: its household and its resident.
pub(super) fn digest_row(digest: &mut Sha256, row: &Fields<'_>, id_number: Option<&str>) {
    digest.update(row.household_id.as_bytes());
    digest.update([0]);
    digest.update(id_number.unwrap_or(row.name).as_bytes());
    digest.update([0]);
}

/// The reason part of a library error, for a row's message.
pub(super) fn error_reason(error: &Error) -> String {
    match error {
        Error::InvalidInput { value, reason, .. } => format!("{value:?}: {reason}"),
        other => other.to_string(),
    }
}
