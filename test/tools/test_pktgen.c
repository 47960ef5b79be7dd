/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for ofs-pktgen's parts that need no EAL: options, flow
 * combinations and order, frames and their checksums (checked against an
 * independent RFC 1071 sum), the stamp, the latency histogram and the RX
 * bookkeeping (loss, reorder, duplicates, warm-up, foreign packets).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "pg_flow.h"
#include "pg_hist.h"
#include "pg_lcore.h"
#include "pg_opts.h"
#include "pg_stamp.h"

/* ---- options ---- */

static int
parse(struct pg_opts *o, char *err, const char *first, ...)
{
    char *argv[64] = {"--"};
    int argc = 1;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    err[0] = '\0';
    return pg_opts_parse(o, argc, argv, err, 256);
}

START_TEST(opts_defaults_and_ranges)
{
    struct pg_opts o;
    char err[256];
    ck_assert_int_eq(parse(&o, err, "--tx-port", "net_ring0", NULL), 0);
    ck_assert_str_eq(o.tx_port, "net_ring0");
    ck_assert_ptr_null(o.rx_port);
    ck_assert_uint_eq(o.size, 64);
    ck_assert_uint_eq(o.flows, 1);
    ck_assert_uint_eq(o.proto, PG_PROTO_UDP);
    ck_assert(!o.vlan);
    ck_assert(!o.json);

    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--rx-port", "same", "--src-ip",
                           "10.0.0.1-10.0.1.0", "--dst-port", "5-6", "--vlan", "100-103",
                           "--src-mac", "02:00:00:00:00:fe-02:00:00:00:01:01", "--proto", "tcp",
                           "--size", "1518", "--rate", "0.5", "--duration", "2.5", "--warmup", "0",
                           "--burst", "64", "--json", NULL),
                     0);
    ck_assert_ptr_null(o.rx_port);
    ck_assert_uint_eq(pg_range_count(&o.field[PG_F_SRC_IP]), 256);
    ck_assert_uint_eq(o.field[PG_F_SRC_IP].lo, 0x0a000001);
    ck_assert_uint_eq(pg_range_count(&o.field[PG_F_SRC_MAC]), 4);
    ck_assert_uint_eq(o.field[PG_F_SRC_MAC].lo, 0x0200000000feull);
    ck_assert(o.vlan);
    ck_assert_uint_eq(o.flows, 256 * 2 * 4 * 4);
    ck_assert_uint_eq(o.proto, PG_PROTO_TCP);
    ck_assert_uint_eq(o.size, 1518);
    ck_assert(o.rate_mpps == 0.5 && o.duration == 2.5 && o.warmup == 0);
    ck_assert_uint_eq(o.burst, 64);
    ck_assert(o.json);

    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--rx-port", "b", "--src-port", "1-1000",
                           "--flows", "10", NULL),
                     0);
    ck_assert_str_eq(o.rx_port, "b");
    ck_assert_uint_eq(o.flows, 10);

    ck_assert_int_eq(parse(&o, err, "-h", NULL), 0);
    ck_assert(o.help);
}
END_TEST

