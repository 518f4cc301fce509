/*
 * test_wire.c: the BASE wire format (engines/base/wire.c): every message type survives a
 * round trip with random contents; every truncation, every single-bit flip, a wrong version
 * byte (version 1's DIGEST included) and trailing bytes are refused; hand-built messages
 * with a correct CRC but a bad count, length, kind, order or limit are refused by the
 * structural checks (a ROOT of other than 8 bytes, MIDS of other than 16 hashes, LEAVES
 * whose mask is zero or whose leaves are not 16 per bit of it); and mutated
 * messages with a recomputed CRC are either refused or decode to something that encodes
 * back to the same bytes.
 */
#include "t.h"
#include "base/wire.h"
#include "base/prng.h"
#include "base/crc32c.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- helpers ------------------------------------------------------------------------ */

static void rand_str(prng *p, char *dst, size_t max)
{
    size_t len = (size_t)prng_below(p, max + 1);
    for (size_t i = 0; i < len; i++)
        dst[i] = (char)(1 + prng_below(p, 255));     /* any byte but NUL */
    dst[len] = '\0';
}

static dot rand_dot(prng *p)
{
    dot d = { (uint32_t)(1 + prng_below(p, 9)), 1 + prng_below(p, 1000) };
    return d;
}

static void rand_version(prng *p, bversion *v, int kind)
{
    bver_init(v);
    v->kind = (uint8_t)kind;
    v->d = rand_dot(p);
    v->ts = (int64_t)prng_next(p);
    v->stored = prng_next(p);            /* local only: must not travel */
    int nctx = (int)prng_below(p, prng_chance(p, 10) ? 60 : 6);
    for (int i = 0; i < nctx; i++)
        CHECK_EQ_INT(vv_add_dot(&v->ctx, rand_dot(p)), 0);
    switch (kind) {
    case BV_VALUE:
        rand_str(p, v->value, BASE_VALUE_MAX);
        break;
    case BV_SET: {
        static const char *const elems[] = { "apple", "bread", "cheese", "", "x" };
        int nadds = (int)prng_below(p, 8);
        for (int i = 0; i < nadds; i++) {
            char e[BASE_VALUE_MAX + 1];
            if (prng_chance(p, 70))
                strcpy(e, elems[prng_below(p, 5)]);
            else
                rand_str(p, e, BASE_VALUE_MAX);
            dot d = rand_dot(p);               /* a write's dot is unique: one add each */
            d.n = (uint64_t)i + 1;
            CHECK(orset_add(&v->set, e, d) == 0);
        }
        if (prng_chance(p, 50))
            orset_remove(&v->set, elems[prng_below(p, 5)]);
        break;
    }
    case BV_COUNTER: {
        int n = (int)prng_below(p, 7);
        for (int i = 0; i < n; i++)
            CHECK_EQ_INT(pnc_incr(&v->ctr, (uint32_t)(1 + prng_below(p, 9)),
                                  (int64_t)prng_below(p, 2001) - 1000), 0);
        break;
    }
    }
}

static void rand_states(prng *p, wire_msg *m, uint32_t max)
{
    m->nstates = (uint32_t)prng_below(p, max + 1);
    m->states = m->nstates ? calloc(m->nstates, sizeof *m->states) : NULL;
    for (uint32_t i = 0; i < m->nstates; i++) {
        wire_keystate *s = &m->states[i];
        rand_str(p, s->key, BASE_KEY_MAX);
        s->nv = (uint32_t)prng_below(p, 5);
        s->v = s->nv ? calloc(s->nv, sizeof *s->v) : NULL;
        for (uint32_t j = 0; j < s->nv; j++)
            rand_version(p, &s->v[j], (int)(1 + prng_below(p, 4)));
    }
}

/* A random message of the type; free with wire_msg_free. */
static void rand_msg(prng *p, wire_msg *m, int type)
{
    memset(m, 0, sizeof *m);
    m->type = (uint8_t)type;
    m->from = (uint32_t)prng_next(p);
    m->to = (uint32_t)prng_next(p);
    m->id = prng_next(p);
    switch (type) {
    case MSG_WRITE:
        m->flags = (uint8_t)prng_below(p, 4);
        if (m->flags & WIRE_WRITE_RID) {         /* a request id: never empty */
            rand_str(p, m->rid, BASE_RID_MAX);
            if (!m->rid[0])
                snprintf(m->rid, sizeof m->rid, "r17");
            m->rid_dot = rand_dot(p);
        }
        rand_states(p, m, 4);
        break;
    case MSG_WRITE_ACK:
    case MSG_READ:
        rand_str(p, m->key, BASE_KEY_MAX);
        break;
    case MSG_READ_REPLY:
        rand_states(p, m, 1);
        break;
    case MSG_REPAIR:
    case MSG_PUSH_BACK:
        rand_states(p, m, 5);
        break;
    case MSG_ROOT:
        m->root = prng_next(p);
        break;
    case MSG_MIDS:
        m->mids = malloc(MERKLE_FANOUT * sizeof *m->mids);
        for (int i = 0; i < MERKLE_FANOUT; i++)
            m->mids[i] = prng_chance(p, 20) ? 0 : prng_next(p);
        break;
    case MSG_LEAVES: {
        /* usually a node or two, as when one key differs; sometimes many */
        m->mask = (uint16_t)(1u << prng_below(p, MERKLE_FANOUT));
        if (prng_chance(p, 30))
            m->mask |= (uint16_t)prng_next(p);
        int n = wire_mask_count(m->mask) * MERKLE_FANOUT;
        m->leaves = malloc((size_t)n * sizeof *m->leaves);
        for (int i = 0; i < n; i++)
            m->leaves[i] = prng_chance(p, 50) ? 0 : prng_next(p);
        break;
    }
    case MSG_KEYS:
        m->compared = (uint32_t)prng_below(p, 1 + MERKLE_FANOUT + MERKLE_LEAVES);
        m->diff_leaves = malloc(MERKLE_LEAVES * sizeof *m->diff_leaves);
        for (int leaf = 0; leaf < MERKLE_LEAVES; leaf++)
            if (prng_chance(p, 5))
                m->diff_leaves[m->nleaves++] = (uint16_t)leaf;
        m->nhashes = (uint32_t)prng_below(p, 20);
        m->hashes = m->nhashes ? calloc(m->nhashes, sizeof *m->hashes) : NULL;
        for (uint32_t i = 0; i < m->nhashes; i++) {
            rand_str(p, m->hashes[i].key, BASE_KEY_MAX);
            m->hashes[i].hash = prng_next(p);
        }
        break;
    case MSG_PUSH:
        rand_states(p, m, 4);
        m->nwant = (uint32_t)prng_below(p, 6);
        m->want = m->nwant ? calloc(m->nwant, sizeof *m->want) : NULL;
        for (uint32_t i = 0; i < m->nwant; i++)
            rand_str(p, m->want[i], BASE_KEY_MAX);
        break;
    }
}

