/*
 * acidcheck.h: the ACID history checker. Reads the events of a history, builds Adya's
 * direct serialization graph ("Weak Consistency", 1999) and reports the anomalies it finds,
 * in words a learner can follow. It can be run over a whole history at once, or kept and
 * fed each step's new events: a step costs what the step added, not the whole history.
 *
 * Input (see history.h): TXN_BEGIN/COMMIT/ABORT/LOST, WRITE, UNDO, READ, PREAD, in history
 * order. Versions are ids; a version that no WRITE in the history created is part of the
 * initial state (written by "T0", committed before everything). A transaction's label
 * ("T1", "T1#2" for its session's second) comes from its TXN_BEGIN event.
 *
 * Definitions, over committed transactions and installed versions (a committed
 * transaction's last write of a key installs it; the others never are):
 *   version order of a key: the order in which its versions were installed. Every
 *     isolation level of the engine holds write locks to the end, so that is commit order,
 *     and also the order in which the versions overwrote each other.
 *   version set of a predicate read: a version of every key of its table: the one it
 *     evaluated for every row it examined (matched or not, deleted rows included), and for
 *     a key it found no row for, the state the key was in (a deletion, or unborn).
 *   changes the matches: version x does when the predicate matches x but not the version
 *     before it in the order, or the other way round (an unborn or deleted key matches
 *     nothing).
 *   ww  Ti -> Tj: Tj installs the version right after Ti's.
 *   wr  Ti -> Tj: Tj read a version Ti installed (an item read: READ, a row a predicate
 *       read matched, or a duplicate key an INSERT ran into), or Ti installed a version in
 *       Tj's predicate read's version set, or one before it, that changes the matches.
 *   rw  Ti -> Tj: Ti read a version and Tj installed the next one (item), or Tj installed
 *       a later version than the one in Ti's version set that changes the matches
 *       (predicate).
 *   No edge joins a transaction to itself; reading one's own write makes no wr edge.
 * Findings, each under the most specific name that applies (a finding belongs to every
 * class that contains it: acidcheck_has answers for the classes too):
 *   G0        a cycle of ww edges (dirty-write); also G1c and G1
 *   G1a       a committed Tj read a version (maybe via a predicate: in its version set)
 *             written by Ti, which aborted (aborted-read)
 *   G1b       a committed Tj read a version (maybe via a predicate) that was not its
 *             committed writer's last write of the key (intermediate-read)
 *   G1c       a cycle of ww and wr edges; G1 names G1a, G1b and G1c
 *   G-single  a cycle with exactly one rw edge (read-skew); its forms are named too:
 *             lost-update (the rw and a ww edge on the same key), non-repeatable-read (the
 *             rw and a wr edge on the same key, item reads), phantom (the rw edge is a
 *             predicate's); also G2, and G2-item when the rw edge is on an item
 *   G2-item   a cycle with one or more rw edges, all on items; write-skew names the form
 *             with two or more; also G2
 *   G2        a cycle with one or more rw edges
 *   dirty-read  a read saw a version whose writer had not committed at that moment (for a
 *             predicate read: any version in its version set)
 * Reading a version that is not installed makes no edge: it is G1a or G1b. A transaction
 * whose commit was lost in a crash (TXN_LOST) counts as aborted: the checker then works the
 * history out again from the start, knowing it (the one step that costs a full run).
 * Each distinct cycle (as a set of transactions and a name) is reported once; each dirty,
 * aborted or intermediate read once per (reader, version).
 *
 * Known limits:
 *   - Cycles are looked for when a commit closes them, through that commit's edges; a
 *     cycle has at least one, so none is missed, but the one shown is the shortest through
 *     them. Each name stops at 1,000 findings, and one commit's search at a budget.
 *   - A version written before another one already installed (possible only without write
 *     locks: a hand-made history) is placed where it was written, with its ww edges; the
 *     reads and predicates around it keep the edges they had.
 *   - Of the versions that change a predicate's matches, the edges drawn are to the first
 *     after the version read (not the reader's own) and from the last at or before it; the
 *     others follow through ww edges, so every cycle keeps its class.
 *   - For a key a predicate read did not list, the version in its set is the one the store
 *     held when the read's event was recorded (its latest write not undone by then). A
 *     statement that blocked and resumed evaluated some keys earlier than that.
 *   - A predicate that names no keys is evaluated on every key its table ever had: such a
 *     read costs the table's deleted keys too.
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
    uint32_t classes;                     /* the classes it belongs to (acidcheck_has) */
    char *text;                           /* one or two sentences for a learner */
} acid_finding;

typedef struct acid_findings {
    int n, cap;
    acid_finding *v;
} acid_findings;

/* How a transaction with no session in the history is known (a hand-made history); without
 * it, "txn 17". Transactions of sessions are labelled from their TXN_BEGIN events. */
typedef void (*achk_label_fn)(uint64_t txn, char *buf, size_t n, void *arg);

/* Incremental checking. A checker keeps what it has read of one history:
 *   acidcheck_new       an empty checker (NULL when out of memory);
 *   acidcheck_update    reads the events appended to h since the last call (the first call
 *                       reads them all); 0, or -1 out of memory (the checker is then empty
 *                       and the next call starts again);
 *   acidcheck_findings  the findings of every event read so far, in the order they were
 *                       completed; valid until the next update or close;
 *   acidcheck_close     frees it.
 * A step costs in proportion to the events it added and the part of the graph they touch
 * (the transactions that ran beside the ones that committed), not to the whole history;
 * the findings after any update equal those of acidcheck_run over the same events. */
typedef struct acid_checker acid_checker;
acid_checker *acidcheck_new(void);
void acidcheck_set_label(acid_checker *k, achk_label_fn label, void *arg);
int acidcheck_update(acid_checker *k, const hist *h);
const acid_findings *acidcheck_findings(const acid_checker *k);
void acidcheck_close(acid_checker *k);

/* The whole history at once (new, update, findings, close): out gets its own copy, freed
 * with acidcheck_free. Returns 0, or -1 when out of memory. */
int acidcheck_run(const hist *h, achk_label_fn label, void *arg, acid_findings *out);
void acidcheck_free(acid_findings *f);

/* Does some finding have this name or alias (case-insensitive)? */
bool acidcheck_has(const acid_findings *f, const char *name);
/* Is name one the checker can report (for validating `expect anomaly NAME`)? */
bool acidcheck_known_name(const char *name);

#endif
