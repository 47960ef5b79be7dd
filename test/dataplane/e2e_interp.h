/* SPDX-License-Identifier: Apache-2.0 */
/*
 * e2e_interp.h — what the differential end-to-end test (test_e2e_diff.c)
 * predicts a frame becomes: an interpreter of the walk's program ops
 * (flowtable/ft_walk.h) on frame bytes, written from the OpenFlow 1.3.5
 * spec and the op contract in ft_walk.h, independent of dataplane/dp_exec*.c
 * (it shares no code with them, not even the header offsets: it has its own
 * small parser for what its traffic holds — Ethernet, 802.1Q/802.1ad tags,
 * MPLS, IPv4, TCP, UDP, ARP).
 *
 * A prediction is a list of alternatives (one per choice of a SELECT
 * bucket); each is a multiset of outputs: a frame on a port, or a
 * packet-in with its reason, table, cookie and metadata. Frames are
 * compared byte for byte except checksum fields, which must instead be
 * valid in the emitted frame (a UDP checksum of 0 must stay 0): the
 * executor updates checksums incrementally (RFC 1624) and this interpreter
 * recomputes them, which may legitimately differ in 0x0000 vs 0xffff.
 *
 * Every frame of the test ends with an 8-byte trailer, "E2ED" and a 32-bit
 * frame id, inside the IPv4 payload (or after the ARP header): no action
 * of the test touches it, so every copy can be traced to its input.
 *
 * Thread safety: plain functions on the caller's buffers.
 */
#ifndef TEST_E2E_INTERP_H
#define TEST_E2E_INTERP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ft_action.h"
#include "ft_field.h"
#include "ft_group.h"
#include "ft_walk.h"

#define EI_MAX_FRAME 320 /* Bytes of a frame, pushes included. */
#define EI_HEADROOM  256
#define EI_MAX_GROW  112 /* Pushes beyond this may not fit an mbuf's headroom (128). */
#define EI_MAX_OUT   48  /* Outputs of one alternative. */
#define EI_MAX_ALTS  64  /* Alternatives (SELECT choices) of one prediction. */
#define EI_MAX_PICKS 16
#define EI_TRAILER   8
#define EI_N_PORTS   3 /* Ports 1..3. */

static const uint8_t ei_magic[4] = {'E', '2', 'E', 'D'};

/* ---- bytes and checksums --------------------------------------------------------- */

static inline uint16_t
ei_rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
ei_rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void
ei_wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void
ei_wr32(uint8_t *p, uint32_t v)
{
    ei_wr16(p, (uint16_t)(v >> 16));
    ei_wr16(p + 2, (uint16_t)v);
}

/* RFC 1071 sum of p[0..n) (an odd last byte padded with zero), unfolded. */
static inline uint32_t
ei_sum(const uint8_t *p, size_t n, uint32_t s)
{
    for (size_t i = 0; i + 1 < n; i += 2)
        s += ei_rd16(p + i);
    if (n & 1)
        s += (uint32_t)p[n - 1] << 8;
    return s;
}

static inline uint16_t
ei_fold(uint32_t s)
{
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint16_t)s;
}

/* ---- what a frame holds (the test's own parser) ---------------------------------- */

struct ei_hdrs {
    unsigned n_vlans; /* 802.1Q/802.1ad tags (0x9100 only outermost), as ft_parse.h. */
    unsigned et_ofs;  /* The innermost ethertype field. */
    uint16_t eth_type;
    int mpls; /* Top MPLS label, or -1. */
    int ip;   /* IPv4 header directly after the ethertype, or -1. */
    int l4;   /* Its TCP/UDP header, or -1. */
    uint8_t proto;
    int ip_end; /* End of the IPv4 packet (clipped to the frame). */
    /* With inside: the IPv4 packet behind the MPLS stack (checksums only). */
    int in_ip, in_l4, in_end;
    uint8_t in_proto;
};

