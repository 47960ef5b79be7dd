/* SPDX-License-Identifier: Apache-2.0 */
/* The ofswitch command line (ofswitch_opts.h). */
#include "ofswitch_opts.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PORT_MAX 0xffffff00u

int
ofs_fail(char *err, size_t errlen, const char *fmt, ...)
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
    return "usage: ofswitch [--config FILE] [EAL options] -- --port NUM=DEVARGS [--port ...]\n"
           "         [--controller tcp:HOST[:PORT]|tls:HOST[:PORT]|ptcp:[PORT][:IP]|"
           "ptls:[PORT][:IP] ...]\n"
           "         [--datapath-id HEX] [--fail-mode secure|standalone]\n"
           "         [--private-key FILE --certificate FILE --ca-cert FILE] [--rxq N] [--mbufs N]\n"
           "         [--ctl-socket PATH] [--cache-entries N] [--packet-in-rate RATE[/BURST]]\n"
           "         [--stall-timeout SECONDS] [--cache-stages auto|whole|T[,T...]]\n"
           "  --config FILE: read EAL options, ports and the options below from FILE\n"
           "    (ofswitch.conf(5)); the command line overrides it, and ports added or\n"
           "    deleted with ofswitch-ctl are written back to it\n"
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

/* How the layer spells an option: "--rxq" on the command line, "rxq" in a
 * file. */
static const char *
shown(enum ofs_layer layer, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", layer == OFS_FROM_ARGS ? "--" : "", name);
    return buf;
}

/* RATE[/BURST] packet-ins per second. */
static int
parse_pin_rate(struct ofs_opts *o, const char *opt, const char *arg, char *err, size_t errlen)
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
        return ofs_fail(err, errlen,
                        "%s wants RATE[/BURST] packets per second (RATE 0-10000000, "
                        "0: no limit), got '%s'",
                        opt, arg);
    o->has_packet_in_rate = true;
    o->packet_in_rate = (uint32_t)r;
    o->packet_in_burst = slash ? (uint32_t)b : (r / 4 ? (uint32_t)(r / 4) : 1);
    return 0;
}

const char *
ofs_port_name(uint32_t port_no, char *buf, size_t size)
{
    if (port_no == OFS_PORT_LOCAL)
        snprintf(buf, size, "LOCAL");
    else
        snprintf(buf, size, "%lu", (unsigned long)port_no);
    return buf;
}

bool
ofs_port_parse(const char *s, uint32_t *port_no)
{
    unsigned long long v;
    if (!strcmp(s, "LOCAL"))
        v = OFS_PORT_LOCAL;
    else if (!parse_uint(s, 1, PORT_MAX, &v))
        return false;
    *port_no = (uint32_t)v;
    return true;
}

int
ofs_opts_set_port(struct ofs_opts *o, enum ofs_layer layer, const char *num, const char *devargs,
                  char *err, size_t errlen)
{
    uint32_t port_no;
    if (!ofs_port_parse(num, &port_no))
        return ofs_fail(err, errlen, "bad port number '%s' (1-%u or LOCAL)", num, PORT_MAX);
    if (!*devargs)
        return ofs_fail(err, errlen, "port %s has no device", num);
    struct ofs_port_opt *slot = NULL;
    for (size_t i = 0; i < o->n_ports; i++) {
        struct ofs_port_opt *p = &o->ports[i];
        if (p->layer == layer && p->port_no == port_no)
            return ofs_fail(err, errlen, "port %s given twice", num);
        if (p->layer == layer && !strcmp(p->devargs, devargs))
            return ofs_fail(err, errlen, "device '%s' given twice", devargs);
        if (p->port_no == port_no)
            slot = p; /* An earlier layer's: this one replaces it. */
    }
    if (!slot) {
        if (o->n_ports == OFS_MAX_PORTS)
            return ofs_fail(err, errlen, "too many ports (at most %d)", OFS_MAX_PORTS);
        slot = &o->ports[o->n_ports++];
    }
    *slot = (struct ofs_port_opt){port_no, devargs, layer};
    return 0;
}

