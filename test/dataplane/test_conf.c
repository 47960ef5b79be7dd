/* SPDX-License-Identifier: Apache-2.0 */
/* The configuration file (ofswitch_conf.h): what a file sets, how the
 * command line overrides it, the one-line FILE:LINE errors, the port
 * write-back that keeps every other byte, save's text loading back to the
 * same options, and the atomic write. No EAL needed. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "ofswitch_conf.h"
#include "ofswitch_opts.h"

static char dir[64];
static char path[128];
static char err[512];
static struct ofs_opts o;

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/ofs-conf-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/ofswitch.conf", dir);
}

static void
teardown(void)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            char p[400];
            if (e->d_name[0] == '.' && (!e->d_name[1] || !strcmp(e->d_name, "..")))
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

static void
put(const char *file, const char *text)
{
    FILE *f = fopen(file, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

static char *
slurp(const char *file)
{
    FILE *f = fopen(file, "r");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Load text as a file; returns the configuration (or NULL with err). */
static struct ofs_conf *
load(const char *text)
{
    put(path, text);
    ofs_opts_init(&o);
    err[0] = '\0';
    return ofs_conf_load(path, &o, err, sizeof err);
}

/* Load text and expect the one-line error "PATH:LINE: reason...". */
static void
expect_error(const char *text, unsigned line, const char *reason)
{
    struct ofs_conf *c = load(text);
    ck_assert_msg(!c, "'%s' loaded", text);
    char want[400];
    snprintf(want, sizeof want, "%s:%u: %s", path, line, reason);
    ck_assert_msg(!strncmp(err, want, strlen(want)), "got '%s', want '%s...'", err, want);
    ck_assert_ptr_null(strchr(err, '\n'));
}

START_TEST(every_key)
{
    struct ofs_conf *c = load("# a comment\n"
                              "\n"
                              "eal = -l 0-1 --no-huge\n"
                              "   eal=-m 512\t--no-pci  \n"
                              "datapath-id = 0x0000000000000abc\n"
                              "fail-mode = standalone\n"
                              "controller = tcp:192.0.2.1:6633\n"
                              "controller = ptcp:6634\n"
                              "private-key = /k/key.pem\n"
                              "certificate = /k/cert.pem\n"
                              "ca-cert = /k/ca #1.pem\n"
                              "rxq = 2\n"
                              "mbufs = 4095\n"
                              "cache-entries = 1024\n"
                              "packet-in-rate = 500/50\n"
                              "stall-timeout = 0\n"
                              "ctl-socket = /run/x/ofswitch.ctl\n"
                              "port 1 = net_pcap0,rx_pcap=/a b.pcap\n"
                              "port\tLOCAL   =   net_tap0,iface=br0\n"
                              "  # port 9 = commented out\n"
                              "port 4294967040 = net_null0");
    ck_assert_msg(c, "%s", err);
    int n;
    char **eal = ofs_conf_eal(c, &n);
    ck_assert_int_eq(n, 6);
    ck_assert_str_eq(eal[0], "-l");
    ck_assert_str_eq(eal[2], "--no-huge");
    ck_assert_str_eq(eal[3], "-m");
    ck_assert_str_eq(eal[5], "--no-pci");
    ck_assert(o.has_datapath_id);
    ck_assert_uint_eq(o.datapath_id, 0xabc);
    ck_assert_uint_eq(o.fail_mode, OFS_FAIL_STANDALONE);
    ck_assert_uint_eq(o.n_controllers, 2);
    ck_assert_str_eq(o.controllers[0].target, "tcp:192.0.2.1:6633");
    ck_assert_uint_eq(o.controllers[0].port, 6633);
    ck_assert(o.controllers[1].passive);
    ck_assert_str_eq(o.private_key, "/k/key.pem");
    ck_assert_str_eq(o.certificate, "/k/cert.pem");
    ck_assert_str_eq(o.ca_cert, "/k/ca #1.pem"); /* '#' inside a value is kept. */
    ck_assert_uint_eq(o.rxq, 2);
    ck_assert_uint_eq(o.n_mbufs, 4095);
    ck_assert_uint_eq(o.cache_entries, 1024);
    ck_assert_uint_eq(o.packet_in_rate, 500);
    ck_assert_uint_eq(o.packet_in_burst, 50);
    ck_assert(o.has_stall_timeout);
    ck_assert_uint_eq(o.stall_timeout_s, 0);
    ck_assert_str_eq(o.ctl_socket, "/run/x/ofswitch.ctl");
    ck_assert_uint_eq(o.n_ports, 3);
    ck_assert_uint_eq(o.ports[0].port_no, 1);
    ck_assert_str_eq(o.ports[0].devargs, "net_pcap0,rx_pcap=/a b.pcap");
    ck_assert_uint_eq(o.ports[1].port_no, OFS_PORT_LOCAL);
    ck_assert_str_eq(o.ports[1].devargs, "net_tap0,iface=br0");
    ck_assert_uint_eq(o.ports[2].port_no, 0xffffff00u);
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), 0);
    ck_assert_str_eq(ofs_conf_path(c), path);
    ofs_conf_free(c);
}
END_TEST