/* An IPv4 header at o: its L4 header and end. False when it is not one. */
static inline bool
ei_ipv4_at(const uint8_t *f, size_t len, unsigned o, int *l4, uint8_t *proto, int *end)
{
    if (o + 20 > len || f[o] >> 4 != 4)
        return false;
    unsigned ihl = (f[o] & 0xfu) * 4u, tot = ei_rd16(f + o + 2);
    if (ihl < 20 || o + ihl > len || tot < ihl)
        return false;
    unsigned e = o + tot < len ? o + tot : (unsigned)len;
    *proto = f[o + 9];
    *end = (int)e;
    *l4 = -1;
    bool later_frag = (ei_rd16(f + o + 6) & 0x1fff) != 0;
    unsigned need = *proto == 6 ? 20 : *proto == 17 ? 8 : 0;
    if (need && !later_frag && o + ihl + need <= e)
        *l4 = (int)(o + ihl);
    return true;
}

static inline void
ei_parse(const uint8_t *f, size_t len, struct ei_hdrs *h)
{
    memset(h, 0, sizeof *h);
    h->mpls = h->ip = h->l4 = h->in_ip = h->in_l4 = -1;
    unsigned o = 12;
    if (len < 14) {
        h->et_ofs = 12;
        return;
    }
    for (;;) {
        uint16_t t = ei_rd16(f + o);
        bool tag = t == 0x8100 || t == 0x88a8 || (t == 0x9100 && !h->n_vlans);
        if (!tag || o + 6 > len)
            break;
        h->n_vlans++;
        o += 4;
    }
    h->et_ofs = o;
    h->eth_type = ei_rd16(f + o);
    o += 2;
    if (h->eth_type == 0x0800) {
        if (ei_ipv4_at(f, len, o, &h->l4, &h->proto, &h->ip_end))
            h->ip = (int)o;
    } else if (h->eth_type == 0x8847 || h->eth_type == 0x8848) {
        if (o + 4 <= len)
            h->mpls = (int)o;
        while (o + 4 <= len) {
            bool bos = f[o + 2] & 1;
            o += 4;
            if (bos) {
                if (ei_ipv4_at(f, len, o, &h->in_l4, &h->in_proto, &h->in_end))
                    h->in_ip = (int)o;
                break;
            }
        }
    }
}

/* The L4 checksum of the packet whose IPv4 header is at ip. */
static inline uint16_t
ei_l4_sum(const uint8_t *f, int ip, int l4, uint8_t proto, int end)
{
    uint32_t s = ei_sum(f + ip + 12, 8, 0);
    s += proto;
    s += (uint32_t)(end - l4);
    return ei_fold(ei_sum(f + l4, (size_t)(end - l4), s));
}

static inline void
ei_fix_ip(uint8_t *f, int ip)
{
    unsigned ihl = (f[ip] & 0xfu) * 4u;
    ei_wr16(f + ip + 10, 0);
    ei_wr16(f + ip + 10, (uint16_t)~ei_fold(ei_sum(f + ip, ihl, 0)));
}

/* Recompute the TCP checksum, or a UDP one that is not 0 ("none"). */
static inline void
ei_fix_l4(uint8_t *f, int ip, int l4, uint8_t proto, int end)
{
    if (l4 < 0)
        return;
    unsigned at = proto == 6 ? 16 : 6;
    if (proto == 17 && !ei_rd16(f + l4 + 6))
        return;
    ei_wr16(f + l4 + at, 0);
    uint16_t c = (uint16_t)~ei_l4_sum(f, ip, l4, proto, end);
    if (proto == 17 && !c)
        c = 0xffff;
    ei_wr16(f + l4 + at, c);
}

static inline bool
ei_ip_ok(const uint8_t *f, int ip)
{
    return ei_fold(ei_sum(f + ip, (f[ip] & 0xfu) * 4u, 0)) == 0xffff;
}

static inline bool
ei_l4_ok(const uint8_t *f, int ip, int l4, uint8_t proto, int end)
{
    return ei_l4_sum(f, ip, l4, proto, end) == 0xffff;
}

/* ---- the trailer ----------------------------------------------------------------- */

static inline void
ei_trailer_put(uint8_t *f, size_t len, uint32_t id)
{
    memcpy(f + len - EI_TRAILER, ei_magic, 4);
    ei_wr32(f + len - 4, id);
}

/* The frame id, or 0 when the frame does not end with a trailer. */
static inline uint32_t
ei_trailer_id(const uint8_t *f, size_t len)
{
    if (len < EI_TRAILER || memcmp(f + len - EI_TRAILER, ei_magic, 4))
        return 0;
    return ei_rd32(f + len - 4);
}

