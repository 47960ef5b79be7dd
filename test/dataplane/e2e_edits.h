/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_edits.h — random pipelines and random edits for the differential
 * end-to-end test (test_e2e_diff.c), over the fields its traffic has (so
 * rules overlap and hit): four tables with goto_table, write_metadata,
 * write/clear_actions and table-miss rules; groups 1-4 (ALL, INDIRECT,
 * FAST_FAILOVER watching ports and group 2, which may not exist, SELECT
 * with weights and a watch port); two meters that never drop or remark
 * at the test's rates; actions from a pool of outputs (ports, IN_PORT,
 * ALL, CONTROLLER), set-fields on Ethernet/VLAN/IPv4/DSCP/TCP/UDP/MPLS,
 * push/pop VLAN and MPLS, TTL ops and groups.
 *
 * Edits: adds (higher-priority overlapping rules too), strict and
 * non-strict modifies and deletes (also by out_port), group modify (also
 * of its type), delete and re-add, meter modify, delete and re-add. Every
 * new rule has SEND_FLOW_REM and a new cookie, reported through on_rule;
 * an ADD that would replace an identical rule is made a MODIFY_STRICT, so
 * a cookie names one rule's counters for its whole life.
 *
 * Thread safety: the pipeline's writer only.
 */
#ifndef TEST_E2E_EDITS_H
#define TEST_E2E_EDITS_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../check_main.h"
#include "flowtable/ft_test_util.h"

#define EE_N_TABLES 4
#define EE_N_PORTS  3

struct ee {
    struct ft_pipeline *p;
    uint64_t rnd; /* test_rand() state. */
    uint64_t next_cookie;
    void (*on_rule)(void *aux, uint64_t cookie); /* A rule was added. */
    void *aux;
    bool group_exists[5], meter_exists[3];
};

static inline uint32_t
ee_rnd(struct ee *e, uint32_t n)
{
    return (uint32_t)(test_rand(&e->rnd) % n);
}

static const char *const ee_act_pool[] = {
    "output:1",
    "output:2",
    "output:3",
    "output:IN_PORT",
    "output:ALL",
    "CONTROLLER",
    "set_field:02:00:00:00:00:99->eth_dst",
    "set_field:02:00:00:00:00:02->eth_dst",
    "set_field:02:00:00:00:01:77->eth_src",
    "set_field:4116->vlan_vid", /* VID 20 */
    "set_field:4196->vlan_vid", /* VID 100 */
    "set_field:5->vlan_pcp",
    "set_field:10.0.9.9->ipv4_dst",
    "set_field:10.0.1.2->ipv4_dst",
    "set_field:10.0.8.8->ipv4_src",
    "set_field:46->ip_dscp",
    "set_field:10->ip_dscp",
    "set_field:81->tcp_dst",
    "set_field:4242->tcp_src",
    "set_field:54->udp_dst",
    "set_field:1234->udp_src",
    "set_field:777->mpls_label",
    "set_field:200->mpls_label",
    "set_field:5->mpls_tc",
    "push_vlan:0x8100",
    "push_vlan:0x88a8",
    "pop_vlan",
    "push_mpls:0x8847",
    "pop_mpls:0x0800",
    "dec_ttl",
    "dec_mpls_ttl",
    "set_nw_ttl:9",
    "set_mpls_ttl:7",
    "set_queue:1",
    "group:1",
    "group:2",
    "group:3",
    "group:4",
};
#define EE_N_ACT (sizeof ee_act_pool / sizeof ee_act_pool[0])

static const char *const ee_bucket_pool[] = {
    "output:1",
    "output:2",
    "output:3",
    "output:IN_PORT",
    "CONTROLLER",
    "set_field:10.0.7.7->ipv4_dst",
    "set_field:02:00:00:00:01:55->eth_src",
    "set_field:18->ip_dscp",
    "set_field:7->vlan_pcp",
    "set_field:999->udp_dst",
    "set_field:8080->tcp_dst",
    "push_vlan:0x8100",
    "pop_vlan",
    "push_mpls:0x8847",
    "pop_mpls:0x0800",
    "dec_ttl",
    "group:2",
};
#define EE_N_BUCKET_ACT (sizeof ee_bucket_pool / sizeof ee_bucket_pool[0])

