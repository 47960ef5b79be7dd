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
 *
 * Hidden fields no OXM names: the inner VLAN tag (vlan2_*), the IP fragment
 * bits (ip_frag) and, for a packet parsed again after a pop revealed
 * headers the first parse could not see, where its walk resumes
 * (recirc_id, recirc_gen; see ft_walk.h). The parser leaves recirc_* 0.
 */
#ifndef FT_KEY_H
#define FT_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE4_2__) && defined(__x86_64__)
#include <tmmintrin.h>
#endif

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
            uint16_t recirc_id; /* Hidden: after a recirculation, the flow cache's
                                   continuation (its index + 1), else 0. */
            union {
                uint8_t nd_tll[6];
                uint8_t arp_tha[6];
            };
            uint16_t recirc_gen; /* Hidden: that continuation's generation. */
        };
    };
};

_Static_assert(sizeof(struct ft_key) == FT_KEY_WORDS * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, ipv4_src) == 5 * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, ipv6_src) == 10 * 8, "ft_key layout");
_Static_assert(offsetof(struct ft_key, nd_sll) == 16 * 8, "ft_key layout");

/* A mask is a struct ft_key too: all ones where a field's bits count. */

/* The key as nine 16-byte vectors. Plain 18-word loops are neither
 * unrolled nor vectorized at -O2 (zeroing even becomes "rep stos", whose
 * start-up alone costs ~30 cycles), and these run for every packet. */
typedef uint64_t ft_v2u64 __attribute__((vector_size(16), aligned(8)));
#define FT_KEY_VECS  9
#define FT_KEY_V(k)  ((ft_v2u64 *)(void *)(k)->w)
#define FT_KEY_CV(k) ((const ft_v2u64 *)(const void *)(k)->w)

static inline bool
ft_v2u64_is_zero(ft_v2u64 v)
{
    return (v[0] | v[1]) == 0;
}

static inline void
ft_key_zero(struct ft_key *k)
{
    ft_v2u64 *v = FT_KEY_V(k);
    const ft_v2u64 z = {0, 0};
    v[0] = z, v[1] = z, v[2] = z, v[3] = z, v[4] = z, v[5] = z, v[6] = z, v[7] = z, v[8] = z;
}

static inline bool
ft_key_equal(const struct ft_key *a, const struct ft_key *b)
{
    const ft_v2u64 *x = FT_KEY_CV(a), *y = FT_KEY_CV(b);
    ft_v2u64 d = (x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) | (x[4] ^ y[4]) |
                 (x[5] ^ y[5]) | (x[6] ^ y[6]) | (x[7] ^ y[7]) | (x[8] ^ y[8]);
    return ft_v2u64_is_zero(d);
}

/* True when (a & mask) == (b & mask). */
static inline bool
ft_key_equal_masked(const struct ft_key *a, const struct ft_key *b, const struct ft_key *mask)
{
    const ft_v2u64 *x = FT_KEY_CV(a), *y = FT_KEY_CV(b), *m = FT_KEY_CV(mask);
    ft_v2u64 d = ((x[0] ^ y[0]) & m[0]) | ((x[1] ^ y[1]) & m[1]) | ((x[2] ^ y[2]) & m[2]) |
                 ((x[3] ^ y[3]) & m[3]) | ((x[4] ^ y[4]) & m[4]) | ((x[5] ^ y[5]) & m[5]) |
                 ((x[6] ^ y[6]) & m[6]) | ((x[7] ^ y[7]) & m[7]) | ((x[8] ^ y[8]) & m[8]);
    return ft_v2u64_is_zero(d);
}

static inline void
ft_key_and(struct ft_key *dst, const struct ft_key *a, const struct ft_key *mask)
{
    ft_v2u64 *d = FT_KEY_V(dst);
    const ft_v2u64 *x = FT_KEY_CV(a), *m = FT_KEY_CV(mask);
    for (int i = 0; i < FT_KEY_VECS; i++)
        d[i] = x[i] & m[i];
}

static inline void
ft_key_or_into(struct ft_key *dst, const struct ft_key *src)
{
    ft_v2u64 *d = FT_KEY_V(dst);
    const ft_v2u64 *x = FT_KEY_CV(src);
    for (int i = 0; i < FT_KEY_VECS; i++)
        d[i] |= x[i];
}

static inline bool
ft_key_is_zero(const struct ft_key *k)
{
    const ft_v2u64 *x = FT_KEY_CV(k);
    return ft_v2u64_is_zero(x[0] | x[1] | x[2] | x[3] | x[4] | x[5] | x[6] | x[7] | x[8]);
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

/* Hash of a whole key (EMC and signature index). With SSE4.2 (the
 * project's x86 baseline, as DPDK's) the nine 16-byte halves are folded
 * to three with XOR (byte-rotated, so equal fields in two words do not cancel)
 * and the six words go through two CRC32C chains: about a third of the
 * work of hashing 18 words, for a per-packet hash whose users verify
 * every candidate anyway. Elsewhere four lanes of multiplies. The value is
 * process-local: nothing stores it. */
_Static_assert(FT_KEY_WORDS == 18, "ft_key_hash walks 18 words");
#if defined(__SSE4_2__) && defined(__x86_64__)
/* Each 64-bit lane rotated left by 3 bytes (one shuffle, where a rotate by
 * bits takes two shifts and an OR). */
static inline ft_v2u64
ft_v2u64_rot3(ft_v2u64 v)
{
    const __m128i rot = _mm_setr_epi8(5, 6, 7, 0, 1, 2, 3, 4, 13, 14, 15, 8, 9, 10, 11, 12);
    return (ft_v2u64)_mm_shuffle_epi8((__m128i)v, rot);
}

/* ... and by 5 bytes. */
static inline ft_v2u64
ft_v2u64_rot5(ft_v2u64 v)
{
    const __m128i rot = _mm_setr_epi8(3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14, 15, 8, 9, 10);
    return (ft_v2u64)_mm_shuffle_epi8((__m128i)v, rot);
}

static inline uint32_t
ft_key_hash(const struct ft_key *k, uint64_t basis)
{
    const ft_v2u64 *v = FT_KEY_CV(k);
    ft_v2u64 x = v[0] ^ ft_v2u64_rot3(v[3]) ^ ft_v2u64_rot5(v[6]);
    ft_v2u64 y = v[1] ^ ft_v2u64_rot3(v[4]) ^ ft_v2u64_rot5(v[7]);
    ft_v2u64 z = v[2] ^ ft_v2u64_rot3(v[5]) ^ ft_v2u64_rot5(v[8]);
    uint64_t a = basis ^ 0x9e3779b9u, b = 0x85ebca6bu;
    a = __builtin_ia32_crc32di(a, x[0]);
    b = __builtin_ia32_crc32di(b, x[1]);
    a = __builtin_ia32_crc32di(a, y[0]);
    b = __builtin_ia32_crc32di(b, y[1]);
    a = __builtin_ia32_crc32di(a, z[0]);
    b = __builtin_ia32_crc32di(b, z[1]);
    return ft_hash_finish(a ^ b << 32 ^ b);
}
#else
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
#endif

#endif /* FT_KEY_H */
