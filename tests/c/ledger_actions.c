/* Batches of entry actions. */
#include "harness.h"

/* A batch of workflow actions: applied in order in one write, recorded as the single
 * actions are; one refusal refuses the whole batch, named by its position, and nothing is
 * written; bad input and NULLs are answered with a status. */
void test_ledger_work_batch(void) {
  wg_store *s = county();
  char *json = NULL;
  char batch[1024];
  size_t count = 99;
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  long a = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"北坝街下水道堵塞\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  long b = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\","
                             "\"reported_at\":\"2024-03-04T09:30\"}");
  CHECK(a > 0 && b > a);

  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"2024-03-04T10:00\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"2024-03-04T10:05\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-04T10:30\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"resolve\",\"at\":\"2024-03-05T15:00+08:00\","
           "\"note\":\"已疏通\"}]",
           a, b, a, a);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_OK, NULL);
  CHECK(count == 4);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"signed_at\":\"2024-03-04T10:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"resolved_at\":\"2024-03-05T15:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"resolved\""));
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"actor\":\"W1\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"note\":\"已疏通\"") != NULL);
  CHECK(count_of(json, "\"action\":") == 4);
  /* An empty batch applies nothing. */
  EXPECT(s, wg_entries_work_batch(s, "[]", &count), WG_OK, NULL);
  CHECK(count == 0);

  /* Closing an entry just registered is refused: the batch, its first (allowed) action
   * included, is not applied, and the count is not written. */
  long c = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"小区垃圾无人清运\","
                             "\"reported_at\":\"2024-03-06T09:00\"}");
  char *before = NULL;
  char *after = NULL;
  char *audit = NULL;
  char *households = NULL;
  EXPECT(s, wg_entry(s, c, &before), WG_OK, NULL);
  snapshot(s, &audit, &households);
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"staff_id\":\"W1\"},"
           "{\"entry_id\":%ld,\"action\":\"close\",\"at\":\"2024-03-06T10:00\"}]",
           b, c);
  count = 99;
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_TRANSITION, "action 1 of the batch");
  CHECK(count == 99);
  EXPECT(s, wg_entry(s, c, &after), WG_OK, NULL);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  wg_string_free(before);
  wg_string_free(after);
  CHECK(unchanged_since(s, audit, households));
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_history(s, c, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 1);

  /* The batch's other refusals, each with its status and the place it names. */
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"staff_id\":\"W9\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_NOT_FOUND, "W9");
  EXPECT(s,
         wg_entries_work_batch(
             s, "[{\"entry_id\":999999,\"action\":\"close\",\"at\":\"2024-03-06T10:00\"}]", &count),
         WG_NOT_FOUND, "999999");
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"register\",\"at\":\"2024-03-06T10:00\"}]", c);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "action 0 of the batch");
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T10:00\",\"colour\":\"red\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "colour");
  snprintf(batch, sizeof batch, "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"soon\"}]", b);
  EXPECT(s, wg_entries_work_batch(s, batch, &count), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entries_work_batch(s, "{}", &count), WG_INVALID_INPUT, "actions");
  EXPECT(s, wg_entries_work_batch(s, "not json", &count), WG_INVALID_INPUT, "actions");
  CHECK(count == 99);
  /* The count may be left unasked for. */
  snprintf(batch, sizeof batch,
           "[{\"entry_id\":%ld,\"action\":\"start\",\"at\":\"2024-03-06T11:00\",\"staff_id\":\"W1\"}]",
           b);
  EXPECT(s, wg_entries_work_batch(s, batch, NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));

  /* NULL handles and arguments are answered, never a crash; nothing is written. */
  const char bad_utf8[] = {'[', (char)0xff, ']', 0};
  count = 99;
  EXPECT(NULL, wg_entries_work_batch(NULL, "[]", &count), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries_work_batch(s, NULL, &count), WG_INVALID_INPUT, "actions_json");
  EXPECT(s, wg_entries_work_batch(s, bad_utf8, &count), WG_INVALID_INPUT, "UTF-8");
  EXPECT(NULL, wg_entries_work_batch(NULL, NULL, NULL), WG_INVALID_INPUT, "store");
  CHECK(count == 99);

  /* Every action of a batch went through the audit chain, which still verifies. */
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(s);
}

