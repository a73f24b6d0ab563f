/* The working-day calendar. */
#include "harness.h"

void test_working_days(void) {
  char *day = NULL;
  char *json = NULL;
  int64_t n = 0;
  int working = -1;
  /* The shipped calendar, without a store: the 2020 Spring Festival was extended to 2
   * February, so the working day after 23 January is 3 February. */
  EXPECT(NULL, wg_add_working_days(NULL, "2020-01-23", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-02-03") == 0);
  wg_string_free(day);
  /* A make-up Saturday (调休) is a working day; the Sunday after it is not. */
  EXPECT(NULL, wg_add_working_days(NULL, "2025-02-07", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2025-02-08") == 0);
  wg_string_free(day);
  /* Five working days from 30 September 2025 skip the National Day week (1–8 October)
   * and count the make-up Saturday 11 October. */
  EXPECT(NULL, wg_add_working_days(NULL, "2025-09-30", 5, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2025-10-14") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_is_working_day(NULL, "2025-02-08", &working), WG_OK, NULL);
  CHECK(working == 1);
  EXPECT(NULL, wg_is_working_day(NULL, "2025-02-09", &working), WG_OK, NULL);
  CHECK(working == 0);
  /* Backwards, zero, and counting (a, b]. */
  EXPECT(NULL, wg_add_working_days(NULL, "2020-02-03", -1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-01-23") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_add_working_days(NULL, "2020-02-01", 0, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2020-02-01") == 0);
  wg_string_free(day);
  EXPECT(NULL, wg_working_days_between(NULL, "2020-01-23", "2020-02-03", &n), WG_OK, NULL);
  CHECK(n == 1);
  EXPECT(NULL, wg_working_days_between(NULL, "2024-10-08", "2024-09-30", &n), WG_OK, NULL);
  CHECK(n == -1);
  EXPECT(NULL, wg_calendar_years(NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strncmp(json, "[2010,", 6) == 0);
  CHECK(json_has(json, ",2026]"));

  /* A year without an arrangement is refused, naming it, never guessed from weekdays. */
  day = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, "2027-03-01", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(NULL, wg_add_working_days(NULL, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(NULL, wg_working_days_between(NULL, "2026-12-01", "2027-01-05", &n), WG_NOT_FOUND,
         "2027");
  EXPECT(NULL, wg_is_working_day(NULL, "2009-06-01", &working), WG_NOT_FOUND, "2009");
  CHECK(day == NULL);

  /* A store counts with the shipped years plus those loaded into it, from text or a file;
   * every handle on the store sees them, the shipped calendar does not. */
  wg_store *s = county();
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  EXPECT(s, wg_calendar_load_text(s, "# 试行\n2027 元旦 off 01-01..01-03\n", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[2027]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2027-01-04") == 0);
  wg_string_free(day);
  day = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, "2026-12-31", 1, &day), WG_NOT_FOUND, "2027");
  const char *path = "c-test-calendar.txt";
  FILE *file = fopen(path, "w");
  CHECK(file != NULL);
  if (file != NULL) {
    fputs("2028 元旦 off 01-01 work 01-02\n", file);
    fclose(file);
  }
  EXPECT(s, wg_calendar_load(s, path, &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[2028]") == 0);
  wg_string_free(json);
  remove(path);
  EXPECT(s, wg_is_working_day(s, "2028-01-02", &working), WG_OK, NULL);
  CHECK(working == 1);
  EXPECT(s, wg_working_days_between(s, "2027-12-31", "2028-01-03", &n), WG_OK, NULL);
  CHECK(n == 2);
  EXPECT(s, wg_calendar_years(s, &json), WG_OK, NULL);
  CHECK(json_has(json, ",2026,2027,2028]"));
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "网格员", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_add_working_days(scoped, "2026-12-31", 1, &day), WG_OK, NULL);
  CHECK(day != NULL && strcmp(day, "2027-01-04") == 0);
  wg_string_free(day);
  EXPECT(scoped, wg_calendar_load_text(scoped, "2029 元旦 off 01-01", NULL), WG_PERMISSION_DENIED,
         NULL);
  wg_store_free(scoped);
  EXPECT(s, wg_calendar_load_text(s, "2029 元旦 off 01-01\n2029 春节 of 02-10", NULL),
         WG_INVALID_INPUT, "line 2");
  EXPECT(s, wg_calendar_load(s, "c-test-no-such-calendar.txt", NULL), WG_INVALID_INPUT,
         "c-test-no-such-calendar.txt");
  EXPECT(s, wg_calendar_years(s, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "2029") == NULL);
  wg_string_free(json);

  /* NULL and bad arguments are answered, never a crash; nothing is written. */
  day = NULL;
  json = NULL;
  EXPECT(NULL, wg_add_working_days(NULL, NULL, 1, &day), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-02-30", 1, &day), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-01-02", 1, NULL), WG_INVALID_INPUT, "out_date");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-01-02", INT64_MIN, &day), WG_INVALID_INPUT, "n");
  EXPECT(s, wg_add_working_days(s, "2024-01-02", INT64_MAX, &day), WG_INVALID_INPUT, "invalid n");
  EXPECT(NULL, wg_add_working_days(NULL, "2024-01-02", 1000000, &day), WG_INVALID_INPUT, "invalid n");
  EXPECT(NULL, wg_add_working_days(NULL, "0000-12-31", 1, &day), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_working_days_between(NULL, "2024-01-02", NULL, &n), WG_INVALID_INPUT, "b");
  EXPECT(NULL, wg_working_days_between(NULL, NULL, "2024-01-02", &n), WG_INVALID_INPUT, "a");
  EXPECT(s, wg_working_days_between(s, "2024-01-02", "2024-01-09", NULL), WG_INVALID_INPUT,
         "out");
  EXPECT(NULL, wg_is_working_day(NULL, "2024-01-02", NULL), WG_INVALID_INPUT, "out");
  EXPECT(NULL, wg_is_working_day(NULL, NULL, &working), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_calendar_years(NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_calendar_load(NULL, path, NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_calendar_load(s, NULL, &json), WG_INVALID_INPUT, "path");
  EXPECT(NULL, wg_calendar_load_text(NULL, "2029 元旦 off 01-01", &json), WG_INVALID_INPUT,
         "store");
  EXPECT(s, wg_calendar_load_text(s, NULL, &json), WG_INVALID_INPUT, "text");
  CHECK(day == NULL && json == NULL);
  wg_store_free(s);
}