START_TEST(opts_errors_are_one_line)
{
    static const char *const bad[][10] = {
        {NULL},
        {"--tx-port", "a", "--size", "63", NULL},
        {"--tx-port", "a", "--size", "9001", NULL},
        {"--tx-port", "a", "--size", "64x", NULL},
        {"--tx-port", "a", "--proto", "tcp", NULL},
        {"--tx-port", "a", "--vlan", "1", "--proto", "tcp", "--size", "75", NULL},
        {"--tx-port", "a", "--flows", "2", NULL},
        {"--tx-port", "a", "--flows", "0", NULL},
        {"--tx-port", "a", "--src-ip", "10.0.0.2-10.0.0.1", NULL},
        {"--tx-port", "a", "--src-ip", "10.0.0.256", NULL},
        {"--tx-port", "a", "--dst-mac", "02:00:00:00:00", NULL},
        {"--tx-port", "a", "--dst-mac", "02:00:00:00:00:0g", NULL},
        {"--tx-port", "a", "--src-port", "65536", NULL},
        {"--tx-port", "a", "--vlan", "4096", NULL},
        {"--tx-port", "a", "--proto", "sctp", NULL},
        {"--tx-port", "a", "--rate", "-1", NULL},
        {"--tx-port", "a", "--rate", "nan", NULL},
        {"--tx-port", "a", "--duration", "x", NULL},
        {"--tx-port", "a", "--burst", "0", NULL},
        {"--tx-port", "a", "--burst", "257", NULL},
        {"--tx-port", "a", "--txq", "17", NULL},
        {"--tx-port", "a", "--txq", "2", NULL}, /* 1 flow for 2 queues */
        {"--tx-port", "a", "--port-queues", "0", NULL},
        {"--tx-port", "a", "--port-queues", "1", "--rxq", "2", NULL}, /* fewer than roles */
        {"--tx-port", "a", "--bogus", NULL},
        {"--tx-port", "a", "-x", NULL},
        {"--tx-port", NULL},
        {"--tx-port", "a", "stray", NULL},
        {"--tx-port", "", NULL},
        {"--tx-port", "a", "--src-ip", "10.0.0.0-10.255.255.255", "--dst-ip",
         "10.0.0.0-10.0.255.255", NULL}, /* more than 2^24 flows */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[12] = {"--"};
        int argc = 1;
        for (int j = 0; bad[i][j]; j++)
            argv[argc++] = (char *)bad[i][j];
        struct pg_opts o;
        char err[256] = "";
        ck_assert_msg(pg_opts_parse(&o, argc, argv, err, sizeof err) == -EINVAL, "case %zu", i);
        ck_assert_msg(err[0] && !strchr(err, '\n'), "case %zu: '%s'", i, err);
    }
    /* The message names the option and the limit. */
    struct pg_opts o;
    char err[256];
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--proto", "tcp", NULL), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "--size 64"));
    ck_assert_ptr_nonnull(strstr(err, "72"));
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--flows", "3", "--src-port", "1-2", NULL),
                     -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "--flows 3"));
    /* Named as the option, whether its value is attached or not. */
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--src-ip", "1.2.3", NULL), -EINVAL);
    ck_assert_str_eq(err, "--src-ip '1.2.3': expected an IPv4 address or a range A-B with A <= B");
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--txq=0", NULL), -EINVAL);
    ck_assert_str_eq(err, "--txq '0': expected 1..16 queues");
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--vlan", NULL), -EINVAL);
    ck_assert_str_eq(err, "--vlan needs a value");
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--rxq", "2", "--port-queues", "1", NULL),
                     -EINVAL);
    ck_assert_str_eq(err, "--port-queues 1 is fewer than --txq 1 / --rxq 2");
    /* Default: as many as the roles use. */
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--txq", "2", "--flows", "2", "--src-ip",
                           "10.0.0.1-10.0.0.2", NULL),
                     0);
    ck_assert_uint_eq(o.port_queues, 2);
}
END_TEST

START_TEST(opts_min_sizes)
{
    struct pg_opts o;
    char err[256];
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--vlan", "7", NULL), 0);
    ck_assert_uint_eq(pg_opts_min_size(&o), 64); /* 64-byte tagged UDP fits */
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--proto", "tcp", "--size", "72", NULL), 0);
    ck_assert_uint_eq(pg_opts_min_size(&o), 72);
    ck_assert_int_eq(
        parse(&o, err, "--tx-port", "a", "--proto", "tcp", "--size", "76", "--vlan", "1", NULL), 0);
    ck_assert_uint_eq(pg_opts_min_size(&o), 76);
}
END_TEST

/* ---- flows ---- */

