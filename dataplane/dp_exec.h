/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_exec.h (internal) — running a program (ft_walk.h ops) on one packet:
 * the op loop and outputs (dp_exec.c), groups (dp_exec_group.c) and the
 * L2 learning switch behind standalone mode and output:NORMAL (dp_l2.c).
 *
 * Ownership: a struct dp_xctx owns its mbuf. An output sends a copy,
 * except the last op that can emit the packet, which hands over the mbuf
 * itself (no copy for the common "…,output:N" program). Group buckets run
 * on copies (rte_pktmbuf_copy: a deep copy, so bucket edits never show in
 * the packet after the group); the last bucket of a group that is the last
 * emitter takes the original. What nobody took is freed at the end.
 *
 * Thread safety: the executing worker's (or the agent's, for packet-out).
 */
#ifndef DP_EXEC_H
#define DP_EXEC_H

#include "dp_int.h"

struct dp_xctx {
    struct rte_mbuf *m; /* NULL once handed over. */
    struct dp_hdr h;    /* Where the headers are; stale while dirty. */
    bool dirty;
    const struct dp_port_rt *in; /* Ingress port; NULL (packet-out) if none. */
    uint32_t in_port;
    uint64_t tunnel_id;
    const struct ft_key *key; /* As received: SELECT hash, packet-in fields. */
    uint32_t len;             /* Length when last seen (accounting after hand-over). */
    uint32_t queue;
    bool has_queue;
    bool dropped;               /* A drop reason was counted for it (or a copy). */
    uint16_t emitted;           /* Copies sent or queued (TX, packet-in). */
    const struct ft_op *recirc; /* The program's FT_OP_RECIRC, once reached: x->m stays. */
};

/* Run ops[0..n) on x (which it owns: x->m is sent or freed). */
void dp_exec_ops(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *ops, size_t n);
/* One part of a program made of parts (the flow cache's stages): only the
 * final part may hand the mbuf over (at last, its
 * ft_program_last_emitter) or free it. */
void dp_exec_part(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *ops, size_t n,
                  size_t last, bool final);

/* OUTPUT to a port number or a reserved port; give: hand over x->m. */
void dp_exec_output(struct dp_worker *w, struct dp_xctx *x, uint32_t port, bool give);

/* A GROUP op and its block; give as for outputs. */
void dp_exec_group(struct dp_worker *w, struct dp_xctx *x, const struct ft_op *g, bool give);

/* The BUCKET op a SELECT group's block picks for hash, by weight; NULL if
 * the block has no bucket of non-zero weight. */
const struct ft_op *dp_select_bucket(const struct ft_op *g, uint32_t hash);
/* The SELECT hash of a packet's flow as received: the same flow always
 * takes the same bucket, whatever the program did to the packet before
 * the group. */
uint32_t dp_select_hash(const struct ft_key *k);

/* The commonest program, one output to a standard port that can send:
 * that port, where the packet goes straight to the TX buffer, as
 * dp_exec_packet would send it but without building its context. NULL:
 * not such a program or port (dp_exec_packet runs it and names any drop). */
static inline const struct dp_port_rt *
dp_exec_plain_target(const struct dp_worker *w, const struct dp_port_rt *in,
                     const struct ft_cache_result *prog)
{
    if (prog->n_ops != 1 || prog->n_frags != 1)
        return NULL;
    const struct ft_op *op = prog->frag[0].ops;
    if (op->type != FT_OP_OUTPUT || op->a32 >= DP_SMALL_PORT)
        return NULL;
    const struct dp_port_rt *rt = dp_snap_port(w->snap, op->a32);
    if (!rt || rt == in || !dp_port_sends(rt))
        return NULL;
    return rt;
}

/* Count a drop for x. */
static inline void
dp_xctx_drop(struct dp_worker *w, struct dp_xctx *x, enum dp_drop d)
{
    dp_drop(w, d, 1);
    x->dropped = true;
}

/* A deep copy of x->m from the worker's pool, or NULL (counted). */
struct rte_mbuf *dp_exec_copy(struct dp_worker *w, struct dp_xctx *x);

/* Send m (x's packet or a copy of it) out of rt, or drop it counted. */
void dp_exec_send(struct dp_worker *w, struct dp_xctx *x, const struct dp_port_rt *rt,
                  struct rte_mbuf *m);

/* FLOOD/ALL: every live port but the ingress one, without NO_FWD. */
void dp_exec_flood(struct dp_worker *w, struct dp_xctx *x, bool give);

/* dp_l2.c: learn the source, then send to the learnt port or flood. */
void dp_l2_forward(struct dp_worker *w, struct dp_xctx *x, bool give);

#endif /* DP_EXEC_H */
