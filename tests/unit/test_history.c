/*
 * test_history.c: the event history itself (engines/history/history.c): every field an
 * event records comes back as written, across the chunk boundaries of a long history
 * (events in full chunks, texts in mapped arena blocks, the spare chunk filled ahead);
 * the rarely used fields live beside the event and read as none until set; past the
 * first chunk, pointers stay valid as the history grows.
 */
#include "t.h"
#include "history/history.h"
#include "common/pred.h"

#include <inttypes.h>

/* Enough events to fill several full chunks (2 MiB each), whatever the event's size. */
#define LONG_N 60000

static const char *const tables[] = { "accounts", "orders", "t" };

static void fill(hist *h, hist_event *e, int i)
{
    e->db = (uint8_t)(i % (HIST_DB_MAX + 1));   /* every database number, 0 to the largest */
    e->session = (uint8_t)(i % 10);
    e->node = (uint16_t)(i % 7);
    e->node2 = (uint16_t)(i % 5);
    e->txn = (uint64_t)i * 3 + 1;
    hist_set_table(h, e, i % 4 ? tables[i % 3] : NULL);
    if (i % 2)
        e->key = scalar_int(i - 30000);
    else if (i % 6 == 0) {
        char k[16];
        int n = snprintf(k, sizeof k, "k%d", i);
        e->key = scalar_text(k, (size_t)n);
    }
    for (int j = 0; j < 6; j++)
        e->n[j] = (int64_t)i * (j + 1) - 7 * j;
    if (i % 5 == 0) {
        char t[48];
        snprintf(t, sizeof t, "event %d", i);
        hist_set_text(h, e, t);
    }
    if (i % 11 == 0) {
        hist_row r[2] = { { .key = scalar_int(i), .version = (uint64_t)i, .value = -i, .matched = 1 },
                          { .key = scalar_int(i + 1), .version = 2, .value = 5, .matched = 0 } };
        hist_set_rows(h, e, r, 1 + i % 2);
    }
    if (i % 13 == 0)
        hist_set_txn2(h, e, (uint64_t)i + 100);
    if (i % 17 == 0)
        hist_set_actor(h, e, i % 2 ? "alice" : "bob");
    if (i % 19 == 0) {
        uint64_t v[3] = { (uint64_t)i, 2, 3 };
        hist_set_txns(h, e, v, 1 + i % 3);
    }
}

static void check_one(const hist_event *e, int i)
{
    char want[48];
    CHECK_EQ_INT(e->seq, i + 1);
    CHECK_EQ_INT(e->tick, (uint64_t)(i / 100));
    CHECK_EQ_INT(e->side, i % 3 ? SIDE_ACID : SIDE_BASE);
    CHECK_EQ_INT(e->db, i % (HIST_DB_MAX + 1));
    CHECK_EQ_INT(e->kind, 1 + i % (EV__COUNT - 1));
    CHECK_EQ_INT(e->session, i % 10);
    CHECK_EQ_INT(e->node, i % 7);
    CHECK_EQ_INT(e->node2, i % 5);
    CHECK_EQ_INT(e->txn, (uint64_t)i * 3 + 1);
    if (i % 4)
        CHECK_EQ_STR(e->table, tables[i % 3]);
    else
        CHECK(e->table == NULL);
    if (i % 2) {
        CHECK_EQ_INT(e->key.type, SC_INT);
        CHECK_EQ_INT(e->key.i, i - 30000);
    } else if (i % 6 == 0) {
        snprintf(want, sizeof want, "k%d", i);
        CHECK_EQ_INT(e->key.type, SC_TEXT);
        CHECK_EQ_STR(e->key.s, want);
    } else {
        CHECK_EQ_INT(e->key.type, SC_NONE);
    }
    for (int j = 0; j < 6; j++)
        CHECK_EQ_INT(e->n[j], (int64_t)i * (j + 1) - 7 * j);
    if (i % 5 == 0) {
        snprintf(want, sizeof want, "event %d", i);
        CHECK_EQ_STR(e->text, want);
    } else {
        CHECK(e->text == NULL);
    }
    if (i % 11 == 0) {
        CHECK_EQ_INT(e->nrows, 1 + i % 2);
        CHECK(e->rows && e->rows[0].key.i == i && e->rows[0].version == (uint64_t)i && e->rows[0].value == -i &&
              e->rows[0].matched == 1);
        if (e->nrows == 2)
            CHECK(e->rows[1].key.i == i + 1 && e->rows[1].value == 5 && e->rows[1].matched == 0);
    } else {
        CHECK(e->rows == NULL && e->nrows == 0);
    }
    CHECK_EQ_INT(hist_txn2(e), i % 13 == 0 ? (uint64_t)i + 100 : 0);
    if (i % 17 == 0)
        CHECK_EQ_STR(hist_actor(e), i % 2 ? "alice" : "bob");
    else
        CHECK(hist_actor(e) == NULL);
    if (i % 19 == 0) {
        CHECK_EQ_INT(hist_ntxns(e), 1 + i % 3);
        CHECK(hist_txns(e) && hist_txns(e)[0] == (uint64_t)i);
        if (hist_ntxns(e) > 1)
            CHECK(hist_txns(e)[1] == 2);
    } else {
        CHECK(hist_txns(e) == NULL && hist_ntxns(e) == 0);
    }
    CHECK(hist_pred(e) == NULL);
}

