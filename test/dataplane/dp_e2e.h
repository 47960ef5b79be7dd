/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_e2e.h — end-to-end harness: a dataplane (inline worker, EAL -l 0)
 * with net_pcap ports whose rx_pcap/tx_pcap files live in a temporary
 * directory. A test queues input frames per port, attaches the ports,
 * installs flows straight into the pipeline (ft_test_util.h text) and
 * commits with dp_commit, runs the worker until the inputs are consumed,
 * detaches the ports (which closes the output files) and compares each
 * port's output frames. Everything it creates is removed in e2e_finish.
 */
#ifndef TEST_DP_E2E_H
#define TEST_DP_E2E_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dp.h"
#include "dp_control.h"
#include "dp_pkt.h"
#include "dp_test.h"
#include "flowtable/ft_test_util.h"

#define E2E_MAX_PORTS  8
#define E2E_MAX_FRAMES 4096

struct e2e_frames {
    size_t n;
    uint8_t *data[E2E_MAX_FRAMES];
    uint32_t len[E2E_MAX_FRAMES];
};

struct e2e {
    struct dp *dp;
    char dir[64];
    unsigned n_ports;
    uint32_t port_no[E2E_MAX_PORTS];
    bool attached[E2E_MAX_PORTS];
    char in_path[E2E_MAX_PORTS][128];
    char out_path[E2E_MAX_PORTS][128];
    struct e2e_frames in[E2E_MAX_PORTS];
    struct e2e_frames out[E2E_MAX_PORTS];
};

static inline void
e2e_frames_add(struct e2e_frames *f, const uint8_t *data, uint32_t len)
{
    ck_assert_uint_lt(f->n, E2E_MAX_FRAMES);
    f->data[f->n] = malloc(len ? len : 1);
    memcpy(f->data[f->n], data, len);
    f->len[f->n++] = len;
}

static inline void
e2e_frames_clear(struct e2e_frames *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->data[i]);
    f->n = 0;
}

/* ---- pcap files (the classic format, Ethernet link type) --------------------------- */

static inline void
e2e_wr32(FILE *f, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    fwrite(b, 1, 4, f);
}

static inline void
e2e_pcap_write(const char *path, const struct e2e_frames *fr)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    e2e_wr32(f, 0xa1b2c3d4);
    e2e_wr32(f, 0x00040002); /* Version 2.4. */
    e2e_wr32(f, 0);
    e2e_wr32(f, 0);
    e2e_wr32(f, 65535);
    e2e_wr32(f, 1);
    for (size_t i = 0; i < fr->n; i++) {
        e2e_wr32(f, 1);
        e2e_wr32(f, (uint32_t)i);
        e2e_wr32(f, fr->len[i]);
        e2e_wr32(f, fr->len[i]);
        fwrite(fr->data[i], 1, fr->len[i], f);
    }
    fclose(f);
}

static inline uint32_t
e2e_rd32(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static inline void
e2e_pcap_read(const char *path, struct e2e_frames *fr)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "no output file %s", path);
    uint8_t hdr[24], rec[16];
    ck_assert_uint_eq(fread(hdr, 1, 24, f), 24);
    /* Microsecond or (as net_pcap writes) nanosecond timestamps. */
    ck_assert(e2e_rd32(hdr) == 0xa1b2c3d4 || e2e_rd32(hdr) == 0xa1b23c4d);
    static uint8_t buf[65536];
    while (fread(rec, 1, 16, f) == 16) {
        uint32_t len = e2e_rd32(rec + 8);
        ck_assert_uint_le(len, sizeof buf);
        ck_assert_uint_eq(fread(buf, 1, len, f), len);
        e2e_frames_add(fr, buf, len);
    }
    fclose(f);
}

/* ---- the harness ------------------------------------------------------------------------- */

/* The harness of a test that failed half-way (Check runs without fork:
 * a failed assertion leaves the test function), cleaned up by the next. */
static struct e2e *e2e_live;

static inline void
e2e_cleanup(struct e2e *e)
{
    for (unsigned i = 0; i < e->n_ports; i++)
        if (e->attached[i])
            dp_port_del(e->dp, e->port_no[i]);
    dp_destroy(e->dp);
    for (unsigned i = 0; i < E2E_MAX_PORTS; i++) {
        e2e_frames_clear(&e->in[i]);
        e2e_frames_clear(&e->out[i]);
        unlink(e->in_path[i]);
        unlink(e->out_path[i]);
    }
    rmdir(e->dir);
    e2e_live = NULL;
}

static inline void
e2e_cleanup_live(void)
{
    if (e2e_live)
        e2e_cleanup(e2e_live);
}

