/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GROUP_MOD: staged in the pipeline, committed with the loop's commit or
 * at the next barrier. The pipeline gives the spec's errors.
 */
#include "ft_group.h"
#include "ofa_handler_int.h"

enum ft_err
ofa_h_group_mod(struct ofa_conn *c, const struct ofa_msg *m)
{
    return ft_pipeline_group_mod(c->agent->p, &m->u.group_mod.gm, ofa_now_ns());
}
