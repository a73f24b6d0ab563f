/*
 * The smallest C program on an installed wangge: open an in-memory store, add a unit,
 * print what the store is, free everything. Built by `make test-install` against the
 * installed library, with pkg-config (shared and static) and with CMake:
 *
 *   cc hello.c $(pkg-config --cflags --libs wangge) -o hello
 *
 * It checks that the header it was compiled with and the library it runs with agree on
 * the ABI, as a vendor's program should.
 */
#include <stdio.h>
#include <string.h>

#include <wangge.h>

/* Prints the library's last error message for `store` and returns 1. */
static int fail(const wg_store *store, const char *what, wg_status status) {
  char *message = NULL;
  wg_last_error(store, &message);
  fprintf(stderr, "%s: status %d: %s\n", what, (int)status, message ? message : "");
  wg_string_free(message);
  return 1;
}

int main(void) {
  wg_store *store = NULL;
  wg_status status = wg_store_open(":memory:", NULL, &store);
  if (status != WG_OK) return fail(NULL, "wg_store_open", status);

  char *unit = NULL;
  status = wg_unit_add(store, "512021", "安岳县", "county", NULL, NULL, &unit);
  if (status != WG_OK) {
    int rc = fail(store, "wg_unit_add", status);
    wg_store_free(store);
    return rc;
  }
  printf("unit: %s\n", unit);
  wg_string_free(unit);

  char *info = NULL;
  status = wg_store_info(store, &info);
  if (status != WG_OK) {
    int rc = fail(store, "wg_store_info", status);
    wg_store_free(store);
    return rc;
  }
  printf("header: %d.%d.%d (ABI %d)\n", WANGGE_VERSION_MAJOR, WANGGE_VERSION_MINOR,
         WANGGE_VERSION_PATCH, WANGGE_ABI_VERSION);
  printf("info: %s\n", info);

  /* The library linked must speak the ABI this program was compiled for. */
  char expected[64];
  snprintf(expected, sizeof expected, "\"abi_version\":%d", WANGGE_ABI_VERSION);
  int rc = strstr(info, expected) ? 0 : 1;
  if (rc) fprintf(stderr, "the library's ABI is not the header's (%s)\n", expected);
  wg_string_free(info);
  wg_store_free(store);
  return rc;
}
