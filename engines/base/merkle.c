/*
 * merkle.c: the fixed-shape anti-entropy tree of merkle.h: 256 leaves, 16 middle nodes, a
 * root. It holds no keys, only hashes; the replica store toggles a key out and back in
 * whenever the key's state changes, and the exchange ships the tree a level at a time.
 *
 * Invariants:
 *   M1  leaf[i] is the XOR of mix(keyhash, statehash) over the keys toggled in an odd
 *       number of times whose keyhash has top byte i (merkle_leaf_of). XOR makes it
 *       independent of order, and toggling a pair twice cancels it.
 *   M2  when !stale, mid[j] = node_hash(leaf[16j .. 16j+15], level 1) and
 *       root = node_hash(mid[0..15], level 2); when stale, that holds for every mid[j]
 *       whose bit in dirty is clear. merkle_diff derives a peer's nodes from its
 *       leaves with the same node_hash, so equal leaves always give equal nodes.
 * Leaves are stored by group (the 16 under one middle node), a group that no key ever fell
 * in being absent and read as zeros (merkle.h says why); an empty leaf is 0 either way and
 * is hashed into its middle node like any other. This module does not know keys, so
 * listing the keys of a differing leaf is the store's job.
 */
#include "merkle.h"
#include "common/fmix.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Distinct seeds, so a middle node never hashes like a root over the same bytes. */
#define SEED_PAIR 0x6d65726b6c657061ULL
#define SEED_MID 0x6d65726b6c656d31ULL
#define SEED_ROOT 0x6d65726b6c657232ULL

/* A key's contribution to its leaf: two finalizer rounds (it was base_hash over 16 bytes). */
static uint64_t mix(uint64_t keyhash, uint64_t statehash)
{
    return fmix64(keyhash ^ fmix64(statehash ^ SEED_PAIR));
}

/* The hash of MERKLE_FANOUT child hashes: a chain h = step(h ^ child) from the seed, step
 * being a multiply by an odd constant and a xor-shift, then fmix. Each step is a bijection
 * of the child given the hash so far, so two nodes whose children differ in exactly one
 * place always hash differently. Performance: base_hash over the children's 128 bytes
 * took one multiply per byte, and every change to a replica's data re-hashes a middle
 * node and the root. The hashes travel in ROOT, MIDS and LEAVES messages, but nothing
 * records them (a trace has the messages' sizes), so their values are this file's to
 * choose; the same goes for mix above. */
static uint64_t node_hash(const uint64_t *child, uint64_t seed)
{
    uint64_t h = seed;
    for (int i = 0; i < MERKLE_FANOUT; i++) {
        h = (h ^ child[i]) * 0x9e3779b97f4a7c15ULL;
        h ^= h >> 29;
    }
    return fmix64(h);
}

/* Performance: every tree starts empty, and an empty tree's nodes are the same in every
 * replica, so they are hashed once (on first use; the engines are single-threaded) and
 * copied, instead of 17 node hashes per replica at its first exchange. */
static const uint64_t zero_group[MERKLE_FANOUT];

int merkle_init(merkle *m)
{
    static uint64_t mid[MERKLE_FANOUT], root;
    static bool ready;
    if (!ready) {
        for (int j = 0; j < MERKLE_FANOUT; j++)
            mid[j] = node_hash(zero_group, SEED_MID);
        root = node_hash(mid, SEED_ROOT);
        ready = true;
    }
    memset(m, 0, sizeof *m);
    m->root = root;
    /* the middle hashes, then the group pointers (all NULL) */
    void *nodes = calloc(MERKLE_FANOUT, sizeof *m->mid + sizeof *m->group);
    if (!nodes)
        return -1;
    m->mid = nodes;
    memcpy(m->mid, mid, sizeof mid);
    m->group = (uint64_t **)(m->mid + MERKLE_FANOUT);
    return 0;
}

void merkle_free(merkle *m)
{
    for (int j = 0; m->mid && j < MERKLE_FANOUT; j++)
        free(m->group[j]);
    free(m->mid);
    m->mid = NULL;
    m->group = NULL;
}

int merkle_leaf_of(uint64_t keyhash)
{
    return (int)(keyhash >> 56);
}

int merkle_reserve(merkle *m, uint64_t keyhash)
{
    int j = merkle_leaf_of(keyhash) / MERKLE_FANOUT;
    if (!m->group[j] && !(m->group[j] = calloc(MERKLE_FANOUT, sizeof *m->group[j])))
        return -1;
    return 0;
}

const uint64_t *merkle_group(const merkle *m, int j)
{
    return m->group[j] ? m->group[j] : zero_group;
}

void merkle_leaves(const merkle *m, uint64_t out[MERKLE_LEAVES])
{
    for (int j = 0; j < MERKLE_FANOUT; j++)
        memcpy(out + j * MERKLE_FANOUT, merkle_group(m, j), sizeof zero_group);
}

