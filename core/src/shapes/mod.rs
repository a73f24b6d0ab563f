//! The JSON shapes of wangge's records, written once for every interface: the keys of
//! each result the core's serde or `to_json` writes, and of each input its JSON readers
//! take, with one line on what each key holds. The C header lists them in its "JSON
//! shapes" section and names them in each function's comment; tests check every result
//! shape against the keys of a real value.
//!
//! Conventions shared by every shape: dates are `YYYY-MM-DD`; times are RFC 3339 in the
//! deployment's time zone (inputs may also give a local time without an offset, read in
//! that zone); a **rate** is `{"num", "den", "value"}` with `value` = `num / den`, or null
//! when `den` is 0; a key said to be optional in an input may be left out or null.

/// One JSON shape: a name, what a value of it is, and its keys with their meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// The name the documentation refers to it by (`unit`, `entry` …).
    pub name: &'static str,
    /// What a value of this shape is, in one line.
    pub meaning: &'static str,
    /// Its keys, each with one line on what it holds.
    pub keys: &'static [(&'static str, &'static str)],
}

impl Shape {
    /// The key names alone, in the documented order.
    pub fn key_names(&self) -> Vec<&'static str> {
        self.keys.iter().map(|(key, _)| *key).collect()
    }
}

macro_rules! shapes {
    ($($konst:ident = $name:literal, $meaning:literal { $($key:literal: $text:literal),* $(,)? })*) => {
        $(
            #[doc = concat!("The `", $name, "` shape: ", $meaning)]
            pub const $konst: Shape = Shape {
                name: $name,
                meaning: $meaning,
                keys: &[$(($key, $text)),*],
            };
        )*
    };
}

mod inputs;
pub use inputs::*;

