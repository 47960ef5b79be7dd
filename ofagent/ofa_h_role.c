/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Controller roles (ROLE_REQUEST) and the asynchronous message filters
 * (GET_ASYNC / SET_ASYNC), per connection.
 */
#include "ofa_handler_int.h"

enum ft_err
ofa_h_role(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_agent *a = c->agent;
    uint32_t role = m->u.role.role;
    uint64_t gen = m->u.role.generation_id;
    if (role > OFA_ROLE_SLAVE)
        return FT_ERR_ROLE_REQUEST_FAILED_BAD_ROLE;
    if (role == OFA_ROLE_MASTER || role == OFA_ROLE_SLAVE) {
        /* generation_id is compared as a wrapping counter (spec §6.3.6). */
        if (a->gen_valid && (int64_t)(gen - a->gen_id) < 0)
            return FT_ERR_ROLE_REQUEST_FAILED_STALE;
        a->gen_valid = true;
        a->gen_id = gen;
    }
    if (role == OFA_ROLE_MASTER)
        for (struct ofa_conn *o = a->conns; o; o = o->next)
            if (o != c && o->role == OFA_ROLE_MASTER)
                o->role = OFA_ROLE_SLAVE;
    if (role != OFA_ROLE_NOCHANGE)
        c->role = role;
    struct ofa_msg r = {.type = OFA_ROLE_REPLY, .xid = m->xid};
    r.u.role.role = c->role;
    r.u.role.generation_id = a->gen_valid ? a->gen_id : 0;
    ofa_conn_send(c, &r);
    ofa_agent_update_dp_modes(a);
    return FT_OK;
}

enum ft_err
ofa_h_get_async(struct ofa_conn *c, const struct ofa_msg *m)
{
    struct ofa_msg r = {.type = OFA_GET_ASYNC_REPLY, .xid = m->xid};
    r.u.async = c->async;
    ofa_conn_send(c, &r);
    return FT_OK;
}

enum ft_err
ofa_h_set_async(struct ofa_conn *c, const struct ofa_msg *m)
{
    c->async = m->u.async;
    ofa_agent_update_dp_modes(c->agent);
    return FT_OK;
}
