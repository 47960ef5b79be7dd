/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_hist.h — a fixed-size log-linear histogram of latencies in TSC cycles:
 * values below 64 have a bin each, above that every power of two is split
 * into 32 bins, so a percentile is within 1/32 (3 %) of the true value.
 * Adding is a few instructions and never allocates.
 *
 * Thread safety: one writer (the RX lcore owning it); read by main after
 * that lcore has joined.
 */
#ifndef PG_HIST_H
#define PG_HIST_H

#include <stdint.h>

#define PG_HIST_SUB_BITS 5u
#define PG_HIST_MAX_BITS 40u /* the stamp keeps 40 bits of TSC */
#define PG_HIST_BINS     ((PG_HIST_MAX_BITS - PG_HIST_SUB_BITS + 1) << PG_HIST_SUB_BITS)

struct pg_hist {
    uint64_t count;
    uint64_t sum;
    uint64_t min;
    uint64_t max;
    uint64_t bin[PG_HIST_BINS];
};

static inline unsigned
pg_hist_bin(uint64_t v)
{
    if (v >> PG_HIST_MAX_BITS)
        v = (UINT64_C(1) << PG_HIST_MAX_BITS) - 1;
    unsigned msb = v ? 63u - (unsigned)__builtin_clzll(v) : 0;
    unsigned shift = msb > PG_HIST_SUB_BITS ? msb - PG_HIST_SUB_BITS : 0;
    return (shift << PG_HIST_SUB_BITS) + (unsigned)(v >> shift);
}

static inline void
pg_hist_add(struct pg_hist *h, uint64_t v)
{
    h->bin[pg_hist_bin(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min || h->count == 1)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void pg_hist_init(struct pg_hist *h);

/* Largest value that falls into bin b. */
uint64_t pg_hist_bin_max(unsigned b);

/* The p-th percentile (0 < p <= 100): the top of the bin holding that
 * rank, clamped to [min, max]. 0 when empty. */
uint64_t pg_hist_percentile(const struct pg_hist *h, double p);

void pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src);

#endif /* PG_HIST_H */
