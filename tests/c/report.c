/* Reports and circulars (JSON, CSV, XLSX). */
#include "harness.h"

/* Reports and circulars: a county with three entries in 2024-Q1 (two in 岳阳镇, one in
 * 石桥铺镇, the first worked through to resolved) and two visits, read as JSON, CSV and
 * XLSX, ranked, and refused for bad input, NULLs and a scope that does not cover the unit. */
void test_report(void) {
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
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "closure_rate", WG_DEFAULT_MIN_SAMPLE, &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"min_sample\":5") != NULL);
  CHECK(json != NULL && strstr(json, "\"ranked\":[]") != NULL);
  CHECK(count_of(json, "样本不足") == 2);
  /* A count is always ranked; fewer pending is better, and equal values share rank 1. */
  EXPECT(s, wg_circular(s, "512021", "2024-Q1", "pending", WG_DEFAULT_MIN_SAMPLE, &json), WG_OK,
         NULL);
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
