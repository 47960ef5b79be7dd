/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The walk's working key: what header actions (set-field, push and pop of
 * VLAN, MPLS and PBB tags) do to it, which bits become written (from an
 * action) or stale (unknowable), and which packet bits the outcome
 * consulted (the mask). See ft_walk.c for the walk itself.
 */
#include <string.h>

#include "ft_proto.h"
#include "ft_walk_int.h"

/* ---- mask bookkeeping ----------------------------------------------------------- */

/* The walk's outcome depends on these bits of the packet. Stale bits exist
 * only inside a bucket, where just the key's own model reads them (what a
 * bucket emits never depends on them: the executor checks headers). */
void
walk_consult(struct walk *w, const struct ft_key *bits)
{
    ft_v2u64 *m = FT_KEY_V(&w->out->mask);
    const ft_v2u64 *b = FT_KEY_CV(bits), *wr = FT_KEY_CV(&w->written), *st = FT_KEY_CV(&w->stale);
    for (int i = 0; i < FT_KEY_VECS; i++)
        m[i] |= b[i] & ~wr[i] & ~st[i];
}

/* Fields one at a time go word by word (ft_field_words): a whole-key mask
 * per field was a sixth of a miss that sets two fields. */
void
walk_consult_field(struct walk *w, enum ft_field f)
{
    const struct ft_field_words *fw = ft_field_words(f);
    for (unsigned i = 0; i < fw->n; i++) {
        unsigned k = fw->word[i];
        w->out->mask.w[k] |= fw->mask[i] & ~w->written.w[k] & ~w->stale.w[k];
    }
}

/* The field's value is now known from actions: written, no longer stale. */
static void
mark_written(struct walk *w, enum ft_field f)
{
    const struct ft_field_words *fw = ft_field_words(f);
    for (unsigned i = 0; i < fw->n; i++) {
        w->written.w[fw->word[i]] |= fw->mask[i];
        w->stale.w[fw->word[i]] &= ~fw->mask[i];
    }
}

static void
mark_stale(struct walk *w, enum ft_field f)
{
    const struct ft_field_words *fw = ft_field_words(f);
    for (unsigned i = 0; i < fw->n; i++)
        w->stale.w[fw->word[i]] |= fw->mask[i];
}

/* The hidden inner-tag fields have no ft_field id: by hand. */
static void
inner_tag_bits(struct ft_key *bits)
{
    ft_key_zero(bits);
    bits->vlan2_vid = 0x1fff;
    bits->vlan2_pcp = 0x7;
}

static void
set_key_field(struct walk *w, enum ft_field f, const union ft_value *v)
{
    ft_field_set(&w->key, f, v);
    mark_written(w, f);
}

static void
set_key_u(struct walk *w, enum ft_field f, uint64_t x)
{
    union ft_value v;
    memset(&v, 0, sizeof v);
    switch (ft_field_info(f)->key_len) {
    case 1:
        v.u8 = (uint8_t)x;
        break;
    case 2:
        v.u16 = (uint16_t)x;
        break;
    case 4:
        v.u32 = (uint32_t)x;
        break;
    default:
        v.u64 = x;
        break;
    }
    set_key_field(w, f, &v);
}

/* ---- what the packet has (consulting what that depends on) ---------------------- */

static bool
has_vlan(struct walk *w)
{
    struct ft_key bits;
    ft_key_zero(&bits);
    bits.vlan_vid = FT_VID_PRESENT;
    walk_consult(w, &bits);
    return w->key.vlan_vid & FT_VID_PRESENT;
}

static bool
eth_type_in(struct walk *w, uint16_t a, uint16_t b)
{
    walk_consult_field(w, FT_F_ETH_TYPE);
    return w->key.eth_type == a || w->key.eth_type == b;
}

static bool
ip_proto_is(struct walk *w, uint8_t proto)
{
    walk_consult_field(w, FT_F_IP_PROTO);
    return w->key.ip_proto == proto;
}

/* Whether the packet (as the key models it) has the header a field lives
 * in: the prerequisite table match validation uses (ft_prereq_rule), with
 * each field the answer depends on consulted. */
static bool
packet_has(struct walk *w, enum ft_prereq pr)
{
    if (pr == FT_PRE_VLAN)
        return has_vlan(w);
    const struct ft_prereq_rule *rule = ft_prereq_rule(pr);
    if (!rule->n_values)
        return true; /* FT_PRE_NONE, FT_PRE_IN_PORT (every packet has one). */
    if (!packet_has(w, rule->parent))
        return false;
    walk_consult_field(w, rule->field);
    union ft_value v;
    ft_field_get(&w->key, rule->field, &v);
    uint32_t x = ft_field_info(rule->field)->key_len == 1 ? v.u8 : v.u16;
    for (unsigned i = 0; i < rule->n_values; i++)
        if (x == rule->values[i])
            return true;
    return false;
}

/* ---- header actions on the key --------------------------------------------------- */

static void mark_l3_stale(struct walk *w);

/* Set-field of a type field (ETH_TYPE, IP_PROTO, MPLS_BOS) that changes
 * how the rest of the packet parses: the headers the key holds after it
 * are no longer the packet's. Consults the old value. */
