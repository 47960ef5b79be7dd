/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: every annotated vector decodes, its fields are what the
 * comments say, and encoding gives the same bytes back (or, for peers
 * that order OXMs differently, a canonical form that is a fixed point).
 */
#include "check_main.h"
#include "codec_test_util.h"

static uint8_t buf[CODEC_MAX];

START_TEST(every_vector_roundtrips)
{
    const struct codec_vector *v = &codec_vectors[_i];
    size_t n = hex_bytes(v->hex, buf);
    struct ofa_msg m, m2;
    enum ft_err err = ofa_decode(buf, n, &m);
    ck_assert_msg(err == FT_OK, "%s: %s", v->name, ft_err_name(err));
    struct ofa_buf b1, b2;
    ofa_buf_init(&b1);
    ofa_buf_init(&b2);
    ck_assert_int_eq(ofa_encode(&b1, &m), 0);
    if (v->canonical) {
        ck_assert_msg(b1.len == n && !memcmp(b1.data, buf, n), "%s: re-encoding differs", v->name);
    } else {
        ck_assert_int_eq(ofa_decode(b1.data, b1.len, &m2), FT_OK);
        ck_assert_int_eq(ofa_encode(&b2, &m2), 0);
        ck_assert_uint_eq(b1.len, b2.len);
        ck_assert_mem_eq(b1.data, b2.data, b1.len);
        ofa_msg_free(&m2);
    }
    ofa_msg_free(&m);
    ofa_buf_free(&b1);
    ofa_buf_free(&b2);
}
END_TEST

