/*
 * Writers that wait, then say Busy: while another process holds the store's write lock,
 * a write through a handle opened with a short "busy_timeout_ms" waits that long and then
 * fails with WG_BUSY, having written nothing; reads go on meanwhile; once the lock is let
 * go the same call succeeds. The lock is held by this program run again as a child
 * (`--hold-write-lock PATH`) through the system's own SQLite, as a platform's other code
 * or a nightly import would hold it.
 */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

int hold_write_lock(const char *path) {
  sqlite3 *db = NULL;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) return 2;
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) return 3;
  /* Tells the parent the lock is held, then holds it until the parent closes our stdin. */
  if (write(STDOUT_FILENO, "L", 1) != 1) return 4;
  char c;
  while (read(STDIN_FILENO, &c, 1) > 0) {
  }
  int committed = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
  sqlite3_close(db);
  return committed ? 0 : 5;
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void test_busy(const char *self, const char *path) {
  remove(path);
  wg_store *s = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"busy_timeout_ms\": 300}", &s), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  char *info = NULL;
  EXPECT(s, wg_store_info(s, &info), WG_OK, NULL);
  CHECK(json_long(info, "busy_timeout_ms") == 300);
  wg_string_free(info);

  /* An absurd busy time is refused, naming it. */
  wg_store *none = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"busy_timeout_ms\": -5}", &none), WG_INVALID_INPUT,
         "busy_timeout_ms");
  CHECK(none == NULL);
  EXPECT(NULL, wg_store_open(path, "{\"busy_timeout_ms\": 86400000}", &none), WG_INVALID_INPUT,
         "busy_timeout_ms");
  CHECK(none == NULL);

  int to_child[2], from_child[2];
  CHECK(pipe(to_child) == 0 && pipe(from_child) == 0);
  pid_t child = fork();
  if (child == 0) {
    dup2(to_child[0], STDIN_FILENO);
    dup2(from_child[1], STDOUT_FILENO);
    close(to_child[1]);
    close(from_child[0]);
    execl(self, self, "--hold-write-lock", path, (char *)NULL);
    _exit(127);
  }
  close(to_child[0]);
  close(from_child[1]);
  char ready = 0;
  CHECK(child > 0 && read(from_child[0], &ready, 1) == 1 && ready == 'L');

  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_BUSY,
         "busy_timeout_ms");
  double waited = seconds_since(&start);
  CHECK(waited >= 0.25);
  if (waited < 0.25) fprintf(stderr, "the write gave up after %.3f s, not the busy time\n", waited);

  /* Reading does not wait for the writer. */
  char *json = NULL;
  clock_gettime(CLOCK_MONOTONIC, &start);
  EXPECT(s, wg_unit_get(s, "512021", NULL, &json), WG_OK, NULL);
  CHECK(seconds_since(&start) < 0.25);
  wg_string_free(json);

  close(to_child[1]);
  int status = -1;
  CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  close(from_child[0]);

  json = NULL;
  EXPECT(s, wg_unit_get(s, "512021100", NULL, &json), WG_NOT_FOUND, NULL);
  CHECK(json == NULL);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(s);
  remove(path);
}
