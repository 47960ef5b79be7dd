/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch command line (ofswitch_opts.h): what is accepted, stored
 * and refused. No EAL needed. */
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "ofswitch_opts.h"

static struct ofs_opts o;
static char err[256];

static int
parse(const char *line)
{
    static char buf[1024];
    char *argv[64];
    int argc = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *t = strtok(buf, " "); t && argc < 64; t = strtok(NULL, " "))
        argv[argc++] = t;
    err[0] = '\0';
    return ofs_opts_parse(argc, argv, &o, err, sizeof err);
}

START_TEST(ports_and_defaults)
{
    ck_assert_int_eq(parse("--port 1=net_pcap0,rx_pcap=a.pcap --port LOCAL=net_tap0,iface=x "
                           "--port 4294967040=0000:03:00.0"),
                     0);
    ck_assert_uint_eq(o.n_ports, 3);
    ck_assert_uint_eq(o.ports[0].port_no, 1);
    ck_assert_str_eq(o.ports[0].devargs, "net_pcap0,rx_pcap=a.pcap");
    ck_assert_uint_eq(o.ports[1].port_no, 0xfffffffe);
    ck_assert_uint_eq(o.ports[2].port_no, 0xffffff00);
    ck_assert_uint_eq(o.fail_mode, OFS_FAIL_SECURE);
    ck_assert(!o.has_datapath_id);
    ck_assert_uint_eq(o.rxq, 0);
    ck_assert_uint_eq(o.n_controllers, 0);
    ck_assert_int_eq(parse("--port 4294967041=x"), -EINVAL);
    ck_assert_int_eq(parse("--port -1=x"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --port 2=x"), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "twice"));
    ck_assert_int_eq(parse("--port 1="), -EINVAL);
    ck_assert_int_eq(parse("--port =x"), -EINVAL);
    ck_assert_int_eq(parse("--port"), -EINVAL);
    ck_assert_int_eq(parse(""), -EINVAL);
    ck_assert_int_eq(parse("--help"), 0);
    ck_assert(o.help);
}
END_TEST

START_TEST(controllers)
{
    ck_assert_int_eq(parse("--port 1=x --controller tcp:10.0.0.1 --controller tcp:ctl.example:6633 "
                           "--controller ptcp: --controller ptcp:6634:127.0.0.1 "
                           "--controller tcp:[2001:db8::1]:7000 --controller ptcp::[::1]"),
                     0);
    ck_assert_uint_eq(o.n_controllers, 6);
    const struct ofs_controller_opt *c = o.controllers;
    ck_assert_str_eq(c[0].host, "10.0.0.1");
    ck_assert_uint_eq(c[0].port, 6653);
    ck_assert(!c[0].passive && !c[0].tls);
    ck_assert_str_eq(c[1].host, "ctl.example");
    ck_assert_uint_eq(c[1].port, 6633);
    ck_assert(c[2].passive);
    ck_assert_str_eq(c[2].host, "");
    ck_assert_uint_eq(c[2].port, 6653);
    ck_assert_uint_eq(c[3].port, 6634);
    ck_assert_str_eq(c[3].host, "127.0.0.1");
    ck_assert_str_eq(c[4].host, "2001:db8::1");
    ck_assert_uint_eq(c[4].port, 7000);
    ck_assert_str_eq(c[5].host, "::1");
    ck_assert_str_eq(c[0].target, "tcp:10.0.0.1");
    ck_assert_int_eq(parse("--port 1=x --controller udp:1.2.3.4"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller tcp:"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller tcp:h:0"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller tcp:h:1x"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller tcp:[::1"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller ptcp:70000"), -EINVAL);
}
END_TEST

START_TEST(tls_needs_files)
{
    ck_assert_int_eq(parse("--port 1=x --controller tls:h"), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "--private-key"));
    ck_assert_int_eq(parse("--port 1=x --controller ptls:6653 --private-key k --certificate c"),
                     -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --controller ptls:6653 --private-key k --certificate c "
                           "--ca-cert ca"),
                     0);
    ck_assert(o.controllers[0].tls && o.controllers[0].passive);
    ck_assert_str_eq(o.private_key, "k");
    ck_assert_str_eq(o.certificate, "c");
    ck_assert_str_eq(o.ca_cert, "ca");
    /* TLS files without a TLS controller are stored, not refused. */
    ck_assert_int_eq(parse("--port 1=x --private-key k"), 0);
}
END_TEST

START_TEST(others)
{
    ck_assert_int_eq(parse("--port 1=x --datapath-id 0x00000a0b0c0d0e0f --fail-mode standalone "
                           "--rxq 4 --mbufs 4095"),
                     0);
    ck_assert(o.has_datapath_id);
    ck_assert_uint_eq(o.datapath_id, 0x00000a0b0c0d0e0full);
    ck_assert_uint_eq(o.fail_mode, OFS_FAIL_STANDALONE);
    ck_assert_uint_eq(o.rxq, 4);
    ck_assert_uint_eq(o.n_mbufs, 4095);
    ck_assert_int_eq(parse("--port 1=x --datapath-id ffffffffffffffff"), 0);
    ck_assert_uint_eq(o.datapath_id, UINT64_MAX);
    ck_assert_int_eq(parse("--port 1=x --datapath-id 1ffffffffffffffff"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --datapath-id 12g"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --fail-mode open"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --rxq 65"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --mbufs 10"), -EINVAL);
    ck_assert_int_eq(parse("--port 1=x --rxq"), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "needs an argument"));
    ck_assert_int_eq(parse("--port 1=x extra"), -EINVAL);
    ck_assert_ptr_nonnull(strstr(err, "unknown option 'extra'"));
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("opts");
    TCase *tc = tcase_create("opts");
    tcase_add_test(tc, ports_and_defaults);
    tcase_add_test(tc, controllers);
    tcase_add_test(tc, tls_needs_files);
    tcase_add_test(tc, others);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
