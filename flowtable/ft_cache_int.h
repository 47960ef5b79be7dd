/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_cache_int.h (internal) — the flow cache's structures, shared by the
 * files that implement it. One worker owns a cache; nothing here is shared
 * between threads.
 */
#ifndef FT_CACHE_INT_H
#define FT_CACHE_INT_H

#include <string.h>

#include "ft_cache.h"
#include "ft_pipeline_int.h"

#define FT_NIL     UINT32_MAX
#define FT_ST_NONE UINT16_MAX

/* A composed program, shared by every entry with the same ops. */
struct ft_cprog {
    struct ft_cprog *next; /* Intern chain. */
    uint32_t hash;
    uint32_t refcnt;
    uint32_t cont; /* The continuation its RECIRC or STAGE names (a reference), or FT_NIL. */
    uint16_t n_ops;
    uint16_t n_exec;       /* The ops to run: before the KEYSETs and STAGE. */
    uint16_t last_emitter; /* ft_program_last_emitter of the ops to run. */
    uint16_t flags;        /* enum ft_walk_flags. */
    struct ft_op ops[];
};

/* A continuation (ft_walk_cont) kept once per distinct content, for the
 * programs whose RECIRC names it and the entries that resumed from it
 * (each holds a reference). A key names it by index + 1 (recirc_id) and
 * generation (recirc_gen). One whose references are gone is freed — its
 * generation bumped — only by ft_cache_maintain, between polls: a packet
 * between its two lookups never finds its continuation replaced. */
struct ft_ccont {
    struct ft_walk_cont cont;
    uint32_t hash;
    uint32_t refcnt;
    uint32_t next; /* Hash chain, or the free list. */
    uint16_t gen;
    bool used;
    uint8_t part; /* The part of the subtables its keys are looked up in (ft_cache_key_part). */
};

/* One table visit of an entry, linked into two indexes: the visits of its
 * rule (for deletes) and the visitors of its table by priority (for adds).
 */
struct ft_cvisit {
    struct ft_cvisit *rnext, **rprev;
    struct ft_cvisit *tnext, **tprev;
    struct ft_cvisit *inext, **iprev; /* The table's key index (or its wide list). */
    const struct ft_rule *rule;       /* NULL: a miss without a table-miss rule. */
    uint32_t entry;
    int32_t priority; /* -1 for a miss; FT_PRIO_RESUMED for a resumed rule. */
    uint8_t table_id;
    bool resumed; /* Not a lookup (ft_walk_visit): indexed by rule, never counted. */
};

/* A group, meter or port the entry's program depends on. */
struct ft_cdep {
    struct ft_cdep *next, **prev;
    uint32_t entry;
    uint32_t id;
    uint8_t kind; /* enum ft_dep_kind. */
};

/* What an entry needs for invalidation and counter folding; one block. */
/* Fields an entry's actions wrote (bit per enum ft_field, plus the hidden
 * ones below): actions write whole fields, so a bitmap says it all. */
#define FT_IGN_INNER_VLAN (1ull << FT_N_FIELDS)
#define FT_IGN_IP_FRAG    (1ull << (FT_N_FIELDS + 1))

struct ft_cmeta {
    uint32_t cont;   /* The continuation the walk resumed from (a reference), or FT_NIL. */
    uint64_t ignore; /* Written fields: not the packet's bits. */
    uint32_t entry;
    uint16_t n_visits;
    uint16_t n_deps;
    bool deps_all; /* Linked in the cache's deps_all list instead. */
    struct ft_cmeta *all_next, **all_prev;
    struct ft_cvisit *visits;
    struct ft_cdep *deps;
};

enum ft_centry_flags {
    CE_REF = 1 << 0,   /* Used since the clock hand last passed. */
    CE_DIRTY = 1 << 1, /* Counters to fold; on the dirty list. */
};

/* What a lookup reads comes first: chain, hash, program and the first key
 * words share the entry's first line; the counters, written on a hit, and
 * what invalidation needs come after the key. */
