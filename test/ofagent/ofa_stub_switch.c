/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_stub_switch — the OpenFlow agent on the stub dataplane, as a
 * process: what the end-to-end tests run real controllers and clients
 * against, fast and without DPDK.
 *
 *   ofa_stub_switch --controller TARGET [--controller TARGET ...]
 *                   [--datapath-id N] [--fail-mode secure|standalone]
 *                   [--ports N] [--probe-interval MS]
 *                   [--tls-key F --tls-cert F --tls-ca F]
 *                   [--port-file FILE] [--ctl FIFO] [--ctl-socket PATH]
 *
 * --ctl-socket: serve ofswitch-ctl on PATH (ofagent/ofa_ctl.h).
 * --port-file: once listening, the port of each passive target is
 * written there, one per line (use ptcp:0 for a free port).
 * --ctl FIFO: commands, one per line:
 *   inject PORT HEXBYTES     a frame arrives on PORT
 *   link PORT up|down        link state change (PORT_STATUS follows)
 * Everything the dataplane does is logged on stdout ("output ...",
 * "standalone on|off"). SIGTERM or SIGINT exits cleanly.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ofa_agent.h"
#include "ofa_ctl.h"
#include "stub_dp.h"

#define MAX_TARGETS 8

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void
log_output(void *aux, const struct stub_output *o)
{
    (void)aux;
    printf("output in_port=%u port=%u len=%u packet_out=%d standalone=%d\n", o->in_port, o->port,
           o->len, o->packet_out, o->standalone);
}

static int
hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void
command(struct dp *dp, char *line)
{
    char *save = NULL;
    char *cmd = strtok_r(line, " \t\r\n", &save);
    char *a1 = cmd ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    char *a2 = a1 ? strtok_r(NULL, " \t\r\n", &save) : NULL;
    if (!cmd)
        return;
    if (!strcmp(cmd, "inject") && a1 && a2) {
        static uint8_t frame[65536];
        size_t n = 0;
        for (const char *p = a2; p[0] && p[1] && n < sizeof frame; p += 2) {
            int hi = hexval(p[0]), lo = hexval(p[1]);
            if (hi < 0 || lo < 0)
                break;
            frame[n++] = (uint8_t)(hi << 4 | lo);
        }
        int rc = stub_dp_inject(dp, (uint32_t)strtoul(a1, NULL, 0), frame, n);
        printf("injected port=%s len=%zu outputs=%d\n", a1, n, rc);
    } else if (!strcmp(cmd, "link") && a1 && a2) {
        int rc = stub_dp_set_link(dp, (uint32_t)strtoul(a1, NULL, 0), !strcmp(a2, "up"));
        printf("link port=%s %s rc=%d\n", a1, a2, rc);
    } else {
        printf("unknown command: %s\n", cmd);
    }
}

/* Read whole lines from the command FIFO (opened O_RDWR so it never
 * reports end of file when a writer goes away). */
static void
poll_ctl(struct dp *dp, int fd, char *buf, size_t *len, size_t cap)
{
    for (;;) {
        ssize_t r = read(fd, buf + *len, cap - *len - 1);
        if (r <= 0)
            return;
        *len += (size_t)r;
        buf[*len] = '\0';
        char *nl;
        while ((nl = strchr(buf, '\n'))) {
            *nl = '\0';
            command(dp, buf);
            size_t used = (size_t)(nl + 1 - buf);
            memmove(buf, nl + 1, *len - used + 1);
            *len -= used;
        }
        if (*len == cap - 1)
            *len = 0; /* A line too long: dropped. */
    }
}

