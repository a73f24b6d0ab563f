/*
 * The deployment key from C: a keyed store round-trips residents, keeps no ID number or
 * phone in clear, refuses a missing or wrong key untouched, rekeys, and says what it is.
 */
#include "harness.h"

#define KEY "000102030405060708090a0b0c0d0e0f"
#define OTHER "f0e1d2c3b4a5968778695a4b3c2d1e0f00112233"
#define ID "510123194805121220"
#define PHONE "13812345678"

/* True when the file at `path` holds `needle` anywhere (its WAL included). */
static int file_holds(const char *path, const char *needle) {
  char wal[512];
  const char *files[2] = {path, wal};
  snprintf(wal, sizeof wal, "%s-wal", path);
  size_t n = strlen(needle);
  for (int f = 0; f < 2; f++) {
    FILE *fp = fopen(files[f], "rb");
    if (fp == NULL) continue;
    size_t matched = 0;
    int c;
    while ((c = fgetc(fp)) != EOF) {
      if ((char)c == needle[matched]) {
        if (++matched == n) {
          fclose(fp);
          return 1;
        }
      } else {
        matched = (char)c == needle[0] ? 1 : 0;
      }
    }
    fclose(fp);
  }
  return 0;
}

/* The file's bytes, malloc'd, with their count in `*size`. */
static char *file_bytes(const char *path, long *size) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return NULL;
  fseek(fp, 0, SEEK_END);
  *size = ftell(fp);
  fseek(fp, 0, SEEK_SET);
  char *bytes = malloc((size_t)*size);
  if (bytes != NULL && fread(bytes, 1, (size_t)*size, fp) != (size_t)*size) {
    free(bytes);
    bytes = NULL;
  }
  fclose(fp);
  return bytes;
}

static long fill(wg_store *s) {
  char *json = NULL;
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100001", "北坝社区", "community", "512021100", NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100001001", "北坝一网格", "grid", "512021100001", NULL, NULL),
         WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", "512021100001001", "海慧路1号", NULL, NULL, "2020-01-01", NULL),
         WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "s1", "袁婷", "13987654321", NULL), WG_OK, NULL);
  EXPECT(s,
         wg_resident_add(s, "H1", "{\"name\": \"付良容\", \"id_number\": \"" ID "\", \"phone\": \"" PHONE "\"}",
                         "2020-01-01", &json),
         WG_OK, NULL);
  long id = json_long(json, "resident_id");
  CHECK(json != NULL && strstr(json, "510123**********20") != NULL);
  CHECK(json != NULL && strstr(json, ID) == NULL);
  wg_string_free(json);
  return id;
}

void test_keys(const char *path) {
  remove(path);
  wg_store *s = NULL;
  char *json = NULL;
  /* Bad keys: not hex, too short; the message never shows the key. */
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"zz\"}", &s), WG_INVALID_INPUT, "key_hex");
  CHECK(s == NULL && last_error_lacks(NULL, "zz"));
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"0011\"}", &s), WG_INVALID_INPUT, "key_hex");
  CHECK(s == NULL && last_error_lacks(NULL, "0011"));

  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"" KEY "\"}", &s), WG_OK, NULL);
  long id = fill(s);
  EXPECT(s, wg_resident_clear(s, id, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"" ID "\""));
  json = NULL;
  EXPECT(s, wg_resident_add(s, "H1", "{\"name\": \"付良\", \"id_number\": \"" ID "\"}", NULL, NULL),
         WG_CONFLICT, "510123**********20");
  EXPECT(s, wg_store_info(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"keyed\":true"));
  /* The SQLite the library runs on: its own bundled copy, a 3.x. */
  json = NULL;
  EXPECT(s, wg_store_info(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"sqlite_version\":\"3."));
  json = NULL;
  EXPECT(s, wg_store_info(s, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(NULL, wg_store_info(NULL, &json), WG_INVALID_INPUT, NULL);
  wg_store_free(s);
  s = NULL;
  CHECK(!file_holds(path, ID) && !file_holds(path, PHONE) && !file_holds(path, "13987654321"));

  /* Without the key or with another, refused and untouched. */
  long before_size = 0, after_size = 0;
  char *before = file_bytes(path, &before_size);
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_PERMISSION_DENIED, "key");
  CHECK(s == NULL);
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"" OTHER "\"}", &s), WG_PERMISSION_DENIED, NULL);
  CHECK(s == NULL);
  char *after = file_bytes(path, &after_size);
  CHECK(before != NULL && after != NULL && before_size == after_size &&
        memcmp(before, after, (size_t)before_size) == 0);
  free(before);
  free(after);

  /* Rekey to another key: the old one is then refused. */
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"" KEY "\"}", &s), WG_OK, NULL);
  wg_store *scoped = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "镇管理员", &scoped), WG_OK, NULL);
  EXPECT(scoped, wg_store_rekey(scoped, OTHER), WG_PERMISSION_DENIED, NULL);
  wg_store_free(scoped);
  EXPECT(s, wg_store_rekey(s, "abc"), WG_INVALID_INPUT, "key_hex");
  EXPECT(s, wg_store_rekey(s, NULL), WG_INVALID_INPUT, "key_hex");
  EXPECT(NULL, wg_store_rekey(NULL, OTHER), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_store_rekey(s, OTHER), WG_OK, NULL);
  EXPECT(s, wg_resident_clear(s, id, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"" PHONE "\""));
  wg_store_free(s);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"" KEY "\"}", &s), WG_PERMISSION_DENIED, NULL);
  EXPECT(NULL, wg_store_open(path, "{\"key_hex\": \"" OTHER "\"}", &s), WG_OK, NULL);
  EXPECT(s, wg_resident_clear(s, id, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"" ID "\""));
  wg_store_free(s);
  s = NULL;

  /* A store without a key: info says so, a key given to it is refused, rekey seals it. */
  wg_store *m = NULL;
  EXPECT(NULL, wg_store_open(":memory:", NULL, &m), WG_OK, NULL);
  EXPECT(m, wg_store_info(m, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"keyed\":false"));
  EXPECT(m, wg_store_rekey(m, KEY), WG_OK, NULL);
  EXPECT(m, wg_store_info(m, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"keyed\":true"));
  wg_store_free(m);
}
