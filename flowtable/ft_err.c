/* SPDX-License-Identifier: Apache-2.0 */
#include "ft_err.h"

const char *
ft_err_name(enum ft_err e)
{
    switch (e) {
    case FT_OK:
        return "OK";
#define FT_ERR_NAME_(name, type, code)                                                             \
    case FT_ERR_##name:                                                                            \
        return #name;
        FT_ERR_LIST(FT_ERR_NAME_)
#undef FT_ERR_NAME_
    }
    return "UNKNOWN_ERROR";
}
