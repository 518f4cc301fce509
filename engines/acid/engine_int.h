/*
 * engine_int.h: the ACID engine's private state, shared by the files that make it up.
 * Nothing outside engines/acid includes this (the lab reads the engine through engine.h
 * and view.h); white-box unit tests may.
 *
 * The engine is layered: each file calls only the ones above it in this list, never back,
 * so no two of its files call each other (nm on the objects shows it):
 *
 *   notes.c      the engine's outputs: transcript notes, history events, its error text
 *   check.c      engine_check(): the invariants E1-E9 of engine.h, read only
 *   session.c    sessions: their statement queues and answers; the run queue
 *   cc_locking.c concurrency control (cc.h): strict two-phase locking
 *   txn.c        transactions: begin, rollback, commit and group commit; ids and labels
 *   exec.c       statements: reads, writes, the statement kinds; a scheme's aborts
 *   setup.c      validation against the catalog, and `setup:` lines
 *   engine.c     the entry points: open, close, submit and the run loop, directives
 *   view.c       what the screen and the expectations read (view.h, and engine.h's queries)
 *
 * Concurrency control is reached only through e->ccops (cc.h); the scheme calls the
 * engine back through the cc_env function pointers engine.c gives it.
 */
#ifndef AB_ENGINE_INT_H
#define AB_ENGINE_INT_H

#include "engine.h"
#include "cc.h"
#include "recovery.h"
#include "store.h"
#include "view.h"

/* What a statement step returns; the first four are the cc_result values. */
enum { X_DONE = CC_OK, X_BLOCK = CC_WAIT, X_FAIL = 2, X_ABORTED = CC_ABORTED, X_IOERR = CC_IOERR };

typedef struct before_img {
    const char *table;     /* the catalog's name */
    scalar key;
    bool exists;
    int64_t value;
} before_img;

typedef struct acid_txn {
    cc_txn cc;             /* id, age, level: what concurrency control knows of it */
    int session;           /* 0: setup */
    bool autocommit;
    uint64_t first_lsn;    /* its BEGIN record, written with its first change; 0: none yet */
    uint64_t last_lsn;     /* 0 while it has written nothing */
    uint64_t commit_lsn;   /* its COMMIT record (0: none: open, or it wrote nothing) */
    bool committing;       /* commit record written, waiting for its group's fsync */
    before_img *firsts;    /* the committed image of every row this txn wrote */
    int nfirsts, capfirsts;
    int nchecked;          /* firsts engine_check has seen (E7 looks at the rest) */
    size_t info;           /* its entry in acid_engine.txns */
    struct acid_txn *next_free;
} acid_txn;

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

/* One entry of the log tail the view shows (view.h): a record, or a crash's cut. */
typedef struct tail_ent {
    bool crash, lost;
    bool cut;              /* a checkpoint cut the log before lsn */
    uint8_t type;
    uint64_t lsn, txn;
    uint32_t table;
    scalar key;
    wal_image before, after;
} tail_ent;

struct acid_engine {
    store st;
    fio_env *env;
    hist *h;
    uint8_t db;
    const cc_ops *ccops;
    cc *cc;
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
    size_t checked_txns;   /* registry entries engine_check has seen */
    uint64_t age;
    acid_note_fn note;
    void *note_arg;
    bool running_queued;   /* the statement running now had waited behind a blocked one */
    /* Performance: transactions and queue items are recycled rather than freed, so a
     * commit allocates nothing once the engine has warmed up. */
    acid_txn *free_txns;
    q_item *free_items;
    /* The log's newest records for the view: entry i (0, 1, 2, ... in append order) is
     * tail[i % ACID_VIEW_LOG_TAIL] while ntail - i <= ACID_VIEW_LOG_TAIL. */
    tail_ent tail[ACID_VIEW_LOG_TAIL];
    size_t ntail;
    bool io_failed;        /* an I/O error since the last recovery: the state may be half done */
    rec_report last_rec;   /* the latest recovery's report */
    st_ckpt last_cut;      /* the latest checkpoint's cut of the log (view.h) */
    bool has_cut;
    bool has_rec, rec_after_crash;
    char err[600];
};

/* --- notes.c ------------------------------------------------------------------------- */
void eng_note(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
              const char *fmt, ...) __attribute__((format(printf, 6, 7)));
void eng_note_cat(acid_engine *e, acid_note_kind kind, int session, bool resumed, const char *stmt,
                  const char *a, const char *b);
/* A history event of the engine's database, or NULL when it records none (benchmarks):
 * every caller skips a NULL event. Performance: inline, so that no history costs no call. */
