/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Random rules and packets for the randomized suites. Values come from
 * small domains so that rules overlap and packets hit them often.
 */
#ifndef TEST_FT_RANDOM_H
#define TEST_FT_RANDOM_H

#include "check_main.h"
#include "ft_match.h"

static inline uint32_t
rnd(uint64_t *s, uint32_t n)
{
    return (uint32_t)(test_rand(s) % n);
}

static inline uint32_t
rnd_ipv4(uint64_t *s)
{
    return 0x0a000000u | rnd(s, 8) << 8 | rnd(s, 4); /* 10.0.{0-7}.{0-3} */
}

static inline uint32_t
prefix_mask(unsigned len)
{
    return len ? UINT32_MAX << (32 - len) : 0;
}

/* A random valid match over a handful of fields. */
static inline void
rnd_match(uint64_t *s, struct ft_match *m)
{
    struct ft_match_entry e[8];
    size_t n = 0;
    memset(e, 0, sizeof e);
    if (rnd(s, 3) == 0) {
        e[n].field = FT_F_IN_PORT;
        e[n++].value.u32 = 1 + rnd(s, 4);
    }
    if (rnd(s, 4) == 0) {
        e[n].field = FT_F_VLAN_VID;
        e[n].value.u16 = rnd(s, 2) ? (uint16_t)(FT_VID_PRESENT | rnd(s, 3)) : 0;
        n++;
    }
    if (rnd(s, 5) == 0) {
        e[n].field = FT_F_METADATA;
        e[n].has_mask = true;
        e[n].mask.u64 = 0xf0ull >> (rnd(s, 2) * 4);
        e[n].value.u64 = rnd(s, 256) & e[n].mask.u64;
        n++;
    }
    if (rnd(s, 4) != 0) {
        e[n].field = FT_F_ETH_TYPE;
        e[n++].value.u16 = 0x0800;
        if (rnd(s, 2)) {
            unsigned len = 24 + rnd(s, 9);
            e[n].field = FT_F_IPV4_DST;
            e[n].has_mask = len < 32;
            e[n].mask.u32 = prefix_mask(len);
            e[n++].value.u32 = rnd_ipv4(s) & prefix_mask(len);
        }
        if (rnd(s, 3) == 0) {
            unsigned len = 28 + rnd(s, 5);
            e[n].field = FT_F_IPV4_SRC;
            e[n].has_mask = len < 32;
            e[n].mask.u32 = prefix_mask(len);
            e[n++].value.u32 = rnd_ipv4(s) & prefix_mask(len);
        }
        if (rnd(s, 3) == 0) {
            e[n].field = FT_F_IP_PROTO;
            e[n++].value.u8 = rnd(s, 2) ? 6 : 17;
            if (rnd(s, 2)) {
                e[n].field = e[n - 1].value.u8 == 6 ? FT_F_TCP_DST : FT_F_UDP_DST;
                e[n++].value.u16 = (uint16_t)(80 + rnd(s, 3));
            }
        }
    }
    enum ft_err err = ft_match_from_entries(m, e, n);
    ck_assert_msg(err == FT_OK, "random match invalid: %s", ft_err_name(err));
}

/* A random packet key over the same domains. */
static inline void
rnd_key(uint64_t *s, struct ft_key *k)
{
    ft_key_zero(k);
    k->in_port = 1 + rnd(s, 4);
    k->vlan_vid = rnd(s, 2) ? (uint16_t)(FT_VID_PRESENT | rnd(s, 3)) : 0;
    k->eth_type = rnd(s, 5) ? 0x0800 : 0x0806;
    k->eth_dst[5] = (uint8_t)rnd(s, 4);
    if (k->eth_type == 0x0800) {
        k->ipv4_dst = rnd_ipv4(s);
        k->ipv4_src = rnd_ipv4(s);
        k->ip_proto = rnd(s, 2) ? 6 : 17;
        k->tp_dst = (uint16_t)(80 + rnd(s, 3));
    }
}

#endif /* TEST_FT_RANDOM_H */
