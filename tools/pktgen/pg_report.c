/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_report.c — sum the roles and print. Rates are over the measured time;
 * RX counts packets of the measurement whenever they arrived (during the
 * drain too), so RX Mpps is "what came back, per second of sending".
 * Cycles per packet are TSC cycles of polls that moved packets, divided by
 * those packets: the cost of the generator's own work, idle polls excluded.
 */
#include "pg_report.h"

#include <inttypes.h>
#include <string.h>

void
pg_report_collect(struct pg_summary *s, const struct pg_opts *o, const struct pg_ctl *ctl,
                  struct pg_tx *const *tx, struct pg_rx *const *rx)
{
    memset(s, 0, sizeof *s);
    pg_hist_init(&s->lat);
    s->hz = (double)ctl->hz;
    s->interrupted = __atomic_load_n(&ctl->stop, __ATOMIC_RELAXED) != PG_RUN;

    uint64_t t0 = UINT64_MAX, t1 = 0;
    bool first = true;
    for (uint32_t q = 0; q < o->txq; q++) {
        const struct pg_tx *t = tx[q];
        s->tx_pkts += t->pkts;
        s->tx_bytes += t->bytes;
        s->tx_warm += t->warm_pkts;
        s->tx_busy += t->busy_cycles;
        s->tx_partial += t->partial;
        s->tx_alloc_fail += t->alloc_fail;
        if (t->measuring) {
            t0 = RTE_MIN(t0, t->t_meas_start);
            t1 = RTE_MAX(t1, t->t_end);
        }
        for (uint32_t i = 0; i < t->nflows; i++) {
            uint64_t n = t->measuring ? t->flows[i].sent : 0;
            s->tx_flow_min = first ? n : RTE_MIN(s->tx_flow_min, n);
            s->tx_flow_max = RTE_MAX(s->tx_flow_max, n);
            first = false;
        }
    }
    s->duration = t1 > t0 ? (double)(t1 - t0) / s->hz : 0;

    for (uint32_t q = 0; q < o->rxq; q++) {
        const struct pg_rx *r = rx[q];
        s->rx_pkts += r->pkts;
        s->rx_bytes += r->bytes;
        s->rx_dup += r->dup;
        s->rx_ooo += r->ooo;
        s->rx_warm += r->warm;
        s->rx_foreign += r->foreign;
        s->rx_tsc_behind += r->tsc_behind;
        s->rx_busy += r->busy_cycles;
        s->rx_busy_pkts += r->busy_pkts;
        pg_hist_merge(&s->lat, &r->lat);
    }
    /* Each RX queue has its own per-flow counts (a flow may be spread over
     * queues by RSS); a flow's total is their sum. */
    for (uint32_t id = 0; id < o->flows; id++) {
        uint64_t n = 0;
        for (uint32_t q = 0; q < o->rxq; q++)
            n += rx[q]->flows[id].pkts;
        s->rx_flow_min = id == 0 ? n : RTE_MIN(s->rx_flow_min, n);
        s->rx_flow_max = RTE_MAX(s->rx_flow_max, n);
        s->rx_flows_seen += n != 0;
    }
    s->loss = (int64_t)s->tx_pkts - (int64_t)(s->rx_pkts - s->rx_dup);
}

static double
pg_mpps(const struct pg_summary *s, uint64_t pkts)
{
    return s->duration > 0 ? (double)pkts / s->duration / 1e6 : 0;
}

/* bytes count the CRC; L1 adds preamble, SFD and the inter-frame gap. */
static double
pg_gbps(const struct pg_summary *s, uint64_t bytes, uint64_t pkts, bool l1)
{
    if (s->duration <= 0)
        return 0;
    return ((double)bytes + (l1 ? 20.0 * (double)pkts : 0)) * 8 / s->duration / 1e9;
}

static double
pg_us(const struct pg_summary *s, uint64_t cycles)
{
    return (double)cycles * 1e6 / s->hz;
}

static double
pg_loss_pct(const struct pg_summary *s)
{
    return s->tx_pkts ? 100.0 * (double)s->loss / (double)s->tx_pkts : 0;
}

static const char *
pg_proto_name(const struct pg_opts *o)
{
    return o->proto == PG_PROTO_TCP ? "tcp" : "udp";
}

static void
pg_table_cpp(FILE *f, uint64_t cycles, uint64_t pkts)
{
    if (pkts)
        fprintf(f, " %11.1f", (double)cycles / (double)pkts);
    else
        fprintf(f, " %11s", "-");
}

