/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for ft_parse(). Beyond crashes and sanitizer findings
 * it aborts on logic errors: a parse that breaks a property of
 * parse_check.h, differs between two runs or with/without a layout, or a
 * prefix of the input that parses to something the whole input
 * contradicts without reporting a stop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_parse.h"
#include "parse_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct ft_port_meta meta = {
    .in_port = 0xfffffffeu,
    .in_phy_port = 1,
    .tunnel_id = 0x8000000000000001ull,
};

static void
fail(const char *what, const char *detail, size_t len)
{
    fprintf(stderr, "fuzz_parse: %s: %s (input length %zu)\n", what, detail, len);
    abort();
}

/* Parse pkt[0..cut) from an exactly sized copy, so ASan catches reads
 * past the cut, and hold it against the parse of the whole input. */
static void
check_prefix(const uint8_t *data, size_t cut, const struct ft_key *fk, const struct ft_layout *fl)
{
    uint8_t *buf = malloc(cut);
    if (!buf && cut)
        return;
    if (cut)
        memcpy(buf, data, cut);
    struct ft_key k;
    struct ft_layout l;
    enum ft_parse_stop s = ft_parse(buf, cut, &meta, &k, &l);
    const char *bad = parse_check_invariants(buf, cut, &meta, s, &k, &l);
    if (bad)
        fail("prefix invariant", bad, cut);
    bad = parse_check_prefix(&k, &l, fk, fl);
    if (bad)
        fail("prefix vs whole", bad, cut);
    free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ft_key k1, k2;
    struct ft_layout l1, l2;

    enum ft_parse_stop s1 = ft_parse(data, size, &meta, &k1, &l1);
    const char *bad = parse_check_invariants(data, size, &meta, s1, &k1, &l1);
    if (bad)
        fail("invariant", bad, size);

    if (ft_parse(data, size, &meta, &k2, &l2) != s1 || !ft_key_equal(&k1, &k2) ||
        memcmp(&l1, &l2, sizeof l1))
        fail("determinism", "second parse differs", size);
    if (ft_parse(data, size, &meta, &k2, NULL) != s1 || !ft_key_equal(&k1, &k2))
        fail("determinism", "parse without layout differs", size);

    if (size) {
        check_prefix(data, size - 1, &k1, &l1);
        /* A second cut the input steers through its last byte. */
        check_prefix(data, (size_t)data[size - 1] * 7 % size, &k1, &l1);
    }
    return 0;
}
