/*
 * test_merkle.c: engines/base/merkle.c: leaf choice by the top bits, order-independent
 * roots, toggling a key out again, and merkle_diff finding exactly the leaves of the keys
 * that differ while counting the hashes it compared (1 when equal, 1 + 16 + 16 per
 * differing middle node otherwise), and leaf groups made on first use without changing
 * any hash.
 */
#include "t.h"
#include "base/merkle.h"
#include "base/prng.h"
#include "base/version.h"

#include <stdbool.h>
#include <stdint.h>

#define NKEYS 500

static uint64_t keyhash(int i)
{
    char k[16];
    int l = snprintf(k, sizeof k, "key%d", i);
    return base_hash(k, (size_t)l, 0);
}

static uint64_t state(int i, int version)
{
    uint64_t x[2] = { (uint64_t)i, (uint64_t)version };
    return base_hash(x, sizeof x, 1);
}

/* A tree's leaves as one array (they are stored by group). */
typedef struct leaves { uint64_t v[MERKLE_LEAVES]; } leaves;
static leaves L(const merkle *m)
{
    leaves l;
    merkle_leaves(m, l.v);
    return l;
}

/* Fisher-Yates over 0..n-1. */
static void shuffle(int *a, int n, prng *p)
{
    for (int i = 0; i < n; i++)
        a[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)prng_below(p, (uint64_t)i + 1), t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

static void test_leaf_is_the_top_eight_bits(void)
{
    CHECK_EQ_INT(merkle_leaf_of(0), 0);
    CHECK_EQ_INT(merkle_leaf_of(UINT64_MAX), 255);
    CHECK_EQ_INT(merkle_leaf_of(0x01ffffffffffffffULL), 1);
    CHECK_EQ_INT(merkle_leaf_of(0xab00000000000000ULL), 0xab);
    CHECK_EQ_INT(MERKLE_LEAVES, 256);
}

static void test_empty_trees_have_equal_roots_and_no_diff(void)
{
    merkle a, b;
    merkle_init(&a);
    merkle_init(&b);
    CHECK(merkle_root(&a) == merkle_root(&b));
    int out[MERKLE_LEAVES], compared = -1;
    CHECK_EQ_INT(merkle_diff(&a, L(&b).v, out, &compared), 0);
    CHECK_EQ_INT(compared, 1);
    merkle_free(&a);
    merkle_free(&b);
}

static void test_equal_key_sets_in_different_orders_give_equal_roots(void)
{
    prng p;
    prng_seed(&p, 11);
    int order[NKEYS];
    merkle a, b;
    merkle_init(&a);
    merkle_init(&b);
    for (int i = 0; i < NKEYS; i++)
        merkle_toggle(&a, keyhash(i), state(i, 1));
    shuffle(order, NKEYS, &p);
    for (int i = 0; i < NKEYS; i++)
        merkle_toggle(&b, keyhash(order[i]), state(order[i], 1));
    CHECK(merkle_root(&a) == merkle_root(&b));
    CHECK(memcmp(L(&a).v, L(&b).v, sizeof(leaves)) == 0);
    CHECK(memcmp(a.mid, b.mid, MERKLE_FANOUT * sizeof *a.mid) == 0);
    /* the same keys in another state differ */
    merkle c;
    merkle_init(&c);
    for (int i = 0; i < NKEYS; i++)
        merkle_toggle(&c, keyhash(i), state(i, i == 17 ? 2 : 1));
    CHECK(merkle_root(&c) != merkle_root(&a));
    merkle_free(&a);
    merkle_free(&b);
    merkle_free(&c);
}

static void test_toggle_twice_removes_the_key(void)
{
    merkle m, empty;
    merkle_init(&m);
    merkle_init(&empty);
    uint64_t r0 = merkle_root(&empty);
    merkle_toggle(&m, keyhash(1), state(1, 1));
    uint64_t r1 = merkle_root(&m);
    CHECK(r1 != r0);
    merkle_toggle(&m, keyhash(2), state(2, 1));
    CHECK(merkle_root(&m) != r1);                        /* recomputed after a toggle */
    merkle_toggle(&m, keyhash(2), state(2, 1));
    CHECK(merkle_root(&m) == r1);
    merkle_toggle(&m, keyhash(1), state(1, 1));
    CHECK(merkle_root(&m) == r0);
    for (int i = 0; i < MERKLE_LEAVES; i++)
        CHECK(L(&m).v[i] == 0);
    /* changing a key's state is one toggle out and one toggle in */
    merkle_toggle(&m, keyhash(3), state(3, 1));
    merkle_toggle(&m, keyhash(3), state(3, 1));
    merkle_toggle(&m, keyhash(3), state(3, 2));
    merkle n;
    merkle_init(&n);
    merkle_toggle(&n, keyhash(3), state(3, 2));
    CHECK(merkle_root(&m) == merkle_root(&n));
    merkle_free(&m);
    merkle_free(&empty);
    merkle_free(&n);
}

static void test_diff_finds_exactly_the_leaves_of_differing_keys(void)
{
    prng p;
    prng_seed(&p, 12);
    int bad = 0;
    for (int t = 0; t < 300; t++) {
        merkle local, remote;
        merkle_init(&local);
        merkle_init(&remote);
        bool in_diff[MERKLE_LEAVES] = { false };
        int nkeys = (int)prng_below(&p, 200);
        int ndiff = (int)prng_below(&p, 6);
        for (int i = 0; i < nkeys; i++) {
            merkle_toggle(&local, keyhash(i), state(i, 1));
            merkle_toggle(&remote, keyhash(i), state(i, 1));
        }
        for (int d = 0; d < ndiff; d++) {
            int k = (int)prng_below(&p, 400), kind = (int)prng_below(&p, 3);
            uint64_t kh = keyhash(k + 1000 * (t + 1) * (d + 1));  /* a key only touched here */
            if (kind == 0)
                merkle_toggle(&local, kh, state(k, 1));          /* only local has it */
            else if (kind == 1)
                merkle_toggle(&remote, kh, state(k, 1));         /* only remote has it */
            else {
                merkle_toggle(&local, kh, state(k, 1));          /* both, in other states */
                merkle_toggle(&remote, kh, state(k, 2));
            }
            in_diff[merkle_leaf_of(kh)] = true;
        }
        int want[MERKLE_LEAVES], nwant = 0;
        bool mid_diff[MERKLE_FANOUT] = { false };
        int nmid = 0;
        for (int i = 0; i < MERKLE_LEAVES; i++)
            if (in_diff[i]) {
                want[nwant++] = i;
                if (!mid_diff[i / MERKLE_FANOUT]) {
                    mid_diff[i / MERKLE_FANOUT] = true;
                    nmid++;
                }
            }
        int out[MERKLE_LEAVES], compared = 0;
        int n = merkle_diff(&local, L(&remote).v, out, &compared);
        if (n != nwant || memcmp(out, want, sizeof(int) * (size_t)n) != 0)
            bad++;
        int want_compared = nwant ? 1 + MERKLE_FANOUT + MERKLE_FANOUT * nmid : 1;
        if (compared != want_compared)
            bad++;
        /* symmetric: the remote sees the same leaves */
        int out2[MERKLE_LEAVES], compared2 = 0;
        int n2 = merkle_diff(&remote, L(&local).v, out2, &compared2);
        if (n2 != n || memcmp(out2, out, sizeof(int) * (size_t)n) != 0 || compared2 != compared)
            bad++;
        if ((merkle_root(&local) == merkle_root(&remote)) != (nwant == 0))
            bad++;
        merkle_free(&local);
        merkle_free(&remote);
    }
    CHECK_EQ_INT(bad, 0);
}

static void test_diff_counts_one_root_sixteen_mids_and_sixteen_leaves_per_differing_mid(void)
{
    merkle local, remote;
    merkle_init(&local);
    merkle_init(&remote);
    int out[MERKLE_LEAVES], compared = 0;
    /* two keys in the same middle node (leaves 0x12 and 0x1f), one in another (0xa0) */
    merkle_toggle(&remote, 0x1200000000000001ULL, 5);
    CHECK_EQ_INT(merkle_diff(&local, L(&remote).v, out, &compared), 1);
    CHECK_EQ_INT(out[0], 0x12);
    CHECK_EQ_INT(compared, 1 + 16 + 16);
    merkle_toggle(&remote, 0x1f00000000000001ULL, 5);
    merkle_toggle(&local, 0xa000000000000007ULL, 9);
    CHECK_EQ_INT(merkle_diff(&local, L(&remote).v, out, &compared), 3);
    CHECK_EQ_INT(out[0], 0x12);
    CHECK_EQ_INT(out[1], 0x1f);
    CHECK_EQ_INT(out[2], 0xa0);
    CHECK_EQ_INT(compared, 1 + 16 + 16 * 2);
    /* bring them level: equal again, one hash compared */
    merkle_toggle(&local, 0x1200000000000001ULL, 5);
    merkle_toggle(&local, 0x1f00000000000001ULL, 5);
    merkle_toggle(&remote, 0xa000000000000007ULL, 9);
    CHECK_EQ_INT(merkle_diff(&local, L(&remote).v, out, &compared), 0);
    CHECK_EQ_INT(compared, 1);
    /* every middle node differing: all 256 leaves compared */
    merkle full;
    merkle_init(&full);
    for (int i = 0; i < MERKLE_LEAVES; i++)
        merkle_toggle(&full, (uint64_t)i << 56, 1);
    CHECK_EQ_INT(merkle_diff(&local, L(&full).v, out, &compared), MERKLE_LEAVES);
    CHECK_EQ_INT(compared, 1 + 16 + 16 * 16);
    for (int i = 0; i < MERKLE_LEAVES; i++)
        CHECK_EQ_INT(out[i], i);
    merkle_free(&local);
    merkle_free(&remote);
    merkle_free(&full);
}

/* Leaves are stored by group of 16, made on first use: a group never used reads as zeros,
 * reserving one changes no hash, and an emptied group hashes like one never made. */
static void test_groups_are_made_on_first_use_and_change_no_hash(void)
{
    merkle a, b;
    merkle_init(&a);
    merkle_init(&b);
    uint64_t r0 = merkle_root(&a);
    for (int j = 0; j < MERKLE_FANOUT; j++) {
        CHECK(a.group[j] == NULL);
        for (int i = 0; i < MERKLE_FANOUT; i++)
            CHECK(merkle_group(&a, j)[i] == 0);
    }
    CHECK_EQ_INT(merkle_reserve(&a, 0x3400000000000000ULL), 0);    /* leaf 0x34: group 3 */
    CHECK(a.group[3] != NULL && a.group[2] == NULL);
    CHECK(merkle_root(&a) == r0);
    merkle_toggle(&b, 0x3400000000000001ULL, 7);                    /* made by the toggle */
    CHECK(b.group[3] != NULL);
    CHECK(merkle_group(&b, 3)[4] != 0);
    CHECK(merkle_root(&b) != r0);
    merkle_toggle(&b, 0x3400000000000001ULL, 7);
    CHECK(merkle_root(&b) == r0);
    merkle_free(&a);
    merkle_free(&b);
    CHECK(a.mid == NULL && a.group == NULL);
}

static void test_root_peek_is_the_root_and_changes_nothing(void)
{
    merkle a, b;
    merkle_init(&a);
    merkle_init(&b);
    prng p;
    prng_seed(&p, 3);
    for (int i = 0; i < 200; i++) {
        uint64_t k = prng_next(&p), s = prng_next(&p);
        merkle_toggle(&a, k, s);
        merkle_toggle(&b, k, s);
        if (i % 7 == 0) {
            bool stale = a.stale;
            uint16_t dirty = a.dirty;
            uint64_t peek = merkle_root_peek(&a);
            CHECK(a.stale == stale && a.dirty == dirty);   /* looking updated nothing */
            CHECK(peek == merkle_root(&b));                /* the root merkle_root gives */
        }
    }
    CHECK(merkle_root_peek(&a) == merkle_root(&a));
    CHECK(merkle_root_peek(&a) == merkle_root(&a));        /* also when nothing is stale */
    merkle_free(&a);
    merkle_free(&b);
}

int main(void)
{
    RUN(test_leaf_is_the_top_eight_bits);
    RUN(test_empty_trees_have_equal_roots_and_no_diff);
    RUN(test_equal_key_sets_in_different_orders_give_equal_roots);
    RUN(test_toggle_twice_removes_the_key);
    RUN(test_diff_finds_exactly_the_leaves_of_differing_keys);
    RUN(test_diff_counts_one_root_sixteen_mids_and_sixteen_leaves_per_differing_mid);
    RUN(test_groups_are_made_on_first_use_and_change_no_hash);
    RUN(test_root_peek_is_the_root_and_changes_nothing);
    return t_done("merkle");
}
