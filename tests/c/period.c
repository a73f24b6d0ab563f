/* Calendar periods. */
#include "harness.h"

/* Calendar periods without a store: every kind parses to its bounds, steps across year
 * ends, and nests; a week belongs to the month holding its Thursday. */
void test_periods(void) {
  static const char *const kinds[][2] = {
      {"2024-03-17", "{\"period\":\"2024-03-17\",\"kind\":\"day\",\"first\":\"2024-03-17\","
                     "\"last\":\"2024-03-17\",\"days\":1}"},
      {"2025-W01", "{\"period\":\"2025-W01\",\"kind\":\"week\",\"first\":\"2024-12-30\","
                   "\"last\":\"2025-01-05\",\"days\":7}"},
      {"2020-W53", "{\"period\":\"2020-W53\",\"kind\":\"week\",\"first\":\"2020-12-28\","
                   "\"last\":\"2021-01-03\",\"days\":7}"},
      {"2024-02", "{\"period\":\"2024-02\",\"kind\":\"month\",\"first\":\"2024-02-01\","
                  "\"last\":\"2024-02-29\",\"days\":29}"},
      {"2024-Q1", "{\"period\":\"2024-Q1\",\"kind\":\"quarter\",\"first\":\"2024-01-01\","
                  "\"last\":\"2024-03-31\",\"days\":91}"},
      {"2024-H2", "{\"period\":\"2024-H2\",\"kind\":\"half_year\",\"first\":\"2024-07-01\","
                  "\"last\":\"2024-12-31\",\"days\":184}"},
      {"2024", "{\"period\":\"2024\",\"kind\":\"year\",\"first\":\"2024-01-01\","
               "\"last\":\"2024-12-31\",\"days\":366}"},
  };
  char *json = NULL;
  char *text = NULL;
  int inside = -1;
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    EXPECT(NULL, wg_period_parse(kinds[i][0], &json), WG_OK, NULL);
    if (json == NULL || strcmp(json, kinds[i][1]) != 0) {
      fprintf(stderr, "period %s: %s\n", kinds[i][0], json ? json : "(null)");
      failed++;
    } else {
      passed++;
    }
    wg_string_free(json);
    json = NULL;
  }

  /* The neighbours across the year end, both ways. */
  static const char *const steps[][2] = {
      {"2024-W52", "2025-W01"}, {"2020-W53", "2021-W01"}, {"2024-12", "2025-01"},
      {"2024-Q4", "2025-Q1"},   {"2024-H2", "2025-H1"},   {"2024-12-31", "2025-01-01"},
  };
  for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
    EXPECT(NULL, wg_period_next(steps[i][0], &text), WG_OK, NULL);
    CHECK(text != NULL && strcmp(text, steps[i][1]) == 0);
    wg_string_free(text);
    EXPECT(NULL, wg_period_previous(steps[i][1], &text), WG_OK, NULL);
    CHECK(text != NULL && strcmp(text, steps[i][0]) == 0);
    wg_string_free(text);
  }

  EXPECT(NULL, wg_period_containing("week", "2024-12-30", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-W01") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_containing("half_year", "2024-07-01", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2024-H2") == 0);
  wg_string_free(text);

  EXPECT(NULL, wg_period_contains("2025-W01", "2024-12-30", &inside), WG_OK, NULL);
  CHECK(inside == 1);
  EXPECT(NULL, wg_period_contains("2025-W01", "2025-01-06", &inside), WG_OK, NULL);
  CHECK(inside == 0);
  EXPECT(NULL, wg_period_contains("2024-02", "2024-02-29", &inside), WG_OK, NULL);
  CHECK(inside == 1);

  /* 2024-W09 (02-26..03-03) has its Thursday in February, so March holds W10..W13. */
  EXPECT(NULL, wg_period_inside("2024-03", "week", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[\"2024-W10\",\"2024-W11\",\"2024-W12\",\"2024-W13\"]") == 0);
  wg_string_free(json);
  EXPECT(NULL, wg_period_inside("2024-Q1", "weeks", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"2024-W") == 13);
  EXPECT(NULL, wg_period_inside("2020", "week", &json), WG_OK, NULL);
  CHECK(count_of(json, "-W") == 53);
  EXPECT(NULL, wg_period_inside("2024-03", "day", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"2024-03-") == 31);
  EXPECT(NULL, wg_period_inside("2024", "quarter", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[\"2024-Q1\",\"2024-Q2\",\"2024-Q3\",\"2024-Q4\"]") == 0);
  wg_string_free(json);

  EXPECT(NULL, wg_period_belongs_to("2025-W01", "month", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-01") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_belongs_to("2020-W53", "year", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2020") == 0);
  wg_string_free(text);
  EXPECT(NULL, wg_period_belongs_to("2024-12-30", "week", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-W01") == 0);
  wg_string_free(text);

  /* Bad text, kinds a period is not made of or does not belong to, NULL everywhere:
   * a status and a message naming what was wrong; nothing is written. */
  json = NULL;
  text = NULL;
  inside = -1;
  EXPECT(NULL, wg_period_parse("2024-Q5", &json), WG_INVALID_INPUT, "2024-Q5");
  EXPECT(NULL, wg_period_parse("2021-W53", &json), WG_INVALID_INPUT, "2021-W53");
  EXPECT(NULL, wg_period_next("2024-13", &text), WG_INVALID_INPUT, "2024-13");
  EXPECT(NULL, wg_period_previous("Q1", &text), WG_INVALID_INPUT, "Q1");
  EXPECT(NULL, wg_period_containing("fortnight", "2024-03-17", &text), WG_INVALID_INPUT,
         "fortnight");
  EXPECT(NULL, wg_period_containing("week", "2024-02-30", &text), WG_INVALID_INPUT,
         "2024-02-30");
  EXPECT(NULL, wg_period_contains("2024-W54", "2024-03-17", &inside), WG_INVALID_INPUT,
         "2024-W54");
  EXPECT(NULL, wg_period_inside("2024-W11", "month", &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_inside("2024-03-17", "week", &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_belongs_to("2024-03", "week", &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_parse(NULL, &json), WG_INVALID_INPUT, "text");
  EXPECT(NULL, wg_period_parse("2024", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_period_containing(NULL, "2024-03-17", &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_containing("week", NULL, &text), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_period_containing("week", "2024-03-17", NULL), WG_INVALID_INPUT,
         "out_period");
  EXPECT(NULL, wg_period_next(NULL, &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_next("2024", NULL), WG_INVALID_INPUT, "out_period");
  EXPECT(NULL, wg_period_previous(NULL, &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_previous("2024", NULL), WG_INVALID_INPUT, "out_period");
  EXPECT(NULL, wg_period_contains(NULL, "2024-03-17", &inside), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_contains("2024", NULL, &inside), WG_INVALID_INPUT, "day");
  EXPECT(NULL, wg_period_contains("2024", "2024-03-17", NULL), WG_INVALID_INPUT, "out");
  EXPECT(NULL, wg_period_inside(NULL, "week", &json), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_inside("2024", NULL, &json), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_inside("2024", "week", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_period_belongs_to(NULL, "year", &text), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_belongs_to("2024-03", NULL, &text), WG_INVALID_INPUT, "kind");
  EXPECT(NULL, wg_period_belongs_to("2024-03", "year", NULL), WG_INVALID_INPUT, "out_period");
  CHECK(json == NULL && text == NULL && inside == -1);

  /* Periods live in the years 0001 to 9999: no year 0, no week ending in 10000, nothing
   * after the last period of 9999 or before the first of year 1. */
  EXPECT(NULL, wg_period_parse("0000", &json), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_parse("9999-W52", &json), WG_INVALID_INPUT, "period");
  EXPECT(NULL, wg_period_next("9999-12", &text), WG_INVALID_INPUT, "9999-12");
  EXPECT(NULL, wg_period_next("9999-W51", &text), WG_INVALID_INPUT, "9999-W51");
  EXPECT(NULL, wg_period_previous("0001-01-01", &text), WG_INVALID_INPUT, "0001-01-01");
  EXPECT(NULL, wg_period_containing("week", "9999-12-31", &text), WG_INVALID_INPUT, "date");
  EXPECT(NULL, wg_period_belongs_to("9999-12-31", "week", &text), WG_INVALID_INPUT, "9999-W52");
  CHECK(json == NULL && text == NULL);
  EXPECT(NULL, wg_period_inside("9999-12", "week", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "9999-W51") != NULL && strstr(json, "9999-W52") == NULL);
  wg_string_free(json);
  json = NULL;
  EXPECT(NULL, wg_period_previous("9999", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "9998") == 0);
  wg_string_free(text);
}

/* The usual other forms of dates and periods read as the printed ones, through the same
 * core readers as Rust and Python; a bad period's message talks about periods. */
void test_period_and_date_forms(void) {
  static const char *const forms[][2] = {
      {"2025Q1", "2025-Q1"},      {"2025年第1季度", "2025-Q1"}, {"2025年一季度", "2025-Q1"},
      {"2025年3月", "2025-03"},   {"2025-3", "2025-03"},        {"2025/1/5", "2025-01-05"},
      {"20250105", "2025-01-05"}, {"2025年1月5日", "2025-01-05"},
  };
  char *json = NULL;
  char *text = NULL;
  int inside = -1;
  for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
    char want[64];
    snprintf(want, sizeof want, "\"period\":\"%s\"", forms[i][1]);
    json = NULL;
    EXPECT(NULL, wg_period_parse(forms[i][0], &json), WG_OK, NULL);
    CHECK(json_has(json, want));
  }
  EXPECT(NULL, wg_period_containing("week", "2025/1/5", &text), WG_OK, NULL);
  CHECK(text != NULL && strcmp(text, "2025-W01") == 0);
  wg_string_free(text);
  text = NULL;
  EXPECT(NULL, wg_period_contains("2025年3月", "20250331", &inside), WG_OK, NULL);
  CHECK(inside == 1);

  /* Dates in a store's queries take the same forms. */
  wg_store *s = county();
  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021100002001", "2025/1/5", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"龙井一网格\""));
  json = NULL;
  EXPECT(s, wg_unit_children(s, "512021100001", "2025年1月5日", &json), WG_OK, NULL);
  CHECK(count_units(json) == 2);
  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021", "2025/13/5", &json), WG_INVALID_INPUT, "no month 13");
  EXPECT(s, wg_unit_get(s, "512021", "2025-02-30", &json), WG_INVALID_INPUT, "no day 30");
  CHECK(json == NULL);
  wg_store_free(s);

  /* A bad period names the field, says what periods are read, and not "a date". */
  EXPECT(NULL, wg_period_parse("2025-1-", &json), WG_INVALID_INPUT, "expected a period");
  CHECK(last_error_lacks(NULL, "expected a date"));
  EXPECT(NULL, wg_period_parse("2025-1-", &json), WG_INVALID_INPUT, "2025年第1季度");
  EXPECT(NULL, wg_period_parse("2025Q5", &json), WG_INVALID_INPUT, "no quarter 5");
  EXPECT(NULL, wg_period_next("2025-13", &text), WG_INVALID_INPUT, "no month 13");
  EXPECT(NULL, wg_period_parse("0000-Q1", &json), WG_INVALID_INPUT, "0001 to 9999");
  CHECK(json == NULL && text == NULL);
}
