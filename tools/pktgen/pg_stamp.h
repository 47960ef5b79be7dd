/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_stamp.h — the 14 bytes ofs-pktgen writes at the end of every IPv4
 * packet it sends, and reads back on receive.
 *
 *   bytes 0-1   magic 0x4750 ("PG" in memory)
 *   byte  2     run: random per run, bit 7 set on warm-up packets
 *   bytes 3-5   flow id (24 bits)
 *   bytes 6-8   per-flow sequence number (24 bits, wraps)
 *   bytes 9-13  TSC at TX, low 40 bits (wraps after minutes, far above any
 *               latency; only differences are used)
 *
 * Multi-byte fields are little-endian. The stamp sits at the end of the IP
 * packet, not at a fixed offset, so a switch that pushes or pops VLAN tags
 * does not move it out of the receiver's sight; 14 bytes is what a 64-byte
 * VLAN-tagged UDP frame has room for.
 *
 * Thread safety: pure functions on caller-owned bytes.
 */
#ifndef PG_STAMP_H
#define PG_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define PG_STAMP_LEN   14u
#define PG_STAMP_MAGIC 0x4750u
#define PG_RUN_WARMUP  0x80u
#define PG_SEQ_BITS    24u
#define PG_SEQ_MASK    ((1u << PG_SEQ_BITS) - 1)
#define PG_TSC_MASK    ((UINT64_C(1) << 40) - 1)

struct pg_stamp {
    uint8_t run;
    uint32_t flow;
    uint32_t seq;
    uint64_t tsc; /* low 40 bits */
};

static inline uint64_t
pg_stamp_le64(uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap64(v);
#else
    return v;
#endif
}

/* Writes the stamp at p (any alignment: the offset is odd for odd frame
 * sizes; constant-size memcpy makes single unaligned stores). Returns
 * the ones' complement sum of the 14 bytes as rte_raw_cksum() would
 * compute it, from registers rather than by reading them back. */
static inline uint16_t
pg_stamp_encode(uint8_t *p, uint8_t run, uint32_t flow, uint32_t seq, uint64_t tsc)
{
    uint64_t a = PG_STAMP_MAGIC | (uint64_t)run << 16 | (uint64_t)(flow & 0xffffff) << 24 |
                 (uint64_t)(seq & 0xffff) << 48;
    uint64_t b = (uint64_t)((seq >> 16) & 0xff) | (tsc & PG_TSC_MASK) << 8;
    uint64_t la = pg_stamp_le64(a), lb = pg_stamp_le64(b);
    memcpy(p, &la, 8);
    memcpy(p + 8, &lb, 6); /* the low 48 bits, little-endian */

    uint64_t s = (a & 0xffff) + (a >> 16 & 0xffff) + (a >> 32 & 0xffff) + (a >> 48) + (b & 0xffff) +
                 (b >> 16 & 0xffff) + (b >> 32 & 0xffff);
    s = (s & 0xffff) + (s >> 16);
    s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    /* Native 16-bit loads of little-endian chunks are byte-swapped. */
    s = (uint16_t)(s << 8 | s >> 8);
#endif
    return (uint16_t)s;
}

/* False if the magic is not there (not one of our packets). */
static inline bool
pg_stamp_decode(const uint8_t *p, struct pg_stamp *s)
{
    uint64_t a, b = 0;
    memcpy(&a, p, 8);
    memcpy(&b, p + 8, 6);
    a = pg_stamp_le64(a);
    b = pg_stamp_le64(b);
    if ((a & 0xffff) != PG_STAMP_MAGIC)
        return false;
    s->run = (uint8_t)(a >> 16);
    s->flow = (uint32_t)(a >> 24) & 0xffffff;
    s->seq = (uint32_t)(a >> 48) | (uint32_t)(b & 0xff) << 16;
    s->tsc = b >> 8;
    return true;
}

#endif /* PG_STAMP_H */
