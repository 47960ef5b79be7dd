/* SPDX-License-Identifier: Apache-2.0 */
#include "pg_hist.h"

#include <string.h>

void
pg_hist_init(struct pg_hist *h)
{
    memset(h, 0, sizeof *h);
}

uint64_t
pg_hist_bin_max(unsigned b)
{
    /* Below 64, a bin is its value. Above, pg_hist_bin made
     * b = (s + 1) * 32 + (v >> s) - 32 for v in [2^(s+5), 2^(s+6)), so the
     * bin holds [mant << s, ((mant + 1) << s) - 1] with mant = 32 + b % 32. */
    if (b < 2u << PG_HIST_SUB_BITS)
        return b;
    unsigned s = (b >> PG_HIST_SUB_BITS) - 1;
    uint64_t mant = (b & ((1u << PG_HIST_SUB_BITS) - 1)) + (1u << PG_HIST_SUB_BITS);
    return ((mant + 1) << s) - 1;
}

uint64_t
pg_hist_percentile(const struct pg_hist *h, double p)
{
    if (!h->count)
        return 0;
    double want = p / 100.0 * (double)h->count;
    uint64_t rank = (uint64_t)want;
    if ((double)rank < want)
        rank++; /* ceil, without libm */
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (unsigned b = 0; b < PG_HIST_BINS; b++) {
        seen += h->bin[b];
        if (seen >= rank) {
            uint64_t v = pg_hist_bin_max(b);
            if (v > h->max)
                v = h->max;
            if (v < h->min)
                v = h->min;
            return v;
        }
    }
    return h->max;
}

void
pg_hist_merge(struct pg_hist *dst, const struct pg_hist *src)
{
    if (!src->count)
        return;
    if (!dst->count || src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
    dst->count += src->count;
    dst->sum += src->sum;
    for (unsigned b = 0; b < PG_HIST_BINS; b++)
        dst->bin[b] += src->bin[b];
}
