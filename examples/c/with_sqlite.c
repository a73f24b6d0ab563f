/*
 * A program that uses wangge and SQLite of its own side by side, each on its own file:
 * a wangge store in A, the program's own table in B. Built by `make test-install` against
 * the installed library and the platform's libsqlite3: static libwangge.a with -lsqlite3
 * and with libsqlite3.a, and shared libwangge.so with -lsqlite3.
 *
 *   cc with_sqlite.c $(pkg-config --cflags wangge) \
 *      $(pkg-config --static --libs wangge | sed 's/-lwangge/-l:libwangge.a/') -lsqlite3
 *
 * The link must find no duplicate sqlite3_* symbol, and the program's sqlite3_* calls must
 * reach its own SQLite (the one its sqlite3.h describes), not the copy inside wangge.
 * wangge's SQLite is private to it: never open a store's file with your own SQLite while
 * wangge has it open, nor the other way round (see README, "One SQLite per process").
 *
 *   with_sqlite A.db B.db [same]     (both files are created anew)
 *
 * With `same`, wangge must run on the program's SQLite (a library installed with
 * `make install SQLITE=system`), and then the two also share the store's file: while the
 * program's own transaction holds it, wangge's write waits its busy time and is WG_BUSY.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>
#include <wangge.h>

/* Prints the library's last error message for `store` and returns 1. */
static int wg_fail(const wg_store *store, const char *what, wg_status status) {
  char *message = NULL;
  wg_last_error(store, &message);
  fprintf(stderr, "%s: status %d: %s\n", what, (int)status, message ? message : "");
  wg_string_free(message);
  return 1;
}

/* Prints SQLite's message for `db` and returns 1. */
static int sql_fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "%s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
  return 1;
}

/* The first column of the first row of `sql` on `db` as text, into `out`; 0 on success. */
static int sql_text(sqlite3 *db, const char *sql, char *out, size_t size) {
  sqlite3_stmt *stmt = NULL;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) return sql_fail(db, sql);
  int rc = 1;
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char *text = sqlite3_column_text(stmt, 0);
    snprintf(out, size, "%s", text ? (const char *)text : "");
    rc = 0;
  } else {
    sql_fail(db, sql);
  }
  sqlite3_finalize(stmt);
  return rc;
}

/* Adds a county down to one grid to the store at `path`; with `same`, fails unless the
   library runs on this program's SQLite. */
static int wangge_work(const char *path, int same) {
  static const char *const units[][4] = {
      {"512021", "安岳县", "county", NULL},
      {"512021100", "岳阳镇", "township", "512021"},
      {"512021100001", "北坝社区", "community", "512021100"},
      {"512021100001001", "北坝一网格", "grid", "512021100001"},
  };
  wg_store *store = NULL;
  wg_status status = wg_store_open(path, NULL, &store);
  if (status != WG_OK) return wg_fail(NULL, "wg_store_open", status);
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    status = wg_unit_add(store, units[i][0], units[i][1], units[i][2], units[i][3], NULL, NULL);
    if (status != WG_OK) {
      int rc = wg_fail(store, "wg_unit_add", status);
      wg_store_free(store);
      return rc;
    }
  }
  char *info = NULL;
  status = wg_store_info(store, &info);
  if (status != WG_OK) {
    int rc = wg_fail(store, "wg_store_info", status);
    wg_store_free(store);
    return rc;
  }
  /* Its own copy, private to it, unless installed with SQLITE=system. */
  const char *key = "\"sqlite_version\":\"";
  const char *version = strstr(info, key);
  if (version) version += strlen(key);
  int length = version ? (int)strcspn(version, "\"") : 0;
  printf("wangge runs on SQLite %.*s\n", length, version ? version : "");
  int rc = 0;
  if (same && (!version || (size_t)length != strlen(sqlite3_libversion()) ||
               strncmp(version, sqlite3_libversion(), (size_t)length) != 0)) {
    fprintf(stderr, "wangge does not run on this program's SQLite %s\n", sqlite3_libversion());
    rc = 1;
  }
  wg_string_free(info);
  wg_store_free(store);
  return rc;
}

/* One SQLite, one file: the program holds the store's file in a write transaction of its
   own; wangge's write waits, fails with WG_BUSY having written nothing, and succeeds once
   the program commits. Only with a library built with SQLITE=system. */
