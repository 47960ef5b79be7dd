/* SPDX-License-Identifier: Apache-2.0 */
/* Keeping and warming heap memory, and the failure-injection hook of
 * ft_alloc.h (test builds only). */
#include <stdatomic.h>

#include "ft_alloc.h"

#ifdef __GLIBC__ /* Known once a libc header is in. */
#include <malloc.h>
#endif

#define WARM_BLOCK (64u << 10) /* Below any mmap threshold: from the thread's heap. */

void
ft_alloc_keep(void)
{
#ifdef __GLIBC__
    /* Setting the trim threshold also stops glibc from adapting both. */
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}

/* AddressSanitizer's allocator quarantines what is freed instead of
 * handing it out again: a warm-up would only cost time there. */
#if defined(__SANITIZE_ADDRESS__)
#define WARM_USELESS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WARM_USELESS 1
#endif
#endif
#ifndef WARM_USELESS
#define WARM_USELESS 0
#endif

void
ft_alloc_warm(size_t bytes)
{
    size_t n = WARM_USELESS ? 0 : bytes / WARM_BLOCK;
    void **blocks = n ? malloc(n * sizeof *blocks) : NULL;
    if (!blocks)
        return;
    size_t got = 0;
    for (; got < n && (blocks[got] = malloc(WARM_BLOCK)); got++)
        ft_prefault(blocks[got], WARM_BLOCK); /* Volatile: not a dead store. */
    while (got)
        free(blocks[--got]);
    free(blocks);
}

#ifdef FT_FAULT_INJECTION
static atomic_bool armed;
static atomic_uint_fast64_t skip_left, fail_left, failed;

bool
ft_fault_hit(void)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return false;
    uint_fast64_t s = atomic_load_explicit(&skip_left, memory_order_relaxed);
    while (s) {
        if (atomic_compare_exchange_weak(&skip_left, &s, s - 1))
            return false;
    }
    uint_fast64_t f = atomic_load_explicit(&fail_left, memory_order_relaxed);
    while (f) {
        if (atomic_compare_exchange_weak(&fail_left, &f, f == UINT64_MAX ? f : f - 1)) {
            atomic_fetch_add(&failed, 1);
            return true;
        }
    }
    return false;
}

bool
ft_fault_available(void)
{
    return true;
}

void
ft_fault_arm(uint64_t skip, uint64_t count)
{
    atomic_store(&armed, false);
    atomic_store(&skip_left, skip);
    atomic_store(&fail_left, count);
    atomic_store(&failed, 0);
    atomic_store(&armed, true);
}

void
ft_fault_disarm(void)
{
    atomic_store(&armed, false);
}

uint64_t
ft_fault_failed(void)
{
    return atomic_load(&failed);
}
#else
bool
ft_fault_available(void)
{
    return false;
}

void
ft_fault_arm(uint64_t skip, uint64_t count)
{
    (void)skip;
    (void)count;
}

void
ft_fault_disarm(void)
{
}

uint64_t
ft_fault_failed(void)
{
    return 0;
}
#endif
