/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A stub dataplane over a real ft_pipeline (see stub_dp.h).
 */
#include "stub_dp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ft_group.h"
#include "ft_meter.h"
#include "ft_parse.h"
#include "ft_walk.h"

#define MAX_EVENTS 256
#define MAX_PINS   1024
#define MAC_TABLE  256

struct stub_port {
    struct dp_port_info info;
    struct dp_port_stats st;
    uint64_t created_ns;
};

struct mac_entry {
    uint8_t mac[6];
    uint32_t port;
};

struct dp {
    struct ft_pipeline *p;
    struct stub_port ports[STUB_MAX_PORTS];
    size_t n_ports;
    struct dp_port_event events[MAX_EVENTS];
    size_t n_events;
    struct dp_packet_in *pins[MAX_PINS];
    size_t pin_head, n_pins;
    struct stub_output *outs;
    size_t n_outs, cap_outs;
    void (*hook)(void *aux, const struct stub_output *o);
    void *hook_aux;
    bool standalone, invalid_ttl;
    enum dp_frag_mode frag;
    uint16_t miss_send_len;
    unsigned commits, packet_outs;
    struct mac_entry macs[MAC_TABLE];
    struct ft_walk_out *walk;
    bool stages_fixed; /* Kept for ofswitch-ctl cache-stages; the stub walks. */
    struct ft_walk_stages stages;
};

/* Context of one packet's execution. */
struct run {
    struct dp *dp;
    uint32_t in_port;
    const uint8_t *frame;
    size_t len;
    const struct ft_key *key;
    uint8_t ttl;
    bool packet_out;
    int n_out;
    bool stop;
};

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct stub_port *
port_find(struct dp *dp, uint32_t no)
{
    for (size_t i = 0; i < dp->n_ports; i++)
        if (dp->ports[i].info.port_no == no)
            return &dp->ports[i];
    return NULL;
}

static void
event(struct dp *dp, uint8_t reason, const struct dp_port_info *pi)
{
    if (dp->n_events == MAX_EVENTS) {
        memmove(dp->events, dp->events + 1, (MAX_EVENTS - 1) * sizeof dp->events[0]);
        dp->n_events--;
    }
    dp->events[dp->n_events].reason = reason;
    dp->events[dp->n_events].port = *pi;
    dp->n_events++;
}

static void
port_init(struct stub_port *sp, uint32_t no)
{
    memset(sp, 0, sizeof *sp);
    sp->info.port_no = no;
    snprintf(sp->info.name, sizeof sp->info.name, "stub%u", no);
    uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(no >> 8), (uint8_t)no};
    memcpy(sp->info.hw_addr, mac, 6);
    sp->info.state = DP_PS_LIVE;
    sp->info.curr = 0x40 | 0x800; /* OFPPF_10GB_FD | OFPPF_COPPER */
    sp->info.supported = sp->info.curr;
    sp->info.advertised = sp->info.curr;
    sp->info.curr_speed = 10000000;
    sp->info.max_speed = 10000000;
    sp->created_ns = now_ns();
}

struct dp *
stub_dp_create(unsigned n_ports, const struct ft_pipeline_config *cfg)
{
    struct dp *dp = calloc(1, sizeof *dp);
    if (!dp)
        return NULL;
    struct ft_pipeline_config def;
    ft_pipeline_config_default(&def);
    dp->p = ft_pipeline_create(cfg ? cfg : &def);
    dp->walk = malloc(sizeof *dp->walk);
    if (!dp->p || !dp->walk) {
        stub_dp_destroy(dp);
        return NULL;
    }
    if (n_ports > STUB_MAX_PORTS)
        n_ports = STUB_MAX_PORTS;
    for (unsigned i = 0; i < n_ports; i++)
        port_init(&dp->ports[i], i + 1);
    dp->n_ports = n_ports;
    dp->miss_send_len = 128;
    return dp;
}

