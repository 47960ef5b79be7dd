/* SPDX-License-Identifier: Apache-2.0 */
/*
 * parse_frames.h — hand-built frames for the parser tests, one per case,
 * annotated header by header; test_parse.c states what each must parse to
 * and the fuzz target's seed corpus is written from the same table.
 * Checksums are left zero: the parser does not read them.
 *
 * Thread safety: read-only data.
 */
#ifndef TEST_PARSE_FRAMES_H
#define TEST_PARSE_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/* The byte tables are laid out one header per line, which clang-format
 * would re-flow. */
/* clang-format off */

/* eth_dst 00:11:22:33:44:55, eth_src 66:77:88:99:aa:bb. */
#define F_MACS 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb
/* 2001:db8::1 and 2001:db8::2. */
#define F_V6_A 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01
#define F_V6_B 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
/* fe80::2, and its solicited-node address ff02::1:ff00:2. */
#define F_LL_2 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02
#define F_SN_2 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, 0, 0, 0x02
/* IPv6 header start: version 6, traffic class 0xb9 (DSCP 46, ECN 1), flow
 * label 0x12345; then come payload length, next header, hop limit. */
#define F_V6_VTF 0x6b, 0x91, 0x23, 0x45
/* Body of an 8-byte HBH or Dest header after next header and length 0:
 * one PadN option of 4 bytes. */
#define F_PADN6 0x01, 0x04, 0, 0, 0, 0
/* A 20-byte TCP header 1024 -> 22, data offset 5, SYN. */
#define F_TCP_1024_22 0x04, 0x00, 0x00, 0x16, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0
/* A 20-byte TCP header 80 -> 1024, data offset 5, ACK. */
#define F_TCP_80_1024 0x00, 0x50, 0x04, 0x00, 0, 0, 0, 9, 0, 0, 0, 7, 0x50, 0x10, 0x01, 0x00, 0, 0, 0, 0

/* --- Layer 2 ------------------------------------------------------------ */

static const uint8_t frame_eth_lldp[] = {
    F_MACS, 0x88, 0xcc,                 /* Ethernet, type LLDP (not parsed) */
    0x02, 0x07, 0x04, 0, 0, 0, 0, 0,    /* 14: payload */
};

static const uint8_t frame_eth_8023[] = {
    F_MACS, 0x00, 0x26,                         /* 802.3, length 38 */
    0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00,   /* 14: LLC (STP) */
};

static const uint8_t frame_vlan_ipv4_udp[] = {
    F_MACS,
    0x81, 0x00, 0xa0, 0x64,             /* 12: 802.1Q: PCP 5, VID 100 */
    0x08, 0x00,                         /* 16: type IPv4 */
    0x45, 0xb9, 0x00, 0x1c,             /* 18: IPv4, IHL 5, DSCP 46 ECN 1, length 28 */
    0x12, 0x34, 0x00, 0x00,             /*     id, no fragment */
    64, 17, 0, 0,                       /*     TTL 64, UDP */
    10, 0, 0, 1,                        /*     src 10.0.0.1 */
    192, 168, 1, 2,                     /*     dst 192.168.1.2 */
    0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0, 0, /* 38: UDP 12345 -> 53, length 8 */
};

static const uint8_t frame_qinq_ipv4_tcp[] = {
    F_MACS,
    0x88, 0xa8, 0x60, 0xc8,             /* 12: 802.1ad S-tag: PCP 3, VID 200 */
    0x81, 0x00, 0x21, 0x2c,             /* 16: 802.1Q C-tag: PCP 1, VID 300 */
    0x08, 0x00,                         /* 20: type IPv4 */
    0x45, 0x00, 0x00, 0x28,             /* 22: IPv4, length 40 */
    0x00, 0x01, 0x40, 0x00,             /*     DF: not a fragment */
    128, 6, 0, 0,                       /*     TTL 128, TCP */
    172, 16, 0, 1,                      /*     src */
    172, 16, 0, 2,                      /*     dst */
    0xc0, 0x00, 0x01, 0xbb, 0, 0, 0, 1, /* 42: TCP 49152 -> 443 */
    0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
};

static const uint8_t frame_three_tags_icmp[] = {
    F_MACS,
    0x91, 0x00, 0xe0, 0x0a,             /* 12: old S-tag TPID 0x9100: PCP 7, VID 10 */
    0x88, 0xa8, 0x00, 0x14,             /* 16: 802.1ad: PCP 0, VID 20 */
    0x81, 0x00, 0x40, 0x1e,             /* 20: 802.1Q: PCP 2, VID 30 (third tag) */
    0x08, 0x00,                         /* 24: type IPv4 */
    0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, /* 26: IPv4, length 28 */
    255, 1, 0, 0,                       /*     TTL 255, ICMP */
    1, 2, 3, 4, 5, 6, 7, 8,             /*     src, dst */
    3, 3, 0, 0, 0, 0, 0, 0,             /* 46: ICMP port unreachable */
};

