/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The group family: GROUP_MOD, buckets, and the GROUP, GROUP_DESC and
 * GROUP_FEATURES multipart bodies.
 *
 *   ofp_group_mod    command@8 type@10 pad(1) group_id@12 buckets@16
 *   ofp_bucket       len@0 weight@2 watch_port@4 watch_group@8 pad(4)
 *                    actions@16
 *   ofp_group_stats  length@0 pad(2) group_id@4 ref_count@8 pad(4)
 *                    packet_count@16 byte_count@24 duration@32,36
 *                    bucket_stats@40 (packet_count, byte_count)
 *   ofp_group_desc   length@0 type@2 pad(1) group_id@4 buckets@8
 *   ofp_group_features types@0 capabilities@4 max_groups[4]@8 actions[4]@24
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

void
ofa_buckets_free(struct ft_bucket *bk, uint32_t n)
{
    if (!bk)
        return;
    for (uint32_t i = 0; i < n; i++)
        free((void *)bk[i].actions);
    free(bk);
}

enum ft_err
ofa_buckets_decode(const uint8_t *p, size_t len, struct ft_bucket **out, uint32_t *n,
                   enum ft_err err_len)
{
    *out = NULL;
    *n = 0;
    /* Pass 1: the bucket lengths, so the array is allocated once. */
    uint32_t count = 0;
    for (size_t ofs = 0; ofs < len; count++) {
        if (len - ofs < OFP_BUCKET_LEN)
            return err_len;
        size_t blen = ft_rd16(p + ofs);
        if (blen < OFP_BUCKET_LEN || blen % 8 || blen > len - ofs)
            return err_len;
        ofs += blen;
    }
    if (!count)
        return FT_OK;
    struct ft_bucket *bk = calloc(count, sizeof *bk);
    if (!bk)
        return OFA_ERR_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        size_t blen = ft_rd16(p);
        bk[i].weight = ft_rd16(p + 2);
        bk[i].watch_port = ft_rd32(p + 4);
        bk[i].watch_group = ft_rd32(p + 8);
        struct ft_action *a;
        size_t na;
        enum ft_err err =
            ofa_actions_decode_alloc(p + OFP_BUCKET_LEN, blen - OFP_BUCKET_LEN, &a, &na);
        if (err) {
            free(a);
            ofa_buckets_free(bk, i);
            return err;
        }
        if (na > UINT16_MAX) {
            free(a);
            ofa_buckets_free(bk, i);
            return FT_ERR_BAD_ACTION_TOO_MANY;
        }
        bk[i].actions = a;
        bk[i].n_actions = (uint16_t)na;
        p += blen;
    }
    *out = bk;
    *n = count;
    return FT_OK;
}

int
ofa_buckets_encode(struct ofa_buf *b, const struct ft_bucket *bk, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        size_t start = b->len;
        ofa_buf_put_be16(b, 0);
        ofa_buf_put_be16(b, bk[i].weight);
        ofa_buf_put_be32(b, bk[i].watch_port);
        ofa_buf_put_be32(b, bk[i].watch_group);
        ofa_buf_put_zeros(b, 4);
        int rc = ofa_actions_encode(b, bk[i].actions, bk[i].n_actions);
        if (rc)
            return rc;
        if (b->len - start > UINT16_MAX)
            return -EMSGSIZE;
        ofa_buf_set_be16(b, start, (uint16_t)(b->len - start));
    }
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

