/*
 * fuzz.h: what every fuzz target shares. Each target defines LLVMFuzzerTestOneInput; built
 * with clang -fsanitize=fuzzer it is a libFuzzer binary (`make fuzz`), built with replay.c
 * it runs the seed corpora and the kept reproducers under the sanitizers (`make test`).
 *
 * A target may abort() through FUZZ_ASSERT when a property that must hold for every input
 * does not (a decoder that accepts bytes its encoder would not write, a parser whose
 * canonical form does not parse back): libFuzzer reports that as a crash like any other.
 */
#ifndef AB_FUZZ_H
#define AB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(c)                                                                   \
    do {                                                                                 \
        if (!(c)) {                                                                      \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #c);   \
            abort();                                                                     \
        }                                                                                \
    } while (0)

#endif