static const uint8_t frame_vlan_then_9100[] = {
    F_MACS,
    0x81, 0x00, 0x00, 0x05,             /* 12: 802.1Q: PCP 0, VID 5 */
    0x91, 0x00,                         /* 16: 0x9100 inside a tag: a type */
    0x00, 0x06, 0, 0,                   /* 18: payload */
};

static const uint8_t frame_mpls2[] = {
    F_MACS, 0x88, 0x47,                 /* type MPLS unicast */
    0x12, 0x34, 0x5a, 0x40,             /* 14: label 0x12345, TC 5, BOS 0, TTL 64 */
    0x00, 0x01, 0x01, 0x3f,             /* 18: label 16, TC 0, BOS 1, TTL 63 */
    0x45, 0x00, 0x00, 0x14,             /* 22: IPv4: not parsed */
};

static const uint8_t frame_pbb[] = {
    F_MACS,                             /* B-DA, B-SA */
    0x88, 0xa8, 0x00, 0x05,             /* 12: B-TAG: VID 5 */
    0x88, 0xe7,                         /* 16: type PBB */
    0x60, 0xab, 0xcd, 0xef,             /* 18: I-TAG: PCP 3, I-SID 0xabcdef */
    0x02, 0, 0, 0, 0, 0x01,             /* 22: customer frame: not parsed */
    0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
};

/* --- ARP ---------------------------------------------------------------- */

static const uint8_t frame_arp_request[] = {
    F_MACS, 0x08, 0x06,                 /* type ARP */
    0x00, 0x01, 0x08, 0x00, 6, 4,       /* 14: Ethernet/IPv4 */
    0x00, 0x01,                         /*     op request */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /*     sha */
    10, 0, 0, 1,                        /*     spa */
    0, 0, 0, 0, 0, 0,                   /*     tha */
    10, 0, 0, 2,                        /*     tpa */
};

static const uint8_t frame_prio_arp_reply[] = {
    F_MACS,
    0x81, 0x00, 0xe0, 0x00,             /* 12: priority tag: PCP 7, VID 0 */
    0x08, 0x06,                         /* 16: type ARP */
    0x00, 0x01, 0x08, 0x00, 6, 4,       /* 18: Ethernet/IPv4 */
    0x00, 0x02,                         /*     op reply */
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /*     sha */
    10, 0, 0, 2,                        /*     spa */
    0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /*     tha */
    10, 0, 0, 1,                        /*     tpa */
};

static const uint8_t frame_arp_ieee802[] = {
    F_MACS, 0x08, 0x06,                 /* type ARP */
    0x00, 0x06, 0x08, 0x00, 6, 4,       /* 14: hardware type IEEE 802 (6) */
    0x00, 0x01,                         /*     op request */
    1, 2, 3, 4, 5, 6, 10, 0, 0, 1,      /*     sha, spa */
    0, 0, 0, 0, 0, 0, 10, 0, 0, 2,      /*     tha, tpa */
};

/* --- IPv4 --------------------------------------------------------------- */

static const uint8_t frame_ipv4_opts_tcp[] = {
    F_MACS, 0x08, 0x00,
    0x47, 0x10, 0x00, 0x30, 0, 0, 0, 0, /* 14: IPv4, IHL 7, DSCP 4, length 48 */
    64, 6, 0, 0,                        /*     TTL 64, TCP */
    10, 1, 1, 1,                        /*     src */
    10, 2, 2, 2,                        /*     dst */
    0x94, 0x04, 0x00, 0x00,             /* 34: option: router alert */
    0x01, 0x01, 0x01, 0x00,             /* 38: options: NOP NOP NOP EOL */
    F_TCP_80_1024,                      /* 42: TCP */
};

static const uint8_t frame_ipv4_frag_first_udp[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x24,             /* 14: IPv4, length 36 */
    0xab, 0xcd, 0x20, 0x00,             /*     MF, offset 0 */
    32, 17, 0, 0,                       /*     TTL 32, UDP */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    0x00, 0x44, 0x00, 0x43, 0x01, 0x00, 0, 0, /* 34: UDP 68 -> 67 */
    1, 2, 3, 4, 5, 6, 7, 8,             /* 42: UDP payload */
};