enum ft_err
ofa_dec_group_mod(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ft_group_mod *gm = &m->u.group_mod.gm;
    if (len < OFP_GROUP_MOD_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    gm->command = ft_rd16(msg + 8);
    gm->type = msg[10];
    gm->group_id = ft_rd32(msg + 12);
    struct ft_bucket *bk;
    /* A bucket whose length is wrong is a bad bucket (there is no group
     * BAD_LEN; Open vSwitch answers the same). */
    enum ft_err err = ofa_buckets_decode(msg + OFP_GROUP_MOD_LEN, len - OFP_GROUP_MOD_LEN, &bk,
                                         &gm->n_buckets, FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET);
    gm->buckets = bk;
    return err;
}

int
ofa_enc_group_mod(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ft_group_mod *gm = &m->u.group_mod.gm;
    ofa_buf_put_be16(b, gm->command);
    ofa_buf_put_u8(b, gm->type);
    ofa_buf_put_zeros(b, 1);
    ofa_buf_put_be32(b, gm->group_id);
    return ofa_buckets_encode(b, gm->buckets, gm->n_buckets);
}

/* ---- multipart bodies ----------------------------------------------------------------- */

enum ft_err
ofa_group_stats_decode(const uint8_t *p, size_t avail, struct ofa_group_stats *gs, size_t *consumed)
{
    memset(gs, 0, sizeof *gs);
    if (avail < OFP_GROUP_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p);
    if (len < OFP_GROUP_STATS_LEN || len > avail ||
        (len - OFP_GROUP_STATS_LEN) % OFP_BUCKET_COUNTER_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    gs->group_id = ft_rd32(p + 4);
    gs->ref_count = ft_rd32(p + 8);
    gs->packet_count = ft_rd64(p + 16);
    gs->byte_count = ft_rd64(p + 24);
    gs->duration_sec = ft_rd32(p + 32);
    gs->duration_nsec = ft_rd32(p + 36);
    uint32_t n = (uint32_t)((len - OFP_GROUP_STATS_LEN) / OFP_BUCKET_COUNTER_LEN);
    if (n) {
        gs->buckets = calloc(n, sizeof *gs->buckets);
        if (!gs->buckets)
            return OFA_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *c = p + OFP_GROUP_STATS_LEN + i * OFP_BUCKET_COUNTER_LEN;
        gs->buckets[i].packet_count = ft_rd64(c);
        gs->buckets[i].byte_count = ft_rd64(c + 8);
    }
    gs->n_buckets = n;
    *consumed = len;
    return FT_OK;
}

int
ofa_group_stats_encode(struct ofa_buf *b, const struct ofa_group_stats *gs)
{
    size_t len = OFP_GROUP_STATS_LEN + (size_t)gs->n_buckets * OFP_BUCKET_COUNTER_LEN;
    if (len > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_put_be16(b, (uint16_t)len);
    ofa_buf_put_zeros(b, 2);
    ofa_buf_put_be32(b, gs->group_id);
    ofa_buf_put_be32(b, gs->ref_count);
    ofa_buf_put_zeros(b, 4);
    ofa_buf_put_be64(b, gs->packet_count);
    ofa_buf_put_be64(b, gs->byte_count);
    ofa_buf_put_be32(b, gs->duration_sec);
    ofa_buf_put_be32(b, gs->duration_nsec);
    for (uint32_t i = 0; i < gs->n_buckets; i++) {
        ofa_buf_put_be64(b, gs->buckets[i].packet_count);
        ofa_buf_put_be64(b, gs->buckets[i].byte_count);
    }
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

enum ft_err
ofa_group_desc_decode(const uint8_t *p, size_t avail, struct ofa_group_desc *gd, size_t *consumed)
{
    memset(gd, 0, sizeof *gd);
    if (avail < OFP_GROUP_DESC_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p);
    if (len < OFP_GROUP_DESC_LEN || len > avail)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    gd->type = p[2];
    gd->group_id = ft_rd32(p + 4);
    *consumed = len;
    return ofa_buckets_decode(p + OFP_GROUP_DESC_LEN, len - OFP_GROUP_DESC_LEN, &gd->buckets,
                              &gd->n_buckets, FT_ERR_BAD_REQUEST_BAD_LEN);
}

int
ofa_group_desc_encode(struct ofa_buf *b, const struct ofa_group_desc *gd)
{
    size_t start = b->len;
    ofa_buf_put_be16(b, 0);
    ofa_buf_put_u8(b, gd->type);
    ofa_buf_put_zeros(b, 1);
    ofa_buf_put_be32(b, gd->group_id);
    int rc = ofa_buckets_encode(b, gd->buckets, gd->n_buckets);
    if (rc)
        return rc;
    if (b->len - start > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_set_be16(b, start, (uint16_t)(b->len - start));
    return 0;
}

void
ofa_group_features_decode(const uint8_t *p, struct ft_group_features *gf)
{
    gf->types = ft_rd32(p);
    gf->capabilities = ft_rd32(p + 4);
    for (int i = 0; i < 4; i++) {
        gf->max_groups[i] = ft_rd32(p + 8 + 4 * i);
        gf->actions[i] = ft_rd32(p + 24 + 4 * i);
    }
}

void
ofa_group_features_encode(struct ofa_buf *b, const struct ft_group_features *gf)
{
    ofa_buf_put_be32(b, gf->types);
    ofa_buf_put_be32(b, gf->capabilities);
    for (int i = 0; i < 4; i++)
        ofa_buf_put_be32(b, gf->max_groups[i]);
    for (int i = 0; i < 4; i++)
        ofa_buf_put_be32(b, gf->actions[i]);
}
