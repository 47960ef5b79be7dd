/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Publishing to the workers: snapshots, commit, grace periods, folds
 * (dp_int.h explains the protocol).
 *
 * dp_commit: ft_pipeline_commit, then a snapshot naming the new version
 * and carrying its change list; one release store publishes it. The
 * agent then waits for one RCU grace period: each worker reports its
 * quiescent state at the top of its loop, *before* loading the snapshot,
 * so after the grace period (a) every worker forwards by the new version
 * (BARRIER may be answered) and (b) no worker still runs a burst that
 * started with the old snapshot, which can be freed, and no reader holds
 * a version below the new one, so ft_pipeline_reclaim(p, v) is safe.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_log.h>

#include "dp_int.h"
#include "ft_alloc.h"

void
dp_snap_free(struct dp_snap *s)
{
    if (!s)
        return;
    dp_meter_table_put(s->meters);
    free(s->changes);
    free(s->rx_first);
    free(s->rx_count);
    free(s->rxq);
    free(s);
}

static int
port_cmp(const void *a_, const void *b_)
{
    const struct dp_port_rt *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

static bool
meters_changed(const struct ft_change *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].kind == FT_CHG_METER)
            return true;
    return false;
}

/* The snapshot of the agent's state for pipeline version v. */
static struct dp_snap *
snap_build(struct dp *dp, const struct dp_snap *old, uint64_t v)
{
    struct dp_snap *s = ft_calloc(1, sizeof *s);
    unsigned nw = dp->n_workers;
    if (!s)
        return NULL;
    s->rx_first = ft_calloc(nw, sizeof *s->rx_first);
    s->rx_count = ft_calloc(nw, sizeof *s->rx_count);
    if (!s->rx_first || !s->rx_count)
        goto err;
    s->version = v;
    s->frag_mode = dp->frag_mode;
    s->invalid_ttl_to_ctrl = dp->invalid_ttl_to_ctrl;
    s->standalone = dp->standalone;
    s->miss_send_len = dp->miss_send_len;
    s->stages = dp->stages;
    s->capture_port = dp->capture_port;
    s->capture_ring = dp->capture_ring;
    s->capture_slot = UINT16_MAX;

    /* Changes: only a new version has any. After a failed publish the
     * workers never saw some version's changes: they flush, meters are
     * rebuilt. */
    bool new_version = !old || old->version != v;
    if (new_version && old) {
        size_t n;
        const struct ft_change *c = ft_pipeline_changes(dp->p, &n);
        s->changes_lost = ft_pipeline_changes_lost(dp->p) || dp->publish_failed;
        if (n) {
            s->changes = ft_malloc(n * sizeof *c);
            if (!s->changes)
                goto err;
            memcpy(s->changes, c, n * sizeof *c);
            s->n_changes = n;
        }
    }
    if (dp->flush_caches) /* dp_flush_caches: the workers start from empty caches. */
        s->changes_lost = true;
    if (!old || (new_version && (s->changes_lost || meters_changed(s->changes, s->n_changes)))) {
        s->meters = dp_meter_table_build(dp->p, v, old ? old->meters : NULL, dp->tsc_hz);
        if (!s->meters)
            goto err;
    } else {
        s->meters = old->meters;
        s->meters->refs++;
    }

    /* Ports, by number, and the RX queues of the ports not PORT_DOWN. */
    size_t n_rxq = 0;
    for (unsigned i = 0; i < DP_MAX_PORTS; i++) {
        const struct dp_port *p = &dp->ports[i];
        if (!p->used)
            continue;
        s->ports[s->n_ports++] = (struct dp_port_rt){
            .port_no = p->port_no,
            .config = p->config,
            .eth_id = p->eth_id,
            .slot = (uint16_t)i,
            .n_txq = p->n_txq,
            .link_up = p->link_up,
            .link_gated = !p->link_up && p->kiface[0],
            .txq_lock = p->txq_lock,
        };
        n_rxq += p->n_rxq;
    }
    qsort(s->ports, s->n_ports, sizeof s->ports[0], port_cmp);
    for (unsigned i = 0; i < s->n_ports; i++) {
        if (s->ports[i].port_no < DP_SMALL_PORT)
            s->small[s->ports[i].port_no] = (uint8_t)(i + 1);
        if (s->ports[i].port_no == s->capture_port)
            s->capture_slot = s->ports[i].slot;
    }
    s->rxq = ft_calloc(n_rxq ? n_rxq : 1, sizeof *s->rxq);
    if (!s->rxq)
        goto err;
    size_t at = 0;
    for (unsigned wi = 0; wi < nw; wi++) {
        s->rx_first[wi] = (uint16_t)at;
        for (unsigned i = 0; i < s->n_ports; i++) {
            const struct dp_port *p = &dp->ports[s->ports[i].slot];
            if (p->config & FT_PC_PORT_DOWN)
                continue; /* PORT_DOWN stops RX too. */
            for (uint16_t q = 0; q < p->n_rxq; q++)
                if (p->rxq_worker[q] == wi)
                    s->rxq[at++] =
                        (struct dp_rxq){.eth_id = p->eth_id, .qid = q, .port = (uint16_t)i};
        }
        s->rx_count[wi] = (uint16_t)(at - s->rx_first[wi]);
    }
    return s;
err:
    dp_snap_free(s);
    return NULL;
}

