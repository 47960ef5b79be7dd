/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the codec suites' annotated vectors into a directory, one file
 * each, as the seed corpus of fuzz_ofa_decode (so the seeds follow the
 * tests). Usage: fuzz_ofa_seeds DIR
 */
#include <stdio.h>

#include "../ofagent/codec_vectors.h"

int
main(int argc, char **argv)
{
    static uint8_t buf[70000];
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < N_CODEC_VECTORS; i++) {
        size_t n = codec_hex(codec_vectors[i].hex, buf, sizeof buf);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], codec_vectors[i].name);
        FILE *out = fopen(path, "wb");
        if (!n || !out || fwrite(buf, 1, n, out) != n || fclose(out)) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