static bool
retypes(struct walk *w, const struct ft_action *a)
{
    switch (a->field) {
    case FT_F_ETH_TYPE: {
        /* MPLS unicast <-> multicast: the label stack stays a label stack. */
        bool mpls_to_mpls =
            eth_type_in(w, FT_ETH_TYPE_MPLS, FT_ETH_TYPE_MPLS_MC) &&
            (a->value.u16 == FT_ETH_TYPE_MPLS || a->value.u16 == FT_ETH_TYPE_MPLS_MC);
        return w->key.eth_type != a->value.u16 && !mpls_to_mpls;
    }
    case FT_F_IP_PROTO:
        return !ip_proto_is(w, a->value.u8);
    case FT_F_MPLS_BOS:
        walk_consult_field(w, FT_F_MPLS_BOS);
        return w->key.mpls_bos != a->value.u8;
    default:
        return false;
    }
}

/* In a bucket (no recirculation) what the new type hides is stale. */
static void
retyped_stale(struct walk *w, enum ft_field f)
{
    static const enum ft_field l4[] = {FT_F_TCP_SRC,     FT_F_TCP_DST,        FT_F_ICMPV4_TYPE,
                                       FT_F_ICMPV4_CODE, FT_F_IPV6_ND_TARGET, FT_F_IPV6_ND_SLL,
                                       FT_F_IPV6_ND_TLL};
    static const enum ft_field l25[] = {FT_F_MPLS_LABEL, FT_F_MPLS_TC, FT_F_PBB_ISID};
    if (f == FT_F_IP_PROTO) {
        for (size_t i = 0; i < sizeof l4 / sizeof l4[0]; i++)
            mark_stale(w, l4[i]);
        return;
    }
    if (f == FT_F_ETH_TYPE)
        for (size_t i = 0; i < sizeof l25 / sizeof l25[0]; i++)
            mark_stale(w, l25[i]);
    mark_l3_stale(w);
}

void
walk_set_field(struct walk *w, const struct ft_action *a)
{
    const struct ft_field_info *fi = ft_field_info(a->field);
    struct ft_op *op = walk_emit(w, FT_OP_SET_FIELD);
    if (!op || !fi)
        return;
    op->b8 = a->field;
    op->value = a->value;
    if (!packet_has(w, fi->prereq))
        return; /* The executor skips it too. */
    if (a->field == FT_F_VLAN_VID) {
        if (!has_vlan(w))
            return;
        set_key_u(w, FT_F_VLAN_VID, FT_VID_PRESENT | (a->value.u16 & 0x0fff));
        return;
    }
    bool re = retypes(w, a);
    set_key_field(w, a->field, &a->value);
    /* The executor parses the packet again, as after a pop. */
    if (re && !walk_recirculate(w))
        retyped_stale(w, a->field);
}

void
walk_push_vlan(struct walk *w, uint16_t tpid)
{
    struct ft_op *op = walk_emit(w, FT_OP_PUSH_VLAN);
    if (!op)
        return;
    op->a16 = tpid;
    /* The new tag copies the old outer one, which becomes the inner. */
    walk_consult_field(w, FT_F_VLAN_VID);
    walk_consult_field(w, FT_F_VLAN_PCP);
    bool had = w->key.vlan_vid & FT_VID_PRESENT;
    uint16_t vid = had ? w->key.vlan_vid : FT_VID_PRESENT;
    uint8_t pcp = had ? w->key.vlan_pcp : 0;
    w->key.vlan2_vid = w->key.vlan_vid;
    w->key.vlan2_pcp = w->key.vlan_pcp;
    struct ft_key inner;
    inner_tag_bits(&inner);
    ft_key_or_into(&w->written, &inner);
    for (int i = 0; i < FT_KEY_WORDS; i++)
        w->stale.w[i] &= ~inner.w[i];
    set_key_u(w, FT_F_VLAN_VID, vid);
    set_key_u(w, FT_F_VLAN_PCP, pcp);
}

void
walk_pop_vlan(struct walk *w)
{
    if (!walk_emit(w, FT_OP_POP_VLAN) || !has_vlan(w))
        return;
    struct ft_key inner;
    inner_tag_bits(&inner);
    walk_consult(w, &inner);
    bool had_inner = w->key.vlan2_vid & FT_VID_PRESENT;
    if (had_inner && walk_recirculate(w)) /* A third tag may be the inner one now. */
        return;
    set_key_u(w, FT_F_VLAN_VID, w->key.vlan2_vid);
    set_key_u(w, FT_F_VLAN_PCP, w->key.vlan2_pcp);
    w->key.vlan2_vid = 0;
    w->key.vlan2_pcp = 0;
    if (had_inner) /* A third tag, if any, is now the inner one: unknown. */
        ft_key_or_into(&w->stale, &inner);
    else
        ft_key_or_into(&w->written, &inner);
}

