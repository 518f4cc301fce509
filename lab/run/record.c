/*
 * record.c: handing transcript records to a sink, and their words. See record.h.
 */
#include "record.h"

#include <stdio.h>

void run_emit(const run_sink *s, const run_record *r)
{
    if (s && s->fn)
        s->fn(s->arg, r);
}

int run_record_text(const run_record *r, char *buf, size_t n)
{
    const char *res = r->result ? r->result : "";
    switch (r->kind) {
    case REC_SAY:
        return snprintf(buf, n, "say: %s", r->text);
    case REC_RESULT:
        return snprintf(buf, n, r->result ? "%s  -> %s" : "%s", r->text, res);
    case REC_STATEMENT:
        switch (r->how) {
        case RH_RESUMED: return snprintf(buf, n, "  T%d resumed: %s  -> %s", r->session, r->text, res);
        case RH_QUEUED: return snprintf(buf, n, "  T%d then: %s  -> %s", r->session, r->text, res);
        default: return snprintf(buf, n, "T%d: %s  -> %s", r->session, r->text, res);
        }
    case REC_EVENT:
        return snprintf(buf, n, "  * %s", r->text);
    case REC_EXPECT:
        return r->outcome == RO_OK ? snprintf(buf, n, "%s  -> ok", r->text)
                                   : snprintf(buf, n, "%s  -> FAILED: %s", r->text, res);
    case REC_PREDICT:
        return r->outcome == RO_OK ? snprintf(buf, n, "  %s  -> right", r->text)
             : r->outcome == RO_FAIL ? snprintf(buf, n, "  %s  -> wrong: %s", r->text, res)
                                     : snprintf(buf, n, "  %s  -> %s", r->text, res);
    case REC_DIRECTIVE:
    case REC_INVALID:
    case REC_ERROR:
        break;
    }
    return snprintf(buf, n, "%s", r->text);
}
