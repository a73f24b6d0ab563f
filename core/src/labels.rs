//! Chinese labels (中文标签), in one place: the column headers of tables and frames, and
//! the Chinese names of the stored values officials read (levels, ledger statuses,
//! channels, household kinds, relations...).
//!
//! Frames with `labels="zh"` ([`Labels::Zh`]) and the CSV/XLSX exports take their headers
//! and value names from here; the Python module shows the tables as `wangge.labels()`.
//! A value with no Chinese name here (a custom level or relation, a free-text field) is
//! shown as stored.

use crate::error::{Error, Result};

/// Which names a frame's columns and values carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    /// The English keys and the stored values (`status`, `in_progress`), as in JSON.
    #[default]
    En,
    /// Chinese headers and value names (`状态`, `办理中`).
    Zh,
}

impl Labels {
    /// `en` or `zh`; anything else is `InvalidInput` naming `labels`.
    pub fn parse(text: &str) -> Result<Labels> {
        match text {
            "en" => Ok(Labels::En),
            "zh" => Ok(Labels::Zh),
            other => Err(Error::invalid(
                "labels",
                other,
                "expected \"en\" (English keys) or \"zh\" (Chinese headers and values)",
            )),
        }
    }

    /// The header of column `key` (see [`column_label`]), or the key itself in English.
    pub fn column(self, key: &str) -> String {
        match self {
            Labels::En => key.to_owned(),
            Labels::Zh => column_label(key),
        }
    }

    /// The name of `value` in column `key` (see [`value_label`]), or the value itself in
    /// English.
    pub fn value<'a>(self, key: &str, value: &'a str) -> &'a str {
        match self {
            Labels::En => value,
            Labels::Zh => value_label(key, value).unwrap_or(value),
        }
    }
}

/// Each column's English key and Chinese header. The import's headers
/// ([`crate::COLUMN_ALIASES`]) read the first Chinese name of the fields they share
/// (户编号, 住址, 户类型, 身份证号, 联系电话, 与户主关系...); the report's indicators are
/// [`crate::report::INDICATOR_NAMES`].
pub const COLUMN_NAMES: &[(&str, &str)] = &[
    ("unit", "单位代码"),
    ("name", "名称"),
    ("level", "层级"),
    ("own", "本级"),
    ("household_id", "户编号"),
    ("address", "住址"),
    ("kind", "户类型"),
    ("tags", "标签"),
    ("household_class", "户类别"),
    ("start", "登记日期"),
    ("end", "注销日期"),
    ("verified", "核验"),
    ("resident_id", "居民编号"),
    ("id_number", "身份证号"),
    ("id_upgraded", "身份证号升位"),
    ("sex", "性别"),
    ("phone", "联系电话"),
    ("hukou", "户口性质"),
    ("employer", "工作单位"),
    ("relation", "与户主关系"),
    ("grid", "所属网格"),
    ("grid_name", "网格名称"),
    ("responsible", "责任网格员"),
    ("rule", "走访规则"),
    ("channel", "走访方式"),
    ("due", "应访日期"),
    ("overdue", "逾期"),
    ("last_visit", "最近走访"),
    ("from", "起始日期"),
    ("to", "截止日期"),
    ("met", "已落实"),
    ("contacts", "联系次数"),
    ("patrols", "巡查次数"),
    ("staff_id", "工号"),
    ("id", "编号"),
    ("visit_id", "走访编号"),
    ("on", "日期"),
    ("at", "时间"),
    ("note", "备注"),
    ("summary", "诉求内容"),
    ("category", "类别"),
    ("urgent", "紧急"),
    ("entry_id", "台账编号"),
    ("finding_id", "发现编号"),
    ("source", "来源"),
    ("reported_at", "上报时间"),
    ("books", "台账"),
    ("triage", "分级"),
    ("time_limit", "办理时限"),
    ("status", "状态"),
    ("standing", "办理情况"),
    ("hard", "难解决"),
    ("handler", "承办"),
    ("deadline", "办理期限"),
    ("sign_due", "签收期限"),
    ("suspended_since", "缓办起始"),
    ("rework", "返工次数"),
    ("signed_at", "签收时间"),
    ("first_resolved_at", "首次解决时间"),
    ("resolved_at", "解决时间"),
    ("closed_at", "办结时间"),
    ("rank", "排名"),
    ("value", "数值"),
    ("num", "分子"),
    ("den", "分母"),
    ("reason", "未参评原因"),
    ("score", "得分"),
    ("period", "期间"),
    ("days", "天数"),
    ("hours", "小时数"),
    ("working_days", "工作日数"),
];

