/*
 * lock.h: the lock manager. Multi-granularity locks (IS, IX, S, SIX, X) on tables and rows,
 * FIFO queues with upgrades served first, a waits-for graph, deadlock detection.
 *
 * Blocking is state, not a thread: lock_acquire() either grants at once or parks the
 * request in the resource's queue and returns LOCK_WAIT. A later lock_release_all() grants
 * what it can and hands the caller the list of transactions whose parked request was
 * granted, in grant order, so the engine can resume them.
 *
 * Each (transaction, resource) pair has one held mode, the supremum of everything granted
 * (S then IX held = SIX). A transaction has at most one parked request at a time.
 *
 * Invariants (lock_check() checks them all; in the build that checks invariants,
 * ACIDBASE_CHECKS as `make test` builds, every operation checks the resources it touched):
 *   L1. The held modes on a resource are pairwise compatible.
 *   L2. A parked request is not compatible with some holder, or sits behind an earlier
 *       incompatible request (FIFO: no overtaking).
 *   L3. Upgrade requests (the requester already holds the resource) are queued before every
 *       non-upgrade request.
 *
 * Waits-for edges: a parked request of T on r waits for every other holder of r whose mode
 * is incompatible with the mode T asks for, for every earlier parked request on r whose
 * mode is incompatible with it, and (queues are strictly FIFO) for the request directly
 * ahead of it even when compatible: without that edge a request parked only because the
 * queue was not empty would have no edges and a deadlock through it would go unseen.
 * Withdrawn requests are reported as LOCK_RELEASE with n[1] = 1. A cycle is a deadlock;
 * the victim is the youngest
 * transaction in it (the greatest age given to lock_txn_begin, i.e. the latest BEGIN).
 *
 * Events go to the history when one is given: LOCK_REQUEST, LOCK_GRANT, LOCK_WAIT,
 * LOCK_RELEASE, DEADLOCK (see history.h).
 */
#ifndef AB_LOCK_H
#define AB_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/scalar.h"
#include "history/history.h"

typedef enum { LM_NL = 0, LM_IS, LM_IX, LM_S, LM_SIX, LM_X } lock_mode;

typedef enum { LOCK_GRANTED = 0, LOCK_WAIT = 1 } lock_result;

/* A lockable resource: a table (is_row false) or one key of it. table points at a name
 * that outlives the lock manager's use of it (the catalog's); resources compare by the
 * name's text and key. */
typedef struct lock_res {
    const char *table;
    bool is_row;
    scalar key;
} lock_res;

#define LOCK_CYCLE_MAX 64

typedef struct lock_cycle {
    int n;
    uint64_t txns[LOCK_CYCLE_MAX];   /* txns[i] waits for txns[(i+1) % n] */
    lock_res res[LOCK_CYCLE_MAX];    /* the resource txns[i] is parked on */
    uint64_t victim;
} lock_cycle;

typedef struct lockmgr lockmgr;

/* h may be NULL (benchmarks): then no events are recorded. */
lockmgr *lock_new(hist *h);
void lock_free(lockmgr *lm);
/* The database its events belong to (history.h; 0 until set). */
void lock_set_db(lockmgr *lm, uint8_t db);

/* Registers a transaction and its age (a BEGIN counter: larger = younger). */
void lock_txn_begin(lockmgr *lm, uint64_t txn, uint64_t age);

/* Asks for mode on res. Already holding a mode that covers it: granted, nothing changes.
 * Otherwise granted if compatible with every other holder and nobody is parked ahead;
 * else parked (LOCK_WAIT). */
lock_result lock_acquire(lockmgr *lm, uint64_t txn, const lock_res *res, lock_mode mode);

/* After a LOCK_WAIT: is txn's parked request part of a waits-for cycle? Returns true and
 * fills *cycle (starting at txn, with the victim chosen) if so. */
bool lock_find_deadlock(lockmgr *lm, uint64_t txn, lock_cycle *cycle);

/* Withdraws txn's parked request (a deadlock victim); may let others behind it through:
 * their txns are written to granted (up to max) and the count returned. */
int lock_cancel_wait(lockmgr *lm, uint64_t txn, uint64_t *granted, int max);

/* Releases one resource entirely (READ COMMITTED's short read locks). Returns the number
 * of parked requests granted as a result, written to granted (up to max). */
int lock_release(lockmgr *lm, uint64_t txn, const lock_res *res, uint64_t *granted, int max);

/* Releases everything txn holds and forgets it (commit, abort); withdraws its parked
 * request if any. Returns the number of parked requests granted as a result. */
int lock_release_all(lockmgr *lm, uint64_t txn, uint64_t *granted, int max);

/* What txn holds on res (LM_NL if nothing). */
lock_mode lock_held(const lockmgr *lm, uint64_t txn, const lock_res *res);
/* Is txn parked? If so, on what and for which mode. */
bool lock_waiting(const lockmgr *lm, uint64_t txn, lock_res *res, lock_mode *mode);
/* The transactions txn's parked request waits for (waits-for edges), up to max. */
int lock_waits_for(const lockmgr *lm, uint64_t txn, uint64_t *out, int max);

/* For the UI and the transcript: every resource with its holders and queue. */
typedef struct lock_entry_view {
    lock_res res;
    int nholders;
    uint64_t holders[16];
    lock_mode holder_modes[16];
    int nwaiters;
    uint64_t waiters[16];
    lock_mode waiter_modes[16];
} lock_entry_view;
typedef void (*lock_visit_fn)(const lock_entry_view *v, void *arg);
void lock_foreach(const lockmgr *lm, lock_visit_fn fn, void *arg);

bool lock_compatible(lock_mode a, lock_mode b);
lock_mode lock_supremum(lock_mode a, lock_mode b);
const char *lock_mode_name(lock_mode m);
int lock_res_format(const lock_res *r, char *buf, size_t n);   /* "accounts" or "accounts/A" */

/* Debug: verifies L1-L3; returns 0 or the number of the violated invariant (4: the
 * bookkeeping itself is inconsistent). O(locks + waiters). */
int lock_check(const lockmgr *lm);
/* Resources held or waited for now. */
size_t lock_resources(const lockmgr *lm);

#endif