START_TEST(flow_values_mixed_radix)
{
    struct pg_opts o;
    char err[256];
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--src-ip", "10.0.0.1-10.0.0.3", "--dst-port",
                           "7-8", "--vlan", "5-6", NULL),
                     0);
    ck_assert_uint_eq(o.flows, 12);
    uint64_t v[PG_F_COUNT];
    pg_flow_values(&o, 0, v);
    ck_assert_uint_eq(v[PG_F_SRC_IP], 0x0a000001);
    ck_assert_uint_eq(v[PG_F_DST_PORT], 7);
    ck_assert_uint_eq(v[PG_F_VLAN], 5);
    pg_flow_values(&o, 1, v); /* source IP fastest */
    ck_assert_uint_eq(v[PG_F_SRC_IP], 0x0a000002);
    ck_assert_uint_eq(v[PG_F_DST_PORT], 7);
    pg_flow_values(&o, 3, v);
    ck_assert_uint_eq(v[PG_F_SRC_IP], 0x0a000001);
    ck_assert_uint_eq(v[PG_F_DST_PORT], 8);
    pg_flow_values(&o, 11, v);
    ck_assert_uint_eq(v[PG_F_SRC_IP], 0x0a000003);
    ck_assert_uint_eq(v[PG_F_DST_PORT], 8);
    ck_assert_uint_eq(v[PG_F_VLAN], 6);
    ck_assert_uint_eq(v[PG_F_SRC_PORT], 1024);
}
END_TEST

START_TEST(flows_are_a_fixed_shuffle)
{
    struct pg_opts o;
    char err[256];
    ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--src-port", "1-1000", NULL), 0);
    static struct pg_tmpl t;
    ck_assert_int_eq(pg_tmpl_init(&t, &o), 0);
    struct pg_flow *a = calloc(o.flows, sizeof *a), *b = calloc(o.flows, sizeof *b);
    uint8_t *seen = calloc(o.flows, 1);
    pg_flows_build(&o, &t, a);
    pg_flows_build(&o, &t, b);
    ck_assert_int_eq(memcmp(a, b, o.flows * sizeof *a), 0);
    unsigned in_place = 0, consecutive = 0;
    for (uint32_t i = 0; i < o.flows; i++) {
        ck_assert_uint_lt(a[i].id, o.flows);
        ck_assert(!seen[a[i].id]);
        seen[a[i].id] = 1;
        in_place += a[i].id == i;
        consecutive += i && a[i].id == a[i - 1].id + 1;
        ck_assert_uint_eq(rte_be_to_cpu_16(a[i].src_port), 1 + a[i].id);
    }
    ck_assert_uint_lt(in_place, 20);
    ck_assert_uint_lt(consecutive, 20);
    free(a);
    free(b);
    free(seen);
}
END_TEST

/* ---- frames and checksums ---- */

