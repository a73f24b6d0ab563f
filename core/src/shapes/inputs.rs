//! The shapes of the JSON the C and Python interfaces take as input (the rule shapes,
//! read and written alike, are with the results).

use super::Shape;

shapes! {
    STORE_OPTIONS = "store_options", "input: how to open a store; every key optional." {
        "levels": "an array of [name, code_length] pairs, root first, null length for free-form codes; only when the store is created",
        "actor": "who writes through the handle; default system",
        "utc_offset_minutes": "the deployment's time zone; default 480; only when the store is created",
        "read_only": "open an existing store without migrating it, refusing every write (PermissionDenied); default false",
        "key_hex": "the deployment key, 16 to 64 bytes as 32 to 128 hex digits; never stored in the file; a keyed store opened without it or with another is refused (PermissionDenied), untouched",
        "busy_timeout_ms": "how long a write waits for another connection's write lock before it fails with Busy, 0 to 600000 milliseconds; default 60000",
        "language": "the language of error messages: en (default) or zh (中文); the kind, field and value are the same in both",
    }
    NEW_UNIT = "new_unit", "input: a unit to add." {
        "code": "its code",
        "name": "its name",
        "level": "its level",
        "parent": "optional: its parent's code (absent for a root); may come earlier in the same array",
        "start": "optional: its first day",
    }
    HOUSEHOLD_FILTER = "household_filter", "input: which households to list; every key optional." {
        "as_of": "the day; default today",
        "household_class": "ordinary or special",
        "tag": "households carrying it themselves or through a member",
        "kind": "registered, floating or rental",
    }
    NEW_RESIDENT = "new_resident", "input: a resident to add; never echoed in messages." {
        "name": "their name",
        "id_number": "optional: the ID number, a string (15 digits are upgraded)",
        "phone": "optional: the phone, a string",
        "hukou": "optional: hukou type",
        "employer": "optional: employer",
        "relation": "optional: relation to the head; default head",
        "tags": "optional: an array of tag kinds",
    }
    NEW_VISIT = "new_visit", "input: a visit to record in a batch." {
        "household_id": "the household",
        "staff_id": "who made it",
        "channel": "home or phone",
        "on": "its day",
        "note": "optional: free text",
    }
    IMPORT_OPTIONS = "import_options", "input: how to import; every key optional." {
        "mode": "all_or_nothing (default) or skip_invalid",
        "on": "the day the rows take effect; default today",
        "encoding": "the CSV's encoding (UTF-8, GBK, GB18030 …); default: detected",
        "columns": "an object from the source's header to a column name (household_id … or its Chinese header); default: none",
        "header_row": "the header's row in a file, from 1; default: the first naming at least two columns, below any title lines",
    }
    IMPORT_ROW = "import_row", "input: one resident row of an import (household fields repeat); never echoed." {
        "household_id": "the household",
        "unit": "its grid or building",
        "address": "its address",
        "kind": "registered, floating or rental",
        "tags": "its tags: an array, or text separated by ; ； , ， or 、",
        "name": "the resident's name",
        "id_number": "the ID number, a string",
        "phone": "the phone, a string",
        "relation": "optional: relation to the head",
        "hukou": "optional: hukou type",
        "employer": "optional: employer",
        "resident_tags": "optional: the resident's tags: an array, or text separated by ; ； , ， or 、",
    }
    NEW_ENTRY = "new_entry", "input: an entry to register." {
        "unit": "where it is raised",
        "summary": "what is raised",
        "reported_at": "when it was reported",
        "category": "optional: its category; absent or null: the summary's keywords suggest one",
        "household_id": "optional: the household it is about",
        "resident_id": "optional: the resident it is about",
        "source": "optional: visit (default), hotline, walk_in, online, patrol or letter",
        "urgent": "optional: default false",
        "finding_id": "optional: the visit finding it takes up",
    }
    CLASSIFY_REQUEST = "classify_request", "input: an entry to classify without registering it." {
        "summary": "what is raised; may be empty when a category is given",
        "category": "optional: absent or null: suggested by the summary's keywords",
        "household_id": "optional: its tags that day add books; its unit that day finds the handler",
        "unit": "optional: where the entry would be raised; finds the handler",
        "urgent": "optional: default false",
        "at": "optional: the rules in force then; default now",
    }
    ENTRY_QUERY = "entry_query", "input: which entries to list." {
        "unit": "required: the subtree, as it stood on the day of at",
        "at": "optional: default now; entries reported by then, as they stood then",
        "standing": "optional: resolved, pending or hard",
        "status": "optional: an entry status",
        "book": "optional: a ledger book",
        "category": "optional: a category",
        "period": "optional: reported in it",
        "overdue": "optional: true or false, open past the deadline at at or not",
    }
    ENTRY_ACTION = "entry_action", "input: one step of a batch of entry actions." {
        "entry_id": "the entry",
        "action": "any event action but register",
        "at": "when it was taken",
        "staff_id": "for sign_for and start: a known staff member",
        "note": "the reason (escalate, return, mark_hard, suspend, extend, reopen), result (resolve) or feedback (verify)",
        "to": "for escalate: where to; default the unit above",
        "days": "for extend: the working days to add, 1 to 365",
        "satisfied": "for verify: the resident's feedback",
    }
}
