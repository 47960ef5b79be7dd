/* SPDX-License-Identifier: Apache-2.0 */
/* The growable array (ft_vec.h). */
#include "ft_vec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ft_alloc.h"

static int
reserve_one(struct ft_vec *v, size_t size)
{
    if (v->n < v->cap)
        return 0;
    size_t cap = v->cap ? v->cap * 2 : 16;
    void *data = ft_realloc(v->data, cap * size);
    if (!data)
        return -ENOMEM;
    v->data = data;
    v->cap = cap;
    return 0;
}

int
ft_vec_push(struct ft_vec *v, const void *elem, size_t size)
{
    if (reserve_one(v, size))
        return -ENOMEM;
    memcpy((char *)v->data + v->n * size, elem, size);
    v->n++;
    return 0;
}

void *
ft_vec_add(struct ft_vec *v, size_t size)
{
    if (reserve_one(v, size))
        return NULL;
    void *e = (char *)v->data + v->n++ * size;
    memset(e, 0, size);
    return e;
}

void
ft_vec_free(struct ft_vec *v)
{
    free(v->data);
    *v = (struct ft_vec){0};
}
