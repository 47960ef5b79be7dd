/* SPDX-License-Identifier: Apache-2.0 */
/*
 * check_main.h — the main() every Check unit-test executable shares.
 * A test file defines `static Suite *make_suite(void)` and then writes
 * CHECK_MAIN(make_suite). Randomised tests print their seed; set
 * OFSWITCH_TEST_SEED to replay one.
 */
#ifndef TEST_CHECK_MAIN_H
#define TEST_CHECK_MAIN_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* TEST_ASAN: 1 in AddressSanitizer builds (gcc or clang). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN 1
#endif
#endif
#ifndef TEST_ASAN
#define TEST_ASAN 0
#endif

/* Page faults this process has taken so far. */
static inline long
test_page_faults(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru))
        abort();
    return ru.ru_minflt + ru.ru_majflt;
}

/* Seed for randomised tests: OFSWITCH_TEST_SEED if set, else time-based.
 * Printed once so a failure can be replayed. */
static inline uint64_t
test_seed(void)
{
    static uint64_t seed;
    if (!seed) {
        const char *s = getenv("OFSWITCH_TEST_SEED");
        seed = s ? strtoull(s, NULL, 0) : ((uint64_t)time(NULL) ^ ((uint64_t)clock() << 20));
        if (!seed)
            seed = 1;
        fprintf(stderr, "test seed: OFSWITCH_TEST_SEED=%llu\n", (unsigned long long)seed);
    }
    return seed;
}

/* xorshift64*: a small deterministic generator for tests. */
static inline uint64_t
test_rand(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

#define CHECK_MAIN(make_suite)                                                                     \
    int main(void)                                                                                 \
    {                                                                                              \
        SRunner *sr = srunner_create(make_suite());                                                \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                               \
    }

#endif /* TEST_CHECK_MAIN_H */
