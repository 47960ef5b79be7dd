/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Agent unit tests: roles and generation ids, IS_SLAVE for every write,
 * the async configuration's defaults and effect on PACKET_IN,
 * PORT_STATUS and FLOW_REMOVED, NO_PACKET_IN ports.
 */
#include "agent_test_util.h"
#include "check_main.h"

static uint8_t raw[H_MAX_MSG];

/* ROLE_REQUEST; returns the role replied, or -(error code) for an error. */
static int
role(struct harness *h, int c, uint32_t r, uint64_t gen, uint64_t *gen_out)
{
    struct ofa_msg m = {.type = OFA_ROLE_REQUEST, .xid = 90}, rep;
    m.u.role.role = r;
    m.u.role.generation_id = gen;
    h_send(h, c, &m);
    h_recv(h, c, &rep, raw);
    int out;
    if (rep.type == OFA_ERROR) {
        ck_assert_uint_eq(ft_err_type(rep.u.error.err), FT_ET_ROLE_REQUEST_FAILED);
        out = -(int)ft_err_code(rep.u.error.err);
    } else {
        ck_assert_int_eq(rep.type, OFA_ROLE_REPLY);
        out = (int)rep.u.role.role;
        if (gen_out)
            *gen_out = rep.u.role.generation_id;
    }
    ofa_msg_free(&rep);
    return out;
}

START_TEST(roles_and_generations)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int a = h_connect(&h), b = h_connect(&h);
    uint64_t gen;
    ck_assert_int_eq(role(&h, a, OFA_ROLE_NOCHANGE, 0, NULL), OFA_ROLE_EQUAL);
    ck_assert_int_eq(role(&h, a, OFA_ROLE_MASTER, 10, &gen), OFA_ROLE_MASTER);
    ck_assert_uint_eq(gen, 10);
    ck_assert_int_eq(role(&h, b, OFA_ROLE_SLAVE, 10, NULL), OFA_ROLE_SLAVE);
    /* Older generation: STALE (code 0), nothing changes. */
    ck_assert_int_eq(role(&h, b, OFA_ROLE_MASTER, 9, NULL), -0);
    ck_assert_int_eq(role(&h, b, OFA_ROLE_NOCHANGE, 0, NULL), OFA_ROLE_SLAVE);
    /* Wrapping comparison (spec §6.3.6): 10 + 2^63 - 1 is newer than 10,
     * and 0 is newer than that. */
    ck_assert_int_eq(role(&h, b, OFA_ROLE_SLAVE, 0x8000000000000009ull, NULL), OFA_ROLE_SLAVE);
    ck_assert_int_eq(role(&h, b, OFA_ROLE_SLAVE, 10, NULL), -0);
    ck_assert_int_eq(role(&h, b, OFA_ROLE_MASTER, 0, &gen), OFA_ROLE_MASTER);
    ck_assert_uint_eq(gen, 0);
    /* The old master was demoted. */
    ck_assert_int_eq(role(&h, a, OFA_ROLE_NOCHANGE, 0, NULL), OFA_ROLE_SLAVE);
    /* EQUAL needs no generation. */
    ck_assert_int_eq(role(&h, a, OFA_ROLE_EQUAL, 0x1234, NULL), OFA_ROLE_EQUAL);
    ck_assert_int_eq(role(&h, b, OFA_ROLE_NOCHANGE, 0, NULL), OFA_ROLE_MASTER);
    /* Unknown role. */
    struct ofa_msg m = {.type = OFA_ROLE_REQUEST, .xid = 91};
    m.u.role.role = 4;
    h_send_expect_error(&h, a, &m, FT_ERR_ROLE_REQUEST_FAILED_BAD_ROLE);
    h_fini(&h);
}
END_TEST

