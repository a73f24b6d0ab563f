/*
 * The same bad input gives the same status whichever door it comes through: the cases of
 * core/tests/errors.rs, as far as the C API reaches them, in one table. Each refusal has
 * its status, names its field as the core does, shows at most 200 characters of what was
 * given, and writes nothing.
 */
#include "harness.h"

#define GRID "512021100001001"
#define AT "2025-03-04T09:00:00"
/* The longest message a refusal may leave, in characters: the core shows at most 200
 * characters of a value, and of a parser's message that quotes a key, plus its own words.
 * (In bytes, 200 characters of 长 are already 600.) */
#define MESSAGE_MAX 500

/* Ten megabytes of 长, where a name, a summary or a note goes; set by the test. */
static char *huge = NULL;
/* Where a row's call writes a result it should not get; freed after each row. */
static char *out = NULL;
/* A JSON text a row builds around `huge`; freed after each row. */
static char *built = NULL;

/* `format` with its one `%s` replaced by the huge string, kept in `built`. */
static const char *with_huge(const char *format) {
  size_t size = strlen(format) + strlen(huge) + 1;
  built = malloc(size);
  if (built != NULL) snprintf(built, size, format, huge);
  return built != NULL ? built : "";
}

/* A batch of one action on `entry`, `rest` being the action's other keys. */
static wg_status one_action(wg_store *s, long entry, const char *rest) {
  char batch[512];
  snprintf(batch, sizeof batch, "[{\"entry_id\": %ld, %s}]", entry, rest);
  return wg_entries_work_batch(s, batch, NULL);
}

/* How a row reaches the API: the store, the registered entry's id and the row's number
 * (an id or a count, for the rows that take one). */
typedef wg_status (*bad_call)(wg_store *s, long entry, long n);

/* Ids that name nothing. */
static wg_status get_entry(wg_store *s, long e, long n) { (void)e; return wg_entry(s, n, &out); }
static wg_status get_history(wg_store *s, long e, long n) {
  (void)e;
  return wg_entry_history(s, n, &out);
}
static wg_status sign_for(wg_store *s, long e, long n) {
  (void)e;
  return wg_entry_sign_for(s, n, "W1", AT, &out);
}
static wg_status resolve(wg_store *s, long e, long n) {
  (void)e;
  return wg_entry_resolve(s, n, AT, "修好了", &out);
}
static wg_status close_entry(wg_store *s, long e, long n) {
  (void)e;
  return wg_entry_close(s, n, AT, &out);
}
static wg_status batch_resume(wg_store *s, long e, long n) {
  (void)e;
  return one_action(s, n, "\"action\": \"resume\", \"at\": \"" AT "\"");
}
static wg_status get_resident(wg_store *s, long e, long n) {
  (void)e;
  return wg_resident_get(s, n, NULL, &out);
}

/* Extension days out of range, and a negative sample size. */
static wg_status extend(wg_store *s, long e, long n) {
  return wg_entry_extend(s, e, AT, n, "等材料", &out);
}
static wg_status batch_extend(wg_store *s, long e, long n) {
  char rest[256];
  snprintf(rest, sizeof rest,
           "\"action\": \"extend\", \"at\": \"" AT "\", \"note\": \"等材料\", \"days\": %ld", n);
  return one_action(s, e, rest);
}
static wg_status circular(wg_store *s, long e, long n) {
  (void)e;
  return wg_circular(s, "512021", "2025-03", "closure_rate", n, &out);
}

/* Malformed moments. */
static wg_status resume_at(wg_store *s, long e, long n) {
  (void)n;
  return wg_entry_resume(s, e, "2025-13-45T99:00", &out);
}
static wg_status query_at(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entries(s, "{\"unit\": \"512021\", \"at\": \"yesterday\"}", &out);
}
static wg_status request_at(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_classify(s, "{\"summary\": \"路灯\", \"at\": \"3pm\"}", &out);
}
static wg_status batch_at(wg_store *s, long e, long n) {
  (void)n;
  return one_action(s, e, "\"action\": \"resume\", \"at\": \"2025-03-04 9h\"");
}

