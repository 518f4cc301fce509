/*
 * engine.c: sessions, transactions and statements over the store and the lock manager.
 * See engine.h for the locking contract and how blocking works.
 *
 * Shape of one statement: take every lock it needs (each may park the statement), read
 * what it reads (recorded as a predicate read in the history), check constraints, then
 * write. Nothing is written before all locks are held, which is what makes re-running a
 * parked statement from the start safe.
 *
 * Not here: parsing (sql.c), the scenario language and transcript layout (lab/), the
 * anomaly checker (history/acidcheck.c).
 */
#include "engine.h"
#include "recovery.h"
#include "common/arith.h"
#include "common/putbuf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

typedef struct before_img {
    const char *table;     /* the catalog's name */
    scalar key;
    bool exists;
    int64_t value;
} before_img;

typedef struct acid_txn {
    uint64_t id;
    int session;           /* 0: setup */
    iso_level level;
    bool autocommit;
    uint64_t age;
    uint64_t last_lsn;
    uint64_t commit_lsn;
    bool committing;       /* commit record written, waiting for its group's fsync */
    before_img *firsts;    /* the committed image of every row this txn wrote */
    int nfirsts, capfirsts;
    size_t info;           /* its entry in acid_engine.txns */
    struct acid_txn *next_free;
} acid_txn;

typedef struct short_lock { lock_res res; } short_lock;

typedef struct q_item {
    sql_stmt stmt;
    char text[512];
    bool started;          /* invoked once already (a re-run is a resume) */
    bool parked;
    bool queued;           /* arrived while the session was blocked */
    bool commit_phase;     /* autocommit: the statement is done, its commit is pending */
    struct q_item *next_free;
} q_item;

typedef struct acid_session {
    int no;
    acid_state ended;      /* AS_IDLE, AS_COMMITTED or AS_ABORTED: how the last txn ended */
    iso_level level;
    acid_txn *txn;
    q_item *q[ACID_QUEUE_MAX];
    int nq;
    bool in_runq;
    int ntxns;
    acid_row *rows;
    int nrows;
    bool has_rows;
    int64_t number;
    bool has_number;
    char error[32];
} acid_session;

typedef struct txn_info {
    uint64_t id;
    uint8_t session;
    uint16_t nth;
    uint64_t commit_lsn;   /* 0 unless committed (answered) */
} txn_info;

struct acid_engine {
    store st;
    fio_env *env;
    hist *h;
    lockmgr *lm;
    char dir[1024];
    acid_sync sync;
    int group_n;
    acid_txn *group[ACID_SESSIONS_MAX + 1];
    int ngroup;
    int nsess;             /* sessions 1..nsess (acid_options.sessions) */
    acid_session sess[ACID_SESSIONS_MAX + 1];
    acid_session *runq[ACID_SESSIONS_MAX + 1];
    int nrunq;
    txn_info *txns;
    size_t ntxns, captxns;
    uint64_t age;
    int deadlocks;
    acid_note_fn note;
    void *note_arg;
    bool running_queued;   /* the statement running now had waited behind a blocked one */
    short_lock *shorts;    /* READ COMMITTED locks of the running statement */
    int nshorts, capshorts;
    /* Performance: transactions and queue items are recycled rather than freed, so a
     * commit allocates nothing once the engine has warmed up. */
    acid_txn *free_txns;
    q_item *free_items;
    char err[600];
};

enum { X_DONE = 0, X_BLOCK, X_FAIL, X_ABORTED, X_IOERR };

/* --- small helpers ------------------------------------------------------------------ */