/* Wait (bounded) until every worker passed a quiescent state after token. */
static int
wait_token(struct dp *dp, uint64_t token)
{
    if (dp->inline_mode)
        return 0;
    uint64_t deadline = rte_rdtsc() + dp->tsc_hz / 1000 * dp->cfg.commit_timeout_ms;
    unsigned spins = 0;
    while (!rte_rcu_qsbr_check(dp->qsv, token, false)) {
        if (rte_rdtsc() > deadline)
            return -ETIMEDOUT;
        dp_wait_step(&spins);
    }
    return 0;
}

/* Free limbo snapshots whose grace period has passed; the oldest version a
 * worker may still use is returned. */
static uint64_t
limbo_reap(struct dp *dp, uint64_t current)
{
    unsigned keep = 0;
    uint64_t min = current;
    for (unsigned i = 0; i < dp->n_limbo; i++) {
        struct dp_limbo *l = &dp->limbo[i];
        if (rte_rcu_qsbr_check(dp->qsv, l->token, false)) {
            dp_snap_free(l->snap);
        } else {
            if (l->snap->version < min)
                min = l->snap->version;
            dp->limbo[keep++] = *l;
        }
    }
    dp->n_limbo = keep;
    return min;
}

/* Publish a snapshot of the agent's state for the last committed version. */
int
dp_publish(struct dp *dp)
{
    struct dp_snap *old = atomic_load_explicit(&dp->snap, memory_order_relaxed);
    uint64_t v = ft_pipeline_version(dp->p);
    struct dp_snap *s = snap_build(dp, old, v);
    if (!s) {
        /* Nothing lost: the next commit publishes again, whole. */
        dp->publish_failed = true;
        dp->dirty = true;
        return -ENOMEM;
    }
    s->gen = ++dp->gen;
    atomic_store_explicit(&dp->snap, s, memory_order_release);
    dp->dirty = false;
    dp->publish_failed = false;
    dp->flush_caches = false;
    /* The inline worker runs on this thread, between our calls: it has no
     * quiescent state to wait for, so it takes the snapshot here (folding
     * what the changes evict), before anything it used is freed. */
    if (dp->inline_mode)
        dp_worker_adopt(dp->workers[0], s);
    if (!old)
        return 0;

    int err = 0;
    uint64_t token = dp->inline_mode ? 0 : rte_rcu_qsbr_start(dp->qsv);
    if (wait_token(dp, token)) {
        err = -ETIMEDOUT;
        if (dp->n_limbo < sizeof dp->limbo / sizeof dp->limbo[0]) {
            dp->limbo[dp->n_limbo++] = (struct dp_limbo){.snap = old, .token = token};
        } else {
            /* A worker stuck that long is beyond help: leak rather than
             * free what it may read. */
            RTE_LOG(ERR, USER1, "dataplane: worker stuck, leaking a snapshot\n");
        }
        old = NULL;
    }
    dp_snap_free(old);
    uint64_t min_version = limbo_reap(dp, v);
    if (!err && !dp->n_limbo)
        dp_port_reap(dp); /* Every worker took s, which has no deleted port. */
    ft_pipeline_reclaim(dp->p, min_version);
    return err;
}

int
dp_commit(struct dp *dp)
{
    const struct dp_snap *cur = atomic_load_explicit(&dp->snap, memory_order_relaxed);
    int err = 0;
    if (!cur)
        return -EINVAL; /* Not created. */
    /* A reclaim can leave unlinked memory (and FLOW_REMOVED records) for
     * the next version: settle a few rounds so nothing waits for a commit
     * that may not come. */
    for (int round = 0; round < 4; round++) {
        uint64_t v = ft_pipeline_commit(dp->p);
        if (v == cur->version && !dp->dirty)
            break;
        /* A publish that ran out of memory is tried again, whole, by the
         * next round; the last one tells whether the workers have it. */
        int e = dp_publish(dp);
        if (e && (!err || err == -ENOMEM))
            err = e;
        else if (!e && err == -ENOMEM)
            err = 0;
        cur = atomic_load_explicit(&dp->snap, memory_order_relaxed);
        if (!ft_pipeline_dirty(dp->p))
            break;
    }
    return err;
}

int
dp_apply(struct dp *dp, bool staged_before)
{
    dp->dirty = true;
    return staged_before ? dp_publish(dp) : dp_commit(dp);
}

int
dp_wait_workers(struct dp *dp)
{
    return wait_token(dp, dp->inline_mode ? 0 : rte_rcu_qsbr_start(dp->qsv));
}

int
dp_fold_counters(struct dp *dp)
{
    if (dp->inline_mode) {
        dp_classify_fold(dp->workers[0]);
        return 0;
    }
    uint64_t req = atomic_fetch_add_explicit(&dp->fold_req, 1, memory_order_acq_rel) + 1;
    uint64_t deadline = rte_rdtsc() + dp->tsc_hz / 1000 * dp->cfg.commit_timeout_ms;
    unsigned spins = 0;
    for (unsigned i = 0; i < dp->n_workers; i++) {
        while (atomic_load_explicit(&dp->workers[i]->fold_ack, memory_order_acquire) < req) {
            if (rte_rdtsc() > deadline)
                return -ETIMEDOUT;
            dp_wait_step(&spins);
        }
    }
    /* A worker acknowledges at the top of a loop; every loop before it
     * flushed its counters at its end. */
    return 0;
}
