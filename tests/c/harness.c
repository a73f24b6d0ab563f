/*
 * The harness of the C test: counts checks, compares statuses and messages, reads JSON
 * results and builds the small county every area starts from. `main` runs each area.
 */
#include "harness.h"

int passed = 0;
int failed = 0;

/* Checks the status and, when it is an error, that the handle's message mentions `needle`. */
void expect(wg_store *store, wg_status got, wg_status want, const char *needle,
            int line) {
  if (got != want) {
    char *msg = NULL;
    wg_last_error(store, &msg);
    fprintf(stderr, "line %d: status %d, wanted %d (%s)\n", line, (int)got, (int)want,
            msg ? msg : "");
    wg_string_free(msg);
    failed++;
    return;
  }
  passed++;
  if (needle != NULL) {
    char *msg = NULL;
    CHECK(wg_last_error(store, &msg) == WG_OK);
    if (msg == NULL || strstr(msg, needle) == NULL) {
      fprintf(stderr, "line %d: message \"%s\" lacks \"%s\"\n", line, msg ? msg : "(null)",
              needle);
      failed++;
    } else {
      passed++;
    }
    wg_string_free(msg);
  }
}

/* True when the JSON text `json` contains `needle`; frees `json`. */
int json_has(char *json, const char *needle) {
  int found = json != NULL && strstr(json, needle) != NULL;
  if (!found) fprintf(stderr, "JSON %s lacks %s\n", json ? json : "(null)", needle);
  wg_string_free(json);
  return found;
}

/* Counts the objects in a JSON array of units by counting "code" keys; frees `json`. */
int count_units(char *json) {
  int n = 0;
  for (const char *p = json; p != NULL && (p = strstr(p, "\"code\"")) != NULL; p++) n++;
  wg_string_free(json);
  return n;
}

/* Counts the occurrences of `needle` in `json`; frees `json`. */
int count_of(char *json, const char *needle) {
  int n = 0;
  for (const char *p = json; p != NULL && (p = strstr(p, needle)) != NULL; p++) n++;
  wg_string_free(json);
  return n;
}

/* The integer after the first `"key":` in `json`, or -1 when there is none. */
long json_long(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = json != NULL ? strstr(json, pattern) : NULL;
  return p != NULL ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

/* The sum of the integers after every `"key":` that follows `from` in `json`. */
long json_sum_after(const char *json, const char *from, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  long sum = 0;
  const char *p = json != NULL ? strstr(json, from) : NULL;
  while (p != NULL && (p = strstr(p, pattern)) != NULL) {
    p += strlen(pattern);
    sum += strtol(p, NULL, 10);
  }
  return sum;
}

/* Copies the string value of the first `"key":"..."` in `json` into `buf`. */
int json_text(const char *json, const char *key, char *buf, size_t size) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  const char *p = json != NULL ? strstr(json, pattern) : NULL;
  if (p == NULL || size == 0) return 0;
  p += strlen(pattern);
  const char *end = strchr(p, '"');
  size_t n = end != NULL ? (size_t)(end - p) : 0;
  if (end == NULL || n >= size) return 0;
  memcpy(buf, p, n);
  buf[n] = '\0';
  return 1;
}

/* True when the last error message of `store` does not contain `text`. */
int last_error_lacks(wg_store *store, const char *text) {
  char *msg = NULL;
  int lacks = wg_last_error(store, &msg) == WG_OK && msg != NULL && strstr(msg, text) == NULL;
  if (!lacks) fprintf(stderr, "message \"%s\" shows \"%s\"\n", msg ? msg : "(null)", text);
  wg_string_free(msg);
  return lacks;
}

/* The audit log and the households of the whole county, to compare before and after. */
void snapshot(wg_store *s, char **audit, char **households) {
  *audit = NULL;
  *households = NULL;
  EXPECT(s, wg_audit_log(s, 0, 100000, audit), WG_OK, NULL);
  EXPECT(s, wg_households(s, "512021", "{\"as_of\":\"2024-06-30\"}", households), WG_OK, NULL);
}

/* True when nothing changed since `snapshot`; frees both snapshots. */
int unchanged_since(wg_store *s, char *audit, char *households) {
  char *audit_now = NULL;
  char *households_now = NULL;
  snapshot(s, &audit_now, &households_now);
  int same = audit != NULL && audit_now != NULL && strcmp(audit, audit_now) == 0 &&
             households != NULL && households_now != NULL &&
             strcmp(households, households_now) == 0;
  wg_string_free(audit);
  wg_string_free(households);
  wg_string_free(audit_now);
  wg_string_free(households_now);
  return same;
}

wg_store *county(void) {
  wg_store *s = NULL;
  EXPECT(NULL, wg_store_open(":memory:", NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021101", "石桥铺镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  const char *batch =
      "[{\"code\":\"512021100001\",\"name\":\"北坝社区\",\"level\":\"community\",\"parent\":\"512021100\"},"
      "{\"code\":\"512021100002\",\"name\":\"龙井社区\",\"level\":\"community\",\"parent\":\"512021100\"},"
      "{\"code\":\"512021101001\",\"name\":\"解放村\",\"level\":\"community\",\"parent\":\"512021101\"},"
      "{\"code\":\"512021100001001\",\"name\":\"北坝一网格\",\"level\":\"grid\",\"parent\":\"512021100001\"},"
      "{\"code\":\"512021100001002\",\"name\":\"北坝二网格\",\"level\":\"grid\",\"parent\":\"512021100001\"},"
      "{\"code\":\"512021100002001\",\"name\":\"龙井一网格\",\"level\":\"grid\",\"parent\":\"512021100002\"},"
      "{\"code\":\"512021101001001\",\"name\":\"解放村一组\",\"level\":\"grid\",\"parent\":\"512021101001\"}]";
  size_t added = 0;
  EXPECT(s, wg_units_add_json(s, batch, &added), WG_OK, NULL);
  CHECK(added == 7);
  return s;
}

/* Registers `entry_json` and returns the new entry's id, or -1. */
long register_entry(wg_store *s, const char *entry_json) {
  char *json = NULL;
  EXPECT(s, wg_entry_register(s, entry_json, &json), WG_OK, NULL);
  long id = json_long(json, "id");
  wg_string_free(json);
  return id;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--hold-write-lock") == 0) return hold_write_lock(argv[2]);
  test_tree_queries();
  test_bad_input_is_typed_and_writes_nothing();
  test_units_from_an_arrow_stream();
  test_null_and_invalid_utf8_never_crash();
  test_staff_and_responsibility();
  test_scope_and_audit();
  test_scope_holds_on_every_path();
  test_registry();
  test_archive();
  test_import();
  test_import_xlsx();
  test_progress();
  test_registry_null_and_bad_text();
  test_registry_tags_as_text();
  test_visits();
  test_contacts();
  test_paging();
  test_working_days();
  test_periods();
  test_period_and_date_forms();
  test_ledger();
  test_ledger_work_batch();
  test_ledger_work_together();
  test_report();
  test_pictures();
  test_submissions();
  test_receive_submissions();
  test_assessment();
  test_parquet_export();
  test_every_bad_input_gives_its_status_names_its_field_and_writes_nothing();
  test_last_error();
  test_messages_in_chinese();
  test_ledger_persists("c-test-ledger.db");
  test_persistence_and_levels("c-test-store.db");
  test_utf16_file_is_refused("c-test-utf16.db");
  test_keys("c-test-keys.db");
  test_facts_are_sealed("c-test-audit.db");
  test_handheld("c-test-device.db");
  test_busy(argv[0], "c-test-busy.db");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
