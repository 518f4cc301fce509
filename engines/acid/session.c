/*
 * session.c: sessions T1..Tn and the run queue.
 *
 * A session owns a queue of statements. Its head runs; when it must wait (a lock, its
 * group commit) it is marked parked and stays at the head, and statements given to the
 * session meanwhile queue behind it. When whatever it waited for is settled, the session
 * goes on the run queue (sess_wake, sess_runq_add) and the run loop (engine.c) re-runs
 * the head from the start, then drains the queue in order.
 *
 * Here are the data operations on queues that every layer needs (answer the head, fail a
 * whole queue when its transaction is aborted under it, put a session on the run queue);
 * running statements is exec.c's, the loop engine.c's.
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Performance: every statement sets it (most often to ""), so no snprintf. */
void sess_set_error(acid_session *s, const char *code)
{
    if (!code || !*code) {
        s->error[0] = 0;
        return;
    }
    size_t n = strnlen(code, sizeof s->error - 1);
    memcpy(s->error, code, n);
    s->error[n] = 0;
}

q_item *sess_item_new(acid_engine *e)
{
    q_item *it = e->free_items;
    if (it) {
        e->free_items = it->next_free;
        it->started = it->parked = it->queued = it->commit_phase = false;
        it->next_free = NULL;
        return it;
    }
    return calloc(1, sizeof *it);
}

void sess_item_free(acid_engine *e, q_item *it)
{
    sql_free(&it->stmt);
    it->next_free = e->free_items;
    e->free_items = it;
}

void sess_queue_pop(acid_engine *e, acid_session *s)
{
    sess_item_free(e, s->q[0]);
    memmove(s->q, s->q + 1, (size_t)(s->nq - 1) * sizeof *s->q);
    s->nq--;
}

/* The session's transaction was aborted under it (deadlock victim, crash): the parked
 * statement fails with code, the ones queued behind it are skipped. */
void sess_fail_queue(acid_engine *e, acid_session *s, const char *code, const char *why)
{
    for (int i = 0; i < s->nq; i++) {
        q_item *it = s->q[i];
        if (i == 0) {
            eng_ev_text(e, EV_STMT_FAIL, s->no, s->txn ? s->txn->cc.id : 0, code);
            sess_set_error(s, code);
            eng_note(e, NOTE_ERROR, s->no, it->parked, it->text, "error %s: %s", code, why);
        } else {
            eng_ev_text(e, EV_STMT_SKIP, s->no, 0, it->text);
            eng_note(e, NOTE_SKIPPED, s->no, false, it->text, "skipped: T%d's transaction was aborted", s->no);
        }
        sess_item_free(e, it);
    }
    s->nq = 0;
}

void sess_runq_add(acid_engine *e, acid_session *s)
{
    if (s->in_runq)
        return;
    s->in_runq = true;
    e->runq[e->nrunq++] = s;
}

/* The scheme let these transactions go on: each one's parked statement runs again, unless
 * it waits for its group commit or (woken while it ran) is parked on something else. */
void sess_wake(acid_engine *e, const uint64_t *txns, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 1; k <= e->nsess; k++) {
            acid_session *s = &e->sess[k];
            if (s->txn && s->txn->cc.id == txns[i] && s->nq && s->q[0]->parked &&
                !s->txn->committing && !e->ccops->waiting(e->cc, s->txn->cc.id))
                sess_runq_add(e, s);
        }
}

acid_session *sess_of_txn(acid_engine *e, uint64_t txn)
{
    for (int k = 1; k <= e->nsess; k++)
        if (e->sess[k].txn && e->sess[k].txn->cc.id == txn)
            return &e->sess[k];
    return NULL;
}
