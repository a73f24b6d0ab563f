/* CSV import of households: encodings, modes, progress and cancelling. */
#include "harness.h"

/* Counts progress calls; cancels once `cancel_after` calls were made (0: never). */
typedef struct {
  int calls;
  int cancel_after;
  size_t last_done;
  size_t last_total;
} progress_log;

static int on_progress(size_t done, size_t total, void *user_data) {
  progress_log *log = user_data;
  log->calls++;
  log->last_done = done;
  log->last_total = total;
  return log->cancel_after == 0 || log->calls < log->cancel_after;
}

static const char GBK_CSV[] =
      "\xbb\xa7\xb1\xe0\xba\xc5,\xcb\xf9\xca\xf4\xcd\xf8\xb8\xf1,\xb5\xd8\xd6\xb7,\xbb\xa7\xc0\xe0\xd0\xcd,\xbb\xa7\xb1\xea\xc7\xa9,\xd0\xd5\xc3\xfb,\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xc1\xaa\xcf\xb5\xb5\xe7\xbb\xb0,\xd3\xeb\xbb\xa7\xd6\xf7\xb9\xd8\xcf\xb5\n"
      "G001,512021100001001,\xb1\xb1\xb0\xd3\xbd\xd6" "1\xba\xc5,\xbb\xa7\xbc\xae,\xb5\xcd\xb1\xa3,\xd5\xc5\xc8\xfd,11010519491231002X,13812345678,\xbb\xa7\xd6\xf7\n"
      "G001,512021100001001,\xb1\xb1\xb0\xd3\xbd\xd6" "1\xba\xc5,\xbb\xa7\xbc\xae,\xb5\xcd\xb1\xa3,\xc0\xee\xcb\xc4,440524188001010014,,\xc5\xe4\xc5\xbc\n"
      "G002,512021100002001,\xc1\xfa\xbe\xae\xc2\xb7" "2\xba\xc5,\xc1\xf7\xb6\xaf,,\xcd\xf5\xce\xe5,510123194805121220,13900001111,\xbb\xa7\xd6\xf7\n";

