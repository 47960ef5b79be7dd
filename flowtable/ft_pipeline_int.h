/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_pipeline_int.h (internal) — the pipeline's structures, shared by the
 * files that implement it. Nothing outside flowtable/ includes this.
 *
 * Who touches what: fields marked "writer" are read and written by the
 * writer only; "reader-safe" fields are read by readers with atomics and
 * written by the writer with release stores (or relaxed where a later
 * release — the version commit — publishes them).
 */
#ifndef FT_PIPELINE_INT_H
#define FT_PIPELINE_INT_H

#include <stdatomic.h>

#include "ft_group.h"
#include "ft_meter.h"
#include "ft_pipeline.h"
#include "ft_trie.h"
#include "ft_vec.h"
#include "ft_vmap.h"

/* ---- interned instruction sets ----------------------------------------------- */

struct ft_interned {
    struct ft_interned *next; /* writer: intern table chain. */
    uint32_t hash;
    uint32_t refcnt; /* writer: rules referencing it. */
    /* struct ft_insts follows, 8-byte aligned. */
};

static inline struct ft_insts *
ft_interned_insts(struct ft_interned *i)
{
    return (struct ft_insts *)(i + 1);
}

static inline struct ft_interned *
ft_interned_of(const struct ft_insts *in)
{
    return (struct ft_interned *)in - 1;
}

struct ft_intern_table {
    struct ft_interned **buckets;
    uint32_t mask;
    uint32_t n;
};

/* ---- rules and the classifier ------------------------------------------------- */

struct ft_subtable;

struct ft_rule {
    struct ft_vnode node; /* In the subtable's map; chain by priority, highest first. */
    struct ft_subtable *subtable;
    const struct ft_insts *insts; /* Interned; NULL = no instructions. */
    uint64_t cookie;
    uint64_t created_ns; /* After removal: how long the rule lived. */
    /* A MODIFY or identical ADD replaces a rule with a new one. Workers
     * still folding into the old rule follow `forward`; the new rule's
     * counters include its predecessor's until the predecessor is freed
     * and folds them in. */
    struct ft_rule *_Atomic forward; /* reader-safe. */
    struct ft_rule *pred;            /* writer. */
    uint16_t priority;
    uint16_t flags;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint8_t table_id;
    uint8_t removed_reason; /* writer: enum ft_removed_reason, or FT_RR_REPLACED. */
    uint16_t pad_;
    uint32_t timeout_idx; /* writer: index in ft_pipeline.timed, or UINT32_MAX. */
    _Atomic uint64_t n_packets;
    _Atomic uint64_t n_bytes;
    _Atomic uint64_t used_ns;
    uint64_t key[]; /* Masked key, the subtable's words only. */
};

/* Internal removal reason: replaced by an identical ADD or by a MODIFY; no
 * FLOW_REMOVED, counters carried to the successor. */
#define FT_RR_REPLACED 0xff

/* The address fields with a prefix trie per table: ipv4_src, ipv4_dst. */
#define FT_N_TRIES 2

struct ft_subtable {
    struct ft_vmap map; /* Masked key -> chain of rules. */
    struct ft_key mask;
    uint8_t n_words;
    uint8_t words[FT_KEY_WORDS]; /* Indices of the mask's non-zero words. */
    uint8_t table_id;
    uint32_t max_priority; /* writer: upper bound of linked rules' priorities. */
    uint32_t n_at_max;     /* writer: linked rules with priority == max_priority. */
    uint32_t n_rules;      /* writer: linked rules. */
    uint32_t mask_hash;
    struct ft_subtable *map_next; /* writer: the table's mask map chain. */
    uint8_t plen[FT_N_TRIES];     /* Prefix length of each trie field's mask, or 0. */
};

/* Subtables by descending max priority, as readers see them. Replaced as a
 * whole (copy on write). */
struct ft_pvec_entry {
    uint32_t max_priority;
    struct ft_subtable *st;
};

struct ft_pvec {
    uint32_t n;
    struct ft_pvec_entry e[];
};

struct ft_table {
    struct ft_pvec *_Atomic pvec; /* reader-safe. */
    _Atomic uint64_t lookups;
    _Atomic uint64_t matches;
    /* writer: */
    struct ft_subtable **st_map; /* mask -> subtable, chained by map_next. */
    uint32_t st_map_mask;
    uint32_t n_subtables;
    uint32_t n_rules;                 /* Visible in the staged view. */
    bool pvec_dirty;                  /* Max priorities fell: rebuild at the end of reclaim. */
    struct ft_trie tries[FT_N_TRIES]; /* reader-safe: prefixes of linked rules. */
};

