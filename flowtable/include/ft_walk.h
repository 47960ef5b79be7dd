/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_walk.h — the pipeline walk: a flow key in, one composed action
 * program out, plus the megaflow mask (every key bit the walk consulted)
 * and the rules matched. Any packet equal to the walked key under the mask
 * gets the very same program from the same version: that is what lets the
 * flow cache stand for the walk.
 *
 * Thread safety: reader-safe (see ft_pipeline.h): any thread may walk any
 * version it loaded with ft_pipeline_version(), concurrently with the
 * writer. The output buffer belongs to the caller.
 */
#ifndef FT_WALK_H
#define FT_WALK_H

#include <stddef.h>
#include <stdint.h>

#include "ft_action.h"
#include "ft_key.h"
#include "ft_pipeline.h"

/* Packet-in reasons (OFPR_*). */
enum ft_packet_in_reason {
    FT_PR_NO_MATCH = 0,
    FT_PR_ACTION = 1,
    FT_PR_INVALID_TTL = 2,
};

/*
 * Program operations. The executor runs them in order on one packet; an
 * OUTPUT or CONTROLLER sends a copy of the packet as it is at that point.
 * Fields not named for an op are zero.
 */
enum ft_op_type {
    FT_OP_OUTPUT = 1, /* a32 port: a number, or IN_PORT, FLOOD, ALL, LOCAL. The
                         executor drops an output to the ingress port (use IN_PORT). */
    FT_OP_CONTROLLER, /* b8 reason, a16 max_len, a32 table_id, a64 cookie,
                         value.u64 metadata (the packet-in's pipeline field). */
    FT_OP_SET_FIELD,  /* b8 field, value. Runtime no-op if the header is absent. */
    FT_OP_PUSH_VLAN,  /* a16 TPID. New tag copies VID/PCP of the old outer tag, or 0. */
    FT_OP_POP_VLAN,
    FT_OP_PUSH_MPLS, /* a16 ethertype. Label/TC copied from an existing label,
                        else 0; TTL from the IP TTL (64 if not IP). */
    FT_OP_POP_MPLS,  /* a16 ethertype of what follows. */
    FT_OP_PUSH_PBB,  /* a16 ethertype (0x88e7). */
    FT_OP_POP_PBB,
    FT_OP_SET_MPLS_TTL, /* b8 ttl. */
    FT_OP_SET_NW_TTL,   /* b8 ttl. */
    FT_OP_DEC_MPLS_TTL, /* a32 table_id, a64 cookie, value.u64 metadata: for the
                           INVALID_TTL packet-in. */
    FT_OP_DEC_NW_TTL,   /* a32 table_id, a64 cookie, value.u64 metadata: likewise. */
    FT_OP_COPY_TTL_OUT,
    FT_OP_COPY_TTL_IN,
    FT_OP_SET_QUEUE, /* a32 queue id. */
    FT_OP_METER,     /* a32 meter id. Drop or remark per the meter's bands. */
    FT_OP_GROUP,     /* b8 group type, a16 number of BUCKET blocks that follow,
                        a32 group id, a64 ops in the whole block after this op.
                        Buckets run on clones; the packet after the block is the
                        packet before it. ALL: every bucket. SELECT: one bucket
                        chosen by packet hash and weight. INDIRECT and FF: the one
                        bucket present (FF: the first live one, chosen by the
                        walk; none live = no bucket). */
    FT_OP_BUCKET,    /* a16 bucket index in its group, a32 ops in this bucket,
                        value.u32 weight. */
    FT_OP_RECIRC,    /* Last op of a program that popped what hid further headers
                        (an MPLS label, a PBB I-TAG, one of two VLAN tags): parse
                        the packet again, set the key's recirc_id to a32 and
                        recirc_gen to a16 (the flow cache's continuation), keep
                        in_port and tunnel_id, and classify it again. */
    FT_OP_KEYSET,    /* Only before FT_OP_STAGE, never executed: word a16 of the
                        key the next stage looks up is (word & ~a64) | value.u64
                        (what this stage's actions wrote, metadata included). */
    FT_OP_STAGE,     /* Last op of a staged walk that reached a table of the next
                        stage (a goto): the flow cache looks the key, with the
                        KEYSETs applied and recirc_id a32 / recirc_gen a16, up in
                        the next stage, whose walk goes on from out->cont. The
                        packet is not parsed again: the key models it exactly. */
};