struct ft_centry {
    uint32_t next; /* Subtable chain, or the free list. */
    uint32_t hash; /* Masked-key hash within its subtable. */
    uint16_t st;   /* Subtable index; FT_ST_NONE when free. */
    uint8_t flags; /* enum ft_centry_flags. */
    uint8_t stage; /* The stage its walk ran in. */
    uint32_t gen;  /* Bumped when freed: EMC slots stay honest. */
    const struct ft_cprog *prog;
    uint64_t key[FT_KEY_WORDS]; /* The subtable's words of the masked key. */
    uint32_t dirty_slot;        /* Its slot in dirty[] while CE_DIRTY. */
    uint16_t cslot;             /* Its slot in its part's census (while that holds). */
    uint8_t cpart;              /* Its key's part (ft_cache_key_part). */
    struct ft_cmeta *meta;
    uint64_t packets; /* Since the last fold. */
    uint64_t bytes;
    uint64_t used_ns; /* Last hit. */
};

/* A megaflow subtable: every entry with one mask. */
struct ft_csub {
    struct ft_key mask;
    uint8_t n_words;
    uint8_t words[FT_KEY_WORDS];
    uint32_t *heads; /* Chains of entry indices by hash. */
    uint32_t head_mask;
    /* While the heads double, the old ones: their buckets below `moved`
     * are in `heads` already, the others still here (ft_csub_chain). */
    uint32_t *old_heads;
    uint32_t old_mask;
    uint32_t moved;
    uint32_t n_entries;
    uint64_t hits; /* Since the last re-ranking (decayed). */
    bool exact;    /* The all-bits mask merged masks fall back to. */
    uint8_t part;  /* The keys it holds entries of (ft_cache_key_part); FT_PART_ANY: exact. */
};

/*
 * The subtables are parted by where a key's walk starts: part 0 holds the
 * entries of keys fresh from the parser, part 1 + s those of keys resumed
 * in stage s (every mask includes the recirculation fields, so an entry
 * only ever matches keys of its own part). A lookup probes its key's part
 * only.
 *
 * Within a part, the bits every mask of it consults (`shared`: an L4
 * port, a protocol) often tell the one subtable a key's entry is in: the
 * masks differ in what else they consult. A key's entry has the key's
 * shared bits (its mask has them all), so a table of slots indexed by
 * their hash keeps a census: how many of the part's entries hash to the
 * slot and, while those are all in one subtable, which (`solo`). A key
 * whose slot counts none has no entry (a miss costs no probe), one whose
 * slot is solo has it there or nowhere (one probe); in a slot of several
 * subtables (`hint`) the one the last such key was found in is probed
 * first, an order only. The census holds while every entry of the part is
 * counted: the shared bits narrowing (a new mask without some) recounts
 * a small part and suspends a big one's until it empties. Its hash is
 * used where it pays (the lookups it answers, or whose hint is right, are
 * at least half, judged over windows; while off, a sample still tries).
 */
#define FT_CACHE_PARTS   (FT_MAX_STAGES + 1)
#define FT_PART_ANY      UINT8_MAX
#define FT_HINT_SLOTS    4096
/* A part's census is worth its hash only over this many subtables. */
#define FT_HINT_MIN_SUBS 4
#define FT_ST_MIXED      (FT_ST_NONE - 1) /* A census slot's entries are in several subtables. */

struct ft_hslot {
    uint32_t count; /* The part's entries whose shared bits hash here. */
    uint16_t solo;  /* The subtable all of them are in, FT_ST_MIXED, or FT_ST_NONE. */
    uint16_t hint;  /* Where such a key was last found (FT_ST_NONE: unset). */
};

struct ft_cpart {
    struct ft_key shared; /* At most the AND of its subtables' masks. */
    uint8_t n_words;
    uint8_t words[FT_KEY_WORDS];
    uint16_t n_subs;       /* Its subtables, empty or not. */
    uint32_t n_entries;    /* Its entries, counted or not. */
    struct ft_hslot *slot; /* FT_HINT_SLOTS (allocated with the cache). */
    bool census;           /* Every entry of the part is counted in `slot`. */
    uint32_t tries;        /* Lookups that used the slots in this window, */
    uint32_t hits;         /* and those the census answered or the hint was right for. */
    uint32_t sample;       /* Counts lookups while off. */
    bool off;              /* The last window said the slots do not pay. */
};

/* A whole chain for one full key: the entries of its stages, in order,
 * each valid while its generation is unchanged. */
/* An EMC slot. Its key's hash is in ft_cache.emc_hash, apart: most
 * misses never touch the slot, and the slot a packet will read is known
 * early enough to fetch its lines. */
