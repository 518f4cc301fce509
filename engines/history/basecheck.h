/*
 * basecheck.h: the BASE history checker. Reads the BASE events of a history (requests
 * and answers, versions stored and discarded, tombstones purged, siblings) and reports what
 * a replica set's clients could observe, in words a learner can follow.
 *
 * Findings (basecheck.c numbers the definitions B0-B7 that lessons and tests cite):
 *   stale-read         a GET whose result does not reflect a write acknowledged before the
 *                      GET was invoked, while the policy still keeps that write (some replica
 *                      stores it or a version that saw it)
 *   read-your-writes   a client's GET that does not reflect that client's own latest
 *                      acknowledged write to the key, while the policy keeps it
 *   monotonic-read     a client's GET that does not reflect what the same client's previous
 *                      GET of the key returned, while the policy keeps it
 *   lost-write         an acknowledged write discarded everywhere without any other version
 *                      having seen it (LWW dropping the older of two concurrent writes), or a
 *                      DEL whose purged tombstone let a value it deleted come back
 *   sibling            a replica kept two or more concurrent versions of a key; the finding
 *                      says when no replica kept any any more (resolved_seq, resolved_tick)
 * "Reflects" is causal (the result holds the write or a version that saw it); under lww,
 * reading the winner also reflects the write it beat: that write lost on timestamp, which is
 * a lost write, not a stale read.
 *
 * Two ways to run it:
 *   - basecheck_run: the whole history at once, as `acidbase check` does;
 *   - incrementally, for a history that grows (the lab checks after every step):
 *     basecheck_new, then basecheck_update after events were added (it reads only the new
 *     ones), basecheck_findings for the findings so far, basecheck_close at the end. The
 *     work of an update and of the findings after it is proportional to the new events (and
 *     to the writes whose loss they may decide), not to the history; the findings are equal
 *     to basecheck_run's on the same events (test_basecheck checks it after every event).
 */
#ifndef AB_BASECHECK_H
#define AB_BASECHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "history.h"

typedef struct base_finding {
    char name[24];           /* "stale-read", ... */
    uint64_t seq;            /* the event that made it true */
    uint16_t node;           /* the replica it happened at (coordinator, or where stored) */
    char key[24];
    char client[32];         /* "" when not a client's */
    char *text;
    uint64_t dot;            /* what it is about, as packed in the history: the write missed
                              * (stale-read, read-your-writes), the version seen before
                              * (monotonic-read), the write lost; 0 for sibling */
    uint64_t resolved_seq;   /* sibling: the event after which no replica kept siblings of the
                              * key, 0 while some still does (other findings: 0) */
    uint64_t resolved_tick;
} base_finding;

typedef struct base_findings {
    int n, cap;
    base_finding *v;         /* sorted by seq */
} base_findings;

/* The whole history: 0, or -1 out of memory. Free out with basecheck_free. */
int basecheck_run(const hist *h, base_findings *out);
void basecheck_free(base_findings *f);
bool basecheck_has(const base_findings *f, const char *name);   /* case-insensitive */
int basecheck_count(const base_findings *f, const char *name);
bool basecheck_known_name(const char *name);

/* Incremental checking of one growing history. */
typedef struct basecheck basecheck;
basecheck *basecheck_new(void);                          /* NULL out of memory */
/* Reads h's events from where the last update stopped (h must be the history it read
 * before, grown). 0, or -1 out of memory (then the checker can only be closed). */
int basecheck_update(basecheck *s, const hist *h);
/* The findings of the events read so far, sorted by seq; owned by the checker, valid until
 * the next update or close. NULL out of memory. */
const base_findings *basecheck_findings(basecheck *s);
void basecheck_close(basecheck *s);

#endif
