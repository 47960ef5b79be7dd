/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helpers: flow tables written as text, as ovs-ofctl users write them.
 *
 *   tu_insts("output:2")                         apply_actions(output:2)
 *   tu_insts("set_field:10.0.0.1->ipv4_dst,goto_table:1")
 *   tu_insts("write_actions(group:1),write_metadata:0x1/0xff,goto_table:3")
 *   tu_insts("meter:1,apply_actions(output:1),clear_actions")
 *   tu_add(p, "table=0,priority=10,ip,nw_dst=10.0.0.1", "output:2")
 *
 * Actions: output:N|IN_PORT|FLOOD|ALL|LOCAL|CONTROLLER[:max_len]|TABLE,
 * group:N, set_queue:N, set_field:VALUE->FIELD, push_vlan:T, pop_vlan,
 * push_mpls:T, pop_mpls:T, push_pbb:T, pop_pbb, set_mpls_ttl:N,
 * dec_mpls_ttl, set_nw_ttl:N, dec_ttl, copy_ttl_in, copy_ttl_out.
 * A syntax error fails the test (ck_abort).
 */
#ifndef TEST_FT_TEST_UTIL_H
#define TEST_FT_TEST_UTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_action.h"
#include "ft_group.h"
#include "ft_match.h"
#include "ft_meter.h"
#include "ft_pipeline.h"
#include "ft_walk.h"

static inline uint32_t
tu_port(const char *s)
{
    static const struct {
        const char *name;
        uint32_t port;
    } names[] = {
        {"IN_PORT", FT_PORT_IN_PORT}, {"FLOOD", FT_PORT_FLOOD},           {"ALL", FT_PORT_ALL},
        {"LOCAL", FT_PORT_LOCAL},     {"CONTROLLER", FT_PORT_CONTROLLER}, {"TABLE", FT_PORT_TABLE},
        {"ANY", FT_PORT_ANY}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(s, names[i].name))
            return names[i].port;
    return (uint32_t)strtoul(s, NULL, 0);
}

/* One action from text; returns false on a syntax error. */
static inline bool
tu_action(const char *text, struct ft_action *a)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%s", text);
    memset(a, 0, sizeof *a);
    char *arg = strchr(buf, ':');
    if (arg)
        *arg++ = '\0';
    const char *name = buf;
    if (!strcmp(name, "output") || !strcmp(name, "CONTROLLER")) {
        a->type = FT_AT_OUTPUT;
        if (!strcmp(name, "CONTROLLER")) {
            a->arg = FT_PORT_CONTROLLER;
            a->max_len = arg ? (uint16_t)strtoul(arg, NULL, 0) : FT_CML_NO_BUFFER;
        } else {
            if (!arg)
                return false;
            char *colon = strchr(arg, ':'); /* output:CONTROLLER:128 */
            if (colon)
                *colon++ = '\0';
            a->arg = tu_port(arg);
            if (a->arg == FT_PORT_CONTROLLER)
                a->max_len = colon ? (uint16_t)strtoul(colon, NULL, 0) : FT_CML_NO_BUFFER;
        }
    } else if (!strcmp(name, "group") && arg) {
        a->type = FT_AT_GROUP;
        a->arg = (uint32_t)strtoul(arg, NULL, 0);
    } else if (!strcmp(name, "set_queue") && arg) {
        a->type = FT_AT_SET_QUEUE;
        a->arg = (uint32_t)strtoul(arg, NULL, 0);
    } else if (!strcmp(name, "set_field") && arg) {
        char *to = strstr(arg, "->");
        if (!to)
            return false;
        *to = '\0';
        int f = ft_field_from_name(to + 2);
        union ft_value mask;
        bool has_mask;
        if (f < 0 || ft_field_parse(f, arg, &a->value, &mask, &has_mask) || has_mask)
            return false;
        a->type = FT_AT_SET_FIELD;
        a->field = (uint8_t)f;
    } else if (!strcmp(name, "push_vlan") || !strcmp(name, "push_mpls") ||
               !strcmp(name, "pop_mpls") || !strcmp(name, "push_pbb")) {
        if (!arg)
            return false;
        a->type = !strcmp(name, "push_vlan")   ? FT_AT_PUSH_VLAN
                  : !strcmp(name, "push_mpls") ? FT_AT_PUSH_MPLS
                  : !strcmp(name, "pop_mpls")  ? FT_AT_POP_MPLS
                                               : FT_AT_PUSH_PBB;
        a->ethertype = (uint16_t)strtoul(arg, NULL, 0);
    } else if (!strcmp(name, "pop_vlan")) {
        a->type = FT_AT_POP_VLAN;
    } else if (!strcmp(name, "pop_pbb")) {
        a->type = FT_AT_POP_PBB;
    } else if (!strcmp(name, "set_mpls_ttl") && arg) {
        a->type = FT_AT_SET_MPLS_TTL;
        a->ttl = (uint8_t)strtoul(arg, NULL, 0);
    } else if (!strcmp(name, "set_nw_ttl") && arg) {
        a->type = FT_AT_SET_NW_TTL;
        a->ttl = (uint8_t)strtoul(arg, NULL, 0);
    } else if (!strcmp(name, "dec_mpls_ttl")) {
        a->type = FT_AT_DEC_MPLS_TTL;
    } else if (!strcmp(name, "dec_ttl")) {
        a->type = FT_AT_DEC_NW_TTL;
    } else if (!strcmp(name, "copy_ttl_in")) {
        a->type = FT_AT_COPY_TTL_IN;
    } else if (!strcmp(name, "copy_ttl_out")) {
        a->type = FT_AT_COPY_TTL_OUT;
    } else {
        return false;
    }
    return true;
}

