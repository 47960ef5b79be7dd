/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The megaflow property on random pipelines: walk a packet P, getting a
 * program and a mask M; any packet Q equal to P under M (every other bit
 * random) must get the very same program and rules. Pipelines have four
 * tables with goto, write-metadata, set-field, push/pop VLAN, groups of
 * every type with port liveness, action sets and table-miss rules.
 */
#include "check_main.h"
#include "ft_random.h"
#include "ft_test_util.h"

static const char *const actions_pool[] = {
    "output:1",
    "output:2",
    "output:IN_PORT",
    "CONTROLLER:64",
    "set_field:10.0.1.1->ipv4_dst",
    "set_field:10.0.2.2->ipv4_src",
    "set_field:81->tcp_dst",
    "set_field:4097->vlan_vid",
    "set_field:00:00:00:00:00:09->eth_dst",
    "push_vlan:0x8100",
    "pop_vlan",
    "dec_ttl",
    "set_queue:2",
    "group:1",
    "group:2",
    "group:3",
    "group:4",
};
#define N_POOL (sizeof actions_pool / sizeof actions_pool[0])

static void
add_groups(struct ft_pipeline *p)
{
    struct ft_action a[4];
    ck_assert(tu_action("output:1", &a[0]));
    ck_assert(tu_action("output:2", &a[1]));
    ck_assert(tu_action("set_field:10.0.3.3->ipv4_dst", &a[2]));
    ck_assert(tu_action("output:3", &a[3]));
    struct ft_bucket b[3] = {
        {.weight = 1,
         .n_actions = 1,
         .watch_port = 1,
         .watch_group = FT_GROUP_ANY,
         .actions = &a[0]},
        {.weight = 2,
         .n_actions = 1,
         .watch_port = 2,
         .watch_group = FT_GROUP_ANY,
         .actions = &a[1]},
        {.weight = 3,
         .n_actions = 2,
         .watch_port = 3,
         .watch_group = FT_GROUP_ANY,
         .actions = &a[2]},
    };
    uint8_t types[4] = {FT_GT_ALL, FT_GT_SELECT, FT_GT_FF, FT_GT_INDIRECT};
    for (uint32_t id = 1; id <= 4; id++) {
        struct ft_bucket bb[3];
        memcpy(bb, b, sizeof b);
        for (int i = 0; i < 3; i++) {
            if (types[id - 1] != FT_GT_SELECT)
                bb[i].weight = 0;
            if (types[id - 1] == FT_GT_ALL || types[id - 1] == FT_GT_INDIRECT)
                bb[i].watch_port = FT_PORT_ANY;
        }
        struct ft_group_mod gm = {.command = FT_GC_ADD,
                                  .type = types[id - 1],
                                  .group_id = id,
                                  .n_buckets = types[id - 1] == FT_GT_INDIRECT ? 1 : 3,
                                  .buckets = bb};
        ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    }
}

/* A random instruction set for a rule of table t. */
static struct ft_insts *
rnd_insts(uint64_t *s, uint8_t t)
{
    char text[512] = "";
    size_t n = rnd(s, 4);
    for (size_t i = 0; i < n; i++) {
        if (*text)
            strcat(text, ",");
        strcat(text, actions_pool[rnd(s, N_POOL)]);
    }
    if (rnd(s, 3) == 0) {
        strcat(text, *text ? ",write_actions(" : "write_actions(");
        strcat(text, actions_pool[rnd(s, N_POOL)]);
        strcat(text, ",");
        strcat(text, actions_pool[rnd(s, N_POOL)]);
        strcat(text, ")");
    }
    if (rnd(s, 6) == 0)
        strcat(text, *text ? ",clear_actions" : "clear_actions");
    if (rnd(s, 3) == 0) {
        char md[64];
        snprintf(md, sizeof md, "%swrite_metadata:0x%x/0xff", *text ? "," : "", rnd(s, 256));
        strcat(text, md);
    }
    if (t < 3 && rnd(s, 3) != 0) {
        char g[32];
        snprintf(g, sizeof g, "%sgoto_table:%u", *text ? "," : "", t + 1 + rnd(s, 3 - t));
        strcat(text, g);
    }
    return tu_insts(*text ? text : NULL);
}

