/* Submitted reports and their locks, and the assessment. */
#include "harness.h"

/* Submitted reports: the default cadence, a grid's weekly report submitted on time, the
 * community above approving it, the lock approval sets on the grid's week, the list of
 * reports expected in a month, and refusals for a wrong cadence, the grid approving
 * itself, bad rules and NULLs. */
void test_submissions(void) {
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
  CHECK(json != NULL && strstr(json, "\"audit_head\":{\"at\":") != NULL);
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
void test_assessment(void) {
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
