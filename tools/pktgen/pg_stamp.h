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

static inline void
pg_stamp_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t
pg_stamp_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Byte loops rather than casts: the stamp's offset is odd for odd frame
 * sizes, and compilers turn these into single unaligned moves. */
static inline void
pg_stamp_encode(uint8_t *p, uint8_t run, uint32_t flow, uint32_t seq, uint64_t tsc)
{
    uint64_t a = PG_STAMP_MAGIC | (uint64_t)run << 16 | (uint64_t)(flow & 0xffffff) << 24 |
                 (uint64_t)(seq & 0xffff) << 48;
    uint64_t b = (uint64_t)((seq >> 16) & 0xff) | (tsc & PG_TSC_MASK) << 8;
    pg_stamp_put_le(p, a, 8);
    pg_stamp_put_le(p + 8, b, 6);
}

/* False if the magic is not there (not one of our packets). */
static inline bool
pg_stamp_decode(const uint8_t *p, struct pg_stamp *s)
{
    uint64_t a = pg_stamp_get_le(p, 8);
    uint64_t b = pg_stamp_get_le(p + 8, 6);
    if ((a & 0xffff) != PG_STAMP_MAGIC)
        return false;
    s->run = (uint8_t)(a >> 16);
    s->flow = (uint32_t)(a >> 24) & 0xffffff;
    s->seq = (uint32_t)(a >> 48) | (uint32_t)(b & 0xff) << 16;
    s->tsc = b >> 8;
    return true;
}

#endif /* PG_STAMP_H */