static void
usage(void)
{
    fprintf(stderr, "usage: ofa_stub_switch --controller TARGET [--controller TARGET ...]\n"
                    "  [--datapath-id N] [--fail-mode secure|standalone] [--ports N]\n"
                    "  [--probe-interval MS] [--tls-key F --tls-cert F --tls-ca F]\n"
                    "  [--port-file FILE] [--ctl FIFO] [--ctl-socket PATH]\n");
    exit(2);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {{"controller", required_argument, NULL, 'c'},
                                         {"datapath-id", required_argument, NULL, 'd'},
                                         {"fail-mode", required_argument, NULL, 'f'},
                                         {"ports", required_argument, NULL, 'n'},
                                         {"probe-interval", required_argument, NULL, 'p'},
                                         {"tls-key", required_argument, NULL, 'k'},
                                         {"tls-cert", required_argument, NULL, 'C'},
                                         {"tls-ca", required_argument, NULL, 'A'},
                                         {"port-file", required_argument, NULL, 'P'},
                                         {"ctl", required_argument, NULL, 'x'},
                                         {"ctl-socket", required_argument, NULL, 'S'},
                                         {NULL, 0, NULL, 0}};
    struct ofa_config cfg;
    ofa_config_default(&cfg);
    cfg.min_backoff_ms = 100;
    cfg.max_backoff_ms = 1000;
    const char *targets[MAX_TARGETS];
    const char *port_file = NULL, *ctl = NULL, *ctl_socket = NULL;
    unsigned n_ports = 4;
    char err[256];
    int o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (o) {
        case 'c':
            if (cfg.n_targets == MAX_TARGETS)
                usage();
            if (ofa_target_validate(optarg, err, sizeof err)) {
                fprintf(stderr, "ofa_stub_switch: --controller %s\n", err);
                return 2;
            }
            targets[cfg.n_targets++] = optarg;
            break;
        case 'd':
            cfg.datapath_id = strtoull(optarg, NULL, 0);
            break;
        case 'f':
            if (!strcmp(optarg, "secure"))
                cfg.fail_mode = OFA_FAIL_SECURE;
            else if (!strcmp(optarg, "standalone"))
                cfg.fail_mode = OFA_FAIL_STANDALONE;
            else
                usage();
            break;
        case 'n':
            n_ports = (unsigned)strtoul(optarg, NULL, 0);
            break;
        case 'p':
            cfg.probe_interval_ms = (uint32_t)strtoul(optarg, NULL, 0);
            break;
        case 'k':
            cfg.tls_key = optarg;
            break;
        case 'C':
            cfg.tls_cert = optarg;
            break;
        case 'A':
            cfg.tls_ca = optarg;
            break;
        case 'P':
            port_file = optarg;
            break;
        case 'x':
            ctl = optarg;
            break;
        case 'S':
            ctl_socket = optarg;
            break;
        default:
            usage();
        }
    }
    if (!cfg.n_targets)
        usage();
    cfg.targets = targets;
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct dp *dp = stub_dp_create(n_ports, NULL);
    if (!dp) {
        fprintf(stderr, "ofa_stub_switch: out of memory\n");
        return 1;
    }
    stub_dp_set_output_hook(dp, log_output, NULL);
    struct ofa_agent *a = ofa_agent_create(&cfg, dp, err, sizeof err);
    if (!a) {
        fprintf(stderr, "ofa_stub_switch: %s\n", err);
        stub_dp_destroy(dp);
        return 1;
    }
    struct ofa_ctl *ctl_srv = NULL;
    if (ctl_socket && !(ctl_srv = ofa_ctl_create(ctl_socket, a, err, sizeof err))) {
        fprintf(stderr, "ofa_stub_switch: %s\n", err);
        return 1;
    }
    if (port_file) {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        for (size_t i = 0; f && i < cfg.n_targets; i++) {
            int port = ofa_agent_listen_port(a, i);
            if (port >= 0)
                fprintf(f, "%d\n", port);
        }
        if (!f || fclose(f) || rename(tmp, port_file)) {
            fprintf(stderr, "ofa_stub_switch: cannot write %s\n", port_file);
            return 1;
        }
    }
    int ctl_fd = -1;
    if (ctl) {
        ctl_fd = open(ctl, O_RDWR | O_NONBLOCK);
        if (ctl_fd < 0) {
            fprintf(stderr, "ofa_stub_switch: %s: %s\n", ctl, strerror(errno));
            return 1;
        }
    }
    char line[140000];
    size_t line_len = 0;
    int standalone = -1;
    while (!stop) {
        /* A short timeout keeps the command FIFO responsive. */
        ofa_agent_run_once(a, ctl_fd >= 0 ? 10 : 100);
        if (ctl_fd >= 0)
            poll_ctl(dp, ctl_fd, line, &line_len, sizeof line);
        if (ctl_srv)
            ofa_ctl_run(ctl_srv);
        if ((int)stub_dp_standalone(dp) != standalone) {
            standalone = stub_dp_standalone(dp);
            printf("standalone %s\n", standalone ? "on" : "off");
        }
    }
    printf("exiting: %u packet-outs\n", stub_dp_packet_outs(dp));
    ofa_ctl_destroy(ctl_srv);
    ofa_agent_destroy(a);
    stub_dp_destroy(dp);
    if (ctl_fd >= 0)
        close(ctl_fd);
    return 0;
}
