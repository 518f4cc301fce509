/*
 * fuzz_scenario.c: whole scenarios, run. The input is split into lines and given to a
 * runner (both engines, a private database directory under $TMPDIR) exactly as
 * `acidbase run` does, stopping at the first invalid line; then the run is finished (the
 * checkers run). Transcripts go to /dev/null. Inputs are capped at 64 lines so each run
 * stays fast; the parser alone sees every line.
 */
#include <string.h>
#include "fuzz.h"
#include "run/runner.h"

static FILE *devnull;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    runner_opts o = { .file = "fuzz.scn", .seed = 1, .quiet = false, .out = devnull, .err = devnull };
    runner *r = runner_new(&o);
    if (!r)
        return 0;
    char line[SCN_LINE_MAX + 2];
    size_t i = 0;
    int lineno = 0;
    while (i < size && lineno < 64) {
        const uint8_t *nl = memchr(data + i, '\n', size - i);
        size_t e = nl ? (size_t)(nl - data) : size;
        size_t n = e - i < sizeof line - 1 ? e - i : sizeof line - 1;
        memcpy(line, data + i, n);
        line[n] = 0;
        lineno++;
        int rc = runner_line(r, line, lineno);
        if (rc == RUN_INVALID || rc == RUN_IOERR)
            break;
        i = e + 1;
    }
    runner_finish(r);
    runner_free(r);
    return 0;
}
