/* Reports and circulars as HTML pages. */
#include "harness.h"

/* The page is one self-contained document: UTF-8, Chinese, a chart, no script, nothing
 * loaded from outside. Frees `html`. */
static int self_contained(char *html) {
  int ok = html != NULL && strncmp(html, "<!DOCTYPE html>", 15) == 0 &&
           strstr(html, "<meta charset=\"utf-8\">") != NULL && strstr(html, "<svg") != NULL &&
           strstr(html, "<table>") != NULL && strstr(html, "http") == NULL &&
           strstr(html, "<script") == NULL && strstr(html, "src=") == NULL;
  if (!ok) fprintf(stderr, "not a self-contained page: %s\n", html ? html : "(null)");
  wg_string_free(html);
  return ok;
}

/* How often `needle` is in `text` (NULL: none). */
static int occurrences(const char *text, const char *needle) {
  int n = 0;
  for (const char *p = text; p != NULL && (p = strstr(p, needle)) != NULL; p++) n++;
  return n;
}

/* Reports and circulars as HTML: six entries in 岳阳镇 (ranked on 办结率), one in 石桥铺镇
 * and none in an oddly named township (both left out, greyed with the reason); the odd
 * name escaped; refused for bad input, NULLs and a scope that does not cover the unit. */
void test_pictures(void) {
  wg_store *s = county();
  char *html = NULL;
  EXPECT(s, wg_unit_add(s, "512021102", "<b>\"桥&镇\"</b>", "township", "512021", NULL, NULL),
         WG_OK, NULL);
  for (int i = 0; i < 7; i++) {
    char entry[256];
    snprintf(entry, sizeof entry,
             "{\"unit\":\"%s\",\"category\":\"市政设施\",\"summary\":\"路灯坏了\","
             "\"reported_at\":\"2024-03-0%dT09:00\"}",
             i < 6 ? "512021100001001" : "512021101001001", i + 1);
    CHECK(register_entry(s, entry) > 0);
  }

  EXPECT(s, wg_circular_html(s, "512021", "2024-Q1", "closure_rate", WG_DEFAULT_MIN_SAMPLE,
                             &html),
         WG_OK, NULL);
  CHECK(html != NULL && strstr(html, "<title>安岳县 2024-Q1 办结率通报</title>") != NULL);
  CHECK(html != NULL && strstr(html, "1. 岳阳镇</text>") != NULL);
  CHECK(html != NULL && strstr(html, "0.0%（0/6）") != NULL);
  CHECK(html != NULL && strstr(html, "<b>") == NULL);
  CHECK(html != NULL && strstr(html, "&lt;b&gt;&quot;桥&amp;镇&quot;&lt;/b&gt;") != NULL);
  CHECK(occurrences(html, "未参评（不参与排名）") == 4);
  CHECK(self_contained(html));
  html = NULL;

  EXPECT(s, wg_report_html(s, "512021", "2024-Q1", &html), WG_OK, NULL);
  CHECK(html != NULL && strstr(html, "<td>合计</td>") != NULL);
  CHECK(html != NULL && strstr(html, "<th>受理数</th>") != NULL);
  CHECK(html != NULL && strstr(html, "<td>乡镇</td>") != NULL);
  CHECK(html != NULL && strstr(html, "0.0%（0/7）") != NULL);
  CHECK(self_contained(html));
  html = NULL;

  /* Refusals: typed, named, nothing written. */
  EXPECT(s, wg_report_html(s, "512021", "2024-Q5", &html), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_report_html(s, "512099", "2024-Q1", &html), WG_NOT_FOUND, "512099");
  EXPECT(NULL, wg_report_html(NULL, "512021", "2024-Q1", &html), WG_INVALID_INPUT, "store");
  EXPECT(s, wg_report_html(s, NULL, "2024-Q1", &html), WG_INVALID_INPUT, "unit");
  EXPECT(s, wg_report_html(s, "512021", NULL, &html), WG_INVALID_INPUT, "period");
  EXPECT(s, wg_report_html(s, "512021", "2024-Q1", NULL), WG_INVALID_INPUT, "out_html");
  EXPECT(s, wg_circular_html(s, "512021", "2024-Q1", "happiness", 1, &html), WG_INVALID_INPUT,
         "happiness");
  EXPECT(s, wg_circular_html(s, "512021", "2024-Q1", "pending", -1, &html), WG_INVALID_INPUT,
         "min_sample");
  EXPECT(NULL, wg_circular_html(NULL, "512021", "2024-Q1", "pending", 1, &html),
         WG_INVALID_INPUT, "store");
  EXPECT(s, wg_circular_html(s, "512021", "2024-Q1", NULL, 1, &html), WG_INVALID_INPUT,
         "indicator");
  EXPECT(s, wg_circular_html(s, "512021", "2024-Q1", "pending", 1, NULL), WG_INVALID_INPUT,
         "out_html");
  CHECK(html == NULL);

  /* A township's handle draws its own subtree, not the other township's. */
  wg_store *town = NULL;
  EXPECT(s, wg_store_scope(s, "512021100", "岳阳镇管理员", &town), WG_OK, NULL);
  EXPECT(town, wg_circular_html(town, "512021100", "2024-Q1", "received", 1, &html), WG_OK,
         NULL);
  CHECK(self_contained(html));
  html = NULL;
  EXPECT(town, wg_report_html(town, "512021101", "2024-Q1", &html), WG_PERMISSION_DENIED,
         "512021101");
  EXPECT(town, wg_circular_html(town, "512021", "2024-Q1", "pending", 1, &html),
         WG_PERMISSION_DENIED, NULL);
  CHECK(html == NULL);
  wg_store_free(town);
  wg_store_free(s);
}
