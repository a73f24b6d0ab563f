/* Contact quotas, patrols and visit findings. */
#include "harness.h"

void test_contacts(void) {
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