static bool dot_same(dot a, dot b) { return a.r == b.r && a.n == b.n; }

static bool version_same(const bversion *a, const bversion *b)
{
    if (a->kind != b->kind || !dot_same(a->d, b->d) || a->ts != b->ts || a->ctx.len != b->ctx.len)
        return false;
    for (uint32_t i = 0; i < a->ctx.len; i++)
        if (a->ctx.e[i].r != b->ctx.e[i].r || a->ctx.e[i].n != b->ctx.e[i].n)
            return false;
    switch (a->kind) {
    case BV_VALUE:
        return strcmp(a->value, b->value) == 0;
    case BV_SET:
        if (a->set.nadds != b->set.nadds || a->set.nrem != b->set.nrem)
            return false;
        for (uint32_t i = 0; i < a->set.nadds; i++)
            if (strcmp(a->set.adds[i].elem, b->set.adds[i].elem) != 0 ||
                !dot_same(a->set.adds[i].d, b->set.adds[i].d))
                return false;
        for (uint32_t i = 0; i < a->set.nrem; i++)
            if (!dot_same(a->set.removed[i], b->set.removed[i]))
                return false;
        return true;
    case BV_COUNTER:
        if (a->ctr.len != b->ctr.len)
            return false;
        for (uint32_t i = 0; i < a->ctr.len; i++)
            if (a->ctr.e[i].r != b->ctr.e[i].r || a->ctr.e[i].p != b->ctr.e[i].p ||
                a->ctr.e[i].n != b->ctr.e[i].n)
                return false;
        return true;
    }
    return true;
}

static bool msg_same(const wire_msg *a, const wire_msg *b)
{
    if (strcmp(a->rid, b->rid) != 0 || !dot_same(a->rid_dot, b->rid_dot))
        return false;
    if (a->type != b->type || a->flags != b->flags || a->from != b->from || a->to != b->to ||
        a->id != b->id || strcmp(a->key, b->key) != 0 || a->nstates != b->nstates ||
        a->nhashes != b->nhashes || a->nwant != b->nwant || !a->leaves != !b->leaves ||
        a->compared != b->compared || a->nleaves != b->nleaves || a->root != b->root ||
        a->mask != b->mask || !a->mids != !b->mids ||
        (a->mids && memcmp(a->mids, b->mids, MERKLE_FANOUT * sizeof *a->mids) != 0))
        return false;
    for (uint32_t i = 0; i < a->nleaves; i++)
        if (a->diff_leaves[i] != b->diff_leaves[i])
            return false;
    for (uint32_t i = 0; i < a->nstates; i++) {
        const wire_keystate *x = &a->states[i], *y = &b->states[i];
        if (strcmp(x->key, y->key) != 0 || x->nv != y->nv)
            return false;
        for (uint32_t j = 0; j < x->nv; j++)
            if (!version_same(&x->v[j], &y->v[j]) || y->v[j].stored != 0)
                return false;
    }
    if (a->leaves && memcmp(a->leaves, b->leaves, (size_t)wire_mask_count(a->mask) * MERKLE_FANOUT * sizeof *a->leaves) != 0)
        return false;
    for (uint32_t i = 0; i < a->nhashes; i++)
        if (strcmp(a->hashes[i].key, b->hashes[i].key) != 0 || a->hashes[i].hash != b->hashes[i].hash)
            return false;
    for (uint32_t i = 0; i < a->nwant; i++)
        if (strcmp(a->want[i], b->want[i]) != 0)
            return false;
    return true;
}

static bool msg_zeroed(const wire_msg *m)
{
    static const wire_msg zero;
    return memcmp(m, &zero, sizeof zero) == 0;
}

static uint32_t le32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

static void set_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_crc(uint8_t *buf, size_t n)
{
    set_le32(buf + n - 4, crc32c_update(0, buf, n - 4));
}

/* Decodes and expects rc, with *m zeroed on failure. */
static int decode_expect(const uint8_t *buf, size_t n, int want)
{
    wire_msg m;
    memset(&m, 0xAB, sizeof m);
    int rc = wire_decode(buf, n, &m);
    if (rc != WIRE_OK)
        CHECK(msg_zeroed(&m));
    wire_msg_free(&m);
    if (want != 1)
        CHECK_EQ_INT(rc, want);
    return rc;
}

/* ---- round trips ---------------------------------------------------------------------- */

static void test_round_trip_every_type_random_contents(void)
{
    prng p;
    prng_seed(&p, 12345);
    for (int type = MSG_WRITE; type < MSG__COUNT; type++) {
        for (int iter = 0; iter < 300; iter++) {
            wire_msg m, d;
            rand_msg(&p, &m, type);
            uint8_t *buf;
            size_t n = wire_encode(&m, &buf);
            CHECK(n >= WIRE_HDR + 4);
            CHECK_EQ_INT(le32(buf + 4), n);
            CHECK_EQ_INT(buf[0], WIRE_VERSION);
            CHECK_EQ_INT(buf[1], type);
            CHECK_EQ_INT(wire_decode(buf, n, &d), WIRE_OK);
            CHECK(msg_same(&m, &d));
            uint8_t *again;
            size_t n2 = wire_encode(&d, &again);
            CHECK(n2 == n && memcmp(buf, again, n) == 0);
            free(again);
            free(buf);
            wire_msg_free(&m);
            wire_msg_free(&d);
        }
    }
}