struct ft_op {
    uint8_t type; /* enum ft_op_type. */
    uint8_t b8;
    uint16_t a16;
    uint32_t a32;
    uint64_t a64;
    union ft_value value;
};

_Static_assert(sizeof(struct ft_op) == 32, "ft_op is 32 bytes");

#define FT_WALK_MAX_OPS    512
#define FT_WALK_MAX_VISITS 255 /* Tables visited (goto only goes forward). */
#define FT_WALK_MAX_DEPS   64

/* Outcome flags. */
enum ft_walk_flags {
    /* The program did not fit FT_WALK_MAX_OPS (or groups nested too deep):
     * it was replaced by an empty program (drop). */
    FT_WALK_F_OVERFLOW = 1 << 0,
    /* (1 << 1 was "unmodelled": walks recirculate after pops instead.) */
    /* The program sends to the controller (packet-in). */
    FT_WALK_F_CONTROLLER = 1 << 2,
    /* More than FT_WALK_MAX_DEPS dependencies: treat every group, meter and
     * port change as affecting this result. */
    FT_WALK_F_DEPS_ALL = 1 << 3,
    /* The walk ended on a table miss with no table-miss rule. */
    FT_WALK_F_TABLE_MISS = 1 << 4,
    /* The program ends with FT_OP_RECIRC; out->cont says where to resume. */
    FT_WALK_F_RECIRC = 1 << 5,
    /* The program ends with FT_OP_STAGE; out->cont says where to resume. */
    FT_WALK_F_STAGE = 1 << 6,
};

/* One table lookup of the walk, in order. */
struct ft_walk_visit {
    uint8_t table_id;
    /* Not a lookup: the rule whose instructions a resumed walk (after a
     * recirculation) goes on with. Changing the rule changes the result;
     * its packets and the table's lookups were counted before. */
    bool resumed;
    const struct ft_rule *rule; /* NULL: table miss without a table-miss rule. */
};

/* Something outside the tables that the program depends on. */
enum ft_dep_kind {
    FT_DEP_GROUP = 1, /* The group's buckets were composed in. */
    FT_DEP_PORT = 2,  /* A port's liveness chose an FF/SELECT bucket. */
    FT_DEP_METER = 3, /* A meter is applied. */
};

struct ft_walk_dep {
    uint8_t kind; /* enum ft_dep_kind. */
    uint32_t id;
};

/* Where a walk goes on after FT_OP_RECIRC, once the packet was parsed
 * again: plain data, compared and hashed bytewise by the flow cache, which
 * keeps one copy per distinct continuation. */
enum ft_cont_kind {
    FT_CONT_APPLY = 1, /* In rule's apply-actions at `next`, then its other
                          instructions; `as` is the action set so far. */
    FT_CONT_SET = 2,   /* Executing the action set `as`, its `next`-th action
                          in execution order (ft_action_set_list). */
    FT_CONT_LIST = 3,  /* A packet-out's action list `list` at `next`. */
    FT_CONT_GOTO = 4,  /* A goto to table_id, the first of a stage: its lookup,
                          with the action set `as` so far. Metadata is the
                          key's when key_metadata, else `metadata`. */
    /* With `list` set for APPLY or SET, the walk ran from a packet-out's
     * output:TABLE: the list goes on at list_next afterwards. */
};

struct ft_walk_cont {
    const struct ft_rule *rule;   /* FT_CONT_APPLY. */
    const struct ft_action *list; /* FT_CONT_LIST (packet-outs only: not kept). */
    uint64_t metadata;            /* The pipeline's metadata at the pop. */
    uint64_t cookie;              /* The running rule's, for packet-in/TTL ops. */
    uint16_t next;
    uint16_t n_list;
    uint16_t list_next; /* APPLY/SET inside a packet-out's output:TABLE: where
                           its list goes on once the tables are done. */
    uint8_t kind;       /* enum ft_cont_kind. */
    uint8_t table_id;
    bool table_miss_rule;
    bool key_metadata; /* FT_CONT_GOTO after FT_OP_STAGE: metadata is in the key. */
    uint8_t pad_[2];
    struct ft_action_set as; /* Slots not present are zero. */
};

/*
 * Stages: where a staged walk (the flow cache's) stops. A goto into a table
 * whose bit is set ends the walk with FT_OP_STAGE (or, when the key cannot
 * model the packet any more, FT_OP_RECIRC) and a FT_CONT_GOTO continuation:
 * the tables from there are the next stage's, cached by their own entries.
 * A chain of stage results is the whole walk's result: programs run one
 * after the other on the same packet.
 */
