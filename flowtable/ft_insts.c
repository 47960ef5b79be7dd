/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation, comparison and filters of instruction sets. */
#include <stdlib.h>
#include <string.h>

#include "ft_action.h"
#include "ft_alloc.h"

struct ft_insts *
ft_insts_new(size_t n_apply, size_t n_write)
{
    if (n_apply > UINT16_MAX || n_write > UINT16_MAX)
        return NULL;
    struct ft_insts *in = ft_calloc(1, sizeof *in + (n_apply + n_write) * sizeof in->actions[0]);
    if (!in)
        return NULL;
    in->n_apply = (uint16_t)n_apply;
    in->n_write = (uint16_t)n_write;
    return in;
}

size_t
ft_insts_size(const struct ft_insts *in)
{
    return sizeof *in + ((size_t)in->n_apply + in->n_write) * sizeof in->actions[0];
}

struct ft_insts *
ft_insts_clone(const struct ft_insts *in)
{
    size_t size = ft_insts_size(in);
    struct ft_insts *copy = ft_malloc(size);
    if (copy)
        memcpy(copy, in, size);
    return copy;
}

bool
ft_insts_equal(const struct ft_insts *a, const struct ft_insts *b)
{
    size_t size = ft_insts_size(a);
    return size == ft_insts_size(b) && !memcmp(a, b, size);
}

static bool
list_has_output(const struct ft_action *a, size_t n, uint32_t port)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].type == FT_AT_OUTPUT && a[i].arg == port)
            return true;
    return false;
}

static bool
list_has_group(const struct ft_action *a, size_t n, uint32_t group)
{
    for (size_t i = 0; i < n; i++)
        if (a[i].type == FT_AT_GROUP && a[i].arg == group)
            return true;
    return false;
}

bool
ft_insts_has_output(const struct ft_insts *in, uint32_t port)
{
    if (port == FT_PORT_ANY)
        return true;
    return in && list_has_output(in->actions, (size_t)in->n_apply + in->n_write, port);
}

bool
ft_insts_has_group(const struct ft_insts *in, uint32_t group)
{
    if (group == FT_GROUP_ANY)
        return true;
    return in && list_has_group(in->actions, (size_t)in->n_apply + in->n_write, group);
}