/* wire_encode_to: the same bytes as wire_encode in a buffer big enough; the length needed,
 * and nothing trusted, in one too small; 0 for what cannot be sent. */
static void test_encode_to_a_buffer_gives_the_same_bytes(void)
{
    prng p;
    prng_seed(&p, 4321);
    for (int type = MSG_WRITE; type < MSG__COUNT; type++)
        for (int iter = 0; iter < 50; iter++) {
            wire_msg m;
            rand_msg(&p, &m, type);
            uint8_t *buf;
            size_t n = wire_encode(&m, &buf);
            uint8_t *exact = malloc(n), *small = malloc(n);
            CHECK_EQ_INT(wire_encode_to(&m, exact, n), n);
            CHECK(memcmp(exact, buf, n) == 0);
            CHECK_EQ_INT(wire_encode_to(&m, small, n - 1), n);   /* writes at most n - 1 (ASan) */
            CHECK_EQ_INT(wire_encode_to(&m, NULL, 0), n);
            free(exact);
            free(small);
            free(buf);
            wire_msg_free(&m);
        }
    wire_msg m;
    uint8_t b[64];
    memset(&m, 0, sizeof m);
    m.type = MSG_LEAVES;                                        /* mask 0 */
    CHECK_EQ_INT(wire_encode_to(&m, b, sizeof b), 0);
}

/* wire_decode_in: the same message as wire_decode, from an arena reset between messages
 * (messages bigger than a chunk included), and the same refusals. ASan watches the
 * arena's memory like any other. */
static void test_decode_into_an_arena_gives_the_same_messages(void)
{
    prng p;
    prng_seed(&p, 777);
    wire_arena a;
    wire_arena_init(&a);
    for (int iter = 0; iter < 3000; iter++) {
        wire_msg m, d, e;
        rand_msg(&p, &m, (int)(MSG_WRITE + prng_below(&p, MSG__COUNT - MSG_WRITE)));
        uint8_t *buf;
        size_t n = wire_encode(&m, &buf);
        CHECK_EQ_INT(wire_decode(buf, n, &d), WIRE_OK);
        CHECK_EQ_INT(wire_decode_in(buf, n, &e, &a), WIRE_OK);
        CHECK(e.in_arena && !d.in_arena);
        CHECK(msg_same(&d, &e));
        uint8_t *again;
        size_t n2 = wire_encode(&e, &again);
        CHECK(n2 == n && memcmp(again, buf, n) == 0);
        free(again);
        wire_msg_free(&e);               /* frees nothing: the arena owns it */
        if (iter % 3)                    /* sometimes two messages in the arena at once */
            wire_arena_reset(&a);
        /* damaged: refused the same way, and left zeroed */
        buf[n / 2] ^= 0x10;
        wire_msg z;
        memset(&z, 0xAB, sizeof z);
        CHECK_EQ_INT(wire_decode_in(buf, n, &z, &a), WIRE_ECRC);
        CHECK(msg_zeroed(&z));
        fix_crc(buf, n);                 /* with a good CRC: the same verdict either way */
        wire_msg h1, h2;
        int rc1 = wire_decode(buf, n, &h1), rc2 = wire_decode_in(buf, n, &h2, &a);
        CHECK_EQ_INT(rc1, rc2);
        if (rc1 == WIRE_OK && rc2 == WIRE_OK)
            CHECK(msg_same(&h1, &h2));
        else
            CHECK(msg_zeroed(&h2));
        wire_msg_free(&h1);
        wire_msg_free(&h2);
        free(buf);
        wire_msg_free(&m);
        wire_msg_free(&d);
    }
    /* a big message: one version with 2,000 context entries (more than a chunk) */
    wire_msg m, e;
    memset(&m, 0, sizeof m);
    m.type = MSG_REPAIR;
    m.nstates = 1;
    m.states = calloc(1, sizeof *m.states);
    strcpy(m.states[0].key, "big");
    m.states[0].nv = 1;
    m.states[0].v = calloc(1, sizeof(bversion));
    bver_init(&m.states[0].v[0]);
    m.states[0].v[0].kind = BV_TOMB;
    m.states[0].v[0].d = (dot){ 1, 1 };
    for (uint32_t r = 1; r <= 2000; r++)
        vv_add_dot(&m.states[0].v[0].ctx, (dot){ r, r });
    uint8_t *buf;
    size_t n = wire_encode(&m, &buf);
    CHECK_EQ_INT(wire_decode_in(buf, n, &e, &a), WIRE_OK);
    CHECK_EQ_INT(e.states[0].v[0].ctx.len, 2000);
    CHECK_EQ_INT(e.states[0].v[0].ctx.e[1999].n, 2000);
    wire_arena_reset(&a);
    CHECK_EQ_INT(wire_decode_in(buf, n, &e, &a), WIRE_OK);
    free(buf);
    wire_msg_free(&m);
    wire_arena_free(&a);
}

static void test_round_trip_every_version_kind_with_big_contents(void)
{
    prng p;
    prng_seed(&p, 99);
    for (int kind = BV_VALUE; kind <= BV_COUNTER; kind++) {
        wire_msg m, d;
        memset(&m, 0, sizeof m);
        m.type = MSG_REPAIR;
        m.nstates = 1;
        m.states = calloc(1, sizeof *m.states);
        strcpy(m.states[0].key, "abcdefghijklmnopqrstuvw");      /* BASE_KEY_MAX bytes */
        m.states[0].nv = 3;
        m.states[0].v = calloc(3, sizeof(bversion));
        for (int j = 0; j < 3; j++) {
            rand_version(&p, &m.states[0].v[j], kind);
            for (uint32_t r = 1; r <= 200; r++)
                vv_add_dot(&m.states[0].v[j].ctx, (dot){ r, r * 7 });
            if (kind == BV_VALUE)
                memset(m.states[0].v[j].value, 'v', BASE_VALUE_MAX);
            if (kind == BV_SET)
                for (int e = 0; e < 50; e++) {
                    char el[16];
                    snprintf(el, sizeof el, "e%d", e);
                    orset_add(&m.states[0].v[j].set, el, (dot){ 1 + (uint32_t)e % 9, 100 + (uint64_t)e });
                }
            if (kind == BV_COUNTER)
                for (uint32_t r = 1; r <= 100; r++)
                    pnc_incr(&m.states[0].v[j].ctr, r, (int64_t)r - 50);
        }
        uint8_t *buf;
        size_t n = wire_encode(&m, &buf);
        CHECK(n > 0);
        CHECK_EQ_INT(wire_decode(buf, n, &d), WIRE_OK);
        CHECK(msg_same(&m, &d));
        free(buf);
        wire_msg_free(&m);
        wire_msg_free(&d);
    }
}