/* NUM=DEVARGS, as --port takes it. */
static int
parse_port(struct ofs_opts *o, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1])
        return ofs_fail(err, errlen, "--port wants NUM=DEVARGS, got '%s'", arg);
    char num[16];
    size_t nlen = (size_t)(eq - arg);
    if (nlen >= sizeof num)
        return ofs_fail(err, errlen, "bad port number in '%s'", arg);
    memcpy(num, arg, nlen);
    num[nlen] = '\0';
    return ofs_opts_set_port(o, OFS_FROM_ARGS, num, eq + 1, err, errlen);
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
parse_controller(struct ofs_opts *o, enum ofs_layer layer, const char *arg, char *err,
                 size_t errlen)
{
    struct ofs_controller_opt c = {.target = arg, .layer = layer, .port = OFS_DEFAULT_OF_PORT};
    const char *rest;
    if (!strncmp(arg, "tcp:", 4) || !strncmp(arg, "tls:", 4)) {
        c.tls = arg[1] == 'l';
        rest = take_host(arg + 4, c.host, sizeof c.host);
        if (!rest || !c.host[0])
            return ofs_fail(err, errlen, "controller '%s': missing or bad host", arg);
        if (*rest == ':') {
            unsigned long long port;
            if (!parse_uint(rest + 1, 1, 65535, &port))
                return ofs_fail(err, errlen, "controller '%s': bad TCP port", arg);
            c.port = (uint16_t)port;
        } else if (*rest) {
            return ofs_fail(err, errlen, "controller '%s': junk after the host", arg);
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
                return ofs_fail(err, errlen, "controller '%s': bad TCP port", arg);
            memcpy(num, rest, n);
            num[n] = '\0';
            /* 0: any free port (ofswitch-ctl show tells which). */
            if (!parse_uint(num, 0, 65535, &port))
                return ofs_fail(err, errlen, "controller '%s': bad TCP port", arg);
            c.port = (uint16_t)port;
            rest += n;
        }
        if (*rest == ':') {
            rest = take_host(rest + 1, c.host, sizeof c.host);
            if (!rest || !c.host[0] || *rest)
                return ofs_fail(err, errlen, "controller '%s': bad listen address", arg);
        }
    } else {
        return ofs_fail(err, errlen, "controller '%s': want tcp:, tls:, ptcp: or ptls:", arg);
    }
    /* The first controller of a later layer replaces the earlier ones. */
    size_t kept = 0;
    for (size_t i = 0; i < o->n_controllers; i++)
        if (o->controllers[i].layer >= layer)
            o->controllers[kept++] = o->controllers[i];
    o->n_controllers = kept;
    if (o->n_controllers == OFS_MAX_CONTROLLERS)
        return ofs_fail(err, errlen, "too many controllers (at most %d)", OFS_MAX_CONTROLLERS);
    o->controllers[o->n_controllers++] = c;
    return 0;
}

static int
parse_dpid(struct ofs_opts *o, const char *opt, const char *arg, char *err, size_t errlen)
{
    const char *s = arg;
    if (!strncmp(s, "0x", 2) || !strncmp(s, "0X", 2))
        s += 2;
    size_t n = strspn(s, "0123456789abcdefABCDEF");
    if (!n || n > 16 || s[n])
        return ofs_fail(err, errlen, "%s wants up to 16 hex digits, got '%s'", opt, arg);
    o->datapath_id = strtoull(s, NULL, 16);
    o->has_datapath_id = true;
    return 0;
}

/* The options that take an argument (all of ours but --help). */
static bool
known_option(const char *name)
{
    static const char *const names[] = {
        "port",          "controller",     "datapath-id",   "fail-mode",    "private-key",
        "certificate",   "ca-cert",        "rxq",           "mbufs",        "ctl-socket",
        "cache-entries", "packet-in-rate", "stall-timeout", "cache-stages",
    };
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(name, names[k]))
            return true;
    return false;
}

void
ofs_opts_init(struct ofs_opts *o)
{
    memset(o, 0, sizeof *o);
}

