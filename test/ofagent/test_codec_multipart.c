/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: multipart bodies field by field, splitting long replies
 * under 64 KiB with REPLY_MORE, and reassembling split requests.
 */
#include "check_main.h"
#include "codec_test_util.h"

static uint8_t buf[CODEC_MAX];

START_TEST(request_bodies)
{
    struct ofa_msg m;
    roundtrip(V_MPREQ_FLOW, buf, &m);
    ck_assert_int_eq(m.type, OFA_MULTIPART_REQUEST);
    ck_assert_uint_eq(m.u.mp.type, OFA_MP_FLOW);
    const struct ft_flow_filter *f = &m.u.mp.u.flow_req;
    ck_assert_uint_eq(f->table_id, 3);
    ck_assert_uint_eq(f->out_port, FT_PORT_ANY);
    ck_assert_uint_eq(f->out_group, FT_GROUP_ANY);
    ck_assert(!f->strict);
    struct ft_match all;
    ft_match_init_catchall(&all);
    ck_assert(ft_match_equal(&f->match, &all));
    ofa_msg_free(&m);

    roundtrip(V_MPREQ_AGGREGATE, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.flow_req.table_id, FT_TABLE_ALL);
    ck_assert_uint_eq(m.u.mp.u.flow_req.match.key.eth_type, 0x0800);
    ofa_msg_free(&m);

    roundtrip(V_MPREQ_PORT_STATS, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.port_no, 2);
    ofa_msg_free(&m);
    roundtrip(V_MPREQ_QUEUE, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.queue_req.port_no, 1);
    ck_assert_uint_eq(m.u.mp.u.queue_req.queue_id, FT_QUEUE_ALL);
    ofa_msg_free(&m);
    roundtrip(V_MPREQ_GROUP, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.group_id, FT_GROUP_ALL);
    ofa_msg_free(&m);
    roundtrip(V_MPREQ_METER_CONFIG, buf, &m);
    ck_assert_uint_eq(m.u.mp.type, OFA_MP_METER_CONFIG);
    ck_assert_uint_eq(m.u.mp.u.meter_id, 1);
    ofa_msg_free(&m);

    roundtrip(V_MPREQ_TABLE_FEATURES, buf, &m);
    ck_assert_uint_eq(m.u.mp.n, 0); /* "Tell me", no properties. */
    ofa_msg_free(&m);

    roundtrip(V_MPREQ_TABLE_FEATURES_SET, buf, &m);
    ck_assert_uint_eq(m.u.mp.n, 1);
    const struct ofa_table_features *tf = &m.u.mp.u.table_features[0];
    ck_assert_str_eq(tf->name, "classifier");
    ck_assert_uint_eq(tf->max_entries, 1000000);
    ck_assert_uint_eq(tf->metadata_match, UINT64_MAX);
    ck_assert_uint_eq(tf->props, 1u << OFA_TFP_INSTRUCTIONS | 1u << OFA_TFP_NEXT_TABLES |
                                     1u << OFA_TFP_MATCH | 1u << OFA_TFP_WILDCARDS);
    ck_assert_uint_eq(tf->tf[0].instructions,
                      FT_INST_BIT(FT_IT_GOTO_TABLE) | FT_INST_BIT(FT_IT_APPLY_ACTIONS));
    ck_assert_uint_eq(tf->tf[0].next_tables[0], 0x0e); /* Tables 1, 2, 3. */
    ck_assert_uint_eq(tf->match, 1ull << FT_F_IN_PORT | 1ull << FT_F_ETH_DST);
    ck_assert_uint_eq(tf->match_maskable, 1ull << FT_F_ETH_DST);
    ck_assert_uint_eq(tf->wildcards, 1ull << FT_F_ETH_DST);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(reply_bodies)
{
    struct ofa_msg m;
    roundtrip(V_MPREP_FLOW, buf, &m);
    ck_assert_uint_eq(m.u.mp.n, 1);
    const struct ofa_flow_stats *fs = &m.u.mp.u.flows[0];
    ck_assert_uint_eq(fs->table_id, 3);
    ck_assert_uint_eq(fs->duration_sec, 10);
    ck_assert_uint_eq(fs->duration_nsec, 500000000);
    ck_assert_uint_eq(fs->priority, 100);
    ck_assert_uint_eq(fs->flags, FT_FF_SEND_FLOW_REM);
    ck_assert_uint_eq(fs->packet_count, 7);
    ck_assert_uint_eq(fs->insts->n_apply, 1);
    ck_assert_uint_eq(fs->match.key.in_port, 1);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_AGGREGATE, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.aggregate.packet_count, 100);
    ck_assert_uint_eq(m.u.mp.u.aggregate.byte_count, 6400);
    ck_assert_uint_eq(m.u.mp.u.aggregate.flow_count, 3);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_TABLE_MORE, buf, &m);
    ck_assert_uint_eq(m.u.mp.flags, OFA_MPF_MORE);
    ck_assert_uint_eq(m.u.mp.u.tables[0].active_count, 5);
    ck_assert_uint_eq(m.u.mp.u.tables[0].matched_count, 900);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_PORT_STATS, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.port_stats[0].rx_packets, 1);
    ck_assert_uint_eq(m.u.mp.u.port_stats[0].collisions, 12);
    ck_assert_uint_eq(m.u.mp.u.port_stats[0].duration_sec, 10);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_QUEUE, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.queue_stats[0].queue_id, 7);
    ck_assert_uint_eq(m.u.mp.u.queue_stats[0].tx_bytes, 1024);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_GROUP, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.group_stats[0].ref_count, 2);
    ck_assert_uint_eq(m.u.mp.u.group_stats[0].n_buckets, 2);
    ck_assert_uint_eq(m.u.mp.u.group_stats[0].buckets[1].byte_count, 0x600);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_GROUP_DESC, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.group_descs[0].type, FT_GT_INDIRECT);
    ck_assert_uint_eq(m.u.mp.u.group_descs[0].buckets[0].actions[0].arg, 3);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_GROUP_FEATURES, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.group_features.types, 0xf);
    ck_assert_uint_eq(m.u.mp.u.group_features.max_groups[3], 0x10000);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_METER, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.meter_stats[0].flow_count, 2);
    ck_assert_uint_eq(m.u.mp.u.meter_stats[0].n_bands, 1);
    ck_assert_uint_eq(m.u.mp.u.meter_stats[0].bands[0].packet_count, 5);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_METER_CONFIG, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.meter_configs[0].bands[0].rate, 1000);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_METER_FEATURES, buf, &m);
    ck_assert_uint_eq(m.u.mp.u.meter_features.max_bands, 8);
    ck_assert_uint_eq(m.u.mp.u.meter_features.band_types, 6);
    ofa_msg_free(&m);

    roundtrip(V_MPREP_PORT_DESC, buf, &m);
    ck_assert_str_eq(m.u.mp.u.ports[0].name, "eth2");
    ck_assert_uint_eq(m.u.mp.u.ports[0].state, 4);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(desc_reply)
{
    struct ofa_msg m = {.type = OFA_MULTIPART_REPLY, .xid = 9};
    m.u.mp.type = OFA_MP_DESC;
    strcpy(m.u.mp.u.desc.mfr_desc, "ofswitch project");
    strcpy(m.u.mp.u.desc.sw_desc, "ofswitch 0.1.0");
    memset(m.u.mp.u.desc.dp_desc, 'x', OFA_DESC_STR_LEN); /* Fills the field, no NUL. */
    strcpy(m.u.mp.u.desc.serial_num, "0123456789abcdef0123456789abcdef");
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    ck_assert_uint_eq(b.len, 16 + 1056);
    struct ofa_msg d;
    ck_assert_int_eq(ofa_decode(b.data, b.len, &d), FT_OK);
    ck_assert_str_eq(d.u.mp.u.desc.mfr_desc, "ofswitch project");
    ck_assert_str_eq(d.u.mp.u.desc.hw_desc, "");
    ck_assert_str_eq(d.u.mp.u.desc.sw_desc, "ofswitch 0.1.0");
    ck_assert_str_eq(d.u.mp.u.desc.serial_num, "0123456789abcdef0123456789abcdef");
    ck_assert_uint_eq(strlen(d.u.mp.u.desc.dp_desc), OFA_DESC_STR_LEN);
    ofa_msg_free(&d);
    ofa_buf_free(&b);
}
END_TEST