START_TEST(slave_writes_refused)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    ck_assert_int_eq(role(&h, c, OFA_ROLE_SLAVE, 1, NULL), OFA_ROLE_SLAVE);
    struct ofa_msg m;
    h_flow_msg(&m, 1, FT_FC_ADD, "priority=1", "output:1");
    h_send_expect_error(&h, c, &m, FT_ERR_BAD_REQUEST_IS_SLAVE);
    h_flow_free(&m);

    struct ofa_msg g = {.type = OFA_GROUP_MOD, .xid = 2};
    g.u.group_mod.gm.command = FT_GC_DELETE;
    g.u.group_mod.gm.group_id = FT_GROUP_ALL;
    h_send_expect_error(&h, c, &g, FT_ERR_BAD_REQUEST_IS_SLAVE);
    struct ofa_msg mm = {.type = OFA_METER_MOD, .xid = 3};
    mm.u.meter_mod.mm.command = FT_MC_DELETE;
    mm.u.meter_mod.mm.meter_id = FT_METER_ALL;
    h_send_expect_error(&h, c, &mm, FT_ERR_BAD_REQUEST_IS_SLAVE);
    struct ofa_msg pm = {.type = OFA_PORT_MOD, .xid = 4};
    pm.u.port_mod.port_no = 1;
    h_send_expect_error(&h, c, &pm, FT_ERR_BAD_REQUEST_IS_SLAVE);
    struct ofa_msg tm = {.type = OFA_TABLE_MOD, .xid = 5};
    h_send_expect_error(&h, c, &tm, FT_ERR_BAD_REQUEST_IS_SLAVE);
    uint8_t f[60];
    struct ft_action out = {.type = FT_AT_OUTPUT, .arg = 2};
    struct ofa_msg po = {.type = OFA_PACKET_OUT, .xid = 6};
    po.u.packet_out = (struct ofa_packet_out){.buffer_id = OFA_NO_BUFFER,
                                              .in_port = 1,
                                              .n_actions = 1,
                                              .actions = &out,
                                              .data = f,
                                              .data_len = h_udp_frame(f, 1, 2, 64)};
    h_send_expect_error(&h, c, &po, FT_ERR_BAD_REQUEST_IS_SLAVE);
    ck_assert_uint_eq(stub_dp_packet_outs(h.dp), 0);

    /* Setting table features is a write; reading is not. */
    struct ofa_table_features tf = {.table_id = 0};
    struct ofa_msg q;
    h_mp_msg(&q, 7, OFA_MP_TABLE_FEATURES);
    q.u.mp.n = 1;
    q.u.mp.u.table_features = &tf;
    h_send_expect_error(&h, c, &q, FT_ERR_BAD_REQUEST_IS_SLAVE);
    h_mp_msg(&q, 8, OFA_MP_DESC);
    h_send(&h, c, &q);
    h_expect_type(&h, c, OFA_MULTIPART_REPLY, 8);
    /* SET_CONFIG is not on the spec's list of slave-refused messages. */
    struct ofa_msg sc = {.type = OFA_SET_CONFIG, .xid = 9};
    sc.u.config.miss_send_len = 64;
    h_send(&h, c, &sc);
    h_barrier(&h, c);
    ck_assert_uint_eq(stub_dp_miss_send_len(h.dp), 64);
    h_fini(&h);
}
END_TEST

static void
get_async(struct harness *h, int c, struct ofa_async *out)
{
    struct ofa_msg g = {.type = OFA_GET_ASYNC_REQUEST, .xid = 70}, r;
    h_send(h, c, &g);
    h_recv(h, c, &r, raw);
    ck_assert_int_eq(r.type, OFA_GET_ASYNC_REPLY);
    *out = r.u.async;
    ofa_msg_free(&r);
}

START_TEST(async_defaults_and_set)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    struct ofa_async as;
    get_async(&h, c, &as);
    ck_assert_uint_eq(as.packet_in_mask[0], 0x3); /* NO_MATCH | ACTION */
    ck_assert_uint_eq(as.packet_in_mask[1], 0);
    ck_assert_uint_eq(as.port_status_mask[0], 0x7);
    ck_assert_uint_eq(as.port_status_mask[1], 0x7);
    ck_assert_uint_eq(as.flow_removed_mask[0], 0xf);
    ck_assert_uint_eq(as.flow_removed_mask[1], 0);
    ck_assert(!stub_dp_invalid_ttl(h.dp));

    struct ofa_msg s = {.type = OFA_SET_ASYNC, .xid = 71};
    s.u.async = as;
    s.u.async.packet_in_mask[0] = 0x7; /* + INVALID_TTL */
    h_send(&h, c, &s);
    get_async(&h, c, &as);
    ck_assert_uint_eq(as.packet_in_mask[0], 0x7);
    ck_assert(stub_dp_invalid_ttl(h.dp)); /* The dataplane now reports TTL expiry. */
    h_fini(&h);
}
END_TEST

/* The next message on c must be a PACKET_IN; returns it (free it). */
static void
recv_packet_in(struct harness *h, int c, struct ofa_msg *r)
{
    h_recv(h, c, r, raw);
    ck_assert_msg(r->type == OFA_PACKET_IN, "got type %u, want PACKET_IN", r->type);
}