void test_import(void) {
  wg_store *s = county();
  char *json = NULL;

  /* GBK, Chinese headers and values, progress reported to the end. */
  progress_log log = {0, 0, 0, 0};
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)GBK_CSV, sizeof GBK_CSV - 1, "{\"on\":\"2024-05-01\"}",
                       on_progress, &log, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 5);
  CHECK(json_has(json, "\"errors\":[]"));
  CHECK(log.calls >= 1 && log.last_done == 3 && log.last_total == 3);
  json = NULL;
  EXPECT(s, wg_household_get(s, "G001", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "北坝街1号") != NULL);
  CHECK(json_has(json, "\"household_class\":\"special\""));
  json = NULL;
  EXPECT(s, wg_residents(s, "G001", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "张三") < strstr(json, "李四"));
  CHECK(json_has(json, "\"relation\":\"head\""));
  json = NULL;
  EXPECT(s, wg_household_get(s, "G002", "2024-05-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"kind\":\"floating\""));

  /* Re-importing the same file updates in place. */
  json = NULL;
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)GBK_CSV, sizeof GBK_CSV - 1, "{\"on\":\"2024-05-01\"}",
                       NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 0);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_households(s, "512021", "{\"as_of\":\"2024-05-01\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\"") == 2);

  /* All or nothing: one bad row, nothing written, the row reported without the clear number. */
  const char *bad =
      "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
      "G003,512021100001002,北坝街3号,registered,,赵六,320102199003071239,,head\n"
      "G004,512021100001002,北坝街4号,registered,,钱七,510123194805121221,,head\n";
  char *audit = NULL;
  char *households = NULL;
  snapshot(s, &audit, &households);
  json = NULL;
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), NULL, NULL, NULL, &json), WG_OK,
         NULL);
  CHECK(json_long(json, "inserted") == 0);
  CHECK(json != NULL && strstr(json, "\"line\":3") != NULL);
  CHECK(json != NULL && strstr(json, "\"field\":\"id_number\"") != NULL);
  CHECK(json != NULL && strstr(json, "510123194805121221") == NULL);
  wg_string_free(json);
  CHECK(unchanged_since(s, audit, households));

  /* Skip-invalid writes the good rows and lists the bad one. */
  json = NULL;
  EXPECT(s,
         wg_import_csv(s, (const uint8_t *)bad, strlen(bad),
                       "{\"mode\":\"skip_invalid\",\"on\":\"2024-05-01\"}", NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  CHECK(json_has(json, "\"line\":3"));

  /* A cancelling callback: an error, nothing written. */
  const char *more =
      "household_id,unit,address,kind,tags,name,id_number,phone,relation\n"
      "G005,512021100001002,北坝街5号,registered,,孙八,,,head\n";
  snapshot(s, &audit, &households);
  progress_log stop = {0, 1, 0, 0};
  json = NULL;
  EXPECT(s, wg_import_csv(s, (const uint8_t *)more, strlen(more), NULL, on_progress, &stop, &json),
         WG_INVALID_INPUT, "progress");
  CHECK(json == NULL);
  CHECK(stop.calls == 1);
  CHECK(unchanged_since(s, audit, households));

  /* JSON rows, tags as an array. */
  json = NULL;
  EXPECT(s,
         wg_import_rows(s,
                        "[{\"household_id\":\"G006\",\"unit\":\"512021101001001\",\"address\":\"解放村6号\","
                        "\"kind\":\"rental\",\"tags\":[\"空巢\"],\"name\":\"周九\"}]",
                        NULL, NULL, NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  wg_string_free(json);
  json = NULL;
  EXPECT(s, wg_household_get(s, "G006", NULL, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"tags\":[\"空巢\"]"));
  EXPECT(s, wg_import_rows(s, "{\"not\":\"a list\"}", NULL, NULL, NULL, &json), WG_INVALID_INPUT,
         NULL);

  /* From a file, and a file that is not there. */
  FILE *f = fopen("c-test-import.csv", "wb");
  CHECK(f != NULL);
  if (f != NULL) {
    fputs("\xef\xbb\xbfhousehold_id,unit,address,kind,name\nG007,512021100002001,龙井路7号,出租,吴十\n", f);
    fclose(f);
  }
  json = NULL;
  EXPECT(s, wg_import_csv_file(s, "c-test-import.csv", NULL, NULL, NULL, &json), WG_OK, NULL);
  CHECK(json_long(json, "inserted") == 2);
  wg_string_free(json);
  remove("c-test-import.csv");
  EXPECT(s, wg_import_csv_file(s, "c-test-missing.csv", NULL, NULL, NULL, &json), WG_INVALID_INPUT,
         "c-test-missing.csv");

  /* Whole-file problems are errors: bad options, missing columns, undecodable bytes. */
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), "{\"mode\":\"some\"}", NULL, NULL,
                          &json),
         WG_INVALID_INPUT, "mode");
  const char *no_name = "household_id,unit,address,kind\nG8,512021100002001,x,registered\n";
  EXPECT(s, wg_import_csv(s, (const uint8_t *)no_name, strlen(no_name), NULL, NULL, NULL, &json),
         WG_INVALID_INPUT, "name");
  const uint8_t junk[] = {0xff, 0xfe, 0x00, 0x81, 0x30, 0x81, 0xff, '\n'};
  EXPECT(s, wg_import_csv(s, junk, sizeof junk, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_csv(s, NULL, 5, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_csv(s, (const uint8_t *)bad, strlen(bad), NULL, NULL, NULL, NULL),
         WG_INVALID_INPUT, "out_json");
  wg_store_free(s);
}

/* Reads the file at `path` into a malloc'd buffer; NULL if it cannot. */
static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  uint8_t *buf = malloc(1 << 16);
  *len = buf != NULL ? fread(buf, 1, 1 << 16, f) : 0;
  fclose(f);
  return buf;
}

/* A 民政 register export (tests/data, from make_minzheng.py) as XLSX: title line, Chinese
   headers and values, a grid given by name, unknown columns reported; and as GBK CSV, the
   same counts. NULL and bytes that are no workbook are refused. */
void test_import_xlsx(void) {
  wg_store *s = county();
  char *json = NULL;
  size_t len = 0;
  uint8_t *xlsx = read_all(WG_TEST_DATA "/minzheng.xlsx", &len);
  CHECK(xlsx != NULL && len > 1000);
  progress_log log = {0, 0, 0, 0};
  EXPECT(s, wg_import_xlsx(s, xlsx, len, "{\"on\":\"2025-03-01\"}", on_progress, &log, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "households_inserted") == 3);
  CHECK(json_long(json, "residents_inserted") == 5);
  CHECK(json_long(json, "inserted") == 8);
  CHECK(log.last_done == 5 && log.last_total == 5);
  CHECK(json_has(json, "\"unknown_columns\":[\"序号\",\"出生日期\",\"备注\"],\"errors\":[]"));
  json = NULL;
  EXPECT(s, wg_household_get(s, "M001", "2025-03-01", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"unit\":\"512021100001001\""));
  json = NULL;
  EXPECT(s, wg_residents(s, "M001", "2025-03-01", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"relation\":\"spouse\"") != NULL);
  CHECK(json_has(json, "\"relation\":\"child\""));

  /* The CSV of the same export updates what the workbook wrote. */
  json = NULL;
  EXPECT(s, wg_import_csv_file(s, WG_TEST_DATA "/minzheng.csv", "{\"on\":\"2025-03-01\"}", NULL,
                               NULL, &json),
         WG_OK, NULL);
  CHECK(json_long(json, "households_updated") == 3);
  CHECK(json_long(json, "residents_updated") == 5);
  CHECK(json_has(json, "\"errors\":[]"));
  json = NULL;
  EXPECT(s, wg_import_xlsx_file(s, WG_TEST_DATA "/minzheng.xlsx", "{\"header_row\":2}", NULL, NULL,
                                &json),
         WG_OK, NULL);
  CHECK(json_long(json, "updated") == 8);
  wg_string_free(json);

  /* A columns mapping to no field, NULL, and bytes that are no workbook. */
  char *audit = NULL;
  char *households = NULL;
  snapshot(s, &audit, &households);
  json = NULL;
  EXPECT(s, wg_import_xlsx(s, xlsx, len, "{\"columns\":{\"备注\":\"remark\"}}", NULL, NULL, &json),
         WG_INVALID_INPUT, "columns");
  EXPECT(s, wg_import_xlsx(s, NULL, 5, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_xlsx(s, NULL, 0, NULL, NULL, NULL, &json), WG_INVALID_INPUT, "xlsx");
  const char *csv = "household_id,unit,address,kind,name\n";
  EXPECT(s, wg_import_xlsx(s, (const uint8_t *)csv, strlen(csv), NULL, NULL, NULL, &json),
         WG_INVALID_INPUT, "xlsx");
  EXPECT(s, wg_import_xlsx(NULL, xlsx, len, NULL, NULL, NULL, &json), WG_INVALID_INPUT, NULL);
  EXPECT(s, wg_import_xlsx(s, xlsx, len, NULL, NULL, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_import_xlsx_file(s, NULL, NULL, NULL, NULL, &json), WG_INVALID_INPUT, "path");
  CHECK(json == NULL);
  CHECK(unchanged_since(s, audit, households));
  free(xlsx);
  wg_store_free(s);
}
