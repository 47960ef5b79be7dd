/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mmap() and munmap() for the whole process, for the memory ports share
 * with their peers (memif's regions), which DPDK 22.11's memif maps and
 * unmaps from the EAL interrupt thread as a peer comes and goes.
 *
 * Unmapping: memif_disconnect unmaps a port's regions while a worker may
 * still be inside rx_burst or tx_burst on them: ofswitch died of SIGSEGV
 * in about 1 of 150 peer kills under load. An unmapping from that thread
 * now first waits until every thread that polls ports has left the poll
 * it was in. The PMD clears its connected flag before it unmaps, so the
 * bursts after that return at once.
 *
 * Mapping: a new peer's regions came unpopulated, so the worker took a
 * page fault on its first touch of each page (writing into the buffers
 * towards the peer: one a page), ~570 of them in the first packets of a
 * connection; in a virtual machine each is a trip to the hypervisor, and
 * a benchmark's first 20 ms of traffic at 0.5 Mpps saw the worker
 * saturated by them. A shared mapping of a file made from that thread is
 * now populated as it is made (MAP_POPULATE), in that thread, before the
 * port's link comes up.
 *
 * Executables linking the dataplane export mmap, mmap64 and munmap
 * (-Wl,--export-dynamic-symbol, dataplane/meson.build): the PMDs EAL
 * loads as plugins call these. Other threads' calls, and unmappings
 * while no dataplane runs, go straight to the kernel.
 */
#define _DEFAULT_SOURCE /* syscall() */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <rte_interrupts.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "dp_int.h"

static struct dp *_Atomic guarded;
/* Held while an unmapping waits on `guarded`: dp_destroy takes it to
 * withdraw the dataplane, so none is freed under a wait. */
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;

void
dp_unmap_guard_set(struct dp *dp)
{
    pthread_mutex_lock(&guard_lock);
    atomic_store(&guarded, dp);
    pthread_mutex_unlock(&guard_lock);
}

void
dp_io_enter(struct dp *dp)
{
    atomic_store_explicit(&dp->agent_io, dp->agent_io + 1, memory_order_relaxed);
    /* Odd before any port is touched (the unmapping side reads it after
     * the PMD cleared its flag). */
    atomic_thread_fence(memory_order_seq_cst);
}

void
dp_io_leave(struct dp *dp)
{
    atomic_store_explicit(&dp->agent_io, dp->agent_io + 1, memory_order_release);
}

/* Until every poll under way when called has ended: the workers' (RCU),
 * and the agent's sending or inline polling (agent_io odd). */
static void
wait_polls(struct dp *dp)
{
    if (!dp->inline_mode)
        rte_rcu_qsbr_synchronize(dp->qsv, RTE_QSBR_THRID_INVALID);
    uint64_t io = atomic_load(&dp->agent_io);
    if (io & 1)
        while (atomic_load_explicit(&dp->agent_io, memory_order_acquire) == io)
            rte_pause();
}

/* Both names, one function: glibc has both, and which one a plugin calls
 * depends on how it was built (DPDK's memif calls mmap64). The label keeps
 * the C name apart from <sys/mman.h>'s declarations, which may redirect
 * one name to the other. */
void *dp_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) __asm__("mmap");
void *dp_mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off) __asm__("mmap64")
    __attribute__((alias("mmap")));

void *
dp_mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
    if ((flags & MAP_SHARED) && fd >= 0 && rte_thread_is_intr())
        flags |= MAP_POPULATE;
    return (void *)syscall(SYS_mmap, addr, len, prot, flags, fd, off); /* -1: MAP_FAILED. */
}

int
munmap(void *addr, size_t len)
{
    if (atomic_load_explicit(&guarded, memory_order_relaxed) && rte_thread_is_intr()) {
        pthread_mutex_lock(&guard_lock);
        struct dp *dp = atomic_load(&guarded);
        if (dp)
            wait_polls(dp);
        pthread_mutex_unlock(&guard_lock);
    }
    return (int)syscall(SYS_munmap, addr, len);
}