START_TEST(empty_file_and_no_ports)
{
    struct ofs_conf *c = load("");
    ck_assert_msg(c, "%s", err);
    int n;
    ofs_conf_eal(c, &n);
    ck_assert_int_eq(n, 0);
    ck_assert_uint_eq(o.n_ports, 0);
    /* With a file, a switch may start without ports (add them later)... */
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), 0);
    /* ...without one it may not. */
    ck_assert_int_eq(ofs_opts_check(&o, false, err, sizeof err), -EINVAL);
    ofs_conf_free(c);
}
END_TEST

/* The command line over the file: scalars replace, a port number replaces
 * that port only, the first --controller replaces the file's list. */
START_TEST(command_line_overrides)
{
    struct ofs_conf *c = load("fail-mode = standalone\n"
                              "datapath-id = 1\n"
                              "rxq = 2\n"
                              "controller = tcp:192.0.2.1\n"
                              "controller = tcp:192.0.2.2\n"
                              "port 1 = net_null0\n"
                              "port 2 = net_null1\n");
    ck_assert_msg(c, "%s", err);
    char *argv[] = {"--fail-mode",  "secure",      "--port",       "2=net_ring0",
                    "--controller", "ptcp:7000",   "--controller", "tcp:192.0.2.9",
                    "--port",       "3=net_null2", "--rxq",        "4"};
    ck_assert_int_eq(ofs_opts_args(&o, 12, argv, err, sizeof err), 0);
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), 0);
    ck_assert_uint_eq(o.fail_mode, OFS_FAIL_SECURE);
    ck_assert_uint_eq(o.datapath_id, 1); /* Not on the command line: the file's. */
    ck_assert_uint_eq(o.rxq, 4);
    ck_assert_uint_eq(o.n_controllers, 2);
    ck_assert_str_eq(o.controllers[0].target, "ptcp:7000");
    ck_assert_str_eq(o.controllers[1].target, "tcp:192.0.2.9");
    ck_assert_uint_eq(o.n_ports, 3);
    ck_assert_str_eq(o.ports[0].devargs, "net_null0");
    ck_assert_uint_eq(o.ports[1].port_no, 2);
    ck_assert_str_eq(o.ports[1].devargs, "net_ring0");
    ck_assert_str_eq(o.ports[2].devargs, "net_null2");
    /* On the command line itself a port is still given only once. */
    char *twice[] = {"--port", "3=net_null3"};
    ck_assert_int_eq(ofs_opts_args(&o, 2, twice, err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "port 3 given twice");
    ofs_conf_free(c);

    /* A device the file gives one port and the command line another. */
    c = load("port 1 = net_null0\n");
    ck_assert_msg(c, "%s", err);
    char *same_dev[] = {"--port", "2=net_null0"};
    ck_assert_int_eq(ofs_opts_args(&o, 2, same_dev, err, sizeof err), 0);
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), -EINVAL);
    ck_assert_str_eq(err, "device 'net_null0' given twice");
    ofs_conf_free(c);
}
END_TEST

