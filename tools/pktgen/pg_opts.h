/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_opts.h — ofs-pktgen's command line (the part after EAL's `--`).
 *
 * Thread safety: parsed once by the main thread before EAL starts; read-only
 * afterwards, so every lcore may read it.
 */
#ifndef PG_OPTS_H
#define PG_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PG_SIZE_MIN   64u
#define PG_SIZE_MAX   9000u
#define PG_BURST_MAX  256u
#define PG_QUEUES_MAX 16u
/* The stamp carries the flow id in 24 bits. */
#define PG_FLOWS_MAX  (1u << 24)

enum pg_proto {
    PG_PROTO_TCP = 6,
    PG_PROTO_UDP = 17,
};

/* An inclusive range of a header field, as an integer in host order
 * (MACs as 48-bit numbers, IPv4 addresses as 32-bit numbers). */
struct pg_range {
    uint64_t lo;
    uint64_t hi;
};

/* Header fields that vary per flow; flow i takes the i-th combination with
 * the first field here varying fastest. */
enum pg_field {
    PG_F_SRC_IP,
    PG_F_DST_IP,
    PG_F_SRC_PORT,
    PG_F_DST_PORT,
    PG_F_SRC_MAC,
    PG_F_DST_MAC,
    PG_F_VLAN,
    PG_F_COUNT,
};

struct pg_opts {
    const char *tx_port; /* devargs */
    const char *rx_port; /* devargs; NULL when the TX port also receives */
    uint32_t size;       /* frame size counted as testers do: with the 4-byte CRC */
    uint32_t flows;      /* N, resolved: the first N combinations of the ranges */
    struct pg_range field[PG_F_COUNT];
    bool vlan; /* tag frames with field[PG_F_VLAN] */
    uint8_t proto;
    double rate_mpps; /* 0: as fast as the port takes them */
    double duration;  /* seconds measured; 0: until SIGINT/SIGTERM */
    double warmup;    /* seconds sent before measuring, not counted */
    double drain;     /* longest wait for packets still in flight after TX stops */
    double link_timeout;
    uint32_t burst;
    uint32_t txq;
    uint32_t rxq;
    uint32_t port_queues; /* queues configured on each port, >= txq and rxq */
    bool json;
    bool hold; /* keep the ports open after the report until stdin ends */
    bool help;
};

/* Parses argv[1..argc-1] (argv[0] is ignored, as getopt does). Returns 0, or
 * -EINVAL with one line (no newline) in err naming the offending option. */
int pg_opts_parse(struct pg_opts *o, int argc, char **argv, char *err, size_t errlen);

/* Number of values in a field's range. */
uint64_t pg_range_count(const struct pg_range *r);

/* Product of every field's count, saturating at UINT64_MAX. */
uint64_t pg_opts_combinations(const struct pg_opts *o);

/* The smallest --size that holds the headers and the stamp. */
uint32_t pg_opts_min_size(const struct pg_opts *o);

void pg_opts_usage(FILE *f);

#endif /* PG_OPTS_H */
