/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_pcapng_int.h — a minimal pcapng writer (one section, one Ethernet
 * interface, nanosecond timestamps, the direction of each frame), what
 * ofswitch-ctl capture writes and Wireshark reads.
 *
 * Thread safety: a writer belongs to its caller.
 */
#ifndef OFA_PCAPNG_INT_H
#define OFA_PCAPNG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Write the section and interface headers to f (opened "wb"). 0 or -errno. */
int ofa_pcapng_begin(FILE *f, const char *if_name);

/* One frame: ts_ns since the epoch; len the frame's length; data its first
 * caplen bytes; sent = outbound (else inbound). 0 or -errno. */
int ofa_pcapng_frame(FILE *f, uint64_t ts_ns, uint32_t len, const uint8_t *data, uint32_t caplen,
                     bool sent);

#endif /* OFA_PCAPNG_INT_H */
