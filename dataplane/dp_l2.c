/* SPDX-License-Identifier: Apache-2.0 */
/* The shared lock-free MAC table and L2 forwarding (dp_l2.h). */
#include <errno.h>
#include <stdlib.h>

#include <rte_pause.h>

#include "dp_exec.h"
#include "dp_l2.h"
#include "ft_alloc.h"

#define DP_L2_BUSY   (1ull << 63)
#define DP_L2_VALID  (1ull << 62)
#define DP_L2_WINDOW 8

struct dp_l2 *
dp_l2_create(uint32_t entries, uint32_t aging_s)
{
    uint32_t n = 64;
    while (n < entries && n < (1u << 30))
        n <<= 1;
    struct dp_l2 *l2 = ft_calloc(1, sizeof *l2 + (size_t)n * sizeof l2->e[0]);
    if (!l2)
        return NULL;
    l2->mask = n - 1;
    l2->aging_s = aging_s;
    return l2;
}

void
dp_l2_free(struct dp_l2 *l2)
{
    free(l2);
}

static uint64_t
l2_key(uint16_t vid, const uint8_t *mac)
{
    uint64_t k = DP_L2_VALID | (uint64_t)(vid & 0xfff) << 48;
    for (int i = 0; i < 6; i++)
        k |= (uint64_t)mac[i] << (40 - 8 * i);
    return k;
}

static uint32_t
l2_hash(uint64_t key)
{
    return ft_hash_finish(ft_hash_add64(0x51ed27, key));
}

/* Signed: another worker's clock reading may be a little ahead of ours. */
static bool
aged(const struct dp_l2 *l2, uint64_t val, uint32_t now_s)
{
    return (int32_t)(now_s - (uint32_t)val) > (int32_t)l2->aging_s;
}

int64_t
dp_l2_lookup(const struct dp_l2 *l2, uint16_t vid, const uint8_t *mac, uint32_t now_s)
{
    uint64_t k = l2_key(vid, mac);
    uint32_t h = l2_hash(k);
    for (uint32_t i = 0; i < DP_L2_WINDOW; i++) {
        const struct dp_l2_entry *e = &l2->e[(h + i) & l2->mask];
        uint64_t key = atomic_load_explicit(&e->key, memory_order_acquire);
        /* Our key being rewritten: two stores away from done. */
        for (int spin = 0; key == (k | DP_L2_BUSY) && spin < 64; spin++) {
            rte_pause();
            key = atomic_load_explicit(&e->key, memory_order_acquire);
        }
        if (!key)
            return -1; /* Slots never empty again: the window ends here. */
        if (key != k)
            continue;
        uint64_t val = atomic_load_explicit(&e->val, memory_order_acquire);
        if (atomic_load_explicit(&e->key, memory_order_acquire) != k)
            continue; /* Rewritten meanwhile: val may be another MAC's. */
        return aged(l2, val, now_s) ? -1 : (int64_t)(val >> 32);
    }
    return -1;
}

/* Write val into e, whose key is expected: the key is marked busy while
 * the value changes, so no reader pairs it with the wrong key and no other
 * writer reclaims the slot meanwhile. False if the key was not expected. */
static bool
slot_write(struct dp_l2_entry *e, uint64_t expected, uint64_t key, uint64_t val)
{
    if (!atomic_compare_exchange_strong_explicit(&e->key, &expected, expected | DP_L2_BUSY,
                                                 memory_order_acquire, memory_order_relaxed))
        return false;
    atomic_store_explicit(&e->val, val, memory_order_relaxed);
    atomic_store_explicit(&e->key, key, memory_order_release);
    return true;
}

int
dp_l2_learn(struct dp_l2 *l2, uint16_t vid, const uint8_t *mac, uint32_t port_no, uint32_t now_s)
{
    uint64_t k = l2_key(vid, mac);
    uint64_t nv = (uint64_t)port_no << 32 | now_s;
    uint32_t h = l2_hash(k);
    for (uint32_t i = 0; i < DP_L2_WINDOW; i++) {
        struct dp_l2_entry *e = &l2->e[(h + i) & l2->mask];
        uint64_t key = atomic_load_explicit(&e->key, memory_order_acquire);
        if (!key)
            break;
        if ((key & ~DP_L2_BUSY) != k)
            continue;
        /* Known: rewrite only when something changed (port, second); if
         * another writer is at it, it writes the same news. */
        if (key == k && atomic_load_explicit(&e->val, memory_order_relaxed) != nv)
            slot_write(e, k, k, nv);
        return 0;
    }
    for (uint32_t i = 0; i < DP_L2_WINDOW; i++) {
        struct dp_l2_entry *e = &l2->e[(h + i) & l2->mask];
        uint64_t key = atomic_load_explicit(&e->key, memory_order_acquire);
        if (key & DP_L2_BUSY)
            continue;
        if (key && !aged(l2, atomic_load_explicit(&e->val, memory_order_relaxed), now_s))
            continue;
        if (slot_write(e, key, k, nv))
            return 0;
    }
    return -ENOSPC;
}

void
dp_l2_forward(struct dp_worker *w, struct dp_xctx *x, bool give)
{
    struct dp_l2 *l2 = w->dp->l2;
    /* The packet as it is now (a program may have rewritten it before
     * output:NORMAL), not the key it arrived with. */
    const uint8_t *p = dp_pkt_data(x->m);
    int64_t port = -1;
    if (dp_pkt_len(x->m) >= FT_ETH_ADDRS_LEN + 2) {
        uint16_t tpid = ft_rd16(p + FT_ETH_ADDRS_LEN);
        bool tagged = (tpid == FT_ETH_TYPE_VLAN || tpid == FT_ETH_TYPE_QINQ) &&
                      dp_pkt_len(x->m) >= FT_ETH_ADDRS_LEN + 4;
        uint16_t vid = tagged ? ft_rd16(p + FT_ETH_ADDRS_LEN + 2) & 0x0fff : 0;
        uint32_t now_s = (uint32_t)(w->now_ns / 1000000000u);
        if (x->in && !(p[6] & 1) && dp_l2_learn(l2, vid, p + 6, x->in->port_no, now_s))
            dp_note(w, DP_NOTE_L2_TABLE_FULL);
        if (!(p[0] & 1))
            port = dp_l2_lookup(l2, vid, p, now_s);
    }
    if (port < 0) {
        dp_note(w, DP_NOTE_L2_FLOOD);
        dp_exec_flood(w, x, give);
    } else if (x->in && (uint32_t)port == x->in->port_no) {
        dp_xctx_drop(w, x, DP_DROP_L2_SAME_PORT);
    } else {
        const struct dp_port_rt *rt = dp_snap_port(w->snap, (uint32_t)port);
        if (!rt) {
            dp_xctx_drop(w, x, DP_DROP_BAD_PORT); /* Learnt on a port since removed. */
        } else {
            struct rte_mbuf *m = give ? x->m : dp_exec_copy(w, x);
            if (give)
                x->m = NULL;
            if (m)
                dp_exec_send(w, x, rt, m);
        }
    }
    if (give && x->m) {
        rte_pktmbuf_free(x->m);
        x->m = NULL;
    }
}

void
dp_l2_packet(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf *m,
             const struct ft_key *key, const struct ft_layout *lay)
{
    struct dp_xctx x = {
        .m = m, .in = in, .in_port = in->port_no, .key = key, .len = rte_pktmbuf_pkt_len(m)};
    dp_hdr_from_key(&x.h, key, lay);
    dp_l2_forward(w, &x, true);
}
