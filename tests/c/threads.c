/*
 * The last error, per thread and per handle: threads sharing one handle each read the
 * message of their own last failed call, whatever the others did in between; a
 * successful call leaves the message as it was; a call without a handle keeps its
 * message per thread.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <sched.h>

#include "harness.h"

#define THREADS 4
#define ROUNDS 50

/* What one thread does and what it saw; checked on the main thread afterwards. */
typedef struct {
  wg_store *store;
  int number;
  int refused;   /* failed calls that failed as they should */
  int own;       /* reads that gave this thread's own message */
  int kept;      /* reads after a successful call that still gave it */
  int no_handle; /* reads without a handle that gave this thread's own refusal */
} worker;

/* This thread's last error on `store` (NULL: without a handle) contains `needle`. */
static int last_error_has(wg_store *store, const char *needle) {
  char *msg = NULL;
  int found = wg_last_error(store, &msg) == WG_OK && msg != NULL && strstr(msg, needle) != NULL;
  if (!found) fprintf(stderr, "last error \"%s\" lacks \"%s\"\n", msg ? msg : "(null)", needle);
  wg_string_free(msg);
  return found;
}

static void *work(void *arg) {
  worker *w = arg;
  char code[32];
  char path[64];
  for (int round = 0; round < ROUNDS; round++) {
    /* A unit no one has: the refusal names it, and the name is this thread's and round's. */
    snprintf(code, sizeof code, "5120219%02d%03d", w->number, round);
    char *json = NULL;
    if (wg_unit_get(w->store, code, NULL, &json) == WG_NOT_FOUND && json == NULL) w->refused++;
    sched_yield();
    w->own += last_error_has(w->store, code);
    /* A call that succeeds leaves the message alone. */
    json = NULL;
    if (wg_unit_get(w->store, "512021", NULL, &json) == WG_OK) w->refused++;
    wg_string_free(json);
    sched_yield();
    w->kept += last_error_has(w->store, code);
    /* Without a handle: an open refused, naming a path of this thread's and round's. */
    snprintf(path, sizeof path, "no-such-directory/t%d-%d/store.db", w->number, round);
    wg_store *none = NULL;
    if (wg_store_open(path, NULL, &none) == WG_STORAGE_ERROR && none == NULL) w->refused++;
    wg_store_free(none);
    sched_yield();
    w->no_handle += last_error_has(NULL, path);
  }
  return NULL;
}

static void test_errors_per_thread_per_handle(void) {
  wg_store *s = county();
  /* The main thread's own failure on the handle, which no other thread's overwrites. */
  EXPECT(s, wg_unit_get(s, "512021999", NULL, &(char *){NULL}), WG_NOT_FOUND, "512021999");
  pthread_t threads[THREADS];
  worker workers[THREADS];
  for (int i = 0; i < THREADS; i++) {
    workers[i] = (worker){.store = s, .number = i};
    CHECK(pthread_create(&threads[i], NULL, work, &workers[i]) == 0);
  }
  for (int i = 0; i < THREADS; i++) CHECK(pthread_join(threads[i], NULL) == 0);
  for (int i = 0; i < THREADS; i++) {
    CHECK(workers[i].refused == 3 * ROUNDS);
    CHECK(workers[i].own == ROUNDS);
    CHECK(workers[i].kept == ROUNDS);
    CHECK(workers[i].no_handle == ROUNDS);
  }
  CHECK(last_error_has(s, "512021999"));
  /* A scope is a handle of its own: it starts with no message. */
  wg_store *town = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  char *msg = NULL;
  CHECK(wg_last_error(town, &msg) == WG_OK && msg != NULL && msg[0] == '\0');
  wg_string_free(msg);
  wg_store_free(town);
  wg_store_free(s);
}

/* A thread that never failed on a handle reads an empty message there, though another
 * thread failed on it. */
static void *read_only_thread(void *arg) {
  char *msg = NULL;
  int empty = wg_last_error(arg, &msg) == WG_OK && msg != NULL && msg[0] == '\0';
  wg_string_free(msg);
  return empty ? arg : NULL;
}

static void test_a_thread_sees_no_other_threads_message(void) {
  wg_store *s = county();
  EXPECT(s, wg_unit_get(s, "512021999", NULL, &(char *){NULL}), WG_NOT_FOUND, "512021999");
  pthread_t thread;
  void *result = NULL;
  CHECK(pthread_create(&thread, NULL, read_only_thread, s) == 0);
  CHECK(pthread_join(thread, &result) == 0);
  CHECK(result == s);
  wg_store_free(s);
}

/* A successful call, with or without a handle, leaves the last error as it was. */
static void test_success_leaves_the_last_error(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_unit_get(s, "512021999", NULL, &json), WG_NOT_FOUND, "512021999");
  EXPECT(s, wg_unit_get(s, "512021", NULL, &json), WG_OK, NULL);
  wg_string_free(json);
  EXPECT(s, wg_unit_add(s, "512021100001009", "九网格", "grid", "512021100001", NULL, NULL),
         WG_OK, NULL);
  CHECK(last_error_has(s, "512021999"));
  wg_store *other = NULL;
  EXPECT(NULL, wg_store_open("", NULL, &other), WG_INVALID_INPUT, "path");
  CHECK(other == NULL);
  EXPECT(NULL, wg_store_open(":memory:", NULL, &other), WG_OK, NULL);
  CHECK(last_error_has(NULL, "path"));
  wg_store_free(other);
  wg_store_free(s);
}

void test_last_error(void) {
  test_errors_per_thread_per_handle();
  test_a_thread_sees_no_other_threads_message();
  test_success_leaves_the_last_error();
}
