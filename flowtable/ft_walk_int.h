/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The pipeline walk's state, shared by its two halves: ft_walk.c (tables,
 * instructions, groups, what is emitted) and ft_walk_key.c (what actions
 * do to the working key, and which packet bits the outcome consulted).
 * Internal to flowtable; single-threaded, like the walk.
 */
#ifndef FT_WALK_INT_H
#define FT_WALK_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "ft_pipeline_int.h"
#include "ft_walk.h"

/* Deepest group chain the walk composes (group-mod refuses deeper). */
#define MAX_GROUP_DEPTH 16

/* Group liveness results a walk remembers (struct walk). */
#define WALK_LIVE_MEMO 256

/* Where a top-level action being composed sits: a continuation starts
 * after it. */
struct walk_pos {
    uint8_t kind;                    /* enum ft_cont_kind; 0: none. */
    const struct ft_rule *rule;      /* FT_CONT_APPLY. */
    const struct ft_action *list;    /* FT_CONT_LIST. */
    const struct ft_action_set *set; /* FT_CONT_SET. */
    size_t pos, n;
};

struct walk {
    const struct ft_pipeline *p;
    uint64_t v;
    struct ft_walk_out *out;
    struct ft_key key;
    struct ft_key written;
    struct ft_key stale;
    struct ft_action_set as;
    /* The rule whose instructions are running: CONTROLLER and TTL ops
     * name it in packet-ins. */
    uint8_t table_id;
    uint64_t cookie;
    bool table_miss_rule;
    bool failed;           /* Overflow: stop composing. */
    bool stop;             /* Recirculated: the rest belongs to the continuation. */
    unsigned in_bucket;    /* Composing a group bucket (a clone): no recirculation. */
    struct walk_pos cur;   /* The top-level action being composed. */
    struct walk_pos outer; /* The packet-out action whose output:TABLE runs the tables. */
    const struct ft_walk_stages *stages; /* Where a staged walk stops; NULL: nowhere. */
    /* Group liveness already found in this walk, by (group, depth): chains
     * of watch_groups with several buckets each would otherwise be
     * evaluated again for every path to them (exponential in the depth). */
    uint16_t n_live;
    struct walk_live {
        uint32_t id;
        uint8_t depth;
        bool live;
    } live[WALK_LIVE_MEMO];
};

/* ---- ft_walk.c ---- */

/* The next op of the program, zeroed, of TYPE; NULL once the program is
 * full (the walk then fails with FT_WALK_F_OVERFLOW). */
struct ft_op *walk_emit(struct walk *w, uint8_t type);
/* A pop or retyping set-field revealed headers the key does not hold:
 * outside buckets, end the program with FT_OP_RECIRC and a continuation
 * (true); in a bucket, false: the caller models the bits as stale. */
bool walk_recirculate(struct walk *w);

/* ---- ft_walk_key.c ---- */

/* The outcome depends on BITS (or on field F) of the packet: added to the
 * mask unless written by an action or stale. */
void walk_consult(struct walk *w, const struct ft_key *bits);
void walk_consult_field(struct walk *w, enum ft_field f);
/* The header actions, applied to the key (each emits its op first). */
void walk_set_field(struct walk *w, const struct ft_action *a);
void walk_push_vlan(struct walk *w, uint16_t tpid);
void walk_pop_vlan(struct walk *w);
void walk_push_mpls(struct walk *w, uint16_t ethertype);
void walk_pop_mpls(struct walk *w, uint16_t ethertype);
void walk_push_pbb(struct walk *w, uint16_t ethertype);
void walk_pop_pbb(struct walk *w);

#endif
