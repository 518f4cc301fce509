/*
 * engine.c: the engine's entry points. Opening and closing a database; handing a
 * statement to a session and running whatever that lets run (the run loop); the engine
 * directives of the scenario language (sync policy, flush, checkpoint, evict, frames,
 * crash). engine.h says how the engine behaves; engine_int.h how its files are layered.
 *
 * Every entry point leaves the engine quiescent: the run queue is empty, and (in the
 * build that checks invariants) engine_check() has passed.
 *
 * Not here: statements (exec.c), transactions (txn.c), locking (cc_locking.c), what the
 * screen and the expectations read (view.c).
 */
#include "engine_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the run loop --------------------------------------------------------------------------- */

/* Runs s's queue until it is empty or blocked. */
static void run_session(acid_engine *e, acid_session *s)
{
    while (s->nq) {
        q_item *it = s->q[0];
        e->running_queued = it->queued;
        int x = exec_item(e, s, it);
        e->running_queued = false;
        if (x == X_BLOCK) {
            it->parked = true;
            return;
        }
        if (x == X_ABORTED)
            return;            /* the queue was failed and emptied */
        if (x == X_IOERR)
            eng_note(e, NOTE_ENGINE, 0, false, NULL, "I/O error: %s", e->err);
        sess_queue_pop(e, s);
    }
}

static void pump(acid_engine *e)
{
    /* A commit whose record some fsync of the step made durable is answered now, whoever
     * flushed (txn.c): that may let more sessions run. */
    while (txn_group_settle(e) || e->nrunq) {
        if (!e->nrunq)
            continue;
        acid_session *s = e->runq[0];
        memmove(e->runq, e->runq + 1, (size_t)(e->nrunq - 1) * sizeof *e->runq);
        e->nrunq--;
        s->in_runq = false;
        /* A session can be woken while it runs (a deadlock victim's release grants its
         * lock) and then park on another lock before it returns: it is queued but still
         * waiting, and must not run until that lock is granted too. */
        if (s->txn && s->nq && s->q[0]->parked && e->ccops->waiting(e->cc, s->txn->cc.id))
            continue;
        run_session(e, s);
    }
    eng_assert_ok(e);
}

void acid_submit(acid_engine *e, int session, sql_stmt *stmt)
{
    acid_session *s = &e->sess[session];
    q_item *it = sess_item_new(e);
    if (!it)
        return;
    it->stmt = *stmt;
    memset(stmt, 0, sizeof *stmt);
    sql_format(&it->stmt, it->text, sizeof it->text);
    if (s->nq >= ACID_QUEUE_MAX) {
        eng_note(e, NOTE_ERROR, session, false, it->text, "error queue-full: T%d already has %d statements waiting",
                 session, ACID_QUEUE_MAX);
        sess_item_free(e, it);
        return;
    }
    /* Binds column names (the runner validated first and reported errors as invalid
     * input; a caller that did not gets a statement error instead of a wrong answer). */
    char msg[256];
    int line, col;
    if (acid_validate(e, &it->stmt, msg, sizeof msg, &line, &col)) {
        eng_note(e, NOTE_ERROR, session, false, it->text, "error invalid: %s", msg);
        sess_set_error(s, "invalid");
        sess_item_free(e, it);
        return;
    }
    s->q[s->nq++] = it;
    if (s->nq > 1) {
        it->queued = true;
        eng_ev_text(e, EV_STMT_QUEUE, session, s->txn ? s->txn->cc.id : 0, it->text);
        eng_note(e, NOTE_QUEUED, session, false, it->text, "queued: T%d is blocked", session);
        eng_assert_ok(e);
        return;
    }
    run_session(e, s);
    pump(e);
}

/* A `setup:` line (setup.c). Its fsync also makes the commit records of a waiting group
 * durable: pump answers them, as after any flush. */
int acid_setup(acid_engine *e, const sql_stmt *s, char *msg, size_t n)
{
    int rc = setup_run(e, s, msg, n);
    pump(e);
    return rc;
}

/* --- engine directives --------------------------------------------------------------------- */

int acid_flush(acid_engine *e)
{
    int rc = wal_flush(&e->st.w);
    if (rc)
        return eng_io_fail(e, rc, "flush");
    pump(e);   /* answers the group the fsync made durable */
    return 0;
}

