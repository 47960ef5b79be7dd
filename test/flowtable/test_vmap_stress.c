/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_vmap under one writer and two concurrent readers, outside EAL
 * (pthreads), with the embedder's side played by the test: versions,
 * two-phase removal and grace periods, as docs/architecture.md describes
 * ("The pipeline").
 *
 * N_KEYS keys, 48 to a hash; a schedule drawn from the seed says, for
 * key k at version v, whether k is present and which node stands for it
 * (keys come and go in waves, and within its wave a key's life is cut
 * into segments, present in two of three, a new node per segment; see
 * present()). For each new version the writer
 *  - marks the nodes that end (remove_version = v) and links the nodes
 *    that start: a new chain (ft_vmap_insert), a new head
 *    (ft_vmap_replace_head) or a new tail, per key;
 *  - unlinks every node whose remove_version every reader has announced
 *    (head: ft_vmap_replace_head, to NULL when the chain ends and its
 *    slot becomes a tombstone; inside: the predecessor's next);
 *  - publishes v with a release store.
 * Unlinked nodes and the slot arrays that resizes retire (the map starts
 * at 16 slots and resizes many times) are poisoned and freed only after a
 * grace period: every reader has started an operation since (an epoch
 * per reader, stored and fenced before the reader loads anything).
 *
 * Readers: announce, read the committed version (acquire), look up random
 * keys with ft_vmap_find and walk their chains, and check that no node of
 * the chain is poisoned or of another key, that a visible node exists iff
 * the schedule says the key is present, and that it is the node the
 * schedule names (its add_version). Failures are recorded and asserted
 * by the test's own thread.
 *
 * The writer never runs more than LAG versions ahead of the slowest
 * reader's announcement (it yields meanwhile) and unlinks what version
 * v - LAG - 1 no longer sees, so readers always work against a moving
 * map, memory stays bounded and the map's history (resizes included)
 * depends on the seed alone. Seeds: OFSWITCH_TEST_SEED replays the
 * schedule and the readers' keys; thread timing still varies. A reader
 * that makes no progress for STUCK_SECS (a probe of freed slots can loop)
 * fails the test instead of hanging it.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <time.h>

#include "check_main.h"
#include "ft_vmap.h"

/* Sizes. The map holds at most ~400 chains of N_KEYS keys, so it stays
 * at 1024 slots and rebuilds itself whenever tombstones pile up. */
enum {
    N_KEYS = 1536,
    N_READERS = 2,
    MAX_PERIOD = 16, /* A key's segments last 1..MAX_PERIOD versions, */
    WAVE = 8,        /* within its wave of WAVE versions, one in N_WAVES. */
    N_WAVES = 8,
    LAG = 8, /* Versions the writer may run ahead of a reader. */
    N_VERSIONS = 4000,
    MAX_LOOKUPS = 32,   /* Per reader operation (one version). */
    YIELD_EVERY = 64,   /* Operations at one version before a reader yields. */
    STUCK_SECS = 30,    /* A reader without progress this long is stuck. */
    MAX_CHAIN = 64,     /* A longer chain is a failure (a cycle, a leak). */
    REMOVALS = 1 << 16, /* Removals awaiting their unlink, at most. */
};

#define MAGIC_LIVE 0x1ea51ea5u
#define MAGIC_DEAD 0xdeaddeadu

struct tnode {
    struct ft_vnode node; /* First: ft_vnode * <-> tnode *. */
    uint32_t key;         /* Written before publication, then only at free. */
    uint32_t magic;
    struct tnode *limbo_next; /* Writer only. */
};

/* ---- the schedule ------------------------------------------------------------------ */

static struct {
    uint8_t period[N_KEYS];   /* 1..MAX_PERIOD */
    uint8_t phase[N_KEYS];    /* 0..period-1 */
    uint8_t wave_off[N_KEYS]; /* 0..WAVE-1 */
    bool head_first[N_KEYS];  /* New nodes become the head, else the tail. */
} S;

/* Key k lives in one wave of N_WAVES (each WAVE versions long, shifted by
 * wave_off(k)), so the population turns over: chains end, tombstones
 * pile up and the map rebuilds itself again and again. Within its wave,
 * k's life is cut into segments of period(k) versions, present in two of
 * three. A node stands for one stretch of both. */
static uint64_t
start_of(uint64_t v, unsigned len, unsigned shift)
{
    uint64_t s = (v + shift) / len * len;
    return s < shift ? 0 : s - shift;
}

static bool
present(uint32_t k, uint64_t v)
{
    return (v + S.wave_off[k]) / WAVE % N_WAVES == k % N_WAVES &&
           (v + S.phase[k]) / S.period[k] % 3 != 0;
}

/* The add_version of the node that stands for k at v (when present). */
static uint64_t
seg_start(uint32_t k, uint64_t v)
{
    uint64_t a = start_of(v, S.period[k], S.phase[k]), b = start_of(v, WAVE, S.wave_off[k]);
    return a > b ? a : b;
}

static bool
boundary(uint32_t k, uint64_t v)
{
    return v > 0 && seg_start(k, v) == v;
}

static uint32_t
key_hash(uint32_t k)
{
    /* 48 keys share each hash: eq() must tell them apart, probes run
     * through long clusters with tombstones inside, and a lookup lasts
     * long enough for the writer to change the map under it. */
    return (k % 32) * 0x9e3779b1u;
}

static bool
key_eq(const struct ft_vnode *n, const void *key)
{
    return ((const struct tnode *)n)->key == *(const uint32_t *)key;
}

/* ---- shared state ------------------------------------------------------------------- */

struct reader {
    pthread_t thread;
    unsigned idx;
    uint64_t rng;
    _Atomic uint64_t epoch;   /* Bumped at the start of each operation. */
    _Atomic uint64_t version; /* The version of its current operation. */
    atomic_bool done;
    /* Results (read after join). */
    uint64_t ops, lookups, max_chain;
};

static struct {
    struct ft_vmap map;
    _Atomic uint64_t committed;
    atomic_bool stop;
    atomic_int failed;
    atomic_bool stuck;
    char msg[512];
    struct reader r[N_READERS];
} G;

/* The first failure wins; the test's thread asserts after the join. */
static void __attribute__((format(printf, 1, 2))) report(const char *fmt, ...)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&G.failed, &expected, 1))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(G.msg, sizeof G.msg, fmt, ap);
    va_end(ap);
}

