/*
 * acidcheck.h: the ACID history checker. Reads the events of a history, builds Adya's
 * direct serialization graph and reports the anomalies it finds, in words a learner can
 * follow.
 *
 * Input (see history.h): TXN_BEGIN/COMMIT/ABORT/LOST, WRITE, UNDO, READ, PREAD, in history
 * order. Versions are ids; a version that no WRITE in the history created is part of the
 * initial state (written by "T0", committed before everything).
 *
 * Definitions (Adya, "Weak Consistency", 1999), over committed transactions:
 *   version order of a key: the order in which committed transactions installed their final
 *     version of that key (under strict 2PL this is commit order).
 *   ww  Ti -> Tj: Tj installs the version right after Ti's in a key's version order.
 *   wr  Ti -> Tj: Tj read (item read, or a row of a predicate read's version set) a version
 *       Ti installed.
 *   rw  Ti -> Tj (item): Ti read version v of a key, Tj installed the next version after v.
 *   rw  Ti -> Tj (predicate): Ti's predicate read saw version v of a key (or no version),
 *       and Tj installed a later version of that key that changes whether it matches
 *       (compared with the version before it).
 * Findings:
 *   G0        a cycle of ww edges                                      (dirty-write)
 *   G1a       a non-aborted Tj read a version written by Ti, which aborted (aborted-read)
 *   G1b       a non-aborted Tj read a version that was not Ti's final write of that key
 *                                                                      (intermediate-read)
 *   G1c       a cycle of ww and wr edges with at least one wr
 *   G-single  a cycle with exactly one rw edge                        (read-skew), reported
 *             also under its form: lost-update (the rw and a ww edge on the same key),
 *             non-repeatable-read (the rw and a wr edge on the same key, both item reads),
 *             phantom (the rw edge is a predicate anti-dependency)
 *   G2-item   a cycle with two or more rw edges, all on items          (write-skew)
 *   G2        a cycle with two or more rw edges, some on predicates;
 *             acidcheck_has("G2") also holds for a G2-item finding
 *   dirty-read  a read returned a version whose writer had not committed at that moment
 *             (including predicate reads' matched rows)
 *   G1          alias: any of G1a, G1b, G1c
 * A transaction whose commit was lost in a crash (TXN_LOST) counts as aborted from then on.
 * Each distinct cycle (as a set of transactions and anomaly) is reported once; each dirty
 * or aborted read once per (reader, version).
 */
#ifndef AB_ACIDCHECK_H
#define AB_ACIDCHECK_H

#include <stdbool.h>
#include <stdint.h>
#include "history.h"

#define ACHK_NAMES_MAX 4
#define ACHK_TXNS_MAX 16

typedef struct acid_finding {
    char name[16];                        /* Adya's name: "G-single", "dirty-read", ... */
    int naliases;
    char aliases[ACHK_NAMES_MAX][24];     /* classic names: "read-skew", "lost-update" */
    int ntxns;
    uint64_t txns[ACHK_TXNS_MAX];         /* the transactions involved, cycle order */
    uint64_t seq;                         /* the history event that completed it */
    char *text;                           /* one or two sentences for a learner */
} acid_finding;

typedef struct acid_findings {
    int n, cap;
    acid_finding *v;
} acid_findings;

/* Runs the checker over the whole history. txn_label maps a transaction id to how the
 * learner knows it ("T1", or "T1#2" for the session's second transaction); it may be NULL
 * (then "txn 17"). Returns 0, or -1 when out of memory. */
typedef void (*achk_label_fn)(uint64_t txn, char *buf, size_t n, void *arg);
int acidcheck_run(const hist *h, achk_label_fn label, void *arg, acid_findings *out);
void acidcheck_free(acid_findings *f);

/* Does some finding have this name or alias (case-insensitive)? */
bool acidcheck_has(const acid_findings *f, const char *name);
/* Is name one the checker can report (for validating `expect anomaly NAME`)? */
bool acidcheck_known_name(const char *name);

#endif
