/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_key.h — the flow key: every OpenFlow 1.3 match field of one packet,
 * host byte order, in a fixed layout of 64-bit words.
 *
 * Thread safety: a key is a plain value; functions here touch only the
 * keys they are given.
 *
 * Layout rules (the classifier, the flow cache and the EMC rely on them):
 *  - the key is FT_KEY_WORDS 64-bit words, readable as key->w[i];
 *  - padding bytes are always zero, so word-wise hashing and comparison
 *    of two keys equals field-wise comparison;
 *  - integer fields are host order; MAC and IPv6 addresses are byte arrays
 *    in wire order (their natural representation).
 * Some storage is shared where OpenFlow prerequisites make the fields
 * mutually exclusive (ARP_SPA lives in nw_src, TCP/UDP/SCTP ports in
 * tp_src/tp_dst, ICMPv4/ICMPv6 type and code in icmp_type/icmp_code,
 * ARP_SHA in nd_sll ...): a rule matching one of them also matches the
 * eth_type/ip_proto that tells which.
 */
#ifndef FT_KEY_H
#define FT_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FT_KEY_WORDS 18

/* OFPVID_PRESENT: set in vlan_vid when the packet carries a VLAN tag. */
#define FT_VID_PRESENT 0x1000u

/* IPV6_EXTHDR pseudo-field bits (OFPIEH_*). */
enum ft_ipv6_exthdr_flag {
    FT_IEH_NONEXT = 1 << 0, /* "No next header" encountered. */
    FT_IEH_ESP = 1 << 1,    /* Encrypted Sec Payload header present. */
    FT_IEH_AUTH = 1 << 2,   /* Authentication header present. */
    FT_IEH_DEST = 1 << 3,   /* 1 or 2 dest headers present. */
    FT_IEH_FRAG = 1 << 4,   /* Fragment header present. */
    FT_IEH_ROUTER = 1 << 5, /* Router header present. */
    FT_IEH_HOP = 1 << 6,    /* Hop-by-hop header present. */
    FT_IEH_UNREP = 1 << 7,  /* Unexpected repeats encountered. */
    FT_IEH_UNSEQ = 1 << 8,  /* Unexpected sequencing encountered. */
};

/* ip_frag bits: hidden (not an OXM field), used for OFPC_FRAG_* handling. */
enum ft_ip_frag {
    FT_FRAG_ANY = 1 << 0,   /* Packet is an IP fragment. */
    FT_FRAG_LATER = 1 << 1, /* ...and not the first one (no L4 header). */
};

struct ft_key {
    union {
        uint64_t w[FT_KEY_WORDS];
        struct {
            /* w0-w2: pipeline fields. */
            uint64_t metadata;
            uint64_t tunnel_id;
            uint32_t in_port;
            uint32_t in_phy_port;
            /* w3-w4: Ethernet. */
            uint8_t eth_dst[6];
            uint16_t eth_type; /* Innermost ethertype after VLAN tags. */
            uint8_t eth_src[6];
            uint16_t vlan_vid; /* FT_VID_PRESENT | vid, or 0: untagged. */
            /* w5: IPv4 addresses or ARP protocol addresses. */
            union {
                uint32_t ipv4_src;
                uint32_t arp_spa;
            };
            union {
                uint32_t ipv4_dst;
                uint32_t arp_tpa;
            };
            /* w6. */
            uint16_t tp_src; /* TCP/UDP/SCTP source port. */
            uint16_t tp_dst;
            uint8_t vlan_pcp;
            uint8_t ip_dscp; /* 6 bits. */
            uint8_t ip_ecn;  /* 2 bits. */
            uint8_t ip_proto;
            /* w7. */
            uint8_t icmp_type; /* ICMPv4 or ICMPv6, by ip_proto. */
            uint8_t icmp_code;
            uint16_t arp_op;
            uint16_t ipv6_exthdr; /* enum ft_ipv6_exthdr_flag. */
            uint8_t mpls_tc;
            uint8_t mpls_bos;
            /* w8. */
            uint32_t mpls_label; /* 20 bits. */
            uint32_t pbb_isid;   /* 24 bits. */
            /* w9. */
            uint32_t ipv6_flabel; /* 20 bits. */
            uint16_t vlan2_vid;   /* Hidden: second (inner) tag, as vlan_vid. */
            uint8_t vlan2_pcp;    /* Hidden. */
            uint8_t ip_frag;      /* Hidden: enum ft_ip_frag. */
            /* w10-w15: IPv6. */
            uint8_t ipv6_src[16];
            uint8_t ipv6_dst[16];
            uint8_t nd_target[16];
            /* w16-w17: ND link-layer addresses or ARP hardware addresses. */
            union {
                uint8_t nd_sll[6];
                uint8_t arp_sha[6];
            };
            uint16_t pad16_;
            union {
                uint8_t nd_tll[6];
                uint8_t arp_tha[6];
            };
            uint16_t pad17_;
        };
    };
};