START_TEST(hello_and_error)
{
    struct ofa_msg m;
    roundtrip(V_HELLO_OVS, buf, &m);
    ck_assert_int_eq(m.type, OFA_HELLO);
    ck_assert_uint_eq(m.xid, 1);
    ck_assert_int_eq(m.u.hello.n_words, 1);
    ck_assert_uint_eq(m.u.hello.bitmap[0], 1u << 4);
    ofa_msg_free(&m);

    /* An OpenFlow 1.0 hello decodes (for negotiation); unknown elements
     * are skipped. */
    size_t n = hex_bytes("01 00 0018 00000009"
                         "0007 000c 01020304 05060708" /* unknown element type 7, padded */
                         "00000000",
                         buf);
    ck_assert_int_eq(ofa_decode(buf, n, &m), FT_OK);
    ck_assert_int_eq(m.version, 1);
    ck_assert_int_eq(m.u.hello.n_words, 0);
    ofa_msg_free(&m);

    roundtrip(V_ERROR, buf, &m);
    ck_assert_int_eq(m.u.error.err, FT_ERR_BAD_REQUEST_BAD_TYPE);
    ck_assert(!m.u.error.experimenter);
    ck_assert_uint_eq(m.u.error.data_len, 8);
    ck_assert_ptr_eq(m.u.error.data, buf + 12); /* Borrowed from the input. */
    ofa_msg_free(&m);

    roundtrip(V_ERROR_EXP, buf, &m);
    ck_assert(m.u.error.experimenter);
    ck_assert_uint_eq(m.u.error.exp_type, 7);
    ck_assert_uint_eq(m.u.error.exp_id, 0x2320);
    ck_assert_uint_eq(m.u.error.data_len, 4);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(encode_error_carries_64_bytes)
{
    struct ofa_buf b;
    ofa_buf_init(&b);
    uint8_t offending[100];
    for (int i = 0; i < 100; i++)
        offending[i] = (uint8_t)i;
    ck_assert_int_eq(ofa_encode_error(&b, 42, FT_ERR_BAD_MATCH_BAD_PREREQ, offending, 100), 0);
    ck_assert_uint_eq(b.len, 12 + 64);
    struct ofa_msg m;
    ck_assert_int_eq(ofa_decode(b.data, b.len, &m), FT_OK);
    ck_assert_uint_eq(m.xid, 42);
    ck_assert_int_eq(m.u.error.err, FT_ERR_BAD_MATCH_BAD_PREREQ);
    ck_assert_mem_eq(m.u.error.data, offending, 64);
    ofa_msg_free(&m);

    /* Shorter than 64: all of it. */
    ofa_buf_clear(&b);
    ck_assert_int_eq(ofa_encode_error(&b, 1, FT_ERR_BAD_REQUEST_BAD_TYPE, offending, 8), 0);
    ck_assert_uint_eq(b.len, 20);
    ck_assert_uint_eq(ft_rd16(b.data + 8), FT_ET_BAD_REQUEST);
    ck_assert_uint_eq(ft_rd16(b.data + 10), 1);

    /* HELLO_FAILED carries ASCII text, not the offending bytes. */
    ofa_buf_clear(&b);
    ck_assert_int_eq(ofa_encode_error(&b, 1, FT_ERR_HELLO_FAILED_INCOMPATIBLE, offending, 100), 0);
    ck_assert_uint_eq(ft_rd16(b.data + 8), 0);
    ck_assert_uint_eq(ft_rd16(b.data + 10), 0);
    ck_assert_uint_gt(b.len, 12);
    for (size_t i = 12; i < b.len; i++)
        ck_assert(b.data[i] >= 0x20 && b.data[i] < 0x7f);
    ofa_buf_free(&b);
}
END_TEST

START_TEST(simple_message_fields)
{
    struct ofa_msg m;
    roundtrip(V_FEATURES_REPLY, buf, &m);
    ck_assert_uint_eq(m.u.features.datapath_id, 0x163e000001ull);
    ck_assert_uint_eq(m.u.features.n_buffers, 256);
    ck_assert_uint_eq(m.u.features.n_tables, 254);
    ck_assert_uint_eq(m.u.features.capabilities, 0x4f);
    ofa_msg_free(&m);

    roundtrip(V_SET_CONFIG, buf, &m);
    ck_assert_uint_eq(m.u.config.flags, 1);
    ck_assert_uint_eq(m.u.config.miss_send_len, 0xffff);
    ofa_msg_free(&m);

    roundtrip(V_ECHO_REQUEST, buf, &m);
    ck_assert_uint_eq(m.u.echo.data_len, 4);
    ck_assert_mem_eq(m.u.echo.data, "\xde\xad\xbe\xef", 4);
    ofa_msg_free(&m);

    roundtrip(V_EXPERIMENTER, buf, &m);
    ck_assert_uint_eq(m.u.experimenter.experimenter, 0x2320);
    ck_assert_uint_eq(m.u.experimenter.exp_type, 0x10);
    ck_assert_uint_eq(m.u.experimenter.data_len, 4);
    ofa_msg_free(&m);

    roundtrip(V_ROLE_REQUEST, buf, &m);
    ck_assert_uint_eq(m.u.role.role, OFA_ROLE_MASTER);
    ck_assert_uint_eq(m.u.role.generation_id, 5);
    ofa_msg_free(&m);

    roundtrip(V_GET_ASYNC_REPLY, buf, &m);
    ck_assert_uint_eq(m.u.async.packet_in_mask[0], 7);
    ck_assert_uint_eq(m.u.async.packet_in_mask[1], 0);
    ck_assert_uint_eq(m.u.async.port_status_mask[1], 7);
    ck_assert_uint_eq(m.u.async.flow_removed_mask[0], 0xf);
    ofa_msg_free(&m);

    roundtrip(V_TABLE_MOD, buf, &m);
    ck_assert_uint_eq(m.u.table_mod.table_id, 0);
    ofa_msg_free(&m);

    roundtrip(V_QUEUE_GET_CONFIG_REQUEST_OVS, buf, &m);
    ck_assert_uint_eq(m.u.queue_config.port, 1);
    ofa_msg_free(&m);

    roundtrip(V_QUEUE_GET_CONFIG_REPLY, buf, &m);
    ck_assert_uint_eq(m.u.queue_config.n_queues, 1);
    ck_assert_uint_eq(m.u.queue_config.queues[0].queue_id, 7);
    ck_assert_uint_eq(m.u.queue_config.queues[0].min_rate, 500);
    ck_assert_uint_eq(m.u.queue_config.queues[0].max_rate, 1000);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(port_messages)
{
    struct ofa_msg m;
    roundtrip(V_PORT_STATUS, buf, &m);
    ck_assert_uint_eq(m.u.port_status.reason, OFA_PPR_MODIFY);
    const struct ofa_port *p = &m.u.port_status.port;
    ck_assert_uint_eq(p->port_no, 1);
    ck_assert_mem_eq(p->hw_addr, "\x0a\x00\x00\x00\x00\x01", 6);
    ck_assert_str_eq(p->name, "eth1");
    ck_assert_uint_eq(p->config, 1);
    ck_assert_uint_eq(p->state, 1);
    ck_assert_uint_eq(p->curr, 0x2820);
    ck_assert_uint_eq(p->curr_speed, 10000000);
    ofa_msg_free(&m);

    roundtrip(V_PORT_MOD, buf, &m);
    ck_assert_uint_eq(m.u.port_mod.port_no, 1);
    ck_assert_uint_eq(m.u.port_mod.config, 1);
    ck_assert_uint_eq(m.u.port_mod.mask, 1);
    ck_assert_uint_eq(m.u.port_mod.advertise, 0);
    ofa_msg_free(&m);

    /* A 16-character name fills the wire field without a NUL. */
    struct ofa_msg ps = {.type = OFA_PORT_STATUS, .xid = 3};
    strcpy(ps.u.port_status.port.name, "0123456789abcdef");
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &ps), 0);
    ck_assert_mem_eq(b.data + 32, "0123456789abcdef", 16);
    ck_assert_int_eq(ofa_decode(b.data, b.len, &m), FT_OK);
    ck_assert_str_eq(m.u.port_status.port.name, "0123456789abcdef");
    ofa_msg_free(&m);
    ofa_buf_free(&b);
}
END_TEST

