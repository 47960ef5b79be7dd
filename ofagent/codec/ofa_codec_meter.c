/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The meter family: METER_MOD, bands, and the METER, METER_CONFIG and
 * METER_FEATURES multipart bodies.
 *
 *   ofp_meter_mod     command@8 flags@10 meter_id@12 bands@16
 *   ofp_meter_band_*  type@0 len@2 rate@4 burst_size@8, then
 *                     DROP pad(4) | DSCP_REMARK prec_level@12 pad(3) |
 *                     EXPERIMENTER experimenter@12
 *   ofp_meter_stats   meter_id@0 len@4 pad(6) flow_count@12
 *                     packet_in_count@16 byte_in_count@24 duration@32,36
 *                     band_stats@40 (packet_band_count, byte_band_count)
 *   ofp_meter_config  length@0 flags@2 meter_id@4 bands@8
 *   ofp_meter_features max_meter@0 band_types@4 capabilities@8
 *                     max_bands@12 max_color@13 pad(2)
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_wire.h"

/* Bands are all 16 bytes in 1.3. A band of another length is a length
 * problem (BAD_LEN, as Open vSwitch answers); an unknown type is
 * METER_MOD_FAILED/BAD_BAND. Experimenter bands are decoded so the
 * pipeline can refuse them with BAD_BAND itself. */
enum ft_err
ofa_bands_decode(const uint8_t *p, size_t len, struct ft_meter_band **out, uint32_t *n)
{
    *out = NULL;
    *n = 0;
    if (len % OFP_METER_BAND_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    uint32_t count = (uint32_t)(len / OFP_METER_BAND_LEN);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *q = p + i * OFP_METER_BAND_LEN;
        uint16_t type = ft_rd16(q);
        if (ft_rd16(q + 2) != OFP_METER_BAND_LEN)
            return FT_ERR_BAD_REQUEST_BAD_LEN;
        if (type != FT_MBT_DROP && type != FT_MBT_DSCP_REMARK && type != FT_MBT_EXPERIMENTER)
            return FT_ERR_METER_MOD_FAILED_BAD_BAND;
    }
    if (!count)
        return FT_OK;
    struct ft_meter_band *bd = calloc(count, sizeof *bd);
    if (!bd)
        return OFA_ERR_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *q = p + i * OFP_METER_BAND_LEN;
        bd[i].type = ft_rd16(q);
        bd[i].rate = ft_rd32(q + 4);
        bd[i].burst_size = ft_rd32(q + 8);
        if (bd[i].type == FT_MBT_DSCP_REMARK)
            bd[i].prec_level = q[12];
        else if (bd[i].type == FT_MBT_EXPERIMENTER)
            bd[i].experimenter = ft_rd32(q + 12);
    }
    *out = bd;
    *n = count;
    return FT_OK;
}

int
ofa_bands_encode(struct ofa_buf *b, const struct ft_meter_band *bd, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        ofa_buf_put_be16(b, bd[i].type);
        ofa_buf_put_be16(b, OFP_METER_BAND_LEN);
        ofa_buf_put_be32(b, bd[i].rate);
        ofa_buf_put_be32(b, bd[i].burst_size);
        switch (bd[i].type) {
        case FT_MBT_DROP:
            ofa_buf_put_zeros(b, 4);
            break;
        case FT_MBT_DSCP_REMARK:
            ofa_buf_put_u8(b, bd[i].prec_level);
            ofa_buf_put_zeros(b, 3);
            break;
        case FT_MBT_EXPERIMENTER:
            ofa_buf_put_be32(b, bd[i].experimenter);
            break;
        default:
            return -EINVAL;
        }
    }
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

