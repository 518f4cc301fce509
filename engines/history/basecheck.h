/*
 * basecheck.h: the BASE history checker. Reads the BASE events of a history (requests
 * and answers, versions stored and discarded, tombstones purged) and reports what a
 * replica set's clients could observe, in words a learner can follow.
 *
 * Findings:
 *   stale-read         a GET answered with a result that does not reflect (does not descend
 *                      from) a write that was acknowledged before the GET was invoked, while
 *                      that write (or a version that saw it) still existed at some replica
 *   read-your-writes   a client's GET that does not reflect that client's own earlier
 *                      acknowledged write to the key (alice@n1: syntax)
 *   monotonic-read     a client's GET that does not reflect what the same client's earlier
 *                      GET of the key returned (the client saw the past again)
 *   lost-write         an acknowledged write that was discarded everywhere without any
 *                      version that saw it ever being stored (LWW dropping the older of two
 *                      concurrent writes; a write replaced by a later write that saw it is
 *                      not lost)
 *   sibling            a replica kept two or more concurrent versions of a key
 * "Reflects" is causal: the answer's versions (REQ_ANSWER rows) include the write's dot or
 * a version whose context (VERSION_STORE txns) covers it. A tombstone that saw a write
 * reflects it too; a purged tombstone no longer exists.
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
} base_finding;

typedef struct base_findings {
    int n, cap;
    base_finding *v;
} base_findings;

int basecheck_run(const hist *h, base_findings *out);   /* 0, or -1 out of memory */
void basecheck_free(base_findings *f);
bool basecheck_has(const base_findings *f, const char *name);   /* case-insensitive */
int basecheck_count(const base_findings *f, const char *name);
bool basecheck_known_name(const char *name);

#endif
