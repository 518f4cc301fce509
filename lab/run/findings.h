/*
 * findings.h: what the history checkers find in a history, computed once per step and
 * shared by everyone who asks: the lab's findings pane, lesson goals (`expect anomaly` in a
 * goal), `acidbase run` (expectations and --trace), `check` and `grade`. They all read the
 * same findings of the same history through this module, so they cannot disagree.
 *
 * The checkers are one table in findings.c, a row per checker (today the ACID checker of
 * acidcheck.h and the BASE checker of basecheck.h), each row a small vtable:
 *
 *   name        "acid", "base": the `checker` field of a finding in a trace
 *   open        a new checker state for one history
 *   update      the history has grown: events [from, to) are new (from is 0 the first
 *               time). The labels of every transaction begun so far are in lb.
 *   report      appends the current findings, in the checker's order
 *   has, count  does some finding have this name or alias; how many
 *   known       can the checker report this name (validating `expect anomaly NAME`)
 *   name_at     the i-th name it can report, NULL past the last (for messages)
 *   close       frees the state
 *
 * Another checker is one more row there and nothing else anywhere. A checker that can work
 * incrementally (cost proportional to the new events) does so in its update; one that
 * cannot re-runs over the whole history there. Both are correct: the history only grows
 * (history.h, H2), so the findings of a history are a function of its events.
 *
 * Labels. A finding names transactions as the learner knows them ("T1", "T1#2" for the
 * session's second transaction, "setup"). The labels come from the history itself, its
 * TXN_BEGIN events, never from a live engine: a trace has no engine, and `check` must
 * read what the lab showed. When one transaction id begins twice (an engine that reuses
 * ids after a crash) the first begin names it, everywhere alike.
 *
 * Invariants:
 *   F1. findings_get returns the findings of the history's events at the moment of the
 *       call; two calls with no event added in between do no checker work at all.
 *   F2. A finding's text and labels depend only on the events, so the same history gives
 *       the same findings whoever asks (the lab, `check` over its trace, `grade`'s replay).
 *
 * Not here: running lines (runner.h), storing findings in a trace (trace.h stores the
 * finding_list as data), printing them (lab/cli/check.c).
 */
#ifndef AB_FINDINGS_H
#define AB_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "history/history.h"

/* One finding of a checker, the same shape for every checker. */
typedef struct finding {
    char *checker;      /* "acid", "base" */
    char *name;         /* "G-single", "stale-read" */
    char **aliases;     /* "read-skew", ... */
    int naliases;
    uint64_t *txns;     /* ACID: the transactions involved */
    int ntxns;
    uint64_t seq;       /* the event that completed it */
    int node;           /* BASE: the replica where it happened, 0 none */
    char *key;          /* BASE: the key, NULL none */
    char *client;       /* BASE: the client, NULL none */
    char *text;
} finding;

typedef struct finding_list { int n, cap; finding *v; } finding_list;

/* Appends a deep copy of x (NULL key and client stay NULL; a NULL checker, name or text
 * becomes ""). Returns 0, or -1 when out of memory. */
int finding_list_add(finding_list *f, const finding *x);
void finding_list_free(finding_list *f);
/* The first difference between two lists (a: recorded, b: recomputed), in words, as
 * "findings[0].text: the recorded G1a finding differs from the recomputed G1a"; false when
 * they are the same. */
bool finding_lists_differ(const finding_list *a, const finding_list *b, char *why, size_t n);

/* --- transaction labels from a history ------------------------------------------------------- */

typedef struct check_labels check_labels;
check_labels *check_labels_new(void);
void check_labels_free(check_labels *l);
/* Takes in the TXN_BEGIN events of h[from, to). Returns 0, or -1 when out of memory. */
int check_labels_update(check_labels *l, const hist *h, size_t from, size_t to);
/* How the learner knows txn: "T1", "T1#2", "setup", or "txn 17" for one never begun. The
 * signature is the checkers' label function's (acidcheck.h); labels is a check_labels. */
void check_label(uint64_t txn, char *buf, size_t n, void *labels);

/* --- the checkers ------------------------------------------------------------------------------ */

typedef struct checker_ops {
    const char *name;
    void *(*open)(void);
    int (*update)(void *st, const hist *h, size_t from, size_t to, const check_labels *lb);
    int (*report)(void *st, finding_list *out);
    bool (*has)(void *st, const char *name);
    int (*count)(void *st, const char *name);
    bool (*known)(const char *name);
    const char *(*name_at)(size_t i);
    void (*close)(void *st);
} checker_ops;

/* The checkers, in the order their findings are listed; NULL past the last. */
const checker_ops *findings_checker(size_t i);

/* --- the findings of one history --------------------------------------------------------------- */

typedef struct findings findings;

/* For h, which must outlive it. NULL when out of memory. */
findings *findings_new(const hist *h);
void findings_free(findings *f);

/* The findings of every event of the history now (F1). NULL when out of memory. The list
 * stays valid until the next call that updates (any findings_* call on f after an event
 * was added) or findings_free. */
const finding_list *findings_get(findings *f);
/* Does some finding have this name or alias (case-insensitive; "G1" also for G1a, G1b and
 * G1c, "G2" also for G2-item)? -1 when out of memory, else 0 or 1. */
int findings_has(findings *f, const char *name);
/* How many findings have this name or alias; -1 when out of memory. */
int findings_count(findings *f, const char *name);
/* How the history names a transaction (see Labels above). */
void findings_label(findings *f, uint64_t txn, char *buf, size_t n);

/* Can some checker report this name? */
bool findings_known_name(const char *name);
/* Every name the checkers can report, "G0, G1a, ... or sibling", from their own tables. */
void findings_names(char *buf, size_t n);

#endif