static void long_history_keeps_every_field(void)
{
    hist *h = hist_new();
    CHECK(h != NULL);
    const hist_event *first = NULL;
    size_t nk[EV__COUNT] = { 0 }, rows = 0;
    for (int i = 0; i < LONG_N; i++) {
        hist_set_tick(h, (uint64_t)(i / 100));
        hist_kind k = (hist_kind)(1 + i % (EV__COUNT - 1));
        hist_event *e = hist_add(h, i % 3 ? SIDE_ACID : SIDE_BASE, k);
        CHECK(e != NULL);
        if (!e)
            break;
        fill(h, e, i);
        nk[k]++;
        rows += i % 11 == 0 ? (size_t)(1 + i % 2) : 0;
        if (i == LONG_N / 2)
            first = hist_get(h, LONG_N / 2);
    }
    CHECK_EQ_INT(hist_count(h), LONG_N);
    CHECK_EQ_INT(hist_count_rows(h), rows);
    for (int k = 1; k < EV__COUNT; k++)
        CHECK_EQ_INT(hist_count_kind(h, (hist_kind)k), nk[k]);
    /* Past the first chunk (which grows, and may move while it does), events never move. */
    CHECK(first == hist_get(h, LONG_N / 2));
    for (int i = 0; i < LONG_N; i++)
        check_one(hist_get(h, (size_t)i), i);
    CHECK(hist_get(h, LONG_N) == NULL);
    hist_free(h);
}

static void rare_fields_read_as_none_until_set(void)
{
    hist *h = hist_new();
    hist_event *e = hist_add(h, SIDE_ACID, EV_LOCK_WAIT);
    CHECK(hist_txn2(e) == 0 && hist_actor(e) == NULL && hist_pred(e) == NULL && hist_txns(e) == NULL &&
          hist_ntxns(e) == 0);
    /* Setting none keeps the event small: nothing is allocated beside it. */
    hist_set_txn2(h, e, 0);
    hist_set_actor(h, e, NULL);
    hist_set_pred(h, e, NULL);
    hist_set_txns(h, e, NULL, 0);
    CHECK(e->more == NULL);
    hist_set_txn2(h, e, 42);
    CHECK(e->more != NULL);
    CHECK_EQ_INT(hist_txn2(e), 42);
    CHECK(hist_actor(e) == NULL && hist_txns(e) == NULL);
    /* And set back to none. */
    hist_set_txn2(h, e, 0);
    CHECK_EQ_INT(hist_txn2(e), 0);

    pred *p = pred_new();
    pred_term term = { .kind = PT_CMP, .op = POP_EQ, .field = PF_KEY, .col = "id", .lit = scalar_int(7) };
    CHECK(p && pred_add(p, &term) == 0);
    e = hist_add(h, SIDE_ACID, EV_PREAD);
    hist_set_pred_text(h, e, p);
    scalar seven = scalar_int(7), eight = scalar_int(8);
    CHECK(hist_pred(e) != NULL && pred_eval(hist_pred(e), &seven, 0) && !pred_eval(hist_pred(e), &eight, 0));
    CHECK_EQ_STR(e->text, "id = 7");
    hist_event *e2 = hist_add(h, SIDE_ACID, EV_PREAD);
    hist_set_pred_text(h, e2, p);
    CHECK(hist_pred(e2) == hist_pred(hist_get(h, 1)));   /* interned: one copy per distinct predicate */
    pred_free(p);
    hist_free(h);
}