void
stub_dp_destroy(struct dp *dp)
{
    if (!dp)
        return;
    while (dp->n_pins) {
        free(dp->pins[dp->pin_head]);
        dp->pin_head = (dp->pin_head + 1) % MAX_PINS;
        dp->n_pins--;
    }
    if (dp->p)
        ft_pipeline_destroy(dp->p);
    free(dp->walk);
    free(dp->outs);
    free(dp);
}

/* ---- dp_control.h ---------------------------------------------------------------- */

struct ft_pipeline *
dp_pipeline(struct dp *dp)
{
    return dp->p;
}

int
dp_commit(struct dp *dp)
{
    /* No worker holds an old version: commit and reclaim until nothing is
     * left (reclaim can deliver FLOW_REMOVED; the callback only queues). */
    for (int i = 0; i < 4 && ft_pipeline_dirty(dp->p); i++) {
        ft_pipeline_commit(dp->p);
        ft_pipeline_reclaim(dp->p, ft_pipeline_version(dp->p));
        dp->commits++;
    }
    ft_pipeline_reclaim(dp->p, ft_pipeline_version(dp->p));
    return 0;
}

int
dp_fold_counters(struct dp *dp)
{
    (void)dp; /* The stub counts into the rules directly. */
    return 0;
}

int
dp_port_add(struct dp *dp, uint32_t port_no, const char *devargs, char *err, size_t errlen)
{
    (void)devargs;
    if (port_find(dp, port_no))
        return -EEXIST;
    if (dp->n_ports == STUB_MAX_PORTS || port_no == 0 || port_no > FT_PORT_MAX) {
        if (err)
            snprintf(err, errlen, "stub: cannot add port %u", port_no);
        return -EINVAL;
    }
    struct stub_port *sp = &dp->ports[dp->n_ports++];
    port_init(sp, port_no);
    event(dp, DP_PORT_ADD, &sp->info);
    return 0;
}

int
dp_port_del(struct dp *dp, uint32_t port_no)
{
    struct stub_port *sp = port_find(dp, port_no);
    if (!sp)
        return -ENOENT;
    event(dp, DP_PORT_DELETE, &sp->info);
    size_t i = (size_t)(sp - dp->ports);
    memmove(sp, sp + 1, (dp->n_ports - i - 1) * sizeof *sp);
    dp->n_ports--;
    return 0;
}

int
dp_port_mod(struct dp *dp, uint32_t port_no, const uint8_t *hw_addr, uint32_t config, uint32_t mask)
{
    struct stub_port *sp = port_find(dp, port_no);
    if (!sp)
        return -ENOENT;
    if (hw_addr && memcmp(hw_addr, sp->info.hw_addr, 6))
        return -EINVAL;
    uint32_t nc = (sp->info.config & ~mask) | (config & mask);
    if (nc != sp->info.config) {
        sp->info.config = nc;
        event(dp, DP_PORT_MODIFY, &sp->info);
    }
    return 0;
}

size_t
dp_ports(struct dp *dp, struct dp_port_info *out, size_t max)
{
    for (size_t i = 0; i < dp->n_ports && i < max; i++)
        out[i] = dp->ports[i].info;
    return dp->n_ports;
}

int
dp_port_get(struct dp *dp, uint32_t port_no, struct dp_port_info *out)
{
    struct stub_port *sp = port_find(dp, port_no);
    if (!sp)
        return -ENOENT;
    *out = sp->info;
    return 0;
}

int
dp_port_stats(struct dp *dp, uint32_t port_no, struct dp_port_stats *out)
{
    struct stub_port *sp = port_find(dp, port_no);
    if (!sp)
        return -ENOENT;
    *out = sp->st;
    out->duration_ns = now_ns() - sp->created_ns;
    return 0;
}

size_t
dp_port_events(struct dp *dp, struct dp_port_event *out, size_t max)
{
    size_t n = dp->n_events < max ? dp->n_events : max;
    memcpy(out, dp->events, n * sizeof *out);
    memmove(dp->events, dp->events + n, (dp->n_events - n) * sizeof *out);
    dp->n_events -= n;
    return n;
}