static const uint8_t frame_ipv4_frag_later[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x1c,             /* 14: IPv4, length 28 */
    0xab, 0xcd, 0x00, 0xb9,             /*     offset 185 (1480 bytes) */
    32, 17, 0, 0,                       /*     TTL 32, UDP */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0, /* 34: fragment data, not UDP */
};

static const uint8_t frame_ipv4_sctp[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x20, 0, 0, 0, 0, /* 14: IPv4, length 32 */
    64, 132, 0, 0,                      /*     TTL 64, SCTP */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    0x0b, 0x59, 0x0b, 0x5a,             /* 34: SCTP 2905 -> 2906 */
    0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, /*     verification tag, checksum */
};

static const uint8_t frame_ipv4_padded_udp[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x1c, 0, 0, 0, 0, /* 14: IPv4, length 28 */
    1, 17, 0, 0,                        /*     TTL 1, UDP */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    0x00, 0x07, 0x00, 0x09, 0x00, 0x08, 0, 0, /* 34: UDP 7 -> 9 */
    0xee, 0xee, 0xee, 0xee, 0xee, 0xee, /* 42: Ethernet padding to 60 bytes */
    0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
    0xee, 0xee, 0xee, 0xee, 0xee, 0xee,
};

static const uint8_t frame_ipv4_len_cuts_tcp[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x18, 0, 0, 0, 0, /* 14: IPv4, length 24: TCP is beyond */
    64, 6, 0, 0,                        /*     TTL 64, TCP */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    F_TCP_80_1024,                      /* 34: TCP outside the IP packet */
};

static const uint8_t frame_ipv4_bad_ihl[] = {
    F_MACS, 0x08, 0x00,
    0x44, 0x00, 0x00, 0x14, 0, 0, 0, 0, /* 14: IPv4 with IHL 4 */
    64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
};

static const uint8_t frame_ipv4_bad_version[] = {
    F_MACS, 0x08, 0x00,
    0x55, 0x00, 0x00, 0x14, 0, 0, 0, 0, /* 14: version 5 under type IPv4 */
    64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
};

static const uint8_t frame_ipv4_len_lt_hdr[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x10, 0, 0, 0, 0, /* 14: IPv4, length 16 < IHL 5 * 4 */
    64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
};

static const uint8_t frame_ipv4_gre[] = {
    F_MACS, 0x08, 0x00,
    0x45, 0x00, 0x00, 0x18, 0, 0, 0, 0, /* 14: IPv4, length 24 */
    64, 47, 0, 0,                       /*     TTL 64, GRE: no L4 fields */
    10, 0, 0, 1, 10, 0, 0, 2,           /*     src, dst */
    0x00, 0x00, 0x65, 0x58,             /* 34: GRE header */
};

/* --- IPv6 --------------------------------------------------------------- */

static const uint8_t frame_ipv6_tcp[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x14, 6, 64,        /* 14: IPv6, payload 20, TCP */
    F_V6_A, F_V6_B,                     /*     src, dst */
    F_TCP_1024_22,                      /* 54: TCP */
};

static const uint8_t frame_ipv6_chain_udp[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x58, 0, 64,        /* 14: IPv6, payload 88, HBH */
    F_V6_A, F_V6_B,
    60, 0, F_PADN6,                     /* 54: HBH -> Dest */
    43, 0, F_PADN6,                     /* 62: Dest -> Routing */
    44, 2, 0, 0, 0, 0, 0, 0, F_V6_B,    /* 70: Routing, 24 bytes -> Frag */
    51, 0, 0x00, 0x01, 0, 0, 0, 7,      /* 94: Frag offset 0, M -> AH */
    60, 4, 0, 0,                        /* 102: AH, 6 units of 4 -> Dest */
    0, 0, 1, 0, 0, 0, 0, 1,             /*      SPI 256, seq 1 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /*      ICV */
    17, 0, F_PADN6,                     /* 126: Dest -> UDP */
    0x02, 0x22, 0x02, 0x23, 0x00, 0x08, 0, 0, /* 134: UDP 546 -> 547 */
};

static const uint8_t frame_ipv6_hbh_late[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x24, 60, 64,       /* 14: IPv6, payload 36, Dest */
    F_V6_A, F_V6_B,
    0, 0, F_PADN6,                      /* 54: Dest -> HBH */
    6, 0, F_PADN6,                      /* 62: HBH, not first -> TCP */
    F_TCP_1024_22,                      /* 70: TCP */
};

