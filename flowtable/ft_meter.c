/* SPDX-License-Identifier: Apache-2.0 */
/* Meters: meter-mod semantics, counters and features. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_pipeline_int.h"
#include "ft_alloc.h"

#define METER_OFS offsetof(struct ft_meter, id)

const struct ft_meter *
ft_pipeline_meter_find(const struct ft_pipeline *p, uint64_t v, uint32_t id)
{
    return (const struct ft_meter *)ft_idmap_find(&p->meters, v, id, METER_OFS);
}

static struct ft_meter *
meter_staged(const struct ft_pipeline *p, uint32_t id)
{
    return (struct ft_meter *)ft_idmap_find(&p->meters, ft_staged_version(p), id, METER_OFS);
}

void
ft_meter_free(struct ft_meter *m)
{
    if (m->counters && --m->counters->refs == 0)
        free(m->counters);
    free(m->bands);
    free(m);
}

/* A meter a METER_MOD may name: 1..FT_METER_MAX, and the virtual meters
 * the dataplane enforces (OFPM_CONTROLLER, OFPM_SLOWPATH: packet-ins). */
static bool
meter_id_settable(uint32_t id)
{
    return (id && id <= FT_METER_MAX) || id == FT_METER_CONTROLLER || id == FT_METER_SLOWPATH;
}

static enum ft_err
check_meter(const struct ft_pipeline *p, const struct ft_meter_mod *mm)
{
    if (!meter_id_settable(mm->meter_id))
        return FT_ERR_METER_MOD_FAILED_INVALID_METER;
    const uint16_t known = FT_MF_KBPS | FT_MF_PKTPS | FT_MF_BURST | FT_MF_STATS;
    if ((mm->flags & ~known) || !(mm->flags & FT_MF_KBPS) == !(mm->flags & FT_MF_PKTPS))
        return FT_ERR_METER_MOD_FAILED_BAD_FLAGS;
    if (mm->n_bands > p->cfg.max_bands)
        return FT_ERR_METER_MOD_FAILED_OUT_OF_BANDS;
    for (uint32_t i = 0; i < mm->n_bands; i++) {
        const struct ft_meter_band *b = &mm->bands[i];
        if (b->type != FT_MBT_DROP && b->type != FT_MBT_DSCP_REMARK)
            return FT_ERR_METER_MOD_FAILED_BAD_BAND;
        if (b->rate == 0)
            return FT_ERR_METER_MOD_FAILED_BAD_RATE;
        if (b->type == FT_MBT_DSCP_REMARK && (b->prec_level == 0 || b->prec_level > 63))
            return FT_ERR_METER_MOD_FAILED_BAD_BAND_VALUE;
    }
    return FT_OK;
}

static int
meter_remove(struct ft_pipeline *p, struct ft_meter *m, uint64_t now_ns)
{
    if (ft_remove_rules_using_meter(p, m->id, now_ns))
        return -ENOMEM;
    atomic_store_explicit(&m->node.remove_version, ft_staged_version(p), memory_order_relaxed);
    (void)ft_pipeline_doom(p, FT_GARBAGE_METER, m);
    p->n_meters--;
    ft_pipeline_note(p, FT_CHG_METER, 0, 0, m->id, NULL);
    return 0;
}

static int
meters_sorted(const struct ft_pipeline *p, struct ft_vec *out)
{
    return ft_idmap_sorted(&p->meters, ft_staged_version(p), METER_OFS, out);
}

enum ft_err
ft_pipeline_meter_mod(struct ft_pipeline *p, const struct ft_meter_mod *mm, uint64_t now_ns)
{
    if (mm->command > FT_MC_DELETE)
        return FT_ERR_METER_MOD_FAILED_BAD_COMMAND;

    if (mm->command == FT_MC_DELETE) {
        if (mm->meter_id == FT_METER_ALL) {
            struct ft_vec all = {0};
            int err = meters_sorted(p, &all);
            for (size_t i = 0; !err && i < all.n; i++)
                err = meter_remove(p, *FT_VEC_AT(&all, struct ft_meter *, i), now_ns);
            free(all.data);
            return err ? FT_ERR_METER_MOD_FAILED_UNKNOWN : FT_OK;
        }
        if (!meter_id_settable(mm->meter_id))
            return FT_ERR_METER_MOD_FAILED_INVALID_METER;
        struct ft_meter *m = meter_staged(p, mm->meter_id);
        if (m && meter_remove(p, m, now_ns))
            return FT_ERR_METER_MOD_FAILED_UNKNOWN;
        return FT_OK;
    }

    enum ft_err err = check_meter(p, mm);
    if (err)
        return err;
    struct ft_meter *old = meter_staged(p, mm->meter_id);
    if (mm->command == FT_MC_ADD && old)
        return FT_ERR_METER_MOD_FAILED_METER_EXISTS;
    if (mm->command == FT_MC_MODIFY && !old)
        return FT_ERR_METER_MOD_FAILED_UNKNOWN_METER;
    if (!old && p->n_meters >= p->cfg.max_meters)
        return FT_ERR_METER_MOD_FAILED_OUT_OF_METERS;

    struct ft_meter *m = ft_calloc(1, sizeof *m);
    if (!m)
        return FT_ERR_METER_MOD_FAILED_OUT_OF_METERS;
    m->bands = ft_calloc(mm->n_bands ? mm->n_bands : 1, sizeof *m->bands);
    if (!m->bands) {
        ft_meter_free(m);
        return FT_ERR_METER_MOD_FAILED_OUT_OF_METERS;
    }
    ft_vnode_init(&m->node, 0, ft_staged_version(p));
    m->id = mm->meter_id;
    m->flags = mm->flags;
    m->n_bands = mm->n_bands;
    m->created_ns = now_ns;
    if (mm->n_bands) /* A meter without bands is valid; its bands may be NULL. */
        memcpy(m->bands, mm->bands, mm->n_bands * sizeof *m->bands);
    if (old && old->counters->n_bands == m->n_bands) {
        m->counters = old->counters;
        m->counters->refs++;
        m->created_ns = old->created_ns;
    } else {
        m->counters = ft_calloc(1, sizeof *m->counters + m->n_bands * sizeof m->counters->band[0]);
        if (!m->counters) {
            ft_meter_free(m);
            return FT_ERR_METER_MOD_FAILED_OUT_OF_METERS;
        }
        m->counters->refs = 1;
        m->counters->n_bands = m->n_bands;
    }
    if (ft_idmap_add(p, &p->meters, &m->node, m->id, METER_OFS)) {
        ft_meter_free(m);
        return FT_ERR_METER_MOD_FAILED_OUT_OF_METERS;
    }
    if (old) {
        m->flow_count = old->flow_count;
        atomic_store_explicit(&old->node.remove_version, ft_staged_version(p),
                              memory_order_relaxed);
        (void)ft_pipeline_doom(p, FT_GARBAGE_METER, old);
    } else {
        p->n_meters++;
    }
    ft_pipeline_note(p, FT_CHG_METER, 0, 0, m->id, NULL);
    return FT_OK;
}

