/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The op loop: every op of ft_walk.h on a real mbuf (dp_exec.h). Header
 * edits are the families of dp_hdrops.h; this file decides ownership,
 * outputs, packet-ins and drops, and counts each under its name.
 */
#include <errno.h>
#include <string.h>

#include "dp_exec.h"
#include "dp_hdrops.h"

struct rte_mbuf *
dp_exec_copy(struct dp_worker *w, struct dp_xctx *x)
{
    struct rte_mbuf *c = rte_pktmbuf_copy(x->m, x->m->pool, 0, UINT32_MAX);
    if (!c)
        dp_xctx_drop(w, x, DP_DROP_NOMEM);
    return c;
}

static void
hdr_fresh(struct dp_xctx *x)
{
    if (x->dirty) {
        dp_hdr_parse(x->m, &x->h);
        x->dirty = false;
    }
}

void
dp_exec_send(struct dp_worker *w, struct dp_xctx *x, const struct dp_port_rt *rt,
             struct rte_mbuf *m)
{
    enum dp_drop d;
    if (rt->config & FT_PC_PORT_DOWN)
        d = DP_DROP_PORT_DOWN;
    else if (rt->config & FT_PC_NO_FWD)
        d = DP_DROP_NO_FWD;
    else if (rt->link_gated)
        d = DP_DROP_LINK_DOWN;
    else {
        if (x->has_queue)
            m->hash.sched.queue_id = x->queue; /* No TX queue mapping beyond this. */
        dp_tx_enqueue(w, rt, m);
        x->emitted++;
        return;
    }
    dp_xctx_drop(w, x, d);
    DP_COUNT(w->c.port_tx_drop[rt->slot], 1);
    rte_pktmbuf_free(m);
}

/* Send to one port: the original when give, else a copy. */
static void
send_one(struct dp_worker *w, struct dp_xctx *x, const struct dp_port_rt *rt, bool give)
{
    struct rte_mbuf *m = give ? x->m : dp_exec_copy(w, x);
    if (give)
        x->m = NULL;
    if (m)
        dp_exec_send(w, x, rt, m);
}

static bool
flood_target(const struct dp_xctx *x, const struct dp_port_rt *rt)
{
    /* Standard ports only (LOCAL is not flooded), live, forwarding. */
    return rt->port_no <= FT_PORT_MAX && rt != x->in && rt->link_up && dp_port_sends(rt);
}

void
dp_exec_flood(struct dp_worker *w, struct dp_xctx *x, bool give)
{
    const struct dp_snap *s = w->snap;
    int last = -1;
    for (unsigned i = 0; i < s->n_ports; i++)
        if (flood_target(x, &s->ports[i]))
            last = (int)i;
    if (last < 0)
        dp_xctx_drop(w, x, DP_DROP_FLOOD_EMPTY);
    for (int i = 0; i <= last && x->m; i++)
        if (flood_target(x, &s->ports[i]))
            send_one(w, x, &s->ports[i], give && i == last);
}

void
dp_exec_output(struct dp_worker *w, struct dp_xctx *x, uint32_t port, bool give)
{
    const struct dp_port_rt *rt;
    switch (port) {
    case FT_PORT_IN_PORT:
        if (x->in)
            send_one(w, x, x->in, give);
        else
            dp_xctx_drop(w, x, DP_DROP_BAD_PORT);
        break;
    case FT_PORT_FLOOD:
    case FT_PORT_ALL:
        /* Without STP, the ports FLOOD and ALL reach are the same. */
        dp_exec_flood(w, x, give);
        break;
    case FT_PORT_NORMAL:
        dp_l2_forward(w, x, give);
        break;
    case FT_PORT_LOCAL:
        rt = dp_snap_port(w->snap, FT_PORT_LOCAL);
        if (rt)
            send_one(w, x, rt, give);
        else
            dp_xctx_drop(w, x, DP_DROP_NO_LOCAL);
        break;
    default:
        rt = dp_snap_port(w->snap, port);
        if (!rt)
            dp_xctx_drop(w, x, DP_DROP_BAD_PORT);
        else if (rt == x->in)
            dp_xctx_drop(w, x, DP_DROP_IN_PORT);
        else
            send_one(w, x, rt, give);
        break;
    }
    if (give && x->m) { /* Handed over but not sent: nobody else wants it. */
        rte_pktmbuf_free(x->m);
        x->m = NULL;
    }
}

