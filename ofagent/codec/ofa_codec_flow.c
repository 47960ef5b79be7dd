/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow family: FLOW_MOD, FLOW_REMOVED, PACKET_IN and PACKET_OUT.
 *
 * Wire layouts (offsets from the message start, OpenFlow 1.3.5):
 *   ofp_flow_mod     cookie@8 cookie_mask@16 table_id@24 command@25
 *                    idle@26 hard@28 priority@30 buffer_id@32 out_port@36
 *                    out_group@40 flags@44 pad(2) match@48 instructions
 *   ofp_flow_removed cookie@8 priority@16 reason@18 table_id@19
 *                    duration_sec@20 duration_nsec@24 idle@28 hard@30
 *                    packet_count@32 byte_count@40 match@48
 *   ofp_packet_in    buffer_id@8 total_len@12 reason@14 table_id@15
 *                    cookie@16 match@24 pad(2) frame
 *   ofp_packet_out   buffer_id@8 in_port@12 actions_len@16 pad(6)
 *                    actions@24 frame
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

#define NS_PER_SEC 1000000000ull

enum ft_err
ofa_dec_flow_mod(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_flow_mod *f = &m->u.flow_mod;
    if (len < OFP_FLOW_MOD_LEN + 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    f->fm.cookie = ft_rd64(msg + 8);
    f->fm.cookie_mask = ft_rd64(msg + 16);
    f->fm.table_id = msg[24];
    f->fm.command = msg[25];
    f->fm.idle_timeout = ft_rd16(msg + 26);
    f->fm.hard_timeout = ft_rd16(msg + 28);
    f->fm.priority = ft_rd16(msg + 30);
    f->buffer_id = ft_rd32(msg + 32);
    f->fm.out_port = ft_rd32(msg + 36);
    f->fm.out_group = ft_rd32(msg + 40);
    f->fm.flags = ft_rd16(msg + 44);

    size_t mlen;
    enum ft_err err =
        ofa_match_decode(msg + OFP_FLOW_MOD_LEN, len - OFP_FLOW_MOD_LEN, &f->fm.match, &mlen);
    if (err)
        return err;
    size_t ofs = OFP_FLOW_MOD_LEN + mlen;
    struct ft_insts *in;
    err = ofa_insts_decode(msg + ofs, len - ofs, &in);
    if (err)
        return err;
    f->fm.insts = in;
    return FT_OK;
}

int
ofa_enc_flow_mod(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_flow_mod *f = &m->u.flow_mod;
    ofa_buf_put_be64(b, f->fm.cookie);
    ofa_buf_put_be64(b, f->fm.cookie_mask);
    ofa_buf_put_u8(b, f->fm.table_id);
    ofa_buf_put_u8(b, f->fm.command);
    ofa_buf_put_be16(b, f->fm.idle_timeout);
    ofa_buf_put_be16(b, f->fm.hard_timeout);
    ofa_buf_put_be16(b, f->fm.priority);
    ofa_buf_put_be32(b, f->buffer_id);
    ofa_buf_put_be32(b, f->fm.out_port);
    ofa_buf_put_be32(b, f->fm.out_group);
    ofa_buf_put_be16(b, f->fm.flags);
    ofa_buf_put_zeros(b, 2);
    int rc = ofa_match_encode(b, &f->fm.match);
    if (rc)
        return rc;
    return ofa_insts_encode(b, f->fm.insts);
}

enum ft_err
ofa_dec_flow_removed(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ft_flow_removed *fr = &m->u.flow_removed;
    if (len < OFP_FLOW_REMOVED_LEN + 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    fr->cookie = ft_rd64(msg + 8);
    fr->priority = ft_rd16(msg + 16);
    fr->reason = msg[18];
    fr->table_id = msg[19];
    fr->duration_ns = ft_rd32(msg + 20) * NS_PER_SEC + ft_rd32(msg + 24);
    fr->idle_timeout = ft_rd16(msg + 28);
    fr->hard_timeout = ft_rd16(msg + 30);
    fr->packet_count = ft_rd64(msg + 32);
    fr->byte_count = ft_rd64(msg + 40);
    size_t mlen;
    enum ft_err err =
        ofa_match_decode(msg + OFP_FLOW_REMOVED_LEN, len - OFP_FLOW_REMOVED_LEN, &fr->match, &mlen);
    if (err)
        return err;
    return OFP_FLOW_REMOVED_LEN + mlen == len ? FT_OK : FT_ERR_BAD_REQUEST_BAD_LEN;
}

int
ofa_enc_flow_removed(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ft_flow_removed *fr = &m->u.flow_removed;
    uint64_t sec = fr->duration_ns / NS_PER_SEC;
    ofa_buf_put_be64(b, fr->cookie);
    ofa_buf_put_be16(b, fr->priority);
    /* OpenFlow 1.3 has no METER_DELETE reason: such rules were deleted. */
    ofa_buf_put_u8(b, fr->reason == FT_RR_METER_DELETE ? FT_RR_DELETE : fr->reason);
    ofa_buf_put_u8(b, fr->table_id);
    ofa_buf_put_be32(b, sec > UINT32_MAX ? UINT32_MAX : (uint32_t)sec);
    ofa_buf_put_be32(b, (uint32_t)(fr->duration_ns % NS_PER_SEC));
    ofa_buf_put_be16(b, fr->idle_timeout);
    ofa_buf_put_be16(b, fr->hard_timeout);
    ofa_buf_put_be64(b, fr->packet_count);
    ofa_buf_put_be64(b, fr->byte_count);
    return ofa_match_encode(b, &fr->match);
}

enum ft_err
ofa_dec_packet_in(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_packet_in *pi = &m->u.packet_in;
    if (len < OFP_PACKET_IN_LEN + 8 + 2)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    pi->buffer_id = ft_rd32(msg + 8);
    pi->total_len = ft_rd16(msg + 12);
    pi->reason = msg[14];
    pi->table_id = msg[15];
    pi->cookie = ft_rd64(msg + 16);
    size_t mlen;
    enum ft_err err = ofa_match_decode_entries(msg + OFP_PACKET_IN_LEN, len - OFP_PACKET_IN_LEN,
                                               pi->match, &pi->n_match, &mlen);
    if (err)
        return err;
    size_t ofs = OFP_PACKET_IN_LEN + mlen + 2; /* pad(2) aligns the IP header. */
    if (ofs > len)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    pi->data = msg + ofs;
    pi->data_len = len - ofs;
    return FT_OK;
}

int
ofa_enc_packet_in(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_packet_in *pi = &m->u.packet_in;
    if (pi->n_match > FT_MATCH_MAX_ENTRIES)
        return -EINVAL;
    ofa_buf_put_be32(b, pi->buffer_id);
    ofa_buf_put_be16(b, pi->total_len);
    ofa_buf_put_u8(b, pi->reason);
    ofa_buf_put_u8(b, pi->table_id);
    ofa_buf_put_be64(b, pi->cookie);
    int rc = ofa_match_encode_entries(b, pi->match, pi->n_match);
    if (rc)
        return rc;
    ofa_buf_put_zeros(b, 2);
    ofa_buf_put_bytes(b, pi->data, pi->data_len);
    return 0;
}

enum ft_err
ofa_dec_packet_out(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_packet_out *po = &m->u.packet_out;
    if (len < OFP_PACKET_OUT_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    po->buffer_id = ft_rd32(msg + 8);
    po->in_port = ft_rd32(msg + 12);
    size_t alen = ft_rd16(msg + 16);
    if (alen > len - OFP_PACKET_OUT_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    enum ft_err err =
        ofa_actions_decode_alloc(msg + OFP_PACKET_OUT_LEN, alen, &po->actions, &po->n_actions);
    if (err) {
        free(po->actions);
        po->actions = NULL;
        return err;
    }
    po->data = msg + OFP_PACKET_OUT_LEN + alen;
    po->data_len = len - OFP_PACKET_OUT_LEN - alen;
    return FT_OK;
}

int
ofa_enc_packet_out(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_packet_out *po = &m->u.packet_out;
    ofa_buf_put_be32(b, po->buffer_id);
    ofa_buf_put_be32(b, po->in_port);
    size_t lenpos = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_zeros(b, 6);
    size_t start = b->len;
    int rc = ofa_actions_encode(b, po->actions, po->n_actions);
    if (rc)
        return rc;
    if (b->len - start > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_set_be16(b, lenpos, (uint16_t)(b->len - start));
    ofa_buf_put_bytes(b, po->data, po->data_len);
    return 0;
}