/* RFC 1071 on big-endian words, written apart from the code under test. */
static uint32_t
ref_sum(const uint8_t *p, size_t len, uint32_t sum)
{
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t
ref_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

static uint16_t
be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32_at(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
mac_at(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | p[i];
    return v;
}

/* Every header field of the frame is what flow `id` asks for, both
 * checksums verify, and the stamp reads back. */
static void
check_frame(const struct pg_opts *o, const uint8_t *p, uint32_t len, uint32_t id, uint32_t seq,
            uint64_t tsc, uint8_t run)
{
    uint64_t v[PG_F_COUNT];
    pg_flow_values(o, id, v);
    ck_assert_uint_eq(len, o->size - 4);
    ck_assert_uint_eq(mac_at(p), v[PG_F_DST_MAC]);
    ck_assert_uint_eq(mac_at(p + 6), v[PG_F_SRC_MAC]);
    uint32_t off = 12;
    if (o->vlan) {
        ck_assert_uint_eq(be16_at(p + off), 0x8100);
        ck_assert_uint_eq(be16_at(p + off + 2), v[PG_F_VLAN]);
        off += 4;
    }
    ck_assert_uint_eq(be16_at(p + off), 0x0800);
    const uint8_t *ip = p + off + 2;
    ck_assert_uint_eq(ip[0], 0x45);
    ck_assert_uint_eq(be16_at(ip + 2), len - (off + 2));
    ck_assert_uint_eq(ip[9], o->proto);
    ck_assert_uint_eq(be32_at(ip + 12), v[PG_F_SRC_IP]);
    ck_assert_uint_eq(be32_at(ip + 16), v[PG_F_DST_IP]);
    ck_assert_uint_eq(ref_fold(ref_sum(ip, 20, 0)), 0xffff);

    const uint8_t *l4 = ip + 20;
    uint32_t l4_len = len - (off + 2) - 20;
    ck_assert_uint_eq(be16_at(l4), v[PG_F_SRC_PORT]);
    ck_assert_uint_eq(be16_at(l4 + 2), v[PG_F_DST_PORT]);
    if (o->proto == PG_PROTO_UDP) {
        ck_assert_uint_eq(be16_at(l4 + 4), l4_len);
        ck_assert_uint_ne(be16_at(l4 + 6), 0);
    } else {
        ck_assert_uint_eq(l4[12], 0x50);
    }
    uint32_t s = ref_sum(ip + 12, 8, 0) + o->proto + l4_len;
    ck_assert_uint_eq(ref_fold(ref_sum(l4, l4_len, s)), 0xffff);

    int st = pg_rx_stamp_offset(p, len, len);
    ck_assert_int_eq(st, (int)(len - PG_STAMP_LEN));
    struct pg_stamp d;
    ck_assert(pg_stamp_decode(p + st, &d));
    ck_assert_uint_eq(d.flow, id);
    ck_assert_uint_eq(d.seq, seq & PG_SEQ_MASK);
    ck_assert_uint_eq(d.tsc, tsc & PG_TSC_MASK);
    ck_assert_uint_eq(d.run, run);
}

static void
check_config(uint64_t *rnd, const char *proto, const char *size, bool vlan)
{
    struct pg_opts o;
    char err[256];
    if (vlan)
        ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--proto", proto, "--size", size,
                               "--src-ip", "10.0.0.0-10.0.0.255", "--dst-port", "1-40", "--src-mac",
                               "02:00:00:00:00:00-02:00:00:00:00:02", "--vlan", "1-4094", "--flows",
                               "5000", NULL),
                         0);
    else
        ck_assert_int_eq(parse(&o, err, "--tx-port", "a", "--proto", proto, "--size", size,
                               "--src-ip", "10.0.0.0-10.0.0.255", "--dst-ip",
                               "255.255.255.250-255.255.255.255", "--src-port", "65530-65535",
                               NULL),
                         0);
    static struct pg_tmpl t;
    ck_assert_int_eq(pg_tmpl_init(&t, &o), 0);
    struct pg_flow *flows = calloc(o.flows, sizeof *flows);
    pg_flows_build(&o, &t, flows);
    static uint8_t frame[PG_SIZE_MAX + 64];
    for (int i = 0; i < 300; i++) {
        struct pg_flow *f = &flows[test_rand(rnd) % o.flows];
        uint32_t seq = (uint32_t)test_rand(rnd);
        uint64_t tsc = test_rand(rnd);
        uint8_t run = (uint8_t)test_rand(rnd);
        if (i < 8) /* the edges of the sums: all zero and all ones */
            seq = i & 1 ? 0xffffffff : 0, tsc = i & 2 ? ~0ull : 0, run = i & 4 ? 0xff : 0;
        memset(frame, 0xa5, sizeof frame); /* the writer must cover every byte */
        pg_pkt_write(&t, f, frame);
        pg_pkt_stamp(&t, f, frame, run, seq, tsc);
        check_frame(&o, frame, t.frame_len, f->id, seq, tsc, run);
    }
    free(flows);
}

START_TEST(frames_and_checksums)
{
    uint64_t rnd = test_seed();
    static const char *const sizes[] = {"64",  "65",   "66",   "67",   "68",  "127",
                                        "128", "1517", "1518", "8999", "9000"};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        check_config(&rnd, "udp", sizes[i], false);
        check_config(&rnd, "udp", sizes[i], true);
        if (atoi(sizes[i]) >= 76) {
            check_config(&rnd, "tcp", sizes[i], false);
            check_config(&rnd, "tcp", sizes[i], true);
        }
    }
}
END_TEST

/* ---- stamp ---- */

