/* SPDX-License-Identifier: Apache-2.0 */
#include "ft_match.h"
#include "ft_proto.h"

#include <stdio.h>
#include <string.h>

void
ft_match_init_catchall(struct ft_match *m)
{
    ft_key_zero(&m->key);
    ft_key_zero(&m->mask);
}

/* A prerequisite's field (ETH_TYPE, IP_PROTO, ICMPV6_TYPE: 1 or 2 bytes). */
static uint32_t
prereq_field(const struct ft_key *k, uint8_t field)
{
    union ft_value v;
    ft_field_get(k, field, &v);
    return ft_field_info(field)->key_len == 1 ? v.u8 : v.u16;
}

bool
ft_match_requires(const struct ft_key *key, const struct ft_key *mask, enum ft_prereq pr)
{
    if (pr == FT_PRE_IN_PORT)
        return mask->in_port == UINT32_MAX;
    if (pr == FT_PRE_VLAN)
        return (mask->vlan_vid & FT_VID_PRESENT) && (key->vlan_vid & FT_VID_PRESENT);
    const struct ft_prereq_rule *rule = ft_prereq_rule(pr);
    if (!rule->n_values)
        return true; /* FT_PRE_NONE. */
    if (!ft_match_requires(key, mask, rule->parent))
        return false;
    const struct ft_field_info *fi = ft_field_info(rule->field);
    if (prereq_field(mask, rule->field) != (1u << fi->n_bits) - 1)
        return false; /* Not matched exactly. */
    uint32_t v = prereq_field(key, rule->field);
    for (unsigned i = 0; i < rule->n_values; i++)
        if (v == rule->values[i])
            return true;
    return false;
}

/* value has no bit where mask is 0 (over the field's key bytes). */
static bool
value_within_mask(enum ft_field f, const union ft_value *v, const union ft_value *m)
{
    for (unsigned i = 0; i < ft_field_info(f)->key_len; i++)
        if (v->bytes[i] & ~m->bytes[i])
            return false;
    return true;
}

enum ft_err
ft_match_from_entries(struct ft_match *m, const struct ft_match_entry *e, size_t n)
{
    uint64_t seen = 0;
    ft_match_init_catchall(m);

    for (size_t i = 0; i < n; i++) {
        const struct ft_field_info *fi = ft_field_info(e[i].field);
        if (!fi)
            return FT_ERR_BAD_MATCH_BAD_FIELD;
        enum ft_field f = e[i].field;
        if (seen & (1ull << f))
            return FT_ERR_BAD_MATCH_DUP_FIELD;
        seen |= 1ull << f;

        union ft_value mask;
        if (e[i].has_mask) {
            if (!fi->maskable)
                return FT_ERR_BAD_MATCH_BAD_MASK;
            if (!ft_field_value_fits(f, &e[i].mask))
                return FT_ERR_BAD_MATCH_BAD_MASK;
            mask = e[i].mask;
        } else {
            struct ft_key exact;
            ft_key_zero(&exact);
            ft_field_mask_exact(&exact, f);
            ft_field_get(&exact, f, &mask);
        }
        if (!ft_field_value_fits(f, &e[i].value))
            return FT_ERR_BAD_MATCH_BAD_VALUE;
        if (!value_within_mask(f, &e[i].value, &mask))
            return FT_ERR_BAD_MATCH_BAD_WILDCARDS;
        /* A VID with OFPVID_PRESENT required to be 0 can match no packet;
         * without the PRESENT bit in the mask only the VID bits count. */
        if (f == FT_F_VLAN_VID && (e[i].value.u16 & 0x0fff) && (mask.u16 & FT_VID_PRESENT) &&
            !(e[i].value.u16 & FT_VID_PRESENT))
            return FT_ERR_BAD_MATCH_BAD_VALUE;
        ft_field_set(&m->key, f, &e[i].value);
        ft_field_set(&m->mask, f, &mask);
    }

    /* Prerequisites are judged on the whole match, whatever the order. */
    for (size_t i = 0; i < n; i++) {
        const struct ft_field_info *fi = ft_field_info(e[i].field);
        if (!ft_match_requires(&m->key, &m->mask, fi->prereq))
            return FT_ERR_BAD_MATCH_BAD_PREREQ;
    }
    return FT_OK;
}

