/* SPDX-License-Identifier: Apache-2.0 */
#include "ft_field.h"
#include "ft_proto.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KOFS(member) ((uint8_t)offsetof(struct ft_key, member))
#define KLEN(member) ((uint8_t)sizeof(((struct ft_key *)0)->member))

/* name, wire_len, key member, n_bits, maskable, settable, prereq. Every
 * header field is settable (ETH_TYPE, IP_PROTO and MPLS_BOS too: the
 * executor re-parses after them); IN_PORT, IN_PHY_PORT and METADATA are
 * pipeline state and IPV6_EXTHDR a summary of the packet, not fields. */
#define F(name, wire, member, bits, maskable, settable, prereq)                                    \
    {                                                                                              \
        name, wire, KOFS(member), KLEN(member), bits, maskable, settable, prereq                   \
    }

static const struct ft_field_info fields[FT_N_FIELDS] = {
    [FT_F_IN_PORT] = F("in_port", 4, in_port, 32, false, false, FT_PRE_NONE),
    [FT_F_IN_PHY_PORT] = F("in_phy_port", 4, in_phy_port, 32, false, false, FT_PRE_IN_PORT),
    [FT_F_METADATA] = F("metadata", 8, metadata, 64, true, false, FT_PRE_NONE),
    [FT_F_ETH_DST] = F("eth_dst", 6, eth_dst, 48, true, true, FT_PRE_NONE),
    [FT_F_ETH_SRC] = F("eth_src", 6, eth_src, 48, true, true, FT_PRE_NONE),
    [FT_F_ETH_TYPE] = F("eth_type", 2, eth_type, 16, false, true, FT_PRE_NONE),
    [FT_F_VLAN_VID] = F("vlan_vid", 2, vlan_vid, 13, true, true, FT_PRE_NONE),
    [FT_F_VLAN_PCP] = F("vlan_pcp", 1, vlan_pcp, 3, false, true, FT_PRE_VLAN),
    [FT_F_IP_DSCP] = F("ip_dscp", 1, ip_dscp, 6, false, true, FT_PRE_IP),
    [FT_F_IP_ECN] = F("ip_ecn", 1, ip_ecn, 2, false, true, FT_PRE_IP),
    [FT_F_IP_PROTO] = F("ip_proto", 1, ip_proto, 8, false, true, FT_PRE_IP),
    [FT_F_IPV4_SRC] = F("ipv4_src", 4, ipv4_src, 32, true, true, FT_PRE_IPV4),
    [FT_F_IPV4_DST] = F("ipv4_dst", 4, ipv4_dst, 32, true, true, FT_PRE_IPV4),
    [FT_F_TCP_SRC] = F("tcp_src", 2, tp_src, 16, false, true, FT_PRE_TCP),
    [FT_F_TCP_DST] = F("tcp_dst", 2, tp_dst, 16, false, true, FT_PRE_TCP),
    [FT_F_UDP_SRC] = F("udp_src", 2, tp_src, 16, false, true, FT_PRE_UDP),
    [FT_F_UDP_DST] = F("udp_dst", 2, tp_dst, 16, false, true, FT_PRE_UDP),
    [FT_F_SCTP_SRC] = F("sctp_src", 2, tp_src, 16, false, true, FT_PRE_SCTP),
    [FT_F_SCTP_DST] = F("sctp_dst", 2, tp_dst, 16, false, true, FT_PRE_SCTP),
    [FT_F_ICMPV4_TYPE] = F("icmpv4_type", 1, icmp_type, 8, false, true, FT_PRE_ICMPV4),
    [FT_F_ICMPV4_CODE] = F("icmpv4_code", 1, icmp_code, 8, false, true, FT_PRE_ICMPV4),
    [FT_F_ARP_OP] = F("arp_op", 2, arp_op, 16, false, true, FT_PRE_ARP),
    [FT_F_ARP_SPA] = F("arp_spa", 4, arp_spa, 32, true, true, FT_PRE_ARP),
    [FT_F_ARP_TPA] = F("arp_tpa", 4, arp_tpa, 32, true, true, FT_PRE_ARP),
    [FT_F_ARP_SHA] = F("arp_sha", 6, arp_sha, 48, true, true, FT_PRE_ARP),
    [FT_F_ARP_THA] = F("arp_tha", 6, arp_tha, 48, true, true, FT_PRE_ARP),
    [FT_F_IPV6_SRC] = F("ipv6_src", 16, ipv6_src, 128, true, true, FT_PRE_IPV6),
    [FT_F_IPV6_DST] = F("ipv6_dst", 16, ipv6_dst, 128, true, true, FT_PRE_IPV6),
    [FT_F_IPV6_FLABEL] = F("ipv6_flabel", 4, ipv6_flabel, 20, true, true, FT_PRE_IPV6),
    [FT_F_ICMPV6_TYPE] = F("icmpv6_type", 1, icmp_type, 8, false, true, FT_PRE_ICMPV6),
    [FT_F_ICMPV6_CODE] = F("icmpv6_code", 1, icmp_code, 8, false, true, FT_PRE_ICMPV6),
    [FT_F_IPV6_ND_TARGET] = F("ipv6_nd_target", 16, nd_target, 128, false, true, FT_PRE_ND),
    [FT_F_IPV6_ND_SLL] = F("ipv6_nd_sll", 6, nd_sll, 48, false, true, FT_PRE_ND_SOL),
    [FT_F_IPV6_ND_TLL] = F("ipv6_nd_tll", 6, nd_tll, 48, false, true, FT_PRE_ND_ADV),
    [FT_F_MPLS_LABEL] = F("mpls_label", 4, mpls_label, 20, false, true, FT_PRE_MPLS),
    [FT_F_MPLS_TC] = F("mpls_tc", 1, mpls_tc, 3, false, true, FT_PRE_MPLS),
    [FT_F_MPLS_BOS] = F("mpls_bos", 1, mpls_bos, 1, false, true, FT_PRE_MPLS),
    [FT_F_PBB_ISID] = F("pbb_isid", 3, pbb_isid, 24, true, true, FT_PRE_PBB),
    [FT_F_TUNNEL_ID] = F("tunnel_id", 8, tunnel_id, 64, true, true, FT_PRE_NONE),
    [FT_F_IPV6_EXTHDR] = F("ipv6_exthdr", 2, ipv6_exthdr, 9, true, false, FT_PRE_IPV6),
};

