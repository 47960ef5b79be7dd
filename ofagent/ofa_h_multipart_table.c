/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TABLE_FEATURES: what every table supports, as the pipeline implements
 * it (all 255 tables are alike: every instruction, every action, every
 * field matchable and settable as the field table says, goto to any later
 * table). Setting table features is refused with
 * TABLE_FEATURES_FAILED/EPERM: the pipeline's tables are not
 * reconfigurable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_handler_int.h"

static const uint8_t action_types[] = {
    FT_AT_OUTPUT,       FT_AT_COPY_TTL_OUT, FT_AT_COPY_TTL_IN, FT_AT_SET_MPLS_TTL,
    FT_AT_DEC_MPLS_TTL, FT_AT_PUSH_VLAN,    FT_AT_POP_VLAN,    FT_AT_PUSH_MPLS,
    FT_AT_POP_MPLS,     FT_AT_SET_QUEUE,    FT_AT_GROUP,       FT_AT_SET_NW_TTL,
    FT_AT_DEC_NW_TTL,   FT_AT_SET_FIELD,    FT_AT_PUSH_PBB,    FT_AT_POP_PBB,
};

static void
table_features(struct ofa_table_features *tf, uint8_t t, uint32_t capacity)
{
    memset(tf, 0, sizeof *tf);
    tf->table_id = t;
    snprintf(tf->name, sizeof tf->name, "table%u", t);
    tf->metadata_match = UINT64_MAX;
    tf->metadata_write = UINT64_MAX;
    tf->config = 0;
    tf->max_entries = capacity;
    tf->props = OFA_TFP_ALL;
    uint32_t actions = 0;
    for (size_t i = 0; i < sizeof action_types; i++)
        actions |= 1u << action_types[i];
    uint64_t settable = 0, match = 0, maskable = 0;
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        const struct ft_field_info *fi = ft_field_info(f);
        if (!fi)
            continue;
        match |= 1ull << f;
        if (fi->maskable)
            maskable |= 1ull << f;
        if (fi->settable)
            settable |= 1ull << f;
    }
    for (int miss = 0; miss < 2; miss++) {
        struct ofa_tf_props *p = &tf->tf[miss];
        p->instructions = FT_INST_BIT(FT_IT_WRITE_METADATA) | FT_INST_BIT(FT_IT_WRITE_ACTIONS) |
                          FT_INST_BIT(FT_IT_APPLY_ACTIONS) | FT_INST_BIT(FT_IT_CLEAR_ACTIONS) |
                          FT_INST_BIT(FT_IT_METER);
        if (t + 1 < FT_N_TABLES)
            p->instructions |= FT_INST_BIT(FT_IT_GOTO_TABLE);
        for (unsigned n = t + 1u; n < FT_N_TABLES; n++)
            p->next_tables[n / 8] |= (uint8_t)(1u << (n % 8));
        p->write_actions = actions;
        p->apply_actions = actions;
        p->write_setfield = settable;
        p->apply_setfield = settable;
    }
    tf->match = match;
    tf->match_maskable = maskable;
    tf->wildcards = match;
}

enum ft_err
ofa_mp_table_features(struct ofa_conn *c, const struct ofa_msg *m)
{
    if (m->u.mp.n)
        return FT_ERR_TABLE_FEATURES_FAILED_EPERM;
    struct ofa_table_features *tf = calloc(FT_N_TABLES, sizeof *tf);
    if (!tf)
        return OFA_ERR_NOMEM;
    uint32_t cap = ft_pipeline_table_capacity(c->agent->p);
    for (unsigned t = 0; t < FT_N_TABLES; t++)
        table_features(&tf[t], (uint8_t)t, cap);
    struct ofa_msg r;
    ofa_mp_reply_init(&r, m);
    r.u.mp.n = FT_N_TABLES;
    r.u.mp.u.table_features = tf;
    ofa_conn_send(c, &r);
    free(tf);
    return FT_OK;
}