static void
pg_table_lcores(FILE *f, const uint32_t *l, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? "," : "  ", l[i]);
    fputc('\n', f);
}

void
pg_report_table(FILE *f, const struct pg_opts *o, const struct pg_summary *s)
{
    fprintf(f, "ofs-pktgen: %u-byte frames (with CRC), %s%s, %u flows, ", o->size,
            o->vlan ? "802.1Q " : "", pg_proto_name(o), o->flows);
    if (o->rate_mpps > 0)
        fprintf(f, "rate %.6g Mpps", o->rate_mpps);
    else
        fprintf(f, "full speed");
    fprintf(f, ", %.3f s measured after %.3g s warm-up%s\n", s->duration, o->warmup,
            s->interrupted ? " (interrupted)" : "");
    fprintf(f, "        %14s %10s %11s %11s  lcores%s\n", "packets", "Mpps", "Gbit/s(L1)",
            "cycles/pkt", s->shared_lcore ? " (TX and RX share)" : "");
    fprintf(f, "  TX    %14" PRIu64 " %10.3f %11.3f", s->tx_pkts, pg_mpps(s, s->tx_pkts),
            pg_gbps(s, s->tx_bytes, s->tx_pkts, true));
    pg_table_cpp(f, s->tx_busy, s->tx_pkts);
    pg_table_lcores(f, s->tx_lcores, o->txq);
    fprintf(f, "  RX    %14" PRIu64 " %10.3f %11.3f", s->rx_pkts, pg_mpps(s, s->rx_pkts),
            pg_gbps(s, s->rx_bytes, s->rx_pkts, true));
    pg_table_cpp(f, s->rx_busy, s->rx_busy_pkts);
    pg_table_lcores(f, s->rx_lcores, o->rxq);
    fprintf(f,
            "  loss  %" PRId64 " (%.6f %%)  duplicates %" PRIu64 "  out of order %" PRIu64
            "  warm-up back %" PRIu64 "  foreign %" PRIu64 "\n",
            s->loss, pg_loss_pct(s), s->rx_dup, s->rx_ooo, s->rx_warm, s->rx_foreign);
    if (s->lat.count) {
        const struct pg_hist *h = &s->lat;
        fprintf(f,
                "  latency us  min %.2f  p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f"
                "  (%" PRIu64 " samples)\n",
                pg_us(s, h->min), pg_us(s, pg_hist_percentile(h, 50)),
                pg_us(s, pg_hist_percentile(h, 90)), pg_us(s, pg_hist_percentile(h, 99)),
                pg_us(s, pg_hist_percentile(h, 99.9)), pg_us(s, h->max), h->count);
        if (s->rx_tsc_behind)
            fprintf(f,
                    "  latency not told for %" PRIu64 " packets: the TX core's clock ran ahead\n",
                    s->rx_tsc_behind);
    } else {
        fprintf(f, "  latency us  - (nothing came back)\n");
    }
    fprintf(f,
            "  flows %u: sent %" PRIu64 "..%" PRIu64 " each; %u came back, %" PRIu64 "..%" PRIu64
            " each\n",
            o->flows, s->tx_flow_min, s->tx_flow_max, s->rx_flows_seen, s->rx_flow_min,
            s->rx_flow_max);
    if (s->tx_partial || s->tx_alloc_fail)
        fprintf(f, "  TX backpressure: %" PRIu64 " partial bursts, %" PRIu64 " mbuf shortages\n",
                s->tx_partial, s->tx_alloc_fail);
}

static void
pg_json_str(FILE *f, const char *str)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void
pg_json_ratio(FILE *f, uint64_t num, uint64_t den)
{
    if (den)
        fprintf(f, "%.3f", (double)num / (double)den);
    else
        fprintf(f, "null");
}

static void
pg_json_lcores(FILE *f, const uint32_t *l, uint32_t n)
{
    fputc('[', f);
    for (uint32_t i = 0; i < n; i++)
        fprintf(f, "%s%u", i ? ", " : "", l[i]);
    fputc(']', f);
}

static void
pg_json_us(FILE *f, const char *key, const struct pg_summary *s, uint64_t cycles, bool last)
{
    fprintf(f, "\"%s\": ", key);
    if (s->lat.count)
        fprintf(f, "%.3f", pg_us(s, cycles));
    else
        fprintf(f, "null");
    fprintf(f, last ? "" : ", ");
}