/* The prerequisites of OpenFlow 1.3.5 §7.2.3.8 (table 12), once. */
static const struct ft_prereq_rule prereq_rules[] = {
    [FT_PRE_NONE] = {FT_PRE_NONE, 0, 0, {0}},
    [FT_PRE_IN_PORT] = {FT_PRE_NONE, 0, 0, {0}},
    [FT_PRE_VLAN] = {FT_PRE_NONE, 0, 0, {0}},
    [FT_PRE_IP] = {FT_PRE_NONE, FT_F_ETH_TYPE, 2, {FT_ETH_TYPE_IPV4, FT_ETH_TYPE_IPV6}},
    [FT_PRE_IPV4] = {FT_PRE_NONE, FT_F_ETH_TYPE, 1, {FT_ETH_TYPE_IPV4}},
    [FT_PRE_IPV6] = {FT_PRE_NONE, FT_F_ETH_TYPE, 1, {FT_ETH_TYPE_IPV6}},
    [FT_PRE_ARP] = {FT_PRE_NONE, FT_F_ETH_TYPE, 1, {FT_ETH_TYPE_ARP}},
    [FT_PRE_TCP] = {FT_PRE_IP, FT_F_IP_PROTO, 1, {FT_PROTO_TCP}},
    [FT_PRE_UDP] = {FT_PRE_IP, FT_F_IP_PROTO, 1, {FT_PROTO_UDP}},
    [FT_PRE_SCTP] = {FT_PRE_IP, FT_F_IP_PROTO, 1, {FT_PROTO_SCTP}},
    [FT_PRE_ICMPV4] = {FT_PRE_IPV4, FT_F_IP_PROTO, 1, {FT_PROTO_ICMP}},
    [FT_PRE_ICMPV6] = {FT_PRE_IPV6, FT_F_IP_PROTO, 1, {FT_PROTO_ICMPV6}},
    [FT_PRE_ND] = {FT_PRE_ICMPV6, FT_F_ICMPV6_TYPE, 2, {FT_ICMPV6_NS, FT_ICMPV6_NA}},
    [FT_PRE_ND_SOL] = {FT_PRE_ICMPV6, FT_F_ICMPV6_TYPE, 1, {FT_ICMPV6_NS}},
    [FT_PRE_ND_ADV] = {FT_PRE_ICMPV6, FT_F_ICMPV6_TYPE, 1, {FT_ICMPV6_NA}},
    [FT_PRE_MPLS] = {FT_PRE_NONE, FT_F_ETH_TYPE, 2, {FT_ETH_TYPE_MPLS, FT_ETH_TYPE_MPLS_MC}},
    [FT_PRE_PBB] = {FT_PRE_NONE, FT_F_ETH_TYPE, 1, {FT_ETH_TYPE_PBB}},
};