/* Each JSON input, given text of the wrong shape: `json` is the row's text. */
static const char *json = NULL;
static wg_status units(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_units_add_json(s, json, NULL);
}
static wg_status resident(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_resident_add(s, "H1", json, NULL, &out);
}
static wg_status filter(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_households(s, "512021", json, &out);
}
static wg_status query(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entries(s, json, &out);
}
static wg_status request(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_classify(s, json, &out);
}
static wg_status import_options(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_import_rows(s, "[]", json, NULL, NULL, &out);
}
static wg_status csv_options(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_import_csv(s, NULL, 0, json, NULL, NULL, &out);
}
static wg_status import_rows(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_import_rows(s, json, NULL, NULL, NULL, &out);
}
static wg_status store_options(wg_store *s, long e, long n) {
  (void)s, (void)e, (void)n;
  wg_store *opened = NULL;
  wg_status status = wg_store_open(":memory:", json, &opened);
  wg_store_free(opened);
  return status;
}
static wg_status entry(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entry_register(s, json, &out);
}
static wg_status entries(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entries_register_batch(s, json, &out);
}
static wg_status actions(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entries_work_batch(s, json, NULL);
}
static wg_status visits(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_visits_record_batch(s, json, &out);
}
static wg_status archive(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_archive_set(s, "H1", "basic", json, &out);
}

static wg_status staff_named(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_staff_add(s, "W9", json, NULL, &out);
}

/* Ten megabytes where a name, a summary, a reason, a note, an id or a code goes. */
static wg_status huge_unit_name(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_unit_add(s, "512021100001009", huge, "grid", "512021100001", NULL, &out);
}
static wg_status huge_staff_name(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_staff_add(s, "W9", huge, NULL, &out);
}
static wg_status huge_summary(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_entry_register(s, with_huge("{\"unit\": \"" GRID "\", \"category\": \"市政设施\", "
                                        "\"summary\": \"%s\", \"reported_at\": \"" AT "\"}"),
                           &out);
}
static wg_status huge_reason(wg_store *s, long e, long n) {
  (void)n;
  return wg_entry_mark_hard(s, e, AT, huge, &out);
}
static wg_status huge_feedback_note(wg_store *s, long e, long n) {
  (void)n;
  return wg_entry_verify(s, e, AT, 1, huge, &out);
}
static wg_status huge_visit_note(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_visit_record(s, "H1", "W1", "home", "2025-03-03", huge, &out);
}
static wg_status huge_archive(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_archive_set(s, "H1", "basic", with_huge("{\"note\": \"%s\"}"), &out);
}
static wg_status huge_hukou(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_resident_add(s, "H1", with_huge("{\"name\": \"付良容\", \"hukou\": \"%s\"}"), NULL,
                         &out);
}
static wg_status huge_household_id(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_household_add(s, huge, GRID, "x", NULL, NULL, NULL, &out);
}
static wg_status huge_unknown_key(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_units_add_json(s, with_huge("[{\"%s\": 1}]"), NULL);
}
static wg_status huge_unit_code(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_unit_get(s, huge, NULL, &out);
}
static wg_status huge_sealed_submission(wg_store *s, long e, long n) {
  (void)e, (void)n;
  return wg_receive_submission(s, huge, &out);
}

/* One bad input: what it is, how it is given, the status and the field it must give. */
struct bad_input {
  const char *name;
  bad_call call;
  long n;             /* the id or count `call` passes, for the rows that take one */
  const char *text;   /* the JSON text `call` passes, for the rows that take one */
  wg_status want;
  const char *field;  /* NULL: a refusal that names no field (WG_NOT_FOUND) */
};

#define ID(name, call, id) {name, call, id, NULL, WG_NOT_FOUND, NULL}
#define NUMBER(name, call, n, field) {name, call, n, NULL, WG_INVALID_INPUT, field}
#define TEXT(name, call, text, field) {name, call, 0, text, WG_INVALID_INPUT, field}
#define HUGE(name, call, field) {name, call, 0, NULL, WG_INVALID_INPUT, field}

