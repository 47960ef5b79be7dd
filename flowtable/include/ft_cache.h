/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_cache.h — the per-worker flow cache: the compressed view of the
 * pipeline that workers classify against. An entry stands for a traversal
 * of one stage of the pipeline (by default the whole pipeline is one
 * stage): its (mask, masked key) is the walk's megaflow and its value the
 * walk's composed program. With several stages (cfg.stages), an entry of
 * stage s ends, where the walk reached stage s+1, in a FT_OP_STAGE naming a
 * continuation; the cache looks the key as that stage's walk modelled it up
 * again, among the entries of stage s+1, and so on: the packet's program
 * is the chain of its stage programs (ft_cache_result.frag), and entries
 * add up across stages where a single stage would multiply them. The EMC
 * keeps whole chains.
 *
 * Lookup order per packet:
 *   1. EMC: exact match on the full key (small; entries are verified by a
 *      full-key compare, never by hash alone);
 *   2. signature index: full-key hash -> candidate entry, verified by a
 *      masked compare (large; makes a hit O(1) however many masks exist);
 *   3. megaflow subtables, one per mask, probed in order of their hits;
 *   4. miss: walk the pipeline (ft_walk) at the cache's version, install.
 *
 * A program that ends in FT_OP_RECIRC names a continuation the cache keeps:
 * the packet, parsed again with the key's recirc fields set from the op, is
 * looked up again; its entries stand for the walk resumed from there
 * (ft_walk_resume). Call ft_cache_maintain between polls, never between a
 * packet's two lookups: it frees continuations nothing uses any more.
 *
 * Thread safety: a cache belongs to one worker; only that thread calls any
 * function on it. It reads the pipeline as a reader (see ft_pipeline.h):
 * the version it walks is the one given to the last ft_cache_sync().
 */
#ifndef FT_CACHE_H
#define FT_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_key.h"
#include "ft_pipeline.h"
#include "ft_walk.h"

struct ft_cache;
struct ft_centry;

struct ft_cache_config {
    /* Tables where a new stage starts (at most FT_MAX_STAGES - 1 of them);
     * none: the whole pipeline is one stage. */
    struct ft_walk_stages stages;
    uint32_t emc_entries;         /* Power of two; 0: no EMC. */
    uint32_t emc_insert_inv_prob; /* A hit outside the EMC enters it 1 time in N. */
    uint32_t sig_buckets;         /* Power of two (4 ways each); 0: no signature index. */
    uint32_t max_entries;         /* Megaflow entries. */
    uint32_t max_masks;           /* Subtables; further masks are merged. */
    uint64_t idle_ns;             /* An entry unused this long expires. */
    uint32_t index_after_scan;    /* An add scanning more visitors than this builds
                                     its table a key index (see ft_cache_index.c). */
    uint32_t max_conts;           /* Distinct continuations after a recirculation (< 65535). */
    /* Optional clock (the dataplane gives the TSC): when set, the cycles
     * spent walking and installing are counted in miss_cycles. */
    uint64_t (*cycles)(void);
};

/* EMC 8192, insert 1/100, signature index 256k buckets, 256k entries,
 * 256 masks, 10 s idle, index after scanning 1024 visitors, 1024
 * continuations. */
void ft_cache_config_default(struct ft_cache_config *cfg);

/* NULL on allocation failure or a bad configuration (more than
 * FT_MAX_STAGES stages). The cache starts at the pipeline's current version. */
struct ft_cache *ft_cache_create(const struct ft_pipeline *p, const struct ft_cache_config *cfg);

/* About the heap bytes a cache of cfg allocates as it fills (each entry's
 * invalidation record for a one-table walk, the subtables' heads): what
 * a thread that fills it can warm beforehand (ft_alloc_warm). */
size_t ft_cache_fill_bytes(const struct ft_cache_config *cfg);

/* Folds every counter, then frees. */
void ft_cache_destroy(struct ft_cache *c, uint64_t now_ns);

/* One stage's program: ops to run, in order (no FT_OP_KEYSET/STAGE). */
struct ft_cache_frag {
    const struct ft_op *ops;
    uint16_t n_ops;
    uint16_t last_emitter; /* ft_program_last_emitter(ops, n_ops), computed once. */
};

/* What a lookup gives per packet: the programs of its stages, to run one
 * after the other on the packet. `ops` stay valid until the next
 * ft_cache_sync() or ft_cache_lookup() call on this cache. */
struct ft_cache_result {
    struct ft_cache_frag frag[FT_MAX_STAGES];
    uint8_t n_frags;
    uint8_t source; /* enum ft_cache_source: where it was found (MISS if any
                       stage missed, EMC for a whole chain from the EMC). */
    uint16_t flags; /* enum ft_walk_flags of the stages' walks, OR'ed; RECIRC
                       only on the last. */
    uint16_t n_ops; /* Sum over the fragments: 0 = drop. */
};

enum ft_cache_source {
    FT_SRC_EMC,
    FT_SRC_SIG,
    FT_SRC_MEGAFLOW,
    FT_SRC_MISS,
};

/* The packets of one lookup call by where their results came from. */
struct ft_cache_tally {
    unsigned emc;    /* Whole chains from the EMC. */
    unsigned hits;   /* Every stage from the signature index or megaflow search. */
    unsigned misses; /* Some stage walked the pipeline (FT_SRC_MISS). */
};

