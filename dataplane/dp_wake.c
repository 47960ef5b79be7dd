/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Waking the agent. With workers, the agent's thread sleeps in poll() on
 * its sockets; the dataplane's part of its work (packet-ins the workers
 * queued) has no descriptor of its own, so an idle agent used to wake
 * every millisecond to look, on a core it shares with others. Now it
 * declares it sleeps (dp_agent_may_sleep), polls this eventfd as well, and
 * a worker that queues a packet-in while it sleeps writes the eventfd once.
 *
 * The handshake is Dekker's: the agent stores "asleep" and then reads the
 * rings, a worker stores into a ring and then reads "asleep", a full fence
 * between each pair; so either the agent sees the packet-in and does not
 * sleep, or the worker sees it asleep and wakes it.
 */
#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <rte_ring.h>

#include "dp_int.h"

int
dp_wake_init(struct dp *dp)
{
    dp->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    return dp->wake_fd < 0 ? -errno : 0;
}

void
dp_wake_fini(struct dp *dp)
{
    if (dp->wake_fd >= 0)
        close(dp->wake_fd);
    dp->wake_fd = -1;
}

int
dp_agent_wake_fd(const struct dp *dp)
{
    return dp->wake_fd;
}

static bool
packet_ins_queued(const struct dp *dp)
{
    for (unsigned i = 0; i < dp->n_workers; i++)
        if (!rte_ring_empty(dp->workers[i]->pin_ring))
            return true;
    return !rte_ring_empty(dp->agent->pin_ring);
}

bool
dp_agent_may_sleep(struct dp *dp)
{
    if (dp->inline_mode)
        return false; /* The agent's thread also forwards. */
    atomic_store_explicit(&dp->agent_asleep, true, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    if (packet_ins_queued(dp)) {
        atomic_store_explicit(&dp->agent_asleep, false, memory_order_relaxed);
        return false;
    }
    return true;
}

void
dp_agent_awake(struct dp *dp)
{
    atomic_store_explicit(&dp->agent_asleep, false, memory_order_relaxed);
    uint64_t n;
    while (read(dp->wake_fd, &n, sizeof n) == sizeof n)
        ; /* Drained: EAGAIN. */
}

void
dp_agent_wake(struct dp *dp)
{
    atomic_thread_fence(memory_order_seq_cst); /* What was queued, before the flag's read. */
    if (!atomic_load_explicit(&dp->agent_asleep, memory_order_relaxed) ||
        !atomic_exchange_explicit(&dp->agent_asleep, false, memory_order_relaxed))
        return;
    uint64_t one = 1;
    (void)!write(dp->wake_fd, &one, sizeof one);
}
