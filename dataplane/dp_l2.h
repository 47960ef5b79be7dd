/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_l2.h — the L2 learning switch of standalone fail mode (and of
 * output:NORMAL): MAC learning per VLAN with aging, flooding of unknown
 * and multicast destinations.
 *
 * One table shared by every worker, without locks: RSS spreads a host's
 * flows over workers, and a per-worker table would flood what another
 * worker already learnt. Slots hold a 64-bit key (VLAN and MAC) and a
 * 64-bit value (port and last-seen second). Learning a new MAC claims a
 * free or aged slot of its probe window with a CAS on the key (marked busy
 * while the value is written); readers re-check the key after reading the
 * value, so they never pair a key with another MAC's port. A learnt MAC
 * is refreshed at most once a second, so steady traffic does not bounce
 * the table's cache lines between workers. Duplicates (two workers
 * learning one new MAC at once) are harmless: lookups take the first,
 * the other ages out.
 *
 * Thread safety: create/free by the agent; learn/lookup by any worker.
 */
#ifndef DP_L2_H
#define DP_L2_H

#include <stdatomic.h>
#include <stdint.h>

#include "dp_int.h"

struct dp_l2_entry {
    _Atomic uint64_t key; /* 0 empty; DP_L2_BUSY | vid << 48 | mac; */
    _Atomic uint64_t val; /* port_no << 32 | last-seen second. */
};

struct dp_l2 {
    uint32_t mask;
    uint32_t aging_s;
    struct dp_l2_entry e[];
};

/* entries is rounded up to a power of two. NULL on -ENOMEM. */
struct dp_l2 *dp_l2_create(uint32_t entries, uint32_t aging_s);
void dp_l2_free(struct dp_l2 *l2);

/* 0 on success, -ENOSPC when the probe window holds only live entries. */
int dp_l2_learn(struct dp_l2 *l2, uint16_t vid, const uint8_t *mac, uint32_t port_no,
                uint32_t now_s);
/* The port the MAC was last seen on in this VLAN, or -1. */
int64_t dp_l2_lookup(const struct dp_l2 *l2, uint16_t vid, const uint8_t *mac, uint32_t now_s);

/* Standalone mode: forward one received packet (it owns m). */
void dp_l2_packet(struct dp_worker *w, const struct dp_port_rt *in, struct rte_mbuf *m,
                  const struct ft_key *key, const struct ft_layout *lay);

#endif /* DP_L2_H */
