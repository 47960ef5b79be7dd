/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two pieces of the executor on their own: the SELECT bucket choice
 * (dp_select_bucket: weights, zero weights, stability; dp_select_hash: the
 * flow, not its marks) and the shared MAC
 * table of standalone mode (dp_l2: learning per VLAN, moves, aging, a full
 * window, and four threads learning and looking up at once without ever
 * pairing a MAC with another MAC's port).
 */
#include <pthread.h>

#include "dp_exec.h"
#include "dp_l2.h"
#include "dp_test.h"

/* A GROUP op followed by n BUCKET ops of one (dummy) op each. */
static void
select_block(struct ft_op *ops, const uint32_t *weights, uint16_t n)
{
    memset(ops, 0, sizeof(struct ft_op) * (1 + 2u * n));
    ops[0] = (struct ft_op){.type = FT_OP_GROUP, .b8 = 1, .a16 = n, .a64 = 2u * n};
    for (uint16_t i = 0; i < n; i++) {
        ops[1 + 2 * i] = (struct ft_op){.type = FT_OP_BUCKET, .a16 = i, .a32 = 1};
        ops[1 + 2 * i].value.u32 = weights[i];
        ops[2 + 2 * i] = (struct ft_op){.type = FT_OP_OUTPUT, .a32 = i + 1};
    }
}

START_TEST(select_hash_ignores_marks)
{
    uint64_t s = test_seed();
    for (int i = 0; i < 1000; i++) {
        struct ft_key k;
        ft_key_zero(&k);
        k.eth_type = 0x0800;
        k.ipv4_src = (uint32_t)test_rand(&s);
        k.ipv4_dst = (uint32_t)test_rand(&s);
        k.ip_proto = 6;
        k.tp_src = (uint16_t)test_rand(&s);
        k.tp_dst = 80;
        k.vlan_vid = FT_VID_PRESENT | 7;
        uint32_t h = dp_select_hash(&k);
        struct ft_key marked = k;
        marked.ip_dscp = (uint8_t)(1 + test_rand(&s) % 63);
        marked.ip_ecn = (uint8_t)(1 + test_rand(&s) % 3);
        marked.vlan_pcp = (uint8_t)(1 + test_rand(&s) % 7);
        marked.mpls_tc = (uint8_t)(1 + test_rand(&s) % 7);
        ck_assert_uint_eq(dp_select_hash(&marked), h);
        struct ft_key other = k;
        other.tp_src ^= 1;
        ck_assert_uint_ne(dp_select_hash(&other), h);
    }
}
END_TEST

START_TEST(select_by_weight)
{
    struct ft_op ops[1 + 2 * 4];
    const uint32_t w[4] = {1, 0, 3, 4};
    select_block(ops, w, 4);
    unsigned hits[4] = {0};
    uint64_t s = test_seed();
    for (int i = 0; i < 80000; i++) {
        const struct ft_op *b = dp_select_bucket(ops, (uint32_t)test_rand(&s));
        ck_assert_ptr_nonnull(b);
        ck_assert_uint_eq(b->type, FT_OP_BUCKET);
        hits[b->a16]++;
    }
    ck_assert_uint_eq(hits[1], 0); /* Weight 0: never. */
    /* 1:3:4 of 80000 = 10000, 30000, 40000, within 5%. */
    ck_assert_uint_gt(hits[0], 9500);
    ck_assert_uint_lt(hits[0], 10500);
    ck_assert_uint_gt(hits[2], 28500);
    ck_assert_uint_lt(hits[2], 31500);
    ck_assert_uint_gt(hits[3], 38000);
    ck_assert_uint_lt(hits[3], 42000);
    /* The same hash, the same bucket. */
    ck_assert_ptr_eq(dp_select_bucket(ops, 12345), dp_select_bucket(ops, 12345));
    /* Extremes of the hash stay inside the block. */
    ck_assert_ptr_eq(dp_select_bucket(ops, 0), &ops[1]);
    ck_assert_ptr_eq(dp_select_bucket(ops, UINT32_MAX), &ops[7]);
    const uint32_t zero[2] = {0, 0};
    select_block(ops, zero, 2);
    ck_assert_ptr_null(dp_select_bucket(ops, 7));
}
END_TEST

static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 1};
static const uint8_t mac2[6] = {0x02, 0, 0, 0, 0, 2};

