/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch command line (ofswitch_opts.h). */
#include "ofswitch_opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORT_MAX   0xffffff00u
#define PORT_LOCAL 0xfffffffeu

__attribute__((format(printf, 3, 4))) static int
fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

const char *
ofs_opts_usage(void)
{
    return "usage: ofswitch [EAL options] -- --port NUM=DEVARGS [--port ...]\n"
           "         [--controller tcp:HOST[:PORT]|tls:HOST[:PORT]|ptcp:[PORT][:IP]|"
           "ptls:[PORT][:IP] ...]\n"
           "         [--datapath-id HEX] [--fail-mode secure|standalone]\n"
           "         [--private-key FILE --certificate FILE --ca-cert FILE] [--rxq N] [--mbufs N]\n"
           "         [--ctl-socket PATH] [--cache-entries N] [--packet-in-rate RATE[/BURST]]\n"
           "         [--stall-timeout SECONDS] [--cache-stages auto|whole|T[,T...]]\n"
           "  NUM: an OpenFlow port number (1-4294967040) or LOCAL\n"
           "  DEVARGS: a PCI address or a vdev, e.g. net_pcap0,rx_pcap=in.pcap,tx_pcap=out.pcap\n"
           "  --rxq N: RX queues per port (default: one per worker lcore)\n"
           "  --mbufs N: packet buffers shared by all ports (default 16383)\n"
           "  --ctl-socket PATH: where ofswitch-ctl connects (default "
           "/run/ofswitch/ofswitch.ctl)\n"
           "  --cache-entries N: flow cache entries per worker (default 262144)\n"
           "  --packet-in-rate RATE[/BURST]: packet-ins per second to each controller, and\n"
           "    the burst above it (default 1000/250; 0: no limit)\n"
           "  --stall-timeout SECONDS: close a controller that takes nothing of what is\n"
           "    queued for it this long (default 15; 0: never)\n"
           "  --cache-stages auto|whole|T[,T...]: where the flow cache's stages start:\n"
           "    chosen by measurement (auto, the default), one stage, or at the tables\n"
           "    listed (at most 3)\n";
}

