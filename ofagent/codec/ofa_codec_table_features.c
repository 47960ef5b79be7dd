/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TABLE_FEATURES bodies (request with properties, and reply):
 *   ofp_table_features length@0 table_id@2 pad(5) name@8[32]
 *                      metadata_match@40 metadata_write@48 config@56
 *                      max_entries@60 properties@64
 *   property           type@0 length@2 body, padded to 8 (length excludes
 *                      the padding)
 * Bodies: INSTRUCTIONS* list of instruction ids type(2) len(2);
 * NEXT_TABLES* table ids (1 byte each); *_ACTIONS* action ids type(2)
 * len(2); MATCH, WILDCARDS, *_SETFIELD* OXM headers (4 bytes each).
 *
 * The host form is bitmaps, so anything that cannot be a bit (an
 * experimenter instruction, action or OXM class, table 0xff) is refused:
 * a request that asks for it asks for something this switch cannot do.
 * Errors: item lengths BAD_REQUEST/BAD_LEN; property lengths
 * TABLE_FEATURES_FAILED/BAD_LEN; unknown or experimenter property types
 * BAD_TYPE; ids that cannot exist, or a property given twice,
 * BAD_ARGUMENT. The length byte of OXM ids is not checked (ids name a
 * field; peers disagree on what length to put there).
 */
#include <errno.h>
#include <string.h>

#include "ofa_wire.h"

/* The OFPAT_* numbers that exist in 1.3 (bit per type). */
#define KNOWN_ACTIONS                                                                              \
    (1u << FT_AT_OUTPUT | 1u << FT_AT_COPY_TTL_OUT | 1u << FT_AT_COPY_TTL_IN |                     \
     1u << FT_AT_SET_MPLS_TTL | 1u << FT_AT_DEC_MPLS_TTL | 1u << FT_AT_PUSH_VLAN |                 \
     1u << FT_AT_POP_VLAN | 1u << FT_AT_PUSH_MPLS | 1u << FT_AT_POP_MPLS | 1u << FT_AT_SET_QUEUE | \
     1u << FT_AT_GROUP | 1u << FT_AT_SET_NW_TTL | 1u << FT_AT_DEC_NW_TTL | 1u << FT_AT_SET_FIELD | \
     1u << FT_AT_PUSH_PBB | 1u << FT_AT_POP_PBB)
#define KNOWN_INSTS 0x7eu /* Types 1..6. */

/* Instruction or action ids: type(2) len(2) each; len must be 4 (an
 * experimenter id would be longer and is refused before). */
static enum ft_err
ids16_decode(const uint8_t *p, size_t len, uint32_t known, uint32_t *bits)
{
    if (len % 4)
        return FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN;
    for (size_t i = 0; i < len; i += 4) {
        uint16_t type = ft_rd16(p + i);
        if (type >= 32 || !(known & (1u << type)))
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT;
        if (ft_rd16(p + i + 2) != 4)
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN;
        *bits |= 1u << type;
    }
    return FT_OK;
}

static enum ft_err
oxm_ids_decode(const uint8_t *p, size_t len, uint64_t *bits, uint64_t *masked)
{
    if (len % 4)
        return FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN;
    for (size_t i = 0; i < len; i += 4) {
        uint32_t h = ft_rd32(p + i);
        unsigned field = (h >> 9) & 0x7f;
        if (h >> 16 != OFPXMC_OPENFLOW_BASIC || !ft_field_info(field))
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT;
        *bits |= 1ull << field;
        if (masked && (h & 0x100))
            *masked |= 1ull << field;
    }
    return FT_OK;
}

static enum ft_err
prop_decode(uint16_t type, const uint8_t *p, size_t len, struct ofa_table_features *tf)
{
    struct ofa_tf_props *tp = &tf->tf[type & 1];
    switch (type) {
    case OFA_TFP_INSTRUCTIONS:
    case OFA_TFP_INSTRUCTIONS_MISS:
        return ids16_decode(p, len, KNOWN_INSTS, &tp->instructions);
    case OFA_TFP_NEXT_TABLES:
    case OFA_TFP_NEXT_TABLES_MISS:
        for (size_t i = 0; i < len; i++) {
            if (p[i] >= FT_N_TABLES)
                return FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT;
            tp->next_tables[p[i] / 8] |= (uint8_t)(1u << (p[i] % 8));
        }
        return FT_OK;
    case OFA_TFP_WRITE_ACTIONS:
    case OFA_TFP_WRITE_ACTIONS_MISS:
        return ids16_decode(p, len, KNOWN_ACTIONS, &tp->write_actions);
    case OFA_TFP_APPLY_ACTIONS:
    case OFA_TFP_APPLY_ACTIONS_MISS:
        return ids16_decode(p, len, KNOWN_ACTIONS, &tp->apply_actions);
    case OFA_TFP_MATCH:
        return oxm_ids_decode(p, len, &tf->match, &tf->match_maskable);
    case OFA_TFP_WILDCARDS:
        return oxm_ids_decode(p, len, &tf->wildcards, NULL);
    case OFA_TFP_WRITE_SETFIELD:
    case OFA_TFP_WRITE_SETFIELD_MISS:
        return oxm_ids_decode(p, len, &tp->write_setfield, NULL);
    case OFA_TFP_APPLY_SETFIELD:
    case OFA_TFP_APPLY_SETFIELD_MISS:
        return oxm_ids_decode(p, len, &tp->apply_setfield, NULL);
    default:
        return FT_ERR_TABLE_FEATURES_FAILED_BAD_TYPE;
    }
}

