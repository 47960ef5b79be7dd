/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codec_vectors.h — annotated OpenFlow 1.3 messages shared by the codec
 * unit tests and the fuzz seed writer. Each vector is a string of hex
 * digits (spaces allowed) built from one literal per field, so every
 * field carries its comment. Vectors marked "ovs" are bytes that
 * `ovs-ofctl -O OpenFlow13` (Open vSwitch 3.1) sent to a test socket;
 * the others were written from the spec and checked with
 * `ovs-ofctl -O OpenFlow13 ofp-print`. `canonical` says the codec's
 * encoder reproduces the bytes exactly (OVS orders some OXMs differently).
 */
#ifndef TEST_CODEC_VECTORS_H
#define TEST_CODEC_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 42-byte ARP request 0.0.0.1/192.168.0.1 -> 192.168.0.2, used as packet data. */
#define ARP_FRAME                                                                                  \
    "ffffffffffff 000000000001 0806" /* Ethernet: broadcast <- 00:..:01, ARP */                    \
    "0001 0800 06 04 0001"           /* ARP: Ethernet/IPv4, request */                             \
    "000000000001 c0a80001"          /* sender MAC, IP */                                          \
    "000000000000 c0a80002"          /* target MAC, IP */

/* ---- symmetric and controller-to-switch messages ------------------------------------- */

#define V_HELLO_OVS                                                                                \
    "04 00 0010 00000001" /* OF1.3 HELLO, len 16, xid 1 (ovs) */                                   \
    "0001 0008 00000010"  /* VERSIONBITMAP element, len 8: bit 4 = OF1.3 */

#define V_HELLO_BARE "04 00 0008 00000002" /* HELLO without elements */

#define V_ERROR                                                                                    \
    "04 01 0014 00000005" /* ERROR, len 20, xid 5 */                                               \
    "0001 0001"           /* BAD_REQUEST / BAD_TYPE */                                             \
    "04 63 0008 00000005" /* data: the offending header (type 99) */

#define V_ERROR_EXP                                                                                \
    "04 01 0014 00000006" /* ERROR, len 20 */                                                      \
    "ffff 0007"           /* EXPERIMENTER error, exp_type 7 */                                     \
    "00002320"            /* experimenter: Nicira */                                               \
    "cafef00d"            /* data */

#define V_ECHO_REQUEST "04 02 000c 00000007" /* ECHO_REQUEST, len 12 */ "deadbeef" /* payload */
#define V_ECHO_REPLY   "04 03 0008 00000007" /* ECHO_REPLY, empty */

#define V_EXPERIMENTER                                                                             \
    "04 04 0014 00000008" /* EXPERIMENTER, len 20 */                                               \
    "00002320"            /* experimenter id */                                                    \
    "00000010"            /* exp_type */                                                           \
    "01020304"            /* data */

#define V_FEATURES_REQUEST "04 05 0008 00000009"

#define V_FEATURES_REPLY                                                                           \
    "04 06 0020 00000009" /* FEATURES_REPLY, len 32 */                                             \
    "0000 00163e000001"   /* datapath_id */                                                        \
    "00000100"            /* n_buffers 256 */                                                      \
    "fe 00 0000"          /* n_tables 254, auxiliary_id 0, pad */                                  \
    "0000004f"            /* capabilities: FLOW|TABLE|PORT|GROUP_STATS|QUEUE_STATS */              \
    "00000000"            /* reserved */

#define V_GET_CONFIG_REQUEST "04 07 0008 0000000a"
#define V_GET_CONFIG_REPLY                                                                         \
    "04 08 000c 0000000a" /* GET_CONFIG_REPLY, len 12 */                                           \
    "0000 0080"           /* flags FRAG_NORMAL, miss_send_len 128 */
#define V_SET_CONFIG "04 09 000c 0000000b" /* SET_CONFIG */ "0001 ffff" /* FRAG_DROP, NO_BUFFER */

