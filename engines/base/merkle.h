/*
 * merkle.h: a fixed-shape Merkle tree over key-hash ranges, for anti-entropy.
 *
 * Keys fall into MERKLE_LEAVES buckets by their hash (the top bits); a leaf's hash is the
 * XOR of mix(keyhash, statehash) over its keys, so adding, removing or changing one key
 * costs one XOR out and one XOR in, and the order keys arrived in does not matter. Above
 * the leaves sit MERKLE_FANOUT middle nodes and the root; a node's hash is a hash of its
 * children's. Two replicas holding the same keys in the same states have equal roots.
 *
 * Two trees are compared top-down, one level at a time, as the gossip exchange ships them
 * (cluster.h): the roots (1 hash); if they differ, the middle nodes (MERKLE_FANOUT
 * hashes, merkle_diff_mids); under each differing middle node, its MERKLE_FANOUT leaves
 * (merkle_diff_leaves). merkle_diff does all three levels at once against a peer's whole
 * leaf array (tests, and anything holding both trees) and counts the hashes compared the
 * same way, which the lab shows (lesson 16: "count what each ships").
 */
#ifndef AB_MERKLE_H
#define AB_MERKLE_H

#include <stdbool.h>
#include <stdint.h>

#define MERKLE_FANOUT 16
#define MERKLE_LEAVES (MERKLE_FANOUT * MERKLE_FANOUT)

/* The nodes below the root live in their own allocation, so that the root, which the
 * first step of every exchange reads, keeps a replica small; and the leaves come in groups
 * of MERKLE_FANOUT (the children of one middle node), each allocated when a key first
 * falls in it, a missing group being all zero. Performance: with every node inline a
 * replica took 2.2 KiB, and a cluster of ten thousand spread its trees over 22 MB, where
 * nearly every read of a leaf missed the cache and the TLB; a replica holding a few keys
 * now has 256 bytes of nodes and 128 per group in use. */
typedef struct merkle {
    uint64_t root;
    bool stale;              /* mid/root need recomputing */
    uint16_t dirty;          /* which mid nodes need it (bit j: mid[j]); all when stale alone */
    uint64_t *mid;           /* MERKLE_FANOUT of them; the group pointers follow */
    uint64_t **group;        /* group[j]: the MERKLE_FANOUT leaves under mid[j], or NULL (all 0) */
} merkle;

/* An empty tree; 0, or -1 out of memory (then nothing is allocated). */
int merkle_init(merkle *m);
void merkle_free(merkle *m);
/* Makes room for the leaf of a key: 0, or -1 out of memory. The store calls it when it
 * adds a key, so that merkle_toggle, which needs the room, cannot fail. */
int merkle_reserve(merkle *m, uint64_t keyhash);
/* The MERKLE_FANOUT leaves under middle node j (zeros when none was ever set). */
const uint64_t *merkle_group(const merkle *m, int j);
/* All the leaves, in order, into out. */
void merkle_leaves(const merkle *m, uint64_t out[MERKLE_LEAVES]);
int merkle_leaf_of(uint64_t keyhash);
/* XORs a key's (keyhash, statehash) into its leaf: call once to add, again to remove.
 * The room for the leaf is made here when merkle_reserve did not make it; if that fails
 * the program stops (abort), since the tree would no longer tell the data. */
void merkle_toggle(merkle *m, uint64_t keyhash, uint64_t statehash);
uint64_t merkle_root(merkle *m);
/* The root merkle_root would return, computed without updating the tree (for readers that
 * must not change it, as the lab's view). */
uint64_t merkle_root_peek(const merkle *m);
/* The middle nodes, brought up to date (MERKLE_FANOUT of them). */
const uint64_t *merkle_mids(merkle *m);
/* Which of a peer's middle nodes differ from ours: bit j for mid[j]. Compares
 * MERKLE_FANOUT hashes. */
uint16_t merkle_diff_mids(merkle *local, const uint64_t remote_mids[MERKLE_FANOUT]);
/* A peer's leaves under the middle nodes in mask (MERKLE_FANOUT per set bit, in ascending
 * node order) against ours: the differing leaf indexes, ascending, into out (room for
 * MERKLE_LEAVES); returns their count. Compares MERKLE_FANOUT hashes per set bit. */
int merkle_diff_leaves(const merkle *local, uint16_t mask, const uint64_t *remote_leaves, int *out);
/* Differing leaves (ascending) into out (room for MERKLE_LEAVES); returns their count and
 * sets *compared to the number of hashes compared: 1 when the roots are equal, else
 * 1 + MERKLE_FANOUT + MERKLE_FANOUT per differing middle node. */
int merkle_diff(merkle *local, const uint64_t remote_leaves[MERKLE_LEAVES], int *out, int *compared);

#endif
