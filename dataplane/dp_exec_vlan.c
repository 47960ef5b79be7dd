/* SPDX-License-Identifier: Apache-2.0 */
/* PUSH_VLAN and POP_VLAN on mbufs (dp_hdrops.h). */
#include <errno.h>
#include <string.h>

#include "dp_hdrops.h"

int
dp_push_vlan(struct rte_mbuf *m, const struct dp_hdr *h, uint16_t tpid)
{
    if (dp_pkt_len(m) < FT_ETH_ADDRS_LEN + 2)
        return -ENOENT;
    uint16_t tci = h->lay.n_vlans ? ft_rd16(dp_pkt_data(m) + FT_ETH_ADDRS_LEN + 2) : 0;
    uint8_t *p = (uint8_t *)rte_pktmbuf_prepend(m, FT_VLAN_LEN);
    if (!p)
        return -ENOSPC;
    /* The addresses move to the new front; the tag goes where they were. */
    memmove(p, p + FT_VLAN_LEN, FT_ETH_ADDRS_LEN);
    ft_wr16(p + FT_ETH_ADDRS_LEN, tpid);
    ft_wr16(p + FT_ETH_ADDRS_LEN + 2, tci);
    return 0;
}

int
dp_pop_vlan(struct rte_mbuf *m, const struct dp_hdr *h)
{
    if (!h->lay.n_vlans)
        return -ENOENT;
    uint8_t *p = dp_pkt_data(m);
    memmove(p + FT_VLAN_LEN, p, FT_ETH_ADDRS_LEN);
    rte_pktmbuf_adj(m, FT_VLAN_LEN);
    return 0;
}