/* Split "a,b(c,d),e" at top-level commas into tokens (modifies s). */
static inline size_t
tu_split(char *s, char **tok, size_t max)
{
    size_t n = 0;
    int depth = 0;
    char *start = s;
    for (char *c = s;; c++) {
        if (*c == '(')
            depth++;
        else if (*c == ')')
            depth--;
        if ((*c == ',' && depth == 0) || !*c) {
            bool end = !*c;
            *c = '\0';
            if (*start && n < max)
                tok[n++] = start;
            if (end)
                break;
            start = c + 1;
        }
    }
    return n;
}

/* Parse "name(list)" action lists into a[]; returns count or -1. */
static inline int
tu_action_list(char *list, struct ft_action *a, size_t max)
{
    char *tok[FT_MAX_ACTIONS];
    size_t n = tu_split(list, tok, FT_MAX_ACTIONS);
    if (n > max)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!tu_action(tok[i], &a[i]))
            return -1;
    return (int)n;
}

/* Instructions from text; NULL text or "drop" = no instructions. Caller frees. */
static inline struct ft_insts *
tu_insts(const char *text)
{
    static struct ft_action apply[FT_MAX_ACTIONS], write[FT_MAX_ACTIONS];
    int n_apply = 0, n_write = 0;
    uint32_t present = 0;
    uint8_t goto_table = 0;
    uint32_t meter = 0;
    uint64_t md = 0, md_mask = 0;
    char buf[2048];
    char *tok[FT_MAX_ACTIONS];
    if (!text || !strcmp(text, "drop"))
        return ft_insts_new(0, 0);
    snprintf(buf, sizeof buf, "%s", text);
    size_t n = tu_split(buf, tok, FT_MAX_ACTIONS);
    for (size_t i = 0; i < n; i++) {
        char *t = tok[i];
        if (!strncmp(t, "apply_actions(", 14) || !strncmp(t, "write_actions(", 14)) {
            bool is_apply = t[0] == 'a';
            t[strlen(t) - 1] = '\0';
            struct ft_action *dst = is_apply ? apply + n_apply : write + n_write;
            size_t room = FT_MAX_ACTIONS - (size_t)(is_apply ? n_apply : n_write);
            int k = tu_action_list(t + 14, dst, room);
            ck_assert_msg(k >= 0, "bad action list in '%s'", text);
            if (is_apply) {
                n_apply += k;
                present |= FT_INST_BIT(FT_IT_APPLY_ACTIONS);
            } else {
                n_write += k;
                present |= FT_INST_BIT(FT_IT_WRITE_ACTIONS);
            }
        } else if (!strncmp(t, "goto_table:", 11)) {
            goto_table = (uint8_t)strtoul(t + 11, NULL, 0);
            present |= FT_INST_BIT(FT_IT_GOTO_TABLE);
        } else if (!strncmp(t, "meter:", 6)) {
            meter = (uint32_t)strtoul(t + 6, NULL, 0);
            present |= FT_INST_BIT(FT_IT_METER);
        } else if (!strncmp(t, "write_metadata:", 15)) {
            char *slash;
            md = strtoull(t + 15, &slash, 0);
            md_mask = *slash == '/' ? strtoull(slash + 1, NULL, 0) : UINT64_MAX;
            present |= FT_INST_BIT(FT_IT_WRITE_METADATA);
        } else if (!strcmp(t, "clear_actions")) {
            present |= FT_INST_BIT(FT_IT_CLEAR_ACTIONS);
        } else {
            ck_assert_msg(tu_action(t, &apply[n_apply]), "bad action '%s' in '%s'", t, text);
            n_apply++;
            present |= FT_INST_BIT(FT_IT_APPLY_ACTIONS);
        }
    }
    struct ft_insts *in = ft_insts_new((size_t)n_apply, (size_t)n_write);
    ck_assert_ptr_nonnull(in);
    in->present = (uint8_t)present;
    in->goto_table = goto_table;
    in->meter_id = meter;
    in->metadata = md;
    in->metadata_mask = md_mask;
    memcpy(in->actions, apply, (size_t)n_apply * sizeof apply[0]);
    memcpy(in->actions + n_apply, write, (size_t)n_write * sizeof write[0]);
    return in;
}