/* Walk the messages in b: each must be a MULTIPART_REPLY of xid, below
 * 64 KiB, with MORE on all but the last; returns the total item count. */
static size_t
check_split(const struct ofa_buf *b, uint32_t xid, uint16_t type, size_t *n_msgs)
{
    size_t items = 0, ofs = 0;
    *n_msgs = 0;
    while (ofs < b->len) {
        struct ofa_header h;
        ck_assert(ofa_peek_header(b->data + ofs, b->len - ofs, &h));
        ck_assert_uint_le(h.length, OFA_MAX_MSG_LEN);
        ck_assert_uint_le(ofs + h.length, b->len);
        struct ofa_msg m;
        ck_assert_int_eq(ofa_decode(b->data + ofs, h.length, &m), FT_OK);
        ck_assert_uint_eq(m.xid, xid);
        ck_assert_uint_eq(m.u.mp.type, type);
        bool last = ofs + h.length == b->len;
        ck_assert_uint_eq(m.u.mp.flags & OFA_MPF_MORE, last ? 0 : OFA_MPF_MORE);
        items += m.u.mp.n;
        ofa_msg_free(&m);
        ofs += h.length;
        (*n_msgs)++;
    }
    return items;
}

START_TEST(flow_stats_reply_splits_under_64k)
{
    enum { N = 70000 };
    struct ft_insts *in = ft_insts_new(1, 0);
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    in->actions[0].type = FT_AT_OUTPUT;
    in->actions[0].arg = 2;
    struct ofa_flow_stats *fs = calloc(N, sizeof *fs);
    for (size_t i = 0; i < N; i++) {
        struct ft_match_entry e = {.field = FT_F_IN_PORT, .value.u32 = (uint32_t)i + 1};
        ck_assert_int_eq(ft_match_from_entries(&fs[i].match, &e, 1), FT_OK);
        fs[i].priority = (uint16_t)i;
        fs[i].packet_count = i;
        fs[i].insts = in; /* Borrowed, as from a pipeline rule. */
    }
    struct ofa_msg m = {.type = OFA_MULTIPART_REPLY, .xid = 77};
    m.u.mp.type = OFA_MP_FLOW;
    m.u.mp.n = N;
    m.u.mp.u.flows = fs;
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    size_t n_msgs;
    ck_assert_uint_eq(check_split(&b, 77, OFA_MP_FLOW, &n_msgs), N);
    /* 88 bytes per entry: 744 entries per message. */
    ck_assert_uint_eq(n_msgs, (N + 743) / 744);
    ofa_buf_free(&b);
    free(fs);
    free(in);
}
END_TEST

