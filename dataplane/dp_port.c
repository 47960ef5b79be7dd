/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ports: attaching DPDK devices at run time (hotplug with rte_dev_probe),
 * their queues, PORT_MOD, link state, PORT_STATUS events and statistics.
 *
 * A port is added to the agent's table, then a snapshot with it is
 * published; it is removed from the table, then a snapshot without it is
 * published and its grace period awaited, and only then stopped and
 * detached: no worker can touch a device being removed, and the other
 * ports keep forwarding throughout.
 *
 * RX queues: one per worker by default (RSS where the device has it),
 * assigned round robin over workers across ports. TX queues: one per
 * worker and one for the agent's packet-outs; a device with fewer TX
 * queues (net_pcap has one) gets them shared under a spinlock per queue.
 */
/* rte_devargs_reset() is still experimental in 22.11. */
#define ALLOW_EXPERIMENTAL_API
/* struct ifreq and the IFF_* flags (net/if.h) are not POSIX. */
#define _DEFAULT_SOURCE

#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <rte_bus.h>
#include <rte_dev.h>
#include <rte_log.h>

#include "dp_int.h"
#include "ft_alloc.h"

/* OFPPF_* */
enum {
    PF_10MB_HD = 1 << 0,
    PF_10MB_FD = 1 << 1,
    PF_100MB_HD = 1 << 2,
    PF_100MB_FD = 1 << 3,
    PF_1GB_HD = 1 << 4,
    PF_1GB_FD = 1 << 5,
    PF_10GB_FD = 1 << 6,
    PF_40GB_FD = 1 << 7,
    PF_100GB_FD = 1 << 8,
    PF_1TB_FD = 1 << 9,
    PF_OTHER = 1 << 10,
    PF_AUTONEG = 1 << 13,
};

#define PORT_MOD_BITS (FT_PC_PORT_DOWN | FT_PC_NO_RECV | FT_PC_NO_FWD | FT_PC_NO_PACKET_IN)

__attribute__((format(printf, 3, 4))) static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

struct dp_port *
dp_port_find(struct dp *dp, uint32_t port_no)
{
    for (unsigned i = 0; i < DP_MAX_PORTS; i++)
        if (dp->ports[i].used && dp->ports[i].port_no == port_no)
            return &dp->ports[i];
    return NULL;
}

/* The ethdev of the device called name (a vdev's name, a PCI address). */
static int
eth_by_name(const char *name, uint16_t *eth)
{
    if (!rte_eth_dev_get_port_by_name(name, eth))
        return 0;
    uint16_t id;
    RTE_ETH_FOREACH_DEV(id)
    {
        struct rte_eth_dev_info info;
        if (!rte_eth_dev_info_get(id, &info) && info.device &&
            !strcmp(rte_dev_name(info.device), name)) {
            *eth = id;
            return 0;
        }
    }
    return -ENODEV;
}

/* Stop the ethdev and, if ofswitch attached the device, detach it. */
static void
port_release(uint16_t eth, bool probed)
{
    struct rte_eth_dev_info info;
    struct rte_device *dev = NULL;
    if (!rte_eth_dev_info_get(eth, &info))
        dev = info.device;
    rte_eth_dev_stop(eth);
    if (!probed)
        return; /* Someone else's device (created before us): theirs to free. */
    rte_eth_dev_close(eth);
    if (dev && rte_dev_remove(dev))
        RTE_LOG(WARNING, USER1, "dataplane: could not detach %s\n", rte_dev_name(dev));
}

/* DPDK 22.11's net_af_packet and net_af_xdp set their link up at start and
 * never look at the interface again, so a cable pulled (a veth whose peer
 * went down) or "ip link set IFACE down" would go unnoticed. For those the
 * link is up only while the kernel interface is up and running (has a
 * carrier), as ofswitch sees it from its own network namespace. */
static void
kiface_from_devargs(struct dp_port *p, const char *devargs)
{
    p->kiface[0] = '\0';
    if (strncmp(p->devname, "net_af_packet", 13) && strncmp(p->devname, "net_af_xdp", 10))
        return;
    for (const char *s = strchr(devargs, ','); s; s = strchr(s + 1, ',')) {
        if (strncmp(s + 1, "iface=", 6))
            continue;
        size_t n = strcspn(s + 7, ",");
        if (n && n < sizeof p->kiface) {
            memcpy(p->kiface, s + 7, n);
            p->kiface[n] = '\0';
        }
        return;
    }
}

/* 1: up and running, 0: down or no carrier, -1: cannot tell. */
static int
kiface_running(const char *name)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
    int r = ioctl(fd, SIOCGIFFLAGS, &ifr);
    close(fd);
    if (r)
        return -1;
    return (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
}