/* ---- readers ------------------------------------------------------------------------ */

static bool
check_key(struct reader *r, uint32_t k, uint64_t v)
{
    const struct ft_vnode *n = ft_vmap_find(&G.map, key_hash(k), key_eq, &k);
    unsigned visible = 0, len = 0;
    uint64_t add = 0;
    for (; n; n = ft_vnode_next(n)) {
        const struct tnode *t = (const struct tnode *)n;
        if (t->magic != MAGIC_LIVE) {
            report("reader %u, version %llu, key %u: node %p in the chain is freed (magic %#x)",
                   r->idx, (unsigned long long)v, k, (const void *)t, t->magic);
            return false;
        }
        if (t->key != k) {
            report("reader %u, version %llu: the chain of key %u holds key %u", r->idx,
                   (unsigned long long)v, k, t->key);
            return false;
        }
        if (++len > MAX_CHAIN) {
            report("reader %u, version %llu, key %u: chain longer than %d", r->idx,
                   (unsigned long long)v, k, MAX_CHAIN);
            return false;
        }
        if (ft_vnode_visible(n, v)) {
            visible++;
            add = atomic_load_explicit(&n->add_version, memory_order_relaxed);
        }
    }
    if (len > r->max_chain)
        r->max_chain = len;
    bool want = present(k, v);
    if (want != (visible > 0) || visible > 1) {
        report("reader %u, version %llu, key %u: %u visible nodes, want %u (chain of %u)", r->idx,
               (unsigned long long)v, k, visible, want, len);
        return false;
    }
    if (want && add != seg_start(k, v)) {
        report("reader %u, version %llu, key %u: visible node added at %llu, want %llu", r->idx,
               (unsigned long long)v, k, (unsigned long long)add,
               (unsigned long long)seg_start(k, v));
        return false;
    }
    return true;
}

