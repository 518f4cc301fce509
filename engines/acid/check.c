/*
 * check.c: engine_check(), the engine's invariants E1-E9 (engine.h) as code.
 *
 * The build that `make test` uses defines ACIDBASE_CHECKS, and then every entry point that
 * changes the engine ends with eng_assert_ok(), which aborts on the first broken
 * invariant with its number; release builds and benchmarks compile the call away.
 *
 * Cost: proportional to what a step can have touched. Sessions, the group and the run
 * queue are small; E7 looks at the rows each open transaction wrote since the last check
 * (all of them while there are few), and asks the scheme for a full check of its own
 * state (lock_check) only while that is small; the lock manager checks the resources each
 * of its operations touched itself (lock.c, same flag).
 *
 * Not here: the invariants of the parts below (L1-L3 in lock.h, W1-W4 in wal.h).
 */
#include "engine_int.h"

#include <stdio.h>
#include <stdlib.h>

/* Up to this many rows written by a transaction, a check looks at all of them, not only at
 * the ones written since the last check. */
#define CHECK_ALL_WRITES 256

/* E1-E6 for session k. */
static int check_session(const acid_engine *e, int k)
{
    const acid_session *s = &e->sess[k];
    const acid_txn *t = s->txn;
    if (s->no != k || s->nq < 0 || s->nq > ACID_QUEUE_MAX)
        return 1;
    if (t) {
        if (t->session != k)                                          /* E1 */
            return 1;
        for (int j = 1; j < k; j++)
            if (e->sess[j].txn == t)
                return 1;
        const txn_info *ti = txn_find(e, t->cc.id);
        if (!ti || ti->session != k || t->cc.id >= e->st.next_txn)   /* E1, E2 */
            return ti ? 2 : 1;
    }
    bool parked = s->nq > 0 && s->q[0]->parked;
    bool waits = t && e->ccops->waiting(e->cc, t->cc.id);
    if (parked && !(t && (t->committing || waits)))                   /* E3 */
        return 3;
    if (waits && !parked)
        return 3;
    if (s->nq > 0 && s->q[0]->commit_phase && !(t && t->committing))
        return 3;
    for (int i = 1; i < s->nq; i++)                                    /* E4 */
        if (s->q[i]->started || s->q[i]->parked || !s->q[i]->queued)
            return 4;
    if (t && t->committing) {                                          /* E5 */
        int in = 0;
        for (int i = 0; i < e->ngroup; i++)
            in += e->group[i] == t;
        if (in != 1 || !parked)
            return 5;
    }
    if (s->in_runq)                                                    /* E6 */
        return 6;
    return 0;
}

/* E7 and E9 for transaction t: its before images name catalog tables, once per row, and
 * the scheme agrees it may have written them. */
static int check_writes(const acid_engine *e, acid_txn *t)
{
    int from = t->nfirsts <= CHECK_ALL_WRITES ? 0 : t->nchecked;
    for (int i = from; i < t->nfirsts; i++) {
        const before_img *b = &t->firsts[i];
        if (!store_table((store *)&e->st, b->table))
            return 9;
        for (int j = 0; j < i && t->nfirsts <= CHECK_ALL_WRITES; j++)
            if (t->firsts[j].table == b->table && scalar_eq(&t->firsts[j].key, &b->key))
                return 9;
    }
    const char *tables[CHECK_ALL_WRITES];
    scalar keys[CHECK_ALL_WRITES];
    for (int i = from; i < t->nfirsts;) {
        int n = 0;
        for (; i < t->nfirsts && n < CHECK_ALL_WRITES; i++, n++) {
            tables[n] = t->firsts[i].table;
            keys[n] = t->firsts[i].key;
        }
        int bad = e->ccops->check_txn(e->cc, &t->cc, tables, keys, n);
        if (bad)
            return bad;
    }
    t->nchecked = t->nfirsts;
    return 0;
}

int engine_check(const acid_engine *ce)
{
    acid_engine *e = (acid_engine *)ce;   /* only the checked-so-far marks change */
    for (int k = 1; k <= e->nsess; k++) {
        int bad = check_session(e, k);
        if (bad)
            return bad;
    }
    /* E1: the registry lists ids in strictly increasing order, all handed out (entries
     * are only appended: the ones since the last check). */
    for (size_t i = e->checked_txns ? e->checked_txns : 1; i < e->ntxns; i++)
        if (e->txns[i - 1].id >= e->txns[i].id)
            return 1;
    e->checked_txns = e->ntxns;
    if (e->ntxns && e->txns[e->ntxns - 1].id >= e->st.next_txn)
        return 2;
    /* E2: and below the durable reservation (store.h S1). */
    if (e->st.next_txn > e->st.txn_limit || e->st.next_version > e->st.version_limit)
        return 2;
    /* E5: the group holds distinct committing transactions, fewer than fill it. */
    if (e->ngroup < 0 || e->ngroup > ACID_SESSIONS_MAX || (e->ngroup && e->sync != SYNC_GROUP) ||
        (e->ngroup && e->ngroup >= e->group_n))
        return 5;
    for (int i = 0; i < e->ngroup; i++) {
        const acid_txn *g = e->group[i];
        if (!g->committing || g->session < 1 || g->session > e->nsess || e->sess[g->session].txn != g)
            return 5;
        if (!g->commit_lsn || g->commit_lsn >= e->st.w.end || g->commit_lsn < e->st.w.durable)
            return 5;   /* durable, yet not answered: the flush that made it so should have */
    }
    if (e->group_n > e->nsess || (e->sync == SYNC_GROUP && e->group_n < 1))
        return 5;
    if (e->nrunq)                                                      /* E6 */
        return 6;
    for (int k = 1; k <= e->nsess; k++)
        if (e->sess[k].txn) {
            int bad = check_writes(e, e->sess[k].txn);
            if (bad)
                return bad;
        }
    /* E8: a slot held by a delete (its row a ghost until the end) belongs to an open
     * transaction that wrote that row. */
    for (size_t i = 0; i < e->st.nresv; i++) {
        const st_reserved *r = &e->st.resv[i];
        const acid_session *s = sess_of_txn(e, r->txn);
        if (!s)
            return 8;
        if (s->txn->nfirsts > CHECK_ALL_WRITES)
            continue;
        const st_table *tb = store_table_by_id(&e->st, r->table);
        bool wrote = false;
        for (int j = 0; tb && j < s->txn->nfirsts && !wrote; j++)
            wrote = s->txn->firsts[j].table == tb->name && scalar_eq(&s->txn->firsts[j].key, &r->key);
        if (!wrote)
            return 8;
    }
    return e->ccops->check(e->cc);
}

#ifdef ACIDBASE_CHECKS
void eng_assert_ok(acid_engine *e)
{
    if (e->io_failed)
        return;   /* engine.h: checked again once a crash has recovered */
    int bad = engine_check(e);
    if (bad) {
        fprintf(stderr, "acidbase: engine invariant E%d broken (engine.h)\n", bad);
        abort();
    }
}
#endif
