/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for tools/ctl_json.c, the JSON reader ofswitch-ctl top reads
 * the switch's answers with: values of every kind, counters exact to 64
 * bits, escapes, and malformed or truncated text refused with one line
 * (under ASan: without reading past the end or leaking).
 */
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "ctl_json.h"

static const char doc[] =
    "{\"now_ns\":18446744073709551615,\"datapath_id\":\"0000000000000abc\",\"ratio\":-1.5e3,"
    "\"on\":true,\"off\":false,\"none\":null,\"workers\":[{\"worker\":0,\"lcore\":1},"
    "{\"worker\":1,\"lcore\":2}],\"empty\":{},\"list\":[],"
    "\"text\":\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac\"}";

START_TEST(values_of_every_kind)
{
    struct cj j;
    char err[128] = "";
    ck_assert_int_eq(cj_parse(doc, &j, err, sizeof err), 0);
    ck_assert_int_eq(j.type, CJ_OBJ);
    ck_assert(cj_get(&j, "now_ns")->is_u64);
    ck_assert_uint_eq(cj_u64(cj_get(&j, "now_ns")), UINT64_MAX);
    ck_assert_str_eq(cj_str(cj_get(&j, "datapath_id")), "0000000000000abc");
    const struct cj *r = cj_get(&j, "ratio");
    ck_assert(r->type == CJ_NUM && !r->is_u64 && r->num == -1500.0);
    ck_assert_uint_eq(cj_u64(r), 0);
    ck_assert(cj_get(&j, "on")->type == CJ_BOOL && cj_get(&j, "on")->b);
    ck_assert(cj_get(&j, "off")->type == CJ_BOOL && !cj_get(&j, "off")->b);
    ck_assert_int_eq(cj_get(&j, "none")->type, CJ_NULL);
    const struct cj *w = cj_get(&j, "workers");
    ck_assert(w->type == CJ_ARR && w->n == 2);
    ck_assert_uint_eq(cj_u64(cj_get(&w->items[1], "lcore")), 2);
    ck_assert(cj_get(&j, "empty")->type == CJ_OBJ && cj_get(&j, "empty")->n == 0);
    ck_assert(cj_get(&j, "list")->type == CJ_ARR && cj_get(&j, "list")->n == 0);
    ck_assert_str_eq(cj_str(cj_get(&j, "text")), "a\"b\\c/d\n\t\xc3\xa9\xe2\x82\xac");
    /* What is absent, or of another kind, reads as nothing. */
    ck_assert_ptr_null(cj_get(&j, "nope"));
    ck_assert_ptr_null(cj_get(w, "worker"));
    ck_assert_uint_eq(cj_u64(cj_get(&j, "datapath_id")), 0);
    ck_assert_str_eq(cj_str(cj_get(&j, "now_ns")), "");
    cj_free(&j);
    cj_free(&j); /* Freed twice: a no-op. */
}
END_TEST

START_TEST(many_items)
{
    char buf[64 * 1024];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"a\":[");
    for (int i = 0; i < 5000; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d", i ? "," : "", i);
    snprintf(buf + n, sizeof buf - n, "]}");
    struct cj j;
    char err[128];
    ck_assert_int_eq(cj_parse(buf, &j, err, sizeof err), 0);
    const struct cj *a = cj_get(&j, "a");
    ck_assert_uint_eq(a->n, 5000);
    for (size_t i = 0; i < a->n; i++)
        ck_assert_uint_eq(cj_u64(&a->items[i]), i);
    cj_free(&j);
}
END_TEST

START_TEST(malformed_is_one_line)
{
    static const char *const bad[] = {
        "",           "{",        "[1,]",      "{\"a\" 1}", "\"abc",     "tru",      "1 2",
        "{\"a\":1,}", "\"\\x\"",  "\"\\u12\"", "[1 2]",     "{1:2}",     "\"a\nb\"", "-",
        "1e999",      "{\"a\":}", "[",         "nul",       "{\"a\":[}", "]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct cj j;
        char err[128] = "";
        ck_assert_msg(cj_parse(bad[i], &j, err, sizeof err) == -1, "accepted '%s'", bad[i]);
        ck_assert_msg(strstr(err, "bad JSON at offset") && !strchr(err, '\n'), "'%s': %s", bad[i],
                      err);
        ck_assert_int_eq(j.type, CJ_NULL);
    }
    char deep[200];
    memset(deep, '[', 100);
    memset(deep + 100, ']', 99);
    deep[199] = '\0';
    struct cj j;
    char err[128];
    ck_assert_int_eq(cj_parse(deep, &j, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "nested too deep"));
}
END_TEST

/* Every cut of the document but the whole fails cleanly. */
START_TEST(every_truncation)
{
    size_t len = strlen(doc);
    for (size_t cut = 0; cut < len; cut++) {
        char *part = strndup(doc, cut);
        struct cj j;
        char err[128];
        ck_assert_msg(cj_parse(part, &j, err, sizeof err) == -1, "cut at %zu parsed", cut);
        free(part);
    }
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ctl_json");
    TCase *tc = tcase_create("ctl_json");
    tcase_add_test(tc, values_of_every_kind);
    tcase_add_test(tc, many_items);
    tcase_add_test(tc, malformed_is_one_line);
    tcase_add_test(tc, every_truncation);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
