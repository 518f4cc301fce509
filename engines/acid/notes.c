/*
 * notes.c: the engine's outputs. Everything it does is reported twice (engine.h): as
 * history events, which the checkers, the trace and the screen read, and as notes for the
 * transcript, one per statement outcome or engine action. Also here: the engine's error
 * text (acid_error), rows as the transcript writes them (acid_format_rows), and the tail
 * of the log that the view shows, which the log fills as it
 * appends (a wal observer) and a crash cuts.
 *
 * Not here: what to say (the files that act decide that).
 */
#include "engine_int.h"
#include "common/putbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void eng_note(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
              const char *fmt, ...)
{
    if (!e->note)
        return;
    char msg[ACID_RESULT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    acid_note n = { kind, session, resumed, e->running_queued && !resumed && session, stmt, msg };
    e->note(e->note_arg, &n);
}

/* eng_note() for a message that is a + b (b may be NULL), cut where eng_note() cuts it.
 * Performance: the statement path's common outcomes, without vsnprintf. */
void eng_note_cat(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
                  const char *a, const char *b)
{
    if (!e->note)
        return;
    char msg[ACID_RESULT_MAX];
    putbuf pb = pb_make(msg, sizeof msg);
    pb_str(&pb, a);
    if (b)
        pb_str(&pb, b);
    pb_end(&pb);
    acid_note n = { kind, session, resumed, e->running_queued && !resumed && session, stmt, msg };
    e->note(e->note_arg, &n);
}

int eng_io_fail(acid_engine *e, int rc, const char *what)
{
    e->io_failed = true;
    snprintf(e->err, sizeof e->err, "%s: %.450s", what,
             e->st.err[0] ? e->st.err : store_rc_text(&e->st, rc));
    return -1;
}

const char *acid_error(const acid_engine *e)
{
    return e->err;
}

void acid_format_rows(const acid_row *rows, int n, char *buf, size_t cap)
{
    /* Written up to the first row that does not fit (the closing brace only if all do),
     * as the transcript has always shown a long result. */
    putbuf b = pb_make(buf, cap);
    pb_char(&b, '{');
    for (int i = 0; i < n && b.len < cap; i++) {
        if (i)
            pb_mem(&b, ", ", 2);
        scalar_put(&b, &rows[i].key, false);
        pb_char(&b, ':');
        pb_i64(&b, rows[i].value);
    }
    if (b.len < cap)
        pb_char(&b, '}');
    pb_end(&b);
}

/* --- the log tail ------------------------------------------------------------------------ */

static tail_ent *tail_push(acid_engine *e)
{
    return &e->tail[e->ntail++ % ACID_VIEW_LOG_TAIL];
}

/* Performance: three records per autocommit; fields set, no memset of the entry. */
void eng_tail_record(void *engine, const wal_rec *r)
{
    acid_engine *e = engine;
    tail_ent *t = tail_push(e);
    t->crash = t->lost = t->cut = false;
    t->type = r->type;
    t->lsn = r->lsn;
    t->txn = r->txn;
    if (r->type == WAL_INSERT || r->type == WAL_UPDATE || r->type == WAL_DELETE || r->type == WAL_CLR) {
        t->table = r->table;
        t->key = r->key;
        t->before = r->before;
        t->after = r->after;
    }
}

void eng_tail_cut(acid_engine *e, uint64_t lsn)
{
    tail_ent *t = tail_push(e);
    memset(t, 0, sizeof *t);
    t->cut = true;
    t->lsn = lsn;
}

size_t eng_tail_crash_begin(acid_engine *e)
{
    tail_ent *t = tail_push(e);
    memset(t, 0, sizeof *t);
    t->crash = true;   /* lsn 0 until recovery has found the end (never a real end) */
    return e->ntail - 1;
}

void eng_tail_crash_end(acid_engine *e, size_t entry, uint64_t log_end)
{
    size_t first = e->ntail > ACID_VIEW_LOG_TAIL ? e->ntail - ACID_VIEW_LOG_TAIL : 0;
    if (entry < first)
        return;   /* recovery appended more than the tail keeps: nothing of before is left */
    e->tail[entry % ACID_VIEW_LOG_TAIL].lsn = log_end;
    /* Records appended before the crash at or past where it cut the log are gone. */
    for (size_t i = first; i < entry; i++) {
        tail_ent *t = &e->tail[i % ACID_VIEW_LOG_TAIL];
        if (!t->crash && !t->cut && t->lsn >= log_end)
            t->lost = true;
    }
}