/* After the trailer changed: the L4 checksum that covers it. */
static inline void
ei_fix_trailer_csum(uint8_t *f, size_t len)
{
    struct ei_hdrs h;
    ei_parse(f, len, &h);
    if (h.ip >= 0)
        ei_fix_l4(f, h.ip, h.l4, h.proto, h.ip_end);
    if (h.in_ip >= 0)
        ei_fix_l4(f, h.in_ip, h.in_l4, h.in_proto, h.in_end);
}

/* ---- comparing frames ------------------------------------------------------------ */

/* One IPv4 packet's checksums in got against want (same bytes elsewhere). */
static inline bool
ei_csums_same(const uint8_t *want, const uint8_t *got, int ip, int l4, uint8_t proto, int end,
              const char **why)
{
    if (memcmp(want + ip + 10, got + ip + 10, 2) && !ei_ip_ok(got, ip)) {
        *why = "bad IPv4 header checksum";
        return false;
    }
    if (l4 < 0)
        return true;
    unsigned at = (unsigned)l4 + (proto == 6 ? 16 : 6);
    if (proto == 17 && !ei_rd16(want + at)) {
        if (ei_rd16(got + at)) {
            *why = "UDP checksum 0 (none) was changed";
            return false;
        }
        return true;
    }
    if (!ei_l4_ok(got, ip, l4, proto, end) || (proto == 17 && !ei_rd16(got + at))) {
        *why = proto == 6 ? "bad TCP checksum" : "bad UDP checksum";
        return false;
    }
    return true;
}

/* Whether got equals want, checksums aside (which must be valid). */
static inline bool
ei_frame_same(const uint8_t *want, size_t wlen, const uint8_t *got, size_t glen, const char **why)
{
    const char *dummy;
    if (!why)
        why = &dummy;
    if (wlen != glen) {
        *why = "length";
        return false;
    }
    struct ei_hdrs h;
    ei_parse(want, wlen, &h);
    int skip[6], n_skip = 0;
    if (h.ip >= 0) {
        skip[n_skip++] = h.ip + 10;
        if (h.l4 >= 0)
            skip[n_skip++] = h.l4 + (h.proto == 6 ? 16 : 6);
    }
    if (h.in_ip >= 0) {
        skip[n_skip++] = h.in_ip + 10;
        if (h.in_l4 >= 0)
            skip[n_skip++] = h.in_l4 + (h.in_proto == 6 ? 16 : 6);
    }
    for (size_t i = 0; i < wlen; i++) {
        bool csum = false;
        for (int k = 0; k < n_skip; k++)
            csum |= i == (size_t)skip[k] || i == (size_t)skip[k] + 1;
        if (!csum && want[i] != got[i]) {
            *why = "bytes";
            return false;
        }
    }
    if (h.ip >= 0 && !ei_csums_same(want, got, h.ip, h.l4, h.proto, h.ip_end, why))
        return false;
    if (h.in_ip >= 0 && !ei_csums_same(want, got, h.in_ip, h.in_l4, h.in_proto, h.in_end, why))
        return false;
    return true;
}

/* ---- outputs --------------------------------------------------------------------- */

struct ei_out {
    bool pin;      /* A packet-in, else a frame sent on port. */
    uint32_t port; /* 1..3. */
    uint8_t reason, table_id;
    uint64_t cookie, metadata;
    uint32_t total_len;
    uint16_t len;
    uint8_t data[EI_MAX_FRAME];
};

struct ei_outcome {
    unsigned n;
    bool overflow;
    struct ei_out o[EI_MAX_OUT];
};

static inline bool
ei_out_same(const struct ei_out *want, const struct ei_out *got, const char **why)
{
    if (want->pin != got->pin || want->port != got->port)
        return false;
    if (want->pin && (want->reason != got->reason || want->table_id != got->table_id ||
                      want->cookie != got->cookie || want->metadata != got->metadata ||
                      want->total_len != got->total_len)) {
        if (why)
            *why = "packet-in fields";
        return false;
    }
    return ei_frame_same(want->data, want->len, got->data, got->len, why);
}

