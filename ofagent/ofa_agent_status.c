/* SPDX-License-Identifier: Apache-2.0 */
/* What the agent shows of itself (ofa_agent.h's introspection): the
 * control socket reads the agent through these, not through its struct. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ofa_agent_int.h"

static const char *
role_name(uint32_t role)
{
    return role == OFA_ROLE_MASTER ? "master" : role == OFA_ROLE_SLAVE ? "slave" : "equal";
}

static const char *
conn_state_name(enum ofa_conn_state s)
{
    switch (s) {
    case OFA_CS_CONNECTING:
        return "connecting";
    case OFA_CS_TLS:
        return "tls-handshake";
    case OFA_CS_HELLO:
        return "hello";
    case OFA_CS_ACTIVE:
        return "connected";
    case OFA_CS_CLOSING:
        return "closing";
    }
    return "?";
}

/* The target as Open vSwitch writes it, with the port a passive one bound. */
static void
target_text(const struct ofa_target *t, uint16_t bound, char *buf, size_t size)
{
    const char *scheme = t->passive ? (t->tls ? "ptls" : "ptcp") : (t->tls ? "tls" : "tcp");
    if (t->passive)
        snprintf(buf, size, "%s:%u:%s", scheme, bound ? bound : t->port, t->host);
    else
        snprintf(buf, size, "%s:%s:%u", scheme, t->host, t->port);
}

void
ofa_agent_status(const struct ofa_agent *a, struct ofa_agent_status *out)
{
    *out = (struct ofa_agent_status){
        .datapath_id = a->datapath_id,
        .fail_mode = a->fail_mode,
        .log_level = a->log_level,
        .dp = a->dp,
        .pipeline = a->p,
    };
}

size_t
ofa_agent_controllers(const struct ofa_agent *a, struct ofa_controller_status *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < a->n_slots; i++) {
        const struct ofa_slot *s = &a->slots[i];
        bool any = false;
        for (const struct ofa_conn *c = a->conns; c; c = c->next) {
            if (c->target != (int)i)
                continue;
            any = true;
            if (n < max) {
                struct ofa_controller_status *o = &out[n];
                target_text(&s->t, s->bound_port, o->target, sizeof o->target);
                o->state = conn_state_name(c->state);
                o->role = role_name(c->role);
                snprintf(o->peer, sizeof o->peer, "%s", c->peer);
                o->st = c->st;
                o->st.backlog_bytes = ofa_conn_backlog(c);
            }
            n++;
        }
        if (!any) {
            if (n < max) {
                struct ofa_controller_status *o = &out[n];
                memset(o, 0, sizeof *o);
                target_text(&s->t, s->bound_port, o->target, sizeof o->target);
                o->state = s->t.passive ? "listening" : "backoff";
            }
            n++;
        }
    }
    return n;
}

int
ofa_agent_set_log_level(struct ofa_agent *a, int level)
{
    if (level < 0 || level > 4)
        return -EINVAL;
    a->log_level = level;
    return 0;
}

void
ofa_agent_conn_totals(const struct ofa_agent *a, struct ofa_conn_stats *out)
{
    *out = a->closed_st;
    out->backlog_bytes = 0;
    for (const struct ofa_conn *c = a->conns; c; c = c->next) {
        out->packet_ins += c->st.packet_ins;
        out->pin_rate_drops += c->st.pin_rate_drops;
        out->pin_backlog_drops += c->st.pin_backlog_drops;
        out->async_drops += c->st.async_drops;
        out->backlog_bytes += ofa_conn_backlog(c);
    }
}

size_t
ofa_agent_n_connected(const struct ofa_agent *a)
{
    size_t n = 0;
    for (const struct ofa_conn *c = a->conns; c; c = c->next)
        n += c->state == OFA_CS_ACTIVE;
    return n;
}