shapes! {
    UNIT = "unit", "a node of the unit tree (网格/单元) as it stood on a day." {
        "code": "its code, its identity for life",
        "name": "its name",
        "level": "its level kind (county, township, community, grid, building …)",
        "parent": "its parent's code; null for a root",
        "start": "the first day it exists; null: always",
        "end": "the first day it no longer exists (retired); null: still exists",
    }
    STAFF = "staff", "a staff member (网格员 …)." {
        "staff_id": "their id",
        "name": "their name",
        "phone": "their phone, masked; null when unknown",
    }
    ASSIGNMENT = "assignment", "a staff member's role on a unit for a stretch of days." {
        "id": "the assignment's id, for wg_assignment_end",
        "staff_id": "the staff member",
        "name": "the staff member's name",
        "unit": "the unit's code",
        "role": "grid_chief, grid_worker, info_officer, supervisor, building_captain, guide, party_member …",
        "start": "its first day; null: always",
        "end": "its last day, inclusive; null: open-ended",
    }
    HOUSEHOLD = "household", "a household (户) as it stood on a day." {
        "household_id": "its id",
        "unit": "the grid or building it lives in",
        "address": "its address",
        "kind": "registered, floating or rental",
        "tags": "its own active tags (特殊群体), an array",
        "household_class": "ordinary or special, derived from its and its members' tags",
        "start": "the day it joined the registry; null: always",
        "end": "the day it left; null: still there",
        "verified": "the day its data were last re-verified (数据更新); null: never",
    }
    RESIDENT = "resident", "a person in a household, ID number and phone masked; no birth date or age is shown, so the masked number cannot be completed." {
        "resident_id": "their id, for the wg_resident_* calls",
        "household_id": "their household",
        "name": "their name",
        "id_number": "the ID number masked (510123**********34); null when unknown",
        "id_upgraded": "true when a 15-digit number was upgraded to 18",
        "sex": "male or female, derived from the ID number; null without one",
        "phone": "the phone masked (138****5678, ****1234: at most the last 4 digits and a mobile's first 3, at least 4 hidden); null when unknown",
        "hukou": "hukou type (户口性质); null when unknown",
        "employer": "employer; null when unknown",
        "relation": "relation to the head (head, spouse, child …)",
        "tags": "their active tags, an array",
    }
    RESIDENT_CLEAR = "resident_clear", "a resident's personal data in clear (an audited read)." {
        "id_number": "the ID number in clear; null when unknown",
        "phone": "the phone in clear; null when unknown",
    }
    TAG_KIND = "tag_kind", "a kind of tag the store knows." {
        "tag": "its name (低保, 空巢 …)",
        "special": "whether carrying it makes a household special",
    }
    UNIT_COUNTS = "unit_counts", "the registry counts of a unit on a day." {
        "unit": "the unit's code",
        "households": "households living there",
        "special_households": "of those, special ones",
        "residents": "residents of those households",
        "floating": "floating households (流动)",
    }
    COUNTS = "counts", "the registry counts of a subtree." {
        "total": "a unit_counts for the whole subtree",
        "units": "a unit_counts per unit with households living directly in it, by code; they sum to total",
    }
    ARCHIVE_SECTION = "archive_section", "one version of a section of a household's archive (民生档案)." {
        "section": "basic, employment, education, health, insurance, assistance, petitions or demands",
        "version": "its version number, from 1",
        "at": "when it was written",
        "author": "who wrote it",
        "content": "the JSON object written",
    }
    ARCHIVE = "archive", "a household's archive as it stood at a time." {
        "household_id": "the household",
        "sections": "an object from section name to its archive_section then; sections never written are absent",
        "verified": "the day of the last re-verification; null: never",
    }
    IMPORT_RESULT = "import_result", "what an import did." {
        "inserted": "households and residents added: households_inserted + residents_inserted",
        "updated": "households and residents changed: households_updated + residents_updated",
        "households_inserted": "households added",
        "households_updated": "households that existed and were changed",
        "residents_inserted": "residents added",
        "residents_updated": "residents that existed and were changed",
        "unknown_columns": "the source's columns that name no field (not read), in their order",
        "errors": "the bad rows, each {\"line\", \"field\", \"message\"}; in all_or_nothing mode any means nothing was written",
    }
    VISIT = "visit", "a contact with a household (走访)." {
        "id": "its id, for wg_finding_record",
        "household_id": "the household",
        "staff_id": "who made it",
        "channel": "home or phone",
        "on": "its day",
        "note": "free text",
    }
    PAGE = "page", "one page of a long list (分页): the functions ending in _page." {
        "items": "the page's items, in the shape the function names, in the list's page order",
        "next": "the cursor to pass as after for the next page; null on the last page",
    }
    DUE_VISIT = "due_visit", "a (household, rule) whose current period has no qualifying contact yet." {
        "household_id": "the household",
        "unit": "the unit it lives in",
        "rule": "the visit rule's name",
        "channel": "home or phone",
        "due": "the last day of the current period (rolling rules: last contact + N days)",
        "overdue": "whether the previous period was also missed, with no contact since",
        "last_visit": "the latest qualifying contact's day; null: none",
        "grid": "the code of the grid (网格) its unit lies in on the list's day: the unit itself or its nearest ancestor of level grid; null: none",
        "grid_name": "that grid's name; null: no grid",
        "address": "the household's address, as the household list shows it",
        "responsible": "the grid's workers (网格员, grid_worker assignments) that day, by staff id: an array of {\"staff_id\", \"name\"}; empty: none",
    }
    REVERIFICATION = "reverification", "a floating or relocation household whose data are due for re-verification (数据更新)." {
        "household_id": "the household",
        "due": "the last day of the quarter",
        "overdue": "whether the previous quarter passed without one",
        "verified": "the day of the last re-verification; null: never",
    }
    COMPLIANCE = "compliance", "how a unit's subtree met rules over a period (visits, quotas or patrols)." {
        "unit": "the unit's code",
        "period": "the period",
        "rules": "one compliance_row per rule",
        "total": "a compliance_row over all rules (its rule is null)",
        "requirements": "the (household or staff or unit, rule, period) requirements and whether each was met, when detail was asked for; else empty",
    }
    QUOTA_COMPLIANCE = "quota_compliance", "a compliance of contact quotas (联户)." {
        "unit": "the unit's code",
        "period": "the period",
        "rules": "one compliance_row per rule",
        "total": "a compliance_row over all rules",
        "staff": "one compliance_row per staff member and rule, with its staff_id",
        "requirements": "{\"staff_id\", \"rule\", \"from\", \"to\", \"contacts\", \"met\"} when detail was asked for; else empty",
    }
    PATROL_COMPLIANCE = "patrol_compliance", "a compliance of patrols (巡查)." {
        "unit": "the unit's code",
        "period": "the period",
        "rules": "one compliance_row per rule",
        "total": "a compliance_row over all rules",
        "units": "one compliance_row per patrolled unit and rule, with its unit",
        "requirements": "{\"unit\", \"rule\", \"from\", \"to\", \"patrols\", \"met\"} when detail was asked for; else empty",
    }
    COMPLIANCE_ROW = "compliance_row", "one line of a compliance." {
        "rule": "the rule's name; null in a total",
        "required": "requirements in the period",
        "met": "of those, met",
        "rate": "met / required, a rate",
    }
    PATROL = "patrol", "a patrol of a unit (巡查)." {
        "id": "its id",
        "unit": "the unit patrolled",
        "staff_id": "who patrolled",
        "at": "when, RFC 3339 with the offset given",
        "on": "its civil day in the deployment's time zone, the day rules count it for",
        "note": "free text",
    }
    FINDING = "finding", "something a visit found." {
        "id": "its id, for wg_finding_register",
        "visit_id": "the visit",
        "household_id": "the household visited",
        "unit": "the household's unit that day",
        "on": "the visit's day",
        "summary": "what was found",
        "category": "a ledger category; null: none given",
        "urgent": "whether it is urgent",
        "entry_id": "the ledger entry that took it up; null until one does",
    }
    ENTRY = "entry", "a ledger entry (台账/诉求) as it stands." {
        "id": "its id, for the wg_entry_* calls",
        "unit": "where it was raised",
        "household_id": "the household it is about; null: none",
        "resident_id": "the resident it is about; null: none",
        "source": "visit, hotline, walk_in, online, patrol or letter",
        "reported_at": "when it was reported",
        "category": "its category (市政设施 …)",
        "summary": "what was raised",
        "urgent": "whether it is urgent",
        "books": "its ledger books (民生诉求, 困难群众, 稳定工作 …), an array",
        "triage": "on_site, coordinate or escalate",
        "time_limit": "{\"working_days\": n} or {\"hours\": n}",
        "finding_id": "the visit finding it came from; null: none",
        "status": "registered, signed_for, in_progress, suspended, resolved or closed",
        "standing": "resolved, pending or hard",
        "hard": "whether it is marked hard to resolve (难解决)",
        "handler": "{\"kind\": \"unit\" or \"department\", \"name\"}: a unit's code or a department's name",
        "deadline": "when its time limit ends",
        "sign_due": "when it must be signed for; null once signed for",
        "suspended_since": "when it was suspended; null unless suspended",
        "rework": "how many times verification sent it back (返工)",
        "signed_at": "when it was last signed for; null: not yet",
        "first_resolved_at": "when it was first resolved; null: not yet",
        "resolved_at": "when it was last resolved; null: not resolved",
        "closed_at": "when it was closed; null: not closed",
        "verified": "true once the resident was satisfied; null: not verified",
    }
    EVENT = "event", "one change in an entry's history." {
        "entry_id": "the entry",
        "seq": "its number in the entry's history, from 1",
        "action": "register, sign_for, start, escalate, return, mark_hard, suspend, resume, extend, resolve, verify, close or reopen",
        "actor": "who acted",
        "at": "when",
        "note": "the reason, result or feedback given",
        "auto": "true for what wg_tick did",
        "days": "the working days extend added; null for other actions",
        "satisfied": "verify's feedback; null for other actions",
        "status": "the entry's status after it",
        "handler": "the entry's handler after it",
        "deadline": "the entry's deadline after it",
        "hard": "whether the entry is hard after it",
    }
    CLASSIFICATION = "classification", "what the ledger rules make of an entry, and why." {
        "category": "the category used",
        "suggested_category": "the category the summary's keywords suggest; null: none",
        "ties": "the categories equally specific keywords suggested; empty unless two or more did",
        "books": "its ledger books, an array",
        "triage": "on_site, coordinate or escalate",
        "urgent": "whether it is urgent",
        "time_limit": "{\"working_days\": n} or {\"hours\": n}",
        "sign_for_limit": "the sign-for limit, in the same form",
        "handler": "who handles it; null when no unit or household was given",
        "rules_from": "the day the rule set used took effect; null for the defaults",
        "reasons": "in order, {\"rule\", \"matched\", \"effect\"}: rule is keyword, tie, category, given_category, free_category, tag, urgent_keyword, urgent_flag or handler",
    }
    PILES = "piles", "the weekly meeting's three piles (已解决/待解决/难解决) of a subtree over a period." {
        "unit": "the unit's code",
        "period": "the period",
        "at": "the moment they were taken: the period's end",
        "resolved": "a pile: entries resolved in the period and still resolved or closed",
        "pending": "a pile: entries open and not hard at the end",
        "hard": "a pile: entries open and hard at the end",
    }
    PILE = "pile", "one of the piles." {
        "count": "how many entries",
        "overdue": "of those, past their deadline",
        "entries": "the entries, each an entry",
    }
    LEDGER_RULES = "ledger_rules", "the ledger's classification rules (read and written alike); keys left out of an input take the defaults' values." {
        "books": "the ledger books, an array",
        "categories": "required in an input: an array of {\"name\", \"books\", \"triage\", \"days\", \"keywords\", \"department\"?}, first listed wins a tie",
        "tag_books": "an object from a household tag to the books it adds",
        "urgent": "{\"keywords\", \"hours\", \"sign_for_hours\", \"category\"}",
        "sign_for_days": "the working days to sign for a non-urgent entry",
        "handlers": "{\"on_site\", \"coordinate\", \"escalate\"}: the level of the unit that handles each triage",
        "free_categories": "null, or {\"books\", \"triage\", \"days\", \"department\"?} for categories not listed",
    }
    REPORT = "report", "a unit's indicators over a period, for its whole subtree as it stood on the period's last day." {
        "unit": "the unit's code",
        "name": "its name",
        "level": "its level",
        "period": "the period",
        "first": "the period's first day",
        "last": "the period's last day",
        "totals": "the indicators of the whole subtree, by key (see wg_indicators): counts are integers, rates are rates",
        "rows": "one report_row per direct child and one for the unit's own facts; they sum to totals",
        "by_category": "the ledger indicators per category, each with its \"key\"",
        "by_book": "the ledger indicators per ledger book, each with its \"key\"",
    }
    REPORT_ROW = "report_row", "one row of a report: every indicator, plus who it is." {
        "unit": "the child's code, or the unit's own for the own row",
        "name": "its name",
        "level": "its level",
        "own": "true for the row of facts attached to the unit itself",
        "received": "entries reported in the period (受理)",
        "resolved": "entries first resolved in the period (办结)",
        "closed": "entries closed in the period",
        "closure_rate": "rate: reported in the period and resolved by its end / received (办结率)",
        "due_closure_rate": "rate: deadline in the period, not suspended, resolved by it (按期结案率)",
        "timely_rate": "rate: resolved in the period by the deadline / resolved (按期办结率)",
        "sign_for_rate": "rate: dispatched in the period and signed for by its end (签收率)",
        "timely_sign_for_rate": "rate: of those, signed for within the limit",
        "pending": "open and not hard at the end (待解决)",
        "hard": "open and hard at the end (难解决)",
        "overdue": "open past the deadline at the end",
        "visits_home": "home visits made in the period",
        "visits_phone": "phone follow-ups made in the period",
        "home_coverage": "rate: households with a home visit / households (入户率)",
        "rule_compliance": "rate: visit requirements of periods inside this one met",
        "households": "households on the last day",
        "special_households": "special households on the last day",
        "residents": "residents on the last day",
        "floating": "floating households on the last day",
        "report_completeness": "rate: reports received / expected",
        "report_timeliness": "rate: reports received by the due date / expected",
    }
    CIRCULAR = "circular", "a ranking of a unit's children on one indicator (通报)." {
        "unit": "the unit's code",
        "name": "its name",
        "period": "the period",
        "indicator": "the indicator's key",
        "indicator_name": "its Chinese name",
        "lower_is_better": "true for pending, hard and overdue",
        "min_sample": "the smallest denominator a rate needs to be ranked",
        "ranked": "best first, each {\"unit\", \"name\", \"rank\", \"value\", \"num\", \"den\"} (num and den null for counts)",
        "left_out": "the children not ranked, each {\"unit\", \"name\", \"den\", \"reason\"}",
    }
    INDICATOR = "indicator", "an indicator a report holds." {
        "key": "its key in a report (closure_rate)",
        "name": "its Chinese name (办结率)",
    }
    PERIOD = "period", "a calendar period." {
        "period": "its text (2024-Q1)",
        "kind": "day, week, month, quarter, half_year or year",
        "first": "its first day",
        "last": "its last day",
        "days": "how many days it spans",
    }
    REPORTING_RULE = "reporting_rule", "which level reports at which cadence (报告制度); read and written alike." {
        "level": "the level that reports",
        "every": "the cadence: week, month, quarter, half_year or year",
        "due_working_days": "working days after the period's end by which the report is due",
    }
    SUBMISSION = "submission", "a unit's submitted report for a period." {
        "unit": "the unit's code",
        "period": "the period",
        "due": "when it is due",
        "status": "missing, submitted or approved",
        "versions": "how many times it was submitted",
        "first_submitted_at": "when the first version came; null: never",
        "submitted_at": "when the latest version came; null: never",
        "author": "who submitted the latest version; null: nobody",
        "on_time": "whether the first version came by due",
        "approved_at": "when it was approved; null: not approved",
        "approver": "who approved it; null: nobody",
        "report": "the latest version's report as sealed; null when nothing was submitted; absent in lists",
        "audit_head": "the store's audit_head when the latest version was submitted, which approval checks is still in the chain and records; null: nothing submitted",
        "received_at": "when the latest version was received from the unit's own store (receive_submission); null: submitted in this store, or nothing submitted",
        "seal": "with the report: the SM3 digest (64 hex digits) of the canonical JSON (keys sorted, no spaces) of every other key, which receive_submission checks; null without the report",
    }
    ASSESSMENT_RULES = "assessment_rules", "the yearly assessment's weighted targets (考核); read and written alike." {
        "items": "an array of {\"indicator\", \"weight\", \"target\"}: a rate indicator, its weight and the rate that earns the full weight",
        "min_sample": "the smallest denominator a rate needs to be scored (default 5)",
    }
    ASSESSMENT = "assessment", "each child of a unit scored on the assessment's targets." {
        "unit": "the unit's code",
        "period": "the period",
        "rules": "the assessment_rules used",
        "rows": "one per child, best first: {\"unit\", \"name\", \"rank\", \"score\", \"items\"} with items the per-target scores",
    }
    STORE_INFO = "store_info", "what a store is." {
        "path": "the file's path as given when it was opened (:memory: for an in-memory store)",
        "keyed": "true when ID numbers and phones are sealed with a deployment key (SM4) and the audit chain is keyed; false when they are in clear",
        "library_version": "this library's version, MAJOR.MINOR.PATCH",
        "sqlite_version": "the version of the SQLite the library runs on in this process: its own bundled copy, or the platform's libsqlite3 it was built to link",
        "abi_version": "the C ABI's version: the MAJOR of libwangge.so.MAJOR (the SONAME)",
        "schema_version": "the file's schema version",
        "library_schema_version": "the newest schema version this library writes",
        "application_id": "the file's PRAGMA application_id (0x57474745 for a wangge store)",
        "read_only": "true when the store was opened read-only",
        "busy_timeout_ms": "how long a write waits for another connection's write lock before it fails with Busy, in milliseconds",
        "levels": "the deployment's levels, root first: {\"name\", \"code_len\"}",
        "utc_offset_minutes": "the deployment's offset from UTC in minutes",
        "actor": "who writes through this handle",
        "scope": "the root of this handle's scope; null for an unrestricted handle",
        "language": "the language of error messages: en or zh",
    }
    AUDIT_VERIFICATION = "audit_verification", "whether the audit chain is intact and every fact is as the library wrote it." {
        "ok": "true when no record was changed or removed, the head given (if any) is still in the chain, and no fact was changed outside the library",
        "records": "how many records were checked",
        "first_bad": "the sequence number of the first bad record, or of a head no longer in the chain; null otherwise",
        "problem": "what is wrong: the chain's problem, or a summary of the facts'; null when ok",
        "problems": "the facts changed outside the library, at most 100: an array of fact_problem",
        "problems_total": "how many such problems there are in all",
    }
    FACT_PROBLEM = "fact_problem", "a fact found changed outside the library." {
        "table": "the table (sqlite_master for the schema and the file's application_id and user_version, seal for the seals)",
        "row": "the row: its rowid, or its primary key's values separated by /",
        "problem": "edited, deleted or inserted; resealed (the seals no longer match what the chain committed to); found_earlier:... (an outside change recorded in the chain when the library next wrote the row or migrated the store)",
    }
    AUDIT_HEAD = "audit_head", "the newest record of the audit chain, to keep elsewhere and check later (verify since)." {
        "seq": "its sequence number; 0 for an empty chain",
        "digest": "its hash, 64 hex digits",
        "at": "when it was written; empty for an empty chain",
    }
    PARQUET_EXPORT = "parquet_export", "what an export of the facts as Parquet files did (README, Facts as Parquet)." {
        "directory": "the directory written",
        "store_id": "the store's identity, as the files' store_id column gives it",
        "unit": "the unit whose subtree was exported; null: the whole store",
        "export_seq": "this export's number in the directory (1 for the first)",
        "full": "whether every table was written afresh",
        "audit_from": "the audit record the previous export covered up to (0: none)",
        "audit_to": "the audit record this export covers up to",
        "tables": "a parquet_table per table",
    }
    PARQUET_TABLE = "parquet_table", "one table of a parquet_export." {
        "table": "its name, the folder of its part files",
        "rows_written": "the rows this export wrote (0: nothing changed)",
        "files": "its part files, relative to the directory, oldest first",
    }
    AUDIT_RECORD = "audit_record", "one record of the audit chain." {
        "seq": "its sequence number",
        "at": "when",
        "actor": "who",
        "action": "what was done",
        "target": "what it was done to",
        "detail": "the details, JSON",
        "hash": "the chain's hash up to it",
    }
    VISIT_RULE = "visit_rule", "a visit rule (走访制度); read and written alike, in arrays." {
        "name": "its name",
        "class": "ordinary or special; or give \"tag\" instead for households carrying a tag",
        "channel": "home or phone (a home visit also satisfies a phone rule)",
        "every": "N, how many periods",
        "per": "day, week, month, quarter, half_year or year",
        "mode": "calendar (once in each period) or rolling (within N of the last contact)",
    }
    QUOTA_RULE = "quota_rule", "a contact quota (联户); read and written alike, in arrays." {
        "name": "its name (1+10)",
        "role": "the staff role it holds to",
        "contacts": "K distinct households to contact per period",
        "every": "N, how many periods",
        "per": "day, week, month, quarter, half_year or year",
    }
    PATROL_RULE = "patrol_rule", "a patrol rule (巡查); read and written alike, in arrays." {
        "name": "its name (一日双巡)",
        "level": "the level of the units patrolled",
        "times": "K patrols per period",
        "every": "N, how many periods",
        "per": "day, week, month, quarter, half_year or year",
    }
    CHECKOUT = "checkout", "a unit checked out to a handheld device (手持终端)." {
        "device_id": "the device's id: fresh for each new device file, kept by a refresh",
        "unit": "the unit checked out",
        "staff_id": "the staff member it is checked out to",
        "checked_out_at": "when",
        "path": "the device file's path, as given",
        "households": "the households copied to the device",
        "entries": "the open entries copied to the device",
        "refreshed": "true when an earlier device file of the same checkout was brought up to date",
        "kept_items": "the device's log items not merged yet that the refresh kept",
    }
    MERGE_RESULT = "merge_result", "what merging a device home did." {
        "device_id": "the device merged",
        "unit": "its unit",
        "staff_id": "its staff member",
        "applied": "the items this merge applied",
        "skipped": "the items an earlier merge already applied or reported",
        "conflicts": "an array of merge_conflict: the items this merge did not apply",
        "digest": "the SM3 digest (hex) of the device's log, as the audit record keeps it",
    }
    MERGE_CONFLICT = "merge_conflict", "a device's log item not applied at home, reported once." {
        "device_seq": "its sequence number on the device",
        "global_id": "its global id, device_id:seq",
        "kind": "visit, patrol, finding, entry or entry_action",
        "local_id": "the id it had on the device (a record created there); null: none",
        "entry_id": "the entry an entry action names, as the device named it; null: none",
        "household_id": "the household a visit or entry names; null: none",
        "reason": "entry_moved_on, household_gone, period_locked, withdrawn, depends_on_conflict or refused",
        "message": "the reason in English, with the rule's own words",
        "message_zh": "the reason in Chinese",
    }
}

