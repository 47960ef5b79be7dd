/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: the pipeline walk — composed programs and megaflow masks. */
#include "check_main.h"
#include "ft_alloc.h"
#include "ft_test_util.h"

static struct ft_pipeline *p;
static struct ft_walk_out out;

static void
setup(void)
{
    p = ft_pipeline_create(NULL);
    ck_assert_ptr_nonnull(p);
}

static void
teardown(void)
{
    ft_pipeline_destroy(p);
}

/* Nothing but the recirc_id (every walk's): the mask of an entry that
 * stands for every packet not recirculated. */
static bool
mask_is_minimal(const struct ft_key *mask)
{
    struct ft_key only;
    ft_key_zero(&only);
    only.recirc_id = 0xffff;
    return ft_key_equal(mask, &only);
}

static const char *
walk(const char *key)
{
    struct ft_key k = tu_key(key);
    return tu_walk(p, &k, &out);
}

START_TEST(miss_drops)
{
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=1"), "drop");
    ck_assert_int_eq(out.n_visits, 1);
    ck_assert_ptr_null(out.visits[0].rule);
    /* Nothing was consulted but that the packet was not recirculated: one
     * entry can stand for every packet. */
    ck_assert(mask_is_minimal(&out.mask));
}
END_TEST

START_TEST(table_miss_rule_sends_no_match)
{
    ck_assert_int_eq(tu_add(p, "priority=0,cookie=0x77", "CONTROLLER:128"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=3"),
                     "controller(reason=no_match,max_len=128,table=0,cookie=0x77)");
    ck_assert(out.flags & FT_WALK_F_CONTROLLER);
    ck_assert(mask_is_minimal(&out.mask));
}
END_TEST

START_TEST(action_controller_reason)
{
    ck_assert_int_eq(tu_add(p, "priority=5,in_port=1", "CONTROLLER:64"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=1"), "controller(reason=action,max_len=64,table=0,cookie=0x0)");
}
END_TEST

START_TEST(controller_and_dec_ttl_carry_metadata)
{
    /* The packet-in reports the metadata as it was at the CONTROLLER (or
     * dec_ttl) op: table 1 runs after table 0 wrote it. */
    ck_assert_int_eq(tu_add(p, "priority=1", "write_metadata:0x5/0xf,goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "dec_ttl,CONTROLLER:64"), FT_OK);
    tu_settle(p);
    walk("in_port=1,ip");
    ck_assert_int_eq(out.n_ops, 2);
    ck_assert_uint_eq(out.ops[0].type, FT_OP_DEC_NW_TTL);
    ck_assert_uint_eq(out.ops[0].value.u64, 0x5);
    ck_assert_uint_eq(out.ops[1].type, FT_OP_CONTROLLER);
    ck_assert_uint_eq(out.ops[1].value.u64, 0x5);
}
END_TEST

START_TEST(priorities_and_mask)
{
    ck_assert_int_eq(tu_add(p, "priority=10,ip,nw_dst=10.0.0.0/8", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.1.0.0/16", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=5,ip", "output:3"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.1.2.3"), "output:2");
    /* The /16 rule won: the /8 and ip subtables are never probed. */
    ck_assert_uint_eq(out.mask.eth_type, 0xffff);
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xffff0000);
    ck_assert_str_eq(walk("ip,nw_dst=10.2.2.3"), "output:1");
    /* No /16 on 10.2's trie path: 15 bits (10.2 and 10.1 share 14) prove
     * the /16 subtable's miss for every packet of the mask. */
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xfffe0000);
    ck_assert_str_eq(walk("ip,nw_dst=11.2.2.3"), "output:3");
    ck_assert_str_eq(walk("arp"), "drop");
}
END_TEST

/* An ACL of source prefixes the traffic is far from: the tries prove no
 * ACL rule matches from the first bits that differ, so one cache entry
 * serves all sources (scenario 4 of tools/bench: without the tries its
 * /16-/24 masks split 1,000 sources into four entries per destination). */
START_TEST(prefix_tries_unwildcard_only_what_decides)
{
    char spec[96];
    for (unsigned i = 0; i < 9; i++) {
        snprintf(spec, sizeof spec, "priority=200,udp,nw_src=172.16.0.0/%u,tp_dst=%u", 16 + i,
                 2000 + i);
        ck_assert_int_eq(tu_add(p, spec, "drop"), FT_OK);
    }
    ck_assert_int_eq(tu_add(p, "priority=0", "output:1"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("udp,nw_src=198.18.2.5,nw_dst=10.0.0.1,tp_dst=53"), "output:1");
    /* 198 and 172 share one leading bit: two bits tell them apart, and no
     * ACL subtable was probed, so tp_dst was not consulted. */
    ck_assert_uint_eq(out.mask.ipv4_src, 0xc0000000);
    ck_assert_uint_eq(out.mask.tp_dst, 0);
    /* A packet on the path still probes, and matches. */
    ck_assert_str_eq(walk("udp,nw_src=172.16.0.9,tp_dst=2003"), "drop");
    ck_assert_str_eq(walk("udp,nw_src=172.16.0.9,tp_dst=53"), "output:1");
}
END_TEST

/* Removing a rule (once no reader can see it) takes its prefix out of the
 * trie: the bits needed shrink back. */
START_TEST(prefix_tries_follow_removals)
{
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.1.0.0/16", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.3.0.0/16", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=10,ip,nw_dst=10.0.0.0/8", "output:3"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.2.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xffff0000); /* 10.2 and 10.3 share 15 bits. */
    ck_assert_int_eq(tu_flow(p, FT_FC_DELETE_STRICT, "priority=20,ip,nw_dst=10.3.0.0/16", NULL),
                     FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.2.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xfffe0000); /* 10.2 and 10.1 share 14. */
    ck_assert_str_eq(walk("ip,nw_dst=10.1.0.1"), "output:1");
    ck_assert_str_eq(walk("ip,nw_dst=10.3.0.1"), "output:3");
}
END_TEST

/* A trie that cannot grow is switched off, not half kept: the rule still
 * goes in, and misses keep whole subtable masks again. */
START_TEST(prefix_tries_off_when_they_cannot_grow)
{
    if (!ft_fault_available()) {
        fprintf(stderr, "skipped: build with -Dfault_injection=true\n");
        return;
    }
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.1.0.0/16", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=10,ip,nw_dst=10.0.0.0/8", "output:3"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.128.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xff800000); /* 10.128 and 10.1 share 8 bits. */
    /* The last allocation of an add that succeeds is the trie's. */
    bool off = false;
    for (uint64_t k = 0; k < 100 && !off; k++) {
        struct ft_flow_mod fm;
        tu_flow_mod_init(&fm, FT_FC_ADD, "priority=20,ip,nw_dst=10.3.0.0/16");
        struct ft_insts *in = tu_insts("output:2");
        fm.insts = in;
        ft_fault_arm(k, 1); /* Only the pipeline's allocations. */
        enum ft_err err = ft_pipeline_flow_mod(p, &fm, 0);
        ft_fault_disarm();
        free(in);
        tu_settle(p);
        off = err == FT_OK && ft_fault_failed();
    }
    ck_assert_msg(off, "no add succeeded with a failed allocation");
    ck_assert_str_eq(walk("ip,nw_dst=10.128.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xffff0000); /* Probed, as without tries. */
    ck_assert_str_eq(walk("ip,nw_dst=10.3.0.1"), "output:2");
    ck_assert_str_eq(walk("ip,nw_dst=10.1.0.1"), "output:1");
}
END_TEST

/* Past the pipeline's node budget a trie is switched off, as when it
 * cannot allocate. */
START_TEST(prefix_tries_off_past_their_budget)
{
    struct ft_pipeline_config cfg;
    ft_pipeline_config_default(&cfg);
    cfg.max_trie_nodes = 18; /* 10.1/16 takes 17 nodes, 10/8 none more, 10.3/16 two. */
    ft_pipeline_destroy(p);
    p = ft_pipeline_create(&cfg);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.1.0.0/16", "output:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=10,ip,nw_dst=10.0.0.0/8", "output:3"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.128.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xff800000); /* Within budget: the trie's bits. */
    ck_assert_int_eq(tu_add(p, "priority=20,ip,nw_dst=10.3.0.0/16", "output:2"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip,nw_dst=10.128.0.1"), "output:3");
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xffff0000); /* Off: probed. */
    ck_assert_str_eq(walk("ip,nw_dst=10.3.0.1"), "output:2");
    ck_assert_str_eq(walk("ip,nw_dst=10.1.0.1"), "output:1");
}
END_TEST

START_TEST(goto_metadata_and_set_field_visible)
{
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,in_port=1",
                            "set_field:10.9.9.9->ipv4_dst,write_metadata:0x5/0xf,goto_table:2"),
                     FT_ERR_BAD_ACTION_MATCH_INCONSISTENT); /* No ip prerequisite. */
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,in_port=1,ip",
                            "set_field:10.9.9.9->ipv4_dst,write_metadata:0x5/0xf,goto_table:2"),
                     FT_OK);
    ck_assert_int_eq(
        tu_add(p, "table=2,priority=1,metadata=0x5/0xf,ip,nw_dst=10.9.9.9", "output:7"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=0", "output:8"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=1,ip,nw_dst=1.2.3.4"), "set_field:10.9.9.9->ipv4_dst,output:7");
    ck_assert_int_eq(out.n_visits, 2);
    ck_assert_int_eq(out.visits[1].table_id, 2);
    /* ipv4_dst was written before table 2 consulted it; metadata is the
     * pipeline's own: neither belongs in the mask. */
    ck_assert_uint_eq(out.mask.ipv4_dst, 0);
    ck_assert_uint_eq(out.mask.metadata, 0);
    ck_assert_uint_eq(out.mask.in_port, 0xffffffff);
    ck_assert_str_eq(walk("in_port=2,ip,nw_dst=1.2.3.4"), "drop");
}
END_TEST

START_TEST(action_set_order_and_clear)
{
    /* Written in the "wrong" order; the set runs in the spec's order. */
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,ip",
                            "write_actions(output:4,set_field:1.1.1.1->ipv4_src,dec_ttl,"
                            "push_vlan:0x8100,set_queue:3),goto_table:1"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "apply_actions(output:9)"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip"), "output:9,push_vlan:0x8100,dec_ttl,"
                                 "set_field:1.1.1.1->ipv4_src,set_queue:3,output:4");
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY_STRICT, "table=1,priority=1", "clear_actions"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("ip"), "drop");
}
END_TEST

START_TEST(group_output_wins_over_output)
{
    struct ft_action out2 = {.type = FT_AT_OUTPUT, .arg = 2};
    struct ft_bucket b = {
        .n_actions = 1, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY, .actions = &out2};
    struct ft_group_mod gm = {
        .command = FT_GC_ADD, .type = FT_GT_INDIRECT, .group_id = 1, .n_buckets = 1, .buckets = &b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1", "write_actions(output:5,group:1)"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=1"), "group:1(indirect,bucket0(output:2))");
    ck_assert_int_eq(out.n_deps, 1);
    ck_assert_int_eq(out.deps[0].kind, FT_DEP_GROUP);
}
END_TEST

/* Fast-failover groups whose buckets watch each other in a cycle, four
 * buckets each: without remembering what it found, the walk evaluated the
 * same groups again for every path, 4^16 times (the e2e_diff test hung on
 * such a random pipeline). None has a bucket that is live by itself: all
 * are dead. */
START_TEST(watch_group_cycles_are_evaluated_once)
{
    struct ft_action out1 = {.type = FT_AT_OUTPUT, .arg = 1};
    struct ft_bucket b[4];
    for (uint32_t g = 0; g < 4; g++) {
        for (uint32_t j = 0; j < 4; j++)
            b[j] = (struct ft_bucket){.n_actions = 1,
                                      .watch_port = FT_PORT_ANY,
                                      .watch_group = 20 + (g + j) % 4,
                                      .actions = &out1};
        struct ft_group_mod gm = {.command = FT_GC_ADD,
                                  .type = FT_GT_FF,
                                  .group_id = 20 + g,
                                  .n_buckets = 4,
                                  .buckets = b};
        ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    }
    ck_assert_int_eq(tu_add(p, "priority=1,in_port=20", "group:20"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=20"), "group:20(ff)");
}
END_TEST

START_TEST(group_types_and_liveness)
{
    struct ft_action a[3] = {
        {.type = FT_AT_OUTPUT, .arg = 1},
        {.type = FT_AT_OUTPUT, .arg = 2},
        {.type = FT_AT_OUTPUT, .arg = 3},
    };
    struct ft_bucket b[3];
    for (int i = 0; i < 3; i++)
        b[i] = (struct ft_bucket){.weight = 0,
                                  .n_actions = 1,
                                  .watch_port = (uint32_t)(i + 1),
                                  .watch_group = FT_GROUP_ANY,
                                  .actions = &a[i]};
    struct ft_group_mod gm = {
        .command = FT_GC_ADD, .type = FT_GT_FF, .group_id = 10, .n_buckets = 3, .buckets = b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    for (int i = 0; i < 3; i++)
        b[i].weight = (uint16_t)(i + 1);
    gm = (struct ft_group_mod){
        .command = FT_GC_ADD, .type = FT_GT_SELECT, .group_id = 11, .n_buckets = 3, .buckets = b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    for (int i = 0; i < 3; i++) {
        b[i].weight = 0;
        b[i].watch_port = FT_PORT_ANY;
    }
    gm = (struct ft_group_mod){
        .command = FT_GC_ADD, .type = FT_GT_ALL, .group_id = 12, .n_buckets = 3, .buckets = b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    for (uint32_t port = 1; port <= 3; port++)
        ck_assert_int_eq(ft_pipeline_port_set(p, port, true, 0), 0);
    ck_assert_int_eq(tu_add(p, "priority=1,in_port=10", "group:10"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,in_port=11", "group:11"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,in_port=12", "group:12,output:4"), FT_OK);
    tu_settle(p);

    ck_assert_str_eq(walk("in_port=10"), "group:10(ff,bucket0(output:1))");
    ck_assert_str_eq(walk("in_port=11"),
                     "group:11(select,bucket0(output:1),bucket1(output:2),bucket2(output:3))");
    ck_assert_uint_eq(out.ops[1].value.u32, 1); /* Weights travel with buckets. */
    ck_assert_str_eq(
        walk("in_port=12"),
        "group:12(all,bucket0(output:1),bucket1(output:2),bucket2(output:3)),output:4");

    /* Port 1 goes down: fast-failover moves on, select skips the bucket. */
    ck_assert_int_eq(ft_pipeline_port_set(p, 1, false, 0), 0);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=10"), "group:10(ff,bucket1(output:2))");
    ck_assert_str_eq(walk("in_port=11"), "group:11(select,bucket1(output:2),bucket2(output:3))");
    /* PORT_DOWN config counts as dead too. */
    ck_assert_int_eq(ft_pipeline_port_set(p, 2, true, FT_PC_PORT_DOWN), 0);
    ck_assert_int_eq(ft_pipeline_port_set(p, 3, false, 0), 0);
    tu_settle(p);
    ck_assert_str_eq(walk("in_port=10"), "group:10(ff)");
}
END_TEST

/* Resume a walk after its recirculation, for key (the packet parsed again). */
static const char *
resume(const struct ft_key *key, const struct ft_walk_cont *cont)
{
    static char buf[4096];
    ft_walk_resume(p, ft_pipeline_version(p), key, cont, &out);
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    return buf;
}

START_TEST(vlan_push_pop_model)
{
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,in_port=1",
                            "push_vlan:0x8100,set_field:4106->vlan_vid,goto_table:1"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=2,dl_vlan=10", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,in_port=5", "pop_vlan,goto_table:1"), FT_OK);
    tu_settle(p);
    /* Untagged in: the pushed tag gets VID 10, table 1 sees it. */
    ck_assert_str_eq(walk("in_port=1"), "push_vlan:0x8100,set_field:0x100a->vlan_vid,output:2");
    /* The push consulted the old tag (it copies it). */
    ck_assert_uint_eq(out.mask.vlan_vid, 0x1fff);
    /* Tagged 20 in: pushed copy then overwritten to 10. */
    ck_assert_str_eq(walk("in_port=1,dl_vlan=20"),
                     "push_vlan:0x8100,set_field:0x100a->vlan_vid,output:2");

    /* Pop with no inner tag: table 1 sees an untagged packet. */
    struct ft_key k = tu_key("in_port=5,dl_vlan=10");
    ck_assert_str_eq(tu_walk(p, &k, &out), "pop_vlan,output:3");
    /* QinQ: the inner tag becomes the outer one, and a third, if any, the
     * inner one: the key does not hold it, the packet is parsed again. */
    k.vlan2_vid = FT_VID_PRESENT | 10;
    ck_assert_str_eq(tu_walk(p, &k, &out), "pop_vlan,recirc");
    ck_assert(out.flags & FT_WALK_F_RECIRC);
    ck_assert_int_eq(out.cont.kind, FT_CONT_APPLY);
    ck_assert_uint_eq(out.cont.next, 1);
    struct ft_walk_cont cont = out.cont;
    struct ft_key again = tu_key("in_port=5,dl_vlan=10"); /* As parsed after the pop. */
    again.recirc_id = 1;
    ck_assert_str_eq(resume(&again, &cont), "output:2");
}
END_TEST

START_TEST(pop_mpls_recirculates_then_l3_matches)
{
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,mpls",
                            "write_metadata:0x7/0xff,pop_mpls:0x0800,set_field:8->ip_dscp,"
                            "write_actions(output:4),goto_table:1"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=5,ip,nw_dst=10.0.0.1,metadata=0x7",
                            "CONTROLLER:64,goto_table:2"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "output:3"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=1,ip,ip_dscp=8", "dec_ttl"), FT_OK);
    tu_settle(p);
    struct ft_key k = tu_key("in_port=1,mpls,mpls_label=5");
    k.mpls_bos = 1;
    /* The pop ends the program: the rest needs the headers under the label. */
    ck_assert_str_eq(tu_walk(p, &k, &out), "pop_mpls:0x0800,recirc");
    ck_assert(out.flags & FT_WALK_F_RECIRC);
    ck_assert_int_eq(out.cont.kind, FT_CONT_APPLY);
    ck_assert_uint_eq(out.cont.next, 1); /* After the pop: set_field, then the rest. */
    ck_assert_ptr_eq(out.cont.rule, out.visits[0].rule);
    ck_assert_uint_eq(out.cont.metadata, 0); /* write_metadata runs after apply-actions. */
    struct ft_walk_cont cont = out.cont;

    /* The packet as parsed again: table 1 matches its IP header. */
    struct ft_key in = tu_key("in_port=1,ip,nw_dst=10.0.0.1");
    in.recirc_id = 3;
    in.recirc_gen = 9;
    ck_assert_str_eq(resume(&in, &cont),
                     "set_field:8->ip_dscp,controller(reason=action,max_len=64,table=1,"
                     "cookie=0x0),dec_ttl,output:4");
    /* Table 0's rule goes on (not looked up again), then tables 1 and 2. */
    ck_assert_int_eq(out.n_visits, 3);
    ck_assert(out.visits[0].resumed);
    ck_assert_uint_eq(out.visits[0].table_id, 0);
    ck_assert_uint_eq(out.visits[1].table_id, 1);
    ck_assert_uint_eq(out.mask.recirc_id, 0xffff); /* The continuation is part of the answer. */
    ck_assert_uint_eq(out.mask.recirc_gen, 0xffff);
    ck_assert_uint_eq(out.mask.metadata, 0); /* Metadata comes with the continuation. */
    ck_assert_uint_eq(out.mask.ipv4_dst, 0xffffffff);
    struct ft_key other = in;
    other.ipv4_dst = 0x0a000002;
    ck_assert_str_eq(resume(&other, &cont), "set_field:8->ip_dscp,output:3,output:4");
}
END_TEST

START_TEST(pop_in_action_set_recirculates)
{
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,mpls",
                            "write_actions(pop_mpls:0x0800,set_field:8->ip_dscp,output:2)"),
                     FT_OK);
    tu_settle(p);
    struct ft_key k = tu_key("mpls,mpls_label=5");
    ck_assert_str_eq(tu_walk(p, &k, &out), "pop_mpls:0x0800,recirc");
    ck_assert_int_eq(out.cont.kind, FT_CONT_SET);
    struct ft_walk_cont cont = out.cont;
    struct ft_key in = tu_key("ip,nw_dst=10.0.0.1");
    in.recirc_id = 1;
    ck_assert_str_eq(resume(&in, &cont), "set_field:8->ip_dscp,output:2");
    ck_assert_int_eq(out.n_visits, 0); /* No table: the set goes on. */
}
END_TEST

START_TEST(pop_in_bucket_does_not_recirculate)
{
    struct ft_action a[3];
    ck_assert(tu_action("pop_mpls:0x0800", &a[0]));
    ck_assert(tu_action("set_field:8->ip_dscp", &a[1]));
    ck_assert(tu_action("output:2", &a[2]));
    struct ft_bucket b = {
        .n_actions = 3, .actions = a, .watch_port = FT_PORT_ANY, .watch_group = FT_GROUP_ANY};
    struct ft_group_mod gm = {
        .command = FT_GC_ADD, .type = FT_GT_ALL, .group_id = 1, .n_buckets = 1, .buckets = &b};
    ck_assert_int_eq(ft_pipeline_group_mod(p, &gm, 0), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,mpls", "group:1,output:3"), FT_OK);
    tu_settle(p);
    /* A bucket runs on a clone no table sees: the executor does the rest. */
    struct ft_key k = tu_key("mpls,mpls_label=5");
    k.mpls_bos = 1;
    ck_assert_str_eq(
        tu_walk(p, &k, &out),
        "group:1(all,bucket0(pop_mpls:0x0800,set_field:8->ip_dscp,output:2)),output:3");
    ck_assert(!(out.flags & FT_WALK_F_RECIRC));
}
END_TEST

START_TEST(packet_out_recirculates)
{
    ck_assert_int_eq(tu_add(p, "priority=2,ip,nw_dst=10.0.0.1", "output:6"), FT_OK);
    ck_assert_int_eq(tu_add(p, "priority=1,mpls", "pop_mpls:0x0800,output:5"), FT_OK);
    tu_settle(p);
    struct ft_action a[3];
    ck_assert(tu_action("output:TABLE", &a[0]));
    ck_assert(tu_action("pop_mpls:0x0800", &a[1]));
    ck_assert(tu_action("output:7", &a[2]));
    struct ft_key k = tu_key("mpls,mpls_label=5");
    /* The tables pop: they go on after the parse, then the list's pop. */
    ft_walk_packet_out(p, ft_pipeline_version(p), &k, a, 3, &out);
    char buf[256];
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "pop_mpls:0x0800,recirc");
    ck_assert_int_eq(out.cont.kind, FT_CONT_APPLY);
    ck_assert_ptr_eq(out.cont.list, a);
    ck_assert_uint_eq(out.cont.list_next, 1);
    struct ft_walk_cont cont = out.cont;
    struct ft_key in = tu_key("ip,nw_dst=10.0.0.1");
    ck_assert_str_eq(resume(&in, &cont), "output:5,pop_mpls:0x0800,output:7");
    ck_assert(!(out.flags & FT_WALK_F_RECIRC)); /* No label left to pop. */

    /* A pop in the list itself: the list goes on after the parse. */
    ft_walk_packet_out(p, ft_pipeline_version(p), &k, a + 1, 2, &out);
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "pop_mpls:0x0800,recirc");
    ck_assert_int_eq(out.cont.kind, FT_CONT_LIST);
    ck_assert_uint_eq(out.cont.next, 1);
    cont = out.cont;
    ck_assert_str_eq(resume(&in, &cont), "output:7");
}
END_TEST

/* Set-field of a type field (issue 13, class 3): later tables see the new
 * type; when the rest parses differently the packet recirculates, as after
 * a pop, instead of later tables guessing from the old headers. */
START_TEST(set_type_fields_then_match)
{
    ck_assert_int_eq(
        tu_add(p, "table=0,priority=1,mpls", "set_field:0x8848->eth_type,goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=5,eth_type=0x8848,mpls_label=5", "output:2"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=1,ip", "set_field:0x86dd->eth_type,goto_table:2"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=5,ipv6,ipv6_dst=::1", "output:2"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=2,priority=1", "output:3"), FT_OK);
    tu_settle(p);
    /* MPLS unicast -> multicast: the label is still the label. */
    ck_assert_str_eq(walk("mpls,mpls_label=5"), "set_field:0x8848->eth_type,output:2");
    ck_assert(!(out.flags & FT_WALK_F_RECIRC));
    /* IPv4 retyped as IPv6: the IPv6 header is read from the packet. */
    ck_assert_str_eq(walk("ip,nw_dst=10.0.0.1"), "set_field:0x86dd->eth_type,recirc");
    ck_assert(out.flags & FT_WALK_F_RECIRC);
    struct ft_walk_cont cont = out.cont;
    struct ft_key in = tu_key("ipv6,ipv6_dst=::1");
    in.recirc_id = 1;
    ck_assert_str_eq(resume(&in, &cont), "output:2");
}
END_TEST

/* push_pbb copies an existing I-SID (OpenFlow 1.3.5, the push-tag table). */
START_TEST(push_pbb_keeps_isid)
{
    ck_assert_int_eq(
        tu_add(p, "table=0,priority=1,eth_type=0x88e7", "push_pbb:0x88e7,goto_table:1"), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=5,eth_type=0x88e7,pbb_isid=100", "output:2"),
                     FT_OK);
    ck_assert_int_eq(tu_add(p, "table=1,priority=1", "output:3"), FT_OK);
    tu_settle(p);
    ck_assert_str_eq(walk("eth_type=0x88e7,pbb_isid=100"), "push_pbb:0x88e7,output:2");
    ck_assert_uint_eq(out.mask.pbb_isid, 0xffffff);
    ck_assert_str_eq(walk("eth_type=0x88e7,pbb_isid=7"), "push_pbb:0x88e7,output:3");
}
END_TEST

START_TEST(packet_out_with_table)
{
    ck_assert_int_eq(tu_add(p, "priority=1,ip,nw_src=1.1.1.1", "output:6"), FT_OK);
    tu_settle(p);
    struct ft_action a[2];
    ck_assert(tu_action("set_field:1.1.1.1->ipv4_src", &a[0]));
    ck_assert(tu_action("output:TABLE", &a[1]));
    ck_assert_int_eq(ft_pipeline_check_packet_out(p, a, 2, FT_PORT_CONTROLLER), FT_OK);
    struct ft_key k = tu_key("ip,nw_src=9.9.9.9");
    ft_walk_packet_out(p, ft_pipeline_version(p), &k, a, 2, &out);
    char buf[256];
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "set_field:1.1.1.1->ipv4_src,output:6");
    /* TABLE is only for packet-out. */
    ck_assert_int_eq(tu_add(p, "priority=2", "output:TABLE"), FT_ERR_BAD_ACTION_BAD_OUT_PORT);
}
END_TEST

START_TEST(versions_isolate_readers)
{
    ck_assert_int_eq(tu_add(p, "priority=1", "output:1"), FT_OK);
    uint64_t v1 = ft_pipeline_commit(p);
    ck_assert_int_eq(tu_flow(p, FT_FC_MODIFY, "", "output:2"), FT_OK);
    struct ft_key k = tu_key("in_port=1");
    /* Staged but not committed: readers of v1 see the old rule. */
    ft_walk(p, v1, &k, &out);
    char buf[64];
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "output:1");
    uint64_t v2 = ft_pipeline_commit(p);
    ck_assert_uint_eq(v2, v1 + 1);
    ft_walk(p, v1, &k, &out); /* An old reader still sees v1 exactly. */
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "output:1");
    ft_walk(p, v2, &k, &out);
    ft_program_format(buf, sizeof buf, out.ops, out.n_ops);
    ck_assert_str_eq(buf, "output:2");
    size_t n;
    const struct ft_change *c = ft_pipeline_changes(p, &n);
    ck_assert_uint_eq(n, 2); /* A modify is a delete plus an add. */
    ck_assert_int_eq(c[0].kind, FT_CHG_RULE_ADD);
    ck_assert_int_eq(c[1].kind, FT_CHG_RULE_DEL);
    tu_settle(p);
}
END_TEST

