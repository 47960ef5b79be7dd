/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The control socket while nobody talks to it: the agent's every turn
 * must not cost an accept() (in the kernel, a socket and a file built and
 * torn down), and a client that does come is still served.
 *
 * This executable defines accept(): the agent's libraries, linked in
 * statically, call this one, which counts and hands the call on.
 */
#define _GNU_SOURCE /* accept4 */
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "agent_test_util.h"
#include "check_main.h"
#include "ofa_ctl.h"

static unsigned accepts;

int
accept(int fd, struct sockaddr *addr, socklen_t *len)
{
    accepts++;
    return accept4(fd, addr, len, 0);
}

static int
connect_to(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ck_assert_int_ge(fd, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    return fd;
}

START_TEST(idle_turns_accept_nothing)
{
    struct harness h;
    h_init(&h, 2, OFA_FAIL_SECURE);
    char dir[] = "/tmp/ctl-idle-XXXXXX", path[64], err[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/ctl", dir);
    struct ofa_ctl *ctl = ofa_ctl_create(path, h.a, err, sizeof err);
    ck_assert_msg(ctl, "%s", err);

    unsigned before = accepts;
    for (int i = 0; i < 1000; i++)
        ofa_ctl_run(ctl);
    ck_assert_uint_eq(accepts - before, 0); /* 1,000 before the fix. */

    /* A client that comes is accepted and answered. */
    int fd = connect_to(path);
    h_write(fd, (const uint8_t *)"show\n", 5);
    char ans[4096];
    size_t got = 0;
    for (int i = 0; i < 5000; i++) {
        ofa_ctl_run(ctl);
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 1) > 0) {
            ssize_t n = read(fd, ans + got, sizeof ans - 1 - got);
            if (n <= 0)
                break; /* Answered and closed. */
            got += (size_t)n;
        }
    }
    ans[got] = '\0';
    ck_assert_msg(!strncmp(ans, "OK\n", 3), "answer: %s", ans);
    ck_assert_uint_ge(accepts - before, 1);
    close(fd);

    ofa_ctl_destroy(ctl);
    rmdir(dir);
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ofagent_ctl_idle");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, idle_turns_accept_nothing);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