/* The fields TX and RX report alike; the object stays open for the rest. */
static void
pg_json_side(FILE *f, const struct pg_summary *s, const char *name, uint64_t pkts, uint64_t bytes,
             uint64_t busy, uint64_t busy_pkts)
{
    fprintf(f,
            "\"%s\": {\"packets\": %" PRIu64 ", \"bytes\": %" PRIu64 ", \"mpps\": %.6f, "
            "\"gbps\": %.6f, \"gbps_l1\": %.6f, \"busy_cycles\": %" PRIu64
            ", \"cycles_per_packet\": ",
            name, pkts, bytes, pg_mpps(s, pkts), pg_gbps(s, bytes, pkts, false),
            pg_gbps(s, bytes, pkts, true), busy);
    pg_json_ratio(f, busy, busy_pkts);
}

void
pg_report_json(FILE *f, const struct pg_opts *o, const struct pg_summary *s)
{
    const struct pg_hist *h = &s->lat;
    fprintf(f, "{\"tool\": \"ofs-pktgen\", \"config\": {\"tx_port\": ");
    pg_json_str(f, o->tx_port);
    fprintf(f, ", \"rx_port\": ");
    pg_json_str(f, o->rx_port ? o->rx_port : o->tx_port);
    fprintf(f,
            ", \"size\": %u, \"size_includes_crc\": true, \"proto\": \"%s\", \"vlan\": %s, "
            "\"flows\": %u, \"rate_mpps\": %.6g, \"duration_s\": %.6g, \"warmup_s\": %.6g, "
            "\"drain_s\": %.6g, \"burst\": %u, \"txq\": %u, \"rxq\": %u, \"port_queues\": %u, "
            "\"tx_lcores\": ",
            o->size, pg_proto_name(o), o->vlan ? "true" : "false", o->flows, o->rate_mpps,
            o->duration, o->warmup, o->drain, o->burst, o->txq, o->rxq, o->port_queues);
    pg_json_lcores(f, s->tx_lcores, o->txq);
    fprintf(f, ", \"rx_lcores\": ");
    pg_json_lcores(f, s->rx_lcores, o->rxq);
    fprintf(f, ", \"shared_lcore\": %s, \"tsc_hz\": %.0f}, ", s->shared_lcore ? "true" : "false",
            s->hz);
    fprintf(f, "\"interrupted\": %s, \"duration_s\": %.6f, ", s->interrupted ? "true" : "false",
            s->duration);

    pg_json_side(f, s, "tx", s->tx_pkts, s->tx_bytes, s->tx_busy, s->tx_pkts);
    fprintf(f,
            ", \"warmup_packets\": %" PRIu64 ", \"partial_bursts\": %" PRIu64
            ", \"alloc_failures\": %" PRIu64 "}, ",
            s->tx_warm, s->tx_partial, s->tx_alloc_fail);

    pg_json_side(f, s, "rx", s->rx_pkts, s->rx_bytes, s->rx_busy, s->rx_busy_pkts);
    fprintf(f,
            ", \"duplicates\": %" PRIu64 ", \"out_of_order\": %" PRIu64
            ", \"warmup_packets\": %" PRIu64 ", \"foreign\": %" PRIu64 "}, ",
            s->rx_dup, s->rx_ooo, s->rx_warm, s->rx_foreign);

    fprintf(f, "\"loss\": {\"packets\": %" PRId64 ", \"percent\": %.6f}, ", s->loss,
            pg_loss_pct(s));

    fprintf(f, "\"latency_us\": {\"samples\": %" PRIu64 ", \"tsc_behind\": %" PRIu64 ", ", h->count,
            s->rx_tsc_behind);
    pg_json_us(f, "min", s, h->min, false);
    fprintf(f, "\"mean\": ");
    if (h->count)
        fprintf(f, "%.3f, ", pg_us(s, h->sum) / (double)h->count);
    else
        fprintf(f, "null, ");
    pg_json_us(f, "p50", s, pg_hist_percentile(h, 50), false);
    pg_json_us(f, "p90", s, pg_hist_percentile(h, 90), false);
    pg_json_us(f, "p99", s, pg_hist_percentile(h, 99), false);
    pg_json_us(f, "p99_9", s, pg_hist_percentile(h, 99.9), false);
    pg_json_us(f, "max", s, h->max, true);
    fprintf(f, "}, ");

    fprintf(f,
            "\"flows\": {\"count\": %u, \"tx_min\": %" PRIu64 ", \"tx_max\": %" PRIu64
            ", \"rx_seen\": %u, \"rx_min\": %" PRIu64 ", \"rx_max\": %" PRIu64 "}}\n",
            o->flows, s->tx_flow_min, s->tx_flow_max, s->rx_flows_seen, s->rx_flow_min,
            s->rx_flow_max);
}
