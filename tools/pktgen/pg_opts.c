/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_opts.c — parse ofs-pktgen's options strictly: every number is checked
 * whole and against its range, and the first problem is reported in one
 * line, so a benchmark script fails loudly instead of measuring the wrong
 * thing.
 */
#include "pg_opts.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "pg_stamp.h"

/* Long-only options get values above any character. */
enum {
    OPT_TX_PORT = 256,
    OPT_RX_PORT,
    OPT_SIZE,
    OPT_FLOWS,
    OPT_SRC_MAC,
    OPT_DST_MAC,
    OPT_SRC_IP,
    OPT_DST_IP,
    OPT_SRC_PORT,
    OPT_DST_PORT,
    OPT_VLAN,
    OPT_PROTO,
    OPT_RATE,
    OPT_DURATION,
    OPT_WARMUP,
    OPT_DRAIN,
    OPT_LINK_TIMEOUT,
    OPT_BURST,
    OPT_TXQ,
    OPT_RXQ,
    OPT_PORT_QUEUES,
    OPT_JSON,
    OPT_HOLD,
};

static const struct option pg_long_options[] = {
    {"tx-port", required_argument, NULL, OPT_TX_PORT},
    {"rx-port", required_argument, NULL, OPT_RX_PORT},
    {"size", required_argument, NULL, OPT_SIZE},
    {"flows", required_argument, NULL, OPT_FLOWS},
    {"src-mac", required_argument, NULL, OPT_SRC_MAC},
    {"dst-mac", required_argument, NULL, OPT_DST_MAC},
    {"src-ip", required_argument, NULL, OPT_SRC_IP},
    {"dst-ip", required_argument, NULL, OPT_DST_IP},
    {"src-port", required_argument, NULL, OPT_SRC_PORT},
    {"dst-port", required_argument, NULL, OPT_DST_PORT},
    {"vlan", required_argument, NULL, OPT_VLAN},
    {"proto", required_argument, NULL, OPT_PROTO},
    {"rate", required_argument, NULL, OPT_RATE},
    {"duration", required_argument, NULL, OPT_DURATION},
    {"warmup", required_argument, NULL, OPT_WARMUP},
    {"drain", required_argument, NULL, OPT_DRAIN},
    {"link-timeout", required_argument, NULL, OPT_LINK_TIMEOUT},
    {"burst", required_argument, NULL, OPT_BURST},
    {"txq", required_argument, NULL, OPT_TXQ},
    {"rxq", required_argument, NULL, OPT_RXQ},
    {"port-queues", required_argument, NULL, OPT_PORT_QUEUES},
    {"json", no_argument, NULL, OPT_JSON},
    {"hold", no_argument, NULL, OPT_HOLD},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

void
pg_opts_usage(FILE *f)
{
    fprintf(f,
            "usage: ofs-pktgen [EAL options] -- --tx-port DEVARGS [options]\n"
            "\n"
            "Ports (probed by the tool, closed and detached on exit):\n"
            "  --tx-port DEVARGS     e.g. net_ring0, net_memif0,role=client,socket=/tmp/s,\n"
            "                        or a PCI address\n"
            "  --rx-port DEVARGS     port that receives; 'same' (default) = the TX port\n"
            "  --txq N, --rxq N      queues, one lcore each (default 1; 1..%u)\n"
            "  --port-queues N       configure N queues on each port (default: --txq and\n"
            "                        --rxq); TX uses its own, RX polls them all in turn.\n"
            "                        For a peer that sends on a queue other than 0 (Open\n"
            "                        vSwitch's PMD thread uses TX queue 1 of a memif)\n"
            "  --link-timeout SEC    wait this long for link up (default 10)\n"
            "\n"
            "Traffic:\n"
            "  --size BYTES          frame size including the 4-byte CRC, %u..%u (default 64)\n"
            "  --proto udp|tcp       L4 protocol (default udp)\n"
            "  --src-mac A[-B]       source MAC or range (default 02:00:00:00:00:01)\n"
            "  --dst-mac A[-B]       destination MAC or range (default 02:00:00:00:00:02)\n"
            "  --src-ip A[-B]        IPv4 source or range (default 198.18.0.1)\n"
            "  --dst-ip A[-B]        IPv4 destination or range (default 198.19.0.1)\n"
            "  --src-port A[-B]      L4 source port or range (default 1024)\n"
            "  --dst-port A[-B]      L4 destination port or range (default 1025)\n"
            "  --vlan VID[-VID]      add an 802.1Q tag (default: untagged)\n"
            "  --flows N             send the first N combinations of the ranges (source\n"
            "                        IP varies fastest, then dst IP, src port, dst port,\n"
            "                        src MAC, dst MAC, VLAN); default: all of them\n"
            "  --rate MPPS           total rate in Mpps, TSC-paced; 0 = as fast as possible\n"
            "  --burst N             packets per TX/RX burst, 1..%u (default 32)\n"
            "\n"
            "Run:\n"
            "  --duration SEC        measured time; 0 = until SIGINT/SIGTERM (default 5)\n"
            "  --warmup SEC          traffic sent first and not counted (default 1)\n"
            "  --drain SEC           longest wait for packets in flight after TX stops\n"
            "                        (default 1; ends early when every packet is back)\n"
            "  --json                print one JSON object on stdout (the table goes to\n"
            "                        stderr)\n"
            "  --hold                after the report, keep the ports open until stdin\n"
            "                        ends (a harness stops the peer polling them first)\n"
            "  -h, --help            this text\n",
            PG_QUEUES_MAX, PG_SIZE_MIN, PG_SIZE_MAX, PG_BURST_MAX);
}

static int pg_fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
pg_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

/* A whole decimal number in [lo, hi]. */
static int
pg_parse_uint(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 10);
    if (errno || *end || x < lo || x > hi)
        return -EINVAL;
    *v = x;
    return 0;
}

