/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch-ctl commands about the workers' flow caches: cache (sizes,
 * hit rates, masks), cache-stages (where the stages start) and cache-flush. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ft_walk.h"
#include "ofa_ctl_int.h"

/* Where the stages start now, and whether the switch chose them. */
static void
report_stages(struct ofa_ctl_req *req)
{
    bool automatic;
    struct ft_walk_stages now;
    dp_get_stages(req->dp, &automatic, &now);
    char text[64];
    ft_stages_format(text, sizeof text, &now);
    ofa_report_kv(&req->rep, "stages", "%s", text);
    ofa_report_kv(&req->rep, "stages_chosen", "%s", automatic ? "auto" : "fixed");
}

/* ---- cache -------------------------------------------------------------------------------- */

int
ofa_ctl_cache(struct ofa_ctl_req *req)
{
    struct ofa_report *r = &req->rep;
    enum { MAX_WORKERS = 64 };
    struct dp_cache_info *ci = calloc(MAX_WORKERS, sizeof *ci);
    if (!ci)
        return ofa_ctl_fail(req, "out of memory");
    size_t n = dp_cache_stats(req->dp, ci, MAX_WORKERS);
    if (n > MAX_WORKERS)
        n = MAX_WORKERS;
    report_stages(req);
    ofa_report_table(r, "workers",
                     (const char *[]){"worker", "lcore", "entries", "masks", "emc", "emc_hits",
                                      "sig", "sig_hits", "megaflow_hits", "misses", "hit_pct",
                                      "evict_invalidated", "evict_capacity", "evict_idle",
                                      "masks_merged", "hints", "hint_hits", "subtable_probes",
                                      "census_misses"},
                     19);
    for (size_t i = 0; i < n; i++) {
        const struct ft_cache_stats *st = &ci[i].st;
        uint64_t hits = st->emc_hits + st->sig_hits + st->megaflow_hits;
        uint64_t all = hits + st->misses;
        ofa_report_cell_u64(r, i);
        ofa_report_cell_u64(r, ci[i].lcore);
        ofa_report_cell_u64(r, st->entries);
        ofa_report_cell_u64(r, st->masks);
        ofa_report_cell(r, "%s", st->emc_enabled ? "on" : "off");
        ofa_report_cell_u64(r, st->emc_hits);
        ofa_report_cell(r, "%s", st->sig_enabled ? "on" : "off");
        ofa_report_cell_u64(r, st->sig_hits);
        ofa_report_cell_u64(r, st->megaflow_hits);
        ofa_report_cell_u64(r, st->misses);
        ofa_report_cell_f64(r, 2, all ? 100.0 * (double)hits / (double)all : 0.0);
        ofa_report_cell_u64(r, st->evict_invalidated);
        ofa_report_cell_u64(r, st->evict_capacity);
        ofa_report_cell_u64(r, st->evict_idle);
        ofa_report_cell_u64(r, st->masks_merged);
        ofa_report_cell(r, "%s", st->hints_serve ? "on" : "off");
        ofa_report_cell_u64(r, st->hint_hits);
        ofa_report_cell_u64(r, st->subtable_probes);
        ofa_report_cell_u64(r, st->census_misses);
    }
    ofa_report_table_end(r);
    ofa_report_table(r, "stage_entries", (const char *[]){"worker", "stage", "entries"}, 3);
    for (size_t i = 0; i < n; i++) {
        for (unsigned s = 0; s < ci[i].st.n_stages && s < FT_MAX_STAGES; s++) {
            ofa_report_cell_u64(r, i);
            ofa_report_cell_u64(r, s);
            ofa_report_cell_u64(r, ci[i].st.stage_entries[s]);
        }
    }
    ofa_report_table_end(r);
    ofa_report_table(r, "masks", (const char *[]){"worker", "entries", "recent_hits", "mask"}, 4);
    for (size_t i = 0; i < n; i++) {
        for (uint16_t m = 0; m < ci[i].n_masks; m++) {
            const struct dp_cache_mask *dm = &ci[i].masks[m];
            char text[1024];
            ft_mask_format(text, sizeof text, &dm->mask);
            ofa_report_cell_u64(r, i);
            ofa_report_cell_u64(r, dm->entries);
            ofa_report_cell_u64(r, dm->hits);
            ofa_report_cell(r, "%s", text);
        }
    }
    ofa_report_table_end(r);
    free(ci);
    return 0;
}

/* ---- flow cache stages ------------------------------------------------------------------ */

int
ofa_ctl_cache_stages(struct ofa_ctl_req *req)
{
    if (req->argc > 2)
        return ofa_ctl_fail(req, "usage: cache-stages [auto|whole|T[,T...]]");
    if (req->argc == 2) {
        bool automatic = !strcmp(req->argv[1], "auto");
        struct ft_walk_stages st;
        memset(&st, 0, sizeof st);
        char err[128];
        if (!automatic && ft_stages_parse(req->argv[1], &st, err, sizeof err))
            return ofa_ctl_fail(req, "%s", err);
        int rc = dp_set_stages(req->dp, automatic, &st);
        if (rc)
            return ofa_ctl_fail(req, "cache-stages: %s", strerror(-rc));
    }
    report_stages(req);
    return 0;
}

int
ofa_ctl_cache_flush(struct ofa_ctl_req *req)
{
    if (req->argc != 1)
        return ofa_ctl_fail(req, "usage: cache-flush");
    int rc = dp_flush_caches(req->dp);
    if (rc)
        return ofa_ctl_fail(req, "cache-flush: %s", strerror(-rc));
    ofa_report_kv(&req->rep, "flushed", "every worker's flow cache");
    return 0;
}
