/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_pipeline.h — the OpenFlow state: 255 flow tables, groups, meters and
 * port liveness, as one versioned object.
 *
 * Versions and threads (the contract every user relies on):
 *  - One writer (the agent) calls every function that changes the
 *    pipeline. Its edits are staged at version ft_pipeline_version()+1,
 *    invisible to readers, until ft_pipeline_commit() publishes them with
 *    one atomic store.
 *  - Any number of readers (dataplane workers) may concurrently call the
 *    read functions marked "reader-safe" with a version they loaded from
 *    ft_pipeline_version(). A reader sees exactly the state of that version.
 *  - Memory a commit retires is freed only by ft_pipeline_reclaim(p, v),
 *    which the writer calls once no reader still uses a version below v
 *    (the embedder's RCU: DPDK rte_rcu_qsbr in the dataplane; tests call it
 *    right after commit). FLOW_REMOVED records are delivered there, when
 *    every worker has folded its counters into the removed rules.
 *  - No function here blocks, sleeps, or takes a lock.
 * flowtable has no clock: time is passed in as nanoseconds (any monotonic
 * base) wherever it matters.
 */
#ifndef FT_PIPELINE_H
#define FT_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_action.h"
#include "ft_err.h"
#include "ft_match.h"

struct ft_pipeline;
struct ft_rule;
struct ft_group;
struct ft_meter;

struct ft_pipeline_config {
    uint32_t table_capacity; /* Rules per table before TABLE_FULL. */
    uint32_t max_groups;     /* Before GROUP_MOD_FAILED/OUT_OF_GROUPS. */
    uint32_t max_buckets;    /* Per group, before OUT_OF_BUCKETS. */
    uint32_t max_meters;     /* Before METER_MOD_FAILED/OUT_OF_METERS. */
    uint32_t max_bands;      /* Per meter, before OUT_OF_BANDS. */
    uint32_t max_trie_nodes; /* Of all tables' prefix tries (32 bytes each); a trie
                              * that would pass it is switched off. */
};

/* Defaults: 1M rules per table (tables share memory), 65536 groups of up
 * to 256 buckets, 65536 meters of up to 8 bands, 4M trie nodes (128 MiB). */
void ft_pipeline_config_default(struct ft_pipeline_config *cfg);

/* NULL on allocation failure. */
struct ft_pipeline *ft_pipeline_create(const struct ft_pipeline_config *cfg);

/* Frees everything, retired or not. No reader may be active. */
void ft_pipeline_destroy(struct ft_pipeline *p);

/* ---- versions ------------------------------------------------------------ */

/* The last committed version (reader-safe, acquire). Starts at 1. */
uint64_t ft_pipeline_version(const struct ft_pipeline *p);

/* Publish every staged edit as version+1 and return it. Cheap when nothing
 * is staged (returns the current version). */
uint64_t ft_pipeline_commit(struct ft_pipeline *p);

/* True when edits are staged but not committed. */
bool ft_pipeline_dirty(const struct ft_pipeline *p);

/* Free what versions below min_reader_version retired, delivering the
 * FLOW_REMOVED records of rules freed. Pass ft_pipeline_version(p) when no
 * reader can hold an older version. */
void ft_pipeline_reclaim(struct ft_pipeline *p, uint64_t min_reader_version);

/* ---- FLOW_REMOVED ---------------------------------------------------------- */

enum ft_removed_reason {
    FT_RR_IDLE_TIMEOUT = 0,
    FT_RR_HARD_TIMEOUT = 1,
    FT_RR_DELETE = 2,
    FT_RR_GROUP_DELETE = 3,
    FT_RR_METER_DELETE = 4, /* Sent as DELETE to OpenFlow 1.3 peers. */
};

/* What a FLOW_REMOVED message carries. Counters are all-ones when the rule
 * had NO_PKT_COUNTS / NO_BYT_COUNTS. */
struct ft_flow_removed {
    uint64_t cookie;
    uint64_t duration_ns;
    uint64_t packet_count;
    uint64_t byte_count;
    uint16_t priority;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint8_t reason; /* enum ft_removed_reason. */
    uint8_t table_id;
    struct ft_match match;
};

/* Called from ft_pipeline_reclaim() for each freed rule that had
 * SEND_FLOW_REM and left for a reason above (not replaced by an identical
 * ADD). The record is valid during the call only. */
typedef void ft_flow_removed_fn(void *aux, const struct ft_flow_removed *fr);
void ft_pipeline_set_flow_removed_cb(struct ft_pipeline *p, ft_flow_removed_fn *fn, void *aux);

/* ---- flow mods --------------------------------------------------------------- */