static void
link_read(struct dp_port *p)
{
    struct rte_eth_link link;
    memset(&link, 0, sizeof link);
    if (rte_eth_link_get_nowait(p->eth_id, &link))
        return;
    p->link_up = link.link_status == RTE_ETH_LINK_UP;
    if (p->link_up && p->kiface[0] && kiface_running(p->kiface) == 0)
        p->link_up = false;
    p->link_speed = link.link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : link.link_speed;
    p->full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
    p->autoneg = link.link_autoneg == RTE_ETH_LINK_AUTONEG;
}

static int
port_configure(struct dp *dp, struct dp_port *p, char *err, size_t errlen)
{
    struct rte_eth_dev_info info;
    int r = rte_eth_dev_info_get(p->eth_id, &info);
    if (r)
        goto fail;
    unsigned users = dp->inline_mode ? 1 : dp->n_workers + 1;
    unsigned n_rxq = dp->cfg.rxq ? dp->cfg.rxq : dp->n_workers;
    if (n_rxq > info.max_rx_queues)
        n_rxq = info.max_rx_queues;
    p->n_rxq = (uint16_t)(n_rxq ? n_rxq : 1);
    p->n_txq = (uint16_t)(users < info.max_tx_queues ? users : info.max_tx_queues);
    if (!p->n_txq)
        p->n_txq = 1;

    struct rte_eth_conf conf;
    memset(&conf, 0, sizeof conf);
    if (p->n_rxq > 1 && info.flow_type_rss_offloads) {
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf =
            info.flow_type_rss_offloads & (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
    }
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
    r = rte_eth_dev_configure(p->eth_id, p->n_rxq, p->n_txq, &conf);
    if (r && p->n_rxq != p->n_txq) {
        /* Some PMDs (net_tap) want as many RX as TX queues: the extra RX
         * queues are polled like the others. */
        uint16_t n = p->n_rxq > p->n_txq ? p->n_rxq : p->n_txq;
        if (n <= info.max_rx_queues && n <= info.max_tx_queues) {
            p->n_rxq = p->n_txq = n;
            if (p->n_rxq > 1 && info.flow_type_rss_offloads) {
                conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
                conf.rx_adv_conf.rss_conf.rss_hf =
                    info.flow_type_rss_offloads &
                    (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
            }
            r = rte_eth_dev_configure(p->eth_id, p->n_rxq, p->n_txq, &conf);
        }
    }
    if (r)
        goto fail;
    uint16_t n_rxd = dp->cfg.rx_desc, n_txd = dp->cfg.tx_desc;
    r = rte_eth_dev_adjust_nb_rx_tx_desc(p->eth_id, &n_rxd, &n_txd);
    if (r)
        goto fail;
    int socket = rte_eth_dev_socket_id(p->eth_id);
    unsigned sock = socket < 0 ? (unsigned)SOCKET_ID_ANY : (unsigned)socket;
    for (uint16_t q = 0; q < p->n_rxq && !r; q++)
        r = rte_eth_rx_queue_setup(p->eth_id, q, n_rxd, sock, NULL, dp->pool);
    for (uint16_t q = 0; q < p->n_txq && !r; q++)
        r = rte_eth_tx_queue_setup(p->eth_id, q, n_txd, sock, NULL);
    if (r)
        goto fail;
    p->rxq_worker = ft_calloc(p->n_rxq, sizeof *p->rxq_worker);
    if (p->n_txq < users) {
        p->txq_lock = ft_calloc(p->n_txq, sizeof *p->txq_lock);
        for (unsigned q = 0; p->txq_lock && q < p->n_txq; q++)
            rte_spinlock_init(&p->txq_lock[q]);
    }
    if (!p->rxq_worker || (p->n_txq < users && !p->txq_lock)) {
        r = -ENOMEM;
        goto fail;
    }
    for (uint16_t q = 0; q < p->n_rxq; q++)
        p->rxq_worker[q] = (uint16_t)(dp->next_rx_worker++ % dp->n_workers);
    (void)rte_eth_promiscuous_enable(p->eth_id); /* Not every PMD has it. */
    r = rte_eth_dev_start(p->eth_id);
    if (r)
        goto fail;
    struct rte_ether_addr mac;
    if (!rte_eth_macaddr_get(p->eth_id, &mac))
        memcpy(p->hw_addr, mac.addr_bytes, 6);
    char name[RTE_ETH_NAME_MAX_LEN];
    if (!rte_eth_dev_get_name_by_port(p->eth_id, name))
        snprintf(p->name, sizeof p->name, "%.15s", name);
    p->speed_capa = info.speed_capa;
    link_read(p);
    return 0;
fail:
    set_err(err, errlen, "cannot set up %s: %s", p->devname, strerror(r < 0 ? -r : r));
    free(p->rxq_worker);
    free(p->txq_lock);
    p->rxq_worker = NULL;
    p->txq_lock = NULL;
    return r < 0 ? r : -r;
}

static void
sum_port_drops(const struct dp *dp, unsigned slot, uint64_t *rx, uint64_t *tx)
{
    *rx = *tx = 0;
    for (unsigned i = 0; i < dp->n_workers; i++) {
        *rx += __atomic_load_n(&dp->workers[i]->c.port_rx_drop[slot], __ATOMIC_RELAXED);
        *tx += __atomic_load_n(&dp->workers[i]->c.port_tx_drop[slot], __ATOMIC_RELAXED);
    }
    *tx += dp->agent->c.port_tx_drop[slot];
}

int
dp_port_add(struct dp *dp, uint32_t port_no, const char *devargs, char *err, size_t errlen)
{
    if (!port_no || (port_no > FT_PORT_MAX && port_no != FT_PORT_LOCAL)) {
        set_err(err, errlen, "invalid port number for %s", devargs);
        return -EINVAL;
    }
    if (dp_port_find(dp, port_no)) {
        set_err(err, errlen, "port %lu is taken (%s)", (unsigned long)port_no, devargs);
        return -EEXIST;
    }
    unsigned slot = 0;
    while (slot < DP_MAX_PORTS && (dp->ports[slot].used || dp->ports[slot].releasing))
        slot++;
    if (slot == DP_MAX_PORTS) {
        set_err(err, errlen, "no room for %s: too many ports", devargs);
        return -ENOSPC;
    }
    struct dp_port *p = &dp->ports[slot];
    memset(p, 0, sizeof *p);
    p->port_no = port_no;
    size_t nlen = strcspn(devargs, ",");
    if (!nlen || nlen >= sizeof p->devname) {
        set_err(err, errlen, "bad device arguments '%s'", devargs);
        return -EINVAL;
    }
    memcpy(p->devname, devargs, nlen);
    kiface_from_devargs(p, devargs);

    if (!eth_by_name(p->devname, &p->eth_id)) {
        for (unsigned i = 0; i < DP_MAX_PORTS; i++)
            if (dp->ports[i].used && dp->ports[i].eth_id == p->eth_id) {
                set_err(err, errlen, "%s is already port %lu", p->devname,
                        (unsigned long)dp->ports[i].port_no);
                return -EBUSY;
            }
    } else {
        int r = rte_dev_probe(devargs);
        if (r) {
            set_err(err, errlen,
                    "cannot attach '%s': no such device or driver, or bad arguments (%d; EAL's "
                    "log says more)",
                    devargs, r);
            return r == -EEXIST ? -EBUSY : -ENODEV;
        }
        p->probed = true;
        if (eth_by_name(p->devname, &p->eth_id)) {
            set_err(err, errlen, "'%s' is not an Ethernet device", devargs);
            struct rte_devargs da;
            if (!rte_devargs_parse(&da, devargs)) {
                rte_eal_hotplug_remove(rte_bus_name(da.bus), da.name);
                rte_devargs_reset(&da);
            }
            return -ENODEV;
        }
    }
    int r = port_configure(dp, p, err, errlen);
    if (r) {
        port_release(p->eth_id, p->probed);
        return r;
    }
    p->created_ns = dp_clock_ns();
    p->used = true;
    sum_port_drops(dp, slot, &p->base_rx_drop, &p->base_tx_drop);
    bool staged = ft_pipeline_dirty(dp->p);
    if (ft_pipeline_port_set(dp->p, port_no, p->link_up, p->config)) {
        p->used = false;
        port_release(p->eth_id, p->probed);
        set_err(err, errlen, "out of memory adding %s", devargs);
        return -ENOMEM;
    }
    dp_port_event_push(dp, DP_PORT_ADD, p);
    return dp_apply(dp, staged);
}

int
dp_port_del(struct dp *dp, uint32_t port_no)
{
    struct dp_port *p = dp_port_find(dp, port_no);
    if (!p)
        return -ENOENT;
    p->used = false;
    p->releasing = true;
    bool staged = ft_pipeline_dirty(dp->p);
    (void)ft_pipeline_port_del(dp->p, port_no);
    dp_port_event_push(dp, DP_PORT_DELETE, p);
    /* A publish that every worker took releases the device (dp_port_reap);
     * until one does, a worker may still poll it. */
    int r = dp_apply(dp, staged);
    if (r)
        RTE_LOG(ERR, USER1, "dataplane: %s: %s; its device is released after the next publish\n",
                p->devname, r == -ETIMEDOUT ? "a worker is stuck" : "publishing failed");
    return r;
}

void
dp_port_reap(struct dp *dp)
{
    for (unsigned i = 0; i < DP_MAX_PORTS; i++) {
        struct dp_port *p = &dp->ports[i];
        if (!p->releasing)
            continue;
        port_release(p->eth_id, p->probed);
        free(p->rxq_worker);
        free(p->txq_lock);
        p->rxq_worker = NULL;
        p->txq_lock = NULL;
        p->releasing = false;
    }
}

void
dp_port_del_all(struct dp *dp)
{
    for (unsigned i = 0; i < DP_MAX_PORTS; i++)
        if (dp->ports[i].used)
            dp_port_del(dp, dp->ports[i].port_no);
}

int
dp_port_mod(struct dp *dp, uint32_t port_no, const uint8_t *hw_addr, uint32_t config, uint32_t mask)
{
    struct dp_port *p = dp_port_find(dp, port_no);
    if (!p)
        return -ENOENT;
    if (hw_addr && memcmp(hw_addr, p->hw_addr, 6))
        return -EINVAL;
    mask &= PORT_MOD_BITS;
    uint32_t next = (p->config & ~mask) | (config & mask);
    if (next == p->config)
        return 0;
    p->config = next;
    bool staged = ft_pipeline_dirty(dp->p);
    if (ft_pipeline_port_set(dp->p, port_no, p->link_up, next))
        return -ENOMEM;
    dp_port_event_push(dp, DP_PORT_MODIFY, p);
    return dp_apply(dp, staged);
}

/* ---- information ---------------------------------------------------------------------- */

static uint32_t
speed_bits(uint32_t mbps, bool full)
{
    switch (mbps) {
    case 10:
        return full ? PF_10MB_FD : PF_10MB_HD;
    case 100:
        return full ? PF_100MB_FD : PF_100MB_HD;
    case 1000:
        return full ? PF_1GB_FD : PF_1GB_HD;
    case 10000:
        return PF_10GB_FD;
    case 40000:
        return PF_40GB_FD;
    case 100000:
        return PF_100GB_FD;
    case 1000000:
        return PF_1TB_FD;
    case 0:
        return 0;
    default:
        return PF_OTHER;
    }
}

static uint32_t
capa_bits(uint32_t capa, uint32_t *max_mbps)
{
    static const struct {
        uint32_t capa, bits, mbps;
    } map[] = {
        {RTE_ETH_LINK_SPEED_10M_HD, PF_10MB_HD, 10},
        {RTE_ETH_LINK_SPEED_10M, PF_10MB_FD, 10},
        {RTE_ETH_LINK_SPEED_100M_HD, PF_100MB_HD, 100},
        {RTE_ETH_LINK_SPEED_100M, PF_100MB_FD, 100},
        {RTE_ETH_LINK_SPEED_1G, PF_1GB_FD, 1000},
        {RTE_ETH_LINK_SPEED_10G, PF_10GB_FD, 10000},
        {RTE_ETH_LINK_SPEED_25G, PF_OTHER, 25000},
        {RTE_ETH_LINK_SPEED_40G, PF_40GB_FD, 40000},
        {RTE_ETH_LINK_SPEED_50G, PF_OTHER, 50000},
        {RTE_ETH_LINK_SPEED_100G, PF_100GB_FD, 100000},
        {RTE_ETH_LINK_SPEED_200G, PF_OTHER, 200000},
    };
    uint32_t bits = 0;
    *max_mbps = 0;
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (capa & map[i].capa) {
            bits |= map[i].bits;
            if (map[i].mbps > *max_mbps)
                *max_mbps = map[i].mbps;
        }
    if (bits && !(capa & RTE_ETH_LINK_SPEED_FIXED))
        bits |= PF_AUTONEG;
    return bits;
}

void
dp_port_fill_info(const struct dp_port *p, struct dp_port_info *info)
{
    memset(info, 0, sizeof *info);
    info->port_no = p->port_no;
    snprintf(info->name, sizeof info->name, "%s", p->name);
    memcpy(info->hw_addr, p->hw_addr, 6);
    info->config = p->config;
    info->state = p->link_up ? 0 : DP_PS_LINK_DOWN;
    if (p->link_up && !(p->config & FT_PC_PORT_DOWN))
        info->state |= DP_PS_LIVE;
    uint32_t max_mbps;
    info->curr = speed_bits(p->link_speed, p->full_duplex) | (p->autoneg ? PF_AUTONEG : 0);
    info->supported = capa_bits(p->speed_capa, &max_mbps);
    info->advertised = info->supported;
    info->curr_speed = p->link_speed * 1000;
    info->max_speed = (max_mbps > p->link_speed ? max_mbps : p->link_speed) * 1000;
}

static int
info_cmp(const void *a_, const void *b_)
{
    const struct dp_port_info *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

size_t
dp_ports(struct dp *dp, struct dp_port_info *out, size_t max)
{
    struct dp_port_info all[DP_MAX_PORTS];
    size_t n = 0;
    for (unsigned i = 0; i < DP_MAX_PORTS; i++)
        if (dp->ports[i].used)
            dp_port_fill_info(&dp->ports[i], &all[n++]);
    qsort(all, n, sizeof all[0], info_cmp);
    memcpy(out, all, (n < max ? n : max) * sizeof all[0]);
    return n;
}

int
dp_port_get(struct dp *dp, uint32_t port_no, struct dp_port_info *out)
{
    const struct dp_port *p = dp_port_find(dp, port_no);
    if (!p)
        return -ENOENT;
    dp_port_fill_info(p, out);
    return 0;
}

int
dp_port_stats(struct dp *dp, uint32_t port_no, struct dp_port_stats *out)
{
    struct dp_port *p = dp_port_find(dp, port_no);
    if (!p)
        return -ENOENT;
    struct rte_eth_stats st;
    memset(out, 0, sizeof *out);
    if (rte_eth_stats_get(p->eth_id, &st))
        memset(&st, 0, sizeof st);
    uint64_t rx_drop, tx_drop;
    sum_port_drops(dp, (unsigned)(p - dp->ports), &rx_drop, &tx_drop);
    out->rx_packets = st.ipackets;
    out->tx_packets = st.opackets;
    out->rx_bytes = st.ibytes;
    out->tx_bytes = st.obytes;
    out->rx_dropped = st.imissed + st.rx_nombuf + (rx_drop - p->base_rx_drop);
    out->tx_dropped = tx_drop - p->base_tx_drop;
    out->rx_errors = st.ierrors;
    out->tx_errors = st.oerrors;
    out->duration_ns = dp_clock_ns() - p->created_ns;
    return 0;
}

/* ---- events ------------------------------------------------------------------------------ */

#define MAX_EVENTS 1024

void
dp_port_event_push(struct dp *dp, uint8_t reason, const struct dp_port *port)
{
    if (dp->events.n == MAX_EVENTS) { /* Nobody reads them: keep the newest. */
        memmove(dp->events.data, FT_VEC_AT(&dp->events, struct dp_port_event, 1),
                (dp->events.n - 1) * sizeof(struct dp_port_event));
        dp->events.n--;
    }
    struct dp_port_event *e = ft_vec_add(&dp->events, sizeof *e);
    if (!e)
        return; /* The port's state is still right; only the event is lost. */
    e->reason = reason;
    dp_port_fill_info(port, &e->port);
}

/* Link changes become pipeline liveness (FAST_FAILOVER, FLOOD) and
 * PORT_STATUS events. */
static void
poll_links(struct dp *dp)
{
    uint64_t now = rte_rdtsc();
    if (now - dp->link_poll_tsc < dp->tsc_hz / 20)
        return; /* At most every 50 ms. */
    dp->link_poll_tsc = now;
    bool staged_before = ft_pipeline_dirty(dp->p), changed = false;
    for (unsigned i = 0; i < DP_MAX_PORTS; i++) {
        struct dp_port *p = &dp->ports[i];
        if (!p->used)
            continue;
        bool was = p->link_up;
        link_read(p);
        if (p->link_up == was)
            continue;
        (void)ft_pipeline_port_set(dp->p, p->port_no, p->link_up, p->config);
        dp_port_event_push(dp, DP_PORT_MODIFY, p);
        changed = true;
    }
    if (changed)
        dp_apply(dp, staged_before);
}

size_t
dp_port_events(struct dp *dp, struct dp_port_event *out, size_t max)
{
    poll_links(dp);
    size_t n = dp->events.n < max ? dp->events.n : max;
    memcpy(out, dp->events.data, n * sizeof out[0]);
    memmove(dp->events.data, FT_VEC_AT(&dp->events, struct dp_port_event, n),
            (dp->events.n - n) * sizeof out[0]);
    dp->events.n -= n;
    return n;
}
