/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MULTIPART_REQUEST / MULTIPART_REPLY: the envelope, every body, splitting
 * long bodies over several messages and reassembling split requests.
 *
 *   ofp_multipart_*        type@8 flags@10 pad(4) body@16
 *   ofp_desc               mfr@0[256] hw@256[256] sw@512[256]
 *                          serial@768[32] dp@800[256]
 *   ofp_flow_stats_request table_id@0 pad(3) out_port@4 out_group@8 pad(4)
 *                          cookie@16 cookie_mask@24 match@32 (AGGREGATE too)
 *   ofp_flow_stats         length@0 table_id@2 pad(1) duration@4,8
 *                          priority@12 idle@14 hard@16 flags@18 pad(4)
 *                          cookie@24 packet_count@32 byte_count@40
 *                          match@48 instructions
 *   ofp_aggregate_stats_reply packet_count@0 byte_count@8 flow_count@16 pad(4)
 *   ofp_table_stats        table_id@0 pad(3) active_count@4 lookup@8 matched@16
 *   port/queue/group/meter requests: id@0 (queue: port@0 queue@4) pad to 8
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_vec.h"
#include "ofa_wire.h"

#define NS_PER_SEC 1000000000ull

/* ---- flow stats and the small fixed items ------------------------------------------------ */

static void
flow_stats_free(void *item)
{
    struct ofa_flow_stats *fs = item;
    free((void *)fs->insts);
    fs->insts = NULL;
}

