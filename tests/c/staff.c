/* Staff, assignments and who is responsible for a unit. */
#include "harness.h"

void test_staff_and_responsibility(void) {
  wg_store *s = county();
  char *json = NULL;
  EXPECT(s, wg_staff_add(s, "chief-1", "袁婷", "13812345678", &json), WG_OK, NULL);
  CHECK(json_has(json, "138****5678"));
  EXPECT(s, wg_staff_add(s, "sup-1", "郑小芳", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_staff_add(s, "sup-1", "again", NULL, NULL), WG_CONFLICT, "sup-1");
  EXPECT(s, wg_staff_assign(s, "sup-1", "512021100001", "supervisor", NULL, NULL, NULL), WG_OK, NULL);
  json = NULL;
  EXPECT(s, wg_staff_assign(s, "chief-1", "512021100001001", "grid_chief", "2024-01-01", "2024-06-30", &json),
         WG_OK, NULL);
  CHECK(json_has(json, "\"role\":\"grid_chief\""));
  EXPECT(s, wg_staff_assign(s, "chief-1", "512021100001001", "mayor", NULL, NULL, NULL), WG_INVALID_INPUT,
         "mayor");
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, "512021100001001", "2024-06-30", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"staff_id\":\"chief-1\""));
  json = NULL;
  EXPECT(s, wg_staff_responsible(s, "512021100001001", "2024-07-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"staff_id\":\"sup-1\""));
  json = NULL;
  EXPECT(s, wg_staff_get(s, "chief-1", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"phone\":\"138****5678\""));
  EXPECT(s, wg_staff_get(s, "nobody", &(char *){NULL}), WG_NOT_FOUND, "nobody");
  wg_store_free(s);
}
