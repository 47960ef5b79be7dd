/* SPDX-License-Identifier: Apache-2.0 */
/*
 * METER_MOD: staged in the pipeline, committed with the loop's commit or
 * at the next barrier. The pipeline gives the spec's errors.
 */
#include "ft_meter.h"
#include "ofa_handler_int.h"

enum ft_err
ofa_h_meter_mod(struct ofa_conn *c, const struct ofa_msg *m)
{
    return ft_pipeline_meter_mod(c->agent->p, &m->u.meter_mod.mm, ofa_now_ns());
}