/* ---- groups, meters, ports ------------------------------------------------------ */

struct ft_group {
    struct ft_vnode node; /* In pipeline.groups by id; newest first. */
    uint32_t id;
    uint8_t type;
    uint32_t n_buckets;
    uint64_t created_ns;
    uint32_t ref_count;                 /* writer: rules naming it (staged view). */
    struct ft_bucket *buckets;          /* Each bucket's actions point into actions[]. */
    struct ft_action *actions;          /* All buckets' actions, one allocation. */
    struct ft_group_counters *counters; /* Shared by a MODIFY's versions. */
};

struct ft_group_counters {
    uint32_t refs; /* writer: group versions sharing these counters. */
    uint32_t n_buckets;
    _Atomic uint64_t packets;
    _Atomic uint64_t bytes;
    struct {
        _Atomic uint64_t packets;
        _Atomic uint64_t bytes;
    } bucket[];
};

struct ft_meter {
    struct ft_vnode node; /* In pipeline.meters by id; newest first. */
    uint32_t id;
    uint16_t flags;
    uint32_t n_bands;
    uint64_t created_ns;
    uint32_t flow_count; /* writer: rules using it (staged view). */
    struct ft_meter_band *bands;
    struct ft_meter_counters *counters;
};

struct ft_meter_counters {
    uint32_t refs;
    uint32_t n_bands;
    _Atomic uint64_t packets;
    _Atomic uint64_t bytes;
    struct {
        _Atomic uint64_t packets;
        _Atomic uint64_t bytes;
    } band[];
};

struct ft_port {
    struct ft_vnode node; /* In pipeline.ports by number; newest first. */
    uint32_t port_no;
    bool link_up;
    uint32_t config;
};

/* ---- the pipeline -------------------------------------------------------------------- */

enum ft_garbage_kind {
    FT_GARBAGE_MEM,      /* free() it. */
    FT_GARBAGE_RULE,     /* A removed rule: FLOW_REMOVED, carry counters, free. */
    FT_GARBAGE_SUBTABLE, /* An empty subtable. */
    FT_GARBAGE_GROUP,
    FT_GARBAGE_METER,
    FT_GARBAGE_PORT,
};

struct ft_garbage {
    uint8_t kind;
    uint64_t after; /* Free once every reader loaded a version > after. */
    void *ptr;
};

/* A removed node, unlinked once no reader can see it. */
struct ft_doomed {
    uint8_t kind; /* FT_GARBAGE_RULE/GROUP/METER/PORT. */
    void *ptr;
};

struct ft_pipeline {
    _Atomic uint64_t version; /* reader-safe: last committed. */
    struct ft_pipeline_config cfg;
    struct ft_table tables[FT_N_TABLES];
    struct ft_vmap groups; /* reader-safe maps of versioned objects. */
    struct ft_vmap meters;
    struct ft_vmap ports;
    /* writer: */
    uint32_t n_groups;
    uint32_t n_meters;
    uint32_t goto_refs[FT_N_TABLES]; /* Staged rules whose instructions go to the table. */
    uint32_t trie_nodes;             /* Of all tables' prefix tries (cfg.max_trie_nodes). */
    struct ft_intern_table interned;
    struct ft_vec doomed;    /* struct ft_doomed */
    struct ft_vec garbage;   /* struct ft_garbage */
    struct ft_vec timed;     /* struct ft_rule *: rules with a timeout. */
    struct ft_vec staged;    /* struct ft_change: edits of the staged version. */
    struct ft_vec committed; /* struct ft_change: of the last commit. */
    bool dirty;              /* Something staged (or unlinked) since the last commit. */
    bool staged_lost;        /* A change could not be logged (out of memory). */
    bool committed_lost;
    ft_flow_removed_fn *flow_removed;
    void *flow_removed_aux;
};

/* The version the writer's edits go to. */
static inline uint64_t
ft_staged_version(const struct ft_pipeline *p)
{
    return atomic_load_explicit(&((struct ft_pipeline *)p)->version, memory_order_relaxed) + 1;
}

/* Record a staged change for the next commit. */
void ft_pipeline_note(struct ft_pipeline *p, uint8_t kind, uint8_t table_id, uint16_t priority,
                      uint32_t id, const struct ft_rule *rule);

/* Hand memory a reader may still see to the garbage list. */
void ft_pipeline_retire(struct ft_pipeline *p, uint8_t kind, void *ptr);
/* ft_retire_fn adapter for plain memory. */
void ft_pipeline_retire_mem(void *p, void *ptr);

