/* SPDX-License-Identifier: Apache-2.0 */
/* A small JSON reader (ctl_json.h): recursive descent, depth-limited. */
#include "ctl_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 32

struct parser {
    const char *s, *p;
    char *err;
    size_t errlen;
    bool failed;
};

static void
fail(struct parser *ps, const char *what)
{
    if (!ps->failed)
        snprintf(ps->err, ps->errlen, "bad JSON at offset %zu: %s", (size_t)(ps->p - ps->s), what);
    ps->failed = true;
}

static void
skip_ws(struct parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int value(struct parser *ps, struct cj *v, int depth);

static int
hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* At the opening quote; a new string (UTF-8), or NULL. */
static char *
string(struct parser *ps)
{
    ps->p++;
    size_t cap = 16, n = 0;
    char *out = malloc(cap);
    while (out) {
        unsigned char c = (unsigned char)*ps->p;
        char buf[4];
        size_t k = 1;
        if (c == '"') {
            ps->p++;
            out[n] = '\0';
            return out;
        }
        if (c < 0x20) {
            fail(ps, c ? "control character in a string" : "unterminated string");
            break;
        }
        buf[0] = (char)c;
        if (c == '\\') {
            char e = ps->p[1];
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            const char *m = e ? strchr(from, e) : NULL;
            if (m) {
                buf[0] = to[m - from];
                ps->p++;
            } else if (e == 'u') {
                unsigned u;
                if (hex4(ps->p + 2, &u)) {
                    fail(ps, "bad \\u escape");
                    break;
                }
                ps->p += 5;
                /* The basic plane only: surrogates stand as they are. */
                if (u < 0x80) {
                    buf[0] = (char)u;
                } else if (u < 0x800) {
                    buf[0] = (char)(0xc0 | u >> 6), buf[1] = (char)(0x80 | (u & 0x3f));
                    k = 2;
                } else {
                    buf[0] = (char)(0xe0 | u >> 12), buf[1] = (char)(0x80 | (u >> 6 & 0x3f));
                    buf[2] = (char)(0x80 | (u & 0x3f));
                    k = 3;
                }
            } else {
                fail(ps, "bad escape");
                break;
            }
        }
        ps->p++;
        if (n + k + 1 > cap) {
            char *nb = realloc(out, cap *= 2);
            if (!nb)
                break;
            out = nb;
        }
        memcpy(out + n, buf, k);
        n += k;
    }
    if (!ps->failed)
        fail(ps, "out of memory");
    free(out);
    return NULL;
}

static int
number(struct parser *ps, struct cj *v)
{
    const char *start = ps->p;
    char *end;
    errno = 0;
    v->type = CJ_NUM;
    v->num = strtod(start, &end);
    if (end == start || errno == ERANGE) {
        fail(ps, "bad number");
        return -1;
    }
    bool integer = *start != '-' && strcspn(start, ".eE") >= (size_t)(end - start);
    if (integer) {
        errno = 0;
        unsigned long long u = strtoull(start, NULL, 10);
        v->is_u64 = errno == 0;
        v->u64 = u;
    }
    ps->p = end;
    return 0;
}

/* Append an item (and its key) to an array or object. */
static struct cj *
push(struct parser *ps, struct cj *v, char *key)
{
    /* Room for 4, 8, 16 ...: full with none yet and at each power of two from 4. */
    if (v->n == 0 || (v->n >= 4 && (v->n & (v->n - 1)) == 0)) {
        size_t cap = v->n ? v->n * 2 : 4;
        struct cj *items = realloc(v->items, cap * sizeof *items);
        if (items)
            v->items = items;
        char **keys = v->type == CJ_OBJ && items ? realloc(v->keys, cap * sizeof *keys) : NULL;
        if (keys)
            v->keys = keys;
        if (!items || (v->type == CJ_OBJ && !keys)) {
            fail(ps, "out of memory");
            free(key);
            return NULL;
        }
    }
    struct cj *item = &v->items[v->n];
    memset(item, 0, sizeof *item);
    if (v->type == CJ_OBJ)
        v->keys[v->n] = key;
    v->n++;
    return item;
}

static int
container(struct parser *ps, struct cj *v, int depth)
{
    bool obj = *ps->p == '{';
    char close = obj ? '}' : ']';
    v->type = obj ? CJ_OBJ : CJ_ARR;
    if (depth >= MAX_DEPTH) {
        fail(ps, "nested too deep");
        return -1;
    }
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) {
        ps->p++;
        return 0;
    }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (obj) {
            if (*ps->p != '"') {
                fail(ps, "expected a key");
                return -1;
            }
            key = string(ps);
            if (!key)
                return -1;
            skip_ws(ps);
            if (*ps->p != ':') {
                free(key);
                fail(ps, "expected ':'");
                return -1;
            }
            ps->p++;
        }
        struct cj *item = push(ps, v, key);
        if (!item || value(ps, item, depth + 1))
            return -1;
        skip_ws(ps);
        if (*ps->p == ',') {
            ps->p++;
        } else if (*ps->p == close) {
            ps->p++;
            return 0;
        } else {
            fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
            return -1;
        }
    }
}

static int
value(struct parser *ps, struct cj *v, int depth)
{
    skip_ws(ps);
    char c = *ps->p;
    if (c == '{' || c == '[')
        return container(ps, v, depth);
    if (c == '"') {
        v->type = CJ_STR;
        v->str = string(ps);
        return v->str ? 0 : -1;
    }
    if (c == '-' || (c >= '0' && c <= '9'))
        return number(ps, v);
    static const struct {
        const char *word;
        enum cj_type type;
        bool b;
    } words[] = {{"true", CJ_BOOL, true}, {"false", CJ_BOOL, false}, {"null", CJ_NULL, false}};
    for (size_t i = 0; i < 3; i++) {
        size_t len = strlen(words[i].word);
        if (!strncmp(ps->p, words[i].word, len)) {
            v->type = words[i].type;
            v->b = words[i].b;
            ps->p += len;
            return 0;
        }
    }
    fail(ps, c ? "unexpected character" : "unexpected end");
    return -1;
}

int
cj_parse(const char *text, struct cj *out, char *err, size_t errlen)
{
    struct parser ps = {text, text, err, errlen, false};
    memset(out, 0, sizeof *out);
    if (value(&ps, out, 0) == 0) {
        skip_ws(&ps);
        if (!*ps.p)
            return 0;
        fail(&ps, "text after the value");
    }
    cj_free(out);
    return -1;
}

void
cj_free(struct cj *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++) {
        cj_free(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    memset(v, 0, sizeof *v);
}

const struct cj *
cj_get(const struct cj *obj, const char *key)
{
    if (!obj || obj->type != CJ_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (!strcmp(obj->keys[i], key))
            return &obj->items[i];
    return NULL;
}

uint64_t
cj_u64(const struct cj *v)
{
    if (!v || v->type != CJ_NUM)
        return 0;
    if (v->is_u64)
        return v->u64;
    return v->num > 0 ? (uint64_t)v->num : 0;
}

const char *
cj_str(const struct cj *v)
{
    return v && v->type == CJ_STR ? v->str : "";
}
