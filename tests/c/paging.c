/* Paging of due lists, households, findings and entries: walking the pages gives as many
 * items as the whole list, NULL arguments and bad cursors are answered with a status. */
#include "harness.h"

#define GRID "512021100001001"
#define COUNTY "512021"
#define DAY "2024-05-20"
#define ENTRIES "{\"unit\":\"" COUNTY "\",\"at\":\"2024-05-20T12:00\"}"

/* One page of one list: `after` NULL for the first. */
typedef wg_status (*page_fn)(wg_store *s, uint32_t limit, const char *after, char **out);

static wg_status due_page(wg_store *s, uint32_t limit, const char *after, char **out) {
  return wg_due_visits_page(s, COUNTY, DAY, limit, after, out);
}

static wg_status staff_page(wg_store *s, uint32_t limit, const char *after, char **out) {
  return wg_due_visits_for_staff_page(s, "W1", DAY, limit, after, out);
}

static wg_status households_page(wg_store *s, uint32_t limit, const char *after, char **out) {
  return wg_households_page(s, COUNTY, "{\"as_of\":\"" DAY "\"}", limit, after, out);
}

static wg_status findings_page(wg_store *s, uint32_t limit, const char *after, char **out) {
  return wg_findings_page(s, COUNTY, 0, limit, after, out);
}

static wg_status entries_page(wg_store *s, uint32_t limit, const char *after, char **out) {
  return wg_entries_page(s, ENTRIES, limit, after, out);
}

/* Walks every page of `limit` items, counting the occurrences of `needle` (one per item);
 * -1 when a call fails or a page is too long. */
static int walk(wg_store *s, page_fn page, uint32_t limit, const char *needle) {
  char after[4096] = "";
  int items = 0;
  for (int pages = 0; pages < 1000; pages++) {
    char *json = NULL;
    wg_status status = page(s, limit, after[0] ? after : NULL, &json);
    EXPECT(s, status, WG_OK, NULL);
    if (status != WG_OK) return -1;
    CHECK(json != NULL && strncmp(json, "{\"items\":[", 10) == 0);
    int more = json_text(json, "next", after, sizeof after);
    int n = count_of(json, needle);
    if (limit != 0 && n > (int)limit) return -1;
    items += n;
    if (!more) return items;
  }
  return -1;
}

