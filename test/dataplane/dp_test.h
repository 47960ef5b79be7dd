/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_test.h — what every dataplane test executable shares: EAL started
 * once per process with --no-huge and a file prefix unique to the process
 * (nothing shared with other tests or a running switch), then the Check
 * suite, then rte_eal_cleanup() and removal of EAL's runtime directory.
 * Helpers build mbufs from bytes and compare them.
 *
 * Use: DP_TEST_MAIN(make_suite, "0") — the second argument is the EAL
 * core list (-l): "0" for tests that drive the dataplane on the main lcore,
 * "0-2" for tests with worker lcores.
 */
#ifndef TEST_DP_TEST_H
#define TEST_DP_TEST_H

#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "../check_main.h"

static struct rte_mempool *dp_test_pool;

/* Set by a harness that may hold resources when a test fails half-way. */
static void (*dp_test_cleanup)(void);

/* "--lcores=(0-N)@(0-C)": lcores 0..N as threads free to run on any
 * online CPU, so "0-2" works on a machine with two CPUs. */
static inline void
dp_test_lcores_arg(const char *lcores, char *buf, size_t size)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(buf, size, "--lcores=(%s)@(0-%ld)", lcores, cpus > 1 ? cpus - 1 : 0);
}

static inline int
dp_test_eal_init(const char *lcores)
{
    static char prefix[64], lcores_arg[320];
    snprintf(prefix, sizeof prefix, "ofs-test-%ld", (long)getpid());
    dp_test_lcores_arg(lcores, lcores_arg, sizeof lcores_arg);
    char *argv[] = {
        "dp_test",       lcores_arg, "--no-huge",           "-m",
        "256",           "--no-pci", "--no-shconf",         "--no-telemetry",
        "--file-prefix", prefix,     "--log-level=warning", NULL,
    };
    int argc = (int)(sizeof argv / sizeof argv[0]) - 1;
    if (rte_eal_init(argc, argv) < 0)
        return -1;
    dp_test_pool = rte_pktmbuf_pool_create("dp_test_pool", 4095, 64, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
                                           SOCKET_ID_ANY);
    return dp_test_pool ? 0 : -1;
}

static inline void
dp_test_eal_cleanup(void)
{
    char dir[PATH_MAX];
    if (dp_test_cleanup)
        dp_test_cleanup();
    snprintf(dir, sizeof dir, "%s", rte_eal_get_runtime_dir());
    rte_mempool_free(dp_test_pool);
    rte_eal_cleanup();
    rmdir(dir); /* Empty with --no-shconf --no-huge; leave it if not. */
}

#define DP_TEST_MAIN(make_suite, lcores)                                                           \
    int main(void)                                                                                 \
    {                                                                                              \
        if (dp_test_eal_init(lcores)) {                                                            \
            fprintf(stderr, "EAL init failed\n");                                                  \
            return EXIT_FAILURE;                                                                   \
        }                                                                                          \
        SRunner *sr = srunner_create(make_suite());                                                \
        /* EAL state (threads, shared memory) does not survive fork. */                            \
        srunner_set_fork_status(sr, CK_NOFORK);                                                    \
        srunner_run_all(sr, CK_NORMAL);                                                            \
        int failed = srunner_ntests_failed(sr);                                                    \
        srunner_free(sr);                                                                          \
        dp_test_eal_cleanup();                                                                     \
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;                                               \
    }

/* Page faults the worker lcores' threads have taken (/proc: their comm
 * is rte-worker-N). */
static inline long
dp_test_worker_page_faults(void)
{
    DIR *d = opendir("/proc/self/task");
    ck_assert_ptr_nonnull(d);
    long sum = 0;
    for (struct dirent *de; (de = readdir(d));) {
        if (de->d_name[0] == '.')
            continue;
        char path[300], line[512];
        snprintf(path, sizeof path, "/proc/self/task/%s/stat", de->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        line[n] = 0;
        /* pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt */
        const char *c = strrchr(line, ')');
        unsigned long minflt = 0, majflt = 0;
        if (!strstr(line, "(rte-worker-") || !c ||
            sscanf(c + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %lu", &minflt, &majflt) != 2)
            continue;
        sum += (long)(minflt + majflt);
    }
    closedir(d);
    return sum;
}

/* An mbuf holding bytes (one segment, or a chain when larger than a
 * segment's data room). */
static inline struct rte_mbuf *
dp_test_mbuf(const uint8_t *data, size_t len)
{
    struct rte_mbuf *head = rte_pktmbuf_alloc(dp_test_pool), *last = head;
    ck_assert_ptr_nonnull(head);
    size_t done = 0;
    for (;;) {
        size_t room = rte_pktmbuf_tailroom(last);
        size_t n = len - done < room ? len - done : room;
        memcpy(rte_pktmbuf_append(last, (uint16_t)n), data + done, n);
        if (last != head) {
            head->pkt_len += (uint32_t)n;
        }
        done += n;
        if (done == len)
            break;
        struct rte_mbuf *seg = rte_pktmbuf_alloc(dp_test_pool);
        ck_assert_ptr_nonnull(seg);
        last->next = seg;
        last = seg;
        head->nb_segs++;
    }
    return head;
}

/* Whether m holds exactly len bytes equal to data; prints a hex diff. */
static inline bool
dp_test_mbuf_equal(const struct rte_mbuf *m, const uint8_t *data, size_t len, const char *what)
{
    static uint8_t buf[16384];
    bool same = rte_pktmbuf_pkt_len(m) == len && len <= sizeof buf &&
                !memcmp(rte_pktmbuf_read(m, 0, (uint32_t)len, buf), data, len);
    if (!same) {
        const uint8_t *got = rte_pktmbuf_read(m, 0, rte_pktmbuf_pkt_len(m), buf);
        fprintf(stderr, "%s: got %u bytes, want %zu\n", what, rte_pktmbuf_pkt_len(m), len);
        size_t n = rte_pktmbuf_pkt_len(m) > len ? rte_pktmbuf_pkt_len(m) : len;
        for (size_t i = 0; i < n; i++) {
            int g = got && i < rte_pktmbuf_pkt_len(m) ? got[i] : -1;
            int w = i < len ? data[i] : -1;
            if (g != w)
                fprintf(stderr, "  byte %zu: got %02x want %02x\n", i, g & 0xff, w & 0xff);
        }
    }
    return same;
}

#endif /* TEST_DP_TEST_H */