/* An inline dataplane with small pools and ports 1 and 2 on net_null
 * devices named after tag (every poll receives a burst on each). */
static inline struct dp *
e2e_null_dp(const char *tag)
{
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 2047;
    cfg.pin_ring_size = 64;
    cfg.l2_entries = 64;
    char err[256] = "", dev[64];
    struct dp *dp = NULL;
    ck_assert_msg(dp_create(&cfg, &dp, err, sizeof err) == 0, "dp_create: %s", err);
    ck_assert(dp_inline(dp));
    for (uint32_t port = 1; port <= 2; port++) {
        snprintf(dev, sizeof dev, "net_null_%s%u", tag, port);
        ck_assert_msg(dp_port_add(dp, port, dev, err, sizeof err) == 0, "%s: %s", dev, err);
    }
    return dp;
}

static inline void
e2e_start(struct e2e *e, unsigned n_ports)
{
    dp_test_cleanup = e2e_cleanup_live;
    e2e_cleanup_live();
    memset(e, 0, sizeof *e);
    e2e_live = e;
    snprintf(e->dir, sizeof e->dir, "/tmp/ofs-dp-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(e->dir));
    struct dp_config cfg;
    dp_config_default(&cfg);
    cfg.n_mbufs = 4095;
    cfg.pin_ring_size = 256;
    cfg.l2_entries = 1024;
    char err[256] = "";
    ck_assert_msg(dp_create(&cfg, &e->dp, err, sizeof err) == 0, "dp_create: %s", err);
    ck_assert(dp_inline(e->dp));
    e->n_ports = n_ports;
    for (unsigned i = 0; i < n_ports; i++) {
        e->port_no[i] = i + 1;
        snprintf(e->in_path[i], sizeof e->in_path[i], "%s/in%u.pcap", e->dir, i);
        snprintf(e->out_path[i], sizeof e->out_path[i], "%s/out%u.pcap", e->dir, i);
    }
}

static inline void
e2e_input(struct e2e *e, unsigned port_idx, const uint8_t *data, uint32_t len)
{
    e2e_frames_add(&e->in[port_idx], data, len);
}

/* Attach port idx (its input file is written now). */
static inline void
e2e_attach_one(struct e2e *e, unsigned i)
{
    static unsigned seq;
    char devargs[512], err[256] = "";
    e2e_pcap_write(e->in_path[i], &e->in[i]);
    snprintf(devargs, sizeof devargs, "net_pcap_e2e%u,rx_pcap=%s,tx_pcap=%s", seq++, e->in_path[i],
             e->out_path[i]);
    int r = dp_port_add(e->dp, e->port_no[i], devargs, err, sizeof err);
    ck_assert_msg(r == 0, "dp_port_add %s: %d %s", devargs, r, err);
    e->attached[i] = true;
}

static inline void
e2e_attach(struct e2e *e)
{
    for (unsigned i = 0; i < e->n_ports; i++)
        e2e_attach_one(e, i);
}

/* Apply a flow (text as ft_test_util.h) and commit it. */
static inline void
e2e_flow(struct e2e *e, const char *match, const char *insts)
{
    enum ft_err err = tu_add(dp_pipeline(e->dp), match, insts);
    ck_assert_msg(err == FT_OK, "flow %s -> %s: %s", match, insts, ft_err_name(err));
    ck_assert_int_eq(dp_commit(e->dp), 0);
}

/* Poll until nothing arrives for a while. Returns packets received. */
static inline unsigned
e2e_run(struct e2e *e)
{
    unsigned total = 0;
    for (int idle = 0; idle < 20;) {
        unsigned n = dp_poll(e->dp);
        total += n;
        idle = n ? 0 : idle + 1;
    }
    return total;
}

/* Detach port idx and read what it sent. */
static inline void
e2e_detach_one(struct e2e *e, unsigned i)
{
    ck_assert_int_eq(dp_port_del(e->dp, e->port_no[i]), 0);
    e->attached[i] = false;
    e2e_pcap_read(e->out_path[i], &e->out[i]);
}

static inline void
e2e_detach(struct e2e *e)
{
    for (unsigned i = 0; i < e->n_ports; i++)
        if (e->attached[i])
            e2e_detach_one(e, i);
}

static inline void
e2e_finish(struct e2e *e)
{
    char dir[sizeof e->dir];
    snprintf(dir, sizeof dir, "%s", e->dir);
    e2e_cleanup(e);
    ck_assert_msg(access(dir, F_OK) != 0, "%s left behind", dir);
}

/* Frame j of port i's output equals data. */
static inline void
e2e_expect(const struct e2e *e, unsigned i, size_t j, const uint8_t *data, uint32_t len,
           const char *what)
{
    ck_assert_msg(j < e->out[i].n, "%s: port %u sent %zu frames, want frame %zu", what,
                  e->port_no[i], e->out[i].n, j);
    bool same = e->out[i].len[j] == len && !memcmp(e->out[i].data[j], data, len);
    if (!same) {
        fprintf(stderr, "%s: port %u frame %zu: %u bytes, want %u\n", what, e->port_no[i], j,
                e->out[i].len[j], len);
        for (uint32_t k = 0; k < len && k < e->out[i].len[j]; k++)
            if (e->out[i].data[j][k] != data[k])
                fprintf(stderr, "  byte %u: %02x want %02x\n", k, e->out[i].data[j][k], data[k]);
    }
    ck_assert_msg(same, "%s: port %u frame %zu differs", what, e->port_no[i], j);
}

struct e2e_counter {
    const char *name;
    uint64_t n;
};

static inline void
e2e_counter_cb(void *aux, const char *name, uint64_t n)
{
    struct e2e_counter *c = aux;
    if (!strcmp(name, c->name))
        c->n = n;
}

/* A named drop or note counter of dp, summed over workers. */
static inline uint64_t
e2e_dp_counter(struct dp *dp, const char *name)
{
    struct e2e_counter c = {name, UINT64_MAX};
    dp_drop_counters(dp, e2e_counter_cb, &c);
    if (c.n == UINT64_MAX)
        dp_note_counters(dp, e2e_counter_cb, &c);
    ck_assert_msg(c.n != UINT64_MAX, "no counter %s", name);
    return c.n;
}

static inline uint64_t
e2e_counter(struct e2e *e, const char *name)
{
    return e2e_dp_counter(e->dp, name);
}

/* ---- frames ------------------------------------------------------------------------------ */

static const uint8_t e2e_mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t e2e_mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t e2e_mac_c[6] = {0x02, 0, 0, 0, 0, 0x0c};
static const uint8_t e2e_mac_bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

/* An Ethernet/IPv4/UDP frame (UDP checksum 0: none) with payload bytes
 * counting up from seq; returns its length. */
static inline uint32_t
e2e_udp4(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint32_t sip, uint32_t dip,
         uint16_t sport, uint16_t dport, uint8_t ttl, uint16_t payload, uint8_t seq)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    f[13] = 0x00;
    uint8_t *ip = f + 14;
    uint16_t ip_len = (uint16_t)(20 + 8 + payload);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    ip[2] = (uint8_t)(ip_len >> 8);
    ip[3] = (uint8_t)ip_len;
    ip[8] = ttl;
    ip[9] = 17;
    for (int i = 0; i < 4; i++) {
        ip[12 + i] = (uint8_t)(sip >> (24 - 8 * i));
        ip[16 + i] = (uint8_t)(dip >> (24 - 8 * i));
    }
    uint32_t sum = 0;
    for (int i = 0; i < 20; i += 2)
        sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = (uint8_t)(~sum >> 8);
    ip[11] = (uint8_t)~sum;
    uint8_t *udp = ip + 20;
    udp[0] = (uint8_t)(sport >> 8);
    udp[1] = (uint8_t)sport;
    udp[2] = (uint8_t)(dport >> 8);
    udp[3] = (uint8_t)dport;
    udp[4] = (uint8_t)((8 + payload) >> 8);
    udp[5] = (uint8_t)(8 + payload);
    udp[6] = udp[7] = 0;
    for (uint16_t i = 0; i < payload; i++)
        udp[8 + i] = (uint8_t)(seq + i);
    return 14u + ip_len;
}

/* A short UDP frame in port i's input; returns its length. */
static inline uint32_t
e2e_input_udp(struct e2e *e, unsigned i, const uint8_t *dst, const uint8_t *src, uint16_t sport,
              uint8_t seq)
{
    uint8_t f[128];
    uint32_t len = e2e_udp4(f, dst, src, 0x0a000001, 0x0a000002, sport, 53, 64, 18, seq);
    e2e_input(e, i, f, len);
    return len;
}

/* The frames port i sent equal the frames port j received, in order. */
static inline void
e2e_expect_same(const struct e2e *e, unsigned out_port, const struct e2e_frames *want,
                const char *what)
{
    ck_assert_msg(e->out[out_port].n == want->n, "%s: port %u sent %zu frames, want %zu", what,
                  e->port_no[out_port], e->out[out_port].n, want->n);
    for (size_t j = 0; j < want->n; j++)
        e2e_expect(e, out_port, j, want->data[j], want->len[j], what);
}

#endif /* TEST_DP_E2E_H */
