/*
 * merkle.h: a fixed-shape Merkle tree over key-hash ranges, for anti-entropy.
 *
 * Keys fall into MERKLE_LEAVES buckets by their hash (the top bits); a leaf's hash is the
 * XOR of mix(keyhash, statehash) over its keys, so adding, removing or changing one key
 * costs one XOR out and one XOR in, and the order keys arrived in does not matter. Above
 * the leaves sit MERKLE_FANOUT middle nodes and the root; a node's hash is a hash of its
 * children's. Two replicas holding the same keys in the same states have equal roots.
 *
 * merkle_diff() compares a local tree with a peer's leaves top-down, as the exchange does:
 * the root first (1 hash); if it differs, the middle nodes (MERKLE_FANOUT hashes); under
 * each differing middle node, its leaves. It reports the differing leaves and how many
 * hashes it compared, which the lab shows (lesson 16: "count what each ships").
 */
#ifndef AB_MERKLE_H
#define AB_MERKLE_H

#include <stdbool.h>
#include <stdint.h>

#define MERKLE_FANOUT 16
#define MERKLE_LEAVES (MERKLE_FANOUT * MERKLE_FANOUT)

typedef struct merkle {
    uint64_t leaf[MERKLE_LEAVES];
    uint64_t mid[MERKLE_FANOUT];
    uint64_t root;
    bool stale;              /* mid/root need recomputing */
    uint16_t dirty;          /* which mid nodes need it (bit j: mid[j]); all when stale alone */
} merkle;

void merkle_init(merkle *m);
int merkle_leaf_of(uint64_t keyhash);
/* XORs a key's (keyhash, statehash) into its leaf: call once to add, again to remove. */
void merkle_toggle(merkle *m, uint64_t keyhash, uint64_t statehash);
uint64_t merkle_root(merkle *m);
/* Differing leaves (ascending) into out (room for MERKLE_LEAVES); returns their count and
 * sets *compared to the number of hashes compared. */
int merkle_diff(merkle *local, const uint64_t remote_leaves[MERKLE_LEAVES], int *out, int *compared);

#endif
