/* Submissions travel up: a city store receiving its counties' sealed submissions. */
#include "harness.h"

static const char *const COUNTIES[3] = {"512021", "512022", "512002"};

static const char *const RULES =
    "[{\"level\":\"grid\",\"every\":\"week\",\"due_working_days\":1},"
    "{\"level\":\"community\",\"every\":\"month\",\"due_working_days\":3},"
    "{\"level\":\"township\",\"every\":\"quarter\",\"due_working_days\":5},"
    "{\"level\":\"county\",\"every\":\"month\",\"due_working_days\":3}]";

/* Adds county `c`'s street, community and two grids under it to `s`. */
static void add_below(wg_store *s, const char *c) {
  char code[32], parent[32];
  snprintf(code, sizeof code, "%s001", c);
  EXPECT(s, wg_unit_add(s, code, "街道", "township", c, NULL, NULL), WG_OK, NULL);
  snprintf(parent, sizeof parent, "%s", code);
  snprintf(code, sizeof code, "%s001001", c);
  EXPECT(s, wg_unit_add(s, code, "社区", "community", parent, NULL, NULL), WG_OK, NULL);
  snprintf(parent, sizeof parent, "%s", code);
  for (int g = 1; g <= 2; g++) {
    snprintf(code, sizeof code, "%s001001%03d", c, g);
    EXPECT(s, wg_unit_add(s, code, "网格", "grid", parent, NULL, NULL), WG_OK, NULL);
  }
}

