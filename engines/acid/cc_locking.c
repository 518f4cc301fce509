/*
 * cc_locking.c: strict two-phase locking, the first concurrency-control scheme (cc.h).
 *
 * The locking contract (engine.h), rule by rule:
 *   writes     IX on the table, X on each row written, held to the end, at every level
 *   RU reads   no locks; they see in-place uncommitted values
 *   RC reads   IS on the table, S on each row read, released when the statement ends
 *   RR reads   as RC, but held to the end
 *   SER reads  a predicate that names keys: IS + S on those keys, rows or not; any other
 *              predicate: S on the table, held to the end
 *   a write scan reads its candidates under the level's read rule, X-locks the rows that
 *   match and re-checks the predicate once the lock is granted; at SER, SIX on the table.
 *
 * Rows are read in place (the store keeps one image per row), so what a reader sees is
 * decided by the locks alone. A lock that must wait parks the statement (CC_WAIT); the
 * waits-for graph is searched at once, and a deadlock's victim (the youngest) is rolled
 * back through env->abort. Releases hand the lock manager's grants to env->wake.
 *
 * Not here: the lock manager itself (lock.c), sessions and statements (the engine).
 */
#include "cc.h"
#include "engine.h"
#include "lock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A release can grant each open transaction at most once: every session's, and setup's. */
#define GRANTED_MAX (ACID_SESSIONS_MAX + 1)

struct cc {
    cc_env env;
    lockmgr *lm;
    int deadlocks;
    lock_res *shorts;      /* READ COMMITTED: the S row locks of the running statement */
    int nshorts, capshorts;
};

static cc *lk_open(const cc_env *env)
{
    cc *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->env = *env;
    c->lm = lock_new(env->h);
    if (!c->lm) {
        free(c);
        return NULL;
    }
    lock_set_db(c->lm, env->db);
    return c;
}

static void lk_close(cc *c)
{
    if (!c)
        return;
    lock_free(c->lm);
    free(c->shorts);
    free(c);
}

/* Power loss: the lock table is memory; it is gone with every transaction. */
static void lk_crash(cc *c)
{
    lock_free(c->lm);
    c->lm = lock_new(c->env.h);
    lock_set_db(c->lm, c->env.db);
}

static void wake(cc *c, const uint64_t *granted, int n)
{
    if (n > 0)
        c->env.wake(c->env.arg, granted, n);
}

static const char *label(const cc *c, uint64_t txn, char *buf, size_t n)
{
    c->env.label(c->env.arg, txn, buf, n);
    return buf;
}

/* --- waiting --------------------------------------------------------------------------- */

static bool lk_waiting(const cc *c, uint64_t txn)
{
    return lock_waiting(c->lm, txn, NULL, NULL);
}

static void lk_describe_wait(const cc *c, uint64_t txn, char *buf, size_t n)
{
    lock_res r;
    lock_mode m;
    char res[96], held[200] = "", ahead[200] = "", lb[32];
    if (!lock_waiting(c->lm, txn, &r, &m)) {
        snprintf(buf, n, "waiting");
        return;
    }
    lock_res_format(&r, res, sizeof res);
    uint64_t wf[16];
    int k = lock_waits_for(c->lm, txn, wf, 16);
    size_t oh = 0, oa = 0;
    for (int i = 0; i < k; i++) {
        label(c, wf[i], lb, sizeof lb);
        if (lock_held(c->lm, wf[i], &r) != LM_NL && oh < sizeof held)
            oh += (size_t)snprintf(held + oh, sizeof held - oh, "%s%s", oh ? ", " : "", lb);
        else if (oa < sizeof ahead)
            oa += (size_t)snprintf(ahead + oa, sizeof ahead - oa, "%s%s", oa ? ", " : "", lb);
    }
    snprintf(buf, n, "waits for %s lock on %.90s%s%.180s%s%.180s%s", lock_mode_name(m), res, oh ? " held by " : "", held,
             oa ? (oh ? " (queued behind " : " queued behind ") : "", ahead, oa && oh ? ")" : "");
}

