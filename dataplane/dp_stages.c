/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Where the flow cache's stages start: fixed (dp_set_stages), or chosen
 * by measurement (the default). The agent's thread samples the workers
 * once a second. While one stage serves well nothing changes; when the
 * single-stage cache holds many entries or misses often and the pipeline
 * has goto targets to split at, the workers try stages starting at those
 * tables (up to FT_MAX_STAGES - 1), and keep them if they need far fewer
 * entries or miss far less without making a packet dearer (busy cycles per
 * packet, measured), or if a packet costs half as much; otherwise they go
 * back to one stage and try again later (backing off) if the load has
 * grown by then (twice the entries or misses). Every change reaches the
 * workers in a snapshot; each cache folds and flushes when it adopts it.
 *
 * Thread safety: the agent's thread (dp_control.h).
 */
#include <string.h>

#include "dp_int.h"

#define WINDOW_NS      1000000000ull
#define MIN_LOOKUPS    20000 /* A window with fewer says nothing. */
#define TRY_ENTRIES    1024  /* Entries that may be combinations worth splitting. */
#define TRY_MISS_PER_K 10    /* Or misses per 1000 lookups. */
#define BACKOFF_MIN_NS (30 * WINDOW_NS)
#define BACKOFF_MAX_NS (600 * WINDOW_NS)

/* Stage starts for the installed pipeline: the first FT_MAX_STAGES - 1
 * tables some rule goes to (the pipeline keeps them: no scan of 100,000
 * rules on the agent's thread, which shares a core with others). None:
 * one stage is all there is. */
static bool
candidate(struct dp *dp, struct ft_walk_stages *out)
{
    struct ft_walk_stages targets;
    dp->sa.scans++;
    ft_pipeline_goto_targets(dp->p, targets.starts);
    memset(out, 0, sizeof *out);
    unsigned n = 0;
    for (unsigned t = 1; t < FT_N_TABLES && n < FT_MAX_STAGES - 1; t++) {
        if (ft_stage_starts_at(&targets, t)) {
            out->starts[t >> 6] |= 1ull << (t & 63);
            n++;
        }
    }
    return n > 0;
}

static void
sample(struct dp *dp, struct dp_stage_sample *s)
{
    memset(s, 0, sizeof *s);
    for (unsigned i = 0; i < dp->n_workers; i++) {
        struct dp_worker_stats ws;
        struct dp_worker *w = dp->workers[i];
        dp_worker_read(w, &ws);
        s->lookups += ws.emc_hits + ws.cache_hits + ws.misses;
        s->misses += ws.misses;
        s->packets += ws.packets;
        s->busy_cycles += ws.busy_cycles;
        s->entries += dp_worker_cache_entries(w);
    }
}

static void
apply(struct dp *dp, const struct ft_walk_stages *st)
{
    if (!memcmp(&dp->stages, st, sizeof *st))
        return;
    dp->stages = *st;
    dp->dirty = true;
    dp_publish(dp);
}

int
dp_set_stages(struct dp *dp, bool automatic, const struct ft_walk_stages *fixed)
{
    struct ft_walk_stages none;
    memset(&none, 0, sizeof none);
    if (!fixed)
        fixed = &none;
    unsigned n = 1;
    for (unsigned t = 1; t < FT_N_TABLES; t++)
        n += ft_stage_starts_at(fixed, t);
    if (n > FT_MAX_STAGES)
        return -EINVAL;
    dp->stages_auto = automatic;
    dp->sa = (struct dp_stage_auto){.backoff_ns = BACKOFF_MIN_NS};
    apply(dp, automatic ? &none : fixed);
    return 0;
}

int
dp_flush_caches(struct dp *dp)
{
    dp->flush_caches = true;
    dp->dirty = true;
    int rc = dp_publish(dp);
    if (!rc && !dp->inline_mode)
        rc = dp_wait_workers(dp); /* Every worker took it: their caches are empty. */
    return rc;
}

void
dp_get_stages(struct dp *dp, bool *automatic, struct ft_walk_stages *now)
{
    *automatic = dp->stages_auto;
    *now = dp->stages;
}

