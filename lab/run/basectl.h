/*
 * basectl.h: the BASE side of a scenario run. Turns cluster:, net:, run: and client lines
 * into calls on the replica set, hands their transcript records to a sink (record.h), and
 * answers the BASE expectations (what a replica stores, what a read returned, converged,
 * settled).
 *
 * The cluster is created at the first line that needs it, from the `cluster:` settings
 * seen so far; `replicas` and `seed` cannot change after that. Expectations read the
 * cluster through its read-only view (base/view.h).
 */
#ifndef AB_BASECTL_H
#define AB_BASECTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include "record.h"
#include "scenario.h"
#include "base/cluster.h"
#include "history/history.h"

typedef struct basectl basectl;

/* seed: the seed used unless the scenario says `cluster: seed` (then the scenario's wins,
 * so a trace replays with the seed it recorded). */
basectl *basectl_new(hist *h, uint64_t seed);
void basectl_free(basectl *b);

/* One cluster:, net:, run: or client line; its transcript records go to out (record.h;
 * NULL drops them). Returns 0, or -1 when
 * the line is invalid here (msg and *col say why and where). */
int basectl_line(basectl *b, const scn_line *l, const run_sink *out, char *msg, size_t n, int *col);

/* A BASE expectation (EX_STORES, EX_READ, EX_WRITE, EX_CONVERGED, EX_DIVERGED,
 * EX_SETTLED): 1 held, 0 failed (why says what was found), -1 invalid (why says). The
 * checkers' expectations (stale-reads, anomalies) are the runner's: it asks findings.h. */
int basectl_expect(basectl *b, const scn_line *l, char *why, size_t n);

cluster *basectl_cluster(basectl *b);        /* NULL until started */
uint64_t basectl_seed(const basectl *b);

#endif
