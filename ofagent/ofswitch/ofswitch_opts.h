/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch_opts.h — the ofswitch command line after EAL's options:
 *
 *   ofswitch [--config FILE] [EAL options] -- [--port NUM=DEVARGS ...]
 *            [--controller TARGET ...] [--datapath-id HEX]
 *            [--fail-mode secure|standalone]
 *            [--private-key FILE --certificate FILE --ca-cert FILE]
 *            [--rxq N] [--mbufs N] [--ctl-socket PATH] [--cache-entries N]
 *            [--packet-in-rate RATE[/BURST]] [--stall-timeout SECONDS]
 *
 * NUM is an OpenFlow port number (1..0xffffff00) or LOCAL; DEVARGS a PCI
 * address or a vdev string, hot-plugged by ofswitch. TARGET is
 * tcp:HOST[:PORT], tls:HOST[:PORT] (active) or ptcp:[PORT][:IP],
 * ptls:[PORT][:IP] (passive); HOST or IP may be [IPv6]; PORT defaults to
 * 6653. tls/ptls need all three TLS files.
 *
 * Options come in layers: a configuration file (ofswitch_conf.h) first,
 * then the command line, which overrides it — a scalar replaces the
 * file's, a --port NUM replaces the file's port NUM, and the first
 * --controller replaces the file's controllers. Within one layer a port
 * number given twice is an error.
 *
 * Part of the ofswitch executable (the composition root), not of the
 * dataplane library: it only checks syntax and stores what the agent
 * will use. Thread safety: pure functions on their arguments.
 */
#ifndef OFSWITCH_OPTS_H
#define OFSWITCH_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_walk.h"

#define OFS_MAX_PORTS       32
#define OFS_MAX_CONTROLLERS 8
#define OFS_DEFAULT_OF_PORT 6653
#define OFS_PORT_LOCAL      0xfffffffeu

enum ofs_fail_mode {
    OFS_FAIL_SECURE = 0,     /* No controller: forward nothing (the default). */
    OFS_FAIL_STANDALONE = 1, /* No controller: act as an L2 learning switch. */
};

/* Where an option came from; later layers override earlier ones. */
enum ofs_layer {
    OFS_FROM_FILE = 0, /* The --config file. */
    OFS_FROM_ARGS = 1, /* The command line. */
};

/* Every string below points into argv or the configuration file's text
 * (ofswitch_conf.h), which outlive the options. */
struct ofs_port_opt {
    uint32_t port_no;
    const char *devargs;
    enum ofs_layer layer;
};

struct ofs_controller_opt {
    const char *target; /* As given ("tcp:10.0.0.1:6653"). */
    enum ofs_layer layer;
    bool passive; /* ptcp/ptls. */
    bool tls;
    char host[64]; /* Active: the host; passive: the IP to bind ("" = any). */
    uint16_t port;
};

struct ofs_opts {
    struct ofs_port_opt ports[OFS_MAX_PORTS];
    size_t n_ports;
    struct ofs_controller_opt controllers[OFS_MAX_CONTROLLERS];
    size_t n_controllers;
    uint64_t datapath_id;
    bool has_datapath_id;
    enum ofs_fail_mode fail_mode;
    const char *private_key;
    const char *certificate;
    const char *ca_cert;
    unsigned rxq;                       /* 0: one RX queue per worker. */
    unsigned n_mbufs;                   /* 0: the dataplane's default. */
    const char *ctl_socket;             /* NULL: the default path (and no error if unusable). */
    unsigned cache_entries;             /* 0: the flow cache's default. */
    bool cache_stages_fixed;            /* --cache-stages other than auto: */
    struct ft_walk_stages cache_stages; /* where the stages start. */
    bool has_packet_in_rate;
    uint32_t packet_in_rate;  /* Per controller connection; 0: unlimited. */
    uint32_t packet_in_burst; /* 0: a quarter of the rate (at least 1). */
    bool has_stall_timeout;
    uint32_t stall_timeout_s; /* 0: never close a stalled controller. */
    bool help;
};

/* Empty options: no port, every default. */
void ofs_opts_init(struct ofs_opts *o);

/* Set one option from a layer: name is the long option without "--"
 * ("controller", "fail-mode", ...; not "port"), value its argument.
 * Returns 0, or -EINVAL with a one-line reason in err; the reason names
 * the option as the layer spells it ("--rxq" or "rxq"). */
int ofs_opts_set(struct ofs_opts *o, enum ofs_layer layer, const char *name, const char *value,
                 char *err, size_t errlen);

/* Set port num ("1".."4294967040" or "LOCAL") to devargs, as ofs_opts_set. */
int ofs_opts_set_port(struct ofs_opts *o, enum ofs_layer layer, const char *num,
                      const char *devargs, char *err, size_t errlen);

/* Apply the command line (argv[0..argc) holds only our options, after
 * "--") on top of what is set. 0, or -EINVAL with err. */
int ofs_opts_args(struct ofs_opts *o, int argc, char **argv, char *err, size_t errlen);

/* The checks across options, once every layer is applied: a port (unless
 * ports_optional: a configuration file may start with none), no device
 * twice, TLS files for tls:/ptls:. 0, or -EINVAL with err. */
int ofs_opts_check(const struct ofs_opts *o, bool ports_optional, char *err, size_t errlen);

/* ofs_opts_init + ofs_opts_args + ofs_opts_check, without a file. */
int ofs_opts_parse(int argc, char **argv, struct ofs_opts *o, char *err, size_t errlen);

/* A port number as written: 1-4294967040 or "LOCAL". */
bool ofs_port_parse(const char *s, uint32_t *port_no);

/* "LOCAL" or the decimal number: how a port is written back. */
const char *ofs_port_name(uint32_t port_no, char *buf, size_t size);

/* Writes one line (printf FMT) into err (when errlen > 0); returns -EINVAL.
 * The error form of the option and configuration parsers. */
__attribute__((format(printf, 3, 4))) int ofs_fail(char *err, size_t errlen, const char *fmt, ...);

/* Usage text for --help. */
const char *ofs_opts_usage(void);

#endif /* OFSWITCH_OPTS_H */
