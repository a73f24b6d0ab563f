/* The unit tree: adding, moving, retiring and querying units, and bad input of every kind (NULL handles and arguments, invalid UTF-8, bad codes, cycles) answered with a status, never a crash. */
#include "harness.h"

void test_tree_queries(void) {
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

void test_bad_input_is_typed_and_writes_nothing(void) {
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
  EXPECT(s, wg_units_add_json(s, "[{\"code\":\"512021102\"}]", NULL), WG_INVALID_INPUT,
         "unit 0 of the batch");
  EXPECT(s, wg_units_add_json(s, "not json", NULL), WG_INVALID_INPUT, "invalid units");
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

void test_null_and_invalid_utf8_never_crash(void) {
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
         "invalid options");
  EXPECT(NULL, wg_store_open(":memory:", NULL, NULL), WG_INVALID_INPUT, "out");
  CHECK(wg_last_error(s, NULL) == WG_INVALID_INPUT);
  CHECK(json == NULL);
  wg_store_free(scoped);
  wg_store_free(NULL);
  wg_string_free(NULL);
  CHECK(strlen(wg_version()) > 0);
  wg_store_free(s);
}