/// Every shape a result of the C and Python interfaces takes, by name.
pub const RESULTS: &[Shape] = &[
    UNIT,
    STAFF,
    ASSIGNMENT,
    HOUSEHOLD,
    RESIDENT,
    RESIDENT_CLEAR,
    TAG_KIND,
    UNIT_COUNTS,
    COUNTS,
    ARCHIVE_SECTION,
    ARCHIVE,
    IMPORT_RESULT,
    VISIT,
    DUE_VISIT,
    PAGE,
    REVERIFICATION,
    COMPLIANCE,
    QUOTA_COMPLIANCE,
    PATROL_COMPLIANCE,
    COMPLIANCE_ROW,
    PATROL,
    FINDING,
    ENTRY,
    EVENT,
    CLASSIFICATION,
    PILES,
    PILE,
    LEDGER_RULES,
    REPORT,
    REPORT_ROW,
    CIRCULAR,
    INDICATOR,
    PERIOD,
    REPORTING_RULE,
    SUBMISSION,
    ASSESSMENT_RULES,
    ASSESSMENT,
    STORE_INFO,
    AUDIT_VERIFICATION,
    FACT_PROBLEM,
    AUDIT_HEAD,
    AUDIT_RECORD,
    PARQUET_EXPORT,
    PARQUET_TABLE,
    VISIT_RULE,
    QUOTA_RULE,
    PATROL_RULE,
    CHECKOUT,
    MERGE_RESULT,
    MERGE_CONFLICT,
];

/// Every shape an input of the C and Python interfaces takes (the rule shapes, read and
/// written alike, are among the results).
pub const INPUTS: &[Shape] = &[
    STORE_OPTIONS,
    NEW_UNIT,
    HOUSEHOLD_FILTER,
    NEW_RESIDENT,
    NEW_VISIT,
    IMPORT_OPTIONS,
    IMPORT_ROW,
    NEW_ENTRY,
    CLASSIFY_REQUEST,
    ENTRY_QUERY,
    ENTRY_ACTION,
];