static void test_empty_messages_round_trip(void)
{
    for (int type = MSG_WRITE; type < MSG__COUNT; type++) {
        wire_msg m, d;
        memset(&m, 0, sizeof m);
        m.type = (uint8_t)type;
        uint64_t leaves[MERKLE_FANOUT] = { 0 };
        if (type == MSG_LEAVES) {                     /* at least one node's leaves */
            m.mask = 1;
            m.leaves = leaves;
        }
        if (type == MSG_MIDS)                         /* all sixteen, always */
            m.mids = leaves;
        uint8_t *buf;
        size_t n = wire_encode(&m, &buf);
        CHECK(n > 0);
        CHECK_EQ_INT(wire_decode(buf, n, &d), WIRE_OK);
        CHECK(msg_same(&m, &d));
        free(buf);
        wire_msg_free(&d);
    }
}

static void test_encode_refuses_what_cannot_be_sent(void)
{
    wire_msg m;
    uint8_t *buf = (uint8_t *)1;
    memset(&m, 0, sizeof m);
    m.type = 0;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    CHECK(buf == NULL);
    m.type = MSG__COUNT;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    uint64_t sixteen[MERKLE_FANOUT] = { 0 };
    m.type = MSG_LEAVES;                              /* no middle node named */
    m.leaves = sixteen;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    m.mask = 0x0100;                                  /* and then no leaves */
    m.leaves = NULL;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    m.leaves = sixteen;
    size_t ok16 = wire_encode(&m, &buf);
    CHECK_EQ_INT(ok16, WIRE_HDR + 2 + MERKLE_FANOUT * 8 + 4);
    free(buf);
    memset(&m, 0, sizeof m);
    m.type = MSG_MIDS;                                /* no middle hashes */
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    m.mids = sixteen;
    CHECK_EQ_INT(wire_encode(&m, &buf), WIRE_HDR + MERKLE_FANOUT * 8 + 4);
    free(buf);
    memset(&m, 0, sizeof m);
    uint16_t leaves[2] = { 9, 4 };
    m.type = MSG_KEYS;                                /* leaves out of order */
    m.nleaves = 2;
    m.diff_leaves = leaves;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    leaves[0] = 1;
    size_t ok = wire_encode(&m, &buf);
    CHECK(ok > 0);
    free(buf);
    leaves[1] = MERKLE_LEAVES;                        /* no such leaf */
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    memset(&m, 0, sizeof m);
    m.type = MSG_READ;                                /* key not terminated within the limit */
    memset(m.key, 'k', sizeof m.key);
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);

    wire_keystate ks[2];
    memset(ks, 0, sizeof ks);
    memset(&m, 0, sizeof m);
    m.type = MSG_READ_REPLY;                          /* at most one key state */
    m.nstates = 2;
    m.states = ks;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    m.nstates = 1;
    bversion v;
    bver_init(&v);
    v.kind = 7;                                       /* no such kind */
    ks[0].nv = 1;
    ks[0].v = &v;
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    v.kind = BV_VALUE;
    size_t n = wire_encode(&m, &buf);
    CHECK(n > 0);
    free(buf);
    bver_free(&v);
}

static void test_names_and_errors(void)
{
    CHECK_EQ_STR(wire_type_name(MSG_WRITE), "write");
    CHECK_EQ_STR(wire_type_name(MSG_PUSH_BACK), "push_back");
    CHECK_EQ_STR(wire_type_name(MSG_ROOT), "root");
    CHECK_EQ_STR(wire_type_name(MSG_MIDS), "mids");
    CHECK_EQ_STR(wire_type_name(MSG_LEAVES), "leaves");
    CHECK_EQ_STR(wire_type_name(MSG_KEYS), "keys");
    CHECK_EQ_STR(wire_type_name(0), "unknown");
    CHECK_EQ_STR(wire_type_name(99), "unknown");
    CHECK_EQ_STR(wire_strerror(WIRE_ECRC), "bad checksum");
    CHECK_EQ_STR(wire_strerror(WIRE_EVERSION), "unknown wire version");
    CHECK_EQ_STR(wire_strerror(WIRE_ESHORT), "truncated");
    CHECK_EQ_STR(wire_strerror(WIRE_EBAD), "malformed");
}

/* ---- damage --------------------------------------------------------------------------- */

static void test_every_truncation_is_refused(void)
{
    prng p;
    prng_seed(&p, 7);
    for (int type = MSG_WRITE; type < MSG__COUNT; type++) {
        for (int iter = 0; iter < 3; iter++) {
            wire_msg m;
            rand_msg(&p, &m, type);
            uint8_t *buf;
            size_t n = wire_encode(&m, &buf);
            for (size_t k = 0; k < n; k++) {
                /* a copy of exactly k bytes, so ASan sees any read past the end */
                uint8_t *cut = malloc(k ? k : 1);
                memcpy(cut, buf, k);
                decode_expect(cut, k, WIRE_ESHORT);
                free(cut);
            }
            free(buf);
            wire_msg_free(&m);
        }
    }
}

static void test_trailing_bytes_are_refused(void)
{
    prng p;
    prng_seed(&p, 8);
    wire_msg m;
    rand_msg(&p, &m, MSG_PUSH);
    uint8_t *buf;
    size_t n = wire_encode(&m, &buf);
    uint8_t *longer = malloc(n + 5);
    memcpy(longer, buf, n);
    memset(longer + n, 0, 5);
    decode_expect(longer, n + 1, WIRE_EBAD);
    decode_expect(longer, n + 5, WIRE_EBAD);
    free(longer);
    free(buf);
    wire_msg_free(&m);
}