/* A store of city 5120 over the three counties, with their subtrees when `tree`. */
static wg_store *city(int tree) {
  wg_store *s = NULL;
  EXPECT(NULL,
         wg_store_open(":memory:",
                       "{\"levels\": [[\"city\", 4], [\"county\", 6], [\"township\", 9], "
                       "[\"community\", 12], [\"grid\", 15]]}",
                       &s),
         WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "5120", "资阳市", "city", NULL, NULL, NULL), WG_OK, NULL);
  for (int i = 0; i < 3; i++) {
    EXPECT(s, wg_unit_add(s, COUNTIES[i], "县", "county", "5120", NULL, NULL), WG_OK, NULL);
    if (tree) add_below(s, COUNTIES[i]);
  }
  EXPECT(s, wg_staff_add(s, "W1", "网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_reporting_rules_set(s, RULES, NULL), WG_OK, NULL);
  return s;
}

/* County `k`'s facts in `s`: k + 1 households in its first grid, a home visit each, and
 * k + 2 entries, the first resolved. */
static void record(wg_store *s, int k) {
  const char *c = COUNTIES[k];
  char grid[32], id[32], entry[256];
  snprintf(grid, sizeof grid, "%s001001001", c);
  for (int h = 0; h <= k; h++) {
    snprintf(id, sizeof id, "H%s-%d", c, h);
    EXPECT(s, wg_household_add(s, id, grid, "幸福路", NULL, NULL, NULL, NULL), WG_OK, NULL);
    EXPECT(s, wg_visit_record(s, id, "W1", "home", "2025-03-10", NULL, NULL), WG_OK, NULL);
  }
  for (int e = 0; e < k + 2; e++) {
    snprintf(entry, sizeof entry,
             "{\"unit\":\"%s\",\"category\":\"市政设施\",\"summary\":\"路灯坏了\","
             "\"reported_at\":\"2025-03-1%dT09:00\"}",
             grid, e);
    long entry_id = register_entry(s, entry);
    if (e == 0) {
      EXPECT(s, wg_entry_sign_for(s, entry_id, "W1", "2025-03-20T10:00", NULL), WG_OK, NULL);
      EXPECT(s, wg_entry_start(s, entry_id, "W1", "2025-03-20T11:00", NULL), WG_OK, NULL);
      EXPECT(s, wg_entry_resolve(s, entry_id, "2025-03-21T15:00", "已修复", NULL), WG_OK, NULL);
    }
  }
}

/* A copy of `text` (NULL for NULL), freed with `free`. */
static char *copy(const char *text) {
  if (text == NULL) return NULL;
  size_t n = strlen(text) + 1;
  char *out = malloc(n);
  if (out != NULL) memcpy(out, text, n);
  return out;
}

/* Three county stores submit March; the city receives the sealed JSON and its report
 * (every figure, as JSON text) equals one over all the facts in one store. Then the
 * refusals: an edited figure, malformed JSON, NULLs, a scope that does not cover the
 * county, a version after approval. */
void test_receive_submissions(void) {
  wg_store *combined = city(1);
  wg_store *receiver = city(0);
  char *sealed[3] = {NULL, NULL, NULL};
  wg_store *counties[3] = {NULL, NULL, NULL};
  char *json = NULL;
  const char *times[3] = {"2025-04-01T10:00:00+08:00", "2025-04-02T10:00:00+08:00",
                          "2025-04-15T10:00:00+08:00"};
  for (int k = 0; k < 3; k++) {
    wg_store *county_store = NULL;
    EXPECT(NULL, wg_store_open(":memory:", NULL, &county_store), WG_OK, NULL);
    counties[k] = county_store;
    EXPECT(county_store, wg_unit_add(county_store, COUNTIES[k], "县", "county", NULL, NULL, NULL),
           WG_OK, NULL);
    add_below(county_store, COUNTIES[k]);
    EXPECT(county_store, wg_staff_add(county_store, "W1", "网格员", NULL, NULL), WG_OK, NULL);
    EXPECT(county_store, wg_reporting_rules_set(county_store, RULES, NULL), WG_OK, NULL);
    record(county_store, k);
    record(combined, k);
    EXPECT(county_store, wg_submit(county_store, COUNTIES[k], "2025-03", times[k], &sealed[k]),
           WG_OK, NULL);
    CHECK(sealed[k] != NULL && strstr(sealed[k], "\"seal\":\"") != NULL);
    EXPECT(combined, wg_submit(combined, COUNTIES[k], "2025-03", times[k], &json), WG_OK, NULL);
    wg_string_free(json);
    json = NULL;
  }
  for (int k = 0; k < 3; k++) {
    EXPECT(receiver, wg_receive_submission(receiver, sealed[k], &json), WG_OK, NULL);
    CHECK(json != NULL && strstr(json, "\"received_at\":\"") != NULL);
    CHECK(json_has(json, "\"status\":\"submitted\""));
    json = NULL;
  }
  char *want = NULL;
  EXPECT(combined, wg_report(combined, "5120", "2025-03", &want), WG_OK, NULL);
  EXPECT(receiver, wg_report(receiver, "5120", "2025-03", &json), WG_OK, NULL);
  CHECK(want != NULL && json != NULL && strcmp(want, json) == 0);
  CHECK(json_long(strstr(json, "\"totals\":"), "received") == 9);
  wg_string_free(want);
  wg_string_free(json);
  json = NULL;
  /* The circular ranks the counties: the late one's report is not timely. */
  EXPECT(receiver, wg_circular(receiver, "5120", "2025-03", "closure_rate", 0, &json), WG_OK,
         NULL);
  CHECK(count_of(json, "\"rank\":") == 3);
  json = NULL;
  EXPECT(receiver, wg_submission(receiver, "512002", "2025-03", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"on_time\":false"));
  json = NULL;

  /* The same JSON again changes nothing. */
  EXPECT(receiver, wg_receive_submission(receiver, sealed[0], &json), WG_OK, NULL);
  CHECK(json_has(json, "\"versions\":1"));
  json = NULL;
  /* A figure edited after sealing. */
  char *edited = copy(sealed[1]);
  char *p = edited != NULL ? strstr(edited, "\"visits_home\":") : NULL;
  CHECK(p != NULL);
  if (p != NULL) p[strlen("\"visits_home\":")] = '7';
  EXPECT(receiver, wg_receive_submission(receiver, edited, &json), WG_INVALID_INPUT, "seal");
  CHECK(json == NULL);
  free(edited);
  /* Malformed input, NULLs. */
  EXPECT(receiver, wg_receive_submission(receiver, "[1,2]", &json), WG_INVALID_INPUT, "sealed");
  EXPECT(receiver, wg_receive_submission(receiver, "{", &json), WG_INVALID_INPUT, "sealed");
  EXPECT(receiver, wg_receive_submission(receiver, NULL, &json), WG_INVALID_INPUT, "sealed_json");
  EXPECT(receiver, wg_receive_submission(receiver, sealed[0], NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_receive_submission(NULL, sealed[0], &json), WG_INVALID_INPUT, "store");
  CHECK(json == NULL);
  /* A handle scoped to one county receives no other county's report. */
  wg_store *scoped = NULL;
  EXPECT(receiver, wg_store_scope(receiver, COUNTIES[0], "县管理员", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_receive_submission(scoped, sealed[1], &json), WG_PERMISSION_DENIED,
         COUNTIES[0]);
  wg_store_free(scoped);
  /* Approved by the city, a county's report takes no newer version. */
  EXPECT(receiver, wg_approve(receiver, COUNTIES[0], "2025-03", "2025-04-08T09:00", &json), WG_OK,
         NULL);
  CHECK(json_has(json, "\"status\":\"approved\""));
  json = NULL;
  EXPECT(counties[0], wg_visit_record(counties[0], "H512021-0", "W1", "phone", "2025-03-31", NULL,
                                      NULL),
         WG_OK, NULL);
  char *newer = NULL;
  EXPECT(counties[0], wg_submit(counties[0], COUNTIES[0], "2025-03", "2025-04-09T09:00", &newer),
         WG_OK, NULL);
  EXPECT(receiver, wg_receive_submission(receiver, newer, &json), WG_CONFLICT, "locked");
  CHECK(json == NULL);
  wg_string_free(newer);
  char *log = NULL;
  EXPECT(receiver, wg_audit_verify(receiver, &log), WG_OK, NULL);
  CHECK(json_has(log, "\"ok\":true"));
  for (int k = 0; k < 3; k++) {
    wg_string_free(sealed[k]);
    wg_store_free(counties[k]);
  }
  wg_store_free(receiver);
  wg_store_free(combined);
}
