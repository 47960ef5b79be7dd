/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow cache's lookup: EMC (whole chains by full key), the signature
 * index, the megaflow subtables and, on a miss, the walk; stage after
 * stage when the pipeline is staged. See ft_cache.h for the order.
 */
#include <string.h>

#include "ft_cache_int.h"

#define GATE_WINDOW      8192 /* Packets per usefulness window of the EMC and signature index. */
#define GATE_OFF         64   /* Windows an unhelpful one stays off (or on, unjudged). */
#define SIG_SAMPLE       16 /* While the signature index is off, 1 key hash in this many uses it. */
#define THRASH_WINDOW    8192 /* Lookups per thrash-detection window. */
/* The signature index is worth its bucket, a line from memory, only
 * where a megaflow hit probes this many subtables on average (judged over
 * SIG_JUDGE_HITS hits): with one or two the probe costs no more, and the
 * index's insert on every miss of it is work on top (a million flows: 234
 * vs 165 cycles a packet). */
#define SIG_MIN_PROBES   3
#define SIG_JUDGE_HITS   256
/* Likewise the EMC, whose hit costs a hash of the whole key, its compare
 * and three lines of slot: it is worth it only where a chain found in the
 * stages probes this many subtables on average over all its stages
 * (judged over EMC_JUDGE_CHAINS chains); over one subtable a lookup there
 * costs less (10,000 flows on 1,000 routes, inline: 208-224 cycles a
 * packet with the EMC, 152-163 without). */
#define EMC_MIN_PROBES   3
#define EMC_JUDGE_CHAINS 256

static inline uint32_t
emc_slot2(uint32_t h)
{
    return (h >> 13) | (h << 19);
}

#define EMC_NONE UINT32_MAX

/* The first of h's two EMC slots whose key has hash h, or EMC_NONE: only
 * the hashes are read (an array of their own). */
static inline uint32_t
emc_pick(const struct ft_cache *c, uint32_t h)
{
    uint32_t a = h & c->emc_mask, b = emc_slot2(h) & c->emc_mask;
    return c->emc_hash[a] == h ? a : c->emc_hash[b] == h ? b : EMC_NONE;
}

/* The slot's lines emc_find reads: the chain, the key's common words
 * (w0-w9) and its last ones, whose recirculation id every entry matches
 * (the slots are line-aligned: three lines). */
static inline void
emc_prefetch(const struct ft_cache *c, uint32_t slot)
{
    _Static_assert(sizeof(struct ft_emc_slot) == 192, "an EMC slot is three lines");
    const char *p = (const char *)&c->emc[slot];
    __builtin_prefetch(p);
    __builtin_prefetch(p + 64);
    __builtin_prefetch(p + 128);
}

static inline bool
emc_key_matches(const struct ft_emc_slot *s, const struct ft_key *key)
{
    uint64_t diff = 0;
    for (uint32_t w = s->words; w; w &= w - 1) {
        unsigned k = (unsigned)__builtin_ctz(w);
        diff |= s->key.w[k] ^ key->w[k];
    }
    return !diff;
}

/* The EMC slot holding key's chain, or NULL; first: emc_pick's answer.
 * Its entries are verified (generations) by the caller: a miss earlier in
 * the burst may evict one. */
static struct ft_emc_slot *
emc_find(struct ft_cache *c, const struct ft_key *key, uint32_t h, uint32_t first)
{
    if (first == EMC_NONE)
        return NULL;
    struct ft_emc_slot *s = &c->emc[first];
    if (s->entry != FT_NIL && emc_key_matches(s, key))
        return s;
    uint32_t b = emc_slot2(h) & c->emc_mask; /* Two keys of one hash: rare. */
    if (b == first || c->emc_hash[b] != h)
        return NULL;
    s = &c->emc[b];
    return s->entry != FT_NIL && emc_key_matches(s, key) ? s : NULL;
}

static inline bool
entry_live(const struct ft_cache *c, uint32_t idx, uint32_t gen)
{
    const struct ft_centry *e = &c->pool[idx];
    return e->gen == gen && e->st != FT_ST_NONE;
}

/* Whether every entry of the slot's chain is still there; if not, the slot
 * is emptied. */
