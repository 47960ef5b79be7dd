/* SPDX-License-Identifier: Apache-2.0 */
/* MPLS and IP TTL ops on mbufs (dp_hdrops.h). */
#include <errno.h>

#include "dp_hdrops.h"

#define MPLS_BOS      0x00000100u
#define MPLS_TTL_OFS  3
#define IPV4_TTL_OFS  8
#define IPV4_CSUM_OFS 10
#define IPV6_HLIM_OFS 7

/* Where the TTL byte of the IP header at ofs is, or NULL if there is no
 * complete IPv4/IPv6 header there. *v4 tells which. */
static uint8_t *
ip_ttl_at(struct rte_mbuf *m, size_t ofs, bool *v4)
{
    uint8_t *p = dp_pkt_data(m);
    size_t len = dp_pkt_len(m);
    if (ofs >= len)
        return NULL;
    unsigned version = p[ofs] >> 4;
    if (version == 4 && len - ofs >= FT_IPV4_MIN_LEN && (p[ofs] & 0x0f) >= 5) {
        *v4 = true;
        return p + ofs + IPV4_TTL_OFS;
    }
    if (version == 6 && len - ofs >= FT_IPV6_LEN) {
        *v4 = false;
        return p + ofs + IPV6_HLIM_OFS;
    }
    return NULL;
}

/* Store ttl at the IPv4 or IPv6 TTL byte, fixing the IPv4 checksum (the
 * TTL shares its checksum word with the protocol). */
static void
store_ip_ttl(uint8_t *ttl_byte, bool v4, uint8_t ttl)
{
    if (!v4) {
        *ttl_byte = ttl;
        return;
    }
    uint32_t old = dp_csum_words(ttl_byte, 2);
    *ttl_byte = ttl;
    dp_csum_fix(ttl_byte + (IPV4_CSUM_OFS - IPV4_TTL_OFS), old, dp_csum_words(ttl_byte, 2));
}

static uint8_t *
nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h, bool *v4)
{
    if (!dp_hdr_is_ipv4(h) && !dp_hdr_is_ipv6(h))
        return NULL;
    return ip_ttl_at(m, h->lay.l3, v4);
}

int
dp_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h)
{
    bool v4;
    const uint8_t *t = nw_ttl(m, h, &v4);
    return t ? *t : -ENOENT;
}

int
dp_set_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t ttl)
{
    bool v4;
    uint8_t *t = nw_ttl(m, h, &v4);
    if (!t)
        return -ENOENT;
    store_ip_ttl(t, v4, ttl);
    return 0;
}

int
dp_dec_nw_ttl(struct rte_mbuf *m, const struct dp_hdr *h)
{
    bool v4;
    uint8_t *t = nw_ttl(m, h, &v4);
    if (!t)
        return -ENOENT;
    if (*t <= 1)
        return DP_TTL_EXPIRED;
    store_ip_ttl(t, v4, (uint8_t)(*t - 1));
    return 0;
}

static uint8_t *
mpls_ttl(struct rte_mbuf *m, const struct dp_hdr *h)
{
    return dp_hdr_is_mpls(h) ? dp_pkt_data(m) + h->lay.l2_5 + MPLS_TTL_OFS : NULL;
}

int
dp_set_mpls_ttl(struct rte_mbuf *m, const struct dp_hdr *h, uint8_t ttl)
{
    uint8_t *t = mpls_ttl(m, h);
    if (!t)
        return -ENOENT;
    *t = ttl;
    return 0;
}

int
dp_dec_mpls_ttl(struct rte_mbuf *m, const struct dp_hdr *h)
{
    uint8_t *t = mpls_ttl(m, h);
    if (!t)
        return -ENOENT;
    if (*t <= 1)
        return DP_TTL_EXPIRED;
    (*t)--;
    return 0;
}

/* The TTL byte of the header right inside the top MPLS label: the next
 * label, or the IP header after the bottom of the stack. */
static uint8_t *
inner_ttl(struct rte_mbuf *m, const struct dp_hdr *h, bool *v4)
{
    uint8_t *p = dp_pkt_data(m);
    size_t inner = (size_t)h->lay.l2_5 + FT_MPLS_LEN;
    *v4 = false;
    if (!(ft_rd32(p + h->lay.l2_5) & MPLS_BOS))
        return dp_pkt_len(m) >= inner + FT_MPLS_LEN ? p + inner + MPLS_TTL_OFS : NULL;
    return ip_ttl_at(m, inner, v4);
}

int
dp_copy_ttl_out(struct rte_mbuf *m, const struct dp_hdr *h)
{
    bool v4;
    uint8_t *outer = mpls_ttl(m, h);
    uint8_t *in = outer ? inner_ttl(m, h, &v4) : NULL;
    if (!in)
        return -ENOENT;
    *outer = *in;
    return 0;
}

int
dp_copy_ttl_in(struct rte_mbuf *m, const struct dp_hdr *h)
{
    bool v4;
    uint8_t *outer = mpls_ttl(m, h);
    uint8_t *in = outer ? inner_ttl(m, h, &v4) : NULL;
    if (!in)
        return -ENOENT;
    store_ip_ttl(in, v4, *outer);
    return 0;
}