size_t
dp_packet_in_pop(struct dp *dp, struct dp_packet_in **out, size_t max)
{
    size_t n = 0;
    while (n < max && dp->n_pins) {
        out[n++] = dp->pins[dp->pin_head];
        dp->pin_head = (dp->pin_head + 1) % MAX_PINS;
        dp->n_pins--;
    }
    return n;
}

void
dp_packet_in_free(struct dp *dp, struct dp_packet_in *pin)
{
    (void)dp;
    free(pin);
}

void
dp_set_config(struct dp *dp, enum dp_frag_mode frag, uint16_t miss_send_len)
{
    dp->frag = frag;
    dp->miss_send_len = miss_send_len;
}

void
dp_set_invalid_ttl_to_controller(struct dp *dp, bool on)
{
    dp->invalid_ttl = on;
}

void
dp_set_standalone(struct dp *dp, bool on)
{
    dp->standalone = on;
}

size_t
dp_worker_stats(struct dp *dp, struct dp_worker_stats *out, size_t max)
{
    (void)dp;
    (void)out;
    (void)max;
    return 0;
}

uint64_t
dp_poll_bucket_cycles(struct dp *dp, unsigned b)
{
    (void)dp;
    return b + 1 >= DP_POLL_BUCKETS ? UINT64_MAX : 1ull << (b + 11);
}

void
dp_worker_stats_clear(struct dp *dp)
{
    (void)dp;
}

void
dp_drop_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n), void *aux)
{
    (void)dp;
    fn(aux, "stub", 0);
}

uint64_t
dp_tsc_hz(struct dp *dp)
{
    (void)dp;
    return 1000000000ull;
}

void
dp_mbuf_stats(struct dp *dp, struct dp_mbuf_stats *out)
{
    (void)dp;
    memset(out, 0, sizeof *out); /* The stub has no packet buffers. */
}

/* ---- execution ---------------------------------------------------------------------- */

static void
emit(struct run *r, uint32_t port, bool standalone)
{
    struct dp *dp = r->dp;
    struct stub_port *sp = port_find(dp, port);
    if (!sp || (sp->info.config & FT_PC_PORT_DOWN) || (sp->info.state & DP_PS_LINK_DOWN))
        return;
    if (dp->n_outs == dp->cap_outs) {
        size_t ncap = dp->cap_outs ? dp->cap_outs * 2 : 64;
        struct stub_output *n = realloc(dp->outs, ncap * sizeof *n);
        if (!n)
            return;
        dp->outs = n;
        dp->cap_outs = ncap;
    }
    struct stub_output *o = &dp->outs[dp->n_outs++];
    o->in_port = r->in_port;
    o->port = port;
    o->len = (uint32_t)r->len;
    o->packet_out = r->packet_out;
    o->standalone = standalone;
    sp->st.tx_packets++;
    sp->st.tx_bytes += r->len;
    r->n_out++;
    if (dp->hook)
        dp->hook(dp->hook_aux, o);
}

static void
output(struct run *r, uint32_t port)
{
    if (port == FT_PORT_IN_PORT) {
        emit(r, r->in_port, false);
    } else if (port == FT_PORT_FLOOD || port == FT_PORT_ALL) {
        for (size_t i = 0; i < r->dp->n_ports; i++) {
            const struct dp_port_info *pi = &r->dp->ports[i].info;
            if (pi->port_no == r->in_port)
                continue;
            if (port == FT_PORT_FLOOD && (pi->config & FT_PC_NO_FWD))
                continue;
            emit(r, pi->port_no, false);
        }
    } else if (port != r->in_port && port <= FT_PORT_MAX) {
        emit(r, port, false); /* The executor drops an output to the ingress port. */
    }
}

