/* Scopes hold on every path: every function taking a store, called through a township's
 * scope on something of the other township, is refused (WG_PERMISSION_DENIED for a unit
 * code the caller names, WG_NOT_FOUND for a household, resident, visit, finding, entry or
 * assignment, as if there were none) and changes nothing; imports refuse rows registered
 * outside; the audit log shows a scope only its subtree; a closed store's scopes are
 * closed. */
#include "harness.h"

#define TOWNSHIP "512021100"
#define INSIDE_GRID "512021100001001"
#define OUTSIDE_TOWNSHIP "512021101"
#define OUTSIDE_COMMUNITY "512021101001"
#define OUTSIDE_GRID "512021101001001"
#define AT "2024-03-05T09:00:00+08:00"

/* Appends the JSON `json` to `*all` (growing it) and frees `json`. */
static void append(char **all, char *json) {
  size_t have = *all != NULL ? strlen(*all) : 0;
  size_t add = json != NULL ? strlen(json) : 6;
  char *grown = realloc(*all, have + add + 2);
  if (grown == NULL) exit(1);
  memcpy(grown + have, json != NULL ? json : "(null)", add);
  grown[have + add] = '\n';
  grown[have + add + 1] = '\0';
  *all = grown;
  wg_string_free(json);
}

/* Everything the refused calls could have touched, read through the county's handle. */
static char *state(wg_store *s, long resident, long entry) {
  char *all = NULL;
  char *json = NULL;
  EXPECT(s, wg_audit_log(s, 0, 100000, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_households(s, "512021", NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_residents(s, "O1", NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_resident_get(s, resident, NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_visits(s, "O1", &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_findings(s, "512021", 0, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_entry_history(s, entry, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_archive_get(s, "O1", NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, OUTSIDE_GRID, NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, INSIDE_GRID, NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_unit_descendants(s, "512021", NULL, NULL, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_tag_kinds(s, &json), WG_OK, NULL);
  append(&all, json);
  json = NULL;
  EXPECT(s, wg_visit_rules(s, NULL, &json), WG_OK, NULL);
  append(&all, json);
  return all;
}

/* The id after `"key":` in `json`, freeing `json`. */
static long take_id(char *json, const char *key) {
  long id = json_long(json, key);
  wg_string_free(json);
  return id;
}

void test_scope_holds_on_every_path(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_staff_add(s, "OUT", "外镇网格员", "13812345678", NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "FREE", "未分配", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_assign(s, "OUT", OUTSIDE_GRID, "grid_worker", NULL, NULL, &json), WG_OK, NULL);
  long assignment = take_id(json, "id");
  EXPECT(s, wg_household_add(s, "O1", OUTSIDE_GRID, "解放村1号", "registered", NULL, NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "I1", INSIDE_GRID, "海慧路1号", "registered", NULL, NULL, NULL),
         WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_resident_add(s, "O1", "{\"name\":\"付良容\",\"id_number\":\"510123194805121220\"}", NULL, &json),
         WG_OK, NULL);
  long resident = take_id(json, "resident_id");
  json = NULL;
  EXPECT(s, wg_visit_record(s, "O1", "OUT", "home", "2024-03-01", "走访", &json), WG_OK, NULL);
  long visit = take_id(json, "id");
  json = NULL;
  EXPECT(s, wg_finding_record(s, visit, "楼道堆放杂物", NULL, 0, &json), WG_OK, NULL);
  long finding = take_id(json, "id");
  long entry = register_entry(
      s, "{\"unit\":\"" OUTSIDE_GRID "\",\"summary\":\"路灯不亮\",\"reported_at\":\"2024-03-02T09:00:00+08:00\"}");
  EXPECT(s, wg_archive_set(s, "O1", "basic", "{\"note\":\"x\"}", NULL), WG_OK, NULL);
  CHECK(assignment > 0 && resident > 0 && visit > 0 && finding > 0 && entry > 0);

  wg_store *t = NULL;
  EXPECT(s, wg_store_scope(s, TOWNSHIP, "岳阳镇管理员", &t), WG_OK, NULL);
  char *before = state(s, resident, entry);
  const wg_status denied = WG_PERMISSION_DENIED;
  const wg_status missing = WG_NOT_FOUND;
  char *out = NULL;
  uint8_t *bytes = NULL;
  size_t len = 0;
  wg_store *scoped = NULL;

  /* Units: codes the caller names. */
  EXPECT(t, wg_unit_get(t, OUTSIDE_GRID, NULL, &out), denied, OUTSIDE_GRID);
  EXPECT(t, wg_unit_children(t, OUTSIDE_TOWNSHIP, NULL, &out), denied, NULL);
  EXPECT(t, wg_unit_descendants(t, OUTSIDE_TOWNSHIP, NULL, NULL, &out), denied, NULL);
  EXPECT(t, wg_unit_ancestors(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  EXPECT(t, wg_store_scope(t, OUTSIDE_TOWNSHIP, "x", &scoped), denied, NULL);
  EXPECT(t, wg_unit_add(t, "512021101001009", "x", "grid", OUTSIDE_COMMUNITY, NULL, &out), denied, NULL);
  EXPECT(t, wg_units_add_json(t, "[{\"code\":\"512021101001009\",\"name\":\"x\",\"level\":\"grid\",\"parent\":\"" OUTSIDE_COMMUNITY "\"}]", &len),
         denied, NULL);
  EXPECT(t, wg_unit_move(t, OUTSIDE_GRID, "512021100001", "2024-06-01", &out), denied, NULL);
  EXPECT(t, wg_unit_move(t, INSIDE_GRID, OUTSIDE_COMMUNITY, "2024-06-01", &out), denied, NULL);
  EXPECT(t, wg_unit_retire(t, OUTSIDE_GRID, "2024-06-01", &out), denied, NULL);
  /* Staff and assignments. */
  EXPECT(t, wg_staff_get(t, "OUT", &out), denied, NULL);
  EXPECT(t, wg_staff_assign(t, "FREE", OUTSIDE_GRID, "grid_worker", NULL, NULL, &out), denied, NULL);
  EXPECT(t, wg_staff_assign(t, "OUT", INSIDE_GRID, "grid_worker", NULL, NULL, &out), denied, "OUT");
  EXPECT(t, wg_assignment_end(t, assignment, "2024-06-01"), missing, NULL);
  EXPECT(t, wg_staff_responsible(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  EXPECT(t, wg_due_visits_for_staff(t, "OUT", NULL, &out), denied, NULL);
  EXPECT(t, wg_due_visits_for_staff_page(t, "OUT", NULL, 2, NULL, &out), denied, NULL);
  /* Households and residents. */
  EXPECT(t, wg_household_add(t, "N1", OUTSIDE_GRID, "x", "registered", NULL, NULL, &out), denied, NULL);
  EXPECT(t, wg_household_get(t, "O1", NULL, &out), missing, NULL);
  EXPECT(t, wg_households(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  EXPECT(t, wg_households_page(t, OUTSIDE_GRID, NULL, 2, NULL, &out), denied, NULL);
  EXPECT(t, wg_household_move(t, "O1", INSIDE_GRID, "2024-06-01", &out), missing, NULL);
  EXPECT(t, wg_household_move(t, "I1", OUTSIDE_GRID, "2024-06-01", &out), denied, NULL);
  EXPECT(t, wg_household_end(t, "O1", "2024-06-01"), missing, NULL);
  EXPECT(t, wg_household_tag(t, "O1", "低保", NULL, NULL), missing, NULL);
  EXPECT(t, wg_household_untag(t, "O1", "低保", "2024-06-01"), missing, NULL);
  EXPECT(t, wg_resident_add(t, "O1", "{\"name\":\"新人\"}", NULL, &out), missing, NULL);
  EXPECT(t, wg_resident_get(t, resident, NULL, &out), missing, NULL);
  EXPECT(t, wg_residents(t, "O1", NULL, &out), missing, NULL);
  EXPECT(t, wg_resident_clear(t, resident, &out), missing, NULL);
  CHECK(last_error_lacks(t, "O1"));
  EXPECT(t, wg_resident_move(t, resident, "I1", "spouse", "2024-06-01", &out), missing, NULL);
  EXPECT(t, wg_resident_tag(t, resident, "低保", NULL, NULL), missing, NULL);
  EXPECT(t, wg_resident_untag(t, resident, "低保", "2024-06-01"), missing, NULL);
  EXPECT(t, wg_unit_counts(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  /* Archives. */
  EXPECT(t, wg_archive_get(t, "O1", NULL, &out), missing, NULL);
  EXPECT(t, wg_archive_history(t, "O1", "basic", &out), missing, NULL);
  EXPECT(t, wg_archive_set(t, "O1", "basic", "{}", &out), missing, NULL);
  EXPECT(t, wg_archive_verify(t, "O1", "2024-06-01"), missing, NULL);
  /* Visits, patrols, findings. */
  EXPECT(t, wg_visit_record(t, "O1", "FREE", "home", "2024-03-03", NULL, &out), missing, NULL);
  EXPECT(t, wg_visits_record_batch(t, "[{\"household_id\":\"O1\",\"staff_id\":\"FREE\",\"channel\":\"home\",\"on\":\"2024-03-03\"}]", &out),
         missing, NULL);
  EXPECT(t, wg_visits(t, "O1", &out), missing, NULL);
  EXPECT(t, wg_due_visits(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  EXPECT(t, wg_due_visits_page(t, OUTSIDE_GRID, NULL, 2, NULL, &out), denied, NULL);
  EXPECT(t, wg_visit_compliance(t, OUTSIDE_GRID, "2024-03", 0, &out), denied, NULL);
  EXPECT(t, wg_reverification_due(t, OUTSIDE_GRID, NULL, &out), denied, NULL);
  EXPECT(t, wg_patrol_record(t, OUTSIDE_GRID, "FREE", AT, NULL, &out), denied, NULL);
  EXPECT(t, wg_patrols(t, OUTSIDE_GRID, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_patrol_compliance(t, OUTSIDE_GRID, "2024-03", 0, &out), denied, NULL);
  EXPECT(t, wg_quota_compliance(t, OUTSIDE_GRID, "2024-03", 0, &out), denied, NULL);
  EXPECT(t, wg_finding_record(t, visit, "x", NULL, 0, &out), missing, NULL);
  EXPECT(t, wg_findings(t, OUTSIDE_GRID, 0, &out), denied, NULL);
  EXPECT(t, wg_findings_page(t, OUTSIDE_GRID, 0, 2, NULL, &out), denied, NULL);
  /* The ledger. */
  EXPECT(t, wg_classify(t, "{\"summary\":\"路灯\",\"unit\":\"" OUTSIDE_GRID "\"}", &out), denied, NULL);
  EXPECT(t, wg_classify(t, "{\"summary\":\"路灯\",\"household_id\":\"O1\"}", &out), missing, NULL);
  EXPECT(t, wg_entry_register(t, "{\"unit\":\"" OUTSIDE_GRID "\",\"summary\":\"x\",\"reported_at\":\"" AT "\"}", &out),
         denied, NULL);
  EXPECT(t, wg_entry_register(t, "{\"unit\":\"" INSIDE_GRID "\",\"summary\":\"x\",\"household_id\":\"O1\",\"reported_at\":\"" AT "\"}", &out),
         missing, NULL);
  EXPECT(t, wg_entries_register_batch(t, "[{\"unit\":\"" OUTSIDE_GRID "\",\"summary\":\"x\",\"reported_at\":\"" AT "\"}]", &out),
         denied, NULL);
  EXPECT(t, wg_finding_register(t, finding, NULL, AT, &out), missing, NULL);
  char taken[200];
  snprintf(taken, sizeof taken,
           "{\"unit\":\"" INSIDE_GRID "\",\"summary\":\"x\",\"finding_id\":%ld,\"reported_at\":\"" AT "\"}",
           finding);
  EXPECT(t, wg_entry_register(t, taken, &out), missing, "finding");
  snprintf(taken, sizeof taken,
           "{\"unit\":\"" INSIDE_GRID "\",\"summary\":\"x\",\"resident_id\":%ld,\"reported_at\":\"" AT "\"}",
           resident);
  EXPECT(t, wg_entry_register(t, taken, &out), missing, "resident");
  CHECK(last_error_lacks(t, "O1"));
  EXPECT(t, wg_entry(t, entry, &out), missing, NULL);
  EXPECT(t, wg_entry_history(t, entry, &out), missing, NULL);
  EXPECT(t, wg_entries(t, "{\"unit\":\"" OUTSIDE_GRID "\"}", &out), denied, NULL);
  EXPECT(t, wg_entries_page(t, "{\"unit\":\"" OUTSIDE_GRID "\"}", 2, NULL, &out), denied, NULL);
  EXPECT(t, wg_piles(t, OUTSIDE_GRID, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_entry_sign_for(t, entry, "FREE", AT, &out), missing, NULL);
  EXPECT(t, wg_entry_start(t, entry, "FREE", AT, &out), missing, NULL);
  EXPECT(t, wg_entry_escalate(t, entry, AT, "x", NULL, &out), missing, NULL);
  EXPECT(t, wg_entry_return(t, entry, AT, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_mark_hard(t, entry, AT, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_suspend(t, entry, AT, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_resume(t, entry, AT, &out), missing, NULL);
  EXPECT(t, wg_entry_extend(t, entry, AT, 3, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_resolve(t, entry, AT, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_verify(t, entry, AT, 1, "x", &out), missing, NULL);
  EXPECT(t, wg_entry_close(t, entry, AT, &out), missing, NULL);
  EXPECT(t, wg_entry_reopen(t, entry, AT, "x", &out), missing, NULL);
  char actions[200];
  snprintf(actions, sizeof actions,
           "[{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"" AT "\",\"staff_id\":\"FREE\"}]", entry);
  EXPECT(t, wg_entries_work_batch(t, actions, &len), missing, NULL);
  /* Reports and submissions. */
  EXPECT(t, wg_report(t, OUTSIDE_TOWNSHIP, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_report_csv(t, OUTSIDE_TOWNSHIP, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_report_xlsx(t, OUTSIDE_TOWNSHIP, "2024-03", &bytes, &len), denied, NULL);
  EXPECT(t, wg_circular(t, OUTSIDE_TOWNSHIP, "2024-03", "closure_rate", 0, &out), denied, NULL);
  EXPECT(t, wg_assessment(t, OUTSIDE_TOWNSHIP, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_submit(t, OUTSIDE_GRID, "2024-03", AT, &out), denied, NULL);
  EXPECT(t, wg_approve(t, OUTSIDE_GRID, "2024-03", AT, &out), denied, NULL);
  EXPECT(t, wg_submission(t, OUTSIDE_GRID, "2024-03", &out), denied, NULL);
  EXPECT(t, wg_submissions(t, OUTSIDE_GRID, "2024-03", &out), denied, NULL);
  /* The deployment as a whole. */
  EXPECT(t, wg_audit_verify(t, &out), denied, NULL);
  EXPECT(t, wg_audit_head(t, &out), denied, NULL);
  EXPECT(t,
         wg_audit_verify_since(
             t, "{\"seq\": 0, \"digest\": \"0000000000000000000000000000000000000000000000000000000000000000\", \"at\": \"\"}",
             &out),
         denied, NULL);
  EXPECT(t, wg_tag_define(t, "新标签", 0), denied, NULL);
  EXPECT(t, wg_calendar_load_text(t, "2030 元旦 off 01-01", &out), denied, NULL);
  EXPECT(t, wg_visit_rules_set(t, "[]", NULL), denied, NULL);
  EXPECT(t, wg_quota_rules_set(t, "[]", NULL), denied, NULL);
  EXPECT(t, wg_patrol_rules_set(t, "[]", NULL), denied, NULL);
  EXPECT(t, wg_ledger_rules_set(t, "{}", NULL), denied, NULL);
  EXPECT(t, wg_reporting_rules_set(t, "[]", NULL), denied, NULL);
  EXPECT(t, wg_assessment_rules_set(t, "[]", NULL), denied, NULL);
  EXPECT(t, wg_store_rekey(t, "000102030405060708090a0b0c0d0e0f"), denied, NULL);
  EXPECT(t, wg_store_close(t), denied, NULL);
  /* Imports: a row naming a household or an ID number registered outside is refused. */
  const char *rows =
      "[{\"household_id\":\"O1\",\"unit\":\"" INSIDE_GRID "\",\"address\":\"x\",\"kind\":\"registered\",\"name\":\"付良容\"},"
      "{\"household_id\":\"N2\",\"unit\":\"" INSIDE_GRID "\",\"address\":\"x\",\"kind\":\"registered\",\"name\":\"付良容\",\"id_number\":\"510123194805121220\"}]";
  EXPECT(t, wg_import_rows(t, rows, NULL, NULL, NULL, &out), WG_OK, NULL);
  CHECK(count_of(out, "registered outside the scope") == 2);
  out = NULL;
  const char *csv = "household_id,unit,address,kind,name\nO1," INSIDE_GRID ",x,registered,付良容\n";
  EXPECT(t, wg_import_csv(t, (const uint8_t *)csv, strlen(csv), NULL, NULL, NULL, &out),
         WG_OK, NULL);
  CHECK(json_has(out, "\"field\":\"household_id\""));
  out = NULL;
  /* A scope's ticker leaves entries outside alone. */
  EXPECT(t, wg_tick(t, "2030-01-01T00:00:00+08:00", &out), WG_OK, NULL);
  CHECK(count_of(out, "entry_id") == 0);
  out = NULL;

  CHECK(out == NULL && bytes == NULL && scoped == NULL);
  char *after = state(s, resident, entry);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  free(before);
  free(after);

  /* The scope's audit log holds only records about its subtree. */
  EXPECT(t, wg_household_tag(t, "I1", "低保", NULL, NULL), WG_OK, NULL);
  EXPECT(t, wg_audit_log(t, 0, 100000, &out), WG_OK, NULL);
  CHECK(count_of(out, "\"target\":\"I1\"") == 2);
  out = NULL;
  EXPECT(t, wg_audit_log(t, 0, 100000, &out), WG_OK, NULL);
  CHECK(count_of(out, "O1") == 0);
  out = NULL;
  EXPECT(t, wg_audit_log(t, 0, 100000, &out), WG_OK, NULL);
  CHECK(count_of(out, "add_staff") == 0);
  out = NULL;
  EXPECT(s, wg_audit_log(s, 0, 100000, &out), WG_OK, NULL);
  CHECK(count_of(out, "add_staff") == 2);
  out = NULL;

  /* Closing the store closes its scopes; each handle is still freed. */
  EXPECT(s, wg_store_close(s), WG_OK, NULL);
  EXPECT(s, wg_store_close(s), WG_OK, NULL);
  EXPECT(t, wg_unit_get(t, INSIDE_GRID, NULL, &out), WG_STORAGE_ERROR, "store is closed");
  EXPECT(t, wg_household_get(t, "I1", NULL, &out), WG_STORAGE_ERROR, "closed");
  EXPECT(s, wg_audit_log(s, 0, 10, &out), WG_STORAGE_ERROR, "closed");
  EXPECT(NULL, wg_store_close(NULL), WG_INVALID_INPUT, NULL);
  CHECK(out == NULL);
  wg_store_free(t);
  wg_store_free(s);
}