START_TEST(packet_in_per_role_and_port)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int m = h_connect(&h), s = h_connect(&h);
    ck_assert_int_eq(role(&h, m, OFA_ROLE_MASTER, 1, NULL), OFA_ROLE_MASTER);
    ck_assert_int_eq(role(&h, s, OFA_ROLE_SLAVE, 1, NULL), OFA_ROLE_SLAVE);
    /* Table 0 writes metadata and goes to table 1, whose miss sends 100
     * bytes to the controller. */
    h_flow(&h, m, FT_FC_ADD, "priority=1,cookie=0x5", "write_metadata:0xab/0xff,goto_table:1");
    h_flow(&h, m, FT_FC_ADD, "table=1,priority=0,cookie=0x6", "output:CONTROLLER:100");
    h_barrier(&h, m);
    uint8_t f[60];
    size_t n = h_udp_frame(f, 0x0a000001, 0x0a000002, 64);
    stub_dp_inject(h.dp, 2, f, n);
    struct ofa_msg r;
    recv_packet_in(&h, m, &r);
    const struct ofa_packet_in *pi = &r.u.packet_in;
    ck_assert_uint_eq(pi->buffer_id, OFA_NO_BUFFER);
    ck_assert_uint_eq(pi->reason, OFA_PR_NO_MATCH); /* A table-miss rule. */
    ck_assert_uint_eq(pi->table_id, 1);
    ck_assert_uint_eq(pi->cookie, 0x6);
    ck_assert_uint_eq(pi->total_len, 60);
    ck_assert_uint_eq(pi->data_len, 60);
    ck_assert_mem_eq(pi->data, f, 60);
    /* IN_PORT (IN_PHY_PORT is the same) and the metadata table 0 wrote. */
    ck_assert_uint_eq(pi->n_match, 2);
    ck_assert_uint_eq(pi->match[0].field, FT_F_IN_PORT);
    ck_assert_uint_eq(pi->match[0].value.u32, 2);
    ck_assert_uint_eq(pi->match[1].field, FT_F_METADATA);
    ck_assert_uint_eq(pi->match[1].value.u64, 0xab);
    ofa_msg_free(&r);
    h_expect_silence(&h, s); /* A slave gets no packet-in by default. */

    /* The slave asks for them. */
    struct ofa_msg sa = {.type = OFA_SET_ASYNC, .xid = 72};
    sa.u.async.packet_in_mask[1] = 0x1;
    sa.u.async.port_status_mask[1] = 0x7;
    h_send(&h, s, &sa);
    h_barrier(&h, s);
    stub_dp_inject(h.dp, 2, f, n);
    recv_packet_in(&h, s, &r);
    ofa_msg_free(&r);
    recv_packet_in(&h, m, &r);
    ofa_msg_free(&r);

    /* An action packet-in with max_len cut: output:CONTROLLER:20 */
    h_flow(&h, m, FT_FC_ADD, "priority=9,in_port=3", "output:CONTROLLER:20");
    h_barrier(&h, m);
    stub_dp_inject(h.dp, 3, f, n);
    recv_packet_in(&h, m, &r);
    ck_assert_uint_eq(r.u.packet_in.reason, OFA_PR_ACTION);
    ck_assert_uint_eq(r.u.packet_in.data_len, 20);
    ck_assert_uint_eq(r.u.packet_in.total_len, 60);
    ofa_msg_free(&r);
    h_expect_silence(&h, s); /* ACTION is not in the slave's mask. */

    /* NO_PACKET_IN on port 3: nobody hears of it. */
    struct ofa_msg pm = {.type = OFA_PORT_MOD, .xid = 73};
    pm.u.port_mod.port_no = 3;
    memcpy(pm.u.port_mod.hw_addr, (uint8_t[]){2, 0, 0, 0, 0, 3}, 6);
    pm.u.port_mod.config = FT_PC_NO_PACKET_IN;
    pm.u.port_mod.mask = FT_PC_NO_PACKET_IN;
    h_send(&h, m, &pm);
    h_barrier(&h, m);
    h_recv(&h, m, &r, raw); /* The port-mod's PORT_STATUS. */
    ck_assert_int_eq(r.type, OFA_PORT_STATUS);
    ck_assert_uint_eq(r.u.port_status.port.config, FT_PC_NO_PACKET_IN);
    ofa_msg_free(&r);
    h_recv(&h, s, &r, raw);
    ck_assert_int_eq(r.type, OFA_PORT_STATUS);
    ofa_msg_free(&r);
    stub_dp_inject(h.dp, 3, f, n);
    h_expect_silence(&h, m);
    h_expect_silence(&h, s);
    h_fini(&h);
}
END_TEST

