/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Actions (ofp_action_*: type(2) len(2) body, len a multiple of 8) and
 * instructions (ofp_instruction_*: type(2) len(2) body, same rule).
 *
 * Only structure is checked here; whether an action makes sense for the
 * rule (ports, prerequisites, settable fields, list length) is
 * ft_actions_check()'s and the pipeline's job.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

/* A set-field action: type(2)=25 len(2) oxm_header(4) value pad-to-8. */
static enum ft_err
set_field_decode(const uint8_t *p, size_t alen, struct ft_action *a)
{
    uint32_t h = ft_rd32(p + 4);
    unsigned cls = h >> 16, field = (h >> 9) & 0x7f, plen = h & 0xff;
    const struct ft_field_info *fi = ft_field_info(field);
    if (cls != OFPXMC_OPENFLOW_BASIC || !fi)
        return FT_ERR_BAD_ACTION_BAD_SET_TYPE;
    /* OpenFlow 1.3 has no masked set-field (1.5 added it). */
    if (h & 0x100)
        return FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT;
    if (plen != fi->wire_len || alen != ofa_round8(8 + plen))
        return FT_ERR_BAD_ACTION_BAD_SET_LEN;
    /* The spec pads the OXM with zeros to 8 bytes; stray bytes there are
     * a malformed argument (as Open vSwitch treats them). */
    for (size_t i = 8 + plen; i < alen; i++)
        if (p[i])
            return FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT;
    a->field = (uint8_t)field;
    ft_field_value_from_wire(field, p + 8, &a->value);
    return FT_OK;
}

static enum ft_err
action_decode(const uint8_t *p, size_t alen, struct ft_action *a)
{
    uint16_t type = ft_rd16(p);
    memset(a, 0, sizeof *a);
    a->type = (uint8_t)type;
    switch (type) {
    case FT_AT_OUTPUT:
        if (alen != OFP_ACTION_OUTPUT_LEN)
            return FT_ERR_BAD_ACTION_BAD_LEN;
        a->arg = ft_rd32(p + 4);
        a->max_len = ft_rd16(p + 8);
        return FT_OK;
    case FT_AT_COPY_TTL_OUT:
    case FT_AT_COPY_TTL_IN:
    case FT_AT_DEC_MPLS_TTL:
    case FT_AT_POP_VLAN:
    case FT_AT_DEC_NW_TTL:
    case FT_AT_POP_PBB:
        break;
    case FT_AT_SET_MPLS_TTL:
    case FT_AT_SET_NW_TTL:
        a->ttl = p[4];
        break;
    case FT_AT_PUSH_VLAN:
    case FT_AT_PUSH_MPLS:
    case FT_AT_PUSH_PBB:
    case FT_AT_POP_MPLS:
        a->ethertype = ft_rd16(p + 4);
        break;
    case FT_AT_SET_QUEUE:
    case FT_AT_GROUP:
        a->arg = ft_rd32(p + 4);
        break;
    case FT_AT_SET_FIELD:
        return set_field_decode(p, alen, a);
    case OFPAT_EXPERIMENTER:
        return FT_ERR_BAD_ACTION_BAD_EXPERIMENTER;
    default:
        return FT_ERR_BAD_ACTION_BAD_TYPE;
    }
    return alen == OFP_ACTION_LEN ? FT_OK : FT_ERR_BAD_ACTION_BAD_LEN;
}

enum ft_err
ofa_actions_decode(const uint8_t *p, size_t len, struct ft_action *out, size_t *n)
{
    struct ft_action tmp;
    *n = 0;
    while (len) {
        if (len < OFP_ACTION_LEN)
            return FT_ERR_BAD_ACTION_BAD_LEN;
        size_t alen = ft_rd16(p + 2);
        if (alen < OFP_ACTION_LEN || alen % 8 || alen > len)
            return FT_ERR_BAD_ACTION_BAD_LEN;
        enum ft_err err = action_decode(p, alen, out ? &out[*n] : &tmp);
        if (err)
            return err;
        (*n)++;
        p += alen;
        len -= alen;
    }
    return FT_OK;
}

enum ft_err
ofa_actions_decode_alloc(const uint8_t *p, size_t len, struct ft_action **out, size_t *n)
{
    *out = NULL;
    enum ft_err err = ofa_actions_decode(p, len, NULL, n);
    if (err || !*n)
        return err;
    *out = calloc(*n, sizeof **out);
    if (!*out)
        return OFA_ERR_NOMEM;
    return ofa_actions_decode(p, len, *out, n);
}

