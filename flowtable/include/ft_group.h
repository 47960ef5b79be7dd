/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_group.h — OpenFlow 1.3 groups as data: group-mod semantics with the
 * spec's errors, chaining with loop detection, and the read side for
 * GROUP_DESC / GROUP / GROUP_FEATURES replies.
 *
 * Thread safety: as ft_pipeline.h — the writer calls group_mod and the
 * foreach functions; groups are versioned like rules; the walk reads them
 * for a given version.
 */
#ifndef FT_GROUP_H
#define FT_GROUP_H

#include <stdint.h>

#include "ft_pipeline.h"

enum ft_group_type {
    FT_GT_ALL = 0,
    FT_GT_SELECT = 1,
    FT_GT_INDIRECT = 2,
    FT_GT_FF = 3,
};

enum ft_group_cmd {
    FT_GC_ADD = 0,
    FT_GC_MODIFY = 1,
    FT_GC_DELETE = 2,
};

/* One bucket. In a group_mod the caller owns actions[]; the pipeline
 * copies. Bucket actions run as an action set (OF1.3.5 §5.6.1). */
struct ft_bucket {
    uint16_t weight; /* SELECT only; 0 elsewhere. */
    uint16_t n_actions;
    uint32_t watch_port;  /* FF (and optional for SELECT); FT_PORT_ANY = none. */
    uint32_t watch_group; /* FF; FT_GROUP_ANY = none. */
    const struct ft_action *actions;
};

struct ft_group_mod {
    uint16_t command; /* enum ft_group_cmd. */
    uint8_t type;     /* enum ft_group_type. */
    uint32_t group_id;
    uint32_t n_buckets;
    const struct ft_bucket *buckets;
};

/*
 * Apply a group mod (staged). Errors (GROUP_MOD_FAILED/...):
 *   BAD_COMMAND, BAD_TYPE, INVALID_GROUP (id > FT_GROUP_MAX, ALL/ANY only
 *   for DELETE; an INDIRECT group without exactly one bucket),
 *   GROUP_EXISTS (ADD), UNKNOWN_GROUP (MODIFY), OUT_OF_GROUPS,
 *   OUT_OF_BUCKETS, BAD_BUCKET (a weight on a non-SELECT bucket),
 *   BAD_WATCH (an FF bucket watching neither port nor group), LOOP (the
 *   buckets' group actions would form a cycle), CHAINED_GROUP (DELETE of a
 *   group another group forwards to);
 *   BAD_ACTION/... from the bucket actions, BAD_OUT_GROUP for a bucket
 *   naming a missing group.
 * DELETE of FT_GROUP_ALL removes every group. Deleting a group removes
 * the rules that use it (FLOW_REMOVED reason GROUP_DELETE) and is a no-op
 * for an unknown id.
 */
enum ft_err ft_pipeline_group_mod(struct ft_pipeline *p, const struct ft_group_mod *gm,
                                  uint64_t now_ns);

/* Read side (staged view; valid until the writer's next edit). */
typedef int ft_group_visit_fn(void *aux, const struct ft_group *g);
/* Every group, or the one with id (FT_GROUP_ALL for all), in id order.
 * 0, FT_VISIT_STOPPED or -ENOMEM, as ft_pipeline_rules_foreach. */
int ft_pipeline_groups_foreach(const struct ft_pipeline *p, uint32_t id, ft_group_visit_fn *fn,
                               void *aux);
/* Reader-safe lookup for version v; NULL if absent. */
const struct ft_group *ft_pipeline_group_find(const struct ft_pipeline *p, uint64_t v, uint32_t id);

uint32_t ft_group_id(const struct ft_group *g);
uint8_t ft_group_type(const struct ft_group *g);
uint32_t ft_group_n_buckets(const struct ft_group *g);
const struct ft_bucket *ft_group_bucket(const struct ft_group *g, uint32_t i);
uint64_t ft_group_created_ns(const struct ft_group *g);
/* Rules (staged view) whose instructions name this group. */
uint32_t ft_group_ref_count(const struct ft_group *g);

/* Counters: reader-safe adds (relaxed atomics), summed reads. bucket may be
 * UINT32_MAX to count only the group. */
void ft_group_add_stats(const struct ft_group *g, uint32_t bucket, uint64_t packets,
                        uint64_t bytes);
/* Count a bucket only: an ALL group runs every bucket on one packet, which
 * the group counts once (ft_group_add_stats with UINT32_MAX). */
void ft_group_add_bucket_stats(const struct ft_group *g, uint32_t bucket, uint64_t packets,
                               uint64_t bytes);
void ft_group_stats(const struct ft_group *g, uint64_t *packets, uint64_t *bytes);
void ft_group_bucket_stats(const struct ft_group *g, uint32_t bucket, uint64_t *packets,
                           uint64_t *bytes);

/* GROUP_FEATURES. */
struct ft_group_features {
    uint32_t types;        /* Bit per enum ft_group_type. */
    uint32_t capabilities; /* OFPGFC_* */
    uint32_t max_groups[4];
    uint32_t actions[4]; /* Bit per enum ft_action_type supported. */
};
#define FT_GFC_SELECT_WEIGHT   (1u << 0)
#define FT_GFC_SELECT_LIVENESS (1u << 1)
#define FT_GFC_CHAINING        (1u << 2)
#define FT_GFC_CHAINING_CHECKS (1u << 3)
void ft_pipeline_group_features(const struct ft_pipeline *p, struct ft_group_features *f);

#endif /* FT_GROUP_H */