static const enum ft_field l3_fields[] = {
    FT_F_IP_DSCP,        FT_F_IP_ECN,      FT_F_IP_PROTO,    FT_F_IPV4_SRC,    FT_F_IPV4_DST,
    FT_F_TCP_SRC,        FT_F_TCP_DST,     FT_F_ICMPV4_TYPE, FT_F_ICMPV4_CODE, FT_F_ARP_OP,
    FT_F_ARP_SHA,        FT_F_ARP_THA,     FT_F_IPV6_SRC,    FT_F_IPV6_DST,    FT_F_IPV6_FLABEL,
    FT_F_IPV6_ND_TARGET, FT_F_IPV6_EXTHDR,
};

static void
mark_l3_stale(struct walk *w)
{
    for (size_t i = 0; i < sizeof l3_fields / sizeof l3_fields[0]; i++)
        mark_stale(w, l3_fields[i]);
    w->stale.ip_frag = 0xff;
}

void
walk_push_mpls(struct walk *w, uint16_t ethertype)
{
    struct ft_op *op = walk_emit(w, FT_OP_PUSH_MPLS);
    if (!op)
        return;
    op->a16 = ethertype;
    if (eth_type_in(w, FT_ETH_TYPE_MPLS,
                    FT_ETH_TYPE_MPLS_MC)) { /* Label and TC copied from the old top. */
        walk_consult_field(w, FT_F_MPLS_LABEL);
        walk_consult_field(w, FT_F_MPLS_TC);
        set_key_u(w, FT_F_MPLS_BOS, 0);
    } else {
        set_key_u(w, FT_F_MPLS_LABEL, 0);
        set_key_u(w, FT_F_MPLS_TC, 0);
        set_key_u(w, FT_F_MPLS_BOS, 1);
    }
    mark_written(w, FT_F_MPLS_LABEL);
    mark_written(w, FT_F_MPLS_TC);
    set_key_u(w, FT_F_ETH_TYPE, ethertype);
}

void
walk_pop_mpls(struct walk *w, uint16_t ethertype)
{
    struct ft_op *op = walk_emit(w, FT_OP_POP_MPLS);
    if (!op)
        return;
    op->a16 = ethertype;
    if (!eth_type_in(w, FT_ETH_TYPE_MPLS, FT_ETH_TYPE_MPLS_MC))
        return;
    if (walk_recirculate(w)) /* The next label, or what follows the stack. */
        return;
    walk_consult_field(w, FT_F_MPLS_BOS);
    bool bos = w->key.mpls_bos;
    set_key_u(w, FT_F_ETH_TYPE, ethertype);
    if (bos) { /* What follows the stack was never parsed. */
        set_key_u(w, FT_F_MPLS_LABEL, 0);
        set_key_u(w, FT_F_MPLS_TC, 0);
        set_key_u(w, FT_F_MPLS_BOS, 0);
        mark_l3_stale(w);
    } else { /* The next label is now on top. */
        mark_stale(w, FT_F_MPLS_LABEL);
        mark_stale(w, FT_F_MPLS_TC);
        mark_stale(w, FT_F_MPLS_BOS);
    }
}

void
walk_push_pbb(struct walk *w, uint16_t ethertype)
{
    struct ft_op *op = walk_emit(w, FT_OP_PUSH_PBB);
    if (!op)
        return;
    op->a16 = ethertype;
    /* B-DA/B-SA copy C-DA/C-SA; the customer's tags go inside. The I-SID
     * copies an existing I-TAG's (the push-tag table of OpenFlow 1.3.5),
     * else it is 0. */
    if (eth_type_in(w, FT_ETH_TYPE_PBB, FT_ETH_TYPE_PBB))
        walk_consult_field(w, FT_F_PBB_ISID);
    else
        set_key_u(w, FT_F_PBB_ISID, 0);
    set_key_u(w, FT_F_ETH_TYPE, ethertype);
    set_key_u(w, FT_F_VLAN_VID, 0);
    set_key_u(w, FT_F_VLAN_PCP, 0);
    w->key.vlan2_vid = 0;
    w->key.vlan2_pcp = 0;
    struct ft_key inner;
    inner_tag_bits(&inner);
    ft_key_or_into(&w->written, &inner);
}

void
walk_pop_pbb(struct walk *w)
{
    if (!walk_emit(w, FT_OP_POP_PBB) || !eth_type_in(w, FT_ETH_TYPE_PBB, FT_ETH_TYPE_PBB))
        return;
    if (walk_recirculate(w)) /* The customer frame. */
        return;
    /* The customer frame was never parsed: everything above L1 is unknown. */
    static const enum ft_field l2[] = {
        FT_F_ETH_DST,    FT_F_ETH_SRC, FT_F_ETH_TYPE, FT_F_VLAN_VID, FT_F_VLAN_PCP,
        FT_F_MPLS_LABEL, FT_F_MPLS_TC, FT_F_MPLS_BOS, FT_F_PBB_ISID,
    };
    for (size_t i = 0; i < sizeof l2 / sizeof l2[0]; i++)
        mark_stale(w, l2[i]);
    struct ft_key inner;
    inner_tag_bits(&inner);
    ft_key_or_into(&w->stale, &inner);
    mark_l3_stale(w);
}