static void long_texts_live_in_full_chunks(void)
{
    /* More than 2 chunks of text: the arena moves to full chunks; every text survives. */
    hist *h = hist_new();
    enum { N = 50000 };
    char t[200];
    for (int i = 0; i < N; i++) {
        hist_event *e = hist_add(h, SIDE_ACID, EV_STMT_INVOKE);
        CHECK(e != NULL);
        if (!e)
            break;
        int n = snprintf(t, sizeof t, "%d:", i);
        memset(t + n, 'a' + i % 26, (size_t)(150 - n));
        t[150] = 0;
        hist_set_text(h, e, t);
    }
    for (int i = 0; i < N; i += 7) {
        const hist_event *e = hist_get(h, (size_t)i);
        int n = snprintf(t, sizeof t, "%d:", i);
        CHECK(e->text && strncmp(e->text, t, (size_t)n) == 0 && strlen(e->text) == 150 &&
              e->text[149] == 'a' + i % 26);
    }
    hist_free(h);
}

/* A reader may look at the newest event while its writer still fills it (a note callback
 * reading the history): the writer's later fields are not lost, and the reader's pointer
 * shows them once the next event is added. */
static void newest_event_read_before_its_writer_is_done(void)
{
    hist *h = hist_new();
    for (int round = 0; round < 3 * 64 + 5; round++) {
        hist_event *x = hist_add(h, SIDE_ACID, EV_STMT_RETURN);
        x->n[0] = 1;
        const hist_event *r = hist_get(h, (size_t)round);
        CHECK(r && r->n[0] == 1 && r->text == NULL && (int)r->seq == round + 1);
        x->n[0] = 2 + round;
        x->n[5] = -round;
        hist_set_text(h, x, "finished later");
        hist_set_txn2(h, x, 9);
        CHECK(hist_add(h, SIDE_ACID, EV_STMT_INVOKE) != NULL);   /* the writer is done */
        round++;
        CHECK(r->n[0] == 2 + round - 1 && r->n[5] == -(round - 1));
        CHECK_EQ_STR(r->text, "finished later");
        CHECK_EQ_INT(hist_txn2(r), 9);
        CHECK(hist_get(h, (size_t)round - 1) == r);
        CHECK_EQ_INT(hist_get(h, (size_t)round)->kind, EV_STMT_INVOKE);
    }
    hist_free(h);
}

static void empty_and_short_histories_free_cleanly(void)
{
    hist_free(NULL);
    hist *h = hist_new();
    CHECK_EQ_INT(hist_count(h), 0);
    CHECK(hist_get(h, 0) == NULL);
    hist_free(h);
    h = hist_new();
    for (int i = 0; i < 10; i++)
        CHECK(hist_add(h, SIDE_BASE, EV_GOSSIP) != NULL);
    CHECK_EQ_INT(hist_get(h, 9)->seq, 10);
    hist_free(h);
}

int main(void)
{
    RUN(long_history_keeps_every_field);
    RUN(rare_fields_read_as_none_until_set);
    RUN(long_texts_live_in_full_chunks);
    RUN(newest_event_read_before_its_writer_is_done);
    RUN(empty_and_short_histories_free_cleanly);
    return t_done("history");
}
