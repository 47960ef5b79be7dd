/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_field.h — the OpenFlow 1.3 match fields as data: identity, width,
 * maskability, settability, prerequisites and where each lives in a
 * struct ft_key. The ids are the OXM_OF_* field numbers of class 0x8000,
 * so the codec maps a TLV header to a field with no table.
 *
 * Thread safety: read-only tables; all functions are pure or touch only
 * the objects they are given.
 */
#ifndef FT_FIELD_H
#define FT_FIELD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_err.h"
#include "ft_key.h"

enum ft_field {
    FT_F_IN_PORT = 0,
    FT_F_IN_PHY_PORT = 1,
    FT_F_METADATA = 2,
    FT_F_ETH_DST = 3,
    FT_F_ETH_SRC = 4,
    FT_F_ETH_TYPE = 5,
    FT_F_VLAN_VID = 6,
    FT_F_VLAN_PCP = 7,
    FT_F_IP_DSCP = 8,
    FT_F_IP_ECN = 9,
    FT_F_IP_PROTO = 10,
    FT_F_IPV4_SRC = 11,
    FT_F_IPV4_DST = 12,
    FT_F_TCP_SRC = 13,
    FT_F_TCP_DST = 14,
    FT_F_UDP_SRC = 15,
    FT_F_UDP_DST = 16,
    FT_F_SCTP_SRC = 17,
    FT_F_SCTP_DST = 18,
    FT_F_ICMPV4_TYPE = 19,
    FT_F_ICMPV4_CODE = 20,
    FT_F_ARP_OP = 21,
    FT_F_ARP_SPA = 22,
    FT_F_ARP_TPA = 23,
    FT_F_ARP_SHA = 24,
    FT_F_ARP_THA = 25,
    FT_F_IPV6_SRC = 26,
    FT_F_IPV6_DST = 27,
    FT_F_IPV6_FLABEL = 28,
    FT_F_ICMPV6_TYPE = 29,
    FT_F_ICMPV6_CODE = 30,
    FT_F_IPV6_ND_TARGET = 31,
    FT_F_IPV6_ND_SLL = 32,
    FT_F_IPV6_ND_TLL = 33,
    FT_F_MPLS_LABEL = 34,
    FT_F_MPLS_TC = 35,
    FT_F_MPLS_BOS = 36,
    FT_F_PBB_ISID = 37,
    FT_F_TUNNEL_ID = 38,
    FT_F_IPV6_EXTHDR = 39,
    FT_N_FIELDS = 40
};

/* A field value in host representation: integers in host order in the
 * member of the field's key width; MACs and IPv6 addresses in bytes[]. */
union ft_value {
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint8_t bytes[16];
};

/* Prerequisite of a field: another field must be matched exactly to one of
 * a few values (or, for VLAN_PCP, VLAN_VID must require a tag). Chains are
 * followed: TCP_SRC needs IP_PROTO=6 which needs ETH_TYPE=IPv4|IPv6. */
enum ft_prereq {
    FT_PRE_NONE,
    FT_PRE_IN_PORT, /* IN_PORT present. */
    FT_PRE_VLAN,    /* VLAN_VID != NONE. */
    FT_PRE_IP,      /* ETH_TYPE=0x0800 or 0x86dd. */
    FT_PRE_IPV4,    /* ETH_TYPE=0x0800. */
    FT_PRE_IPV6,    /* ETH_TYPE=0x86dd. */
    FT_PRE_ARP,     /* ETH_TYPE=0x0806. */
    FT_PRE_TCP,     /* IP_PROTO=6. */
    FT_PRE_UDP,     /* IP_PROTO=17. */
    FT_PRE_SCTP,    /* IP_PROTO=132. */
    FT_PRE_ICMPV4,  /* IP_PROTO=1. */
    FT_PRE_ICMPV6,  /* IP_PROTO=58. */
    FT_PRE_ND,      /* ICMPV6_TYPE=135 or 136. */
    FT_PRE_ND_SOL,  /* ICMPV6_TYPE=135. */
    FT_PRE_ND_ADV,  /* ICMPV6_TYPE=136. */
    FT_PRE_MPLS,    /* ETH_TYPE=0x8847 or 0x8848. */
    FT_PRE_PBB,     /* ETH_TYPE=0x88e7. */
};

