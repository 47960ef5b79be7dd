/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_report_int.h — answers for ofswitch-ctl, written once and rendered either
 * for people (key: value lines and aligned tables) or as JSON (one object:
 * keys, and tables as arrays of objects).
 *
 *   ofa_report_kv(r, "datapath_id", "%016llx", dpid);
 *   ofa_report_table(r, "ports", (const char *[]){"port", "name", "state"}, 3);
 *   ofa_report_cell_u64(r, 1); ofa_report_cell(r, "%s", "tap0"); ofa_report_cell(r, "up");
 *   ofa_report_table_end(r);
 *   ofa_report_finish(r);      -> r->out holds the text or the JSON
 *
 * Thread safety: a report belongs to its caller.
 */
#ifndef OFA_REPORT_INT_H
#define OFA_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_vec.h"
#include "ofa_buf.h"

#define REP_MAX_COLS 24

struct ofa_report_cell {
    char *text;
    bool number; /* JSON writes it bare. */
};

struct ofa_report {
    struct ofa_buf out;
    bool json;
    bool first_key; /* JSON: no comma before the next key. */
    /* The table being filled (text tables are aligned at the end). */
    const char *cols[REP_MAX_COLS];
    size_t n_cols;
    struct ft_vec cells; /* struct ofa_report_cell, row after row. */
    bool in_table;
    bool failed; /* Out of memory somewhere: the answer is an error. */
};

void ofa_report_init(struct ofa_report *r, bool json);
void ofa_report_free(struct ofa_report *r);

/* A top-level value. Text: "key: value"; JSON: "key": "value". */
void ofa_report_kv(struct ofa_report *r, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ofa_report_kv_u64(struct ofa_report *r, const char *key, uint64_t v);
void ofa_report_kv_bool(struct ofa_report *r, const char *key, bool v);
/* A number with that many decimals (JSON writes it bare). */
void ofa_report_kv_f64(struct ofa_report *r, const char *key, int decimals, double v);

/* A free text block (text only: JSON gets it as "key": "text"). */
void ofa_report_text(struct ofa_report *r, const char *key, const char *text);

/* A table: then one cell per column per row, in order. */
void ofa_report_table(struct ofa_report *r, const char *name, const char *const *cols,
                      size_t n_cols);
void ofa_report_cell(struct ofa_report *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ofa_report_cell_u64(struct ofa_report *r, uint64_t v);
void ofa_report_cell_f64(struct ofa_report *r, int decimals, double v);
void ofa_report_table_end(struct ofa_report *r);

/* Close the JSON object (text needs nothing). */
void ofa_report_finish(struct ofa_report *r);

#endif /* OFA_REPORT_INT_H */