int
ofs_opts_set(struct ofs_opts *o, enum ofs_layer layer, const char *name, const char *arg, char *err,
             size_t errlen)
{
    char opt[40];
    shown(layer, name, opt, sizeof opt);
    unsigned long long v;
    if (!strcmp(name, "controller"))
        return parse_controller(o, layer, arg, err, errlen);
    if (!strcmp(name, "datapath-id"))
        return parse_dpid(o, opt, arg, err, errlen);
    if (!strcmp(name, "fail-mode")) {
        if (!strcmp(arg, "secure"))
            o->fail_mode = OFS_FAIL_SECURE;
        else if (!strcmp(arg, "standalone"))
            o->fail_mode = OFS_FAIL_STANDALONE;
        else
            return ofs_fail(err, errlen, "%s wants secure or standalone, got '%s'", opt, arg);
        return 0;
    }
    if (!strcmp(name, "private-key")) {
        o->private_key = arg;
        return 0;
    }
    if (!strcmp(name, "certificate")) {
        o->certificate = arg;
        return 0;
    }
    if (!strcmp(name, "ca-cert")) {
        o->ca_cert = arg;
        return 0;
    }
    if (!strcmp(name, "ctl-socket")) {
        o->ctl_socket = arg;
        return 0;
    }
    if (!strcmp(name, "rxq")) {
        if (!parse_uint(arg, 1, 64, &v))
            return ofs_fail(err, errlen, "%s wants 1-64, got '%s'", opt, arg);
        o->rxq = (unsigned)v;
        return 0;
    }
    if (!strcmp(name, "mbufs")) {
        if (!parse_uint(arg, 1023, 16u << 20, &v))
            return ofs_fail(err, errlen, "%s wants 1023-16777216, got '%s'", opt, arg);
        o->n_mbufs = (unsigned)v;
        return 0;
    }
    if (!strcmp(name, "cache-entries")) {
        if (!parse_uint(arg, 64, 1u << 26, &v))
            return ofs_fail(err, errlen, "%s wants 64-67108864, got '%s'", opt, arg);
        o->cache_entries = (unsigned)v;
        return 0;
    }
    if (!strcmp(name, "cache-stages")) {
        o->cache_stages_fixed = strcmp(arg, "auto") != 0;
        memset(&o->cache_stages, 0, sizeof o->cache_stages);
        if (o->cache_stages_fixed && ft_stages_parse(arg, &o->cache_stages, err, errlen))
            return -EINVAL; /* err says why. */
        return 0;
    }
    if (!strcmp(name, "packet-in-rate"))
        return parse_pin_rate(o, opt, arg, err, errlen);
    if (!strcmp(name, "stall-timeout")) {
        if (!parse_uint(arg, 0, 86400, &v))
            return ofs_fail(err, errlen, "%s wants 0-86400 seconds, got '%s'", opt, arg);
        o->stall_timeout_s = (uint32_t)v;
        o->has_stall_timeout = true;
        return 0;
    }
    return ofs_fail(
        err, errlen,
        layer == OFS_FROM_ARGS ? "unknown option '%s' (try --help)" : "unknown key '%s'", opt);
}

int
ofs_opts_args(struct ofs_opts *o, int argc, char **argv, char *err, size_t errlen)
{
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
            o->help = true;
            return 0;
        }
        if (strncmp(opt, "--", 2) || !known_option(opt + 2))
            return ofs_fail(err, errlen, "unknown option '%s' (try --help)", opt);
        if (i + 1 >= argc)
            return ofs_fail(err, errlen, "%s needs an argument", opt);
        const char *arg = argv[++i];
        int r = !strcmp(opt, "--port") ? parse_port(o, arg, err, errlen)
                                       : ofs_opts_set(o, OFS_FROM_ARGS, opt + 2, arg, err, errlen);
        if (r)
            return r;
    }
    return 0;
}

int
ofs_opts_check(const struct ofs_opts *o, bool ports_optional, char *err, size_t errlen)
{
    if (!o->n_ports && !ports_optional)
        return ofs_fail(err, errlen, "no --port given (try --help)");
    for (size_t i = 0; i < o->n_ports; i++)
        for (size_t j = i + 1; j < o->n_ports; j++)
            if (!strcmp(o->ports[i].devargs, o->ports[j].devargs))
                return ofs_fail(err, errlen, "device '%s' given twice", o->ports[i].devargs);
    bool tls = false;
    for (size_t i = 0; i < o->n_controllers; i++)
        tls |= o->controllers[i].tls;
    if (tls && (!o->private_key || !o->certificate || !o->ca_cert))
        return ofs_fail(err, errlen,
                        "tls:/ptls: controllers need --private-key, --certificate "
                        "and --ca-cert");
    return 0;
}

int
ofs_opts_parse(int argc, char **argv, struct ofs_opts *o, char *err, size_t errlen)
{
    ofs_opts_init(o);
    int r = ofs_opts_args(o, argc, argv, err, errlen);
    if (r || o->help)
        return r;
    return ofs_opts_check(o, false, err, errlen);
}