static inline hist_event *eng_ev(acid_engine *e, hist_kind kind, int session, uint64_t txn)
{
    if (!e->h)
        return NULL;
    hist_event *x = hist_add_acid(e->h, e->db, kind);
    if (x) {
        x->session = (uint8_t)session;
        x->txn = txn;
    }
    return x;
}

static inline void eng_ev_text(acid_engine *e, hist_kind kind, int session, uint64_t txn, const char *text)
{
    hist_event *x = eng_ev(e, kind, session, txn);
    if (x)
        hist_set_text(e->h, x, text);
}
int eng_io_fail(acid_engine *e, int rc, const char *what);
/* The log tail (view.h): a record appended (the wal's observer); a crash, before recovery
 * runs (an entry whose cut is not known yet) and after (the cut, and the records it took). */
void eng_tail_record(void *engine, const wal_rec *r);
size_t eng_tail_crash_begin(acid_engine *e);
/* A checkpoint cut the log: everything before lsn is gone from the file. */
void eng_tail_cut(acid_engine *e, uint64_t lsn);
void eng_tail_crash_end(acid_engine *e, size_t entry, uint64_t log_end);

/* --- check.c ---------------------------------------------------------------------------- */
/* engine_check() when the build checks invariants (ACIDBASE_CHECKS), else nothing. */
#ifdef ACIDBASE_CHECKS
void eng_assert_ok(acid_engine *e);
#else
static inline void eng_assert_ok(acid_engine *e) { (void)e; }
#endif

/* --- session.c ---------------------------------------------------------------------------- */
void sess_set_error(acid_session *s, const char *code);
q_item *sess_item_new(acid_engine *e);
void sess_item_free(acid_engine *e, q_item *it);
void sess_queue_pop(acid_engine *e, acid_session *s);
void sess_fail_queue(acid_engine *e, acid_session *s, const char *code, const char *why);
void sess_runq_add(acid_engine *e, acid_session *s);
void sess_wake(acid_engine *e, const uint64_t *txns, int n);
acid_session *sess_of_txn(acid_engine *e, uint64_t txn);

/* --- txn.c ---------------------------------------------------------------------------------- */
acid_txn *txn_begin(acid_engine *e, int session, iso_level level, bool autocommit);
/* Before t's first change: its BEGIN record (once). */
void txn_log_begin(acid_engine *e, acid_txn *t);
/* What a checkpoint records as active: the open transactions with records in the log and
 * no COMMIT record yet (one waiting for its group has its COMMIT before the checkpoint
 * record, which the checkpoint's flush makes durable: it is committed, not active). Out:
 * the oldest one's first LSN and id (0: none), which the log must keep. */
int txn_active_list(const acid_engine *e, wal_active *out, uint64_t *oldest_first, uint64_t *oldest_txn);
void txn_remember_first(acid_txn *t, const char *table, const st_row *before);
void txn_finish(acid_engine *e, acid_txn *t, acid_state how);
void txn_release(acid_engine *e, acid_txn *t);
void txn_free_all(acid_engine *e);
int txn_rollback(acid_engine *e, acid_txn *t, const char *why);
int txn_commit(acid_engine *e, acid_txn *t);
/* txn_commit under the given policy rather than the engine's (setup: always durable). */
int txn_commit_as(acid_engine *e, acid_txn *t, acid_sync policy);
void txn_group_complete(acid_engine *e, int served);
/* Answers every commit of the group whose record is durable (whatever fsync made it so);
 * returns how many. The run loop calls it after every step (engine.c, pump). */
int txn_group_settle(acid_engine *e);
const txn_info *txn_find(const acid_engine *e, uint64_t id);
const char *txn_label(const acid_engine *e, uint64_t txn, char *buf, size_t n);

/* --- setup.c ----------------------------------------------------------------------------------- */
/* acid_setup's work (engine.c answers what its fsync made durable, then runs the loop). */
int setup_run(acid_engine *e, const sql_stmt *s, char *msg, size_t n);

/* --- exec.c ---------------------------------------------------------------------------------- */
int exec_item(acid_engine *e, acid_session *s, q_item *it);
int exec_write(acid_engine *e, acid_txn *t, st_table *tb, const scalar *key, bool exists, int64_t value);
bool exec_check_ok(const st_table *tb, const scalar *key, int64_t v);
/* The scheme's abort (cc_env.abort): the transaction's statement fails, it rolls back. */
int exec_abort(void *engine, uint64_t txn, const char *code, const char *why);

#endif
