/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Controller target strings, as Open vSwitch users write them:
 *   tcp:HOST[:PORT]    tls:HOST[:PORT]      dial HOST (name, IPv4, [IPv6])
 *   ptcp:[PORT][:IP]   ptls:[PORT][:IP]     listen on IP (default 127.0.0.1)
 * PORT defaults to 6653. An IPv6 address is written in brackets.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ofa_agent_int.h"

static int
fail(char *err, size_t errlen, const char *s, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", s, why);
    return -EINVAL;
}

/* "6653" -> port; passive allows 0 (an ephemeral port). */
static int
parse_port(const char *p, size_t n, bool passive, uint16_t *out)
{
    if (n == 0 || n > 5)
        return -1;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(p[i] - '0');
    }
    if (v > 65535 || (!passive && v == 0))
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* Copy a host, stripping IPv6 brackets. Returns 0 or -1. */
static int
copy_host(const char *h, size_t n, char *out)
{
    if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n == 0 || n >= OFA_HOST_LEN)
        return -1;
    memcpy(out, h, n);
    out[n] = '\0';
    return 0;
}

/* Split "A:B" where A may be a bracketed IPv6 address: returns the length
 * of A and sets *rest to B (or NULL when there is no colon after A). */
static size_t
split_first(const char *s, const char **rest)
{
    const char *c;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        c = close ? strchr(close, ':') : NULL;
    } else {
        c = strchr(s, ':');
    }
    *rest = c ? c + 1 : NULL;
    return c ? (size_t)(c - s) : strlen(s);
}

static bool
is_ip(const char *h)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, h, buf) == 1 || inet_pton(AF_INET6, h, buf) == 1;
}

int
ofa_target_parse(const char *s, struct ofa_target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->port = OFA_DEFAULT_PORT;
    if (!s)
        return fail(err, errlen, "(null)", "empty controller target");
    const char *rest;
    if (!strncmp(s, "tcp:", 4) || !strncmp(s, "tls:", 4)) {
        t->tls = s[1] == 'l';
        rest = s + 4;
    } else if (!strncmp(s, "ptcp:", 5) || !strncmp(s, "ptls:", 5)) {
        t->passive = true;
        t->tls = s[2] == 'l';
        rest = s + 5;
    } else {
        return fail(err, errlen, s, "expected tcp:, tls:, ptcp: or ptls:");
    }

    const char *second;
    size_t n = split_first(rest, &second);
    if (!t->passive) {
        /* HOST[:PORT] */
        if (copy_host(rest, n, t->host))
            return fail(err, errlen, s, "missing or invalid host");
        if (second && parse_port(second, strlen(second), false, &t->port))
            return fail(err, errlen, s, "port must be 1-65535");
        if (strchr(t->host, '[') || strchr(t->host, ']') || strchr(t->host, ' '))
            return fail(err, errlen, s, "invalid host");
        return 0;
    }
    /* [PORT][:IP] */
    if (n && parse_port(rest, n, true, &t->port))
        return fail(err, errlen, s, "port must be 0-65535");
    if (!second) {
        strcpy(t->host, "127.0.0.1");
        return 0;
    }
    if (copy_host(second, strlen(second), t->host) || !is_ip(t->host))
        return fail(err, errlen, s, "the address to listen on must be an IPv4 or [IPv6] address");
    return 0;
}

int
ofa_target_validate(const char *target, char *err, size_t errlen)
{
    struct ofa_target t;
    return ofa_target_parse(target, &t, err, errlen);
}