START_TEST(bad_lines)
{
    expect_error("fail-mode = secure\nprot 1 = net_null0\n", 2, "unknown key 'prot 1'");
    expect_error("\n\n# c\nrxq 2\n", 4, "expected KEY = VALUE, got 'rxq 2'");
    expect_error("[switch]\n", 1, "expected KEY = VALUE");
    expect_error("= 4\n", 1, "no key before '='");
    expect_error("rxq =   \n", 1, "'rxq' has no value");
    expect_error("rxq = 0\n", 1, "rxq wants 1-64, got '0'");
    expect_error("mbufs = 10\n", 1, "mbufs wants 1023-16777216, got '10'");
    expect_error("fail-mode = open\n", 1, "fail-mode wants secure or standalone, got 'open'");
    expect_error("datapath-id = xyz\n", 1, "datapath-id wants up to 16 hex digits");
    expect_error("packet-in-rate = fast\n", 1, "packet-in-rate wants RATE[/BURST]");
    expect_error("stall-timeout = -1\n", 1, "stall-timeout wants 0-86400 seconds");
    expect_error("cache-entries = 1\n", 1, "cache-entries wants 64-67108864");
    expect_error("controller = udp:1.2.3.4\n", 1, "controller 'udp:1.2.3.4': want tcp:");
    expect_error("fail-mode = secure\nrxq = 1\nfail-mode = standalone\n", 3,
                 "'fail-mode' given twice (first on line 1)");
    expect_error("port 1 = net_null0\nport 1 = net_null1\n", 2, "port 1 given twice");
    expect_error("port 1 = net_null0\nport 2 = net_null0\n", 2, "device 'net_null0' given twice");
    expect_error("port 0 = net_null0\n", 1, "bad port number '0' (1-4294967040 or LOCAL)");
    expect_error("port = net_null0\n", 1, "expected 'port NUM = DEVARGS', got key 'port'");
    expect_error("port 1 2 = net_null0\n", 1, "expected 'port NUM = DEVARGS', got key 'port 1 2'");
    expect_error("config = /etc/x\n", 1, "unknown key 'config'");
    expect_error("--rxq = 2\n", 1, "unknown key '--rxq'");

    /* Not a file we can read: one line naming it. */
    char missing[200];
    snprintf(missing, sizeof missing, "%s/none.conf", dir);
    ofs_opts_init(&o);
    ck_assert_ptr_null(ofs_conf_load(missing, &o, err, sizeof err));
    char want[300];
    snprintf(want, sizeof want, "cannot read %s: No such file or directory", missing);
    ck_assert_str_eq(err, want);
    put(path, "rxq = 1\n");
    FILE *f = fopen(path, "a");
    fputc('\0', f);
    fclose(f);
    ofs_opts_init(&o);
    ck_assert_ptr_null(ofs_conf_load(path, &o, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "NUL byte"));
}
END_TEST

/* A port's line changes; every other byte stays. */
START_TEST(edit_port_lines)
{
    const char *text = "# ports\n"
                       "eal = -l 0\n"
                       "port 1 = net_null0   # not a comment\n"
                       "#port 2 = old\n"
                       "  port\t2=net_null1\n"
                       "\n"
                       "fail-mode = secure\n";
    char *t = ofs_conf_edit_port(text, 2, "net_ring0");
    ck_assert_str_eq(t, "# ports\n"
                        "eal = -l 0\n"
                        "port 1 = net_null0   # not a comment\n"
                        "#port 2 = old\n"
                        "port 2 = net_ring0\n"
                        "\n"
                        "fail-mode = secure\n");
    free(t);
    t = ofs_conf_edit_port(text, 1, NULL);
    ck_assert_str_eq(t, "# ports\n"
                        "eal = -l 0\n"
                        "#port 2 = old\n"
                        "  port\t2=net_null1\n"
                        "\n"
                        "fail-mode = secure\n");
    free(t);
    /* A new port goes after the last port line. */
    t = ofs_conf_edit_port(text, 7, "net_null7");
    ck_assert_str_eq(t, "# ports\n"
                        "eal = -l 0\n"
                        "port 1 = net_null0   # not a comment\n"
                        "#port 2 = old\n"
                        "  port\t2=net_null1\n"
                        "port 7 = net_null7\n"
                        "\n"
                        "fail-mode = secure\n");
    free(t);
    /* No port line, no final newline: at the end, on a line of its own. */
    t = ofs_conf_edit_port("eal = -l 0", OFS_PORT_LOCAL, "net_tap0");
    ck_assert_str_eq(t, "eal = -l 0\nport LOCAL = net_tap0\n");
    free(t);
    t = ofs_conf_edit_port("", 3, "net_null3");
    ck_assert_str_eq(t, "port 3 = net_null3\n");
    free(t);
    /* Removing a port that has no line changes nothing. */
    t = ofs_conf_edit_port(text, 9, NULL);
    ck_assert_str_eq(t, text);
    free(t);
}
END_TEST