enum dp_stages_step
dp_stages_decide(struct dp_stage_auto *a, const struct dp_stage_sample *cur, uint64_t now_ns)
{
    uint64_t lookups = cur->lookups - a->last.lookups;
    uint64_t misses = cur->misses - a->last.misses;
    uint64_t packets = cur->packets - a->last.packets;
    uint64_t busy = cur->busy_cycles - a->last.busy_cycles;
    a->last = *cur;
    if (lookups < MIN_LOOKUPS || !packets)
        return DP_STAGES_STEP_NONE; /* Too little traffic to judge; the decision stands. */
    uint64_t miss_per_m = misses * 1000000 / lookups;
    uint64_t cpp_milli = busy * 1000 / packets;
    switch (a->phase) {
    case DP_STAGES_ONE:
        if (now_ns < a->retry_ns)
            return DP_STAGES_STEP_NONE;
        if (cur->entries < TRY_ENTRIES && miss_per_m < TRY_MISS_PER_K * 1000)
            return DP_STAGES_STEP_NONE;
        /* A trial flushes the caches twice: after one that went back,
         * only a load that grew (twice the entries it saw, or misses
         * past TRY_MISS_PER_K and twice its) is worth another, not the
         * clock (scenario 5's first latency run after its trial: p99
         * 901-1,145 us, the next ones 40-96). A fill's misses are not
         * growth: 2,000 entries at 0.5 Mpps miss 0.4 % of a second. */
        if (a->reverted && cur->entries < 2 * (uint64_t)a->one_entries &&
            (miss_per_m < TRY_MISS_PER_K * 1000 || miss_per_m < 2 * a->one_miss_per_m))
            return DP_STAGES_STEP_NONE;
        a->one_entries = cur->entries;
        a->one_miss_per_m = miss_per_m;
        a->one_cpp_milli = cpp_milli;
        a->phase = DP_STAGES_FILLING;
        return DP_STAGES_STEP_TRY;
    case DP_STAGES_FILLING: /* The flush's misses are not the stages' fault. */
        a->phase = DP_STAGES_TRIAL;
        return DP_STAGES_STEP_NONE;
    case DP_STAGES_TRIAL: {
        bool fewer = (uint64_t)cur->entries * 2 <= a->one_entries &&
                     miss_per_m <= a->one_miss_per_m + 1000; /* +0.1 %. */
        bool fewer_misses = miss_per_m * 2 <= a->one_miss_per_m;
        bool no_dearer = cpp_milli * 10 <= a->one_cpp_milli * 11;
        bool much_cheaper = cpp_milli * 2 <= a->one_cpp_milli;
        /* Entries alone do not keep stages: one stage of scenario 5's 32 x
         * 32 masks needs 2,608 entries where two need 64, and runs at 233-513
         * cycles a packet where they take 494-575. (Its misses once probed
         * every mask, 7,500 cycles against 4,600; the census answers them
         * without a probe now.) */
        if (((fewer || fewer_misses) && no_dearer) || much_cheaper) {
            a->phase = DP_STAGES_KEPT;
            a->reverted = false;
            a->backoff_ns = BACKOFF_MIN_NS;
            return DP_STAGES_STEP_NONE;
        }
        a->phase = DP_STAGES_ONE;
        a->reverted = true;
        if (!a->backoff_ns)
            a->backoff_ns = BACKOFF_MIN_NS; /* A state that was only zeroed. */
        a->retry_ns = now_ns + a->backoff_ns;
        if (a->backoff_ns < BACKOFF_MAX_NS)
            a->backoff_ns *= 2;
        return DP_STAGES_STEP_REVERT;
    }
    case DP_STAGES_KEPT:
        return DP_STAGES_STEP_FOLLOW;
    }
    return DP_STAGES_STEP_NONE;
}

static void
window(struct dp *dp, const struct dp_stage_sample *cur, uint64_t now_ns)
{
    struct dp_stage_auto *a = &dp->sa;
    struct ft_walk_stages none;
    memset(&none, 0, sizeof none);
    switch (dp_stages_decide(a, cur, now_ns)) {
    case DP_STAGES_STEP_NONE:
        return;
    case DP_STAGES_STEP_TRY: {
        /* Scanning every rule for gotos, a second, on the agent's core,
         * slowed what shares it (a 100k-rule table: 6.1 -> 3.4 Mpps). */
        uint64_t v = ft_pipeline_version(dp->p);
        if (v == a->no_goto_version || !candidate(dp, &a->trial)) {
            a->phase = DP_STAGES_ONE; /* No goto to split at: one stage is all there is. */
            a->no_goto_version = v;
            return;
        }
        apply(dp, &a->trial);
        return;
    }
    case DP_STAGES_STEP_REVERT:
        apply(dp, &none);
        return;
    case DP_STAGES_STEP_FOLLOW: {
        /* The pipeline may have changed its gotos: follow them. */
        struct ft_walk_stages c;
        if (!candidate(dp, &c)) {
            a->phase = DP_STAGES_ONE;
            apply(dp, &none);
        } else if (memcmp(&c, &dp->stages, sizeof c)) {
            apply(dp, &c);
        }
        return;
    }
    }
}

void
dp_stages_tick(struct dp *dp, uint64_t now_ns)
{
    if (!dp->stages_auto || now_ns < dp->sa.next_ns)
        return;
    struct dp_stage_sample cur;
    sample(dp, &cur);
    if (!dp->sa.next_ns) { /* The first call: a baseline. */
        dp->sa.last = cur;
        dp->sa.backoff_ns = BACKOFF_MIN_NS;
    } else {
        window(dp, &cur, now_ns);
    }
    dp->sa.next_ns = now_ns + WINDOW_NS;
}