#define V_PACKET_IN                                                                                \
    "04 0a 0054 0000000c" /* PACKET_IN, len 84 */                                                  \
    "ffffffff"            /* buffer_id NO_BUFFER */                                                \
    "002a 01 03"          /* total_len 42, reason ACTION, table 3 */                               \
    "000000000000abcd"    /* cookie */                                                             \
    "0001 000c"           /* match OXM, len 12 */                                                  \
    "80000004 00000001"   /* in_port = 1 */                                                        \
    "00000000"            /* match padding */                                                      \
    "0000"                /* pad */                                                                \
        ARP_FRAME

#define V_FLOW_REMOVED                                                                             \
    "04 0b 0048 0000000d" /* FLOW_REMOVED, len 72 */                                               \
    "0000000000001234"    /* cookie */                                                             \
    "0064 00 02"          /* priority 100, reason IDLE_TIMEOUT, table 2 */                         \
    "0000000a 1dcd6500"   /* duration 10 s 500000000 ns */                                         \
    "001e 0000"           /* idle 30, hard 0 */                                                    \
    "0000000000000007"    /* packet_count */                                                       \
    "0000000000000276"    /* byte_count */                                                         \
    "0001 0017"           /* match OXM, len 23 */                                                  \
    "80000004 00000001"   /* in_port = 1 */                                                        \
    "80000a02 0800"       /* eth_type = IPv4 */                                                    \
    "80001401 11"         /* ip_proto = UDP */                                                     \
    "00"                  /* match padding */

#define V_PORT_STATUS                                                                              \
    "04 0c 0050 0000000e"              /* PORT_STATUS, len 80 */                                   \
    "02 00000000000000"                /* reason MODIFY, pad */                                    \
    "00000001 00000000"                /* port_no 1, pad */                                        \
    "0a0000000001 0000"                /* hw_addr, pad */                                          \
    "65746831000000000000000000000000" /* name "eth1" */                                           \
    "00000001"                         /* config PORT_DOWN */                                      \
    "00000001"                         /* state LINK_DOWN */                                       \
    "00002820 00002820"                /* curr, advertised: 10GB_FD|FIBER */                       \
    "00002820 00000000"                /* supported, peer */                                       \
    "00989680 00989680"                /* curr_speed, max_speed 10 Gb/s in kb/s */

#define V_PACKET_OUT                                                                               \
    "04 0d 0052 0000000f"                  /* PACKET_OUT, len 82 */                                \
    "ffffffff"                             /* buffer_id NO_BUFFER */                               \
    "00000001"                             /* in_port 1 */                                         \
    "0010 000000000000"                    /* actions_len 16, pad */                               \
    "0000 0010 00000002 0000 000000000000" /* OUTPUT port 2, max_len 0 */                          \
        ARP_FRAME

#define V_FLOW_MOD_TCP_OVS                                                                         \
    "04 0e 0088 00000002"                  /* FLOW_MOD, len 136 (ovs) */                           \
    "0000000000001234"                     /* cookie */                                            \
    "0000000000000000"                     /* cookie_mask */                                       \
    "01 00 001e 0000 0064"                 /* table 1, ADD, idle 30, hard 0, priority 100 */       \
    "ffffffff ffffffff"                    /* buffer_id NO_BUFFER, out_port ANY */                 \
    "ffffffff 0000 0000"                   /* out_group ANY, flags 0, pad */                       \
    "0001 0021"                            /* match OXM, len 33 */                                 \
    "80000a02 0800"                        /* eth_type = IPv4 */                                   \
    "80001708 0a000000 ff000000"           /* ipv4_src = 10.0.0.0/255.0.0.0 */                     \
    "80001401 06"                          /* ip_proto = TCP */                                    \
    "80001c02 0050"                        /* tcp_dst = 80 */                                      \
    "00000000000000"                       /* match padding */                                     \
    "0004 0028 00000000"                   /* APPLY_ACTIONS, len 40 */                             \
    "0019 0010 80001804 c0a80001 00000000" /* SET_FIELD ipv4_dst = 192.168.0.1 */                  \
    "0000 0010 00000002 0000 000000000000" /* OUTPUT port 2 */                                     \
    "0001 0008 05 000000"                  /* GOTO_TABLE 5 */