static void
assert_match(const struct ft_match *got, const char *text)
{
    struct ft_match want;
    ck_assert_int_eq(ft_match_parse(&want, text, NULL), FT_OK);
    char g[512];
    ft_match_format(g, sizeof g, got);
    ck_assert_msg(ft_match_equal(got, &want), "match %s, want %s", g, text);
}

START_TEST(flow_mod_fields)
{
    struct ofa_msg m;
    size_t n = hex_bytes(V_FLOW_MOD_TCP_OVS, buf);
    ck_assert_int_eq(ofa_decode(buf, n, &m), FT_OK);
    const struct ft_flow_mod *fm = &m.u.flow_mod.fm;
    ck_assert_uint_eq(fm->cookie, 0x1234);
    ck_assert_uint_eq(fm->table_id, 1);
    ck_assert_uint_eq(fm->command, FT_FC_ADD);
    ck_assert_uint_eq(fm->idle_timeout, 30);
    ck_assert_uint_eq(fm->priority, 100);
    ck_assert_uint_eq(m.u.flow_mod.buffer_id, OFA_NO_BUFFER);
    ck_assert_uint_eq(fm->out_port, FT_PORT_ANY);
    assert_match(&fm->match, "tcp,nw_src=10.0.0.0/8,tp_dst=80");
    const struct ft_insts *in = fm->insts;
    ck_assert_uint_eq(in->present,
                      FT_INST_BIT(FT_IT_APPLY_ACTIONS) | FT_INST_BIT(FT_IT_GOTO_TABLE));
    ck_assert_uint_eq(in->goto_table, 5);
    ck_assert_uint_eq(in->n_apply, 2);
    ck_assert_uint_eq(in->actions[0].type, FT_AT_SET_FIELD);
    ck_assert_uint_eq(in->actions[0].field, FT_F_IPV4_DST);
    ck_assert_uint_eq(in->actions[0].value.u32, 0xc0a80001);
    ck_assert_uint_eq(in->actions[1].type, FT_AT_OUTPUT);
    ck_assert_uint_eq(in->actions[1].arg, 2);
    ck_assert_int_eq(ft_actions_check(in->actions, in->n_apply, &fm->match, false, false), FT_OK);
    ofa_msg_free(&m);

    roundtrip(V_FLOW_MOD_METER_OVS, buf, &m);
    in = m.u.flow_mod.fm.insts;
    ck_assert_uint_eq(in->present, 0x5e); /* goto, metadata, write, apply, meter */
    ck_assert_uint_eq(in->meter_id, 3);
    ck_assert_uint_eq(in->n_apply, 1);
    ck_assert_uint_eq(in->n_write, 1);
    ck_assert_uint_eq(ft_insts_apply(in)[0].type, FT_AT_POP_VLAN);
    ck_assert_uint_eq(ft_insts_write(in)[0].arg, 1);
    ck_assert_uint_eq(in->metadata, 0xff);
    ck_assert_uint_eq(in->metadata_mask, 0xff);
    ck_assert_uint_eq(in->goto_table, 2);
    assert_match(&m.u.flow_mod.fm.match, "in_port=3,vlan_vid=0x100a");
    ofa_msg_free(&m);

    roundtrip(V_FLOW_MOD_VLAN_OVS, buf, &m);
    in = m.u.flow_mod.fm.insts;
    ck_assert_uint_eq(in->n_apply, 3);
    ck_assert_uint_eq(in->actions[0].ethertype, 0x8100);
    ck_assert_uint_eq(in->actions[1].field, FT_F_VLAN_VID);
    ck_assert_uint_eq(in->actions[1].value.u16, 0x1064);
    ck_assert_uint_eq(in->actions[2].arg, FT_PORT_CONTROLLER);
    ck_assert_uint_eq(in->actions[2].max_len, FT_CML_NO_BUFFER);
    ofa_msg_free(&m);

    roundtrip(V_FLOW_MOD_IPV6_OVS, buf, &m);
    ck_assert_ptr_null(m.u.flow_mod.fm.insts); /* actions=drop */
    assert_match(&m.u.flow_mod.fm.match, "ipv6,ipv6_src=2001:db8::/64");
    ofa_msg_free(&m);

    roundtrip(V_FLOW_MOD_DELETE_OVS, buf, &m);
    ck_assert_uint_eq(m.u.flow_mod.fm.command, FT_FC_DELETE);
    ck_assert_uint_eq(m.u.flow_mod.fm.table_id, FT_TABLE_ALL);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(flow_mod_canonical_order)
{
    /* OVS puts ipv4_src before ip_proto; the encoder writes OXMs in field
     * order and instructions in execution order. */
    struct ofa_msg m;
    size_t n = hex_bytes(V_FLOW_MOD_TCP_OVS, buf);
    ck_assert_int_eq(ofa_decode(buf, n, &m), FT_OK);
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &m), 0);
    uint8_t want[CODEC_MAX];
    size_t wn = hex_bytes("0001 0021"                  /* match OXM, len 33 */
                          "80000a02 0800"              /* eth_type */
                          "80001401 06"                /* ip_proto */
                          "80001708 0a000000 ff000000" /* ipv4_src/mask */
                          "80001c02 0050"              /* tcp_dst */
                          "00000000000000",
                          want);
    ck_assert_uint_eq(b.len, n);
    ck_assert_mem_eq(b.data + 48, want, wn);
    ck_assert_mem_eq(b.data + 48 + wn, buf + 48 + wn, n - 48 - wn);
    ofa_buf_free(&b);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(packet_in_out_and_flow_removed)
{
    struct ofa_msg m;
    roundtrip(V_PACKET_IN, buf, &m);
    const struct ofa_packet_in *pi = &m.u.packet_in;
    ck_assert_uint_eq(pi->buffer_id, OFA_NO_BUFFER);
    ck_assert_uint_eq(pi->total_len, 42);
    ck_assert_uint_eq(pi->reason, OFA_PR_ACTION);
    ck_assert_uint_eq(pi->table_id, 3);
    ck_assert_uint_eq(pi->cookie, 0xabcd);
    ck_assert_uint_eq(pi->n_match, 1);
    ck_assert_uint_eq(pi->match[0].field, FT_F_IN_PORT);
    ck_assert_uint_eq(pi->match[0].value.u32, 1);
    ck_assert_uint_eq(pi->data_len, 42);
    ck_assert_ptr_eq(pi->data, buf + 42); /* Points into the input. */
    ofa_msg_free(&m);

    roundtrip(V_PACKET_OUT, buf, &m);
    ck_assert_uint_eq(m.u.packet_out.in_port, 1);
    ck_assert_uint_eq(m.u.packet_out.n_actions, 1);
    ck_assert_uint_eq(m.u.packet_out.actions[0].arg, 2);
    ck_assert_uint_eq(m.u.packet_out.data_len, 42);
    ofa_msg_free(&m);

    roundtrip(V_FLOW_REMOVED, buf, &m);
    const struct ft_flow_removed *fr = &m.u.flow_removed;
    ck_assert_uint_eq(fr->cookie, 0x1234);
    ck_assert_uint_eq(fr->priority, 100);
    ck_assert_uint_eq(fr->reason, FT_RR_IDLE_TIMEOUT);
    ck_assert_uint_eq(fr->table_id, 2);
    ck_assert_uint_eq(fr->duration_ns, 10500000000ull);
    ck_assert_uint_eq(fr->idle_timeout, 30);
    ck_assert_uint_eq(fr->packet_count, 7);
    ck_assert_uint_eq(fr->byte_count, 630);
    assert_match(&fr->match, "in_port=1,udp");
    ofa_msg_free(&m);

    /* METER_DELETE does not exist in 1.3: sent as DELETE. */
    struct ofa_msg out = {.type = OFA_FLOW_REMOVED};
    ft_match_init_catchall(&out.u.flow_removed.match);
    out.u.flow_removed.reason = FT_RR_METER_DELETE;
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, &out), 0);
    ck_assert_uint_eq(b.data[18], FT_RR_DELETE);
    ofa_buf_free(&b);
}
END_TEST

