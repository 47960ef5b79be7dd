/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_meter.h — OpenFlow meters on real packets: one token bucket per band,
 * shared by every worker without locks.
 *
 * Each band is a GCRA (virtual scheduling) bucket: one 64-bit "theoretical
 * arrival time" that a conforming packet advances by its cost with a
 * compare-and-swap, so any number of workers charge the same band
 * correctly. A packet exceeds a band when charging it would put the band
 * more than its burst tolerance ahead of now; the meter applies, of the
 * bands the packet exceeds, the one with the highest rate (OF1.3.5 §5.7.1).
 * Bands the packet conforms to are charged. Burst: burst_size with
 * OFPMF_BURST, else (and for 0) one second at the band's rate, as OVS.
 * DSCP_REMARK raises the drop precedence of an AF DSCP (AFxy: y += prec_level,
 * at most 3); other DSCPs are left alone.
 *
 * Thread safety: the agent builds a table for a pipeline version and hands
 * it to workers inside a published snapshot; tables are immutable except
 * for the buckets' atomics; the agent frees a table after the grace period
 * of the snapshots that used it. A meter's runtime (its buckets) is carried
 * over to the next table while the flowtable meter object is unchanged, and
 * starts full again after a METER_MOD.
 */
#ifndef DP_METER_H
#define DP_METER_H

#include <stdatomic.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_pkt.h"
#include "ft_meter.h"

/* Meter time: TSC ticks since dp_meter_init(), << DP_METER_SHIFT so
 * per-packet costs keep some fractional precision. */
#define DP_METER_SHIFT 4

struct dp_meter_band_rt {
    _Atomic uint64_t tat; /* Workers: CAS. */
    uint64_t tau;         /* Burst tolerance, meter time. */
    uint64_t cost;        /* PKTPS: per packet; KBPS: per byte << 32. */
    uint32_t rate;
    uint16_t type; /* enum ft_band_type. */
    uint8_t prec_level;
};

struct dp_meter_rt {
    const struct ft_meter *meter; /* For ft_meter_add_stats. */
    uint32_t id;
    uint32_t refs; /* Agent only: tables holding this runtime. */
    uint32_t n_bands;
    bool kbps;
    struct dp_meter_band_rt band[];
};

struct dp_meter_slot {
    uint32_t id; /* 0: empty (meter 0 is invalid). */
    struct dp_meter_rt *rt;
};

struct dp_meter_table {
    uint32_t refs; /* Agent only: snapshots holding this table. */
    uint32_t n;
    uint32_t mask;
    struct dp_meter_slot slot[];
};

/* Agent: a table for version v of p, reusing old's runtimes for meters
 * whose object did not change (old may be NULL). NULL on -ENOMEM. */
struct dp_meter_table *dp_meter_table_build(const struct ft_pipeline *p, uint64_t v,
                                            const struct dp_meter_table *old, uint64_t tsc_hz);
/* Agent: drop one reference; frees at zero. NULL is fine. */
void dp_meter_table_put(struct dp_meter_table *t);

static inline struct dp_meter_rt *
dp_meter_lookup(const struct dp_meter_table *t, uint32_t id)
{
    if (!t)
        return NULL;
    for (uint32_t i = id * 0x9e3779b1u;; i++) {
        const struct dp_meter_slot *s = &t->slot[i & t->mask];
        if (s->id == id)
            return s->rt;
        if (!s->id)
            return NULL;
    }
}

/* Fix the time base (once per process, before any worker runs). */
void dp_meter_init(void);
/* Time for the buckets, from a TSC reading. */
uint64_t dp_meter_now(uint64_t tsc);

enum dp_meter_verdict {
    DP_METER_PASS = 0,
    DP_METER_DROP = 1,
    DP_METER_REMARKED = 2,
};

/*
 * Run one packet of len bytes through the meter at time now: charge the
 * buckets, count the meter and the applied band (ft_meter_add_stats) and
 * apply a DSCP_REMARK band to m (m may be NULL: account only, as for a
 * packet already sent). The caller drops on DP_METER_DROP.
 */
enum dp_meter_verdict dp_meter_run(struct dp_meter_rt *rt, struct rte_mbuf *m, struct dp_hdr *h,
                                   uint32_t len, uint64_t now);

#endif /* DP_METER_H */