/// The headers of a resident's columns where they differ from [`COLUMN_NAMES`]: a
/// person's `name` is 姓名 (the import's header for it).
pub const RESIDENT_HEADERS: [(&str, &str); 1] = [("name", "姓名")];

/// The Chinese names of the ledger's statuses, by stored name ([`crate::Status`]).
pub const STATUS_NAMES: [(&str, &str); 6] = [
    ("registered", "已登记"),
    ("signed_for", "已签收"),
    ("in_progress", "办理中"),
    ("suspended", "缓办"),
    ("resolved", "已办结"),
    ("closed", "已注销"),
];

/// The Chinese names of the ledger's actions, by stored name ([`crate::Action`]), as the
/// seeds and the design name the steps: 登记 … 办结 (resolve), 核查, 注销 (close).
pub const ACTION_NAMES: [(&str, &str); 13] = [
    ("register", "登记"),
    ("sign_for", "签收"),
    ("start", "开始办理"),
    ("escalate", "上报"),
    ("return", "退回"),
    ("mark_hard", "标记难解决"),
    ("suspend", "缓办"),
    ("resume", "恢复办理"),
    ("extend", "延期"),
    ("resolve", "办结"),
    ("verify", "核查"),
    ("close", "注销"),
    ("reopen", "重新办理"),
];

/// The Chinese names of the contact channels, by stored name ([`crate::Channel`]).
pub const CHANNEL_NAMES: [(&str, &str); 2] = [("home", "入户"), ("phone", "电话")];

/// The Chinese names of the household kinds shown, by stored name: each one of the names
/// the import reads for it ([`crate::KIND_NAMES`]).
pub const KIND_LABELS: [(&str, &str); 3] = [
    ("registered", "户籍"),
    ("floating", "流动"),
    ("rental", "出租"),
];

/// The Chinese names of the relations to the head shown, by stored name: each one of the
/// names the import reads for it ([`crate::RELATION_NAMES`]).
pub const RELATION_LABELS: [(&str, &str); 9] = [
    ("head", "户主"),
    ("spouse", "配偶"),
    ("child", "子女"),
    ("parent", "父母"),
    ("grandchild", "孙子"),
    ("grandparent", "祖父"),
    ("sibling", "兄弟姐妹"),
    ("child_in_law", "儿媳/女婿"),
    ("other", "其他"),
];

/// The other values shown in Chinese, by column: sexes, household classes, ledger
/// sources, standings and triage.
const OTHER_VALUES: &[(&str, &str, &str)] = &[
    ("sex", "male", "男"),
    ("sex", "female", "女"),
    ("household_class", "ordinary", "一般户"),
    ("household_class", "special", "特殊户"),
    ("source", "visit", "走访"),
    ("source", "hotline", "热线"),
    ("source", "walk_in", "来访"),
    ("source", "online", "网上"),
    ("source", "patrol", "巡查"),
    ("source", "letter", "来信"),
    ("standing", "resolved", "已解决"),
    ("standing", "pending", "待解决"),
    ("standing", "hard", "难解决"),
    ("triage", "on_site", "就地办理"),
    ("triage", "coordinate", "协调办理"),
    ("triage", "escalate", "上报办理"),
];

/// The Chinese name of a status's stored name, if it is one.
pub fn status_label(status: &str) -> Option<&'static str> {
    find(&STATUS_NAMES, status)
}

/// The Chinese name of an action's stored name, if it is one.
pub fn action_label(action: &str) -> Option<&'static str> {
    find(&ACTION_NAMES, action)
}

/// The Chinese name of a channel's stored name, if it is one.
pub fn channel_label(channel: &str) -> Option<&'static str> {
    find(&CHANNEL_NAMES, channel)
}

fn find(table: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    table.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// The Chinese header of column `key`: from [`COLUMN_NAMES`] or the report's indicators;
/// a flattened column (`closure_rate_num`, `handler_name`) is its parent's header with the
/// part's (办结率分子); a key with no header stays as it is.
pub fn column_label(key: &str) -> String {
    if let Some(label) = find(COLUMN_NAMES, key).or_else(|| indicator_label(key)) {
        return label.to_owned();
    }
    if let Some((parent, part)) = key.rsplit_once('_') {
        let parent_label = find(COLUMN_NAMES, parent).or_else(|| indicator_label(parent));
        if let Some(parent_label) = parent_label {
            let part = match part {
                "value" => "",
                "num" => "分子",
                "den" => "分母",
                other => find(COLUMN_NAMES, other).unwrap_or(other),
            };
            return format!("{parent_label}{part}");
        }
    }
    key.to_owned()
}

fn indicator_label(key: &str) -> Option<&'static str> {
    find(&crate::report::INDICATOR_NAMES, key)
}

