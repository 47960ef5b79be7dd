/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The megaflow property on random pipelines: walk a packet P, getting a
 * program and a mask M; any packet Q equal to P under M (every other bit
 * random) must get the very same program and rules. Pipelines have four
 * tables with goto, write-metadata, set-field, push/pop VLAN, groups of
 * every type with port liveness, action sets and table-miss rules.
 */
#include "check_main.h"
#include "ft_random.h"
#include "ft_test_util.h"

static bool
same_result(const struct ft_walk_out *a, const struct ft_walk_out *b)
{
    if (a->n_ops != b->n_ops || a->n_visits != b->n_visits || a->flags != b->flags)
        return false;
    if (memcmp(a->ops, b->ops, a->n_ops * sizeof a->ops[0]))
        return false;
    for (uint16_t i = 0; i < a->n_visits; i++)
        if (a->visits[i].rule != b->visits[i].rule ||
            a->visits[i].table_id != b->visits[i].table_id)
            return false;
    return true;
}

START_TEST(equal_under_mask_means_equal_program)
{
    uint64_t seed = test_seed() + (uint64_t)_i * 104729, s = seed;
    static struct ft_walk_out wp, wq;
    size_t checks = 0, nontrivial = 0;
    for (int pipe = 0; pipe < 10; pipe++) {
        struct ft_pipeline *p = ft_pipeline_create(NULL);
        build_pipeline(p, &s);
        uint64_t v = ft_pipeline_version(p);
        for (int i = 0; i < 60; i++) {
            struct ft_key kp;
            rnd_key(&s, &kp);
            if (rnd(&s, 4) == 0)
                kp.vlan2_vid = (uint16_t)(FT_VID_PRESENT | rnd(&s, 3));
            ft_walk(p, v, &kp, &wp);
            nontrivial += wp.n_ops > 1;
            for (int j = 0; j < 8; j++, checks++) {
                struct ft_key kq;
                /* Q: P's bits under the mask, random bits elsewhere — both
                 * fully random and from another plausible packet. */
                struct ft_key other;
                rnd_key(&s, &other);
                for (int w = 0; w < FT_KEY_WORDS; w++) {
                    uint64_t noise = (j & 1) ? test_rand(&s) : other.w[w];
                    kq.w[w] = (kp.w[w] & wp.mask.w[w]) | (noise & ~wp.mask.w[w]);
                }
                ft_walk(p, v, &kq, &wq);
                if (!same_result(&wp, &wq)) {
                    char a[2048], b[2048];
                    ft_program_format(a, sizeof a, wp.ops, wp.n_ops);
                    ft_program_format(b, sizeof b, wq.ops, wq.n_ops);
                    ck_abort_msg("seed %llu pipe %d: P -> %s but Q (equal under mask) -> %s",
                                 (unsigned long long)seed, pipe, a, b);
                }
            }
        }
        tu_settle(p);
        ft_pipeline_destroy(p);
    }
    ck_assert_uint_ge(checks, 4000);
    ck_assert_uint_gt(nontrivial, checks / 80); /* The pipelines did real work. */
}
END_TEST

static Suite *
make_suite(void)
{
    Suite *s = suite_create("walk_property");
    TCase *tc = tcase_create("megaflow");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, equal_under_mask_means_equal_program, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

CHECK_MAIN(make_suite)
