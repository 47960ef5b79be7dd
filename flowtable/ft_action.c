/* SPDX-License-Identifier: Apache-2.0 */
/* Action checks, the action set, and the text forms of actions. */
#include "ft_action.h"
#include "ft_proto.h"

#include <stdio.h>
#include <string.h>

/* ---- the action set ------------------------------------------------------ */

enum ft_as_slot
ft_action_set_slot(const struct ft_action *a)
{
    switch (a->type) {
    case FT_AT_COPY_TTL_IN:
        return FT_AS_COPY_TTL_IN;
    case FT_AT_POP_VLAN:
        return FT_AS_POP_VLAN;
    case FT_AT_POP_PBB:
        return FT_AS_POP_PBB;
    case FT_AT_POP_MPLS:
        return FT_AS_POP_MPLS;
    case FT_AT_PUSH_MPLS:
        return FT_AS_PUSH_MPLS;
    case FT_AT_PUSH_PBB:
        return FT_AS_PUSH_PBB;
    case FT_AT_PUSH_VLAN:
        return FT_AS_PUSH_VLAN;
    case FT_AT_COPY_TTL_OUT:
        return FT_AS_COPY_TTL_OUT;
    case FT_AT_DEC_MPLS_TTL:
        return FT_AS_DEC_MPLS_TTL;
    case FT_AT_DEC_NW_TTL:
        return FT_AS_DEC_NW_TTL;
    case FT_AT_SET_FIELD:
        return (enum ft_as_slot)(FT_AS_SET_FIELD0 + (a->field % FT_N_FIELDS));
    case FT_AT_SET_MPLS_TTL:
        return FT_AS_SET_MPLS_TTL;
    case FT_AT_SET_NW_TTL:
        return FT_AS_SET_NW_TTL;
    case FT_AT_SET_QUEUE:
        return FT_AS_SET_QUEUE;
    case FT_AT_GROUP:
        return FT_AS_GROUP;
    default:
        return FT_AS_OUTPUT;
    }
}

void
ft_action_set_write(struct ft_action_set *as, const struct ft_action *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        enum ft_as_slot s = ft_action_set_slot(&a[i]);
        as->slot[s] = a[i];
        as->present |= 1ull << s;
    }
}

size_t
ft_action_set_list(const struct ft_action_set *as, struct ft_action *out)
{
    size_t n = 0;
    uint64_t present = as->present;
    if (present & (1ull << FT_AS_GROUP)) /* A group in the set wins over output. */
        present &= ~(1ull << FT_AS_OUTPUT);
    while (present) {
        int s = __builtin_ctzll(present);
        present &= present - 1;
        out[n++] = as->slot[s];
    }
    return n;
}

/* ---- checks ---------------------------------------------------------------- */

static bool
output_port_ok(uint32_t port, bool packet_out)
{
    if (port == 0)
        return false;
    if (port <= FT_PORT_MAX)
        return true;
    switch (port) {
    case FT_PORT_IN_PORT:
    case FT_PORT_FLOOD:
    case FT_PORT_ALL:
    case FT_PORT_CONTROLLER:
    case FT_PORT_LOCAL:
        return true;
    case FT_PORT_TABLE:
        return packet_out;
    default: /* NORMAL (no legacy pipeline here), ANY, undefined. */
        return false;
    }
}

static void
require_eth_type(struct ft_match *st, uint16_t eth_type)
{
    if (!st)
        return;
    st->key.eth_type = eth_type;
    st->mask.eth_type = 0xffff;
}

/* One action against the running state st: what the match plus the
 * actions before it guarantee about the packet. */
