/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GROUP blocks (ft_walk.h): ALL runs every bucket, SELECT one bucket by a
 * flow hash weighted by bucket weight, INDIRECT and FF the one bucket the
 * walk left in the block. Each bucket runs on its own copy of the packet;
 * the packet after the block is the one before it. Group and bucket
 * counters go to the flowtable group of the snapshot's version.
 */
#include "dp_exec.h"
#include "ft_group.h"

const struct ft_op *
dp_select_bucket(const struct ft_op *g, uint32_t hash)
{
    const struct ft_op *end = g + 1 + g->a64;
    uint64_t total = 0;
    for (const struct ft_op *b = g + 1; b < end; b += 1 + b->a32)
        total += b->value.u32;
    if (!total)
        return NULL;
    /* Scale the hash onto [0, total): no modulo bias worth the name. */
    uint64_t pick = ((uint64_t)hash * total) >> 32;
    for (const struct ft_op *b = g + 1; b < end; b += 1 + b->a32) {
        if (pick < b->value.u32)
            return b;
        pick -= b->value.u32;
    }
    return NULL;
}

/* Only what names the flow counts — addresses, ethertype, VLAN id,
 * protocol, ports, ICMP type/code, ARP opcode, MPLS label — not the marks
 * a flow's packets may carry differently (PCP, DSCP, ECN, MPLS TC: ECN
 * marking mid-flow must not move a flow to another bucket). */
uint32_t
dp_select_hash(const struct ft_key *k)
{
    uint64_t h = 0x2545f4914f6cdd1dull;
    h = ft_hash_add64(h, k->w[3]); /* eth_dst, eth_type */
    h = ft_hash_add64(h, k->w[4]); /* eth_src, vlan_vid */
    h = ft_hash_add64(h, k->w[5]); /* IPv4 or ARP addresses */
    h = ft_hash_add64(h, (uint64_t)k->tp_src | (uint64_t)k->tp_dst << 16 |
                             (uint64_t)k->ip_proto << 32 | (uint64_t)k->icmp_type << 40 |
                             (uint64_t)k->icmp_code << 48);
    h = ft_hash_add64(h, (uint64_t)k->arp_op | (uint64_t)k->mpls_label << 16);
    for (int i = 10; i < 14; i++) /* IPv6 addresses. */
        h = ft_hash_add64(h, k->w[i]);
    return ft_hash_finish(h);
}

static void
run_bucket(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *b, bool give)
{
    struct dp_xctx sub = *x;
    sub.m = give ? x->m : dp_exec_copy(w, x);
    if (give)
        x->m = NULL;
    if (!sub.m)
        return;
    sub.emitted = 0;
    sub.dropped = false;
    dp_exec_ops(w, &sub, b + 1, b->a32);
    x->emitted = (uint16_t)(x->emitted + sub.emitted);
    x->dropped |= sub.dropped;
}

void
dp_exec_group(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *g, bool give)
{
    const struct ft_group *fg = ft_pipeline_group_find(w->dp->p, w->snap->version, g->a32);
    uint32_t len = rte_pktmbuf_pkt_len(x->m);
    const struct ft_op *b = g + 1;
    if (!g->a16) {
        dp_xctx_drop(w, x, DP_DROP_GROUP_EMPTY);
    } else if (g->b8 == FT_GT_ALL) {
        if (fg)
            ft_group_add_stats(fg, UINT32_MAX, 1, len);
        for (uint16_t k = 0; k < g->a16 && x->m; k++, b += 1 + b->a32) {
            if (fg)
                ft_group_add_bucket_stats(fg, b->a16, 1, len);
            run_bucket(w, x, b, give && k + 1 == g->a16);
        }
    } else {
        if (g->b8 == FT_GT_SELECT)
            b = dp_select_bucket(g, dp_select_hash(x->key));
        if (!b) {
            dp_xctx_drop(w, x, DP_DROP_GROUP_EMPTY);
        } else {
            if (fg)
                ft_group_add_stats(fg, b->a16, 1, len);
            run_bucket(w, x, b, give);
        }
    }
    if (give && x->m) {
        rte_pktmbuf_free(x->m);
        x->m = NULL;
    }
}
