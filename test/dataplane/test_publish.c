/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Publishing to the workers in inline mode (EAL -l 0, the worker runs on
 * the agent's thread between dp_poll calls), and when publishing fails:
 *  - flows added and deleted under traffic, many times: no rule is freed
 *    while the worker may still fold into it (ASan sees the use after
 *    free), and FLOW_REMOVED counts every packet the rule forwarded;
 *  - del-port whose publish runs out of memory keeps the device until a
 *    snapshot without it was taken, then releases it (-Dfault_injection);
 *  - a meter change whose publish fails reaches the workers with the next
 *    publish (-Dfault_injection).
 * Ports are net_null devices: every poll receives a burst on each.
 */
#include "dp_e2e.h"
#include "dp_int.h"
#include "dp_meter.h"
#include "ft_alloc.h"

static struct dp *dp;

static void
stop(void)
{
    ft_fault_disarm();
    dp_destroy(dp);
    dp = NULL;
}

static void
start(void)
{
    dp_test_cleanup = stop; /* Also after a test that failed half-way. */
    if (dp)
        stop();
    dp = e2e_null_dp("pub");
}

static uint64_t
rx_packets(uint32_t port)
{
    struct dp_port_stats st;
    ck_assert_int_eq(dp_port_stats(dp, port, &st), 0);
    return st.rx_packets;
}

struct removed {
    unsigned n;
    uint64_t packets;
};

static void
on_removed(void *aux, const struct ft_flow_removed *fr)
{
    struct removed *r = aux;
    r->n++;
    r->packets = fr->packet_count;
}

START_TEST(inline_flow_churn)
{
    start();
    struct ft_pipeline *p = dp_pipeline(dp);
    struct removed rem = {0};
    ft_pipeline_set_flow_removed_cb(p, on_removed, &rem);
    for (unsigned round = 0; round < 30; round++) {
        ck_assert_int_eq(tu_add(p, "table=0,priority=5,in_port=1,send_flow_rem", "output:2"),
                         FT_OK);
        ck_assert_int_eq(dp_commit(dp), 0);
        uint64_t rx0 = rx_packets(1);
        for (unsigned i = 0; i < 3 + round % 5; i++)
            ck_assert_uint_gt(dp_poll(dp), 0);
        uint64_t forwarded = rx_packets(1) - rx0;
        ck_assert_int_eq(tu_flow(p, FT_FC_DELETE, "table=0", NULL), FT_OK);
        ck_assert_int_eq(dp_commit(dp), 0);
        ck_assert_msg(rem.n == round + 1, "round %u: %u FLOW_REMOVED", round, rem.n);
        ck_assert_msg(rem.packets == forwarded,
                      "round %u: FLOW_REMOVED counts %llu, the rule "
                      "forwarded %llu",
                      round, (unsigned long long)rem.packets, (unsigned long long)forwarded);
        dp_poll(dp); /* The deleted rule's packets now miss; nothing folds into it. */
    }
    ft_pipeline_set_flow_removed_cb(p, NULL, NULL);
    stop();
}
END_TEST

static struct dp_port *
port_slot_of(const char *devname)
{
    for (unsigned i = 0; i < DP_MAX_PORTS; i++)
        if (!strcmp(dp->ports[i].devname, devname) && (dp->ports[i].used || dp->ports[i].releasing))
            return &dp->ports[i];
    return NULL;
}

static bool
snap_has_port(uint32_t port_no)
{
    const struct dp_snap *s = atomic_load(&dp->snap);
    for (unsigned i = 0; i < s->n_ports; i++)
        if (s->ports[i].port_no == port_no)
            return true;
    return false;
}

START_TEST(del_port_when_publish_fails)
{
    if (!ft_fault_available()) {
        fprintf(stderr, "skipped: build with -Dfault_injection=true\n");
        return;
    }
    start();
    unsigned failures = 0, kept = 0;
    for (uint64_t k = 0;; k++) {
        ck_assert_uint_lt(k, 200);
        char err[256];
        if (!port_slot_of("net_null_pub2"))
            ck_assert_int_eq(dp_port_add(dp, 2, "net_null_pub2", err, sizeof err), 0);
        uint16_t eth = port_slot_of("net_null_pub2")->eth_id;
        ft_fault_arm(k, UINT64_MAX); /* dp_commit retries a failed publish: fail them all. */
        int r = dp_port_del(dp, 2);
        uint64_t failed = ft_fault_failed();
        ft_fault_disarm();
        struct dp_port_info info;
        ck_assert_int_eq(dp_port_get(dp, 2, &info), -ENOENT); /* Gone for the agent. */
        if (r) {
            failures++;
            ck_assert_int_eq(r, -ENOMEM);
            /* While the worker's snapshot has the port, it polls it: the
             * device must still be there. */
            if (snap_has_port(2)) {
                kept++;
                ck_assert(rte_eth_dev_is_valid_port(eth));
                ck_assert(port_slot_of("net_null_pub2")->releasing);
            }
            for (int i = 0; i < 4; i++)
                dp_poll(dp);
            /* The next publish (nothing staged) takes it away for good. */
            ck_assert_int_eq(dp_commit(dp), 0);
        }
        ck_assert(!snap_has_port(2));
        ck_assert_ptr_null(port_slot_of("net_null_pub2"));
        ck_assert(!rte_eth_dev_is_valid_port(eth)); /* Detached. */
        dp_poll(dp);
        if (!failed)
            break;
    }
    ck_assert_uint_gt(kept, 0);
    stop();
}
END_TEST

START_TEST(meter_change_when_publish_fails)
{
    if (!ft_fault_available()) {
        fprintf(stderr, "skipped: build with -Dfault_injection=true\n");
        return;
    }
    start();
    struct ft_pipeline *p = dp_pipeline(dp);
    struct ft_meter_band band = {.type = FT_MBT_DROP, .rate = 1000};
    struct ft_meter_mod mm = {
        .command = FT_MC_ADD, .flags = FT_MF_PKTPS, .meter_id = 5, .n_bands = 1, .bands = &band};
    ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
    ck_assert_int_eq(tu_add(p, "table=0,priority=5,in_port=1", "meter:5,output:2"), FT_OK);
    ck_assert_int_eq(dp_commit(dp), 0);
    unsigned failures = 0;
    for (uint64_t k = 0;; k++) {
        ck_assert_uint_lt(k, 200);
        band.rate = 2000 + (uint32_t)k;
        mm.command = FT_MC_MODIFY;
        ck_assert_int_eq(ft_pipeline_meter_mod(p, &mm, 0), FT_OK);
        ft_fault_arm(k, UINT64_MAX);
        int r = dp_commit(dp);
        uint64_t failed = ft_fault_failed();
        ft_fault_disarm();
        dp_poll(dp);
        if (r) {
            failures++;
            /* The next version, whose own changes name no meter, must
             * bring the workers the meter change too. */
            char prio[48];
            snprintf(prio, sizeof prio, "table=0,priority=%u,in_port=2", 100 + (unsigned)k);
            ck_assert_int_eq(tu_add(p, prio, "drop"), FT_OK);
            ck_assert_int_eq(dp_commit(dp), 0);
        }
        const struct dp_snap *s = atomic_load(&dp->snap);
        const struct dp_meter_rt *rt = dp_meter_lookup(s->meters, 5);
        ck_assert_ptr_nonnull(rt);
        ck_assert_msg(rt->meter == ft_pipeline_meter_find(p, ft_pipeline_version(p), 5),
                      "allocation %llu failing: the workers meter by an old meter",
                      (unsigned long long)k);
        ck_assert_uint_eq(ft_meter_band(rt->meter, 0)->rate, band.rate);
        ck_assert_uint_eq(s->version, ft_pipeline_version(p));
        dp_poll(dp);
        if (!failed)
            break;
    }
    ck_assert_uint_gt(failures, 0);
    stop();
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("publish");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, inline_flow_churn);
    suite_add_tcase(s, tc);
    tc = tcase_create("errors");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, del_port_when_publish_fails);
    tcase_add_test(tc, meter_change_when_publish_fails);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
