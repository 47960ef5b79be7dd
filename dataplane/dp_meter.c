/* SPDX-License-Identifier: Apache-2.0 */
/* Meters: GCRA buckets per band, shared lock-free by the workers (dp_meter.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "dp_hdrops.h"
#include "dp_meter.h"
#include "ft_alloc.h"
#include "ft_vec.h"

/* ---- building (agent) --------------------------------------------------------------- */

static uint64_t time_base;

void
dp_meter_init(void)
{
    if (!time_base)
        time_base = rte_rdtsc();
}

uint64_t
dp_meter_now(uint64_t tsc)
{
    return (tsc - time_base) << DP_METER_SHIFT;
}

static void
band_init(struct dp_meter_band_rt *b, const struct ft_meter_band *fb, uint16_t flags,
          uint64_t tsc_hz)
{
    typedef unsigned __int128 u128;
    uint32_t rate = fb->rate ? fb->rate : 1;
    uint64_t burst = (flags & FT_MF_BURST) && fb->burst_size ? fb->burst_size : rate;
    atomic_init(&b->tat, 0);
    b->rate = rate;
    b->type = fb->type;
    b->prec_level = fb->prec_level;
    /* kb over kb/s and packets over packets/s are both seconds. */
    b->tau = (uint64_t)(((u128)burst * tsc_hz << DP_METER_SHIFT) / rate);
    if (flags & FT_MF_KBPS)
        b->cost = (uint64_t)(((u128)tsc_hz * 8 << (DP_METER_SHIFT + 32)) / ((u128)rate * 1000));
    else
        b->cost = (uint64_t)(((u128)tsc_hz << DP_METER_SHIFT) / rate);
}

static struct dp_meter_rt *
rt_new(const struct ft_meter *fm, uint64_t tsc_hz)
{
    uint32_t n = ft_meter_n_bands(fm);
    struct dp_meter_rt *rt = ft_calloc(1, sizeof *rt + n * sizeof rt->band[0]);
    if (!rt)
        return NULL;
    rt->meter = fm;
    rt->id = ft_meter_id(fm);
    rt->n_bands = n;
    rt->kbps = ft_meter_flags(fm) & FT_MF_KBPS;
    for (uint32_t i = 0; i < n; i++)
        band_init(&rt->band[i], ft_meter_band(fm, i), ft_meter_flags(fm), tsc_hz);
    return rt;
}

static void
rt_put(struct dp_meter_rt *rt)
{
    if (rt && --rt->refs == 0)
        free(rt);
}

static void
slot_add(struct dp_meter_table *t, uint32_t id, struct dp_meter_rt *rt)
{
    uint32_t i = id * 0x9e3779b1u;
    while (t->slot[i & t->mask].id)
        i++;
    t->slot[i & t->mask] = (struct dp_meter_slot){.id = id, .rt = rt};
    t->n++;
    rt->refs++;
}

struct collect {
    const struct ft_pipeline *p;
    uint64_t v;
    struct ft_vec ids; /* const struct ft_meter * */
};

static int
collect_meter(void *aux, const struct ft_meter *m)
{
    struct collect *c = aux;
    /* The object version v sees (the staged view equals it right after a
     * commit, but say what is meant). */
    const struct ft_meter *vm = ft_pipeline_meter_find(c->p, c->v, ft_meter_id(m));
    return vm && ft_vec_push(&c->ids, &vm, sizeof vm) ? -ENOMEM : 0;
}

