/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The codec's entry points: header checks and dispatch, the messages with
 * fixed or trivial bodies (hello, error, echo, experimenter, features,
 * config, barrier, role, async, table mod), ofa_encode_error() and
 * ofa_msg_free(). The families with lists live in ofa_codec_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

void
ofa_str_from_wire(char *dst, const uint8_t *src, size_t wire_len)
{
    size_t n = 0;
    while (n < wire_len && src[n])
        n++;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

void
ofa_str_to_wire(struct ofa_buf *b, const char *src, size_t wire_len)
{
    uint8_t *p = ofa_buf_put_zeros(b, wire_len);
    if (p)
        memcpy(p, src, strnlen(src, wire_len));
}

size_t
ofa_msg_start(struct ofa_buf *b, uint8_t version, uint8_t type, uint32_t xid)
{
    size_t start = b->len;
    ofa_buf_put_u8(b, version ? version : OFA_VERSION);
    ofa_buf_put_u8(b, type);
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_be32(b, xid);
    return start;
}

int
ofa_msg_finish(struct ofa_buf *b, size_t start)
{
    if (ofa_buf_failed(b))
        return -ENOMEM;
    size_t len = b->len - start;
    if (len > OFA_MAX_MSG_LEN)
        return -EMSGSIZE;
    ofa_buf_set_be16(b, start + 2, (uint16_t)len);
    return 0;
}

bool
ofa_peek_header(const uint8_t *buf, size_t len, struct ofa_header *h)
{
    if (len < OFP_HEADER_LEN)
        return false;
    h->version = buf[0];
    h->type = buf[1];
    h->length = ft_rd16(buf + 2);
    h->xid = ft_rd32(buf + 4);
    return true;
}

/* ---- decoding of the simple messages ------------------------------------------------ */

/* HELLO elements: type(2) length(2) body, padded to 8. The spec asks to
 * skip unknown elements; like Open vSwitch, a malformed element ends the
 * parse without failing the hello (a newer peer's hello must still
 * negotiate). */
static enum ft_err
dec_hello(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    const uint8_t *p = msg + OFP_HEADER_LEN;
    size_t left = len - OFP_HEADER_LEN;
    while (left >= 4) {
        uint16_t type = ft_rd16(p);
        size_t elen = ft_rd16(p + 2);
        if (elen < 4 || elen > left)
            break;
        if (type == OFP_HELLO_ELEM_VERSIONBITMAP && !m->u.hello.n_words) {
            size_t words = (elen - 4) / 4;
            if (words > OFA_HELLO_MAX_WORDS)
                words = OFA_HELLO_MAX_WORDS;
            for (size_t i = 0; i < words; i++)
                m->u.hello.bitmap[i] = ft_rd32(p + 4 + 4 * i);
            m->u.hello.n_words = (uint8_t)words;
        }
        size_t adv = ofa_round8(elen);
        if (adv >= left)
            break;
        p += adv;
        left -= adv;
    }
    return FT_OK;
}

static enum ft_err
dec_error(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_error *e = &m->u.error;
    if (len < OFP_ERROR_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    uint16_t type = ft_rd16(msg + 8);
    uint16_t code = ft_rd16(msg + 10);
    size_t ofs = OFP_ERROR_LEN;
    if (type == 0xffff) {
        if (len < OFP_ERROR_EXP_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        e->experimenter = true;
        e->exp_type = code;
        e->exp_id = ft_rd32(msg + 12);
        ofs = OFP_ERROR_EXP_LEN;
    }
    e->err = ft_err_from_type_code(type, code);
    e->data = msg + ofs;
    e->data_len = len - ofs;
    return FT_OK;
}

static enum ft_err
want_len(size_t len, size_t want)
{
    return len == want ? FT_OK : FT_ERR_BAD_REQUEST_BAD_LEN;
}

static enum ft_err
dec_simple(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    enum ft_err err;
    switch (m->type) {
    case OFA_HELLO:
        return dec_hello(msg, len, m);
    case OFA_ERROR:
        return dec_error(msg, len, m);
    case OFA_ECHO_REQUEST:
    case OFA_ECHO_REPLY:
        m->u.echo.data = msg + OFP_HEADER_LEN;
        m->u.echo.data_len = len - OFP_HEADER_LEN;
        return FT_OK;
    case OFA_EXPERIMENTER:
        if (len < OFP_EXPERIMENTER_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        m->u.experimenter.experimenter = ft_rd32(msg + 8);
        m->u.experimenter.exp_type = ft_rd32(msg + 12);
        m->u.experimenter.data = msg + OFP_EXPERIMENTER_LEN;
        m->u.experimenter.data_len = len - OFP_EXPERIMENTER_LEN;
        return FT_OK;
    case OFA_FEATURES_REQUEST:
    case OFA_GET_CONFIG_REQUEST:
    case OFA_BARRIER_REQUEST:
    case OFA_BARRIER_REPLY:
    case OFA_GET_ASYNC_REQUEST:
        return want_len(len, OFP_HEADER_LEN);
    case OFA_FEATURES_REPLY:
        if ((err = want_len(len, OFP_FEATURES_REPLY_LEN)))
            return err;
        m->u.features.datapath_id = ft_rd64(msg + 8);
        m->u.features.n_buffers = ft_rd32(msg + 16);
        m->u.features.n_tables = msg[20];
        m->u.features.auxiliary_id = msg[21];
        m->u.features.capabilities = ft_rd32(msg + 24);
        return FT_OK;
    case OFA_GET_CONFIG_REPLY:
    case OFA_SET_CONFIG:
        if ((err = want_len(len, OFP_SWITCH_CONFIG_LEN)))
            return err;
        m->u.config.flags = ft_rd16(msg + 8);
        m->u.config.miss_send_len = ft_rd16(msg + 10);
        return FT_OK;
    case OFA_TABLE_MOD:
        if ((err = want_len(len, OFP_TABLE_MOD_LEN)))
            return err;
        m->u.table_mod.table_id = msg[8];
        m->u.table_mod.config = ft_rd32(msg + 12);
        return FT_OK;
    case OFA_ROLE_REQUEST:
    case OFA_ROLE_REPLY:
        if ((err = want_len(len, OFP_ROLE_LEN)))
            return err;
        m->u.role.role = ft_rd32(msg + 8);
        m->u.role.generation_id = ft_rd64(msg + 16);
        return FT_OK;
    case OFA_GET_ASYNC_REPLY:
    case OFA_SET_ASYNC:
        if ((err = want_len(len, OFP_ASYNC_LEN)))
            return err;
        for (int i = 0; i < 2; i++) {
            m->u.async.packet_in_mask[i] = ft_rd32(msg + 8 + 4 * i);
            m->u.async.port_status_mask[i] = ft_rd32(msg + 16 + 4 * i);
            m->u.async.flow_removed_mask[i] = ft_rd32(msg + 24 + 4 * i);
        }
        return FT_OK;
    default:
        return FT_ERR_BAD_REQUEST_BAD_TYPE;
    }
}

enum ft_err
ofa_decode(const uint8_t *buf, size_t len, struct ofa_msg *out)
{
    struct ofa_header h;
    memset(out, 0, sizeof *out);
    if (!ofa_peek_header(buf, len, &h) || h.length != len)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    /* Version first: a peer speaking another version gets BAD_VERSION
     * whatever the rest says; HELLO of any version is for negotiation. */
    if (h.version != OFA_VERSION && h.type != OFA_HELLO)
        return FT_ERR_BAD_REQUEST_BAD_VERSION;
    out->version = h.version;
    out->type = h.type;
    out->xid = h.xid;

    enum ft_err err;
    switch (h.type) {
    case OFA_PACKET_IN:
        err = ofa_dec_packet_in(buf, len, out);
        break;
    case OFA_FLOW_REMOVED:
        err = ofa_dec_flow_removed(buf, len, out);
        break;
    case OFA_PORT_STATUS:
        err = ofa_dec_port_status(buf, len, out);
        break;
    case OFA_PACKET_OUT:
        err = ofa_dec_packet_out(buf, len, out);
        break;
    case OFA_FLOW_MOD:
        err = ofa_dec_flow_mod(buf, len, out);
        break;
    case OFA_GROUP_MOD:
        err = ofa_dec_group_mod(buf, len, out);
        break;
    case OFA_PORT_MOD:
        err = ofa_dec_port_mod(buf, len, out);
        break;
    case OFA_MULTIPART_REQUEST:
    case OFA_MULTIPART_REPLY:
        err = ofa_dec_multipart(buf, len, out);
        break;
    case OFA_QUEUE_GET_CONFIG_REQUEST:
        err = ofa_dec_queue_get_config_request(buf, len, out);
        break;
    case OFA_QUEUE_GET_CONFIG_REPLY:
        err = ofa_dec_queue_get_config_reply(buf, len, out);
        break;
    case OFA_METER_MOD:
        err = ofa_dec_meter_mod(buf, len, out);
        break;
    default:
        err = dec_simple(buf, len, out);
        break;
    }
    if (err) {
        /* Family decoders free their own partial work; clear the rest. */
        memset(out, 0, sizeof *out);
    }
    return err;
}

void
ofa_msg_free(struct ofa_msg *m)
{
    switch (m->type) {
    case OFA_PACKET_OUT:
        free(m->u.packet_out.actions);
        break;
    case OFA_FLOW_MOD:
        free((void *)m->u.flow_mod.fm.insts);
        break;
    case OFA_GROUP_MOD:
        ofa_buckets_free((struct ft_bucket *)m->u.group_mod.gm.buckets,
                         m->u.group_mod.gm.n_buckets);
        break;
    case OFA_METER_MOD:
        free((void *)m->u.meter_mod.mm.bands);
        break;
    case OFA_MULTIPART_REQUEST:
    case OFA_MULTIPART_REPLY:
        ofa_mp_free(m->type == OFA_MULTIPART_REQUEST, &m->u.mp);
        break;
    case OFA_QUEUE_GET_CONFIG_REPLY:
        free(m->u.queue_config.queues);
        break;
    default:
        break;
    }
    memset(m, 0, sizeof *m);
}

/* ---- encoding ------------------------------------------------------------------------ */

static int
enc_simple(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ofa_error *e = &m->u.error;
    size_t start;
    switch (m->type) {
    case OFA_HELLO:
        if (m->u.hello.n_words > OFA_HELLO_MAX_WORDS)
            return -EINVAL;
        if (m->u.hello.n_words) {
            start = b->len;
            ofa_buf_put_be16(b, OFP_HELLO_ELEM_VERSIONBITMAP);
            ofa_buf_put_be16(b, (uint16_t)(4 + 4 * m->u.hello.n_words));
            for (unsigned i = 0; i < m->u.hello.n_words; i++)
                ofa_buf_put_be32(b, m->u.hello.bitmap[i]);
            ofa_buf_pad8(b, start);
        }
        return 0;
    case OFA_ERROR:
        if (e->experimenter) {
            ofa_buf_put_be16(b, 0xffff);
            ofa_buf_put_be16(b, e->exp_type);
            ofa_buf_put_be32(b, e->exp_id);
        } else {
            ofa_buf_put_be16(b, ft_err_type(e->err));
            ofa_buf_put_be16(b, ft_err_code(e->err));
        }
        ofa_buf_put_bytes(b, e->data, e->data_len);
        return 0;
    case OFA_ECHO_REQUEST:
    case OFA_ECHO_REPLY:
        ofa_buf_put_bytes(b, m->u.echo.data, m->u.echo.data_len);
        return 0;
    case OFA_EXPERIMENTER:
        ofa_buf_put_be32(b, m->u.experimenter.experimenter);
        ofa_buf_put_be32(b, m->u.experimenter.exp_type);
        ofa_buf_put_bytes(b, m->u.experimenter.data, m->u.experimenter.data_len);
        return 0;
    case OFA_FEATURES_REQUEST:
    case OFA_GET_CONFIG_REQUEST:
    case OFA_BARRIER_REQUEST:
    case OFA_BARRIER_REPLY:
    case OFA_GET_ASYNC_REQUEST:
        return 0;
    case OFA_FEATURES_REPLY:
        ofa_buf_put_be64(b, m->u.features.datapath_id);
        ofa_buf_put_be32(b, m->u.features.n_buffers);
        ofa_buf_put_u8(b, m->u.features.n_tables);
        ofa_buf_put_u8(b, m->u.features.auxiliary_id);
        ofa_buf_put_zeros(b, 2);
        ofa_buf_put_be32(b, m->u.features.capabilities);
        ofa_buf_put_be32(b, 0); /* reserved */
        return 0;
    case OFA_GET_CONFIG_REPLY:
    case OFA_SET_CONFIG:
        ofa_buf_put_be16(b, m->u.config.flags);
        ofa_buf_put_be16(b, m->u.config.miss_send_len);
        return 0;
    case OFA_TABLE_MOD:
        ofa_buf_put_u8(b, m->u.table_mod.table_id);
        ofa_buf_put_zeros(b, 3);
        ofa_buf_put_be32(b, m->u.table_mod.config);
        return 0;
    case OFA_ROLE_REQUEST:
    case OFA_ROLE_REPLY:
        ofa_buf_put_be32(b, m->u.role.role);
        ofa_buf_put_zeros(b, 4);
        ofa_buf_put_be64(b, m->u.role.generation_id);
        return 0;
    case OFA_GET_ASYNC_REPLY:
    case OFA_SET_ASYNC:
        for (int i = 0; i < 2; i++)
            ofa_buf_put_be32(b, m->u.async.packet_in_mask[i]);
        for (int i = 0; i < 2; i++)
            ofa_buf_put_be32(b, m->u.async.port_status_mask[i]);
        for (int i = 0; i < 2; i++)
            ofa_buf_put_be32(b, m->u.async.flow_removed_mask[i]);
        return 0;
    default:
        return -EINVAL;
    }
}

int
ofa_encode(struct ofa_buf *b, const struct ofa_msg *m)
{
    if (m->type == OFA_MULTIPART_REQUEST || m->type == OFA_MULTIPART_REPLY)
        return ofa_enc_multipart(b, m);
    size_t start = ofa_msg_start(b, m->version, m->type, m->xid);
    int rc;
    switch (m->type) {
    case OFA_PACKET_IN:
        rc = ofa_enc_packet_in(b, m);
        break;
    case OFA_FLOW_REMOVED:
        rc = ofa_enc_flow_removed(b, m);
        break;
    case OFA_PORT_STATUS:
        rc = ofa_enc_port_status(b, m);
        break;
    case OFA_PACKET_OUT:
        rc = ofa_enc_packet_out(b, m);
        break;
    case OFA_FLOW_MOD:
        rc = ofa_enc_flow_mod(b, m);
        break;
    case OFA_GROUP_MOD:
        rc = ofa_enc_group_mod(b, m);
        break;
    case OFA_PORT_MOD:
        rc = ofa_enc_port_mod(b, m);
        break;
    case OFA_QUEUE_GET_CONFIG_REQUEST:
        rc = ofa_enc_queue_get_config_request(b, m);
        break;
    case OFA_QUEUE_GET_CONFIG_REPLY:
        rc = ofa_enc_queue_get_config_reply(b, m);
        break;
    case OFA_METER_MOD:
        rc = ofa_enc_meter_mod(b, m);
        break;
    default:
        rc = enc_simple(b, m);
        break;
    }
    if (!rc)
        rc = ofa_msg_finish(b, start);
    if (rc)
        ofa_buf_truncate(b, start);
    return rc;
}

/* The data of a HELLO_FAILED error: an explanation for a person. */
static const char *
hello_failed_text(enum ft_err err)
{
    if (err == FT_ERR_HELLO_FAILED_EPERM)
        return "ofswitch: permissions error";
    return "ofswitch: incompatible OpenFlow version; this switch speaks OpenFlow 1.3 (0x04) only";
}

int
ofa_encode_error(struct ofa_buf *b, uint32_t xid, enum ft_err err, const uint8_t *offending,
                 size_t len)
{
    struct ofa_msg m = {.type = OFA_ERROR, .xid = xid};
    m.u.error.err = err;
    if (ft_err_type(err) == FT_ET_HELLO_FAILED) {
        const char *text = hello_failed_text(err);
        m.u.error.data = (const uint8_t *)text;
        m.u.error.data_len = strlen(text);
    } else {
        m.u.error.data = offending;
        m.u.error.data_len = offending ? (len < 64 ? len : 64) : 0;
    }
    return ofa_encode(b, &m);
}