static int
count_entries(void)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, ".."));
    closedir(d);
    return n;
}

/* add-port and del-port write the file; a restart reads the ports back. */
START_TEST(write_back_and_reload)
{
    struct ofs_conf *c = load("# keep me\nport 1 = net_null0\nfail-mode = secure\n");
    ck_assert_msg(c, "%s", err);
    ck_assert_int_eq(chmod(path, 0600), 0);
    char *eal[] = {"-l", "0"};
    ck_assert_int_eq(ofs_conf_start(c, &o, 2, eal, 0x42), 0);
    ck_assert_int_eq(ofs_conf_port_added(c, 2, "net_ring0,x=1", err, sizeof err), 0);
    ck_assert_int_eq(ofs_conf_port_added(c, 3, "net_null3", err, sizeof err), 0);
    ck_assert_int_eq(ofs_conf_port_deleted(c, 1, err, sizeof err), 0);
    ck_assert_str_eq(slurp(path),
                     "# keep me\nport 2 = net_ring0,x=1\nport 3 = net_null3\nfail-mode = secure\n");
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0600); /* The file's mode is kept. */
    ck_assert_int_eq(count_entries(), 1);       /* No temporary file left. */
    /* Deleting a port the file never had (the command line's) keeps it. */
    ck_assert_int_eq(ofs_conf_port_deleted(c, 9, err, sizeof err), 0);
    ofs_conf_free(c);

    struct ofs_opts reloaded;
    ofs_opts_init(&reloaded);
    c = ofs_conf_load(path, &reloaded, err, sizeof err);
    ck_assert_msg(c, "%s", err);
    ck_assert_uint_eq(reloaded.n_ports, 2);
    ck_assert_uint_eq(reloaded.ports[0].port_no, 2);
    ck_assert_str_eq(reloaded.ports[0].devargs, "net_ring0,x=1");
    ck_assert_uint_eq(reloaded.ports[1].port_no, 3);
    ofs_conf_free(c);
}
END_TEST

/* A write-back that cannot be done fails with one line and changes nothing
 * in the running configuration. */
START_TEST(write_back_failure)
{
    struct ofs_conf *c = load("port 1 = net_null0\n");
    ck_assert_msg(c, "%s", err);
    ck_assert_int_eq(ofs_conf_start(c, &o, 0, NULL, 1), 0);
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_lt(ofs_conf_port_added(c, 2, "net_null1", err, sizeof err), 0);
    char want[300];
    snprintf(want, sizeof want, "cannot read %s: No such file or directory", path);
    ck_assert_str_eq(err, want);
    /* Port 2 is not in what save writes. */
    char saved[256], other[200];
    snprintf(other, sizeof other, "%s/saved.conf", dir);
    ck_assert_int_eq(ofs_conf_save(c, other, saved, sizeof saved, err, sizeof err), 0);
    ck_assert_ptr_null(strstr(slurp(other), "port 2"));
    ck_assert_ptr_nonnull(strstr(slurp(other), "port 1 = net_null0\n"));
    /* A directory that does not exist. */
    snprintf(other, sizeof other, "%s/no/such.conf", dir);
    ck_assert_int_eq(ofs_conf_save(c, other, saved, sizeof saved, err, sizeof err), -ENOENT);
    snprintf(want, sizeof want, "cannot write %s: No such file or directory", other);
    ck_assert_str_eq(err, want);
    ofs_conf_free(c);

    /* Without --config, save needs a file. */
    c = ofs_conf_new();
    ofs_opts_init(&o);
    ck_assert_int_eq(ofs_conf_start(c, &o, 0, NULL, 1), 0);
    ck_assert_int_eq(ofs_conf_save(c, NULL, saved, sizeof saved, err, sizeof err), -ENOENT);
    ck_assert_str_eq(err, "ofswitch runs without --config: give a file (save FILE)");
    /* ...and add-port without a file only remembers the port. */
    ck_assert_int_eq(ofs_conf_port_added(c, 5, "net_null5", err, sizeof err), 0);
    ofs_conf_free(c);
}
END_TEST

