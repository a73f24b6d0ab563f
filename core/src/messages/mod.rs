//! Error messages in the officials' language: [`Language`] and the rendering of an
//! [`Error`] in it ([`Error::message`]).
//!
//! The English reasons are written where each rule lives; their Chinese forms are kept in
//! one table ([`zh::REASONS`]) keyed by the English text, with `{}` standing for each
//! dynamic part (a code, a day, a number, a nested reason). A reason is rendered by finding
//! the entry whose literal parts it matches, the most specific first, and putting the
//! dynamic parts, themselves rendered where they are reasons, into the Chinese form. The
//! field name and the value of an `InvalidInput` error, and the key of a `NotFound`
//! error, are shown byte for byte as in English, so code can match on them in both.
//! A reason no entry matches (a message of SQLite, of a file reader) stays in English.

mod zh;

use std::fmt;

use crate::error::{Error, Result};

/// The language messages are rendered in (English by default, or Chinese, 中文).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// English: the messages as written in the code (`Display`).
    #[default]
    En,
    /// Simplified Chinese (简体中文).
    Zh,
}

impl Language {
    /// The setting's stable name: `en` or `zh`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Zh => "zh",
        }
    }

    /// Reads a language setting, `en` or `zh`; anything else is `InvalidInput` naming
    /// `language`.
    pub fn parse(text: &str) -> Result<Language> {
        match text {
            "en" => Ok(Language::En),
            "zh" => Ok(Language::Zh),
            _ => Err(Error::invalid("language", text, "expected en or zh")),
        }
    }
}

impl serde::Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// The error's message in `language`. English is the `Display` text. Chinese keeps
    /// the English message's field name, quoted value and key byte for byte
    /// (`invalid household_id "x": …` → `household_id 无效 "x"：…`), heads each kind in
    /// Chinese (未找到, 输入无效, 状态不允许, 冲突, 无权限, 存储错误, 繁忙) and renders the
    /// reason from the table, keeping its dynamic parts.
    pub fn message(&self, language: Language) -> String {
        if language == Language::En {
            return self.to_string();
        }
        match self {
            Error::NotFound { what, key } => format!("未找到{}：{key}", zh::what(what)),
            Error::InvalidInput {
                field,
                value,
                reason,
            } => format!("{field} 无效 {value:?}：{}", reason_zh(reason)),
            Error::InvalidTransition(m) => format!("状态不允许：{}", reason_zh(m)),
            Error::Conflict(m) => format!("冲突：{}", reason_zh(m)),
            Error::PermissionDenied(m) => format!("无权限：{}", reason_zh(m)),
            Error::Sqlite(e) => format!("存储错误：{e}"),
            Error::Storage(m) => format!("存储错误：{}", reason_zh(m)),
            Error::Busy(m) => format!("繁忙：{}", reason_zh(m)),
        }
    }
}

/// The heading of each kind of error in Chinese, for a message built outside the core
/// (a binding's own refusal of a NULL argument) to read as the core's do.
pub fn kind_heading_zh(kind: crate::ErrorKind) -> &'static str {
    use crate::ErrorKind as K;
    match kind {
        K::NotFound => "未找到",
        K::InvalidInput => "输入无效",
        K::InvalidTransition => "状态不允许",
        K::Conflict => "冲突",
        K::PermissionDenied => "无权限",
        K::Storage => "存储错误",
        K::Busy => "繁忙",
    }
}

/// A reason in Chinese: the table's most specific matching entry with the dynamic parts
/// put in; else, for a reason with where it arose appended (`… (row 3)`, see
/// `Error::context`), both halves; else the reason unchanged.
pub(crate) fn reason_zh(reason: &str) -> String {
    translate(reason).unwrap_or_else(|| reason.to_owned())
}

/// [`reason_zh`], or `None` when nothing of the reason is in the table.
fn translate(reason: &str) -> Option<String> {
    let mut best: Option<(usize, &str, Vec<&str>)> = None;
    for &(english, chinese) in zh::REASONS {
        let literal = english.len() - 2 * english.matches("{}").count();
        if best.as_ref().is_some_and(|(l, ..)| *l >= literal) {
            continue;
        }
        if let Some(parts) = match_pattern(english, reason) {
            best = Some((literal, chinese, parts));
        }
    }
    if let Some((_, chinese, parts)) = best {
        return Some(fill(chinese, &parts));
    }
    let (head, place) = reason.strip_suffix(')')?.rsplit_once(" (")?;
    let (head_zh, place_zh) = (translate(head), translate(place));
    (head_zh.is_some() || place_zh.is_some()).then(|| {
        format!(
            "{}（{}）",
            head_zh.unwrap_or_else(|| head.to_owned()),
            place_zh.unwrap_or_else(|| place.to_owned())
        )
    })
}