static int lk_deadlocks(const cc *c)
{
    return c->deadlocks;
}

/* Asks for a lock for t. CC_OK granted; CC_WAIT parked; CC_ABORTED t was the deadlock
 * victim (already rolled back, its queue failed). */
static int need_lock(cc *c, cc_txn *t, const char *table, bool row, const scalar *key, lock_mode mode)
{
    lock_res r = { table, row, row ? *key : (scalar){ 0 } };
    if (lock_acquire(c->lm, t->id, &r, mode) == LOCK_GRANTED)
        return CC_OK;
    for (;;) {
        lock_cycle cy;
        if (!lock_find_deadlock(c->lm, t->id, &cy))
            return CC_WAIT;
        c->deadlocks++;
        char text[1024], lb[32], lv[32], res[96], msg[1200];
        size_t o = 0;
        for (int i = 0; i < cy.n && o < sizeof text; i++) {
            lock_res_format(&cy.res[i], res, sizeof res);
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s waits for %s (on %s)",
                                  i ? ", " : "", label(c, cy.txns[i], lb, sizeof lb),
                                  label(c, cy.txns[(i + 1) % cy.n], lv, sizeof lv), res);
        }
        snprintf(msg, sizeof msg, "deadlock: %s; victim %s (the youngest)", text, label(c, cy.victim, lb, sizeof lb));
        c->env.say(c->env.arg, msg);
        static const char why[] = "this transaction was chosen as the deadlock victim and rolled back";
        if (cy.victim == t->id) {
            uint64_t granted[GRANTED_MAX];
            int n = lock_cancel_wait(c->lm, t->id, granted, GRANTED_MAX);
            wake(c, granted, n);
            c->env.abort(c->env.arg, t->id, "deadlock", why);
            return CC_ABORTED;
        }
        c->env.abort(c->env.arg, cy.victim, "deadlock", why);
        if (!lock_waiting(c->lm, t->id, NULL, NULL))
            return CC_OK;
    }
}

/* --- statements ----------------------------------------------------------------------------- */

static void lk_stmt_begin(cc *c, cc_txn *t)
{
    (void)t;
    c->nshorts = 0;
}

