/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_action.h — OpenFlow 1.3 actions, instructions and the action set as
 * host-order data (no wire structs), with the checks that need only the
 * actions and the match. Checks that need the pipeline (does the group or
 * meter exist, is the table id valid) are in ft_pipeline.h.
 *
 * Thread safety: values; functions touch only their arguments.
 */
#ifndef FT_ACTION_H
#define FT_ACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_err.h"
#include "ft_field.h"
#include "ft_match.h"

/* Reserved ports (OFPP_*), host order. */
#define FT_PORT_MAX        0xffffff00u
#define FT_PORT_IN_PORT    0xfffffff8u
#define FT_PORT_TABLE      0xfffffff9u
#define FT_PORT_NORMAL     0xfffffffau
#define FT_PORT_FLOOD      0xfffffffbu
#define FT_PORT_ALL        0xfffffffcu
#define FT_PORT_CONTROLLER 0xfffffffdu
#define FT_PORT_LOCAL      0xfffffffeu
#define FT_PORT_ANY        0xffffffffu

/* Groups (OFPG_*), meters (OFPM_*), queues, controller max_len. */
#define FT_GROUP_MAX        0xffffff00u
#define FT_GROUP_ALL        0xfffffffcu
#define FT_GROUP_ANY        0xffffffffu
#define FT_METER_MAX        0xffff0000u
#define FT_METER_SLOWPATH   0xfffffffdu
#define FT_METER_CONTROLLER 0xfffffffeu
#define FT_METER_ALL        0xffffffffu
#define FT_QUEUE_ALL        0xffffffffu
#define FT_CML_MAX          0xffe5u /* Largest max_len that asks for buffering. */
#define FT_CML_NO_BUFFER    0xffffu /* Send the whole packet, unbuffered. */

/* Tables: ids 0..FT_N_TABLES-1; 0xff means "all tables" in requests. */
#define FT_N_TABLES  255
#define FT_TABLE_ALL 0xff

/* Action types: the OFPAT_* numbers. */
enum ft_action_type {
    FT_AT_OUTPUT = 0,
    FT_AT_COPY_TTL_OUT = 11,
    FT_AT_COPY_TTL_IN = 12,
    FT_AT_SET_MPLS_TTL = 15,
    FT_AT_DEC_MPLS_TTL = 16,
    FT_AT_PUSH_VLAN = 17,
    FT_AT_POP_VLAN = 18,
    FT_AT_PUSH_MPLS = 19,
    FT_AT_POP_MPLS = 20,
    FT_AT_SET_QUEUE = 21,
    FT_AT_GROUP = 22,
    FT_AT_SET_NW_TTL = 23,
    FT_AT_DEC_NW_TTL = 24,
    FT_AT_SET_FIELD = 25,
    FT_AT_PUSH_PBB = 26,
    FT_AT_POP_PBB = 27,
};

/* One action. Only the members its type names are meaningful; the rest
 * are zero (so two equal actions compare equal with memcmp). */
struct ft_action {
    uint8_t type;       /* enum ft_action_type. */
    uint8_t field;      /* SET_FIELD: enum ft_field. */
    uint16_t ethertype; /* PUSH_VLAN/PUSH_MPLS/PUSH_PBB/POP_MPLS. */
    uint16_t max_len;   /* OUTPUT to CONTROLLER. */
    uint8_t ttl;        /* SET_MPLS_TTL, SET_NW_TTL. */
    uint8_t pad_;
    uint32_t arg; /* OUTPUT port, GROUP id, SET_QUEUE queue id. */
    uint32_t pad2_;
    union ft_value value; /* SET_FIELD value, in the field's key form. */
};

_Static_assert(sizeof(struct ft_action) == 32, "ft_action is 32 bytes");

/* Instruction types: the OFPIT_* numbers. */
enum ft_inst_type {
    FT_IT_GOTO_TABLE = 1,
    FT_IT_WRITE_METADATA = 2,
    FT_IT_WRITE_ACTIONS = 3,
    FT_IT_APPLY_ACTIONS = 4,
    FT_IT_CLEAR_ACTIONS = 5,
    FT_IT_METER = 6,
};

#define FT_INST_BIT(t) (1u << (t))

/* Longest action list accepted in one instruction (OFPBAC_TOO_MANY beyond). */
#define FT_MAX_ACTIONS 256

/*
 * A rule's instructions: each instruction at most once (the codec refuses
 * duplicates with BAD_INSTRUCTION/DUP_INST). actions[] holds n_apply
 * apply-actions in order, then n_write write-actions. Allocate with
 * ft_insts_new(); free with free(). Immutable once given to the pipeline
 * (which keeps its own interned copy).
 */
struct ft_insts {
    uint8_t present;    /* FT_INST_BIT(enum ft_inst_type) per instruction. */
    uint8_t goto_table; /* GOTO_TABLE. */
    uint16_t n_apply;   /* APPLY_ACTIONS length. */
    uint16_t n_write;   /* WRITE_ACTIONS length. */
    uint16_t pad_;
    uint32_t meter_id;      /* METER. */
    uint64_t metadata;      /* WRITE_METADATA value... */
    uint64_t metadata_mask; /* ...and mask. */
    struct ft_action actions[];
};

