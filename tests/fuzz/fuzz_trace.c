/*
 * fuzz_trace.c: the trace reader (JSON through cJSON, then every field checked). Any bytes
 * are read or refused with a message; a trace that is read renders back to JSON that
 * reads again and renders to the same bytes.
 */
#include <string.h>
#include "fuzz.h"
#include "trace/trace.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    trace t;
    trace_err err;
    if (trace_parse("fuzz.json", (const char *)data, size, &t, &err) != 0) {
        FUZZ_ASSERT(err.msg[0] != 0);
        return 0;
    }
    char *a = NULL, *b = NULL;
    size_t an = 0, bn = 0;
    if (trace_render(&t, &a, &an, &err) == 0) {
        trace u;
        if (trace_parse("fuzz-again.json", a, an, &u, &err) != 0) {
            fprintf(stderr, "a rendered trace does not read back: %s\n", err.msg);
            FUZZ_ASSERT(!"rendered trace reads back");
        }
        FUZZ_ASSERT(trace_render(&u, &b, &bn, &err) == 0);
        FUZZ_ASSERT(an == bn && memcmp(a, b, an) == 0);
        trace_free(&u);
    }
    free(a);
    free(b);
    trace_free(&t);
    return 0;
}