/* For storage several fields share, whether f is the one this match means. */
static bool
field_selected(const struct ft_match *m, enum ft_field f)
{
    const struct ft_key *k = &m->key;
    bool arp = m->mask.eth_type == 0xffff && k->eth_type == 0x0806;
    uint8_t proto = m->mask.ip_proto == 0xff ? k->ip_proto : 0;

    switch (f) {
    case FT_F_IPV4_SRC:
    case FT_F_IPV4_DST:
        return !arp;
    case FT_F_ARP_SPA:
    case FT_F_ARP_TPA:
    case FT_F_ARP_SHA:
    case FT_F_ARP_THA:
        return arp;
    case FT_F_IPV6_ND_SLL:
    case FT_F_IPV6_ND_TLL:
        return !arp;
    case FT_F_TCP_SRC:
    case FT_F_TCP_DST:
        return proto != 17 && proto != 132;
    case FT_F_UDP_SRC:
    case FT_F_UDP_DST:
        return proto == 17;
    case FT_F_SCTP_SRC:
    case FT_F_SCTP_DST:
        return proto == 132;
    case FT_F_ICMPV4_TYPE:
    case FT_F_ICMPV4_CODE:
        return proto != 58;
    case FT_F_ICMPV6_TYPE:
    case FT_F_ICMPV6_CODE:
        return proto == 58;
    default:
        return true;
    }
}

size_t
ft_match_to_entries(const struct ft_match *m, struct ft_match_entry *out)
{
    size_t n = 0;
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        if (ft_field_is_wild(&m->mask, f) || !field_selected(m, f))
            continue;
        struct ft_match_entry *e = &out[n++];
        memset(e, 0, sizeof *e);
        e->field = (uint8_t)f;
        ft_field_get(&m->key, f, &e->value);
        e->has_mask = !ft_field_is_exact(&m->mask, f);
        if (e->has_mask)
            ft_field_get(&m->mask, f, &e->mask);
    }
    return n;
}

bool
ft_match_overlaps(const struct ft_match *a, const struct ft_match *b)
{
    for (int i = 0; i < FT_KEY_WORDS; i++)
        if ((a->key.w[i] ^ b->key.w[i]) & a->mask.w[i] & b->mask.w[i])
            return false;
    return true;
}

bool
ft_match_covers(const struct ft_match *general, const struct ft_match *specific)
{
    for (int i = 0; i < FT_KEY_WORDS; i++) {
        if (general->mask.w[i] & ~specific->mask.w[i])
            return false;
        if ((specific->key.w[i] & general->mask.w[i]) != general->key.w[i])
            return false;
    }
    return true;
}

bool
ft_match_equal(const struct ft_match *a, const struct ft_match *b)
{
    return ft_key_equal(&a->key, &b->key) && ft_key_equal(&a->mask, &b->mask);
}

int
ft_match_format(char *buf, size_t size, const struct ft_match *m)
{
    struct ft_match_entry e[FT_MATCH_MAX_ENTRIES];
    size_t n = ft_match_to_entries(m, e);
    int len = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            len += snprintf(buf + len, (size_t)len < size ? size - len : 0, ",");
        len += ft_field_format(buf + len, (size_t)len < size ? size - len : 0, e[i].field,
                               &e[i].value, e[i].has_mask ? &e[i].mask : NULL);
    }
    return len;
}

/* ---- text parsing ---------------------------------------------------------- */

struct match_text {
    struct ft_match_entry e[FT_MATCH_MAX_ENTRIES + 4];
    size_t n;
};

static int
add_exact(struct match_text *t, enum ft_field f, uint64_t value)
{
    if (t->n >= sizeof t->e / sizeof t->e[0])
        return -1;
    struct ft_match_entry *e = &t->e[t->n++];
    memset(e, 0, sizeof *e);
    e->field = (uint8_t)f;
    switch (ft_field_info(f)->key_len) {
    case 1:
        e->value.u8 = (uint8_t)value;
        break;
    case 2:
        e->value.u16 = (uint16_t)value;
        break;
    case 4:
        e->value.u32 = (uint32_t)value;
        break;
    default:
        e->value.u64 = value;
        break;
    }
    return 0;
}