START_TEST(stamp_round_trip)
{
    uint8_t b[PG_STAMP_LEN + 2];
    struct pg_stamp s;
    pg_stamp_encode(b + 1, 0x7e, 0xabcdef, 0x123456, 0x123456789abcull);
    ck_assert(pg_stamp_decode(b + 1, &s));
    ck_assert_uint_eq(s.run, 0x7e);
    ck_assert_uint_eq(s.flow, 0xabcdef);
    ck_assert_uint_eq(s.seq, 0x123456);
    ck_assert_uint_eq(s.tsc, 0x3456789abcull);
    ck_assert_uint_eq(b[1], 'P');
    ck_assert_uint_eq(b[2], 'G');
    b[1] ^= 1;
    ck_assert(!pg_stamp_decode(b + 1, &s));

    /* The sum it returns is the sum of the bytes it wrote. */
    uint64_t rnd = test_seed();
    for (int i = 0; i < 10000; i++) {
        uint64_t r = test_rand(&rnd), q = test_rand(&rnd);
        if (i < 4)
            r = i & 1 ? ~0ull : 0, q = i & 2 ? ~0ull : 0;
        uint16_t sum =
            pg_stamp_encode(b + (i & 1), (uint8_t)r, (uint32_t)(r >> 8), (uint32_t)(r >> 32), q);
        ck_assert_uint_eq(sum, rte_raw_cksum(b + (i & 1), PG_STAMP_LEN));
    }
}
END_TEST

START_TEST(stamp_offset_parsing)
{
    uint8_t f[128] = {0};
    f[12] = 0x08, f[13] = 0x00;
    f[14] = 0x45;
    f[16] = 0, f[17] = 46; /* 20 + 8 + 18 */
    ck_assert_int_eq(pg_rx_stamp_offset(f, 60, 60), 14 + 46 - 14);
    /* Ethernet padding after the IP packet is not the stamp. */
    ck_assert_int_eq(pg_rx_stamp_offset(f, 100, 100), 14 + 46 - 14);
    /* Truncated IP packet, too short for a stamp, not IPv4, IP options. */
    ck_assert_int_eq(pg_rx_stamp_offset(f, 59, 59), -1);
    f[17] = 20 + 8 + 13;
    ck_assert_int_eq(pg_rx_stamp_offset(f, 60, 60), -1);
    f[17] = 46;
    f[14] = 0x65;
    ck_assert_int_eq(pg_rx_stamp_offset(f, 60, 60), -1);
    f[14] = 0x46;
    ck_assert_int_eq(pg_rx_stamp_offset(f, 60, 60), 14 + 46 - 14);
    f[13] = 0xdd; /* IPv6 */
    ck_assert_int_eq(pg_rx_stamp_offset(f, 60, 60), -1);
    ck_assert_int_eq(pg_rx_stamp_offset(f, 10, 10), -1);

    /* Two tags (a switch pushed one) move the packet, not the stamp's tail
     * position relative to the IP packet. */
    uint8_t q[128] = {0};
    q[12] = 0x88, q[13] = 0xa8, q[16] = 0x81, q[17] = 0x00, q[20] = 0x08, q[21] = 0x00;
    q[22] = 0x45, q[25] = 46;
    ck_assert_int_eq(pg_rx_stamp_offset(q, 68, 68), 22 + 46 - 14);
    ck_assert_int_eq(pg_rx_stamp_offset(q, 20, 68), -1); /* not readable */
}
END_TEST

/* ---- histogram ---- */

START_TEST(hist_bins)
{
    ck_assert_uint_eq(pg_hist_bin(0), 0);
    ck_assert_uint_eq(pg_hist_bin(63), 63);
    ck_assert_uint_eq(pg_hist_bin((1ull << 40) - 1), PG_HIST_BINS - 1);
    ck_assert_uint_eq(pg_hist_bin(1ull << 50), PG_HIST_BINS - 1);
    unsigned prev = 0;
    uint64_t rnd = test_seed();
    for (uint64_t v = 0; v < (1ull << 40); v = v < 4096 ? v + 1 : v + (test_rand(&rnd) % v) / 7) {
        unsigned b = pg_hist_bin(v);
        ck_assert_uint_ge(b, prev);
        ck_assert_uint_lt(b, PG_HIST_BINS);
        prev = b;
        uint64_t hi = pg_hist_bin_max(b);
        ck_assert_uint_ge(hi, v);
        ck_assert_uint_le(hi - v, v / 32);
        ck_assert_uint_eq(pg_hist_bin(hi), b);
        ck_assert(b == 0 || pg_hist_bin(pg_hist_bin_max(b - 1)) == b - 1);
    }
}
END_TEST