/* Every output of got matches one of want, and none is left over. */
static inline bool
ei_outcome_same(const struct ei_outcome *want, const struct ei_out *got, unsigned n)
{
    if (want->overflow || want->n != n)
        return false;
    bool used[EI_MAX_OUT] = {false};
    for (unsigned i = 0; i < n; i++) {
        unsigned j = 0;
        while (j < want->n && (used[j] || !ei_out_same(&want->o[j], &got[i], NULL)))
            j++;
        if (j == want->n)
            return false;
        used[j] = true;
    }
    return true;
}

static inline void
ei_hex(FILE *f, const char *prefix, const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i += 32) {
        fprintf(f, "%s%04zx ", prefix, i);
        for (size_t j = i; j < n && j < i + 32; j++)
            fprintf(f, "%02x", d[j]);
        fputc('\n', f);
    }
}

static inline void
ei_out_print(FILE *f, const struct ei_out *o)
{
    if (o->pin)
        fprintf(f,
                "    packet-in reason %u table %u cookie 0x%llx metadata 0x%llx total_len %u, %u "
                "bytes:\n",
                o->reason, o->table_id, (unsigned long long)o->cookie,
                (unsigned long long)o->metadata, o->total_len, o->len);
    else
        fprintf(f, "    port %u, %u bytes:\n", o->port, o->len);
    ei_hex(f, "      ", o->data, o->len);
}

/* ---- the interpreter ------------------------------------------------------------- */

struct ei_pkt {
    uint16_t off, len;
    uint8_t buf[EI_HEADROOM + EI_MAX_FRAME];
};

static inline uint8_t *
ei_data(struct ei_pkt *p)
{
    return p->buf + p->off;
}

struct ei_ctx {
    uint32_t in_port;
    uint8_t down; /* Bit per port 1..3: PORT_DOWN in this version. */
    struct ei_outcome *out;
    /* SELECT choices: this run follows pick[0..n_fixed); later ones start at 0. */
    unsigned n_picks, n_fixed;
    uint8_t pick[EI_MAX_PICKS], n_opts[EI_MAX_PICKS];
    bool bad; /* An op the interpreter does not model, or too many choices. */
    char why[128];
};

static inline void
ei_emit(struct ei_ctx *x, const struct ei_pkt *p, uint32_t port)
{
    struct ei_outcome *o = x->out;
    if (o->n == EI_MAX_OUT) {
        o->overflow = true;
        return;
    }
    struct ei_out *e = &o->o[o->n++];
    memset(e, 0, offsetof(struct ei_out, data));
    e->port = port;
    e->len = p->len;
    memcpy(e->data, p->buf + p->off, p->len);
}

/* OFPAT_OUTPUT (OF 1.3.5 §7.2.5, reserved ports §4.5). */
static inline void
ei_output(struct ei_ctx *x, const struct ei_pkt *p, uint32_t port)
{
    if (port == FT_PORT_IN_PORT) {
        ei_emit(x, p, x->in_port);
        return;
    }
    if (port == FT_PORT_ALL || port == FT_PORT_FLOOD) { /* Every port but the ingress. */
        for (uint32_t q = 1; q <= EI_N_PORTS; q++)
            if (q != x->in_port && !(x->down & (1u << q)))
                ei_emit(x, p, q);
        return;
    }
    /* Not to the ingress port unless it says IN_PORT; not when PORT_DOWN;
     * LOCAL and other ports do not exist here. */
    if (port >= 1 && port <= EI_N_PORTS && port != x->in_port && !(x->down & (1u << port)))
        ei_emit(x, p, port);
}

static inline void
ei_packet_in(struct ei_ctx *x, const struct ei_pkt *p, const struct ft_op *op)
{
    struct ei_outcome *o = x->out;
    if (o->n == EI_MAX_OUT) {
        o->overflow = true;
        return;
    }
    struct ei_out *e = &o->o[o->n++];
    memset(e, 0, offsetof(struct ei_out, data));
    e->pin = true;
    e->reason = op->b8;
    e->table_id = (uint8_t)op->a32;
    e->cookie = op->a64;
    e->metadata = op->value.u64;
    e->total_len = p->len;
    e->len = op->a16 == FT_CML_NO_BUFFER || op->a16 > p->len ? p->len : op->a16;
    memcpy(e->data, p->buf + p->off, e->len);
}

