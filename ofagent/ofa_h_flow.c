/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The flow family: FLOW_MOD in, FLOW_REMOVED out.
 *
 * A flow mod is staged in the pipeline and becomes visible to the
 * dataplane with the agent loop's commit (once per iteration) or at the
 * next barrier: committing per flow mod would make a burst of them cost a
 * dataplane round trip each.
 */
#include "ofa_int.h"

enum ft_err
ofa_h_flow_mod(struct ofa_conn *c, const struct ofa_msg *m)
{
    const struct ofa_flow_mod *f = &m->u.flow_mod;
    enum ft_err err = ft_pipeline_flow_mod(c->agent->p, &f->fm, ofa_now_ns());
    if (err)
        return err;
    /* n_buffers is 0, so no buffer id can name a packet. As Open vSwitch
     * does, the flow mod itself stands and the packet part is refused. */
    if (f->buffer_id != OFA_NO_BUFFER && f->fm.command < FT_FC_DELETE)
        return FT_ERR_BAD_REQUEST_BUFFER_UNKNOWN;
    return FT_OK;
}

/* Called from ft_pipeline_reclaim() (inside dp_commit) for every removed
 * rule that asked for SEND_FLOW_REM. */
void
ofa_flow_removed_cb(void *aux, const struct ft_flow_removed *fr)
{
    struct ofa_agent *a = aux;
    /* OpenFlow 1.3 has no METER_DELETE reason; the codec sends DELETE. */
    unsigned reason = fr->reason == FT_RR_METER_DELETE ? FT_RR_DELETE : fr->reason;
    struct ofa_msg m = {.type = OFA_FLOW_REMOVED, .xid = 0};
    m.u.flow_removed = *fr;
    for (struct ofa_conn *c = a->conns; c; c = c->next)
        if (c->state == OFA_CS_ACTIVE && ofa_async_wants(c, 2, reason) && ofa_conn_admit_async(c))
            ofa_conn_send(c, &m);
}