void
ft_meter_ref_rules(struct ft_pipeline *p, const struct ft_insts *in, int delta)
{
    if (!in || !(in->present & FT_INST_BIT(FT_IT_METER)))
        return;
    struct ft_meter *m = meter_staged(p, in->meter_id);
    if (m)
        m->flow_count += delta;
}

int
ft_pipeline_meters_foreach(const struct ft_pipeline *p, uint32_t id, ft_meter_visit_fn *fn,
                           void *aux)
{
    if (id != FT_METER_ALL) {
        const struct ft_meter *m = meter_staged(p, id);
        return m ? fn(aux, m) : 0;
    }
    struct ft_vec all = {0};
    int rc = meters_sorted(p, &all);
    for (size_t i = 0; !rc && i < all.n; i++)
        rc = fn(aux, *FT_VEC_AT(&all, struct ft_meter *, i));
    free(all.data);
    return rc;
}

uint32_t
ft_meter_id(const struct ft_meter *m)
{
    return m->id;
}

uint16_t
ft_meter_flags(const struct ft_meter *m)
{
    return m->flags;
}

uint32_t
ft_meter_n_bands(const struct ft_meter *m)
{
    return m->n_bands;
}

const struct ft_meter_band *
ft_meter_band(const struct ft_meter *m, uint32_t i)
{
    return i < m->n_bands ? &m->bands[i] : NULL;
}

uint64_t
ft_meter_created_ns(const struct ft_meter *m)
{
    return m->created_ns;
}

uint32_t
ft_meter_flow_count(const struct ft_meter *m)
{
    return m->flow_count;
}

void
ft_meter_add_stats(const struct ft_meter *m, uint32_t band, uint64_t packets, uint64_t bytes)
{
    struct ft_meter_counters *c = m->counters;
    if (band == UINT32_MAX) {
        atomic_fetch_add_explicit(&c->packets, packets, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->bytes, bytes, memory_order_relaxed);
    } else if (band < c->n_bands) {
        atomic_fetch_add_explicit(&c->band[band].packets, packets, memory_order_relaxed);
        atomic_fetch_add_explicit(&c->band[band].bytes, bytes, memory_order_relaxed);
    }
}

void
ft_meter_stats(const struct ft_meter *m, uint64_t *packets_in, uint64_t *bytes_in)
{
    *packets_in = atomic_load_explicit(&m->counters->packets, memory_order_relaxed);
    *bytes_in = atomic_load_explicit(&m->counters->bytes, memory_order_relaxed);
}

void
ft_meter_band_stats(const struct ft_meter *m, uint32_t band, uint64_t *packets, uint64_t *bytes)
{
    *packets = *bytes = 0;
    if (band >= m->counters->n_bands)
        return;
    *packets = atomic_load_explicit(&m->counters->band[band].packets, memory_order_relaxed);
    *bytes = atomic_load_explicit(&m->counters->band[band].bytes, memory_order_relaxed);
}

void
ft_pipeline_meter_features(const struct ft_pipeline *p, struct ft_meter_features *f)
{
    memset(f, 0, sizeof *f);
    f->max_meter = p->cfg.max_meters;
    f->band_types = (1u << FT_MBT_DROP) | (1u << FT_MBT_DSCP_REMARK);
    f->capabilities = FT_MF_KBPS | FT_MF_PKTPS | FT_MF_BURST | FT_MF_STATS;
    f->max_bands = (uint8_t)(p->cfg.max_bands > 255 ? 255 : p->cfg.max_bands);
    f->max_color = 0;
}
