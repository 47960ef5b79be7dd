/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_err.h — the one error enum of ofswitch: each value IS an OpenFlow 1.3
 * error type and code, (type << 16) | code. 0 means success.
 *
 * Functions that can fail for a reason the controller must hear return an
 * enum ft_err; ofagent turns it into OFPT_ERROR with ofa_encode_error().
 * Bit 30 tags every error so that HELLO_FAILED/INCOMPATIBLE (type 0,
 * code 0) differs from FT_OK; experimenter errors are never generated.
 * Other failures use 0 / -errno (DESIGN.md convention 3).
 *
 * Thread safety: pure functions over constants.
 */
#ifndef FT_ERR_H
#define FT_ERR_H

#include <stdint.h>

#define FT_ERR_MAKE(type, code) (((uint32_t)(type) << 16) | (uint32_t)(code) | (1u << 30))

/* OpenFlow 1.3 error types (ofp_error_type). */
enum ft_err_type {
    FT_ET_HELLO_FAILED = 0,
    FT_ET_BAD_REQUEST = 1,
    FT_ET_BAD_ACTION = 2,
    FT_ET_BAD_INSTRUCTION = 3,
    FT_ET_BAD_MATCH = 4,
    FT_ET_FLOW_MOD_FAILED = 5,
    FT_ET_GROUP_MOD_FAILED = 6,
    FT_ET_PORT_MOD_FAILED = 7,
    FT_ET_TABLE_MOD_FAILED = 8,
    FT_ET_QUEUE_OP_FAILED = 9,
    FT_ET_SWITCH_CONFIG_FAILED = 10,
    FT_ET_ROLE_REQUEST_FAILED = 11,
    FT_ET_METER_MOD_FAILED = 12,
    FT_ET_TABLE_FEATURES_FAILED = 13,
    FT_ET_EXPERIMENTER = 0xffff,
};