__attribute__((format(printf, 3, 4))) static void
ee_cat(char *buf, size_t size, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

/* A match over the flows' domains. */
static void
ee_match(struct ee *e, char *m, size_t size, uint8_t table)
{
    m[0] = '\0';
    if (ee_rnd(e, 3) == 0)
        ee_cat(m, size, ",in_port=%u", 1 + ee_rnd(e, 2));
    if (table && ee_rnd(e, 3) == 0)
        ee_cat(m, size, ",metadata=0x%x/0xf", ee_rnd(e, 16));
    unsigned vlan = ee_rnd(e, 6);
    if (vlan == 0)
        ee_cat(m, size, ",vlan_vid=0x1000/0x1000");
    else if (vlan == 1)
        ee_cat(m, size, ",vlan_vid=0x%x", 0x1000 | (ee_rnd(e, 2) ? 10 : 20));
    else if (vlan == 2)
        ee_cat(m, size, ",vlan_vid=0");
    if (vlan < 2 && ee_rnd(e, 3) == 0)
        ee_cat(m, size, ",vlan_pcp=%u", ee_rnd(e, 2) ? 3 : 0);
    if (ee_rnd(e, 5) == 0)
        ee_cat(m, size, ",eth_dst=02:00:00:00:00:0%u", 1 + ee_rnd(e, 3));
    unsigned l3 = ee_rnd(e, 10);
    if (l3 < 5) {
        unsigned proto = ee_rnd(e, 3);
        ee_cat(m, size, ",%s", proto == 0 ? "ip" : proto == 1 ? "tcp" : "udp");
        unsigned dst = ee_rnd(e, 4);
        if (dst == 1)
            ee_cat(m, size, ",ipv4_dst=10.0.1.%u", 1 + ee_rnd(e, 4));
        else if (dst == 2)
            ee_cat(m, size, ",ipv4_dst=10.0.1.0/%u", 24 + 6 * ee_rnd(e, 2));
        if (ee_rnd(e, 4) == 0)
            ee_cat(m, size, ",ipv4_src=10.0.0.%u", 1 + ee_rnd(e, 4));
        if (ee_rnd(e, 4) == 0)
            ee_cat(m, size, ",ip_dscp=%u", ee_rnd(e, 2) ? 10 : 46);
        if (proto == 1 && ee_rnd(e, 2))
            ee_cat(m, size, ",tcp_dst=%u", 80 + ee_rnd(e, 2));
        if (proto == 2 && ee_rnd(e, 2))
            ee_cat(m, size, ",udp_dst=%u", 53 + ee_rnd(e, 2));
    } else if (l3 == 5) {
        ee_cat(m, size, ",arp");
        if (ee_rnd(e, 2))
            ee_cat(m, size, ",arp_op=%u", 1 + ee_rnd(e, 2));
    } else if (l3 == 6) {
        ee_cat(m, size, ",mpls");
        if (ee_rnd(e, 2))
            ee_cat(m, size, ",mpls_label=%u", ee_rnd(e, 2) ? 100 : 200);
    }
}

static void
ee_insts(struct ee *e, char *t, size_t size, uint8_t table)
{
    t[0] = '\0';
    if (ee_rnd(e, 6) == 0)
        ee_cat(t, size, ",meter:%u", 1 + ee_rnd(e, 2));
    unsigned n = ee_rnd(e, 4);
    for (unsigned i = 0; i < n; i++)
        ee_cat(t, size, ",%s", ee_act_pool[ee_rnd(e, EE_N_ACT)]);
    if (ee_rnd(e, 3) == 0) {
        ee_cat(t, size, ",write_actions(%s", ee_act_pool[ee_rnd(e, EE_N_ACT)]);
        if (ee_rnd(e, 2))
            ee_cat(t, size, ",%s", ee_act_pool[ee_rnd(e, EE_N_ACT)]);
        ee_cat(t, size, ")");
    }
    if (ee_rnd(e, 7) == 0)
        ee_cat(t, size, ",clear_actions");
    if (ee_rnd(e, 3) == 0)
        ee_cat(t, size, ",write_metadata:0x%x/0xf", ee_rnd(e, 16));
    if (table < EE_N_TABLES - 1 && ee_rnd(e, 3) != 0)
        ee_cat(t, size, ",goto_table:%u", table + 1 + ee_rnd(e, EE_N_TABLES - 1 - table));
    if (!t[0])
        snprintf(t, size, ",drop");
}

static int
ee_count_rule(void *aux, const struct ft_rule *r)
{
    (void)r;
    ++*(unsigned *)aux;
    return 0;
}

static unsigned
ee_n_rules(const struct ee *e, uint8_t table, const struct ft_match *m, bool strict,
           uint16_t priority)
{
    struct ft_flow_filter f = {.table_id = table,
                               .strict = strict,
                               .priority = priority,
                               .out_port = FT_PORT_ANY,
                               .out_group = FT_GROUP_ANY};
    if (m)
        f.match = *m;
    else
        ft_match_init_catchall(&f.match);
    unsigned n = 0;
    ft_pipeline_rules_foreach(e->p, &f, ee_count_rule, &n);
    return n;
}

/* Add a rule with a new cookie (or, where an identical rule exists,
 * modify it: an ADD would replace it and carry its counters to a new
 * cookie). Retries instructions a match cannot take. */
static bool
ee_add_rule(struct ee *e, uint8_t table, bool table_miss)
{
    char match[256], spec[300], insts[512];
    for (int tries = 0; tries < 8; tries++) {
        unsigned prio = table_miss ? 0 : ee_rnd(e, 4) == 0 ? ee_rnd(e, 4) : ee_rnd(e, 24);
        if (table_miss)
            match[0] = '\0';
        else
            ee_match(e, match, sizeof match, table);
        snprintf(spec, sizeof spec, "table=%u,priority=%u%s", table, prio, match);
        ee_insts(e, insts, sizeof insts, table);
        struct ft_flow_mod fm;
        tu_flow_mod_init(&fm, FT_FC_ADD, spec);
        bool exists = ee_n_rules(e, table, &fm.match, true, fm.priority) > 0;
        if (exists)
            fm.command = FT_FC_MODIFY_STRICT;
        fm.cookie = e->next_cookie;
        fm.flags = FT_FF_SEND_FLOW_REM;
        struct ft_insts *in = tu_insts(insts + 1);
        fm.insts = in;
        enum ft_err err = ft_pipeline_flow_mod(e->p, &fm, 0);
        free(in);
        if (err == FT_OK) {
            if (!exists)
                e->on_rule(e->aux, e->next_cookie++);
            return true;
        }
    }
    return false;
}

struct ee_pick {
    unsigned n, want;
    uint8_t table;
    uint16_t priority;
    struct ft_match match;
};

static int
ee_pick_rule(void *aux, const struct ft_rule *r)
{
    struct ee_pick *pk = aux;
    if (pk->n++ != pk->want)
        return 0;
    pk->table = ft_rule_table(r);
    pk->priority = ft_rule_priority(r);
    ft_rule_match(r, &pk->match);
    return 1;
}

/* A random existing rule; false when there is none. */
static bool
ee_random_rule(struct ee *e, struct ee_pick *pk)
{
    unsigned total = ee_n_rules(e, FT_TABLE_ALL, NULL, false, 0);
    if (!total)
        return false;
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    memset(pk, 0, sizeof *pk);
    pk->want = ee_rnd(e, total);
    return ft_pipeline_rules_foreach(e->p, &f, ee_pick_rule, pk) == 1;
}

static bool
ee_modify_rules(struct ee *e)
{
    char match[256], spec[300], insts[512];
    struct ft_flow_mod fm;
    struct ee_pick pk;
    if (ee_rnd(e, 2) && ee_random_rule(e, &pk)) { /* One rule, strict. */
        memset(&fm, 0, sizeof fm);
        fm.command = FT_FC_MODIFY_STRICT;
        fm.table_id = pk.table;
        fm.priority = pk.priority;
        fm.match = pk.match;
        fm.out_port = FT_PORT_ANY;
        fm.out_group = FT_GROUP_ANY;
    } else { /* Every rule at least as specific as a random match. */
        uint8_t table = (uint8_t)ee_rnd(e, EE_N_TABLES);
        ee_match(e, match, sizeof match, table);
        snprintf(spec, sizeof spec, "table=%u%s", table, match);
        tu_flow_mod_init(&fm, FT_FC_MODIFY, spec);
    }
    for (int tries = 0; tries < 4; tries++) {
        ee_insts(e, insts, sizeof insts, fm.table_id);
        struct ft_insts *in = tu_insts(insts + 1);
        fm.insts = in;
        enum ft_err err = ft_pipeline_flow_mod(e->p, &fm, 0);
        free(in);
        if (err == FT_OK)
            return true;
    }
    return false;
}

static bool
ee_delete_rules(struct ee *e)
{
    struct ft_flow_mod fm;
    struct ee_pick pk;
    if (ee_rnd(e, 4) && ee_random_rule(e, &pk)) {
        memset(&fm, 0, sizeof fm);
        fm.command = FT_FC_DELETE_STRICT;
        fm.table_id = pk.table;
        fm.priority = pk.priority;
        fm.match = pk.match;
        fm.out_port = FT_PORT_ANY;
        fm.out_group = FT_GROUP_ANY;
    } else {
        char match[256], spec[300];
        uint8_t table = (uint8_t)ee_rnd(e, EE_N_TABLES);
        ee_match(e, match, sizeof match, table);
        snprintf(spec, sizeof spec, "table=%u%s", table, match);
        tu_flow_mod_init(&fm, FT_FC_DELETE, spec);
        if (ee_rnd(e, 3) == 0) /* By output port, as controllers do. */
            fm.out_port = 1 + ee_rnd(e, EE_N_PORTS);
    }
    return ft_pipeline_flow_mod(e->p, &fm, 0) == FT_OK;
}

/* Group id as type with random buckets: ADD or MODIFY. */
static enum ft_err
ee_group_set(struct ee *e, uint32_t id, uint8_t type, uint16_t command)
{
    struct ft_action acts[3][3];
    struct ft_bucket b[3];
    unsigned nb = type == FT_GT_INDIRECT ? 1 : 1 + ee_rnd(e, 3);
    for (unsigned i = 0; i < nb; i++) {
        unsigned na = 1 + ee_rnd(e, 3);
        for (unsigned k = 0; k < na; k++) {
            const char *a = ee_bucket_pool[ee_rnd(e, EE_N_BUCKET_ACT)];
            if (id == 2 && !strncmp(a, "group:", 6))
                a = "output:2"; /* Group 2 is the one others chain to. */
            ck_assert(tu_action(a, &acts[i][k]));
        }
        b[i] = (struct ft_bucket){.n_actions = (uint16_t)na,
                                  .actions = acts[i],
                                  .watch_port = FT_PORT_ANY,
                                  .watch_group = FT_GROUP_ANY};
        if (type == FT_GT_FF) {
            static const uint32_t watch[] = {3, 1, 2, 3};
            if (ee_rnd(e, 4) == 0)
                b[i].watch_group = 2; /* Maybe not there (yet). */
            else
                b[i].watch_port = watch[ee_rnd(e, 4)];
        } else if (type == FT_GT_SELECT) {
            b[i].weight = (uint16_t)(ee_rnd(e, 8) ? 1 + ee_rnd(e, 3) : 0);
            if (ee_rnd(e, 3) == 0)
                b[i].watch_port = 3;
        }
    }
    struct ft_group_mod gm = {
        .command = command, .type = type, .group_id = id, .n_buckets = nb, .buckets = b};
    return ft_pipeline_group_mod(e->p, &gm, 0);
}

static const uint8_t ee_group_type[5] = {0, FT_GT_ALL, FT_GT_INDIRECT, FT_GT_FF, FT_GT_SELECT};

static bool
ee_group_edit(struct ee *e)
{
    uint32_t id = 1 + ee_rnd(e, 4);
    if (!e->group_exists[id]) {
        if (ee_group_set(e, id, ee_group_type[id], FT_GC_ADD) != FT_OK)
            return false;
        e->group_exists[id] = true;
        return true;
    }
    if (ee_rnd(e, 6) == 0) { /* Rules using it go with it. */
        struct ft_group_mod gm = {.command = FT_GC_DELETE, .group_id = id};
        if (ft_pipeline_group_mod(e->p, &gm, 0) != FT_OK)
            return false;
        e->group_exists[id] = false;
        return true;
    }
    uint8_t type = ee_rnd(e, 5) == 0 ? (uint8_t)ee_rnd(e, 4) : ee_group_type[id];
    return ee_group_set(e, id, type, FT_GC_MODIFY) == FT_OK;
}

/* Meters that never drop or remark at this test's rates. */
static enum ft_err
ee_meter_set(struct ee *e, uint32_t id, uint16_t command)
{
    struct ft_meter_band band = {.type = id == 1 ? FT_MBT_DROP : FT_MBT_DSCP_REMARK,
                                 .prec_level = 1,
                                 .rate = ee_rnd(e, 2) ? 1000000000u : 500000000u};
    struct ft_meter_mod mm = {
        .command = command, .flags = FT_MF_PKTPS, .meter_id = id, .n_bands = 1, .bands = &band};
    return ft_pipeline_meter_mod(e->p, &mm, 0);
}

static bool
ee_meter_edit(struct ee *e)
{
    uint32_t id = 1 + ee_rnd(e, 2);
    if (!e->meter_exists[id]) {
        if (ee_meter_set(e, id, FT_MC_ADD) != FT_OK)
            return false;
        e->meter_exists[id] = true;
        return true;
    }
    if (ee_rnd(e, 4) == 0) {
        struct ft_meter_mod mm = {.command = FT_MC_DELETE, .meter_id = id};
        if (ft_pipeline_meter_mod(e->p, &mm, 0) != FT_OK)
            return false;
        e->meter_exists[id] = false;
        return true;
    }
    return ee_meter_set(e, id, FT_MC_MODIFY) == FT_OK;
}

/* One random edit, staged: false when it was refused (nothing changed). */
static bool
ee_edit(struct ee *e)
{
    unsigned total = ee_n_rules(e, FT_TABLE_ALL, NULL, false, 0);
    unsigned r = ee_rnd(e, 100);
    if (total > 90 && r < 45)
        r += 25; /* Full enough: delete rather than add. */
    if (r < 45)
        return ee_add_rule(e, (uint8_t)ee_rnd(e, EE_N_TABLES), ee_rnd(e, 12) == 0);
    if (r < 57)
        return ee_modify_rules(e);
    if (r < 80)
        return ee_delete_rules(e);
    if (r < 92)
        return ee_group_edit(e);
    return ee_meter_edit(e);
}

/* Groups 1-4 (ALL, INDIRECT, FF, SELECT), meters 1-2, and 6-17 rules per
 * table plus (mostly) a table-miss rule; staged, not committed. */
static void
ee_build(struct ee *e)
{
    static const uint32_t order[] = {2, 1, 3, 4}; /* Others may chain to 2. */
    for (unsigned i = 0; i < 4; i++) {
        uint32_t id = order[i];
        enum ft_err err;
        for (int tries = 0; (err = ee_group_set(e, id, ee_group_type[id], FT_GC_ADD)) && tries < 8;
             tries++)
            ;
        ck_assert_msg(err == FT_OK, "group %u: %s", id, ft_err_name(err));
        e->group_exists[id] = true;
    }
    for (uint32_t id = 1; id <= 2; id++) {
        ck_assert_int_eq(ee_meter_set(e, id, FT_MC_ADD), FT_OK);
        e->meter_exists[id] = true;
    }
    for (uint8_t t = 0; t < EE_N_TABLES; t++) {
        unsigned n = 6 + ee_rnd(e, 12);
        for (unsigned i = 0; i < n; i++)
            ee_add_rule(e, t, false);
        if (ee_rnd(e, 10) < 7)
            ee_add_rule(e, t, true);
    }
}

#endif /* TEST_E2E_EDITS_H */