START_TEST(empty_list_is_one_message)
{
    struct ofa_msg m = {.type = OFA_MULTIPART_REPLY, .xid = 5};
    m.u.mp.type = OFA_MP_PORT_DESC;
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    ck_assert_uint_eq(b.len, 16);
    size_t n_msgs;
    ck_assert_uint_eq(check_split(&b, 5, OFA_MP_PORT_DESC, &n_msgs), 0);
    ck_assert_uint_eq(n_msgs, 1);
    ofa_buf_free(&b);
}
END_TEST

/* A TABLE_FEATURES request setting all 255 tables with every property is
 * larger than one message: the encoder splits it with REQ_MORE, and the
 * reassembler gives back the whole request. */
static struct ofa_table_features *
make_tables(size_t n)
{
    struct ofa_table_features *tf = calloc(n, sizeof *tf);
    for (size_t i = 0; i < n; i++) {
        tf[i].table_id = (uint8_t)i;
        snprintf(tf[i].name, sizeof tf[i].name, "table%zu", i);
        tf[i].max_entries = 1000;
        tf[i].props = OFA_TFP_ALL;
        for (int v = 0; v < 2; v++) {
            tf[i].tf[v].instructions = 0x7e;
            for (size_t t = i + 1; t < FT_N_TABLES; t++)
                tf[i].tf[v].next_tables[t / 8] |= (uint8_t)(1u << (t % 8));
            tf[i].tf[v].apply_actions = 1u << FT_AT_OUTPUT | 1u << FT_AT_SET_FIELD;
            tf[i].tf[v].write_actions = 1u << FT_AT_OUTPUT | 1u << FT_AT_GROUP;
            tf[i].tf[v].apply_setfield = (1ull << FT_N_FIELDS) - 4;
            tf[i].tf[v].write_setfield = 1ull << FT_F_ETH_DST;
        }
        tf[i].match = (1ull << FT_N_FIELDS) - 1;
        tf[i].match_maskable = 1ull << FT_F_METADATA | 1ull << FT_F_IPV4_SRC;
        tf[i].wildcards = tf[i].match;
    }
    return tf;
}

