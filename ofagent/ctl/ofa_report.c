/* SPDX-License-Identifier: Apache-2.0 */
#include "ofa_report_int.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
ofa_report_init(struct ofa_report *r, bool json)
{
    memset(r, 0, sizeof *r);
    ofa_buf_init(&r->out);
    r->json = json;
    r->first_key = true;
    if (json)
        ofa_buf_put_bytes(&r->out, "{", 1);
}

static void
free_cells(struct ofa_report *r)
{
    for (size_t i = 0; i < r->cells.n; i++)
        free(FT_VEC_AT(&r->cells, struct ofa_report_cell, i)->text);
    r->cells.n = 0;
}

void
ofa_report_free(struct ofa_report *r)
{
    free_cells(r);
    ft_vec_free(&r->cells);
    ofa_buf_free(&r->out);
}

static void
puts_(struct ofa_report *r, const char *s)
{
    ofa_buf_put_bytes(&r->out, s, strlen(s));
}

/* A JSON string literal, escaped. */
static void
put_json_str(struct ofa_report *r, const char *s)
{
    puts_(r, "\"");
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\', esc[1] = (char)ch, esc[2] = '\0';
            puts_(r, esc);
        } else if (ch == '\n') {
            puts_(r, "\\n");
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            puts_(r, esc);
        } else {
            ofa_buf_put_bytes(&r->out, s, 1);
        }
    }
    puts_(r, "\"");
}

static void
json_key(struct ofa_report *r, const char *key)
{
    if (!r->first_key)
        puts_(r, ",");
    r->first_key = false;
    put_json_str(r, key);
    puts_(r, ":");
}

/* A formatted string on the heap, or NULL. */
__attribute__((format(printf, 1, 0))) static char *
vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s;
}

__attribute__((format(printf, 1, 2))) static char *
format(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = vformat(fmt, ap);
    va_end(ap);
    return s;
}

void
ofa_report_kv(struct ofa_report *r, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *v = vformat(fmt, ap);
    va_end(ap);
    if (!v) {
        r->failed = true;
        return;
    }
    if (r->json) {
        json_key(r, key);
        put_json_str(r, v);
    } else {
        puts_(r, key);
        puts_(r, ": ");
        puts_(r, v);
        puts_(r, "\n");
    }
    free(v);
}

void
ofa_report_kv_u64(struct ofa_report *r, const char *key, uint64_t v)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRIu64, v);
    if (r->json) {
        json_key(r, key);
        puts_(r, num);
    } else {
        ofa_report_kv(r, key, "%s", num);
    }
}

void
ofa_report_kv_f64(struct ofa_report *r, const char *key, int decimals, double v)
{
    char num[48];
    snprintf(num, sizeof num, "%.*f", decimals, v);
    if (r->json) {
        json_key(r, key);
        puts_(r, num);
    } else {
        ofa_report_kv(r, key, "%s", num);
    }
}

void
ofa_report_kv_bool(struct ofa_report *r, const char *key, bool v)
{
    if (r->json) {
        json_key(r, key);
        puts_(r, v ? "true" : "false");
    } else {
        ofa_report_kv(r, key, "%s", v ? "yes" : "no");
    }
}

void
ofa_report_text(struct ofa_report *r, const char *key, const char *text)
{
    if (r->json) {
        json_key(r, key);
        put_json_str(r, text);
    } else {
        puts_(r, text);
    }
}

void
ofa_report_table(struct ofa_report *r, const char *name, const char *const *cols, size_t n_cols)
{
    /* More columns than that would misalign every row after the first:
     * a table built so is the caller's bug, caught where tests run. */
    assert(n_cols <= REP_MAX_COLS);
    if (n_cols > REP_MAX_COLS)
        n_cols = REP_MAX_COLS;
    memcpy(r->cols, cols, n_cols * sizeof *cols);
    r->n_cols = n_cols;
    r->in_table = true;
    free_cells(r);
    if (r->json) {
        json_key(r, name);
        puts_(r, "[");
    }
}

static void
add_cell(struct ofa_report *r, char *text, bool number)
{
    if (!text) {
        r->failed = true;
        return;
    }
    const struct ofa_report_cell c = {text, number};
    if (ft_vec_push(&r->cells, &c, sizeof c)) {
        free(text);
        r->failed = true;
    }
}

void
ofa_report_cell(struct ofa_report *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_cell(r, vformat(fmt, ap), false);
    va_end(ap);
}

void
ofa_report_cell_u64(struct ofa_report *r, uint64_t v)
{
    add_cell(r, format("%" PRIu64, v), true);
}

void
ofa_report_cell_f64(struct ofa_report *r, int decimals, double v)
{
    add_cell(r, format("%.*f", decimals, v), true);
}

static void
table_json(struct ofa_report *r)
{
    size_t rows = r->n_cols ? r->cells.n / r->n_cols : 0;
    for (size_t row = 0; row < rows; row++) {
        puts_(r, row ? ",{" : "{");
        for (size_t c = 0; c < r->n_cols; c++) {
            const struct ofa_report_cell *cell =
                FT_VEC_AT(&r->cells, struct ofa_report_cell, row * r->n_cols + c);
            if (c)
                puts_(r, ",");
            put_json_str(r, r->cols[c]);
            puts_(r, ":");
            if (cell->number)
                puts_(r, cell->text);
            else
                put_json_str(r, cell->text);
        }
        puts_(r, "}");
    }
    puts_(r, "]");
}

static void
pad(struct ofa_report *r, size_t n)
{
    while (n--)
        puts_(r, " ");
}

/* Columns as wide as their widest cell; numbers right-aligned. */
static void
table_text(struct ofa_report *r)
{
    size_t width[REP_MAX_COLS];
    size_t rows = r->n_cols ? r->cells.n / r->n_cols : 0;
    for (size_t c = 0; c < r->n_cols; c++) {
        width[c] = strlen(r->cols[c]);
        for (size_t row = 0; row < rows; row++) {
            size_t w =
                strlen(FT_VEC_AT(&r->cells, struct ofa_report_cell, row * r->n_cols + c)->text);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (size_t c = 0; c < r->n_cols; c++) {
        puts_(r, r->cols[c]);
        if (c + 1 < r->n_cols)
            pad(r, width[c] - strlen(r->cols[c]) + 2);
    }
    puts_(r, "\n");
    for (size_t row = 0; row < rows; row++) {
        for (size_t c = 0; c < r->n_cols; c++) {
            const struct ofa_report_cell *cell =
                FT_VEC_AT(&r->cells, struct ofa_report_cell, row * r->n_cols + c);
            size_t gap = width[c] - strlen(cell->text);
            if (cell->number)
                pad(r, gap);
            puts_(r, cell->text);
            if (c + 1 < r->n_cols)
                pad(r, (cell->number ? 0 : gap) + 2);
        }
        puts_(r, "\n");
    }
}

void
ofa_report_table_end(struct ofa_report *r)
{
    if (!r->in_table)
        return;
    if (r->json)
        table_json(r);
    else
        table_text(r);
    free_cells(r);
    r->in_table = false;
}

void
ofa_report_finish(struct ofa_report *r)
{
    ofa_report_table_end(r);
    if (r->json)
        puts_(r, "}\n");
    r->failed |= r->out.failed;
}