static const uint8_t frame_ipv6_frag_routing[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x18, 44, 64,       /* 14: IPv6, payload 24, Frag */
    F_V6_A, F_V6_B,
    43, 0, 0x00, 0x00, 0, 0, 0, 9,      /* 54: atomic Frag -> Routing */
    58, 0, 0, 0, 0, 0, 0, 0,            /* 62: Routing after Frag -> ICMPv6 */
    128, 0, 0, 0, 0x00, 0x01, 0x00, 0x02, /* 70: ICMPv6 echo request */
};

static const uint8_t frame_ipv6_routing_twice[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x20, 0, 64,        /* 14: IPv6, payload 32, HBH */
    F_V6_A, F_V6_B,
    43, 0, F_PADN6,                     /* 54: HBH -> Routing */
    43, 0, 0, 0, 0, 0, 0, 0,            /* 62: Routing -> Routing */
    17, 0, 0, 0, 0, 0, 0, 0,            /* 70: Routing again -> UDP */
    0x13, 0x88, 0x13, 0x89, 0x00, 0x08, 0, 0, /* 78: UDP 5000 -> 5001 */
};

static const uint8_t frame_ipv6_dest_thrice[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x18, 60, 64,       /* 14: IPv6, payload 24, Dest */
    F_V6_A, F_V6_B,
    60, 0, F_PADN6,                     /* 54: Dest -> Dest */
    60, 0, F_PADN6,                     /* 62: Dest -> Dest */
    59, 0, F_PADN6,                     /* 70: third Dest -> no next header */
};

static const uint8_t frame_ipv6_nonext[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x0c, 60, 64,       /* 14: IPv6, payload 12, Dest */
    F_V6_A, F_V6_B,
    59, 0, F_PADN6,                     /* 54: Dest -> no next header */
    0xaa, 0xbb, 0xcc, 0xdd,             /* 62: ignored */
};

static const uint8_t frame_ipv6_esp[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x18, 0, 64,        /* 14: IPv6, payload 24, HBH */
    F_V6_A, F_V6_B,
    50, 0, F_PADN6,                     /* 54: HBH -> ESP */
    0, 0, 0x01, 0x00, 0, 0, 0, 1,       /* 62: ESP SPI 256, seq 1 */
    0x17, 0x2e, 0x5f, 0x91, 0x0c, 0x44, 0xe3, 0x7a, /* 70: encrypted */
};

static const uint8_t frame_ipv6_frag_later[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x18, 44, 64,       /* 14: IPv6, payload 24, Frag */
    F_V6_A, F_V6_B,
    6, 0, 0x03, 0x21, 0, 0, 0, 9,       /* 54: Frag offset 100, M -> TCP */
    0x04, 0x00, 0x00, 0x16, 0, 0, 0, 1, /* 62: fragment data */
    0, 0, 0, 0, 0, 0, 0, 0,
};

static const uint8_t frame_ipv6_len_cuts_tcp[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x08, 6, 64,        /* 14: IPv6, payload 8, TCP */
    F_V6_A, F_V6_B,
    F_TCP_1024_22,                      /* 54: TCP longer than the payload */
};

static const uint8_t frame_ipv6_len_cuts_hbh[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x04, 0, 64,        /* 14: IPv6, payload 4, HBH */
    F_V6_A, F_V6_B,
    17, 0, F_PADN6,                     /* 54: HBH of 8 bytes */
};

static const uint8_t frame_ipv6_bad_version[] = {
    F_MACS, 0x86, 0xdd,
    0x4b, 0x91, 0x23, 0x45, 0x00, 0x00, 59, 64, /* 14: version 4 under type IPv6 */
    F_V6_A, F_V6_B,
};

static const uint8_t frame_ipv6_proto_icmpv4[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x08, 1, 64,        /* 14: IPv6, payload 8, ICMPv4 */
    F_V6_A, F_V6_B,
    8, 0, 0, 0, 0, 1, 0, 1,             /* 54: not ICMP inside IPv6 */
};

/* --- ICMPv6 and neighbour discovery -------------------------------------- */

static const uint8_t frame_icmpv6_echo[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x08, 58, 64,       /* 14: IPv6, payload 8, ICMPv6 */
    F_V6_A, F_V6_B,
    129, 0, 0, 0, 0x00, 0x01, 0x00, 0x02, /* 54: echo reply */
};

static const uint8_t frame_nd_ns_sll[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x30, 58, 255,      /* 14: IPv6, payload 48, ICMPv6 */
    F_V6_A, F_SN_2,
    135, 0, 0, 0, 0, 0, 0, 0,           /* 54: NS, reserved */
    F_LL_2,                             /* 62: target fe80::2 */
    14, 1, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, /* 78: nonce option */
    1, 1, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,  /* 86: SLL */
    2, 1, 0x02, 0, 0, 0, 0, 0x09,       /* 94: TLL: not in an NS */
};