static void
packet_in(struct run *r, uint8_t reason, uint16_t max_len, uint8_t table, uint64_t cookie,
          uint64_t metadata)
{
    struct dp *dp = r->dp;
    if (dp->n_pins == MAX_PINS)
        return; /* Ring full: dropped (a real dataplane counts it). */
    size_t n = r->len;
    if (max_len != FT_CML_NO_BUFFER && n > max_len)
        n = max_len;
    struct dp_packet_in *pin = calloc(1, sizeof *pin + n);
    if (!pin)
        return;
    pin->reason = reason;
    pin->table_id = table;
    pin->max_len = max_len;
    pin->total_len = (uint32_t)r->len;
    pin->cookie = cookie;
    pin->in_port = r->key->in_port;
    pin->in_phy_port = r->key->in_phy_port;
    pin->metadata = metadata; /* As the op carries it: written on the way. */
    pin->tunnel_id = r->key->tunnel_id;
    pin->data_len = (uint32_t)n;
    memcpy(pin->data, r->frame, n);
    dp->pins[(dp->pin_head + dp->n_pins) % MAX_PINS] = pin;
    dp->n_pins++;
}

static void exec_ops(struct run *r, const struct ft_op *ops, size_t n);

static void
exec_group(struct run *r, const struct ft_op *g, const struct ft_op *body)
{
    struct dp *dp = r->dp;
    uint64_t v = ft_pipeline_version(dp->p);
    const struct ft_group *grp = ft_pipeline_group_find(dp->p, v, g->a32);
    size_t j = 0;
    bool ran = false;
    for (unsigned b = 0; b < g->a16 && j < g->a64; b++) {
        const struct ft_op *bk = &body[j];
        size_t cnt = bk->a32;
        bool run = g->b8 != FT_GT_SELECT || !ran;
        if (run) {
            /* ft_group_add_stats counts the group with the bucket, so only
             * the first bucket run is counted (ALL groups: the others are
             * not; flowtable has no bucket-only counter). */
            if (grp && !ran)
                ft_group_add_stats(grp, bk->a16, 1, r->len);
            /* Buckets run on clones: a stop in one does not end the others. */
            struct run sub = *r;
            sub.stop = false;
            exec_ops(&sub, body + j + 1, cnt);
            r->n_out = sub.n_out;
            ran = true;
        }
        j += 1 + cnt;
    }
    if (grp && !ran)
        ft_group_add_stats(grp, UINT32_MAX, 1, r->len);
}

static void
exec_ops(struct run *r, const struct ft_op *ops, size_t n)
{
    struct dp *dp = r->dp;
    for (size_t i = 0; i < n && !r->stop; i++) {
        const struct ft_op *op = &ops[i];
        switch (op->type) {
        case FT_OP_OUTPUT:
            output(r, op->a32);
            break;
        case FT_OP_CONTROLLER:
            packet_in(r, op->b8, op->a16, (uint8_t)op->a32, op->a64, op->value.u64);
            break;
        case FT_OP_DEC_NW_TTL:
        case FT_OP_DEC_MPLS_TTL:
            if (r->ttl <= 1) {
                if (dp->invalid_ttl)
                    packet_in(r, FT_PR_INVALID_TTL, dp->miss_send_len, (uint8_t)op->a32, op->a64,
                              op->value.u64);
                r->stop = true;
            } else {
                r->ttl--;
            }
            break;
        case FT_OP_SET_NW_TTL:
        case FT_OP_SET_MPLS_TTL:
            r->ttl = op->b8;
            break;
        case FT_OP_METER: {
            const struct ft_meter *m =
                ft_pipeline_meter_find(dp->p, ft_pipeline_version(dp->p), op->a32);
            if (m)
                ft_meter_add_stats(m, UINT32_MAX, 1, r->len);
            break;
        }
        case FT_OP_GROUP:
            exec_group(r, op, ops + i + 1);
            i += op->a64;
            break;
        default:
            break; /* Header rewrites are not applied by the stub. */
        }
    }
}