struct dp_meter_table *
dp_meter_table_build(const struct ft_pipeline *p, uint64_t v, const struct dp_meter_table *old,
                     uint64_t tsc_hz)
{
    dp_meter_init();
    struct collect c = {.p = p, .v = v};
    if (ft_pipeline_meters_foreach(p, FT_METER_ALL, collect_meter, &c)) { /* ENOMEM. */
        ft_vec_free(&c.ids);
        return NULL;
    }
    const struct ft_meter **ids = c.ids.data;
    size_t n_ids = c.ids.n;
    uint32_t size = 8;
    while (size < 2 * n_ids)
        size *= 2;
    struct dp_meter_table *t = ft_calloc(1, sizeof *t + size * sizeof t->slot[0]);
    if (!t)
        goto err;
    t->refs = 1;
    t->mask = size - 1;
    for (size_t i = 0; i < n_ids; i++) {
        struct dp_meter_rt *rt = dp_meter_lookup(old, ft_meter_id(ids[i]));
        if (!rt || rt->meter != ids[i])
            rt = rt_new(ids[i], tsc_hz);
        if (!rt)
            goto err;
        slot_add(t, ft_meter_id(ids[i]), rt);
    }
    ft_vec_free(&c.ids);
    return t;
err:
    ft_vec_free(&c.ids);
    dp_meter_table_put(t);
    return NULL;
}

void
dp_meter_table_put(struct dp_meter_table *t)
{
    if (!t || --t->refs)
        return;
    for (uint32_t i = 0; i <= t->mask; i++)
        if (t->slot[i].id)
            rt_put(t->slot[i].rt);
    free(t);
}

/* ---- running (workers) ------------------------------------------------------------------ */

/* Charge the band if the packet conforms; false if it exceeds the band. */
static bool
band_charge(struct dp_meter_band_rt *b, uint64_t cost, uint64_t now)
{
    uint64_t tat = atomic_load_explicit(&b->tat, memory_order_relaxed);
    for (;;) {
        uint64_t next = (tat > now ? tat : now) + cost;
        if (next - now > b->tau)
            return false;
        if (atomic_compare_exchange_weak_explicit(&b->tat, &tat, next, memory_order_relaxed,
                                                  memory_order_relaxed))
            return true;
    }
}

/* AFxy (DSCP 8x + 2y, x 1..4, y 1..3): y += prec, at most 3. */
static void
remark(struct rte_mbuf *m, struct dp_hdr *h, uint8_t prec)
{
    const uint8_t *ip = dp_pkt_data(m) + h->lay.l3;
    uint8_t dscp;
    if (dp_hdr_is_ipv4(h))
        dscp = ip[1] >> 2;
    else if (dp_hdr_is_ipv6(h))
        dscp = (uint8_t)((ft_rd32(ip) >> 22) & 0x3f);
    else
        return;
    unsigned x = dscp >> 3, y = (dscp & 7) >> 1;
    if (x < 1 || x > 4 || (dscp & 1) || y < 1)
        return;
    y = y + prec > 3 ? 3 : y + prec;
    union ft_value v = {.u8 = (uint8_t)(x << 3 | y << 1)};
    dp_set_field(m, h, FT_F_IP_DSCP, &v);
}

enum dp_meter_verdict
dp_meter_run(struct dp_meter_rt *rt, struct rte_mbuf *m, struct dp_hdr *h, uint32_t len,
             uint64_t now)
{
    typedef unsigned __int128 u128;
    int applied = -1;
    for (uint32_t i = 0; i < rt->n_bands; i++) {
        struct dp_meter_band_rt *b = &rt->band[i];
        uint64_t cost = rt->kbps ? (uint64_t)(((u128)len * b->cost) >> 32) : b->cost;
        if (band_charge(b, cost, now))
            continue;
        if (applied < 0 || b->rate > rt->band[applied].rate)
            applied = (int)i;
    }
    ft_meter_add_stats(rt->meter, UINT32_MAX, 1, len);
    if (applied < 0)
        return DP_METER_PASS;
    const struct dp_meter_band_rt *b = &rt->band[applied];
    ft_meter_add_stats(rt->meter, (uint32_t)applied, 1, len);
    if (b->type == FT_MBT_DROP)
        return DP_METER_DROP;
    if (b->type == FT_MBT_DSCP_REMARK && m)
        remark(m, h, b->prec_level);
    return DP_METER_REMARKED;
}