START_TEST(packet_in_pipeline_fields)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int c = h_connect(&h);
    /* A flexible array member cannot sit inside another struct: allocate. */
    struct dp_packet_in *pin = calloc(1, sizeof *pin + 16);
    ck_assert_ptr_nonnull(pin);
    *pin = (struct dp_packet_in){.reason = FT_PR_ACTION,
                                 .table_id = 3,
                                 .max_len = 16,
                                 .total_len = 100,
                                 .cookie = 9,
                                 .in_port = 5,
                                 .in_phy_port = 1,
                                 .metadata = 0xabcd,
                                 .tunnel_id = 0x77,
                                 .data_len = 16};
    memset(pin->data, 0xee, 16);
    ck_assert_int_eq(stub_dp_push_packet_in(h.dp, pin), 0);
    free(pin);
    struct ofa_msg r;
    recv_packet_in(&h, c, &r);
    const struct ofa_packet_in *pi = &r.u.packet_in;
    ck_assert_uint_eq(pi->table_id, 3);
    ck_assert_uint_eq(pi->total_len, 100);
    ck_assert_uint_eq(pi->data_len, 16);
    ck_assert_uint_eq(pi->n_match, 4);
    ck_assert_uint_eq(pi->match[0].field, FT_F_IN_PORT);
    ck_assert_uint_eq(pi->match[0].value.u32, 5);
    ck_assert_uint_eq(pi->match[1].field, FT_F_IN_PHY_PORT);
    ck_assert_uint_eq(pi->match[1].value.u32, 1);
    ck_assert_uint_eq(pi->match[2].field, FT_F_METADATA);
    ck_assert_uint_eq(pi->match[2].value.u64, 0xabcd);
    ck_assert_uint_eq(pi->match[3].field, FT_F_TUNNEL_ID);
    ck_assert_uint_eq(pi->match[3].value.u64, 0x77);
    ofa_msg_free(&r);
    h_fini(&h);
}
END_TEST

START_TEST(port_status_per_async)
{
    struct harness h;
    h_init(&h, 4, OFA_FAIL_SECURE);
    int a = h_connect(&h), b = h_connect(&h);
    struct ofa_msg sa = {.type = OFA_SET_ASYNC, .xid = 80};
    sa.u.async.port_status_mask[0] = 1u << OFA_PPR_ADD; /* b: only additions */
    h_send(&h, b, &sa);
    h_barrier(&h, b);
    stub_dp_set_link(h.dp, 2, false);
    struct ofa_msg r;
    h_recv(&h, a, &r, raw);
    ck_assert_int_eq(r.type, OFA_PORT_STATUS);
    ck_assert_uint_eq(r.u.port_status.reason, OFA_PPR_MODIFY);
    ck_assert_uint_eq(r.u.port_status.port.port_no, 2);
    ck_assert_uint_eq(r.u.port_status.port.state, DP_PS_LINK_DOWN);
    ck_assert_str_eq(r.u.port_status.port.name, "stub2");
    ofa_msg_free(&r);
    h_expect_silence(&h, b);
    /* The pipeline follows: port 2 is no longer live. */
    struct ft_pipeline *p = dp_pipeline(h.dp);
    ck_assert(!ft_pipeline_port_live(p, ft_pipeline_version(p), 2));
    ck_assert(ft_pipeline_port_live(p, ft_pipeline_version(p), 1));
    /* A new port: ADD to both. */
    char err[64];
    ck_assert_int_eq(dp_port_add(h.dp, 9, "stub", err, sizeof err), 0);
    h_recv(&h, a, &r, raw);
    ck_assert_uint_eq(r.u.port_status.reason, OFA_PPR_ADD);
    ofa_msg_free(&r);
    h_recv(&h, b, &r, raw);
    ck_assert_uint_eq(r.u.port_status.reason, OFA_PPR_ADD);
    ck_assert_uint_eq(r.u.port_status.port.port_no, 9);
    ofa_msg_free(&r);
    ck_assert(ft_pipeline_port_exists(p, ft_pipeline_version(p), 9));
    ck_assert_int_eq(dp_port_del(h.dp, 9), 0);
    h_recv(&h, a, &r, raw);
    ck_assert_uint_eq(r.u.port_status.reason, OFA_PPR_DELETE);
    ofa_msg_free(&r);
    h_expect_silence(&h, b);
    ck_assert(!ft_pipeline_port_exists(p, ft_pipeline_version(p), 9));
    h_fini(&h);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("ofagent_role");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, roles_and_generations);
    tcase_add_test(tc, async_defaults_and_set);
    tcase_add_test(tc, packet_in_per_role_and_port);
    tcase_add_test(tc, packet_in_pipeline_fields);
    tcase_add_test(tc, port_status_per_async);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_add_test(tc, slave_writes_refused);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