const struct ft_prereq_rule *
ft_prereq_rule(enum ft_prereq pr)
{
    return (unsigned)pr < sizeof prereq_rules / sizeof prereq_rules[0] ? &prereq_rules[pr]
                                                                       : &prereq_rules[0];
}

const struct ft_field_info *
ft_field_info(unsigned f)
{
    return f < FT_N_FIELDS ? &fields[f] : NULL;
}

static const struct {
    const char *alias;
    enum ft_field field;
} aliases[] = {
    {"dl_dst", FT_F_ETH_DST},         {"dl_src", FT_F_ETH_SRC},
    {"dl_type", FT_F_ETH_TYPE},       {"dl_vlan_pcp", FT_F_VLAN_PCP},
    {"nw_src", FT_F_IPV4_SRC},        {"nw_dst", FT_F_IPV4_DST},
    {"nw_proto", FT_F_IP_PROTO},      {"nw_ecn", FT_F_IP_ECN},
    {"icmp_type", FT_F_ICMPV4_TYPE},  {"icmp_code", FT_F_ICMPV4_CODE},
    {"ipv6_label", FT_F_IPV6_FLABEL}, {"nd_target", FT_F_IPV6_ND_TARGET},
    {"nd_sll", FT_F_IPV6_ND_SLL},     {"nd_tll", FT_F_IPV6_ND_TLL},
    {"tun_id", FT_F_TUNNEL_ID},
};

int
ft_field_from_name(const char *name)
{
    for (int f = 0; f < FT_N_FIELDS; f++)
        if (!strcmp(name, fields[f].name))
            return f;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(name, aliases[i].alias))
            return (int)aliases[i].field;
    return -1;
}

static uint64_t
bits_mask(unsigned n_bits)
{
    return n_bits >= 64 ? UINT64_MAX : (1ull << n_bits) - 1;
}

void
ft_field_get(const struct ft_key *k, enum ft_field f, union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    memset(v, 0, sizeof *v);
    memcpy(v, (const uint8_t *)k + fi->key_ofs, fi->key_len);
}

void
ft_field_set(struct ft_key *k, enum ft_field f, const union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    memcpy((uint8_t *)k + fi->key_ofs, v, fi->key_len);
}

/* The all-significant-bits value of a field, in its key representation. */
static void
exact_value(enum ft_field f, union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    memset(v, 0, sizeof *v);
    switch (fi->key_len) {
    case 1:
        v->u8 = (uint8_t)bits_mask(fi->n_bits);
        break;
    case 2:
        v->u16 = (uint16_t)bits_mask(fi->n_bits);
        break;
    case 4:
        v->u32 = (uint32_t)bits_mask(fi->n_bits);
        break;
    case 8:
        v->u64 = bits_mask(fi->n_bits);
        break;
    default:
        memset(v->bytes, 0xff, fi->key_len);
        break;
    }
}

