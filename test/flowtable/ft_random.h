/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random rules and packets for the randomized suites. Values come from
 * small domains so that rules overlap and packets hit them often.
 */
#ifndef TEST_FT_RANDOM_H
#define TEST_FT_RANDOM_H

#include "check_main.h"
#include "ft_match.h"
#include "ft_test_util.h"

static inline uint32_t
rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rand(s) % n);
}

static inline uint32_t
rnd_ipv4(uint64_t *s)
{
    return 0x0a000000u | rnd(s, 8) << 8 | rnd(s, 4); /* 10.0.{0-7}.{0-3} */
}

static inline uint32_t
prefix_mask(unsigned len)
{
    return len ? UINT32_MAX << (32 - len) : 0;
}

/* A random valid match over a handful of fields. */
static inline void
rnd_match(uint64_t *s, struct ft_match *m)
{
    struct ft_match_entry e[8];
    size_t n = 0;
    memset(e, 0, sizeof e);
    if (rnd(s, 3) == 0) {
        e[n].field = FT_F_IN_PORT;
        e[n++].value.u32 = 1 + rnd(s, 4);
    }
    if (rnd(s, 4) == 0) {
        e[n].field = FT_F_VLAN_VID;
        e[n].value.u16 = rnd(s, 2) ? (uint16_t)(FT_VID_PRESENT | rnd(s, 3)) : 0;
        n++;
    }
    if (rnd(s, 5) == 0) {
        e[n].field = FT_F_METADATA;
        e[n].has_mask = true;
        e[n].mask.u64 = 0xf0ull >> (rnd(s, 2) * 4);
        e[n].value.u64 = rnd(s, 256) & e[n].mask.u64;
        n++;
    }
    if (rnd(s, 4) != 0) {
        e[n].field = FT_F_ETH_TYPE;
        e[n++].value.u16 = 0x0800;
        if (rnd(s, 2)) {
            unsigned len = 24 + rnd(s, 9);
            e[n].field = FT_F_IPV4_DST;
            e[n].has_mask = len < 32;
            e[n].mask.u32 = prefix_mask(len);
            e[n++].value.u32 = rnd_ipv4(s) & prefix_mask(len);
        }
        if (rnd(s, 3) == 0) {
            unsigned len = 28 + rnd(s, 5);
            e[n].field = FT_F_IPV4_SRC;
            e[n].has_mask = len < 32;
            e[n].mask.u32 = prefix_mask(len);
            e[n++].value.u32 = rnd_ipv4(s) & prefix_mask(len);
        }
        if (rnd(s, 3) == 0) {
            e[n].field = FT_F_IP_PROTO;
            e[n++].value.u8 = rnd(s, 2) ? 6 : 17;
            if (rnd(s, 2)) {
                e[n].field = e[n - 1].value.u8 == 6 ? FT_F_TCP_DST : FT_F_UDP_DST;
                e[n++].value.u16 = (uint16_t)(80 + rnd(s, 3));
            }
        }
    }
    enum ft_err err = ft_match_from_entries(m, e, n);
    ck_assert_msg(err == FT_OK, "random match invalid: %s", ft_err_name(err));
}

/* A random packet key over the same domains. */
static inline void
rnd_key(uint64_t *s, struct ft_key *k)
{
    ft_key_zero(k);
    k->in_port = 1 + rnd(s, 4);
    k->vlan_vid = rnd(s, 2) ? (uint16_t)(FT_VID_PRESENT | rnd(s, 3)) : 0;
    k->eth_type = rnd(s, 5) ? 0x0800 : 0x0806;
    k->eth_dst[5] = (uint8_t)rnd(s, 4);
    if (k->eth_type == 0x0800) {
        k->ipv4_dst = rnd_ipv4(s);
        k->ipv4_src = rnd_ipv4(s);
        k->ip_proto = rnd(s, 2) ? 6 : 17;
        k->tp_dst = (uint16_t)(80 + rnd(s, 3));
    }
}

/* ---- random pipelines ---------------------------------------------------- */

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

static inline void
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
static inline struct ft_insts *
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

static inline void
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

/* Random stage starts among tables 1..3 of the random pipelines (at least
 * one): a staged flow cache must answer as the unstaged walk does. */
static inline void
rnd_stages(uint64_t *s, struct ft_walk_stages *st)
{
    memset(st, 0, sizeof *st);
    unsigned bits = 1 + (unsigned)rnd(s, 7); /* Tables 1, 2, 3: 1..7. */
    for (unsigned t = 1; t <= 3; t++)
        if (bits & (1u << (t - 1)))
            st->starts[0] |= 1ull << t;
}

#endif /* TEST_FT_RANDOM_H */
