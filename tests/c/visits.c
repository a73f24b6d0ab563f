/* Visits: rules, due lists and compliance. */
#include "harness.h"

void test_visits(void) {
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
  /* Each item names its grid, address and the grid's workers that day. */
  EXPECT(s, wg_due_visits(s, "512021", "2024-05-15", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"grid\":\"512021100001001\",\"grid_name\":\"北坝一网格\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"address\":\"北坝街2号\"") != NULL);
  CHECK(json_has(json, "\"responsible\":[]"));
  EXPECT(s, wg_staff_assign(s, "S1", "512021100001001", "grid_worker", NULL, NULL, &json), WG_OK, NULL);
  wg_string_free(json);
  EXPECT(s, wg_due_visits(s, "512021", "2024-05-15", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"responsible\":[{\"staff_id\":\"S1\",\"name\":\"网格员甲\"}]"));

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