void
ft_field_mask_exact(struct ft_key *m, enum ft_field f)
{
    union ft_value v;
    exact_value(f, &v);
    ft_field_set(m, f, &v);
}

static struct ft_field_words field_words[FT_N_FIELDS];

__attribute__((constructor)) static void
build_field_words(void)
{
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        struct ft_key m;
        ft_key_zero(&m);
        ft_field_mask_exact(&m, (enum ft_field)f);
        struct ft_field_words *fw = &field_words[f];
        for (uint8_t w = 0; w < FT_KEY_WORDS; w++) {
            if (m.w[w] && fw->n < 2) {
                fw->word[fw->n] = w;
                fw->mask[fw->n++] = m.w[w];
            }
        }
    }
}

const struct ft_field_words *
ft_field_words(enum ft_field f)
{
    return &field_words[f];
}

bool
ft_field_is_exact(const struct ft_key *m, enum ft_field f)
{
    union ft_value want, got;
    exact_value(f, &want);
    ft_field_get(m, f, &got);
    return !memcmp(&want, &got, fields[f].key_len);
}

bool
ft_field_is_wild(const struct ft_key *m, enum ft_field f)
{
    union ft_value got;
    ft_field_get(m, f, &got);
    for (unsigned i = 0; i < fields[f].key_len; i++)
        if (got.bytes[i])
            return false;
    return true;
}

bool
ft_field_value_fits(enum ft_field f, const union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    uint64_t x;
    switch (fi->key_len) {
    case 1:
        x = v->u8;
        break;
    case 2:
        x = v->u16;
        break;
    case 4:
        x = v->u32;
        break;
    case 8:
        x = v->u64;
        break;
    default:
        return true; /* Byte arrays use all their bits. */
    }
    return (x & ~bits_mask(fi->n_bits)) == 0;
}

void
ft_field_value_from_wire(enum ft_field f, const uint8_t *wire, union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    memset(v, 0, sizeof *v);
    if (fi->key_len == 6 || fi->key_len == 16) {
        memcpy(v->bytes, wire, fi->wire_len);
        return;
    }
    uint64_t x = 0;
    for (unsigned i = 0; i < fi->wire_len; i++)
        x = (x << 8) | wire[i];
    switch (fi->key_len) {
    case 1:
        v->u8 = (uint8_t)x;
        break;
    case 2:
        v->u16 = (uint16_t)x;
        break;
    case 4:
        v->u32 = (uint32_t)x;
        break;
    default:
        v->u64 = x;
        break;
    }
}

void
ft_field_value_to_wire(enum ft_field f, const union ft_value *v, uint8_t *wire)
{
    const struct ft_field_info *fi = &fields[f];
    if (fi->key_len == 6 || fi->key_len == 16) {
        memcpy(wire, v->bytes, fi->wire_len);
        return;
    }
    uint64_t x;
    switch (fi->key_len) {
    case 1:
        x = v->u8;
        break;
    case 2:
        x = v->u16;
        break;
    case 4:
        x = v->u32;
        break;
    default:
        x = v->u64;
        break;
    }
    for (int i = fi->wire_len - 1; i >= 0; i--) {
        wire[i] = (uint8_t)x;
        x >>= 8;
    }
}

/* ---- text form (ovs-ofctl style) ---------------------------------------- */

