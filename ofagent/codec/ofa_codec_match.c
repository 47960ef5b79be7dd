/* SPDX-License-Identifier: Apache-2.0 */
/*
 * OXM matches: ofp_match { type(2)=OFPMT_OXM, length(2), oxm_fields...,
 * pad to 8 } where each OXM TLV is header(4) = class(16) field(7)
 * hasmask(1) length(8), then the value and, with hasmask, the mask.
 *
 * The codec checks structure (BAD_TYPE, BAD_LEN, BAD_FIELD, DUP_FIELD);
 * what the values mean (masks allowed, prerequisites, wildcards) is
 * ft_match_from_entries()'s job, so the rules live in one place.
 */
#include <errno.h>
#include <string.h>

#include "ofa_wire.h"

enum ft_err
ofa_match_decode_entries(const uint8_t *p, size_t avail, struct ft_match_entry *e, uint8_t *n,
                         size_t *consumed)
{
    *n = 0;
    if (avail < OFP_MATCH_HEADER_LEN)
        return FT_ERR_BAD_MATCH_BAD_LEN;
    uint16_t type = ft_rd16(p);
    uint16_t mlen = ft_rd16(p + 2);
    if (type != OFPMT_OXM)
        return FT_ERR_BAD_MATCH_BAD_TYPE;
    if (mlen < OFP_MATCH_HEADER_LEN || ofa_round8(mlen) > avail)
        return FT_ERR_BAD_MATCH_BAD_LEN;

    const uint8_t *q = p + OFP_MATCH_HEADER_LEN;
    size_t left = mlen - OFP_MATCH_HEADER_LEN;
    uint64_t seen = 0;
    while (left) {
        if (left < OXM_HEADER_LEN)
            return FT_ERR_BAD_MATCH_BAD_LEN;
        uint32_t h = ft_rd32(q);
        unsigned cls = h >> 16, field = (h >> 9) & 0x7f, plen = h & 0xff;
        bool hm = h & 0x100;
        if (plen > left - OXM_HEADER_LEN)
            return FT_ERR_BAD_MATCH_BAD_LEN;
        /* Only the basic class exists here: NXM and experimenter classes
         * name fields this switch does not have. */
        const struct ft_field_info *fi = ft_field_info(field);
        if (cls != OFPXMC_OPENFLOW_BASIC || !fi)
            return FT_ERR_BAD_MATCH_BAD_FIELD;
        if (plen != (unsigned)fi->wire_len * (hm ? 2 : 1))
            return FT_ERR_BAD_MATCH_BAD_LEN;
        if (seen & (1ull << field))
            return FT_ERR_BAD_MATCH_DUP_FIELD;
        seen |= 1ull << field;

        struct ft_match_entry *en = &e[(*n)++];
        memset(en, 0, sizeof *en);
        en->field = (uint8_t)field;
        en->has_mask = hm;
        ft_field_value_from_wire(field, q + OXM_HEADER_LEN, &en->value);
        if (hm)
            ft_field_value_from_wire(field, q + OXM_HEADER_LEN + fi->wire_len, &en->mask);
        q += OXM_HEADER_LEN + plen;
        left -= OXM_HEADER_LEN + plen;
    }
    /* Padding content is not checked: the spec does not ask receivers to,
     * and Open vSwitch does not either. */
    *consumed = ofa_round8(mlen);
    return FT_OK;
}

enum ft_err
ofa_match_decode(const uint8_t *p, size_t avail, struct ft_match *m, size_t *consumed)
{
    struct ft_match_entry e[FT_MATCH_MAX_ENTRIES];
    uint8_t n;
    enum ft_err err = ofa_match_decode_entries(p, avail, e, &n, consumed);
    if (err)
        return err;
    return ft_match_from_entries(m, e, n);
}

int
ofa_oxm_encode(struct ofa_buf *b, const struct ft_match_entry *e)
{
    const struct ft_field_info *fi = ft_field_info(e->field);
    if (!fi)
        return -EINVAL;
    unsigned plen = fi->wire_len * (e->has_mask ? 2u : 1u);
    ofa_buf_put_be32(b, OFPXMC_OPENFLOW_BASIC << 16 | (uint32_t)e->field << 9 |
                            (e->has_mask ? 0x100u : 0) | plen);
    uint8_t *v = ofa_buf_put_zeros(b, plen);
    if (!v)
        return -ENOMEM;
    ft_field_value_to_wire(e->field, &e->value, v);
    if (e->has_mask)
        ft_field_value_to_wire(e->field, &e->mask, v + fi->wire_len);
    return 0;
}

int
ofa_match_encode_entries(struct ofa_buf *b, const struct ft_match_entry *e, size_t n)
{
    size_t start = b->len;
    ofa_buf_put_be16(b, OFPMT_OXM);
    ofa_buf_put_be16(b, 0);
    for (size_t i = 0; i < n; i++) {
        int rc = ofa_oxm_encode(b, &e[i]);
        if (rc) {
            ofa_buf_truncate(b, start);
            return rc;
        }
    }
    ofa_buf_set_be16(b, start + 2, (uint16_t)(b->len - start));
    ofa_buf_pad8(b, start);
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

int
ofa_match_encode(struct ofa_buf *b, const struct ft_match *m)
{
    struct ft_match_entry e[FT_MATCH_MAX_ENTRIES];
    size_t n = ft_match_to_entries(m, e);
    return ofa_match_encode_entries(b, e, n);
}
