/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The dataplane object: creation (pools, workers on every EAL worker
 * lcore, RCU), configuration from the agent, introspection, teardown.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "dp_exec.h"
#include "dp_l2.h"
#include "ft_alloc.h"

static const char *const drop_names[DP_N_DROPS] = {
#define DP_NAME(e, name) name,
    DP_DROP_REASONS(DP_NAME)
#undef DP_NAME
};

static const char *const note_names[DP_N_NOTES] = {
#define DP_NAME(e, name) name,
    DP_NOTES(DP_NAME)
#undef DP_NAME
};

_Static_assert(DP_DROP_PARSE_BAD_ND - DP_DROP_PARSE_TRUNC_L2 + 2 == FT_PARSE_STOP_MAX,
               "one parse drop per ft_parse_stop");

const char *
dp_drop_name(enum dp_drop d)
{
    return (unsigned)d < DP_N_DROPS ? drop_names[d] : "?";
}

const char *
dp_note_name(enum dp_note n)
{
    return (unsigned)n < DP_N_NOTES ? note_names[n] : "?";
}

void
dp_config_default(struct dp_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->n_mbufs = 16383;
    cfg->rxq = 0;
    cfg->rx_desc = 1024;
    cfg->tx_desc = 1024;
    cfg->pin_ring_size = 1024;
    cfg->l2_entries = 65536;
    cfg->l2_aging_s = 300;
    cfg->commit_timeout_ms = 2000;
    ft_pipeline_config_default(&cfg->pipeline);
    ft_cache_config_default(&cfg->cache);
    cfg->cache_stages_auto = true;
}

static int
fail(char *err, size_t errlen, const char *what, int r)
{
    if (err && errlen)
        snprintf(err, errlen, "dataplane: %s: %s", what, strerror(-r));
    return r;
}

int
dp_create(const struct dp_config *cfg, struct dp **dpp, char *err, size_t errlen)
{
    struct dp *dp = ft_calloc(1, sizeof *dp);
    int r = -ENOMEM;
    *dpp = NULL;
    if (!dp)
        return fail(err, errlen, "out of memory", -ENOMEM);
    dp->cfg = *cfg;
    r = dp_wake_init(dp);
    if (r) {
        free(dp);
        return fail(err, errlen, "cannot create the agent's wake-up eventfd", r);
    }
    r = -ENOMEM;
    dp->tsc_hz = rte_get_tsc_hz();
    dp->tsc_ns_mult = ((1000000000ull << DP_TSC_NS_SHIFT) + dp->tsc_hz / 2) / dp->tsc_hz;
    dp->clk_stale = dp->tsc_hz / 500;
    while ((2ull << dp->poll_unit_shift) <= dp->tsc_hz / 1000000)
        dp->poll_unit_shift++;
    dp->miss_send_len = 128; /* OFP_DEFAULT_MISS_SEND_LEN */
    dp->stages_auto = cfg->cache_stages_auto;
    if (!cfg->cache_stages_auto)
        dp->stages = cfg->cache.stages;
    dp_meter_init();
    ft_alloc_keep(); /* What the workers' misses touch stays touched (dp_worker_warm). */
    dp->p = ft_pipeline_create(&cfg->pipeline);
    dp->l2 = dp_l2_create(cfg->l2_entries, cfg->l2_aging_s);
    if (!dp->p || !dp->l2)
        goto err;

    unsigned n_lcores = rte_lcore_count();
    dp->inline_mode = n_lcores < 2;
    dp->n_workers = dp->inline_mode ? 1 : n_lcores - 1;
    unsigned socket = rte_socket_id();
    dp->pool = rte_pktmbuf_pool_create("dp_mbufs", cfg->n_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                       (int)socket);
    dp->pin_pool =
        rte_pktmbuf_pool_create("dp_pins", cfg->pin_ring_size * (dp->n_workers + 1) + 1023, 64,
                                RTE_ALIGN(sizeof(struct dp_pin_meta), RTE_MBUF_PRIV_ALIGN),
                                RTE_MBUF_DEFAULT_BUF_SIZE, (int)socket);
    if (!dp->pool || !dp->pin_pool) {
        r = -rte_errno;
        if (err && errlen)
            snprintf(err, errlen,
                     "dataplane: cannot create the packet pools (%u mbufs): %s; give EAL more "
                     "memory (-m/--socket-mem) or use fewer mbufs",
                     cfg->n_mbufs, rte_strerror(rte_errno));
        dp_destroy(dp);
        return r;
    }
    size_t qsz = rte_rcu_qsbr_get_memsize(dp->n_workers);
    dp->qsv = rte_zmalloc("dp_qsbr", qsz, RTE_CACHE_LINE_SIZE);
    if (!dp->qsv || rte_rcu_qsbr_init(dp->qsv, dp->n_workers))
        goto err;
    dp->workers = ft_calloc(dp->n_workers, sizeof *dp->workers);
    dp->stats_base = ft_calloc(dp->n_workers, sizeof *dp->stats_base);
    if (!dp->workers || !dp->stats_base)
        goto err;
    unsigned lcore = rte_get_main_lcore(), i = 0;
    if (dp->inline_mode) {
        dp->workers[0] = dp_worker_new(dp, 0, lcore, false);
        if (!dp->workers[0])
            goto err;
        dp_worker_warm(dp->workers[0]); /* This thread polls it. */
    } else {
        RTE_LCORE_FOREACH_WORKER(lcore)
        {
            dp->workers[i] = dp_worker_new(dp, i, lcore, false);
            if (!dp->workers[i])
                goto err;
            i++;
        }
    }
    /* The agent's TX queue is the one after the workers'; inline, the
     * worker and the agent share a thread and so queue 0. */
    dp->agent = dp_worker_new(dp, dp->inline_mode ? 0 : dp->n_workers, rte_get_main_lcore(), true);
    if (!dp->agent)
        goto err;
    r = dp_publish(dp);
    if (r)
        goto err;
    if (!dp->inline_mode) {
        for (i = 0; i < dp->n_workers; i++) {
            r = rte_eal_remote_launch(dp_worker_main, dp->workers[i], dp->workers[i]->lcore);
            if (r) {
                dp->n_workers = i; /* Only those launched get waited for. */
                goto err;
            }
        }
        /* Return with every worker polling: a launched thread may take a
         * few ms to be scheduled, and until it is online RCU does not wait
         * for it (correctly: it has seen nothing yet). The deadline is for
         * the start; the warm-up that follows is finite work whose length
         * depends on the cache's size and the machine (seconds under ASan
         * on a loaded one). */
        uint64_t deadline = rte_rdtsc() + dp->tsc_hz / 1000 * cfg->commit_timeout_ms;
        unsigned spins = 0;
        for (i = 0; i < dp->n_workers; i++) {
            struct dp_worker *w = dp->workers[i];
            while (!atomic_load_explicit(&w->running, memory_order_acquire)) {
                if (!atomic_load_explicit(&w->started, memory_order_acquire) &&
                    rte_rdtsc() > deadline) {
                    r = -ETIMEDOUT;
                    goto err;
                }
                dp_wait_step(&spins);
            }
        }
    }
    dp_unmap_guard_set(dp);
    *dpp = dp;
    return 0;
err:
    fail(err, errlen, "cannot create", r);
    dp_destroy(dp);
    return r;
}