#define V_FLOW_MOD_METER_OVS                                                                       \
    "04 0e 0098 00000002"                  /* FLOW_MOD, len 152 (ovs) */                           \
    "0000000000000000 0000000000000000"    /* cookie, cookie_mask */                               \
    "00 00 0000 0000 8000"                 /* table 0, ADD, no timeouts, priority 32768 */         \
    "ffffffff ffffffff ffffffff 0000 0000" /* buffer_id, out_port, out_group, flags, pad */        \
    "0001 0012"                            /* match OXM, len 18 */                                 \
    "80000004 00000003"                    /* in_port = 3 */                                       \
    "80000c02 100a"                        /* vlan_vid = PRESENT|10 */                             \
    "000000000000"                         /* match padding */                                     \
    "0006 0008 00000003"                   /* METER 3 */                                           \
    "0004 0010 00000000"                   /* APPLY_ACTIONS, len 16 */                             \
    "0012 0008 00000000"                   /* POP_VLAN */                                          \
    "0003 0018 00000000"                   /* WRITE_ACTIONS, len 24 */                             \
    "0000 0010 00000001 0000 000000000000" /* OUTPUT port 1 */                                     \
    "0002 0018 00000000"                   /* WRITE_METADATA */                                    \
    "00000000000000ff 00000000000000ff"    /* metadata 0xff / mask 0xff */                         \
    "0001 0008 02 000000"                  /* GOTO_TABLE 2 */

#define V_FLOW_MOD_VLAN_OVS                                                                        \
    "04 0e 0080 00000002"                  /* FLOW_MOD, len 128 (ovs) */                           \
    "0000000000000000 0000000000000000"    /* cookie, cookie_mask */                               \
    "00 00 0000 0000 8000"                 /* table 0, ADD, priority 32768 */                      \
    "ffffffff ffffffff ffffffff 0000 0000" /* buffer_id, out_port, out_group, flags, pad */        \
    "0001 001c"                            /* match OXM, len 28 */                                 \
    "80000004 00000001"                    /* in_port = 1 */                                       \
    "8000070c 010000000000 010000000000"   /* eth_dst = 01:00:.. / 01:00:.. (multicast bit) */     \
    "00000000"                             /* match padding */                                     \
    "0004 0030 00000000"                   /* APPLY_ACTIONS, len 48 */                             \
    "0011 0008 8100 0000"                  /* PUSH_VLAN 0x8100 */                                  \
    "0019 0010 80000c02 1064 000000000000" /* SET_FIELD vlan_vid = PRESENT|100 */                  \
    "0000 0010 fffffffd ffff 000000000000" /* OUTPUT CONTROLLER, max_len NO_BUFFER */

#define V_FLOW_MOD_IPV6_OVS                                                                        \
    "04 0e 0060 00000002"                  /* FLOW_MOD, len 96 (ovs), no instructions (drop) */    \
    "0000000000000000 0000000000000000"    /* cookie, cookie_mask */                               \
    "00 00 0000 0000 8000"                 /* table 0, ADD, priority 32768 */                      \
    "ffffffff ffffffff ffffffff 0000 0000" /* buffer_id, out_port, out_group, flags, pad */        \
    "0001 002e"                            /* match OXM, len 46 */                                 \
    "80000a02 86dd"                        /* eth_type = IPv6 */                                   \
    "80003520 20010db8000000000000000000000000" /* ipv6_src = 2001:db8::/64 ... */                 \
    "ffffffffffffffff0000000000000000"          /* ... its mask */                                 \
    "0000"                                      /* match padding */