/*
 * What a prerequisite asks, as one table (ft_field.c) that both match
 * validation (ft_match_requires) and the pipeline walk read, so the two
 * cannot disagree: first the parent prerequisite, then `field` equal to
 * one of `values[0..n_values)`. FT_PRE_NONE, FT_PRE_IN_PORT and
 * FT_PRE_VLAN have n_values 0 (each is a test of its own: nothing, the
 * in_port field present, a VLAN tag present).
 */
struct ft_prereq_rule {
    enum ft_prereq parent;
    uint8_t field; /* enum ft_field: ETH_TYPE, IP_PROTO or ICMPV6_TYPE. */
    uint8_t n_values;
    uint16_t values[2];
};

const struct ft_prereq_rule *ft_prereq_rule(enum ft_prereq pr);

struct ft_field_info {
    const char *name;      /* Lower-case OXM name: "ipv4_src". */
    uint8_t wire_len;      /* OXM payload bytes (without mask). */
    uint8_t key_ofs;       /* Byte offset in struct ft_key. */
    uint8_t key_len;       /* Bytes of key storage: 1, 2, 4, 6, 8 or 16. */
    uint8_t n_bits;        /* Significant bits; higher value bits are BAD_VALUE. */
    bool maskable;         /* An OXM mask is allowed. */
    bool settable;         /* Allowed in a set-field action. */
    enum ft_prereq prereq; /* What the match must also require. */
};

/* Descriptor of a field; NULL if f is not a valid field id. */
const struct ft_field_info *ft_field_info(unsigned f);

/* A field's exact mask (ft_field_mask_exact) as the key words it lies in:
 * key->w[word[i]] & mask[i] for i < n (a field spans at most two words).
 * For the miss path, which marks fields in masks one word at a time. */
struct ft_field_words {
    uint8_t n;
    uint8_t word[2];
    uint64_t mask[2];
};

/* f must be a valid field id. The table is built before main (thread safe). */
const struct ft_field_words *ft_field_words(enum ft_field f);

/* Field by OXM name ("eth_dst") or by ovs-ofctl alias ("dl_dst", "nw_src",
 * "tp_dst" ...). Returns -1 when unknown. */
int ft_field_from_name(const char *name);

/* Value of field f in key k. */
void ft_field_get(const struct ft_key *k, enum ft_field f, union ft_value *v);

/* Store value v into field f of key k (other fields untouched). */
void ft_field_set(struct ft_key *k, enum ft_field f, const union ft_value *v);

/* Set in mask m every significant bit of field f. */
void ft_field_mask_exact(struct ft_key *m, enum ft_field f);

/* True when the field's significant bits of mask m are all set / all clear. */
bool ft_field_is_exact(const struct ft_key *m, enum ft_field f);
bool ft_field_is_wild(const struct ft_key *m, enum ft_field f);

/* True when v has no bits beyond the field's n_bits. */
bool ft_field_value_fits(enum ft_field f, const union ft_value *v);

/* Read/write a field value from/to OXM payload bytes (network order,
 * wire_len bytes). The codec and tests use these. */
void ft_field_value_from_wire(enum ft_field f, const uint8_t *wire, union ft_value *v);
void ft_field_value_to_wire(enum ft_field f, const union ft_value *v, uint8_t *wire);

/* Format "name=value[/mask]" in ovs-ofctl style into buf; mask may be NULL
 * (exact). Returns the length snprintf would have written. */
int ft_field_format(char *buf, size_t size, enum ft_field f, const union ft_value *v,
                    const union ft_value *mask);

/* Parse a value (and optional "/mask") in ovs-ofctl style: decimal or 0x hex
 * integers, aa:bb:cc:dd:ee:ff, a.b.c.d[/len], IPv6[/len]. Returns 0 or
 * -EINVAL. *has_mask tells whether a mask was given. */
int ft_field_parse(enum ft_field f, const char *text, union ft_value *v, union ft_value *mask,
                   bool *has_mask);

#endif /* FT_FIELD_H */
