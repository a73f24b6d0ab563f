/* The facts as Parquet files: an export, an increment, scopes, a directory of another
 * store, and NULLs. */
#include "harness.h"

#define PARQUET_DIR "c-test-parquet"

/* An export and its increment: every table listed with its files, only the new visit
 * written the second time; a scope's unit outside it, an unknown unit, another store's
 * directory and NULLs refused, with nothing written. */
void test_parquet_export(void) {
  /* A directory left by an earlier run holds another store's export. */
  CHECK(system("rm -rf " PARQUET_DIR) == 0);
  wg_store *s = county();
  char *json = NULL;
  const char *grid = "512021100001001";
  EXPECT(s, wg_staff_add(s, "W1", "王网格员", "13900001111", NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", grid, "海慧路1号", NULL, NULL, "2025-01-01", NULL), WG_OK,
         NULL);
  EXPECT(s,
         wg_resident_add(s, "H1",
                         "{\"name\":\"付良容\",\"id_number\":\"510123194805121220\","
                         "\"phone\":\"13812345678\"}",
                         "2025-01-01", NULL),
         WG_OK, NULL);
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2025-02-03", "家中无异常", NULL), WG_OK, NULL);

  EXPECT(s, wg_export_parquet(s, PARQUET_DIR, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && json_long(json, "export_seq") == 1);
  CHECK(json != NULL && strstr(json, "\"full\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"unit\":null") != NULL);
  CHECK(count_of(json, "\"table\":") == 13);
  json = NULL;
  FILE *f = fopen(PARQUET_DIR "/households/part-000001.parquet", "rb");
  CHECK(f != NULL);
  if (f != NULL) {
    char magic[4] = {0};
    CHECK(fread(magic, 1, 4, f) == 4 && memcmp(magic, "PAR1", 4) == 0);
    fclose(f);
  }

  /* The increment writes the new visit, and nothing for the unchanged units. */
  EXPECT(s, wg_visit_record(s, "H1", "W1", "phone", "2025-02-10", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_export_parquet(s, PARQUET_DIR, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && json_long(json, "export_seq") == 2);
  CHECK(json != NULL && strstr(json, "\"full\":false") != NULL);
  CHECK(json != NULL &&
        strstr(json, "{\"files\":[\"visits/part-000001.parquet\",\"visits/part-000002.parquet\"],"
                     "\"rows_written\":1,\"table\":\"visits\"}") != NULL);
  CHECK(json != NULL && strstr(json, "\"rows_written\":0,\"table\":\"units\"") != NULL);
  wg_string_free(json);
  json = NULL;

  /* A scope exports its subtree; a unit outside it is refused, an unknown one not found. */
  wg_store *town = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_export_parquet(town, PARQUET_DIR "/town", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"unit\":\"512021100\""));
  json = NULL;
  EXPECT(town, wg_export_parquet(town, PARQUET_DIR "/outside", "512021101", &json),
         WG_PERMISSION_DENIED, "512021101");
  CHECK(json == NULL);
  EXPECT(s, wg_export_parquet(s, PARQUET_DIR "/unknown", "999", &json), WG_NOT_FOUND, "999");
  CHECK(json == NULL);
  /* An empty directory would be the process's working directory: refused. */
  EXPECT(s, wg_export_parquet(s, "", NULL, &json), WG_INVALID_INPUT, "directory");
  CHECK(json == NULL);

  /* Another store's directory: refused. */
  wg_store *other = county();
  EXPECT(other, wg_export_parquet(other, PARQUET_DIR, NULL, &json), WG_CONFLICT, "another store");
  CHECK(json == NULL);
  wg_store_free(other);

  /* NULLs: a status naming the argument, never a crash. */
  EXPECT(NULL, wg_export_parquet(NULL, PARQUET_DIR, NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_export_parquet(s, NULL, NULL, &json), WG_INVALID_INPUT, "dir");
  EXPECT(s, wg_export_parquet(s, PARQUET_DIR, NULL, NULL), WG_INVALID_INPUT, "out_json");
  CHECK(json == NULL);

  wg_store_free(town);
  wg_store_free(s);
  CHECK(system("rm -rf " PARQUET_DIR) == 0);
}