/// The Chinese name of `value` in column `key`, when the column holds stored names that
/// have one: `level` (县, 乡镇, 社区, 网格, 楼栋), `status`, `action`, `channel`,
/// `kind`, `relation`, `sex`, `household_class`, `source`, `standing` and `triage`.
pub fn value_label(key: &str, value: &str) -> Option<&'static str> {
    match key {
        "level" => find(&crate::levels::LEVEL_LABELS, value),
        "status" => status_label(value),
        "action" => action_label(value),
        "channel" => channel_label(value),
        "kind" => find(&KIND_LABELS, value),
        "relation" => find(&RELATION_LABELS, value),
        _ => OTHER_VALUES
            .iter()
            .find(|(k, v, _)| *k == key && *v == value)
            .map(|(_, _, l)| *l),
    }
}

/// The value tables by name, for showing them (Python's `wangge.labels()`): `columns`,
/// `levels`, `statuses`, `actions`, `channels`, `kinds`, `relations`, then the other
/// columns whose values have Chinese names, each a list of (stored, Chinese) pairs.
pub fn tables() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    let mut columns = COLUMN_NAMES.to_vec();
    columns.extend(crate::report::INDICATOR_NAMES);
    let mut out = vec![
        ("columns", columns),
        ("levels", crate::levels::LEVEL_LABELS.to_vec()),
        ("statuses", STATUS_NAMES.to_vec()),
        ("actions", ACTION_NAMES.to_vec()),
        ("channels", CHANNEL_NAMES.to_vec()),
        ("kinds", KIND_LABELS.to_vec()),
        ("relations", RELATION_LABELS.to_vec()),
    ];
    for (column, value, label) in OTHER_VALUES {
        match out.iter_mut().find(|(name, _)| name == column) {
            Some((_, pairs)) => pairs.push((value, label)),
            None => out.push((column, vec![(value, label)])),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{KIND_NAMES, RELATION_NAMES};

    #[test]
    fn labels_other_than_en_and_zh_are_refused_naming_labels() {
        assert_eq!(Labels::parse("zh").unwrap(), Labels::Zh);
        let err = Labels::parse("fr").unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("labels"), "{err}");
    }

    #[test]
    fn every_status_and_channel_has_its_chinese_name() {
        for status in crate::Status::ALL {
            assert!(status_label(status.as_str()).is_some(), "{status:?}");
        }
        assert_eq!(status_label("registered"), Some("已登记"));
        // 办结 is resolving (the 办结率 counts resolved entries), 注销 closing.
        assert_eq!(status_label("resolved"), Some("已办结"));
        assert_eq!(status_label("closed"), Some("已注销"));
        assert_eq!(status_label("suspended"), Some("缓办"));
        for action in crate::Action::ALL {
            assert!(action_label(action.as_str()).is_some(), "{action:?}");
        }
        assert_eq!(action_label("close"), Some("注销"));
        assert_eq!(channel_label("home"), Some("入户"));
        assert_eq!(channel_label("phone"), Some("电话"));
    }

    #[test]
    fn the_kind_and_relation_names_shown_are_read_back_by_the_import() {
        for (stored, label) in KIND_LABELS {
            let (_, names) = KIND_NAMES.iter().find(|(k, _)| *k == stored).unwrap();
            assert!(names.contains(&label), "{stored} {label}");
        }
        for (stored, label) in RELATION_LABELS {
            let (_, names) = RELATION_NAMES.iter().find(|(k, _)| *k == stored).unwrap();
            for label in label.split('/') {
                assert!(names.contains(&label), "{stored} {label}");
            }
        }
    }

    #[test]
    fn the_headers_agree_with_the_import_where_they_share_a_field() {
        for key in [
            "household_id",
            "address",
            "kind",
            "id_number",
            "phone",
            "relation",
        ] {
            let (_, aliases) = crate::COLUMN_ALIASES
                .iter()
                .find(|(k, _)| *k == key)
                .unwrap();
            assert!(aliases.contains(&column_label(key).as_str()), "{key}");
        }
    }

    #[test]
    fn flattened_columns_take_their_parents_header() {
        assert_eq!(column_label("closure_rate"), "办结率");
        assert_eq!(column_label("closure_rate_num"), "办结率分子");
        assert_eq!(column_label("closure_rate_den"), "办结率分母");
        assert_eq!(column_label("handler_name"), "承办名称");
        assert_eq!(column_label("no_such_column"), "no_such_column");
        assert_eq!(value_label("level", "township"), Some("乡镇"));
        assert_eq!(value_label("level", "district"), None);
    }
}
