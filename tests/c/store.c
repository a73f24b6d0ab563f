/* The store handle: scopes, the audit chain, persistence and configured levels. */
#include "harness.h"

#include <sqlite3.h>

void test_scope_and_audit(void) {
  wg_store *s = county();
  wg_store *town = NULL;
  char *json = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_unit_get(town, "512021101", NULL, &json), WG_PERMISSION_DENIED, "512021101");
  EXPECT(town, wg_unit_add(town, "512021101001002", "x", "grid", "512021101001", NULL, NULL),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_unit_move(town, "512021100001", "512021101", "2024-01-01", NULL),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(town, wg_unit_add(town, "512021100001003", "北坝三网格", "grid", "512021100001", NULL, NULL),
         WG_OK, NULL);
  json = NULL;
  EXPECT(town, wg_unit_descendants(town, "512021100", "grid", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 4);
  /* The scope outlives the handle it came from. */
  wg_store_free(s);
  json = NULL;
  EXPECT(town, wg_audit_log(town, 0, 1000, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"actor\":\"岳阳镇管理员\""));
  /* The chain is the whole deployment's: verifying it needs an unrestricted handle. */
  json = NULL;
  EXPECT(town, wg_audit_verify(town, &json), WG_PERMISSION_DENIED, "audit");
  CHECK(json == NULL);
  wg_store_free(town);
}

void test_persistence_and_levels(const char *path) {
  remove(path);
  wg_store *s = NULL;
  EXPECT(NULL,
         wg_store_open(path, "{\"levels\": [[\"province\", 2], [\"city\", 4], [\"county\", 6]], \"actor\": \"loader\"}", &s),
         WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "51", "四川省", "province", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "5120", "资阳市", "city", "51", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", "5120", NULL, NULL), WG_OK, NULL);
  wg_store_free(s);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  char *json = NULL;
  EXPECT(s, wg_unit_ancestors(s, "512021", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 2);
  wg_store *other = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"levels\": [[\"county\", 6]]}", &other), WG_CONFLICT, "levels");
  CHECK(other == NULL);
  wg_store_free(s);

  /* Read-only: reads answer, every write is refused and nothing is written. */
  wg_store *ro = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"read_only\": true}", &ro), WG_OK, NULL);
  EXPECT(ro, wg_unit_ancestors(ro, "512021", NULL, &json), WG_OK, NULL);
  CHECK(count_units(json) == 2);
  EXPECT(ro, wg_unit_add(ro, "5121", "内江市", "city", "51", NULL, NULL), WG_PERMISSION_DENIED,
         "read-only");
  EXPECT(ro, wg_staff_add(ro, "s1", "袁婷", NULL, NULL), WG_PERMISSION_DENIED, "read-only");
  EXPECT(ro, wg_unit_get(ro, "5121", NULL, &json), WG_NOT_FOUND, NULL);
  wg_store_free(ro);
  ro = NULL;
  EXPECT(NULL, wg_store_open(":memory:", "{\"read_only\": true}", &ro), WG_INVALID_INPUT,
         "read_only");
  CHECK(ro == NULL);
  EXPECT(NULL, wg_store_open(path, "{\"read_only\": 1}", &ro), WG_INVALID_INPUT, "options");
  CHECK(ro == NULL);
}

/* A file that keeps its text as UTF-16 (set through the program's own SQLite before the file's
 * first table) is refused, writable or read-only, and left as it was: SQLite orders and seals
 * text by its stored bytes, and a store's are UTF-8's. */
void test_utf16_file_is_refused(const char *path) {
  remove(path);
  sqlite3 *db = NULL;
  CHECK(sqlite3_open(path, &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "PRAGMA encoding = 'UTF-16le'; CREATE TABLE t (x); DROP TABLE t;", NULL,
                     NULL, NULL) == SQLITE_OK);
  sqlite3_close(db);
  wg_store *s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_STORAGE_ERROR, "UTF-16le");
  CHECK(s == NULL);
  EXPECT(NULL, wg_store_open(path, "{\"read_only\": true}", &s), WG_STORAGE_ERROR, "UTF-16le");
  CHECK(s == NULL);
  db = NULL;
  CHECK(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
  sqlite3_stmt *tables = NULL;
  CHECK(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &tables, NULL) ==
        SQLITE_OK);
  CHECK(sqlite3_step(tables) == SQLITE_ROW && sqlite3_column_int(tables, 0) == 0);
  sqlite3_finalize(tables);
  sqlite3_close(db);
  remove(path);
}