/* A whole finite number of seconds or Mpps in [lo, hi]. */
static int
pg_parse_double(const char *s, double lo, double hi, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(x) || x < lo || x > hi)
        return -EINVAL;
    *v = x;
    return 0;
}

static int
pg_parse_mac(const char *s, uint64_t *v)
{
    unsigned b[6];
    char tail;
    if (strlen(s) != 17 || sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
                                  &b[5], &tail) != 6)
        return -EINVAL;
    for (int i = 2; i < 17; i += 3)
        if (s[i] != ':')
            return -EINVAL;
    *v = 0;
    for (int i = 0; i < 6; i++)
        *v = *v << 8 | b[i];
    return 0;
}

static int
pg_parse_ip(const char *s, uint64_t *v)
{
    struct in_addr a;
    if (inet_pton(AF_INET, s, &a) != 1)
        return -EINVAL;
    *v = ntohl(a.s_addr);
    return 0;
}

enum pg_kind {
    PG_KIND_MAC,
    PG_KIND_IP,
    PG_KIND_PORT,
    PG_KIND_VLAN,
};

static int
pg_parse_value(enum pg_kind k, const char *s, uint64_t *v)
{
    switch (k) {
    case PG_KIND_MAC:
        return pg_parse_mac(s, v);
    case PG_KIND_IP:
        return pg_parse_ip(s, v);
    case PG_KIND_PORT:
        return pg_parse_uint(s, 0, 65535, v);
    case PG_KIND_VLAN:
        return pg_parse_uint(s, 0, 4095, v);
    }
    return -EINVAL;
}

/* "A" or "A-B" with A <= B; none of the value syntaxes contains '-'. */
static int
pg_parse_range(enum pg_kind k, const char *s, struct pg_range *r)
{
    char buf[64];
    if (strlen(s) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, s);
    char *dash = strchr(buf, '-');
    if (dash)
        *dash = '\0';
    if (pg_parse_value(k, buf, &r->lo))
        return -EINVAL;
    r->hi = r->lo;
    if (dash && pg_parse_value(k, dash + 1, &r->hi))
        return -EINVAL;
    return r->lo <= r->hi ? 0 : -EINVAL;
}

uint64_t
pg_range_count(const struct pg_range *r)
{
    return r->hi - r->lo + 1;
}

uint64_t
pg_opts_combinations(const struct pg_opts *o)
{
    uint64_t p = 1;
    for (int f = 0; f < PG_F_COUNT; f++) {
        uint64_t c = pg_range_count(&o->field[f]);
        if (p > UINT64_MAX / c)
            return UINT64_MAX;
        p *= c;
    }
    return p;
}

uint32_t
pg_opts_min_size(const struct pg_opts *o)
{
    uint32_t l4 = o->proto == PG_PROTO_TCP ? 20 : 8;
    uint32_t min = 14 + (o->vlan ? 4 : 0) + 20 + l4 + PG_STAMP_LEN + 4;
    return min < PG_SIZE_MIN ? PG_SIZE_MIN : min;
}