static void test_every_bit_flip_is_refused(void)
{
    prng p;
    prng_seed(&p, 11);
    for (int type = MSG_WRITE; type < MSG__COUNT; type++) {
        wire_msg m;
        rand_msg(&p, &m, type);
        uint8_t *buf;
        size_t n = wire_encode(&m, &buf);
        for (size_t i = 0; i < n; i++) {
            for (int bit = 0; bit < 8; bit++) {
                buf[i] ^= (uint8_t)(1u << bit);
                int rc = decode_expect(buf, n, 1);
                if (i == 0)
                    CHECK_EQ_INT(rc, WIRE_EVERSION);
                else if (i >= 4 && i < 8)
                    CHECK(rc == WIRE_ESHORT || rc == WIRE_EBAD);
                else
                    CHECK_EQ_INT(rc, WIRE_ECRC);
                buf[i] ^= (uint8_t)(1u << bit);
            }
        }
        decode_expect(buf, n, WIRE_OK);
        free(buf);
        wire_msg_free(&m);
    }
}

static void test_wrong_version_byte_gives_eversion(void)
{
    wire_msg m;
    memset(&m, 0, sizeof m);
    m.type = MSG_READ;
    strcpy(m.key, "x");
    uint8_t *buf;
    size_t n = wire_encode(&m, &buf);
    int bad[] = { 0, WIRE_VERSION - 1, WIRE_VERSION + 1, 255 };
    for (int i = 0; i < 4; i++) {
        buf[0] = (uint8_t)bad[i];
        decode_expect(buf, n, WIRE_EVERSION);
        fix_crc(buf, n);                     /* even with a CRC that matches */
        decode_expect(buf, n, WIRE_EVERSION);
    }
    decode_expect(buf, 1, WIRE_EVERSION);    /* judged before the length */
    decode_expect(buf, 0, WIRE_ESHORT);
    free(buf);
}

/* ---- hand-built messages with a correct CRC ---------------------------------------------- */

typedef struct raw { uint8_t b[4096]; size_t n; } raw;

static void p8(raw *r, uint8_t v) { r->b[r->n++] = v; }
static void p32(raw *r, uint32_t v) { set_le32(r->b + r->n, v); r->n += 4; }
static void p64(raw *r, uint64_t v) { p32(r, (uint32_t)v); p32(r, (uint32_t)(v >> 32)); }
static void pstr(raw *r, const char *s) { p8(r, (uint8_t)strlen(s)); memcpy(r->b + r->n, s, strlen(s)); r->n += strlen(s); }
static void pdot(raw *r, uint32_t rep, uint64_t n) { p32(r, rep); p64(r, n); }

static void phdr(raw *r, int type)
{
    r->n = 0;
    p8(r, WIRE_VERSION);
    p8(r, (uint8_t)type);
    p8(r, 0);
    p8(r, 0);
    p32(r, 0);
    p32(r, 3);
    p32(r, 5);
    p64(r, 42);
}

/* Appends the CRC after fixing the length field; returns the decode result. */
static int pfinish(raw *r)
{
    r->n += 4;
    set_le32(r->b + 4, (uint32_t)r->n);
    fix_crc(r->b, r->n);
    return decode_expect(r->b, r->n, 1);
}

/* A value version: kind, dot, ts, vv of the given pairs, value. */
static void pvalue(raw *r, const char *value)
{
    p8(r, BV_VALUE);
    pdot(r, 1, 1);
    p64(r, 10);
    p32(r, 2);
    pdot(r, 1, 1);
    pdot(r, 2, 4);
    pstr(r, value);
}

static void test_hand_built_valid_message_decodes(void)
{
    raw r;
    phdr(&r, MSG_WRITE);
    p8(&r, 1);
    p32(&r, 1);
    pstr(&r, "cart");
    p32(&r, 1);
    pvalue(&r, "hello");
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);

    wire_msg m;
    CHECK_EQ_INT(wire_decode(r.b, r.n, &m), WIRE_OK);
    CHECK_EQ_INT(m.type, MSG_WRITE);
    CHECK_EQ_INT(m.flags, 1);
    CHECK_EQ_INT(m.from, 3);
    CHECK_EQ_INT(m.to, 5);
    CHECK_EQ_INT(m.id, 42);
    CHECK_EQ_INT(m.nstates, 1);
    CHECK_EQ_STR(m.states[0].key, "cart");
    CHECK_EQ_INT(m.states[0].nv, 1);
    CHECK_EQ_STR(m.states[0].v[0].value, "hello");
    CHECK_EQ_INT(m.states[0].v[0].ctx.len, 2);
    CHECK_EQ_INT(m.states[0].v[0].ctx.e[1].n, 4);
    wire_msg_free(&m);
}

static void test_bad_header_fields_with_good_crc(void)
{
    raw r;
    int types[] = { 0, MSG__COUNT, 255 };
    for (int i = 0; i < 3; i++) {
        phdr(&r, types[i]);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    }
    phdr(&r, MSG_READ);                      /* reserved bytes not zero */
    r.b[2] = 1;
    pstr(&r, "k");
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_READ);
    r.b[3] = 0x80;
    pstr(&r, "k");
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

    phdr(&r, MSG_READ);                      /* declared length below the minimum */
    pstr(&r, "k");
    r.n += 4;
    set_le32(r.b + 4, WIRE_HDR + 3);
    fix_crc(r.b, r.n);
    decode_expect(r.b, r.n, WIRE_EBAD);
    set_le32(r.b + 4, WIRE_MAX + 1);         /* and above the maximum */
    fix_crc(r.b, r.n);
    decode_expect(r.b, r.n, WIRE_EBAD);

    phdr(&r, MSG_WRITE);                     /* undefined flag bit */
    p8(&r, 4);
    p32(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_WRITE);                     /* a request id flagged but empty */
    p8(&r, WIRE_WRITE_RID);
    pstr(&r, "");
    pdot(&r, 1, 1);
    p32(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
}

