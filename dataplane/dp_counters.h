/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dp_counters.h — the named counters of the fast path. Every packet (or
 * copy of one) the dataplane does not send is counted under exactly one
 * drop reason; "notes" count events that are not drops (an op that found
 * no header and did nothing, a packet-in queued ...).
 *
 * Thread safety: names only; the counters live in each worker
 * (dp_int.h), written by their worker and read by the agent.
 */
#ifndef DP_COUNTERS_H
#define DP_COUNTERS_H

/* X(enum suffix, name). The parse reasons come first, in the order of
 * enum ft_parse_stop (without DONE): a packet whose parse stopped early is
 * malformed or truncated and is dropped, counted, before classification. */
#define DP_DROP_REASONS(X)                                                                         \
    X(PARSE_TRUNC_L2, "parse_trunc_l2")                                                            \
    X(PARSE_TRUNC_L2_5, "parse_trunc_l2_5")                                                        \
    X(PARSE_TRUNC_L3, "parse_trunc_l3")                                                            \
    X(PARSE_BAD_L3, "parse_bad_l3")                                                                \
    X(PARSE_TRUNC_EXTHDR, "parse_trunc_exthdr")                                                    \
    X(PARSE_TRUNC_L4, "parse_trunc_l4")                                                            \
    X(PARSE_TRUNC_ND, "parse_trunc_nd")                                                            \
    X(PARSE_BAD_ND, "parse_bad_nd")                                                                \
    X(NO_RECV, "no_recv")           /* Ingress port has NO_RECV. */                                \
    X(FRAG, "frag")                 /* IP fragment with OFPC_FRAG_DROP. */                         \
    X(NO_MATCH, "no_match")         /* Table miss without a table-miss rule. */                    \
    X(ACTION_DROP, "action_drop")   /* The program sends the packet nowhere. */                    \
    X(OVERFLOW, "program_overflow") /* The program did not fit (or its continuation). */           \
    X(RECIRC_LIMIT, "recirc_limit") /* Parsed again more than DP_MAX_RECIRC times. */              \
    X(METER, "meter_drop")          /* A meter's drop band. */                                     \
    X(TTL, "ttl_invalid")           /* A TTL decrement found 0 or 1. */                            \
    X(BAD_PORT, "bad_port")         /* Output to a port that does not exist. */                    \
    X(PORT_DOWN, "port_down")       /* Output to a port with PORT_DOWN. */                         \
    X(LINK_DOWN, "link_down")       /* Output to a port whose link is down (its PMD refused). */   \
    X(NO_FWD, "no_fwd")             /* Output to a port with NO_FWD. */                            \
    X(IN_PORT, "out_to_in_port")    /* Output to the ingress port by number. */                    \
    X(NO_LOCAL, "no_local_port")    /* Output to LOCAL without a LOCAL port. */                    \
    X(NO_PACKET_IN, "no_packet_in") /* To the controller from a NO_PACKET_IN port. */              \
    X(PIN_FULL, "pin_ring_full")    /* The agent is behind on packet-ins. */                       \
    X(PIN_METER, "packet_in_meter") /* OFPM_CONTROLLER / OFPM_SLOWPATH's drop band. */             \
    X(NOMEM, "nomem")               /* No mbuf for a copy. */                                      \
    X(NO_HEADROOM, "no_headroom")   /* A push found no headroom. */                                \
    X(TX_FULL, "tx_full")           /* The TX queue took no more (link up). */                     \
    X(CAPTURE, "capture")           /* A capture copy found no buffer or room (not the frame). */  \
    X(GROUP_EMPTY, "group_no_bucket") /* A group with no bucket to run. */                         \
    X(FLOOD_EMPTY, "flood_no_port")   /* FLOOD/ALL with no port to send to. */                     \
    X(L2_SAME_PORT, "l2_same_port")   /* Standalone/NORMAL: destination is the ingress. */

#define DP_NOTES(X)                                                                                \
    X(SETFIELD_ABSENT, "setfield_absent") /* Set-field on an absent header: no-op. */              \
    X(HDROP_ABSENT, "hdrop_absent")       /* Push/pop/TTL op on an absent header: no-op. */        \
    X(METER_REMARK, "meter_remark")       /* A DSCP_REMARK band applied. */                        \
    X(METER_MISSING, "meter_missing")     /* A meter op for a meter not in the table. */           \
    X(PACKET_IN, "packet_in")             /* Packet-ins queued for the agent. */                   \
    X(L2_FLOOD, "l2_flood")               /* Standalone/NORMAL floods (unknown or multicast). */   \
    X(L2_TABLE_FULL, "l2_table_full")     /* A MAC could not be learnt. */

#define DP_ENUM_DROP(e, name) DP_DROP_##e,
enum dp_drop { DP_DROP_REASONS(DP_ENUM_DROP) DP_N_DROPS };
#undef DP_ENUM_DROP

#define DP_ENUM_NOTE(e, name) DP_NOTE_##e,
enum dp_note { DP_NOTES(DP_ENUM_NOTE) DP_N_NOTES };
#undef DP_ENUM_NOTE

const char *dp_drop_name(enum dp_drop d);
const char *dp_note_name(enum dp_note n);

#endif /* DP_COUNTERS_H */