static const struct bad_input CASES[] = {
    /* Ids that name nothing. */
    ID("entry 0", get_entry, 0),
    ID("entry -1", get_entry, -1),
    ID("history of entry 0", get_history, 0),
    ID("history of entry -1", get_history, -1),
    ID("sign_for entry 0", sign_for, 0),
    ID("sign_for entry -1", sign_for, -1),
    ID("resolve entry 0", resolve, 0),
    ID("resolve entry -1", resolve, -1),
    ID("close entry 0", close_entry, 0),
    ID("close entry -1", close_entry, -1),
    ID("a batch action on entry 0", batch_resume, 0),
    ID("a batch action on entry -1", batch_resume, -1),
    ID("resident -1", get_resident, -1),
    /* Extension days out of range. */
    NUMBER("extend by 0 days", extend, 0, "days"),
    NUMBER("extend by 400 days", extend, 400, "days"),
    NUMBER("extend by -1 days", extend, -1, "days"),
    NUMBER("extend by 2^32 + 1 days", extend, 4294967297LL, "days"),
    NUMBER("a batch extension of 400 days", batch_extend, 400, "days"),
    /* A negative sample size. */
    NUMBER("min_sample -1", circular, -1, "min_sample"),
    /* Malformed moments. */
    NUMBER("a malformed at", resume_at, 0, "at"),
    NUMBER("a malformed at in a query", query_at, 0, "at"),
    NUMBER("a malformed at in a request", request_at, 0, "at"),
    NUMBER("a malformed at in a batch", batch_at, 0, "at"),
    /* Unknown keys, in every JSON input. */
    TEXT("an unknown key in a unit", units,
         "[{\"code\": \"1\", \"name\": \"x\", \"level\": \"grid\", \"colour\": 1}]", "unit"),
    TEXT("an unknown key in a resident", resident, "{\"name\": \"付良容\", \"age\": 40}",
         "resident"),
    TEXT("an unknown key in a filter", filter, "{\"klass\": \"special\"}", "filter"),
    TEXT("an unknown key in a query", query, "{\"unit\": \"512021\", \"colour\": \"red\"}",
         "query"),
    TEXT("an unknown key in a request", request, "{\"summary\": \"x\", \"urgency\": 1}",
         "request"),
    TEXT("an unknown key in import options", import_options,
         "{\"mode\": \"skip_invalid\", \"fast\": true}", "options"),
    TEXT("an unknown key in CSV import options", csv_options, "{\"fast\": true}", "options"),
    TEXT("an unknown key in an import row", import_rows,
         "[{\"name\": \"付良容\", \"age\": \"40\"}]", "rows"),
    TEXT("an unknown key in store options", store_options,
         "{\"actor\": \"a\", \"timezone\": \"Asia/Shanghai\"}", "options"),
    TEXT("an unknown key in an entry", entry,
         "{\"unit\": \"" GRID "\", \"summary\": \"x\", \"reported_at\": \"" AT "\", \"colour\": 1}",
         "entry"),
    TEXT("an unknown key in a batch entry", entries,
         "[{\"unit\": \"" GRID "\", \"summary\": \"x\", \"reported_at\": \"" AT "\", \"colour\": 1}]",
         "entry"),
    TEXT("an unknown key in an action", actions,
         "[{\"entry_id\": 1, \"action\": \"resume\", \"at\": \"" AT "\", \"why\": \"x\"}]",
         "action"),
    TEXT("an unknown key in a visit", visits,
         "[{\"household_id\": \"H1\", \"staff_id\": \"W1\", \"channel\": \"home\", "
         "\"on\": \"2025-03-03\", \"mood\": \"good\"}]",
         "visit"),
    /* An array where an object is meant, and the reverse. */
    TEXT("an array for a unit", units, "[[]]", "unit"),
    TEXT("an array for a resident", resident, "[\"付良容\"]", "resident"),
    TEXT("an array for a filter", filter, "[]", "filter"),
    TEXT("an array for a query", query, "[\"512021\"]", "query"),
    TEXT("an array for a request", request, "[]", "request"),
    TEXT("an array for import options", import_options, "[]", "options"),
    TEXT("an array for store options", store_options, "[]", "options"),
    TEXT("an array for an import row", import_rows, "[[]]", "rows"),
    TEXT("an array for an entry", entry, "[]", "entry"),
    TEXT("an array for an action", actions, "[[]]", "action"),
    TEXT("an array for a visit", visits, "[[]]", "visit"),
    TEXT("an object for a list of units", units, "{\"code\": \"1\"}", "units"),
    TEXT("an object for a batch of entries", entries, "{}", "entries"),
    TEXT("an object for a batch of actions", actions, "{}", "actions"),
    TEXT("an object for import rows", import_rows, "{}", "rows"),
    TEXT("an object for a batch of visits", visits, "{}", "visits"),
    TEXT("archive content that is not JSON", archive, "{510123194805121220", "content"),
    TEXT("archive content that is an array", archive, "[]", "content"),
    /* A control character where a name goes (one a C reader would stop at, or not see). */
    TEXT("a staff name with a control character", staff_named, "王\a网格员", "name"),
    /* Ten megabytes where a name, a summary or a note goes. */
    HUGE("a huge unit name", huge_unit_name, "name"),
    HUGE("a huge staff name", huge_staff_name, "name"),
    HUGE("a huge summary", huge_summary, "summary"),
    HUGE("a huge reason", huge_reason, "reason"),
    HUGE("a huge note on a feedback", huge_feedback_note, "note"),
    HUGE("a huge visit note", huge_visit_note, "note"),
    HUGE("a huge archive section", huge_archive, "content"),
    HUGE("a huge hukou", huge_hukou, "hukou"),
    HUGE("a huge household id", huge_household_id, "household_id"),
    HUGE("a huge unknown key", huge_unknown_key, "unit"),
    HUGE("a huge unit code", huge_unit_code, "code"),
    HUGE("a huge sealed submission", huge_sealed_submission, "sealed"),
};