/* Split "table=1,priority=5,cookie=0x3,idle_timeout=..,<match>" into fm. */
static inline void
tu_flow_mod_init(struct ft_flow_mod *fm, uint8_t command, const char *spec)
{
    char buf[1024], rest[1024] = "";
    memset(fm, 0, sizeof *fm);
    fm->command = command;
    fm->priority = 0x8000; /* OFP_DEFAULT_PRIORITY */
    fm->out_port = FT_PORT_ANY;
    fm->out_group = FT_GROUP_ANY;
    fm->table_id = command >= FT_FC_DELETE ? FT_TABLE_ALL : 0;
    snprintf(buf, sizeof buf, "%s", spec ? spec : "");
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (!strncmp(t, "table=", 6))
            fm->table_id = (uint8_t)strtoul(t + 6, NULL, 0);
        else if (!strncmp(t, "priority=", 9))
            fm->priority = (uint16_t)strtoul(t + 9, NULL, 0);
        else if (!strncmp(t, "cookie=", 7)) {
            char *slash;
            fm->cookie = strtoull(t + 7, &slash, 0);
            fm->cookie_mask = *slash == '/' ? strtoull(slash + 1, NULL, 0) : 0;
        } else if (!strncmp(t, "idle_timeout=", 13))
            fm->idle_timeout = (uint16_t)strtoul(t + 13, NULL, 0);
        else if (!strncmp(t, "hard_timeout=", 13))
            fm->hard_timeout = (uint16_t)strtoul(t + 13, NULL, 0);
        else if (!strncmp(t, "out_port=", 9))
            fm->out_port = tu_port(t + 9);
        else if (!strncmp(t, "out_group=", 10))
            fm->out_group = (uint32_t)strtoul(t + 10, NULL, 0);
        else if (!strcmp(t, "send_flow_rem"))
            fm->flags |= FT_FF_SEND_FLOW_REM;
        else if (!strcmp(t, "check_overlap"))
            fm->flags |= FT_FF_CHECK_OVERLAP;
        else if (!strcmp(t, "reset_counts"))
            fm->flags |= FT_FF_RESET_COUNTS;
        else {
            if (*rest)
                strcat(rest, ",");
            strcat(rest, t);
        }
    }
    const char *bad = NULL;
    enum ft_err err = ft_match_parse(&fm->match, rest, &bad);
    ck_assert_msg(err == FT_OK, "bad match '%s': %s at '%s'", rest, ft_err_name(err),
                  bad ? bad : "");
}

/* Apply a flow mod given as text; returns its error. */
static inline enum ft_err
tu_flow(struct ft_pipeline *p, uint8_t command, const char *spec, const char *insts)
{
    struct ft_flow_mod fm;
    tu_flow_mod_init(&fm, command, spec);
    struct ft_insts *in = insts ? tu_insts(insts) : NULL;
    fm.insts = in;
    enum ft_err err = ft_pipeline_flow_mod(p, &fm, 0);
    free(in);
    return err;
}

static inline enum ft_err
tu_add(struct ft_pipeline *p, const char *spec, const char *insts)
{
    return tu_flow(p, FT_FC_ADD, spec, insts);
}

/* Commit and reclaim until nothing is pending (no concurrent readers). */
static inline void
tu_settle(struct ft_pipeline *p)
{
    for (int i = 0; i < 4; i++) {
        ft_pipeline_commit(p);
        ft_pipeline_reclaim(p, ft_pipeline_version(p));
    }
}

/* A packet key from match-like text ("in_port=1,ip,nw_dst=10.0.0.1"):
 * exactly the fields given, everything else zero. */
static inline struct ft_key
tu_key(const char *text)
{
    struct ft_match m;
    const char *bad = NULL;
    enum ft_err err = ft_match_parse(&m, text, &bad);
    ck_assert_msg(err == FT_OK, "bad key '%s': %s", text, ft_err_name(err));
    return m.key;
}

/* Walk the committed version and format the program. */
static inline const char *
tu_walk(struct ft_pipeline *p, const struct ft_key *k, struct ft_walk_out *out)
{
    static char buf[4096];
    ft_walk(p, ft_pipeline_version(p), k, out);
    ft_program_format(buf, sizeof buf, out->ops, out->n_ops);
    return buf;
}

#endif /* TEST_FT_TEST_UTIL_H */
