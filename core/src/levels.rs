//! Level kinds of the unit tree and the coding rule that goes with them.
//!
//! By default a deployment has five levels, coded as the national statistical division
//! codes extend: a 6-digit county, 9-digit township, 12-digit community or village, then a
//! 3-digit suffix for a grid (15, as the 单元网格 codes of the 数字城管 standards) and 3 more
//! for a building (18). A child's code starts with its parent's code when it is added.
//! A deployment may configure other levels, or free-form codes (a level without a length).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One tier of the territory tree (县/区, 乡镇/街道, 社区/村, 网格, 楼栋/院落 …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    /// The level's name, e.g. `grid`.
    pub name: String,
    /// The exact number of digits of a code at this level, or `None` for free-form codes.
    pub code_len: Option<usize>,
}

impl Level {
    /// A level whose codes have exactly `code_len` digits.
    pub fn coded(name: &str, code_len: usize) -> Self {
        Level {
            name: name.to_owned(),
            code_len: Some(code_len),
        }
    }

    /// A level with free-form codes.
    pub fn free(name: &str) -> Self {
        Level {
            name: name.to_owned(),
            code_len: None,
        }
    }
}

/// The ordered level kinds of one deployment, root level first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Levels(Vec<Level>);

/// The longest code the library accepts, at any level.
pub const MAX_CODE_LEN: usize = 64;

impl Default for Levels {
    fn default() -> Self {
        Levels(vec![
            Level::coded("county", 6),
            Level::coded("township", 9),
            Level::coded("community", 12),
            Level::coded("grid", 15),
            Level::coded("building", 18),
        ])
    }
}

impl Levels {
    /// Checks and wraps a deployment's own levels: at least one, unique names, and coded
    /// lengths that grow with depth.
    pub fn new(levels: Vec<Level>) -> Result<Self> {
        if levels.is_empty() {
            return Err(Error::invalid(
                "levels",
                "[]",
                "at least one level is needed",
            ));
        }
        let mut last_len = 0;
        for (i, level) in levels.iter().enumerate() {
            if !is_level_name(&level.name) {
                return Err(Error::invalid(
                    "levels",
                    &level.name,
                    "a level name is 1-32 lower-case letters, digits or '_'",
                ));
            }
            if levels[..i].iter().any(|l| l.name == level.name) {
                return Err(Error::invalid(
                    "levels",
                    &level.name,
                    "level names must be unique",
                ));
            }
            if let Some(len) = level.code_len {
                if len == 0 || len > MAX_CODE_LEN || len <= last_len {
                    return Err(Error::invalid(
                        "levels",
                        format!("{}={len}", level.name),
                        format!(
                            "code lengths must grow with depth and stay within 1..={MAX_CODE_LEN}"
                        ),
                    ));
                }
                last_len = len;
            }
        }
        Ok(Levels(levels))
    }

    /// The levels, root level first.
    pub fn as_slice(&self) -> &[Level] {
        &self.0
    }

    /// The depth of a level (0 for the root level), or `InvalidInput` naming it.
    pub fn depth(&self, name: &str) -> Result<usize> {
        self.0.iter().position(|l| l.name == name).ok_or_else(|| {
            let known: Vec<&str> = self.0.iter().map(|l| l.name.as_str()).collect();
            Error::invalid(
                "level",
                name,
                format!("not a level of this store (levels: {})", known.join(", ")),
            )
        })
    }

    /// Checks a new unit's code against its level and, when both are coded, its parent's.
    pub(crate) fn check_code(
        &self,
        code: &str,
        level: usize,
        parent: Option<(&str, usize)>,
    ) -> Result<()> {
        check_code_chars(code)?;
        let this = &self.0[level];
        if let Some(len) = this.code_len {
            if code.len() != len || !code.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid(
                    "code",
                    code,
                    format!("a {} code has exactly {len} digits", this.name),
                ));
            }
            if let Some((parent_code, parent_level)) = parent
                && self.0[parent_level].code_len.is_some()
                && !code.starts_with(parent_code)
            {
                return Err(Error::invalid(
                    "code",
                    code,
                    format!(
                        "a {} code must start with its parent's code {parent_code}",
                        this.name
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The Chinese names officials read for the levels of the default tree, by stored name.
pub const LEVEL_LABELS: [(&str, &str); 5] = [
    ("county", "县"),
    ("township", "乡镇"),
    ("community", "社区"),
    ("grid", "网格"),
    ("building", "楼栋"),
];

/// The Chinese name officials read for a level of the default tree (县, 乡镇, 社区, 网格,
/// 楼栋, from [`LEVEL_LABELS`]); a deployment's own level names are shown as they are.
pub fn level_label(name: &str) -> &str {
    LEVEL_LABELS
        .iter()
        .find(|(stored, _)| *stored == name)
        .map_or(name, |(_, label)| *label)
}

fn is_level_name(name: &str) -> bool {
    (1..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Any code, at any level: 1 to 64 of `A-Z a-z 0-9 _ . -` (the tree's paths use `/`).
pub(crate) fn check_code_chars(code: &str) -> Result<()> {
    if code.is_empty() || code.len() > MAX_CODE_LEN {
        return Err(Error::invalid(
            "code",
            code,
            format!("a code has 1 to {MAX_CODE_LEN} characters"),
        ));
    }
    if !code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    {
        return Err(Error::invalid(
            "code",
            code,
            "a code may hold only A-Z, a-z, 0-9, '_', '.' and '-'",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_levels_have_chinese_labels_and_others_keep_their_names() {
        let levels = Levels::default();
        let labels: Vec<&str> = levels
            .as_slice()
            .iter()
            .map(|l| level_label(&l.name))
            .collect();
        assert_eq!(labels, ["县", "乡镇", "社区", "网格", "楼栋"]);
        assert_eq!(level_label("street"), "street");
    }

    #[test]
    fn default_rule_requires_length_digits_and_parent_prefix() {
        let levels = Levels::default();
        assert!(levels.check_code("512021", 0, None).is_ok());
        assert!(
            levels
                .check_code("512021100", 1, Some(("512021", 0)))
                .is_ok()
        );
        let short = levels.check_code("51202", 0, None).unwrap_err().to_string();
        assert!(
            short.contains("51202") && short.contains("6 digits"),
            "{short}"
        );
        let prefix = levels
            .check_code("512022100", 1, Some(("512021", 0)))
            .unwrap_err()
            .to_string();
        assert!(prefix.contains("512021"), "{prefix}");
        assert!(levels.check_code("51202A", 0, None).is_err());
    }

    #[test]
    fn custom_levels_refuse_duplicates_and_shrinking_lengths() {
        assert!(Levels::new(vec![Level::coded("province", 2), Level::coded("city", 4)]).is_ok());
        assert!(Levels::new(vec![Level::coded("a", 4), Level::coded("b", 2)]).is_err());
        assert!(Levels::new(vec![Level::free("a"), Level::free("a")]).is_err());
        assert!(Levels::new(vec![]).is_err());
    }

    #[test]
    fn free_codes_still_refuse_the_path_separator() {
        let levels = Levels::new(vec![Level::free("zone"), Level::free("block")]).unwrap();
        assert!(levels.check_code("north-1", 0, None).is_ok());
        assert!(levels.check_code("a/b", 1, Some(("north-1", 0))).is_err());
        assert!(levels.check_code("", 0, None).is_err());
    }
}