int acid_set_sync(acid_engine *e, acid_sync mode, int group_n)
{
    if (mode == SYNC_GROUP && group_n > e->nsess) {
        /* A group can hold one commit per session: a bigger one never fills, and its
         * commits would wait for ever (engine.h). */
        snprintf(e->err, sizeof e->err, "a group of %d commits can never fill: the engine has %d session%s, "
                 "each with at most one commit waiting", group_n, e->nsess, e->nsess == 1 ? "" : "s");
        return -1;
    }
    if (e->ngroup && (mode != SYNC_GROUP || group_n != e->group_n)) {
        if (acid_flush(e))
            return -1;
    }
    /* Performance: under group commit the group's commit records reach the log file in
     * one write() at the group's fsync (fio.h, write-behind); nothing is answered before
     * that fsync, and `engine: crash` counts the bytes and writes it loses exactly as
     * before. Under sync off an answered commit must be in the OS at once. */
    int rc = fio_set_write_behind(e->st.logf, mode == SYNC_GROUP);
    if (rc)
        return eng_io_fail(e, rc, "sync");
    e->sync = mode;
    e->group_n = group_n > 0 ? group_n : 1;
    eng_assert_ok(e);
    return 0;
}

int acid_checkpoint(acid_engine *e)
{
    wal_active act[ACID_SESSIONS_MAX] = { { 0, 0 } };   /* zeroed: gcc cannot see what the list fills */
    st_ckpt c = { .active = act };
    c.nactive = txn_active_list(e, act, &c.oldest_first, &c.oldest_txn);
    if (store_checkpoint(&e->st, &c))
        return eng_io_fail(e, -1, "checkpoint");
    eng_note(e, NOTE_ENGINE, 0, false, NULL,
             "checkpoint at LSN %" PRIu64 ": %d dirty page%s written, %d active transaction%s recorded; log and data file fsynced",
             c.lsn, c.written, c.written == 1 ? "" : "s", c.nactive, c.nactive == 1 ? "" : "s");
    char lb[32], why[96];
    if (c.keep == ST_KEEP_TXN)
        snprintf(why, sizeof why, "%s is open and its first record is there", txn_label(e, c.keep_txn, lb, sizeof lb));
    else if (c.keep == ST_KEEP_PAGE)
        snprintf(why, sizeof why, "page %" PRIu32 " has changes from there not yet in the data file", c.keep_page);
    else
        snprintf(why, sizeof why, "the checkpoint record is there");
    e->last_cut = c;
    e->has_cut = true;
    if (c.cut_to > c.cut_from && e->st.w.observe)
        eng_tail_cut(e, c.cut_to);
    if (c.cut_to > c.cut_from)
        eng_note(e, NOTE_ENGINE, 0, false, NULL,
                 "log cut: LSN %" PRIu64 " to %" PRIu64 " removed (%" PRIu64 " byte%s); it starts at LSN %" PRIu64 " now: %s",
                 c.cut_from, c.cut_to, c.cut_bytes, c.cut_bytes == 1 ? "" : "s", c.cut_to, why);
    else
        eng_note(e, NOTE_ENGINE, 0, false, NULL, "log cut: nothing to cut; it starts at LSN %" PRIu64 ": %s", c.cut_to, why);
    pump(e);   /* answers the group the checkpoint's flush made durable */
    return 0;
}

