/* SPDX-License-Identifier: Apache-2.0 */
/* pcapng blocks in host byte order (readers follow the byte-order magic). */
#include "ofa_pcapng_int.h"

#include <errno.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u

static int
put(FILE *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -EIO;
}

static int
put32(FILE *f, uint32_t v)
{
    return put(f, &v, 4);
}

static int
put16(FILE *f, uint16_t v)
{
    return put(f, &v, 2);
}

static size_t
pad4(size_t n)
{
    return (n + 3) & ~(size_t)3;
}

/* An option: code, length, value padded to 4 bytes. */
static int
put_opt(FILE *f, uint16_t code, const void *val, uint16_t len)
{
    static const uint8_t zeros[4] = {0};
    int rc = put16(f, code);
    rc = rc ? rc : put16(f, len);
    rc = rc ? rc : put(f, val, len);
    rc = rc ? rc : put(f, zeros, pad4(len) - len);
    return rc;
}

int
ofa_pcapng_begin(FILE *f, const char *if_name)
{
    /* Section header: no options. */
    uint32_t shb_len = 28;
    int rc = put32(f, BT_SHB);
    rc = rc ? rc : put32(f, shb_len);
    rc = rc ? rc : put32(f, 0x1A2B3C4Du);
    rc = rc ? rc : put16(f, 1);
    rc = rc ? rc : put16(f, 0);
    uint64_t section_len = UINT64_MAX; /* Not known. */
    rc = rc ? rc : put(f, &section_len, 8);
    rc = rc ? rc : put32(f, shb_len);

    /* Interface: Ethernet, whole frames, a name and nanosecond times. */
    size_t name_len = strlen(if_name);
    if (name_len > 64)
        name_len = 64;
    uint32_t idb_len = (uint32_t)(20 + 4 + pad4(name_len) + 4 + 4 + 4);
    const uint8_t tsresol = 9;
    rc = rc ? rc : put32(f, BT_IDB);
    rc = rc ? rc : put32(f, idb_len);
    rc = rc ? rc : put16(f, 1); /* LINKTYPE_ETHERNET */
    rc = rc ? rc : put16(f, 0);
    rc = rc ? rc : put32(f, 262144);                           /* Snap length. */
    rc = rc ? rc : put_opt(f, 2, if_name, (uint16_t)name_len); /* if_name */
    rc = rc ? rc : put_opt(f, 9, &tsresol, 1);                 /* if_tsresol: 10^-9 */
    rc = rc ? rc : put32(f, 0);                                /* opt_endofopt */
    rc = rc ? rc : put32(f, idb_len);
    return rc;
}

int
ofa_pcapng_frame(FILE *f, uint64_t ts_ns, uint32_t len, const uint8_t *data, uint32_t caplen,
                 bool sent)
{
    static const uint8_t zeros[4] = {0};
    uint32_t flags = sent ? 2u : 1u; /* epb_flags direction: 01 inbound, 10 outbound. */
    uint32_t epb_len = (uint32_t)(28 + pad4(caplen) + 8 + 4 + 4);
    int rc = put32(f, BT_EPB);
    rc = rc ? rc : put32(f, epb_len);
    rc = rc ? rc : put32(f, 0); /* Interface 0. */
    rc = rc ? rc : put32(f, (uint32_t)(ts_ns >> 32));
    rc = rc ? rc : put32(f, (uint32_t)ts_ns);
    rc = rc ? rc : put32(f, caplen);
    rc = rc ? rc : put32(f, len);
    rc = rc ? rc : put(f, data, caplen);
    rc = rc ? rc : put(f, zeros, pad4(caplen) - caplen);
    rc = rc ? rc : put_opt(f, 2, &flags, 4); /* epb_flags */
    rc = rc ? rc : put32(f, 0);
    rc = rc ? rc : put32(f, epb_len);
    return rc;
}