static void *
reader_main(void *arg)
{
    struct reader *r = arg;
    uint64_t prev = UINT64_MAX;
    unsigned same = 0;
    while (!atomic_load_explicit(&G.stop, memory_order_acquire) &&
           !atomic_load_explicit(&G.failed, memory_order_relaxed)) {
        /* Quiescent: nothing from earlier operations is held. The fence
         * pairs with the writer's: either the writer sees this epoch, or
         * this operation sees everything unlinked before the writer
         * looked. */
        atomic_store_explicit(&r->epoch, r->epoch + 1, memory_order_release);
        atomic_thread_fence(memory_order_seq_cst);
        uint64_t v = atomic_load_explicit(&G.committed, memory_order_acquire);
        atomic_store_explicit(&r->version, v, memory_order_release);
        unsigned n = 1 + (unsigned)(test_rand(&r->rng) % MAX_LOOKUPS);
        for (unsigned i = 0; i < n; i++)
            if (!check_key(r, (uint32_t)(test_rand(&r->rng) % N_KEYS), v))
                goto out;
        r->ops++;
        r->lookups += n;
        /* On two busy cores, leave the writer some time (scheduling only:
         * readers never wait for anything). */
        if (v != prev)
            same = 0, prev = v;
        else if (++same % YIELD_EVERY == 0)
            sched_yield();
    }
out:
    atomic_store_explicit(&r->done, true, memory_order_release);
    return NULL;
}

/* ---- the writer --------------------------------------------------------------------- */

/* What one version unlinked or retired; freed after a grace period. */
struct batch {
    struct batch *next;
    uint64_t snap[N_READERS]; /* Reader epochs once it was complete. */
    struct tnode *nodes;
    void **slots;
    size_t n_slots, cap_slots;
};

static struct {
    struct tnode *head[N_KEYS]; /* Writer's view of each chain. */
    struct batch *cur;          /* Being filled. */
    struct batch *oldest, *newest;
    /* Keys in the order their nodes were marked removed (remove_version
     * grows along it). */
    struct {
        uint32_t key;
        uint64_t version;
    } rm[REMOVALS];
    size_t rm_head, rm_n;
    uint64_t n_nodes, n_resizes, n_unlinked, n_freed, n_yields, max_heads;
} W;

static struct batch *
batch_new(void)
{
    struct batch *b = calloc(1, sizeof *b);
    ck_assert_ptr_nonnull(b);
    return b;
}

static void
retire_slots(void *aux, void *ptr)
{
    struct batch *b = aux;
    if (b->n_slots == b->cap_slots) {
        b->cap_slots = b->cap_slots ? 2 * b->cap_slots : 4;
        b->slots = realloc(b->slots, b->cap_slots * sizeof b->slots[0]);
        ck_assert_ptr_nonnull(b->slots);
    }
    b->slots[b->n_slots++] = ptr;
    W.n_resizes++;
}

static void
batch_free(struct batch *b)
{
    for (struct tnode *t = b->nodes, *next; t; t = next) {
        next = t->limbo_next;
        t->magic = MAGIC_DEAD;
        t->key = UINT32_MAX;
        free(t);
        W.n_freed++;
    }
    for (size_t i = 0; i < b->n_slots; i++) {
        /* Zeroed, a stale probe finds nothing and a present key goes
         * missing; freed, ASan names the access. */
        struct ft_vmap_slots *s = b->slots[i];
        memset(s, 0, sizeof *s + ((size_t)s->mask + 1) * sizeof s->slot[0]);
        free(s);
    }
    free(b->slots);
    free(b);
}