static void note(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
                 const char *fmt, ...)
{
    if (!e->note)
        return;
    char msg[ACID_RESULT_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (e->note) {
        acid_note n = { kind, session, resumed, e->running_queued && !resumed && session, stmt, msg };
        e->note(e->note_arg, &n);
    }
}

/* note() for a message that is a + b (b may be NULL), cut where note() cuts it.
 * Performance: the statement path's common outcomes, without vsnprintf. */
static void note_cat(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
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

static hist_event *ev(acid_engine *e, hist_kind kind, int session, uint64_t txn)
{
    if (!e->h)
        return NULL;   /* no history (benchmarks); every caller skips a NULL event */
    hist_event *x = hist_add(e->h, SIDE_ACID, kind);
    if (x) {
        x->session = (uint8_t)session;
        x->txn = txn;
    }
    return x;
}

static void ev_text(acid_engine *e, hist_kind kind, int session, uint64_t txn, const char *text)
{
    hist_event *x = ev(e, kind, session, txn);
    if (x)
        hist_set_text(e->h, x, text);
}

static const txn_info *txn_find(const acid_engine *e, uint64_t id)
{
    size_t lo = 0, hi = e->ntxns;   /* ids are registered in increasing order */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (e->txns[mid].id == id)
            return &e->txns[mid];
        if (e->txns[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

void acid_txn_label(uint64_t txn, char *buf, size_t n, void *engine)
{
    const acid_engine *e = engine;
    const txn_info *ti = e ? txn_find(e, txn) : NULL;
    if (!ti)
        snprintf(buf, n, "txn %" PRIu64, txn);
    else if (ti->session == 0)
        snprintf(buf, n, "setup");
    else if (ti->nth <= 1)
        snprintf(buf, n, "T%d", ti->session);
    else
        snprintf(buf, n, "T%d#%d", ti->session, ti->nth);
}

static const char *label(const acid_engine *e, uint64_t txn, char *buf, size_t n)
{
    acid_txn_label(txn, buf, n, (void *)e);
    return buf;
}

static int io_fail(acid_engine *e, int rc, const char *what)
{
    snprintf(e->err, sizeof e->err, "%s: %.450s", what,
             e->st.err[0] ? e->st.err : store_rc_text(&e->st, rc));
    return -1;
}

const char *acid_error(const acid_engine *e)
{
    return e->err;
}

store *acid_store(acid_engine *e) { return &e->st; }
lockmgr *acid_locks(acid_engine *e) { return e->lm; }
int acid_deadlocks(const acid_engine *e) { return e->deadlocks; }

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

/* --- transactions ------------------------------------------------------------------- */

static acid_txn *txn_new(acid_engine *e)
{
    acid_txn *t = e->free_txns;
    if (!t)
        return calloc(1, sizeof *t);
    e->free_txns = t->next_free;
    before_img *firsts = t->firsts;
    int cap = t->capfirsts;
    memset(t, 0, sizeof *t);
    t->firsts = firsts;     /* keeps its capacity */
    t->capfirsts = cap;
    return t;
}

static void txn_release(acid_engine *e, acid_txn *t)
{
    t->next_free = e->free_txns;
    e->free_txns = t;
}

static acid_txn *txn_begin(acid_engine *e, int session, iso_level level, bool autocommit)
{
    acid_txn *t = txn_new(e);
    if (!t)
        return NULL;
    t->id = e->st.next_txn++;
    t->session = session;
    t->level = level ? level : ISO_RC;
    t->autocommit = autocommit;
    t->age = ++e->age;
    if (e->ntxns == e->captxns) {
        size_t cap = e->captxns ? e->captxns * 2 : 64;
        txn_info *v = realloc(e->txns, cap * sizeof *v);
        if (!v) {
            txn_release(e, t);
            return NULL;
        }
        e->txns = v;
        e->captxns = cap;
    }
    uint16_t nth = 1;
    if (session) {
        acid_session *s = &e->sess[session];
        nth = (uint16_t)++s->ntxns;
        s->txn = t;
    }
    t->info = e->ntxns;
    e->txns[e->ntxns++] = (txn_info){ t->id, (uint8_t)session, nth, 0 };
    lock_txn_begin(e->lm, t->id, t->age);
    t->last_lsn = store_log_txn(&e->st, WAL_BEGIN, t->id, 0, (uint8_t)t->level);
    hist_event *x = ev(e, EV_TXN_BEGIN, session, t->id);
    if (x) {
        x->n[0] = t->level;
        x->n[1] = autocommit;
    }
    return t;
}

static void remember_first(acid_txn *t, const char *table, const st_row *before)
{
    for (int i = 0; i < t->nfirsts; i++)
        if (t->firsts[i].table == table && scalar_eq(&t->firsts[i].key, &before->key))
            return;
    if (t->nfirsts == t->capfirsts) {
        int cap = t->capfirsts ? t->capfirsts * 2 : 8;
        before_img *v = realloc(t->firsts, (size_t)cap * sizeof *v);
        if (!v)
            return;
        t->firsts = v;
        t->capfirsts = cap;
    }
    t->firsts[t->nfirsts++] = (before_img){ table, before->key, before->exists, before->value };
}

static void wake_granted(acid_engine *e, const uint64_t *granted, int n);

/* Release everything, end the txn in the store, detach it from its session. */
static void txn_finish(acid_engine *e, acid_txn *t, acid_state how)
{
    uint64_t granted[64];
    int n = lock_release_all(e->lm, t->id, granted, 64);
    store_txn_end(&e->st, t->id);
    if (t->session) {
        acid_session *s = &e->sess[t->session];
        if (s->txn == t)
            s->txn = NULL;
        s->ended = how;
    }
    txn_release(e, t);
    wake_granted(e, granted, n);
}

static int txn_rollback(acid_engine *e, acid_txn *t, const char *why)
{
    uint64_t lsn = t->last_lsn;
    while (lsn) {
        uint64_t next = 0;
        st_undo_info info;
        int rc = store_undo_step(&e->st, t->id, &t->last_lsn, lsn, &next, &info);
        if (rc)
            return io_fail(e, rc, "rollback");
        if (info.did) {
            hist_event *x = ev(e, EV_UNDO, t->session, t->id);
            st_table *tb = store_table_by_id(&e->st, info.table);
            if (x) {
                hist_set_table(e->h, x, tb ? tb->name : NULL);
                x->key = info.key;
                x->n[0] = (int64_t)info.restored.version;
                x->n[1] = info.restored.value;
                x->n[2] = info.restored.exists;
                x->n[3] = (int64_t)info.removed.version;
            }
        }
        lsn = next;
    }
    t->last_lsn = store_log_txn(&e->st, WAL_ABORT, t->id, t->last_lsn, 0);
    ev_text(e, EV_TXN_ABORT, t->session, t->id, why);
    txn_finish(e, t, AS_ABORTED);
    return 0;
}

/* The commit record is durable (or the policy says it need not be): answer it. */
static void txn_committed(acid_engine *e, acid_txn *t)
{
    hist_event *x = ev(e, EV_TXN_COMMIT, t->session, t->id);
    if (x)
        x->n[0] = (int64_t)t->commit_lsn;
    if (t->info < e->ntxns && e->txns[t->info].id == t->id)
        e->txns[t->info].commit_lsn = t->commit_lsn;
    txn_finish(e, t, AS_COMMITTED);
}

/* --- sessions and the run queue ------------------------------------------------------- */

static void set_error(acid_session *s, const char *code)
{
    snprintf(s->error, sizeof s->error, "%s", code ? code : "");
}

static void runq_add(acid_engine *e, acid_session *s)
{
    if (s->in_runq)
        return;
    s->in_runq = true;
    e->runq[e->nrunq++] = s;
}

static void wake_granted(acid_engine *e, const uint64_t *granted, int n)
{
    for (int i = 0; i < n; i++)
        for (int k = 1; k <= e->nsess; k++) {
            acid_session *s = &e->sess[k];
            if (s->txn && s->txn->id == granted[i] && s->nq && s->q[0]->parked &&
                !s->txn->committing && !lock_waiting(e->lm, s->txn->id, NULL, NULL))
                runq_add(e, s);
        }
}

static void item_free(acid_engine *e, q_item *it)
{
    sql_free(&it->stmt);
    it->next_free = e->free_items;
    e->free_items = it;
}

static void queue_pop(acid_engine *e, acid_session *s)
{
    item_free(e, s->q[0]);
    memmove(s->q, s->q + 1, (size_t)(s->nq - 1) * sizeof *s->q);
    s->nq--;
}

/* The session's transaction was aborted under it (deadlock victim, crash): the parked
 * statement fails with code, the ones queued behind it are skipped. */
static void fail_queue(acid_engine *e, acid_session *s, const char *code, const char *why)
{
    for (int i = 0; i < s->nq; i++) {
        q_item *it = s->q[i];
        if (i == 0) {
            ev_text(e, EV_STMT_FAIL, s->no, s->txn ? s->txn->id : 0, code);
            set_error(s, code);
            note(e, NOTE_ERROR, s->no, it->parked, it->text, "error %s: %s", code, why);
        } else {
            ev_text(e, EV_STMT_SKIP, s->no, 0, it->text);
            note(e, NOTE_SKIPPED, s->no, false, it->text, "skipped: T%d's transaction was aborted", s->no);
        }
        item_free(e, it);
    }
    s->nq = 0;
}

/* --- locking ---------------------------------------------------------------------------- */

static void describe_wait(acid_engine *e, acid_txn *t, char *buf, size_t n)
{
    lock_res r;
    lock_mode m;
    char res[96], held[200] = "", ahead[200] = "", lb[32];
    if (!lock_waiting(e->lm, t->id, &r, &m)) {
        snprintf(buf, n, "waiting");
        return;
    }
    lock_res_format(&r, res, sizeof res);
    uint64_t wf[16];
    int k = lock_waits_for(e->lm, t->id, wf, 16);
    size_t oh = 0, oa = 0;
    for (int i = 0; i < k; i++) {
        label(e, wf[i], lb, sizeof lb);
        if (lock_held(e->lm, wf[i], &r) != LM_NL && oh < sizeof held)
            oh += (size_t)snprintf(held + oh, sizeof held - oh, "%s%s", oh ? ", " : "", lb);
        else if (oa < sizeof ahead)
            oa += (size_t)snprintf(ahead + oa, sizeof ahead - oa, "%s%s", oa ? ", " : "", lb);
    }
    snprintf(buf, n, "waits for %s lock on %.90s%s%.180s%s%.180s%s", lock_mode_name(m), res, oh ? " held by " : "", held,
             oa ? (oh ? " (queued behind " : " queued behind ") : "", ahead, oa && oh ? ")" : "");
}

static int abort_victim(acid_engine *e, uint64_t victim);

/* Asks for a lock for t. X_DONE granted; X_BLOCK parked; X_ABORTED t was the deadlock
 * victim (already rolled back, its queue failed). */
static int need_lock(acid_engine *e, acid_txn *t, const char *table, bool row, const scalar *key,
                     lock_mode mode)
{
    lock_res r = { table, row, row ? *key : (scalar){ 0 } };
    if (lock_acquire(e->lm, t->id, &r, mode) == LOCK_GRANTED)
        return X_DONE;
    for (;;) {
        lock_cycle c;
        if (!lock_find_deadlock(e->lm, t->id, &c))
            return X_BLOCK;
        e->deadlocks++;
        char text[1024], lb[32], lv[32], res[96];
        size_t o = 0;
        for (int i = 0; i < c.n && o < sizeof text; i++) {
            lock_res_format(&c.res[i], res, sizeof res);
            o += (size_t)snprintf(text + o, sizeof text - o, "%s%s waits for %s (on %s)",
                                  i ? ", " : "", label(e, c.txns[i], lb, sizeof lb),
                                  label(e, c.txns[(i + 1) % c.n], lv, sizeof lv), res);
        }
        note(e, NOTE_ENGINE, 0, false, NULL, "deadlock: %s; victim %s (the youngest)", text,
             label(e, c.victim, lb, sizeof lb));
        if (c.victim == t->id) {
            uint64_t granted[64];
            int n = lock_cancel_wait(e->lm, t->id, granted, 64);
            wake_granted(e, granted, n);
            abort_victim(e, t->id);
            return X_ABORTED;
        }
        abort_victim(e, c.victim);
        if (!lock_waiting(e->lm, t->id, NULL, NULL))
            return X_DONE;
    }
}

static int abort_victim(acid_engine *e, uint64_t victim)
{
    for (int k = 1; k <= e->nsess; k++) {
        acid_session *s = &e->sess[k];
        if (!s->txn || s->txn->id != victim)
            continue;
        fail_queue(e, s, "deadlock", "this transaction was chosen as the deadlock victim and rolled back");
        return txn_rollback(e, s->txn, "deadlock");
    }
    return 0;
}

static int short_add(acid_engine *e, const char *table, const scalar *key)
{
    if (e->nshorts == e->capshorts) {
        int cap = e->capshorts ? e->capshorts * 2 : 16;
        short_lock *v = realloc(e->shorts, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        e->shorts = v;
        e->capshorts = cap;
    }
    e->shorts[e->nshorts++] = (short_lock){ { table, true, *key } };
    return 0;
}

/* READ COMMITTED: drop the S locks this statement took (not ones that became X). At RC
 * every S row lock is a statement lock, so "held in S" is the whole test. A lock the
 * transaction is waiting to upgrade stays: releasing it would withdraw the request. */
static void shorts_release(acid_engine *e, acid_txn *t)
{
    lock_res waiting;
    bool is_waiting = t && lock_waiting(e->lm, t->id, &waiting, NULL);
    for (int i = 0; t && i < e->nshorts; i++) {
        lock_res *r = &e->shorts[i].res;
        if (is_waiting && waiting.is_row && strcmp(waiting.table, r->table) == 0 && scalar_eq(&waiting.key, &r->key))
            continue;
        if (lock_held(e->lm, t->id, r) == LM_S) {
            uint64_t granted[64];
            int n = lock_release(e->lm, t->id, r, granted, 64);
            wake_granted(e, granted, n);
        }
    }
    e->nshorts = 0;
}

/* A read lock on one row under the level's rule. */
static int read_lock_row(acid_engine *e, acid_txn *t, st_table *tb, const scalar *key)
{
    if (t->level == ISO_RU)
        return X_DONE;
    if (t->level == ISO_RC)
        short_add(e, tb->name, key);
    return need_lock(e, t, tb->name, true, key, LM_S);
}

/* --- reading ------------------------------------------------------------------------- */

typedef struct cand {
    scalar key;
    st_row row;
    bool matched;
} cand;

#define CAND_SMALL 8

static void cand_free(cand *c, const cand *cbuf)
{
    if (c != cbuf)
        free(c);
}

static int key_cmp(const void *a, const void *b)
{
    return scalar_cmp(a, b);
}

/* The keys a statement examines: the predicate's keys when it names them, else every key
 * in the index (ghosts too), in key order. *keys is small (PRED_IN_MAX keys) when they fit,
 * else malloc'ed. */
static int candidate_keys(st_table *tb, const pred *where, scalar *small, scalar **keys, int *n, bool *point)
{
    scalar *pk = small;
    int np = pred_point_keys(where, pk, PRED_IN_MAX);
    *point = np >= 0;
    if (np >= 0) {
        if (np > 1)
            qsort(pk, (size_t)np, sizeof *pk, key_cmp);
        int k = 0;
        for (int i = 0; i < np; i++)
            if (k == 0 || !scalar_eq(&pk[k - 1], &pk[i]))
                pk[k++] = pk[i];
        *keys = pk;
        *n = k;
        return 0;
    }
    *keys = tb->nents <= PRED_IN_MAX ? small : malloc((tb->nents ? tb->nents : 1) * sizeof **keys);
    if (!*keys)
        return -1;
    for (size_t i = 0; i < tb->nents; i++)
        (*keys)[i] = tb->ents[i].key;
    *n = (int)tb->nents;
    return 0;
}

static bool has_entry(st_table *tb, const scalar *key)
{
    size_t lo = 0, hi = tb->nents;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = scalar_cmp(&tb->ents[mid].key, key);
        if (!c)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void record_pread(acid_engine *e, acid_txn *t, st_table *tb, const pred *where,
                         const cand *c, int n)
{
    if (!e->h)
        return;
    hist_row small[16];
    hist_row *rows = n <= 16 ? small : calloc((size_t)n, sizeof *rows);
    if (!rows)
        return;
    int k = 0, matched = 0;
    for (int i = 0; i < n; i++) {
        if (!c[i].row.exists)
            continue;
        rows[k].key = c[i].key;
        rows[k].version = c[i].row.version;
        rows[k].value = c[i].row.value;
        rows[k].matched = c[i].matched;
        matched += c[i].matched;
        k++;
    }
    hist_event *x = ev(e, EV_PREAD, t->session, t->id);
    if (x) {
        hist_set_table(e->h, x, tb->name);
        /* The predicate and its canonical text, both kept once per distinct predicate. */
        hist_set_pred_text(e->h, x, where ? where : &(pred){ 0, NULL });
        hist_set_rows(e->h, x, rows, k);
        x->n[0] = matched;
    }
    if (rows != small)
        free(rows);
}

/* Reads the candidates of a statement under t's level. For writes (xlock), matching rows
 * are X-locked and re-checked. Returns X_DONE with *out (n entries: cbuf, CAND_SMALL of
 * them, when they fit, else malloc'ed), or X_BLOCK etc. */
static int scan(acid_engine *e, acid_txn *t, st_table *tb, const pred *where, bool xlock,
                cand *cbuf, cand **out, int *nout)
{
    *out = NULL;
    *nout = 0;
    scalar small[PRED_IN_MAX], *keys;
    int nkeys;
    bool point;
    if (candidate_keys(tb, where, small, &keys, &nkeys, &point))
        return X_IOERR;
    bool table_s = t->level == ISO_SER && !point;
    lock_mode tmode = xlock ? (table_s ? LM_SIX : LM_IX) : (table_s ? LM_S : LM_IS);
    int x = X_DONE;
    if (t->level != ISO_RU || xlock)
        x = need_lock(e, t, tb->name, false, NULL, tmode);
    cand *c = nkeys <= CAND_SMALL ? cbuf : calloc((size_t)nkeys, sizeof *c);
    if (!c) {
        if (keys != small)
            free(keys);
        return X_IOERR;
    }
    int n = 0;
    for (int i = 0; x == X_DONE && i < nkeys; i++) {
        const scalar *key = &keys[i];
        bool lockable = has_entry(tb, key) || (t->level == ISO_SER && point);
        st_row row;
        int rc;
        /* A write scan asks for X at once on a row that already matches, as SQL Server's
         * update locks do: taking S first would let two writers of one row both get S and
         * then deadlock upgrading. The re-check under the lock keeps it correct. */
        bool x_first = false;
        if (xlock && lockable) {
            rc = store_read(&e->st, tb, key, &row);
            if (rc) {
                x = X_IOERR;
                break;
            }
            x_first = row.exists && pred_eval(where, key, row.value);
        }
        if (x_first) {
            x = need_lock(e, t, tb->name, true, key, LM_X);
            if (x != X_DONE)
                break;
        } else if (lockable && !table_s) {
            x = read_lock_row(e, t, tb, key);
            if (x != X_DONE)
                break;
        }
        rc = store_read(&e->st, tb, key, &row);
        if (rc) {
            x = X_IOERR;
            break;
        }
        bool match = row.exists && pred_eval(where, key, row.value);
        if (match && xlock) {
            x = need_lock(e, t, tb->name, true, key, LM_X);
            if (x != X_DONE)
                break;
            rc = store_read(&e->st, tb, key, &row);   /* re-check under the lock */
            if (rc) {
                x = X_IOERR;
                break;
            }
            match = row.exists && pred_eval(where, key, row.value);
        }
        c[n].key = *key;
        c[n].row = row;
        c[n].matched = match;
        n++;
    }
    if (keys != small)
        free(keys);
    if (x != X_DONE) {
        if (c != cbuf)
            free(c);
        return x;
    }
    record_pread(e, t, tb, where, c, n);
    *out = c;
    *nout = n;
    return X_DONE;
}

/* --- statements -------------------------------------------------------------------------- */

static int do_write(acid_engine *e, acid_txn *t, st_table *tb, const scalar *key, bool exists,
                    int64_t value)
{
    st_row before;
    uint64_t version = 0;
    int rc = store_write(&e->st, t->id, &t->last_lsn, tb, key, exists, value, &before, &version);
    if (rc)
        return io_fail(e, rc, "write");
    remember_first(t, tb->name, &before);
    hist_event *x = ev(e, EV_WRITE, t->session, t->id);
    if (x) {
        hist_set_table(e->h, x, tb->name);
        x->key = *key;
        x->n[0] = (int64_t)version;
        x->n[1] = exists ? value : 0;
        x->n[2] = exists;
        x->n[3] = before.exists ? (int64_t)before.version : 0;
        x->n[4] = !before.exists;
    }
    return 0;
}

static bool check_ok(st_table *tb, const scalar *key, int64_t v)
{
    return !tb->check || pred_eval(tb->check, key, v);
}

/* "1 row", "3 rows" */
static void rows_text(char *res, size_t rn, int n)
{
    putbuf pb = pb_make(res, rn);
    pb_i64(&pb, n);
    pb_str(&pb, n == 1 ? " row" : " rows");
    pb_end(&pb);
}

static int stmt_fail(acid_engine *e, acid_session *s, q_item *it, const char *code, const char *fmt, ...)
{
    char why[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ev_text(e, EV_STMT_FAIL, s->no, s->txn ? s->txn->id : 0, code);
    set_error(s, code);
    note(e, NOTE_ERROR, s->no, it->started && it->parked, it->text, "error %s: %s", code, why);
    return X_FAIL;
}

static int exec_select(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    cand cbuf[CAND_SMALL], *c;
    int n;
    int x = scan(e, t, tb, q->where, q->for_update, cbuf, &c, &n);
    if (x != X_DONE)
        return x;
    int64_t count = 0, sum = 0;
    acid_row *rows = q->sel == SEL_ROWS ? calloc((size_t)(n ? n : 1), sizeof *rows) : NULL;
    if (q->sel == SEL_ROWS && !rows) {
        cand_free(c, cbuf);
        return X_IOERR;
    }
    int nr = 0;
    for (int i = 0; i < n; i++) {
        if (!c[i].matched)
            continue;
        if (rows) {
            rows[nr].key = c[i].key;
            rows[nr].value = c[i].row.value;
        }
        nr++;
        count++;
        if (q->sel == SEL_SUM && arith_add(sum, c[i].row.value, &sum) != ARITH_OK) {
            cand_free(c, cbuf);
            return stmt_fail(e, s, it, ARITH_RANGE_NAME, "integer out of range (SQLSTATE " ARITH_RANGE_SQLSTATE
                             "): SUM(%s) over %s does not fit an INT", q->sumcol, tb->name);
        }
    }
    cand_free(c, cbuf);
    if (q->sel == SEL_ROWS) {
        free(s->rows);
        s->rows = rows;
        s->nrows = nr;
        s->has_rows = true;
        acid_format_rows(rows, nr, res, rn);
    } else {
        s->number = q->sel == SEL_COUNT ? count : sum;
        s->has_number = true;
        putbuf pb = pb_make(res, rn);
        pb_i64(&pb, s->number);
        pb_end(&pb);
    }
    hist_event *x2 = ev(e, EV_STMT_RETURN, s->no, t->id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = nr;
        x2->n[1] = q->sel == SEL_ROWS ? 0 : s->number;
    }
    return X_DONE;
}

static int exec_update_delete(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    cand cbuf[CAND_SMALL], *c;
    int n;
    int x = scan(e, t, tb, q->where, true, cbuf, &c, &n);
    if (x != X_DONE)
        return x;
    int changed = 0;
    if (q->kind == SQL_UPDATE) {
        for (int i = 0; i < n; i++) {
            if (!c[i].matched)
                continue;
            int64_t old = c[i].row.value, nv = q->operand;
            int arc = q->upd == UPD_SET ? ARITH_OK : q->upd == UPD_ADD ? arith_add(old, q->operand, &nv)
                                                                        : arith_sub(old, q->operand, &nv);
            if (arc != ARITH_OK) {
                char k[64];
                scalar_format(&c[i].key, false, k, sizeof k);
                cand_free(c, cbuf);
                return stmt_fail(e, s, it, arith_errname(arc), "%s (SQLSTATE %s): %s/%s: %" PRId64 " %c %" PRId64
                                 " does not fit an INT; the statement changed nothing%s", arith_strerror(arc),
                                 arith_sqlstate(arc), tb->name, k, old, q->upd == UPD_ADD ? '+' : '-', q->operand,
                                 t->autocommit ? "" : " and the transaction stays open");
            }
            if (!check_ok(tb, &c[i].key, nv)) {
                char k[64], chk[256];
                scalar_format(&c[i].key, false, k, sizeof k);
                pred_format(tb->check, chk, sizeof chk);
                cand_free(c, cbuf);
                return stmt_fail(e, s, it, "check", "CHECK (%s) fails for %s/%s: %" PRId64 " would become %" PRId64
                                 "; the statement changed nothing%s",
                                 chk, tb->name, k, old, nv, t->autocommit ? "" : " and the transaction stays open");
            }
            c[i].row.value = nv;
        }
    }
    for (int i = 0; i < n; i++) {
        if (!c[i].matched)
            continue;
        if (do_write(e, t, tb, &c[i].key, q->kind == SQL_UPDATE, c[i].row.value)) {
            cand_free(c, cbuf);
            return X_IOERR;
        }
        changed++;
    }
    cand_free(c, cbuf);
    rows_text(res, rn, changed);
    hist_event *x2 = ev(e, EV_STMT_RETURN, s->no, t->id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = changed;
    }
    return X_DONE;
}

static int exec_insert(acid_engine *e, acid_session *s, acid_txn *t, q_item *it, char *res, size_t rn)
{
    sql_stmt *q = &it->stmt;
    st_table *tb = store_table(&e->st, q->table);
    int x = need_lock(e, t, tb->name, false, NULL, LM_IX);
    for (int i = 0; x == X_DONE && i < q->nrows; i++)
        x = need_lock(e, t, tb->name, true, &q->rows[i].key, LM_X);
    if (x != X_DONE)
        return x;
    char k[64];
    for (int i = 0; i < q->nrows; i++) {
        const sql_row *r = &q->rows[i];
        scalar_format(&r->key, false, k, sizeof k);
        st_row row;
        if (store_read(&e->st, tb, &r->key, &row))
            return X_IOERR;
        bool dup = row.exists;
        for (int j = 0; j < i && !dup; j++)
            dup = scalar_eq(&q->rows[j].key, &r->key);
        if (dup)
            return stmt_fail(e, s, it, "duplicate", "%s already has a row with %s = %s; nothing was inserted%s",
                             tb->name, tb->keycol, k, t->autocommit ? "" : " and the transaction stays open");
        if (!check_ok(tb, &r->key, r->value)) {
            char chk[256];
            pred_format(tb->check, chk, sizeof chk);
            return stmt_fail(e, s, it, "check", "CHECK (%s) fails for %s = %" PRId64 " (key %s); nothing was inserted%s",
                             chk, tb->valcol, r->value, k, t->autocommit ? "" : " and the transaction stays open");
        }
    }
    if (tb->nents + (size_t)q->nrows > STORE_ROWS_MAX)
        return stmt_fail(e, s, it, "table-full", "%s holds at most %d rows; nothing was inserted%s", tb->name,
                         STORE_ROWS_MAX, t->autocommit ? "" : " and the transaction stays open");
    for (int i = 0; i < q->nrows; i++)
        if (do_write(e, t, tb, &q->rows[i].key, true, q->rows[i].value))
            return X_IOERR;
    rows_text(res, rn, q->nrows);
    hist_event *x2 = ev(e, EV_STMT_RETURN, s->no, t->id);
    if (x2) {
        hist_set_text(e->h, x2, res);
        x2->n[0] = q->nrows;
    }
    return X_DONE;
}

static void group_complete(acid_engine *e, int served);

/* Writes t's commit record and applies the sync policy. X_DONE: committed (answered);
 * X_BLOCK: waiting for its group. */
static int commit_txn(acid_engine *e, acid_txn *t)
{
    t->commit_lsn = store_log_txn(&e->st, WAL_COMMIT, t->id, t->last_lsn, 0);
    t->last_lsn = t->commit_lsn;
    int rc;
    switch (e->sync) {
    case SYNC_FULL:
        rc = wal_flush(&e->st.w);
        if (rc)
            return io_fail(e, rc, "commit"), X_IOERR;
        txn_committed(e, t);
        return X_DONE;
    case SYNC_OFF:
        rc = wal_write(&e->st.w);
        if (rc)
            return io_fail(e, rc, "commit"), X_IOERR;
        txn_committed(e, t);
        return X_DONE;
    case SYNC_GROUP:
        rc = wal_write(&e->st.w);
        if (rc)
            return io_fail(e, rc, "commit"), X_IOERR;
        t->committing = true;
        e->group[e->ngroup++] = t;
        if (e->ngroup >= e->group_n) {
            rc = wal_flush(&e->st.w);
            if (rc)
                return io_fail(e, rc, "group commit"), X_IOERR;
            /* This one answers in the caller; the others resume. */
            e->ngroup--;
            for (int i = 0; i < e->ngroup; i++)
                if (e->group[i] == t) {
                    e->group[i] = e->group[e->ngroup];
                    break;
                }
            t->committing = false;
            group_complete(e, e->ngroup + 1);
            txn_committed(e, t);
            return X_DONE;
        }
        return X_BLOCK;
    }
    return X_DONE;
}

/* The group's fsync happened (one fsync served `served` commits): answer every parked
 * commit, oldest first. */
static void group_complete(acid_engine *e, int served)
{
    int n = e->ngroup;
    acid_txn *g[ACID_SESSIONS_MAX + 1];
    memcpy(g, e->group, (size_t)n * sizeof *g);
    e->ngroup = 0;
    /* One message for the whole group: "autocommit: committed (group commit: n commits,
     * 1 fsync)"; an explicit COMMIT gets it without the "autocommit: " prefix. */
    char msg[96];
    putbuf pb = pb_make(msg, sizeof msg);
    pb_str(&pb, "autocommit: committed (group commit: ");
    pb_i64(&pb, served);
    pb_str(&pb, served == 1 ? " commit, 1 fsync)" : " commits, 1 fsync)");
    pb_end(&pb);
    for (int i = 0; i < n; i++) {
        acid_txn *t = g[i];
        acid_session *s = &e->sess[t->session];
        t->committing = false;
        bool auto_ = t->autocommit;
        txn_committed(e, t);
        if (s->nq && s->q[0]->parked) {
            q_item *it = s->q[0];
            hist_event *x = ev(e, EV_STMT_RETURN, s->no, 0);
            if (x)
                hist_set_text(e->h, x, "committed");
            note_cat(e, NOTE_RESULT, s->no, true, it->text, auto_ ? msg : msg + strlen("autocommit: "), NULL);
            set_error(s, "");
            queue_pop(e, s);
            if (s->nq)
                runq_add(e, s);
        }
    }
}

/* Runs the statement at the head of s's queue. */
static int exec_item(acid_engine *e, acid_session *s, q_item *it)
{
    sql_stmt *q = &it->stmt;
    bool resumed = it->started;
    char res[ACID_RESULT_MAX];
    res[0] = 0;
    if (!it->started) {
        it->started = true;
        ev_text(e, EV_STMT_INVOKE, s->no, s->txn ? s->txn->id : 0, it->text);
    } else {
        ev_text(e, EV_STMT_RESUME, s->no, s->txn ? s->txn->id : 0, it->text);
    }
    acid_txn *t = s->txn;
    switch (q->kind) {
    case SQL_BEGIN:
        if (t)
            return stmt_fail(e, s, it, "already-active", "T%d already has an open transaction; COMMIT or ROLLBACK it first", s->no);
        t = txn_begin(e, s->no, q->level ? q->level : s->level, false);
        if (!t)
            return X_IOERR;
        set_error(s, "");
        note(e, NOTE_RESULT, s->no, resumed, it->text, "ok (%s)", iso_name(t->level));
        ev_text(e, EV_STMT_RETURN, s->no, t->id, "ok");
        return X_DONE;
    case SQL_SET_LEVEL:
        s->level = q->level;
        set_error(s, "");
        note(e, NOTE_RESULT, s->no, resumed, it->text, "ok: T%d's next transactions run at %s%s", s->no,
             iso_name(q->level), t ? " (the open one keeps its level)" : "");
        ev_text(e, EV_STMT_RETURN, s->no, t ? t->id : 0, "ok");
        return X_DONE;
    case SQL_COMMIT:
    case SQL_ROLLBACK:
        if (!t)
            return stmt_fail(e, s, it, "no-transaction", "T%d has no open transaction; nothing changed", s->no);
        if (q->kind == SQL_ROLLBACK) {
            if (txn_rollback(e, t, "rollback"))
                return X_IOERR;
            set_error(s, "");
            note(e, NOTE_RESULT, s->no, resumed, it->text, "rolled back");
            ev_text(e, EV_STMT_RETURN, s->no, 0, "rolled back");
            return X_DONE;
        }
        if (t->committing) {
            return X_BLOCK;   /* still waiting for its group */
        } else {
            int x = commit_txn(e, t);
            if (x == X_BLOCK) {
                char why[128];
                putbuf pb = pb_make(why, sizeof why);
                pb_str(&pb, "waits for group commit (");
                pb_i64(&pb, e->ngroup);
                pb_str(&pb, " of ");
                pb_i64(&pb, e->group_n);
                pb_str(&pb, " commits pending)");
                pb_end(&pb);
                ev_text(e, EV_STMT_BLOCK, s->no, t->id, why);
                note_cat(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: ", why);
                return X_BLOCK;
            }
            if (x != X_DONE)
                return x;
            set_error(s, "");
            note_cat(e, NOTE_RESULT, s->no, resumed, it->text, "committed", NULL);
            ev_text(e, EV_STMT_RETURN, s->no, 0, "committed");
            return X_DONE;
        }
    default:
        break;
    }

    /* A data statement: in the open transaction, or in its own (autocommit). */
    if (it->commit_phase)
        return X_BLOCK;
    if (!t) {
        t = txn_begin(e, s->no, s->level, true);
        if (!t)
            return X_IOERR;
    }
    int x;
    e->nshorts = 0;
    switch (q->kind) {
    case SQL_SELECT: x = exec_select(e, s, t, it, res, sizeof res); break;
    case SQL_INSERT: x = exec_insert(e, s, t, it, res, sizeof res); break;
    default: x = exec_update_delete(e, s, t, it, res, sizeof res); break;
    }
    if (x == X_BLOCK) {
        char why[512];
        shorts_release(e, t);
        describe_wait(e, t, why, sizeof why);
        ev_text(e, EV_STMT_BLOCK, s->no, t->id, why);
        note(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: %s", why);
        return X_BLOCK;
    }
    shorts_release(e, s->txn);
    if (x == X_ABORTED || x == X_IOERR)
        return x;
    if (x == X_FAIL) {
        if (t->autocommit && s->txn == t && txn_rollback(e, t, "error"))
            return X_IOERR;
        return X_FAIL;
    }
    set_error(s, "");
    if (!t->autocommit) {
        note_cat(e, NOTE_RESULT, s->no, resumed, it->text, res, NULL);
        return X_DONE;
    }
    x = commit_txn(e, t);
    if (x == X_BLOCK) {
        it->commit_phase = true;
        char why[512];
        putbuf pb = pb_make(why, sizeof why);
        pb_mem(&pb, res, strnlen(res, 300));
        pb_str(&pb, "; autocommit waits for group commit (");
        pb_i64(&pb, e->ngroup);
        pb_str(&pb, " of ");
        pb_i64(&pb, e->group_n);
        pb_str(&pb, " pending)");
        pb_end(&pb);
        ev_text(e, EV_STMT_BLOCK, s->no, t->id, why);
        note_cat(e, NOTE_BLOCKED, s->no, resumed, it->text, "blocked: ", why);
        return X_BLOCK;
    }
    if (x != X_DONE)
        return x;
    note_cat(e, NOTE_RESULT, s->no, resumed, it->text, res, " (autocommit: committed)");
    return X_DONE;
}

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
            note(e, NOTE_ENGINE, 0, false, NULL, "I/O error: %s", e->err);
        queue_pop(e, s);
    }
}

static void pump(acid_engine *e)
{
    while (e->nrunq) {
        acid_session *s = e->runq[0];
        memmove(e->runq, e->runq + 1, (size_t)(e->nrunq - 1) * sizeof *e->runq);
        e->nrunq--;
        s->in_runq = false;
        /* A session can be woken while it runs (a deadlock victim's release grants its
         * lock) and then park on another lock before it returns: it is queued but still
         * waiting, and must not run until that lock is granted too. */
        if (s->txn && s->nq && s->q[0]->parked && lock_waiting(e->lm, s->txn->id, NULL, NULL))
            continue;
        run_session(e, s);
    }
}

void acid_submit(acid_engine *e, int session, sql_stmt *stmt)
{
    acid_session *s = &e->sess[session];
    q_item *it = e->free_items;
    if (it) {
        e->free_items = it->next_free;
        it->started = it->parked = it->queued = it->commit_phase = false;
        it->next_free = NULL;
    } else if (!(it = calloc(1, sizeof *it))) {
        return;
    }
    it->stmt = *stmt;
    memset(stmt, 0, sizeof *stmt);
    sql_format(&it->stmt, it->text, sizeof it->text);
    if (s->nq >= ACID_QUEUE_MAX) {
        note(e, NOTE_ERROR, session, false, it->text, "error queue-full: T%d already has %d statements waiting",
             session, ACID_QUEUE_MAX);
        item_free(e, it);
        return;
    }
    /* Binds column names (the runner validated first and reported errors as invalid
     * input; a caller that did not gets a statement error instead of a wrong answer). */
    char msg[256];
    int line, col;
    if (acid_validate(e, &it->stmt, msg, sizeof msg, &line, &col)) {
        note(e, NOTE_ERROR, session, false, it->text, "error invalid: %s", msg);
        set_error(s, "invalid");
        item_free(e, it);
        return;
    }
    s->q[s->nq++] = it;
    if (s->nq > 1) {
        it->queued = true;
        ev_text(e, EV_STMT_QUEUE, session, s->txn ? s->txn->id : 0, it->text);
        note(e, NOTE_QUEUED, session, false, it->text, "queued: T%d is blocked", session);
        return;
    }
    run_session(e, s);
    pump(e);
}

/* --- validation and setup ------------------------------------------------------------------ */

static int vfail(char *msg, size_t n, int *line, int *col, sql_pos pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, n, fmt, ap);
    va_end(ap);
    *line = pos.line;
    *col = pos.col;
    return -1;
}

static int check_pred(st_table *tb, pred *p, char *msg, size_t n, int *line, int *col)
{
    if (!p)
        return 0;
    int bad = pred_resolve(p, tb->keycol, tb->valcol);
    if (bad >= 0)
        return vfail(msg, n, line, col, (sql_pos){ p->terms[bad].col_line, p->terms[bad].col_col },
                     "unknown column '%s' in table %s (its columns are %s and %s)", p->terms[bad].col,
                     tb->name, tb->keycol, tb->valcol);
    for (int i = 0; i < p->nterms; i++) {
        pred_term *t = &p->terms[i];
        scalar_type want = t->field == PF_KEY ? tb->keytype : SC_INT;
        sql_pos lp = { t->lit_line, t->lit_col };
        if (t->kind == PT_MOD && want != SC_INT)
            return vfail(msg, n, line, col, (sql_pos){ t->col_line, t->col_col },
                         "%% needs an INT column; %s is TEXT", t->col);
        if (t->kind == PT_CMP && t->lit.type != want)
            return vfail(msg, n, line, col, lp, "%s is %s, so compare it with %s", t->col,
                         want == SC_INT ? "INT" : "TEXT", want == SC_INT ? "an integer" : "a quoted text like 'A'");
        for (int j = 0; t->kind == PT_IN && j < t->nin; j++)
            if (t->in[j].type != want)
                return vfail(msg, n, line, col, lp, "%s is %s, but the IN list has a %s", t->col,
                             want == SC_INT ? "INT" : "TEXT", want == SC_INT ? "text" : "number");
    }
    return 0;
}

int acid_validate(acid_engine *e, const sql_stmt *cs, char *msg, size_t n, int *line, int *col)
{
    sql_stmt *s = (sql_stmt *)cs;
    switch (s->kind) {
    case SQL_BEGIN: case SQL_SET_LEVEL: case SQL_COMMIT: case SQL_ROLLBACK:
        return 0;
    case SQL_CREATE: {
        st_table *tb = store_table(&e->st, s->table);
        if (tb && !s->if_not_exists)
            return vfail(msg, n, line, col, s->table_pos, "table %s already exists (use CREATE TABLE IF NOT EXISTS)", s->table);
        if (!strcasecmp(s->keycol, s->valcol))
            return vfail(msg, n, line, col, s->table_pos, "the two columns need different names");
        return 0;
    }
    default:
        break;
    }
    st_table *tb = store_table(&e->st, s->table);
    if (!tb) {
        char known[512] = "";
        size_t o = 0;
        for (int i = 0; i < e->st.ntables && o < sizeof known; i++)
            o += (size_t)snprintf(known + o, sizeof known - o, "%s%s", i ? ", " : "", e->st.tables[i]->name);
        return vfail(msg, n, line, col, s->table_pos, "unknown table '%s'%s%s", s->table,
                     o ? "; tables: " : " (no table exists yet; create one with setup: CREATE TABLE ...)", known);
    }
    if (check_pred(tb, s->where, msg, n, line, col))
        return -1;
    if (s->kind == SQL_SELECT && s->sel == SEL_SUM && strcasecmp(s->sumcol, tb->valcol) != 0)
        return vfail(msg, n, line, col, s->sumcol_pos, "SUM needs the INT column %s, not '%s'", tb->valcol, s->sumcol);
    if (s->kind == SQL_UPDATE) {
        if (strcasecmp(s->setcol, tb->valcol) != 0)
            return vfail(msg, n, line, col, s->setcol_pos, "%s; only %s can be updated",
                         !strcasecmp(s->setcol, tb->keycol) ? "the primary key cannot change" : "unknown column",
                         tb->valcol);
        if (s->setsrc[0] && strcasecmp(s->setsrc, tb->valcol) != 0)
            return vfail(msg, n, line, col, s->setsrc_pos, "expected %s on the right of SET %s = ..., found '%s'",
                         tb->valcol, tb->valcol, s->setsrc);
    }
    if (s->kind == SQL_INSERT) {
        if (s->ncols == 2 && (strcasecmp(s->cols[0], tb->keycol) || strcasecmp(s->cols[1], tb->valcol)))
            return vfail(msg, n, line, col, s->col_pos[strcasecmp(s->cols[0], tb->keycol) ? 0 : 1],
                         "the columns of %s are (%s, %s), in that order", tb->name, tb->keycol, tb->valcol);
        for (int i = 0; i < s->nrows; i++)
            if (s->rows[i].key.type != tb->keytype)
                return vfail(msg, n, line, col, s->rows[i].key_pos, "%s.%s is %s: give %s", tb->name, tb->keycol,
                             tb->keytype == SC_INT ? "INT" : "TEXT",
                             tb->keytype == SC_INT ? "an integer" : "a quoted text like 'A'");
    }
    return 0;
}

int acid_setup(acid_engine *e, const sql_stmt *s, char *msg, size_t n)
{
    if (s->kind == SQL_CREATE) {
        if (store_table(&e->st, s->table))
            return 0;   /* IF NOT EXISTS (validated before) */
        st_table *tb;
        int rc = store_create_table(&e->st, s, &tb);
        if (rc) {
            io_fail(e, rc, "create table");
            snprintf(msg, n, "%s", e->err);
            return -1;
        }
        return 0;
    }
    if (s->kind != SQL_INSERT && s->kind != SQL_UPDATE && s->kind != SQL_DELETE) {
        snprintf(msg, n, "setup takes CREATE TABLE, INSERT, UPDATE and DELETE; sessions run the rest");
        return -1;
    }
    /* Outside the history: setup is the initial state. */
    hist *h = e->h;
    hist *quiet = hist_new();
    e->h = quiet;
    e->st.h = quiet;
    e->st.w.h = quiet;
    e->st.bp.h = quiet;
    acid_txn *t = txn_begin(e, 0, ISO_SER, true);
    int rc = -1;
    if (t) {
        st_table *tb = store_table(&e->st, s->table);
        rc = 0;
        if (s->kind == SQL_INSERT && tb->nents + (size_t)s->nrows > STORE_ROWS_MAX) {
            snprintf(msg, n, "%s holds at most %d rows", tb->name, STORE_ROWS_MAX);
            rc = -1;
        } else if (s->kind == SQL_INSERT) {
            for (int i = 0; i < s->nrows && !rc; i++) {
                st_row row;
                rc = store_read(&e->st, tb, &s->rows[i].key, &row);
                char k[64];
                scalar_format(&s->rows[i].key, false, k, sizeof k);
                if (!rc && row.exists) {
                    snprintf(msg, n, "duplicate key %s in %s", k, tb->name);
                    rc = -1;
                } else if (!rc && !check_ok(tb, &s->rows[i].key, s->rows[i].value)) {
                    snprintf(msg, n, "row %s = %" PRId64 " violates the CHECK of %s", k, s->rows[i].value, tb->name);
                    rc = -1;
                } else if (!rc) {
                    rc = do_write(e, t, tb, &s->rows[i].key, true, s->rows[i].value);
                }
            }
        } else {
            pred *w = s->where;
            for (size_t i = 0; i < tb->nents && !rc; i++) {
                st_row row;
                scalar key = tb->ents[i].key;
                rc = store_read(&e->st, tb, &key, &row);
                if (rc || !row.exists || !pred_eval(w, &key, row.value))
                    continue;
                int64_t nv = s->operand;
                int arc = s->upd == UPD_SET ? ARITH_OK : s->upd == UPD_ADD ? arith_add(row.value, s->operand, &nv)
                                                                            : arith_sub(row.value, s->operand, &nv);
                if (s->kind == SQL_UPDATE && arc != ARITH_OK) {
                    snprintf(msg, n, "%s (SQLSTATE %s) updating %s", arith_strerror(arc), arith_sqlstate(arc), tb->name);
                    rc = -1;
                    break;
                }
                if (s->kind == SQL_UPDATE && !check_ok(tb, &key, nv)) {
                    snprintf(msg, n, "the update violates the CHECK of %s", tb->name);
                    rc = -1;
                    break;
                }
                rc = do_write(e, t, tb, &key, s->kind == SQL_UPDATE, nv);
            }
        }
        /* On an I/O error the transaction is dropped here (no session holds it for a
         * crash to end); what reached the log is recovery's to sort out. */
        if (rc) {
            if (!msg[0])
                snprintf(msg, n, "%s", e->err);
            if (txn_rollback(e, t, "error"))
                txn_finish(e, t, AS_ABORTED);
        } else if (commit_txn(e, t) != X_DONE) {
            snprintf(msg, n, "%s", e->err);
            txn_finish(e, t, AS_ABORTED);
            rc = -1;
        }
        /* Setup is durable whatever the sync policy, like DDL. */
        int frc;
        if (!rc && (frc = wal_flush(&e->st.w)) != 0) {
            io_fail(e, frc, "setup");
            snprintf(msg, n, "%s", e->err);
            rc = -1;
        }
    }
    e->h = h;
    e->st.h = h;
    e->st.w.h = h;
    e->st.bp.h = h;
    hist_free(quiet);
    return rc;
}

/* --- engine directives --------------------------------------------------------------------- */

int acid_flush(acid_engine *e)
{
    int rc = wal_flush(&e->st.w);
    if (rc)
        return io_fail(e, rc, "flush");
    if (e->ngroup)
        group_complete(e, e->ngroup);
    pump(e);
    return 0;
}

int acid_set_sync(acid_engine *e, acid_sync mode, int group_n)
{
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
        return io_fail(e, rc, "sync");
    e->sync = mode;
    e->group_n = group_n > 0 ? group_n : 1;
    return 0;
}

static int active_list(acid_engine *e, wal_active *out)
{
    int n = 0;
    for (int k = 1; k <= e->nsess; k++)
        if (e->sess[k].txn)
            out[n++] = (wal_active){ e->sess[k].txn->id, e->sess[k].txn->last_lsn };
    return n;
}

int acid_checkpoint(acid_engine *e)
{
    wal_active act[ACID_SESSIONS_MAX] = { { 0, 0 } };   /* zeroed: gcc cannot see active_list fills what is read */
    int na = active_list(e, act);
    uint64_t lsn;
    int nd;
    if (store_checkpoint(&e->st, act, na, &lsn, &nd))
        return io_fail(e, -1, "checkpoint");
    note(e, NOTE_ENGINE, 0, false, NULL,
         "checkpoint at LSN %" PRIu64 ": %d dirty page%s written, %d active transaction%s recorded; log and data file fsynced",
         lsn, nd, nd == 1 ? "" : "s", na, na == 1 ? "" : "s");
    if (e->ngroup)
        group_complete(e, e->ngroup);
    pump(e);
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
        return io_fail(e, rc, "evict");
    char list[256] = "";
    size_t o = 0;
    for (int i = 0; i < nd && o < sizeof list; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%u", i ? ", " : "", pages[i]);
    note(e, NOTE_ENGINE, 0, false, NULL, "evict: %d dirty page%s written to the data file and fsynced%s%s%s",
         written, written == 1 ? "" : "s", nd ? (nd == 1 ? " (page " : " (pages ") : "", list, nd ? ")" : "");
    if (e->st.w.fsyncs > fs)
        note(e, NOTE_ENGINE, 0, false, NULL, "log rule: the log was fsynced first, up to LSN %" PRIu64, e->st.w.durable);
    if (e->ngroup && e->st.w.fsyncs > fs)
        group_complete(e, e->ngroup);
    pump(e);
    return 0;
}

int acid_set_frames(acid_engine *e, int frames)
{
    int rc = bp_resize(&e->st.bp, frames);
    if (rc)
        return io_fail(e, rc, "frames");
    return 0;
}

int acid_crash(acid_engine *e, bool torn)
{
    char lb[32];
    int aborted = 0, lost = 0;
    uint64_t durable = e->st.w.durable;
    /* Every open transaction ends aborted; what it was doing fails. */
    for (int k = 1; k <= e->nsess; k++) {
        acid_session *s = &e->sess[k];
        if (s->nq)
            fail_queue(e, s, "crash", "the engine crashed");
        if (s->txn) {
            acid_txn *t = s->txn;
            ev_text(e, EV_TXN_ABORT, k, t->id, "crash");
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
            ev(e, EV_TXN_LOST, ti->session, ti->id);
            note(e, NOTE_ENGINE, 0, false, NULL, "lost: %s's COMMIT was answered but its log record was never fsynced",
                 label(e, ti->id, lb, sizeof lb));
            ti->commit_lsn = 0;
            lost++;
        }
    }
    lock_free(e->lm);
    e->lm = lock_new(e->h);
    fio_crash_report fr;
    rec_report rep;
    int rc = store_crash(&e->st, torn, &fr, &rep);
    hist_event *x = ev(e, EV_CRASH, 0, 0);
    if (x) {
        x->n[0] = (int64_t)fr.bytes_lost;
        x->n[1] = (int64_t)fr.writes_lost;
        x->n[2] = aborted;
        x->n[3] = lost;
    }
    note(e, NOTE_ENGINE, 0, false, NULL,
         "crash: power lost; %" PRIu64 " unsynced byte%s dropped (%" PRIu64 " write%s), %d open transaction%s aborted, %d answered commit%s lost",
         fr.bytes_lost, fr.bytes_lost == 1 ? "" : "s", fr.writes_lost, fr.writes_lost == 1 ? "" : "s",
         aborted, aborted == 1 ? "" : "s", lost, lost == 1 ? "" : "s");
    if (rc)
        return io_fail(e, rc, "recovery");
    if (rep.torn)
        note(e, NOTE_ENGINE, 0, false, NULL, "recovery: torn log tail at offset %" PRIu64 " (%s): %" PRIu64 " byte%s cut off, never applied",
             rep.torn_offset, rep.torn_reason, rep.torn_bytes, rep.torn_bytes == 1 ? "" : "s");
    note(e, NOTE_ENGINE, 0, false, NULL,
         "recovery: analysis from %s%" PRIu64 " to %" PRIu64 ": %" PRIu64 " records, %d dirty page%s, %d loser%s",
         rep.checkpoint_lsn ? "checkpoint at LSN " : "LSN ", rep.analysis_from, rep.log_end, rep.analysis_scanned,
         rep.ndirty, rep.ndirty == 1 ? "" : "s", rep.nlosers, rep.nlosers == 1 ? "" : "s");
    note(e, NOTE_ENGINE, 0, false, NULL, "recovery: redo from LSN %" PRIu64 ": %" PRIu64 " redone, %" PRIu64 " skipped (page LSN already newer)",
         rep.redo_from, rep.redone, rep.redo_skipped);
    note(e, NOTE_ENGINE, 0, false, NULL, "recovery: undo: %" PRIu64 " change%s undone with %" PRIu64 " compensation record%s",
         rep.undone, rep.undone == 1 ? "" : "s", rep.clrs, rep.clrs == 1 ? "" : "s");
    return 0;
}

/* --- queries ---------------------------------------------------------------------------- */

acid_state acid_session_state(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    if (s->txn)
        return s->nq && s->q[0]->parked ? AS_BLOCKED : AS_ACTIVE;
    return s->ended ? s->ended : AS_IDLE;
}

bool acid_session_rows(const acid_engine *e, int session, const acid_row **rows, int *n)
{
    const acid_session *s = &e->sess[session];
    *rows = s->rows;
    *n = s->nrows;
    return s->has_rows;
}

bool acid_session_number(const acid_engine *e, int session, int64_t *v)
{
    *v = e->sess[session].number;
    return e->sess[session].has_number;
}

const char *acid_session_error(const acid_engine *e, int session)
{
    return e->sess[session].error;
}

iso_level acid_session_level(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    return s->txn ? s->txn->level : s->level;
}

bool acid_table_exists(acid_engine *e, const char *table, scalar_type *keytype)
{
    st_table *tb = store_table(&e->st, table);
    if (tb && keytype)
        *keytype = tb->keytype;
    return tb != NULL;
}

int acid_committed_rows(acid_engine *e, const char *table, acid_row **rows, int *n)
{
    *rows = NULL;
    *n = 0;
    st_table *tb = store_table(&e->st, table);
    if (!tb)
        return -1;
    acid_row *v = calloc(tb->nents + 1, sizeof *v);
    if (!v)
        return -1;
    int k = 0;
    for (size_t i = 0; i < tb->nents; i++) {
        scalar key = tb->ents[i].key;
        st_row row;
        if (store_peek(&e->st, tb, &key, &row))   /* looking must not change the pool */
            continue;
        bool exists = row.exists;
        int64_t value = row.value;
        /* A row an open transaction wrote shows its committed image. */
        for (int s = 1; s <= e->nsess; s++) {
            acid_txn *t = e->sess[s].txn;
            for (int j = 0; t && j < t->nfirsts; j++)
                if (t->firsts[j].table == tb->name && scalar_eq(&t->firsts[j].key, &key)) {
                    exists = t->firsts[j].exists;
                    value = t->firsts[j].value;
                }
        }
        if (exists)
            v[k++] = (acid_row){ key, value };
    }
    *rows = v;
    *n = k;
    return 0;
}

uint64_t acid_session_txn(const acid_engine *e, int session)
{
    const acid_session *s = &e->sess[session];
    return s->txn ? s->txn->id : 0;
}

int acid_session_queue(const acid_engine *e, int session, const char **texts, int max)
{
    const acid_session *s = &e->sess[session];
    int n = 0;
    for (int i = 0; i < s->nq && n < max; i++)
        texts[n++] = s->q[i]->text;
    return n;
}

/* --- open and close ----------------------------------------------------------------------- */

acid_engine *acid_open(const acid_options *opt, hist *h, acid_note_fn fn, void *arg, char *err, size_t errlen)
{
    acid_engine *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    e->h = h;
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
    snprintf(e->dir, sizeof e->dir, "%s", opt->dir);
    e->env = fio_env_new();
    e->lm = lock_new(h);
    if (!e->env || !e->lm) {
        snprintf(err, errlen, "out of memory");
        acid_close(e);
        return NULL;
    }
    fio_set_real_sync(e->env, opt ? opt->real_sync : true);
    rec_report rep;
    if (store_open(&e->st, e->dir, e->env, h, opt && opt->frames ? opt->frames : BP_FRAMES_DEFAULT, &rep)) {
        snprintf(err, errlen, "%s", e->st.err);
        acid_close(e);
        return NULL;
    }
    if (rep.torn || rep.nlosers || rep.redone) {
        char torn[160] = "";
        if (rep.torn)
            snprintf(torn, sizeof torn, "; a torn log tail was cut off at offset %" PRIu64 " (%" PRIu64 " byte%s: %s)",
                     rep.torn_offset, rep.torn_bytes, rep.torn_bytes == 1 ? "" : "s", rep.torn_reason);
        note(e, NOTE_ENGINE, 0, false, NULL, "recovery on open: %" PRIu64 " redone, %" PRIu64 " undone, %d loser%s%s",
             rep.redone, rep.undone, rep.nlosers, rep.nlosers == 1 ? "" : "s", torn);
    }
    return e;
}

void acid_close(acid_engine *e)
{
    if (!e)
        return;
    for (int k = 1; k <= e->nsess; k++) {
        acid_session *s = &e->sess[k];
        for (int i = 0; i < s->nq; i++)
            item_free(e, s->q[i]);
        if (s->txn)
            txn_release(e, s->txn);
        free(s->rows);
    }
    while (e->free_txns) {
        acid_txn *t = e->free_txns;
        e->free_txns = t->next_free;
        free(t->firsts);
        free(t);
    }
    while (e->free_items) {
        q_item *it = e->free_items;
        e->free_items = it->next_free;
        free(it);
    }
    store_close(&e->st);
    if (e->lm)
        lock_free(e->lm);
    fio_env_free(e->env);
    free(e->txns);
    free(e->shorts);
    free(e);
}
