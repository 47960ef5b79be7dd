/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_flow.h — the frame template and the per-flow records that TX turns
 * into packets: Ethernet (+ optional 802.1Q) / IPv4 / UDP or TCP / filler /
 * stamp. Checksums are precomputed per flow and completed per packet by
 * adding the stamp's sum, so a packet costs one copy and a few stores.
 *
 * Thread safety: the template is built once and read-only afterwards. A
 * flow record's `sent` belongs to the one TX lcore whose slice holds it.
 */
#ifndef PG_FLOW_H
#define PG_FLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "pg_opts.h"
#include "pg_stamp.h"

struct pg_tmpl {
    uint32_t frame_len; /* bytes handed to the port: --size minus the CRC */
    uint16_t l3_off;
    uint16_t l4_off;
    uint16_t l4_csum_off; /* from the frame start */
    uint16_t stamp_off;   /* from the frame start: frame_len - PG_STAMP_LEN */
    uint8_t proto;
    bool vlan;
    bool stamp_odd;   /* stamp starts at an odd offset into the L4 segment */
    uint32_t ip_sum0; /* sum of the IP header with addresses and checksum zero */
    uint32_t l4_sum0; /* sum of pseudo-header + L4 segment with addresses, ports,
                       * checksum and stamp zero */
    uint8_t frame[PG_SIZE_MAX];
};

/* One flow, as TX needs it: 48 bytes, walked in order. */
struct pg_flow {
    uint8_t dst_mac[6];
    uint8_t src_mac[6];
    rte_be16_t vlan_tci;
    rte_be16_t ip_csum;
    rte_be32_t src_ip;
    rte_be32_t dst_ip;
    rte_be16_t src_port;
    rte_be16_t dst_port;
    uint16_t l4_sum; /* folded sum of everything in the L4 checksum but the stamp */
    uint16_t pad;
    uint32_t id; /* index of its combination of field values; in the stamp */
    uint32_t pad2;
    uint64_t sent; /* packets sent in this phase; the next one's sequence number */
};

/* Lays out the frame for the options. Returns 0 or -EINVAL. */
int pg_tmpl_init(struct pg_tmpl *t, const struct pg_opts *o);

/* The field values of combination `id` (first field fastest). */
void pg_flow_values(const struct pg_opts *o, uint32_t id, uint64_t v[PG_F_COUNT]);

/* Fills flows[0..o->flows-1] with every flow, in the fixed pseudo-random
 * order in which TX walks them. */
void pg_flows_build(const struct pg_opts *o, const struct pg_tmpl *t, struct pg_flow *flows);

static inline uint16_t
pg_csum_fold(uint32_t s)
{
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* Writes the whole frame of flow f at p (frame_len bytes), all but the
 * stamp and the L4 checksum. */
static inline void
pg_pkt_write(const struct pg_tmpl *t, const struct pg_flow *f, uint8_t *p)
{
    memcpy(p, t->frame, t->frame_len);
    memcpy(p, f->dst_mac, 12); /* dst and src MAC */
    if (t->vlan)
        memcpy(p + 14, &f->vlan_tci, 2);
    memcpy(p + t->l3_off + 10, &f->ip_csum, 2);
    memcpy(p + t->l3_off + 12, &f->src_ip, 8); /* src and dst IP */
    memcpy(p + t->l4_off, &f->src_port, 4);    /* src and dst port */
}

/* Writes the stamp and completes the L4 checksum with its sum. */
static inline void
pg_pkt_stamp(const struct pg_tmpl *t, const struct pg_flow *f, uint8_t *p, uint8_t run,
             uint32_t seq, uint64_t tsc)
{
    uint16_t ss = pg_stamp_encode(p + t->stamp_off, run, f->id, seq, tsc);
    /* A buffer summed from an odd offset contributes byte-swapped (RFC 1071). */
    if (t->stamp_odd)
        ss = (uint16_t)(ss << 8 | ss >> 8);
    uint16_t c = (uint16_t)~pg_csum_fold((uint32_t)f->l4_sum + ss);
    if (c == 0 && t->proto == PG_PROTO_UDP)
        c = 0xffff; /* 0 means "no checksum" in UDP */
    memcpy(p + t->l4_csum_off, &c, 2);
}

#endif /* PG_FLOW_H */