/* A write that carries a request id (cluster.h, "Request ids"): the id and the dot of its
 * first application come through; encoding refuses the flag without an id. */
static void test_a_write_with_a_request_id(void)
{
    raw r;
    phdr(&r, MSG_WRITE);
    p8(&r, WIRE_WRITE_RID | WIRE_WRITE_HINT);
    pstr(&r, "r17");
    pdot(&r, 2, 9);
    p32(&r, 1);
    pstr(&r, "views");
    p32(&r, 1);
    pvalue(&r, "1");
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);
    wire_msg m;
    CHECK_EQ_INT(wire_decode(r.b, r.n, &m), WIRE_OK);
    CHECK_EQ_INT(m.flags, WIRE_WRITE_RID | WIRE_WRITE_HINT);
    CHECK_EQ_STR(m.rid, "r17");
    CHECK_EQ_INT(m.rid_dot.r, 2);
    CHECK_EQ_INT(m.rid_dot.n, 9);
    CHECK_EQ_STR(m.states[0].key, "views");
    uint8_t *buf = NULL;
    size_t n = wire_encode(&m, &buf);
    CHECK_EQ_INT(n, r.n);
    CHECK(buf && memcmp(buf, r.b, r.n) == 0);
    free(buf);
    m.rid[0] = '\0';                         /* flagged, no id: not sent */
    CHECK_EQ_INT(wire_encode(&m, &buf), 0);
    wire_msg_free(&m);
}

static void test_bad_strings_with_good_crc(void)
{
    raw r;
    phdr(&r, MSG_READ);                      /* key of BASE_KEY_MAX + 1 bytes */
    pstr(&r, "abcdefghijklmnopqrstuvwx");
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_READ);                      /* exactly BASE_KEY_MAX is fine */
    pstr(&r, "abcdefghijklmnopqrstuvw");
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);
    phdr(&r, MSG_READ);                      /* NUL inside */
    pstr(&r, "ab");
    r.b[r.n - 1] = 0;
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_READ);                      /* length byte past the end */
    p8(&r, 10);
    p8(&r, 'a');
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_WRITE_ACK);                 /* no key at all */
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_READ);                      /* a byte left over after the body */
    pstr(&r, "k");
    p8(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

    char big[BASE_VALUE_MAX + 2];
    memset(big, 'v', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    phdr(&r, MSG_REPAIR);                    /* value of BASE_VALUE_MAX + 1 bytes */
    p32(&r, 1);
    pstr(&r, "k");
    p32(&r, 1);
    pvalue(&r, big);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    big[BASE_VALUE_MAX] = '\0';
    phdr(&r, MSG_REPAIR);
    p32(&r, 1);
    pstr(&r, "k");
    p32(&r, 1);
    pvalue(&r, big);
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);
}

static void test_bad_counts_with_good_crc(void)
{
    raw r;
    uint32_t huge[] = { 0xffffffffu, 0x80000000u, 1000 };
    for (int i = 0; i < 3; i++) {
        phdr(&r, MSG_REPAIR);                /* more key states than could fit */
        p32(&r, huge[i]);
        pstr(&r, "k");
        p32(&r, 0);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

        phdr(&r, MSG_REPAIR);                /* more versions than could fit */
        p32(&r, 1);
        pstr(&r, "k");
        p32(&r, huge[i]);
        pvalue(&r, "v");
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

        phdr(&r, MSG_KEYS);                  /* more key hashes than could fit */
        p32(&r, 1);
        p32(&r, 0);
        p32(&r, huge[i]);
        pstr(&r, "k");
        p64(&r, 1);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

        phdr(&r, MSG_KEYS);                  /* more leaves than could fit */
        p32(&r, 1);
        p32(&r, huge[i]);
        p8(&r, 1);
        p8(&r, 0);
        p32(&r, 0);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

        phdr(&r, MSG_PUSH);
        p32(&r, 0);
        p32(&r, huge[i]);
        pstr(&r, "k");
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

        phdr(&r, MSG_REPAIR);                /* vv entries */
        p32(&r, 1);
        pstr(&r, "k");
        p32(&r, 1);
        p8(&r, BV_TOMB);
        pdot(&r, 1, 1);
        p64(&r, 0);
        p32(&r, huge[i]);
        pdot(&r, 1, 1);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    }
    phdr(&r, MSG_REPAIR);                    /* two states announced, one present */
    p32(&r, 2);
    pstr(&r, "k");
    p32(&r, 1);
    pvalue(&r, "v");
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_REPAIR);                    /* one announced, two present */
    p32(&r, 1);
    for (int i = 0; i < 2; i++) {
        pstr(&r, "k");
        p32(&r, 0);
    }
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_READ_REPLY);                /* at most one state */
    p32(&r, 2);
    for (int i = 0; i < 2; i++) {
        pstr(&r, "k");
        p32(&r, 0);
    }
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

    phdr(&r, MSG_KEYS);                      /* every leaf differs: the most there can be */
    p32(&r, 273);
    p32(&r, MERKLE_LEAVES);
    for (int i = 0; i < MERKLE_LEAVES; i++)
        p8(&r, (uint8_t)i), p8(&r, 0);
    p32(&r, 1);
    pstr(&r, "k");
    p64(&r, 9);
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);
    phdr(&r, MSG_KEYS);                      /* one more than there are leaves */
    p32(&r, 273);
    p32(&r, MERKLE_LEAVES + 1);
    for (int i = 0; i <= MERKLE_LEAVES; i++)
        p8(&r, (uint8_t)i), p8(&r, (uint8_t)(i >> 8));
    p32(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    uint16_t bad_leaves[][2] = { { 3, MERKLE_LEAVES }, { 5, 4 }, { 7, 7 } };
    for (int i = 0; i < 3; i++) {            /* out of range, descending, repeated */
        phdr(&r, MSG_KEYS);
        p32(&r, 17);
        p32(&r, 2);
        for (int j = 0; j < 2; j++)
            p8(&r, (uint8_t)bad_leaves[i][j]), p8(&r, (uint8_t)(bad_leaves[i][j] >> 8));
        p32(&r, 0);
        CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    }

    for (int bytes = 7; bytes <= 9; bytes++) {       /* a root is 8 bytes, exactly */
        phdr(&r, MSG_ROOT);
        for (int i = 0; i < bytes; i++)
            p8(&r, (uint8_t)i);
        CHECK_EQ_INT(pfinish(&r), bytes == 8 ? WIRE_OK : WIRE_EBAD);
    }
    for (int mids = MERKLE_FANOUT - 1; mids <= MERKLE_FANOUT + 1; mids++) {
        phdr(&r, MSG_MIDS);                  /* 16 middle hashes, exactly */
        for (int i = 0; i < mids; i++)
            p64(&r, (uint64_t)i);
        CHECK_EQ_INT(pfinish(&r), mids == MERKLE_FANOUT ? WIRE_OK : WIRE_EBAD);
    }
    phdr(&r, MSG_MIDS);                      /* not even one */
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
}

