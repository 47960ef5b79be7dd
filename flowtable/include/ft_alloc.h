/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_alloc.h — heap allocation for flowtable and the dataplane, with a
 * failure-injection hook for tests. Every malloc/calloc/realloc of those
 * two modules goes through here, so a test can make the Nth allocation
 * from now fail and check that the out-of-memory path of whatever it
 * drives answers with an error and loses nothing.
 *
 * The hook exists only in builds configured with -Dfault_injection=true
 * (FT_FAULT_INJECTION); elsewhere ft_malloc() is malloc() and the control
 * functions below report that injection is unavailable.
 *
 * Thread safety: the allocators are as thread-safe as libc's; the hook's
 * countdown is one atomic, shared by every thread (tests arm it while only
 * the thread under test allocates).
 */
#ifndef FT_ALLOC_H
#define FT_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef FT_FAULT_INJECTION
/* True when this allocation is to fail (and counts it). */
bool ft_fault_hit(void);
#else
static inline bool
ft_fault_hit(void)
{
    return false;
}
#endif

static inline void *
ft_malloc(size_t size)
{
    return ft_fault_hit() ? NULL : malloc(size);
}

static inline void *
ft_calloc(size_t n, size_t size)
{
    return ft_fault_hit() ? NULL : calloc(n, size);
}

/* ft_calloc on cache-line (64-byte) boundaries, for arrays whose
 * elements are fetched line by line; freed with free(). */
static inline void *
ft_calloc_lines(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size - 64)
        return NULL;
    size_t bytes = (n * size + 63) & ~(size_t)63;
    void *p = ft_fault_hit() ? NULL : aligned_alloc(64, bytes ? bytes : 64);
    return p ? memset(p, 0, bytes) : NULL;
}

/* On failure the old block is untouched, as with realloc(). */
static inline void *
ft_realloc(void *ptr, size_t size)
{
    return ft_fault_hit() ? NULL : realloc(ptr, size);
}

/* Fault in the pages of a block just allocated (zeroed or not: it writes
 * zero), so that the thread that allocated it pays for its first touches
 * instead of the one that uses it (a worker's first misses). NULL: no-op. */
static inline void
ft_prefault(void *p, size_t size)
{
    volatile uint8_t *b = p;
    for (size_t o = 0; b && o < size; o += 4096)
        b[o] = 0;
}

/* Keep memory once touched, process-wide (call before the threads that
 * allocate start): freed blocks stay with the process instead of going
 * back to the kernel, and blocks up to 32 MB come from the heap instead
 * of a mapping of their own, whose pages are new each time. Every first
 * touch of a page is a page fault, which in a virtual machine can cost
 * tens of microseconds. A no-op where the C library cannot be told. */
void ft_alloc_keep(void);

/* Touch `bytes` of the calling thread's heap and give them back to it
 * (after ft_alloc_keep): its later allocations, up to about that much,
 * find their pages present. For a thread that must not stall on its
 * first allocations, such as a worker filling its cache. */
void ft_alloc_warm(size_t bytes);

/* Whether this build can inject failures. */
bool ft_fault_available(void);

/* Let the next `skip` allocations succeed, then fail `count` of them
 * (UINT64_MAX: all that follow). ft_fault_disarm() ends it. */
void ft_fault_arm(uint64_t skip, uint64_t count);
void ft_fault_disarm(void);

/* Allocations that failed by injection since the last arm. */
uint64_t ft_fault_failed(void);

#endif /* FT_ALLOC_H */