static bool
emc_chain_live(struct ft_cache *c, struct ft_emc_slot *s)
{
    if (s->entry == FT_NIL) /* Emptied since it was found (same key earlier in the burst). */
        return false;
    bool live = entry_live(c, s->entry, s->gen);
    for (unsigned k = 1; live && k < s->n; k++)
        live = entry_live(c, s->more[k - 1], s->more_gen[k - 1]);
    if (!live) {
        s->entry = FT_NIL;
        c->emc_used--;
    }
    return live;
}

static inline bool
emc_slot_free(const struct ft_cache *c, uint32_t h)
{
    return c->emc[h & c->emc_mask].entry == FT_NIL ||
           c->emc[emc_slot2(h) & c->emc_mask].entry == FT_NIL;
}

static void
emc_insert(struct ft_cache *c, const struct ft_key *key, uint32_t h, const uint32_t *chain,
           unsigned n)
{
    uint32_t ia = h & c->emc_mask, ib = emc_slot2(h) & c->emc_mask;
    struct ft_emc_slot *a = &c->emc[ia], *b = &c->emc[ib];
    bool use_a = a->entry == FT_NIL || (b->entry != FT_NIL && (h & 0x100));
    struct ft_emc_slot *s = use_a ? a : b;
    if (s->entry == FT_NIL)
        c->emc_used++;
    c->emc_hash[use_a ? ia : ib] = h;
    s->key = *key;
    s->entry = chain[0];
    s->gen = c->pool[chain[0]].gen;
    s->n = (uint8_t)n;
    s->words = 0;
    for (unsigned k = 0; k < n; k++) {
        const struct ft_csub *st = &c->subs[c->pool[chain[k]].st];
        for (unsigned j = 0; j < st->n_words; j++)
            s->words |= 1u << st->words[j];
        if (k) {
            s->more[k - 1] = chain[k];
            s->more_gen[k - 1] = c->pool[chain[k]].gen;
        }
    }
}

/* Whether a burst of n packets looks in (and fills) the gate's tier. The
 * EMC stops paying for its full-key compare when flows outnumber its
 * slots; the signature index stops paying for its probe and insert when
 * each flow's packets come too far apart for it to keep them (a million
 * flows in turn): then lookups go to the subtables directly. */
static bool
gate_open(struct ft_gate *g, size_t n)
{
    g->packets += (uint32_t)n;
    if (g->packets < GATE_WINDOW)
        return !g->off;
    bool was_on = !g->off;
    bool judged = g->tries >= 64, pays = g->hits * 8 >= g->tries; /* 1 in 8. */
    if (g->hold) {
        g->hold--; /* Filling after a shadow's verdict: not judged cold. */
    } else if (!g->off) {
        if (judged && !pays)
            g->off = GATE_OFF;
    } else if (g->shadow) {
        if (judged && pays) {
            g->off = 0;
            g->hold = GATE_OFF;
        }
    } else {
        g->off--; /* Then one window on, judged. */
    }
    g->packets = g->tries = g->hits = 0;
    return was_on;
}

/* The signature index's bucket for the key of stage `stage` of a chain
 * whose first key hashed to hb: all of it while it is on; while it is off,
 * the sampled chains (1 in SIG_SAMPLE) go to a SIG_SAMPLE-th of the
 * buckets, as full as the whole would be with every key, so their hits
 * tell whether turning it on would pay. A chain's stages look in
 * neighbouring buckets (one line, or the next): its later stages find
 * theirs where the first one's load brought them, not one line from
 * memory each (one packet a poll pays every such load in full). The
 * signature (h >> 16) is each stage key's own. */
static inline bool
sig_sampled(const struct ft_cache *c, uint32_t hb)
{
    return c->sig_may && !c->sig_on && !(hb & (SIG_SAMPLE - 1));
}

static inline uint32_t
sig_bucket(const struct ft_cache *c, uint32_t hb, unsigned stage)
{
    return c->sig_on ? (hb + stage) & c->sig_mask
                     : (hb / SIG_SAMPLE + stage) & (c->sig_mask / SIG_SAMPLE);
}

/* The signature index's candidate for stage `stage`'s key (hash h) of the
 * chain hb (no verification), or FT_NIL; while the index is on. */