START_TEST(group_and_meter_mods)
{
    struct ofa_msg m;
    roundtrip(V_GROUP_MOD_SELECT_OVS, buf, &m);
    const struct ft_group_mod *gm = &m.u.group_mod.gm;
    ck_assert_uint_eq(gm->command, FT_GC_ADD);
    ck_assert_uint_eq(gm->type, FT_GT_SELECT);
    ck_assert_uint_eq(gm->group_id, 1);
    ck_assert_uint_eq(gm->n_buckets, 2);
    ck_assert_uint_eq(gm->buckets[0].weight, 10);
    ck_assert_uint_eq(gm->buckets[0].watch_port, FT_PORT_ANY);
    ck_assert_uint_eq(gm->buckets[1].weight, 20);
    ck_assert_uint_eq(gm->buckets[1].watch_port, 2);
    ck_assert_uint_eq(gm->buckets[1].n_actions, 1);
    ck_assert_uint_eq(gm->buckets[1].actions[0].arg, 2);
    ofa_msg_free(&m);

    roundtrip(V_GROUP_MOD_FF_OVS, buf, &m);
    ck_assert_uint_eq(m.u.group_mod.gm.type, FT_GT_FF);
    ck_assert_uint_eq(m.u.group_mod.gm.buckets[1].n_actions, 2);
    ck_assert_uint_eq(m.u.group_mod.gm.buckets[1].actions[0].type, FT_AT_DEC_NW_TTL);
    ofa_msg_free(&m);

    roundtrip(V_METER_MOD_DROP_OVS, buf, &m);
    const struct ft_meter_mod *mm = &m.u.meter_mod.mm;
    ck_assert_uint_eq(mm->command, FT_MC_ADD);
    ck_assert_uint_eq(mm->flags, FT_MF_KBPS | FT_MF_BURST | FT_MF_STATS);
    ck_assert_uint_eq(mm->meter_id, 1);
    ck_assert_uint_eq(mm->n_bands, 1);
    ck_assert_uint_eq(mm->bands[0].type, FT_MBT_DROP);
    ck_assert_uint_eq(mm->bands[0].rate, 1000);
    ck_assert_uint_eq(mm->bands[0].burst_size, 100);
    ofa_msg_free(&m);

    roundtrip(V_METER_MOD_DSCP_OVS, buf, &m);
    ck_assert_uint_eq(m.u.meter_mod.mm.bands[0].type, FT_MBT_DSCP_REMARK);
    ck_assert_uint_eq(m.u.meter_mod.mm.bands[0].prec_level, 1);
    ofa_msg_free(&m);
}
END_TEST