static void
standalone_forward(struct run *r)
{
    struct dp *dp = r->dp;
    const uint8_t *dst = r->frame, *src = r->frame + 6;
    struct mac_entry *e = &dp->macs[(src[4] ^ src[5]) % MAC_TABLE];
    memcpy(e->mac, src, 6);
    e->port = r->in_port;
    const struct mac_entry *d = &dp->macs[(dst[4] ^ dst[5]) % MAC_TABLE];
    if (!(dst[0] & 1) && d->port && !memcmp(d->mac, dst, 6)) {
        if (d->port != r->in_port)
            emit(r, d->port, true);
        return;
    }
    for (size_t i = 0; i < dp->n_ports; i++)
        if (dp->ports[i].info.port_no != r->in_port)
            emit(r, dp->ports[i].info.port_no, true);
}

int
stub_dp_inject(struct dp *dp, uint32_t in_port, const uint8_t *frame, size_t len)
{
    struct stub_port *sp = port_find(dp, in_port);
    if (!sp)
        return -ENOENT;
    sp->st.rx_packets++;
    sp->st.rx_bytes += len;
    if (sp->info.config & (FT_PC_NO_RECV | FT_PC_PORT_DOWN)) {
        sp->st.rx_dropped++;
        return 0;
    }
    struct ft_port_meta meta = {.in_port = in_port, .in_phy_port = in_port};
    struct ft_key key;
    struct ft_layout lay;
    ft_parse(frame, len, &meta, &key, &lay);
    struct run r = {
        .dp = dp, .in_port = in_port, .frame = frame, .len = len, .key = &key, .ttl = lay.ip_ttl};
    if (len < 14)
        return 0;
    if (dp->standalone) {
        standalone_forward(&r);
        return r.n_out;
    }
    if (dp->frag == DP_FRAG_DROP && (key.ip_frag & FT_FRAG_ANY))
        return 0;
    uint64_t v = ft_pipeline_version(dp->p);
    struct ft_walk_out *w = dp->walk;
    ft_walk(dp->p, v, &key, w);
    uint64_t now = now_ns();
    for (unsigned i = 0; i < w->n_visits; i++) {
        const struct ft_walk_visit *vi = &w->visits[i];
        ft_pipeline_table_count(dp->p, vi->table_id, 1, vi->rule ? 1 : 0);
        if (vi->rule)
            ft_rule_add_stats(vi->rule, 1, len, now);
    }
    exec_ops(&r, w->ops, w->n_ops);
    return r.n_out;
}

int
dp_packet_out(struct dp *dp, uint32_t in_port, const struct ft_action *actions, size_t n,
              const uint8_t *data, size_t len)
{
    dp->packet_outs++;
    struct ft_port_meta meta = {.in_port = in_port, .in_phy_port = in_port};
    struct ft_key key;
    struct ft_layout lay;
    ft_parse(data, len, &meta, &key, &lay);
    struct ft_walk_out *w = dp->walk;
    ft_walk_packet_out(dp->p, ft_pipeline_version(dp->p), &key, actions, n, w);
    struct run r = {.dp = dp,
                    .in_port = in_port,
                    .frame = data,
                    .len = len,
                    .key = &key,
                    .ttl = lay.ip_ttl,
                    .packet_out = true};
    exec_ops(&r, w->ops, w->n_ops);
    return 0;
}

/* ---- test hooks ------------------------------------------------------------------------ */

int
stub_dp_set_link(struct dp *dp, uint32_t port_no, bool up)
{
    struct stub_port *sp = port_find(dp, port_no);
    if (!sp)
        return -ENOENT;
    uint32_t st = up ? DP_PS_LIVE : DP_PS_LINK_DOWN;
    if (st != sp->info.state) {
        sp->info.state = st;
        event(dp, DP_PORT_MODIFY, &sp->info);
    }
    return 0;
}