enum ft_err
ofa_dec_meter_mod(const uint8_t *msg, size_t len, struct ofa_msg *m)
{
    struct ft_meter_mod *mm = &m->u.meter_mod.mm;
    if (len < OFP_METER_MOD_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    mm->command = ft_rd16(msg + 8);
    mm->flags = ft_rd16(msg + 10);
    mm->meter_id = ft_rd32(msg + 12);
    struct ft_meter_band *bd;
    enum ft_err err =
        ofa_bands_decode(msg + OFP_METER_MOD_LEN, len - OFP_METER_MOD_LEN, &bd, &mm->n_bands);
    mm->bands = bd;
    return err;
}

int
ofa_enc_meter_mod(struct ofa_buf *b, const struct ofa_msg *m)
{
    const struct ft_meter_mod *mm = &m->u.meter_mod.mm;
    ofa_buf_put_be16(b, mm->command);
    ofa_buf_put_be16(b, mm->flags);
    ofa_buf_put_be32(b, mm->meter_id);
    return ofa_bands_encode(b, mm->bands, mm->n_bands);
}

/* ---- multipart bodies ------------------------------------------------------------------ */

enum ft_err
ofa_meter_stats_decode(const uint8_t *p, size_t avail, struct ofa_meter_stats *ms, size_t *consumed)
{
    memset(ms, 0, sizeof *ms);
    if (avail < OFP_METER_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p + 4);
    if (len < OFP_METER_STATS_LEN || len > avail ||
        (len - OFP_METER_STATS_LEN) % OFP_BAND_STATS_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    ms->meter_id = ft_rd32(p);
    ms->flow_count = ft_rd32(p + 12);
    ms->packet_in_count = ft_rd64(p + 16);
    ms->byte_in_count = ft_rd64(p + 24);
    ms->duration_sec = ft_rd32(p + 32);
    ms->duration_nsec = ft_rd32(p + 36);
    uint32_t n = (uint32_t)((len - OFP_METER_STATS_LEN) / OFP_BAND_STATS_LEN);
    if (n) {
        ms->bands = calloc(n, sizeof *ms->bands);
        if (!ms->bands)
            return OFA_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *c = p + OFP_METER_STATS_LEN + i * OFP_BAND_STATS_LEN;
        ms->bands[i].packet_count = ft_rd64(c);
        ms->bands[i].byte_count = ft_rd64(c + 8);
    }
    ms->n_bands = n;
    *consumed = len;
    return FT_OK;
}

int
ofa_meter_stats_encode(struct ofa_buf *b, const struct ofa_meter_stats *ms)
{
    size_t len = OFP_METER_STATS_LEN + (size_t)ms->n_bands * OFP_BAND_STATS_LEN;
    if (len > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_put_be32(b, ms->meter_id);
    ofa_buf_put_be16(b, (uint16_t)len);
    ofa_buf_put_zeros(b, 6);
    ofa_buf_put_be32(b, ms->flow_count);
    ofa_buf_put_be64(b, ms->packet_in_count);
    ofa_buf_put_be64(b, ms->byte_in_count);
    ofa_buf_put_be32(b, ms->duration_sec);
    ofa_buf_put_be32(b, ms->duration_nsec);
    for (uint32_t i = 0; i < ms->n_bands; i++) {
        ofa_buf_put_be64(b, ms->bands[i].packet_count);
        ofa_buf_put_be64(b, ms->bands[i].byte_count);
    }
    return ofa_buf_failed(b) ? -ENOMEM : 0;
}

enum ft_err
ofa_meter_config_decode(const uint8_t *p, size_t avail, struct ofa_meter_config *mc,
                        size_t *consumed)
{
    memset(mc, 0, sizeof *mc);
    if (avail < OFP_METER_CONFIG_LEN)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    size_t len = ft_rd16(p);
    if (len < OFP_METER_CONFIG_LEN || len > avail)
        return FT_ERR_BAD_REQUEST_BAD_LEN;
    mc->flags = ft_rd16(p + 2);
    mc->meter_id = ft_rd32(p + 4);
    *consumed = len;
    return ofa_bands_decode(p + OFP_METER_CONFIG_LEN, len - OFP_METER_CONFIG_LEN, &mc->bands,
                            &mc->n_bands);
}

int
ofa_meter_config_encode(struct ofa_buf *b, const struct ofa_meter_config *mc)
{
    size_t len = OFP_METER_CONFIG_LEN + (size_t)mc->n_bands * OFP_METER_BAND_LEN;
    if (len > UINT16_MAX)
        return -EMSGSIZE;
    ofa_buf_put_be16(b, (uint16_t)len);
    ofa_buf_put_be16(b, mc->flags);
    ofa_buf_put_be32(b, mc->meter_id);
    return ofa_bands_encode(b, mc->bands, mc->n_bands);
}

void
ofa_meter_features_decode(const uint8_t *p, struct ft_meter_features *mf)
{
    mf->max_meter = ft_rd32(p);
    mf->band_types = ft_rd32(p + 4);
    mf->capabilities = ft_rd32(p + 8);
    mf->max_bands = p[12];
    mf->max_color = p[13];
}

void
ofa_meter_features_encode(struct ofa_buf *b, const struct ft_meter_features *mf)
{
    ofa_buf_put_be32(b, mf->max_meter);
    ofa_buf_put_be32(b, mf->band_types);
    ofa_buf_put_be32(b, mf->capabilities);
    ofa_buf_put_u8(b, mf->max_bands);
    ofa_buf_put_u8(b, mf->max_color);
    ofa_buf_put_zeros(b, 2);
}
