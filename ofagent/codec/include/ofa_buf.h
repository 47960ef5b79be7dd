/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ofa_buf.h — a growable byte buffer that the OpenFlow encoder appends
 * big-endian fields to, plus the byte helpers both codec directions use
 * (every multi-byte access goes through them: no unaligned loads/stores).
 *
 * Errors are sticky: a put that cannot grow the buffer sets `failed` and
 * later puts do nothing, so an encoder writes a whole message and checks
 * once at the end (ofa_buf_failed). Memory: the buffer owns `data`;
 * ofa_buf_free releases it.
 *
 * Thread safety: none; a buffer belongs to one thread at a time.
 */
#ifndef OFA_BUF_H
#define OFA_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ft_proto.h" /* ft_rd16 ... ft_wr64: big-endian access. */

struct ofa_buf {
    uint8_t *data;
    size_t len;  /* Bytes written. */
    size_t cap;  /* Bytes allocated. */
    bool failed; /* An allocation failed since the last ofa_buf_clear. */
};

/* An empty buffer (no allocation yet). */
void ofa_buf_init(struct ofa_buf *b);
/* Release the memory; the buffer is empty and usable again. */
void ofa_buf_free(struct ofa_buf *b);
/* Forget the contents and the failure flag, keeping the memory. */
void ofa_buf_clear(struct ofa_buf *b);
/* Make room for n more bytes. Returns 0 or -ENOMEM (and sets failed). */
int ofa_buf_reserve(struct ofa_buf *b, size_t n);
/* Drop bytes beyond len (len <= b->len): used to undo a partial message. */
void ofa_buf_truncate(struct ofa_buf *b, size_t len);

static inline bool
ofa_buf_failed(const struct ofa_buf *b)
{
    return b->failed;
}

/* Append n bytes and return a pointer to them (zeroed), or NULL when the
 * buffer failed. The pointer is valid until the next put. */
uint8_t *ofa_buf_put_zeros(struct ofa_buf *b, size_t n);
void ofa_buf_put_bytes(struct ofa_buf *b, const void *p, size_t n);
void ofa_buf_put_u8(struct ofa_buf *b, uint8_t v);
void ofa_buf_put_be16(struct ofa_buf *b, uint16_t v);
void ofa_buf_put_be32(struct ofa_buf *b, uint32_t v);
void ofa_buf_put_be64(struct ofa_buf *b, uint64_t v);
/* Zeros up to the next multiple of 8 counted from `start`. */
void ofa_buf_pad8(struct ofa_buf *b, size_t start);
/* Overwrite a 16-bit field already written at offset ofs (no-op if failed). */
void ofa_buf_set_be16(struct ofa_buf *b, size_t ofs, uint16_t v);

#endif /* OFA_BUF_H */