static struct tnode *
node_new(uint32_t k, uint64_t v)
{
    struct tnode *t = calloc(1, sizeof *t);
    ck_assert_ptr_nonnull(t);
    ft_vnode_init(&t->node, key_hash(k), v);
    t->key = k;
    t->magic = MAGIC_LIVE;
    W.n_nodes++;
    return t;
}

/* Link a new node for k at version v. */
static void
link_node(uint32_t k, uint64_t v)
{
    struct tnode *t = node_new(k, v);
    struct tnode *h = W.head[k];
    if (!h) {
        if (ft_vmap_insert(&G.map, &t->node, retire_slots, W.cur)) {
            free(t);
            report("writer: ft_vmap_insert failed");
            return;
        }
        W.head[k] = t;
    } else if (S.head_first[k]) {
        atomic_store_explicit(&t->node.next, &h->node, memory_order_relaxed);
        ft_vmap_replace_head(&G.map, &h->node, &t->node);
        W.head[k] = t;
    } else {
        struct ft_vnode *tail = &h->node, *n;
        while ((n = ft_vnode_next(tail)))
            tail = n;
        atomic_store_explicit(&tail->next, &t->node, memory_order_release);
    }
}

/* Mark k's live node removed at v. */
static void
end_node(uint32_t k, uint64_t v)
{
    for (struct ft_vnode *n = W.head[k] ? &W.head[k]->node : NULL; n; n = ft_vnode_next(n))
        if (atomic_load_explicit(&n->remove_version, memory_order_relaxed) == FT_VERSION_NEVER) {
            atomic_store_explicit(&n->remove_version, v, memory_order_relaxed);
            if (W.rm_n == REMOVALS) {
                report("writer: more than %d removals waiting", REMOVALS);
                return;
            }
            size_t i = (W.rm_head + W.rm_n++) % REMOVALS;
            W.rm[i].key = k;
            W.rm[i].version = v;
            return;
        }
    report("writer: key %u has no live node to remove at version %llu", k, (unsigned long long)v);
}

static uint64_t
min_announced(void)
{
    uint64_t m = UINT64_MAX;
    for (unsigned i = 0; i < N_READERS; i++) {
        uint64_t v = atomic_load_explicit(&G.r[i].version, memory_order_acquire);
        m = v < m ? v : m;
    }
    return m;
}

/* Unlink every node no reader can see any more (removed at or before the
 * oldest version a reader announced). Unlinked nodes keep their next. */
static void
unlink_old(uint64_t oldest)
{
    for (; W.rm_n && W.rm[W.rm_head].version <= oldest; W.rm_n--) {
        uint32_t k = W.rm[W.rm_head].key;
        W.rm_head = (W.rm_head + 1) % REMOVALS;
        struct ft_vnode *prev = NULL, *n = W.head[k] ? &W.head[k]->node : NULL, *next;
        for (; n; n = next) {
            next = ft_vnode_next(n);
            if (atomic_load_explicit(&n->remove_version, memory_order_relaxed) > oldest) {
                prev = n;
                continue;
            }
            if (!prev) {
                ft_vmap_replace_head(&G.map, n, next);
                W.head[k] = (struct tnode *)next;
            } else {
                atomic_store_explicit(&prev->next, next, memory_order_release);
            }
            struct tnode *t = (struct tnode *)n;
            t->limbo_next = W.cur->nodes;
            W.cur->nodes = t;
            W.n_unlinked++;
        }
    }
}

/* Close the current batch: it may be freed once every reader has bumped
 * its epoch past what is read here (after the fence: see reader_main). */