static enum ft_err
flow_stats_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed)
{
    struct ofa_flow_stats *fs = item;
    memset(fs, 0, sizeof *fs);
    if (avail < OFP_FLOW_STATS_LEN + 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p);
    if (len < OFP_FLOW_STATS_LEN + 8 || len > avail || len % 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    fs->table_id = p[2];
    fs->duration_sec = ft_rd32(p + 4);
    fs->duration_nsec = ft_rd32(p + 8);
    fs->priority = ft_rd16(p + 12);
    fs->idle_timeout = ft_rd16(p + 14);
    fs->hard_timeout = ft_rd16(p + 16);
    fs->flags = ft_rd16(p + 18);
    fs->cookie = ft_rd64(p + 24);
    fs->packet_count = ft_rd64(p + 32);
    fs->byte_count = ft_rd64(p + 40);
    size_t mlen;
    enum ft_err err =
        ofa_match_decode(p + OFP_FLOW_STATS_LEN, len - OFP_FLOW_STATS_LEN, &fs->match, &mlen);
    if (err)
        return err;
    struct ft_insts *in;
    size_t ofs = OFP_FLOW_STATS_LEN + mlen;
    err = ofa_insts_decode(p + ofs, len - ofs, &in);
    if (err)
        return err;
    fs->insts = in;
    *consumed = len;
    return FT_OK;
}

static int
flow_stats_encode(struct ofa_buf *b, const void *item)
{
    const struct ofa_flow_stats *fs = item;
    size_t start = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_u8(b, fs->table_id);
    ofa_buf_put_zeros(b, 1);
    ofa_buf_put_be32(b, fs->duration_sec);
    ofa_buf_put_be32(b, fs->duration_nsec);
    ofa_buf_put_be16(b, fs->priority);
    ofa_buf_put_be16(b, fs->idle_timeout);
    ofa_buf_put_be16(b, fs->hard_timeout);
    ofa_buf_put_be16(b, fs->flags);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_be64(b, fs->cookie);
    ofa_buf_put_be64(b, fs->packet_count);
    ofa_buf_put_be64(b, fs->byte_count);
    int rc = ofa_match_encode(b, &fs->match);
    if (!rc)
        rc = ofa_insts_encode(b, fs->insts);
    if (rc)
        return rc;
    if (b->len - start > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_set_be16(b, start, (uint16_t)(b->len - start));
    return 0;
}

static enum ft_err
table_stats_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed)
{
    struct ofa_table_stats *ts = item;
    if (avail < OFP_TABLE_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    memset(ts, 0, sizeof *ts);
    ts->table_id = p[0];
    ts->active_count = ft_rd32(p + 4);
    ts->lookup_count = ft_rd64(p + 8);
    ts->matched_count = ft_rd64(p + 16);
    *consumed = OFP_TABLE_STATS_LEN;
    return FT_OK;
}

static int
table_stats_encode(struct ofa_buf *b, const void *item)
{
    const struct ofa_table_stats *ts = item;
    ofa_buf_put_u8(b, ts->table_id);
    ofa_buf_put_zeros(b, 3);
    ofa_buf_put_be32(b, ts->active_count);
    ofa_buf_put_be64(b, ts->lookup_count);
    ofa_buf_put_be64(b, ts->matched_count);
    return 0;
}

static enum ft_err
port_stats_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed)
{
    if (avail < OFP_PORT_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    ofa_port_stats_decode(p, item);
    *consumed = OFP_PORT_STATS_LEN;
    return FT_OK;
}

static int
port_stats_encode(struct ofa_buf *b, const void *item)
{
    ofa_port_stats_encode(b, item);
    return 0;
}

static enum ft_err
queue_stats_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed)
{
    if (avail < OFP_QUEUE_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    ofa_queue_stats_decode(p, item);
    *consumed = OFP_QUEUE_STATS_LEN;
    return FT_OK;
}

static int
queue_stats_encode(struct ofa_buf *b, const void *item)
{
    ofa_queue_stats_encode(b, item);
    return 0;
}

static enum ft_err
port_desc_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed)
{
    if (avail < OFP_PORT_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    *consumed = OFP_PORT_LEN;
    return ofa_port_decode(p, item);
}

static int
port_desc_encode(struct ofa_buf *b, const void *item)
{
    ofa_port_encode(b, item);
    return 0;
}

/* list_ops' void-pointer form of an item codec whose typed decode and
 * encode already have list_ops' shape. */
#define LIST_ITEM_CODEC(name)                                                                      \
    static enum ft_err name##_decode(const uint8_t *p, size_t avail, void *item, size_t *consumed) \
    {                                                                                              \
        return ofa_##name##_decode(p, avail, item, consumed);                                      \
    }                                                                                              \
    static int name##_encode(struct ofa_buf *b, const void *item)                                  \
    {                                                                                              \
        return ofa_##name##_encode(b, item);                                                       \
    }

LIST_ITEM_CODEC(group_stats)
LIST_ITEM_CODEC(group_desc)
LIST_ITEM_CODEC(meter_stats)
LIST_ITEM_CODEC(meter_config)
LIST_ITEM_CODEC(table_features)

static void
group_stats_free(void *item)
{
    struct ofa_group_stats *gs = item;
    free(gs->buckets);
    gs->buckets = NULL;
}

static void
group_desc_free(void *item)
{
    struct ofa_group_desc *gd = item;
    ofa_buckets_free(gd->buckets, gd->n_buckets);
    gd->buckets = NULL;
}

static void
meter_stats_free(void *item)
{
    struct ofa_meter_stats *ms = item;
    free(ms->bands);
    ms->bands = NULL;
}

static void
meter_config_free(void *item)
{
    struct ofa_meter_config *mc = item;
    free(mc->bands);
    mc->bands = NULL;
}

/* ---- list bodies -------------------------------------------------------------------------- */

struct list_ops {
    size_t item_size;
    enum ft_err (*dec)(const uint8_t *p, size_t avail, void *item, size_t *consumed);
    int (*enc)(struct ofa_buf *b, const void *item);
    void (*free)(void *item); /* NULL when an item owns nothing. */
};

/* The list form of a body, or NULL when the body is not a list. */
static const struct list_ops *
list_ops(bool request, uint16_t type)
{
    static const struct list_ops flows = {sizeof(struct ofa_flow_stats), flow_stats_decode,
                                          flow_stats_encode, flow_stats_free};
    static const struct list_ops tables = {sizeof(struct ofa_table_stats), table_stats_decode,
                                           table_stats_encode, NULL};
    static const struct list_ops ports = {sizeof(struct ofa_port_stats), port_stats_decode,
                                          port_stats_encode, NULL};
    static const struct list_ops queues = {sizeof(struct ofa_queue_stats), queue_stats_decode,
                                           queue_stats_encode, NULL};
    static const struct list_ops gstats = {sizeof(struct ofa_group_stats), group_stats_decode,
                                           group_stats_encode, group_stats_free};
    static const struct list_ops gdesc = {sizeof(struct ofa_group_desc), group_desc_decode,
                                          group_desc_encode, group_desc_free};
    static const struct list_ops mstats = {sizeof(struct ofa_meter_stats), meter_stats_decode,
                                           meter_stats_encode, meter_stats_free};
    static const struct list_ops mconf = {sizeof(struct ofa_meter_config), meter_config_decode,
                                          meter_config_encode, meter_config_free};
    static const struct list_ops tfeat = {sizeof(struct ofa_table_features), table_features_decode,
                                          table_features_encode, NULL};
    static const struct list_ops pdesc = {sizeof(struct ofa_port), port_desc_decode,
                                          port_desc_encode, NULL};
    if (type == OFA_MP_TABLE_FEATURES)
        return &tfeat;
    if (request)
        return NULL;
    switch (type) {
    case OFA_MP_FLOW:
        return &flows;
    case OFA_MP_TABLE:
        return &tables;
    case OFA_MP_PORT_STATS:
        return &ports;
    case OFA_MP_QUEUE:
        return &queues;
    case OFA_MP_GROUP:
        return &gstats;
    case OFA_MP_GROUP_DESC:
        return &gdesc;
    case OFA_MP_METER:
        return &mstats;
    case OFA_MP_METER_CONFIG:
        return &mconf;
    case OFA_MP_PORT_DESC:
        return &pdesc;
    default:
        return NULL;
    }
}

/* The list member of the union for a type (a switch, not a cast, so no
 * pointer is read through another pointer type). */
static void *
list_get(const struct ofa_multipart *mp)
{
    switch (mp->type) {
    case OFA_MP_FLOW:
        return mp->u.flows;
    case OFA_MP_TABLE:
        return mp->u.tables;
    case OFA_MP_PORT_STATS:
        return mp->u.port_stats;
    case OFA_MP_QUEUE:
        return mp->u.queue_stats;
    case OFA_MP_GROUP:
        return mp->u.group_stats;
    case OFA_MP_GROUP_DESC:
        return mp->u.group_descs;
    case OFA_MP_METER:
        return mp->u.meter_stats;
    case OFA_MP_METER_CONFIG:
        return mp->u.meter_configs;
    case OFA_MP_TABLE_FEATURES:
        return mp->u.table_features;
    case OFA_MP_PORT_DESC:
        return mp->u.ports;
    default:
        return NULL;
    }
}

static void
list_set(struct ofa_multipart *mp, void *v)
{
    switch (mp->type) {
    case OFA_MP_FLOW:
        mp->u.flows = v;
        break;
    case OFA_MP_TABLE:
        mp->u.tables = v;
        break;
    case OFA_MP_PORT_STATS:
        mp->u.port_stats = v;
        break;
    case OFA_MP_QUEUE:
        mp->u.queue_stats = v;
        break;
    case OFA_MP_GROUP:
        mp->u.group_stats = v;
        break;
    case OFA_MP_GROUP_DESC:
        mp->u.group_descs = v;
        break;
    case OFA_MP_METER:
        mp->u.meter_stats = v;
        break;
    case OFA_MP_METER_CONFIG:
        mp->u.meter_configs = v;
        break;
    case OFA_MP_TABLE_FEATURES:
        mp->u.table_features = v;
        break;
    case OFA_MP_PORT_DESC:
        mp->u.ports = v;
        break;
    }
}

static void
list_free(const struct list_ops *ops, void *items, size_t n)
{
    if (ops->free)
        for (size_t i = 0; i < n; i++)
            ops->free((char *)items + i * ops->item_size);
    free(items);
}

static enum ft_err
list_decode(const struct list_ops *ops, const uint8_t *p, size_t len, struct ofa_multipart *mp)
{
    struct ft_vec items = {0};
    while (len) {
        void *it = ft_vec_add(&items, ops->item_size);
        if (!it) {
            list_free(ops, items.data, items.n);
            return OFA_ERR_NOMEM;
        }
        size_t used = 0;
        enum ft_err err = ops->dec(p, len, it, &used);
        if (err) {
            /* The failed item (counted in items.n) may hold a partial
             * allocation too. */
            list_free(ops, items.data, items.n);
            return err;
        }
        p += used;
        len -= used;
    }
    list_set(mp, items.data);
    mp->n = items.n;
    return FT_OK;
}

/* ---- body decoding -------------------------------------------------------------------------- */

static enum ft_err
flow_req_decode(const uint8_t *p, size_t len, struct ft_flow_filter *f)
{
    if (len < OFP_FLOW_STATS_REQUEST_LEN + 8)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    memset(f, 0, sizeof *f);
    f->table_id = p[0];
    f->out_port = ft_rd32(p + 4);
    f->out_group = ft_rd32(p + 8);
    f->cookie = ft_rd64(p + 16);
    f->cookie_mask = ft_rd64(p + 24);
    size_t mlen;
    enum ft_err err = ofa_match_decode(p + OFP_FLOW_STATS_REQUEST_LEN,
                                       len - OFP_FLOW_STATS_REQUEST_LEN, &f->match, &mlen);
    if (err)
        return err;
    return OFP_FLOW_STATS_REQUEST_LEN + mlen == len ? FT_OK : FT_ERR_BAD_REQUEST_BAD_LEN;
}

static enum ft_err
want(size_t len, size_t n)
{
    return len == n ? FT_OK : FT_ERR_BAD_REQUEST_BAD_LEN;
}

static enum ft_err
dec_request_body(const uint8_t *p, size_t len, struct ofa_multipart *mp)
{
    enum ft_err err;
    switch (mp->type) {
    case OFA_MP_DESC:
    case OFA_MP_TABLE:
    case OFA_MP_GROUP_DESC:
    case OFA_MP_GROUP_FEATURES:
    case OFA_MP_METER_FEATURES:
    case OFA_MP_PORT_DESC:
        return want(len, 0);
    case OFA_MP_FLOW:
    case OFA_MP_AGGREGATE:
        return flow_req_decode(p, len, &mp->u.flow_req);
    case OFA_MP_PORT_STATS:
        if ((err = want(len, OFP_PORT_STATS_REQUEST_LEN)))
            return err;
        mp->u.port_no = ft_rd32(p);
        return FT_OK;
    case OFA_MP_QUEUE:
        if ((err = want(len, OFP_QUEUE_STATS_REQUEST_LEN)))
            return err;
        mp->u.queue_req.port_no = ft_rd32(p);
        mp->u.queue_req.queue_id = ft_rd32(p + 4);
        return FT_OK;
    case OFA_MP_GROUP:
        if ((err = want(len, OFP_GROUP_STATS_REQUEST_LEN)))
            return err;
        mp->u.group_id = ft_rd32(p);
        return FT_OK;
    case OFA_MP_METER:
    case OFA_MP_METER_CONFIG:
        if ((err = want(len, OFP_METER_REQUEST_LEN)))
            return err;
        mp->u.meter_id = ft_rd32(p);
        return FT_OK;
    case OFA_MP_TABLE_FEATURES:
        return list_decode(list_ops(true, mp->type), p, len, mp);
    case OFA_MP_EXPERIMENTER:
        /* experimenter(4) exp_type(4) data: no experimenter is known. */
        return len < 8 ? FT_ERR_BAD_REQUEST_BAD_LEN : FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER;
    default:
        return FT_ERR_BAD_REQUEST_BAD_MULTIPART;
    }
}

static enum ft_err
dec_reply_body(const uint8_t *p, size_t len, struct ofa_multipart *mp)
{
    enum ft_err err;
    const struct list_ops *ops = list_ops(false, mp->type);
    if (ops)
        return list_decode(ops, p, len, mp);
    switch (mp->type) {
    case OFA_MP_DESC:
        if ((err = want(len, OFP_DESC_LEN)))
            return err;
        ofa_str_from_wire(mp->u.desc.mfr_desc, p, OFA_DESC_STR_LEN);
        ofa_str_from_wire(mp->u.desc.hw_desc, p + 256, OFA_DESC_STR_LEN);
        ofa_str_from_wire(mp->u.desc.sw_desc, p + 512, OFA_DESC_STR_LEN);
        ofa_str_from_wire(mp->u.desc.serial_num, p + 768, OFA_SERIAL_NUM_LEN);
        ofa_str_from_wire(mp->u.desc.dp_desc, p + 800, OFA_DESC_STR_LEN);
        return FT_OK;
    case OFA_MP_AGGREGATE:
        if ((err = want(len, OFP_AGGREGATE_REPLY_LEN)))
            return err;
        mp->u.aggregate.packet_count = ft_rd64(p);
        mp->u.aggregate.byte_count = ft_rd64(p + 8);
        mp->u.aggregate.flow_count = ft_rd32(p + 16);
        return FT_OK;
    case OFA_MP_GROUP_FEATURES:
        if ((err = want(len, OFP_GROUP_FEATURES_LEN)))
            return err;
        ofa_group_features_decode(p, &mp->u.group_features);
        return FT_OK;
    case OFA_MP_METER_FEATURES:
        if ((err = want(len, OFP_METER_FEATURES_LEN)))
            return err;
        ofa_meter_features_decode(p, &mp->u.meter_features);
        return FT_OK;
    case OFA_MP_EXPERIMENTER:
        return len < 8 ? FT_ERR_BAD_REQUEST_BAD_LEN : FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER;
    default:
        return FT_ERR_BAD_REQUEST_BAD_MULTIPART;
    }
}

enum ft_err
ofa_dec_mp_body(bool request, const uint8_t *p, size_t len, struct ofa_multipart *mp)
{
    return request ? dec_request_body(p, len, mp) : dec_reply_body(p, len, mp);
}

enum ft_err
ofa_dec_multipart(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ofa_multipart *mp = &m->u.mp;
    if (len < OFP_MULTIPART_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    mp->type = ft_rd16(msg + 8);
    mp->flags = ft_rd16(msg + 10);
    return ofa_dec_mp_body(m->type == OFA_MULTIPART_REQUEST, msg + OFP_MULTIPART_LEN,
                           len - OFP_MULTIPART_LEN, mp);
}

void
ofa_mp_free(bool request, struct ofa_multipart *mp)
{
    const struct list_ops *ops = list_ops(request, mp->type);
    if (ops)
        list_free(ops, list_get(mp), mp->n);
    list_set(mp, NULL);
    mp->n = 0;
}

/* ---- encoding ---------------------------------------------------------------------------------
 */

static int
enc_fixed_body(struct ofa_buf *b, bool request, const struct ofa_multipart *mp)
{
    const struct ft_flow_filter *f = &mp->u.flow_req;
    if (request) {
        switch (mp->type) {
        case OFA_MP_DESC:
        case OFA_MP_TABLE:
        case OFA_MP_GROUP_DESC:
        case OFA_MP_GROUP_FEATURES:
        case OFA_MP_METER_FEATURES:
        case OFA_MP_PORT_DESC:
            return 0;
        case OFA_MP_FLOW:
        case OFA_MP_AGGREGATE:
            ofa_buf_put_u8(b, f->table_id);
            ofa_buf_put_zeros(b, 3);
            ofa_buf_put_be32(b, f->out_port);
            ofa_buf_put_be32(b, f->out_group);
            ofa_buf_put_zeros(b, 4);
            ofa_buf_put_be64(b, f->cookie);
            ofa_buf_put_be64(b, f->cookie_mask);
            return ofa_match_encode(b, &f->match);
        case OFA_MP_PORT_STATS:
            ofa_buf_put_be32(b, mp->u.port_no);
            ofa_buf_put_zeros(b, 4);
            return 0;
        case OFA_MP_QUEUE:
            ofa_buf_put_be32(b, mp->u.queue_req.port_no);
            ofa_buf_put_be32(b, mp->u.queue_req.queue_id);
            return 0;
        case OFA_MP_GROUP:
            ofa_buf_put_be32(b, mp->u.group_id);
            ofa_buf_put_zeros(b, 4);
            return 0;
        case OFA_MP_METER:
        case OFA_MP_METER_CONFIG:
            ofa_buf_put_be32(b, mp->u.meter_id);
            ofa_buf_put_zeros(b, 4);
            return 0;
        default:
            return -EINVAL;
        }
    }
    switch (mp->type) {
    case OFA_MP_DESC:
        ofa_str_to_wire(b, mp->u.desc.mfr_desc, OFA_DESC_STR_LEN);
        ofa_str_to_wire(b, mp->u.desc.hw_desc, OFA_DESC_STR_LEN);
        ofa_str_to_wire(b, mp->u.desc.sw_desc, OFA_DESC_STR_LEN);
        ofa_str_to_wire(b, mp->u.desc.serial_num, OFA_SERIAL_NUM_LEN);
        ofa_str_to_wire(b, mp->u.desc.dp_desc, OFA_DESC_STR_LEN);
        return 0;
    case OFA_MP_AGGREGATE:
        ofa_buf_put_be64(b, mp->u.aggregate.packet_count);
        ofa_buf_put_be64(b, mp->u.aggregate.byte_count);
        ofa_buf_put_be32(b, mp->u.aggregate.flow_count);
        ofa_buf_put_zeros(b, 4);
        return 0;
    case OFA_MP_GROUP_FEATURES:
        ofa_group_features_encode(b, &mp->u.group_features);
        return 0;
    case OFA_MP_METER_FEATURES:
        ofa_meter_features_encode(b, &mp->u.meter_features);
        return 0;
    default:
        return -EINVAL;
    }
}

static size_t
mp_start(struct ofa_buf *b, const struct ofa_msg *m, uint16_t flags)
{
    size_t start = ofa_msg_start(b, m->version, m->type, m->xid);
    ofa_buf_put_be16(b, m->u.mp.type);
    ofa_buf_put_be16(b, flags);
    ofa_buf_put_zeros(b, 4);
    return start;
}

/* A list body over as many messages as it needs: items are appended to
 * the current message until one does not fit; that message is closed
 * with MORE and the item goes into the next. */
static int
enc_list(struct ofa_buf *b, const struct ofa_msg *m, const struct list_ops *ops)
{
    const struct ofa_multipart *mp = &m->u.mp;
    const char *items = list_get(mp);
    uint16_t flags = mp->flags & (uint16_t)~OFA_MPF_MORE;
    size_t msg = mp_start(b, m, flags);
    for (size_t i = 0; i < mp->n; i++) {
        size_t mark = b->len;
        int rc = ops->enc(b, items + i * ops->item_size);
        if (rc)
            return rc;
        if (ofa_buf_failed(b))
            return -ENOMEM;
        if (b->len - msg <= OFA_MAX_MSG_LEN)
            continue;
        if (mark == msg + OFP_MULTIPART_LEN)
            return -EMSGSIZE; /* The item alone is too big for a message. */
        ofa_buf_truncate(b, mark);
        ofa_buf_set_be16(b, msg + 10, flags | OFA_MPF_MORE);
        ofa_msg_finish(b, msg);
        msg = mp_start(b, m, flags);
        i--; /* Encode the item again in the new message. */
    }
    /* A caller streaming a reply in chunks may ask for MORE on the last. */
    ofa_buf_set_be16(b, msg + 10, mp->flags);
    return ofa_msg_finish(b, msg);
}

int
ofa_enc_multipart(struct ofa_buf *b, const struct ofa_msg *m)
{
    bool request = m->type == OFA_MULTIPART_REQUEST;
    const struct list_ops *ops = list_ops(request, m->u.mp.type);
    size_t start = b->len;
    int rc;
    if (ops) {
        if (m->u.mp.n && !list_get(&m->u.mp))
            return -EINVAL;
        rc = enc_list(b, m, ops);
    } else {
        size_t msg = mp_start(b, m, m->u.mp.flags);
        rc = enc_fixed_body(b, request, &m->u.mp);
        if (!rc)
            rc = ofa_msg_finish(b, msg);
    }
    if (rc)
        ofa_buf_truncate(b, start);
    return rc;
}

/* ---- request reassembly -----------------------------------------------------------------------
 */

void
ofa_mp_reasm_init(struct ofa_mp_reasm *r, size_t max_bytes)
{
    memset(r, 0, sizeof *r);
    r->max_bytes = max_bytes;
    ofa_buf_init(&r->body);
}

void
ofa_mp_reasm_reset(struct ofa_mp_reasm *r)
{
    ofa_buf_free(&r->body);
    r->active = false;
}

enum ft_err
ofa_mp_reasm_feed(struct ofa_mp_reasm *r, const uint8_t *buf, size_t len, struct ofa_msg *out,
                  bool *done)
{
    struct ofa_header h;
    enum ft_err err;
    *done = false;
    memset(out, 0, sizeof *out);
    if (!ofa_peek_header(buf, len, &h) || h.length != len || len < OFP_MULTIPART_LEN) {
        err = FT_ERR_BAD_REQUEST_BAD_LEN;
        goto err;
    }
    if (h.version != OFA_VERSION) {
        err = FT_ERR_BAD_REQUEST_BAD_VERSION;
        goto err;
    }
    if (h.type != OFA_MULTIPART_REQUEST) {
        err = FT_ERR_BAD_REQUEST_BAD_TYPE;
        goto err;
    }
    uint16_t type = ft_rd16(buf + 8);
    uint16_t flags = ft_rd16(buf + 10);
    if (!r->active && !(flags & OFA_MPF_MORE)) {
        /* The common case: a request in one message. */
        err = ofa_decode(buf, len, out);
        if (err)
            goto err;
        *done = true;
        return FT_OK;
    }
    if (r->active && (h.xid != r->xid || type != r->mp_type)) {
        err = FT_ERR_BAD_REQUEST_BAD_MULTIPART;
        goto err;
    }
    if (!r->active) {
        r->active = true;
        r->xid = h.xid;
        r->mp_type = type;
        ofa_buf_clear(&r->body);
    }
    size_t body = len - OFP_MULTIPART_LEN;
    if (body > r->max_bytes - r->body.len || r->body.len > r->max_bytes) {
        err = FT_ERR_BAD_REQUEST_MULTIPART_BUFFER_OVERFLOW;
        goto err;
    }
    ofa_buf_put_bytes(&r->body, buf + OFP_MULTIPART_LEN, body);
    if (ofa_buf_failed(&r->body)) {
        err = FT_ERR_BAD_REQUEST_MULTIPART_BUFFER_OVERFLOW;
        goto err;
    }
    if (flags & OFA_MPF_MORE)
        return FT_OK;

    out->version = h.version;
    out->type = OFA_MULTIPART_REQUEST;
    out->xid = h.xid;
    out->u.mp.type = type;
    out->u.mp.flags = flags;
    err = ofa_dec_mp_body(true, r->body.data ? r->body.data : buf, r->body.len, &out->u.mp);
    if (err)
        goto err;
    r->active = false;
    ofa_buf_clear(&r->body);
    *done = true;
    return FT_OK;
err:
    memset(out, 0, sizeof *out);
    r->active = false;
    ofa_buf_clear(&r->body);
    return err;
}
