/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_msg.h — every OpenFlow 1.3 message, both directions, as host-order
 * structs built on flowtable's types, and the codec that turns them into
 * wire bytes and back. No wire struct leaves ofagent's codec files.
 *
 * Ownership: a message filled by ofa_decode() owns every array it points
 * to (actions, instructions, buckets, bands, stats lists) and releases
 * them in ofa_msg_free(). Byte payloads (`data` members: packet bytes,
 * echo/error/experimenter data) are NOT copied: they point into the
 * buffer given to ofa_decode() and are valid only while that buffer is.
 * A message built by a caller for ofa_encode() is only read; the caller
 * keeps ownership of what it points to and must not call ofa_msg_free()
 * on it unless it allocated exactly as the decoder does (malloc'd arrays).
 *
 * Errors: ofa_decode() returns FT_OK or the enum ft_err the spec names for
 * the malformation (the value to send back with ofa_encode_error()).
 * Encoders return 0 or -errno (-EINVAL for a model the wire cannot carry,
 * -EMSGSIZE for an item or message above 65535 bytes, -ENOMEM); on error
 * nothing is appended.
 *
 * Thread safety: all functions touch only their arguments; none keeps
 * state between calls except a struct ofa_mp_reasm the caller owns.
 */
#ifndef OFA_MSG_H
#define OFA_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_action.h"
#include "ft_err.h"
#include "ft_group.h"
#include "ft_match.h"
#include "ft_meter.h"
#include "ft_pipeline.h"
#include "ofa_buf.h"

#define OFA_VERSION     0x04  /* OpenFlow 1.3 on the wire. */
#define OFA_HEADER_LEN  8     /* Every message starts with this many bytes. */
#define OFA_MAX_MSG_LEN 65535 /* The header's 16-bit length field. */
#define OFA_NO_BUFFER   0xffffffffu

/* What ofa_decode() returns when it cannot allocate: OpenFlow 1.3 has no
 * "out of resources" code for a general request, and EPERM ("the switch
 * will not do this now") is the closest; the agent may also just close. */
#define OFA_ERR_NOMEM FT_ERR_BAD_REQUEST_EPERM

/* Message types: the OFPT_* numbers. */
enum ofa_type {
    OFA_HELLO = 0,
    OFA_ERROR = 1,
    OFA_ECHO_REQUEST = 2,
    OFA_ECHO_REPLY = 3,
    OFA_EXPERIMENTER = 4,
    OFA_FEATURES_REQUEST = 5,
    OFA_FEATURES_REPLY = 6,
    OFA_GET_CONFIG_REQUEST = 7,
    OFA_GET_CONFIG_REPLY = 8,
    OFA_SET_CONFIG = 9,
    OFA_PACKET_IN = 10,
    OFA_FLOW_REMOVED = 11,
    OFA_PORT_STATUS = 12,
    OFA_PACKET_OUT = 13,
    OFA_FLOW_MOD = 14,
    OFA_GROUP_MOD = 15,
    OFA_PORT_MOD = 16,
    OFA_TABLE_MOD = 17,
    OFA_MULTIPART_REQUEST = 18,
    OFA_MULTIPART_REPLY = 19,
    OFA_BARRIER_REQUEST = 20,
    OFA_BARRIER_REPLY = 21,
    OFA_QUEUE_GET_CONFIG_REQUEST = 22,
    OFA_QUEUE_GET_CONFIG_REPLY = 23,
    OFA_ROLE_REQUEST = 24,
    OFA_ROLE_REPLY = 25,
    OFA_GET_ASYNC_REQUEST = 26,
    OFA_GET_ASYNC_REPLY = 27,
    OFA_SET_ASYNC = 28,
    OFA_METER_MOD = 29,
    OFA_N_TYPES
};

/* Multipart types: the OFPMP_* numbers. */
enum ofa_mp_type {
    OFA_MP_DESC = 0,
    OFA_MP_FLOW = 1,
    OFA_MP_AGGREGATE = 2,
    OFA_MP_TABLE = 3,
    OFA_MP_PORT_STATS = 4,
    OFA_MP_QUEUE = 5,
    OFA_MP_GROUP = 6,
    OFA_MP_GROUP_DESC = 7,
    OFA_MP_GROUP_FEATURES = 8,
    OFA_MP_METER = 9,
    OFA_MP_METER_CONFIG = 10,
    OFA_MP_METER_FEATURES = 11,
    OFA_MP_TABLE_FEATURES = 12,
    OFA_MP_PORT_DESC = 13,
    OFA_MP_EXPERIMENTER = 0xffff,
};

/* OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE: the same bit in both directions. */
#define OFA_MPF_MORE 0x0001

/* ---- simple messages ---------------------------------------------------------- */

/* HELLO: the version bitmap element, if any (unknown elements are skipped
 * on decode, as the spec asks). Words beyond OFA_HELLO_MAX_WORDS are
 * dropped (versions above 255 cannot exist with an 8-bit version). */
#define OFA_HELLO_MAX_WORDS 8
struct ofa_hello {
    uint8_t n_words; /* 0: no version bitmap element. */
    uint32_t bitmap[OFA_HELLO_MAX_WORDS];
};

/* ERROR. For an experimenter error (wire type 0xffff) `experimenter` is
 * set, err is ft_err_from_type_code(0xffff, exp_type) and exp_type/exp_id
 * are the wire values. */
struct ofa_error {
    enum ft_err err;
    bool experimenter;
    uint16_t exp_type;
    uint32_t exp_id;
    const uint8_t *data; /* Borrowed (see file comment). */
    size_t data_len;
};

/* ECHO_REQUEST / ECHO_REPLY payload. */
struct ofa_echo {
    const uint8_t *data; /* Borrowed. */
    size_t data_len;
};

/* OFPT_EXPERIMENTER: decoded so the handler can answer BAD_EXPERIMENTER
 * (ofswitch knows no experimenter). */
struct ofa_experimenter {
    uint32_t experimenter;
    uint32_t exp_type;
    const uint8_t *data; /* Borrowed. */
    size_t data_len;
};

struct ofa_features {
    uint64_t datapath_id;
    uint32_t n_buffers;
    uint8_t n_tables;
    uint8_t auxiliary_id;
    uint32_t capabilities; /* OFPC_* */
};

/* GET_CONFIG_REPLY, SET_CONFIG. */
struct ofa_switch_config {
    uint16_t flags; /* OFPC_FRAG_* */
    uint16_t miss_send_len;
};

/* OFPR_* */
enum ofa_packet_in_reason {
    OFA_PR_NO_MATCH = 0,
    OFA_PR_ACTION = 1,
    OFA_PR_INVALID_TTL = 2,
};

/* PACKET_IN: the match is kept as entries (pipeline fields, in the order
 * received or to be sent). */
struct ofa_packet_in {
    uint32_t buffer_id;
    uint16_t total_len;
    uint8_t reason; /* enum ofa_packet_in_reason. */
    uint8_t table_id;
    uint64_t cookie;
    uint8_t n_match;
    struct ft_match_entry match[FT_MATCH_MAX_ENTRIES];
    const uint8_t *data; /* Borrowed: the Ethernet frame. */
    size_t data_len;
};

/* A port as OFPT_PORT_STATUS and PORT_DESC carry it. */
#define OFA_PORT_NAME_LEN 16
struct ofa_port {
    uint32_t port_no;
    uint8_t hw_addr[6];
    char name[OFA_PORT_NAME_LEN + 1];           /* NUL-terminated; 16 chars fit on the wire. */
    uint32_t config;                            /* OFPPC_* */
    uint32_t state;                             /* OFPPS_* */
    uint32_t curr, advertised, supported, peer; /* OFPPF_* */
    uint32_t curr_speed, max_speed;             /* kb/s */
};

/* OFPPR_* */
enum ofa_port_reason {
    OFA_PPR_ADD = 0,
    OFA_PPR_DELETE = 1,
    OFA_PPR_MODIFY = 2,
};

struct ofa_port_status {
    uint8_t reason; /* enum ofa_port_reason. */
    struct ofa_port port;
};

/* PACKET_OUT. Decoded actions are owned by the message. */
struct ofa_packet_out {
    uint32_t buffer_id;
    uint32_t in_port;
    size_t n_actions;
    struct ft_action *actions;
    const uint8_t *data; /* Borrowed. */
    size_t data_len;
};

/* FLOW_MOD: fm.insts is owned by a decoded message (NULL when the flow mod
 * had no instruction). The match is built and validated with
 * ft_match_from_entries(). */
struct ofa_flow_mod {
    struct ft_flow_mod fm;
    uint32_t buffer_id;
};

/* GROUP_MOD: a decoded message owns gm.buckets and each bucket's actions. */
struct ofa_group_mod {
    struct ft_group_mod gm;
};

struct ofa_port_mod {
    uint32_t port_no;
    uint8_t hw_addr[6];
    uint32_t config;
    uint32_t mask;
    uint32_t advertise;
};

struct ofa_table_mod {
    uint8_t table_id;
    uint32_t config;
};

/* METER_MOD: a decoded message owns mm.bands. */
struct ofa_meter_mod {
    struct ft_meter_mod mm;
};

/* OFPCR_ROLE_* */
enum ofa_role_kind {
    OFA_ROLE_NOCHANGE = 0,
    OFA_ROLE_EQUAL = 1,
    OFA_ROLE_MASTER = 2,
    OFA_ROLE_SLAVE = 3,
};

/* ROLE_REQUEST / ROLE_REPLY. */
struct ofa_role {
    uint32_t role; /* enum ofa_role_kind. */
    uint64_t generation_id;
};

/* GET_ASYNC_REPLY / SET_ASYNC: [0] master/equal, [1] slave. */
struct ofa_async {
    uint32_t packet_in_mask[2];
    uint32_t port_status_mask[2];
    uint32_t flow_removed_mask[2];
};

/* A queue of QUEUE_GET_CONFIG_REPLY: rates in 1/10 of a percent; a rate
 * property absent on the wire is OFA_QUEUE_RATE_NONE. */
#define OFA_QUEUE_RATE_NONE 0xffffffffu
struct ofa_queue {
    uint32_t queue_id;
    uint32_t port;
    uint32_t min_rate; /* 0..0xffff, or OFA_QUEUE_RATE_NONE. */
    uint32_t max_rate;
};

struct ofa_queue_config {
    uint32_t port;
    size_t n_queues;          /* Reply only. */
    struct ofa_queue *queues; /* Reply only; owned when decoded. */
};

/* ---- multipart bodies ----------------------------------------------------------- */

#define OFA_DESC_STR_LEN   256
#define OFA_SERIAL_NUM_LEN 32
struct ofa_desc {
    char mfr_desc[OFA_DESC_STR_LEN + 1];
    char hw_desc[OFA_DESC_STR_LEN + 1];
    char sw_desc[OFA_DESC_STR_LEN + 1];
    char serial_num[OFA_SERIAL_NUM_LEN + 1];
    char dp_desc[OFA_DESC_STR_LEN + 1];
};

/* One FLOW reply entry. insts is owned when decoded (NULL: none); when
 * encoding it may be borrowed from the pipeline's rule. */
struct ofa_flow_stats {
    uint8_t table_id;
    uint32_t duration_sec;
    uint32_t duration_nsec;
    uint16_t priority;
    uint16_t idle_timeout;
    uint16_t hard_timeout;
    uint16_t flags;
    uint64_t cookie;
    uint64_t packet_count;
    uint64_t byte_count;
    struct ft_match match;
    const struct ft_insts *insts;
};

struct ofa_aggregate_stats {
    uint64_t packet_count;
    uint64_t byte_count;
    uint32_t flow_count;
};

struct ofa_table_stats {
    uint8_t table_id;
    uint32_t active_count;
    uint64_t lookup_count;
    uint64_t matched_count;
};

struct ofa_port_stats {
    uint32_t port_no;
    uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes;
    uint64_t rx_dropped, tx_dropped, rx_errors, tx_errors;
    uint64_t rx_frame_err, rx_over_err, rx_crc_err, collisions;
    uint32_t duration_sec, duration_nsec;
};

struct ofa_queue_stats {
    uint32_t port_no;
    uint32_t queue_id;
    uint64_t tx_bytes, tx_packets, tx_errors;
    uint32_t duration_sec, duration_nsec;
};

/* Packet and byte counters of a bucket or meter band. */
struct ofa_counter {
    uint64_t packet_count;
    uint64_t byte_count;
};

struct ofa_group_stats {
    uint32_t group_id;
    uint32_t ref_count;
    uint64_t packet_count, byte_count;
    uint32_t duration_sec, duration_nsec;
    uint32_t n_buckets;
    struct ofa_counter *buckets; /* Owned when decoded. */
};

struct ofa_group_desc {
    uint8_t type; /* enum ft_group_type. */
    uint32_t group_id;
    uint32_t n_buckets;
    struct ft_bucket *buckets; /* Owned (with their actions) when decoded. */
};

struct ofa_meter_stats {
    uint32_t meter_id;
    uint32_t flow_count;
    uint64_t packet_in_count, byte_in_count;
    uint32_t duration_sec, duration_nsec;
    uint32_t n_bands;
    struct ofa_counter *bands; /* Owned when decoded. */
};

struct ofa_meter_config {
    uint16_t flags;
    uint32_t meter_id;
    uint32_t n_bands;
    struct ft_meter_band *bands; /* Owned when decoded. */
};

/* Table-feature property types (OFPTFPT_*); bit t of
 * ofa_table_features.props says property t is present. */
enum ofa_tfp {
    OFA_TFP_INSTRUCTIONS = 0,
    OFA_TFP_INSTRUCTIONS_MISS = 1,
    OFA_TFP_NEXT_TABLES = 2,
    OFA_TFP_NEXT_TABLES_MISS = 3,
    OFA_TFP_WRITE_ACTIONS = 4,
    OFA_TFP_WRITE_ACTIONS_MISS = 5,
    OFA_TFP_APPLY_ACTIONS = 6,
    OFA_TFP_APPLY_ACTIONS_MISS = 7,
    OFA_TFP_MATCH = 8,
    OFA_TFP_WILDCARDS = 10,
    OFA_TFP_WRITE_SETFIELD = 12,
    OFA_TFP_WRITE_SETFIELD_MISS = 13,
    OFA_TFP_APPLY_SETFIELD = 14,
    OFA_TFP_APPLY_SETFIELD_MISS = 15,
};
#define OFA_TFP_ALL 0xf5ffu /* Every property type above. */

/* The properties that come as a pair (regular, _MISS), as bitmaps. */
struct ofa_tf_props {
    uint32_t instructions;   /* Bit per enum ft_inst_type. */
    uint8_t next_tables[32]; /* Bit per table id (bit i%8 of byte i/8). */
    uint32_t write_actions;  /* Bit per enum ft_action_type. */
    uint32_t apply_actions;
    uint64_t write_setfield; /* Bit per enum ft_field. */
    uint64_t apply_setfield;
};

#define OFA_TABLE_NAME_LEN 32
struct ofa_table_features {
    uint8_t table_id;
    char name[OFA_TABLE_NAME_LEN + 1];
    uint64_t metadata_match;
    uint64_t metadata_write;
    uint32_t config;
    uint32_t max_entries;
    uint32_t props;            /* Bit per enum ofa_tfp present. */
    struct ofa_tf_props tf[2]; /* [0] regular, [1] _MISS variant. */
    uint64_t match;            /* Bit per enum ft_field matchable... */
    uint64_t match_maskable;   /* ...and which of those can be masked. */
    uint64_t wildcards;        /* Bit per enum ft_field. */
};

/* A MULTIPART_REQUEST or MULTIPART_REPLY (the message type tells which).
 * List bodies use `n` and the list member of `type`; decoded lists are
 * owned. Requests: FLOW/AGGREGATE use flow_req (strict = false,
 * priority = 0); PORT_STATS port_no; QUEUE queue_req; GROUP group_id;
 * METER/METER_CONFIG meter_id; TABLE_FEATURES table_features with n = 0
 * for "tell me" and n > 0 to set; the others have no body. */
struct ofa_multipart {
    uint16_t type;  /* enum ofa_mp_type. */
    uint16_t flags; /* OFA_MPF_MORE as received; the encoder adds it itself when it splits. */
    size_t n;
    union {
        struct ft_flow_filter flow_req;
        uint32_t port_no;
        struct {
            uint32_t port_no;
            uint32_t queue_id;
        } queue_req;
        uint32_t group_id;
        uint32_t meter_id;
        struct ofa_desc desc;
        struct ofa_aggregate_stats aggregate;
        struct ft_group_features group_features;
        struct ft_meter_features meter_features;
        struct ofa_flow_stats *flows;
        struct ofa_table_stats *tables;
        struct ofa_port_stats *port_stats;
        struct ofa_queue_stats *queue_stats;
        struct ofa_group_stats *group_stats;
        struct ofa_group_desc *group_descs;
        struct ofa_meter_stats *meter_stats;
        struct ofa_meter_config *meter_configs;
        struct ofa_table_features *table_features;
        struct ofa_port *ports;
    } u;
};

/* ---- the message ---------------------------------------------------------------- */

struct ofa_msg {
    uint8_t version; /* From the header; 0 when encoding means OFA_VERSION. */
    uint8_t type;    /* enum ofa_type. */
    uint32_t xid;
    union {
        struct ofa_hello hello;
        struct ofa_error error;
        struct ofa_echo echo;
        struct ofa_experimenter experimenter;
        struct ofa_features features;
        struct ofa_switch_config config;
        struct ofa_packet_in packet_in;
        struct ft_flow_removed flow_removed;
        struct ofa_port_status port_status;
        struct ofa_packet_out packet_out;
        struct ofa_flow_mod flow_mod;
        struct ofa_group_mod group_mod;
        struct ofa_port_mod port_mod;
        struct ofa_table_mod table_mod;
        struct ofa_multipart mp;
        struct ofa_queue_config queue_config;
        struct ofa_role role;
        struct ofa_async async;
        struct ofa_meter_mod meter_mod;
    } u;
};

/* ---- decoding ---------------------------------------------------------------------- */

/* The header of a message: enough to frame a stream. Returns false when
 * len < OFA_HEADER_LEN. */
struct ofa_header {
    uint8_t version;
    uint8_t type;
    uint16_t length;
    uint32_t xid;
};
bool ofa_peek_header(const uint8_t *buf, size_t len, struct ofa_header *h);

/*
 * Decode exactly one message: buf[0..len) must be the whole message (the
 * header's length must equal len). Accepts any version for HELLO (so the
 * handshake can negotiate) and only OFA_VERSION for everything else.
 * Returns FT_OK and fills *out (free with ofa_msg_free), or the error to
 * report, in which case *out holds nothing to free. Payload pointers in
 * *out point into buf (see the file comment).
 */
enum ft_err ofa_decode(const uint8_t *buf, size_t len, struct ofa_msg *out);

/* Release what a decoded message owns and zero it. Safe on a zeroed or
 * already-freed message. */
void ofa_msg_free(struct ofa_msg *m);

/* ---- encoding ---------------------------------------------------------------------- */

/*
 * Append m to b. Multipart messages whose body does not fit in one
 * 64 KiB message are split at item boundaries into as many messages as
 * needed, each with the same xid and OFA_MPF_MORE on all but the last.
 * Returns 0 or -errno (nothing appended then).
 */
int ofa_encode(struct ofa_buf *b, const struct ofa_msg *m);

/*
 * Append an OFPT_ERROR for err with the given xid. The data is the first
 * 64 bytes of the offending message (fewer if len is shorter), except for
 * HELLO_FAILED, whose data is an ASCII explanation as the spec asks (the
 * offending bytes are then ignored). Returns 0 or -errno.
 */
int ofa_encode_error(struct ofa_buf *b, uint32_t xid, enum ft_err err, const uint8_t *offending,
                     size_t len);

/* ---- multipart request reassembly ---------------------------------------------------- */

/*
 * One connection's pending multipart request: parts arriving with
 * OFA_MPF_MORE are buffered (bodies concatenated) until the part without
 * it, then decoded as one request. Only one request may be in progress;
 * the bound caps the buffered body bytes.
 */
struct ofa_mp_reasm {
    bool active;
    uint16_t mp_type;
    uint32_t xid;
    size_t max_bytes;
    struct ofa_buf body;
};

void ofa_mp_reasm_init(struct ofa_mp_reasm *r, size_t max_bytes);
/* Drop any pending request and release memory. */
void ofa_mp_reasm_reset(struct ofa_mp_reasm *r);

/*
 * Feed one raw MULTIPART_REQUEST message (the whole message, as for
 * ofa_decode). Returns:
 *   FT_OK, *done = false   buffered, nothing to answer yet;
 *   FT_OK, *done = true    *out is the complete request (flags without
 *                          OFA_MPF_MORE; free with ofa_msg_free). Its
 *                          payload pointers do not point into buf;
 *   BAD_REQUEST/MULTIPART_BUFFER_OVERFLOW  the bound was exceeded;
 *   BAD_REQUEST/BAD_MULTIPART  a part of another xid or type arrived while
 *                          one was pending;
 *   any error ofa_decode() would return for the part or the whole.
 * On any error the pending request is dropped.
 */
enum ft_err ofa_mp_reasm_feed(struct ofa_mp_reasm *r, const uint8_t *buf, size_t len,
                              struct ofa_msg *out, bool *done);

#endif /* OFA_MSG_H */