struct ft_emc_slot {
    uint32_t entry; /* The first stage's; FT_NIL when empty. */
    uint32_t gen;
    uint8_t n; /* Entries in the chain (1..FT_MAX_STAGES). */
    uint8_t pad_[7];
    /* The key words the chain's entries match on (bit per word): a key
     * equal to `key` there gets the same chain (megaflow semantics), so
     * only they are compared. */
    uint32_t words;
    uint32_t more[FT_MAX_STAGES - 1];     /* The later stages' entries, */
    uint32_t more_gen[FT_MAX_STAGES - 1]; /* and their generations. */
    struct ft_key key;
};

#define FT_SIG_WAYS 4

struct ft_sig_bucket {
    uint16_t sig[FT_SIG_WAYS];
    uint32_t entry[FT_SIG_WAYS]; /* FT_NIL when empty. */
};

/* A tier of the lookup (EMC, signature index) that is switched off for a
 * while when it stops paying for itself: under 1 hit in 8 of its lookups
 * over a window of packets (ft_cache_lookup.c). */
struct ft_gate {
    uint32_t packets; /* Seen in this window. */
    uint32_t tries;   /* Looked up in the tier in this window. */
    uint32_t hits;
    uint32_t off;  /* >0: off (for this many more windows, unless shadowed). */
    uint32_t hold; /* Windows it stays on unjudged after a shadow said it pays. */
    bool shadow;   /* While off, a sample of lookups still uses it (the
                      signature index): on again when they would hit. */
};

/* Visitors of one table, by the priority they matched with. */
/* Misses, 16 ranges of 4096 priorities, then resumed visits (which no add
 * reaches: the lookup was made before the recirculation). */
#define FT_PRIO_BUCKETS 18
#define FT_PRIO_RESUMED 65536

/*
 * A table's key index: its visitors hashed by their packet bits under
 * idx_mask, built when an add had to scan many visitors, so that later adds
 * whose match covers idx_mask (route or MAC churn) look in one bucket plus
 * the wide list (visitors whose entries do not fix those bits).
 */
struct ft_ctable {
    struct ft_cvisit *bucket[FT_PRIO_BUCKETS];
    uint32_t n_visitors;
    bool has_index;
    struct ft_key idx_mask;
    struct ft_cvisit **idx_heads;
    uint32_t idx_head_mask;
    uint32_t idx_n;
    struct ft_cvisit *idx_wide;
    uint32_t idx_uses;  /* Adds served by the index since it was built. */
    uint32_t idx_scans; /* Adds that had to scan since then. */
};

struct ft_cache {
    const struct ft_pipeline *p;
    struct ft_cache_config cfg;
    uint64_t version;

    struct ft_centry *pool;
    uint32_t free_head;
    uint32_t n_entries;
    uint32_t clock_hand;

    struct ft_csub *subs; /* cfg.max_masks + 1 (the exact one). */
    uint16_t n_subs;
    uint16_t *rank; /* Subtable indices in probe order. */
    struct ft_cpart parts[FT_CACHE_PARTS];
    uint32_t sub_reuses;  /* Subtables given another mask: a hash of one may be stale. */
    uint32_t reshapes;    /* Parts whose shared bits changed: a census slot found may be stale. */
    uint32_t win_lookups; /* Thrash detection over windows of lookups. */
    uint32_t win_misses;
    uint32_t install_ctr;
    bool thrashing; /* Full, and most lookups miss: install 1 miss in 8. */
    uint64_t lookups_since_rank;

    struct ft_emc_slot *emc;
    uint32_t *emc_hash; /* Per slot: its key's hash (4 bytes a slot: cache resident). */
    uint32_t emc_mask;
    uint32_t emc_used;
    struct ft_gate emc_gate;
    uint32_t emc_insert_ctr;
    /* Whether a chain found in the stages probes so few subtables that an
     * EMC hit (a full-key hash and compare, three lines) costs more than
     * it spares (ft_cache_lookup.c): the EMC is then off. Judged on the
     * chains found and their probes. */
    bool emc_not_worth;
    uint32_t win_chains;
    uint64_t win_chain_probes;