START_TEST(encoder_refuses_what_the_wire_cannot_carry)
{
    struct ofa_buf b;
    ofa_buf_init(&b);
    ofa_buf_put_u8(&b, 0xaa); /* Nothing may be appended on error. */

    struct ofa_msg m = {.type = OFA_N_TYPES};
    ck_assert_int_eq(ofa_encode(&b, &m), -EINVAL);

    /* An apply-actions list longer than a message. */
    struct ft_insts *in = ft_insts_new(5000, 0);
    for (int i = 0; i < 5000; i++)
        in->actions[i].type = FT_AT_OUTPUT;
    in->present = FT_INST_BIT(FT_IT_APPLY_ACTIONS);
    struct ofa_msg fm = {.type = OFA_FLOW_MOD};
    ft_match_init_catchall(&fm.u.flow_mod.fm.match);
    fm.u.flow_mod.fm.insts = in;
    ck_assert_int_eq(ofa_encode(&b, &fm), -EMSGSIZE);

    /* An action type that does not exist. */
    in->actions[0].type = 99;
    in->n_apply = 1;
    ck_assert_int_eq(ofa_encode(&b, &fm), -EINVAL);
    free(in);
    ck_assert_uint_eq(b.len, 1);
    ofa_buf_free(&b);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("codec_messages");
    TCase *tc = tcase_create("core");
    tcase_add_loop_test(tc, every_vector_roundtrips, 0, (int)N_CODEC_VECTORS);
    tcase_add_test(tc, hello_and_error);
    tcase_add_test(tc, simple_message_fields);
    tcase_add_test(tc, port_messages);
    tcase_add_test(tc, flow_mod_fields);
    tcase_add_test(tc, flow_mod_canonical_order);
    tcase_add_test(tc, packet_in_out_and_flow_removed);
    tcase_add_test(tc, group_and_meter_mods);
    suite_add_tcase(s, tc);
    tc = tcase_create("limits");
    tcase_add_test(tc, encoder_refuses_what_the_wire_cannot_carry);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, encode_error_carries_64_bytes);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