START_TEST(hist_percentiles)
{
    struct pg_hist *h = malloc(sizeof *h), *g = malloc(sizeof *g);
    pg_hist_init(h);
    ck_assert_uint_eq(pg_hist_percentile(h, 50), 0);
    for (uint64_t v = 1; v <= 100000; v++)
        pg_hist_add(h, v * 10);
    ck_assert_uint_eq(h->count, 100000);
    ck_assert_uint_eq(h->min, 10);
    ck_assert_uint_eq(h->max, 1000000);
    double want[] = {50, 90, 99, 99.9};
    uint64_t prev = 0;
    for (int i = 0; i < 4; i++) {
        uint64_t p = pg_hist_percentile(h, want[i]);
        double exact = want[i] * 10000;
        ck_assert_msg(p >= exact && p <= exact * 1.04, "p%g = %llu", want[i],
                      (unsigned long long)p);
        ck_assert_uint_ge(p, prev);
        prev = p;
    }
    ck_assert_uint_eq(pg_hist_percentile(h, 100), 1000000);

    /* Merging two halves gives the whole. */
    pg_hist_init(g);
    struct pg_hist *a = malloc(sizeof *a);
    pg_hist_init(a);
    for (uint64_t v = 1; v <= 100000; v++)
        pg_hist_add(v & 1 ? g : a, v * 10);
    pg_hist_merge(g, a);
    ck_assert_int_eq(memcmp(g, h, sizeof *h), 0);
    free(a);
    free(g);
    free(h);
}
END_TEST

/* ---- RX bookkeeping ---- */

static struct pg_rx *
rx_new(uint32_t nflows)
{
    struct pg_rx *rx = aligned_alloc(64, sizeof *rx);
    pg_rx_init(rx);
    rx->nflows = nflows;
    rx->flows = calloc(nflows, sizeof *rx->flows);
    rx->run = 0x11;
    return rx;
}

static void
rx_free(struct pg_rx *rx)
{
    free(rx->flows);
    free(rx);
}

static void
rx_feed(struct pg_rx *rx, uint8_t run, uint32_t flow, uint32_t seq, uint64_t tx_tsc, uint64_t now)
{
    uint8_t s[PG_STAMP_LEN];
    pg_stamp_encode(s, run, flow, seq, tx_tsc);
    pg_rx_account(rx, s, 64, now);
}