#define FT_MAX_STAGES 4
struct ft_walk_stages {
    uint64_t starts[4]; /* Bit per table id; table 0 always starts stage 0. */
};

static inline bool
ft_stage_starts_at(const struct ft_walk_stages *s, unsigned table_id)
{
    return s && table_id && (s->starts[table_id >> 6] >> (table_id & 63) & 1);
}

/* The stage a table belongs to (0 for table 0): the starts at or below it. */
static inline unsigned
ft_stage_of(const struct ft_walk_stages *s, unsigned table_id)
{
    unsigned n = 0;
    for (unsigned t = 1; s && t <= table_id; t++)
        n += ft_stage_starts_at(s, t);
    return n;
}

struct ft_walk_out {
    struct ft_key mask;    /* Megaflow mask: the key bits consulted. */
    struct ft_key written; /* Bits some action overwrote before a later lookup could
                              read them (metadata always): the packet does not decide
                              them, so invalidation ignores them. */
    uint32_t flags;        /* enum ft_walk_flags. */
    uint16_t n_ops;
    uint16_t n_visits;
    uint16_t n_deps;
    struct ft_op ops[FT_WALK_MAX_OPS];
    struct ft_walk_visit visits[FT_WALK_MAX_VISITS];
    struct ft_walk_dep deps[FT_WALK_MAX_DEPS];
    struct ft_walk_cont cont; /* With FT_WALK_F_RECIRC. */
};

/*
 * Walk version v of the pipeline for key, from table 0. Always fills *out
 * (the program may be empty: drop). Returns 0, or -E2BIG with
 * FT_WALK_F_OVERFLOW set. out is about 20 KiB: callers keep one around.
 */
int ft_walk(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
            struct ft_walk_out *out);

/*
 * Go on with a walk that ended in FT_OP_RECIRC, for the packet parsed again
 * (key: its new key; metadata comes from cont). Same output contract; the
 * mask includes the key's recirc fields, which name cont for the cache.
 */
int ft_walk_resume(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
                   const struct ft_walk_cont *cont, struct ft_walk_out *out);

/*
 * The staged walks (the flow cache's): as ft_walk and ft_walk_resume (cont
 * may be NULL: from table 0), stopping at the stage boundaries in stages
 * (NULL: none). Same output contract.
 */
int ft_walk_staged(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
                   const struct ft_walk_cont *cont, const struct ft_walk_stages *stages,
                   struct ft_walk_out *out);

/*
 * Compose a packet-out action list for key (its in_port is the packet-out's
 * in_port): the actions in order; an output to TABLE walks the pipeline
 * from table 0 with the key as modified so far. Same output contract.
 */
int ft_walk_packet_out(const struct ft_pipeline *p, uint64_t v, const struct ft_key *key,
                       const struct ft_action *actions, size_t n, struct ft_walk_out *out);

/* Stage starts from text: "whole" (one stage) or table ids "1,3" (each
 * starts a stage; at most FT_MAX_STAGES - 1, ascending, 1..254). 0, or
 * -EINVAL with a one-line reason in err. */
int ft_stages_parse(const char *text, struct ft_walk_stages *out, char *err, size_t errlen);
/* "whole" or "1,3". Returns the length snprintf would have written. */
int ft_stages_format(char *buf, size_t size, const struct ft_walk_stages *st);

/* Text form of a program ("set_field:10.0.0.1->ipv4_dst,output:2"), for
 * trace and tests. Returns the length snprintf would have written. */
int ft_program_format(char *buf, size_t size, const struct ft_op *ops, size_t n);

/* Index of the last top-level op of ops[0..n) that can emit the packet (an
 * output, a packet-in, a TTL decrement's packet-in, a group, or the
 * recirculation that takes it on), or n if none: from there on an
 * executor may hand the packet over instead of copying it. */
size_t ft_program_last_emitter(const struct ft_op *ops, size_t n);

/*
 * Explain a walk as `ovs-appctl ofproto/trace` does: the packet, each table
 * looked up with the rule it matched (priority, cookie, match,
 * instructions) or its miss, the megaflow a cache entry would get, and the
 * final actions. out is caller-provided scratch (about 20 KiB). Returns the
 * length snprintf would have written.
 */
int ft_trace_format(char *buf, size_t size, const struct ft_pipeline *p, uint64_t v,
                    const struct ft_key *key, struct ft_walk_out *out);

#endif /* FT_WALK_H */