/* LEAVES: a nonzero mask, then exactly 16 leaves per bit of it. */
static void test_leaves_count_follows_the_mask(void)
{
    raw r;
    uint16_t masks[] = { 0x0001, 0x8000, 0x8001, 0x0ff0, 0xffff };
    for (int m = 0; m < 5; m++) {
        int want = wire_mask_count(masks[m]) * MERKLE_FANOUT;
        for (int leaves = want - 1; leaves <= want + 1; leaves++) {
            phdr(&r, MSG_LEAVES);
            p8(&r, (uint8_t)masks[m]);
            p8(&r, (uint8_t)(masks[m] >> 8));
            for (int i = 0; i < leaves; i++)
                p64(&r, (uint64_t)i * 3);
            CHECK_EQ_INT(pfinish(&r), leaves == want ? WIRE_OK : WIRE_EBAD);
        }
    }
    phdr(&r, MSG_LEAVES);                    /* a zero mask, with or without leaves */
    p8(&r, 0);
    p8(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    for (int i = 0; i < MERKLE_FANOUT; i++)
        p64(&r, 1);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_LEAVES);                    /* half a mask */
    p8(&r, 1);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
    phdr(&r, MSG_LEAVES);                    /* no mask at all */
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);

    wire_msg m;                              /* and a valid one decodes to its leaves */
    phdr(&r, MSG_LEAVES);
    p8(&r, 0x02);
    p8(&r, 0x80);
    for (int i = 0; i < 2 * MERKLE_FANOUT; i++)
        p64(&r, 1000 + (uint64_t)i);
    CHECK_EQ_INT(pfinish(&r), WIRE_OK);
    CHECK_EQ_INT(wire_decode(r.b, r.n, &m), WIRE_OK);
    CHECK_EQ_INT(m.mask, 0x8002);
    CHECK(m.leaves && m.leaves[0] == 1000 && m.leaves[2 * MERKLE_FANOUT - 1] == 1000 + 2 * MERKLE_FANOUT - 1);
    wire_msg_free(&m);
}

/* A version-1 message (the layout with a DIGEST of all 256 leaves and a CRC-32) is told
 * apart from damage: WIRE_EVERSION, whatever follows. */
static void test_version_one_digest_is_refused_as_a_version(void)
{
    raw r;
    phdr(&r, 6);                             /* version 1's DIGEST */
    r.b[0] = 1;
    for (int i = 0; i < MERKLE_LEAVES; i++)
        p64(&r, (uint64_t)i);
    CHECK_EQ_INT(pfinish(&r), WIRE_EVERSION);
}

/* One key state holding one version of the kind, with the payload written by fn. */
static int one_version(int kind, void (*ctx)(raw *), void (*payload)(raw *))
{
    raw r;
    phdr(&r, MSG_PUSH_BACK);
    p32(&r, 1);
    pstr(&r, "k");
    p32(&r, 1);
    p8(&r, (uint8_t)kind);
    pdot(&r, 2, 9);
    p64(&r, 5);
    ctx(&r);
    payload(&r);
    return pfinish(&r);
}

static void ctx_ok(raw *r) { p32(r, 2); pdot(r, 1, 3); pdot(r, 4, 1); }
static void ctx_unsorted(raw *r) { p32(r, 2); pdot(r, 4, 3); pdot(r, 1, 1); }
static void ctx_duplicate(raw *r) { p32(r, 2); pdot(r, 4, 3); pdot(r, 4, 5); }
static void ctx_zero_counter(raw *r) { p32(r, 1); pdot(r, 4, 0); }
static void ctx_zero_replica(raw *r) { p32(r, 1); pdot(r, 0, 7); }
static void pay_none(raw *r) { (void)r; }
static void pay_value(raw *r) { pstr(r, "v"); }
static void set_ok(raw *r) { p32(r, 2); pstr(r, "a"); pdot(r, 1, 1); pstr(r, "a"); pdot(r, 1, 2); p32(r, 2); pdot(r, 1, 5); pdot(r, 2, 1); }
static void set_elems_unsorted(raw *r) { p32(r, 2); pstr(r, "b"); pdot(r, 1, 1); pstr(r, "a"); pdot(r, 1, 2); p32(r, 0); }
static void set_add_duplicate(raw *r) { p32(r, 2); pstr(r, "a"); pdot(r, 1, 1); pstr(r, "a"); pdot(r, 1, 1); p32(r, 0); }
static void set_removed_unsorted(raw *r) { p32(r, 0); p32(r, 2); pdot(r, 2, 1); pdot(r, 1, 5); }
static void set_removed_huge(raw *r) { p32(r, 0); p32(r, 1000); pdot(r, 2, 1); }
static void set_missing_removed(raw *r) { p32(r, 1); pstr(r, "a"); pdot(r, 1, 1); }
static void set_add_of_removed_dot(raw *r) { p32(r, 1); pstr(r, "a"); pdot(r, 1, 5); p32(r, 2); pdot(r, 1, 5); pdot(r, 2, 1); }
static void ctr_ok(raw *r) { p32(r, 2); p32(r, 1); p64(r, 5); p64(r, 2); p32(r, 3); p64(r, 0); p64(r, 1); }
static void ctr_unsorted(raw *r) { p32(r, 2); p32(r, 3); p64(r, 5); p64(r, 2); p32(r, 1); p64(r, 0); p64(r, 1); }
static void ctr_huge(raw *r) { p32(r, 0x10000000u); p32(r, 1); p64(r, 5); p64(r, 2); }
static void ctr_zero_replica(raw *r) { p32(r, 1); p32(r, 0); p64(r, 5); p64(r, 2); }
static void ctr_empty_entry(raw *r) { p32(r, 1); p32(r, 2); p64(r, 0); p64(r, 0); }

