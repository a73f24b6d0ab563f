/*
 * The C API, exercised from C: tree, staff, scopes, audit, the registry (households,
 * residents, tags, ID numbers, masking, counts), archives, CSV import, visits (rules, due
 * lists, compliance), contact quotas, patrols and findings, the working-day calendar,
 * calendar periods, the ledger (rules, classification, entries, the whole workflow, tick,
 * queries and piles, batches of workflow actions), reports and circulars (JSON, CSV,
 * XLSX), submitted reports and their locks, the assessment, and every kind of bad
 * input (NULL handles and arguments, invalid UTF-8, bad codes, cycles) answered with a
 * status, never a crash. Run under Valgrind by `make test`: no errors, no leaks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wangge.h"

static int passed = 0;
static int failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* Checks the status and, when it is an error, that the handle's message mentions `needle`. */
static void expect(wg_store *store, wg_status got, wg_status want, const char *needle,
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
#define EXPECT(store, call, want, needle) expect((store), (call), (want), (needle), __LINE__)

/* True when the JSON text `json` contains `needle`; frees `json`. */
static int json_has(char *json, const char *needle) {
  int found = json != NULL && strstr(json, needle) != NULL;
  if (!found) fprintf(stderr, "JSON %s lacks %s\n", json ? json : "(null)", needle);
  wg_string_free(json);
  return found;
}

/* Counts the objects in a JSON array of units by counting "code" keys; frees `json`. */
static int count_units(char *json) {
  int n = 0;
  for (const char *p = json; p != NULL && (p = strstr(p, "\"code\"")) != NULL; p++) n++;
  wg_string_free(json);
  return n;
}

/* Counts the occurrences of `needle` in `json`; frees `json`. */
static int count_of(char *json, const char *needle) {
  int n = 0;
  for (const char *p = json; p != NULL && (p = strstr(p, needle)) != NULL; p++) n++;
  wg_string_free(json);
  return n;
}

/* The integer after the first `"key":` in `json`, or -1 when there is none. */
static long json_long(const char *json, const char *key) {
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *p = json != NULL ? strstr(json, pattern) : NULL;
  return p != NULL ? strtol(p + strlen(pattern), NULL, 10) : -1;
}

/* The sum of the integers after every `"key":` that follows `from` in `json`. */
static long json_sum_after(const char *json, const char *from, const char *key) {
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
static int json_text(const char *json, const char *key, char *buf, size_t size) {
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
static int last_error_lacks(wg_store *store, const char *text) {
  char *msg = NULL;
  int lacks = wg_last_error(store, &msg) == WG_OK && msg != NULL && strstr(msg, text) == NULL;
  if (!lacks) fprintf(stderr, "message \"%s\" shows \"%s\"\n", msg ? msg : "(null)", text);
  wg_string_free(msg);
  return lacks;
}

/* The audit log and the households of the whole county, to compare before and after. */
static void snapshot(wg_store *s, char **audit, char **households) {
  *audit = NULL;
  *households = NULL;
  EXPECT(s, wg_audit_log(s, 0, 100000, audit), WG_OK, NULL);
  EXPECT(s, wg_households(s, "512021", "{\"as_of\":\"2024-06-30\"}", households), WG_OK, NULL);
}

/* True when nothing changed since `snapshot`; frees both snapshots. */
static int unchanged_since(wg_store *s, char *audit, char *households) {
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

static wg_store *county(void) {
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

static void test_tree_queries(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_unit_children(s, "512021", NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "512021100") < strstr(json, "512021101"));
  wg_string_free(json);

  json = NULL;
  EXPECT(s, wg_unit_descendants(s, "512021", "grid", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 4);

  json = NULL;
  EXPECT(s, wg_unit_ancestors(s, "512021100001002", NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"512021\"") < strstr(json, "\"512021100001\""));
  CHECK(count_units(json) == 3);

  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021100002001", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"龙井一网格\""));

  /* Move with history: as of the day before, the community is still under 岳阳镇. */
  EXPECT(s, wg_unit_move(s, "512021100002", "512021101", "2024-07-01", NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021100002", "2024-06-30", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"parent\":\"512021100\""));
  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021100002", "2024-07-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"parent\":\"512021101\""));

  /* Retire with history. */
  json = NULL;
  EXPECT(s, wg_unit_retire(s, "512021100001002", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"end\":\"2024-05-01\""));
  json = NULL;
  EXPECT(s, wg_unit_children(s, "512021100001", "2024-05-01", &json), WG_OK, NULL);
  CHECK(count_units(json) == 1);
  json = NULL;
  EXPECT(s, wg_unit_children(s, "512021100001", "2024-04-30", &json), WG_OK, NULL);
  CHECK(count_units(json) == 2);
  wg_store_free(s);
}

static void test_bad_input_is_typed_and_writes_nothing(void) {
  wg_store *s = county();
  char *before = NULL;
  EXPECT(s, wg_audit_log(s, 0, 1000, &before), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "51202", "x", "county", NULL, NULL, NULL), WG_INVALID_INPUT, "51202");
  EXPECT(s, wg_unit_add(s, "512022100", "x", "township", "512021", NULL, NULL), WG_INVALID_INPUT,
         "512022100");
  EXPECT(s, wg_unit_add(s, "512021100", "x", "township", "512021", NULL, NULL), WG_CONFLICT,
         "512021100");
  EXPECT(s, wg_unit_add(s, "512021199", "x", "township", "512099", NULL, NULL), WG_NOT_FOUND,
         "512099");
  EXPECT(s, wg_unit_add(s, "512021102", "x", "hamlet", "512021", NULL, NULL), WG_INVALID_INPUT,
         "hamlet");
  EXPECT(s, wg_unit_move(s, "512021100", "512021100001001", "2024-01-01", NULL), WG_INVALID_INPUT,
         "512021100001001");
  EXPECT(s, wg_unit_move(s, "512021100", "512021100", "2024-01-01", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_unit_get(s, "512021", "2024-13-01", &(char *){NULL}), WG_INVALID_INPUT, "as_of");
  EXPECT(s, wg_unit_retire(s, "512021100001", "2024-05-01", NULL), WG_CONFLICT, "512021100001001");
  EXPECT(s, wg_units_add_json(s, "[{\"code\":\"512021102\"}]", NULL), WG_INVALID_INPUT, "units_json");
  EXPECT(s, wg_units_add_json(s, "not json", NULL), WG_INVALID_INPUT, "units_json");
  /* A batch with one bad unit adds none. */
  EXPECT(s,
         wg_units_add_json(s,
                           "[{\"code\":\"512021102\",\"name\":\"通贤镇\",\"level\":\"township\",\"parent\":\"512021\"},"
                           "{\"code\":\"512021102\",\"name\":\"重复\",\"level\":\"township\",\"parent\":\"512021\"}]",
                           NULL),
         WG_CONFLICT, "512021102");
  EXPECT(s, wg_unit_get(s, "512021102", NULL, &(char *){NULL}), WG_NOT_FOUND, "512021102");
  char *after = NULL;
  EXPECT(s, wg_audit_log(s, 0, 1000, &after), WG_OK, NULL);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  wg_string_free(before);
  wg_string_free(after);
  wg_store_free(s);
}

static void test_null_and_invalid_utf8_never_crash(void) {
  wg_store *s = county();
  char *json = NULL;
  const char bad_utf8[] = {'5', '1', (char)0xff, (char)0xfe, 0};
  /* NULL handle: the message goes to this thread's slot. */
  EXPECT(NULL, wg_unit_get(NULL, "512021", NULL, &json), WG_INVALID_INPUT, "store");
  CHECK(json == NULL);
  EXPECT(s, wg_unit_get(s, NULL, NULL, &json), WG_INVALID_INPUT, "code");
  EXPECT(s, wg_unit_get(s, "512021", NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_unit_get(s, bad_utf8, NULL, &json), WG_INVALID_INPUT, "UTF-8");
  EXPECT(s, wg_unit_add(s, "512021102", bad_utf8, "township", "512021", NULL, NULL),
         WG_INVALID_INPUT, "name");
  EXPECT(s, wg_unit_add(s, "512021102", "x", NULL, "512021", NULL, NULL), WG_INVALID_INPUT,
         "level");
  EXPECT(s, wg_unit_move(s, "512021100", NULL, "2024-01-01", NULL), WG_INVALID_INPUT,
         "new_parent");
  EXPECT(s, wg_unit_move(s, "512021100001", "512021101", NULL, NULL), WG_INVALID_INPUT, "on");
  EXPECT(s, wg_unit_children(s, "512021", bad_utf8, &json), WG_INVALID_INPUT, "as_of");
  EXPECT(s, wg_unit_descendants(NULL, NULL, NULL, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_unit_ancestors(s, "512021", NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_units_add_json(s, NULL, NULL), WG_INVALID_INPUT, "units_json");
  EXPECT(s, wg_staff_add(s, NULL, "x", NULL, NULL), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_staff_get(s, "x", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_staff_assign(s, "x", NULL, "guide", NULL, NULL, NULL), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_staff_responsible(NULL, "512021", NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_assignment_end(s, 1, NULL), WG_INVALID_INPUT, "end");
  EXPECT(s, wg_audit_verify(s, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_audit_log(NULL, 0, 10, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_store_scope(s, "512021100", NULL, (wg_store **)NULL), WG_INVALID_INPUT, "actor");
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "x", &scoped), WG_OK, NULL);
  EXPECT(s, wg_store_scope(NULL, "512021100", "x", &scoped), WG_INVALID_INPUT, NULL);
  EXPECT(NULL, wg_store_open(NULL, NULL, &scoped), WG_INVALID_INPUT, "path");
  EXPECT(NULL, wg_store_open(":memory:", "{\"levels\": 5}", &scoped), WG_INVALID_INPUT,
         "options_json");
  EXPECT(NULL, wg_store_open(":memory:", NULL, NULL), WG_INVALID_INPUT, "out");
  CHECK(wg_last_error(s, NULL) == WG_INVALID_INPUT);
  CHECK(json == NULL);
  wg_store_free(scoped);
  wg_store_free(NULL);
  wg_string_free(NULL);
  CHECK(strlen(wg_version()) > 0);
  wg_store_free(s);
}

static void test_staff_and_responsibility(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_staff_add(s, "chief-1", "袁婷", "13812345678", &json), WG_OK, NULL);
  CHECK(json_has(json, "138****5678"));
  EXPECT(s, wg_staff_add(s, "sup-1", "郑小芳", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "sup-1", "again", NULL, NULL), WG_CONFLICT, "sup-1");
  EXPECT(s, wg_staff_assign(s, "sup-1", "512021100001", "supervisor", NULL, NULL, NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_staff_assign(s, "chief-1", "512021100001001", "grid_chief", "2024-01-01", "2024-06-30", &json),
         WG_OK, NULL);
  CHECK(json_has(json, "\"role\":\"grid_chief\""));
  EXPECT(s, wg_staff_assign(s, "chief-1", "512021100001001", "mayor", NULL, NULL, NULL), WG_INVALID_INPUT,
         "mayor");
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, "512021100001001", "2024-06-30", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"staff_id\":\"chief-1\""));
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, "512021100001001", "2024-07-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"staff_id\":\"sup-1\""));
  json = NULL;
  EXPECT(s, wg_staff_get(s, "chief-1", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"phone\":\"138****5678\""));
  EXPECT(s, wg_staff_get(s, "nobody", &(char *){NULL}), WG_NOT_FOUND, "nobody");
  wg_store_free(s);
}

static void test_scope_and_audit(void) {
  wg_store *s = county();
  wg_store *town = NULL;
  char *json = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_unit_get(town, "512021101", NULL, &json), WG_PERMISSION_DENIED, "512021101");
  EXPECT(town, wg_unit_add(town, "512021101001002", "x", "grid", "512021101001", NULL, NULL),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_unit_move(town, "512021100001", "512021101", "2024-01-01", NULL),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_unit_add(town, "512021100001003", "北坝三网格", "grid", "512021100001", NULL, NULL),
         WG_OK, NULL);
  json = NULL;
  EXPECT(town, wg_unit_descendants(town, "512021100", "grid", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 4);
  /* The scope outlives the handle it came from. */
  wg_store_free(s);
  json = NULL;
  EXPECT(town, wg_audit_log(town, 0, 1000, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"actor\":\"岳阳镇管理员\""));
  json = NULL;
  EXPECT(town, wg_audit_verify(town, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(town);
}

static void test_persistence_and_levels(const char *path) {
  remove(path);
  wg_store *s = NULL;
  EXPECT(NULL,
         wg_store_open(path, "{\"levels\": [[\"province\", 2], [\"city\", 4], [\"county\", 6]], \"actor\": \"loader\"}", &s),
         WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "51", "四川省", "province", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "5120", "资阳市", "city", "51", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", "5120", NULL, NULL), WG_OK, NULL);
  wg_store_free(s);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  char *json = NULL;
  EXPECT(s, wg_unit_ancestors(s, "512021", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 2);
  wg_store *other = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"levels\": [[\"county\", 6]]}", &other), WG_CONFLICT, "levels");
  CHECK(other == NULL);
  wg_store_free(s);
}


static void test_registry(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "北坝街1号", NULL, NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_has(json, "\"kind\":\"registered\""));
  EXPECT(s, wg_household_add(s, "H2", "512021100002001", "龙井路2号", "floating", "低保", NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "x", NULL, NULL, NULL, NULL), WG_CONFLICT,
         "H1");
  EXPECT(s, wg_household_add(s, "H3", "512021100001001", "x", "villa", NULL, NULL, NULL),
         WG_INVALID_INPUT, "kind");
  EXPECT(s, wg_household_add(s, "H3", "512021100001001", "x", NULL, "不存在", NULL, NULL),
         WG_INVALID_INPUT, "不存在");

  /* A resident: birth date and sex from the ID number, masked everywhere but the clear read. */
  json = NULL;
  EXPECT(s,
         wg_resident_add(s, "H1",
                         "{\"name\":\"张三\",\"id_number\":\"11010519491231002x\","
                         "\"phone\":\"13812345678\"}",
                         NULL, &json),
         WG_OK, NULL);
  long head = json_long(json, "resident_id");
  CHECK(head > 0);
  CHECK(json != NULL && strstr(json, "\"birth_date\":\"1949-12-31\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"id_number\":\"110105********002X\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"phone\":\"138****5678\"") != NULL);
  CHECK(json != NULL && strstr(json, "13812345678") == NULL);
  wg_string_free(json);

  /* ID number checks name the wrong part and never echo the number. */
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\":\"李四\",\"id_number\":\"110105194912310021\"}",
                            NULL, NULL),
         WG_INVALID_INPUT, "check digit");
  CHECK(last_error_lacks(s, "110105194912310021"));
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\":\"李四\",\"id_number\":\"1101051949\"}", NULL, NULL),
         WG_INVALID_INPUT, "length");
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\":\"李四\",\"id_number\":\"11010519491231002X\"}",
                            NULL, NULL),
         WG_CONFLICT, NULL);
  CHECK(last_error_lacks(s, "11010519491231002X"));
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\":\"李四\",\"id_number\":12}", NULL, NULL),
         WG_INVALID_INPUT, NULL);

  /* A 15-digit number is upgraded and flagged. */
  json = NULL;
  EXPECT(s,
         wg_resident_add(s, "H2", "{\"name\":\"王五\",\"id_number\":\"510123480512122\","
                                  "\"relation\":\"户主\"}",
                         NULL, &json),
         WG_OK, NULL);
  long member = json_long(json, "resident_id");
  CHECK(json != NULL && strstr(json, "\"id_upgraded\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"relation\":\"head\"") != NULL);
  wg_string_free(json);

  /* The clear read gives the values and is audited. */
  json = NULL;
  EXPECT(s, wg_resident_clear(s, head, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"id_number\":\"11010519491231002X\"") != NULL);
  CHECK(json_has(json, "\"phone\":\"13812345678\""));
  json = NULL;
  EXPECT(s, wg_audit_log(s, 0, 1000, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"action\":\"read_clear\""));

  /* A member's special tag makes the household special, from its first day only. */
  CHECK(count_of(NULL, "x") == 0);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-03-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_class\":\"ordinary\""));
  EXPECT(s, wg_resident_tag(s, head, "残疾", "2024-03-01", NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-02-29", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_class\":\"ordinary\""));
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-03-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_class\":\"special\""));
  EXPECT(s, wg_resident_untag(s, head, "残疾", "2024-06-01"), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-06-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_class\":\"ordinary\""));
  EXPECT(s, wg_household_tag(s, "H1", "空巢", "2024-01-01", "2024-01-31"), WG_OK, NULL);
  EXPECT(s, wg_household_tag(s, "H1", "空巢", "2024-01-15", NULL), WG_CONFLICT, NULL);
  EXPECT(s, wg_household_untag(s, "H2", "低保", "2024-09-01"), WG_OK, NULL);

  /* A deployment's own tag, not special unless it says so. */
  EXPECT(s, wg_tag_define(s, "养犬户", false), WG_OK, NULL);
  EXPECT(s, wg_household_tag(s, "H1", "养犬户", NULL, NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_tag_kinds(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "{\"tag\":\"养犬户\",\"special\":false}"));

  /* Queries over a subtree, filtered. */
  json = NULL;
  EXPECT(s, wg_households(s, "512021100", "{\"as_of\":\"2024-08-01\",\"household_class\":\"special\"}",
                          &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") == 1);
  json = NULL;
  EXPECT(s, wg_households(s, "512021100", "{\"as_of\":\"2024-08-01\",\"kind\":\"floating\"}", &json),
         WG_OK, NULL);
  CHECK(json_has(json, "\"household_id\":\"H2\""));
  json = NULL;
  EXPECT(s, wg_households(s, "512021100", "{\"tag\":\"养犬户\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") == 1);
  EXPECT(s, wg_households(s, "512021100", "{\"colour\":\"red\"}", &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_households(s, "512021100", "{\"household_class\":\"vip\"}", &json),
         WG_INVALID_INPUT, "household_class");

  /* Moves keep history, for households and residents. */
  EXPECT(s, wg_household_move(s, "H2", "512021101001001", "2024-10-01", NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H2", "2024-09-30", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"unit\":\"512021100002001\""));
  json = NULL;
  EXPECT(s, wg_household_get(s, "H2", "2024-10-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"unit\":\"512021101001001\""));
  json = NULL;
  EXPECT(s, wg_resident_move(s, member, "H1", "spouse", "2024-11-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_id\":\"H1\""));
  json = NULL;
  EXPECT(s, wg_residents(s, "H1", "2024-11-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "张三") < strstr(json, "王五"));
  CHECK(count_of(json, "\"resident_id\"") == 2);
  json = NULL;
  EXPECT(s, wg_resident_get(s, member, "2024-10-31", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_id\":\"H2\""));

  /* Counts: per unit rows sum to the total. */
  json = NULL;
  EXPECT(s, wg_unit_counts(s, "512021", "2024-10-15", &json), WG_OK, NULL);
  CHECK(json_long(json, "households") == 2);
  CHECK(json_long(json, "residents") == 2);
  CHECK(json_long(json, "floating") == 1);
  CHECK(json_sum_after(json, "\"units\"", "households") == 2);
  wg_string_free(json);

  /* Ended households leave the lists but keep their history. */
  EXPECT(s, wg_household_end(s, "H2", "2024-12-01"), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_households(s, "512021", "{\"as_of\":\"2024-12-01\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") == 1);
  EXPECT(s, wg_household_get(s, "nobody", NULL, &json), WG_NOT_FOUND, "nobody");

  /* A scope sees and changes only its subtree. */
  wg_store *grid = NULL;
  EXPECT(s, wg_store_scope(s, "512021101001001", "网格员甲", &grid), WG_OK, NULL);
  EXPECT(grid, wg_household_add(grid, "H9", "512021100001001", "x", NULL, NULL, NULL, NULL),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(grid, wg_household_get(grid, "H1", NULL, &json), WG_PERMISSION_DENIED, NULL);
  EXPECT(grid, wg_tag_define(grid, "自定义", true), WG_PERMISSION_DENIED, NULL);
  EXPECT(grid, wg_household_add(grid, "H9", "512021101001001", "x", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  wg_store_free(grid);
  wg_store_free(s);
}

static void test_archive(void) {
  wg_store *s = county();
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "北坝街1号", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  char *json = NULL;
  EXPECT(s, wg_archive_set(s, "H1", "employment", "{\"status\":\"失业\"}", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"version\":1"));
  char first_at[64] = "";
  json = NULL;
  EXPECT(s, wg_archive_history(s, "H1", "employment", &json), WG_OK, NULL);
  CHECK(json_text(json, "at", first_at, sizeof first_at));
  wg_string_free(json);
  EXPECT(s, wg_archive_set(s, "H1", "employment", "{\"status\":\"就业\"}", NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_archive_get(s, "H1", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "就业"));
  json = NULL;
  EXPECT(s, wg_archive_get(s, "H1", first_at, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "失业") != NULL && strstr(json, "就业") == NULL);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_archive_history(s, "H1", "employment", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"version\"") == 2);
  EXPECT(s, wg_archive_set(s, "H1", "hobbies", "{}", NULL), WG_INVALID_INPUT, "hobbies");
  EXPECT(s, wg_archive_set(s, "H1", "health", "[1,2]", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_set(s, "H1", "health", "{not json", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_set(s, "nobody", "health", "{}", NULL), WG_NOT_FOUND, NULL);
  EXPECT(s, wg_archive_verify(s, "H1", "2024-03-31"), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-04-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"verified\":\"2024-03-31\""));
  wg_store_free(s);
}

/* Counts progress calls; cancels once `cancel_after` calls were made (0: never). */
typedef struct {
  int calls;
  int cancel_after;
  size_t last_done;
  size_t last_total;
} progress_log;

static int on_progress(size_t done, size_t total, void *user_data) {
  progress_log *log = user_data;
  log->calls++;
  log->last_done = done;
  log->last_total = total;
  return log->cancel_after == 0 || log->calls < log->cancel_after;
}

static const char GBK_CSV[] =
      "\xbb\xa7\xb1\xe0\xba\xc5,\xcb\xf9\xca\xf4\xcd\xf8\xb8\xf1,\xb5\xd8\xd6\xb7,\xbb\xa7\xc0\xe0\xd0\xcd,\xbb\xa7\xb1\xea\xc7\xa9,\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xc1\xaa\xcf\xb5\xb5\xe7\xbb\xb0,\xd3\xeb\xbb\xa7\xd6\xf7\xb9\xd8\xcf\xb5\n"
      "G001,512021100001001,\xb1\xb1\xb0\xd3\xbd\xd6" "1\xba\xc5,\xbb\xa7\xbc\xae,\xb5\xcd\xb1\xa3,\xd5\xc5\xc8\xfd,11010519491231002X,13812345678,\xbb\xa7\xd6\xf7\n"
      "G001,512021100001001,\xb1\xb1\xb0\xd3\xbd\xd6" "1\xba\xc5,\xbb\xa7\xbc\xae,\xb5\xcd\xb1\xa3,\xc0\xee\xcb\xc4,440524188001010014,,\xc5\xe4\xc5\xbc\n"
      "G002,512021100002001,\xc1\xfa\xbe\xae\xc2\xb7" "2\xba\xc5,\xc1\xf7\xb6\xaf,,\xcd\xf5\xce\xe5,510123194805121220,13900001111,\xbb\xa7\xd6\xf7\n";

static void test_import(void) {
  wg_store *s = county();
  char *json = NULL;

  /* GBK, Chinese headers and values, progress reported to the end. */
  progress_log log = {0, 0, 0, 0};
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)GBK_CSV, sizeof GBK_CSV - 1, "{\"on\":\"2024-05-01\"}",
                       on_progress, &log, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 5);
  CHECK(json_has(json, "\"errors\":[]"));
  CHECK(log.calls >= 1 && log.last_done == 3 && log.last_total == 3);
  json = NULL;
  EXPECT(s, wg_household_get(s, "G001", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "北坝街1号") != NULL);
  CHECK(json_has(json, "\"household_class\":\"special\""));
  json = NULL;
  EXPECT(s, wg_residents(s, "G001", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "张三") < strstr(json, "李四"));
  CHECK(json_has(json, "\"relation\":\"head\""));
  json = NULL;
  EXPECT(s, wg_household_get(s, "G002", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"kind\":\"floating\""));

  /* Re-importing the same file updates in place. */
  json = NULL;
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)GBK_CSV, sizeof GBK_CSV - 1, "{\"on\":\"2024-05-01\"}",
                       NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 0);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_households(s, "512021", "{\"as_of\":\"2024-05-01\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") == 2);

  /* All or nothing: one bad row, nothing written, the row reported without the clear number. */
  const char *bad =
      "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
      "G003,512021100001002,北坝街3号,registered,,赵六,320102199003071239,,head\n"
      "G004,512021100001002,北坝街4号,registered,,钱七,510123194805121221,,head\n";
  char *audit = NULL;
  char *households = NULL;
  snapshot(s, &audit, &households);
  json = NULL;
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), NULL, NULL, NULL, &json), WG_OK,
         NULL);
  CHECK(json_long(json, "inserted") == 0);
  CHECK(json != NULL && strstr(json, "\"line\":3") != NULL);
  CHECK(json != NULL && strstr(json, "\"field\":\"id_number\"") != NULL);
  CHECK(json != NULL && strstr(json, "510123194805121221") == NULL);
  wg_string_free(json);
  CHECK(unchanged_since(s, audit, households));

  /* Skip-invalid writes the good rows and lists the bad one. */
  json = NULL;
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)bad, strlen(bad),
                       "{\"mode\":\"skip_invalid\",\"on\":\"2024-05-01\"}", NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  CHECK(json_has(json, "\"line\":3"));

  /* A cancelling callback: an error, nothing written. */
  const char *more =
      "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
      "G005,512021100001002,北坝街5号,registered,,孙八,,,head\n";
  snapshot(s, &audit, &households);
  progress_log stop = {0, 1, 0, 0};
  json = NULL;
  EXPECT(s, wg_import_csv(s, (const uint8_t *)more, strlen(more), NULL, on_progress, &stop, &json),
         WG_INVALID_INPUT, "progress");
  CHECK(json == NULL);
  CHECK(stop.calls == 1);
  CHECK(unchanged_since(s, audit, households));

  /* JSON rows, tags as an array. */
  json = NULL;
  EXPECT(s,
         wg_import_rows(s,
                        "[{\"household_id\":\"G006\",\"unit\":\"512021101001001\",\"address\":\"解放村6号\","
                        "\"kind\":\"rental\",\"tags\":[\"空巢\"],\"name\":\"周九\"}]",
                        NULL, NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_household_get(s, "G006", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"tags\":[\"空巢\"]"));
  EXPECT(s, wg_import_rows(s, "{\"not\":\"a list\"}", NULL, NULL, NULL, &json), WG_INVALID_INPUT,
         NULL);

  /* From a file, and a file that is not there. */
  FILE *f = fopen("c-test-import.csv", "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("\xef\xbb\xbfhousehold_id,unit,address,kind,name\nG007,512021100002001,龙井路7号,出租,吴十\n", f);
    fclose(f);
  }
  json = NULL;
  EXPECT(s, wg_import_csv_file(s, "c-test-import.csv", NULL, NULL, NULL, &json), WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  wg_string_free(json);
  remove("c-test-import.csv");
  EXPECT(s, wg_import_csv_file(s, "c-test-missing.csv", NULL, NULL, NULL, &json), WG_INVALID_INPUT,
         "c-test-missing.csv");

  /* Whole-file problems are errors: bad options, missing columns, undecodable bytes. */
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), "{\"mode\":\"some\"}", NULL, NULL,
                          &json),
         WG_INVALID_INPUT, "mode");
  const char *no_name = "household_id,unit,address,kind\nG8,512021100002001,x,registered\n";
  EXPECT(s, wg_import_csv(s, (const uint8_t *)no_name, strlen(no_name), NULL, NULL, NULL, &json),
         WG_INVALID_INPUT, "name");
  const uint8_t junk[] = {0xff, 0xfe, 0x00, 0x81, 0x30, 0x81, 0xff, '\n'};
  EXPECT(s, wg_import_csv(s, junk, sizeof junk, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_csv(s, NULL, 5, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), NULL, NULL, NULL, NULL),
         WG_INVALID_INPUT, "out_json");
  wg_store_free(s);
}