static int shared_file_work(const char *path) {
  wg_store *store = NULL;
  wg_status status = wg_store_open(path, "{\"busy_timeout_ms\": 200}", &store);
  if (status != WG_OK) return wg_fail(NULL, "wg_store_open", status);
  sqlite3 *db = NULL;
  int rc = 1;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
      sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    sql_fail(db, "BEGIN IMMEDIATE on the store's file");
    goto done;
  }
  status = wg_unit_add(store, "512021101", "石桥铺镇", "township", "512021", NULL, NULL);
  if (status != WG_BUSY) {
    fprintf(stderr, "a write under another transaction gave status %d, not WG_BUSY\n",
            (int)status);
    goto done;
  }
  if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    sql_fail(db, "COMMIT after wangge's wait");
    goto done;
  }
  status = wg_unit_add(store, "512021101", "石桥铺镇", "township", "512021", NULL, NULL);
  if (status != WG_OK) {
    wg_fail(store, "wg_unit_add after the COMMIT", status);
    goto done;
  }
  printf("shared file: WG_BUSY while the program's transaction held it, written after\n");
  rc = 0;
done:
  sqlite3_close(db);
  wg_store_free(store);
  return rc;
}

/* The program's own table in `db`: created, filled, read back. */
static int own_work(sqlite3 *db) {
  char *error = NULL;
  if (sqlite3_exec(db,
                   "CREATE TABLE call (id INTEGER PRIMARY KEY, caller TEXT NOT NULL);"
                   "BEGIN IMMEDIATE;"
                   "INSERT INTO call (caller) VALUES ('张三'), ('李四'), ('王五');"
                   "COMMIT;",
                   NULL, NULL, &error) != SQLITE_OK) {
    fprintf(stderr, "own table: %s\n", error ? error : "");
    sqlite3_free(error);
    return 1;
  }
  char text[64];
  if (sql_text(db, "SELECT count(*) || ' ' || max(caller) FROM call", text, sizeof text)) return 1;
  printf("own table: %s\n", text);
  if (strcmp(text, "3 王五") != 0) {
    fprintf(stderr, "own table holds %s, not 3 rows\n", text);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  int same = argc == 4 && strcmp(argv[3], "same") == 0;
  if (argc != 3 && !same) {
    fprintf(stderr, "usage: %s A.db B.db [same]\n", argv[0]);
    return 2;
  }
  const char *store_path = argv[1], *own_path = argv[2];
  remove(store_path);
  remove(own_path);

  /* The program's sqlite3_* calls reach the SQLite its header describes. */
  printf("this program runs on SQLite %s (header %s)\n", sqlite3_libversion(), SQLITE_VERSION);
  if (strcmp(sqlite3_libversion(), SQLITE_VERSION) != 0 ||
      sqlite3_libversion_number() != SQLITE_VERSION_NUMBER ||
      strcmp(sqlite3_sourceid(), SQLITE_SOURCE_ID) != 0) {
    fprintf(stderr, "sqlite3_* calls reach another SQLite than sqlite3.h's\n");
    return 1;
  }

  /* Both at work at once: the program's own file stays open while wangge writes. */
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(own_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    sql_fail(db, "sqlite3_open_v2");
    sqlite3_close(db);
    return 1;
  }
  if (sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK ||
      own_work(db) || wangge_work(store_path, same)) {
    sqlite3_close(db);
    return 1;
  }
  char text[64];
  int rc = sql_text(db, "SELECT count(*) FROM call", text, sizeof text);
  sqlite3_close(db);
  if (rc || strcmp(text, "3") != 0) {
    fprintf(stderr, "own table lost its rows after wangge's writes (%s)\n", text);
    return 1;
  }
  if (same && shared_file_work(store_path)) return 1;

  /* Afterwards both files are sound: the store's audit chain, the program's file. */
  wg_store *store = NULL;
  wg_status status = wg_store_open(store_path, NULL, &store);
  if (status != WG_OK) return wg_fail(NULL, "wg_store_open", status);
  char *verification = NULL;
  status = wg_audit_verify(store, &verification);
  if (status != WG_OK) {
    rc = wg_fail(store, "wg_audit_verify", status);
    wg_store_free(store);
    return rc;
  }
  printf("store: %s\n", verification);
  rc = strstr(verification, "\"ok\":true") ? 0 : 1;
  if (rc) fprintf(stderr, "the store does not verify\n");
  wg_string_free(verification);
  wg_store_free(store);
  if (rc) return rc;

  if (sqlite3_open_v2(own_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sql_fail(db, "sqlite3_open_v2");
    sqlite3_close(db);
    return 1;
  }
  rc = sql_text(db, "PRAGMA integrity_check", text, sizeof text);
  sqlite3_close(db);
  printf("own file: integrity_check %s\n", text);
  if (rc || strcmp(text, "ok") != 0) return 1;
  return 0;
}