/* save's text loads back to the options that run, ports as they are now. */
START_TEST(save_round_trip)
{
    struct ofs_conf *c = load("eal = -l 0 --no-huge\n"
                              "fail-mode = standalone\n"
                              "controller = tcp:192.0.2.1:6633\n"
                              "port 1 = net_null0\n");
    ck_assert_msg(c, "%s", err);
    char *argv[] = {"--controller",
                    "ptls:6634",
                    "--private-key",
                    "/k",
                    "--certificate",
                    "/c",
                    "--ca-cert",
                    "/ca",
                    "--rxq",
                    "3",
                    "--mbufs",
                    "2047",
                    "--cache-entries",
                    "4096",
                    "--packet-in-rate",
                    "100",
                    "--stall-timeout",
                    "9",
                    "--ctl-socket",
                    "/run/s.ctl",
                    "--port",
                    "LOCAL=net_tap0"};
    ck_assert_int_eq(ofs_opts_args(&o, 22, argv, err, sizeof err), 0);
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), 0);
    char *eal[] = {"-l", "0", "--file-prefix=x"};
    ck_assert_int_eq(ofs_conf_start(c, &o, 3, eal, 0xfedcba9876543210ull), 0);
    ck_assert_int_eq(ofs_conf_port_added(c, 2, "net_ring0", err, sizeof err), 0);
    char saved[256];
    ck_assert_int_eq(ofs_conf_save(c, NULL, saved, sizeof saved, err, sizeof err), 0);
    ck_assert_str_eq(saved, path);
    char *text = ofs_conf_format(c, err, sizeof err);
    ck_assert_str_eq(slurp(path), text);
    free(text);
    const struct ofs_opts was = o;
    struct ofs_opts r;
    ofs_opts_init(&r);
    struct ofs_conf *c2 = ofs_conf_load(path, &r, err, sizeof err);
    ck_assert_msg(c2, "%s", err);
    int n;
    char **e = ofs_conf_eal(c2, &n);
    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(e[2], "--file-prefix=x");
    ck_assert(r.has_datapath_id);
    ck_assert_uint_eq(r.datapath_id, 0xfedcba9876543210ull);
    ck_assert_uint_eq(r.fail_mode, OFS_FAIL_STANDALONE);
    ck_assert_uint_eq(r.n_controllers, 1);
    ck_assert_str_eq(r.controllers[0].target, "ptls:6634");
    ck_assert_str_eq(r.private_key, was.private_key);
    ck_assert_str_eq(r.certificate, was.certificate);
    ck_assert_str_eq(r.ca_cert, was.ca_cert);
    ck_assert_uint_eq(r.rxq, 3);
    ck_assert_uint_eq(r.n_mbufs, 2047);
    ck_assert_uint_eq(r.cache_entries, 4096);
    ck_assert_uint_eq(r.packet_in_rate, was.packet_in_rate);
    ck_assert_uint_eq(r.packet_in_burst, was.packet_in_burst);
    ck_assert_uint_eq(r.stall_timeout_s, 9);
    ck_assert_str_eq(r.ctl_socket, "/run/s.ctl");
    ck_assert_uint_eq(r.n_ports, 3);
    ck_assert_uint_eq(r.ports[0].port_no, 1);
    ck_assert_uint_eq(r.ports[1].port_no, OFS_PORT_LOCAL);
    ck_assert_str_eq(r.ports[2].devargs, "net_ring0");
    ck_assert_int_eq(ofs_opts_check(&r, true, err, sizeof err), 0);
    ofs_conf_free(c2);
    ofs_conf_free(c);
}
END_TEST

/* What the packages install as an example configuration loads. */
START_TEST(shipped_example)
{
    const char *example = getenv("OFS_EXAMPLE_CONF");
    ck_assert_msg(example, "OFS_EXAMPLE_CONF not set");
    ofs_opts_init(&o);
    struct ofs_conf *c = ofs_conf_load(example, &o, err, sizeof err);
    ck_assert_msg(c, "%s", err);
    ck_assert_int_eq(ofs_opts_check(&o, true, err, sizeof err), 0);
    ofs_conf_free(c);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("conf");
    TCase *tc = tcase_create("conf");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, every_key);
    tcase_add_test(tc, empty_file_and_no_ports);
    tcase_add_test(tc, command_line_overrides);
    tcase_add_test(tc, bad_lines);
    tcase_add_test(tc, edit_port_lines);
    tcase_add_test(tc, write_back_and_reload);
    tcase_add_test(tc, write_back_failure);
    tcase_add_test(tc, save_round_trip);
    tcase_add_test(tc, shipped_example);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