/* The number of audit records, which every write adds to; -1 when unreadable. */
static long audit_records(wg_store *s) {
  char *verification = NULL;
  if (wg_audit_verify(s, &verification) != WG_OK) return -1;
  long records = strstr(verification, "\"ok\":true") != NULL
                     ? json_long(verification, "records")
                     : -1;
  wg_string_free(verification);
  return records;
}

/* A county with a staff member, a household and one registered entry, whose id is set. */
static wg_store *with_entry(long *id) {
  wg_store *s = county();
  EXPECT(s, wg_staff_add(s, "W1", "王网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", GRID, "北坝一网格1号", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  *id = register_entry(s, "{\"unit\": \"" GRID "\", \"category\": \"市政设施\", "
                          "\"summary\": \"路灯不亮\", \"reported_at\": \"2025-03-03T09:00:00\"}");
  return s;
}

/* The characters of UTF-8 text: its bytes other than continuation bytes. */
static size_t characters(const char *text) {
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)text; *p != '\0'; p++) {
    if ((*p & 0xC0) != 0x80) n++;
  }
  return n;
}

/* Checks one refused row's message: it names `field` as the core does (`invalid field
 * "value": reason`), is short, and does not show the huge string. */
static void check_message(const struct bad_input *row, const char *message,
                          const char *echo) {
  char start[64];
  if (row->field != NULL) {
    snprintf(start, sizeof start, "invalid %s \"", row->field);
  } else {
    snprintf(start, sizeof start, " not found: ");
  }
  int named = row->field != NULL ? strncmp(message, start, strlen(start)) == 0
                                 : strstr(message, start) != NULL;
  size_t length = characters(message);
  CHECK(named);
  CHECK(length <= MESSAGE_MAX);
  CHECK(strstr(message, echo) == NULL);
  if (!named || length > MESSAGE_MAX || strstr(message, echo) != NULL) {
    fprintf(stderr, "%s: message of %zu characters \"%.300s\" (wanted \"%s\")\n", row->name, length,
            message, start);
  }
}