    struct ft_sig_bucket *sig;
    uint32_t sig_mask;
    struct ft_gate sig_gate;
    bool sig_on; /* This burst looks in (and fills) the signature index. */
    /* Whether a megaflow hit probes enough subtables for the index to
     * spare more than its bucket costs (ft_cache_lookup.c), and the
     * megaflow hits and their probes it is judged on. */
    bool sig_worth;
    bool sig_may; /* This burst: sig_worth. */
    uint32_t win_mf_hits;
    uint32_t win_mf_probes; /* Their cost in probes (probe_cost's). */
    /* Subtable probes, plus what a hinted lookup costs beyond them
     * (ft_cache_sub.c): what the judges of the EMC and the signature
     * index weigh. */
    uint64_t probe_cost;

    struct ft_cprog **progs;
    uint32_t progs_mask;
    uint32_t n_progs;

    struct ft_ccont *conts; /* cfg.max_conts. */
    uint32_t *cont_heads;   /* Hash chains of continuations by content. */
    uint32_t cont_mask;
    uint32_t cont_free;
    uint32_t n_conts;
    bool conts_dead; /* Some continuation lost its last reference. */
    /* Unreferenced during a call; a result of that call may still point
     * at them, so they are freed at the start of the next one. */
    struct ft_cprog *dead_progs;

    struct ft_cvisit **rule_buckets;
    uint32_t rule_mask;
    struct ft_cdep **dep_buckets;
    uint32_t dep_mask;
    struct ft_ctable tables[FT_N_TABLES];
    struct ft_cmeta *deps_all;

    /* Entries with counters to fold: a ring of max_entries slots holding
     * every dirty entry once (an evicted one leaves it), so it never
     * overflows. Positions count up; slot = position % max_entries. */
    uint32_t *dirty;
    uint64_t dirty_head, dirty_tail;
    uint64_t fold_end; /* A fold runs while dirty_head < fold_end. */
    uint64_t last_fold_ns;
    uint32_t *scratch; /* Entries to evict, collected first. */

    bool staged; /* cfg.stages has a start: walks stop at stage boundaries. */
    uint32_t stage_entries[FT_MAX_STAGES];
    struct ft_key stage_keys[FT_CACHE_BURST]; /* Each packet's next stage key, in a lookup. */
    struct ft_walk_cont rest_cont;            /* count_rest's copy of a continuation. */

    struct ft_walk_out walk;
    struct ft_cache_stats st;
    uint64_t word_fields[FT_KEY_WORDS]; /* ft_cache_word_fields. */
};

#define FT_SUB_HASH_BASIS 0x6a09e667f3bcc909ull

/* The hash of key under mask, whose nonzero words are words[0..n). */
static inline uint32_t
ft_masked_hash(const struct ft_key *mask, const uint8_t *words, unsigned n,
               const struct ft_key *key)
{
    uint64_t h = FT_SUB_HASH_BASIS;
    for (unsigned j = 0; j < n; j++) {
        unsigned w = words[j];
        h = ft_hash_add64(h, key->w[w] & mask->w[w]);
    }
    return ft_hash_finish(h);
}

/* The hash of key's bits under a part's shared mask (its hint slot): a
 * hint is only an order, so a cheap hash does (CRC32 where the CPU has
 * it: a few cycles a word). */
static inline uint32_t
ft_hint_hash(const struct ft_cpart *pt, const struct ft_key *key)
{
#if defined(__SSE4_2__) && defined(__x86_64__)
    uint64_t h = 0;
    for (unsigned j = 0; j < pt->n_words; j++) {
        unsigned w = pt->words[j];
        h = __builtin_ia32_crc32di(h, key->w[w] & pt->shared.w[w]);
    }
    return (uint32_t)(h ^ h >> 12);
#else
    return ft_masked_hash(&pt->shared, pt->words, pt->n_words, key);
#endif
}

/* The masked key's hash within a subtable. */
static inline uint32_t
ft_csub_hash(const struct ft_csub *st, const struct ft_key *key)
{
    return ft_masked_hash(&st->mask, st->words, st->n_words, key);
}

/* Whether part's census and hints are in use (struct ft_cpart). */
static inline bool
ft_cache_hints_on(const struct ft_cache *c, uint8_t part)
{
    const struct ft_cpart *pt = &c->parts[part];
    return pt->n_subs >= FT_HINT_MIN_SUBS && pt->census && !pt->off;
}