static void
pg_opts_defaults(struct pg_opts *o)
{
    memset(o, 0, sizeof *o);
    o->size = 64;
    o->proto = PG_PROTO_UDP;
    o->field[PG_F_SRC_MAC] = (struct pg_range){0x020000000001ull, 0x020000000001ull};
    o->field[PG_F_DST_MAC] = (struct pg_range){0x020000000002ull, 0x020000000002ull};
    /* 198.18.0.0/15 is set aside for benchmarks (RFC 2544). */
    o->field[PG_F_SRC_IP] = (struct pg_range){0xc6120001u, 0xc6120001u};
    o->field[PG_F_DST_IP] = (struct pg_range){0xc6130001u, 0xc6130001u};
    o->field[PG_F_SRC_PORT] = (struct pg_range){1024, 1024};
    o->field[PG_F_DST_PORT] = (struct pg_range){1025, 1025};
    o->field[PG_F_VLAN] = (struct pg_range){0, 0};
    o->duration = 5;
    o->warmup = 1;
    o->drain = 1;
    o->link_timeout = 10;
    o->burst = 32;
    o->txq = 1;
    o->rxq = 1;
}

/* Range options: which field, which syntax. */
static int
pg_range_option(int opt, enum pg_field *f, enum pg_kind *k)
{
    switch (opt) {
    case OPT_SRC_MAC:
        *f = PG_F_SRC_MAC, *k = PG_KIND_MAC;
        return 1;
    case OPT_DST_MAC:
        *f = PG_F_DST_MAC, *k = PG_KIND_MAC;
        return 1;
    case OPT_SRC_IP:
        *f = PG_F_SRC_IP, *k = PG_KIND_IP;
        return 1;
    case OPT_DST_IP:
        *f = PG_F_DST_IP, *k = PG_KIND_IP;
        return 1;
    case OPT_SRC_PORT:
        *f = PG_F_SRC_PORT, *k = PG_KIND_PORT;
        return 1;
    case OPT_DST_PORT:
        *f = PG_F_DST_PORT, *k = PG_KIND_PORT;
        return 1;
    case OPT_VLAN:
        *f = PG_F_VLAN, *k = PG_KIND_VLAN;
        return 1;
    }
    return 0;
}

static const char *const pg_range_syntax[] = {
    [PG_KIND_MAC] = "a MAC xx:xx:xx:xx:xx:xx or a range A-B with A <= B",
    [PG_KIND_IP] = "an IPv4 address or a range A-B with A <= B",
    [PG_KIND_PORT] = "a port 0..65535 or a range A-B with A <= B",
    [PG_KIND_VLAN] = "a VLAN id 0..4095 or a range A-B with A <= B",
};