static void test_bad_versions_with_good_crc(void)
{
    CHECK_EQ_INT(one_version(BV_VALUE, ctx_ok, pay_value), WIRE_OK);
    CHECK_EQ_INT(one_version(BV_TOMB, ctx_ok, pay_none), WIRE_OK);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_ok), WIRE_OK);
    CHECK_EQ_INT(one_version(BV_COUNTER, ctx_ok, ctr_ok), WIRE_OK);

    CHECK_EQ_INT(one_version(0, ctx_ok, pay_none), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_COUNTER + 1, ctx_ok, pay_none), WIRE_EBAD);
    CHECK_EQ_INT(one_version(255, ctx_ok, pay_value), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_TOMB, ctx_ok, pay_value), WIRE_EBAD);     /* payload left over */
    CHECK_EQ_INT(one_version(BV_VALUE, ctx_ok, pay_none), WIRE_EBAD);     /* payload missing */

    CHECK_EQ_INT(one_version(BV_TOMB, ctx_unsorted, pay_none), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_TOMB, ctx_duplicate, pay_none), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_TOMB, ctx_zero_counter, pay_none), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_TOMB, ctx_zero_replica, pay_none), WIRE_EBAD);

    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_elems_unsorted), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_add_duplicate), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_removed_unsorted), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_removed_huge), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_missing_removed), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_SET, ctx_ok, set_add_of_removed_dot), WIRE_EBAD);

    CHECK_EQ_INT(one_version(BV_COUNTER, ctx_ok, ctr_unsorted), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_COUNTER, ctx_ok, ctr_huge), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_COUNTER, ctx_ok, ctr_zero_replica), WIRE_EBAD);
    CHECK_EQ_INT(one_version(BV_COUNTER, ctx_ok, ctr_empty_entry), WIRE_EBAD);
}

/* Failing deep inside the second state, after allocations: nothing leaks (ASan). */
static void test_failure_after_partial_decode_frees_everything(void)
{
    raw r;
    phdr(&r, MSG_PUSH);
    p32(&r, 2);
    pstr(&r, "a");
    p32(&r, 2);
    p8(&r, BV_SET);
    pdot(&r, 1, 1);
    p64(&r, 1);
    ctx_ok(&r);
    set_ok(&r);
    p8(&r, BV_COUNTER);
    pdot(&r, 1, 2);
    p64(&r, 1);
    ctx_ok(&r);
    ctr_ok(&r);
    pstr(&r, "b");
    p32(&r, 1);
    p8(&r, BV_COUNTER);
    pdot(&r, 1, 3);
    p64(&r, 1);
    ctx_ok(&r);
    ctr_unsorted(&r);
    p32(&r, 0);
    CHECK_EQ_INT(pfinish(&r), WIRE_EBAD);
}

/* Random byte changes with the CRC recomputed: refused with *m zeroed, or accepted and then
 * re-encoded to exactly the same bytes (the decoder accepts only canonical encodings). */
static void test_mutations_with_fixed_crc_refused_or_canonical(void)
{
    prng p;
    prng_seed(&p, 2024);
    int accepted = 0, refused = 0;
    for (int iter = 0; iter < 20000; iter++) {
        wire_msg m;
        rand_msg(&p, &m, (int)(MSG_WRITE + prng_below(&p, MSG__COUNT - MSG_WRITE)));
        uint8_t *buf;
        size_t n = wire_encode(&m, &buf);
        wire_msg_free(&m);
        int changes = 1 + (int)prng_below(&p, 3);
        for (int c = 0; c < changes; c++) {
            size_t at = 1 + (size_t)prng_below(&p, n - 5);
            if (at >= 4 && at < 8)
                continue;                    /* keep the length: that path is tested above */
            buf[at] = prng_chance(&p, 50) ? (uint8_t)prng_next(&p) : (uint8_t)(buf[at] + 1);
        }
        fix_crc(buf, n);
        wire_msg d;
        int rc = wire_decode(buf, n, &d);
        if (rc == WIRE_OK) {
            uint8_t *again;
            size_t n2 = wire_encode(&d, &again);
            CHECK(n2 == n && memcmp(again, buf, n) == 0);
            free(again);
            accepted++;
        } else {
            CHECK(rc == WIRE_EBAD);
            CHECK(msg_zeroed(&d));
            refused++;
        }
        wire_msg_free(&d);
        free(buf);
    }
    CHECK(accepted > 1000 && refused > 1000);
}

int main(void)
{
    RUN(test_round_trip_every_type_random_contents);
    RUN(test_encode_to_a_buffer_gives_the_same_bytes);
    RUN(test_decode_into_an_arena_gives_the_same_messages);
    RUN(test_round_trip_every_version_kind_with_big_contents);
    RUN(test_empty_messages_round_trip);
    RUN(test_encode_refuses_what_cannot_be_sent);
    RUN(test_names_and_errors);
    RUN(test_every_truncation_is_refused);
    RUN(test_trailing_bytes_are_refused);
    RUN(test_every_bit_flip_is_refused);
    RUN(test_wrong_version_byte_gives_eversion);
    RUN(test_hand_built_valid_message_decodes);
    RUN(test_a_write_with_a_request_id);
    RUN(test_bad_header_fields_with_good_crc);
    RUN(test_bad_strings_with_good_crc);
    RUN(test_bad_counts_with_good_crc);
    RUN(test_leaves_count_follows_the_mask);
    RUN(test_version_one_digest_is_refused_as_a_version);
    RUN(test_bad_versions_with_good_crc);
    RUN(test_failure_after_partial_decode_frees_everything);
    RUN(test_mutations_with_fixed_crc_refused_or_canonical);
    return t_done("wire");
}