static int
format_ipv6(char *buf, size_t size, const uint8_t a[16])
{
    /* RFC 5952: lower-case hex, longest run (>= 2) of zero groups as "::". */
    uint16_t g[8];
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && !g[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    int n = 0;
    for (int i = 0; i < 8; i++) {
        if (i == best) {
            n += snprintf(buf + n, (size_t)n < size ? size - n : 0, "::");
            i += best_len - 1;
            continue;
        }
        const char *sep = (i > 0 && i != best + best_len) ? ":" : "";
        n += snprintf(buf + n, (size_t)n < size ? size - n : 0, "%s%x", sep, g[i]);
    }
    return n;
}

static int
format_value(char *buf, size_t size, enum ft_field f, const union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    switch (fi->key_len) {
    case 6: {
        const uint8_t *m = v->bytes;
        return snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                        m[5]);
    }
    case 16:
        return format_ipv6(buf, size, v->bytes);
    default:
        break;
    }
    switch (f) {
    case FT_F_IPV4_SRC:
    case FT_F_IPV4_DST:
    case FT_F_ARP_SPA:
    case FT_F_ARP_TPA: {
        uint32_t a = v->u32;
        return snprintf(buf, size, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff, (a >> 8) & 0xff,
                        a & 0xff);
    }
    case FT_F_ETH_TYPE:
        return snprintf(buf, size, "0x%04x", v->u16);
    case FT_F_VLAN_VID:
    case FT_F_IPV6_EXTHDR:
        return snprintf(buf, size, "0x%x", v->u16);
    case FT_F_METADATA:
    case FT_F_TUNNEL_ID:
        return snprintf(buf, size, "0x%llx", (unsigned long long)v->u64);
    default:
        break;
    }
    switch (fi->key_len) {
    case 1:
        return snprintf(buf, size, "%u", v->u8);
    case 2:
        return snprintf(buf, size, "%u", v->u16);
    case 4:
        return snprintf(buf, size, "%lu", (unsigned long)v->u32);
    default:
        return snprintf(buf, size, "%llu", (unsigned long long)v->u64);
    }
}

int
ft_field_format(char *buf, size_t size, enum ft_field f, const union ft_value *v,
                const union ft_value *mask)
{
    int n = snprintf(buf, size, "%s=", fields[f].name);
    n += format_value(buf + n, (size_t)n < size ? size - n : 0, f, v);
    if (mask) {
        n += snprintf(buf + n, (size_t)n < size ? size - n : 0, "/");
        n += format_value(buf + n, (size_t)n < size ? size - n : 0, f, mask);
    }
    return n;
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned b[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) !=
        6)
        return -EINVAL;
    for (int i = 0; i < 6; i++)
        mac[i] = (uint8_t)b[i];
    return 0;
}