START_TEST(l2_learn_lookup_age)
{
    struct dp_l2 *l2 = dp_l2_create(100, 300);
    ck_assert_ptr_nonnull(l2);
    ck_assert_uint_eq(l2->mask + 1, 128);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1000), -1);
    ck_assert_int_eq(dp_l2_learn(l2, 0, mac1, 7, 1000), 0);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1000), 7);
    /* Per VLAN. */
    ck_assert_int_eq(dp_l2_lookup(l2, 10, mac1, 1000), -1);
    ck_assert_int_eq(dp_l2_learn(l2, 10, mac1, 9, 1000), 0);
    ck_assert_int_eq(dp_l2_lookup(l2, 10, mac1, 1000), 9);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1000), 7);
    /* A move updates in place. */
    ck_assert_int_eq(dp_l2_learn(l2, 0, mac1, 8, 1100), 0);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1100), 8);
    /* Aging: 300 s after the last sighting it is gone, and its slot is
     * reused for a new MAC. */
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1400), 8);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac1, 1401), -1);
    ck_assert_int_eq(dp_l2_learn(l2, 0, mac2, 3, 1401), 0);
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac2, 1401), 3);
    /* A reader slightly behind the writer's clock still finds it. */
    ck_assert_int_eq(dp_l2_lookup(l2, 0, mac2, 1400), 3);
    dp_l2_free(l2);
}
END_TEST

START_TEST(l2_full_window)
{
    /* 64 slots: learning thousands of MACs fills every window; then a new
     * MAC is refused (-ENOSPC) rather than evicting a live one. */
    struct dp_l2 *l2 = dp_l2_create(64, 300);
    int refused = 0, kept = 0;
    for (uint32_t i = 0; i < 4096; i++) {
        uint8_t mac[6] = {0x02, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        refused += dp_l2_learn(l2, 0, mac, i, 5) == -ENOSPC;
    }
    ck_assert_int_gt(refused, 4096 - 64 - 1);
    for (uint32_t i = 0; i < 4096; i++) {
        uint8_t mac[6] = {0x02, 0, 0, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        int64_t p = dp_l2_lookup(l2, 0, mac, 5);
        ck_assert(p == -1 || p == (int64_t)i);
        kept += p >= 0;
    }
    ck_assert_int_eq(kept, 4096 - refused);
    dp_l2_free(l2);
}
END_TEST

struct l2_thread {
    struct dp_l2 *l2;
    unsigned id;
    unsigned wrong;
};

/* Each MAC is learnt only on port (MAC number + 1): any lookup that
 * returns another port paired a key with someone else's value. Entries age
 * quickly (the clock runs) so slots are reclaimed all the time. */
static void *
l2_hammer(void *arg)
{
    struct l2_thread *t = arg;
    uint64_t s = 0x9e3779b97f4a7c15ull * (t->id + 1);
    for (uint32_t n = 0; n < 200000; n++) {
        uint32_t m = (uint32_t)(test_rand(&s) % 512);
        uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(m >> 8), (uint8_t)m};
        uint32_t now = n / 1000;
        if (test_rand(&s) & 1)
            dp_l2_learn(t->l2, 0, mac, m + 1, now);
        int64_t p = dp_l2_lookup(t->l2, 0, mac, now);
        if (p >= 0 && p != (int64_t)m + 1)
            t->wrong++;
    }
    return NULL;
}

START_TEST(l2_threads_never_mix_entries)
{
    struct dp_l2 *l2 = dp_l2_create(256, 2);
    struct l2_thread t[4];
    pthread_t th[4];
    for (unsigned i = 0; i < 4; i++) {
        t[i] = (struct l2_thread){.l2 = l2, .id = i};
        ck_assert_int_eq(pthread_create(&th[i], NULL, l2_hammer, &t[i]), 0);
    }
    for (unsigned i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_uint_eq(t[i].wrong, 0);
    }
    dp_l2_free(l2);
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("l2_select");
    TCase *tc = tcase_create("l2_select");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, select_hash_ignores_marks);
    tcase_add_test(tc, select_by_weight);
    tcase_add_test(tc, l2_learn_lookup_age);
    tcase_add_test(tc, l2_full_window);
    tcase_add_test(tc, l2_threads_never_mix_entries);
    suite_add_tcase(s, tc);
    return s;
}

DP_TEST_MAIN(make_suite, "0")