/* Several handles' batches in one write: each under its own scope and actor, all or
 * nothing, the refusal naming its batch; handles of two stores and NULLs are refused. */
void test_ledger_work_together(void) {
  wg_store *s = county();
  wg_store *community = NULL;
  wg_store *township = NULL;
  wg_store *other = NULL;
  char *json = NULL;
  char first[512];
  char second[512];
  size_t count = 99;
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_store_scope(s, "512021100001", "北坝社区网格员", &community), WG_OK, NULL);
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇综治中心", &township), WG_OK, NULL);
  EXPECT(s, wg_store_scope(s, "512021100002", "龙井社区网格员", &other), WG_OK, NULL);
  long a = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"北坝街下水道堵塞\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  long b = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\","
                             "\"reported_at\":\"2024-03-04T09:30\"}");
  snprintf(first, sizeof first,
           "[{\"entry_id\":%ld,\"action\":\"sign_for\",\"at\":\"2024-03-04T10:00\",\"staff_id\":\"W1\"}]", a);
  snprintf(second, sizeof second,
           "[{\"entry_id\":%ld,\"action\":\"escalate\",\"at\":\"2024-03-04T10:05\",\"note\":\"超出能力\"}]", b);

  /* 龙井社区's desk cannot reach 北坝社区's entry: nothing is written, not even the
   * first batch, and the message names the batch. */
  const wg_store *refused[] = {community, other};
  const char *texts[] = {first, second};
  EXPECT(community, wg_entries_work_together(refused, texts, 2, &count), WG_NOT_FOUND, "of batch 1");
  CHECK(count == 99);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"registered\""));

  const wg_store *desks[] = {community, township};
  EXPECT(community, wg_entries_work_together(desks, texts, 2, &count), WG_OK, NULL);
  CHECK(count == 2);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_history(s, b, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"actor\":\"岳阳镇综治中心\""));
  EXPECT(s, wg_audit_log(s, 0, 100000, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"actor\":\"北坝社区网格员\"") != NULL);
  CHECK(json_has(json, "\"actor\":\"岳阳镇综治中心\""));

  /* Handles of two stores, NULL arrays or items, and bad JSON are refused. */
  wg_store *elsewhere = county();
  const wg_store *two_stores[] = {community, elsewhere};
  const wg_store *with_null[] = {community, NULL};
  const char *null_text[] = {first, NULL};
  const char *bad[] = {first, "{}"};
  count = 99;
  EXPECT(community, wg_entries_work_together(two_stores, texts, 2, &count), WG_INVALID_INPUT, "batches");
  EXPECT(community, wg_entries_work_together(with_null, texts, 2, &count), WG_INVALID_INPUT, "store");
  EXPECT(community, wg_entries_work_together(desks, null_text, 2, &count), WG_INVALID_INPUT, "actions_json");
  EXPECT(community, wg_entries_work_together(desks, bad, 2, &count), WG_INVALID_INPUT, "batch 1");
  EXPECT(NULL, wg_entries_work_together(NULL, texts, 2, &count), WG_INVALID_INPUT, "NULL");
  EXPECT(community, wg_entries_work_together(desks, NULL, 2, &count), WG_INVALID_INPUT, "NULL");
  CHECK(count == 99);
  EXPECT(NULL, wg_entries_work_together(NULL, NULL, 0, &count), WG_OK, NULL);
  CHECK(count == 0);

  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(elsewhere);
  wg_store_free(other);
  wg_store_free(township);
  wg_store_free(community);
  wg_store_free(s);
}