static int short_add(cc *c, const char *table, const scalar *key)
{
    if (c->nshorts == c->capshorts) {
        int cap = c->capshorts ? c->capshorts * 2 : 16;
        lock_res *v = realloc(c->shorts, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        c->shorts = v;
        c->capshorts = cap;
    }
    c->shorts[c->nshorts++] = (lock_res){ table, true, *key };
    return 0;
}

/* READ COMMITTED: drop the S locks this statement took (not ones that became X). At RC
 * every S row lock is a statement lock, so "held in S" is the whole test. A lock the
 * transaction is waiting to upgrade stays: releasing it would withdraw the request. */
static void lk_stmt_end(cc *c, cc_txn *t)
{
    lock_res waiting;
    bool is_waiting = t && lock_waiting(c->lm, t->id, &waiting, NULL);
    for (int i = 0; t && i < c->nshorts; i++) {
        lock_res *r = &c->shorts[i];
        if (is_waiting && waiting.is_row && strcmp(waiting.table, r->table) == 0 && scalar_eq(&waiting.key, &r->key))
            continue;
        if (lock_held(c->lm, t->id, r) == LM_S) {
            uint64_t granted[GRANTED_MAX];
            int n = lock_release(c->lm, t->id, r, granted, GRANTED_MAX);
            wake(c, granted, n);
        }
    }
    c->nshorts = 0;
}

/* A read lock on one row under the level's rule. */
static int read_lock_row(cc *c, cc_txn *t, st_table *tb, const scalar *key)
{
    if (t->level == ISO_RU)
        return CC_OK;
    if (t->level == ISO_RC)
        short_add(c, tb->name, key);
    return need_lock(c, t, tb->name, true, key, LM_S);
}

static bool has_entry(const st_table *tb, const scalar *key)
{
    size_t lo = 0, hi = tb->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int cmp = scalar_cmp(&tb->ents[mid].key, key);
        if (!cmp)
            return true;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* The table's lock: S (SIX to write) for a SERIALIZABLE scan that does not name its keys,
 * so that no row can appear in it; else an intention lock. READ UNCOMMITTED reads take
 * none. */
static int lk_scan_table(cc *c, cc_txn *t, st_table *tb, cc_scan *sc)
{
    sc->table_covers = t->level == ISO_SER && !sc->point;
    lock_mode tmode = sc->write ? (sc->table_covers ? LM_SIX : LM_IX) : (sc->table_covers ? LM_S : LM_IS);
    if (t->level != ISO_RU || sc->write)
        return need_lock(c, t, tb->name, false, NULL, tmode);
    return CC_OK;
}

static int lk_scan_row(cc *c, cc_txn *t, st_table *tb, const cc_scan *sc, const pred *where,
                       const scalar *key, st_row *row, bool *match)
{
    store *st = c->env.st;
    /* Rows in the index (ghosts of uncommitted deletes too) are locked; at SERIALIZABLE a
     * named key is locked even when no row has it, so that none can be inserted there. */
    bool lockable = has_entry(tb, key) || (t->level == ISO_SER && sc->point);
    int x;
    /* A write scan asks for X at once on a row that already matches, as SQL Server's
     * update locks do: taking S first would let two writers of one row both get S and
     * then deadlock upgrading. The re-check under the lock keeps it correct. */
    bool x_first = false;
    if (sc->write && lockable) {
        if (store_read(st, tb, key, row))
            return CC_IOERR;
        x_first = row->exists && pred_eval(where, key, row->value);
    }
    if (x_first) {
        x = need_lock(c, t, tb->name, true, key, LM_X);
        if (x != CC_OK)
            return x;
    } else if (lockable && !sc->table_covers) {
        x = read_lock_row(c, t, tb, key);
        if (x != CC_OK)
            return x;
    }
    if (store_read(st, tb, key, row))
        return CC_IOERR;
    *match = row->exists && pred_eval(where, key, row->value);
    if (*match && sc->write) {
        x = need_lock(c, t, tb->name, true, key, LM_X);
        if (x != CC_OK)
            return x;
        if (store_read(st, tb, key, row))   /* re-check under the lock */
            return CC_IOERR;
        *match = row->exists && pred_eval(where, key, row->value);
    }
    return CC_OK;
}

/* An INSERT: IX on the table, X on every key it inserts, before it looks for duplicates. */
static int lk_insert_begin(cc *c, cc_txn *t, st_table *tb, const sql_row *rows, int n)
{
    int x = need_lock(c, t, tb->name, false, NULL, LM_IX);
    for (int i = 0; x == CC_OK && i < n; i++)
        x = need_lock(c, t, tb->name, true, &rows[i].key, LM_X);
    return x;
}

/* Under X the row in place is the newest, and nobody else's. */
static int lk_row_latest(cc *c, cc_txn *t, st_table *tb, const scalar *key, st_row *row)
{
    (void)t;
    return store_read(c->env.st, tb, key, row) ? CC_IOERR : CC_OK;
}

/* In place: the store keeps one image per row, the log the one it replaced. */
static int lk_write(cc *c, cc_txn *t, st_table *tb, const scalar *key, bool exists, int64_t value,
                    uint64_t *last_lsn, st_row *before, uint64_t *version)
{
    return store_write(c->env.st, t->id, last_lsn, tb, key, exists, value, before, version);
}

/* --- transactions ---------------------------------------------------------------------------- */

static int lk_begin(cc *c, cc_txn *t)
{
    lock_txn_begin(c->lm, t->id, t->age);
    return CC_OK;
}

/* Nothing to validate: a conflict would have waited for its lock. */
static int lk_commit(cc *c, cc_txn *t)
{
    (void)c;
    (void)t;
    return CC_OK;
}

/* Strict: every lock goes at the end, at once. */
static void lk_end(cc *c, cc_txn *t)
{
    uint64_t granted[GRANTED_MAX];
    int n = lock_release_all(c->lm, t->id, granted, GRANTED_MAX);
    wake(c, granted, n);
}

/* --- the view -------------------------------------------------------------------------------- */

typedef struct lock_collect {
    acid_view_lock *out;
    int max, n, waiting;
} lock_collect;

static void lock_visit(const lock_entry_view *v, void *arg)
{
    lock_collect *lc = arg;
    lc->waiting += v->nwaiters;
    if (lc->n < lc->max) {
        acid_view_lock *o = &lc->out[lc->n];
        memset(o, 0, sizeof *o);
        lock_res_format(&v->res, o->res, sizeof o->res);
        o->is_row = v->res.is_row;
        for (int i = 0; i < v->nholders && i < ACID_VIEW_PEERS; i++) {
            o->holders[i] = v->holders[i];
            o->holder_modes[i] = lock_mode_name(v->holder_modes[i]);
            o->nholders++;
        }
        for (int i = 0; i < v->nwaiters && i < ACID_VIEW_PEERS; i++) {
            o->waiters[i] = v->waiters[i];
            o->waiter_modes[i] = lock_mode_name(v->waiter_modes[i]);
            o->nwaiters++;
        }
    }
    lc->n++;
}

static int lk_view_locks(const cc *c, acid_view_lock *out, int max, int *waiting)
{
    lock_collect lc = { out, max, 0, 0 };
    lock_foreach(c->lm, lock_visit, &lc);
    if (waiting)
        *waiting = lc.waiting;
    return lc.n;
}

static bool lk_view_wait(const cc *c, uint64_t txn, acid_view_wait *w)
{
    lock_res r;
    lock_mode m;
    memset(w, 0, sizeof *w);
    if (!lock_waiting(c->lm, txn, &r, &m))
        return false;
    lock_res_format(&r, w->res, sizeof w->res);
    w->mode = lock_mode_name(m);
    w->n = lock_waits_for(c->lm, txn, w->waits_for, ACID_VIEW_PEERS);
    return true;
}

/* --- invariants ------------------------------------------------------------------------------ */

/* E7: strict two-phase locking keeps X on every row written until the end. */
static int lk_check_txn(const cc *c, const cc_txn *t, const char *const *tables, const scalar *keys, int n)
{
    for (int i = 0; i < n; i++) {
        lock_res r = { tables[i], true, keys[i] };
        if (lock_held(c->lm, t->id, &r) != LM_X)
            return 7;
    }
    return 0;
}

/* The lock manager's L1-L3, in full while its table is small (its own checks, under the
 * same flag, cover what each operation touches). */
#define CHECK_ALL_LOCKS 4096

static int lk_check(const cc *c)
{
    if (lock_resources(c->lm) > CHECK_ALL_LOCKS)
        return 0;
    return lock_check(c->lm) ? 7 : 0;
}

const cc_ops cc_locking = {
    .name = "locking",
    .open = lk_open,
    .close = lk_close,
    .crash = lk_crash,
    .begin = lk_begin,
    .stmt_begin = lk_stmt_begin,
    .stmt_end = lk_stmt_end,
    .scan_table = lk_scan_table,
    .scan_row = lk_scan_row,
    .insert_begin = lk_insert_begin,
    .row_latest = lk_row_latest,
    .write = lk_write,
    .commit = lk_commit,
    .end = lk_end,
    .waiting = lk_waiting,
    .describe_wait = lk_describe_wait,
    .deadlocks = lk_deadlocks,
    .view_locks = lk_view_locks,
    .view_wait = lk_view_wait,
    .check_txn = lk_check_txn,
    .check = lk_check,
};