static const uint8_t frame_nd_na_tll[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x28, 58, 255,      /* 14: IPv6, payload 40, ICMPv6 */
    F_V6_B, F_V6_A,
    136, 0, 0, 0, 0x60, 0, 0, 0,        /* 54: NA, flags S O */
    F_LL_2,                             /* 62: target fe80::2 */
    1, 1, 0x02, 0, 0, 0, 0, 0x08,       /* 78: SLL: not in an NA */
    2, 1, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* 86: TLL */
};

static const uint8_t frame_nd_ns_zero_opt[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x28, 58, 255,      /* 14: IPv6, payload 40, ICMPv6 */
    F_V6_A, F_SN_2,
    135, 0, 0, 0, 0, 0, 0, 0,           /* 54: NS */
    F_LL_2,                             /* 62: target */
    1, 1, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, /* 78: SLL */
    14, 0, 0, 0, 0, 0, 0, 0,            /* 86: option of length 0 */
};

static const uint8_t frame_nd_na_opt_overrun[] = {
    F_MACS, 0x86, 0xdd,
    F_V6_VTF, 0x00, 0x20, 58, 255,      /* 14: IPv6, payload 32, ICMPv6 */
    F_V6_B, F_V6_A,
    136, 0, 0, 0, 0x20, 0, 0, 0,        /* 54: NA, flag O */
    F_LL_2,                             /* 62: target */
    2, 2, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, /* 78: TLL of 16 bytes, 8 here */
};

/* clang-format on */

/* --- The table ----------------------------------------------------------- */

struct test_frame {
    const char *name;
    const uint8_t *data;
    size_t len;
    /* Bytes the parse depends on: a frame cut shorter must report a stop
     * reason, one cut longer must parse exactly as the whole frame. */
    size_t hdr_end;
};

/* hdr_end 0: the whole frame is headers. */
/* clang-format off */
#define TEST_FRAME(f, end) {#f, frame_##f, sizeof frame_##f, (end) ? (end) : sizeof frame_##f}
/* clang-format on */

static const struct test_frame test_frames[] = {
    TEST_FRAME(eth_lldp, 14),
    TEST_FRAME(eth_8023, 14),
    TEST_FRAME(vlan_ipv4_udp, 0),
    TEST_FRAME(qinq_ipv4_tcp, 0),
    TEST_FRAME(three_tags_icmp, 50),
    TEST_FRAME(vlan_then_9100, 18),
    TEST_FRAME(mpls2, 18),
    TEST_FRAME(pbb, 22),
    TEST_FRAME(arp_request, 0),
    TEST_FRAME(prio_arp_reply, 0),
    TEST_FRAME(arp_ieee802, 0),
    TEST_FRAME(ipv4_opts_tcp, 0),
    TEST_FRAME(ipv4_frag_first_udp, 42),
    TEST_FRAME(ipv4_frag_later, 34),
    TEST_FRAME(ipv4_sctp, 0),
    TEST_FRAME(ipv4_padded_udp, 42),
    TEST_FRAME(ipv4_len_cuts_tcp, 34),
    TEST_FRAME(ipv4_bad_ihl, 0),
    TEST_FRAME(ipv4_bad_version, 0),
    TEST_FRAME(ipv4_len_lt_hdr, 0),
    TEST_FRAME(ipv4_gre, 34),
    TEST_FRAME(ipv6_tcp, 0),
    TEST_FRAME(ipv6_chain_udp, 0),
    TEST_FRAME(ipv6_hbh_late, 0),
    TEST_FRAME(ipv6_frag_routing, 74),
    TEST_FRAME(ipv6_routing_twice, 0),
    TEST_FRAME(ipv6_dest_thrice, 78),
    TEST_FRAME(ipv6_nonext, 62),
    TEST_FRAME(ipv6_esp, 62),
    TEST_FRAME(ipv6_frag_later, 62),
    TEST_FRAME(ipv6_len_cuts_tcp, 54),
    TEST_FRAME(ipv6_len_cuts_hbh, 54),
    TEST_FRAME(ipv6_bad_version, 0),
    TEST_FRAME(ipv6_proto_icmpv4, 54),
    TEST_FRAME(icmpv6_echo, 58),
    TEST_FRAME(nd_ns_sll, 0),
    TEST_FRAME(nd_na_tll, 0),
    TEST_FRAME(nd_ns_zero_opt, 0),
    TEST_FRAME(nd_na_opt_overrun, 0),
};

#define N_TEST_FRAMES (sizeof test_frames / sizeof test_frames[0])

#endif /* TEST_PARSE_FRAMES_H */
