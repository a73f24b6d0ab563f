/*
 * The C API, exercised from C, one file per area of the library: every kind of bad input
 * answered with a status, never a crash. Run under Valgrind by `make test`: no errors, no
 * leaks. This harness counts the checks; `main` (harness.c) runs each area and prints
 * the count.
 */
#ifndef WANGGE_TEST_HARNESS_H
#define WANGGE_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wangge.h"

extern int passed;
extern int failed;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      passed++;                                                                \
    } else {                                                                   \
      failed++;                                                                \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define EXPECT(store, call, want, needle) expect((store), (call), (want), (needle), __LINE__)

void expect(wg_store *store, wg_status got, wg_status want, const char *needle, int line);
int json_has(char *json, const char *needle);
int count_units(char *json);
int count_of(char *json, const char *needle);
long json_long(const char *json, const char *key);
long json_sum_after(const char *json, const char *from, const char *key);
int json_text(const char *json, const char *key, char *buf, size_t size);
int last_error_lacks(wg_store *store, const char *text);
void snapshot(wg_store *s, char **audit, char **households);
int unchanged_since(wg_store *s, char *audit, char *households);
wg_store *county(void);
long register_entry(wg_store *s, const char *entry_json);

/* The areas, one file each. */
void test_busy(const char *self, const char *path);
int hold_write_lock(const char *path);
void test_tree_queries(void);
void test_bad_input_is_typed_and_writes_nothing(void);
void test_units_from_an_arrow_stream(void);
void test_null_and_invalid_utf8_never_crash(void);
void test_scope_and_audit(void);
void test_scope_holds_on_every_path(void);
void test_persistence_and_levels(const char *path);
void test_utf16_file_is_refused(const char *path);
void test_keys(const char *path);
void test_staff_and_responsibility(void);
void test_registry(void);
void test_registry_null_and_bad_text(void);
void test_registry_tags_as_text(void);
void test_archive(void);
void test_import(void);
void test_import_xlsx(void);
void test_progress(void);
void test_visits(void);
void test_messages_in_chinese(void);
void test_contacts(void);
void test_paging(void);
void test_working_days(void);
void test_periods(void);
void test_period_and_date_forms(void);
void test_ledger(void);
void test_ledger_persists(const char *path);
void test_ledger_work_batch(void);
void test_ledger_work_together(void);
void test_report(void);
void test_pictures(void);
void test_submissions(void);
void test_receive_submissions(void);
void test_assessment(void);
void test_every_bad_input_gives_its_status_names_its_field_and_writes_nothing(void);
void test_facts_are_sealed(const char *path);
void test_last_error(void);
void test_handheld(const char *path);
void test_parquet_export(void);

#endif
