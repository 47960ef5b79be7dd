/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: malformed messages, each refused with the exact OpenFlow
 * error the spec names (or, where the spec is silent, the one documented
 * in ofa_msg.h / docs/architecture.md).
 */
#include "check_main.h"
#include "codec_test_util.h"

/* FLOW_MOD fixed part after the header: cookie, mask, table 0 ADD,
 * priority 0x8000, NO_BUFFER, out_port/out_group ANY, flags 0. */
#define FM(len)                                                                                    \
    "04 0e " len " 00000001"                                                                       \
    "0000000000000000 0000000000000000 00 00 0000 0000 8000"                                       \
    "ffffffff ffffffff ffffffff 0000 0000"
#define EMPTY_MATCH      "0001 0004 00000000"
#define OUTPUT2          "0000 0010 00000002 0000 000000000000"
#define MPREQ(len, type) "04 12 " len " 00000001 " type " 0000 00000000"
#define MPREP(len, type) "04 13 " len " 00000001 " type " 0000 00000000"
/* One table_features item header: len, table 0, name "", metadata, config, max. */
#define TF(len)                                                                                    \
    len " 00 0000000000"                                                                           \
        "0000000000000000000000000000000000000000000000000000000000000000"                         \
        "0000000000000000 0000000000000000 00000000 00000000"

