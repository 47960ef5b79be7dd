/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writes the parser unit tests' frames into a directory, one file each, as
 * the seed corpus of fuzz_parse (so the seeds follow the tests).
 * Usage: fuzz_seeds DIR
 */
#include <stdio.h>

#include "parse_frames.h"

int
main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    for (size_t i = 0; i < N_TEST_FRAMES; i++) {
        const struct test_frame *f = &test_frames[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], f->name);
        FILE *out = fopen(path, "wb");
        if (!out || fwrite(f->data, 1, f->len, out) != f->len || fclose(out)) {
            perror(path);
            return 1;
        }
    }
    return 0;
}