static int
parse_ipv4(const char *s, uint32_t *out)
{
    unsigned a, b, c, d;
    char tail;
    if (sscanf(s, "%3u.%3u.%3u.%3u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 ||
        c > 255 || d > 255)
        return -EINVAL;
    *out = a << 24 | b << 16 | c << 8 | d;
    return 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* IPv6 text (with "::" and an optional trailing dotted quad) to bytes. */
static int
parse_ipv6(const char *s, uint8_t out[16])
{
    uint16_t head[8], tail[8];
    int n_head = 0, n_tail = 0, *n = &n_head;
    uint16_t *g = head;
    bool seen_gap = false;
    const char *p = s;

    if (p[0] == ':' && p[1] == ':') {
        seen_gap = true;
        g = tail;
        n = &n_tail;
        p += 2;
    }
    while (*p) {
        const char *dot = strchr(p, '.');
        const char *colon = strchr(p, ':');
        if (dot && (!colon || dot < colon)) { /* Embedded IPv4 at the end. */
            uint32_t v4;
            if (parse_ipv4(p, &v4) || *n > 6)
                return -EINVAL;
            g[(*n)++] = (uint16_t)(v4 >> 16);
            g[(*n)++] = (uint16_t)v4;
            p += strlen(p);
            break;
        }
        unsigned v = 0;
        int digits = 0, h;
        while ((h = hexval(*p)) >= 0) {
            v = v << 4 | (unsigned)h;
            p++;
            if (++digits > 4)
                return -EINVAL;
        }
        if (!digits || n_head + n_tail >= 8)
            return -EINVAL;
        g[(*n)++] = (uint16_t)v;
        if (*p == ':') {
            p++;
            if (*p == ':') {
                if (seen_gap)
                    return -EINVAL;
                seen_gap = true;
                g = tail;
                n = &n_tail;
                p++;
            } else if (!*p) {
                return -EINVAL;
            }
        } else if (*p) {
            return -EINVAL;
        }
    }
    if (n_head + n_tail > 8 || (!seen_gap && n_head != 8) || (seen_gap && n_head + n_tail == 8))
        return -EINVAL;
    uint16_t all[8] = {0};
    for (int i = 0; i < n_head; i++)
        all[i] = head[i];
    for (int i = 0; i < n_tail; i++)
        all[8 - n_tail + i] = tail[i];
    for (int i = 0; i < 8; i++) {
        out[2 * i] = (uint8_t)(all[i] >> 8);
        out[2 * i + 1] = (uint8_t)all[i];
    }
    return 0;
}

static int
parse_uint(const char *s, uint64_t *out)
{
    char *end;
    if (!*s || *s == '-')
        return -EINVAL;
    errno = 0;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end)
        return -EINVAL;
    *out = x;
    return 0;
}

/* Prefix length -> leading-ones mask over n bytes. */
static void
prefix_mask_bytes(uint8_t *m, unsigned n_bytes, unsigned len)
{
    for (unsigned i = 0; i < n_bytes; i++) {
        unsigned bits = len > 8 * i ? len - 8 * i : 0;
        m[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
    }
}

static int
parse_value(enum ft_field f, const char *s, union ft_value *v)
{
    const struct ft_field_info *fi = &fields[f];
    memset(v, 0, sizeof *v);
    if (fi->key_len == 6)
        return parse_mac(s, v->bytes);
    if (fi->key_len == 16)
        return parse_ipv6(s, v->bytes);
    if (f == FT_F_IPV4_SRC || f == FT_F_IPV4_DST || f == FT_F_ARP_SPA || f == FT_F_ARP_TPA) {
        if (strchr(s, '.'))
            return parse_ipv4(s, &v->u32);
    }
    uint64_t x;
    if (parse_uint(s, &x))
        return -EINVAL;
    switch (fi->key_len) {
    case 1:
        if (x > UINT8_MAX)
            return -EINVAL;
        v->u8 = (uint8_t)x;
        break;
    case 2:
        if (x > UINT16_MAX)
            return -EINVAL;
        v->u16 = (uint16_t)x;
        break;
    case 4:
        if (x > UINT32_MAX)
            return -EINVAL;
        v->u32 = (uint32_t)x;
        break;
    default:
        v->u64 = x;
        break;
    }
    return 0;
}

int
ft_field_parse(enum ft_field f, const char *text, union ft_value *v, union ft_value *mask,
               bool *has_mask)
{
    char buf[128];
    if ((unsigned)f >= FT_N_FIELDS || strlen(text) >= sizeof buf)
        return -EINVAL;
    strcpy(buf, text);
    char *slash = strchr(buf, '/');
    *has_mask = slash != NULL;
    if (slash)
        *slash++ = '\0';
    if (parse_value(f, buf, v))
        return -EINVAL;
    if (!slash)
        return 0;

    const struct ft_field_info *fi = &fields[f];
    bool is_addr = fi->key_len == 16 || f == FT_F_IPV4_SRC || f == FT_F_IPV4_DST ||
                   f == FT_F_ARP_SPA || f == FT_F_ARP_TPA;
    uint64_t len;
    if (is_addr && !strchr(slash, '.') && !strchr(slash, ':') && !parse_uint(slash, &len)) {
        /* CIDR prefix length. */
        if (len > fi->n_bits)
            return -EINVAL;
        memset(mask, 0, sizeof *mask);
        if (fi->key_len == 16)
            prefix_mask_bytes(mask->bytes, 16, (unsigned)len);
        else
            mask->u32 = len ? UINT32_MAX << (32 - len) : 0;
        return 0;
    }
    return parse_value(f, slash, mask);
}
