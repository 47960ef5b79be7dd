/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch-ctl commands. Each reads the switch through the agent, the
 * pipeline (the agent is its writer: its reads see the staged view) and the
 * dataplane control interface, and writes a report. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_group.h"
#include "ft_meter.h"
#include "ft_walk.h"
#include "ofa_ctl_int.h"

#define NS_PER_SEC 1000000000ull

int
ofa_ctl_fail(struct ofa_ctl_req *req, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(req->error, sizeof req->error, fmt, ap);
    va_end(ap);
    return 0;
}

struct ofa_ctl_req *
ofa_ctl_req_new(struct ofa_agent *a, const struct ofa_ctl_hooks *hooks, const char *line)
{
    static const struct ofa_ctl_hooks none;
    struct ofa_ctl_req *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    req->agent = a;
    req->hooks = hooks ? hooks : &none;
    struct ofa_agent_status as;
    ofa_agent_status(a, &as);
    req->dp = as.dp;
    req->p = as.pipeline;
    snprintf(req->line, sizeof req->line, "%s", line);
    char *save = NULL;
    for (char *tok = strtok_r(req->line, " \t\r", &save); tok && req->argc < OFA_CTL_MAX_ARGS;
         tok = strtok_r(NULL, " \t\r", &save)) {
        if (!strcmp(tok, "--json"))
            req->json = true;
        else
            req->argv[req->argc++] = tok;
    }
    ofa_report_init(&req->rep, req->json);
    return req;
}

void
ofa_ctl_req_free(struct ofa_ctl_req *req)
{
    if (!req)
        return;
    ofa_report_free(&req->rep);
    free(req);
}

int
ofa_ctl_req_poll(struct ofa_ctl_req *req)
{
    int rc = req->poll ? req->poll(req) : 0;
    if (rc != -EINPROGRESS)
        ofa_report_finish(&req->rep);
    return rc;
}

void
ofa_ctl_req_cancel(struct ofa_ctl_req *req)
{
    if (req->cancel)
        req->cancel(req);
    ofa_ctl_req_free(req);
}

/* ---- helpers -------------------------------------------------------------------------- */

static bool
parse_u32(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 0);
    if (errno || !*s || *end || *s == '-' || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

static void
config_text(uint32_t config, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s%s", config & FT_PC_PORT_DOWN ? "port-down " : "",
             config & FT_PC_NO_RECV ? "no-recv " : "", config & FT_PC_NO_FWD ? "no-fwd " : "",
             config & FT_PC_NO_PACKET_IN ? "no-packet-in " : "");
    size_t n = strlen(buf);
    if (n)
        buf[n - 1] = '\0';
    else
        snprintf(buf, size, "-");
}

/* ---- show -------------------------------------------------------------------------------- */

