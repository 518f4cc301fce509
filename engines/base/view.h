/*
 * view.h: a read-only view of the replica set, for the lab's screen and expectations.
 *
 * What the lab may know about the cluster without reaching into its structs: the replicas
 * (up or down, clock skew, writes coordinated, partition side), the keys each holds with
 * their versions (value, tombstone, set or counter state; dot, timestamp, context size),
 * sibling and tombstone counts and a state hash that is equal at two replicas exactly when
 * they hold the same versions; the links (cut, partitioned, delay, loss); the messages in
 * flight; the hints waiting at coordinators. Replicas are 1..cview_replicas().
 *
 * Looking never changes the cluster: every function takes a const cluster, and none
 * records an event, draws from a random stream or caches a hash (cview_converged hashes
 * its own copy of what a Merkle root would cache). Strings a view hands out (a key's name)
 * are the cluster's and valid until its next change.
 *
 * It does not say what happened (that is the history's) nor judge it (the checkers').
 */
#ifndef AB_VIEW_H
#define AB_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cluster.h"

typedef struct cview_replica_info {
    uint32_t id;
    bool up;
    int64_t skew;            /* clock offset in ticks */
    uint64_t writes;         /* writes coordinated here */
    uint32_t known;          /* keys it knows, holding versions or not (a purged key stays) */
    uint32_t keys;           /* keys holding at least one version */
    uint64_t versions;       /* versions kept, over all keys */
    uint32_t group;          /* partition group (equal for replicas that can talk) */
} cview_replica_info;

typedef struct cview_key_info {
    const char *key;
    uint32_t versions;       /* 2 or more: siblings */
    uint32_t tombstones;
    uint64_t state;          /* equal at two replicas exactly when they hold the same versions */
    dot only;                /* the dot of its version when it holds one, else none */
} cview_key_info;

typedef struct cview_version {
    uint8_t kind;            /* bver_kind */
    dot d;                   /* DOT_STATE_R for a merged CRDT state */
    int64_t ts;
    uint32_t context;        /* entries in its causal context */
    char text[BASE_VALUE_MAX * 4];   /* as a learner reads it: value, {a,b}, 3, (deleted) */
} cview_version;

typedef struct cview_link_info {
    bool up_from, up_to;     /* the two replicas */
    bool cut;                /* this direction is cut */
    bool reachable;          /* a message sent now would be delivered (not cut, same side, both up) */
    uint32_t delay, loss;    /* ticks; percent */
} cview_link_info;

typedef struct cview_msg {
    uint64_t seq, sent, due;
    uint32_t from, to;
    uint8_t type;            /* wire type (wire_type_name) */
    size_t len;
} cview_msg;

typedef struct cview_hint {
    uint32_t holder, target;
    char key[BASE_KEY_MAX + 1];
    dot d;
    bool delivered;
} cview_hint;

uint64_t cview_now(const cluster *c);
const base_cfg *cview_cfg(const cluster *c);
uint32_t cview_replicas(const cluster *c);
/* Replica r (1..n); false when there is none. */
bool cview_replica(const cluster *c, uint32_t r, cview_replica_info *out);
/* All up replicas hold the same versions of every key. */
bool cview_converged(const cluster *c);

/* The keys replica r knows, in the store's order, those it holds no version of any more
 * (a purged tombstone, a refused write) included: start *pos at 0; false at the end. */
bool cview_key_next(const cluster *c, uint32_t r, uint32_t *pos, cview_key_info *out);
/* One key at replica r: false (and *out zeroed) when r does not know it; true with
 * versions 0 when it knows it but holds nothing. */
bool cview_key(const cluster *c, uint32_t r, const char *key, cview_key_info *out);
/* What r holds for key as a learner reads it: "absent", a value, "a|b" for siblings,
 * "{a,b}", a count (replica.h, rep_format). Returns the length, as snprintf. */
int cview_key_text(const cluster *c, uint32_t r, const char *key, char *buf, size_t n);
/* Up to max of the versions r holds for key, into out; returns how many it holds. */
uint32_t cview_versions(const cluster *c, uint32_t r, const char *key, cview_version *out, uint32_t max);

/* The link a -> b (a != b). */
void cview_link(const cluster *c, uint32_t a, uint32_t b, cview_link_info *out);
/* Messages in flight, in delivery order. */
size_t cview_in_flight(const cluster *c);
typedef void (*cview_msg_fn)(const cview_msg *m, void *arg);
void cview_flight(const cluster *c, cview_msg_fn fn, void *arg);
/* Up to max hints, oldest first, into out; returns how many there are. */
size_t cview_hints(const cluster *c, cview_hint *out, size_t max);

#endif