/*
 * Look up n keys (n <= FT_CACHE_BURST), count each packet (len bytes) into
 * its entry, and fill res[]. Misses walk the pipeline and install.
 * now_ns: the burst's time (last-used stamps). Returns res[]'s sources
 * counted (the burst's share of ft_cache_stats' hit and miss counters).
 */
#define FT_CACHE_BURST 32
struct ft_cache_tally ft_cache_lookup(struct ft_cache *c, const struct ft_key *const *keys,
                                      const uint32_t *lens, size_t n, struct ft_cache_result *res,
                                      uint64_t now_ns);

/*
 * The same for n runs of packets, each run one flow's packets in a row with
 * one key: keys[i] stands for pkts[i] >= 1 packets of bytes[i] bytes in
 * all, each counted. A run is looked up once and res[i] is the answer for
 * all its packets; in the tally a run that missed is one miss and the rest
 * of its packets are hits (they would hit what its walk installed).
 */
struct ft_cache_tally ft_cache_lookup_runs(struct ft_cache *c, const struct ft_key *const *keys,
                                           const uint16_t *pkts, const uint32_t *bytes, size_t n,
                                           struct ft_cache_result *res, uint64_t now_ns);

/*
 * Move the cache to version v, evicting exactly the entries the changes of
 * that version could alter (ft_pipeline_changes()). lost = the change log
 * was incomplete: everything is evicted. Call before the first lookup of a
 * burst, never in the middle of one.
 */
void ft_cache_sync(struct ft_cache *c, uint64_t v, const struct ft_change *chg, size_t n,
                   bool lost);

/* The version the cache walks. */
uint64_t ft_cache_version(const struct ft_cache *c);

/* Change where stages start (every entry is evicted: counters folded
 * first). 0, or -EINVAL for more than FT_MAX_STAGES stages. */
int ft_cache_set_stages(struct ft_cache *c, const struct ft_walk_stages *stages, uint64_t now_ns);

/* Where stages start now. */
void ft_cache_get_stages(const struct ft_cache *c, struct ft_walk_stages *stages);

/* Fold the counters of every entry used since its last fold into its rules
 * (packets, bytes, last use) and tables. After it, rule sums are exact.
 * It costs every dirty entry at once (a worker: ft_cache_fold_request). */
void ft_cache_fold(struct ft_cache *c, uint64_t now_ns);

/* The same in steps: after a request, the fold is done when
 * ft_cache_fold_step returns true (each step folds a few hundred entries,
 * so a worker can forward between them). What was used before the request
 * is then in the rules; what was used since may be too. */
void ft_cache_fold_request(struct ft_cache *c);
bool ft_cache_fold_step(struct ft_cache *c, uint64_t now_ns);
/* A step of a few dozen entries, for a worker with no packets waiting:
 * running folds (asked for, or ft_cache_maintain's periodic one) go on in
 * the idle time between packets instead of in steps that hold packets up.
 * Returns what ft_cache_fold_step would; cheap when no fold runs. */
bool ft_cache_fold_idle(struct ft_cache *c, uint64_t now_ns);

/* Housekeeping between bursts: advance the expiry clock over up to budget
 * entries (idle ones go). Cheap; call every loop. */
void ft_cache_maintain(struct ft_cache *c, uint64_t now_ns, unsigned budget);

struct ft_cache_stats {
    uint64_t emc_hits;
    uint64_t sig_hits;
    uint64_t megaflow_hits;
    uint64_t misses;
    uint64_t miss_cycles;     /* With cfg.cycles: spent walking and installing. */
    uint64_t subtable_probes; /* Summed over megaflow lookups. */
    uint64_t installs;
    uint64_t evict_invalidated;
    uint64_t evict_capacity;
    uint64_t evict_idle;
    uint64_t evict_flush;
    uint64_t changes_applied;
    uint64_t visitors_scanned; /* By adds that found no usable table index. */
    uint64_t index_builds;
    uint64_t masks_merged;  /* Entries that got a more specific mask than their walk's. */
    uint64_t uncached;      /* Misses answered without installing (thrash defense). */
    uint64_t cont_full;     /* Recirculations dropped: no room for a continuation. */
    uint64_t recirc_lost;   /* Recirculated keys naming no continuation: dropped. */
    uint64_t stage_lookups; /* Lookups of a stage after the first (chains). */
    uint64_t hinted;        /* Megaflow lookups that probed a hinted subtable first, */
    uint64_t hint_hits;     /* and found the entry there. */
    uint64_t census_misses; /* Misses the census answered without a probe. */
    uint32_t conts;         /* Continuations kept. */
    uint32_t stage_entries[FT_MAX_STAGES]; /* Entries per stage. */
    uint8_t n_stages;
    uint32_t entries;
    uint32_t masks;
    uint32_t emc_used;
    bool emc_enabled; /* Switched off while it stops paying. */
    bool sig_enabled; /* The signature index, likewise (more flows than it holds). */
    bool hints_serve; /* The subtables' hints find the entries (no signature index then). */
    bool thrashing;   /* Full with a high miss rate: installs are throttled. */
};

void ft_cache_stats(const struct ft_cache *c, struct ft_cache_stats *st);

/* Each mask (subtable) with its entry count and hits, in probe order. */
typedef void ft_cache_mask_fn(void *aux, const struct ft_key *mask, uint32_t entries,
                              uint64_t hits);
void ft_cache_masks_foreach(const struct ft_cache *c, ft_cache_mask_fn *fn, void *aux);

#endif /* FT_CACHE_H */