int
stub_dp_push_packet_in(struct dp *dp, const struct dp_packet_in *pin)
{
    if (dp->n_pins == MAX_PINS)
        return -ENOBUFS;
    struct dp_packet_in *copy = malloc(sizeof *pin + pin->data_len);
    if (!copy)
        return -ENOMEM;
    memcpy(copy, pin, sizeof *pin + pin->data_len);
    dp->pins[(dp->pin_head + dp->n_pins) % MAX_PINS] = copy;
    dp->n_pins++;
    return 0;
}

size_t
stub_dp_n_outputs(const struct dp *dp)
{
    return dp->n_outs;
}

const struct stub_output *
stub_dp_output(const struct dp *dp, size_t i)
{
    return i < dp->n_outs ? &dp->outs[i] : NULL;
}

void
stub_dp_clear_outputs(struct dp *dp)
{
    dp->n_outs = 0;
}

void
stub_dp_set_output_hook(struct dp *dp, void (*fn)(void *aux, const struct stub_output *o),
                        void *aux)
{
    dp->hook = fn;
    dp->hook_aux = aux;
}

bool
stub_dp_standalone(const struct dp *dp)
{
    return dp->standalone;
}

bool
stub_dp_invalid_ttl(const struct dp *dp)
{
    return dp->invalid_ttl;
}

enum dp_frag_mode
stub_dp_frag(const struct dp *dp)
{
    return dp->frag;
}

uint16_t
stub_dp_miss_send_len(const struct dp *dp)
{
    return dp->miss_send_len;
}

unsigned
stub_dp_commits(const struct dp *dp)
{
    return dp->commits;
}

unsigned
stub_dp_packet_outs(const struct dp *dp)
{
    return dp->packet_outs;
}

size_t
stub_dp_pending_packet_ins(const struct dp *dp)
{
    return dp->n_pins;
}

size_t
dp_cache_stats(struct dp *dp, struct dp_cache_info *out, size_t max)
{
    (void)dp;
    (void)out;
    (void)max;
    return 0; /* The stub walks every packet: no worker, no cache. */
}

int
dp_set_stages(struct dp *dp, bool automatic, const struct ft_walk_stages *fixed)
{
    struct ft_walk_stages none;
    memset(&none, 0, sizeof none);
    const struct ft_walk_stages *st = automatic || !fixed ? &none : fixed;
    unsigned n = 1;
    for (unsigned t = 1; t < FT_N_TABLES; t++)
        n += ft_stage_starts_at(st, t);
    if (n > FT_MAX_STAGES)
        return -EINVAL;
    dp->stages_fixed = !automatic;
    dp->stages = *st;
    return 0;
}

void
dp_get_stages(struct dp *dp, bool *automatic, struct ft_walk_stages *now)
{
    *automatic = !dp->stages_fixed;
    *now = dp->stages;
}

int
dp_flush_caches(struct dp *dp)
{
    (void)dp;
    return 0; /* The stub walks every packet: nothing is cached. */
}

void
dp_stages_tick(struct dp *dp, uint64_t now_ns)
{
    (void)dp;
    (void)now_ns;
}

/* The stub has no frames of its own to copy: captures see none. */
int
dp_capture_start(struct dp *dp, uint32_t port_no)
{
    (void)dp;
    (void)port_no;
    return -ENOTSUP;
}

void
dp_capture_stop(struct dp *dp)
{
    (void)dp;
}

size_t
dp_capture_pop(struct dp *dp, struct dp_captured **out, size_t max)
{
    (void)dp;
    (void)out;
    (void)max;
    return 0;
}

void
dp_capture_free(struct dp *dp, struct dp_captured *c)
{
    (void)dp;
    free(c);
}

void
dp_note_counters(struct dp *dp, void (*fn)(void *aux, const char *name, uint64_t n), void *aux)
{
    (void)dp;
    fn(aux, "stub", 0);
}

uint64_t
dp_now_ns(struct dp *dp)
{
    (void)dp;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
