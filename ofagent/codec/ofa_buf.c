/* SPDX-License-Identifier: Apache-2.0 */
#include "ofa_buf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
ofa_buf_init(struct ofa_buf *b)
{
    memset(b, 0, sizeof *b);
}

void
ofa_buf_free(struct ofa_buf *b)
{
    free(b->data);
    ofa_buf_init(b);
}

void
ofa_buf_clear(struct ofa_buf *b)
{
    b->len = 0;
    b->failed = false;
}

int
ofa_buf_reserve(struct ofa_buf *b, size_t n)
{
    if (b->failed)
        return -ENOMEM;
    /* Even a zero-byte reserve leaves storage: callers may then point into
     * it (data + len), which must never be NULL + 0. */
    if (n <= b->cap - b->len && b->data)
        return 0;
    if (n > SIZE_MAX / 2 - b->len)
        goto err;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        goto err;
    b->data = p;
    b->cap = cap;
    return 0;
err:
    b->failed = true;
    return -ENOMEM;
}

void
ofa_buf_truncate(struct ofa_buf *b, size_t len)
{
    if (len < b->len)
        b->len = len;
}

uint8_t *
ofa_buf_put_zeros(struct ofa_buf *b, size_t n)
{
    if (ofa_buf_reserve(b, n))
        return NULL;
    uint8_t *p = b->data + b->len;
    if (n)
        memset(p, 0, n);
    b->len += n;
    return p;
}

void
ofa_buf_put_bytes(struct ofa_buf *b, const void *src, size_t n)
{
    uint8_t *p = ofa_buf_put_zeros(b, n);
    if (p && n)
        memcpy(p, src, n);
}

void
ofa_buf_put_u8(struct ofa_buf *b, uint8_t v)
{
    uint8_t *p = ofa_buf_put_zeros(b, 1);
    if (p)
        p[0] = v;
}

void
ofa_buf_put_be16(struct ofa_buf *b, uint16_t v)
{
    uint8_t *p = ofa_buf_put_zeros(b, 2);
    if (p)
        ft_wr16(p, v);
}

void
ofa_buf_put_be32(struct ofa_buf *b, uint32_t v)
{
    uint8_t *p = ofa_buf_put_zeros(b, 4);
    if (p)
        ft_wr32(p, v);
}

void
ofa_buf_put_be64(struct ofa_buf *b, uint64_t v)
{
    uint8_t *p = ofa_buf_put_zeros(b, 8);
    if (p)
        ft_wr64(p, v);
}

void
ofa_buf_pad8(struct ofa_buf *b, size_t start)
{
    size_t used = (b->len - start) % 8;
    if (used)
        ofa_buf_put_zeros(b, 8 - used);
}

void
ofa_buf_set_be16(struct ofa_buf *b, size_t ofs, uint16_t v)
{
    if (!b->failed && ofs + 2 <= b->len)
        ft_wr16(b->data + ofs, v);
}
