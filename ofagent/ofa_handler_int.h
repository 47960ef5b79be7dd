/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_handler_int.h — message dispatch and the handlers of each message
 * family (ofa_handler.c, ofa_h_*.c), with what they share.
 *
 * Thread safety: the agent's thread only.
 */
#ifndef OFA_HANDLER_INT_H
#define OFA_HANDLER_INT_H

#include "ft_vec.h"
#include "ofa_agent_int.h"

/* ---- message dispatch (ofa_handler.c) ------------------------------------------------------- */

/* Handle one complete message received on an ACTIVE connection (raw is
 * the whole message). Errors are answered on c. */
void ofa_handle(struct ofa_conn *c, const uint8_t *raw, size_t len);

/* May a connection in this role receive an async message of this kind
 * and reason? kind: 0 packet-in, 1 port status, 2 flow removed. */
bool ofa_async_wants(const struct ofa_conn *c, int kind, unsigned reason);

/* Handlers: each returns FT_OK or the error to answer with. */
enum ft_err ofa_h_flow_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_group_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_meter_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_port_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_table_mod(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_get_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_set_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_queue_get_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_packet_out(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_role(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_get_async(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_set_async(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_h_multipart(struct ofa_conn *c, const struct ofa_msg *m);

/* Multipart bodies, by family. */
enum ft_err ofa_mp_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_table(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_table_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_flow(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_aggregate(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_port_stats(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_port_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_queue(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group_desc(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_group_features(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter_config(struct ofa_conn *c, const struct ofa_msg *m);
enum ft_err ofa_mp_meter_features(struct ofa_conn *c, const struct ofa_msg *m);

/* Async messages to every connection that wants them. */
void ofa_send_packet_ins(struct ofa_agent *a);
void ofa_send_port_status(struct ofa_agent *a);
void ofa_flow_removed_cb(void *aux, const struct ft_flow_removed *fr);

/* A multipart reply header for request m (type and xid copied). */
void ofa_mp_reply_init(struct ofa_msg *r, const struct ofa_msg *req);

/* Fold the workers' counters into the pipeline: statistics read after it
 * are exact. A stuck worker is logged; the reply goes on. */
void ofa_fold_counters(struct ofa_agent *a);

/* A multipart reply whose body is a list collected by a *_foreach
 * visitor: the visitor adds items with ofa_mp_list_add (NULL on ENOMEM,
 * which marks the list failed); ofa_mp_list_reply then sends the reply,
 * or, when the listing (foreach_rc < 0) or an item failed, sends nothing
 * and returns OFA_ERR_NOMEM for the caller to answer: a controller never
 * sees a partial list as the whole. Either way release() runs on every
 * item (its own arrays) and the list is freed. */
struct ofa_mp_list {
    struct ft_vec items;
    size_t item_size;
    bool failed;
    void (*attach)(struct ofa_msg *r, void *items); /* Set r's body to items. */
    void (*release)(void *item);                    /* NULL: nothing to free. */
};
void *ofa_mp_list_add(struct ofa_mp_list *l);
enum ft_err ofa_mp_list_reply(struct ofa_conn *c, const struct ofa_msg *req, struct ofa_mp_list *l,
                              int foreach_rc);
/* Duration since a creation time, as sec + nsec. */
void ofa_duration(uint64_t created_ns, uint64_t now_ns, uint32_t *sec, uint32_t *nsec);
/* A dp port as the wire model carries it. */
void ofa_port_from_dp(const struct dp_port_info *in, struct ofa_port *out);

#endif /* OFA_HANDLER_INT_H */