static int
action_encode(struct ofa_buf *b, const struct ft_action *a)
{
    switch (a->type) {
    case FT_AT_OUTPUT:
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, OFP_ACTION_OUTPUT_LEN);
        ofa_buf_put_be32(b, a->arg);
        ofa_buf_put_be16(b, a->max_len);
        ofa_buf_put_zeros(b, 6);
        return 0;
    case FT_AT_COPY_TTL_OUT:
    case FT_AT_COPY_TTL_IN:
    case FT_AT_DEC_MPLS_TTL:
    case FT_AT_POP_VLAN:
    case FT_AT_DEC_NW_TTL:
    case FT_AT_POP_PBB:
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, OFP_ACTION_LEN);
        ofa_buf_put_zeros(b, 4);
        return 0;
    case FT_AT_SET_MPLS_TTL:
    case FT_AT_SET_NW_TTL:
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, OFP_ACTION_LEN);
        ofa_buf_put_u8(b, a->ttl);
        ofa_buf_put_zeros(b, 3);
        return 0;
    case FT_AT_PUSH_VLAN:
    case FT_AT_PUSH_MPLS:
    case FT_AT_PUSH_PBB:
    case FT_AT_POP_MPLS:
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, OFP_ACTION_LEN);
        ofa_buf_put_be16(b, a->ethertype);
        ofa_buf_put_zeros(b, 2);
        return 0;
    case FT_AT_SET_QUEUE:
    case FT_AT_GROUP:
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, OFP_ACTION_LEN);
        ofa_buf_put_be32(b, a->arg);
        return 0;
    case FT_AT_SET_FIELD: {
        const struct ft_field_info *fi = ft_field_info(a->field);
        if (!fi)
            return -EINVAL;
        size_t start = b->len;
        ofa_buf_put_be16(b, a->type);
        ofa_buf_put_be16(b, (uint16_t)ofa_round8(8 + fi->wire_len));
        struct ft_match_entry e = {.field = a->field, .value = a->value};
        int rc = ofa_oxm_encode(b, &e);
        ofa_buf_pad8(b, start);
        return rc;
    }
    default:
        return -EINVAL;
    }
}

int
ofa_actions_encode(struct ofa_buf *b, const struct ft_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = action_encode(b, &a[i]);
        if (rc)
            return rc;
    }
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

/* ---- instructions --------------------------------------------------------------- */

/* Where the two action lists of an instruction set are in the wire. */
struct inst_lists {
    const uint8_t *apply, *write;
    size_t apply_len, write_len;
};

/* Pass 1: structure, duplicates and action lists; fills in the fixed
 * instructions of `in` when given. */
static enum ft_err
insts_scan(const uint8_t *p, size_t len, struct ft_insts *in, uint8_t *present,
           struct inst_lists *l, size_t *n_apply, size_t *n_write)
{
    *present = 0;
    memset(l, 0, sizeof *l);
    while (len) {
        if (len < 8)
            return FT_ERR_BAD_INSTRUCTION_BAD_LEN;
        uint16_t type = ft_rd16(p);
        size_t ilen = ft_rd16(p + 2);
        if (ilen < 8 || ilen % 8 || ilen > len)
            return FT_ERR_BAD_INSTRUCTION_BAD_LEN;
        size_t want;
        switch (type) {
        case FT_IT_GOTO_TABLE:
        case FT_IT_CLEAR_ACTIONS:
        case FT_IT_METER:
            want = OFP_INST_GOTO_LEN;
            break;
        case FT_IT_WRITE_METADATA:
            want = OFP_INST_META_LEN;
            break;
        case FT_IT_WRITE_ACTIONS:
        case FT_IT_APPLY_ACTIONS:
            want = ilen;
            break;
        case OFPIT_EXPERIMENTER:
            return FT_ERR_BAD_INSTRUCTION_BAD_EXPERIMENTER;
        default:
            return FT_ERR_BAD_INSTRUCTION_UNKNOWN_INST;
        }
        if (ilen != want)
            return FT_ERR_BAD_INSTRUCTION_BAD_LEN;
        if (*present & FT_INST_BIT(type))
            return FT_ERR_BAD_INSTRUCTION_DUP_INST;
        *present |= (uint8_t)FT_INST_BIT(type);
        enum ft_err err;
        switch (type) {
        case FT_IT_GOTO_TABLE:
            if (in)
                in->goto_table = p[4];
            break;
        case FT_IT_METER:
            if (in)
                in->meter_id = ft_rd32(p + 4);
            break;
        case FT_IT_WRITE_METADATA:
            if (in) {
                in->metadata = ft_rd64(p + 8);
                in->metadata_mask = ft_rd64(p + 16);
            }
            break;
        case FT_IT_APPLY_ACTIONS:
            l->apply = p + 8;
            l->apply_len = ilen - 8;
            err = ofa_actions_decode(l->apply, l->apply_len, NULL, n_apply);
            if (err)
                return err;
            break;
        case FT_IT_WRITE_ACTIONS:
            l->write = p + 8;
            l->write_len = ilen - 8;
            err = ofa_actions_decode(l->write, l->write_len, NULL, n_write);
            if (err)
                return err;
            break;
        }
        p += ilen;
        len -= ilen;
    }
    return FT_OK;
}