/* Insert n bytes at ofs (the front moves into the headroom). */
static inline uint8_t *
ei_insert(struct ei_pkt *p, unsigned ofs, unsigned n)
{
    p->off = (uint16_t)(p->off - n);
    p->len = (uint16_t)(p->len + n);
    memmove(ei_data(p), ei_data(p) + n, ofs);
    return ei_data(p) + ofs;
}

static inline void
ei_remove(struct ei_pkt *p, unsigned ofs, unsigned n)
{
    memmove(ei_data(p) + n, ei_data(p), ofs);
    p->off = (uint16_t)(p->off + n);
    p->len = (uint16_t)(p->len - n);
}

/* SET_FIELD (OF 1.3.5 §7.2.5 "Set-Field"; a field whose header the packet
 * lacks is left alone, as ft_walk.h says). Values are in key form. */
static inline void
ei_set_field(struct ei_ctx *x, struct ei_pkt *p, uint8_t field, const union ft_value *v)
{
    uint8_t *f = ei_data(p);
    struct ei_hdrs h;
    ei_parse(f, p->len, &h);
    uint8_t *ip = h.ip >= 0 ? f + h.ip : NULL;
    switch (field) {
    case FT_F_ETH_DST:
    case FT_F_ETH_SRC:
        memcpy(f + (field == FT_F_ETH_DST ? 0 : 6), v->bytes, 6);
        return;
    case FT_F_VLAN_VID:
    case FT_F_VLAN_PCP:
        if (h.n_vlans) { /* The outermost tag. */
            uint16_t tci = ei_rd16(f + 14);
            if (field == FT_F_VLAN_VID)
                tci = (uint16_t)((tci & 0xf000) | (v->u16 & 0x0fff));
            else
                tci = (uint16_t)((tci & 0x1fff) | (v->u8 & 7) << 13);
            ei_wr16(f + 14, tci);
        }
        return;
    case FT_F_IP_DSCP:
        if (ip) {
            ip[1] = (uint8_t)((ip[1] & 0x03) | (v->u8 & 0x3f) << 2);
            ei_fix_ip(f, h.ip);
        }
        return;
    case FT_F_IPV4_SRC:
    case FT_F_IPV4_DST:
        if (ip) {
            ei_wr32(ip + (field == FT_F_IPV4_SRC ? 12 : 16), v->u32);
            ei_fix_ip(f, h.ip);
            ei_fix_l4(f, h.ip, h.l4, h.proto, h.ip_end);
        }
        return;
    case FT_F_TCP_SRC:
    case FT_F_TCP_DST:
    case FT_F_UDP_SRC:
    case FT_F_UDP_DST: {
        uint8_t proto = field == FT_F_TCP_SRC || field == FT_F_TCP_DST ? 6 : 17;
        if (h.l4 >= 0 && h.proto == proto) {
            bool src = field == FT_F_TCP_SRC || field == FT_F_UDP_SRC;
            ei_wr16(f + h.l4 + (src ? 0 : 2), v->u16);
            ei_fix_l4(f, h.ip, h.l4, h.proto, h.ip_end);
        }
        return;
    }
    case FT_F_MPLS_LABEL:
    case FT_F_MPLS_TC:
        if (h.mpls >= 0) { /* The top label. */
            uint32_t lse = ei_rd32(f + h.mpls);
            if (field == FT_F_MPLS_LABEL)
                lse = (lse & 0xfff) | (v->u32 & 0xfffff) << 12;
            else
                lse = (lse & ~0xe00u) | (uint32_t)(v->u8 & 7) << 9;
            ei_wr32(f + h.mpls, lse);
        }
        return;
    default:
        x->bad = true;
        snprintf(x->why, sizeof x->why, "set_field of field %u is not modelled", field);
        return;
    }
}