/* A decimal number in [lo, hi]; the whole string. */
static bool
parse_uint(const char *s, unsigned long long lo, unsigned long long hi, unsigned long long *out)
{
    if (!*s || *s == '-' || *s == '+')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* RATE[/BURST] packet-ins per second. */
static int
parse_pin_rate(struct ofs_opts *o, const char *arg, char *err, size_t errlen)
{
    char rate[32];
    const char *slash = strchr(arg, '/');
    size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
    unsigned long long r, b = 0;
    if (n >= sizeof rate)
        n = sizeof rate - 1;
    memcpy(rate, arg, n);
    rate[n] = '\0';
    if (!parse_uint(rate, 0, 10000000, &r) || (slash && !parse_uint(slash + 1, 1, 10000000, &b)))
        return fail(err, errlen,
                    "--packet-in-rate wants RATE[/BURST] packets per second (RATE 0-10000000, "
                    "0: no limit), got '%s'",
                    arg);
    o->has_packet_in_rate = true;
    o->packet_in_rate = (uint32_t)r;
    o->packet_in_burst = slash ? (uint32_t)b : (r / 4 ? (uint32_t)(r / 4) : 1);
    return 0;
}

static int
parse_port(struct ofs_opts *o, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return fail(err, errlen, "--port wants NUM=DEVARGS, got '%s'", arg);
    char num[16];
    size_t nlen = (size_t)(eq - arg);
    if (nlen >= sizeof num)
        return fail(err, errlen, "bad port number in '%s'", arg);
    memcpy(num, arg, nlen);
    num[nlen] = '\0';
    unsigned long long port_no;
    if (!strcmp(num, "LOCAL"))
        port_no = PORT_LOCAL;
    else if (!parse_uint(num, 1, PORT_MAX, &port_no))
        return fail(err, errlen, "bad port number '%s' (1-%u or LOCAL)", num, PORT_MAX);
    if (o->n_ports == OFS_MAX_PORTS)
        return fail(err, errlen, "too many ports (at most %d)", OFS_MAX_PORTS);
    for (size_t i = 0; i < o->n_ports; i++) {
        if (o->ports[i].port_no == port_no)
            return fail(err, errlen, "port %s given twice", num);
        if (!strcmp(o->ports[i].devargs, eq + 1))
            return fail(err, errlen, "device '%s' given twice", eq + 1);
    }
    o->ports[o->n_ports++] = (struct ofs_port_opt){(uint32_t)port_no, eq + 1};
    return 0;
}

/* "[v6]" or "name": the host part up to the next ':' outside brackets. */
static const char *
take_host(const char *s, char *host, size_t size)
{
    const char *end;
    if (*s == '[') {
        end = strchr(s, ']');
        if (!end)
            return NULL;
        s++;
    } else {
        end = s + strcspn(s, ":");
    }
    size_t n = (size_t)(end - s);
    if (n >= size)
        return NULL;
    memcpy(host, s, n);
    host[n] = '\0';
    return *end == ']' ? end + 1 : end;
}

static int
parse_controller(struct ofs_opts *o, const char *arg, char *err, size_t errlen)
{
    struct ofs_controller_opt c = {.target = arg, .port = OFS_DEFAULT_OF_PORT};
    const char *rest;
    if (!strncmp(arg, "tcp:", 4) || !strncmp(arg, "tls:", 4)) {
        c.tls = arg[1] == 'l';
        rest = take_host(arg + 4, c.host, sizeof c.host);
        if (!rest || !c.host[0])
            return fail(err, errlen, "controller '%s': missing or bad host", arg);
        if (*rest == ':') {
            unsigned long long port;
            if (!parse_uint(rest + 1, 1, 65535, &port))
                return fail(err, errlen, "controller '%s': bad TCP port", arg);
            c.port = (uint16_t)port;
        } else if (*rest) {
            return fail(err, errlen, "controller '%s': junk after the host", arg);
        }
    } else if (!strncmp(arg, "ptcp:", 5) || !strncmp(arg, "ptls:", 5)) {
        c.passive = true;
        c.tls = arg[2] == 'l';
        rest = arg + 5;
        if (*rest && *rest != ':') {
            char num[8];
            size_t n = strcspn(rest, ":");
            unsigned long long port;
            if (n >= sizeof num)
                return fail(err, errlen, "controller '%s': bad TCP port", arg);
            memcpy(num, rest, n);
            num[n] = '\0';
            /* 0: any free port (ofswitch-ctl show tells which). */
            if (!parse_uint(num, 0, 65535, &port))
                return fail(err, errlen, "controller '%s': bad TCP port", arg);
            c.port = (uint16_t)port;
            rest += n;
        }
        if (*rest == ':') {
            rest = take_host(rest + 1, c.host, sizeof c.host);
            if (!rest || !c.host[0] || *rest)
                return fail(err, errlen, "controller '%s': bad listen address", arg);
        }
    } else {
        return fail(err, errlen, "controller '%s': want tcp:, tls:, ptcp: or ptls:", arg);
    }
    if (o->n_controllers == OFS_MAX_CONTROLLERS)
        return fail(err, errlen, "too many controllers (at most %d)", OFS_MAX_CONTROLLERS);
    o->controllers[o->n_controllers++] = c;
    return 0;
}

static int
parse_dpid(struct ofs_opts *o, const char *arg, char *err, size_t errlen)
{
    const char *s = arg;
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
        s += 2;
    size_t n = strspn(s, "0123456789abcdefABCDEF");
    if (!n || n > 16 || s[n])
        return fail(err, errlen, "--datapath-id wants up to 16 hex digits, got '%s'", arg);
    o->datapath_id = strtoull(s, NULL, 16);
    o->has_datapath_id = true;
    return 0;
}

int
ofs_opts_parse(int argc, char **argv, struct ofs_opts *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            o->help = true;
            return 0;
        }
        static const char *const with_arg[] = {
            "--port",          "--controller",   "--datapath-id",   "--fail-mode",
            "--private-key",   "--certificate",  "--ca-cert",       "--rxq",
            "--mbufs",         "--ctl-socket",   "--cache-entries", "--packet-in-rate",
            "--stall-timeout", "--cache-stages",
        };
        bool known = false;
        for (size_t k = 0; k < sizeof with_arg / sizeof with_arg[0]; k++)
            known |= !strcmp(opt, with_arg[k]);
        if (!known)
            return fail(err, errlen, "unknown option '%s' (try --help)", opt);
        if (i + 1 >= argc)
            return fail(err, errlen, "%s needs an argument", opt);
        const char *arg = argv[++i];
        int r = 0;
        unsigned long long v;
        if (!strcmp(opt, "--port")) {
            r = parse_port(o, arg, err, errlen);
        } else if (!strcmp(opt, "--controller")) {
            r = parse_controller(o, arg, err, errlen);
        } else if (!strcmp(opt, "--datapath-id")) {
            r = parse_dpid(o, arg, err, errlen);
        } else if (!strcmp(opt, "--fail-mode")) {
            if (!strcmp(arg, "secure"))
                o->fail_mode = OFS_FAIL_SECURE;
            else if (!strcmp(arg, "standalone"))
                o->fail_mode = OFS_FAIL_STANDALONE;
            else
                r = fail(err, errlen, "--fail-mode wants secure or standalone, got '%s'", arg);
        } else if (!strcmp(opt, "--private-key")) {
            o->private_key = arg;
        } else if (!strcmp(opt, "--certificate")) {
            o->certificate = arg;
        } else if (!strcmp(opt, "--ca-cert")) {
            o->ca_cert = arg;
        } else if (!strcmp(opt, "--rxq")) {
            if (parse_uint(arg, 1, 64, &v))
                o->rxq = (unsigned)v;
            else
                r = fail(err, errlen, "--rxq wants 1-64, got '%s'", arg);
        } else if (!strcmp(opt, "--mbufs")) {
            if (parse_uint(arg, 1023, 16u << 20, &v))
                o->n_mbufs = (unsigned)v;
            else
                r = fail(err, errlen, "--mbufs wants 1023-16777216, got '%s'", arg);
        } else if (!strcmp(opt, "--ctl-socket")) {
            o->ctl_socket = arg;
        } else if (!strcmp(opt, "--cache-entries")) {
            if (parse_uint(arg, 64, 1u << 26, &v))
                o->cache_entries = (unsigned)v;
            else
                r = fail(err, errlen, "--cache-entries wants 64-67108864, got '%s'", arg);
        } else if (!strcmp(opt, "--cache-stages")) {
            o->cache_stages_fixed = strcmp(arg, "auto") != 0;
            if (o->cache_stages_fixed &&
                ft_stages_parse(arg, &o->cache_stages, err, errlen)) /* err says why. */
                r = -EINVAL;
        } else if (!strcmp(opt, "--packet-in-rate")) {
            r = parse_pin_rate(o, arg, err, errlen);
        } else if (!strcmp(opt, "--stall-timeout")) {
            if (parse_uint(arg, 0, 86400, &v)) {
                o->stall_timeout_s = (uint32_t)v;
                o->has_stall_timeout = true;
            } else {
                r = fail(err, errlen, "--stall-timeout wants 0-86400 seconds, got '%s'", arg);
            }
        }
        if (r)
            return r;
    }
    if (!o->n_ports)
        return fail(err, errlen, "no --port given (try --help)");
    bool tls = false;
    for (size_t i = 0; i < o->n_controllers; i++)
        tls |= o->controllers[i].tls;
    if (tls && (!o->private_key || !o->certificate || !o->ca_cert))
        return fail(err, errlen,
                    "tls:/ptls: controllers need --private-key, --certificate "
                    "and --ca-cert");
    return 0;
}