enum ft_err
ofa_insts_decode(const uint8_t *p, size_t len, struct ft_insts **out)
{
    uint8_t present;
    struct inst_lists l;
    size_t n_apply = 0, n_write = 0;
    *out = NULL;
    enum ft_err err = insts_scan(p, len, NULL, &present, &l, &n_apply, &n_write);
    if (err || !present)
        return err;
    struct ft_insts *in = ft_insts_new(n_apply, n_write);
    if (!in)
        return OFA_ERR_NOMEM;
    /* Cannot fail now: the same bytes passed the scan. */
    insts_scan(p, len, in, &present, &l, &n_apply, &n_write);
    in->present = present;
    ofa_actions_decode(l.apply, l.apply_len, in->actions, &n_apply);
    ofa_actions_decode(l.write, l.write_len, in->actions + in->n_apply, &n_write);
    *out = in;
    return FT_OK;
}

static void
list_inst(struct ofa_buf *b, uint16_t type, const struct ft_action *a, size_t n, int *rc)
{
    size_t start = b->len;
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_zeros(b, 4);
    int r = ofa_actions_encode(b, a, n);
    if (r && !*rc)
        *rc = r;
    size_t ilen = b->len - start;
    if (ilen > UINT16_MAX && !*rc)
        *rc = -EMSGSIZE;
    ofa_buf_set_be16(b, start + 2, (uint16_t)ilen);
}

int
ofa_insts_encode(struct ofa_buf *b, const struct ft_insts *in)
{
    int rc = 0;
    if (!in)
        return 0;
    /* The order Open vSwitch requires of OpenFlow 1.1+ peers (meter,
     * apply, clear, write, metadata, goto), which is also the order the
     * spec executes them in. */
    if (in->present & FT_INST_BIT(FT_IT_METER)) {
        ofa_buf_put_be16(b, FT_IT_METER);
        ofa_buf_put_be16(b, OFP_INST_METER_LEN);
        ofa_buf_put_be32(b, in->meter_id);
    }
    if (in->present & FT_INST_BIT(FT_IT_APPLY_ACTIONS))
        list_inst(b, FT_IT_APPLY_ACTIONS, ft_insts_apply(in), in->n_apply, &rc);
    if (in->present & FT_INST_BIT(FT_IT_CLEAR_ACTIONS)) {
        ofa_buf_put_be16(b, FT_IT_CLEAR_ACTIONS);
        ofa_buf_put_be16(b, 8);
        ofa_buf_put_zeros(b, 4);
    }
    if (in->present & FT_INST_BIT(FT_IT_WRITE_ACTIONS))
        list_inst(b, FT_IT_WRITE_ACTIONS, ft_insts_write(in), in->n_write, &rc);
    if (in->present & FT_INST_BIT(FT_IT_WRITE_METADATA)) {
        ofa_buf_put_be16(b, FT_IT_WRITE_METADATA);
        ofa_buf_put_be16(b, OFP_INST_META_LEN);
        ofa_buf_put_zeros(b, 4);
        ofa_buf_put_be64(b, in->metadata);
        ofa_buf_put_be64(b, in->metadata_mask);
    }
    if (in->present & FT_INST_BIT(FT_IT_GOTO_TABLE)) {
        ofa_buf_put_be16(b, FT_IT_GOTO_TABLE);
        ofa_buf_put_be16(b, OFP_INST_GOTO_LEN);
        ofa_buf_put_u8(b, in->goto_table);
        ofa_buf_put_zeros(b, 3);
    }
    if (rc)
        return rc;
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}