/* Schedule a removed (remove_version set) node for unlinking. */
int ft_pipeline_doom(struct ft_pipeline *p, uint8_t kind, void *ptr);

/* Interning (ft_intern.c). */
int ft_intern_init(struct ft_intern_table *t);
void ft_intern_destroy(struct ft_intern_table *t);
const struct ft_insts *ft_intern(struct ft_intern_table *t, const struct ft_insts *in);
void ft_intern_ref(const struct ft_insts *in);
void ft_intern_unref(struct ft_intern_table *t, const struct ft_insts *in);

/* Classifier (ft_cls.c). */
int ft_table_init(struct ft_table *t, uint8_t table_id);
void ft_table_destroy(struct ft_table *t);
/* A rule for match m in table_id, counters zero, not yet linked. */
struct ft_rule *ft_rule_alloc(const struct ft_match *m, uint8_t table_id);
/* Link r (priority, versions set) under mask; publishes a higher subtable
 * bound before returning. Returns 0 or -ENOMEM (nothing linked). */
int ft_cls_insert(struct ft_pipeline *p, struct ft_table *t, struct ft_rule *r,
                  const struct ft_key *mask);
void ft_cls_unlink(struct ft_pipeline *p, struct ft_table *t, struct ft_rule *r);
void ft_cls_finish_reclaim(struct ft_pipeline *p, struct ft_table *t);
struct ft_rule *ft_cls_find_strict(const struct ft_table *t, const struct ft_match *m,
                                   uint16_t priority, uint64_t v);
const struct ft_rule *ft_cls_lookup(const struct ft_table *t, uint64_t v, const struct ft_key *key,
                                    struct ft_key *probed);
/* A hint before ft_cls_lookup of key (reader-safe, changes nothing):
 * step 0 fetches the slots of key's rules in the table's first subtables;
 * step 1, once those had time to land, the first subtable's rule there.
 * A burst's misses overlap the two cache misses each lookup would take. */
void ft_cls_prefetch(const struct ft_table *t, const struct ft_key *key, unsigned step);
typedef int ft_cls_visit_fn(void *aux, struct ft_rule *r);
int ft_cls_foreach(const struct ft_table *t, uint64_t v, const struct ft_match *filter,
                   ft_cls_visit_fn *fn, void *aux);
void ft_rule_get_match(const struct ft_rule *r, struct ft_match *m);
void ft_rule_free(struct ft_rule *r);
void ft_subtable_free(struct ft_subtable *st);

/* Versioned object maps keyed by a 32-bit id (groups, meters, ports). */
struct ft_vnode *ft_idmap_find(const struct ft_vmap *m, uint64_t v, uint32_t id, size_t id_offset);
struct ft_vnode *ft_idmap_find_head(const struct ft_vmap *m, uint32_t id, size_t id_offset);
int ft_idmap_add(struct ft_pipeline *p, struct ft_vmap *m, struct ft_vnode *node, uint32_t id,
                 size_t id_offset);
void ft_idmap_unlink(struct ft_vmap *m, struct ft_vnode *node, uint32_t id, size_t id_offset);
/* The objects visible at v, by ascending id, into out (node pointers).
 * Returns 0 or -ENOMEM. */
int ft_idmap_sorted(const struct ft_vmap *m, uint64_t v, size_t id_offset, struct ft_vec *out);
static inline uint32_t
ft_id_hash(uint32_t id)
{
    return ft_hash_finish(ft_hash_add64(0x5bd1e995, id));
}

/* Groups and meters (ft_group.c, ft_meter.c). */
void ft_group_free(struct ft_group *g);
void ft_meter_free(struct ft_meter *m);
void ft_group_ref_rules(struct ft_pipeline *p, const struct ft_insts *in, int delta);
void ft_meter_ref_rules(struct ft_pipeline *p, const struct ft_insts *in, int delta);

/* Flow removal (ft_flow_mod.c): stage the removal of r with reason. */
void ft_rule_remove(struct ft_pipeline *p, struct ft_rule *r, uint8_t reason, uint64_t now_ns);
/* Remove every rule whose instructions use group / meter (staged). */
/* 0, or -ENOMEM with nothing removed. */
int ft_remove_rules_using_group(struct ft_pipeline *p, uint32_t group_id, uint64_t now_ns);
int ft_remove_rules_using_meter(struct ft_pipeline *p, uint32_t meter_id, uint64_t now_ns);
/* Deliver FLOW_REMOVED and counters of a rule being freed. */
void ft_rule_finalize(struct ft_pipeline *p, struct ft_rule *r);

#endif /* FT_PIPELINE_INT_H */