#define V_FLOW_MOD_DELETE_OVS                                                                      \
    "04 0e 0040 00000002"                  /* FLOW_MOD, len 64 (ovs) */                            \
    "0000000000000000 0000000000000000"    /* cookie, cookie_mask */                               \
    "ff 03 0000 0000 8000"                 /* table ALL, DELETE, priority 32768 */                 \
    "ffffffff ffffffff ffffffff 0000 0000" /* buffer_id, out_port ANY, out_group ANY */            \
    "0001 000c 80000004 00000001 00000000" /* match in_port = 1, padding */

#define V_GROUP_MOD_SELECT_OVS                                                                     \
    "04 0f 0050 00000002"                  /* GROUP_MOD, len 80 (ovs) */                           \
    "0000 01 00 00000001"                  /* ADD, SELECT, pad, group 1 */                         \
    "0020 000a ffffffff ffffffff 00000000" /* bucket len 32, weight 10, no watch */                \
    "0000 0010 00000001 0000 000000000000" /*   OUTPUT 1 */                                        \
    "0020 0014 00000002 ffffffff 00000000" /* bucket len 32, weight 20, watch port 2 */            \
    "0000 0010 00000002 0000 000000000000" /*   OUTPUT 2 */

#define V_GROUP_MOD_FF_OVS                                                                         \
    "04 0f 0058 00000002"                  /* GROUP_MOD, len 88 (ovs) */                           \
    "0000 03 00 00000002"                  /* ADD, FF, pad, group 2 */                             \
    "0020 0000 00000001 ffffffff 00000000" /* bucket len 32, watch port 1 */                       \
    "0000 0010 00000001 0000 000000000000" /*   OUTPUT 1 */                                        \
    "0028 0000 00000002 ffffffff 00000000" /* bucket len 40, watch port 2 */                       \
    "0018 0008 00000000"                   /*   DEC_NW_TTL */                                      \
    "0000 0010 00000002 0000 000000000000" /*   OUTPUT 2 */

#define V_PORT_MOD                                                                                 \
    "04 10 0028 00000010" /* PORT_MOD, len 40 */                                                   \
    "00000001 00000000"   /* port_no 1, pad */                                                     \
    "0a0000000001 0000"   /* hw_addr, pad */                                                       \
    "00000001 00000001"   /* config PORT_DOWN, mask PORT_DOWN */                                   \
    "00000000 00000000"   /* advertise unchanged, pad */

#define V_TABLE_MOD "04 11 0010 00000011" /* TABLE_MOD */ "00 000000 00000000" /* table 0 */

#define V_BARRIER_REQUEST "04 14 0008 00000003" /* (ovs) */
#define V_BARRIER_REPLY   "04 15 0008 00000003"

#define V_QUEUE_GET_CONFIG_REQUEST_OVS                                                             \
    "04 16 0010 00000002" /* QUEUE_GET_CONFIG_REQUEST (ovs) */ "00000001 00000000" /* port 1 */

#define V_QUEUE_GET_CONFIG_REPLY                                                                   \
    "04 17 0040 00000002"                  /* QUEUE_GET_CONFIG_REPLY, len 64 */                    \
    "00000001 00000000"                    /* port 1, pad */                                       \
    "00000007 00000001 0030 000000000000"  /* queue 7 on port 1, len 48 */                         \
    "0001 0010 00000000 01f4 000000000000" /* MIN_RATE 50.0% */                                    \
    "0002 0010 00000000 03e8 000000000000" /* MAX_RATE 100.0% */

#define V_ROLE_REQUEST                                                                             \
    "04 18 0018 00000012" /* ROLE_REQUEST, len 24 */                                               \
    "00000002 00000000"   /* MASTER, pad */                                                        \
    "0000000000000005"    /* generation_id */
#define V_ROLE_REPLY "04 19 0018 00000012 00000002 00000000 0000000000000005"

#define V_GET_ASYNC_REQUEST "04 1a 0008 00000013"
#define V_GET_ASYNC_REPLY                                                                          \
    "04 1b 0020 00000013" /* GET_ASYNC_REPLY, len 32 */                                            \
    "00000007 00000000"   /* packet_in: master all reasons, slave none */                          \
    "00000007 00000007"   /* port_status */                                                        \
    "0000000f 00000000"   /* flow_removed */
