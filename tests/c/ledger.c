/* The ledger: rules, classification, entries, the workflow, tick, queries and piles. */
#include "harness.h"

void test_ledger(void) {
  wg_store *s = county();
  char *json = NULL;
  char needle[128];
  const char *grid = "512021100001001";
  EXPECT(s, wg_staff_add(s, "W1", "网格员甲", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H1", grid, "北坝街1号", NULL, NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_household_add(s, "H2", grid, "北坝街2号", NULL, "低保", NULL, NULL), WG_OK, NULL);

  /* The default rules apply until a set is given. */
  EXPECT(s, wg_ledger_rules(s, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"sign_for_days\":1") != NULL);
  CHECK(json_has(json, "\"name\":\"市政设施\""));

  /* Classification says why: the keyword 下水道 suggests 市政设施, handled on site by the
   * grid. */
  EXPECT(s,
         wg_classify(s,
                     "{\"summary\":\"北坝街下水道堵塞\",\"unit\":\"512021100001001\","
                     "\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"category\":\"市政设施\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"下水道\",\"rule\":\"keyword\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"triage\":\"on_site\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":false") != NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001001\"}"));
  /* An urgency keyword makes it urgent: triage escalate, to the township, in hours. */
  EXPECT(s,
         wg_classify(s,
                     "{\"category\":\"安全生产\",\"summary\":\"楼道里燃气泄漏\","
                     "\"unit\":\"512021100001001\",\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"triage\":\"escalate\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"燃气泄漏\",\"rule\":\"urgent_keyword\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"time_limit\":{\"hours\":24}") != NULL);
  CHECK(json_has(json, "\"name\":\"512021100\""));
  /* A 低保 household's entry lands in 困难群众 too; its unit finds the handler. */
  EXPECT(s,
         wg_classify(s, "{\"summary\":\"下水道堵塞\",\"household_id\":\"H2\",\"at\":\"2024-03-04T09:00\"}",
                     &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"books\":[\"民生诉求\",\"困难群众\"]") != NULL);
  CHECK(json != NULL && strstr(json, "\"matched\":\"低保\",\"rule\":\"tag\"") != NULL);
  CHECK(json_has(json, "\"name\":\"512021100001001\""));
  EXPECT(s, wg_classify(s, "{\"summary\":\"你好\"}", &json), WG_INVALID_INPUT, "category");
  EXPECT(s, wg_classify(s, "{\"category\":\"天气\",\"summary\":\"\"}", &json), WG_INVALID_INPUT,
         "天气");
  EXPECT(s, wg_classify(s, "{\"sumary\":\"下水道\"}", &json), WG_INVALID_INPUT, "sumary");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\",\"at\":\"soon\"}", &json), WG_INVALID_INPUT,
         "at");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\",\"unit\":\"512021100001999\"}", &json),
         WG_NOT_FOUND, "512021100001999");

  /* Registered with its deadline in working days (Monday + 5) and a sign-for limit of one. */
  EXPECT(s,
         wg_entry_register(s,
                           "{\"unit\":\"512021100001001\",\"summary\":\"北坝街下水道堵塞\","
                           "\"reported_at\":\"2024-03-04T09:00\",\"source\":\"hotline\","
                           "\"household_id\":\"H1\"}",
                           &json),
         WG_OK, NULL);
  long a = json_long(json, "id");
  CHECK(a > 0);
  CHECK(json != NULL && strstr(json, "\"status\":\"registered\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"standing\":\"pending\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"source\":\"hotline\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"time_limit\":{\"working_days\":5}") != NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-11T23:59:59+08:00\"") != NULL);
  CHECK(json_has(json, "\"sign_due\":\"2024-03-05T23:59:59+08:00\""));

  /* Starting before signing for is refused and changes nothing. */
  char *before = NULL;
  char *after = NULL;
  EXPECT(s, wg_entry(s, a, &before), WG_OK, NULL);
  EXPECT(s, wg_entry_start(s, a, "W1", "2024-03-04T09:30", &json), WG_INVALID_TRANSITION,
         "registered");
  EXPECT(s, wg_entry(s, a, &after), WG_OK, NULL);
  CHECK(before != NULL && after != NULL && strcmp(before, after) == 0);
  wg_string_free(before);
  wg_string_free(after);
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 1);

  /* The whole workflow: sign for, start, suspend and resume (the clock stopped two working
   * days), extend by three, mark hard, resolve, an unsatisfied check (rework), resolve
   * again, a satisfied check, close. */
  EXPECT(s, wg_entry_sign_for(s, a, "W1", "2024-03-04T10:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"signed_at\":\"2024-03-04T10:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"sign_due\":null") != NULL);
  CHECK(json_has(json, "\"status\":\"signed_for\""));
  EXPECT(s, wg_entry_start(s, a, "W1", "2024-03-04T10:30", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, a, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_suspend(s, a, "2024-03-04T11:00", "等待物业维修资金", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"suspended_since\":\"2024-03-04T11:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"suspended\""));
  EXPECT(s, wg_entry_resume(s, a, "2024-03-06T09:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-13T23:59:59+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 3, "需协调市政部门", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"deadline\":\"2024-03-18T23:59:59+08:00\""));
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", -1, "负数", &json), WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 0, "零", &json), WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 366, "太久", &json), WG_INVALID_INPUT,
         "days");
  EXPECT(s, wg_entry_extend(s, a, "2024-03-06T10:00", 4294967297LL, "回绕", &json),
         WG_INVALID_INPUT, "days");
  EXPECT(s, wg_entry_mark_hard(s, a, "2024-03-06T11:00", "涉及多户", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"hard\":true") != NULL);
  CHECK(json_has(json, "\"standing\":\"hard\""));
  EXPECT(s, wg_entry_mark_hard(s, a, "2024-03-06T11:00", "再次", NULL), WG_INVALID_TRANSITION,
         "already");
  EXPECT(s, wg_entry_resolve(s, a, "2024-03-07T15:00", "已疏通", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"first_resolved_at\":\"2024-03-07T15:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"standing\":\"resolved\""));
  EXPECT(s, wg_entry_verify(s, a, "2024-03-08T09:00", 0, "仍有异味", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"rework\":1") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));
  EXPECT(s, wg_entry_close(s, a, "2024-03-08T10:00", NULL), WG_INVALID_TRANSITION, "in_progress");
  EXPECT(s, wg_entry_resolve(s, a, "2024-03-08T15:00", "再次疏通", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry_verify(s, a, "2024-03-09T09:00", 1, NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"verified\":true") != NULL);
  CHECK(json_has(json, "\"status\":\"resolved\""));
  EXPECT(s, wg_entry_close(s, a, "2024-03-09T10:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"closed_at\":\"2024-03-09T10:00:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"status\":\"closed\""));
  /* Not before the entry's last event. */
  EXPECT(s, wg_entry_reopen(s, a, "2024-03-09T09:59", "居民反映", NULL), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_history(s, a, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"days\":3") != NULL);
  CHECK(json != NULL && strstr(json, "\"satisfied\":false") != NULL);
  CHECK(json != NULL && strstr(json, "\"actor\":\"W1\"") != NULL);
  CHECK(count_of(json, "\"action\":") == 12);

  /* Escalated to the community, returned as misrouted, handed to a department. */
  long b = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"路灯不亮\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  CHECK(b > a);
  EXPECT(s, wg_entry_sign_for(s, b, "W9", "2024-03-04T09:30", NULL), WG_NOT_FOUND, "W9");
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T10:00", "需要社区协调", NULL, &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001\"}") != NULL);
  CHECK(json_has(json, "\"status\":\"registered\""));
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T10:10", "转错", "512021101", NULL), WG_INVALID_INPUT,
         "512021101");
  EXPECT(s, wg_entry_return(s, b, "2024-03-04T11:00", "属网格职责", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100001001\"}"));
  EXPECT(s, wg_entry_return(s, b, "2024-03-04T11:10", "再退", NULL), WG_INVALID_TRANSITION, "return");
  EXPECT(s, wg_entry_escalate(s, b, "2024-03-04T12:00", "转交职能部门", "县住建局", &json), WG_OK,
         NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"department\",\"name\":\"县住建局\"}"));
  EXPECT(s, wg_entry_sign_for(s, b, "W1", "2024-03-04T13:00", NULL), WG_OK, NULL);

  /* Not signed for within a working day: the tick escalates it to the community at the
   * moment the limit ran out; a second tick at the same time does nothing. */
  long c = register_entry(s, "{\"unit\":\"512021100001001\",\"summary\":\"小区垃圾无人清运\","
                             "\"reported_at\":\"2024-03-04T09:00\"}");
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", &json), WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"entry_id\":%ld", c);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-06T00:00:00+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"auto\":true") != NULL);
  CHECK(count_of(json, "\"action\":\"escalate\"") == 1);
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_tick(s, "2024-03-07T12:00", NULL), WG_OK, NULL);
  EXPECT(s, wg_entry(s, c, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"512021100001\""));

  /* A batch is registered whole or not at all. */
  EXPECT(s,
         wg_entries_register_batch(s,
                                   "[{\"unit\":\"512021100001001\",\"summary\":\"邻里噪音纠纷\","
                                   "\"reported_at\":\"2024-03-05T09:00\"},"
                                   "{\"unit\":\"512021100001999\",\"summary\":\"下水道堵塞\","
                                   "\"reported_at\":\"2024-03-05T09:00\"}]",
                                   &json),
         WG_NOT_FOUND, "entry 1 of the batch");
  EXPECT(s,
         wg_entries_register_batch(s,
                                   "[{\"unit\":\"512021100001001\",\"summary\":\"邻里噪音纠纷\","
                                   "\"reported_at\":\"2024-03-05T09:00\"},"
                                   "{\"unit\":\"512021100001001\",\"summary\":\"家门口下水道堵塞\","
                                   "\"household_id\":\"H2\",\"reported_at\":\"2024-03-05T09:00\"}]",
                                   &json),
         WG_OK, NULL);
  snprintf(needle, sizeof needle, "[%ld,%ld]", c + 1, c + 2);
  CHECK(json != NULL && strcmp(json, needle) == 0);
  wg_string_free(json);
  EXPECT(s, wg_entries_register_batch(s, "{}", NULL), WG_INVALID_INPUT, "entries");

  /* A visit's finding taken up by an entry, once. */
  EXPECT(s, wg_visit_record(s, "H1", "W1", "home", "2024-03-05", NULL, &json), WG_OK, NULL);
  long visit = json_long(json, "id");
  wg_string_free(json);
  EXPECT(s, wg_finding_record(s, visit, "楼道灯坏了", "市政设施", 0, &json), WG_OK, NULL);
  long finding = json_long(json, "id");
  wg_string_free(json);
  EXPECT(s, wg_finding_register(s, finding, NULL, "2024-03-05T10:00", &json), WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"finding_id\":%ld", finding);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(json != NULL && strstr(json, "\"household_id\":\"H1\"") != NULL);
  CHECK(json_has(json, "\"category\":\"市政设施\""));
  EXPECT(s, wg_finding_register(s, finding, NULL, "2024-03-05T10:00", NULL), WG_CONFLICT, "already");
  EXPECT(s, wg_finding_register(s, -1, NULL, "2024-03-05T10:00", NULL), WG_NOT_FOUND,
         "finding not found: -1");

  /* An urgent entry: with the township, limits in hours. */
  EXPECT(s,
         wg_entry_register(s,
                           "{\"unit\":\"512021100001001\",\"category\":\"安全生产\","
                           "\"summary\":\"楼道里燃气泄漏\",\"reported_at\":\"2024-03-07T12:30\"}",
                           &json),
         WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"urgent\":true") != NULL);
  CHECK(json != NULL && strstr(json, "\"deadline\":\"2024-03-08T12:30:00+08:00\"") != NULL);
  CHECK(json_has(json, "\"handler\":{\"kind\":\"unit\",\"name\":\"512021100\"}"));
  /* Reopened after the week: back to work, still hard. */
  EXPECT(s, wg_entry_reopen(s, a, "2024-03-11T09:00", "居民反映再次堵塞", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"closed_at\":null") != NULL);
  CHECK(json_has(json, "\"status\":\"in_progress\""));

  /* Queries as of a moment, by standing, status, book, period, overdue. */
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\"}", &json), WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 7);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\",\"standing\":\"hard\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-10T00:00\",\"status\":\"closed\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":\"北坝街下水道堵塞\"") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021100001\",\"at\":\"2024-03-31T00:00\",\"book\":\"困难群众\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"household_id\":\"H2\"") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-31T00:00\",\"period\":\"2024-03-07\","
                          "\"category\":\"安全生产\"}",
                       &json),
         WG_OK, NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"at\":\"2024-03-08T00:00\",\"overdue\":true}", &json),
         WG_OK, NULL);
  snprintf(needle, sizeof needle, "\"id\":%ld,", c);
  CHECK(json != NULL && strstr(json, needle) != NULL);
  CHECK(count_of(json, "\"summary\":") == 1);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021101\",\"at\":\"2024-03-31T00:00\"}", &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "[]") == 0);
  wg_string_free(json);
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"standing\":\"stuck\"}", &json), WG_INVALID_INPUT,
         "stuck");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"status\":\"lost\"}", &json), WG_INVALID_INPUT, "lost");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"period\":\"2024-Q5\"}", &json), WG_INVALID_INPUT,
         "period");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"colour\":\"red\"}", &json), WG_INVALID_INPUT,
         "colour");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\",\"overdue\":\"yes\"}", &json), WG_INVALID_INPUT,
         "invalid query");
  EXPECT(s, wg_entries(s, "{\"at\":\"2024-03-31T00:00\"}", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512099\"}", &json), WG_NOT_FOUND, "512099");

  /* The weekly meeting's piles: one resolved in the week, six pending (two overdue);
   * the next week the reopened entry is hard. */
  EXPECT(s, wg_piles(s, "512021100001", "2024-W10", &json), WG_OK, NULL);
  CHECK(json != NULL && strstr(json, "\"period\":\"2024-W10\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"at\":\"2024-03-10T23:59:59+08:00\"") != NULL);
  CHECK(json != NULL && strstr(json, "\"resolved\":{\"count\":1,") != NULL);
  CHECK(json != NULL && strstr(json, "\"hard\":{\"count\":0,") != NULL);
  CHECK(json_has(json, "\"pending\":{\"count\":6,"));
  EXPECT(s, wg_piles(s, "512021100001", "2024-W11", &json), WG_OK, NULL);
  CHECK(json_has(json, "\"hard\":{\"count\":1,"));
  EXPECT(s, wg_piles(s, "512021100001", "2024-W99", &json), WG_INVALID_INPUT, "period");

  /* Rules are versioned data, checked field by field; scoped handles may not set them. */
  EXPECT(s,
         wg_ledger_rules_set(s,
                             "{\"categories\":[{\"name\":\"市政设施\",\"books\":[\"民生诉求\"],"
                             "\"days\":2,\"keywords\":[\"路灯\"]}]}",
                             "2024-04-01"),
         WG_OK, NULL);
  EXPECT(s, wg_classify(s, "{\"summary\":\"路灯不亮\",\"at\":\"2024-04-02T09:00\"}", &json), WG_OK,
         NULL);
  CHECK(json != NULL && strstr(json, "\"rules_from\":\"2024-04-01\"") != NULL);
  CHECK(json_has(json, "\"time_limit\":{\"working_days\":2}"));
  EXPECT(s, wg_ledger_rules(s, "2024-03-31", &json), WG_OK, NULL);
  CHECK(json_has(json, "环境卫生"));
  EXPECT(s, wg_ledger_rules(s, "2024-04-01", &json), WG_OK, NULL);
  CHECK(count_of(json, "环境卫生") == 0);
  EXPECT(s, wg_ledger_rules_set(s, "{\"books\":[\"民生诉求\"]}", NULL), WG_INVALID_INPUT,
         "categories");
  EXPECT(s,
         wg_ledger_rules_set(s, "{\"categories\":[{\"name\":\"x\",\"books\":[\"不存在\"]}]}", NULL),
         WG_INVALID_INPUT, "不存在");
  wg_store *other = NULL;
  EXPECT(s, wg_store_scope(s, "512021101", "石桥铺镇", &other), WG_OK, NULL);
  EXPECT(other, wg_ledger_rules_set(other, "{\"categories\":[]}", NULL), WG_PERMISSION_DENIED, NULL);
  EXPECT(other, wg_entry(other, a, &json), WG_NOT_FOUND, NULL);
  EXPECT(other, wg_entry_resolve(other, a, "2024-03-12T09:00", "越权", NULL), WG_NOT_FOUND,
         NULL);
  EXPECT(other, wg_entry_register(other,
                                  "{\"unit\":\"512021100001001\",\"summary\":\"下水道堵塞\","
                                  "\"reported_at\":\"2024-03-12T09:00\"}",
                                  NULL),
         WG_PERMISSION_DENIED, NULL);
  wg_store_free(other);

  /* Ids are positive: unknown ones, zero and negative ones alike, are not found, as in
     the core and Python. */
  EXPECT(s, wg_entry(s, 999999, &json), WG_NOT_FOUND, "999999");
  EXPECT(s, wg_entry(s, -1, &json), WG_NOT_FOUND, "entry not found: -1");
  EXPECT(s, wg_entry(s, 0, &json), WG_NOT_FOUND, "entry not found: 0");
  EXPECT(s, wg_entry_history(s, -5, &json), WG_NOT_FOUND, "entry not found: -5");
  EXPECT(s, wg_entry_sign_for(s, -1, "W1", "2024-03-12T09:00", NULL), WG_NOT_FOUND,
         "entry not found: -1");
  EXPECT(s, wg_entry_close(s, 999999, "2024-03-12T09:00", NULL), WG_NOT_FOUND, "999999");

  /* NULL handles, arguments and out-pointers are answered, never a crash; nothing is
   * written. */
  const char bad_utf8[] = {'x', (char)0xff, 0};
  const char *at = "2024-03-12T09:00";
  json = NULL;
  EXPECT(NULL, wg_ledger_rules_set(NULL, "{}", NULL), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_ledger_rules_set(s, NULL, NULL), WG_INVALID_INPUT, "rules_json");
  EXPECT(s, wg_ledger_rules(s, NULL, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_ledger_rules(s, "2024-13-01", &json), WG_INVALID_INPUT, "as_of");
  EXPECT(NULL, wg_classify(NULL, "{\"summary\":\"下水道\"}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_classify(s, NULL, &json), WG_INVALID_INPUT, "request_json");
  EXPECT(s, wg_classify(s, "{\"summary\":\"下水道\"}", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(s, wg_classify(s, bad_utf8, &json), WG_INVALID_INPUT, "UTF-8");
  EXPECT(NULL, wg_entry_register(NULL, "{}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_register(s, NULL, &json), WG_INVALID_INPUT, "entry_json");
  EXPECT(s, wg_entry_register(s, "not json", &json), WG_INVALID_INPUT, "invalid entry");
  EXPECT(s, wg_entry_register(s, "{\"unit\":\"512021100001001\",\"summary\":\"下水道\"}", &json),
         WG_INVALID_INPUT, "reported_at");
  EXPECT(NULL, wg_entries_register_batch(NULL, "[]", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries_register_batch(s, NULL, &json), WG_INVALID_INPUT, "entries_json");
  EXPECT(NULL, wg_finding_register(NULL, finding, NULL, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_finding_register(s, finding, NULL, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_sign_for(NULL, b, "W1", at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_sign_for(s, c, NULL, at, &json), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_entry_sign_for(s, c, "W1", NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_start(NULL, b, "W1", at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_start(s, b, NULL, at, &json), WG_INVALID_INPUT, "staff_id");
  EXPECT(s, wg_entry_start(s, b, "W1", "tomorrow", &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_escalate(NULL, c, at, "x", NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_escalate(s, c, at, NULL, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(s, wg_entry_escalate(s, c, NULL, "x", NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_escalate(s, c, at, "x", bad_utf8, &json), WG_INVALID_INPUT, "to");
  EXPECT(NULL, wg_entry_return(NULL, c, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_return(s, c, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_mark_hard(NULL, c, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_mark_hard(s, c, NULL, "x", &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_mark_hard(s, c, at, "", &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_suspend(NULL, b, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_suspend(s, b, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_resume(NULL, b, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_resume(s, b, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_resume(s, b, at, &json), WG_INVALID_TRANSITION, "signed_for");
  EXPECT(NULL, wg_entry_extend(NULL, b, at, 1, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_extend(s, b, at, 1, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_entry_resolve(NULL, a, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_resolve(s, a, at, NULL, &json), WG_INVALID_INPUT, "result");
  EXPECT(NULL, wg_entry_verify(NULL, a, at, 1, NULL, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_verify(s, a, NULL, 1, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(s, wg_entry_verify(s, a, at, 1, bad_utf8, &json), WG_INVALID_INPUT, "note");
  EXPECT(NULL, wg_entry_close(NULL, a, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_close(s, a, NULL, &json), WG_INVALID_INPUT, "at");
  EXPECT(NULL, wg_entry_reopen(NULL, a, at, "x", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_reopen(s, a, at, NULL, &json), WG_INVALID_INPUT, "reason");
  EXPECT(NULL, wg_tick(NULL, at, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_tick(s, NULL, &json), WG_INVALID_INPUT, "now");
  EXPECT(s, wg_tick(s, "yesterday", NULL), WG_INVALID_INPUT, "now");
  EXPECT(NULL, wg_entry(NULL, a, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry(s, a, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_entry_history(NULL, a, &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entry_history(s, a, NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_entries(NULL, "{\"unit\":\"512021\"}", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_entries(s, NULL, &json), WG_INVALID_INPUT, "query_json");
  EXPECT(s, wg_entries(s, "{\"unit\":\"512021\"}", NULL), WG_INVALID_INPUT, "out_json");
  EXPECT(NULL, wg_piles(NULL, "512021", "2024-W10", &json), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_piles(s, NULL, "2024-W10", &json), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_piles(s, "512021", NULL, &json), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_piles(s, "512021", "2024-W10", NULL), WG_INVALID_INPUT, "out_json");
  CHECK(json == NULL);

  /* Every change went through the audit chain, which still verifies. */
  EXPECT(s, wg_audit_verify(s, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"ok\":true"));
  wg_store_free(s);
}

void test_ledger_persists(const char *path) {
  remove(path);
  wg_store *s = NULL;
  char *json = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021", "安岳县", "county", NULL, NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_unit_add(s, "512021100", "岳阳镇", "township", "512021", NULL, NULL), WG_OK, NULL);
  EXPECT(s, wg_calendar_load_text(s, "2027 元旦 off 01-01..01-03", NULL), WG_OK, NULL);
  long id = register_entry(s, "{\"unit\":\"512021100\",\"summary\":\"邻里纠纷\","
                              "\"reported_at\":\"2024-03-04T09:00\"}");
  EXPECT(s, wg_entry_escalate(s, id, "2024-03-04T10:00", "上报县里", NULL, NULL), WG_OK, NULL);
  wg_store_free(s);
  s = NULL;
  EXPECT(NULL, wg_store_open(path, NULL, &s), WG_OK, NULL);
  EXPECT(s, wg_entry_history(s, id, &json), WG_OK, NULL);
  CHECK(count_of(json, "\"action\":") == 2);
  EXPECT(s, wg_entry(s, id, &json), WG_OK, NULL);
  CHECK(json_has(json, "\"name\":\"512021\""));
  EXPECT(s, wg_add_working_days(s, "2026-12-31", 1, &json), WG_OK, NULL);
  CHECK(json != NULL && strcmp(json, "2027-01-04") == 0);
  wg_string_free(json);
  wg_store_free(s);
  remove(path);
}
