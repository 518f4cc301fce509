/*
 * fuzz_scenario.c: whole scenarios, run. The input is split into lines and given to a
 * runner (both engines, a private database directory under $TMPDIR) exactly as
 * `acidbase run` does, stopping at the first invalid line; then the checkers run over the
 * history (runner_findings). Every transcript record is put into words (run_record_text),
 * as the CLI and the lab do, and dropped. Inputs are capped at 64 lines so each run
 * stays fast; the parser alone sees every line.
 */
#include <string.h>
#include "fuzz.h"
#include "run/runner.h"

static void words(void *arg, const run_record *rec)
{
    char buf[256];
    (void)arg;
    run_record_text(rec, buf, sizeof buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 16384)
        return 0;
    char err[512];
    runner_opts o = { .seed = 1, .sink = { words, NULL } };
    runner *r = runner_new(&o, err, sizeof err);
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
    runner_findings(r);
    runner_free(r);
    return 0;
}