void merkle_toggle(merkle *m, uint64_t keyhash, uint64_t statehash)
{
    int leaf = merkle_leaf_of(keyhash), j = leaf / MERKLE_FANOUT;
    if (!m->group[j] && merkle_reserve(m, keyhash) != 0)
        abort();            /* out of memory with no room reserved: the tree would lie */
    m->group[j][leaf % MERKLE_FANOUT] ^= mix(keyhash, statehash);
    m->stale = true;
    m->dirty |= (uint16_t)(1u << j);
}

/* Performance: only the middle nodes over changed leaves are hashed again (a gossip round
 * changes a key or two per replica, and every exchange asks for the root). Same hashes as
 * recomputing all of them (M2). */
uint64_t merkle_root(merkle *m)
{
    if (m->stale) {
        for (int j = 0; j < MERKLE_FANOUT; j++)
            if (m->dirty & (1u << j))
                m->mid[j] = node_hash(merkle_group(m, j), SEED_MID);
        m->root = node_hash(m->mid, SEED_ROOT);
        m->stale = false;
        m->dirty = 0;
    }
    return m->root;
}

uint64_t merkle_root_peek(const merkle *m)
{
    if (!m->stale)
        return m->root;
    uint64_t mid[MERKLE_FANOUT];
    for (int j = 0; j < MERKLE_FANOUT; j++)
        mid[j] = m->dirty & (1u << j) ? node_hash(merkle_group(m, j), SEED_MID) : m->mid[j];
    return node_hash(mid, SEED_ROOT);
}

const uint64_t *merkle_mids(merkle *m)
{
    merkle_root(m);
    return m->mid;
}

uint16_t merkle_diff_mids(merkle *local, const uint64_t remote_mids[MERKLE_FANOUT])
{
    const uint64_t *mid = merkle_mids(local);
    unsigned mask = 0;
    for (int j = 0; j < MERKLE_FANOUT; j++)
        mask |= (unsigned)(mid[j] != remote_mids[j]) << j;
    return (uint16_t)mask;
}

int merkle_diff_leaves(const merkle *local, uint16_t mask, const uint64_t *remote_leaves, int *out)
{
    int n = 0;
    const uint64_t *r = remote_leaves;
    for (int j = 0; j < MERKLE_FANOUT; j++) {
        if (!(mask & (1u << j)))
            continue;
        const uint64_t *l = merkle_group(local, j);
        for (int i = 0; i < MERKLE_FANOUT; i++)
            if (l[i] != r[i]) {
                if (out)
                    out[n] = j * MERKLE_FANOUT + i;
                n++;
            }
        r += MERKLE_FANOUT;
    }
    return n;
}

/* The three levels at once, as an exchange would do them, with the peer's middle nodes
 * and root derived from its leaves. */
int merkle_diff(merkle *local, const uint64_t remote_leaves[MERKLE_LEAVES], int *out, int *compared)
{
    uint64_t rmid[MERKLE_FANOUT], rleaves[MERKLE_LEAVES], lleaves[MERKLE_LEAVES];
    int cmp = 1, n = 0;
    merkle_leaves(local, lleaves);
    /* Performance: equal leaves make equal nodes (M2), so the peer's root equals ours and
     * only the root is compared; this skips hashing the peer's 256 leaves. */
    if (memcmp(lleaves, remote_leaves, sizeof lleaves) == 0) {
        if (compared)
            *compared = cmp;
        return 0;
    }
    /* The peer's middle nodes: where a group of leaves equals ours, so does its node (M2),
     * and only the groups that differ are hashed. */
    uint64_t lroot = merkle_root(local);
    for (int j = 0; j < MERKLE_FANOUT; j++) {
        const uint64_t *r = remote_leaves + j * MERKLE_FANOUT;
        rmid[j] = memcmp(lleaves + j * MERKLE_FANOUT, r, MERKLE_FANOUT * sizeof *r) == 0
                      ? local->mid[j] : node_hash(r, SEED_MID);
    }
    if (lroot != node_hash(rmid, SEED_ROOT)) {
        uint16_t mask = merkle_diff_mids(local, rmid);
        int k = 0;
        cmp += MERKLE_FANOUT;
        for (int j = 0; j < MERKLE_FANOUT; j++)
            if (mask & (1u << j)) {
                memcpy(rleaves + k, remote_leaves + j * MERKLE_FANOUT, MERKLE_FANOUT * sizeof *rleaves);
                k += MERKLE_FANOUT;
                cmp += MERKLE_FANOUT;
            }
        n = merkle_diff_leaves(local, mask, rleaves, out);
    }
    if (compared)
        *compared = cmp;
    return n;
}