/* A packet-in: a copy cut to max_len, with what the agent needs in the
 * copy's private area, onto this worker's ring. */
/* The virtual meters a controller may set on packet-ins: OFPM_CONTROLLER
 * on every one, and OFPM_SLOWPATH also on those that left the fast path
 * without an explicit CONTROLLER action (table misses, invalid TTLs).
 * True when a drop band took the packet-in. */
static bool
packet_in_metered(struct dp_worker *w, uint8_t reason, uint32_t len)
{
    const struct dp_meter_table *t = w->snap->meters;
    /* SLOWPATH first: what it drops does not use the controller's budget. */
    struct dp_meter_rt *rt = reason != FT_PR_ACTION ? dp_meter_lookup(t, FT_METER_SLOWPATH) : NULL;
    if (rt && dp_meter_run(rt, NULL, NULL, len, w->meter_now) == DP_METER_DROP)
        return true;
    rt = dp_meter_lookup(t, FT_METER_CONTROLLER);
    return rt && dp_meter_run(rt, NULL, NULL, len, w->meter_now) == DP_METER_DROP;
}

static void
packet_in(struct dp_worker *w, struct dp_xctx *x, uint8_t reason, uint16_t max_len,
          uint8_t table_id, uint64_t cookie, uint64_t metadata)
{
    if (x->in && (x->in->config & FT_PC_NO_PACKET_IN)) {
        dp_xctx_drop(w, x, DP_DROP_NO_PACKET_IN);
        return;
    }
    uint32_t len = rte_pktmbuf_pkt_len(x->m);
    if (packet_in_metered(w, reason, len)) {
        dp_xctx_drop(w, x, DP_DROP_PIN_METER);
        return;
    }
    uint32_t cut = max_len == FT_CML_NO_BUFFER || max_len > len ? len : max_len;
    struct rte_mbuf *c = rte_pktmbuf_copy(x->m, w->dp->pin_pool, 0, cut);
    if (!c) {
        dp_xctx_drop(w, x, DP_DROP_NOMEM);
        return;
    }
    struct dp_pin_meta *pm = rte_mbuf_to_priv(c);
    *pm = (struct dp_pin_meta){
        .reason = reason,
        .table_id = table_id,
        .max_len = max_len,
        .total_len = len,
        .cookie = cookie,
        .in_port = x->in_port,
        .metadata = metadata,
        .tunnel_id = x->tunnel_id,
    };
    if (rte_ring_sp_enqueue(w->pin_ring, c)) {
        rte_pktmbuf_free(c);
        dp_xctx_drop(w, x, DP_DROP_PIN_FULL);
        return;
    }
    dp_note(w, DP_NOTE_PACKET_IN);
    dp_agent_wake(w->dp);
    x->emitted++;
}

/* A TTL decrement found the TTL invalid: drop, and tell the controller if
 * it asked for it. */
static void
ttl_expired(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *op)
{
    const struct dp_snap *s = w->snap;
    if (s->invalid_ttl_to_ctrl)
        packet_in(w, x, FT_PR_INVALID_TTL, s->miss_send_len, (uint8_t)op->a32, op->a64,
                  op->value.u64);
    dp_xctx_drop(w, x, DP_DROP_TTL);
}

/* After a push_vlan: the layout a parse of the packet would find, when
 * it is the old one 4 bytes further (a parse completed before, a new
 * tag the parser knows at any depth, and an old outer tag that stays one
 * when second: not the pre-standard 0x9100); false: parse again. */