static void
close_batch(void)
{
    struct batch *b = W.cur;
    atomic_thread_fence(memory_order_seq_cst);
    for (unsigned i = 0; i < N_READERS; i++)
        b->snap[i] = atomic_load_explicit(&G.r[i].epoch, memory_order_acquire);
    if (W.newest)
        W.newest->next = b;
    else
        W.oldest = b;
    W.newest = b;
    W.cur = batch_new();
}

static void
free_graced(void)
{
    while (W.oldest) {
        struct batch *b = W.oldest;
        for (unsigned i = 0; i < N_READERS; i++)
            if (atomic_load_explicit(&G.r[i].epoch, memory_order_acquire) <= b->snap[i])
                return;
        W.oldest = b->next;
        if (!W.oldest)
            W.newest = NULL;
        batch_free(b);
    }
}

/* Version 0, before any reader runs. */
static void
writer_init(void)
{
    W.cur = batch_new();
    for (uint32_t k = 0; k < N_KEYS; k++)
        if (present(k, 0))
            link_node(k, 0);
}

static double
now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A lookup that never returns (a probe of freed slots can loop) is a
 * failure, not a hang: the writer gives up on readers that make no
 * progress for STUCK_SECS. */
static bool
readers_stuck(double *since, uint64_t *last)
{
    uint64_t m = min_announced();
    double t = now();
    if (m != *last || !*since) {
        *last = m;
        *since = t;
        return false;
    }
    if (t - *since < STUCK_SECS)
        return false;
    atomic_store(&G.stuck, true);
    report("a reader has been stuck at version %llu for %d s (in a lookup that never ends?)",
           (unsigned long long)m, STUCK_SECS);
    return true;
}

static void
writer_run(uint64_t n_versions)
{
    double since = 0;
    uint64_t last = UINT64_MAX;
    for (uint64_t v = 1; v <= n_versions && !atomic_load(&G.failed); v++) {
        /* Wait until every reader announced v - LAG - 1 or newer: the
         * unlinks below rely on it. */
        while (v > LAG + min_announced() + 1 && !atomic_load(&G.failed)) {
            if (++W.n_yields % 1024 == 0 && readers_stuck(&since, &last))
                return;
            sched_yield();
        }
        for (uint32_t k = 0; k < N_KEYS; k++) {
            if (!boundary(k, v))
                continue;
            if (present(k, v - 1))
                end_node(k, v);
            if (present(k, v))
                link_node(k, v);
        }
        /* Unlink what the oldest version a reader may hold no longer
         * sees; the wait above makes that v - LAG - 1 (a fixed point, so
         * the map's history depends on the seed alone). */
        uint64_t oldest = v > LAG + 1 ? v - LAG - 1 : 0;
        if (min_announced() < oldest) {
            report("writer: a reader is at version %llu, older than %llu",
                   (unsigned long long)min_announced(), (unsigned long long)oldest);
            return;
        }
        unlink_old(oldest);
        close_batch();
        atomic_store_explicit(&G.committed, v, memory_order_release);
        free_graced();
        if (G.map.n_heads > W.max_heads)
            W.max_heads = G.map.n_heads;
    }
}

static void
teardown(void)
{
    /* Every reader has been joined: nothing is read any more. */
    struct batch *last = W.cur;
    W.cur = NULL;
    while (W.oldest) {
        struct batch *b = W.oldest;
        W.oldest = b->next;
        batch_free(b);
    }
    W.newest = NULL;
    for (uint32_t k = 0; k < N_KEYS; k++) {
        for (struct ft_vnode *n = W.head[k] ? &W.head[k]->node : NULL, *next; n; n = next) {
            next = ft_vnode_next(n);
            struct tnode *t = (struct tnode *)n;
            t->limbo_next = last->nodes;
            last->nodes = t;
        }
        W.head[k] = NULL;
    }
    batch_free(last);
    ft_vmap_destroy(&G.map);
}

