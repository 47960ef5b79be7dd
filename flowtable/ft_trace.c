/* SPDX-License-Identifier: Apache-2.0 */
/* The trace report: a walk explained table by table, for operators. */
#include <stdio.h>
#include <string.h>

#include "ft_walk.h"

#define REST(n) ((size_t)(n) < size ? size - (size_t)(n) : 0)

int
ft_trace_format(char *buf, size_t size, const struct ft_pipeline *p, uint64_t v,
                const struct ft_key *key, struct ft_walk_out *out)
{
    char tmp[4096];
    int n = 0;
    if (size)
        buf[0] = '\0';
    ft_walk(p, v, key, out);

    ft_key_format(tmp, sizeof tmp, key);
    n += snprintf(buf + n, REST(n), "Flow: %s\n", *tmp ? tmp : "(all fields zero)");
    for (uint16_t i = 0; i < out->n_visits; i++) {
        const struct ft_walk_visit *vis = &out->visits[i];
        n += snprintf(buf + n, REST(n), "\nTable %u: ", vis->table_id);
        if (vis->resumed)
            n += snprintf(buf + n, REST(n), "(resumed after recirculation) ");
        if (!vis->rule) {
            n += snprintf(buf + n, REST(n), "no match, no table-miss rule: drop\n");
            continue;
        }
        struct ft_match m;
        ft_rule_match(vis->rule, &m);
        ft_match_format(tmp, sizeof tmp, &m);
        n += snprintf(buf + n, REST(n), "priority %u, cookie 0x%llx, match %s\n",
                      ft_rule_priority(vis->rule), (unsigned long long)ft_rule_cookie(vis->rule),
                      *tmp ? tmp : "(any)");
        ft_insts_format(tmp, sizeof tmp, ft_rule_insts(vis->rule));
        n += snprintf(buf + n, REST(n), "    instructions: %s\n", tmp);
    }

    struct ft_match mf = {.mask = out->mask};
    ft_key_and(&mf.key, key, &out->mask);
    ft_match_format(tmp, sizeof tmp, &mf);
    n += snprintf(buf + n, REST(n), "\nMegaflow: %s\n", *tmp ? tmp : "(any packet)");
    ft_program_format(tmp, sizeof tmp, out->ops, out->n_ops);
    n += snprintf(buf + n, REST(n), "Actions: %s\n", tmp);
    if (out->flags & FT_WALK_F_RECIRC)
        n += snprintf(buf + n, REST(n),
                      "Note: the pop revealed headers this key does not hold: the packet is "
                      "parsed again and goes on from here (recirculation); trace it as it is "
                      "after the pop to follow it further\n");
    if (out->flags & FT_WALK_F_OVERFLOW)
        n += snprintf(buf + n, REST(n), "Note: the program overflowed; dropped\n");
    return n;
}
