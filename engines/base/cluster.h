/*
 * cluster.h: the replica set. N replicas (replica.h) talking only through the simulated
 * network (net.h) in encoded messages (wire.h); coordinators for client requests; hinted
 * handoff, read repair, Merkle anti-entropy gossip and tombstone purge; logical time.
 *
 * Requests. The replica named as actor coordinates. A write is applied to its own store
 * at once (that is its first ack), then sent to every other replica; it answers ok once W
 * replicas have acked, or `unavailable` when the timeout passes first, and stays wherever
 * it arrived. Copies that got no ack by the timeout become hints at the coordinator,
 * resent every gossip interval until acked. A read asks R replicas, the coordinator first
 * and then the next ones in ring order that it can reach (n2 asks n2, n3, n1 for R=3; with
 * n3 unreachable, R=2 asks n2 and n1), and answers with the merge of their replies; with read repair on, replies that were behind get the merged
 * state. ADD/REMOVE/INCR are CRDT operations under `crdt`, otherwise a read-modify-write
 * of the whole value at the coordinator (sets union their siblings, counters take the
 * largest).
 *
 * Request ids. A write may carry a request id (`INCR views 1 id=r17`): the client's name
 * for one logical request, the same on every retry of it. Each replica remembers the ids
 * of the writes it has applied, with the key and the dot of the version the first
 * application made: the coordinator when it applies one, and every replica a copy of the
 * request reaches (WRITE messages and hints carry the id). A write whose id its
 * coordinator remembers is not applied again: the coordinator sends what it holds for the
 * key to the others, with the id, so a replica the first attempt missed learns it too, and
 * answers as for any write (ok after W acks, else unavailable), naming the first
 * application's dot (base_answer.deduped). An id reused for another key is refused. Known
 * limits: an id travels only with its request's copies, not with gossip or read repair, so
 * a replica that received the data some other way, or never, applies a retry coordinated
 * there again; and a cluster remembers at most CLUSTER_RIDS_MAX ids (later ones are
 * applied, not remembered).
 *
 * Time moves only in cluster_tick: messages due are delivered (in net order), then
 * timers fire in a fixed order: request timeouts, hint retries and background gossip
 * (both every gossip interval), exchange deadlines, tombstone purges (every tombstone a
 * replica stores, however it arrived, is purged at its timestamp's clock + grace). Per tick the work is
 * proportional to what happens (messages, timers due), plus O(N) for gossip starts on
 * gossip ticks; nothing is quadratic in N.
 *
 * Gossip exchange A -> B: the two Merkle trees (merkle.h) are compared top-down, one level
 * per message, so that what travels follows the differences, not the size of the tree:
 *   ROOT       A -> B  A's root hash. Equal to B's: B answers with an empty KEYS (nothing
 *                      differs, 1 hash compared) and the exchange is over: two messages.
 *   MIDS       B -> A  B's 16 middle hashes; A compares them with its own.
 *   LEAVES     A -> B  A's 16 leaves under each middle node that differs (none differ any
 *                      more, after a change at A: the exchange is over).
 *   KEYS       B -> A  the leaves that differ, B's keys in them with their state hashes,
 *                      and how many hashes B compared.
 *   PUSH       A -> B  A's versions of the keys that differ, and the keys A wants (not
 *                      sent when there are neither: the exchange ends at KEYS).
 *   PUSH_BACK  B -> A  B's versions of those (when A wants any; else it ends at PUSH).
 * Both sides merge what they receive; only differing keys travel. Hashes compared count
 * 1 (the roots), + 16 (the middle nodes), + 16 per middle node that differs. An exchange
 * not over after six times the longest link delay plus the timeout is abandoned.
 */
#ifndef AB_CLUSTER_H
#define AB_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>
#include "net.h"
#include "replica.h"
#include "history/history.h"

/* Replica numbers stay below DOT_STATE_R (version.h), which marks merged CRDT states, so a
 * packed dot never has its top bit set. */
#define CLUSTER_MAX 32766
#define CLUSTER_RIDS_MAX 65536   /* request ids remembered, over all replicas */

typedef struct base_cfg {
    uint32_t n;
    base_resolve resolve;
    uint64_t seed;
    bool gossip;
    uint32_t interval;       /* gossip and hint retry interval, ticks */
    bool read_repair;
    bool hinted_handoff;
    uint32_t grace;          /* ticks a tombstone is kept, from its timestamp (0: forever) */
    uint32_t timeout;        /* ticks a coordinator waits */
    bool hlc;                /* LWW timestamps from hybrid logical clocks (cluster: clock hlc) */
} base_cfg;

void base_cfg_default(base_cfg *c);   /* 3 replicas, lww, seed 0, gossip on every 5, ... */

/* Same numbering as the scenario language's client operations. */
typedef enum { BREQ_PUT = 1, BREQ_GET, BREQ_DEL, BREQ_ADD, BREQ_REMOVE, BREQ_INCR } base_op;
typedef enum { BQ_DEFAULT = 0, BQ_ONE, BQ_QUORUM, BQ_ALL, BQ_NUM } base_q;