START_TEST(one_writer_two_readers)
{
    uint64_t seed = test_seed(), s = seed;
    memset(&S, 0, sizeof S);
    memset(&G, 0, sizeof G);
    memset(&W, 0, sizeof W);
    for (uint32_t k = 0; k < N_KEYS; k++) {
        S.period[k] = (uint8_t)(1 + test_rand(&s) % MAX_PERIOD);
        S.phase[k] = (uint8_t)(test_rand(&s) % S.period[k]);
        S.wave_off[k] = (uint8_t)(test_rand(&s) % WAVE);
        S.head_first[k] = test_rand(&s) & 1;
    }
    ck_assert_int_eq(ft_vmap_init(&G.map, 1), 0); /* 16 slots: many resizes. */
    struct timespec t0, t1;
    writer_init();
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned i = 0; i < N_READERS; i++) {
        G.r[i].idx = i;
        G.r[i].rng = seed * 0x9e3779b97f4a7c15ull + i + 1;
        ck_assert_int_eq(pthread_create(&G.r[i].thread, NULL, reader_main, &G.r[i]), 0);
    }
    writer_run(N_VERSIONS);
    uint64_t last = atomic_load(&G.committed);
    atomic_store_explicit(&G.stop, true, memory_order_release);
    double since = 0;
    uint64_t progress = UINT64_MAX;
    for (unsigned i = 0; i < N_READERS; i++)
        while (!atomic_load_explicit(&G.r[i].done, memory_order_acquire)) {
            /* A stuck reader cannot be joined: fail, leaving it behind. */
            if (atomic_load(&G.stuck) || readers_stuck(&since, &progress))
                ck_abort_msg("seed %llu: %s", (unsigned long long)seed, G.msg);
            sched_yield();
        }
    for (unsigned i = 0; i < N_READERS; i++)
        ck_assert_int_eq(pthread_join(G.r[i].thread, NULL), 0);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    uint64_t lookups = 0;
    for (unsigned i = 0; i < N_READERS; i++)
        lookups += G.r[i].lookups;
    fprintf(stderr,
            "vmap stress (seed %llu): %llu versions in %.2f s, %llu nodes, %llu unlinked, "
            "%llu freed, %llu resizes, writer yields %llu; readers %llu+%llu ops, %llu lookups, "
            "longest chain %llu/%llu\n",
            (unsigned long long)seed, (unsigned long long)last, secs, (unsigned long long)W.n_nodes,
            (unsigned long long)W.n_unlinked, (unsigned long long)W.n_freed,
            (unsigned long long)W.n_resizes, (unsigned long long)W.n_yields,
            (unsigned long long)G.r[0].ops, (unsigned long long)G.r[1].ops,
            (unsigned long long)lookups, (unsigned long long)G.r[0].max_chain,
            (unsigned long long)G.r[1].max_chain);
    fprintf(stderr, "map: at most %llu chains; at the end %u chains, %u tombstones, %u slots\n",
            (unsigned long long)W.max_heads, G.map.n_heads, G.map.n_tombs,
            atomic_load(&G.map.slots)->mask + 1);
    int failed = atomic_load(&G.failed);
    uint64_t resizes = W.n_resizes, freed = W.n_freed;
    teardown();
    ck_assert_msg(!failed, "seed %llu: %s", (unsigned long long)seed, G.msg);
    ck_assert_uint_eq(last, N_VERSIONS);
    /* Not vacuous: the map grew from 16 slots and was rebuilt, nodes went
     * through the grace periods, and each reader checked versions as the
     * writer made them (it cannot run more than LAG ahead). */
    ck_assert_uint_ge(resizes, 50);
    ck_assert_uint_gt(freed, N_VERSIONS);
    for (unsigned i = 0; i < N_READERS; i++)
        ck_assert_uint_ge(G.r[i].ops, N_VERSIONS / (LAG + 2));
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("vmap_stress");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, one_writer_two_readers);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