static enum ft_err
check_one(const struct ft_action *a, struct ft_match *st, bool packet_out)
{
    switch (a->type) {
    case FT_AT_OUTPUT:
        return output_port_ok(a->arg, packet_out) ? FT_OK : FT_ERR_BAD_ACTION_BAD_OUT_PORT;
    case FT_AT_GROUP:
        return a->arg <= FT_GROUP_MAX ? FT_OK : FT_ERR_BAD_ACTION_BAD_OUT_GROUP;
    case FT_AT_SET_QUEUE:
    case FT_AT_SET_MPLS_TTL:
    case FT_AT_DEC_MPLS_TTL:
    case FT_AT_SET_NW_TTL:
    case FT_AT_DEC_NW_TTL:
    case FT_AT_COPY_TTL_OUT:
    case FT_AT_COPY_TTL_IN:
        return FT_OK; /* The executor checks the packet has the header. */
    case FT_AT_PUSH_VLAN:
        if (a->ethertype != FT_ETH_TYPE_VLAN && a->ethertype != FT_ETH_TYPE_QINQ)
            return FT_ERR_BAD_ACTION_BAD_ARGUMENT;
        if (st) {
            st->key.vlan_vid |= FT_VID_PRESENT;
            st->mask.vlan_vid |= FT_VID_PRESENT;
        }
        return FT_OK;
    case FT_AT_POP_VLAN:
        if (st) { /* Whether an inner tag exists is unknown. */
            st->key.vlan_vid = 0;
            st->mask.vlan_vid = 0;
        }
        return FT_OK;
    case FT_AT_PUSH_MPLS:
        if (a->ethertype != FT_ETH_TYPE_MPLS && a->ethertype != FT_ETH_TYPE_MPLS_MC)
            return FT_ERR_BAD_ACTION_BAD_ARGUMENT;
        require_eth_type(st, a->ethertype);
        return FT_OK;
    case FT_AT_POP_MPLS:
        if (a->ethertype == 0)
            return FT_ERR_BAD_ACTION_BAD_ARGUMENT;
        require_eth_type(st, a->ethertype);
        return FT_OK;
    case FT_AT_PUSH_PBB:
        if (a->ethertype != 0x88e7)
            return FT_ERR_BAD_ACTION_BAD_ARGUMENT;
        require_eth_type(st, a->ethertype);
        return FT_OK;
    case FT_AT_POP_PBB:
        if (st) {
            st->key.eth_type = 0;
            st->mask.eth_type = 0;
        }
        return FT_OK;
    case FT_AT_SET_FIELD: {
        const struct ft_field_info *fi = ft_field_info(a->field);
        if (!fi || !fi->settable)
            return FT_ERR_BAD_ACTION_BAD_SET_TYPE;
        if (!ft_field_value_fits(a->field, &a->value))
            return FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT;
        if (st && !ft_match_requires(&st->key, &st->mask, fi->prereq))
            return FT_ERR_BAD_ACTION_MATCH_INCONSISTENT;
        /* A new type is what later actions' prerequisites see. */
        if (st && (a->field == FT_F_ETH_TYPE || a->field == FT_F_IP_PROTO)) {
            ft_field_set(&st->key, a->field, &a->value);
            struct ft_key exact;
            ft_key_zero(&exact);
            ft_field_mask_exact(&exact, a->field);
            union ft_value m;
            ft_field_get(&exact, a->field, &m);
            ft_field_set(&st->mask, a->field, &m);
        }
        return FT_OK;
    }
    default:
        return FT_ERR_BAD_ACTION_BAD_TYPE;
    }
}

enum ft_err
ft_actions_check(const struct ft_action *a, size_t n, const struct ft_match *m, bool is_set,
                 bool packet_out)
{
    if (n > FT_MAX_ACTIONS)
        return FT_ERR_BAD_ACTION_TOO_MANY;
    struct ft_match st_buf, *st = NULL;
    if (m) {
        st_buf = *m;
        st = &st_buf;
    }

    if (!is_set) {
        for (size_t i = 0; i < n; i++) {
            enum ft_err err = check_one(&a[i], st, packet_out);
            if (err)
                return err;
        }
        return FT_OK;
    }

    /* An unknown type must not reach the slot mapping. */
    for (size_t i = 0; i < n; i++)
        if (check_one(&a[i], NULL, packet_out) == FT_ERR_BAD_ACTION_BAD_TYPE)
            return FT_ERR_BAD_ACTION_BAD_TYPE;
    /* Judge a set in the order it will run. */
    struct ft_action_set as;
    struct ft_action ordered[FT_AS_N_SLOTS];
    ft_action_set_clear(&as);
    ft_action_set_write(&as, a, n);
    size_t n_ordered = 0;
    for (int s = 0; s < FT_AS_N_SLOTS; s++)
        if (as.present & (1ull << s))
            ordered[n_ordered++] = as.slot[s];
    for (size_t i = 0; i < n_ordered; i++) {
        enum ft_err err = check_one(&ordered[i], st, packet_out);
        if (err)
            return err;
    }
    return FT_OK;
}

/* ---- text forms ------------------------------------------------------------- */

static const char *
reserved_port_name(uint32_t port)
{
    switch (port) {
    case FT_PORT_IN_PORT:
        return "IN_PORT";
    case FT_PORT_TABLE:
        return "TABLE";
    case FT_PORT_NORMAL:
        return "NORMAL";
    case FT_PORT_FLOOD:
        return "FLOOD";
    case FT_PORT_ALL:
        return "ALL";
    case FT_PORT_CONTROLLER:
        return "CONTROLLER";
    case FT_PORT_LOCAL:
        return "LOCAL";
    case FT_PORT_ANY:
        return "ANY";
    default:
        return NULL;
    }
}