static inline uint32_t
sig_candidate(const struct ft_cache *c, uint32_t hb, unsigned stage, uint32_t h)
{
    const struct ft_sig_bucket *b = &c->sig[(hb + stage) & c->sig_mask];
    uint16_t sig = (uint16_t)(h >> 16);
    for (int w = 0; w < FT_SIG_WAYS; w++)
        if (b->sig[w] == sig && b->entry[w] != FT_NIL)
            return b->entry[w];
    return FT_NIL;
}

static uint32_t
sig_lookup(struct ft_cache *c, const struct ft_key *key, uint32_t hb, unsigned stage, uint32_t h)
{
    const struct ft_sig_bucket *b = &c->sig[sig_bucket(c, hb, stage)];
    uint16_t sig = (uint16_t)(h >> 16);
    for (int w = 0; w < FT_SIG_WAYS; w++) {
        if (b->sig[w] != sig || b->entry[w] == FT_NIL)
            continue;
        const struct ft_centry *e = &c->pool[b->entry[w]];
        if (e->st != FT_ST_NONE && ft_centry_matches(&c->subs[e->st], e, key))
            return b->entry[w];
    }
    return FT_NIL;
}

static void
sig_insert(struct ft_cache *c, uint32_t hb, unsigned stage, uint32_t h, uint32_t idx)
{
    struct ft_sig_bucket *b = &c->sig[sig_bucket(c, hb, stage)];
    uint16_t sig = (uint16_t)(h >> 16);
    int way = (int)((h >> 8) & (FT_SIG_WAYS - 1));
    for (int w = 0; w < FT_SIG_WAYS; w++) {
        if (b->entry[w] == idx && b->sig[w] == sig)
            return;
        if (b->entry[w] == FT_NIL || c->pool[b->entry[w]].st == FT_ST_NONE)
            way = w;
    }
    b->sig[way] = sig;
    b->entry[way] = idx;
}

/* ---- one stage ---------------------------------------------------------------------- */

/* A stage whose result could not be kept (out of memory: the packet is
 * dropped) ended at a stage boundary: the tables after it are looked up
 * all the same, for their counters, as an unstaged walk would have. */
static void
count_rest(struct ft_cache *c, const struct ft_key *key, uint32_t packets, uint32_t len,
           uint64_t now_ns)
{
    struct ft_walk_out *w = &c->walk;
    struct ft_key k = *key;
    for (uint16_t i = 0; i < w->n_ops; i++)
        if (w->ops[i].type == FT_OP_KEYSET)
            k.w[w->ops[i].a16] = (k.w[w->ops[i].a16] & ~w->ops[i].a64) | w->ops[i].value.u64;
    c->rest_cont = w->cont; /* The walk below writes w. */
    ft_walk_staged(c->p, c->version, &k, &c->rest_cont, NULL, w);
    ft_cache_count_walk(c, packets, len, now_ns);
}

/* The entry for one stage's key (hash h; stage `stage` of the chain whose
 * first key hashed to hb): signature index, subtables, else the walk
 * (installed when it can be). The key's packets (len bytes in all) are
 * counted on it. *x: its
 * program. FT_NIL when no entry keeps the result (the packet was counted
 * straight into the rules). *src: where it was found. */
static uint32_t
lookup_stage(struct ft_cache *c, const struct ft_key *key, uint32_t h, uint32_t hb, unsigned stage,
             const struct ft_csub *known, uint32_t known_h, struct ft_hslot *hint, uint32_t packets,
             uint32_t len, uint64_t now_ns, uint8_t *src, const struct ft_cprog **x)
{
    uint32_t idx;
    bool sig = c->sig_on || sig_sampled(c, hb);
    c->sig_gate.tries += sig;
    if (sig && (idx = sig_lookup(c, key, hb, stage, h)) != FT_NIL) {
        *src = FT_SRC_SIG;
        c->st.sig_hits++;
        c->sig_gate.hits++;
    } else if ((idx = ft_cache_megaflow_lookup(c, key, known, known_h, hint)) != FT_NIL) {
        *src = FT_SRC_MEGAFLOW;
        c->st.megaflow_hits++;
        if (sig)
            sig_insert(c, hb, stage, h, idx);
    } else {
        *src = FT_SRC_MISS;
        uint64_t t0 = c->cfg.cycles ? c->cfg.cycles() : 0;
        idx = ft_cache_install(c, key, x);
        if (c->cfg.cycles)
            c->st.miss_cycles += c->cfg.cycles() - t0;
        if (idx == FT_NIL) {
            ft_cache_count_walk(c, packets, len, now_ns);
            if (((*x)->flags & FT_WALK_F_OVERFLOW) && (c->walk.flags & FT_WALK_F_STAGE))
                count_rest(c, key, packets, len, now_ns);
            return FT_NIL;
        }
        if (sig)
            sig_insert(c, hb, stage, h, idx);
    }
    ft_cache_count_n(c, idx, packets, len, now_ns);
    *x = c->pool[idx].prog;
    return idx;
}