#define V_SET_ASYNC "04 1c 0020 00000014 00000003 00000000 00000007 00000007 0000000f 00000000"

#define V_METER_MOD_DROP_OVS                                                                       \
    "04 1d 0020 00000002"                  /* METER_MOD, len 32 (ovs) */                           \
    "0000 000d 00000001"                   /* ADD, KBPS|BURST|STATS, meter 1 */                    \
    "0001 0010 000003e8 00000064 00000000" /* DROP rate 1000 burst 100 */

#define V_METER_MOD_DSCP_OVS                                                                       \
    "04 1d 0020 00000002"                   /* METER_MOD, len 32 (ovs) */                          \
    "0000 0002 00000002"                    /* ADD, PKTPS, meter 2 */                              \
    "0002 0010 000001f4 00000000 01 000000" /* DSCP_REMARK rate 500, prec_level 1 */

/* ---- multipart requests (ovs) ----------------------------------------------------------- */

#define MP_REQ(len, type) "04 12 " len " 00000002" /* MULTIPART_REQUEST */ type " 0000 00000000"

#define V_MPREQ_DESC           MP_REQ("0010", "0000")
#define V_MPREQ_TABLE          MP_REQ("0010", "0003")
#define V_MPREQ_GROUP_DESC     MP_REQ("0010", "0007")
#define V_MPREQ_GROUP_FEATURES MP_REQ("0010", "0008")
#define V_MPREQ_METER_FEATURES MP_REQ("0010", "000b")
#define V_MPREQ_TABLE_FEATURES MP_REQ("0010", "000c")
#define V_MPREQ_PORT_DESC      MP_REQ("0010", "000d")
#define V_MPREQ_FLOW                                                                               \
    MP_REQ("0038", "0001")                                                                         \
    "03 000000"                         /* table 3, pad */                                         \
    "ffffffff ffffffff 00000000"        /* out_port ANY, out_group ANY, pad */                     \
    "0000000000000000 0000000000000000" /* cookie, cookie_mask */                                  \
    "0001 0004 00000000"                /* empty match, padding */
#define V_MPREQ_AGGREGATE                                                                          \
    MP_REQ("0040", "0002")                                                                         \
    "ff 000000"                            /* all tables */                                        \
    "ffffffff ffffffff 00000000"           /* out_port ANY, out_group ANY */                       \
    "0000000000000000 0000000000000000"    /* cookie, cookie_mask */                               \
    "0001 000a 80000a02 0800 000000000000" /* match eth_type = IPv4, padding */
#define V_MPREQ_PORT_STATS   MP_REQ("0018", "0004") "00000002 00000000" /* port 2 */
#define V_MPREQ_QUEUE        MP_REQ("0018", "0005") "00000001 ffffffff" /* port 1, ALL queues */
#define V_MPREQ_GROUP        MP_REQ("0018", "0006") "fffffffc 00000000" /* group ALL */
#define V_MPREQ_METER        MP_REQ("0018", "0009") "00000001 00000000" /* meter 1 */
#define V_MPREQ_METER_CONFIG MP_REQ("0018", "000a") "00000001 00000000" /* meter 1 */

/* TABLE_FEATURES request that sets one table's properties. */
#define V_MPREQ_TABLE_FEATURES_SET                                                                 \
    MP_REQ("0080", "000c")                                                                         \
    "0070 00 0000000000"                           /* table_features len 112, table 0, pad */      \
    "636c6173736966696572"                         /* name "classifier"... */                      \
    "00000000000000000000000000000000000000000000" /* ...NUL-padded to 32 */                       \
    "ffffffffffffffff ffffffffffffffff"            /* metadata_match, metadata_write */            \
    "00000000 000f4240"                            /* config, max_entries 1000000 */               \
    "0000 000c 0001 0004 0004 0004"                /* INSTRUCTIONS: GOTO_TABLE, APPLY_ACTIONS */   \
    "00000000"                                     /* padding */                                   \
    "0002 0007 01 02 03"                           /* NEXT_TABLES 1 2 3 */                         \
    "00"                                           /* padding */                                   \
    "0008 000c 80000004 8000070c"                  /* MATCH: in_port, eth_dst maskable */          \
    "00000000"                                     /* padding */                                   \
    "000a 0008 80000606"                           /* WILDCARDS: eth_dst */

