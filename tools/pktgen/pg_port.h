/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pg_port.h — ports the tool creates itself from devargs with DPDK hotplug,
 * and takes down again on every exit path.
 *
 * Thread safety: main thread only, before launch and after join.
 */
#ifndef PG_PORT_H
#define PG_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_mempool.h>

/* Probes the device named by devargs (or finds it if EAL already probed
 * it) and returns its first ethdev port in *port. Returns 0 or -errno with
 * a reason in err. */
int pg_port_open(const char *devargs, uint16_t *port, char *err, size_t errlen);

/* Configures nrxq/ntxq queues (at least one of each: some PMDs need
 * both), RX queues fed from pool, and an MTU that fits max_frame (frame
 * bytes with CRC). */
int pg_port_setup(uint16_t port, uint16_t nrxq, uint16_t ntxq, struct rte_mempool *pool,
                  uint32_t max_frame, char *err, size_t errlen);

/* Starts the port (retrying: a memif client cannot start before its
 * server exists), enables promiscuous mode where supported, and waits for
 * link up. devargs tells a memif client, which is restarted while its link
 * stays down. Returns 0; -EIO if it never started, -ETIMEDOUT if the link
 * stayed down; -EINTR when *stop became non-zero. */
int pg_port_up(uint16_t port, const char *devargs, double timeout_s, const int *stop);

/* Stops, closes and detaches the port's device. Safe on any state. */
void pg_port_close(uint16_t port);

#endif /* PG_PORT_H */
