/*
 * merkle.c: the fixed-shape anti-entropy tree of merkle.h: 256 leaves, 16 middle nodes, a
 * root. It holds no keys, only hashes; the replica store toggles a key out and back in
 * whenever the key's state changes, and the exchange ships leaves.
 *
 * Invariants:
 *   M1  leaf[i] is the XOR of mix(keyhash, statehash) over the keys toggled in an odd
 *       number of times whose keyhash has top byte i (merkle_leaf_of). XOR makes it
 *       independent of order, and toggling a pair twice cancels it.
 *   M2  when !stale, mid[j] = node_hash(leaf[16j .. 16j+15], level 1) and
 *       root = node_hash(mid[0..15], level 2); when stale, that holds for every mid[j]
 *       whose bit in dirty is clear. merkle_diff derives a peer's nodes from its
 *       leaves with the same node_hash, so equal leaves always give equal nodes.
 * Leaves are not sparse: an empty leaf is 0 and still hashed into its middle node; with a
 * fixed 256 x 8 bytes that costs nothing worth saving. This module does not know keys, so
 * listing the keys of a differing leaf is the store's job.
 */
#include "merkle.h"
#include "version.h"

#include <stddef.h>
#include <string.h>

/* Distinct seeds, so a middle node never hashes like a root over the same bytes. */
#define SEED_PAIR 0x6d65726b6c657061ULL
#define SEED_MID 0x6d65726b6c656d31ULL
#define SEED_ROOT 0x6d65726b6c657232ULL

static void put64(unsigned char *b, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t mix(uint64_t keyhash, uint64_t statehash)
{
    unsigned char b[16];
    put64(b, keyhash);
    put64(b + 8, statehash);
    return base_hash(b, sizeof b, SEED_PAIR);
}

/* The hash of MERKLE_FANOUT child hashes, as little-endian bytes. */
static uint64_t node_hash(const uint64_t *child, uint64_t seed)
{
    unsigned char b[MERKLE_FANOUT * 8];
    for (int i = 0; i < MERKLE_FANOUT; i++)
        put64(b + 8 * i, child[i]);
    return base_hash(b, sizeof b, seed);
}

void merkle_init(merkle *m)
{
    memset(m, 0, sizeof *m);
    m->stale = true;
    m->dirty = 0xFFFF;
}

int merkle_leaf_of(uint64_t keyhash)
{
    return (int)(keyhash >> 56);
}

void merkle_toggle(merkle *m, uint64_t keyhash, uint64_t statehash)
{
    int leaf = merkle_leaf_of(keyhash);
    m->leaf[leaf] ^= mix(keyhash, statehash);
    m->stale = true;
    m->dirty |= (uint16_t)(1u << (leaf / MERKLE_FANOUT));
}

/* Performance: only the middle nodes over changed leaves are hashed again (a gossip round
 * changes a key or two per replica, and every exchange asks for the root). Same hashes as
 * recomputing all of them (M2). */
uint64_t merkle_root(merkle *m)
{
    if (m->stale) {
        for (int j = 0; j < MERKLE_FANOUT; j++)
            if (m->dirty & (1u << j))
                m->mid[j] = node_hash(m->leaf + j * MERKLE_FANOUT, SEED_MID);
        m->root = node_hash(m->mid, SEED_ROOT);
        m->stale = false;
        m->dirty = 0;
    }
    return m->root;
}

int merkle_diff(merkle *local, const uint64_t remote_leaves[MERKLE_LEAVES], int *out, int *compared)
{
    uint64_t rmid[MERKLE_FANOUT], rroot;
    int cmp = 1, n = 0;
    /* Performance: equal leaves make equal nodes (M2), so the peer's root equals ours and
     * only the root is compared; this skips hashing the peer's 256 leaves, which most
     * exchanges of a converging cluster would do for nothing. Same result either way. */
    if (memcmp(local->leaf, remote_leaves, sizeof local->leaf) == 0) {
        if (compared)
            *compared = cmp;
        return 0;
    }
    /* The peer's middle nodes: where a group of leaves equals ours, so does its node (M2),
     * and only the groups that differ are hashed. */
    uint64_t lroot = merkle_root(local);
    for (int j = 0; j < MERKLE_FANOUT; j++) {
        const uint64_t *r = remote_leaves + j * MERKLE_FANOUT;
        rmid[j] = memcmp(local->leaf + j * MERKLE_FANOUT, r, MERKLE_FANOUT * sizeof *r) == 0
                      ? local->mid[j] : node_hash(r, SEED_MID);
    }
    rroot = node_hash(rmid, SEED_ROOT);
    if (lroot != rroot) {
        cmp += MERKLE_FANOUT;
        for (int j = 0; j < MERKLE_FANOUT; j++) {
            if (local->mid[j] == rmid[j])
                continue;
            cmp += MERKLE_FANOUT;
            for (int i = j * MERKLE_FANOUT; i < (j + 1) * MERKLE_FANOUT; i++)
                if (local->leaf[i] != remote_leaves[i]) {
                    if (out)
                        out[n] = i;
                    n++;
                }
        }
    }
    if (compared)
        *compared = cmp;
    return n;
}
