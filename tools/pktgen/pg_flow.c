/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_flow.c — build the frame template and the flow records.
 *
 * Checksums: ones' complement sums commute, so the template's sum (with
 * every per-flow field zero) is computed once, each flow adds its
 * addresses and ports, and each packet adds its stamp. No per-flow pass
 * over the payload, which matters for a million flows of 9000-byte frames.
 */
#include "pg_flow.h"

#include <errno.h>
#include <stddef.h>

#include <rte_ether.h>
#include <rte_tcp.h>
#include <rte_udp.h>

/* pg_pkt_write copies adjacent fields in one go. */
_Static_assert(offsetof(struct pg_flow, src_mac) == offsetof(struct pg_flow, dst_mac) + 6,
               "MACs adjacent");
_Static_assert(offsetof(struct pg_flow, dst_ip) == offsetof(struct pg_flow, src_ip) + 4,
               "IPs adjacent");
_Static_assert(offsetof(struct pg_flow, dst_port) == offsetof(struct pg_flow, src_port) + 2,
               "ports adjacent");
_Static_assert(sizeof(struct pg_flow) == 48, "flow record size");

static void
pg_put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

int
pg_tmpl_init(struct pg_tmpl *t, const struct pg_opts *o)
{
    if (o->size < pg_opts_min_size(o) || o->size > PG_SIZE_MAX)
        return -EINVAL;
    memset(t, 0, sizeof *t);
    t->frame_len = o->size - RTE_ETHER_CRC_LEN;
    t->proto = o->proto;
    t->vlan = o->vlan;

    uint8_t *p = t->frame;
    uint16_t off = 12; /* after the MACs, left zero */
    if (o->vlan) {
        pg_put16(p + off, RTE_ETHER_TYPE_VLAN);
        off += 4; /* TCI per flow */
    }
    pg_put16(p + off, RTE_ETHER_TYPE_IPV4);
    off += 2;

    t->l3_off = off;
    uint16_t ip_len = (uint16_t)(t->frame_len - off);
    uint8_t *ip = p + off;
    ip[0] = 0x45; /* version 4, 20-byte header */
    pg_put16(ip + 2, ip_len);
    ip[8] = 64; /* TTL */
    ip[9] = o->proto;
    t->ip_sum0 = rte_raw_cksum(ip, 20);

    t->l4_off = (uint16_t)(off + 20);
    uint16_t l4_len = (uint16_t)(ip_len - 20);
    uint8_t *l4 = p + t->l4_off;
    if (o->proto == PG_PROTO_UDP) {
        pg_put16(l4 + 4, l4_len);
        t->l4_csum_off = (uint16_t)(t->l4_off + 6);
    } else {
        l4[12] = 5 << 4;           /* data offset: 20 bytes */
        l4[13] = RTE_TCP_ACK_FLAG; /* a mid-connection segment */
        pg_put16(l4 + 14, 0xffff); /* window */
        t->l4_csum_off = (uint16_t)(t->l4_off + 16);
    }
    t->stamp_off = (uint16_t)(t->frame_len - PG_STAMP_LEN);
    t->stamp_odd = (t->stamp_off - t->l4_off) & 1;

    /* Pseudo-header with zero addresses: protocol and L4 length. */
    uint8_t ph[4] = {0, o->proto};
    pg_put16(ph + 2, l4_len);
    t->l4_sum0 = (uint32_t)rte_raw_cksum(ph, 4) + rte_raw_cksum(l4, l4_len);
    return 0;
}

void
pg_flow_values(const struct pg_opts *o, uint32_t id, uint64_t v[PG_F_COUNT])
{
    uint64_t rest = id;
    for (int f = 0; f < PG_F_COUNT; f++) {
        uint64_t n = pg_range_count(&o->field[f]);
        v[f] = o->field[f].lo + rest % n;
        rest /= n;
    }
}

static void
pg_mac_bytes(uint64_t v, uint8_t *b)
{
    for (int i = 5; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

static void
pg_flow_init(const struct pg_opts *o, const struct pg_tmpl *t, uint32_t id, struct pg_flow *f)
{
    uint64_t v[PG_F_COUNT];
    pg_flow_values(o, id, v);
    memset(f, 0, sizeof *f);
    f->id = id;
    pg_mac_bytes(v[PG_F_DST_MAC], f->dst_mac);
    pg_mac_bytes(v[PG_F_SRC_MAC], f->src_mac);
    f->vlan_tci = rte_cpu_to_be_16((uint16_t)v[PG_F_VLAN]);
    f->src_ip = rte_cpu_to_be_32((uint32_t)v[PG_F_SRC_IP]);
    f->dst_ip = rte_cpu_to_be_32((uint32_t)v[PG_F_DST_IP]);
    f->src_port = rte_cpu_to_be_16((uint16_t)v[PG_F_SRC_PORT]);
    f->dst_port = rte_cpu_to_be_16((uint16_t)v[PG_F_DST_PORT]);

    uint32_t addrs = rte_raw_cksum(&f->src_ip, 8);
    f->ip_csum = (rte_be16_t)~pg_csum_fold(t->ip_sum0 + addrs);
    f->l4_sum = pg_csum_fold(t->l4_sum0 + addrs + rte_raw_cksum(&f->src_port, 4));
}

/* xorshift64*: the order must be the same on every run and machine. */
static uint64_t
pg_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *s = x;
    return x * 0x2545f4914f6cdd1dull;
}

void
pg_flows_build(const struct pg_opts *o, const struct pg_tmpl *t, struct pg_flow *flows)
{
    uint32_t n = o->flows;
    for (uint32_t i = 0; i < n; i++)
        pg_flow_init(o, t, i, &flows[i]);
    /* Fisher-Yates: consecutive packets hit unrelated flows, as from many
     * hosts, rather than trains a cache would find easy. */
    uint64_t s = 0x9e3779b97f4a7c15ull;
    for (uint32_t i = n - 1; i > 0; i--) {
        uint32_t j = (uint32_t)(((pg_rand(&s) >> 32) * (uint64_t)(i + 1)) >> 32);
        struct pg_flow tmp = flows[i];
        flows[i] = flows[j];
        flows[j] = tmp;
    }
}