static const struct {
    const char *what;
    const char *hex;
    enum ft_err err;
} bad[] = {
    /* Header. */
    {"shorter than a header", "04 00 00", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"length field above the bytes", "04 00 0010 00000001", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"length field below the bytes", "04 02 0008 00000001 00", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"OpenFlow 1.0 request", "01 05 0008 00000001", FT_ERR_BAD_REQUEST_BAD_VERSION},
    {"OpenFlow 1.4 request", "05 14 0008 00000001", FT_ERR_BAD_REQUEST_BAD_VERSION},
    {"unknown message type", "04 63 0008 00000001", FT_ERR_BAD_REQUEST_BAD_TYPE},
    {"type 30 (1.4 TABLE_STATUS)", "04 1e 0008 00000001", FT_ERR_BAD_REQUEST_BAD_TYPE},
    /* Fixed-size messages. */
    {"features request with a body", "04 05 000c 00000001 00000000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"barrier with a body", "04 14 0010 00000001 0000000000000000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"set config short", "04 09 000a 00000001 0000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"features reply short", "04 06 0018 00000001 0000000000000001 00000000 fe000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"error without code", "04 01 000a 00000001 0001", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"experimenter error short", "04 01 000e 00000001 ffff 0001 0000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"experimenter short", "04 04 000c 00000001 00002320", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"role request short", "04 18 0010 00000001 00000002 00000000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"set async short", "04 1c 0010 00000001 00000001 00000000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"table mod long", "04 11 0018 00000001 00000000 00000000 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"port mod short", "04 10 0020 00000001 00000001 00000000 0a0000000001 0000 00000001 00000001",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"port status short", "04 0c 0018 00000001 02 00000000000000 00000001 00000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"queue get config request long", "04 16 0018 00000001 00000001 00000000 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    /* Flow mod and its match. */
    {"flow mod without match", FM("0030"), FT_ERR_BAD_REQUEST_BAD_LEN},
    {"match of type STANDARD", FM("0038") "0000 0004 00000000", FT_ERR_BAD_MATCH_BAD_TYPE},
    {"match length 2", FM("0038") "0001 0002 00000000", FT_ERR_BAD_MATCH_BAD_LEN},
    {"match beyond the message", FM("0038") "0001 000c 80000004", FT_ERR_BAD_MATCH_BAD_LEN},
    {"OXM header cut", FM("0038") "0001 0006 8000 0000", FT_ERR_BAD_MATCH_BAD_LEN},
    {"OXM payload beyond the match", FM("0040") "0001 000a 80000004 00000001 00000000",
     FT_ERR_BAD_MATCH_BAD_LEN},
    {"OXM of class NXM_0", FM("0040") "0001 000c 00000004 00000001 00000000",
     FT_ERR_BAD_MATCH_BAD_FIELD},
    {"OXM of the experimenter class", FM("0040") "0001 000c ffff0004 00000001 00000000",
     FT_ERR_BAD_MATCH_BAD_FIELD},
    {"OXM basic field 41 (1.4 PBB_UCA)", FM("0040") "0001 0009 80005201 01 00000000000000",
     FT_ERR_BAD_MATCH_BAD_FIELD},
    {"OXM in_port of length 2", FM("0040") "0001 000a 80000002 0001 000000000000",
     FT_ERR_BAD_MATCH_BAD_LEN},
    {"OXM ipv4_src mask of the wrong length",
     FM("0048") "0001 0014 80000a02 0800 80001706 0a000000 ff00 00000000",
     FT_ERR_BAD_MATCH_BAD_LEN},
    {"in_port twice", FM("0048") "0001 0014 80000004 00000001 80000004 00000002 00000000",
     FT_ERR_BAD_MATCH_DUP_FIELD},
    {"mask on in_port", FM("0040") "0001 0010 80000108 00000001 ffffffff",
     FT_ERR_BAD_MATCH_BAD_MASK},
    {"tcp_dst without ip_proto", FM("0040") "0001 000a 80001c02 0050 000000000000",
     FT_ERR_BAD_MATCH_BAD_PREREQ},
    {"ipv4_src bits outside its mask",
     FM("0048") "0001 0016 80000a02 0800 80001708 0a000001 ff000000 0000",
     FT_ERR_BAD_MATCH_BAD_WILDCARDS},
    {"vlan_vid without OFPVID_PRESENT", FM("0040") "0001 000a 80000c02 000a 000000000000",
     FT_ERR_BAD_MATCH_BAD_VALUE},
    /* Instructions. */
    {"unknown instruction 7", FM("0040") EMPTY_MATCH "0007 0008 00000000",
     FT_ERR_BAD_INSTRUCTION_UNKNOWN_INST},
    {"experimenter instruction", FM("0040") EMPTY_MATCH "ffff 0008 00002320",
     FT_ERR_BAD_INSTRUCTION_BAD_EXPERIMENTER},
    {"instruction of length 4", FM("0040") EMPTY_MATCH "0001 0004 01000000",
     FT_ERR_BAD_INSTRUCTION_BAD_LEN},
    {"instruction cut", FM("003c") EMPTY_MATCH "0001 0008", FT_ERR_BAD_INSTRUCTION_BAD_LEN},
    {"goto_table of length 16", FM("0048") EMPTY_MATCH "0001 0010 01000000 0000000000000000",
     FT_ERR_BAD_INSTRUCTION_BAD_LEN},
    {"instruction beyond the message", FM("0040") EMPTY_MATCH "0004 0018 00000000",
     FT_ERR_BAD_INSTRUCTION_BAD_LEN},
    {"write_metadata of length 16", FM("0048") EMPTY_MATCH "0002 0010 00000000 00000000000000ff",
     FT_ERR_BAD_INSTRUCTION_BAD_LEN},
    {"goto_table twice", FM("0048") EMPTY_MATCH "0001 0008 01000000 0001 0008 02000000",
     FT_ERR_BAD_INSTRUCTION_DUP_INST},
    {"apply_actions twice", FM("0048") EMPTY_MATCH "0004 0008 00000000 0004 0008 00000000",
     FT_ERR_BAD_INSTRUCTION_DUP_INST},
    /* Actions (inside apply-actions). */
    {"unknown action 5", FM("0048") EMPTY_MATCH "0004 0010 00000000 0005 0008 00000000",
     FT_ERR_BAD_ACTION_BAD_TYPE},
    {"experimenter action", FM("0048") EMPTY_MATCH "0004 0010 00000000 ffff 0008 00002320",
     FT_ERR_BAD_ACTION_BAD_EXPERIMENTER},
    {"action of length 12",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0000 000c 00000002 0000 0000 00000000",
     FT_ERR_BAD_ACTION_BAD_LEN},
    {"action of length 0", FM("0048") EMPTY_MATCH "0004 0010 00000000 0012 0000 00000000",
     FT_ERR_BAD_ACTION_BAD_LEN},
    {"output of length 8", FM("0048") EMPTY_MATCH "0004 0010 00000000 0000 0008 00000002",
     FT_ERR_BAD_ACTION_BAD_LEN},
    {"pop_vlan of length 16",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0012 0010 00000000 0000000000000000",
     FT_ERR_BAD_ACTION_BAD_LEN},
    {"action beyond its instruction",
     FM("0050") EMPTY_MATCH "0004 0010 00000000 0000 0010 00000002 0000 000000000000",
     FT_ERR_BAD_ACTION_BAD_LEN},
    {"masked set-field (1.5 only)",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0019 0010 80001908 c0a80001 ffffffff",
     FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT},
    {"set-field on basic field 45",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0019 0010 80005a04 00000001 00000000",
     FT_ERR_BAD_ACTION_BAD_SET_TYPE},
    {"set-field of class NXM_1",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0019 0010 00011804 c0a80001 00000000",
     FT_ERR_BAD_ACTION_BAD_SET_TYPE},
    {"set-field ipv4_dst with OXM length 2",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0019 0010 80001802 c0a8 000000000000",
     FT_ERR_BAD_ACTION_BAD_SET_LEN},
    {"set-field ipv4_dst in 24 bytes",
     FM("0058") EMPTY_MATCH
     "0004 0020 00000000 0019 0018 80001804 c0a80001 00000000 0000000000000000",
     FT_ERR_BAD_ACTION_BAD_SET_LEN},
    {"set-field ipv4_dst with a non-zero pad",
     FM("0050") EMPTY_MATCH "0004 0018 00000000 0019 0010 80001804 c0a80001 00000001",
     FT_ERR_BAD_ACTION_BAD_SET_ARGUMENT},
    /* Packet-out. */
    {"packet-out short", "04 0d 0014 00000001 ffffffff 00000001 0000 0000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"packet-out actions_len beyond the message",
     "04 0d 0028 00000001 ffffffff 00000001 0018 000000000000" OUTPUT2, FT_ERR_BAD_REQUEST_BAD_LEN},
    {"packet-out with an unknown action",
     "04 0d 0020 00000001 ffffffff 00000001 0008 000000000000 0009 0008 00000000",
     FT_ERR_BAD_ACTION_BAD_TYPE},
    /* Group mod. */
    {"group mod short", "04 0f 000c 00000001 0000 00 00", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"bucket of length 8", "04 0f 0018 00000001 0000 00 00 00000001 0008 0000 ffffffff",
     FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET},
    {"bucket beyond the message",
     "04 0f 0020 00000001 0000 00 00 00000001 0020 0000 ffffffff ffffffff 00000000",
     FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET},
    {"bucket of length 20",
     "04 0f 0028 00000001 0000 00 00 00000001 0014 0000 ffffffff ffffffff 00000000 00000000 "
     "00000000",
     FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET},
    {"bucket with an experimenter action",
     "04 0f 0028 00000001 0000 00 00 00000001 0018 0000 ffffffff ffffffff 00000000 ffff 0008 "
     "00002320",
     FT_ERR_BAD_ACTION_BAD_EXPERIMENTER},
    /* Meter mod. */
    {"meter mod short", "04 1d 000c 00000001 0000 0001", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"meter band of length 8 in 16",
     "04 1d 0020 00000001 0000 0001 00000001 0001 0008 000003e8 00000000 00000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"meter band cut", "04 1d 0018 00000001 0000 0001 00000001 0001 0010 000003e8",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"meter band of type 3",
     "04 1d 0020 00000001 0000 0001 00000001 0003 0010 000003e8 00000000 00000000",
     FT_ERR_METER_MOD_FAILED_BAD_BAND},
    /* Multipart envelope and request bodies. */
    {"multipart short", "04 12 000c 00000001 0000 0000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"multipart type 20", MPREQ("0010", "0014"), FT_ERR_BAD_REQUEST_BAD_MULTIPART},
    {"multipart experimenter request", MPREQ("0018", "ffff") "00002320 00000001",
     FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER},
    {"multipart experimenter reply", MPREP("0018", "ffff") "00002320 00000001",
     FT_ERR_BAD_REQUEST_BAD_EXPERIMENTER},
    {"multipart experimenter request cut", MPREQ("0014", "ffff") "00002320",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"desc request with a body", MPREQ("0018", "0000") "0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"port stats request short", MPREQ("0014", "0004") "00000001", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"meter request long", MPREQ("0020", "0009") "00000001 00000000 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"flow request with trailing bytes",
     MPREQ(
         "0040",
         "0001") "ff000000 ffffffff ffffffff 00000000 0000000000000000 0000000000000000" EMPTY_MATCH
                 "0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"flow request with a bad match",
     MPREQ("0038", "0001") "ff000000 ffffffff ffffffff 00000000 0000000000000000 0000000000000000 "
                           "0002 0004 00000000",
     FT_ERR_BAD_MATCH_BAD_TYPE},
    /* Table features requests. */
    {"table features item short", MPREQ("0018", "000c") "0008 00 0000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"table features length beyond", MPREQ("0050", "000c") TF("0048"), FT_ERR_BAD_REQUEST_BAD_LEN},
    {"table features property type 9", MPREQ("0058", "000c") TF("0048") "0009 0004 00000000",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_TYPE},
    {"table features experimenter property", MPREQ("0058", "000c") TF("0048") "fffe 0008 00002320",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_TYPE},
    {"table features property beyond its item",
     MPREQ("0058", "000c") TF("0048") "0002 000c 01020300", FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN},
    {"table features property of length 2", MPREQ("0058", "000c") TF("0048") "0002 0002 00000000",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_LEN},
    {"table features unknown instruction id",
     MPREQ("0058", "000c") TF("0048") "0000 0008 0009 0004",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT},
    {"table features experimenter action id",
     MPREQ("0058", "000c") TF("0048") "0004 0008 ffff 0004",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT},
    {"table features next table 255", MPREQ("0058", "000c") TF("0048") "0002 0005 ff 000000",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT},
    {"table features NXM field id", MPREQ("0058", "000c") TF("0048") "0008 0008 00000204",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT},
    {"table features property twice",
     MPREQ("0060", "000c") TF("0050") "0002 0005 01 000000 0002 0005 02 000000",
     FT_ERR_TABLE_FEATURES_FAILED_BAD_ARGUMENT},
    /* Replies and asynchronous messages. */
    {"flow stats entry shorter than its match",
     MPREP("0048", "0001") "0030 00 00 00000000 00000000 0000 0000 0000 0000 00000000 "
                           "0000000000000000 0000000000000000 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"table stats not a multiple of 24",
     MPREP("0020", "0003") "00 000000 00000005 0000000000000000", FT_ERR_BAD_REQUEST_BAD_LEN},
    {"group stats with a partial bucket counter",
     MPREP("0040", "0006") "0030 0000 00000001 00000000 00000000 0000000000000000 0000000000000000 "
                           "00000000 00000000 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"packet-in short", "04 0a 0020 00000001 ffffffff 002a 00 00 0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"packet-in without its pad",
     "04 0a 0021 00000001 ffffffff 002a 00 00 0000000000000000 0001 0004 00000000 00",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"flow removed with trailing bytes",
     "04 0b 0040 00000001 0000000000000000 0000 00 00 00000000 00000000 0000 0000 0000000000000000 "
     "0000000000000000" EMPTY_MATCH "0000000000000000",
     FT_ERR_BAD_REQUEST_BAD_LEN},
    {"queue with a duplicate min rate",
     "04 17 0040 00000001 00000001 00000000 00000007 00000001 0030 000000000000 0001 0010 00000000 "
     "01f4 000000000000 0001 0010 00000000 01f4 000000000000",
     FT_ERR_BAD_REQUEST_BAD_TYPE},
};

START_TEST(each_malformed_message_gets_its_error)
{
    expect_err(bad[_i].hex, bad[_i].err);
}
END_TEST

/* The errors a message cut short may give: the spec's length errors of
 * the part that was cut (OF 1.3.5 §7.4.4 / §A.4.4 and Open vSwitch's
 * choice of BAD_BUCKET for a bucket that runs past its message). */
static bool
is_length_error(enum ft_err e)
{
    return e == FT_ERR_BAD_REQUEST_BAD_LEN || e == FT_ERR_BAD_MATCH_BAD_LEN ||
           e == FT_ERR_BAD_INSTRUCTION_BAD_LEN || e == FT_ERR_BAD_ACTION_BAD_LEN ||
           e == FT_ERR_GROUP_MOD_FAILED_BAD_BUCKET;
}

/* Messages whose tail is opaque (data, elements, a payload): cut short,
 * they are still a valid, shorter message. */
static bool
has_opaque_tail(uint8_t type)
{
    return type == OFA_HELLO || type == OFA_ERROR || type == OFA_ECHO_REQUEST ||
           type == OFA_ECHO_REPLY || type == OFA_EXPERIMENTER || type == OFA_PACKET_IN ||
           type == OFA_PACKET_OUT;
}

/* Every vector cut at every length, its length field saying so: a header
 * cut short is BAD_REQUEST/BAD_LEN; a body cut short is a length error of
 * the part that was cut, or, only where the cut leaves a valid shorter
 * message (an opaque tail, a list cut between items), a message that
 * re-encodes to exactly the bytes given. Never a crash or a leak. */
START_TEST(truncations_are_safe)
{
    static uint8_t buf[CODEC_MAX];
    struct ofa_buf b;
    ofa_buf_init(&b);
    unsigned n_errors = 0, n_shorter = 0;
    for (size_t v = 0; v < N_CODEC_VECTORS; v++) {
        size_t n = hex_bytes(codec_vectors[v].hex, buf);
        struct ofa_msg whole;
        ck_assert_int_eq(ofa_decode(buf, n, &whole), FT_OK);
        uint8_t type = whole.type;
        ofa_msg_free(&whole);
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *p = malloc(cut ? cut : 1);
            memcpy(p, buf, cut);
            if (cut >= 4) {
                p[2] = (uint8_t)(cut >> 8);
                p[3] = (uint8_t)cut;
            }
            struct ofa_msg m;
            enum ft_err e = ofa_decode(p, cut, &m);
            if (cut < 8) {
                ck_assert_msg(e == FT_ERR_BAD_REQUEST_BAD_LEN, "%s cut to %zu: %s",
                              codec_vectors[v].name, cut, ft_err_name(e));
            } else if (e != FT_OK) {
                ck_assert_msg(is_length_error(e), "%s cut to %zu of %zu: %s", codec_vectors[v].name,
                              cut, n, ft_err_name(e));
                n_errors++;
            } else {
                ofa_buf_clear(&b);
                ck_assert_int_eq(ofa_encode(&b, &m), 0);
                /* A vector the encoder does not reproduce byte for byte
                 * (not canonical) is checked for the same length. */
                bool same =
                    b.len == cut && (!codec_vectors[v].canonical || !memcmp(b.data, p, cut));
                ck_assert_msg(has_opaque_tail(type) || same,
                              "%s cut to %zu of %zu decodes but is not that message",
                              codec_vectors[v].name, cut, n);
                ofa_msg_free(&m);
                n_shorter++;
            }
            free(p);
        }
    }
    ofa_buf_free(&b);
    ck_assert_uint_gt(n_errors, 0);
    ck_assert_uint_gt(n_shorter, 0);
}
END_TEST

/* Random byte flips in valid vectors: decode must not crash or leak, and a
 * message that decodes must encode. */
START_TEST(mutations_are_safe)
{
    static uint8_t buf[CODEC_MAX];
    uint64_t rng = test_seed();
    struct ofa_buf b;
    ofa_buf_init(&b);
    for (int round = 0; round < 20000; round++) {
        size_t v = test_rand(&rng) % N_CODEC_VECTORS;
        size_t n = hex_bytes(codec_vectors[v].hex, buf);
        for (int k = 0; k < 3; k++) {
            size_t at = 8 + test_rand(&rng) % (n > 8 ? n - 8 : 1);
            if (at < n)
                buf[at] ^= (uint8_t)(1u << (test_rand(&rng) % 8));
        }
        struct ofa_msg m;
        if (ofa_decode(buf, n, &m) == FT_OK) {
            ofa_buf_clear(&b);
            ck_assert_int_eq(ofa_encode(&b, &m), 0);
            ofa_msg_free(&m);
        }
    }
    ofa_buf_free(&b);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("codec_malformed");
    TCase *tc = tcase_create("errors");
    tcase_add_loop_test(tc, each_malformed_message_gets_its_error, 0,
                        (int)(sizeof bad / sizeof bad[0]));
    tcase_add_test(tc, truncations_are_safe);
    tcase_add_test(tc, mutations_are_safe);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