static void test_registry_null_and_bad_text(void) {
  wg_store *s = county();
  char *json = NULL;
  const char bad_utf8[] = {'H', (char)0xc3, (char)0x28, 0};
  EXPECT(NULL, wg_household_add(NULL, "H", "512021", "x", NULL, NULL, NULL, NULL), WG_INVALID_INPUT,
         NULL);
  EXPECT(s, wg_household_add(s, NULL, "512021", "x", NULL, NULL, NULL, NULL), WG_INVALID_INPUT,
         "household_id");
  EXPECT(s, wg_household_add(s, bad_utf8, "512021", "x", NULL, NULL, NULL, NULL), WG_INVALID_INPUT,
         "UTF-8");
  EXPECT(s, wg_household_move(s, "H", "512021", NULL, NULL), WG_INVALID_INPUT, "on");
  EXPECT(s, wg_household_end(s, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_household_get(s, "H", NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_households(NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_households(s, "512021", "[", &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_household_tag(s, NULL, NULL, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_household_untag(s, "H", "低保", "not a date"), WG_INVALID_INPUT, "on");
  EXPECT(s, wg_resident_tag(s, -1, "低保", NULL, NULL), WG_NOT_FOUND, NULL);
  EXPECT(s, wg_resident_untag(s, 1, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_tag_define(s, NULL, true), WG_INVALID_INPUT, "tag");
  EXPECT(s, wg_tag_kinds(s, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_add(s, "H", NULL, NULL, NULL), WG_INVALID_INPUT, "resident_json");
  EXPECT(s, wg_resident_add(s, "H", bad_utf8, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_move(s, 1, NULL, NULL, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_get(s, 1, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_get(s, 12345, NULL, &json), WG_NOT_FOUND, NULL);
  EXPECT(s, wg_residents(s, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_clear(NULL, 1, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_resident_clear(s, 1, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_unit_counts(s, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_unit_counts(s, "999999", NULL, &json), WG_NOT_FOUND, NULL);
  EXPECT(s, wg_archive_set(s, NULL, NULL, NULL, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_get(s, "H", "yesterday", &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_archive_history(s, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_verify(s, "H", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(NULL, wg_import_csv_file(NULL, NULL, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_rows(s, NULL, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_rows(s, "[1]", NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  CHECK(json == NULL);
  wg_store_free(s);
}

static void test_visits(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_staff_add(s, "S1", "网格员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "北坝街1号", NULL, NULL, NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H2", "512021100001001", "北坝街2号", NULL, "低保", NULL, NULL),
         WG_OK, NULL);

  /* The seed's rules apply until a set is given. */
  EXPECT(s, wg_visit_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"mode\":\"calendar\"") == 4);

  /* A home visit satisfies the phone rule too. */
  EXPECT(s, wg_visit_record(s, "H1", "S1", "home", "2024-04-10", "入户走访", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"channel\":\"home\""));
  EXPECT(s, wg_due_visits(s, "512021", "2024-05-15", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"household_id\":\"H1\"") == NULL);
  CHECK(count_of(json, "\"household_id\":\"H2\"") == 2);
  /* H2 was held last month too and had no call: overdue, and listed first. */
  EXPECT(s, wg_due_visits(s, "512021", "2024-05-15", &json), WG_OK, NULL);
  const char *first = "[{\"household_id\":\"H2\",";
  CHECK(json != NULL && strncmp(json, first, strlen(first)) == 0);
  CHECK(json_has(json, "\"overdue\":true"));

  /* Compliance for the quarter: H1's home visit met both ordinary rules ending in Q2. */
  EXPECT(s, wg_visit_compliance(s, "512021", "2024-Q2", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2024-Q2\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"rule\":\"普通户入户\",\"required\":1,\"met\":1") != NULL);
  CHECK(json_has(json, "\"requirements\":[{"));
  EXPECT(s, wg_visit_compliance(s, "512021", "2024-Q5", 0, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_visits(s, "H1", &json), WG_OK, NULL);
  CHECK(json_has(json, "入户走访"));

  /* A rule set from a day on, checked field by field. */
  EXPECT(s,
         wg_visit_rules_set(s,
                            "[{\"name\":\"低保户每周\",\"tag\":\"低保\",\"channel\":\"phone\","
                            "\"every\":7,\"per\":\"day\",\"mode\":\"rolling\"}]",
                            "2024-06-01"),
         WG_OK, NULL);
  EXPECT(s, wg_visit_rules(s, "2024-06-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "低保户每周"));
  EXPECT(s, wg_visit_rules_set(s, "[{\"class\":\"special\",\"channel\":\"fax\",\"per\":\"month\"}]",
                               NULL),
         WG_INVALID_INPUT, "channel");
  EXPECT(s, wg_visit_rules_set(s, "[{\"tag\":\"不存在\",\"channel\":\"home\",\"per\":\"month\"}]",
                               NULL),
         WG_INVALID_INPUT, "不存在");

  /* Refusals: a day the household did not exist, unknown staff, a bad channel. */
  EXPECT(s, wg_visit_record(s, "H9", "S1", "home", "2024-04-10", NULL, NULL), WG_NOT_FOUND, "H9");
  EXPECT(s, wg_visit_record(s, "H1", "S9", "home", "2024-04-10", NULL, NULL), WG_NOT_FOUND, "S9");
  EXPECT(s, wg_visit_record(s, "H1", "S1", "fax", "2024-04-10", NULL, NULL), WG_INVALID_INPUT,
         "channel");

  /* A batch is recorded whole or not at all; the refusal names the visit's position. */
  EXPECT(s,
         wg_visits_record_batch(s,
                                "[{\"household_id\":\"H2\",\"staff_id\":\"S1\",\"channel\":"
                                "\"phone\",\"on\":\"2024-05-02\"},{\"household_id\":\"H2\","
                                "\"staff_id\":\"S9\",\"channel\":\"phone\",\"on\":\"2024-05-03\"}]",
                                &json),
         WG_NOT_FOUND, "visit 1 of the batch");
  EXPECT(s,
         wg_visits_record_batch(s,
                                "[{\"household_id\":\"H2\",\"staff_id\":\"S1\",\"channel\":"
                                "\"phone\",\"on\":\"2024-05-02\",\"note\":\"电话随访\"}]",
                                &json),
         WG_OK, NULL);
  CHECK(json != NULL && json[0] == '[' && json[1] != ']');
  wg_string_free(json);
  EXPECT(s, wg_visits(s, "H2", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"channel\":\"phone\"") == 1);
  EXPECT(s, wg_visits_record_batch(s, "[{\"household_id\":\"H2\"}]", NULL), WG_INVALID_INPUT,
         "staff_id");
  EXPECT(s, wg_visits_record_batch(s, NULL, NULL), WG_INVALID_INPUT, "visits_json");

  /* Re-verification: H2 is not floating; a floating household never verified is overdue. */
  EXPECT(s, wg_household_add(s, "F1", "512021100001001", "北坝街3号", "floating", NULL, NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_reverification_due(s, "512021", "2024-05-15", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"household_id\":\"H2\"") == NULL);
  CHECK(json_has(json, "{\"household_id\":\"F1\",\"due\":\"2024-06-30\",\"overdue\":true"));
  EXPECT(s, wg_reverification_due(s, NULL, NULL, &json), WG_INVALID_INPUT, "unit");

  /* NULL and missing out-pointers are answered, never a crash; nothing is written. */
  json = NULL;
  EXPECT(NULL, wg_due_visits(NULL, "512021", NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_due_visits(s, NULL, NULL, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_due_visits(s, "512021", NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_due_visits_for_staff(s, NULL, NULL, &json), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_visit_record(s, "H1", "S1", "home", NULL, NULL, NULL), WG_INVALID_INPUT, "on");
  EXPECT(s, wg_visit_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_visit_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_visit_compliance(s, "512021", NULL, 0, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_visits(s, NULL, &json), WG_INVALID_INPUT, NULL);
  CHECK(json == NULL);
  wg_store_free(s);
}

static void test_contacts(void) {
  wg_store *s = county();
  char *json = NULL;
  const char *grid = "512021100001001";
  const char *community = "512021100001";
  EXPECT(s, wg_staff_add(s, "P1", "党员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "W1", "网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_assign(s, "P1", grid, "party_member", "2024-01-01", NULL, NULL), WG_OK, NULL);
  char id[16];
  for (int i = 0; i < 10; i++) {
    snprintf(id, sizeof id, "H%02d", i);
    EXPECT(s, wg_household_add(s, id, grid, "海慧路", NULL, NULL, NULL, NULL), WG_OK, NULL);
  }

  /* Contact quotas: "1+10" by default; ten distinct households in January, nine in
   * February (one of them twice). */
  EXPECT(s, wg_quota_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"name\":\"1+10\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"role\":\"party_member\"") != NULL);
  CHECK(json_has(json, "\"contacts\":10"));
  for (int i = 0; i < 10; i++) {
    snprintf(id, sizeof id, "H%02d", i);
    EXPECT(s, wg_visit_record(s, id, "P1", "phone", "2024-01-15", NULL, NULL), WG_OK, NULL);
    if (i < 9) {
      EXPECT(s, wg_visit_record(s, id, "P1", "phone", "2024-02-03", NULL, NULL), WG_OK, NULL);
    }
  }
  EXPECT(s, wg_visit_record(s, "H00", "P1", "home", "2024-02-20", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_quota_compliance(s, community, "2024-Q1", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2024-Q1\"") != NULL);
  CHECK(json != NULL &&
        strstr(json, "{\"staff_id\":\"P1\",\"rule\":\"1+10\",\"from\":\"2024-01-01\","
                     "\"to\":\"2024-01-31\",\"contacts\":10,\"met\":true}") != NULL);
  CHECK(json != NULL &&
        strstr(json, "{\"staff_id\":\"P1\",\"rule\":\"1+10\",\"from\":\"2024-02-01\","
                     "\"to\":\"2024-02-29\",\"contacts\":9,\"met\":false}") != NULL);
  CHECK(json_has(json, "\"total\":{\"rule\":\"total\",\"required\":3,\"met\":1,"
                       "\"rate\":{\"num\":1,\"den\":3,"));
  EXPECT(s, wg_quota_compliance(s, community, "2024-01", 0, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"staff\":[{\"staff_id\":\"P1\",\"rule\":\"1+10\",\"required\":1,"
                       "\"met\":1,"));
  EXPECT(s, wg_quota_compliance(s, community, "2024-01", 0, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"requirements\":[]"));

  /* Quota rules are versioned data, checked field by field; scoped handles may not set
   * them. */
  EXPECT(s,
         wg_quota_rules_set(s,
                            "[{\"name\":\"网格员联户\",\"role\":\"grid_worker\",\"contacts\":5,"
                            "\"per\":\"quarter\"}]",
                            "2024-04-01"),
         WG_OK, NULL);
  EXPECT(s, wg_quota_rules(s, "2024-03-31", &json), WG_OK, NULL);
  CHECK(json_has(json, "1+10"));
  EXPECT(s, wg_quota_rules(s, "2024-04-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "网格员联户"));
  EXPECT(s, wg_quota_rules_set(s, "[{\"role\":\"party_member\",\"contacts\":0,\"per\":\"month\"}]",
                               NULL),
         WG_INVALID_INPUT, "contacts");
  EXPECT(s, wg_quota_rules_set(s, "[{\"role\":\"mayor\",\"contacts\":10,\"per\":\"month\"}]", NULL),
         WG_INVALID_INPUT, "role");
  EXPECT(s, wg_quota_rules_set(s, "{}", NULL), WG_INVALID_INPUT, "rules");
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, grid, "网格员", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_quota_rules_set(scoped, "[]", NULL), WG_PERMISSION_DENIED, NULL);
  wg_store_free(scoped);

  /* Patrols: 一日双巡 by default, every grid twice a day. `at` with or without an offset;
   * late evening UTC is the next day here (+08:00). */
  EXPECT(s, wg_patrol_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"name\":\"一日双巡\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"per\":\"day\"") != NULL);
  CHECK(json_has(json, "\"times\":2"));
  EXPECT(s, wg_patrol_record(s, grid, "W1", "2024-03-04T08:30:00+08:00", "路灯不亮", &json), WG_OK,
         NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-04T08:30:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"note\":\"路灯不亮\""));
  EXPECT(s, wg_patrol_record(s, grid, "W1", "2024-03-04 17:00", NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-04T17:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"on\":\"2024-03-04\""));
  EXPECT(s, wg_patrol_record(s, grid, "W1", "2024-03-04T23:30:00Z", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"on\":\"2024-03-05\""));
  EXPECT(s, wg_patrol_compliance(s, grid, "2024-03-04", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"patrols\":2,\"met\":true") != NULL);
  CHECK(json_has(json, "\"total\":{\"rule\":\"total\",\"required\":1,\"met\":1,"));
  /* Both grids of the community are held; only the first walked twice. */
  EXPECT(s, wg_patrol_compliance(s, community, "2024-03-04", 0, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"total\":{\"rule\":\"total\",\"required\":2,\"met\":1,"));
  EXPECT(s, wg_patrol_compliance(s, grid, "2024-03-05", 1, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"patrols\":1,\"met\":false"));
  EXPECT(s, wg_patrols(s, grid, "2024-03-04", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"staff_id\":\"W1\"") == 2);
  EXPECT(s, wg_patrols(s, grid, "2024-03-05", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"at\":\"2024-03-04T23:30:00Z\""));
  EXPECT(s, wg_patrol_rules_set(s, "[{\"name\":\"日巡查\",\"level\":\"grid\",\"per\":\"day\"}]",
                                "2024-03-05"),
         WG_OK, NULL);
  EXPECT(s, wg_patrol_compliance(s, grid, "2024-03-05", 0, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"rule\":\"日巡查\",\"required\":1,\"met\":1"));
  EXPECT(s, wg_patrol_rules_set(s, "[{\"level\":\"village\",\"per\":\"day\"}]", NULL),
         WG_INVALID_INPUT, "level");
  EXPECT(s, wg_patrol_record(s, grid, "W1", "yesterday", NULL, NULL), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_patrol_record(s, grid, "W9", "2024-03-04T08:00", NULL, NULL), WG_NOT_FOUND, "W9");
  EXPECT(s, wg_patrol_record(s, "512021100001999", "W1", "2024-03-04T08:00", NULL, NULL),
         WG_NOT_FOUND, "512021100001999");

  /* Findings: recorded on a visit, open until a ledger entry takes them up. */
  EXPECT(s, wg_visit_record(s, "H01", "W1", "home", "2024-03-04", NULL, &json), WG_OK, NULL);
  long visit = json_long(json, "id");
  wg_string_free(json);
  CHECK(visit > 0);
  EXPECT(s, wg_finding_record(s, visit, "楼道灯坏了", "市政设施", 0, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"category\":\"市政设施\",\"urgent\":false") != NULL);
  CHECK(json != NULL && strstr(json, "\"household_id\":\"H01\"") != NULL);
  CHECK(json_has(json, "\"entry_id\":null"));
  EXPECT(s, wg_finding_record(s, visit, "燃气味道", NULL, 1, NULL), WG_OK, NULL);
  EXPECT(s, wg_findings(s, "512021100", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"category\":null,\"urgent\":true") != NULL);
  CHECK(count_of(json, "\"summary\"") == 2);
  EXPECT(s, wg_findings(s, "512021101", 0, &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_finding_record(s, visit, "x", "", 0, NULL), WG_INVALID_INPUT, "category");
  EXPECT(s, wg_finding_record(s, 999999, "x", NULL, 0, NULL), WG_NOT_FOUND, "999999");

  /* NULL arguments and out-pointers are answered, never a crash; nothing is written. */
  json = NULL;
  EXPECT(NULL, wg_quota_compliance(NULL, community, "2024-Q1", 0, &json), WG_INVALID_INPUT,
         "store");
  EXPECT(s, wg_quota_compliance(s, NULL, "2024-Q1", 0, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_quota_compliance(s, community, NULL, 0, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_quota_compliance(s, community, "2024-Q1", 0, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_quota_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_quota_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_patrol_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_patrol_rules(NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_patrol_record(s, grid, "W1", NULL, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_patrol_record(s, NULL, "W1", "2024-03-04T08:00", NULL, &json), WG_INVALID_INPUT,
         "unit");
  EXPECT(s, wg_patrol_record(s, grid, NULL, "2024-03-04T08:00", NULL, &json), WG_INVALID_INPUT,
         "staff_id");
  EXPECT(s, wg_patrols(s, grid, NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_patrol_compliance(s, NULL, "2024-03-04", 0, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_finding_record(s, visit, NULL, NULL, 0, &json), WG_INVALID_INPUT, "summary");
  EXPECT(s, wg_findings(s, NULL, 0, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_findings(s, "512021", 0, NULL), WG_INVALID_INPUT, "out_json");
  CHECK(json == NULL);
  wg_store_free(s);
}

static void test_working_days(void) {
  char *day = NULL;
  char *json = NULL;
  int64_t n = 0;
  int working = -1;
  /* The shipped calendar, without a store: the 2020 Spring Festival was extended to 2
   * February, so the working day after 23 January is 3 February. */
  EXPECT(NULL, wg_add_working_days(NULL, "2020-01-23", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-02-03") == 0);
  wg_string_free(day);
  /* A make-up Saturday (调休) is a working day; the Sunday after it is not. */
  EXPECT(NULL, wg_add_working_days(NULL, "2025-02-07", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2025-02-08") == 0);
  wg_string_free(day);
  /* Five working days from 30 September 2025 skip the National Day week (1–8 October)
   * and count the make-up Saturday 11 October. */
  EXPECT(NULL, wg_add_working_days(NULL, "2025-09-30", 5, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2025-10-14") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_is_working_day(NULL, "2025-02-08", &working), WG_OK, NULL);
  CHECK(working == 1);
  EXPECT(NULL, wg_is_working_day(NULL, "2025-02-09", &working), WG_OK, NULL);
  CHECK(working == 0);
  /* Backwards, zero, and counting (a, b]. */
  EXPECT(NULL, wg_add_working_days(NULL, "2020-02-03", -1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-01-23") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_add_working_days(NULL, "2020-02-01", 0, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-02-01") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_working_days_between(NULL, "2020-01-23", "2020-02-03", &n), WG_OK, NULL);
  CHECK(n == 1);
  EXPECT(NULL, wg_working_days_between(NULL, "2024-10-08", "2024-09-30", &n), WG_OK, NULL);
  CHECK(n == -1);
  EXPECT(NULL, wg_calendar_years(NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strncmp(json, "[2010,", 6) == 0);
  CHECK(json_has(json, ",2026]"));

  /* A year without an arrangement is refused, naming it, never guessed from weekdays. */
  day = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, "2027-03-01", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(NULL, wg_add_working_days(NULL, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(NULL, wg_working_days_between(NULL, "2026-12-01", "2027-01-05", &n), WG_NOT_FOUND,
         "2027");
  EXPECT(NULL, wg_is_working_day(NULL, "2009-06-01", &working), WG_NOT_FOUND, "2009");
  CHECK(day == NULL);

  /* A store counts with the shipped years plus those loaded into it, from text or a file;
   * every handle on the store sees them, the shipped calendar does not. */
  wg_store *s = county();
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(s, wg_calendar_load_text(s, "# 试行\n2027 元旦 off 01-01..01-03\n", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[2027]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2027-01-04") == 0);
  wg_string_free(day);
  day = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  const char *path = "c-test-calendar.txt";
  FILE *file = fopen(path, "w");
  CHECK(file != NULL);
  if (file != NULL) {
    fputs("2028 元旦 off 01-01 work 01-02\n", file);
    fclose(file);
  }
  EXPECT(s, wg_calendar_load(s, path, &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[2028]") == 0);
  wg_string_free(json);
  remove(path);
  EXPECT(s, wg_is_working_day(s, "2028-01-02", &working), WG_OK, NULL);
  CHECK(working == 1);
  EXPECT(s, wg_working_days_between(s, "2027-12-31", "2028-01-03", &n), WG_OK, NULL);
  CHECK(n == 2);
  EXPECT(s, wg_calendar_years(s, &json), WG_OK, NULL);
  CHECK(json_has(json, ",2026,2027,2028]"));
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "网格员", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_add_working_days(scoped, "2026-12-31", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2027-01-04") == 0);
  wg_string_free(day);
  EXPECT(scoped, wg_calendar_load_text(scoped, "2029 元旦 off 01-01", NULL), WG_PERMISSION_DENIED,
         NULL);
  wg_store_free(scoped);
  EXPECT(s, wg_calendar_load_text(s, "2029 元旦 off 01-01\n2029 春节 of 02-10", NULL),
         WG_INVALID_INPUT, "line 2");
  EXPECT(s, wg_calendar_load(s, "c-test-no-such-calendar.txt", NULL), WG_INVALID_INPUT,
         "c-test-no-such-calendar.txt");
  EXPECT(s, wg_calendar_years(s, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "2029") == NULL);
  wg_string_free(json);

  /* NULL and bad arguments are answered, never a crash; nothing is written. */
  day = NULL;
  json = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, NULL, 1, &day), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-02-30", 1, &day), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-01-02", 1, NULL), WG_INVALID_INPUT, "out_date");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-01-02", INT64_MIN, &day), WG_INVALID_INPUT, "n");
  EXPECT(s, wg_add_working_days(s, "2024-01-02", INT64_MAX, &day), WG_NOT_FOUND, NULL);
  EXPECT(NULL, wg_working_days_between(NULL, "2024-01-02", NULL, &n), WG_INVALID_INPUT, "b");
  EXPECT(NULL, wg_working_days_between(NULL, NULL, "2024-01-02", &n), WG_INVALID_INPUT, "a");
  EXPECT(s, wg_working_days_between(s, "2024-01-02", "2024-01-09", NULL), WG_INVALID_INPUT,
         "out");
  EXPECT(NULL, wg_is_working_day(NULL, "2024-01-02", NULL), WG_INVALID_INPUT, "out");
  EXPECT(NULL, wg_is_working_day(NULL, NULL, &working), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_calendar_years(NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_calendar_load(NULL, path, NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_calendar_load(s, NULL, &json), WG_INVALID_INPUT, "path");
  EXPECT(NULL, wg_calendar_load_text(NULL, "2029 元旦 off 01-01", &json), WG_INVALID_INPUT,
         "store");
  EXPECT(s, wg_calendar_load_text(s, NULL, &json), WG_INVALID_INPUT, "text");
  CHECK(day == NULL && json == NULL);
  wg_store_free(s);
}

/* Calendar periods without a store: every kind parses to its bounds, steps across year
 * ends, and nests; a week belongs to the month holding its Thursday. */
static void test_periods(void) {
  static const char *const kinds[][2] = {
      {"2024-03-17", "{\"period\":\"2024-03-17\",\"kind\":\"day\",\"first\":\"2024-03-17\","
                     "\"last\":\"2024-03-17\",\"days\":1}"},
      {"2025-W01", "{\"period\":\"2025-W01\",\"kind\":\"week\",\"first\":\"2024-12-30\","
                   "\"last\":\"2025-01-05\",\"days\":7}"},
      {"2020-W53", "{\"period\":\"2020-W53\",\"kind\":\"week\",\"first\":\"2020-12-28\","
                   "\"last\":\"2021-01-03\",\"days\":7}"},
      {"2024-02", "{\"period\":\"2024-02\",\"kind\":\"month\",\"first\":\"2024-02-01\","
                  "\"last\":\"2024-02-29\",\"days\":29}"},
      {"2024-Q1", "{\"period\":\"2024-Q1\",\"kind\":\"quarter\",\"first\":\"2024-01-01\","
                  "\"last\":\"2024-03-31\",\"days\":91}"},
      {"2024-H2", "{\"period\":\"2024-H2\",\"kind\":\"half_year\",\"first\":\"2024-07-01\","
                  "\"last\":\"2024-12-31\",\"days\":184}"},
      {"2024", "{\"period\":\"2024\",\"kind\":\"year\",\"first\":\"2024-01-01\","
               "\"last\":\"2024-12-31\",\"days\":366}"},
  };
  char *json = NULL;
  char *text = NULL;
  int inside = -1;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    EXPECT(NULL, wg_period_parse(kinds[i][0], &json), WG_OK, NULL);
    if (json == NULL || strcmp(json, kinds[i][1]) != 0) {
      fprintf(stderr, "period %s: %s\n", kinds[i][0], json ? json : "(null)");
      failed++;
    } else {
      passed++;
    }
    wg_string_free(json);
    json = NULL;
  }

  /* The neighbours across the year end, both ways. */
  static const char *const steps[][2] = {
      {"2024-W52", "2025-W01"}, {"2020-W53", "2021-W01"}, {"2024-12", "2025-01"},
      {"2024-Q4", "2025-Q1"},   {"2024-H2", "2025-H1"},   {"2024-12-31", "2025-01-01"},
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    EXPECT(NULL, wg_period_next(steps[i][0], &text), WG_OK, NULL);
    CHECK(text != NULL && strcmp(text, steps[i][1]) == 0);
    wg_string_free(text);
    EXPECT(NULL, wg_period_previous(steps[i][1], &text), WG_OK, NULL);
    CHECK(text != NULL && strcmp(text, steps[i][0]) == 0);
    wg_string_free(text);
  }

  EXPECT(NULL, wg_period_containing("week", "2024-12-30", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-W01") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_containing("half_year", "2024-07-01", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2024-H2") == 0);
  wg_string_free(text);

  EXPECT(NULL, wg_period_contains("2025-W01", "2024-12-30", &inside), WG_OK, NULL);
  CHECK(inside == 1);
  EXPECT(NULL, wg_period_contains("2025-W01", "2025-01-06", &inside), WG_OK, NULL);
  CHECK(inside == 0);
  EXPECT(NULL, wg_period_contains("2024-02", "2024-02-29", &inside), WG_OK, NULL);
  CHECK(inside == 1);

  /* 2024-W09 (02-26..03-03) has its Thursday in February, so March holds W10..W13. */
  EXPECT(NULL, wg_period_inside("2024-03", "week", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[\"2024-W10\",\"2024-W11\",\"2024-W12\",\"2024-W13\"]") == 0);
  wg_string_free(json);
  EXPECT(NULL, wg_period_inside("2024-Q1", "weeks", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"2024-W") == 13);
  EXPECT(NULL, wg_period_inside("2020", "week", &json), WG_OK, NULL);
  CHECK(count_of(json, "-W") == 53);
  EXPECT(NULL, wg_period_inside("2024-03", "day", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"2024-03-") == 31);
  EXPECT(NULL, wg_period_inside("2024", "quarter", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[\"2024-Q1\",\"2024-Q2\",\"2024-Q3\",\"2024-Q4\"]") == 0);
  wg_string_free(json);

  EXPECT(NULL, wg_period_belongs_to("2025-W01", "month", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-01") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_belongs_to("2020-W53", "year", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2020") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_belongs_to("2024-12-30", "week", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-W01") == 0);
  wg_string_free(text);

  /* Bad text, kinds a period is not made of or does not belong to, NULL everywhere:
   * a status and a message naming what was wrong; nothing is written. */
  json = NULL;
  text = NULL;
  inside = -1;
  EXPECT(NULL, wg_period_parse("2024-Q5", &json), WG_INVALID_INPUT, "2024-Q5");
  EXPECT(NULL, wg_period_parse("2021-W53", &json), WG_INVALID_INPUT, "2021-W53");
  EXPECT(NULL, wg_period_next("2024-13", &text), WG_INVALID_INPUT, "2024-13");
  EXPECT(NULL, wg_period_previous("Q1", &text), WG_INVALID_INPUT, "Q1");
  EXPECT(NULL, wg_period_containing("fortnight", "2024-03-17", &text), WG_INVALID_INPUT,
         "fortnight");
  EXPECT(NULL, wg_period_containing("week", "2024-02-30", &text), WG_INVALID_INPUT,
         "2024-02-30");
  EXPECT(NULL, wg_period_contains("2024-W54", "2024-03-17", &inside), WG_INVALID_INPUT,
         "2024-W54");
  EXPECT(NULL, wg_period_inside("2024-W11", "month", &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_inside("2024-03-17", "week", &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_belongs_to("2024-03", "week", &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_parse(NULL, &json), WG_INVALID_INPUT, "text");
  EXPECT(NULL, wg_period_parse("2024", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_period_containing(NULL, "2024-03-17", &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_containing("week", NULL, &text), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_period_containing("week", "2024-03-17", NULL), WG_INVALID_INPUT,
         "out_period");
  EXPECT(NULL, wg_period_next(NULL, &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_next("2024", NULL), WG_INVALID_INPUT, "out_period");
  EXPECT(NULL, wg_period_previous(NULL, &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_previous("2024", NULL), WG_INVALID_INPUT, "out_period");
  EXPECT(NULL, wg_period_contains(NULL, "2024-03-17", &inside), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_contains("2024", NULL, &inside), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_period_contains("2024", "2024-03-17", NULL), WG_INVALID_INPUT, "out");
  EXPECT(NULL, wg_period_inside(NULL, "week", &json), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_inside("2024", NULL, &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_inside("2024", "week", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_period_belongs_to(NULL, "year", &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_belongs_to("2024-03", NULL, &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_belongs_to("2024-03", "year", NULL), WG_INVALID_INPUT, "out_period");
  CHECK(json == NULL && text == NULL && inside == -1);
}

/* Registers `entry_json` and returns the new entry's id, or -1. */
static long register_entry(wg_store *s, const char *entry_json) {
  char *json = NULL;
  EXPECT(s, wg_entry_register(s, entry_json, &json), WG_OK, NULL);
  long id = json_long(json, "id");
  wg_string_free(json);
  return id;
}

static void test_ledger(void) {
  wg_store *s = county();
  char *json = NULL;
  char needle[128];
  const char *grid = "512021100001001";
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", grid, "北坝街1号", NULL, NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H2", grid, "北坝街2号", NULL, "低保", NULL, NULL), WG_OK, NULL);

  /* The default rules apply until a set is given. */
  EXPECT(s, wg_ledger_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"sign_for_days\":1") != NULL);
  CHECK(json_has(json, "\"name\":\"市政设施\""));

  /* Classification says why: the keyword 下水道 suggests 市政设施, handled on site by the
   * grid. */
  EXPECT(s,
         wg_classify(s,
                     "{\"summary\":\"北坝街下水道堵塞\",\"unit\":\"512021100001001\","
                     "\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"category\":\"市政设施\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"下水道\",\"rule\":\"keyword\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"triage\":\"on_site\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":false") != NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001001\"}"));
  /* An urgency keyword makes it urgent: triage escalate, to the township, in hours. */
  EXPECT(s,
         wg_classify(s,
                     "{\"category\":\"安全生产\",\"summary\":\"楼道里燃气泄漏\","
                     "\"unit\":\"512021100001001\",\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"triage\":\"escalate\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"燃气泄漏\",\"rule\":\"urgent_keyword\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"time_limit\":{\"hours\":24}") != NULL);
  CHECK(json_has(json, "\"name\":\"512021100\""));
  /* A 低保 household's entry lands in 困难群众 too; its unit finds the handler. */
  EXPECT(s,
         wg_classify(s, "{\"summary\":\"下水道堵塞\",\"household_id\":\"H2\",\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"books\":[\"民生诉求\",\"困难群众\"]") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"低保\",\"rule\":\"tag\"") != NULL);
  CHECK(json_has(json, "\"name\":\"512021100001001\""));
  EXPECT(s, wg_classify(s, "{\"summary\":\"你好\"}", &json), WG_INVALID_INPUT, "category");
  EXPECT(s, wg_classify(s, "{\"category\":\"天气\",\"summary\":\"\"}", &json), WG_INVALID_INPUT,
         "天气");
  EXPECT(s, wg_classify(s, "{\"sumary\":\"下水道\"}", &json), WG_INVALID_INPUT, "sumary");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\",\"at\":\"soon\"}", &json), WG_INVALID_INPUT,
         "at");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\",\"unit\":\"512021100001999\"}", &json),
         WG_NOT_FOUND, "512021100001999");

  /* Registered with its deadline in working days (Monday + 5) and a sign-for limit of one. */
  EXPECT(s,
         wg_entry_register(s,
                           "{\"unit\":\"512021100001001\",\"summary\":\"北坝街下水道堵塞\","
                           "\"reported_at\":\"2024-03-04T09:00\",\"source\":\"hotline\","
                           "\"household_id\":\"H1\"}",
                           &json),
         WG_OK, NULL);
  long a = json_long(json, "id");
  CHECK(a > 0);
  CHECK(json != NULL && strstr(json, "\"status\":\"registered\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"standing\":\"pending\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"source\":\"hotline\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"time_limit\":{\"working_days\":5}") != NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-11T23:59:59+08:00\"") != NULL);
  CHECK(json_has(json, "\"sign_due\":\"2024-03-05T23:59:59+08:00\""));

  /* Starting before signing for is refused and changes nothing. */
  char *before = NULL;
  char *after = NULL;
  EXPECT(s, wg_entry(s, a, &before), WG_OK, NULL);
  EXPECT(s, wg_entry_start(s, a, "W1", "2024-03-04T09:30", &json), WG_INVALID_TRANSITION,
         "registered");
  EXPECT(s, wg_entry(s, a, &after), WG_OK, NULL);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  wg_string_free(before);
  wg_string_free(after);
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 1);

  /* The whole workflow: sign for, start, suspend and resume (the clock stopped two working
   * days), extend by three, mark hard, resolve, an unsatisfied check (rework), resolve
   * again, a satisfied check, close. */
  EXPECT(s, wg_entry_sign_for(s, a, "W1", "2024-03-04T10:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"signed_at\":\"2024-03-04T10:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"sign_due\":null") != NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_start(s, a, "W1", "2024-03-04T10:30", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_suspend(s, a, "2024-03-04T11:00", "等待物业维修资金", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"suspended_since\":\"2024-03-04T11:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"suspended\""));
  EXPECT(s, wg_entry_resume(s, a, "2024-03-06T09:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-13T23:59:59+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 3, "需协调市政部门", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"deadline\":\"2024-03-18T23:59:59+08:00\""));
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", -1, "负数", &json), WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 0, "零", &json), WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 366, "太久", &json), WG_INVALID_INPUT,
         "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 4294967297LL, "回绕", &json),
         WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_mark_hard(s, a, "2024-03-06T11:00", "涉及多户", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"hard\":true") != NULL);
  CHECK(json_has(json, "\"standing\":\"hard\""));
  EXPECT(s, wg_entry_mark_hard(s, a, "2024-03-06T11:00", "再次", NULL), WG_INVALID_TRANSITION,
         "already");
  EXPECT(s, wg_entry_resolve(s, a, "2024-03-07T15:00", "已疏通", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"first_resolved_at\":\"2024-03-07T15:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"standing\":\"resolved\""));
  EXPECT(s, wg_entry_verify(s, a, "2024-03-08T09:00", 0, "仍有异味", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"rework\":1") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_close(s, a, "2024-03-08T10:00", NULL), WG_INVALID_TRANSITION, "in_progress");
  EXPECT(s, wg_entry_resolve(s, a, "2024-03-08T15:00", "再次疏通", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_verify(s, a, "2024-03-09T09:00", 1, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"verified\":true") != NULL);
  CHECK(json_has(json, "\"status\":\"resolved\""));
  EXPECT(s, wg_entry_close(s, a, "2024-03-09T10:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"closed_at\":\"2024-03-09T10:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"closed\""));
  /* Not before the entry's last event. */
  EXPECT(s, wg_entry_reopen(s, a, "2024-03-09T09:59", "居民反映", NULL), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"days\":3") != NULL);
  CHECK(json != NULL && strstr(json, "\"satisfied\":false") != NULL);
  CHECK(json != NULL && strstr(json, "\"actor\":\"W1\"") != NULL);
  CHECK(count_of(json, "\"action\":") == 12);

  /* Escalated to the community, returned as misrouted, handed to a department. */
  long b = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  CHECK(b > a);
  EXPECT(s, wg_entry_sign_for(s, b, "W9", "2024-03-04T09:30", NULL), WG_NOT_FOUND, "W9");
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T10:00", "需要社区协调", NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001\"}") != NULL);
  CHECK(json_has(json, "\"status\":\"registered\""));
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T10:10", "转错", "512021101", NULL), WG_INVALID_INPUT,
         "512021101");
  EXPECT(s, wg_entry_return(s, b, "2024-03-04T11:00", "属网格职责", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001001\"}"));
  EXPECT(s, wg_entry_return(s, b, "2024-03-04T11:10", "再退", NULL), WG_INVALID_TRANSITION, "return");
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T12:00", "转交职能部门", "县住建局", &json), WG_OK,
         NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"department\",\"name\":\"县住建局\"}"));
  EXPECT(s, wg_entry_sign_for(s, b, "W1", "2024-03-04T13:00", NULL), WG_OK, NULL);

  /* Not signed for within a working day: the tick escalates it to the community at the
   * moment the limit ran out; a second tick at the same time does nothing. */
  long c = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"小区垃圾无人清运\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", &json), WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"entry_id\":%ld", c);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-06T00:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"auto\":true") != NULL);
  CHECK(count_of(json, "\"action\":\"escalate\"") == 1);
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, c, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"512021100001\""));

  /* A batch is registered whole or not at all. */
  EXPECT(s,
         wg_entries_register_batch(s,
                                   "[{\"unit\":\"512021100001001\",\"summary\":\"邻里噪音纠纷\","
                                   "\"reported_at\":\"2024-03-05T09:00\"},"
                                   "{\"unit\":\"512021100001999\",\"summary\":\"下水道堵塞\","
                                   "\"reported_at\":\"2024-03-05T09:00\"}]",
                                   &json),
         WG_NOT_FOUND, "entry 1 of the batch");
  EXPECT(s,
         wg_entries_register_batch(s,
                                   "[{\"unit\":\"512021100001001\",\"summary\":\"邻里噪音纠纷\","
                                   "\"reported_at\":\"2024-03-05T09:00\"},"
                                   "{\"unit\":\"512021100001001\",\"summary\":\"家门口下水道堵塞\","
                                   "\"household_id\":\"H2\",\"reported_at\":\"2024-03-05T09:00\"}]",
                                   &json),
         WG_OK, NULL);
  snprintf(needle, sizeof needle, "[%ld,%ld]", c + 1, c + 2);
  CHECK(json != NULL && strcmp(json, needle) == 0);
  wg_string_free(json);
  EXPECT(s, wg_entries_register_batch(s, "{}", NULL), WG_INVALID_INPUT, "entries");

  /* A visit's finding taken up by an entry, once. */
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2024-03-05", NULL, &json), WG_OK, NULL);
  long visit = json_long(json, "id");
  wg_string_free(json);
  EXPECT(s, wg_finding_record(s, visit, "楼道灯坏了", "市政设施", 0, &json), WG_OK, NULL);
  long finding = json_long(json, "id");
  wg_string_free(json);
  EXPECT(s, wg_finding_register(s, finding, NULL, "2024-03-05T10:00", &json), WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"finding_id\":%ld", finding);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(json != NULL && strstr(json, "\"household_id\":\"H1\"") != NULL);
  CHECK(json_has(json, "\"category\":\"市政设施\""));
  EXPECT(s, wg_finding_register(s, finding, NULL, "2024-03-05T10:00", NULL), WG_CONFLICT, "already");
  EXPECT(s, wg_finding_register(s, -1, NULL, "2024-03-05T10:00", NULL), WG_INVALID_INPUT,
         "finding_id");

  /* An urgent entry: with the township, limits in hours. */
  EXPECT(s,
         wg_entry_register(s,
                           "{\"unit\":\"512021100001001\",\"category\":\"安全生产\","
                           "\"summary\":\"楼道里燃气泄漏\",\"reported_at\":\"2024-03-07T12:30\"}",
                           &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-08T12:30:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100\"}"));
  /* Reopened after the week: back to work, still hard. */
  EXPECT(s, wg_entry_reopen(s, a, "2024-03-11T09:00", "居民反映再次堵塞", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"closed_at\":null") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));

  /* Queries as of a moment, by standing, status, book, period, overdue. */
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 7);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\",\"standing\":\"hard\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-10T00:00\",\"status\":\"closed\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":\"北坝街下水道堵塞\"") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021100001\",\"at\":\"2024-03-31T00:00\",\"book\":\"困难群众\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\":\"H2\"") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\",\"period\":\"2024-03-07\","
                          "\"category\":\"安全生产\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-08T00:00\",\"overdue\":true}", &json),
         WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"id\":%ld,", c);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021101\",\"at\":\"2024-03-31T00:00\"}", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"standing\":\"stuck\"}", &json), WG_INVALID_INPUT,
         "stuck");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"status\":\"lost\"}", &json), WG_INVALID_INPUT, "lost");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"period\":\"2024-Q5\"}", &json), WG_INVALID_INPUT,
         "period");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"colour\":\"red\"}", &json), WG_INVALID_INPUT,
         "colour");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"overdue\":\"yes\"}", &json), WG_INVALID_INPUT,
         "query_json");
  EXPECT(s, wg_entries(s, "{\"at\":\"2024-03-31T00:00\"}", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512099\"}", &json), WG_NOT_FOUND, "512099");

  /* The weekly meeting's piles: one resolved in the week, six pending (two overdue);
   * the next week the reopened entry is hard. */
  EXPECT(s, wg_piles(s, "512021100001", "2024-W10", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2024-W10\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-10T23:59:59+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"resolved\":{\"count\":1,") != NULL);
  CHECK(json != NULL && strstr(json, "\"hard\":{\"count\":0,") != NULL);
  CHECK(json_has(json, "\"pending\":{\"count\":6,"));
  EXPECT(s, wg_piles(s, "512021100001", "2024-W11", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"hard\":{\"count\":1,"));
  EXPECT(s, wg_piles(s, "512021100001", "2024-W99", &json), WG_INVALID_INPUT, "period");

  /* Rules are versioned data, checked field by field; scoped handles may not set them. */
  EXPECT(s,
         wg_ledger_rules_set(s,
                             "{\"categories\":[{\"name\":\"市政设施\",\"books\":[\"民生诉求\"],"
                             "\"days\":2,\"keywords\":[\"路灯\"]}]}",
                             "2024-04-01"),
         WG_OK, NULL);
  EXPECT(s, wg_classify(s, "{\"summary\":\"路灯不亮\",\"at\":\"2024-04-02T09:00\"}", &json), WG_OK,
         NULL);
  CHECK(json != NULL && strstr(json, "\"rules_from\":\"2024-04-01\"") != NULL);
  CHECK(json_has(json, "\"time_limit\":{\"working_days\":2}"));
  EXPECT(s, wg_ledger_rules(s, "2024-03-31", &json), WG_OK, NULL);
  CHECK(json_has(json, "环境卫生"));
  EXPECT(s, wg_ledger_rules(s, "2024-04-01", &json), WG_OK, NULL);
  CHECK(count_of(json, "环境卫生") == 0);
  EXPECT(s, wg_ledger_rules_set(s, "{\"books\":[\"民生诉求\"]}", NULL), WG_INVALID_INPUT,
         "categories");
  EXPECT(s,
         wg_ledger_rules_set(s, "{\"categories\":[{\"name\":\"x\",\"books\":[\"不存在\"]}]}", NULL),
         WG_INVALID_INPUT, "不存在");
  wg_store *other = NULL;
  EXPECT(s, wg_store_scope(s, "512021101", "石桥铺镇", &other), WG_OK, NULL);
  EXPECT(other, wg_ledger_rules_set(other, "{\"categories\":[]}", NULL), WG_PERMISSION_DENIED, NULL);
  EXPECT(other, wg_entry(other, a, &json), WG_PERMISSION_DENIED, NULL);
  EXPECT(other, wg_entry_resolve(other, a, "2024-03-12T09:00", "越权", NULL), WG_PERMISSION_DENIED,
         NULL);
  EXPECT(other, wg_entry_register(other,
                                  "{\"unit\":\"512021100001001\",\"summary\":\"下水道堵塞\","
                                  "\"reported_at\":\"2024-03-12T09:00\"}",
                                  NULL),
         WG_PERMISSION_DENIED, NULL);
  wg_store_free(other);

  /* Ids are positive; unknown ones are not found. */
  EXPECT(s, wg_entry(s, 999999, &json), WG_NOT_FOUND, "999999");
  EXPECT(s, wg_entry(s, -1, &json), WG_INVALID_INPUT, "id");
  EXPECT(s, wg_entry(s, 0, &json), WG_INVALID_INPUT, "id");
  EXPECT(s, wg_entry_history(s, -5, &json), WG_INVALID_INPUT, "id");
  EXPECT(s, wg_entry_sign_for(s, -1, "W1", "2024-03-12T09:00", NULL), WG_INVALID_INPUT, "id");
  EXPECT(s, wg_entry_close(s, 999999, "2024-03-12T09:00", NULL), WG_NOT_FOUND, "999999");

  /* NULL handles, arguments and out-pointers are answered, never a crash; nothing is
   * written. */
  const char bad_utf8[] = {'x', (char)0xff, 0};
  const char *at = "2024-03-12T09:00";
  json = NULL;
  EXPECT(NULL, wg_ledger_rules_set(NULL, "{}", NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_ledger_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_ledger_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_ledger_rules(s, "2024-13-01", &json), WG_INVALID_INPUT, "as_of");
  EXPECT(NULL, wg_classify(NULL, "{\"summary\":\"下水道\"}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_classify(s, NULL, &json), WG_INVALID_INPUT, "request_json");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\"}", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_classify(s, bad_utf8, &json), WG_INVALID_INPUT, "UTF-8");
  EXPECT(NULL, wg_entry_register(NULL, "{}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_register(s, NULL, &json), WG_INVALID_INPUT, "entry_json");
  EXPECT(s, wg_entry_register(s, "not json", &json), WG_INVALID_INPUT, "entry_json");
  EXPECT(s, wg_entry_register(s, "{\"unit\":\"512021100001001\",\"summary\":\"下水道\"}", &json),
         WG_INVALID_INPUT, "reported_at");
  EXPECT(NULL, wg_entries_register_batch(NULL, "[]", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries_register_batch(s, NULL, &json), WG_INVALID_INPUT, "entries_json");
  EXPECT(NULL, wg_finding_register(NULL, finding, NULL, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_finding_register(s, finding, NULL, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_sign_for(NULL, b, "W1", at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_sign_for(s, c, NULL, at, &json), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_entry_sign_for(s, c, "W1", NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_start(NULL, b, "W1", at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_start(s, b, NULL, at, &json), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_entry_start(s, b, "W1", "tomorrow", &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_escalate(NULL, c, at, "x", NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_escalate(s, c, at, NULL, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(s, wg_entry_escalate(s, c, NULL, "x", NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_escalate(s, c, at, "x", bad_utf8, &json), WG_INVALID_INPUT, "to");
  EXPECT(NULL, wg_entry_return(NULL, c, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_return(s, c, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_mark_hard(NULL, c, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_mark_hard(s, c, NULL, "x", &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_mark_hard(s, c, at, "", &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_suspend(NULL, b, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_suspend(s, b, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_resume(NULL, b, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_resume(s, b, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_resume(s, b, at, &json), WG_INVALID_TRANSITION, "signed_for");
  EXPECT(NULL, wg_entry_extend(NULL, b, at, 1, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_extend(s, b, at, 1, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_resolve(NULL, a, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_resolve(s, a, at, NULL, &json), WG_INVALID_INPUT, "result");
  EXPECT(NULL, wg_entry_verify(NULL, a, at, 1, NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_verify(s, a, NULL, 1, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_verify(s, a, at, 1, bad_utf8, &json), WG_INVALID_INPUT, "note");
  EXPECT(NULL, wg_entry_close(NULL, a, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_close(s, a, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_reopen(NULL, a, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_reopen(s, a, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_tick(NULL, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_tick(s, NULL, &json), WG_INVALID_INPUT, "now");
  EXPECT(s, wg_tick(s, "yesterday", NULL), WG_INVALID_INPUT, "now");
  EXPECT(NULL, wg_entry(NULL, a, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry(s, a, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_entry_history(NULL, a, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_history(s, a, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_entries(NULL, "{\"unit\":\"512021\"}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries(s, NULL, &json), WG_INVALID_INPUT, "query_json");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\"}", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_piles(NULL, "512021", "2024-W10", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_piles(s, NULL, "2024-W10", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_piles(s, "512021", NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_piles(s, "512021", "2024-W10", NULL), WG_INVALID_INPUT, "out_json");
  CHECK(json == NULL);

  /* Every change went through the audit chain, which still verifies. */
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(s);
}

/* A batch of workflow actions: applied in order in one write, recorded as the single
 * actions are; one refusal refuses the whole batch, named by its position, and nothing is
 * written; bad input and NULLs are answered with a status. */
static void test_ledger_work_batch(void) {
  wg_store *s = county();
  char *json = NULL;
  char batch[1024];
  size_t count = 99;
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  long a = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"北坝街下水道堵塞\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  long b = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\","
                             "\"reported_at\":\"2024-03-04T09:30\"}");
  CHECK(a > 0 && b > a);

  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"2024-03-04T10:00\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"2024-03-04T10:05\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-04T10:30\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"resolve\",\"at\":\"2024-03-05T15:00+08:00\","
           "\"note\":\"已疏通\"}]",
           a, b, a, a);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_OK, NULL);
  CHECK(count == 4);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"signed_at\":\"2024-03-04T10:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"resolved_at\":\"2024-03-05T15:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"resolved\""));
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"actor\":\"W1\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"note\":\"已疏通\"") != NULL);
  CHECK(count_of(json, "\"action\":") == 4);
  /* An empty batch applies nothing. */
  EXPECT(s, wg_entries_work_batch(s, "[]", &count), WG_OK, NULL);
  CHECK(count == 0);

  /* Closing an entry just registered is refused: the batch, its first (allowed) action
   * included, is not applied, and the count is not written. */
  long c = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"小区垃圾无人清运\","
                             "\"reported_at\":\"2024-03-06T09:00\"}");
  char *before = NULL;
  char *after = NULL;
  char *audit = NULL;
  char *households = NULL;
  EXPECT(s, wg_entry(s, c, &before), WG_OK, NULL);
  snapshot(s, &audit, &households);
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"close\",\"at\":\"2024-03-06T10:00\"}]",
           b, c);
  count = 99;
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_TRANSITION, "action 1 of the batch");
  CHECK(count == 99);
  EXPECT(s, wg_entry(s, c, &after), WG_OK, NULL);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  wg_string_free(before);
  wg_string_free(after);
  CHECK(unchanged_since(s, audit, households));
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_history(s, c, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 1);

  /* The batch's other refusals, each with its status and the place it names. */
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"staff_id\":\"W9\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_NOT_FOUND, "W9");
  EXPECT(s,
         wg_entries_work_batch(
             s, "[{\"entry_id\":999999,\"action\":\"close\",\"at\":\"2024-03-06T10:00\"}]", &count),
         WG_NOT_FOUND, "999999");
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"register\",\"at\":\"2024-03-06T10:00\"}]", c);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "action 0 of the batch");
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"colour\":\"red\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "colour");
  snprintf(batch, sizeof batch, "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"soon\"}]", b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entries_work_batch(s, "{}", &count), WG_INVALID_INPUT, "actions");
  EXPECT(s, wg_entries_work_batch(s, "not json", &count), WG_INVALID_INPUT, "actions");
  CHECK(count == 99);
  /* The count may be left unasked for. */
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T11:00\",\"staff_id\":\"W1\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));

  /* NULL handles and arguments are answered, never a crash; nothing is written. */
  const char bad_utf8[] = {'[', (char)0xff, ']', 0};
  count = 99;
  EXPECT(NULL, wg_entries_work_batch(NULL, "[]", &count), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries_work_batch(s, NULL, &count), WG_INVALID_INPUT, "actions_json");
  EXPECT(s, wg_entries_work_batch(s, bad_utf8, &count), WG_INVALID_INPUT, "UTF-8");
  EXPECT(NULL, wg_entries_work_batch(NULL, NULL, NULL), WG_INVALID_INPUT, "store");
  CHECK(count == 99);

  /* Every action of a batch went through the audit chain, which still verifies. */
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(s);
}

static void test_ledger_persists(const char *path) {
  remove(path);
  wg_store *s = NULL;
  char *json = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_calendar_load_text(s, "2027 元旦 off 01-01..01-03", NULL), WG_OK, NULL);
  long id = register_entry(s, "{\"unit\":\"512021100\",\"summary\":\"邻里纠纷\","
                              "\"reported_at\":\"2024-03-04T09:00\"}");
  EXPECT(s, wg_entry_escalate(s, id, "2024-03-04T10:00", "上报县里", NULL, NULL), WG_OK, NULL);
  wg_store_free(s);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_entry_history(s, id, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 2);
  EXPECT(s, wg_entry(s, id, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"512021\""));
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "2027-01-04") == 0);
  wg_string_free(json);
  wg_store_free(s);
  remove(path);
}

/* Reports and circulars: a county with three entries in 2024-Q1 (two in 岳阳镇, one in
 * 石桥铺镇, the first worked through to resolved) and two visits, read as JSON, CSV and
 * XLSX, ranked, and refused for bad input, NULLs and a scope that does not cover the unit. */
static void test_report(void) {
  wg_store *s = county();
  char *json = NULL;
  char text[64];
  const char *units[3] = {"512021100001001", "512021100002001", "512021101001001"};
  long ids[3] = {0, 0, 0};
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", units[0], "北坝街1号", NULL, NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H2", units[2], "解放村2号", NULL, NULL, NULL, NULL), WG_OK, NULL);
  for (int i = 0; i < 3; i++) {
    char entry[256];
    snprintf(entry, sizeof entry,
             "{\"unit\":\"%s\",\"category\":\"市政设施\",\"summary\":\"路灯坏了\","
             "\"reported_at\":\"2024-03-0%dT09:00\"}",
             units[i], i + 4);
    EXPECT(s, wg_entry_register(s, entry, &json), WG_OK, NULL);
    ids[i] = json_long(json, "id");
    wg_string_free(json);
    json = NULL;
  }
  EXPECT(s, wg_entry_sign_for(s, ids[0], "W1", "2024-03-04T10:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_start(s, ids[0], "W1", "2024-03-04T11:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_resolve(s, ids[0], "2024-03-05T15:00", "已修复", NULL), WG_OK, NULL);
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2024-03-10", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_visit_record(s, "H2", "W1", "phone", "2024-03-11", NULL, NULL), WG_OK, NULL);

  /* The report: totals, one row per township plus the own row, the period's days. */
  EXPECT(s, wg_report(s, "512021", "2024-Q1", &json), WG_OK, NULL);
  const char *totals = json != NULL ? strstr(json, "\"totals\":") : NULL;
  CHECK(json_long(totals, "received") == 3);
  CHECK(json_long(totals, "resolved") == 1);
  CHECK(json_long(totals, "pending") == 2);
  CHECK(json_long(totals, "visits_home") == 1);
  CHECK(json_long(totals, "visits_phone") == 1);
  CHECK(json_long(totals, "households") == 2);
  CHECK(totals != NULL && strstr(totals, "\"closure_rate\":{\"den\":3,\"num\":1,") != NULL);
  /* The rows add up to the totals, which come after them: the sum after "rows" is twice. */
  CHECK(json_sum_after(json, "\"rows\":", "received") == 2 * 3);
  CHECK(json_sum_after(json, "\"rows\":", "households") == 2 * 2);
  CHECK(json_text(json, "period", text, sizeof text) && strcmp(text, "2024-Q1") == 0);
  CHECK(json_text(json, "first", text, sizeof text) && strcmp(text, "2024-01-01") == 0);
  CHECK(json_text(json, "last", text, sizeof text) && strcmp(text, "2024-03-31") == 0);
  CHECK(json != NULL && strstr(json, "\"own\":true") != NULL);
  CHECK(count_of(json, "\"own\":") == 3);
  json = NULL;
  /* Nothing received in the next quarter: the closure rate has no value. */
  EXPECT(s, wg_report(s, "512021", "2024-Q2", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"closure_rate\":{\"den\":0,\"num\":0,\"value\":null}"));

  /* CSV: a UTF-8 byte-order mark, then Chinese headers and a totals line. */
  char *csv = NULL;
  EXPECT(s, wg_report_csv(s, "512021", "2024-Q1", &csv), WG_OK, NULL);
  CHECK(csv != NULL && (unsigned char)csv[0] == 0xEF && (unsigned char)csv[1] == 0xBB &&
        (unsigned char)csv[2] == 0xBF);
  CHECK(csv != NULL && strstr(csv, "合计") != NULL);
  CHECK(json_has(csv, "受理数"));

  /* XLSX: a ZIP archive, freed with wg_bytes_free; outputs untouched on failure. */
  uint8_t *bytes = NULL;
  size_t len = 0;
  EXPECT(s, wg_report_xlsx(s, "512021", "2024-Q1", &bytes, &len), WG_OK, NULL);
  CHECK(bytes != NULL && len > 2 && bytes[0] == 'P' && bytes[1] == 'K');
  wg_bytes_free(bytes, len);
  wg_bytes_free(NULL, 0);
  bytes = NULL;
  len = 0;
  EXPECT(s, wg_report_xlsx(s, "512021", "2024-Q1", &bytes, NULL), WG_INVALID_INPUT, "out_len");
  EXPECT(s, wg_report_xlsx(s, "512021", "2024-Q1", NULL, &len), WG_INVALID_INPUT, "out_bytes");
  EXPECT(s, wg_report_xlsx(s, "512021", "2024-Q9", &bytes, &len), WG_INVALID_INPUT, "period");
  CHECK(bytes == NULL && len == 0);

  /* Circulars: with a sample of 1 both townships are ranked, 岳阳镇 (1 of 2) first. */
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "closure_rate", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"indicator_name\":\"办结率\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"min_sample\":1") != NULL);
  CHECK(json != NULL && strstr(json, "\"left_out\":[]") != NULL);
  CHECK(json != NULL &&
        strstr(json, "\"ranked\":[{\"den\":2,\"name\":\"岳阳镇\",\"num\":1,\"rank\":1,") != NULL);
  CHECK(json_has(json, "{\"den\":1,\"name\":\"石桥铺镇\",\"num\":0,\"rank\":2,"));
  /* The default sample of 5 leaves both out, saying why. */
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "closure_rate", -1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"min_sample\":5") != NULL);
  CHECK(json != NULL && strstr(json, "\"ranked\":[]") != NULL);
  CHECK(count_of(json, "样本不足") == 2);
  /* A count is always ranked; fewer pending is better, and equal values share rank 1. */
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "pending", -1, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"lower_is_better\":true") != NULL);
  CHECK(count_of(json, "\"rank\":1,") == 2);

  /* The indicators, in column order, with their Chinese names. */
  EXPECT(NULL, wg_indicators(&json), WG_OK, NULL);
  const char *received = "[{\"key\":\"received\",\"name\":\"受理数\"},";
  CHECK(json != NULL && strncmp(json, received, strlen(received)) == 0);
  CHECK(json != NULL && strstr(json, "{\"key\":\"closure_rate\",\"name\":\"办结率\"}") != NULL);
  CHECK(count_of(json, "\"key\":") == 21);
  json = NULL;

  /* Refusals: typed, named, nothing written. */
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "happiness", 1, &json), WG_INVALID_INPUT,
         "happiness");
  EXPECT(s, wg_report(s, "512021", "2024-Q5", &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_report_csv(s, "512021", "spring", &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_circular(s, "512021", "2024-13", "pending", 1, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_report(s, "512099", "2024-Q1", &json), WG_NOT_FOUND, "512099");
  EXPECT(NULL, wg_report(NULL, "512021", "2024-Q1", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_report(s, NULL, "2024-Q1", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_report(s, "512021", NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_report(s, "512021", "2024-Q1", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_report_csv(NULL, "512021", "2024-Q1", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_report_csv(s, "512021", "2024-Q1", NULL), WG_INVALID_INPUT, "out_csv");
  EXPECT(NULL, wg_report_xlsx(NULL, "512021", "2024-Q1", &bytes, &len), WG_INVALID_INPUT,
         "store");
  EXPECT(NULL, wg_circular(NULL, "512021", "2024-Q1", "pending", 1, &json), WG_INVALID_INPUT,
         "store");
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", NULL, 1, &json), WG_INVALID_INPUT, "indicator");
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "pending", 1, NULL), WG_INVALID_INPUT,
         "out_json");
  EXPECT(NULL, wg_indicators(NULL), WG_INVALID_INPUT, "out_json");
  CHECK(json == NULL && bytes == NULL && len == 0);

  /* A township's handle reports on its own subtree, not on the other township's. */
  wg_store *town = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_report(town, "512021100", "2024-Q1", &json), WG_OK, NULL);
  CHECK(json_long(json != NULL ? strstr(json, "\"totals\":") : NULL, "received") == 2);
  wg_string_free(json);
  json = NULL;
  EXPECT(town, wg_report(town, "512021101", "2024-Q1", &json), WG_PERMISSION_DENIED, "512021101");
  EXPECT(town, wg_report_csv(town, "512021101", "2024-Q1", &json), WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_report_xlsx(town, "512021101", "2024-Q1", &bytes, &len), WG_PERMISSION_DENIED,
         NULL);
  EXPECT(town, wg_circular(town, "512021", "2024-Q1", "pending", 1, &json), WG_PERMISSION_DENIED,
         NULL);
  CHECK(json == NULL && bytes == NULL && len == 0);
  wg_store_free(town);
  wg_store_free(s);
}

/* Submitted reports: the default cadence, a grid's weekly report submitted on time, the
 * community above approving it, the lock approval sets on the grid's week, the list of
 * reports expected in a month, and refusals for a wrong cadence, the grid approving
 * itself, bad rules and NULLs. */
static void test_submissions(void) {
  wg_store *s = county();
  char *json = NULL;
  const char *grid_code = "512021100001001";
  const char *community_code = "512021100001";
  EXPECT(s, wg_staff_add(s, "W1", "王网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", grid_code, "海慧路1号", NULL, NULL, NULL, NULL), WG_OK,
         NULL);

  /* The default cadence: grids weekly, communities monthly, townships quarterly. */
  EXPECT(s, wg_reporting_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"level\":\"grid\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"every\":\"week\"") != NULL);
  CHECK(count_of(json, "\"level\":") == 3);
  json = NULL;

  /* The grid submits its week on the Monday after it: sealed, on time. */
  wg_store *grid = NULL;
  wg_store *community = NULL;
  EXPECT(s, wg_store_scope(s, grid_code, "王网格员", &grid), WG_OK, NULL);
  EXPECT(s, wg_store_scope(s, community_code, "陈社区干部", &community), WG_OK, NULL);
  EXPECT(grid, wg_submit(grid, grid_code, "2025-W10", "2025-03-10T17:00:00+08:00", &json), WG_OK,
         NULL);
  CHECK(json != NULL && strstr(json, "\"status\":\"submitted\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"on_time\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"author\":\"王网格员\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"report\":{\"by_book\"") != NULL);
  CHECK(json_has(json, "\"versions\":1"));
  json = NULL;
  /* A grid does not report monthly; it cannot approve its own report. */
  EXPECT(grid, wg_submit(grid, grid_code, "2025-03", "2025-04-01T09:00:00+08:00", &json),
         WG_INVALID_INPUT, "week");
  EXPECT(grid, wg_approve(grid, grid_code, "2025-W10", "2025-03-11T10:00:00+08:00", &json),
         WG_PERMISSION_DENIED, grid_code);
  CHECK(json == NULL);
  /* The community approves it. */
  EXPECT(community,
         wg_approve(community, grid_code, "2025-W10", "2025-03-11T10:00:00+08:00", &json), WG_OK,
         NULL);
  CHECK(json != NULL && strstr(json, "\"approver\":\"陈社区干部\"") != NULL);
  CHECK(json_has(json, "\"status\":\"approved\""));
  json = NULL;
  EXPECT(community,
         wg_approve(community, grid_code, "2025-W10", "2025-03-11T11:00:00+08:00", &json),
         WG_CONFLICT, "approved");
  EXPECT(s, wg_submit(s, grid_code, "2025-W10", "2025-03-11T12:00:00+08:00", &json), WG_CONFLICT,
         "locked");

  /* The week is locked for the grid: a visit in it is refused, one after it is not. */
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2025-03-05", NULL, &json), WG_CONFLICT,
         "locked");
  CHECK(json == NULL);
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2025-03-10", NULL, NULL), WG_OK, NULL);

  /* The submission with its sealed report; the list for the community's month. */
  EXPECT(s, wg_submission(s, grid_code, "2025-W10", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"report\":{") != NULL);
  CHECK(json != NULL && strstr(json, "\"totals\":") != NULL);
  CHECK(json_has(json, "\"status\":\"approved\""));
  json = NULL;
  EXPECT(s, wg_submission(s, grid_code, "2025-W11", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"report\":null") != NULL);
  CHECK(json_has(json, "\"status\":\"missing\""));
  json = NULL;
  /* March 2025 holds the weeks W10 to W13 of each of the two grids, and the month. */
  EXPECT(s, wg_submissions(s, community_code, "2025-03", &json), WG_OK, NULL);
  CHECK(json != NULL && json[0] == '[' && strstr(json, "\"report\"") == NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2025-W13\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2025-W14\"") == NULL);
  CHECK(json != NULL && strstr(json, "{\"approved_at\":\"2025-03-11T10:00:00+08:00\",") != NULL);
  CHECK(count_of(json, "\"status\":") == 9);
  json = NULL;

  /* Rules: replaced whole, a level not of the deployment refused, only unrestricted. */
  EXPECT(s, wg_reporting_rules_set(s, "[{\"level\":\"province\",\"every\":\"month\"}]", NULL),
         WG_INVALID_INPUT, "province");
  EXPECT(community, wg_reporting_rules_set(community, "[]", NULL), WG_PERMISSION_DENIED, NULL);
  EXPECT(s,
         wg_reporting_rules_set(
             s, "[{\"level\":\"community\",\"every\":\"month\",\"due_working_days\":2}]",
             "2026-01-01"),
         WG_OK, NULL);
  EXPECT(s, wg_reporting_rules(s, "2026-01-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "[{\"due_working_days\":2,\"every\":\"month\",\"level\":\"community\"}]"));
  json = NULL;
  EXPECT(s, wg_reporting_rules(s, "2025-12-31", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"level\":") == 3);
  json = NULL;

  /* NULLs and bad text: typed, named, nothing written. */
  EXPECT(NULL, wg_reporting_rules_set(NULL, "[]", NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_reporting_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_reporting_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_reporting_rules(s, "2025-02-30", &json), WG_INVALID_INPUT, "as_of");
  EXPECT(NULL, wg_submit(NULL, grid_code, "2025-W11", "2025-03-17T09:00:00", &json),
         WG_INVALID_INPUT, "store");
  EXPECT(s, wg_submit(s, NULL, "2025-W11", "2025-03-17T09:00:00", &json), WG_INVALID_INPUT,
         "unit");
  EXPECT(s, wg_submit(s, grid_code, NULL, "2025-03-17T09:00:00", &json), WG_INVALID_INPUT,
         "period");
  EXPECT(s, wg_submit(s, grid_code, "2025-W11", NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_submit(s, grid_code, "2025-W11", "soon", &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_submit(s, grid_code, "2025-W11", "2025-03-17T09:00:00", NULL), WG_INVALID_INPUT,
         "out_json");
  EXPECT(NULL, wg_approve(NULL, grid_code, "2025-W11", "2025-03-17T09:00:00", &json),
         WG_INVALID_INPUT, "store");
  EXPECT(s, wg_approve(s, grid_code, "2025-W11", "2025-03-17T09:00:00", NULL), WG_INVALID_INPUT,
         "out_json");
  EXPECT(s, wg_approve(s, grid_code, "2025-W11", "2025-03-17T09:00:00", &json), WG_NOT_FOUND,
         "2025-W11");
  EXPECT(NULL, wg_submission(NULL, grid_code, "2025-W10", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_submission(s, grid_code, "2025-W99", &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_submission(s, grid_code, "2025-W10", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_submission(s, "512099", "2025-W10", &json), WG_NOT_FOUND, "512099");
  EXPECT(NULL, wg_submissions(NULL, community_code, "2025-03", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_submissions(s, community_code, NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_submissions(s, community_code, "2025-03", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(grid, wg_submissions(grid, community_code, "2025-03", &json), WG_PERMISSION_DENIED,
         NULL);
  CHECK(json == NULL);
  wg_store_free(grid);
  wg_store_free(community);
  wg_store_free(s);
}

/* The assessment: the default rules, each township scored on weighted targets and ranked,
 * and refusals for rules that name a count, NULLs and a scope that does not cover it. */
static void test_assessment(void) {
  wg_store *s = county();
  char *json = NULL;
  const char *units[2] = {"512021100001001", "512021101001001"};
  long ids[2] = {0, 0};
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  for (int i = 0; i < 2; i++) {
    char entry[256];
    snprintf(entry, sizeof entry,
             "{\"unit\":\"%s\",\"category\":\"市政设施\",\"summary\":\"路灯坏了\","
             "\"reported_at\":\"2024-03-0%dT09:00\"}",
             units[i], i + 4);
    EXPECT(s, wg_entry_register(s, entry, &json), WG_OK, NULL);
    ids[i] = json_long(json, "id");
    wg_string_free(json);
    json = NULL;
  }
  EXPECT(s, wg_entry_sign_for(s, ids[0], "W1", "2024-03-04T10:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_start(s, ids[0], "W1", "2024-03-04T11:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_resolve(s, ids[0], "2024-03-05T15:00", "已修复", NULL), WG_OK, NULL);

  /* The default rules: five weighted items, a sample of 5. */
  EXPECT(s, wg_assessment_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"indicator\":\"closure_rate\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"min_sample\":5") != NULL);
  CHECK(count_of(json, "\"weight\":") == 5);
  json = NULL;
  /* With the defaults, one entry each is too small a sample to score closure; only the
   * timeliness of reports (none submitted) is scored: 0 each, sharing rank 1. */
  EXPECT(s, wg_assessment(s, "512021", "2024", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"rows\":[") != NULL);
  CHECK(json != NULL &&
        strstr(json, "{\"den\":1,\"indicator\":\"closure_rate\",\"num\":1,\"points\":null,") !=
            NULL);
  CHECK(count_of(json, "\"rank\":1,\"score\":0.0,") == 2);
  json = NULL;

  /* Closure alone, with a sample of 1: 岳阳镇 (1 of 1) scores 100, 石桥铺镇 (0 of 1) 0. */
  EXPECT(s,
         wg_assessment_rules_set(s,
                                 "{\"items\":[{\"indicator\":\"closure_rate\",\"weight\":60,"
                                 "\"target\":0.8}],\"min_sample\":1}",
                                 NULL),
         WG_OK, NULL);
  EXPECT(s, wg_assessment_rules(s, "2024-01-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"min_sample\":1"));
  json = NULL;
  EXPECT(s, wg_assessment(s, "512021", "2024", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2024\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"rules\":{") != NULL);
  const char *first = json != NULL ? strstr(json, "\"name\":\"岳阳镇\",\"rank\":1,\"score\":100.0")
                                   : NULL;
  const char *second =
      json != NULL ? strstr(json, "\"name\":\"石桥铺镇\",\"rank\":2,\"score\":0.0") : NULL;
  CHECK(first != NULL && second != NULL && first < second);
  CHECK(json_has(json, "\"points\":60.0"));
  json = NULL;

  /* Refusals: a count is not a rate; typed, named, nothing written. */
  EXPECT(s,
         wg_assessment_rules_set(
             s, "{\"items\":[{\"indicator\":\"received\",\"weight\":1,\"target\":1}]}", NULL),
         WG_INVALID_INPUT, "received");
  EXPECT(s, wg_assessment_rules_set(s, "{\"items\":[]}", NULL), WG_INVALID_INPUT, "items");
  EXPECT(s, wg_assessment_rules_set(s, "not json", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(NULL, wg_assessment_rules_set(NULL, "{}", NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_assessment_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(NULL, wg_assessment_rules(NULL, NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_assessment_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_assessment(NULL, "512021", "2024", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_assessment(s, NULL, "2024", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_assessment(s, "512021", NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_assessment(s, "512021", "2024", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_assessment(s, "512099", "2024", &json), WG_NOT_FOUND, "512099");
  wg_store *town = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_assessment(town, "512021", "2024", &json), WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_assessment_rules_set(town, "{}", NULL), WG_PERMISSION_DENIED, NULL);
  CHECK(json == NULL);
  wg_store_free(town);
  wg_store_free(s);
}

int main(void) {
  test_tree_queries();
  test_bad_input_is_typed_and_writes_nothing();
  test_null_and_invalid_utf8_never_crash();
  test_staff_and_responsibility();
  test_scope_and_audit();
  test_registry();
  test_archive();
  test_import();
  test_registry_null_and_bad_text();
  test_visits();
  test_contacts();
  test_working_days();
  test_periods();
  test_ledger();
  test_ledger_work_batch();
  test_report();
  test_submissions();
  test_assessment();
  test_ledger_persists("c-test-ledger.db");
  test_persistence_and_levels("c-test-store.db");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