static const struct {
    const char *name;
    uint16_t eth_type;
    uint8_t ip_proto; /* 0 = none */
} shorthands[] = {
    {"ip", FT_ETH_TYPE_IPV4, 0},
    {"ipv6", FT_ETH_TYPE_IPV6, 0},
    {"arp", FT_ETH_TYPE_ARP, 0},
    {"mpls", FT_ETH_TYPE_MPLS, 0},
    {"tcp", FT_ETH_TYPE_IPV4, FT_PROTO_TCP},
    {"udp", FT_ETH_TYPE_IPV4, FT_PROTO_UDP},
    {"sctp", FT_ETH_TYPE_IPV4, FT_PROTO_SCTP},
    {"icmp", FT_ETH_TYPE_IPV4, FT_PROTO_ICMP},
    {"tcp6", FT_ETH_TYPE_IPV6, FT_PROTO_TCP},
    {"udp6", FT_ETH_TYPE_IPV6, FT_PROTO_UDP},
    {"sctp6", FT_ETH_TYPE_IPV6, FT_PROTO_SCTP},
    {"icmp6", FT_ETH_TYPE_IPV6, FT_PROTO_ICMPV6},
};

/* "tp_src"/"tp_dst" name whichever transport the match's ip_proto names. */
static enum ft_field
resolve_tp(const struct match_text *t, bool dst)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->e[i].field != FT_F_IP_PROTO)
            continue;
        if (t->e[i].value.u8 == 17)
            return dst ? FT_F_UDP_DST : FT_F_UDP_SRC;
        if (t->e[i].value.u8 == 132)
            return dst ? FT_F_SCTP_DST : FT_F_SCTP_SRC;
    }
    return dst ? FT_F_TCP_DST : FT_F_TCP_SRC;
}

static enum ft_err
parse_token(struct match_text *t, char *tok, char **deferred_tp, size_t *n_deferred)
{
    char *eq = strchr(tok, '=');
    if (!eq) {
        for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
            if (strcmp(tok, shorthands[i].name))
                continue;
            if (add_exact(t, FT_F_ETH_TYPE, shorthands[i].eth_type))
                return FT_ERR_BAD_MATCH_BAD_LEN;
            if (shorthands[i].ip_proto && add_exact(t, FT_F_IP_PROTO, shorthands[i].ip_proto))
                return FT_ERR_BAD_MATCH_BAD_LEN;
            return FT_OK;
        }
        return FT_ERR_BAD_MATCH_BAD_FIELD;
    }
    *eq = '\0';
    const char *name = tok, *value = eq + 1;
    if (!strcmp(name, "tp_src") || !strcmp(name, "tp_dst")) {
        *eq = '=';
        deferred_tp[(*n_deferred)++] = tok;
        return FT_OK;
    }
    bool dl_vlan = !strcmp(name, "dl_vlan");
    int f = dl_vlan ? FT_F_VLAN_VID : ft_field_from_name(name);
    if (f < 0)
        return FT_ERR_BAD_MATCH_BAD_FIELD;
    if (t->n >= sizeof t->e / sizeof t->e[0])
        return FT_ERR_BAD_MATCH_BAD_LEN;
    struct ft_match_entry *e = &t->e[t->n];
    memset(e, 0, sizeof *e);
    e->field = (uint8_t)f;
    if (ft_field_parse(f, value, &e->value, &e->mask, &e->has_mask))
        return FT_ERR_BAD_MATCH_BAD_VALUE;
    if (dl_vlan) { /* OpenFlow 1.0 style: a 12-bit VID that implies a tag. */
        if (e->has_mask || e->value.u16 > 0xfff)
            return FT_ERR_BAD_MATCH_BAD_VALUE;
        e->value.u16 |= FT_VID_PRESENT;
    }
    t->n++;
    return FT_OK;
}

