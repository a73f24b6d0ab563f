/* Archives of households and residents. */
#include "harness.h"

void test_archive(void) {
  wg_store *s = county();
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "北坝街1号", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  char *json = NULL;
  EXPECT(s, wg_archive_set(s, "H1", "employment", "{\"status\":\"失业\"}", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"version\":1"));
  char first_at[64] = "";
  json = NULL;
  EXPECT(s, wg_archive_history(s, "H1", "employment", &json), WG_OK, NULL);
  CHECK(json_text(json, "at", first_at, sizeof first_at));
  wg_string_free(json);
  EXPECT(s, wg_archive_set(s, "H1", "employment", "{\"status\":\"就业\"}", NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_archive_get(s, "H1", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "就业"));
  json = NULL;
  EXPECT(s, wg_archive_get(s, "H1", first_at, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "失业") != NULL && strstr(json, "就业") == NULL);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_archive_history(s, "H1", "employment", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"version\"") == 2);
  EXPECT(s, wg_archive_set(s, "H1", "hobbies", "{}", NULL), WG_INVALID_INPUT, "hobbies");
  EXPECT(s, wg_archive_set(s, "H1", "health", "[1,2]", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_set(s, "H1", "health", "{not json", NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_archive_set(s, "nobody", "health", "{}", NULL), WG_NOT_FOUND, NULL);
  EXPECT(s, wg_archive_verify(s, "H1", "2024-03-31"), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_household_get(s, "H1", "2024-04-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"verified\":\"2024-03-31\""));
  wg_store_free(s);
}