static wg_store *paged_county(void) {
  wg_store *s = county();
  char id[16];
  char *json = NULL;
  const char *grids[] = {GRID, "512021100001002", "512021100002001"};
  EXPECT(s, wg_staff_add(s, "W1", "网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_assign(s, "W1", GRID, "grid_worker", "2024-01-01", NULL, NULL), WG_OK, NULL);
  for (int i = 0; i < 9; i++) {
    snprintf(id, sizeof id, "H%02d", (i * 4) % 9);
    EXPECT(s, wg_household_add(s, id, grids[i % 3], "海慧路", NULL, NULL, "2024-01-01", NULL),
           WG_OK, NULL);
  }
  for (int i = 0; i < 3; i++) {
    snprintf(id, sizeof id, "H%02d", i);
    EXPECT(s, wg_visit_record(s, id, "W1", "home", "2024-03-04", NULL, &json), WG_OK, NULL);
    long visit = json_long(json, "id");
    wg_string_free(json);
    EXPECT(s, wg_finding_record(s, visit, "楼道灯坏了", NULL, 0, NULL), WG_OK, NULL);
    EXPECT(s, wg_finding_record(s, visit, "路灯坏了", NULL, 1, NULL), WG_OK, NULL);
  }
  for (int i = 0; i < 5; i++) {
    char entry[256];
    snprintf(entry, sizeof entry,
             "{\"unit\":\"%s\",\"summary\":\"路灯不亮\",\"reported_at\":\"2024-03-%02dT09:00\"}",
             grids[i % 3], 4 + i);
    CHECK(register_entry(s, entry) > 0);
  }
  return s;
}

void test_paging(void) {
  wg_store *s = paged_county();
  char *json = NULL;

  /* One walk per kind: as many items as the whole list, by 2 and all at once (limit 0). */
  EXPECT(s, wg_due_visits(s, COUNTY, DAY, &json), WG_OK, NULL);
  int due = count_of(json, "\"rule\"");
  CHECK(due > 2);
  CHECK(walk(s, due_page, 2, "\"rule\"") == due);
  CHECK(walk(s, due_page, 0, "\"rule\"") == due);
  EXPECT(s, wg_due_visits_for_staff(s, "W1", DAY, &json), WG_OK, NULL);
  int staff = count_of(json, "\"rule\"");
  CHECK(staff > 2 && staff < due);
  CHECK(walk(s, staff_page, 2, "\"rule\"") == staff);
  CHECK(walk(s, households_page, 2, "\"household_id\"") == 9);
  CHECK(walk(s, findings_page, 4, "\"summary\"") == 6);
  CHECK(walk(s, entries_page, 2, "\"summary\"") == 5);

  /* The last page has a null next. */
  EXPECT(s, wg_households_page(s, COUNTY, NULL, 9, NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"next\":null}"));

  /* NULL arguments: a status, never a crash; NULL after is the first page. */
  EXPECT(NULL, wg_due_visits_page(NULL, COUNTY, DAY, 2, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_due_visits_page(s, NULL, DAY, 2, NULL, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_due_visits_page(s, COUNTY, DAY, 2, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_due_visits_for_staff_page(s, NULL, DAY, 2, NULL, &json), WG_INVALID_INPUT,
         "staff_id");
  EXPECT(s, wg_households_page(s, NULL, NULL, 2, NULL, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_findings_page(s, NULL, 0, 2, NULL, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_entries_page(s, NULL, 2, NULL, &json), WG_INVALID_INPUT, "query_json");
  EXPECT(s, wg_entries_page(s, ENTRIES, 2, NULL, NULL), WG_INVALID_INPUT, "out_json");

  /* A bad limit or cursor, or a cursor of another list or query. */
  EXPECT(s, wg_households_page(s, COUNTY, NULL, 100001, NULL, &json), WG_INVALID_INPUT, "limit");
  EXPECT(s, wg_findings_page(s, COUNTY, 0, 2, "garbage", &json), WG_INVALID_INPUT, "after");
  EXPECT(s, wg_findings_page(s, COUNTY, 0, 2, "\xff", &json), WG_INVALID_INPUT, "after");
  char cursor[4096] = "";
  json = NULL;
  EXPECT(s, wg_households_page(s, COUNTY, NULL, 2, NULL, &json), WG_OK, NULL);
  CHECK(json_text(json, "next", cursor, sizeof cursor));
  wg_string_free(json);
  EXPECT(s, wg_findings_page(s, COUNTY, 0, 2, cursor, &json), WG_INVALID_INPUT, "after");
  EXPECT(s, wg_households_page(s, GRID, NULL, 2, cursor, &json), WG_INVALID_INPUT, "after");
  EXPECT(s, wg_entries_page(s, ENTRIES, 2, cursor, &json), WG_INVALID_INPUT, "after");
  EXPECT(s, wg_due_visits_page(s, COUNTY, DAY, 2, cursor, &json), WG_INVALID_INPUT, "after");
  EXPECT(s, wg_households_page(s, COUNTY, NULL, 2, cursor, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"household_id\":\"H02\""));

  /* A scoped handle pages its own subtree and is refused outside it. */
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, GRID, "网格员", &scoped), WG_OK, NULL);
  CHECK(walk(scoped, staff_page, 1, "\"rule\"") == staff);
  EXPECT(scoped, wg_households_page(scoped, COUNTY, NULL, 2, NULL, &json), WG_PERMISSION_DENIED,
         NULL);
  EXPECT(scoped, wg_households_page(scoped, COUNTY, NULL, 2, cursor, &json),
         WG_PERMISSION_DENIED, NULL);
  wg_store_free(scoped);
  wg_store_free(s);
}
