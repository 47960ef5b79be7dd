/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofswitch_control.h — the seam between ofswitch's main loop and its
 * control side: the OpenFlow agent over dp_control.h and the ofswitch-ctl
 * socket (ofswitch_control.c).
 *
 * Thread safety: all three run on the main lcore, the only thread that
 * calls dp_control.h.
 */
#ifndef OFSWITCH_CONTROL_H
#define OFSWITCH_CONTROL_H

#include <stdint.h>

#include "ofswitch_conf.h"
#include "ofswitch_opts.h"

struct dp;
struct ofs_control;

/* After the ports are attached. datapath_id is final (given or derived).
 * conf is the running configuration (ofswitch_conf.h), started: the
 * control socket's add-port, del-port and save reach it through
 * ofa_ctl_hooks. NULL with err on failure. */
struct ofs_control *ofs_control_create(struct dp *dp, const struct ofs_opts *opts,
                                       uint64_t datapath_id, struct ofs_conf *conf, char *err,
                                       size_t errlen);

/* One turn of the main loop; now_ns is dp_now_ns(). Returns how much work
 * was done (0: idle, the loop may sleep a little) or -errno to stop. */
int ofs_control_run(struct ofs_control *c, uint64_t now_ns);

/* Before the dataplane is destroyed. NULL is fine. */
void ofs_control_destroy(struct ofs_control *c);

#endif /* OFSWITCH_CONTROL_H */
