/* The registry: households, residents, tags, ID numbers, masking and counts. */
#include "harness.h"

void test_registry(void) {
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

  /* A resident: sex from the ID number, masked everywhere but the clear read; the birth date
     is never shown beside the masked number, which it would complete. */
  json = NULL;
  EXPECT(s,
         wg_resident_add(s, "H1",
                         "{\"name\":\"张三\",\"id_number\":\"11010519491231002x\","
                         "\"phone\":\"13812345678\"}",
                         NULL, &json),
         WG_OK, NULL);
  long head = json_long(json, "resident_id");
  CHECK(head > 0);
  CHECK(json != NULL && strstr(json, "birth_date") == NULL);
  CHECK(json != NULL && strstr(json, "1949") == NULL);
  CHECK(json != NULL && strstr(json, "\"sex\":\"female\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"id_number\":\"110105**********2X\"") != NULL);
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
  EXPECT(grid, wg_household_get(grid, "H1", NULL, &json), WG_NOT_FOUND, "H1");
  EXPECT(grid, wg_tag_define(grid, "自定义", true), WG_PERMISSION_DENIED, NULL);
  EXPECT(grid, wg_household_add(grid, "H9", "512021101001001", "x", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  wg_store_free(grid);

  /* A landline keeps at most its last 4 digits and hides at least 4. */
  json = NULL;
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\":\"李四\",\"phone\":\"85551234\"}", NULL, &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"phone\":\"****1234\"") != NULL);
  wg_string_free(json);
  wg_store_free(s);
}

void test_registry_null_and_bad_text(void) {
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

/* A household's tags as text are separated as an import's tags cell separates them: by ;
   ； , ， or 、, each trimmed, empty ones dropped. */
void test_registry_tags_as_text(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_household_add(s, "H4", "512021100001001", "x", NULL, "低保，残疾、 ;", NULL, &json),
         WG_OK, NULL);
  CHECK(json_has(json, "\"tags\":[\"低保\",\"残疾\"]"));
  EXPECT(s, wg_household_add(s, "H5", "512021100001001", "x", NULL, "低保、不存在", NULL, NULL),
         WG_INVALID_INPUT, "不存在");
  EXPECT(s, wg_household_add(s, "H6", "512021100001001", "x", NULL, " ；, ", NULL, &json), WG_OK,
         NULL);
  CHECK(json_has(json, "\"tags\":[]"));
  wg_store_free(s);
}