static bool
vlan_pushed(struct dp_xctx *x, uint16_t tpid)
{
    struct ft_layout *l = &x->h.lay;
    if (l->stop != FT_STOP_DONE || !x->h.eth_type ||
        (tpid != FT_ETH_TYPE_VLAN && tpid != FT_ETH_TYPE_QINQ) ||
        rte_pktmbuf_pkt_len(x->m) > 0xfffe || /* The parser reads that much at most. */
        (l->n_vlans &&
         ft_rd16(dp_pkt_data(x->m) + FT_ETH_ADDRS_LEN + FT_VLAN_LEN) == FT_ETH_TYPE_QINQ_OLD))
        return false;
    l->n_vlans++;
    uint16_t *ofs[] = {&l->l2_5, &l->l3, &l->l4};
    for (unsigned i = 0; i < 3; i++)
        if (*ofs[i] != FT_OFS_NONE)
            *ofs[i] = (uint16_t)(*ofs[i] + FT_VLAN_LEN);
    return true;
}

/* Header ops: 0 to go on, or the drop that ends the packet. */
static int
header_op(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *op)
{
    int ret;
    hdr_fresh(x);
    switch (op->type) {
    case FT_OP_SET_FIELD:
        ret = dp_set_field(x->m, &x->h, op->b8, &op->value);
        if (ret)
            dp_note(w, DP_NOTE_SETFIELD_ABSENT);
        else if (dp_set_field_reparses(op->b8))
            x->dirty = true; /* What follows the rewritten type field parses anew. */
        return 0;
    case FT_OP_PUSH_VLAN:
        ret = dp_push_vlan(x->m, &x->h, op->a16);
        if (!ret && vlan_pushed(x, op->a16))
            return 0;
        break;
    case FT_OP_POP_VLAN:
        ret = dp_pop_vlan(x->m, &x->h);
        break;
    case FT_OP_PUSH_MPLS:
        ret = dp_push_mpls(x->m, &x->h, op->a16);
        break;
    case FT_OP_POP_MPLS:
        ret = dp_pop_mpls(x->m, &x->h, op->a16);
        break;
    case FT_OP_PUSH_PBB:
        ret = dp_push_pbb(x->m, &x->h, op->a16);
        break;
    case FT_OP_POP_PBB:
        ret = dp_pop_pbb(x->m, &x->h);
        break;
    case FT_OP_SET_MPLS_TTL:
        ret = dp_set_mpls_ttl(x->m, &x->h, op->b8);
        break;
    case FT_OP_SET_NW_TTL:
        ret = dp_set_nw_ttl(x->m, &x->h, op->b8);
        break;
    case FT_OP_DEC_MPLS_TTL:
        ret = dp_dec_mpls_ttl(x->m, &x->h);
        break;
    case FT_OP_DEC_NW_TTL:
        ret = dp_dec_nw_ttl(x->m, &x->h);
        break;
    case FT_OP_COPY_TTL_OUT:
        ret = dp_copy_ttl_out(x->m, &x->h);
        break;
    case FT_OP_COPY_TTL_IN:
        ret = dp_copy_ttl_in(x->m, &x->h);
        break;
    default:
        return 0;
    }
    switch (ret) {
    case 0:
        /* Pushes and pops move headers: parse again before the next op
         * that needs them. */
        if (op->type >= FT_OP_PUSH_VLAN && op->type <= FT_OP_POP_PBB)
            x->dirty = true;
        return 0;
    case -ENOENT:
        dp_note(w, DP_NOTE_HDROP_ABSENT);
        return 0;
    case -ENOSPC:
        return DP_DROP_NO_HEADROOM + 1;
    case DP_TTL_EXPIRED:
        ttl_expired(w, x, op);
        return -1;
    default:
        return 0;
    }
}