START_TEST(trace_explains_each_table)
{
    ck_assert_int_eq(
        tu_add(p, "table=0,priority=5,cookie=0x7,ip", "write_metadata:0x3/0xff,goto_table:4"),
        FT_OK);
    ck_assert_int_eq(
        tu_add(p, "table=4,priority=1,metadata=0x3/0xff,ip,nw_dst=10.0.0.0/8", "dec_ttl,output:2"),
        FT_OK);
    tu_settle(p);
    struct ft_key k;
    const char *bad = NULL;
    /* Lenient: a packet, not a match (no prerequisite rules, no masks). */
    ck_assert_int_eq(ft_key_parse(&k, "in_port=1,ip,nw_dst=10.1.2.3,nw_src=1.1.1.1", &bad), FT_OK);
    ck_assert_int_eq(ft_key_parse(&k, "nw_dst=10.0.0.0/8", &bad), FT_ERR_BAD_MATCH_BAD_MASK);
    ck_assert_int_eq(ft_key_parse(&k, "in_port=1,color=red", &bad), FT_ERR_BAD_MATCH_BAD_FIELD);
    ck_assert_str_eq(bad, "color=red");
    ck_assert_int_eq(ft_key_parse(&k, "in_port=1,ip,nw_dst=10.1.2.3,nw_src=1.1.1.1", &bad), FT_OK);
    static char buf[8192];
    ft_trace_format(buf, sizeof buf, p, ft_pipeline_version(p), &k, &out);
    ck_assert_str_eq(buf, "Flow: in_port=1,eth_type=0x0800,ipv4_src=1.1.1.1,ipv4_dst=10.1.2.3\n"
                          "\n"
                          "Table 0: priority 5, cookie 0x7, match eth_type=0x0800\n"
                          "    instructions: write_metadata:0x3/0xff,goto_table:4\n"
                          "\n"
                          "Table 4: priority 1, cookie 0x0, match "
                          "metadata=0x3/0xff,eth_type=0x0800,ipv4_dst=10.0.0.0/255.0.0.0\n"
                          "    instructions: apply_actions(dec_ttl,output:2)\n"
                          "\n"
                          "Megaflow: eth_type=0x0800,ipv4_dst=10.0.0.0/255.0.0.0\n"
                          "Actions: dec_ttl,output:2\n");
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, miss_drops);
    tcase_add_test(tc, prefix_tries_unwildcard_only_what_decides);
    tcase_add_test(tc, prefix_tries_follow_removals);
    tcase_add_test(tc, prefix_tries_off_when_they_cannot_grow);
    tcase_add_test(tc, prefix_tries_off_past_their_budget);
    tcase_add_test(tc, table_miss_rule_sends_no_match);
    tcase_add_test(tc, action_controller_reason);
    tcase_add_test(tc, controller_and_dec_ttl_carry_metadata);
    tcase_add_test(tc, priorities_and_mask);
    tcase_add_test(tc, goto_metadata_and_set_field_visible);
    tcase_add_test(tc, action_set_order_and_clear);
    tcase_add_test(tc, group_output_wins_over_output);
    tcase_add_test(tc, group_types_and_liveness);
    tcase_add_test(tc, watch_group_cycles_are_evaluated_once);
    tcase_add_test(tc, vlan_push_pop_model);
    tcase_add_test(tc, pop_mpls_recirculates_then_l3_matches);
    tcase_add_test(tc, pop_in_action_set_recirculates);
    tcase_add_test(tc, pop_in_bucket_does_not_recirculate);
    tcase_add_test(tc, packet_out_recirculates);
    tcase_add_test(tc, set_type_fields_then_match);
    tcase_add_test(tc, push_pbb_keeps_isid);
    tcase_add_test(tc, packet_out_with_table);
    tcase_add_test(tc, versions_isolate_readers);
    tcase_add_test(tc, trace_explains_each_table);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