/* A zeroed instruction set with room for the given action counts (n_apply
 * and n_write are set). NULL on allocation failure. */
struct ft_insts *ft_insts_new(size_t n_apply, size_t n_write);
struct ft_insts *ft_insts_clone(const struct ft_insts *in);
size_t ft_insts_size(const struct ft_insts *in);
bool ft_insts_equal(const struct ft_insts *a, const struct ft_insts *b);

static inline const struct ft_action *
ft_insts_apply(const struct ft_insts *in)
{
    return in->actions;
}

static inline const struct ft_action *
ft_insts_write(const struct ft_insts *in)
{
    return in->actions + in->n_apply;
}

/* True when some output action (apply or write) sends to port, or some
 * group action names group (the flow-mod out_port/out_group filters;
 * FT_PORT_ANY / FT_GROUP_ANY match everything). */
bool ft_insts_has_output(const struct ft_insts *in, uint32_t port);
bool ft_insts_has_group(const struct ft_insts *in, uint32_t group);

/*
 * Check an action list against what the match (and the actions before each
 * one) guarantee about the packet:
 *   BAD_ACTION/BAD_TYPE        unknown action type;
 *   BAD_ACTION/BAD_OUT_PORT    output to 0, ANY, or TABLE outside packet-out;
 *   BAD_ACTION/BAD_ARGUMENT    push/pop ethertype not allowed for its action;
 *   BAD_ACTION/BAD_SET_TYPE    set-field on an unknown or unsettable field;
 *   BAD_ACTION/BAD_SET_ARGUMENT set-field value wider than its field;
 *   BAD_ACTION/MATCH_INCONSISTENT set-field whose prerequisites the match
 *                              (as modified by earlier push/pop) lacks;
 *   BAD_ACTION/TOO_MANY        more than FT_MAX_ACTIONS.
 * m may be NULL where no match gives context (group buckets, packet-out):
 * then prerequisites are not checked and the executor skips a set-field
 * whose header the packet lacks.
 * For a write-actions or bucket list (is_set) the actions are checked as
 * the action set will run them (spec order, a later action of the same
 * slot replacing an earlier one, as writing into an action set does).
 * packet_out allows output to TABLE.
 */
enum ft_err ft_actions_check(const struct ft_action *a, size_t n, const struct ft_match *m,
                             bool is_set, bool packet_out);

/* ---- the action set ------------------------------------------------------ */

/*
 * Slots in the spec's execution order (OF1.3.5 §5.10): copy TTL inwards,
 * pops, push-MPLS, push-PBB, push-VLAN, copy TTL outwards, decrement TTL,
 * set (every set-field by field id, then set-TTLs), qos, group, output.
 */
enum ft_as_slot {
    FT_AS_COPY_TTL_IN,
    FT_AS_POP_VLAN,
    FT_AS_POP_PBB,
    FT_AS_POP_MPLS,
    FT_AS_PUSH_MPLS,
    FT_AS_PUSH_PBB,
    FT_AS_PUSH_VLAN,
    FT_AS_COPY_TTL_OUT,
    FT_AS_DEC_MPLS_TTL,
    FT_AS_DEC_NW_TTL,
    FT_AS_SET_FIELD0, /* + field id, FT_N_FIELDS slots. */
    FT_AS_SET_MPLS_TTL = FT_AS_SET_FIELD0 + FT_N_FIELDS,
    FT_AS_SET_NW_TTL,
    FT_AS_SET_QUEUE,
    FT_AS_GROUP,
    FT_AS_OUTPUT,
    FT_AS_N_SLOTS
};

_Static_assert(FT_AS_N_SLOTS <= 64, "action set presence fits a uint64_t");

struct ft_action_set {
    uint64_t present; /* Bit per enum ft_as_slot. */
    struct ft_action slot[FT_AS_N_SLOTS];
};

static inline void
ft_action_set_clear(struct ft_action_set *as)
{
    as->present = 0;
}

/* The slot an action occupies in an action set. */
enum ft_as_slot ft_action_set_slot(const struct ft_action *a);

/* Write-actions: each action replaces the one of its slot. */
void ft_action_set_write(struct ft_action_set *as, const struct ft_action *a, size_t n);

/* The set's actions in execution order into out[] (room for FT_AS_N_SLOTS);
 * returns the count. Output is dropped when a group is present (spec). */
size_t ft_action_set_list(const struct ft_action_set *as, struct ft_action *out);

/* ---- text forms ------------------------------------------------------------ */

/* "output:3", "set_field:10.0.0.1->ipv4_dst", "push_vlan:0x8100", "group:7" ...
 * Returns the length snprintf would have written. */
int ft_action_format(char *buf, size_t size, const struct ft_action *a);

/* Comma-separated list. */
int ft_actions_format(char *buf, size_t size, const struct ft_action *a, size_t n);

/* "meter:1,apply_actions(...),clear_actions,write_actions(...),write_metadata:0x1/0xff,goto_table:2"
 */
int ft_insts_format(char *buf, size_t size, const struct ft_insts *in);

#endif /* FT_ACTION_H */
