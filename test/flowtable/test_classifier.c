/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The classifier against a linear reference: random ADD (including
 * identical replacements), DELETE, DELETE_STRICT, MODIFY and
 * MODIFY_STRICT, interleaved with commits, then random packets looked up
 * both ways. Thousands of cases per run; the seed is printed on failure.
 */
#include "check_main.h"
#include "ft_random.h"
#include "ft_test_util.h"

#define MAX_MODEL 2048

struct model_rule {
    struct ft_match match;
    uint16_t priority;
    uint64_t cookie; /* Unique: identifies the rule in the pipeline. */
    uint32_t port;   /* Its output:port. */
};

struct model {
    struct model_rule r[MAX_MODEL];
    size_t n;
    uint64_t next_cookie;
};

static struct ft_insts *
output_insts(uint32_t port)
{
    struct ft_insts *in = ft_insts_new(1, 0);
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    in->actions[0] = (struct ft_action){.type = FT_AT_OUTPUT, .arg = port};
    return in;
}

static void
model_remove(struct model *m, size_t i)
{
    m->r[i] = m->r[--m->n];
}

static void
do_add(struct ft_pipeline *p, struct model *m, uint64_t *s)
{
    struct ft_flow_mod fm = {
        .command = FT_FC_ADD, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    /* Sometimes re-add an existing rule's exact match: a replacement. */
    if (m->n && rnd(s, 5) == 0) {
        struct model_rule *old = &m->r[rnd(s, (uint32_t)m->n)];
        fm.match = old->match;
        fm.priority = old->priority;
    } else {
        rnd_match(s, &fm.match);
        fm.priority = (uint16_t)rnd(s, 16);
    }
    fm.cookie = ++m->next_cookie;
    uint32_t port = 1 + rnd(s, 1000);
    struct ft_insts *in = output_insts(port);
    fm.insts = in;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_OK);
    free(in);
    for (size_t i = 0; i < m->n; i++) {
        if (m->r[i].priority == fm.priority && ft_match_equal(&m->r[i].match, &fm.match)) {
            model_remove(m, i);
            break;
        }
    }
    ck_assert_uint_lt(m->n, MAX_MODEL);
    m->r[m->n++] = (struct model_rule){fm.match, fm.priority, fm.cookie, port};
}

static void
do_delete(struct ft_pipeline *p, struct model *m, uint64_t *s, bool strict)
{
    struct ft_flow_mod fm = {.command = strict ? FT_FC_DELETE_STRICT : FT_FC_DELETE,
                             .table_id = FT_TABLE_ALL,
                             .out_port = FT_PORT_ANY,
                             .out_group = FT_GROUP_ANY};
    if (strict && m->n) {
        struct model_rule *victim = &m->r[rnd(s, (uint32_t)m->n)];
        fm.match = victim->match;
        fm.priority = victim->priority;
    } else {
        rnd_match(s, &fm.match);
        fm.priority = (uint16_t)rnd(s, 16);
    }
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_OK);
    for (size_t i = m->n; i-- > 0;) {
        bool hit =
            strict ? m->r[i].priority == fm.priority && ft_match_equal(&m->r[i].match, &fm.match)
                   : ft_match_covers(&fm.match, &m->r[i].match);
        if (hit)
            model_remove(m, i);
    }
}

static void
do_modify(struct ft_pipeline *p, struct model *m, uint64_t *s, bool strict)
{
    struct ft_flow_mod fm = {.command = strict ? FT_FC_MODIFY_STRICT : FT_FC_MODIFY,
                             .out_port = FT_PORT_ANY,
                             .out_group = FT_GROUP_ANY};
    if (m->n && rnd(s, 2)) {
        struct model_rule *target = &m->r[rnd(s, (uint32_t)m->n)];
        fm.match = target->match;
        fm.priority = target->priority;
    } else {
        rnd_match(s, &fm.match);
        fm.priority = (uint16_t)rnd(s, 16);
    }
    uint32_t port = 1 + rnd(s, 1000);
    struct ft_insts *in = output_insts(port);
    fm.insts = in;
    ck_assert_int_eq(ft_pipeline_flow_mod(p, &fm, 0), FT_OK);
    free(in);
    for (size_t i = 0; i < m->n; i++) {
        bool hit =
            strict ? m->r[i].priority == fm.priority && ft_match_equal(&m->r[i].match, &fm.match)
                   : ft_match_covers(&fm.match, &m->r[i].match);
        if (hit)
            m->r[i].port = port; /* The cookie stays. */
    }
}