/* ---- multipart replies ------------------------------------------------------------------- */

#define MP_REP(len, type, flags)                                                                   \
    "04 13 " len " 00000002" /* MULTIPART_REPLY */ type " " flags " 00000000"

#define V_MPREP_FLOW                                                                               \
    MP_REP("0068", "0001", "0000")                                                                 \
    "0058 03 00"                        /* flow_stats len 88, table 3, pad */                      \
    "0000000a 1dcd6500"                 /* duration 10.5 s */                                      \
    "0064 001e 0000 0001"               /* priority 100, idle 30, hard 0, flags SEND_FLOW_REM */   \
    "00000000"                          /* pad */                                                  \
    "0000000000001234"                  /* cookie */                                               \
    "0000000000000007 0000000000000276" /* packet_count, byte_count */                             \
    "0001 000c 80000004 00000001 00000000" /* match in_port = 1, padding */                        \
    "0004 0018 00000000"                   /* APPLY_ACTIONS, len 24 */                             \
    "0000 0010 00000002 0000 000000000000" /* OUTPUT 2 */

#define V_MPREP_AGGREGATE                                                                          \
    MP_REP("0028", "0002", "0000")                                                                 \
    "0000000000000064 0000000000001900" /* packet_count 100, byte_count 6400 */                    \
    "00000003 00000000"                 /* flow_count 3, pad */

#define V_MPREP_TABLE_MORE                                                                         \
    MP_REP("0028", "0003", "0001")      /* REPLY_MORE set: more parts follow */                    \
    "00 000000 00000005"                /* table 0, pad, active_count 5 */                         \
    "00000000000003e8 0000000000000384" /* lookup_count 1000, matched_count 900 */

#define V_MPREP_PORT_STATS                                                                         \
    MP_REP("0080", "0004", "0000")                                                                 \
    "00000001 00000000"                 /* port 1, pad */                                          \
    "0000000000000001 0000000000000002" /* rx_packets, tx_packets */                               \
    "0000000000000003 0000000000000004" /* rx_bytes, tx_bytes */                                   \
    "0000000000000005 0000000000000006" /* rx_dropped, tx_dropped */                               \
    "0000000000000007 0000000000000008" /* rx_errors, tx_errors */                                 \
    "0000000000000009 000000000000000a" /* rx_frame_err, rx_over_err */                            \
    "000000000000000b 000000000000000c" /* rx_crc_err, collisions */                               \
    "0000000a 00000000"                 /* duration 10 s */

#define V_MPREP_QUEUE                                                                              \
    MP_REP("0038", "0005", "0000")                                                                 \
    "00000001 00000007"                                  /* port 1, queue 7 */                     \
    "0000000000000400 0000000000000010 0000000000000000" /* tx_bytes, tx_packets, tx_errors */     \
    "00000005 00000000"                                  /* duration 5 s */

#define V_MPREP_GROUP                                                                              \
    MP_REP("0058", "0006", "0000")                                                                 \
    "0048 0000 00000001"                /* group_stats len 72, pad, group 1 */                     \
    "00000002 00000000"                 /* ref_count 2, pad */                                     \
    "000000000000000a 0000000000000a00" /* packet_count, byte_count */                             \
    "00000003 00000000"                 /* duration 3 s */                                         \
    "0000000000000004 0000000000000400" /* bucket 0 counters */                                    \
    "0000000000000006 0000000000000600" /* bucket 1 counters */