enum ft_flow_mod_cmd {
    FT_FC_ADD = 0,
    FT_FC_MODIFY = 1,
    FT_FC_MODIFY_STRICT = 2,
    FT_FC_DELETE = 3,
    FT_FC_DELETE_STRICT = 4,
};

/* OFPFF_* */
enum ft_flow_mod_flags {
    FT_FF_SEND_FLOW_REM = 1 << 0,
    FT_FF_CHECK_OVERLAP = 1 << 1,
    FT_FF_RESET_COUNTS = 1 << 2,
    FT_FF_NO_PKT_COUNTS = 1 << 3,
    FT_FF_NO_BYT_COUNTS = 1 << 4,
};
#define FT_FF_ALL 0x1f

struct ft_flow_mod {
    uint64_t cookie;
    uint64_t cookie_mask; /* MODIFY/DELETE: select rules by cookie. */
    uint8_t table_id;     /* FT_TABLE_ALL only for DELETE*. */
    uint8_t command;      /* enum ft_flow_mod_cmd. */
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t priority;
    uint32_t out_port;  /* DELETE*: FT_PORT_ANY or a port outputs must name. */
    uint32_t out_group; /* DELETE*: FT_GROUP_ANY or a group. */
    uint16_t flags;     /* enum ft_flow_mod_flags. */
    struct ft_match match;
    const struct ft_insts *insts; /* Borrowed; NULL = no instructions (drop). */
};

/*
 * Apply a flow mod (staged). Errors, with the spec's codes:
 *   FLOW_MOD_FAILED/BAD_COMMAND, BAD_TABLE_ID, BAD_FLAGS, TABLE_FULL, OVERLAP;
 *   BAD_INSTRUCTION/BAD_TABLE_ID (goto not forward or beyond the last
 *   table), UNSUP_METADATA_MASK; BAD_ACTION/... from ft_actions_check() and
 *   BAD_OUT_GROUP (group does not exist); METER_MOD_FAILED/UNKNOWN_METER.
 * On error nothing changed. now_ns stamps new rules' duration.
 */
enum ft_err ft_pipeline_flow_mod(struct ft_pipeline *p, const struct ft_flow_mod *fm,
                                 uint64_t now_ns);

/* Validate instructions for a rule of table_id with match m, as flow_mod
 * would (also used for packet-out action lists with table_id 0). */
enum ft_err ft_pipeline_check_insts(const struct ft_pipeline *p, const struct ft_insts *in,
                                    const struct ft_match *m, uint8_t table_id);

/* Validate a packet-out action list (output to TABLE allowed). */
enum ft_err ft_pipeline_check_packet_out(const struct ft_pipeline *p, const struct ft_action *a,
                                         size_t n, uint32_t in_port);

/* Remove rules whose hard timeout passed, or idle timeout passed since
 * their last use (as recorded by ft_rule_add_stats), staged with reason.
 * Returns how many were removed. */
size_t ft_pipeline_expire(struct ft_pipeline *p, uint64_t now_ns);

/* Whether any rule has a timeout (writer): with none, expiry has nothing
 * to do and needs no counters folded. */
bool ft_pipeline_has_timeouts(const struct ft_pipeline *p);

/* ---- rules: reading (writer side, staged view) -------------------------------- */

/* Which rules a FLOW/AGGREGATE stats request or a non-strict mod selects. */
struct ft_flow_filter {
    uint8_t table_id; /* FT_TABLE_ALL for all. */
    bool strict;      /* Exact match + priority instead of "covered by match". */
    uint16_t priority;
    uint32_t out_port;  /* FT_PORT_ANY = no filter. */
    uint32_t out_group; /* FT_GROUP_ANY = no filter. */
    uint64_t cookie;
    uint64_t cookie_mask;
    struct ft_match match;
};

/* The visitors of the *_foreach functions return 0 to go on, non-zero to
 * stop. A foreach returns 0 once every item was visited, FT_VISIT_STOPPED
 * when the visitor stopped it, or -ENOMEM when it could not list the items
 * (then nothing was visited: never take that for an empty table). */
#define FT_VISIT_STOPPED 1

/* Call fn for each selected rule in the staged view, by table then by
 * descending priority. Rules stay valid until the writer's next edit. */
typedef int ft_rule_visit_fn(void *aux, const struct ft_rule *r);
int ft_pipeline_rules_foreach(const struct ft_pipeline *p, const struct ft_flow_filter *f,
                              ft_rule_visit_fn *fn, void *aux);

/* The tables some rule of the staged view goes to (goto_table), a bit per
 * table id in targets[4]: kept as rules come and go, so asking costs no
 * scan of the rules. Writer's thread. */