START_TEST(table_features_request_split_and_reassembled)
{
    enum { N = 255 };
    struct ofa_table_features *tf = make_tables(N);
    struct ofa_msg m = {.type = OFA_MULTIPART_REQUEST, .xid = 11};
    m.u.mp.type = OFA_MP_TABLE_FEATURES;
    m.u.mp.n = N;
    m.u.mp.u.table_features = tf;
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    ck_assert_uint_gt(b.len, 2 * OFA_MAX_MSG_LEN); /* At least three messages. */

    struct ofa_mp_reasm r;
    ofa_mp_reasm_init(&r, 1 << 20);
    size_t ofs = 0, parts = 0;
    struct ofa_msg whole;
    bool done = false;
    while (ofs < b.len) {
        struct ofa_header h;
        ck_assert(ofa_peek_header(b.data + ofs, b.len - ofs, &h));
        ck_assert(!done);
        ck_assert_int_eq(ofa_mp_reasm_feed(&r, b.data + ofs, h.length, &whole, &done), FT_OK);
        ofs += h.length;
        parts++;
    }
    ck_assert(done);
    ck_assert_uint_ge(parts, 3);
    ck_assert_uint_eq(whole.xid, 11);
    ck_assert_uint_eq(whole.u.mp.flags, 0);
    ck_assert_uint_eq(whole.u.mp.n, N);
    for (size_t i = 0; i < N; i++)
        ck_assert_mem_eq(&whole.u.mp.u.table_features[i], &tf[i], sizeof tf[i]);
    ofa_msg_free(&whole);
    ofa_mp_reasm_reset(&r);
    ofa_buf_free(&b);
    free(tf);
}
END_TEST

START_TEST(reassembly_bounds_and_mismatches)
{
    struct ofa_table_features *tf = make_tables(2);
    struct ofa_msg m = {.type = OFA_MULTIPART_REQUEST, .xid = 1};
    m.u.mp.type = OFA_MP_TABLE_FEATURES;
    m.u.mp.flags = OFA_MPF_MORE; /* Send as a part with more to come. */
    m.u.mp.n = 2;
    m.u.mp.u.table_features = tf;
    struct ofa_buf part;
    ofa_buf_init(&part);
    ck_assert_int_eq(ofa_encode(&part, &m), 0);
    size_t body = part.len - 16;

    struct ofa_mp_reasm r;
    struct ofa_msg out;
    bool done;
    /* Room for two parts, not three. */
    ofa_mp_reasm_init(&r, 2 * body + body / 2);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done), FT_OK);
    ck_assert(!done);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done), FT_OK);
    ck_assert(!done);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done),
                     FT_ERR_BAD_REQUEST_MULTIPART_BUFFER_OVERFLOW);
    ck_assert(!done);
    ck_assert(!r.active);

    /* Another xid while one is pending. */
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done), FT_OK);
    ft_wr32(part.data + 4, 2);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done),
                     FT_ERR_BAD_REQUEST_BAD_MULTIPART);
    ck_assert(!r.active);

    /* A single-message request passes straight through. */
    size_t n = hex_bytes(V_MPREQ_PORT_STATS, buf);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, buf, n, &out, &done), FT_OK);
    ck_assert(done);
    ck_assert_uint_eq(out.u.mp.u.port_no, 2);
    ofa_msg_free(&out);

    /* A pending request whose whole body is malformed fails at the end. */
    ft_wr32(part.data + 4, 3);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, part.data, part.len, &out, &done), FT_OK);
    ck_assert_int_eq(ofa_mp_reasm_feed(&r, buf, n, &out, &done),
                     FT_ERR_BAD_REQUEST_BAD_MULTIPART); /* Other type, other xid. */
    ofa_mp_reasm_reset(&r);
    ofa_buf_free(&part);
    free(tf);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("codec_multipart");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, request_bodies);
    tcase_add_test(tc, reply_bodies);
    tcase_add_test(tc, desc_reply);
    tcase_add_test(tc, empty_list_is_one_message);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, flow_stats_reply_splits_under_64k);
    tcase_add_test(tc, table_features_request_split_and_reassembled);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, reassembly_bounds_and_mismatches);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