/* The ops a router's programs are made of, without header_op's dispatch
 * and its calls: true when done. Anything else (a short packet, headers to
 * parse again, a TTL that expires) goes the general way, which notes and
 * drops as it should. */
static inline bool
fast_set_eth_addr(struct dp_xctx *x, const struct ft_op *op)
{
    if ((op->b8 != FT_F_ETH_DST && op->b8 != FT_F_ETH_SRC) || dp_pkt_len(x->m) < FT_ETH_ADDRS_LEN)
        return false;
    memcpy(dp_pkt_data(x->m) + (op->b8 == FT_F_ETH_DST ? 0 : 6), op->value.bytes, 6);
    return true;
}

static inline bool
fast_dec_ipv4_ttl(struct dp_xctx *x)
{
    if (x->dirty || !dp_hdr_is_ipv4(&x->h) ||
        (size_t)x->h.lay.l3 + FT_IPV4_MIN_LEN > dp_pkt_len(x->m))
        return false;
    uint8_t *ip = dp_pkt_data(x->m) + x->h.lay.l3;
    if (ip[0] < 0x45 || ip[0] > 0x4f || ip[8] <= 1) /* Version 4, IHL >= 5; TTL. */
        return false;
    uint32_t old = ft_rd16(ip + 8); /* TTL and protocol: one checksum word. */
    ip[8]--;
    dp_csum_fix(ip + 10, old, ft_rd16(ip + 8));
    return true;
}

/* An output that hands the packet to a plain port (its number below
 * DP_SMALL_PORT, not the in port, up and forwarding): straight into the
 * port's TX buffer. Anything else goes through dp_exec_output, which
 * counts each drop under its name. */
static inline bool
fast_output(struct dp_worker *w, struct dp_xctx *x, uint32_t port)
{
    if (port >= DP_SMALL_PORT)
        return false;
    const struct dp_snap *s = w->snap;
    unsigned i = s->small[port];
    if (!i)
        return false;
    const struct dp_port_rt *rt = &s->ports[i - 1];
    if (rt == x->in || !dp_port_sends(rt))
        return false;
    if (x->has_queue)
        x->m->hash.sched.queue_id = x->queue;
    x->len = rte_pktmbuf_pkt_len(x->m);
    dp_tx_enqueue(w, rt, x->m);
    x->m = NULL;
    x->emitted++;
    return true;
}

static int
meter_op(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *op)
{
    struct dp_meter_rt *rt = dp_meter_lookup(w->snap->meters, op->a32);
    if (!rt) {
        dp_note(w, DP_NOTE_METER_MISSING);
        return 0;
    }
    if (x->m)
        hdr_fresh(x);
    uint32_t len = x->m ? rte_pktmbuf_pkt_len(x->m) : x->len;
    switch (dp_meter_run(rt, x->m, &x->h, len, w->meter_now)) {
    case DP_METER_DROP:
        return x->m ? DP_DROP_METER + 1 : 0; /* Already sent: count only. */
    case DP_METER_REMARKED:
        dp_note(w, DP_NOTE_METER_REMARK);
        return 0;
    default:
        return 0;
    }
}

void
dp_exec_ops(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *ops, size_t n)
{
    dp_exec_part(w, x, ops, n, ft_program_last_emitter(ops, n), true);
}