static void
add_frag(struct ft_cache_result *r, const struct ft_cprog *x)
{
    r->frag[r->n_frags++] = (struct ft_cache_frag){x->ops, x->n_exec, x->last_emitter};
    r->n_ops = (uint16_t)(r->n_ops + x->n_exec);
    r->flags |= x->flags & (uint16_t)~FT_WALK_F_STAGE;
}

/* The key the next stage looks up: key as the stage's walk left it (the
 * KEYSET ops of x), naming the continuation of its STAGE op, into *next. */
static void
next_stage_key(const struct ft_key *key, const struct ft_cprog *x, struct ft_key *next)
{
    if (next != key)
        *next = *key;
    const struct ft_op *op = &x->ops[x->n_exec];
    for (; op->type == FT_OP_KEYSET; op++)
        next->w[op->a16] = (next->w[op->a16] & ~op->a64) | op->value.u64;
    next->recirc_id = (uint16_t)op->a32; /* The STAGE. */
    next->recirc_gen = op->a16;
}

/* A packet whose chain is being looked up, stage after stage. */
struct pending {
    const struct ft_key *key; /* This stage's. */
    uint32_t h;               /* Its hash. */
    uint32_t hb;              /* The first stage's: where the signature buckets are. */
    /* A subtable whose hash of key is known (the hinted one's or the
     * busiest's, hashed to fetch its chain ahead), valid while
     * c->sub_reuses is `reuses`. */
    const struct ft_csub *known;
    uint32_t known_h, reuses;
    struct ft_hslot *hint; /* Its census slot (ft_cache_hint_slot), or NULL, */
    uint32_t reshapes;     /* found while c->reshapes was this. */
    uint8_t n;             /* Stages done. */
    bool cached;           /* Every stage so far has an entry. */
    uint32_t chain[FT_MAX_STAGES], gen[FT_MAX_STAGES];
};

/* The next stage's key (pd->key) is hinted: its hint slot, and the
 * hinted subtable's chain head fetched ahead (pd->known) while the burst's
 * other keys take their stage; in a full burst this is what the signature
 * index's buckets, fetched ahead, did for it. */
static void
hint_ahead(const struct ft_cache *c, struct pending *pd)
{
    pd->hint = ft_cache_hint_slot(c, pd->key);
    pd->reshapes = c->reshapes;
    const struct ft_csub *st = ft_cache_hinted_sub(c, pd->key, pd->hint);
    if (!st)
        return;
    pd->known = st;
    pd->known_h = ft_csub_hash(st, pd->key);
    pd->reuses = c->sub_reuses;
    __builtin_prefetch(ft_csub_chain(st, pd->known_h));
}

/* One stage for packet i: its program joins the result; true when the
 * chain goes on (the next key is in c->stage_keys[i], hashed). */
