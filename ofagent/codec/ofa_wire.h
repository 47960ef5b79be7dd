/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_wire.h — INTERNAL to the codec files of ofagent: OpenFlow 1.3.5
 * wire constants and sizes, and the functions the per-family codec files
 * share. Wire layouts are described as byte offsets (comments give the
 * spec's struct) and read/written with the byte helpers of ofa_buf.h, so
 * no wire struct, packing or unaligned access exists anywhere.
 *
 * Conventions of the decoders here: `p` points at the first byte of the
 * object, `len` is how many bytes the object may use (already checked to
 * lie inside the message). Decoders return FT_OK or the spec's error and
 * never keep anything allocated on error. Encoders append to a struct
 * ofa_buf and return 0 or -errno; allocation failure is sticky in the
 * buffer and reported by the caller that finishes the message.
 *
 * Thread safety: as ofa_msg.h.
 */
#ifndef OFA_WIRE_H
#define OFA_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "ofa_msg.h"

/* ofp_header: version(1) type(1) length(2) xid(4). */
#define OFP_HEADER_LEN 8

/* ofp_match: type(2) length(2) oxm_fields... pad to 8. */
#define OFPMT_OXM             1
#define OFP_MATCH_HEADER_LEN  4
#define OFPXMC_OPENFLOW_BASIC 0x8000u
#define OXM_HEADER_LEN        4

/* ofp_instruction: type(2) len(2). */
#define OFPIT_EXPERIMENTER   0xffffu
#define OFP_INST_GOTO_LEN    8  /* table_id(1) pad(3) */
#define OFP_INST_META_LEN    24 /* pad(4) metadata(8) mask(8) */
#define OFP_INST_ACTIONS_LEN 8  /* pad(4) actions... */
#define OFP_INST_METER_LEN   8  /* meter_id(4) */

/* ofp_action_header: type(2) len(2). */
#define OFPAT_EXPERIMENTER    0xffffu
#define OFP_ACTION_OUTPUT_LEN 16 /* port(4) max_len(2) pad(6) */
#define OFP_ACTION_LEN        8  /* Every other fixed action. */

/* Fixed parts (header included) of the messages. */
#define OFP_HELLO_ELEM_VERSIONBITMAP     1
#define OFP_ERROR_LEN                    12 /* type(2) code(2) data */
#define OFP_ERROR_EXP_LEN                16 /* type(2)=0xffff exp_type(2) experimenter(4) data */
#define OFP_EXPERIMENTER_LEN             16 /* experimenter(4) exp_type(4) data */
#define OFP_FEATURES_REPLY_LEN           32
#define OFP_SWITCH_CONFIG_LEN            12
#define OFP_PACKET_IN_LEN                24 /* Before the match. */
#define OFP_FLOW_REMOVED_LEN             48 /* Before the match. */
#define OFP_PORT_LEN                     64
#define OFP_PORT_STATUS_LEN              (16 + OFP_PORT_LEN)
#define OFP_PACKET_OUT_LEN               24
#define OFP_FLOW_MOD_LEN                 48 /* Before the match. */
#define OFP_GROUP_MOD_LEN                16
#define OFP_BUCKET_LEN                   16
#define OFP_PORT_MOD_LEN                 40
#define OFP_TABLE_MOD_LEN                16
#define OFP_MULTIPART_LEN                16
#define OFP_QUEUE_GET_CONFIG_REQUEST_LEN 16
#define OFP_QUEUE_GET_CONFIG_REPLY_LEN   16
#define OFP_PACKET_QUEUE_LEN             16
#define OFP_QUEUE_PROP_RATE_LEN          16
#define OFP_ROLE_LEN                     24
#define OFP_ASYNC_LEN                    32
#define OFP_METER_MOD_LEN                16
#define OFP_METER_BAND_LEN               16

#define OFPQT_MIN_RATE     1
#define OFPQT_MAX_RATE     2
#define OFPQT_EXPERIMENTER 0xffffu

/* Multipart bodies. */
#define OFP_DESC_LEN                1056
#define OFP_FLOW_STATS_REQUEST_LEN  32 /* Before the match. */
#define OFP_FLOW_STATS_LEN          48 /* Before the match. */
#define OFP_AGGREGATE_REPLY_LEN     24
#define OFP_TABLE_STATS_LEN         24
#define OFP_PORT_STATS_REQUEST_LEN  8
#define OFP_PORT_STATS_LEN          112
#define OFP_QUEUE_STATS_REQUEST_LEN 8
#define OFP_QUEUE_STATS_LEN         40
#define OFP_GROUP_STATS_REQUEST_LEN 8
#define OFP_GROUP_STATS_LEN         40
#define OFP_BUCKET_COUNTER_LEN      16
#define OFP_GROUP_DESC_LEN          8
#define OFP_GROUP_FEATURES_LEN      40
#define OFP_METER_REQUEST_LEN       8
#define OFP_METER_STATS_LEN         40
#define OFP_BAND_STATS_LEN          16
#define OFP_METER_CONFIG_LEN        8
#define OFP_METER_FEATURES_LEN      16
#define OFP_TABLE_FEATURES_LEN      64
#define OFP_TF_PROP_HEADER_LEN      4
#define OFPTFPT_EXPERIMENTER        0xfffeu
#define OFPTFPT_EXPERIMENTER_MISS   0xffffu

static inline size_t
ofa_round8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Copy a fixed-width, NUL-padded wire string into a C string of
 * wire_len + 1 bytes; and back (zero-filled). */
void ofa_str_from_wire(char *dst, const uint8_t *src, size_t wire_len);
void ofa_str_to_wire(struct ofa_buf *b, const char *src, size_t wire_len);

/* Start a message: header with length 0, patched by ofa_msg_finish.
 * Returns the offset of the message start. */
size_t ofa_msg_start(struct ofa_buf *b, uint8_t version, uint8_t type, uint32_t xid);
/* Patch the length of the message started at `start`. Returns 0, or
 * -EMSGSIZE / -ENOMEM (the caller truncates). */
int ofa_msg_finish(struct ofa_buf *b, size_t start);

/* ---- match (ofa_codec_match.c) ----------------------------------------------- */

/* Parse an ofp_match at p (avail bytes left in the enclosing object) into
 * entries; *n gets the count, *consumed the padded match length. The
 * structural checks are the codec's: BAD_TYPE, BAD_LEN, BAD_FIELD,
 * DUP_FIELD. */
enum ft_err ofa_match_decode_entries(const uint8_t *p, size_t avail, struct ft_match_entry *e,
                                     uint8_t *n, size_t *consumed);
/* The same, then ft_match_from_entries() for the spec's semantic checks. */
enum ft_err ofa_match_decode(const uint8_t *p, size_t avail, struct ft_match *m, size_t *consumed);
/* Append an ofp_match (padded) from entries or from a match. */
int ofa_match_encode_entries(struct ofa_buf *b, const struct ft_match_entry *e, size_t n);
int ofa_match_encode(struct ofa_buf *b, const struct ft_match *m);
/* Append one OXM TLV. */
int ofa_oxm_encode(struct ofa_buf *b, const struct ft_match_entry *e);

/* ---- actions and instructions (ofa_codec_actions.c) ---------------------------- */

/* Parse an action list of exactly len bytes. With out == NULL only
 * validates and counts (*n); otherwise also fills out[0..*n). */
enum ft_err ofa_actions_decode(const uint8_t *p, size_t len, struct ft_action *out, size_t *n);
/* The same, allocating *out (NULL when the list is empty). */
enum ft_err ofa_actions_decode_alloc(const uint8_t *p, size_t len, struct ft_action **out,
                                     size_t *n);
int ofa_actions_encode(struct ofa_buf *b, const struct ft_action *a, size_t n);
/* Parse an instruction list of exactly len bytes into a new ft_insts
 * (*out NULL when there is no instruction). */
enum ft_err ofa_insts_decode(const uint8_t *p, size_t len, struct ft_insts **out);
int ofa_insts_encode(struct ofa_buf *b, const struct ft_insts *in);

/* ---- per-family bodies ------------------------------------------------------------ */
/* Decoders get the whole message (header included, len = its length) and
 * fill the union member of m; encoders append the body after the header
 * that the dispatcher wrote. */

enum ft_err ofa_dec_packet_in(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_packet_out(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_flow_mod(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_flow_removed(const uint8_t *msg, size_t len, struct ofa_msg *m);
int ofa_enc_packet_in(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_packet_out(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_flow_mod(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_flow_removed(struct ofa_buf *b, const struct ofa_msg *m);

enum ft_err ofa_dec_group_mod(const uint8_t *msg, size_t len, struct ofa_msg *m);
int ofa_enc_group_mod(struct ofa_buf *b, const struct ofa_msg *m);
/* Bucket lists (group mod, group desc): err_len is the error for a bucket
 * whose length is wrong. */
enum ft_err ofa_buckets_decode(const uint8_t *p, size_t len, struct ft_bucket **out, uint32_t *n,
                               enum ft_err err_len);
int ofa_buckets_encode(struct ofa_buf *b, const struct ft_bucket *bk, uint32_t n);
void ofa_buckets_free(struct ft_bucket *bk, uint32_t n);

enum ft_err ofa_dec_meter_mod(const uint8_t *msg, size_t len, struct ofa_msg *m);
int ofa_enc_meter_mod(struct ofa_buf *b, const struct ofa_msg *m);
enum ft_err ofa_bands_decode(const uint8_t *p, size_t len, struct ft_meter_band **out, uint32_t *n);
int ofa_bands_encode(struct ofa_buf *b, const struct ft_meter_band *bd, uint32_t n);

enum ft_err ofa_port_decode(const uint8_t *p, struct ofa_port *port);
void ofa_port_encode(struct ofa_buf *b, const struct ofa_port *port);
enum ft_err ofa_dec_port_status(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_port_mod(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_queue_get_config_request(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_queue_get_config_reply(const uint8_t *msg, size_t len, struct ofa_msg *m);
int ofa_enc_port_status(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_port_mod(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_queue_get_config_request(struct ofa_buf *b, const struct ofa_msg *m);
int ofa_enc_queue_get_config_reply(struct ofa_buf *b, const struct ofa_msg *m);

/* Multipart (ofa_codec_multipart.c). The body decoder takes a body of any
 * size so the reassembler can decode concatenated parts. */
enum ft_err ofa_dec_multipart(const uint8_t *msg, size_t len, struct ofa_msg *m);
enum ft_err ofa_dec_mp_body(bool request, const uint8_t *p, size_t len, struct ofa_multipart *mp);
int ofa_enc_multipart(struct ofa_buf *b, const struct ofa_msg *m);
void ofa_mp_free(bool request, struct ofa_multipart *mp);

/* Table features (ofa_codec_table_features.c): one ofp_table_features at
 * p with avail bytes left; *consumed gets its length. */
enum ft_err ofa_table_features_decode(const uint8_t *p, size_t avail, struct ofa_table_features *tf,
                                      size_t *consumed);
int ofa_table_features_encode(struct ofa_buf *b, const struct ofa_table_features *tf);

/* Stats items of groups, meters and ports (their family files). */
enum ft_err ofa_group_stats_decode(const uint8_t *p, size_t avail, struct ofa_group_stats *gs,
                                   size_t *consumed);
int ofa_group_stats_encode(struct ofa_buf *b, const struct ofa_group_stats *gs);
enum ft_err ofa_group_desc_decode(const uint8_t *p, size_t avail, struct ofa_group_desc *gd,
                                  size_t *consumed);
int ofa_group_desc_encode(struct ofa_buf *b, const struct ofa_group_desc *gd);
void ofa_group_features_decode(const uint8_t *p, struct ft_group_features *gf);
void ofa_group_features_encode(struct ofa_buf *b, const struct ft_group_features *gf);
enum ft_err ofa_meter_stats_decode(const uint8_t *p, size_t avail, struct ofa_meter_stats *ms,
                                   size_t *consumed);
int ofa_meter_stats_encode(struct ofa_buf *b, const struct ofa_meter_stats *ms);
enum ft_err ofa_meter_config_decode(const uint8_t *p, size_t avail, struct ofa_meter_config *mc,
                                    size_t *consumed);
int ofa_meter_config_encode(struct ofa_buf *b, const struct ofa_meter_config *mc);
void ofa_meter_features_decode(const uint8_t *p, struct ft_meter_features *mf);
void ofa_meter_features_encode(struct ofa_buf *b, const struct ft_meter_features *mf);
void ofa_port_stats_decode(const uint8_t *p, struct ofa_port_stats *ps);
void ofa_port_stats_encode(struct ofa_buf *b, const struct ofa_port_stats *ps);
void ofa_queue_stats_decode(const uint8_t *p, struct ofa_queue_stats *qs);
void ofa_queue_stats_encode(struct ofa_buf *b, const struct ofa_queue_stats *qs);

#endif /* OFA_WIRE_H */
