/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_match.h — an OpenFlow match as a (key, mask) pair of flow keys, built
 * from OXM-like entries with the spec's validation, and turned back into
 * entries for replies.
 *
 * Thread safety: values; functions touch only their arguments.
 */
#ifndef FT_MATCH_H
#define FT_MATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "ft_err.h"
#include "ft_field.h"
#include "ft_key.h"

/* key is always pre-masked: (key & mask) == key. */
struct ft_match {
    struct ft_key key;
    struct ft_key mask;
};

/* One OXM entry in host form. Without has_mask the field is exact. */
struct ft_match_entry {
    uint8_t field; /* enum ft_field (or an unknown id, refused as BAD_FIELD). */
    bool has_mask;
    union ft_value value;
    union ft_value mask;
};

/* Most entries a match can hold (every field once). */
#define FT_MATCH_MAX_ENTRIES FT_N_FIELDS

/* The match that matches every packet. */
void ft_match_init_catchall(struct ft_match *m);

/*
 * Build *m from n entries, validating as OpenFlow 1.3 requires:
 *   BAD_FIELD      unknown field id (or a hidden field);
 *   DUP_FIELD      a field twice;
 *   BAD_MASK       a mask on a non-maskable field, or mask bits beyond the field;
 *   BAD_VALUE      value bits beyond the field's width, or VLAN_VID with a
 *                  vid but no OFPVID_PRESENT bit;
 *   BAD_WILDCARDS  value bits where the mask is 0;
 *   BAD_PREREQ     a field whose prerequisite the match does not require.
 * An all-ones mask equals no mask; an all-zero mask wildcards the field.
 * On error *m is unspecified.
 */
enum ft_err ft_match_from_entries(struct ft_match *m, const struct ft_match_entry *e, size_t n);

/*
 * The entries of m, in field-id order, naming shared storage by the field
 * its prerequisites select (IPV4_SRC vs ARP_SPA by eth_type, TCP vs UDP vs
 * SCTP ports by ip_proto, ...). Exact fields have has_mask = false.
 * Returns the number written (at most FT_MATCH_MAX_ENTRIES).
 */
size_t ft_match_to_entries(const struct ft_match *m, struct ft_match_entry *out);

/* True when the prerequisite pr is required by the (key, mask) pair. */
bool ft_match_requires(const struct ft_key *key, const struct ft_key *mask, enum ft_prereq pr);

/* A packet key matches m. */
static inline bool
ft_match_matches(const struct ft_match *m, const struct ft_key *k)
{
    return ft_key_equal_masked(&m->key, k, &m->mask);
}

/* Some packet matches both a and b. */
bool ft_match_overlaps(const struct ft_match *a, const struct ft_match *b);

/* Every packet matching `specific` also matches `general` (the flow-mod
 * non-strict selection rule: `specific` is at least as specific). */
bool ft_match_covers(const struct ft_match *general, const struct ft_match *specific);

bool ft_match_equal(const struct ft_match *a, const struct ft_match *b);

/* Text form "eth_type=0x0800,ipv4_dst=10.0.0.0/255.0.0.0" ("" for the
 * catch-all). Returns the length snprintf would have written. */
int ft_match_format(char *buf, size_t size, const struct ft_match *m);

/*
 * Parse ovs-ofctl-like text "in_port=1,eth_type=0x800,nw_dst=10.0.0.1/8"
 * (field names or aliases from ft_field_from_name, plus the shorthands
 * ip, ipv6, arp, tcp, udp, sctp, icmp, icmp6) into entries, then build and
 * validate the match. Returns FT_OK or the match error; on a syntax error
 * *bad (optional) points at the offending token inside text
 * (FT_ERR_BAD_MATCH_BAD_FIELD for an unknown name, BAD_VALUE for an
 * unparsable value).
 */
enum ft_err ft_match_parse(struct ft_match *m, const char *text, const char **bad);

/*
 * A packet key from the same text, without match validation: the fields
 * given are set, all others zero (for trace: "in_port=1,tcp,tp_dst=80").
 * Returns FT_OK, BAD_FIELD or BAD_VALUE (with *bad as above).
 */
enum ft_err ft_key_parse(struct ft_key *key, const char *text, const char **bad);

/* Text of a mask: the fields it covers, whole ("eth_type") or in part
 * ("ipv4_dst/255.255.255.0"); storage several fields share is named once,
 * by its first field. "(none)" for an empty mask. */
int ft_mask_format(char *buf, size_t size, const struct ft_key *mask);

/* Text of the non-zero fields of a packet key ("in_port=1,eth_type=..."). */
int ft_key_format(char *buf, size_t size, const struct ft_key *key);

#endif /* FT_MATCH_H */
