/*
 * fuzz_sql.c: the SQL parser. Any bytes parse or fail with a message; a statement that
 * parses has a canonical text (what the transcript and the log show) that parses again
 * to the same canonical text. Its WHERE and CHECK predicates are then evaluated over rows
 * at the integer extremes (on the value column and on an INT key), as the engine and the
 * checkers would: `v % -1 = 0` over INT64_MIN must answer, not trap.
 */
#include <string.h>
#include "fuzz.h"
#include "acid/sql.h"

static void eval_extremes(pred *p)
{
    static const int64_t xs[] = { INT64_MIN, INT64_MIN + 1, -2, -1, 0, 1, 2, INT64_MAX - 1, INT64_MAX };
    if (!p)
        return;
    for (int i = 0; i < p->nterms; i++)
        p->terms[i].field = PF_VALUE;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        scalar k = scalar_int(0);
        (void)pred_eval(p, &k, xs[i]);
    }
    for (int i = 0; i < p->nterms; i++)
        p->terms[i].field = PF_KEY;
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        scalar k = scalar_int(xs[i]);
        (void)pred_eval(p, &k, 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = 0;
    sql_stmt s;
    sql_error err;
    if (sql_parse(text, 1, 1, &s, &err) == 0) {
        eval_extremes(s.where);
        eval_extremes(s.check);
        char a[8192], b[8192];
        int n = sql_format(&s, a, sizeof a);
        FUZZ_ASSERT(n >= 0);
        sql_free(&s);
        sql_stmt t;
        if (sql_parse(a, 1, 1, &t, &err) != 0) {
            fprintf(stderr, "canonical text does not parse: %s\n  %s\n", a, err.msg);
            FUZZ_ASSERT(!"canonical text parses");
        }
        sql_format(&t, b, sizeof b);
        FUZZ_ASSERT(strcmp(a, b) == 0);
        sql_free(&t);
    } else {
        FUZZ_ASSERT(err.msg[0] != 0);
        FUZZ_ASSERT(err.line >= 1 && err.col >= 1);
    }
    free(text);
    return 0;
}
