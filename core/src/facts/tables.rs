//! The tables of an export and their columns: names, types and meanings, in one place
//! for the writer, the rustdoc and the README.

use super::parts::{Column, Kind};

const fn col(
    name: &'static str,
    kind: Kind,
    nullable: bool,
    meaning: &'static str,
    zh: &'static str,
) -> Column {
    Column {
        name,
        kind,
        nullable,
        meaning,
        zh,
    }
}

const STORE_ID: Column = col(
    "store_id",
    Kind::Text,
    false,
    "the exporting store's identity (16 hex digits), so the files of many counties keep their keys apart",
    "导出库标识",
);
const EXPORT_SEQ: Column = col(
    "export_seq",
    Kind::Int,
    false,
    "the export that wrote this row (1, 2, ...): a later export writes a changed row again; the latest per key holds",
    "导出批次",
);

/// How a table's rows are versioned between exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Versioning {
    /// The whole table is written again when anything in it changed: read the rows of
    /// its greatest `export_seq` per `store_id`.
    Whole,
    /// Written again per key (household, entry, submission) when it changed: read, per
    /// key, the rows of its greatest `export_seq` (for the household and entry tables,
    /// the one `households` or `entries` gives).
    ByKey,
    /// Rows are written once and never change.
    Appended,
}

/// One table of an export.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) versioning: Versioning,
    pub(crate) meaning: &'static str,
    pub(crate) columns: &'static [Column],
}

