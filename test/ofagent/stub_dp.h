/* SPDX-License-Identifier: Apache-2.0 */
/*
 * stub_dp.h — a dataplane for the agent's tests: it implements
 * dataplane/include/dp_control.h without DPDK over a real ft_pipeline, and adds
 * hooks to drive it.
 *
 * What it does: dp_commit commits and reclaims until settled (no worker
 * holds old versions); ports are fakes (1..n, "stubN", up, 10 Gb/s);
 * stub_dp_inject() parses a frame (ft_parse), walks the committed
 * pipeline (ft_walk) and executes the program as far as tests need:
 * OUTPUT ops are recorded (FLOOD/ALL expanded, IN_PORT resolved), groups
 * run their chosen buckets (SELECT: the first), CONTROLLER ops and TTL
 * expiry become packet-ins, rule/table/group/meter counters are counted.
 * Set-field and push/pop ops are not applied to the bytes (packet-ins
 * carry the frame as injected). PACKET_OUT runs its actions the same way
 * (output to TABLE walks the pipeline). Standalone mode floods with MAC
 * learning.
 *
 * Thread safety: one thread, like the agent.
 */
#ifndef TEST_STUB_DP_H
#define TEST_STUB_DP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_control.h"

#define STUB_MAX_PORTS 64

/* One frame the stub sent out of a port. */
struct stub_output {
    uint32_t in_port; /* Where it came from (or the packet-out's in_port). */
    uint32_t port;    /* Port it left by. */
    uint32_t len;
    bool packet_out; /* From a PACKET_OUT rather than an injected frame. */
    bool standalone; /* Forwarded by the L2 learning fallback. */
};

/* n_ports fake ports numbered 1..n_ports; cfg NULL for the defaults. */
struct dp *stub_dp_create(unsigned n_ports, const struct ft_pipeline_config *cfg);
void stub_dp_destroy(struct dp *dp);

/* Receive a frame on port in_port. Returns the number of outputs it made. */
int stub_dp_inject(struct dp *dp, uint32_t in_port, const uint8_t *frame, size_t len);

/* Link up/down (a PORT_STATUS MODIFY event follows). -ENOENT if absent. */
int stub_dp_set_link(struct dp *dp, uint32_t port_no, bool up);

/* Queue a packet-in as a worker would (copied), e.g. with pipeline
 * fields the stub's executor does not track (metadata, tunnel id). */
int stub_dp_push_packet_in(struct dp *dp, const struct dp_packet_in *pin);

/* Every output so far (oldest first), and forgetting them. */
size_t stub_dp_n_outputs(const struct dp *dp);
const struct stub_output *stub_dp_output(const struct dp *dp, size_t i);
void stub_dp_clear_outputs(struct dp *dp);
/* Called for each output as it happens (e.g. to log it). */
void stub_dp_set_output_hook(struct dp *dp, void (*fn)(void *aux, const struct stub_output *o),
                             void *aux);

/* What the agent told the dataplane. */
bool stub_dp_standalone(const struct dp *dp);
bool stub_dp_invalid_ttl(const struct dp *dp);
enum dp_frag_mode stub_dp_frag(const struct dp *dp);
uint16_t stub_dp_miss_send_len(const struct dp *dp);
unsigned stub_dp_commits(const struct dp *dp);     /* dp_commit calls that published something. */
unsigned stub_dp_packet_outs(const struct dp *dp); /* dp_packet_out calls. */
size_t stub_dp_pending_packet_ins(const struct dp *dp);

#endif /* TEST_STUB_DP_H */