void ft_pipeline_goto_targets(const struct ft_pipeline *p, uint64_t targets[4]);

/* Rule accessors (the rule stays valid until the writer's next edit). */
uint8_t ft_rule_table(const struct ft_rule *r);
uint16_t ft_rule_priority(const struct ft_rule *r);
uint64_t ft_rule_cookie(const struct ft_rule *r);
uint16_t ft_rule_flags(const struct ft_rule *r);
uint16_t ft_rule_idle_timeout(const struct ft_rule *r);
uint16_t ft_rule_hard_timeout(const struct ft_rule *r);
uint64_t ft_rule_created_ns(const struct ft_rule *r);
void ft_rule_match(const struct ft_rule *r, struct ft_match *m);
const struct ft_insts *ft_rule_insts(const struct ft_rule *r);

/* Counters. Reads sum what has been added so far. ft_rule_add_stats is
 * reader-safe: workers call it when they fold cache counters (relaxed
 * atomics; NO_*_COUNTS rules ignore the matching part). */
void ft_rule_add_stats(const struct ft_rule *r, uint64_t packets, uint64_t bytes, uint64_t used_ns);
/* A hint: fetch what ft_rule_add_stats will write (a fold does it a few
 * entries ahead). */
void ft_rule_prefetch_stats(const struct ft_rule *r);
void ft_rule_stats(const struct ft_rule *r, uint64_t *packets, uint64_t *bytes, uint64_t *used_ns);

/* Table statistics: active rules (staged view) and lookups/matches as
 * recorded by ft_pipeline_table_count (reader-safe). */
struct ft_table_stats {
    uint32_t active_count;
    uint64_t lookup_count;
    uint64_t matched_count;
};
void ft_pipeline_table_stats(const struct ft_pipeline *p, uint8_t table_id,
                             struct ft_table_stats *st);
void ft_pipeline_table_count(const struct ft_pipeline *p, uint8_t table_id, uint64_t lookups,
                             uint64_t matches);
uint32_t ft_pipeline_table_capacity(const struct ft_pipeline *p);

/* ---- ports ------------------------------------------------------------------------ */

/* OFPPC_* bits the pipeline cares about. */
enum ft_port_config {
    FT_PC_PORT_DOWN = 1 << 0,
    FT_PC_NO_RECV = 1 << 2,
    FT_PC_NO_FWD = 1 << 5,
    FT_PC_NO_PACKET_IN = 1 << 6,
};

/* Add or update a port: link state and config (staged). A port is live
 * (for fast-failover watch and FLOOD) when its link is up and it is not
 * PORT_DOWN. Returns 0 or -ENOMEM. */
int ft_pipeline_port_set(struct ft_pipeline *p, uint32_t port_no, bool link_up, uint32_t config);
int ft_pipeline_port_del(struct ft_pipeline *p, uint32_t port_no);

/* Reader-safe, for version v. */
bool ft_pipeline_port_exists(const struct ft_pipeline *p, uint64_t v, uint32_t port_no);
bool ft_pipeline_port_live(const struct ft_pipeline *p, uint64_t v, uint32_t port_no);
uint32_t ft_pipeline_port_config(const struct ft_pipeline *p, uint64_t v, uint32_t port_no);

/* ---- change log (for the flow cache's invalidation) -------------------------------- */

enum ft_change_kind {
    FT_CHG_RULE_ADD, /* A rule became visible in a table. */
    FT_CHG_RULE_DEL, /* A rule stopped being visible (modify = del + add). */
    FT_CHG_GROUP,    /* A group was added, modified or deleted. */
    FT_CHG_METER,    /* A meter was added, modified or deleted. */
    FT_CHG_PORT,     /* A port's liveness or config changed, or it came/went. */
};

struct ft_change {
    uint8_t kind;     /* enum ft_change_kind. */
    uint8_t table_id; /* RULE_*. */
    uint16_t priority;
    uint32_t id;                /* Group id, meter id or port number. */
    const struct ft_rule *rule; /* RULE_*: valid until reclaim of its version. */
};

/* The changes of the last commit, for the writer to hand to the workers.
 * Valid until the next commit. *n gets the count. Returns NULL with *n = 0
 * when nothing changed — or when the log could not be kept (out of
 * memory), which ft_pipeline_changes_lost() tells: then caches must be
 * flushed. Rule matches are read with ft_rule_match. */
const struct ft_change *ft_pipeline_changes(const struct ft_pipeline *p, size_t *n);
bool ft_pipeline_changes_lost(const struct ft_pipeline *p);

#endif /* FT_PIPELINE_H */