/* Header ops; false when the packet is dropped (a TTL ran out). */
static inline bool
ei_header_op(struct ei_ctx *x, struct ei_pkt *p, const struct ft_op *op)
{
    uint8_t *f = ei_data(p);
    struct ei_hdrs h;
    ei_parse(f, p->len, &h);
    bool mpls = h.eth_type == 0x8847 || h.eth_type == 0x8848;
    switch (op->type) {
    case FT_OP_SET_FIELD:
        ei_set_field(x, p, op->b8, &op->value);
        return true;
    case FT_OP_PUSH_VLAN: {
        /* The new outermost tag copies the old outer tag's TCI, else 0. */
        uint16_t tci = h.n_vlans ? ei_rd16(f + 14) : 0;
        uint8_t *t = ei_insert(p, 12, 4);
        ei_wr16(t, op->a16);
        ei_wr16(t + 2, tci);
        return true;
    }
    case FT_OP_POP_VLAN:
        if (h.n_vlans)
            ei_remove(p, 12, 4);
        return true;
    case FT_OP_PUSH_MPLS: {
        /* After the VLAN tags (OF 1.3); label, TC and TTL from the old top
         * label, else label 0, TC 0, BOS and the IP TTL (0 if not IP: the
         * push-tag table of OpenFlow 1.3.5 has nothing else to copy). */
        uint32_t lse;
        if (mpls) {
            if (h.mpls < 0)
                return true;
            lse = ei_rd32(f + h.mpls) & ~0x100u;
        } else {
            lse = 0x100u | (h.ip >= 0 ? f[h.ip + 8] : 0u);
        }
        /* [addresses+tags][type][lse][old payload]: the old type goes. */
        uint8_t *t = ei_insert(p, h.et_ofs, 4);
        ei_wr16(t, op->a16);
        ei_wr32(t + 2, lse);
        return true;
    }
    case FT_OP_POP_MPLS:
        if (mpls && h.mpls >= 0) {
            ei_wr16(f + h.et_ofs, op->a16);
            ei_remove(p, h.et_ofs + 2, 4);
        }
        return true;
    case FT_OP_SET_MPLS_TTL:
        if (h.mpls >= 0)
            f[h.mpls + 3] = op->b8;
        return true;
    case FT_OP_DEC_MPLS_TTL:
        if (h.mpls < 0)
            return true;
        if (f[h.mpls + 3] <= 1)
            return false; /* OFPR_INVALID_TTL, not asked for: dropped. */
        f[h.mpls + 3]--;
        return true;
    case FT_OP_SET_NW_TTL:
        if (h.ip >= 0) {
            f[h.ip + 8] = op->b8;
            ei_fix_ip(f, h.ip);
        }
        return true;
    case FT_OP_DEC_NW_TTL:
        if (h.ip < 0)
            return true;
        if (f[h.ip + 8] <= 1)
            return false;
        f[h.ip + 8]--;
        ei_fix_ip(f, h.ip);
        return true;
    default:
        x->bad = true;
        snprintf(x->why, sizeof x->why, "op %u is not modelled", op->type);
        return true;
    }
}

/* The next SELECT choice among n buckets. */
static inline unsigned
ei_pick(struct ei_ctx *x, unsigned n)
{
    if (x->n_picks >= EI_MAX_PICKS) {
        x->bad = true;
        snprintf(x->why, sizeof x->why, "more than %d SELECT choices", EI_MAX_PICKS);
        return 0;
    }
    unsigned i = x->n_picks++;
    if (i < x->n_fixed)
        return x->pick[i];
    x->pick[i] = 0;
    x->n_opts[i] = (uint8_t)n;
    x->n_fixed = i + 1;
    return 0;
}

static inline bool ei_run(struct ei_ctx *x, struct ei_pkt *p, const struct ft_op *ops, size_t n);

/* A GROUP block: buckets run on clones; the packet after it is the packet
 * before it (OF 1.3.5 §5.6.1). */
static inline void
ei_group(struct ei_ctx *x, const struct ei_pkt *p, const struct ft_op *g)
{
    const struct ft_op *b = g + 1;
    unsigned n = g->a16, run_only = UINT32_MAX;
    if (!n)
        return; /* No live bucket: the packet is dropped here. */
    if (g->b8 == FT_GT_SELECT)
        run_only = ei_pick(x, n); /* Any one live bucket (the walk left only those). */
    else if (g->b8 != FT_GT_ALL)
        run_only = 0; /* INDIRECT, and FF's first live bucket (chosen by the walk). */
    for (unsigned k = 0; k < n; k++, b += 1 + b->a32) {
        if (run_only != UINT32_MAX && k != run_only)
            continue;
        struct ei_pkt clone = *p;
        ei_run(x, &clone, b + 1, b->a32);
    }
}