int acid_evict(acid_engine *e)
{
    uint32_t pages[BP_FRAMES_MAX];
    uint64_t recs[BP_FRAMES_MAX];
    int nd = bp_dirty_pages(&e->st.bp, pages, recs, BP_FRAMES_MAX);
    uint64_t fs = e->st.w.fsyncs;
    int written = 0;
    int rc = bp_flush_all(&e->st.bp, true, &written);
    if (rc)
        return eng_io_fail(e, rc, "evict");
    char list[256] = "";
    size_t o = 0;
    for (int i = 0; i < nd && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%u", i ? ", " : "", pages[i]);
    eng_note(e, NOTE_ENGINE, 0, false, NULL, "evict: %d dirty page%s written to the data file and fsynced%s%s%s",
             written, written == 1 ? "" : "s", nd ? (nd == 1 ? " (page " : " (pages ") : "", list, nd ? ")" : "");
    if (e->st.w.fsyncs > fs)
        eng_note(e, NOTE_ENGINE, 0, false, NULL, "log rule: the log was fsynced first, up to LSN %" PRIu64, e->st.w.durable);
    pump(e);   /* answers the group that fsync made durable */
    return 0;
}

int acid_set_frames(acid_engine *e, int frames)
{
    int rc = bp_resize(&e->st.bp, frames);
    if (rc)
        return eng_io_fail(e, rc, "frames");
    eng_assert_ok(e);
    return 0;
}

/* The report of a recovery, kept for the view. */
static void keep_report(acid_engine *e, const rec_report *rep, bool after_crash)
{
    e->last_rec = *rep;
    e->has_rec = true;
    e->rec_after_crash = after_crash;
}

int acid_crash(acid_engine *e, bool torn)
{
    char lb[32];
    int aborted = 0, lost = 0;
    /* A waiting commit whose record is durable was answered at the step that made it so;
     * an I/O error can have stopped that step before it did: answer it first. */
    txn_group_settle(e);
    uint64_t durable = e->st.w.durable;
    /* Every open transaction ends aborted; what it was doing fails. */
    for (int k = 1; k <= e->nsess; k++) {
        acid_session *s = &e->sess[k];
        if (s->nq)
            sess_fail_queue(e, s, "crash", "the engine crashed");
        if (s->txn) {
            acid_txn *t = s->txn;
            eng_ev_text(e, EV_TXN_ABORT, k, t->cc.id, "crash");
            s->ended = AS_ABORTED;
            s->txn = NULL;
            txn_release(e, t);
            aborted++;
        }
        s->in_runq = false;
    }
    e->ngroup = 0;
    e->nrunq = 0;
    /* Answered commits whose record was not durable: the crash takes them. */
    for (size_t i = 0; i < e->ntxns; i++) {
        txn_info *ti = &e->txns[i];
        if (ti->commit_lsn && ti->commit_lsn >= durable) {
            eng_ev(e, EV_TXN_LOST, ti->session, ti->id);
            eng_note(e, NOTE_ENGINE, 0, false, NULL, "lost: %s's COMMIT was answered but its log record was never fsynced",
                     txn_label(e, ti->id, lb, sizeof lb));
            ti->commit_lsn = 0;
            lost++;
        }
    }
    e->ccops->crash(e->cc);
    fio_crash_report fr;
    rec_report rep;
    size_t cut = eng_tail_crash_begin(e);
    int rc = store_crash(&e->st, torn, &fr);
    if (!rc)
        rc = recovery_run(&e->st, &rep);
    hist_event *x = eng_ev(e, EV_CRASH, 0, 0);
    if (x) {
        x->n[0] = (int64_t)fr.bytes_lost;
        x->n[1] = (int64_t)fr.writes_lost;
        x->n[2] = aborted;
        x->n[3] = lost;
    }
    eng_note(e, NOTE_ENGINE, 0, false, NULL,
             "crash: power lost; %" PRIu64 " unsynced byte%s dropped (%" PRIu64 " write%s), %d open transaction%s aborted, %d answered commit%s lost",
             fr.bytes_lost, fr.bytes_lost == 1 ? "" : "s", fr.writes_lost, fr.writes_lost == 1 ? "" : "s",
             aborted, aborted == 1 ? "" : "s", lost, lost == 1 ? "" : "s");
    if (rc)
        return eng_io_fail(e, rc, "recovery");
    e->io_failed = false;
    eng_tail_crash_end(e, cut, rep.log_end);
    keep_report(e, &rep, true);
    if (rep.torn)
        eng_note(e, NOTE_ENGINE, 0, false, NULL, "recovery: torn log tail at offset %" PRIu64 " (%s): %" PRIu64 " byte%s cut off, never applied",
                 rep.torn_offset, rep.torn_reason, rep.torn_bytes, rep.torn_bytes == 1 ? "" : "s");
    eng_note(e, NOTE_ENGINE, 0, false, NULL,
             "recovery: analysis from %s%" PRIu64 " to %" PRIu64 ": %" PRIu64 " records, %d dirty page%s, %d loser%s",
             rep.checkpoint_lsn ? "checkpoint at LSN " : "LSN ", rep.analysis_from, rep.log_end, rep.analysis_scanned,
             rep.ndirty, rep.ndirty == 1 ? "" : "s", rep.nlosers, rep.nlosers == 1 ? "" : "s");
    eng_note(e, NOTE_ENGINE, 0, false, NULL, "recovery: redo from LSN %" PRIu64 ": %" PRIu64 " redone, %" PRIu64 " skipped (page LSN already newer)",
             rep.redo_from, rep.redone, rep.redo_skipped);
    eng_note(e, NOTE_ENGINE, 0, false, NULL, "recovery: undo: %" PRIu64 " change%s undone with %" PRIu64 " compensation record%s",
             rep.undone, rep.undone == 1 ? "" : "s", rep.clrs, rep.clrs == 1 ? "" : "s");
    eng_assert_ok(e);
    return 0;
}

/* --- open and close ----------------------------------------------------------------------- */

static void cc_wake(void *arg, const uint64_t *txns, int n) { sess_wake(arg, txns, n); }
static void cc_label(void *arg, uint64_t txn, char *buf, size_t n) { txn_label(arg, txn, buf, n); }
static void cc_say(void *arg, const char *msg) { eng_note(arg, NOTE_ENGINE, 0, false, NULL, "%s", msg); }

acid_engine *acid_open(const acid_options *opt, hist *h, acid_note_fn fn, void *arg, char *err, size_t errlen)
{
    acid_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->h = h;
    e->db = opt ? opt->db : 0;
    e->note = fn;
    e->note_arg = arg;
    e->group_n = 1;
    e->nsess = opt && opt->sessions > 0 ? opt->sessions : ACID_SESSIONS;
    if (e->nsess > ACID_SESSIONS_MAX)
        e->nsess = ACID_SESSIONS_MAX;
    for (int k = 1; k <= e->nsess; k++) {
        e->sess[k].no = k;
        e->sess[k].level = ISO_RC;
    }
    if (!opt || !opt->dir || !*opt->dir) {
        snprintf(err, errlen, "no database directory given");
        free(e);
        return NULL;
    }
    if (opt->db > HIST_DB_MAX) {
        snprintf(err, errlen, "database number %d is out of range (0 to %d)", opt->db, HIST_DB_MAX);
        free(e);
        return NULL;
    }
    snprintf(e->dir, sizeof e->dir, "%s", opt->dir);
    e->env = fio_env_new();
    e->ccops = &cc_locking;
    cc_env env = { .st = &e->st, .h = h, .db = e->db, .arg = e,
                   .wake = cc_wake, .abort = exec_abort, .say = cc_say, .label = cc_label };
    e->cc = e->ccops->open(&env);
    if (!e->env || !e->cc) {
        snprintf(err, errlen, "out of memory");
        acid_close(e);
        return NULL;
    }
    fio_set_real_sync(e->env, opt ? opt->real_sync : true);
    rec_report rep;
    int rc = store_open(&e->st, e->dir, e->env, h, opt && opt->frames ? opt->frames : BP_FRAMES_DEFAULT);
    if (!rc) {
        store_set_db(&e->st, e->db);
        e->st.w.observe = eng_tail_record;
        e->st.w.observe_arg = e;
        rc = recovery_run(&e->st, &rep);
    }
    if (rc) {
        snprintf(err, errlen, "%s", e->st.err);
        acid_close(e);
        return NULL;
    }
    keep_report(e, &rep, false);
    if (rep.torn || rep.nlosers || rep.redone || rep.zero_bytes) {
        char torn[200] = "";
        if (rep.torn)
            snprintf(torn, sizeof torn, "; a torn log tail was cut off at offset %" PRIu64 " (%" PRIu64 " byte%s: %s)",
                     rep.torn_offset, rep.torn_bytes, rep.torn_bytes == 1 ? "" : "s", rep.torn_reason);
        else if (rep.zero_bytes)
            snprintf(torn, sizeof torn, "; the log ends at offset %" PRIu64 ", followed by %" PRIu64 " zero byte%s "
                     "(space preallocated for it, or records that never reached the disk), cut",
                     rep.zero_offset, rep.zero_bytes, rep.zero_bytes == 1 ? "" : "s");
        eng_note(e, NOTE_ENGINE, 0, false, NULL, "recovery on open: %" PRIu64 " redone, %" PRIu64 " undone, %d loser%s%s",
                 rep.redone, rep.undone, rep.nlosers, rep.nlosers == 1 ? "" : "s", torn);
    }
    eng_assert_ok(e);
    return e;
}

void acid_close(acid_engine *e)
{
    if (!e)
        return;
    for (int k = 1; k <= e->nsess; k++) {
        acid_session *s = &e->sess[k];
        for (int i = 0; i < s->nq; i++)
            sess_item_free(e, s->q[i]);
        if (s->txn)
            txn_release(e, s->txn);
        free(s->rows);
    }
    txn_free_all(e);
    while (e->free_items) {
        q_item *it = e->free_items;
        e->free_items = it->next_free;
        free(it);
    }
    store_close(&e->st);
    if (e->cc)
        e->ccops->close(e->cc);
    fio_env_free(e->env);
    free(e->txns);
    free(e);
}