void
dp_exec_part(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *ops, size_t n, size_t last,
             bool final)
{
    if (!final)
        last = n; /* Only the final part may hand the mbuf over: later parts need it. */
    for (size_t i = 0; i < n; i++) {
        const struct ft_op *op = &ops[i];
        int drop = 0;
        if (!x->m) {
            /* Handed over: later meters still account for it. */
            if (op->type == FT_OP_METER)
                meter_op(w, x, op);
            else if (op->type == FT_OP_GROUP)
                i += op->a64;
            continue;
        }
        switch (op->type) {
        case FT_OP_OUTPUT:
            if (i != last || !fast_output(w, x, op->a32)) {
                if (i == last)
                    x->len = rte_pktmbuf_pkt_len(x->m);
                dp_exec_output(w, x, op->a32, i == last);
            }
            break;
        case FT_OP_CONTROLLER:
            packet_in(w, x, op->b8, op->a16, (uint8_t)op->a32, op->a64, op->value.u64);
            break;
        case FT_OP_SET_FIELD:
            if (op->b8 == FT_F_TUNNEL_ID)
                x->tunnel_id = op->value.u64; /* No header: the packet-in carries it. */
            else if (!fast_set_eth_addr(x, op))
                drop = header_op(w, x, op);
            break;
        case FT_OP_DEC_NW_TTL:
            if (!fast_dec_ipv4_ttl(x))
                drop = header_op(w, x, op);
            break;
        case FT_OP_SET_QUEUE:
            x->queue = op->a32;
            x->has_queue = true;
            break;
        case FT_OP_METER:
            drop = meter_op(w, x, op);
            break;
        case FT_OP_GROUP:
            hdr_fresh(x);
            if (i == last)
                x->len = rte_pktmbuf_pkt_len(x->m);
            dp_exec_group(w, x, op, i == last);
            i += op->a64;
            break;
        case FT_OP_BUCKET: /* Only inside a group block. */
            i += op->a32;
            break;
        case FT_OP_RECIRC: /* The last op: the caller parses the packet again. */
            x->recirc = op;
            return;
        default:
            drop = header_op(w, x, op);
            break;
        }
        if (drop) {
            if (drop > 0)
                dp_xctx_drop(w, x, (enum dp_drop)(drop - 1));
            rte_pktmbuf_free(x->m);
            x->m = NULL;
            return;
        }
    }
    if (x->m && final) {
        rte_pktmbuf_free(x->m);
        x->m = NULL;
    }
}

bool
dp_exec_packet(struct dp_worker *w, const struct dp_port_rt *in, uint32_t in_port,
               struct rte_mbuf *m, const struct ft_key *key, const struct ft_layout *lay,
               const struct ft_cache_result *prog, struct dp_recirc *rc)
{
    if (!prog->n_ops) {
        dp_drop(w, dp_prog_drop(prog), 1);
        rte_pktmbuf_free(m);
        return false;
    }
    struct dp_xctx x = {
        .m = m,
        .in = in,
        .in_port = in_port,
        .tunnel_id = key->tunnel_id,
        .key = key,
        .len = rte_pktmbuf_pkt_len(m),
    };
    dp_hdr_from_key(&x.h, key, lay);
    /* The stages' programs, one after the other on the same packet. */
    for (unsigned f = 0; f < prog->n_frags && x.m && !x.recirc; f++)
        dp_exec_part(w, &x, prog->frag[f].ops, prog->frag[f].n_ops, prog->frag[f].last_emitter,
                     f + 1 == prog->n_frags);
    if (x.recirc && x.m) {
        *rc = (struct dp_recirc){.m = x.m,
                                 .id = (uint16_t)x.recirc->a32,
                                 .gen = x.recirc->a16,
                                 .tunnel_id = x.tunnel_id};
        return true;
    }
    if (!x.emitted && !x.dropped)
        dp_drop(w, dp_prog_drop(prog), 1);
    return false;
}

enum ft_parse_stop
dp_recirc_parse(const struct dp_recirc *rc, uint32_t in_port, struct ft_key *key,
                struct ft_layout *lay)
{
    const struct ft_port_meta meta = {
        .in_port = in_port, .in_phy_port = in_port, .tunnel_id = rc->tunnel_id};
    enum ft_parse_stop stop = ft_parse(rte_pktmbuf_mtod(rc->m, const uint8_t *),
                                       rte_pktmbuf_data_len(rc->m), &meta, key, lay);
    key->recirc_id = rc->id;
    key->recirc_gen = rc->gen;
    return stop;
}