void test_every_bad_input_gives_its_status_names_its_field_and_writes_nothing(void) {
  const char *grain = "长";
  size_t count = 10 * 1024 * 1024 / strlen(grain);
  huge = malloc(count * strlen(grain) + 1);
  char echo[201 * 3 + 1] = "";
  CHECK(huge != NULL);
  if (huge == NULL) return;
  for (size_t i = 0; i < count; i++) memcpy(huge + i * strlen(grain), grain, strlen(grain));
  huge[count * strlen(grain)] = '\0';
  for (int i = 0; i < 201; i++) strcat(echo, grain);

  long id = 0;
  wg_store *s = with_entry(&id);
  CHECK(id > 0);
  long before = audit_records(s);
  CHECK(before > 0);
  for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
    const struct bad_input *row = &CASES[i];
    json = row->text;
    wg_status got = row->call(s, id, row->n);
    /* A call made without a handle keeps its message for this thread. */
    wg_store *holder = row->call == store_options ? NULL : s;
    char *message = NULL;
    CHECK(wg_last_error(holder, &message) == WG_OK && message != NULL);
    CHECK(got == row->want);
    if (got != row->want) {
      fprintf(stderr, "%s: status %d, wanted %d (%s)\n", row->name, (int)got, (int)row->want,
              message != NULL ? message : "");
    } else if (message != NULL) {
      check_message(row, message, echo);
    }
    long after = audit_records(s);
    CHECK(after == before);
    if (after != before) fprintf(stderr, "%s: the audit chain went from %ld to %ld records\n",
                                 row->name, before, after);
    wg_string_free(message);
    wg_string_free(out);
    out = NULL;
    free(built);
    built = NULL;
  }
  json = NULL;
  wg_store_free(s);
  free(huge);
  huge = NULL;
}

/* A store opened with "language": "zh" gives its messages in Chinese, the status, field
   name and quoted value as in English; a language other than en or zh is refused. */
void test_messages_in_chinese(void) {
  wg_store *s = NULL;
  char *json = NULL;
  EXPECT(NULL, wg_store_open(":memory:", "{\"language\":\"zh\"}", &s), WG_OK, NULL);
  EXPECT(s, wg_store_info(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"language\":\"zh\""));
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", "512021", "路", "tenant", NULL, NULL, NULL), WG_INVALID_INPUT,
         "kind 无效 \"tenant\"：应为 registered、floating 或 rental");
  EXPECT(s, wg_unit_get(s, "512021999", NULL, &json), WG_NOT_FOUND, "未找到单位：512021999");
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_CONFLICT,
         "冲突：单位编码 512021 已存在");
  /* Its scopes speak the same language. */
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, "512021", "县干部", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_unit_get(scoped, "512021999", NULL, &json), WG_NOT_FOUND, "未找到单位");
  wg_store_free(scoped);
  wg_store_free(s);

  /* A store opened without it stays in English. */
  s = county();
  EXPECT(s, wg_household_add(s, "H1", "512021", "路", "tenant", NULL, NULL, NULL), WG_INVALID_INPUT,
         "invalid kind \"tenant\": expected registered, floating or rental");
  wg_store_free(s);

  /* An open that fails says why in the language asked for. */
  s = NULL;
  EXPECT(NULL, wg_store_open("", "{\"language\":\"zh\"}", &s), WG_INVALID_INPUT,
         "path 无效 \"\"：库的路径为空");
  CHECK(s == NULL);
  EXPECT(NULL, wg_store_open(":memory:", "{\"language\":\"fr\"}", &s), WG_INVALID_INPUT,
         "invalid language \"fr\"");
  CHECK(s == NULL);
}