START_TEST(rx_order_dup_and_loss)
{
    struct pg_rx *rx = rx_new(4);
    /* flow 0: 0 1 2 4 3 3 5 — one late, one duplicate */
    uint32_t seqs[] = {0, 1, 2, 4, 3, 3, 5};
    for (size_t i = 0; i < 7; i++)
        rx_feed(rx, 0x11, 0, seqs[i], 100, 150);
    ck_assert_uint_eq(rx->pkts, 7);
    ck_assert_uint_eq(rx->dup, 1);
    ck_assert_uint_eq(rx->ooo, 1);
    ck_assert_uint_eq(rx->flows[0].pkts, 7);
    /* flow 1: a gap (loss) is neither late nor duplicate */
    rx_feed(rx, 0x11, 1, 0, 100, 150);
    rx_feed(rx, 0x11, 1, 10, 100, 150);
    ck_assert_uint_eq(rx->ooo, 1);
    ck_assert_uint_eq(rx->dup, 1);
    /* flow 1: far older than the window: late, cannot tell duplicate */
    rx_feed(rx, 0x11, 1, 200, 100, 150);
    rx_feed(rx, 0x11, 1, 10, 100, 150);
    ck_assert_uint_eq(rx->ooo, 2);
    ck_assert_uint_eq(rx->dup, 1);
    /* flow 2: first packet late then early: order per flow only */
    rx_feed(rx, 0x11, 2, 1, 100, 150);
    rx_feed(rx, 0x11, 2, 0, 100, 150);
    ck_assert_uint_eq(rx->ooo, 3);
    /* flow 3: across the 24-bit wrap */
    rx_feed(rx, 0x11, 3, PG_SEQ_MASK - 1, 100, 150);
    rx_feed(rx, 0x11, 3, PG_SEQ_MASK, 100, 150);
    rx_feed(rx, 0x11, 3, PG_SEQ_MASK + 1, 100, 150);
    rx_feed(rx, 0x11, 3, PG_SEQ_MASK + 2, 100, 150);
    rx_feed(rx, 0x11, 3, PG_SEQ_MASK, 100, 150);
    ck_assert_uint_eq(rx->ooo, 3);
    ck_assert_uint_eq(rx->dup, 2);
    ck_assert_uint_eq(rx->foreign, 0);
    ck_assert_uint_eq(rx->lat.count, rx->pkts);
    ck_assert_uint_eq(rx->lat.max, 50);
    rx_free(rx);
}
END_TEST

START_TEST(rx_foreign_and_warmup)
{
    struct pg_rx *rx = rx_new(4);
    rx_feed(rx, 0x11 ^ PG_RUN_WARMUP, 0, 0, 0, 0);
    rx_feed(rx, 0x12, 0, 0, 0, 0);  /* another run */
    rx_feed(rx, 0x11, 4, 0, 0, 0);  /* no such flow */
    pg_rx_account(rx, NULL, 64, 0); /* not IPv4 */
    uint8_t junk[PG_STAMP_LEN] = {1, 2, 3};
    pg_rx_account(rx, junk, 64, 0);
    ck_assert_uint_eq(rx->warm, 1);
    ck_assert_uint_eq(rx->foreign, 4);
    ck_assert_uint_eq(rx->pkts, 0);
    ck_assert_uint_eq(rx->lat.count, 0);
    /* Latency wraps with the 40-bit TSC. */
    rx_feed(rx, 0x11, 0, 0, PG_TSC_MASK - 9, (PG_TSC_MASK + 1) * 3 + 20);
    ck_assert_uint_eq(rx->lat.max, 30);
    ck_assert_uint_eq(rx->bytes, 64);
    rx_free(rx);
}
END_TEST

/* Cores whose TSCs are not in step (virtual machines): a packet may come
 * back "before" it left. Counted, not a latency of 2^40 cycles (423 s at
 * 2.6 GHz: what pktgen_signal once reported as its max). */
START_TEST(rx_clock_behind_the_stamp)
{
    struct pg_rx *rx = rx_new(1);
    rx_feed(rx, 0x11, 0, 0, 1000, 990);
    rx_feed(rx, 0x11, 0, 1, 1000, 1020);
    ck_assert_uint_eq(rx->pkts, 2);
    ck_assert_uint_eq(rx->tsc_behind, 1);
    ck_assert_uint_eq(rx->lat.count, 1);
    ck_assert_uint_eq(rx->lat.max, 20);
    rx_free(rx);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("pktgen");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, opts_defaults_and_ranges);
    tcase_add_test(tc, flow_values_mixed_radix);
    tcase_add_test(tc, flows_are_a_fixed_shuffle);
    tcase_add_test(tc, frames_and_checksums);
    tcase_add_test(tc, stamp_round_trip);
    tcase_add_test(tc, stamp_offset_parsing);
    tcase_add_test(tc, hist_bins);
    tcase_add_test(tc, hist_percentiles);
    tcase_add_test(tc, rx_order_dup_and_loss);
    tcase_add_test(tc, rx_foreign_and_warmup);
    tcase_add_test(tc, rx_clock_behind_the_stamp);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, opts_min_sizes);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, opts_errors_are_one_line);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
