/*
 * The header as a C++11 program sees it: compiled (not linked) by `make test-header-c`
 * with g++ -std=c++11 -pedantic -Wall -Wextra -Werror: the declarations, the enum and
 * the callback type must be usable from C++ as they are from C.
 */
#include "wangge.h"

static int keep_going(size_t done, size_t total, void *user_data) {
  (void)user_data;
  return done <= total;
}

int main() {
  wg_store *store = nullptr;
  char *message = nullptr;
  wg_progress_fn progress = keep_going;
  wg_status status = wg_store_open(":memory:", nullptr, &store);
  if (status == WG_OK) status = wg_last_error(store, &message);
  wg_string_free(message);
  wg_store_free(store);
  static_cast<void>(progress);
  return status == WG_OK ? 0 : static_cast<int>(WG_DEFAULT_MIN_SAMPLE);
}
