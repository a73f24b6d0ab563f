/*
 * The header as a C99 program sees it: compiled (not linked) by `make test-header-c` with
 * gcc -std=c99 -pedantic -Wall -Wextra -Werror. Not part of the C test program.
 */
#include "wangge.h"

static int keep_going(size_t done, size_t total, void *user_data) {
  (void)user_data;
  return done <= total;
}

int main(void) {
  wg_store *store = NULL;
  char *message = NULL;
  wg_progress_fn progress = keep_going;
  wg_status (*open)(const char *, const char *, wg_store **) = wg_store_open;
  wg_status status = open(":memory:", NULL, &store);
  if (status == WG_OK) status = wg_last_error(store, &message);
  wg_string_free(message);
  wg_store_free(store);
  (void)progress;
  return status == WG_OK || status == WG_INTERNAL_ERROR ? 0 : (int)WG_DEFAULT_MIN_SAMPLE;
}
