/* Tamper evidence over the facts: the audit head, verifying since a head, and a row
 * changed in the file behind the library's back named by table and row. */
#include "harness.h"

/* Replaces every occurrence of `from` in the file at `path` by `to` (same length), as
 * anyone with the file could; returns how many were replaced. */
static int patch_file(const char *path, const char *from, const char *to) {
  FILE *f = fopen(path, "r+b");
  if (f == NULL) return 0;
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *bytes = malloc((size_t)size);
  int n = 0;
  if (bytes != NULL && fread(bytes, 1, (size_t)size, f) == (size_t)size) {
    size_t len = strlen(from);
    for (long i = 0; i + (long)len <= size; i++) {
      if (memcmp(bytes + i, from, len) == 0) {
        memcpy(bytes + i, to, len);
        n++;
      }
    }
    fseek(f, 0, SEEK_SET);
    fwrite(bytes, 1, (size_t)size, f);
  }
  free(bytes);
  fclose(f);
  return n;
}

void test_facts_are_sealed(const char *path) {
  remove(path);
  wg_store *s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "W1", "王网格员", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", "512021", "海慧路1号", NULL, NULL, NULL, NULL), WG_OK,
         NULL);
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2025-03-04", "note-AAAA", NULL), WG_OK,
         NULL);

  /* A clean store verifies, facts included, and its head is kept elsewhere. */
  char *json = NULL;
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true,"));
  json = NULL;
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"problems\":[],\"problems_total\":0"));
  char *head = NULL;
  EXPECT(s, wg_audit_head(s, &head), WG_OK, NULL);
  CHECK(head != NULL && json_long(head, "seq") == 4);
  char digest[80];
  CHECK(json_text(head, "digest", digest, sizeof digest) && strlen(digest) == 64);
  json = NULL;
  EXPECT(s, wg_audit_verify_since(s, head, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true,"));

  /* A bad head is invalid input naming since; NULLs never crash. */
  json = NULL;
  EXPECT(s, wg_audit_verify_since(s, "{\"seq\": 1}", &json), WG_INVALID_INPUT, "since");
  CHECK(json == NULL);
  EXPECT(s, wg_audit_verify_since(s, "not json", &json), WG_INVALID_INPUT, "since");
  EXPECT(s, wg_audit_verify_since(s, NULL, &json), WG_INVALID_INPUT, "since");
  EXPECT(s, wg_audit_verify_since(s, head, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_audit_head(s, NULL), WG_INVALID_INPUT, NULL);
  CHECK(wg_audit_head(NULL, &json) != WG_OK);
  CHECK(wg_audit_verify_since(NULL, head, &json) != WG_OK);
  wg_store_free(s);

  /* Someone edits the visit's note in the file itself. */
  CHECK(patch_file(path, "note-AAAA", "note-BBBB") >= 1);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"ok\":false") != NULL);
  CHECK(json_has(json, "{\"table\":\"visit\",\"row\":\"1\",\"problem\":\"edited\"}"));
  json = NULL;
  EXPECT(s, wg_audit_verify_since(s, head, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":false"));
  wg_string_free(head);
  wg_store_free(s);
  remove(path);
}