_Static_assert(sizeof(struct ft_key) == FT_KEY_WORDS * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, ipv4_src) == 5 * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, ipv6_src) == 10 * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, nd_sll) == 16 * 8, "ft_key layout");

/* A mask is a struct ft_key too: all ones where a field's bits count. */

static inline void
ft_key_zero(struct ft_key *k)
{
    for (int i = 0; i < FT_KEY_WORDS; i++)
        k->w[i] = 0;
}

static inline bool
ft_key_equal(const struct ft_key *a, const struct ft_key *b)
{
    uint64_t diff = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        diff |= a->w[i] ^ b->w[i];
    return diff == 0;
}

/* True when (a & mask) == (b & mask). */
static inline bool
ft_key_equal_masked(const struct ft_key *a, const struct ft_key *b, const struct ft_key *mask)
{
    uint64_t diff = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        diff |= (a->w[i] ^ b->w[i]) & mask->w[i];
    return diff == 0;
}

static inline void
ft_key_and(struct ft_key *dst, const struct ft_key *a, const struct ft_key *mask)
{
    for (int i = 0; i < FT_KEY_WORDS; i++)
        dst->w[i] = a->w[i] & mask->w[i];
}

static inline void
ft_key_or_into(struct ft_key *dst, const struct ft_key *src)
{
    for (int i = 0; i < FT_KEY_WORDS; i++)
        dst->w[i] |= src->w[i];
}

static inline bool
ft_key_is_zero(const struct ft_key *k)
{
    uint64_t acc = 0;
    for (int i = 0; i < FT_KEY_WORDS; i++)
        acc |= k->w[i];
    return acc == 0;
}

/* Hash one 64-bit word into a running hash (a multiply-xorshift mix:
 * cheap, and good enough for power-of-two tables when finished with
 * ft_hash_finish). */
static inline uint64_t
ft_hash_add64(uint64_t h, uint64_t w)
{
    h ^= w * 0x9e3779b97f4a7c15ull;
    h = (h << 27) | (h >> 37);
    return h * 0xff51afd7ed558ccdull + 0x85ebca6b;
}

static inline uint32_t
ft_hash_finish(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 29;
    return (uint32_t)h;
}

/* Hash of a whole key (EMC and signature index). Four independent lanes,
 * so the multiplies overlap instead of forming one 18-step chain. */
_Static_assert(FT_KEY_WORDS == 18, "ft_key_hash walks 4 lanes of 4 words, then 2");
static inline uint32_t
ft_key_hash(const struct ft_key *k, uint64_t basis)
{
    uint64_t a = basis ^ 0x9e3779b97f4a7c15ull, b = 0xc2b2ae3d27d4eb4full;
    uint64_t c = 0x165667b19e3779f9ull, d = 0x27d4eb2f165667c5ull;
    for (int i = 0; i + 4 <= 16; i += 4) {
        a = (a ^ k->w[i]) * 0xff51afd7ed558ccdull;
        b = (b ^ k->w[i + 1]) * 0xc4ceb9fe1a85ec53ull;
        c = (c ^ k->w[i + 2]) * 0xff51afd7ed558ccdull;
        d = (d ^ k->w[i + 3]) * 0xc4ceb9fe1a85ec53ull;
    }
    a = (a ^ k->w[16]) * 0xff51afd7ed558ccdull;
    b = (b ^ k->w[17]) * 0xc4ceb9fe1a85ec53ull;
    uint64_t h = (a ^ (a >> 29)) + (b ^ (b >> 31)) * 3 + (c ^ (c >> 27)) * 5 + (d ^ (d >> 33)) * 7;
    return ft_hash_finish(h);
}

#endif /* FT_KEY_H */
