/*
 * The C API, exercised from C: tree, staff, scopes, audit, and every kind of bad input
 * (NULL handles and arguments, invalid UTF-8, bad codes, cycles) answered with a status,
 * never a crash. Run under Valgrind by `make test`: no errors, no leaks.
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

int main(void) {
  test_tree_queries();
  test_bad_input_is_typed_and_writes_nothing();
  test_null_and_invalid_utf8_never_crash();
  test_staff_and_responsibility();
  test_scope_and_audit();
  test_persistence_and_levels("c-test-store.db");
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
