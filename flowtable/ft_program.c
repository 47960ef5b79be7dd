/* SPDX-License-Identifier: Apache-2.0 */
/* Text form of composed action programs (trace output, test messages). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ft_walk.h"

#define REST(n) ((size_t)(n) < size ? size - (size_t)(n) : 0)

static const char *
port_name(uint32_t port, char *buf, size_t size)
{
    switch (port) {
    case FT_PORT_IN_PORT:
        return "IN_PORT";
    case FT_PORT_FLOOD:
        return "FLOOD";
    case FT_PORT_ALL:
        return "ALL";
    case FT_PORT_LOCAL:
        return "LOCAL";
    default:
        snprintf(buf, size, "%lu", (unsigned long)port);
        return buf;
    }
}

static int
format_op(char *buf, size_t size, const struct ft_op *op)
{
    char tmp[96];
    switch (op->type) {
    case FT_OP_OUTPUT:
        return snprintf(buf, size, "output:%s", port_name(op->a32, tmp, sizeof tmp));
    case FT_OP_CONTROLLER:
        return snprintf(buf, size, "controller(reason=%s,max_len=%u,table=%lu,cookie=0x%llx)",
                        op->b8 == FT_PR_NO_MATCH ? "no_match"
                        : op->b8 == FT_PR_ACTION ? "action"
                                                 : "invalid_ttl",
                        op->a16, (unsigned long)op->a32, (unsigned long long)op->a64);
    case FT_OP_SET_FIELD: {
        const struct ft_field_info *fi = ft_field_info(op->b8);
        if (!fi)
            return snprintf(buf, size, "set_field:?");
        ft_field_format(tmp, sizeof tmp, op->b8, &op->value, NULL);
        return snprintf(buf, size, "set_field:%s->%s", strchr(tmp, '=') + 1, fi->name);
    }
    case FT_OP_PUSH_VLAN:
        return snprintf(buf, size, "push_vlan:0x%04x", op->a16);
    case FT_OP_POP_VLAN:
        return snprintf(buf, size, "pop_vlan");
    case FT_OP_PUSH_MPLS:
        return snprintf(buf, size, "push_mpls:0x%04x", op->a16);
    case FT_OP_POP_MPLS:
        return snprintf(buf, size, "pop_mpls:0x%04x", op->a16);
    case FT_OP_PUSH_PBB:
        return snprintf(buf, size, "push_pbb:0x%04x", op->a16);
    case FT_OP_POP_PBB:
        return snprintf(buf, size, "pop_pbb");
    case FT_OP_SET_MPLS_TTL:
        return snprintf(buf, size, "set_mpls_ttl:%u", op->b8);
    case FT_OP_SET_NW_TTL:
        return snprintf(buf, size, "set_nw_ttl:%u", op->b8);
    case FT_OP_DEC_MPLS_TTL:
        return snprintf(buf, size, "dec_mpls_ttl");
    case FT_OP_DEC_NW_TTL:
        return snprintf(buf, size, "dec_ttl");
    case FT_OP_COPY_TTL_OUT:
        return snprintf(buf, size, "copy_ttl_out");
    case FT_OP_COPY_TTL_IN:
        return snprintf(buf, size, "copy_ttl_in");
    case FT_OP_SET_QUEUE:
        return snprintf(buf, size, "set_queue:%lu", (unsigned long)op->a32);
    case FT_OP_METER:
        return snprintf(buf, size, "meter:%lu", (unsigned long)op->a32);
    case FT_OP_KEYSET:
        return snprintf(buf, size, "keyset(w%u=0x%llx/0x%llx)", op->a16,
                        (unsigned long long)op->value.u64, (unsigned long long)op->a64);
    case FT_OP_STAGE:
        return snprintf(buf, size, "stage");
    case FT_OP_GROUP: {
        static const char *const types[] = {"all", "select", "indirect", "ff"};
        return snprintf(buf, size, "group:%lu(%s", (unsigned long)op->a32,
                        op->b8 < 4 ? types[op->b8] : "?");
    }
    case FT_OP_BUCKET:
        return snprintf(buf, size, "bucket%u(", op->a16);
    case FT_OP_RECIRC:
        return snprintf(buf, size, "recirc");
    default:
        return snprintf(buf, size, "op%u", op->type);
    }
}

/* Groups and buckets print nested: group:1(all,bucket0(output:2),bucket1(...)). */
size_t
ft_program_last_emitter(const struct ft_op *ops, size_t n)
{
    size_t last = n;
    for (size_t i = 0; i < n; i++) {
        switch (ops[i].type) {
        case FT_OP_OUTPUT:
        case FT_OP_CONTROLLER:
        case FT_OP_DEC_NW_TTL:
        case FT_OP_DEC_MPLS_TTL:
        case FT_OP_RECIRC: /* Takes the packet on: outputs before it copy. */
            last = i;
            break;
        case FT_OP_GROUP:
            last = i;
            i += ops[i].a64;
            break;
        case FT_OP_BUCKET:
            i += ops[i].a32;
            break;
        default:
            break;
        }
    }
    return last;
}