/* Look a packet up both ways and compare. */
static void
check_packet(struct ft_pipeline *p, const struct model *m, const struct ft_key *k,
             struct ft_walk_out *out, uint64_t seed)
{
    int best = -1;
    for (size_t i = 0; i < m->n; i++)
        if (ft_match_matches(&m->r[i].match, k) && (int)m->r[i].priority > best)
            best = m->r[i].priority;
    ft_walk(p, ft_pipeline_version(p), k, out);
    ck_assert_int_eq(out->n_visits, 1);
    const struct ft_rule *got = out->visits[0].rule;
    if (best < 0) {
        ck_assert_msg(!got, "seed %llu: reference misses, classifier found a rule",
                      (unsigned long long)seed);
        ck_assert_int_eq(out->n_ops, 0);
        return;
    }
    ck_assert_msg(got, "seed %llu: reference hits priority %d, classifier misses",
                  (unsigned long long)seed, best);
    ck_assert_int_eq(ft_rule_priority(got), best);
    /* Among equal-priority overlaps any one may win; it must be one of them. */
    bool found = false;
    for (size_t i = 0; i < m->n && !found; i++) {
        if (m->r[i].priority != best || m->r[i].cookie != ft_rule_cookie(got))
            continue;
        found = ft_match_matches(&m->r[i].match, k);
        ck_assert_int_eq(out->n_ops, 1);
        ck_assert_uint_eq(out->ops[0].a32, m->r[i].port);
    }
    ck_assert_msg(found, "seed %llu: classifier picked cookie %llu, not a best match",
                  (unsigned long long)seed, (unsigned long long)ft_rule_cookie(got));
    /* The megaflow mask covers what the rule matched on — except metadata,
     * which the pipeline owns (0 at entry), so no packet bit decides it. */
    struct ft_match gm;
    ft_rule_match(got, &gm);
    gm.mask.metadata = 0;
    for (int w = 0; w < FT_KEY_WORDS; w++)
        ck_assert_uint_eq(gm.mask.w[w] & ~out->mask.w[w], 0);
}

static int
count_visit(void *aux, const struct ft_rule *r)
{
    (void)r;
    (*(size_t *)aux)++;
    return 0;
}

START_TEST(random_against_linear_reference)
{
    uint64_t seed = test_seed() + (uint64_t)_i * 7919, s = seed;
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    static struct model m;
    static struct ft_walk_out out;
    memset(&m, 0, sizeof m);
    size_t packets = 0;

    for (int round = 0; round < 60; round++) {
        int n_ops = 1 + (int)rnd(&s, 40);
        for (int i = 0; i < n_ops; i++) {
            switch (rnd(&s, 10)) {
            case 0:
                do_delete(p, &m, &s, false);
                break;
            case 1:
                do_delete(p, &m, &s, true);
                break;
            case 2:
                do_modify(p, &m, &s, false);
                break;
            case 3:
                do_modify(p, &m, &s, true);
                break;
            default:
                do_add(p, &m, &s);
                break;
            }
        }
        ft_pipeline_commit(p);
        /* Reclaim lags a version sometimes, as with real readers. */
        if (rnd(&s, 2))
            ft_pipeline_reclaim(p, ft_pipeline_version(p));

        struct ft_table_stats ts;
        ft_pipeline_table_stats(p, 0, &ts);
        ck_assert_uint_eq(ts.active_count, m.n);
        struct ft_flow_filter f = {
            .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
        ft_match_init_catchall(&f.match);
        size_t listed = 0;
        ft_pipeline_rules_foreach(p, &f, count_visit, &listed);
        ck_assert_uint_eq(listed, m.n);

        for (int i = 0; i < 40; i++, packets++) {
            struct ft_key k;
            rnd_key(&s, &k);
            check_packet(p, &m, &k, &out, seed);
        }
    }
    ck_assert_uint_ge(packets, 2000);
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

START_TEST(readers_of_old_versions_keep_their_answers)
{
    /* Walk an old version after many edits and reclaims that did not pass it. */
    uint64_t s = test_seed();
    struct ft_pipeline *p = ft_pipeline_create(NULL);
    static struct model m;
    static struct ft_walk_out a, b;
    memset(&m, 0, sizeof m);
    for (int i = 0; i < 200; i++)
        do_add(p, &m, &s);
    uint64_t old = ft_pipeline_commit(p);
    struct ft_key keys[64];
    const char *prog[64];
    char bufs[64][64];
    for (int i = 0; i < 64; i++) {
        rnd_key(&s, &keys[i]);
        ft_walk(p, old, &keys[i], &a);
        ft_program_format(bufs[i], sizeof bufs[i], a.ops, a.n_ops);
        prog[i] = bufs[i];
    }
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < 30; i++)
            rnd(&s, 2) ? do_delete(p, &m, &s, rnd(&s, 2)) : do_modify(p, &m, &s, false);
        ft_pipeline_commit(p);
        ft_pipeline_reclaim(p, old); /* A reader still holds `old`. */
        for (int i = 0; i < 64; i++) {
            char buf[64];
            ft_walk(p, old, &keys[i], &b);
            ft_program_format(buf, sizeof buf, b.ops, b.n_ops);
            ck_assert_str_eq(buf, prog[i]);
        }
    }
    tu_settle(p);
    ft_pipeline_destroy(p);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("classifier");
    TCase *tc = tcase_create("reference");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, random_against_linear_reference, 0, 8);
    tcase_add_test(tc, readers_of_old_versions_keep_their_answers);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