int
ft_action_format(char *buf, size_t size, const struct ft_action *a)
{
    switch (a->type) {
    case FT_AT_OUTPUT: {
        if (a->arg == FT_PORT_CONTROLLER)
            return snprintf(buf, size, "CONTROLLER:%u", a->max_len);
        const char *name = reserved_port_name(a->arg);
        if (name)
            return snprintf(buf, size, "output:%s", name);
        return snprintf(buf, size, "output:%lu", (unsigned long)a->arg);
    }
    case FT_AT_GROUP:
        return snprintf(buf, size, "group:%lu", (unsigned long)a->arg);
    case FT_AT_SET_QUEUE:
        return snprintf(buf, size, "set_queue:%lu", (unsigned long)a->arg);
    case FT_AT_SET_FIELD: {
        const struct ft_field_info *fi = ft_field_info(a->field);
        if (!fi)
            return snprintf(buf, size, "set_field:?");
        char tmp[96];
        ft_field_format(tmp, sizeof tmp, a->field, &a->value, NULL);
        const char *value = strchr(tmp, '=') + 1;
        return snprintf(buf, size, "set_field:%s->%s", value, fi->name);
    }
    case FT_AT_PUSH_VLAN:
        return snprintf(buf, size, "push_vlan:0x%04x", a->ethertype);
    case FT_AT_POP_VLAN:
        return snprintf(buf, size, "pop_vlan");
    case FT_AT_PUSH_MPLS:
        return snprintf(buf, size, "push_mpls:0x%04x", a->ethertype);
    case FT_AT_POP_MPLS:
        return snprintf(buf, size, "pop_mpls:0x%04x", a->ethertype);
    case FT_AT_PUSH_PBB:
        return snprintf(buf, size, "push_pbb:0x%04x", a->ethertype);
    case FT_AT_POP_PBB:
        return snprintf(buf, size, "pop_pbb");
    case FT_AT_SET_MPLS_TTL:
        return snprintf(buf, size, "set_mpls_ttl:%u", a->ttl);
    case FT_AT_DEC_MPLS_TTL:
        return snprintf(buf, size, "dec_mpls_ttl");
    case FT_AT_SET_NW_TTL:
        return snprintf(buf, size, "set_nw_ttl:%u", a->ttl);
    case FT_AT_DEC_NW_TTL:
        return snprintf(buf, size, "dec_ttl");
    case FT_AT_COPY_TTL_OUT:
        return snprintf(buf, size, "copy_ttl_out");
    case FT_AT_COPY_TTL_IN:
        return snprintf(buf, size, "copy_ttl_in");
    default:
        return snprintf(buf, size, "unknown_action:%u", a->type);
    }
}

#define REST(n) ((size_t)(n) < size ? size - (size_t)(n) : 0)

int
ft_actions_format(char *buf, size_t size, const struct ft_action *a, size_t n)
{
    int len = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            len += snprintf(buf + len, REST(len), ",");
        len += ft_action_format(buf + len, REST(len), &a[i]);
    }
    return len;
}

int
ft_insts_format(char *buf, size_t size, const struct ft_insts *in)
{
    int len = 0;
    const char *sep = "";
    if (size)
        buf[0] = '\0';
    if (!in || !in->present)
        return snprintf(buf, size, "drop");
    if (in->present & FT_INST_BIT(FT_IT_METER)) {
        len += snprintf(buf + len, REST(len), "%smeter:%lu", sep, (unsigned long)in->meter_id);
        sep = ",";
    }
    if (in->present & FT_INST_BIT(FT_IT_APPLY_ACTIONS)) {
        len += snprintf(buf + len, REST(len), "%sapply_actions(", sep);
        len += ft_actions_format(buf + len, REST(len), ft_insts_apply(in), in->n_apply);
        len += snprintf(buf + len, REST(len), ")");
        sep = ",";
    }
    if (in->present & FT_INST_BIT(FT_IT_CLEAR_ACTIONS)) {
        len += snprintf(buf + len, REST(len), "%sclear_actions", sep);
        sep = ",";
    }
    if (in->present & FT_INST_BIT(FT_IT_WRITE_ACTIONS)) {
        len += snprintf(buf + len, REST(len), "%swrite_actions(", sep);
        len += ft_actions_format(buf + len, REST(len), ft_insts_write(in), in->n_write);
        len += snprintf(buf + len, REST(len), ")");
        sep = ",";
    }
    if (in->present & FT_INST_BIT(FT_IT_WRITE_METADATA)) {
        len += snprintf(buf + len, REST(len), "%swrite_metadata:0x%llx/0x%llx", sep,
                        (unsigned long long)in->metadata, (unsigned long long)in->metadata_mask);
        sep = ",";
    }
    if (in->present & FT_INST_BIT(FT_IT_GOTO_TABLE))
        len += snprintf(buf + len, REST(len), "%sgoto_table:%u", sep, in->goto_table);
    return len;
}