int
pg_opts_parse(struct pg_opts *o, int argc, char **argv, char *err, size_t errlen)
{
    uint64_t u;
    bool flows_set = false;
    char name[32];

    pg_opts_defaults(o);
    /* optind = 0 makes glibc start afresh (a test parses many times); '+'
     * stops at the first non-option; ':' reports a missing argument apart. */
    optind = 0;
    opterr = 0;
    for (;;) {
        int li = -1;
        int opt = getopt_long(argc, argv, "+:h", pg_long_options, &li);
        if (opt == -1)
            break;
        /* The option as typed is argv[optind - 1] only when it has no value
         * (or an attached one), so name it from the table. */
        if (li >= 0)
            snprintf(name, sizeof name, "--%s", pg_long_options[li].name);
        else
            snprintf(name, sizeof name, "%s", argv[optind - 1]);
        enum pg_field f;
        enum pg_kind k;
        if (pg_range_option(opt, &f, &k)) {
            if (pg_parse_range(k, optarg, &o->field[f]))
                return pg_fail(err, errlen, "%s '%s': expected %s", name, optarg,
                               pg_range_syntax[k]);
            if (opt == OPT_VLAN)
                o->vlan = true;
            continue;
        }
        switch (opt) {
        case OPT_TX_PORT:
            if (!*optarg)
                return pg_fail(err, errlen, "--tx-port: empty devargs");
            o->tx_port = optarg;
            break;
        case OPT_RX_PORT:
            if (!*optarg)
                return pg_fail(err, errlen, "--rx-port: empty devargs");
            o->rx_port = strcmp(optarg, "same") ? optarg : NULL;
            break;
        case OPT_SIZE:
            if (pg_parse_uint(optarg, PG_SIZE_MIN, PG_SIZE_MAX, &u))
                return pg_fail(err, errlen, "--size '%s': expected %u..%u bytes (with CRC)", optarg,
                               PG_SIZE_MIN, PG_SIZE_MAX);
            o->size = (uint32_t)u;
            break;
        case OPT_FLOWS:
            if (pg_parse_uint(optarg, 1, PG_FLOWS_MAX, &u))
                return pg_fail(err, errlen, "--flows '%s': expected 1..%u", optarg, PG_FLOWS_MAX);
            o->flows = (uint32_t)u;
            flows_set = true;
            break;
        case OPT_PROTO:
            if (!strcmp(optarg, "udp"))
                o->proto = PG_PROTO_UDP;
            else if (!strcmp(optarg, "tcp"))
                o->proto = PG_PROTO_TCP;
            else
                return pg_fail(err, errlen, "--proto '%s': expected udp or tcp", optarg);
            break;
        case OPT_RATE:
            if (pg_parse_double(optarg, 0, 1e6, &o->rate_mpps))
                return pg_fail(err, errlen, "--rate '%s': expected Mpps >= 0 (0 = full speed)",
                               optarg);
            break;
        case OPT_DURATION:
            if (pg_parse_double(optarg, 0, 1e7, &o->duration))
                return pg_fail(err, errlen, "--duration '%s': expected seconds >= 0", optarg);
            break;
        case OPT_WARMUP:
            if (pg_parse_double(optarg, 0, 1e7, &o->warmup))
                return pg_fail(err, errlen, "--warmup '%s': expected seconds >= 0", optarg);
            break;
        case OPT_DRAIN:
            if (pg_parse_double(optarg, 0, 3600, &o->drain))
                return pg_fail(err, errlen, "--drain '%s': expected 0..3600 seconds", optarg);
            break;
        case OPT_LINK_TIMEOUT:
            if (pg_parse_double(optarg, 0, 3600, &o->link_timeout))
                return pg_fail(err, errlen, "--link-timeout '%s': expected 0..3600 seconds",
                               optarg);
            break;
        case OPT_BURST:
            if (pg_parse_uint(optarg, 1, PG_BURST_MAX, &u))
                return pg_fail(err, errlen, "--burst '%s': expected 1..%u", optarg, PG_BURST_MAX);
            o->burst = (uint32_t)u;
            break;
        case OPT_TXQ:
        case OPT_RXQ:
            if (pg_parse_uint(optarg, 1, PG_QUEUES_MAX, &u))
                return pg_fail(err, errlen, "%s '%s': expected 1..%u queues", name, optarg,
                               PG_QUEUES_MAX);
            *(opt == OPT_TXQ ? &o->txq : &o->rxq) = (uint32_t)u;
            break;
        case OPT_PORT_QUEUES:
            if (pg_parse_uint(optarg, 1, PG_QUEUES_MAX, &u))
                return pg_fail(err, errlen, "--port-queues '%s': expected 1..%u queues", optarg,
                               PG_QUEUES_MAX);
            o->port_queues = (uint32_t)u;
            break;
        case OPT_HOLD:
            o->hold = true;
            break;
        case OPT_JSON:
            o->json = true;
            break;
        case 'h':
            o->help = true;
            return 0;
        case ':':
            return pg_fail(err, errlen, "%s needs a value", name);
        default:
            if (optopt)
                return pg_fail(err, errlen, "unknown option '-%c' (see --help)", optopt);
            return pg_fail(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return pg_fail(err, errlen, "unexpected argument '%s' (see --help)", argv[optind]);
    if (!o->tx_port)
        return pg_fail(err, errlen, "--tx-port is required (see --help)");

    uint32_t min = pg_opts_min_size(o);
    if (o->size < min)
        return pg_fail(err, errlen,
                       "--size %u is too small for %s%s headers and the %u-byte stamp: "
                       "the minimum is %u",
                       o->size, o->vlan ? "VLAN-tagged " : "",
                       o->proto == PG_PROTO_TCP ? "TCP" : "UDP", PG_STAMP_LEN, min);

    uint64_t combos = pg_opts_combinations(o);
    if (!flows_set) {
        if (combos > PG_FLOWS_MAX)
            return pg_fail(err, errlen,
                           "the ranges make more than %u flows; choose some with --flows N",
                           PG_FLOWS_MAX);
        o->flows = (uint32_t)combos;
    } else if (o->flows > combos) {
        return pg_fail(err, errlen,
                       "--flows %u exceeds the %llu combinations of the field ranges "
                       "(widen a range, e.g. --src-ip A-B)",
                       o->flows, (unsigned long long)combos);
    }
    if (o->flows < o->txq)
        return pg_fail(err, errlen, "--txq %u needs at least as many flows (have %u)", o->txq,
                       o->flows);
    uint32_t roles = o->txq > o->rxq ? o->txq : o->rxq;
    if (!o->port_queues)
        o->port_queues = roles;
    else if (o->port_queues < roles)
        return pg_fail(err, errlen, "--port-queues %u is fewer than --txq %u / --rxq %u",
                       o->port_queues, o->txq, o->rxq);
    return 0;
}
