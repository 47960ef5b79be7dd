/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ft_vec.h — a growable array of fixed-size elements, the one every module
 * uses for "collect, then hand over" lists.
 *
 * Ownership: the vector owns data (ft_vec_free releases it; elements that
 * own memory themselves are the caller's to release first).
 * Thread safety: none; one owner at a time.
 * Errors: ft_vec_push/ft_vec_add return -ENOMEM/NULL and leave the vector
 * as it was. Memory comes from ft_alloc.h (fault injection in tests).
 */
#ifndef FT_VEC_H
#define FT_VEC_H

#include <stddef.h>

struct ft_vec {
    void *data;
    size_t n;   /* Elements in use. */
    size_t cap; /* Elements allocated. */
};

/* Append a copy of the size-byte elem. 0 or -ENOMEM. */
int ft_vec_push(struct ft_vec *v, const void *elem, size_t size);

/* Append a zeroed size-byte element and return it, or NULL (ENOMEM). The
 * pointer is valid until the next push or add. */
void *ft_vec_add(struct ft_vec *v, size_t size);

/* Release the storage; the vector is empty and reusable afterwards. */
void ft_vec_free(struct ft_vec *v);

/* Element i, as a pointer to type. */
#define FT_VEC_AT(v, type, i) (&((type *)(v)->data)[i])

#endif /* FT_VEC_H */
