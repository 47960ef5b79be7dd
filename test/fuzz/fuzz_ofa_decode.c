/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the OpenFlow decoder. Any input: decode must not
 * crash, read out of bounds or leak. When it decodes, encoding must
 * succeed, the result must decode again, and encoding that gives the same
 * bytes: encode∘decode is canonical (a fixed point after one pass), which
 * is how "the re-decoded message equals the decoded one" is checked
 * without a deep comparison of every message type.
 */
#include <stdlib.h>
#include <string.h>

#include "ofa_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ofa_msg m, m2;
    if (ofa_decode(data, size, &m) != FT_OK)
        return 0;
    struct ofa_buf b1, b2;
    ofa_buf_init(&b1);
    ofa_buf_init(&b2);
    if (ofa_encode(&b1, &m))
        abort(); /* A decoded message must be encodable. */
    struct ofa_header h;
    /* An input is at most one message, and nothing grows on re-encoding,
     * so the encoding is one message too. */
    if (!ofa_peek_header(b1.data, b1.len, &h) || h.length != b1.len)
        abort();
    if (ofa_decode(b1.data, b1.len, &m2) != FT_OK)
        abort();
    if (ofa_encode(&b2, &m2) || b1.len != b2.len || memcmp(b1.data, b2.data, b1.len))
        abort();
    ofa_msg_free(&m2);
    ofa_msg_free(&m);
    ofa_buf_free(&b1);
    ofa_buf_free(&b2);
    return 0;
}