#define V_MPREP_GROUP_DESC                                                                         \
    MP_REP("0038", "0007", "0000")                                                                 \
    "0028 02 00 00000005"                  /* group_desc len 40, INDIRECT, pad, group 5 */         \
    "0020 0000 ffffffff ffffffff 00000000" /* bucket len 32, no weight, no watch */                \
    "0000 0010 00000003 0000 000000000000" /*   OUTPUT 3 */

#define V_MPREP_GROUP_FEATURES                                                                     \
    MP_REP("0038", "0008", "0000")                                                                 \
    "0000000f 00000007" /* types ALL|SELECT|INDIRECT|FF; WEIGHT|LIVENESS|CHAINING */               \
    "00010000 00010000 00010000 00010000" /* max_groups per type */                                \
    "00000001 00000001 00000001 00000001" /* actions per type: OUTPUT */

#define V_MPREP_METER                                                                              \
    MP_REP("0048", "0009", "0000")                                                                 \
    "00000001 0038 000000000000"        /* meter 1, len 56, pad */                                 \
    "00000002"                          /* flow_count */                                           \
    "0000000000000064 0000000000006400" /* packet_in_count, byte_in_count */                       \
    "0000000a 00000000"                 /* duration 10 s */                                        \
    "0000000000000005 0000000000000500" /* band 0 counters */

#define V_MPREP_METER_CONFIG                                                                       \
    MP_REP("0028", "000a", "0000")                                                                 \
    "0018 000d 00000001"                   /* meter_config len 24, KBPS|BURST|STATS, meter 1 */    \
    "0001 0010 000003e8 00000064 00000000" /* DROP rate 1000 burst 100 */

#define V_MPREP_METER_FEATURES                                                                     \
    MP_REP("0020", "000b", "0000")                                                                 \
    "00010000 00000006 0000000f" /* max_meter, band_types DROP|DSCP, capabilities */               \
    "08 00 0000"                 /* max_bands 8, max_color 0, pad */

#define V_MPREP_PORT_DESC                                                                          \
    MP_REP("0050", "000d", "0000")                                                                 \
    "00000002 00000000"                   /* port_no 2, pad */                                     \
    "0a0000000002 0000"                   /* hw_addr, pad */                                       \
    "65746832000000000000000000000000"    /* name "eth2" */                                        \
    "00000000 00000004"                   /* config, state LIVE */                                 \
    "00002820 00002820 00002820 00000000" /* curr, advertised, supported, peer */                  \
    "00989680 00989680"                   /* curr_speed, max_speed */

/* Every vector, for the generic round-trip test and the fuzz seeds. */
struct codec_vector {
    const char *name;
    const char *hex;
    bool canonical; /* The encoder reproduces the bytes exactly. */
};