/* Tokenize text into entries (no validation). */
static enum ft_err
parse_text(struct match_text *t, const char *text, const char **bad)
{
    char buf[1024];
    char *deferred_tp[4];
    size_t n_deferred = 0;

    if (strlen(text) >= sizeof buf)
        return FT_ERR_BAD_MATCH_BAD_LEN;
    strcpy(buf, text);
    for (char *save = NULL, *tok = strtok_r(buf, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        if (n_deferred >= sizeof deferred_tp / sizeof deferred_tp[0])
            return FT_ERR_BAD_MATCH_DUP_FIELD;
        enum ft_err err = parse_token(t, tok, deferred_tp, &n_deferred);
        if (err) {
            if (bad)
                *bad = text + (tok - buf);
            return err;
        }
    }
    for (size_t i = 0; i < n_deferred; i++) {
        char *tok = deferred_tp[i];
        bool dst = !strncmp(tok, "tp_dst", 6);
        struct ft_match_entry *e = &t->e[t->n];
        memset(e, 0, sizeof *e);
        e->field = (uint8_t)resolve_tp(t, dst);
        if (ft_field_parse(e->field, tok + 7, &e->value, &e->mask, &e->has_mask)) {
            if (bad)
                *bad = text + (tok - buf);
            return FT_ERR_BAD_MATCH_BAD_VALUE;
        }
        t->n++;
    }
    return FT_OK;
}

enum ft_err
ft_match_parse(struct ft_match *m, const char *text, const char **bad)
{
    struct match_text t = {.n = 0};
    enum ft_err err = parse_text(&t, text, bad);
    return err ? err : ft_match_from_entries(m, t.e, t.n);
}

enum ft_err
ft_key_parse(struct ft_key *key, const char *text, const char **bad)
{
    struct match_text t = {.n = 0};
    enum ft_err err = parse_text(&t, text, bad);
    if (err)
        return err;
    ft_key_zero(key);
    for (size_t i = 0; i < t.n; i++) {
        if (t.e[i].has_mask) {
            if (bad)
                *bad = text;
            return FT_ERR_BAD_MATCH_BAD_MASK; /* A packet has values, not masks. */
        }
        ft_field_set(key, t.e[i].field, &t.e[i].value);
    }
    return FT_OK;
}

int
ft_key_format(char *buf, size_t size, const struct ft_key *key)
{
    struct ft_match m = {.key = *key};
    ft_key_zero(&m.mask);
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        union ft_value v;
        ft_field_get(key, f, &v);
        bool nonzero = false;
        for (unsigned i = 0; i < ft_field_info(f)->key_len; i++)
            nonzero |= v.bytes[i] != 0;
        if (nonzero)
            ft_field_mask_exact(&m.mask, f);
    }
    ft_key_and(&m.key, key, &m.mask);
    return ft_match_format(buf, size, &m);
}

int
ft_mask_format(char *buf, size_t size, const struct ft_key *mask)
{
    int len = 0;
    bool seen_ofs[sizeof(struct ft_key)] = {false};
    if (size)
        buf[0] = '\0';
    for (unsigned f = 0; f < FT_N_FIELDS; f++) {
        const struct ft_field_info *fi = ft_field_info(f);
        if (seen_ofs[fi->key_ofs] || ft_field_is_wild(mask, f))
            continue;
        seen_ofs[fi->key_ofs] = true;
        const char *sep = len ? "," : "";
        if (ft_field_is_exact(mask, f)) {
            len += snprintf(buf + len, (size_t)len < size ? size - len : 0, "%s%s", sep, fi->name);
            continue;
        }
        union ft_value m;
        ft_field_get(mask, f, &m);
        char tmp[128];
        ft_field_format(tmp, sizeof tmp, f, &m, NULL);
        len += snprintf(buf + len, (size_t)len < size ? size - len : 0, "%s%s/%s", sep, fi->name,
                        strchr(tmp, '=') + 1);
    }
    if (mask->vlan2_vid || mask->vlan2_pcp)
        len += snprintf(buf + len, (size_t)len < size ? size - len : 0, "%sinner_vlan",
                        len ? "," : "");
    if (mask->ip_frag)
        len +=
            snprintf(buf + len, (size_t)len < size ? size - len : 0, "%sip_frag", len ? "," : "");
    if (!len)
        len = snprintf(buf, size, "(none)");
    return len;
}
