/*
 * replica.h: one replica's store. Per key, the versions it keeps (version.h), kept under
 * one of three policies over the same data:
 *
 *   lww       one version per key: of two, the greater (timestamp, replica) wins, whether
 *             or not it saw the other. A concurrent write can vanish (a lost write).
 *   siblings  every version no other version descends from; a write at this replica
 *             supersedes everything it holds for the key (its context covers them all),
 *             so concurrent writes elsewhere come back as siblings.
 *   crdt      ADD/REMOVE: one observed-remove set state per key; INCR: one PN-counter
 *             state per key; both merged on every exchange, so nothing is lost. PUT and
 *             DEL on a crdt key behave as under siblings (a multi-value register).
 *
 * Every change is reported (VERSION_STORE, VERSION_DISCARD, SIBLINGS, PURGE) and kept in
 * the replica's Merkle tree, so two replicas compare their whole state with one hash.
 *
 * A tombstone past its grace period is not taken in from a peer (that peer has simply not
 * purged it yet); otherwise a purged tombstone would come back and be purged again
 * forever.
 *
 * Invariants:
 *   R1. Under lww a key holds at most one version; under siblings no kept version
 *       descends from another kept version.
 *   R2. The Merkle tree holds exactly (keyhash, statehash) of every key with versions.
 */
#ifndef AB_REPLICA_H
#define AB_REPLICA_H

#include <stdbool.h>
#include <stdint.h>
#include "merkle.h"
#include "version.h"
#include "history/history.h"

typedef enum { RES_LWW = 1, RES_SIBLINGS = 2, RES_CRDT = 3 } base_resolve;

typedef struct bkey {
    char key[BASE_KEY_MAX + 1];
    uint64_t khash;
    uint64_t shash;          /* hash of the versions (order-independent) */
    uint32_t nv, cap;
    bversion *v;
} bkey;

typedef struct replica {
    uint32_t id;
    bkey *keys;              /* open addressing on khash; key[0] == 0 marks empty */
    uint32_t nkeys, capkeys;
    merkle tree;
    uint64_t counter;        /* dots of writes coordinated here */
    int64_t skew;            /* clock offset in ticks */
    int64_t last_ts;         /* the last LWW timestamp issued (kept increasing) */
} replica;

typedef struct rep_ctx {     /* what a change needs to know about the world */
    hist *h;
    uint64_t now;
    base_resolve resolve;
    uint32_t grace;          /* tombstone grace period in ticks (0: forever) */
} rep_ctx;

/* 0, or -1 out of memory (rep_free is still safe). */
int rep_init(replica *r, uint32_t id);
void rep_free(replica *r);

bkey *rep_find(replica *r, const char *key);
/* Iterates keys: returns the next used slot after *pos (start with 0), or NULL. */
bkey *rep_next(replica *r, uint32_t *pos);

/* A write coordinated here. For PUT/DEL value is the new value (NULL for DEL); for ADD,
 * REMOVE and INCR under crdt the op changes the key's CRDT state; under lww/siblings they
 * are read-modify-writes of the value text done by the caller, who passes the new value.
 * On success *made is the new write's dot. Returns 0, -1 out of memory, or -2 when the
 * key holds another kind of CRDT (msg says which). */
typedef enum { ROP_PUT = 1, ROP_DEL, ROP_ADD, ROP_REMOVE, ROP_INCR } rep_op;
int rep_write(replica *r, const rep_ctx *c, rep_op op, const char *key, const char *value,
              int64_t delta, dot *made, char *msg, size_t msglen);

/* Merges a version that arrived from elsewhere. Returns 1 if the store changed, 0 if not,
 * -1 out of memory. */
int rep_merge(replica *r, const rep_ctx *c, const char *key, const bversion *in);

/* Removes the key's tombstones whose grace has run out (timestamp + grace <= now): the
 * grace counts from the tombstone's own timestamp, which travels with it, so every
 * replica purges it at the same time. Returns how many; *left gets how many remain. */
int rep_purge(replica *r, const rep_ctx *c, const char *key, int *left);

/* The key's state as a learner reads it: "absent", a value, "a|b" for siblings (sorted;
 * every sibling, so "101|101" and "(deleted)|apple" happen), "{a,b}" for a set, a number
 * for a counter. */
int rep_format(const bkey *k, char *buf, size_t n);
/* Merges a list of versions under a policy into out (as a GET merges replies). */
int rep_merge_list(base_resolve res, const bversion *in, uint32_t n, bkey *out);
void bkey_free(bkey *k);

/* The context a write here would carry: everything the replica holds for the key. */
int rep_context(const bkey *k, vv *ctx);

#endif