static int
cmd_show(struct ofa_ctl_req *req)
{
    struct ofa_agent_status as;
    ofa_agent_status(req->agent, &as);
    struct ofa_report *r = &req->rep;
    ofa_report_kv(r, "datapath_id", "%016" PRIx64, as.datapath_id);
    ofa_report_kv(r, "fail_mode", "%s",
                  as.fail_mode == OFA_FAIL_STANDALONE ? "standalone" : "secure");
    ofa_report_kv_u64(r, "pipeline_version", ft_pipeline_version(as.pipeline));
    struct ofa_conn_stats cs; /* Every connection's, closed ones' too. */
    ofa_agent_conn_totals(req->agent, &cs);
    ofa_report_kv_u64(r, "packet_ins", cs.packet_ins);
    ofa_report_kv_u64(r, "pin_rate_drops", cs.pin_rate_drops);
    ofa_report_kv_u64(r, "pin_backlog_drops", cs.pin_backlog_drops);
    ofa_report_kv_u64(r, "async_drops", cs.async_drops);

    ofa_report_table(r, "controllers",
                     (const char *[]){"target", "state", "role", "peer", "packet_ins",
                                      "pin_rate_drops", "pin_backlog_drops", "async_drops",
                                      "backlog"},
                     9);
    struct ofa_controller_status ctrls[64];
    size_t n_ctrls = ofa_agent_controllers(req->agent, ctrls, 64);
    for (size_t i = 0; i < n_ctrls && i < 64; i++) {
        const struct ofa_controller_status *c = &ctrls[i];
        ofa_report_cell(r, "%s", c->target);
        ofa_report_cell(r, "%s", c->state);
        ofa_report_cell(r, "%s", c->role ? c->role : "-");
        ofa_report_cell(r, "%s", c->peer[0] ? c->peer : "-");
        ofa_report_cell_u64(r, c->st.packet_ins);
        ofa_report_cell_u64(r, c->st.pin_rate_drops);
        ofa_report_cell_u64(r, c->st.pin_backlog_drops);
        ofa_report_cell_u64(r, c->st.async_drops);
        ofa_report_cell_u64(r, c->st.backlog_bytes);
    }
    ofa_report_table_end(r);

    struct dp_port_info ports[256];
    size_t n = dp_ports(as.dp, ports, 256);
    ofa_report_table(
        r, "ports", (const char *[]){"port", "name", "hw_addr", "link", "config", "speed_mbps"}, 6);
    for (size_t i = 0; i < n && i < 256; i++) {
        const struct dp_port_info *pi = &ports[i];
        char cfg[64];
        config_text(pi->config, cfg, sizeof cfg);
        const uint8_t *m = pi->hw_addr;
        ofa_report_cell_u64(r, pi->port_no);
        ofa_report_cell(r, "%s", pi->name);
        ofa_report_cell(r, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
        ofa_report_cell(r, "%s", pi->state & DP_PS_LINK_DOWN ? "down" : "up");
        ofa_report_cell(r, "%s", cfg);
        ofa_report_cell_u64(r, pi->curr_speed / 1000);
    }
    ofa_report_table_end(r);
    return 0;
}

/* ---- ports ------------------------------------------------------------------------------- */

/* The ports table of ports and counters: every port's statistics. */
static void
port_stats_table(struct ofa_report *r, struct dp *dp)
{
    struct dp_port_info ports[256];
    size_t n = dp_ports(dp, ports, 256);
    ofa_report_table(r, "ports",
                     (const char *[]){"port", "name", "rx_packets", "rx_bytes", "rx_dropped",
                                      "rx_errors", "tx_packets", "tx_bytes", "tx_dropped",
                                      "tx_errors"},
                     10);
    for (size_t i = 0; i < n && i < 256; i++) {
        struct dp_port_stats st;
        if (dp_port_stats(dp, ports[i].port_no, &st))
            continue;
        ofa_report_cell_u64(r, ports[i].port_no);
        ofa_report_cell(r, "%s", ports[i].name);
        ofa_report_cell_u64(r, st.rx_packets);
        ofa_report_cell_u64(r, st.rx_bytes);
        ofa_report_cell_u64(r, st.rx_dropped);
        ofa_report_cell_u64(r, st.rx_errors);
        ofa_report_cell_u64(r, st.tx_packets);
        ofa_report_cell_u64(r, st.tx_bytes);
        ofa_report_cell_u64(r, st.tx_dropped);
        ofa_report_cell_u64(r, st.tx_errors);
    }
    ofa_report_table_end(r);
}

static int
cmd_ports(struct ofa_ctl_req *req)
{
    port_stats_table(&req->rep, req->dp);
    return 0;
}

/* ---- flows, groups, meters ----------------------------------------------------------------- */

struct flows_ctx {
    struct ofa_report *r;
    uint64_t now;
};

static int
flow_row(void *aux, const struct ft_rule *rule)
{
    struct flows_ctx *fc = aux;
    struct ofa_report *r = fc->r;
    struct ft_match m;
    char match[2048], insts[4096];
    uint64_t pk, by;
    ft_rule_match(rule, &m);
    ft_match_format(match, sizeof match, &m);
    ft_insts_format(insts, sizeof insts, ft_rule_insts(rule));
    ft_rule_stats(rule, &pk, &by, NULL);
    uint64_t age = fc->now > ft_rule_created_ns(rule) ? fc->now - ft_rule_created_ns(rule) : 0;
    ofa_report_cell_u64(r, ft_rule_table(rule));
    ofa_report_cell_u64(r, ft_rule_priority(rule));
    ofa_report_cell(r, "0x%" PRIx64, ft_rule_cookie(rule));
    ofa_report_cell(r, "%" PRIu64 ".%03" PRIu64 "s", (uint64_t)(age / NS_PER_SEC),
                    (uint64_t)(age % NS_PER_SEC / 1000000));
    ofa_report_cell_u64(r, pk);
    ofa_report_cell_u64(r, by);
    ofa_report_cell(r, "%s", *match ? match : "*");
    ofa_report_cell(r, "%s", insts);
    return 0;
}

static int
cmd_flows(struct ofa_ctl_req *req)
{
    struct ft_flow_filter f = {
        .table_id = FT_TABLE_ALL, .out_port = FT_PORT_ANY, .out_group = FT_GROUP_ANY};
    ft_match_init_catchall(&f.match);
    if (req->argc > 1) {
        uint32_t t;
        if (!parse_u32(req->argv[1], &t) || t >= FT_N_TABLES)
            return ofa_ctl_fail(req, "bad table '%s' (0..%d)", req->argv[1], FT_N_TABLES - 1);
        f.table_id = (uint8_t)t;
    }
    int rc = dp_fold_counters(req->dp); /* Exact counters. */
    if (rc)
        return ofa_ctl_fail(req, "folding counters: %s", strerror(-rc));
    ofa_report_table(&req->rep, "flows",
                     (const char *[]){"table", "priority", "cookie", "duration", "packets", "bytes",
                                      "match", "instructions"},
                     8);
    struct flows_ctx fc = {&req->rep, dp_now_ns(req->dp)};
    if (ft_pipeline_rules_foreach(req->p, &f, flow_row, &fc) < 0)
        return ofa_ctl_fail(req, "listing flows: %s", strerror(ENOMEM));
    ofa_report_table_end(&req->rep);
    return 0;
}

static const char *
group_type_name(uint8_t t)
{
    static const char *const names[] = {"all", "select", "indirect", "ff"};
    return t < 4 ? names[t] : "?";
}

static int
group_row(void *aux, const struct ft_group *g)
{
    struct ofa_report *r = aux;
    char buckets[4096] = "";
    size_t len = 0;
    for (uint32_t b = 0; b < ft_group_n_buckets(g) && len < sizeof buckets - 64; b++) {
        const struct ft_bucket *bk = ft_group_bucket(g, b);
        char acts[1024];
        ft_actions_format(acts, sizeof acts, bk->actions, bk->n_actions);
        len += (size_t)snprintf(buckets + len, sizeof buckets - len, "%sbucket%u(w=%u:%s)",
                                b ? " " : "", b, bk->weight, acts);
    }
    uint64_t pk, by;
    ft_group_stats(g, &pk, &by);
    ofa_report_cell_u64(r, ft_group_id(g));
    ofa_report_cell(r, "%s", group_type_name(ft_group_type(g)));
    ofa_report_cell_u64(r, ft_group_ref_count(g));
    ofa_report_cell_u64(r, pk);
    ofa_report_cell_u64(r, by);
    ofa_report_cell(r, "%s", buckets);
    return 0;
}

static int
cmd_groups(struct ofa_ctl_req *req)
{
    int rc = dp_fold_counters(req->dp);
    if (rc)
        return ofa_ctl_fail(req, "folding counters: %s", strerror(-rc));
    ofa_report_table(&req->rep, "groups",
                     (const char *[]){"group", "type", "flows", "packets", "bytes", "buckets"}, 6);
    if (ft_pipeline_groups_foreach(req->p, FT_GROUP_ALL, group_row, &req->rep) < 0)
        return ofa_ctl_fail(req, "listing groups: %s", strerror(ENOMEM));
    ofa_report_table_end(&req->rep);
    return 0;
}

static int
meter_row(void *aux, const struct ft_meter *m)
{
    struct ofa_report *r = aux;
    char bands[1024] = "";
    size_t len = 0;
    uint16_t fl = ft_meter_flags(m);
    for (uint32_t b = 0; b < ft_meter_n_bands(m) && len < sizeof bands - 64; b++) {
        const struct ft_meter_band *bd = ft_meter_band(m, b);
        if (bd->type == FT_MBT_DSCP_REMARK)
            len += (size_t)snprintf(bands + len, sizeof bands - len,
                                    "%sdscp_remark(rate=%u,burst=%u,prec_level=%u)", b ? " " : "",
                                    bd->rate, bd->burst_size, bd->prec_level);
        else
            len += (size_t)snprintf(bands + len, sizeof bands - len, "%sdrop(rate=%u,burst=%u)",
                                    b ? " " : "", bd->rate, bd->burst_size);
    }
    uint64_t pk, by;
    ft_meter_stats(m, &pk, &by);
    ofa_report_cell_u64(r, ft_meter_id(m));
    ofa_report_cell(r, "%s%s%s", fl & FT_MF_PKTPS ? "pktps" : "kbps",
                    fl & FT_MF_BURST ? ",burst" : "", fl & FT_MF_STATS ? ",stats" : "");
    ofa_report_cell_u64(r, ft_meter_flow_count(m));
    ofa_report_cell_u64(r, pk);
    ofa_report_cell_u64(r, by);
    ofa_report_cell(r, "%s", bands);
    return 0;
}

static int
cmd_meters(struct ofa_ctl_req *req)
{
    int rc = dp_fold_counters(req->dp);
    if (rc)
        return ofa_ctl_fail(req, "folding counters: %s", strerror(-rc));
    ofa_report_table(&req->rep, "meters",
                     (const char *[]){"meter", "flags", "flows", "packets_in", "bytes_in", "bands"},
                     6);
    if (ft_pipeline_meters_foreach(req->p, FT_METER_ALL, meter_row, &req->rep) < 0)
        return ofa_ctl_fail(req, "listing meters: %s", strerror(ENOMEM));
    ofa_report_table_end(&req->rep);
    return 0;
}

/* ---- pmd-stats ------------------------------------------------------------------------------ */

#define PMD_WORKERS_MAX 128

/* The counters of the first PMD_WORKERS_MAX workers since pmd-stats-clear
 * into ws; returns how many; *mhz: the TSC's rate, for cycles. */
static size_t
workers_read(struct dp *dp, struct dp_worker_stats *ws, double *mhz)
{
    *mhz = (double)dp_tsc_hz(dp) / 1e6;
    size_t n = dp_worker_stats(dp, ws, PMD_WORKERS_MAX);
    return n < PMD_WORKERS_MAX ? n : PMD_WORKERS_MAX;
}

static int
cmd_pmd_stats(struct ofa_ctl_req *req)
{
    struct dp *dp = req->dp;
    struct dp_worker_stats ws[PMD_WORKERS_MAX];
    double mhz;
    size_t n = workers_read(dp, ws, &mhz);
    struct ofa_report *r = &req->rep;
    ofa_report_kv_f64(r, "tsc_mhz", 0, mhz);
    struct dp_mbuf_stats mb;
    dp_mbuf_stats(dp, &mb);
    ofa_report_kv_u64(r, "mbufs", mb.mbufs);
    ofa_report_kv_u64(r, "mbufs_in_use", mb.mbufs_in_use);
    ofa_report_kv_u64(r, "packet_in_mbufs_in_use", mb.pin_mbufs_in_use);
    ofa_report_table(r, "workers",
                     (const char *[]){"worker", "lcore", "packets", "busy_pct", "cycles_per_pkt",
                                      "pkts_per_poll", "miss_cycles_per_miss", "emc_hits",
                                      "cache_hits", "misses", "drops"},
                     11);
    for (size_t i = 0; i < n; i++) {
        const struct dp_worker_stats *w = &ws[i];
        uint64_t total = w->busy_cycles + w->idle_cycles;
        ofa_report_cell_u64(r, i);
        ofa_report_cell_u64(r, w->lcore);
        ofa_report_cell_u64(r, w->packets);
        ofa_report_cell_f64(r, 1, total ? 100.0 * (double)w->busy_cycles / (double)total : 0.0);
        ofa_report_cell_f64(r, 1, w->packets ? (double)w->busy_cycles / (double)w->packets : 0.0);
        ofa_report_cell_f64(r, 1, w->busy_polls ? (double)w->packets / (double)w->busy_polls : 0.0);
        ofa_report_cell_f64(r, 1, w->misses ? (double)w->miss_cycles / (double)w->misses : 0.0);
        ofa_report_cell_u64(r, w->emc_hits);
        ofa_report_cell_u64(r, w->cache_hits);
        ofa_report_cell_u64(r, w->misses);
        ofa_report_cell_u64(r, w->drops);
    }
    ofa_report_table_end(r);
    return 0;
}

/* Polls by duration (ovs-appctl dpif-netdev/pmd-perf-show's histogram):
 * a packet waits for the poll it arrives in, so long polls are the
 * worker's part of the latency tail. Cleared with pmd-stats. */
static int
cmd_pmd_perf(struct ofa_ctl_req *req)
{
    struct dp *dp = req->dp;
    struct dp_worker_stats ws[PMD_WORKERS_MAX];
    double mhz;
    size_t n = workers_read(dp, ws, &mhz);
    struct ofa_report *r = &req->rep;
    ofa_report_table(r, "polls", (const char *[]){"worker", "at_least_us", "polls", "pct"}, 4);
    for (size_t i = 0; i < n; i++) {
        uint64_t all = 0;
        for (unsigned b = 0; b < DP_POLL_BUCKETS; b++)
            all += ws[i].poll_hist[b];
        for (unsigned b = 0; b < DP_POLL_BUCKETS; b++) {
            uint64_t from = b ? dp_poll_bucket_cycles(dp, b - 1) : 0;
            ofa_report_cell_u64(r, i);
            ofa_report_cell_f64(r, 2, mhz > 0 ? (double)from / mhz : 0.0);
            ofa_report_cell_u64(r, ws[i].poll_hist[b]);
            ofa_report_cell_f64(r, 4, all ? 100.0 * (double)ws[i].poll_hist[b] / (double)all : 0.0);
        }
    }
    ofa_report_table_end(r);
    return 0;
}

static int
cmd_pmd_stats_clear(struct ofa_ctl_req *req)
{
    dp_worker_stats_clear(req->dp);
    ofa_report_kv(&req->rep, "cleared", "%s", "pmd statistics");
    return 0;
}

static void
drop_row(void *aux, const char *name, uint64_t n)
{
    struct ofa_report *r = aux;
    if (!n)
        return;
    ofa_report_cell(r, "%s", name);
    ofa_report_cell_u64(r, n);
}

/* The drops table of drops and counters: the reasons that counted any. */
static void
drops_table(struct ofa_report *r, struct dp *dp)
{
    ofa_report_table(r, "drops", (const char *[]){"reason", "packets"}, 2);
    dp_drop_counters(dp, drop_row, r);
    ofa_report_table_end(r);
}

static int
cmd_drops(struct ofa_ctl_req *req)
{
    drops_table(&req->rep, req->dp);
    return 0;
}

/* ---- counters ------------------------------------------------------------------------------ */

static void
note_packet_in(void *aux, const char *name, uint64_t n)
{
    if (!strcmp(name, "packet_in"))
        *(uint64_t *)aux = n;
}

/* Every raw counter a rate is made of, read at one instant (now_ns, the
 * switch's CLOCK_MONOTONIC): ofswitch-ctl top takes two and divides the
 * differences by the time between them. */
static int
cmd_counters(struct ofa_ctl_req *req)
{
    if (req->argc != 1)
        return ofa_ctl_fail(req, "usage: counters");
    struct dp *dp = req->dp;
    struct ofa_report *r = &req->rep;
    enum { MAX_WORKERS = 64 };
    struct dp_worker_stats ws[MAX_WORKERS];
    struct dp_cache_info *ci = calloc(MAX_WORKERS, sizeof *ci);
    if (!ci)
        return ofa_ctl_fail(req, "out of memory");
    size_t n_ci = dp_cache_stats(dp, ci, MAX_WORKERS);
    size_t n = dp_worker_stats(dp, ws, MAX_WORKERS);
    struct ofa_agent_status as;
    ofa_agent_status(req->agent, &as);
    struct ofa_conn_stats cs;
    ofa_agent_conn_totals(req->agent, &cs);
    uint64_t pins_queued = 0;
    dp_note_counters(dp, note_packet_in, &pins_queued);

    ofa_report_kv_u64(r, "now_ns", dp_now_ns(dp));
    ofa_report_kv_u64(r, "tsc_hz", dp_tsc_hz(dp));
    ofa_report_kv(r, "datapath_id", "%016" PRIx64, as.datapath_id);
    ofa_report_kv_u64(r, "packet_ins_queued", pins_queued);
    ofa_report_kv_u64(r, "packet_ins_sent", cs.packet_ins);
    ofa_report_kv_u64(r, "packet_ins_dropped", cs.pin_rate_drops + cs.pin_backlog_drops);

    ofa_report_table(r, "workers",
                     (const char *[]){"worker", "lcore", "packets", "busy_cycles", "idle_cycles",
                                      "emc_hits", "sig_hits", "megaflow_hits", "misses", "entries",
                                      "masks"},
                     11);
    for (size_t i = 0; i < n && i < PMD_WORKERS_MAX; i++) {
        const struct ft_cache_stats *st = NULL; /* The worker's cache report, by lcore. */
        for (size_t k = 0; k < n_ci && k < PMD_WORKERS_MAX && !st; k++)
            if (ci[k].lcore == ws[i].lcore)
                st = &ci[k].st;
        const struct ft_cache_stats none = {0};
        if (!st)
            st = &none;
        ofa_report_cell_u64(r, i);
        ofa_report_cell_u64(r, ws[i].lcore);
        ofa_report_cell_u64(r, ws[i].packets);
        ofa_report_cell_u64(r, ws[i].busy_cycles);
        ofa_report_cell_u64(r, ws[i].idle_cycles);
        ofa_report_cell_u64(r, st->emc_hits);
        ofa_report_cell_u64(r, st->sig_hits);
        ofa_report_cell_u64(r, st->megaflow_hits);
        ofa_report_cell_u64(r, st->misses);
        ofa_report_cell_u64(r, st->entries);
        ofa_report_cell_u64(r, st->masks);
    }
    ofa_report_table_end(r);
    free(ci);

    port_stats_table(r, dp);
    drops_table(r, dp);
    return 0;
}

/* ---- trace -------------------------------------------------------------------------------- */

static int
cmd_trace(struct ofa_ctl_req *req)
{
    if (req->argc != 2)
        return ofa_ctl_fail(req, "usage: trace FLOW (e.g. in_port=1,ip,nw_dst=10.0.0.1)");
    struct ft_key key;
    const char *bad = NULL;
    enum ft_err err = ft_key_parse(&key, req->argv[1], &bad);
    if (err) {
        char tok[64] = "";
        if (bad)
            snprintf(tok, sizeof tok, "%.*s", (int)strcspn(bad, ","), bad);
        return ofa_ctl_fail(req, "%s in flow '%s'%s%s",
                            err == FT_ERR_BAD_MATCH_BAD_FIELD  ? "unknown field"
                            : err == FT_ERR_BAD_MATCH_BAD_MASK ? "a mask (a packet has values)"
                                                               : "bad value",
                            req->argv[1], *tok ? " at " : "", tok);
    }
    struct ft_walk_out *out = malloc(sizeof *out);
    char *buf = malloc(65536);
    if (!out || !buf) {
        free(out);
        free(buf);
        return ofa_ctl_fail(req, "out of memory");
    }
    /* The committed version: what the workers forward by. */
    ft_trace_format(buf, 65536, req->p, ft_pipeline_version(req->p), &key, out);
    ofa_report_text(&req->rep, "trace", buf);
    free(out);
    free(buf);
    return 0;
}

/* ---- ports at run time ------------------------------------------------------------------- */

static int
cmd_add_port(struct ofa_ctl_req *req)
{
    uint32_t port;
    if (req->argc != 3)
        return ofa_ctl_fail(req, "usage: add-port NUM DEVARGS");
    if (!parse_u32(req->argv[1], &port) || !port || port > FT_PORT_MAX)
        return ofa_ctl_fail(req, "bad port number '%s'", req->argv[1]);
    char err[256] = "";
    int rc = dp_port_add(req->dp, port, req->argv[2], err, sizeof err);
    if (rc)
        return ofa_ctl_fail(req, "add-port %u: %s", port, *err ? err : strerror(-rc));
    const struct ofa_ctl_hooks *h = req->hooks;
    if (h->port_added && (rc = h->port_added(h->aux, port, req->argv[2], err, sizeof err))) {
        (void)dp_port_del(req->dp, port);
        return ofa_ctl_fail(req, "add-port %u: %s (port not added)", port,
                            *err ? err : strerror(-rc));
    }
    ofa_report_kv(&req->rep, "added", "port %u (%s)", port, req->argv[2]);
    return 0;
}

static int
cmd_del_port(struct ofa_ctl_req *req)
{
    uint32_t port;
    if (req->argc != 2)
        return ofa_ctl_fail(req, "usage: del-port NUM");
    if (!parse_u32(req->argv[1], &port))
        return ofa_ctl_fail(req, "bad port number '%s'", req->argv[1]);
    int rc = dp_port_del(req->dp, port);
    if (rc == -ENOENT)
        return ofa_ctl_fail(req, "no such port %u", port);
    /* Any other failure still detached it (dp_control.h): forget it too. */
    const struct ofa_ctl_hooks *h = req->hooks;
    char err[256] = "";
    int hr = h->port_deleted ? h->port_deleted(h->aux, port, err, sizeof err) : 0;
    if (rc)
        return ofa_ctl_fail(req, "del-port %u: %s", port, strerror(-rc));
    if (hr)
        return ofa_ctl_fail(req, "del-port %u: port deleted, but %s", port,
                            *err ? err : strerror(-hr));
    ofa_report_kv(&req->rep, "deleted", "port %u", port);
    return 0;
}

/* ---- save --------------------------------------------------------------------------------- */

static int
cmd_save(struct ofa_ctl_req *req)
{
    if (req->argc > 2)
        return ofa_ctl_fail(req, "usage: save [FILE]");
    const struct ofa_ctl_hooks *h = req->hooks;
    if (!h->save)
        return ofa_ctl_fail(req, "save: this switch keeps no configuration");
    char err[256] = "", saved[4096] = "";
    int rc =
        h->save(h->aux, req->argc == 2 ? req->argv[1] : NULL, saved, sizeof saved, err, sizeof err);
    if (rc)
        return ofa_ctl_fail(req, "save: %s", *err ? err : strerror(-rc));
    ofa_report_kv(&req->rep, "saved", "%s", saved);
    return 0;
}

/* ---- log level ---------------------------------------------------------------------------- */

static const char *const log_levels[] = {"off", "err", "warn", "info", "debug"};

static int
cmd_log_level(struct ofa_ctl_req *req)
{
    if (req->argc > 2)
        return ofa_ctl_fail(req, "usage: log-level [off|err|warn|info|debug]");
    if (req->argc == 2) {
        int lvl = -1;
        for (int i = 0; i < 5; i++)
            if (!strcmp(req->argv[1], log_levels[i]))
                lvl = i;
        if (lvl < 0)
            return ofa_ctl_fail(req, "bad log level '%s' (off, err, warn, info, debug)",
                                req->argv[1]);
        ofa_agent_set_log_level(req->agent, lvl);
    }
    struct ofa_agent_status as;
    ofa_agent_status(req->agent, &as);
    ofa_report_kv(&req->rep, "log_level", "%s", log_levels[as.log_level]);
    return 0;
}

/* ---- dispatch ------------------------------------------------------------------------------ */

/* top is the client's own (it polls counters): listed here for help. */
static int
cmd_top(struct ofa_ctl_req *req)
{
    return ofa_ctl_fail(req, "top runs in ofswitch-ctl itself (over counters): this client is "
                             "older than the switch");
}

static int cmd_help(struct ofa_ctl_req *req);

static const struct {
    const char *name;
    int (*fn)(struct ofa_ctl_req *req);
    const char *usage;
} commands[] = {
    {"show", cmd_show, "show                  datapath, controllers, ports"},
    {"ports", cmd_ports, "ports                 port statistics"},
    {"flows", cmd_flows, "flows [TABLE]         flow entries with counters"},
    {"groups", cmd_groups, "groups                groups, buckets, counters"},
    {"meters", cmd_meters, "meters                meters, bands, counters"},
    {"cache", ofa_ctl_cache, "cache                 flow caches: entries, masks, hit rates"},
    {"cache-flush", ofa_ctl_cache_flush, "cache-flush           empty every flow cache"},
    {"cache-stages", ofa_ctl_cache_stages,
     "cache-stages [auto|whole|T,...]  where the flow cache's stages start"},
    {"pmd-stats", cmd_pmd_stats, "pmd-stats             per worker: busy %, cycles/packet"},
    {"pmd-stats-clear", cmd_pmd_stats_clear, "pmd-stats-clear       reset pmd-stats and pmd-perf"},
    {"pmd-perf", cmd_pmd_perf, "pmd-perf              per worker: polls by duration"},
    {"drops", cmd_drops, "drops                 packets dropped, by named reason"},
    {"counters", cmd_counters, "counters              raw counters at one instant, for rates"},
    {"top", cmd_top, "top [--interval SECONDS] [--once]  live rates (ofswitch-ctl polls counters)"},
    {"trace", cmd_trace, "trace FLOW            the walk through each table"},
    {"capture", ofa_ctl_capture, "capture PORT FILE.pcapng [--count N]  copy a port's frames"},
    {"add-port", cmd_add_port, "add-port NUM DEVARGS  attach a DPDK device at run time"},
    {"del-port", cmd_del_port, "del-port NUM          detach a port"},
    {"save", cmd_save, "save [FILE]           write the running configuration (default: --config)"},
    {"log-level", cmd_log_level, "log-level [LEVEL]     show or set the log level"},
    {"help", cmd_help, "help                  this list"},
};

static int
cmd_help(struct ofa_ctl_req *req)
{
    ofa_report_table(&req->rep, "commands", (const char *[]){"command"}, 1);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        ofa_report_cell(&req->rep, "%s", commands[i].usage);
    ofa_report_table_end(&req->rep);
    return 0;
}

int
ofa_ctl_execute(struct ofa_ctl_req *req)
{
    if (!req->argc)
        return ofa_ctl_fail(req, "empty request (try help)");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(req->argv[0], commands[i].name))
            continue;
        int rc = commands[i].fn(req);
        if (rc != -EINPROGRESS)
            ofa_report_finish(&req->rep);
        if (rc != -EINPROGRESS && req->rep.failed && !req->error[0])
            ofa_ctl_fail(req, "out of memory");
        return rc;
    }
    return ofa_ctl_fail(req, "unknown command '%s' (try help)", req->argv[0]);
}