/// Every table, in the order an export writes them.
#[rustfmt::skip]
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "store",
        versioning: Versioning::Whole,
        meaning: "the export itself, one row: what it covers and the deployment's UTC offset",
        columns: &[
            STORE_ID,
            col("root", Kind::Text, true, "the unit whose subtree was exported; null: the whole store", "导出的单位"),
            col("utc_offset_seconds", Kind::Int, false, "the deployment's UTC offset: civil dates are in it, moments are UTC", "时区偏移（秒）"),
            col("exported_at", Kind::Moment, false, "when the export was made", "导出时间"),
            col("audit_seq", Kind::Int, false, "the audit chain's record the export covers up to", "审计链序号"),
            col("window_from", Kind::Date, false, "the first day of the year of the store's earliest dated fact: requirements and reporting periods are written from it", "计算起始日"),
            col("horizon", Kind::Date, false, "the last day of the export day's year: requirements and reporting periods are written up to it", "计算截止日"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "units",
        versioning: Versioning::Whole,
        meaning: "each stretch of time a unit spent under one parent, valid on [`valid_from`, `valid_to`)",
        columns: &[
            STORE_ID,
            col("code", Kind::Text, false, "the unit's code, its identity for life", "单位编码"),
            col("name", Kind::Text, false, "its name", "单位名称"),
            col("level", Kind::Text, false, "its level (county, township, community, grid, ...)", "层级"),
            col("parent", Kind::Text, true, "the parent's code; null at the top", "上级编码"),
            col("path", Kind::Text, false, "the codes from the top, '/'-separated, with a leading '/'", "路径"),
            col("depth", Kind::Int, false, "how deep the unit lies (0 at the top)", "深度"),
            col("valid_from", Kind::Date, false, "the stretch's first day", "起始日"),
            col("valid_to", Kind::Date, false, "the day after its last (9999-12-31: still running)", "截止日（不含）"),
            col("start", Kind::Date, false, "the unit's first day", "设立日"),
            col("retired", Kind::Date, false, "the day it was retired (9999-12-31: in use)", "撤销日"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "households",
        versioning: Versioning::ByKey,
        meaning: "one row per household and export that wrote it; its places, special stretches, members and requirements carry the same `export_seq`",
        columns: &[
            STORE_ID,
            col("household_id", Kind::Text, false, "the household's number", "户编号"),
            col("floating", Kind::Bool, false, "whether it is a floating household", "是否流动户"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "household_places",
        versioning: Versioning::ByKey,
        meaning: "where a household lived, valid on [`valid_from`, `valid_to`)",
        columns: &[
            STORE_ID,
            col("household_id", Kind::Text, false, "the household", "户编号"),
            col("unit", Kind::Text, false, "the grid or building it lived in", "所属单位"),
            col("valid_from", Kind::Date, false, "the first day", "起始日"),
            col("valid_to", Kind::Date, false, "the day after the last (9999-12-31: still there)", "截止日（不含）"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "household_special",
        versioning: Versioning::ByKey,
        meaning: "stretches on which a special tag (its own, or a member's while a member) made a household special, valid on [`valid_from`, `valid_to`); which tag is left out",
        columns: &[
            STORE_ID,
            col("household_id", Kind::Text, false, "the household", "户编号"),
            col("valid_from", Kind::Date, false, "the first day", "起始日"),
            col("valid_to", Kind::Date, false, "the day after the last", "截止日（不含）"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "household_members",
        versioning: Versioning::ByKey,
        meaning: "one row per stretch a resident belonged to a household, valid on [`valid_from`, `valid_to`); who is left out",
        columns: &[
            STORE_ID,
            col("household_id", Kind::Text, false, "the household", "户编号"),
            col("valid_from", Kind::Date, false, "the first day", "起始日"),
            col("valid_to", Kind::Date, false, "the day after the last", "截止日（不含）"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "requirements",
        versioning: Versioning::ByKey,
        meaning: "each (household, calendar visit rule, rule period) requirement, up to the horizon, as the visit rules hold them (so the SQL needs no rule engine)",
        columns: &[
            STORE_ID,
            col("household_id", Kind::Text, false, "the household", "户编号"),
            col("rule", Kind::Text, false, "the rule's name", "走访规则"),
            col("rule_set_from", Kind::Date, false, "the first day of the rule's set", "规则生效日"),
            col("channel", Kind::Text, false, "home or phone (a home visit also meets a phone rule)", "方式"),
            col("period_first", Kind::Date, false, "the rule period's first day", "周期首日"),
            col("period_last", Kind::Date, false, "its last day", "周期末日"),
            col("unit", Kind::Text, false, "where the household lived on the first day", "所属单位"),
            col("met", Kind::Bool, false, "whether a qualifying contact fell in the rule period", "是否达标"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "visits",
        versioning: Versioning::Appended,
        meaning: "each visit (contact) with a household; the visitor and the note are left out",
        columns: &[
            STORE_ID,
            col("visit_id", Kind::Int, false, "the visit's number", "走访编号"),
            col("household_id", Kind::Text, false, "the household", "户编号"),
            col("day", Kind::Date, false, "the day of the contact", "走访日期"),
            col("channel", Kind::Text, false, "home or phone", "方式"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "entries",
        versioning: Versioning::ByKey,
        meaning: "one row per ledger entry and export that wrote it; the summary, household and resident are left out",
        columns: &[
            STORE_ID,
            col("entry_id", Kind::Int, false, "the entry's number", "事项编号"),
            col("unit", Kind::Text, false, "the unit where it was registered (where it counts)", "登记单位"),
            col("category", Kind::Text, false, "its category", "类别"),
            col("books", Kind::Texts, false, "the ledger books it is kept in", "台账"),
            col("source", Kind::Text, false, "visit, hotline, `walk_in`, online, patrol or letter", "来源"),
            col("urgent", Kind::Bool, false, "whether it was flagged urgent", "是否紧急"),
            col("reported", Kind::Moment, false, "when it was reported", "受理时间"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "entry_events",
        versioning: Versioning::ByKey,
        meaning: "each event of an entry with the state after it (its marks); actors and notes are left out",
        columns: &[
            STORE_ID,
            col("entry_id", Kind::Int, false, "the entry", "事项编号"),
            col("seq", Kind::Int, false, "the event's place in the entry's history (1, 2, ...)", "序号"),
            col("action", Kind::Text, false, "register, `sign_for`, start, escalate, return, `mark_hard`, suspend, resume, extend, resolve, verify, close, reopen", "动作"),
            col("at", Kind::Moment, false, "when it happened", "时间"),
            col("status", Kind::Text, false, "the status after it", "状态"),
            col("hard", Kind::Bool, false, "whether the entry stood marked hard (难解决) after it", "是否难解决"),
            col("deadline", Kind::Moment, false, "the deadline in force after it", "办理期限"),
            col("sign_due", Kind::Moment, true, "the sign-for limit of the dispatch waiting to be signed for", "签收期限"),
            col("suspended", Kind::Moment, true, "since when it stood suspended (缓办), if it did", "缓办起始"),
            col("first_resolved", Kind::Moment, true, "when it was first resolved, if it was", "首次办结时间"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "submissions",
        versioning: Versioning::ByKey,
        meaning: "each submitted version of a unit's report; authors, approvers and the report's text are left out",
        columns: &[
            STORE_ID,
            col("unit", Kind::Text, false, "the reporting unit", "报送单位"),
            col("period", Kind::Text, false, "the period, as text (2024-W11, 2024-03, ...)", "报告期"),
            col("version", Kind::Int, false, "the version (1, 2, ...)", "版本"),
            col("first_day", Kind::Date, false, "the period's first day", "首日"),
            col("last_day", Kind::Date, false, "its last day", "末日"),
            col("submitted_at", Kind::Moment, false, "when it was submitted", "报送时间"),
            col("approved_at", Kind::Moment, true, "when it was approved, if it was", "审核时间"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "reporting_rules",
        versioning: Versioning::Whole,
        meaning: "which level reports at which cadence, valid on [`valid_from`, `valid_to`)",
        columns: &[
            STORE_ID,
            col("level", Kind::Text, false, "the level that reports", "层级"),
            col("every", Kind::Text, false, "the kind of period it reports for (week, month, ...)", "报送周期"),
            col("due_working_days", Kind::Int, false, "working days after the period by whose end it is due", "报送时限（工作日）"),
            col("valid_from", Kind::Date, false, "the rule's first day", "起始日"),
            col("valid_to", Kind::Date, false, "the day the next set takes over (9999-12-31: none)", "截止日（不含）"),
            EXPORT_SEQ,
        ],
    },
    Table {
        name: "reporting_periods",
        versioning: Versioning::Whole,
        meaning: "each period a level must report for, up to the horizon, with its due moment counted in the official working-day calendar",
        columns: &[
            STORE_ID,
            col("level", Kind::Text, false, "the level that reports", "层级"),
            col("period", Kind::Text, false, "the period, as text", "报告期"),
            col("kind", Kind::Text, false, "its kind (day, week, month, quarter, half, year)", "周期类型"),
            col("first_day", Kind::Date, false, "its first day", "首日"),
            col("last_day", Kind::Date, false, "its last day", "末日"),
            col("deciding_day", Kind::Date, false, "the day that decides which longer period it lies in (a week's Thursday, else its first day)", "归属判定日"),
            col("due_at", Kind::Moment, true, "the end of the last day it is due; null when the calendar does not reach it", "报送截止时间"),
            EXPORT_SEQ,
        ],
    },
];

/// The table named `name`.
pub(crate) fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .expect("a table of TABLES")
}

/// The schema as Markdown: a section per table, a row per column.
pub fn schema_markdown() -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for t in TABLES {
        let how = match t.versioning {
            Versioning::Whole => "written whole when it changes",
            Versioning::ByKey => "written again per key when it changes",
            Versioning::Appended => "appended",
        };
        let mut meaning = t.meaning.to_owned();
        meaning[..1].make_ascii_uppercase();
        let _ = write!(out, "#### `{}` ({how})\n\n{meaning}.\n\n", t.name);
        out.push_str("| column | type | meaning | 含义 |\n|---|---|---|---|\n");
        for c in t.columns {
            let null = if c.nullable { ", nullable" } else { "" };
            let _ = writeln!(
                out,
                "| `{}` | {}{null} | {} | {} |",
                c.name,
                c.kind.name(),
                c.meaning,
                c.zh
            );
        }
        out.push('\n');
    }
    out
}
