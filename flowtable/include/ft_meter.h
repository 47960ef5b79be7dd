/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_meter.h — OpenFlow 1.3 meters as data: meter-mod semantics with the
 * spec's errors, and the read side for METER / METER_CONFIG /
 * METER_FEATURES replies. The rate limiting itself (token buckets on real
 * packets) is the dataplane's.
 *
 * Thread safety: as ft_pipeline.h.
 */
#ifndef FT_METER_H
#define FT_METER_H

#include <stdint.h>

#include "ft_pipeline.h"

enum ft_meter_cmd {
    FT_MC_ADD = 0,
    FT_MC_MODIFY = 1,
    FT_MC_DELETE = 2,
};

/* OFPMF_* */
enum ft_meter_flags {
    FT_MF_KBPS = 1 << 0,
    FT_MF_PKTPS = 1 << 1,
    FT_MF_BURST = 1 << 2,
    FT_MF_STATS = 1 << 3,
};

enum ft_band_type {
    FT_MBT_DROP = 1,
    FT_MBT_DSCP_REMARK = 2,
    FT_MBT_EXPERIMENTER = 0xffff,
};

struct ft_meter_band {
    uint16_t type;      /* enum ft_band_type. */
    uint8_t prec_level; /* DSCP_REMARK: drop precedence levels to add. */
    uint8_t pad_;
    uint32_t rate;       /* kb/s or packets/s, by the meter's flags. */
    uint32_t burst_size; /* kb or packets; used with FT_MF_BURST. */
    uint32_t experimenter;
};

struct ft_meter_mod {
    uint16_t command; /* enum ft_meter_cmd. */
    uint16_t flags;   /* enum ft_meter_flags. */
    uint32_t meter_id;
    uint32_t n_bands;
    const struct ft_meter_band *bands; /* Borrowed; copied. */
};

/*
 * Apply a meter mod (staged). Errors (METER_MOD_FAILED/...):
 *   BAD_COMMAND; INVALID_METER (0, above FT_METER_MAX other than ALL for
 *   DELETE, or a virtual meter); METER_EXISTS (ADD); UNKNOWN_METER
 *   (MODIFY); BAD_FLAGS (unknown bits, or both/neither of KBPS and PKTPS);
 *   BAD_RATE (0); BAD_BAND (unknown or experimenter type); BAD_BAND_VALUE
 *   (DSCP_REMARK prec_level 0); OUT_OF_METERS; OUT_OF_BANDS (too many).
 *   A burst_size of 0 with FT_MF_BURST means "as large as the rate"; a
 *   meter without bands is valid and only counts.
 * DELETE of FT_METER_ALL removes every meter. Deleting a meter removes the
 * rules that use it (FLOW_REMOVED reason METER_DELETE).
 */
enum ft_err ft_pipeline_meter_mod(struct ft_pipeline *p, const struct ft_meter_mod *mm,
                                  uint64_t now_ns);

/*
 * Read side. The writer's functions (meters_foreach and the accessors on
 * what it visits) see the staged view; a meter stays valid until the
 * writer's next edit. ft_pipeline_meter_find is the readers' (workers')
 * lookup at a committed version v: the meter stays valid while v is held.
 */
typedef int ft_meter_visit_fn(void *aux, const struct ft_meter *m);
/* Every meter, or the one with id (FT_METER_ALL for all), in id order.
 * 0, FT_VISIT_STOPPED or -ENOMEM, as ft_pipeline_rules_foreach. */
int ft_pipeline_meters_foreach(const struct ft_pipeline *p, uint32_t id, ft_meter_visit_fn *fn,
                               void *aux);
/* NULL if there is no meter id at version v. */
const struct ft_meter *ft_pipeline_meter_find(const struct ft_pipeline *p, uint64_t v, uint32_t id);

/* Accessors: plain reads of what the meter-mod installed; they cannot fail. */
uint32_t ft_meter_id(const struct ft_meter *m);
uint16_t ft_meter_flags(const struct ft_meter *m);
uint32_t ft_meter_n_bands(const struct ft_meter *m);
/* Band i as installed, NULL if i >= ft_meter_n_bands. */
const struct ft_meter_band *ft_meter_band(const struct ft_meter *m, uint32_t i);
uint64_t ft_meter_created_ns(const struct ft_meter *m);
uint32_t ft_meter_flow_count(const struct ft_meter *m);

/* Counters: adds are atomic (workers, any thread); reads are exact once
 * the workers folded (dp_fold_counters). band may be UINT32_MAX for the
 * input counters only; an out-of-range band reads as 0. */
void ft_meter_add_stats(const struct ft_meter *m, uint32_t band, uint64_t packets, uint64_t bytes);
void ft_meter_stats(const struct ft_meter *m, uint64_t *packets_in, uint64_t *bytes_in);
void ft_meter_band_stats(const struct ft_meter *m, uint32_t band, uint64_t *packets,
                         uint64_t *bytes);

struct ft_meter_features {
    uint32_t max_meter;
    uint32_t band_types;   /* Bit per enum ft_band_type (1 << type). */
    uint32_t capabilities; /* enum ft_meter_flags supported. */
    uint8_t max_bands;
    uint8_t max_color;
};
void ft_pipeline_meter_features(const struct ft_pipeline *p, struct ft_meter_features *f);

#endif /* FT_METER_H */