typedef struct base_req {
    base_op op;
    char key[BASE_KEY_MAX + 1];
    char value[BASE_VALUE_MAX + 1];   /* PUT value, ADD/REMOVE element */
    int64_t delta;                    /* INCR */
    base_q q;
    uint32_t qn;                      /* when q == BQ_NUM */
    char client[32];                  /* "" for none */
    char rid[BASE_RID_MAX + 1];       /* a write's request id, "" none ("Request ids" above) */
    char text[160];                   /* the statement as written, for the history */
} base_req;

typedef struct base_answer {
    bool done;
    bool ok;
    bool error;                       /* refused (wrong CRDT kind): text says why */
    char text[512];                   /* "ok", "unavailable", the value read, or the error */
    uint32_t needed, counted;
    char counted_by[256];             /* "n1, n3" */
    uint64_t invoked, answered;       /* ticks */
    dot made;                         /* writes: the new version's dot (deduped: the first's) */
    bool deduped;                     /* its request id had been applied at the coordinator:
                                         not applied again */
} base_answer;

typedef struct cluster cluster;

cluster *cluster_new(const base_cfg *cfg, hist *h);
void cluster_free(cluster *c);
const base_cfg *cluster_cfg(const cluster *c);
uint32_t cluster_size(const cluster *c);
uint64_t cluster_now(const cluster *c);

/* Settings that may change mid-run (replica count and seed may not, once started). */
void cluster_set_resolve(cluster *c, base_resolve r);
void cluster_set_gossip(cluster *c, bool on);
void cluster_set_interval(cluster *c, uint32_t ticks);
void cluster_set_read_repair(cluster *c, bool on);
void cluster_set_hinted_handoff(cluster *c, bool on);
void cluster_set_grace(cluster *c, uint32_t ticks);
void cluster_set_timeout(cluster *c, uint32_t ticks);
void cluster_set_skew(cluster *c, uint32_t r, int64_t ticks);
void cluster_set_clock(cluster *c, bool hlc);

/* Network and failures; each records a NET_CHANGE / NODE_DOWN / NODE_UP event. */
void cluster_cut(cluster *c, uint32_t a, uint32_t b, bool one_way);
void cluster_partition(cluster *c, const uint32_t *group);   /* group[1..n] */
void cluster_heal(cluster *c, uint32_t a, uint32_t b);       /* 0, 0: everything */
void cluster_delay(cluster *c, uint32_t a, uint32_t b, uint32_t ticks);
void cluster_loss(cluster *c, uint32_t a, uint32_t b, uint32_t pct);
void cluster_down(cluster *c, uint32_t r);
void cluster_up(cluster *c, uint32_t r);
bool cluster_is_up(const cluster *c, uint32_t r);

/* A client request at coordinator coord. Returns its id; the answer may already be there
 * (a local write with W=1, a read with R=1). */
uint64_t cluster_submit(cluster *c, uint32_t coord, const base_req *req);
bool cluster_answer(const cluster *c, uint64_t id, base_answer *out);
/* Quorum size for a request's q on this cluster, or 0 if it cannot be met (k > n). */
uint32_t cluster_quorum(const cluster *c, base_q q, uint32_t qn);

typedef struct tick_report {
    uint64_t delivered, dropped, gossip_exchanges, hints_delivered, purged, repairs;
} tick_report;

/* Advances one tick; adds what happened to *rep (may be NULL). */
void cluster_tick(cluster *c, tick_report *rep);

typedef struct gossip_report {
    uint32_t exchanges, completed;
    uint64_t hashes_compared, keys_shipped;
    uint64_t messages, bytes;         /* sent by the round's exchanges, both ways */
    uint64_t ticks;
} gossip_report;
/* One round: every up replica starts an exchange with a random reachable peer; ticks
 * until all of them completed or were abandoned. */
void cluster_gossip_round(cluster *c, gossip_report *rep);

/* Ticks until nothing is in flight and every group of mutually reachable up replicas
 * agrees, or max ticks pass. Once every group agrees, no new gossip exchange starts while
 * it waits for what is in flight (an exchange could only confirm the agreement; with a
 * gossip interval of 2 or less exchanges would otherwise overlap for ever). Returns true
 * if it converged; *ticks = ticks taken. */
bool cluster_settle(cluster *c, uint64_t max, uint64_t *ticks);

/* All up replicas hold identical data. */
bool cluster_converged(cluster *c);
/* What replica r stores for key, as a learner reads it ("absent" when nothing). */
int cluster_stored(cluster *c, uint32_t r, const char *key, char *buf, size_t n);
replica *cluster_replica(cluster *c, uint32_t r);
net *cluster_net(cluster *c);
size_t cluster_in_flight(const cluster *c);
uint64_t cluster_last_write_tick(const cluster *c);

/* For view.c, which the lab reads the cluster through (view.h): read-only access. */
const replica *cluster_replica_ro(const cluster *c, uint32_t r);
const net *cluster_net_ro(const cluster *c);
size_t cluster_hint_count(const cluster *c);
/* Hint i (0 = oldest): false when there is none. */
bool cluster_hint_at(const cluster *c, size_t i, uint32_t *holder, uint32_t *target,
                     const char **key, dot *d, bool *delivered);

#endif