void
dp_destroy(struct dp *dp)
{
    if (!dp)
        return;
    dp_port_del_all(dp);
    atomic_store_explicit(&dp->stop, true, memory_order_relaxed);
    if (!dp->inline_mode)
        for (unsigned i = 0; dp->workers && i < dp->n_workers; i++)
            if (dp->workers[i])
                rte_eal_wait_lcore(dp->workers[i]->lcore);
    dp_unmap_guard_set(NULL); /* No worker polls now; the agent is here. */
    dp_port_reap(dp);         /* Ports a failed publish kept: no worker runs now. */
    for (unsigned i = 0; i < dp->n_limbo; i++)
        dp_snap_free(dp->limbo[i].snap);
    dp_snap_free(atomic_load(&dp->snap));
    for (unsigned i = 0; dp->workers && i < dp->n_workers; i++)
        dp_worker_free(dp->workers[i]);
    dp_worker_free(dp->agent);
    free(dp->workers);
    free(dp->stats_base);
    ft_vec_free(&dp->events);
    rte_free(dp->qsv);
    dp_capture_destroy(dp); /* Its copies come from pin_pool. */
    rte_mempool_free(dp->pin_pool);
    rte_mempool_free(dp->pool);
    dp_l2_free(dp->l2);
    ft_pipeline_destroy(dp->p);
    dp_wake_fini(dp);
    free(dp);
}

void
dp_mbuf_stats(struct dp *dp, struct dp_mbuf_stats *out)
{
    *out = (struct dp_mbuf_stats){
        .mbufs = dp->pool->size,
        .mbufs_in_use = rte_mempool_in_use_count(dp->pool),
        .pin_mbufs = dp->pin_pool->size,
        .pin_mbufs_in_use = rte_mempool_in_use_count(dp->pin_pool),
    };
}

bool
dp_inline(const struct dp *dp)
{
    return dp->inline_mode;
}

unsigned
dp_poll(struct dp *dp)
{
    if (!dp->inline_mode)
        return 0;
    dp_io_enter(dp); /* Its ports stay mapped (dp_port_maps.c). */
    unsigned n = dp_worker_poll(dp->workers[0]);
    dp_io_leave(dp);
    return n;
}