int
ft_program_format(char *buf, size_t size, const struct ft_op *ops, size_t n)
{
    int len = 0;
    size_t ends[2 * 16 + 2]; /* Op index where each open group/bucket ends. */
    int depth = 0;
    bool first = true;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i <= n; i++) {
        while (depth > 0 && ends[depth - 1] == i) {
            len += snprintf(buf + len, REST(len), ")");
            depth--;
            first = false;
        }
        if (i == n)
            break;
        if (!first)
            len += snprintf(buf + len, REST(len), ",");
        len += format_op(buf + len, REST(len), &ops[i]);
        first = ops[i].type == FT_OP_BUCKET;
        size_t span = ops[i].type == FT_OP_GROUP    ? (size_t)ops[i].a64
                      : ops[i].type == FT_OP_BUCKET ? (size_t)ops[i].a32
                                                    : SIZE_MAX;
        if (span != SIZE_MAX && depth < (int)(sizeof ends / sizeof ends[0]))
            ends[depth++] = i + 1 + span;
        if (ops[i].type == FT_OP_GROUP)
            first = false;
    }
    if (n == 0)
        len += snprintf(buf + len, REST(len), "drop");
    return len;
}

int
ft_stages_parse(const char *text, struct ft_walk_stages *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!strcmp(text, "whole"))
        return 0;
    unsigned n = 0, prev = 0;
    const char *p = text;
    for (;;) {
        char *end;
        errno = 0;
        unsigned long t = strtoul(p, &end, 10);
        if (end == p || errno || t < 1 || t >= FT_N_TABLES || t <= prev) {
            snprintf(err, errlen, "bad stages '%s': want whole, or ascending table ids 1-%d", text,
                     FT_N_TABLES - 1);
            return -EINVAL;
        }
        if (++n > FT_MAX_STAGES - 1) {
            snprintf(err, errlen, "bad stages '%s': at most %d stage starts", text,
                     FT_MAX_STAGES - 1);
            return -EINVAL;
        }
        out->starts[t >> 6] |= 1ull << (t & 63);
        prev = (unsigned)t;
        if (!*end)
            return 0;
        if (*end != ',') {
            snprintf(err, errlen, "bad stages '%s': want whole, or ascending table ids 1-%d", text,
                     FT_N_TABLES - 1);
            return -EINVAL;
        }
        p = end + 1;
    }
}

int
ft_stages_format(char *buf, size_t size, const struct ft_walk_stages *st)
{
    int len = 0;
    for (unsigned t = 1; t < FT_N_TABLES; t++)
        if (ft_stage_starts_at(st, t))
            len += snprintf(buf + ((size_t)len < size ? (size_t)len : size), REST(len), "%s%u",
                            len ? "," : "", t);
    if (!len)
        len = snprintf(buf, size, "whole");
    return len;
}
