/* SPDX-License-Identifier: Apache-2.0 */
/*
 * codec_test_util.h — helpers of the codec suites: hex vectors to bytes,
 * decode-and-check, and the round trip decode → encode → compare.
 */
#ifndef TEST_CODEC_TEST_UTIL_H
#define TEST_CODEC_TEST_UTIL_H

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codec_vectors.h"
#include "ofa_msg.h"

#define CODEC_MAX 70000

/* Bytes of a hex vector into buf (static storage per call site is the
 * caller's); fails the test when the vector is malformed. */
static inline size_t
hex_bytes(const char *hex, uint8_t *buf)
{
    size_t n = codec_hex(hex, buf, CODEC_MAX);
    ck_assert_msg(n > 0, "malformed hex vector");
    return n;
}

/* Decode a vector that must be valid into *m (free with ofa_msg_free),
 * check that encoding gives the same bytes, and return its length. The
 * payload pointers of *m point into buf, which the caller keeps. */
static inline size_t
roundtrip(const char *hex, uint8_t *buf, struct ofa_msg *m)
{
    size_t n = hex_bytes(hex, buf);
    enum ft_err err = ofa_decode(buf, n, m);
    ck_assert_msg(err == FT_OK, "decode: %s", ft_err_name(err));
    struct ofa_buf b;
    ofa_buf_init(&b);
    ck_assert_int_eq(ofa_encode(&b, m), 0);
    ck_assert_uint_eq(b.len, n);
    ck_assert_mem_eq(b.data, buf, n);
    ofa_buf_free(&b);
    return n;
}

/* Decoding the vector must fail with exactly `want`. */
static inline void
expect_err(const char *hex, enum ft_err want)
{
    static uint8_t buf[CODEC_MAX];
    size_t n = hex_bytes(hex, buf);
    struct ofa_msg m;
    enum ft_err err = ofa_decode(buf, n, &m);
    ck_assert_msg(err == want, "got %s, want %s", ft_err_name(err), ft_err_name(want));
}

#endif /* TEST_CODEC_TEST_UTIL_H */
