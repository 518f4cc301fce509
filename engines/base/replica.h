/*
 * replica.h: one replica's store. Per key, the versions it keeps (version.h), kept under
 * one of three policies over the same data:
 *
 *   lww       one version per key: of two, the greater (timestamp, replica) wins, whether
 *             or not it saw the other. A concurrent write can vanish (a lost write).
 *   siblings  every version no other version descends from; a write at this replica
 *             supersedes everything it holds for the key (its context covers them all),
 *             so concurrent writes elsewhere come back as siblings.
 *   crdt      ADD/REMOVE: one observed-remove set state per key; INCR: one causal counter
 *             (PN-counter) state per key; states of one kind merge by their causal join
 *             (version.h), so nothing concurrent is lost. PUT and DEL behave as under
 *             siblings (a multi-value register): a write at a replica supersedes everything
 *             that replica holds for the key, sets and counters included. So:
 *               - a DEL on a set or counter resets it: what it saw is gone, and adds or
 *                 increments made concurrently with it survive (a tombstone that meets a
 *                 concurrent state is absorbed into it by the causal join, add-wins);
 *               - a PUT and a concurrent ADD or INCR come back as siblings
 *                 ("apple|{pear}"), which a later PUT or DEL at a replica holding them
 *                 resolves, as under siblings;
 *               - ADD/REMOVE on a key holding a value or a counter, INCR on one holding a
 *                 value or a set, are refused (rep_write returns -2 and says why); the
 *                 refusal writes nothing anywhere.
 *
 * Every change is reported (VERSION_STORE, VERSION_DISCARD, SIBLINGS, PURGE) and kept in
 * the replica's Merkle tree, so two replicas compare their whole state with one hash.
 *
 * Tombstones: a tombstone's grace counts from its own timestamp's clock (the deleting
 * coordinator's clock, which travels with it, as Cassandra's local deletion time does), so
 * every replica holding it purges it at the same tick. A tombstone past its grace period is
 * not taken in from a peer (that peer has simply not purged it yet); otherwise a purged
 * tombstone would come back and be purged again forever. Every tombstone stored is reported
 * to rep_ctx.tomb, so that the caller can purge it when it is due.
 *
 * Purged tombstones are remembered as context: under siblings and crdt, a replica adds to
 * the key's `gone` what each tombstone it purges had seen (and the tombstone itself), and
 * its later writes to the key carry it. They come after the delete the replica forgot, so
 * they are causally later than it; without this a later write's dot, covering its
 * replica's earlier dots, would claim the purged versions without carrying their context
 * (the vnode problem Riak's key epochs address). Merging ignores `gone`: a deleted value
 * that arrives after the purge is taken in (lesson 17's resurrection). Under lww nothing
 * is remembered (contexts play no part in lww).
 *
 * Clocks: rep_write stamps a write with max(the replica's clock reading, the last
 * timestamp it issued + 1) (version.h); under rep_ctx.hlc the replica also moves its last
 * timestamp up to every timestamp it merges (rep_merge) or is shown (rep_observe).
 *
 * Invariants:
 *   R1. Under lww a key holds at most one version; under siblings and crdt no kept
 *       version descends from another kept version.
 *   R2. The Merkle tree holds exactly (keyhash, statehash) of every key with versions.
 *   R3. Under crdt a key holds at most one state of each kind, and never a tombstone
 *       beside a state (it was absorbed).
 *   R4. A key that goes from one version or none to two or more, or back, reports a
 *       SIBLINGS event (n0 = the versions now kept), whatever changed it.
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
    vv gone;                 /* what the tombstones purged here had seen (siblings, crdt) */
} bkey;

typedef struct replica {
    uint32_t id;
    bkey *keys;              /* open addressing on khash; key[0] == 0 marks empty */
    uint32_t nkeys, capkeys;
    merkle tree;
    uint64_t counter;        /* dots of writes coordinated here */
    int64_t skew;            /* clock offset in ticks */
    int64_t last_ts;         /* the last LWW timestamp issued (hlc: or seen) */
    uint32_t nv_before;      /* versions the key being changed held before the change */
} replica;

/* A tombstone was stored at replica r for key; ts is its timestamp. */
typedef void (*rep_tomb_fn)(void *arg, uint32_t r, const char *key, int64_t ts);

typedef struct rep_ctx {     /* what a change needs to know about the world */
    hist *h;
    uint64_t now;
    base_resolve resolve;
    uint32_t grace;          /* tombstone grace period in ticks (0: forever) */
    bool hlc;                /* hybrid logical clocks (cluster: clock hlc) */
    rep_tomb_fn tomb;        /* may be NULL */
    void *arg;
} rep_ctx;

/* 0, or -1 out of memory (rep_free is still safe). */
int rep_init(replica *r, uint32_t id);
void rep_free(replica *r);

bkey *rep_find(replica *r, const char *key);
/* Iterates keys: returns the next used slot after *pos (start with 0), or NULL. */
bkey *rep_next(replica *r, uint32_t *pos);
/* The same for readers (view.c). */
const bkey *rep_lookup(const replica *r, const char *key);
const bkey *rep_each(const replica *r, uint32_t *pos);

/* A write coordinated here. For PUT/DEL value is the new value (NULL for DEL); for ADD,
 * REMOVE and INCR under crdt the op changes the key's CRDT state; under lww/siblings they
 * are read-modify-writes of the value text done by the caller, who passes the new value.
 * On success *made is the new write's dot. Returns 0, -1 out of memory, or -2 when the
 * operation is refused: the key holds a value or another kind of CRDT (msg says what, and
 * what would resolve it). */
typedef enum { ROP_PUT = 1, ROP_DEL, ROP_ADD, ROP_REMOVE, ROP_INCR } rep_op;
int rep_write(replica *r, const rep_ctx *c, rep_op op, const char *key, const char *value,
              int64_t delta, dot *made, char *msg, size_t msglen);

/* Merges a version that arrived from elsewhere. Returns 1 if the store changed, 0 if not,
 * -1 out of memory. */
int rep_merge(replica *r, const rep_ctx *c, const char *key, const bversion *in);

/* Under rep_ctx.hlc, moves the replica's clock past ts (a timestamp it was shown). */
void rep_observe(replica *r, const rep_ctx *c, int64_t ts);

/* True when v is a tombstone whose grace has run out: clock(ts) + grace <= now. */
bool rep_tomb_expired(const rep_ctx *c, const bversion *v);

/* Removes the key's tombstones whose grace has run out (rep_tomb_expired). Returns how
 * many; *left gets how many remain. */
int rep_purge(replica *r, const rep_ctx *c, const char *key, int *left);

/* The key's state as a learner reads it: "absent", a value, "a|b" for siblings (sorted;
 * every sibling, so "101|101" and "(deleted)|apple" happen), "{a,b}" for a set, a number
 * for a counter. */
int rep_format(const bkey *k, char *buf, size_t n);
/* Merges a list of versions under a policy into out (as a GET merges replies); out is
 * initialised here (free it with bkey_free). */
int rep_merge_list(base_resolve res, const bversion *in, uint32_t n, bkey *out);
void bkey_free(bkey *k);

/* The context a write here would carry: everything the replica holds for the key (and,
 * with gone, what its purged tombstones had seen). */
int rep_context(const bkey *k, bool gone, vv *ctx);

#endif