/* Whether hints find the entries wherever subtables are many: every part
 * of FT_HINT_MIN_SUBS subtables or more has its hints on, and some part
 * has. */
static inline bool
ft_cache_hints_serve(const struct ft_cache *c)
{
    bool some = false;
    for (int p = 0; p < FT_CACHE_PARTS; p++) {
        if (c->parts[p].n_subs < FT_HINT_MIN_SUBS)
            continue;
        if (!ft_cache_hints_on(c, (uint8_t)p))
            return false;
        some = true;
    }
    return some;
}

/* The part of the subtables key's entries are in (struct ft_cpart). */
static inline uint8_t
ft_cache_key_part(const struct ft_cache *c, const struct ft_key *key)
{
    uint32_t idx = (uint32_t)key->recirc_id - 1u;
    if (!key->recirc_id)
        return 0;
    return idx < c->cfg.max_conts ? c->conts[idx].part : 1;
}

/* The chain that holds (or takes) the entries of hash h. */
static inline uint32_t *
ft_csub_chain(const struct ft_csub *st, uint32_t h)
{
    if (st->old_heads && (h & st->old_mask) >= st->moved)
        return &st->old_heads[h & st->old_mask];
    return &st->heads[h & st->head_mask];
}

/* Subtable st's chains, to visit every entry: ft_csub_buckets of them,
 * bucket b's first entry (FT_NIL: empty, or moved to the new heads). */
static inline uint32_t
ft_csub_buckets(const struct ft_csub *st)
{
    return st->head_mask + 1 + (st->old_heads ? st->old_mask + 1 : 0);
}

static inline uint32_t
ft_csub_bucket(const struct ft_csub *st, uint32_t b)
{
    if (b <= st->head_mask)
        return st->heads[b];
    b -= st->head_mask + 1;
    return b >= st->moved ? st->old_heads[b] : FT_NIL;
}

/* The census slot of entry e (of subtable st) in part pt: the hash of its
 * shared bits, which its masked key holds (shared is in every mask). */
static inline uint16_t
ft_cache_entry_slot(const struct ft_cpart *pt, const struct ft_csub *st, const struct ft_centry *e)
{
    struct ft_key k;
    memset(&k, 0, sizeof k);
    for (unsigned j = 0; j < st->n_words; j++)
        k.w[st->words[j]] = e->key[j];
    return (uint16_t)(ft_hint_hash(pt, &k) & (FT_HINT_SLOTS - 1));
}

static inline bool
ft_centry_matches(const struct ft_csub *st, const struct ft_centry *e, const struct ft_key *key)
{
    uint64_t diff = 0;
    for (unsigned j = 0; j < st->n_words; j++) {
        unsigned w = st->words[j];
        diff |= e->key[j] ^ (key->w[w] & st->mask.w[w]);
    }
    return diff == 0;
}

/* ft_cache.c */
void ft_cache_evict(struct ft_cache *c, uint32_t idx, uint64_t *counter);
void ft_cache_flush(struct ft_cache *c);
/* Free the programs the previous call left unreferenced. */
void ft_cache_free_dead_progs(struct ft_cache *c);
/* Walk key (resumed when it names a continuation) and install the result.
 * The entry, or FT_NIL with *prog set when the result is not kept (the
 * walk is in c->walk: count it with ft_cache_count_walk). */
uint32_t ft_cache_install(struct ft_cache *c, const struct ft_key *key,
                          const struct ft_cprog **prog);
/* packets packets, bytes bytes on entry idx (a burst's run of one flow). */
void ft_cache_count_n(struct ft_cache *c, uint32_t idx, uint32_t packets, uint64_t bytes,
                      uint64_t now_ns);
/* packets packets (bytes in all) served by c->walk, which no entry keeps. */
void ft_cache_count_walk(struct ft_cache *c, uint32_t packets, uint64_t bytes, uint64_t now_ns);

/* ft_cache_sub.c: megaflow subtables. */
/* The subtable for a walk's mask (see there), FT_ST_NONE on ENOMEM. */
uint16_t ft_cache_sub_for_mask(struct ft_cache *c, const struct ft_key *mask, uint8_t part);
/* Link entry idx (its hash set) into its subtable. The heads double as
 * the entries grow, a few buckets moved per insert: no insert pays for
 * rehashing the whole subtable (longer chains if memory is short). */