/* X-macro: NAME, type, code. The names are the spec's, minus the OFP prefix. */
#define FT_ERR_LIST(X)                                                                             \
    X(HELLO_FAILED_INCOMPATIBLE, FT_ET_HELLO_FAILED, 0)                                            \
    X(HELLO_FAILED_EPERM, FT_ET_HELLO_FAILED, 1)                                                   \
    X(BAD_REQUEST_BAD_VERSION, FT_ET_BAD_REQUEST, 0)                                               \
    X(BAD_REQUEST_BAD_TYPE, FT_ET_BAD_REQUEST, 1)                                                  \
    X(BAD_REQUEST_BAD_MULTIPART, FT_ET_BAD_REQUEST, 2)                                             \
    X(BAD_REQUEST_BAD_EXPERIMENTER, FT_ET_BAD_REQUEST, 3)                                          \
    X(BAD_REQUEST_BAD_EXP_TYPE, FT_ET_BAD_REQUEST, 4)                                              \
    X(BAD_REQUEST_EPERM, FT_ET_BAD_REQUEST, 5)                                                     \
    X(BAD_REQUEST_BAD_LEN, FT_ET_BAD_REQUEST, 6)                                                   \
    X(BAD_REQUEST_BUFFER_EMPTY, FT_ET_BAD_REQUEST, 7)                                              \
    X(BAD_REQUEST_BUFFER_UNKNOWN, FT_ET_BAD_REQUEST, 8)                                            \
    X(BAD_REQUEST_BAD_TABLE_ID, FT_ET_BAD_REQUEST, 9)                                              \
    X(BAD_REQUEST_IS_SLAVE, FT_ET_BAD_REQUEST, 10)                                                 \
    X(BAD_REQUEST_BAD_PORT, FT_ET_BAD_REQUEST, 11)                                                 \
    X(BAD_REQUEST_BAD_PACKET, FT_ET_BAD_REQUEST, 12)                                               \
    X(BAD_REQUEST_MULTIPART_BUFFER_OVERFLOW, FT_ET_BAD_REQUEST, 13)                                \
    X(BAD_ACTION_BAD_TYPE, FT_ET_BAD_ACTION, 0)                                                    \
    X(BAD_ACTION_BAD_LEN, FT_ET_BAD_ACTION, 1)                                                     \
    X(BAD_ACTION_BAD_EXPERIMENTER, FT_ET_BAD_ACTION, 2)                                            \
    X(BAD_ACTION_BAD_EXP_TYPE, FT_ET_BAD_ACTION, 3)                                                \
    X(BAD_ACTION_BAD_OUT_PORT, FT_ET_BAD_ACTION, 4)                                                \
    X(BAD_ACTION_BAD_ARGUMENT, FT_ET_BAD_ACTION, 5)                                                \
    X(BAD_ACTION_EPERM, FT_ET_BAD_ACTION, 6)                                                       \
    X(BAD_ACTION_TOO_MANY, FT_ET_BAD_ACTION, 7)                                                    \
    X(BAD_ACTION_BAD_QUEUE, FT_ET_BAD_ACTION, 8)                                                   \
    X(BAD_ACTION_BAD_OUT_GROUP, FT_ET_BAD_ACTION, 9)                                               \
    X(BAD_ACTION_MATCH_INCONSISTENT, FT_ET_BAD_ACTION, 10)                                         \
    X(BAD_ACTION_UNSUPPORTED_ORDER, FT_ET_BAD_ACTION, 11)                                          \
    X(BAD_ACTION_BAD_TAG, FT_ET_BAD_ACTION, 12)                                                    \
    X(BAD_ACTION_BAD_SET_TYPE, FT_ET_BAD_ACTION, 13)                                               \
    X(BAD_ACTION_BAD_SET_LEN, FT_ET_BAD_ACTION, 14)                                                \
    X(BAD_ACTION_BAD_SET_ARGUMENT, FT_ET_BAD_ACTION, 15)                                           \
    X(BAD_INSTRUCTION_UNKNOWN_INST, FT_ET_BAD_INSTRUCTION, 0)                                      \
    X(BAD_INSTRUCTION_UNSUP_INST, FT_ET_BAD_INSTRUCTION, 1)                                        \
    X(BAD_INSTRUCTION_BAD_TABLE_ID, FT_ET_BAD_INSTRUCTION, 2)                                      \
    X(BAD_INSTRUCTION_UNSUP_METADATA, FT_ET_BAD_INSTRUCTION, 3)                                    \
    X(BAD_INSTRUCTION_UNSUP_METADATA_MASK, FT_ET_BAD_INSTRUCTION, 4)                               \
    X(BAD_INSTRUCTION_BAD_EXPERIMENTER, FT_ET_BAD_INSTRUCTION, 5)                                  \
    X(BAD_INSTRUCTION_BAD_EXP_TYPE, FT_ET_BAD_INSTRUCTION, 6)                                      \
    X(BAD_INSTRUCTION_BAD_LEN, FT_ET_BAD_INSTRUCTION, 7)                                           \
    X(BAD_INSTRUCTION_EPERM, FT_ET_BAD_INSTRUCTION, 8)                                             \
    X(BAD_INSTRUCTION_DUP_INST, FT_ET_BAD_INSTRUCTION, 9)                                          \
    X(BAD_MATCH_BAD_TYPE, FT_ET_BAD_MATCH, 0)                                                      \
    X(BAD_MATCH_BAD_LEN, FT_ET_BAD_MATCH, 1)                                                       \
    X(BAD_MATCH_BAD_TAG, FT_ET_BAD_MATCH, 2)                                                       \
    X(BAD_MATCH_BAD_DL_ADDR_MASK, FT_ET_BAD_MATCH, 3)                                              \
    X(BAD_MATCH_BAD_NW_ADDR_MASK, FT_ET_BAD_MATCH, 4)                                              \
    X(BAD_MATCH_BAD_WILDCARDS, FT_ET_BAD_MATCH, 5)                                                 \
    X(BAD_MATCH_BAD_FIELD, FT_ET_BAD_MATCH, 6)                                                     \
    X(BAD_MATCH_BAD_VALUE, FT_ET_BAD_MATCH, 7)                                                     \
    X(BAD_MATCH_BAD_MASK, FT_ET_BAD_MATCH, 8)                                                      \
    X(BAD_MATCH_BAD_PREREQ, FT_ET_BAD_MATCH, 9)                                                    \
    X(BAD_MATCH_DUP_FIELD, FT_ET_BAD_MATCH, 10)                                                    \
    X(BAD_MATCH_EPERM, FT_ET_BAD_MATCH, 11)                                                        \
    X(FLOW_MOD_FAILED_UNKNOWN, FT_ET_FLOW_MOD_FAILED, 0)                                           \
    X(FLOW_MOD_FAILED_TABLE_FULL, FT_ET_FLOW_MOD_FAILED, 1)                                        \
    X(FLOW_MOD_FAILED_BAD_TABLE_ID, FT_ET_FLOW_MOD_FAILED, 2)                                      \
    X(FLOW_MOD_FAILED_OVERLAP, FT_ET_FLOW_MOD_FAILED, 3)                                           \
    X(FLOW_MOD_FAILED_EPERM, FT_ET_FLOW_MOD_FAILED, 4)                                             \
    X(FLOW_MOD_FAILED_BAD_TIMEOUT, FT_ET_FLOW_MOD_FAILED, 5)                                       \
    X(FLOW_MOD_FAILED_BAD_COMMAND, FT_ET_FLOW_MOD_FAILED, 6)                                       \
    X(FLOW_MOD_FAILED_BAD_FLAGS, FT_ET_FLOW_MOD_FAILED, 7)                                         \
    X(GROUP_MOD_FAILED_GROUP_EXISTS, FT_ET_GROUP_MOD_FAILED, 0)                                    \
    X(GROUP_MOD_FAILED_INVALID_GROUP, FT_ET_GROUP_MOD_FAILED, 1)                                   \
    X(GROUP_MOD_FAILED_WEIGHT_UNSUPPORTED, FT_ET_GROUP_MOD_FAILED, 2)                              \
    X(GROUP_MOD_FAILED_OUT_OF_GROUPS, FT_ET_GROUP_MOD_FAILED, 3)                                   \
    X(GROUP_MOD_FAILED_OUT_OF_BUCKETS, FT_ET_GROUP_MOD_FAILED, 4)                                  \
    X(GROUP_MOD_FAILED_CHAINING_UNSUPPORTED, FT_ET_GROUP_MOD_FAILED, 5)                            \
    X(GROUP_MOD_FAILED_WATCH_UNSUPPORTED, FT_ET_GROUP_MOD_FAILED, 6)                               \
    X(GROUP_MOD_FAILED_LOOP, FT_ET_GROUP_MOD_FAILED, 7)                                            \
    X(GROUP_MOD_FAILED_UNKNOWN_GROUP, FT_ET_GROUP_MOD_FAILED, 8)                                   \
    X(GROUP_MOD_FAILED_CHAINED_GROUP, FT_ET_GROUP_MOD_FAILED, 9)                                   \
    X(GROUP_MOD_FAILED_BAD_TYPE, FT_ET_GROUP_MOD_FAILED, 10)                                       \
    X(GROUP_MOD_FAILED_BAD_COMMAND, FT_ET_GROUP_MOD_FAILED, 11)                                    \
    X(GROUP_MOD_FAILED_BAD_BUCKET, FT_ET_GROUP_MOD_FAILED, 12)                                     \
    X(GROUP_MOD_FAILED_BAD_WATCH, FT_ET_GROUP_MOD_FAILED, 13)                                      \
    X(GROUP_MOD_FAILED_EPERM, FT_ET_GROUP_MOD_FAILED, 14)                                          \
    X(PORT_MOD_FAILED_BAD_PORT, FT_ET_PORT_MOD_FAILED, 0)                                          \
    X(PORT_MOD_FAILED_BAD_HW_ADDR, FT_ET_PORT_MOD_FAILED, 1)                                       \
    X(PORT_MOD_FAILED_BAD_CONFIG, FT_ET_PORT_MOD_FAILED, 2)                                        \
    X(PORT_MOD_FAILED_BAD_ADVERTISE, FT_ET_PORT_MOD_FAILED, 3)                                     \
    X(PORT_MOD_FAILED_EPERM, FT_ET_PORT_MOD_FAILED, 4)                                             \
    X(TABLE_MOD_FAILED_BAD_TABLE, FT_ET_TABLE_MOD_FAILED, 0)                                       \
    X(TABLE_MOD_FAILED_BAD_CONFIG, FT_ET_TABLE_MOD_FAILED, 1)                                      \
    X(TABLE_MOD_FAILED_EPERM, FT_ET_TABLE_MOD_FAILED, 2)                                           \
    X(QUEUE_OP_FAILED_BAD_PORT, FT_ET_QUEUE_OP_FAILED, 0)                                          \
    X(QUEUE_OP_FAILED_BAD_QUEUE, FT_ET_QUEUE_OP_FAILED, 1)                                         \
    X(QUEUE_OP_FAILED_EPERM, FT_ET_QUEUE_OP_FAILED, 2)                                             \
    X(SWITCH_CONFIG_FAILED_BAD_FLAGS, FT_ET_SWITCH_CONFIG_FAILED, 0)                               \
    X(SWITCH_CONFIG_FAILED_BAD_LEN, FT_ET_SWITCH_CONFIG_FAILED, 1)                                 \
    X(SWITCH_CONFIG_FAILED_EPERM, FT_ET_SWITCH_CONFIG_FAILED, 2)                                   \
    X(ROLE_REQUEST_FAILED_STALE, FT_ET_ROLE_REQUEST_FAILED, 0)                                     \
    X(ROLE_REQUEST_FAILED_UNSUP, FT_ET_ROLE_REQUEST_FAILED, 1)                                     \
    X(ROLE_REQUEST_FAILED_BAD_ROLE, FT_ET_ROLE_REQUEST_FAILED, 2)                                  \
    X(METER_MOD_FAILED_UNKNOWN, FT_ET_METER_MOD_FAILED, 0)                                         \
    X(METER_MOD_FAILED_METER_EXISTS, FT_ET_METER_MOD_FAILED, 1)                                    \
    X(METER_MOD_FAILED_INVALID_METER, FT_ET_METER_MOD_FAILED, 2)                                   \
    X(METER_MOD_FAILED_UNKNOWN_METER, FT_ET_METER_MOD_FAILED, 3)                                   \
    X(METER_MOD_FAILED_BAD_COMMAND, FT_ET_METER_MOD_FAILED, 4)                                     \
    X(METER_MOD_FAILED_BAD_FLAGS, FT_ET_METER_MOD_FAILED, 5)                                       \
    X(METER_MOD_FAILED_BAD_RATE, FT_ET_METER_MOD_FAILED, 6)                                        \
    X(METER_MOD_FAILED_BAD_BURST, FT_ET_METER_MOD_FAILED, 7)                                       \
    X(METER_MOD_FAILED_BAD_BAND, FT_ET_METER_MOD_FAILED, 8)                                        \
    X(METER_MOD_FAILED_BAD_BAND_VALUE, FT_ET_METER_MOD_FAILED, 9)                                  \
    X(METER_MOD_FAILED_OUT_OF_METERS, FT_ET_METER_MOD_FAILED, 10)                                  \
    X(METER_MOD_FAILED_OUT_OF_BANDS, FT_ET_METER_MOD_FAILED, 11)                                   \
    X(TABLE_FEATURES_FAILED_BAD_TABLE, FT_ET_TABLE_FEATURES_FAILED, 0)                             \
    X(TABLE_FEATURES_FAILED_BAD_METADATA, FT_ET_TABLE_FEATURES_FAILED, 1)                          \
    X(TABLE_FEATURES_FAILED_BAD_TYPE, FT_ET_TABLE_FEATURES_FAILED, 2)                              \
    X(TABLE_FEATURES_FAILED_BAD_LEN, FT_ET_TABLE_FEATURES_FAILED, 3)                               \
    X(TABLE_FEATURES_FAILED_BAD_ARGUMENT, FT_ET_TABLE_FEATURES_FAILED, 4)                          \
    X(TABLE_FEATURES_FAILED_EPERM, FT_ET_TABLE_FEATURES_FAILED, 5)

enum ft_err {
    FT_OK = 0,
#define FT_ERR_ENUM_(name, type, code) FT_ERR_##name = FT_ERR_MAKE(type, code),
    FT_ERR_LIST(FT_ERR_ENUM_)
#undef FT_ERR_ENUM_
};

static inline uint16_t
ft_err_type(enum ft_err e)
{
    return (uint16_t)(((uint32_t)e >> 16) & 0x3fff);
}

static inline uint16_t
ft_err_code(enum ft_err e)
{
    return (uint16_t)((uint32_t)e & 0xffff);
}

/* Error from a type and code as received on the wire (any values). */
static inline enum ft_err
ft_err_from_type_code(uint16_t type, uint16_t code)
{
    return (enum ft_err)FT_ERR_MAKE(type & 0x3fff, code);
}

/* "OFPBMC_BAD_PREREQ"-style name of an error, as ovs-ofctl prints it
 * without the prefix: "BAD_MATCH_BAD_PREREQ". Never NULL. */
const char *ft_err_name(enum ft_err e);

#endif /* FT_ERR_H */