static bool
chain_step(struct ft_cache *c, struct pending *pd, unsigned i, uint32_t packets, uint32_t len,
           uint64_t now_ns, struct ft_cache_result *r)
{
    const struct ft_cprog *x;
    uint8_t src;
    const struct ft_csub *known = pd->reuses == c->sub_reuses ? pd->known : NULL;
    struct ft_hslot *hint = pd->reshapes == c->reshapes ? pd->hint : NULL;
    uint32_t idx = lookup_stage(c, pd->key, pd->h, pd->hb, pd->n, known, pd->known_h, hint, packets,
                                len, now_ns, &src, &x);
    pd->known = NULL; /* The next stage has another key. */
    pd->hint = NULL;
    pd->cached &= idx != FT_NIL;
    pd->chain[pd->n] = idx;
    pd->gen[pd->n] = idx != FT_NIL ? c->pool[idx].gen : 0;
    pd->n++;
    if (src > r->source)
        r->source = src;
    if ((x->flags & FT_WALK_F_OVERFLOW) ||
        ((x->flags & FT_WALK_F_STAGE) && pd->n == FT_MAX_STAGES)) { /* Never half a program. */
        r->n_frags = 0;
        r->n_ops = 0;
        r->flags = x->flags | FT_WALK_F_OVERFLOW;
        r->flags &= (uint16_t)~FT_WALK_F_STAGE;
        pd->cached = false;
        return false;
    }
    add_frag(r, x);
    if (!(x->flags & FT_WALK_F_STAGE))
        return false;
    next_stage_key(pd->key, x, &c->stage_keys[i]);
    pd->key = &c->stage_keys[i];
    pd->h = c->sig_may ? ft_key_hash(pd->key, 0) : 0; /* Only the index reads it. */
    c->st.stage_lookups++;
    return true;
}

/* A whole chain into the EMC, if its entries are all still the ones found
 * (a later packet's miss may have reused one). */
static void
emc_offer(struct ft_cache *c, const struct ft_key *key, uint32_t h, const struct pending *pd)
{
    if (!pd->cached)
        return;
    for (unsigned k = 0; k < pd->n; k++)
        if (c->pool[pd->chain[k]].gen != pd->gen[k] || c->pool[pd->chain[k]].st == FT_ST_NONE)
            return;
    /* A free slot costs no other flow its place: fill it now (after an
     * eviction the flows of the entry come back at once). Taking a live
     * slot is rationed, as against thrashing. */
    bool insert = emc_slot_free(c, h);
    if (!insert && ++c->emc_insert_ctr >= c->cfg.emc_insert_inv_prob) {
        c->emc_insert_ctr = 0;
        insert = true;
    }
    if (insert)
        emc_insert(c, key, h, pd->chain, pd->n);
}

/* ---- a burst ----------------------------------------------------------------------------- */

/* The subtable a fresh key (part 0) probes first (most hits) that holds
 * entries, or NULL. */
static const struct ft_csub *
busiest_sub(const struct ft_cache *c)
{
    for (uint16_t r = 0; r < c->n_subs; r++) {
        const struct ft_csub *st = &c->subs[c->rank[r]];
        if (st->n_entries && (st->part == 0 || st->part == FT_PART_ANY))
            return st;
    }
    return NULL;
}

/* ft_key_equal for neighbours in a burst, decided early on the words where
 * flows differ most (in_port, addresses, L4 ports): with many flows the
 * neighbours differ there, and the whole compare costs as much as a hash.
 * One key passed twice (the caller knew them equal) is not compared. */
static inline bool
same_flow(const struct ft_key *a, const struct ft_key *b)
{
    if (a == b)
        return true;
    const ft_v2u64 *x = FT_KEY_CV(a), *y = FT_KEY_CV(b);
    if (!ft_v2u64_is_zero((x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])))
        return false;
    _Static_assert(FT_KEY_VECS == 9, "same_flow compares the rest by hand");
    return ft_v2u64_is_zero((x[0] ^ y[0]) | (x[4] ^ y[4]) | (x[5] ^ y[5]) | (x[6] ^ y[6]) |
                            (x[7] ^ y[7]) | (x[8] ^ y[8]));
}

/* Packet i's result as its neighbour's, which came whole from the EMC. */
static inline void
copy_emc_result(struct ft_cache_result *r, const struct ft_cache_result *prev)
{
    r->n_frags = prev->n_frags;
    r->source = FT_SRC_EMC;
    r->flags = prev->flags;
    r->n_ops = prev->n_ops;
    for (unsigned k = 0; k < prev->n_frags; k++)
        r->frag[k] = prev->frag[k];
}

/* Whether slot s's chain is run's: the flows of one wildcard entry (one
 * stage) share their counts, whichever EMC slots they hit. Both slots were
 * found live in this pass, which evicts nothing: same index, same entry. */
static inline bool
same_chain(const struct ft_emc_slot *s, const struct ft_emc_slot *run)
{
    return s == run || (run && s->n == 1 && run->n == 1 && s->entry == run->entry);
}