static const struct codec_vector codec_vectors[] = {
    {"hello_ovs", V_HELLO_OVS, true},
    {"hello_bare", V_HELLO_BARE, true},
    {"error", V_ERROR, true},
    {"error_exp", V_ERROR_EXP, true},
    {"echo_request", V_ECHO_REQUEST, true},
    {"echo_reply", V_ECHO_REPLY, true},
    {"experimenter", V_EXPERIMENTER, true},
    {"features_request", V_FEATURES_REQUEST, true},
    {"features_reply", V_FEATURES_REPLY, true},
    {"get_config_request", V_GET_CONFIG_REQUEST, true},
    {"get_config_reply", V_GET_CONFIG_REPLY, true},
    {"set_config", V_SET_CONFIG, true},
    {"packet_in", V_PACKET_IN, true},
    {"flow_removed", V_FLOW_REMOVED, true},
    {"port_status", V_PORT_STATUS, true},
    {"packet_out", V_PACKET_OUT, true},
    {"flow_mod_tcp_ovs", V_FLOW_MOD_TCP_OVS, false},
    {"flow_mod_meter_ovs", V_FLOW_MOD_METER_OVS, true},
    {"flow_mod_vlan_ovs", V_FLOW_MOD_VLAN_OVS, true},
    {"flow_mod_ipv6_ovs", V_FLOW_MOD_IPV6_OVS, true},
    {"flow_mod_delete_ovs", V_FLOW_MOD_DELETE_OVS, true},
    {"group_mod_select_ovs", V_GROUP_MOD_SELECT_OVS, true},
    {"group_mod_ff_ovs", V_GROUP_MOD_FF_OVS, true},
    {"port_mod", V_PORT_MOD, true},
    {"table_mod", V_TABLE_MOD, true},
    {"barrier_request", V_BARRIER_REQUEST, true},
    {"barrier_reply", V_BARRIER_REPLY, true},
    {"queue_get_config_request_ovs", V_QUEUE_GET_CONFIG_REQUEST_OVS, true},
    {"queue_get_config_reply", V_QUEUE_GET_CONFIG_REPLY, true},
    {"role_request", V_ROLE_REQUEST, true},
    {"role_reply", V_ROLE_REPLY, true},
    {"get_async_request", V_GET_ASYNC_REQUEST, true},
    {"get_async_reply", V_GET_ASYNC_REPLY, true},
    {"set_async", V_SET_ASYNC, true},
    {"meter_mod_drop_ovs", V_METER_MOD_DROP_OVS, true},
    {"meter_mod_dscp_ovs", V_METER_MOD_DSCP_OVS, true},
    {"mpreq_desc_ovs", V_MPREQ_DESC, true},
    {"mpreq_table_ovs", V_MPREQ_TABLE, true},
    {"mpreq_group_desc_ovs", V_MPREQ_GROUP_DESC, true},
    {"mpreq_group_features_ovs", V_MPREQ_GROUP_FEATURES, true},
    {"mpreq_meter_features_ovs", V_MPREQ_METER_FEATURES, true},
    {"mpreq_table_features_ovs", V_MPREQ_TABLE_FEATURES, true},
    {"mpreq_port_desc_ovs", V_MPREQ_PORT_DESC, true},
    {"mpreq_flow_ovs", V_MPREQ_FLOW, true},
    {"mpreq_aggregate_ovs", V_MPREQ_AGGREGATE, true},
    {"mpreq_port_stats_ovs", V_MPREQ_PORT_STATS, true},
    {"mpreq_queue_ovs", V_MPREQ_QUEUE, true},
    {"mpreq_group_ovs", V_MPREQ_GROUP, true},
    {"mpreq_meter_ovs", V_MPREQ_METER, true},
    {"mpreq_meter_config_ovs", V_MPREQ_METER_CONFIG, true},
    {"mpreq_table_features_set", V_MPREQ_TABLE_FEATURES_SET, true},
    {"mprep_flow", V_MPREP_FLOW, true},
    {"mprep_aggregate", V_MPREP_AGGREGATE, true},
    {"mprep_table_more", V_MPREP_TABLE_MORE, true},
    {"mprep_port_stats", V_MPREP_PORT_STATS, true},
    {"mprep_queue", V_MPREP_QUEUE, true},
    {"mprep_group", V_MPREP_GROUP, true},
    {"mprep_group_desc", V_MPREP_GROUP_DESC, true},
    {"mprep_group_features", V_MPREP_GROUP_FEATURES, true},
    {"mprep_meter", V_MPREP_METER, true},
    {"mprep_meter_config", V_MPREP_METER_CONFIG, true},
    {"mprep_meter_features", V_MPREP_METER_FEATURES, true},
    {"mprep_port_desc", V_MPREP_PORT_DESC, true},
};

#define N_CODEC_VECTORS (sizeof codec_vectors / sizeof codec_vectors[0])

/* Hex text (spaces allowed) to bytes; returns the byte count, or 0 on a
 * malformed string or when it does not fit. */
static inline size_t
codec_hex(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s == ' ')
            continue;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else
            return 0;
        if (hi < 0) {
            hi = v;
            continue;
        }
        if (n == cap)
            return 0;
        out[n++] = (uint8_t)(hi << 4 | v);
        hi = -1;
    }
    return hi < 0 ? n : 0;
}

#endif /* TEST_CODEC_VECTORS_H */
