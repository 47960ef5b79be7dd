/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_json.h — a small JSON reader for ofswitch-ctl's own use (the --json
 * answers of the switch): the whole text into a tree. Integers without a
 * fraction or exponent keep all 64 bits (counters); other numbers are
 * doubles. libc only; a tree belongs to its caller.
 */
#ifndef CTL_JSON_H
#define CTL_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cj_type { CJ_NULL, CJ_BOOL, CJ_NUM, CJ_STR, CJ_ARR, CJ_OBJ };

struct cj {
    enum cj_type type;
    bool b;
    bool is_u64; /* CJ_NUM: a non-negative integer, exactly u64. */
    uint64_t u64;
    double num;
    char *str;        /* CJ_STR: NUL-terminated (a \u0000 ends it early). */
    size_t n;         /* CJ_ARR, CJ_OBJ: items. */
    struct cj *items; /* Their values. */
    char **keys;      /* CJ_OBJ: their keys. */
};

/* 0, or -1 with the reason and offset in err. On error *out holds nothing
 * to free. */
int cj_parse(const char *text, struct cj *out, char *err, size_t errlen);
void cj_free(struct cj *v);

/* obj[key] (the first), or NULL (also when obj is not an object). */
const struct cj *cj_get(const struct cj *obj, const char *key);
/* A number as u64 (0 when absent or not a number; doubles are truncated). */
uint64_t cj_u64(const struct cj *v);
/* A string, or "" when absent or not a string. */
const char *cj_str(const struct cj *v);

#endif /* CTL_JSON_H */