/// The dynamic parts of `text` when it matches `pattern` (`{}` matching any text, the
/// shortest that lets the rest match), or `None`.
pub(crate) fn match_pattern<'t>(pattern: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let literals: Vec<&str> = pattern.split("{}").collect();
    let (first, rest) = literals.split_first()?;
    let text = text.strip_prefix(first)?;
    let mut parts = Vec::new();
    if rest.is_empty() {
        return text.is_empty().then_some(parts);
    }
    match_rest(rest, text, &mut parts).then_some(parts)
}

/// Matches `text` (which starts at a `{}`) against the literals after it, trying each
/// place the next literal occurs, the earliest first.
fn match_rest<'t>(literals: &[&str], text: &'t str, parts: &mut Vec<&'t str>) -> bool {
    let Some((literal, rest)) = literals.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return match text.strip_suffix(literal) {
            Some(part) => {
                parts.push(part);
                true
            }
            None => false,
        };
    }
    if literal.is_empty() {
        return false;
    }
    for (at, _) in text.match_indices(literal) {
        parts.push(&text[..at]);
        if match_rest(rest, &text[at + literal.len()..], parts) {
            return true;
        }
        parts.pop();
    }
    false
}

/// The Chinese form with its `{}` (in order) or `{0}`…`{9}` (by position) replaced by
/// the parts, each rendered as a reason where the table knows it. A part written
/// `{0:action}`, `{1:status}` or `{1:statuses}` (a list joined by ` or `) is a ledger
/// action's or status's stored name, shown by its Chinese name
/// ([`crate::labels::ACTION_NAMES`], [`crate::labels::STATUS_NAMES`]) when it has one.
fn fill(chinese: &str, parts: &[&str]) -> String {
    let rendered: Vec<String> = parts.iter().map(|p| part_zh(p)).collect();
    let mut out = String::with_capacity(chinese.len() + 16);
    let mut next = 0;
    let mut rest = chinese;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let (index, after_index) = match after.as_bytes() {
            [d @ b'0'..=b'9', ..] => (Some((d - b'0') as usize), &after[1..]),
            _ => (None, after),
        };
        let placeholder = after_index
            .split_once('}')
            .and_then(|(kind, tail)| match kind {
                "" => Some(("", tail)),
                _ => kind
                    .strip_prefix(':')
                    .filter(|k| KINDS.contains(k))
                    .map(|k| (k, tail)),
            });
        let Some((kind, tail)) = placeholder else {
            out.push('{');
            rest = after;
            continue;
        };
        let i = index.unwrap_or(next);
        let part = parts.get(i).copied().unwrap_or("");
        match kind {
            "" => out.push_str(rendered.get(i).map_or("", String::as_str)),
            _ => out.push_str(&named(kind, part)),
        }
        next = i + 1;
        rest = tail;
    }
    out.push_str(rest);
    out
}

/// The kinds of stored names a Chinese form may ask a part to be shown by name as.
const KINDS: [&str; 3] = ["action", "status", "statuses"];

/// `part`, a stored name of `kind` (or, for `statuses`, names joined by ` or `), by its
/// Chinese name where it has one.
fn named(kind: &str, part: &str) -> String {
    let one = |name: &str| {
        let label = match kind {
            "action" => crate::labels::action_label(name),
            _ => crate::labels::status_label(name),
        };
        format!("“{}”", label.unwrap_or(name))
    };
    match kind {
        "statuses" => part.split(" or ").map(one).collect::<Vec<_>>().join("或"),
        _ => one(part),
    }
}

/// A dynamic part in Chinese when it is itself a reason the table knows (words with
/// spaces between), else unchanged (a code, a day, a number, a name).
fn part_zh(part: &str) -> String {
    if part.chars().any(|c| c.is_ascii_alphabetic()) && part.contains(' ') {
        reason_zh(part)
    } else {
        part.to_owned()
    }
}

#[cfg(test)]
mod tests;