struct ft_pipeline *
dp_pipeline(struct dp *dp)
{
    return dp->p;
}

/* ---- configuration ----------------------------------------------------------------------- */

static void
reconfigure(struct dp *dp)
{
    /* A snapshot, not a commit: the pipeline is the agent's. The grace
     * period makes it apply to packets received after we return. */
    dp->dirty = true;
    dp_publish(dp);
}

void
dp_set_config(struct dp *dp, enum dp_frag_mode frag, uint16_t miss_send_len)
{
    if (dp->frag_mode == frag && dp->miss_send_len == miss_send_len)
        return;
    dp->frag_mode = (uint8_t)frag;
    dp->miss_send_len = miss_send_len;
    reconfigure(dp);
}

void
dp_set_invalid_ttl_to_controller(struct dp *dp, bool on)
{
    if (dp->invalid_ttl_to_ctrl != on) {
        dp->invalid_ttl_to_ctrl = on;
        reconfigure(dp);
    }
}

void
dp_set_standalone(struct dp *dp, bool on)
{
    if (dp->standalone != on) {
        dp->standalone = on;
        reconfigure(dp);
    }
}

/* ---- introspection --------------------------------------------------------------------------- */

static uint64_t
rd(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

void
dp_worker_read(const struct dp_worker *w, struct dp_worker_stats *st)
{
    const struct dp_wcounters *c = &w->c;
    st->lcore = w->lcore;
    st->packets = rd(&c->packets);
    st->busy_cycles = rd(&c->busy_cycles);
    st->busy_polls = rd(&c->busy_polls);
    st->idle_cycles = rd(&c->idle_cycles);
    st->emc_hits = rd(&c->emc_hits);
    st->cache_hits = rd(&c->cache_hits);
    st->misses = rd(&c->misses);
    st->miss_cycles = rd(&c->miss_cycles);
    st->drops = 0;
    for (unsigned d = 0; d < DP_N_DROPS; d++)
        st->drops += rd(&c->drop[d]);
    for (unsigned b = 0; b < DP_POLL_BUCKETS; b++)
        st->poll_hist[b] = rd(&c->poll_hist[b]);
}

size_t
dp_worker_stats(struct dp *dp, struct dp_worker_stats *out, size_t max)
{
    for (unsigned i = 0; i < dp->n_workers && i < max; i++) {
        const struct dp_worker_stats *b = &dp->stats_base[i];
        struct dp_worker_stats st;
        dp_worker_read(dp->workers[i], &st);
        out[i] = (struct dp_worker_stats){
            .lcore = st.lcore,
            .packets = st.packets - b->packets,
            .busy_cycles = st.busy_cycles - b->busy_cycles,
            .busy_polls = st.busy_polls - b->busy_polls,
            .idle_cycles = st.idle_cycles - b->idle_cycles,
            .emc_hits = st.emc_hits - b->emc_hits,
            .cache_hits = st.cache_hits - b->cache_hits,
            .misses = st.misses - b->misses,
            .miss_cycles = st.miss_cycles - b->miss_cycles,
            .drops = st.drops - b->drops,
        };
        for (unsigned k = 0; k < DP_POLL_BUCKETS; k++)
            out[i].poll_hist[k] = st.poll_hist[k] - b->poll_hist[k];
    }
    return dp->n_workers;
}

void
dp_worker_stats_clear(struct dp *dp)
{
    /* Worker counters are written by their worker only: remember where
     * they are instead of zeroing them. */
    for (unsigned i = 0; i < dp->n_workers; i++)
        dp_worker_read(dp->workers[i], &dp->stats_base[i]);
}

void
dp_drop_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n), void *aux)
{
    for (unsigned d = 0; d < DP_N_DROPS; d++) {
        uint64_t n = dp->agent->c.drop[d];
        for (unsigned i = 0; i < dp->n_workers; i++)
            n += rd(&dp->workers[i]->c.drop[d]);
        fn(aux, drop_names[d], n);
    }
}

void
dp_note_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n), void *aux)
{
    for (unsigned d = 0; d < DP_N_NOTES; d++) {
        uint64_t n = dp->agent->c.note[d];
        for (unsigned i = 0; i < dp->n_workers; i++)
            n += rd(&dp->workers[i]->c.note[d]);
        fn(aux, note_names[d], n);
    }
}

uint64_t
dp_tsc_hz(struct dp *dp)
{
    return dp->tsc_hz;
}

uint64_t
dp_poll_bucket_cycles(struct dp *dp, unsigned b)
{
    return b + 1 >= DP_POLL_BUCKETS ? UINT64_MAX : 1ull << (b + dp->poll_unit_shift);
}

uint64_t
dp_now_ns(struct dp *dp)
{
    (void)dp;
    return dp_clock_ns();
}