static inline bool
ei_run(struct ei_ctx *x, struct ei_pkt *p, const struct ft_op *ops, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct ft_op *op = &ops[i];
        switch (op->type) {
        case FT_OP_OUTPUT:
            ei_output(x, p, op->a32);
            break;
        case FT_OP_CONTROLLER:
            ei_packet_in(x, p, op);
            break;
        case FT_OP_GROUP:
            ei_group(x, p, op);
            i += op->a64;
            break;
        case FT_OP_BUCKET:
            i += op->a32;
            break;
        case FT_OP_METER:     /* The test's meters never drop or remark. */
        case FT_OP_SET_QUEUE: /* No queues on the wire. */
            break;
        default:
            if (!ei_header_op(x, p, op))
                return false;
            break;
        }
        if (p->off < EI_HEADROOM - EI_MAX_GROW || p->len > EI_MAX_FRAME - 8) {
            x->bad = true;
            snprintf(x->why, sizeof x->why, "pushes grew the frame beyond %d bytes", EI_MAX_GROW);
            return false;
        }
    }
    return true;
}

/*
 * Every outcome of the program for the frame: alts[0..*n_alts). Returns
 * false (with why) when the program holds what the interpreter does not
 * model (an op outside the test's pools), or goes beyond its limits (more
 * than EI_MAX_ALTS outcomes, a frame grown by more than EI_MAX_GROW bytes,
 * where the executor may legitimately run out of headroom): the caller
 * then cannot predict this frame.
 */
static inline bool
ei_predict(const struct ft_op *ops, size_t n_ops, const uint8_t *frame, size_t len,
           uint32_t in_port, uint8_t down, struct ei_outcome *alts, unsigned *n_alts, char *why,
           size_t why_len)
{
    struct ei_ctx x = {.in_port = in_port, .down = down};
    *n_alts = 0;
    for (;;) {
        if (*n_alts == EI_MAX_ALTS) {
            snprintf(why, why_len, "more than %d SELECT alternatives", EI_MAX_ALTS);
            return false;
        }
        struct ei_pkt p = {.off = EI_HEADROOM, .len = (uint16_t)len};
        memcpy(ei_data(&p), frame, len);
        x.out = &alts[(*n_alts)++];
        x.out->n = 0;
        x.out->overflow = false;
        x.n_picks = 0;
        ei_run(&x, &p, ops, n_ops);
        if (x.bad) {
            snprintf(why, why_len, "%s", x.why);
            return false;
        }
        /* Next combination of choices (an odometer, last choice fastest). */
        unsigned j = x.n_fixed;
        while (j > 0 && x.pick[j - 1] + 1u >= x.n_opts[j - 1])
            j--;
        if (!j)
            return true;
        x.pick[j - 1]++;
        x.n_fixed = j;
    }
}

/*
 * The packet a program's main path leaves (group buckets run on clones and
 * leave it alone), for a walk that ends in FT_OP_RECIRC: ops are the ones
 * before it. Returns 1 with the packet in out, 0 when the packet is dropped
 * on the way (a TTL ran out), -1 when the program holds what the
 * interpreter does not model (why says).
 */
static inline int
ei_main_path(const struct ft_op *ops, size_t n_ops, const uint8_t *frame, size_t len,
             uint32_t in_port, uint8_t down, uint8_t *out, uint16_t *out_len, char *why,
             size_t why_len)
{
    static struct ei_outcome sink;
    struct ei_ctx x = {.in_port = in_port, .down = down, .out = &sink};
    struct ei_pkt p = {.off = EI_HEADROOM, .len = (uint16_t)len};
    memcpy(ei_data(&p), frame, len);
    sink.n = 0;
    sink.overflow = false;
    bool alive = ei_run(&x, &p, ops, n_ops);
    if (x.bad) {
        snprintf(why, why_len, "%s", x.why);
        return -1;
    }
    if (!alive)
        return 0;
    memcpy(out, ei_data(&p), p.len);
    *out_len = p.len;
    return 1;
}

#endif /* TEST_E2E_INTERP_H */