static void
build_pipeline(struct ft_pipeline *p, uint64_t *s)
{
    add_groups(p);
    for (uint32_t port = 1; port <= 3; port++)
        ck_assert_int_eq(ft_pipeline_port_set(p, port, rnd(s, 3) != 0, 0), 0);
    for (uint8_t t = 0; t < 4; t++) {
        int n_rules = 5 + (int)rnd(s, 25);
        for (int i = 0; i < n_rules; i++) {
            struct ft_flow_mod fm = {.command = FT_FC_ADD,
                                     .table_id = t,
                                     .priority = (uint16_t)rnd(s, 10),
                                     .out_port = FT_PORT_ANY,
                                     .out_group = FT_GROUP_ANY};
            rnd_match(s, &fm.match);
            struct ft_insts *in = rnd_insts(s, t);
            fm.insts = in;
            /* Random set-fields may lack their prerequisites: refused, fine. */
            (void)ft_pipeline_flow_mod(p, &fm, 0);
            free(in);
        }
        if (rnd(s, 2)) {
            struct ft_insts *in = rnd_insts(s, t);
            struct ft_flow_mod fm = {.command = FT_FC_ADD,
                                     .table_id = t,
                                     .priority = 0,
                                     .out_port = FT_PORT_ANY,
                                     .out_group = FT_GROUP_ANY,
                                     .insts = in};
            ft_match_init_catchall(&fm.match);
            (void)ft_pipeline_flow_mod(p, &fm, 0);
            free(in);
        }
    }
    tu_settle(p);
}

static bool
same_result(const struct ft_walk_out *a, const struct ft_walk_out *b)
{
    if (a->n_ops != b->n_ops || a->n_visits != b->n_visits || a->flags != b->flags)
        return false;
    if (memcmp(a->ops, b->ops, a->n_ops * sizeof a->ops[0]))
        return false;
    for (uint16_t i = 0; i < a->n_visits; i++)
        if (a->visits[i].rule != b->visits[i].rule ||
            a->visits[i].table_id != b->visits[i].table_id)
            return false;
    return true;
}

START_TEST(equal_under_mask_means_equal_program)
{
    uint64_t seed = test_seed() + (uint64_t)_i * 104729, s = seed;
    static struct ft_walk_out wp, wq;
    size_t checks = 0, nontrivial = 0;
    for (int pipe = 0; pipe < 10; pipe++) {
        struct ft_pipeline *p = ft_pipeline_create(NULL);
        build_pipeline(p, &s);
        uint64_t v = ft_pipeline_version(p);
        for (int i = 0; i < 60; i++) {
            struct ft_key kp;
            rnd_key(&s, &kp);
            if (rnd(&s, 4) == 0)
                kp.vlan2_vid = (uint16_t)(FT_VID_PRESENT | rnd(&s, 3));
            ft_walk(p, v, &kp, &wp);
            nontrivial += wp.n_ops > 1;
            for (int j = 0; j < 8; j++, checks++) {
                struct ft_key kq;
                /* Q: P's bits under the mask, random bits elsewhere — both
                 * fully random and from another plausible packet. */
                struct ft_key other;
                rnd_key(&s, &other);
                for (int w = 0; w < FT_KEY_WORDS; w++) {
                    uint64_t noise = (j & 1) ? test_rand(&s) : other.w[w];
                    kq.w[w] = (kp.w[w] & wp.mask.w[w]) | (noise & ~wp.mask.w[w]);
                }
                ft_walk(p, v, &kq, &wq);
                if (!same_result(&wp, &wq)) {
                    char a[2048], b[2048];
                    ft_program_format(a, sizeof a, wp.ops, wp.n_ops);
                    ft_program_format(b, sizeof b, wq.ops, wq.n_ops);
                    ck_abort_msg("seed %llu pipe %d: P -> %s but Q (equal under mask) -> %s",
                                 (unsigned long long)seed, pipe, a, b);
                }
            }
        }
        tu_settle(p);
        ft_pipeline_destroy(p);
    }
    ck_assert_uint_ge(checks, 4000);
    ck_assert_uint_gt(nontrivial, checks / 80); /* The pipelines did real work. */
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("walk_property");
    TCase *tc = tcase_create("megaflow");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, equal_under_mask_means_equal_program, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