enum ft_err
ofa_table_features_decode(const uint8_t *p, size_t avail, struct ofa_table_features *tf,
                          size_t *consumed)
{
    memset(tf, 0, sizeof *tf);
    if (avail < OFP_TABLE_FEATURES_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p);
    if (len < OFP_TABLE_FEATURES_LEN || len > avail || len % 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    tf->table_id = p[2];
    ofa_str_from_wire(tf->name, p + 8, OFA_TABLE_NAME_LEN);
    tf->metadata_match = ft_rd64(p + 40);
    tf->metadata_write = ft_rd64(p + 48);
    tf->config = ft_rd32(p + 56);
    tf->max_entries = ft_rd32(p + 60);

    size_t ofs = OFP_TABLE_FEATURES_LEN;
    while (ofs < len) {
        size_t left = len - ofs;
        if (left < OFP_TF_PROP_HEADER_LEN)
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN;
        uint16_t type = ft_rd16(p + ofs);
        size_t plen = ft_rd16(p + ofs + 2);
        if (plen < OFP_TF_PROP_HEADER_LEN || plen > left)
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN;
        if (type < 32 && (tf->props & (1u << type)))
            return FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT;
        enum ft_err err =
            prop_decode(type, p + ofs + OFP_TF_PROP_HEADER_LEN, plen - OFP_TF_PROP_HEADER_LEN, tf);
        if (err)
            return err;
        tf->props |= 1u << type; /* prop_decode refused every type >= 16. */
        /* len is a multiple of 8 and ofs stays one, so the padded
         * property always fits once plen does. */
        ofs += ofa_round8(plen);
    }
    *consumed = len;
    return FT_OK;
}

/* ---- encoding ---------------------------------------------------------------------------- */

static size_t
prop_start(struct ofa_buf *b, uint16_t type)
{
    size_t start = b->len;
    ofa_buf_put_be16(b, type);
    ofa_buf_put_be16(b, 0);
    return start;
}

static void
prop_finish(struct ofa_buf *b, size_t start)
{
    ofa_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
    ofa_buf_pad8(b, start);
}

static void
ids16_encode(struct ofa_buf *b, uint32_t bits)
{
    for (unsigned t = 0; t < 32; t++) {
        if (bits & (1u << t)) {
            ofa_buf_put_be16(b, (uint16_t)t);
            ofa_buf_put_be16(b, 4);
        }
    }
}

static void
oxm_ids_encode(struct ofa_buf *b, uint64_t bits, uint64_t masked)
{
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        if (!(bits & (1ull << f)))
            continue;
        bool hm = masked & (1ull << f);
        unsigned plen = ft_field_info(f)->wire_len * (hm ? 2u : 1u);
        ofa_buf_put_be32(b, OFPXMC_OPENFLOW_BASIC << 16 | f << 9 | (hm ? 0x100u : 0) | plen);
    }
}

int
ofa_table_features_encode(struct ofa_buf *b, const struct ofa_table_features *tf)
{
    if ((tf->props & ~OFA_TFP_ALL) || (tf->match | tf->wildcards) >> FT_N_FIELDS)
        return -EINVAL;
    size_t start = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_u8(b, tf->table_id);
    ofa_buf_put_zeros(b, 5);
    ofa_str_to_wire(b, tf->name, OFA_TABLE_NAME_LEN);
    ofa_buf_put_be64(b, tf->metadata_match);
    ofa_buf_put_be64(b, tf->metadata_write);
    ofa_buf_put_be32(b, tf->config);
    ofa_buf_put_be32(b, tf->max_entries);
    for (unsigned t = 0; t < 16; t++) {
        if (!(tf->props & (1u << t)))
            continue;
        const struct ofa_tf_props *tp = &tf->tf[t & 1];
        size_t ps = prop_start(b, (uint16_t)t);
        switch (t) {
        case OFA_TFP_INSTRUCTIONS:
        case OFA_TFP_INSTRUCTIONS_MISS:
            ids16_encode(b, tp->instructions & KNOWN_INSTS);
            break;
        case OFA_TFP_NEXT_TABLES:
        case OFA_TFP_NEXT_TABLES_MISS:
            for (unsigned i = 0; i < FT_N_TABLES; i++)
                if (tp->next_tables[i / 8] & (1u << (i % 8)))
                    ofa_buf_put_u8(b, (uint8_t)i);
            break;
        case OFA_TFP_WRITE_ACTIONS:
        case OFA_TFP_WRITE_ACTIONS_MISS:
            ids16_encode(b, tp->write_actions & KNOWN_ACTIONS);
            break;
        case OFA_TFP_APPLY_ACTIONS:
        case OFA_TFP_APPLY_ACTIONS_MISS:
            ids16_encode(b, tp->apply_actions & KNOWN_ACTIONS);
            break;
        case OFA_TFP_MATCH:
            oxm_ids_encode(b, tf->match, tf->match_maskable);
            break;
        case OFA_TFP_WILDCARDS:
            oxm_ids_encode(b, tf->wildcards, 0);
            break;
        case OFA_TFP_WRITE_SETFIELD:
        case OFA_TFP_WRITE_SETFIELD_MISS:
            oxm_ids_encode(b, tp->write_setfield, 0);
            break;
        case OFA_TFP_APPLY_SETFIELD:
        case OFA_TFP_APPLY_SETFIELD_MISS:
            oxm_ids_encode(b, tp->apply_setfield, 0);
            break;
        }
        prop_finish(b, ps);
    }
    if (ofa_buf_failed(b))
        return -ENOMEM;
    if (b->len - start > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_set_be16(b, start, (uint16_t)(b->len - start));
    return 0;
}
