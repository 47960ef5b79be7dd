/* SPDX-License-Identifier: Apache-2.0 */
#include "pg_port.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_ether.h>

#define PG_RING_DESC 1024

int
pg_port_open(const char *devargs, uint16_t *port, char *err, size_t errlen)
{
    int ret = rte_dev_probe(devargs);
    /* -EEXIST: EAL probed it already (a PCI device, or a --vdev). */
    if (ret < 0 && ret != -EEXIST) {
        snprintf(err, errlen, "cannot probe '%s': %s (check the driver name and arguments)",
                 devargs, strerror(-ret));
        return ret;
    }
    struct rte_dev_iterator it;
    uint16_t pid;
    RTE_ETH_FOREACH_MATCHING_DEV(pid, devargs, &it)
    {
        *port = pid;
        rte_eth_iterator_cleanup(&it);
        return 0;
    }
    snprintf(err, errlen, "'%s' was probed but has no ethdev port", devargs);
    return -ENODEV;
}

int
pg_port_setup(uint16_t port, uint16_t nrxq, uint16_t ntxq, struct rte_mempool *pool,
              uint32_t max_frame, char *err, size_t errlen)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    int ret = rte_eth_dev_info_get(port, &info);
    if (ret)
        goto fail;
    if (nrxq > info.max_rx_queues || ntxq > info.max_tx_queues) {
        snprintf(err, errlen, "port %u has at most %u RX and %u TX queues", port,
                 info.max_rx_queues, info.max_tx_queues);
        return -EINVAL;
    }
    memset(&conf, 0, sizeof conf);
    /* MTU counts from the IP header: take off the Ethernet header and CRC
     * (a VLAN tag's 4 bytes are slack). Only raise it when needed. A port
     * that says it cannot (memif claims 1518 bytes but chains buffers)
     * gets the frames anyway, with a warning: its loss will show it. */
    uint32_t mtu = max_frame - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
    if (mtu > RTE_ETHER_MTU) {
        if (max_frame > info.max_rx_pktlen || mtu > info.max_mtu)
            fprintf(stderr,
                    "ofs-pktgen: warning: port %u (%s) takes frames up to %u bytes; "
                    "sending %u-byte frames anyway\n",
                    port, info.driver_name, info.max_rx_pktlen, max_frame);
        else
            conf.rxmode.mtu = mtu;
    }
    /* One pool, no reference counts: the PMD may free TX mbufs in bulk. */
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
    ret = rte_eth_dev_configure(port, nrxq, ntxq, &conf);
    if (ret)
        goto fail;
    uint16_t nrxd = PG_RING_DESC, ntxd = PG_RING_DESC;
    ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrxd, &ntxd);
    if (ret)
        goto fail;
    int socket = rte_eth_dev_socket_id(port);
    for (uint16_t q = 0; q < nrxq; q++) {
        ret = rte_eth_rx_queue_setup(port, q, nrxd, socket, NULL, pool);
        if (ret)
            goto fail;
    }
    for (uint16_t q = 0; q < ntxq; q++) {
        ret = rte_eth_tx_queue_setup(port, q, ntxd, socket, NULL);
        if (ret)
            goto fail;
    }
    return 0;
fail:
    snprintf(err, errlen, "port %u setup failed: %s", port, strerror(ret < 0 ? -ret : ret));
    return ret < 0 ? ret : -ret;
}

/* A memif client connects once per start: if the server's interface is
 * not up yet the server answers "ID not found" and the client never tries
 * again. Restarting the port makes it connect anew. Servers wait for
 * clients by themselves, and NICs are left alone: autonegotiation can take
 * seconds, and a restart would begin it again. */
static bool
pg_port_reconnects(uint16_t port, const char *devargs)
{
    struct rte_eth_dev_info info;
    return rte_eth_dev_info_get(port, &info) == 0 && strstr(info.driver_name, "memif") &&
           strstr(devargs, "role=client");
}

int
pg_port_up(uint16_t port, const char *devargs, double timeout_s, const int *stop)
{
    uint64_t hz = rte_get_timer_hz();
    uint64_t now = rte_get_timer_cycles();
    uint64_t end = now + (uint64_t)(timeout_s * (double)hz);
    uint64_t t_start = 0, t_try = 0;
    bool started = false, ever_started = false;
    bool reconnects = pg_port_reconnects(port, devargs);
    for (;;) {
        /* A memif client cannot start before its server listens: retry,
         * every 200 ms as each failure logs a line. */
        if (!started && now >= t_try) {
            t_try = now + hz / 5;
            if (rte_eth_dev_start(port) == 0) {
                started = ever_started = true;
                t_start = now;
                /* A switch forwards to MACs that are not the port's own.
                 * Some virtual ports cannot filter and say so; fine. */
                rte_eth_promiscuous_enable(port);
            }
        }
        struct rte_eth_link link;
        if (started && rte_eth_link_get_nowait(port, &link) == 0 &&
            link.link_status == RTE_ETH_LINK_UP)
            return 0;
        if (started && reconnects && now - t_start >= hz) {
            rte_eth_dev_stop(port);
            started = false;
        }
        if (__atomic_load_n(stop, __ATOMIC_RELAXED))
            return -EINTR;
        if (now >= end)
            return ever_started ? -ETIMEDOUT : -EIO;
        rte_delay_us_sleep(10 * 1000);
        now = rte_get_timer_cycles();
    }
}

void
pg_port_close(uint16_t port)
{
    struct rte_eth_dev_info info;
    if (!rte_eth_dev_is_valid_port(port))
        return;
    struct rte_device *dev = rte_eth_dev_info_get(port, &info) == 0 ? info.device : NULL;
    rte_eth_dev_stop(port);
    rte_eth_dev_close(port);
    /* Detach: a memif server removes its socket, a ring port frees its
     * rings, a NIC goes back to the bus. */
    if (dev)
        rte_dev_remove(dev);
}