void ft_cache_sub_insert(struct ft_cache *c, struct ft_csub *st, uint32_t idx);
/* Unlink entry idx from its subtable. */
void ft_cache_sub_remove(struct ft_cache *c, struct ft_csub *st, uint32_t idx);
/* Free a subtable's heads. */
void ft_cache_sub_free(struct ft_csub *st);
/* Key's slot in its part's census while that is in use (struct ft_cpart),
 * else NULL: valid while c->reshapes is unchanged. And the subtable to
 * probe first for key (its slot's solo subtable, else its hint) if it can
 * hold key's entry, else NULL. Read only. */
struct ft_hslot *ft_cache_hint_slot(const struct ft_cache *c, const struct ft_key *key);
const struct ft_csub *ft_cache_hinted_sub(const struct ft_cache *c, const struct ft_key *key,
                                          const struct ft_hslot *slot);
/* The entry whose subtable matches key, or FT_NIL: none when key's census
 * slot counts none, the solo subtable's when it has one, else probing the
 * hinted subtable first and then in hit order. known (or NULL): a
 * subtable whose hash of key is known_h already; slot: key's from
 * ft_cache_hint_slot, or NULL (computed here). */
uint32_t ft_cache_megaflow_lookup(struct ft_cache *c, const struct ft_key *key,
                                  const struct ft_csub *known, uint32_t known_h,
                                  struct ft_hslot *slot);

/* ft_cache_index.c: the invalidation indexes. */
/* Index entry idx by c->walk (resumed from continuation `from`, FT_NIL if
 * not: the entry takes a reference). 0, or -ENOMEM after evicting the
 * entry (it cannot stay unindexed). */
int ft_cache_index_entry(struct ft_cache *c, uint32_t idx, uint32_t from);
void ft_cache_unindex_entry(struct ft_cache *c, struct ft_centry *e);
/* Free the tables' key indexes (at destroy). */
void ft_cache_index_free(struct ft_cache *c);

/* Per key word, the fields (bits) stored in it. */
void ft_cache_word_fields(uint64_t word_fields[FT_KEY_WORDS]);
/* The key bits of an ignore bitmap. */
void ft_cache_ignore_mask(uint64_t ignore, struct ft_key *mask);

/* ft_cache_fold.c */
/* Put entry idx, just used, on the dirty list (if not there). */
void ft_cache_dirty(struct ft_cache *c, uint32_t idx);
/* Fold entry idx's counters (it is being evicted) and take it off the
 * dirty list. */
void ft_cache_fold_evicted(struct ft_cache *c, uint32_t idx);

/* ft_cache_cont.c: continuations. */
int ft_cache_conts_init(struct ft_cache *c);
void ft_cache_conts_free(struct ft_cache *c);
/* A reference to the continuation equal to wc (kept anew if none is), or
 * FT_NIL when the table is full. */
uint32_t ft_cache_cont_get(struct ft_cache *c, const struct ft_walk_cont *wc);
void ft_cache_cont_ref(struct ft_cache *c, uint32_t idx);
void ft_cache_cont_unref(struct ft_cache *c, uint32_t idx);
/* The continuation a recirculated key names, or NULL (none, or replaced). */
const struct ft_walk_cont *ft_cache_cont_of(const struct ft_cache *c, const struct ft_key *key);
/* Free the continuations nothing refers to any more (between polls). */
void ft_cache_conts_reap(struct ft_cache *c);

static inline uint32_t
ft_ptr_hash(const void *ptr)
{
    return ft_hash_finish(ft_hash_add64(0x2545f491, (uint64_t)(uintptr_t)ptr));
}

/* The head of the visits of rule r (and of the rules sharing its bucket). */
static inline struct ft_cvisit **
ft_cache_rule_bucket(const struct ft_cache *c, const struct ft_rule *r)
{
    return &c->rule_buckets[ft_ptr_hash(r) & c->rule_mask];
}

static inline uint32_t
ft_dep_hash(uint8_t kind, uint32_t id)
{
    return ft_hash_finish(ft_hash_add64(0x61c88647, (uint64_t)kind << 32 | id));
}

static inline unsigned
ft_prio_bucket(int32_t priority)
{
    return priority < 0 ? 0 : 1 + ((unsigned)priority >> 12);
}

#endif /* FT_CACHE_INT_H */
