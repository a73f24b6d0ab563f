/* The progress callback of a store handle: steps and counts, stopping a call, nothing
   written by a stopped import, NULL handles and callbacks. */
#include "harness.h"

#include <stdint.h>

/* What the callback saw; it stops the call once `stop_after` calls were made (0: never). */
typedef struct {
  int calls;
  int stop_after;
  int went_down;
  char step[32];
  uint64_t done;
  uint64_t total;
} step_log;

static int on_step(void *user_data, const char *step, uint64_t done, uint64_t total) {
  step_log *log = user_data;
  if (log->calls > 0 && strcmp(log->step, step) == 0 && done < log->done) {
    log->went_down = 1;
  }
  log->calls++;
  snprintf(log->step, sizeof log->step, "%s", step);
  log->done = done;
  log->total = total;
  return log->stop_after == 0 || log->calls < log->stop_after;
}

/* A CSV of `n` one-person households in the first grid, ids starting with `prefix`. */
static char *households_csv(char prefix, int n) {
  const char *header = "household_id,unit,address,kind,tags,name,id_number,phone,relation\n";
  size_t size = strlen(header) + (size_t)n * 96 + 1;
  char *csv = malloc(size);
  size_t at = (size_t)snprintf(csv, size, "%s", header);
  for (int h = 0; h < n; h++) {
    at += (size_t)snprintf(csv + at, size - at,
                           "%c%06d,512021100001001,幸福路%d号,registered,,居民%d,,,head\n", prefix,
                           h, h, h);
  }
  return csv;
}

void test_progress(void) {
  wg_store *s = county();
  char *json = NULL;
  char *csv = households_csv('P', 2000);
  EXPECT(s, wg_import_csv(s, (const uint8_t *)csv, strlen(csv), NULL, NULL, NULL, &json), WG_OK,
         NULL);
  free(csv);
  wg_string_free(json);

  /* A due list reports its households, growing to the total. */
  step_log log = {0, 0, 0, "", 0, 0};
  EXPECT(s, wg_store_set_progress(s, on_step, &log), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_due_visits(s, "512021", "2025-05-20", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") > 0); /* frees json */
  CHECK(log.calls >= 2 && log.calls < 100);
  CHECK(strcmp(log.step, "due_visits") == 0);
  CHECK(log.done == 2000 && log.total == 2000);
  CHECK(!log.went_down);

  /* The report and the audit verification end with done == total. */
  step_log report_log = {0, 0, 0, "", 0, 0};
  EXPECT(s, wg_store_set_progress(s, on_step, &report_log), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_report(s, "512021", "2025-05", &json), WG_OK, NULL);
  wg_string_free(json);
  CHECK(strcmp(report_log.step, "report") == 0);
  CHECK(report_log.done == report_log.total && report_log.total > 0 && !report_log.went_down);
  step_log verify_log = {0, 0, 0, "", 0, 0};
  EXPECT(s, wg_store_set_progress(s, on_step, &verify_log), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true")); /* frees json */
  CHECK(strcmp(verify_log.step, "verify_audit") == 0 && verify_log.done == verify_log.total);

  /* Returning 0 stops the call: WG_INVALID_INPUT naming progress, no output. */
  step_log stop = {0, 1, 0, "", 0, 0};
  EXPECT(s, wg_store_set_progress(s, on_step, &stop), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_due_visits(s, "512021", "2025-05-20", &json), WG_INVALID_INPUT, "progress");
  CHECK(json == NULL);
  CHECK(stop.calls == 1);

  /* A stopped import writes nothing. */
  char *audit = NULL;
  char *households = NULL;
  EXPECT(s, wg_store_set_progress(s, NULL, NULL), WG_OK, NULL);
  snapshot(s, &audit, &households);
  step_log stop_import = {0, 1, 0, "", 0, 0};
  EXPECT(s, wg_store_set_progress(s, on_step, &stop_import), WG_OK, NULL);
  csv = households_csv('Q', 3000);
  json = NULL;
  EXPECT(s, wg_import_csv(s, (const uint8_t *)csv, strlen(csv), NULL, NULL, NULL, &json),
         WG_INVALID_INPUT, "cancelled");
  free(csv);
  CHECK(json == NULL);
  CHECK(strcmp(stop_import.step, "import") == 0);
  EXPECT(s, wg_store_set_progress(s, NULL, NULL), WG_OK, NULL);
  CHECK(unchanged_since(s, audit, households));

  /* Without a callback, calls go on as before; a NULL handle is refused. */
  json = NULL;
  EXPECT(s, wg_due_visits(s, "512021", "2025-05-20", &json), WG_OK, NULL);
  wg_string_free(json);
  CHECK(wg_store_set_progress(NULL, on_step, &log) == WG_INVALID_INPUT);
  CHECK(wg_store_set_progress(NULL, NULL, NULL) == WG_INVALID_INPUT);
  wg_store_free(s);
}