/* The packets of a run of EMC hits on one chain, on each of its entries. */
static void
count_run(struct ft_cache *c, const struct ft_emc_slot *s, uint32_t packets, uint64_t bytes,
          uint64_t now_ns)
{
    if (!s)
        return;
    ft_cache_count_n(c, s->entry, packets, bytes, now_ns);
    for (unsigned k = 1; k < s->n; k++)
        ft_cache_count_n(c, s->more[k - 1], packets, bytes, now_ns);
}

/* Key i stands for pkts[i] packets of lens[i] bytes in all. */
static struct ft_cache_tally
lookup(struct ft_cache *c, const struct ft_key *const *keys, const uint16_t *pkts,
       const uint32_t *lens, size_t n, struct ft_cache_result *res, uint64_t now_ns)
{
    struct ft_cache_tally tally = {0};
    uint32_t h[FT_CACHE_BURST];
    struct ft_emc_slot *slot[FT_CACHE_BURST];
    struct pending pd[FT_CACHE_BURST];
    uint8_t todo[FT_CACHE_BURST];
    unsigned n_todo = 0;
    ft_cache_free_dead_progs(c);
    if (n > FT_CACHE_BURST)
        n = FT_CACHE_BURST;
    if (c->win_chains >= EMC_JUDGE_CHAINS) {
        c->emc_not_worth = c->win_chain_probes < EMC_MIN_PROBES * c->win_chains;
        c->win_chains = c->win_chain_probes = 0;
    }
    bool emc = c->emc && !c->emc_not_worth && gate_open(&c->emc_gate, n);
    if (emc)
        c->emc_gate.tries += (uint32_t)n;
    if (c->win_mf_hits >= SIG_JUDGE_HITS) {
        c->sig_worth = c->win_mf_probes >= SIG_MIN_PROBES * c->win_mf_hits;
        c->win_mf_hits = c->win_mf_probes = 0;
    }
    c->sig_may = c->sig && c->sig_worth;
    c->sig_on = c->sig_may && gate_open(&c->sig_gate, n);
    /* Nor while the subtables' hints find the entries: the index is a
     * line from memory a stage (6 MB for scenario 5's 102,400 flows in
     * two stages), the hinted subtable in the core's caches. Alone, a
     * packet pays that line in full (scenario 5, one packet a lookup: 206
     * ns with the index, 95 with hints alone), and a burst of them after
     * the generator's stall drained slower with it (p99 at 0.5 Mpps, four
     * pairs of runs: medians 100-268 us with, 30-75 without); at full
     * speed the two are even (4.4-5.3 vs 4.2-5.4 Mpps). */
    if (c->sig_may && ft_cache_hints_serve(c))
        c->sig_may = c->sig_on = false;
    if ((c->win_lookups += (uint32_t)n) >= THRASH_WINDOW) {
        c->thrashing = c->win_misses * 2 > c->win_lookups;
        c->win_lookups = c->win_misses = 0;
    }

    /* Pass 1: hash every key and prefetch where it may be (the EMC slot
     * whose hash is the key's, the signature bucket). A key equal to
     * the one before it (a flow's packets arrive together) takes its hash,
     * and in pass 2 its slot. */
    bool dup[FT_CACHE_BURST];
    uint32_t eslot[FT_CACHE_BURST]; /* emc_pick's, while the EMC is on. */
    /* The signature index samples keys while off (where it may be worth it). */
    bool full_hash = emc || c->sig_may;
    for (size_t i = 0; i < n; i++) {
        dup[i] = i && same_flow(keys[i], keys[i - 1]);
        if (dup[i]) {
            h[i] = h[i - 1];
            continue;
        }
        h[i] = full_hash ? ft_key_hash(keys[i], 0) : 0;
        if (emc && (eslot[i] = emc_pick(c, h[i])) != EMC_NONE)
            emc_prefetch(c, eslot[i]);
        if (c->sig_on) {
            __builtin_prefetch(&c->sig[h[i] & c->sig_mask]);
            if (c->staged) /* The next stage's bucket, where it starts the next line. */
                __builtin_prefetch(&c->sig[(h[i] + 1) & c->sig_mask].entry[FT_SIG_WAYS - 1]);
        }
    }
    /* Pass 2: EMC slots; signature candidates, whose entries we prefetch;
     * for the others the chain head in the subtable the key's hint names
     * (or the busiest), and in pass 2b its first entry (the stage passes
     * look up as always: this only fetches ahead). */
    const struct ft_csub *top = busiest_sub(c);
    const struct ft_csub *guess[FT_CACHE_BURST];
    struct ft_hslot *hint[FT_CACHE_BURST]; /* Key i's census slot, or NULL. */
    uint32_t top_h[FT_CACHE_BURST];
    bool top_hashed[FT_CACHE_BURST]; /* top_h[i] is set. */
    enum { AHEAD_NONE, AHEAD_TOP, AHEAD_MISS } ahead[FT_CACHE_BURST];
    for (size_t i = 0; i < n; i++) {
        ahead[i] = AHEAD_NONE;
        if (dup[i]) {
            slot[i] = slot[i - 1];
            guess[i] = guess[i - 1];
            hint[i] = hint[i - 1];
            top_h[i] = top_h[i - 1];
            top_hashed[i] = top_hashed[i - 1];
            continue;
        }
        top_hashed[i] = false;
        slot[i] = emc ? emc_find(c, keys[i], h[i], eslot[i]) : NULL;
        uint32_t cand = FT_NIL;
        if (slot[i])
            cand = slot[i]->entry;
        else if (c->sig_on)
            cand = sig_candidate(c, h[i], 0, h[i]);
        guess[i] = NULL;
        hint[i] = NULL;
        if (cand == FT_NIL) {
            hint[i] = ft_cache_hint_slot(c, keys[i]);
            if (!(guess[i] = ft_cache_hinted_sub(c, keys[i], hint[i])) &&
                !(hint[i] && !hint[i]->count)) /* The census says: a miss. */
                guess[i] = top;
        }
        if (cand != FT_NIL) {
            __builtin_prefetch(&c->pool[cand]);
        } else if (guess[i]) {
            top_h[i] = ft_csub_hash(guess[i], keys[i]);
            top_hashed[i] = true;
            __builtin_prefetch(ft_csub_chain(guess[i], top_h[i]));
            ahead[i] = AHEAD_TOP;
        } else {
            ahead[i] = AHEAD_MISS; /* An empty cache, or the census says none. */
        }
    }
    /* A packet with no candidate and an empty chain in the busiest
     * subtable will likely miss: its walk's first lookup is fetched ahead,
     * so a burst of misses (a cache filling) overlaps their cache misses. */
    const struct ft_table *t0 = &c->p->tables[0];
    for (size_t i = 0; i < n; i++) {
        if (ahead[i] == AHEAD_NONE)
            continue;
        if (ahead[i] == AHEAD_TOP) {
            uint32_t first = *ft_csub_chain(guess[i], top_h[i]);
            if (first != FT_NIL) {
                __builtin_prefetch(&c->pool[first]);
                continue;
            }
        }
        if (keys[i]->recirc_id) { /* A resumed walk starts elsewhere. */
            ahead[i] = AHEAD_NONE;
            continue;
        }
        ahead[i] = AHEAD_MISS;
        ft_cls_prefetch(t0, keys[i], 0);
    }
    /* Pass 3: whole chains from the EMC, when their entries are all still
     * there; the others wait for the stage passes. A run of packets on one
     * chain (a flow's burst) is counted once. */
    const struct ft_emc_slot *run = NULL;
    uint32_t run_packets = 0, emc_hits = 0;
    uint64_t run_bytes = 0;
    bool prev_hit = false; /* Packet i - 1 came from the EMC, on run's chain. */
    for (size_t i = 0; i < n; i++) {
        struct ft_cache_result *r = &res[i];
        struct ft_emc_slot *s = slot[i];
        uint32_t np = pkts[i];
        if (s && s == run && prev_hit) { /* The chain of the packet before: its result. */
            emc_hits += np;
            run_packets += np;
            run_bytes += lens[i];
            copy_emc_result(r, &res[i - 1]);
            continue;
        }
        r->n_frags = 0;
        r->n_ops = 0;
        r->flags = 0;
        if (s && emc_chain_live(c, s)) {
            emc_hits += np;
            if (!same_chain(s, run)) {
                count_run(c, run, run_packets, run_bytes, now_ns);
                run = s;
                run_packets = 0;
                run_bytes = 0;
            }
            run_packets += np;
            run_bytes += lens[i];
            r->source = FT_SRC_EMC;
            add_frag(r, c->pool[s->entry].prog);
            for (unsigned k = 1; k < s->n; k++)
                add_frag(r, c->pool[s->more[k - 1]].prog);
            prev_hit = true;
            continue;
        }
        prev_hit = false;
        r->source = FT_SRC_EMC; /* Lowered to what the stages find. */
        pd[i] = (struct pending){.key = keys[i],
                                 .h = h[i],
                                 .hb = h[i],
                                 .hint = hint[i],
                                 .reshapes = c->reshapes,
                                 .cached = true};
        if (top_hashed[i]) {
            pd[i].known = guess[i];
            pd[i].known_h = top_h[i];
            pd[i].reuses = c->sub_reuses;
        }
        todo[n_todo++] = (uint8_t)i;
    }
    for (unsigned t = 0; t < n_todo; t++)
        if (ahead[todo[t]] == AHEAD_MISS)
            ft_cls_prefetch(t0, keys[todo[t]], 1);
    /* Before any miss can evict the run's entries. */
    count_run(c, run, run_packets, run_bytes, now_ns);
    c->st.emc_hits += emc_hits;
    c->emc_gate.hits += emc_hits; /* Packets (a run's all): tries are keys. */
    tally.emc = emc_hits;
    /* Stage passes: every waiting packet's stage s, then the next keys'
     * buckets and candidates are fetched while the others are looked up.
     * The chains found and the subtables probed for them (a signature hit
     * counts one) judge the EMC. */
    uint64_t probed = c->probe_cost + c->st.sig_hits;
    uint32_t found = 0;
    while (n_todo) {
        unsigned n_next = 0;
        for (unsigned t = 0; t < n_todo; t++) {
            unsigned i = todo[t];
            uint32_t np = pkts[i];
            if (chain_step(c, &pd[i], i, np, lens[i], now_ns, &res[i])) {
                todo[n_next++] = (uint8_t)i;
                if (c->sig_on)
                    __builtin_prefetch(&c->sig[(pd[i].hb + pd[i].n) & c->sig_mask]);
                else
                    hint_ahead(c, &pd[i]);
                continue;
            }
            /* A run's packets after its first take the first's answer,
             * as they would hit the entry its walk installed. */
            if (res[i].source == FT_SRC_MISS) {
                tally.misses++;
                tally.hits += np - 1;
            } else {
                tally.hits += np;
                found++;
            }
            if (emc) /* Complete: into the EMC while its entries are fresh. */
                emc_offer(c, keys[i], h[i], &pd[i]);
        }
        n_todo = n_next;
        for (unsigned t = 0; n_todo > 1 && t < n_todo; t++) { /* Their entries, ahead. */
            const struct pending *p = &pd[todo[t]];
            bool known = p->known && p->reuses == c->sub_reuses;
            uint32_t cand = c->sig_on ? sig_candidate(c, p->hb, p->n, p->h)
                            : known   ? *ft_csub_chain(p->known, p->known_h)
                                      : FT_NIL;
            if (cand != FT_NIL)
                __builtin_prefetch(&c->pool[cand]);
        }
    }
    c->win_chains += found;
    c->win_chain_probes += c->probe_cost + c->st.sig_hits - probed;
    return tally;
}

struct ft_cache_tally
ft_cache_lookup(struct ft_cache *c, const struct ft_key *const *keys, const uint32_t *lens,
                size_t n, struct ft_cache_result *res, uint64_t now_ns)
{
    static const uint16_t ones[FT_CACHE_BURST] = {[0 ... FT_CACHE_BURST - 1] = 1};
    return lookup(c, keys, ones, lens, n, res, now_ns);
}

struct ft_cache_tally
ft_cache_lookup_runs(struct ft_cache *c, const struct ft_key *const *keys, const uint16_t *pkts,
                     const uint32_t *bytes, size_t n, struct ft_cache_result *res, uint64_t now_ns)
{
    return lookup(c, keys, pkts, bytes, n, res, now_ns);
}
