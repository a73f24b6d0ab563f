/* Handheld terminals: a grid checked out to a device file, worked on it, merged home. */
#include "harness.h"

/* A grid checked out to W1's device at `path`: the device is scoped to the grid and
 * records a visit and a sign-for offline; home escalates the entry meanwhile; the merge
 * applies the visit and reports the sign-for once; merged again it applies nothing. A
 * withdrawn checkout, an unassigned worker and NULLs get their statuses. */
void test_handheld(const char *path) {
  wg_store *s = county();
  char *json = NULL;
  const char *grid = "512021100001001";
  remove(path);
  EXPECT(s, wg_staff_add(s, "W1", "王芳", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "W2", "李强", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_assign(s, "W1", grid, "grid_worker", "2024-01-01", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", grid, "海慧路1号", NULL, NULL, "2024-01-01", NULL), WG_OK,
         NULL);
  long e1 = register_entry(
      s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\",\"reported_at\":\"2026-11-16T09:00\"}");
  CHECK(e1 > 0);

  /* Refusals: NULLs, an unassigned worker; nothing is written at `path`. */
  EXPECT(s, wg_checkout(s, NULL, "W1", path, &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_checkout(s, grid, "W1", NULL, &json), WG_INVALID_INPUT, "path");
  EXPECT(s, wg_checkout(s, grid, "W1", path, NULL), WG_INVALID_INPUT, NULL);
  EXPECT(NULL, wg_checkout(NULL, grid, "W1", path, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_checkout(s, grid, "W2", path, &json), WG_CONFLICT, "not assigned");
  CHECK(json == NULL);

  EXPECT(s, wg_checkout(s, grid, "W1", path, &json), WG_OK, NULL);
  char device_id[64] = {0};
  CHECK(json_text(json, "device_id", device_id, sizeof device_id) && strlen(device_id) == 32);
  CHECK(json_has(json, "\"households\":1"));
  json = NULL;

  /* On the device: scoped to the grid, acting as W1; only offline work is recorded. */
  wg_store *dev = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &dev), WG_OK, NULL);
  EXPECT(dev, wg_visit_record(dev, "H1", "W1", "home", "2026-11-23", "入户走访", NULL), WG_OK,
         NULL);
  EXPECT(dev, wg_entry_sign_for(dev, e1, "W1", "2026-11-23T10:00:00+08:00", NULL), WG_OK, NULL);
  EXPECT(dev, wg_household_add(dev, "H2", grid, "海慧路2号", NULL, NULL, "2026-11-01", NULL),
         WG_PERMISSION_DENIED, "handheld");
  EXPECT(dev, wg_store_close(dev), WG_OK, NULL);
  wg_store_free(dev);

  /* Home, meanwhile, escalates the entry after the device signed for it. */
  EXPECT(s, wg_entry_escalate(s, e1, "2026-11-23T15:00:00+08:00", "需社区协调", NULL, NULL),
         WG_OK, NULL);

  EXPECT(s, wg_merge(s, path, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"applied\":1") != NULL);
  CHECK(json != NULL && strstr(json, "\"reason\":\"entry_moved_on\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"message_zh\":\"事项已在本部有新进展") != NULL);
  CHECK(count_of(json, "\"device_seq\"") == 1);
  json = NULL;
  EXPECT(s, wg_visits(s, "H1", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"on\":\"2026-11-23\""));
  json = NULL;

  /* Merged again: nothing applied, nothing reported. */
  EXPECT(s, wg_merge(s, path, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"applied\":0") != NULL);
  CHECK(json != NULL && strstr(json, "\"skipped\":2") != NULL);
  CHECK(json_has(json, "\"conflicts\":[]"));
  json = NULL;
  EXPECT(s, wg_merge(s, NULL, &json), WG_INVALID_INPUT, "path");
  EXPECT(s, wg_merge(s, path, NULL), WG_INVALID_INPUT, NULL);

  /* Withdrawn: known devices only. */
  EXPECT(s, wg_withdraw_checkout(s, device_id), WG_OK, NULL);
  EXPECT(s, wg_withdraw_checkout(s, "nope"), WG_NOT_FOUND, "checkout");
  EXPECT(s, wg_withdraw_checkout(s, NULL), WG_INVALID_INPUT, "device_id");
  EXPECT(NULL, wg_withdraw_checkout(NULL, device_id), WG_INVALID_INPUT, NULL);

  /* A device of its own key: opened and merged only with it. */
  const char *key = "000102030405060708090a0b0c0d0e0f";
  remove(path);
  EXPECT(s, wg_checkout_keyed(s, grid, "W1", path, "abc", &json), WG_INVALID_INPUT, "key_hex");
  EXPECT(s, wg_checkout_keyed(s, grid, "W1", path, key, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"refreshed\":false"));
  json = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &dev), WG_PERMISSION_DENIED, NULL);
  EXPECT(NULL,
         wg_store_open(path, "{\"key_hex\":\"000102030405060708090a0b0c0d0e0f\"}", &dev),
         WG_OK, NULL);
  EXPECT(dev, wg_visit_record(dev, "H1", "W1", "phone", "2026-11-25", NULL, NULL), WG_OK, NULL);
  EXPECT(dev, wg_store_close(dev), WG_OK, NULL);
  wg_store_free(dev);
  EXPECT(s, wg_merge(s, path, &json), WG_PERMISSION_DENIED, NULL);
  EXPECT(s, wg_merge_keyed(s, path, "ffff0102030405060708090a0b0c0d0e", &json),
         WG_PERMISSION_DENIED, NULL);
  EXPECT(s, wg_merge_keyed(s, path, key, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"applied\":1"));
  json = NULL;
  EXPECT(s, wg_merge_keyed(s, NULL, key, &json), WG_INVALID_INPUT, "path");
  EXPECT(s, wg_merge_keyed(s, path, NULL, &json), WG_INVALID_INPUT, "key_hex");
  wg_store_free(s);
  /* The read-only merges leave the device's WAL files behind. */
  char file[256];
  remove(path);
  snprintf(file, sizeof file, "%s-wal", path);
  remove(file);
  snprintf(file, sizeof file, "%s-shm", path);
  remove(file);
}
