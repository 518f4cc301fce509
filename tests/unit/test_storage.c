/*
 * test_storage.c: the file seam, pages, log records, the buffer pool's log rule and
 * recovery (redo, undo, torn tails, zero tails, a crash in the middle of recovery).
 */
#include "t.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acid/bufpool.h"
#include "acid/crc32.h"
#include "acid/fio.h"
#include "acid/page.h"
#include "acid/recovery.h"
#include "acid/store.h"
#include "acid/wal.h"

static char *tmpdir(void)
{
    static char buf[256];
    const char *t = getenv("TMPDIR");
    snprintf(buf, sizeof buf, "%s/ab-storage-XXXXXX", t && *t ? t : "/tmp");
    return mkdtemp(buf);
}

static void rmrf(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

static size_t file_bytes(const char *path, unsigned char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* --- crc, fio ------------------------------------------------------------------------ */

static void test_crc32_matches_the_standard_check_value(void)
{
    CHECK_EQ_INT(crc32_update(0, "123456789", 9), 0xCBF43926u);
    uint32_t a = crc32_update(0, "12345", 5);
    CHECK_EQ_INT(crc32_update(a, "6789", 4), 0xCBF43926u);
}

/* Long runs take the carry-less multiply path where the CPU has one, short pieces the
 * tables: both must give the same CRC. */
static void test_crc32_long_runs_match_the_bytewise_tables(void)
{
    unsigned char buf[3000];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (unsigned char)(x >> 16);
    }
    size_t lens[] = { 64, 65, 79, 80, 127, 128, 1000, 2077, 3000 };
    for (size_t li = 0; li < sizeof lens / sizeof *lens; li++)
        for (size_t off = 0; off < 3; off++) {
            size_t n = lens[li] - off;
            uint32_t whole = crc32_update(0, buf + off, n), pieces = 0;
            for (size_t i = 0; i < n; i += 7)
                pieces = crc32_update(pieces, buf + off + i, n - i < 7 ? n - i : 7);
            CHECK_EQ_INT(whole, pieces);
        }
}

static void test_fio_crash_restores_the_last_synced_content(void)
{
    char *dir = tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/f", dir);
    fio_env *env = fio_env_new();
    fio_set_real_sync(env, 0);
    fio_file *f;
    CHECK_EQ_INT(fio_open(env, path, &f), FIO_OK);
    CHECK_EQ_INT(fio_write(f, 0, "hello world", 11), FIO_OK);
    CHECK_EQ_INT(fio_sync(f), FIO_OK);
    CHECK_EQ_INT(fio_write(f, 6, "WORLD", 5), FIO_OK);     /* overwrite durable bytes */
    CHECK_EQ_INT(fio_write(f, 11, " and more", 9), FIO_OK); /* append */
    CHECK_EQ_INT(fio_pending_bytes(f), 14);
    fio_crash_report rep;
    CHECK_EQ_INT(fio_crash(env, &rep), FIO_OK);
    CHECK_EQ_INT(rep.bytes_lost, 14);
    unsigned char buf[64];
    size_t n = file_bytes(path, buf, sizeof buf);
    CHECK_EQ_INT(n, 11);
    CHECK(memcmp(buf, "hello world", 11) == 0);
    CHECK_EQ_INT(fio_size(f), 11);
    fio_env_free(env);
    rmrf(dir);
}

static void test_fio_keep_on_crash_leaves_a_torn_tail(void)
{
    char *dir = tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/f", dir);
    fio_env *env = fio_env_new();
    fio_set_real_sync(env, 0);
    fio_file *f;
    fio_open(env, path, &f);
    fio_write(f, 0, "abc", 3);
    fio_sync(f);
    fio_write(f, 3, "defghij", 7);
    fio_keep_on_crash(f, 2);
    fio_crash(env, NULL);
    unsigned char buf[64];
    CHECK_EQ_INT(file_bytes(path, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "abcde", 5) == 0);
    fio_env_free(env);
    rmrf(dir);
}

static void test_fio_injected_sync_fault_fails_until_the_crash(void)
{
    char *dir = tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/f", dir);
    fio_env *env = fio_env_new();
    fio_set_real_sync(env, 0);
    fio_file *f;
    fio_open(env, path, &f);
    fio_fault_syncs(env, 2);
    fio_write(f, 0, "a", 1);
    CHECK_EQ_INT(fio_sync(f), FIO_OK);
    fio_write(f, 1, "b", 1);
    CHECK_EQ_INT(fio_sync(f), FIO_ECRASH);
    CHECK_EQ_INT(fio_write(f, 2, "c", 1), FIO_ECRASH);
    fio_crash(env, NULL);
    CHECK_EQ_INT(fio_size(f), 1);
    CHECK_EQ_INT(fio_write(f, 1, "x", 1), FIO_OK);
    fio_env_free(env);
    rmrf(dir);
}

static long disk_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* The log's zero-filled tail (fio_set_prealloc) is seen by the disk and nobody else. */
static void test_fio_preallocated_tail_is_invisible(void)
{
    char *dir = tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/f", dir);
    fio_env *env = fio_env_new();
    fio_set_real_sync(env, 0);
    fio_file *f;
    CHECK_EQ_INT(fio_open(env, path, &f), FIO_OK);
    fio_set_prealloc(f, 4096);
    CHECK_EQ_INT(fio_write(f, 0, "abc", 3), FIO_OK);
    CHECK_EQ_INT(fio_size(f), 3);
    CHECK_EQ_INT(disk_size(path), 4096);
    CHECK_EQ_INT(fio_sync(f), FIO_OK);
    CHECK_EQ_INT(fio_write(f, 3, "defg", 4), FIO_OK);    /* lands on preallocated zeros */
    CHECK_EQ_INT(fio_pending_bytes(f), 4);
    CHECK_EQ_INT(disk_size(path), 4096);
    fio_crash_report rep;
    CHECK_EQ_INT(fio_crash(env, &rep), FIO_OK);
    CHECK_EQ_INT(rep.bytes_lost, 4);
    CHECK_EQ_INT(fio_size(f), 3);
    unsigned char buf[8192];
    CHECK_EQ_INT(file_bytes(path, buf, sizeof buf), 3);
    CHECK_EQ_INT(fio_write(f, 3, "xy", 2), FIO_OK);
    CHECK_EQ_INT(disk_size(path), 4096);
    fio_close(f);                                          /* a closed file is its content */
    CHECK_EQ_INT(file_bytes(path, buf, sizeof buf), 5);
    CHECK(memcmp(buf, "abcxy", 5) == 0);
    fio_env_free(env);
    rmrf(dir);
}

/* The preallocated tail grows with the file: a quarter of its size, from the chunk up to 16
 * chunks, so a long log changes its size (which every fdatasync after must write) rarely
 * and a small one stays small. */
static void test_fio_prealloc_grows_with_the_file(void)
{
    CHECK_EQ_INT(fio_prealloc_step(0, 4096), 4096);
    CHECK_EQ_INT(fio_prealloc_step(16384, 4096), 4096);
    CHECK_EQ_INT(fio_prealloc_step(40000, 4096), 16384);     /* a quarter, doubled up to it */
    CHECK_EQ_INT(fio_prealloc_step(1 << 20, 4096), 65536);   /* capped at 16 chunks */

    char *dir = tmpdir();
    char path[300];
    snprintf(path, sizeof path, "%s/f", dir);
    fio_env *env = fio_env_new();
    fio_set_real_sync(env, 0);
    fio_file *f;
    CHECK_EQ_INT(fio_open(env, path, &f), FIO_OK);
    fio_set_prealloc(f, 4096);
    static char block[40000];
    memset(block, 'x', sizeof block);
    CHECK_EQ_INT(fio_write(f, 0, block, sizeof block), FIO_OK);
    CHECK_EQ_INT(disk_size(path), 49152);                    /* the next multiple of 16 KiB */
    CHECK_EQ_INT(fio_size(f), 40000);
    fio_close(f);
    CHECK_EQ_INT(disk_size(path), 40000);
    fio_env_free(env);
    rmrf(dir);
}

/* Write-behind (group commit's log) holds appends until the sync, yet every count and
 * every crash comes out as if each append had been written at once. */
static void test_fio_write_behind_counts_and_crashes_like_writes(void)
{
    char *dir = tmpdir();
    char pa[300], pb[300];
    snprintf(pa, sizeof pa, "%s/a", dir);
    snprintf(pb, sizeof pb, "%s/b", dir);
    fio_env *ea = fio_env_new(), *eb = fio_env_new();
    fio_set_real_sync(ea, 0);
    fio_set_real_sync(eb, 0);
    fio_file *a, *b;
    CHECK_EQ_INT(fio_open(ea, pa, &a), FIO_OK);
    CHECK_EQ_INT(fio_open(eb, pb, &b), FIO_OK);
    fio_set_prealloc(a, 4096);
    fio_set_prealloc(b, 4096);
    CHECK_EQ_INT(fio_set_write_behind(b, 1), FIO_OK);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 5; i++) {
            char rec[40];
            int n = snprintf(rec, sizeof rec, "record %d.%d;", round, i);
            CHECK_EQ_INT(fio_write(a, fio_size(a), rec, (size_t)n), FIO_OK);
            CHECK_EQ_INT(fio_write(b, fio_size(b), rec, (size_t)n), FIO_OK);
        }
        CHECK_EQ_INT(fio_size(b), fio_size(a));
        CHECK_EQ_INT(fio_pending_bytes(b), fio_pending_bytes(a));
        CHECK_EQ_INT(fio_get_stats(eb).writes, fio_get_stats(ea).writes);
        CHECK_EQ_INT(fio_get_stats(eb).bytes_written, fio_get_stats(ea).bytes_written);
        if (round < 2) {
            CHECK_EQ_INT(fio_sync(a), FIO_OK);
            CHECK_EQ_INT(fio_sync(b), FIO_OK);
        }
    }
    unsigned char ba[256], bb[256];
    size_t got = 0;
    CHECK_EQ_INT(fio_read(b, 0, bb, 20, &got), FIO_OK);   /* a read sees held bytes */
    CHECK_EQ_INT(got, 20);
    CHECK(memcmp(bb, "record 0.0;record 0.", 20) == 0);
    fio_keep_on_crash(a, 7);
    fio_keep_on_crash(b, 7);
    fio_crash_report ra, rb;
    CHECK_EQ_INT(fio_crash(ea, &ra), FIO_OK);
    CHECK_EQ_INT(fio_crash(eb, &rb), FIO_OK);
    CHECK_EQ_INT(rb.bytes_lost, ra.bytes_lost);
    CHECK_EQ_INT(rb.writes_lost, 5);
    CHECK_EQ_INT(rb.writes_lost, ra.writes_lost);
    size_t na = file_bytes(pa, ba, sizeof ba), nb = file_bytes(pb, bb, sizeof bb);
    CHECK_EQ_INT(nb, na);
    CHECK(na == nb && memcmp(ba, bb, na) == 0);
    /* Off again: held bytes reach the file at once. */
    CHECK_EQ_INT(fio_write(b, fio_size(b), "tail", 4), FIO_OK);
    CHECK_EQ_INT(fio_set_write_behind(b, 0), FIO_OK);
    CHECK(file_bytes(pb, bb, sizeof bb) >= nb + 4 && memcmp(bb + nb, "tail", 4) == 0);
    fio_env_free(ea);
    fio_env_free(eb);
    rmrf(dir);
}

/* --- pages ----------------------------------------------------------------------------- */

static void test_page_round_trips_rows_and_lsn(void)
{
    page p, q;
    page_init(&p, 7);
    p.lsn = 12345;
    p.table = 3;
    p.rows[0] = (page_row){ true, scalar_int(-42), 99, 5 };
    p.rows[2] = (page_row){ true, scalar_text("alice", 5), 7, 6 };
    uint8_t buf[PAGE_SIZE];
    page_encode(&p, buf);
    CHECK_EQ_INT(page_decode(buf, 7, &q), PAGE_OK);
    CHECK_EQ_INT(q.lsn, 12345);
    CHECK_EQ_INT(q.table, 3);
    CHECK(q.rows[0].used && q.rows[0].key.i == -42 && q.rows[0].value == 99 && q.rows[0].version == 5);
    CHECK(!q.rows[1].used);
    CHECK(q.rows[2].used && strcmp(q.rows[2].key.s, "alice") == 0);
    CHECK(PAGE_SLOTS >= 4);
}

static void test_page_checksum_catches_a_flipped_bit(void)
{
    page p, q;
    page_init(&p, 1);
    p.rows[0] = (page_row){ true, scalar_int(1), 10, 1 };
    uint8_t buf[PAGE_SIZE];
    page_encode(&p, buf);
    buf[PAGE_HDR + 5] ^= 0x10;
    CHECK_EQ_INT(page_decode(buf, 1, &q), PAGE_ECRC);
    page_encode(&p, buf);
    CHECK_EQ_INT(page_decode(buf, 2, &q), PAGE_ENUMBER);
    memset(buf, 0, sizeof buf);
    CHECK_EQ_INT(page_decode(buf, 2, &q), PAGE_EMPTY);
    buf[100] = 1;
    CHECK_EQ_INT(page_decode(buf, 2, &q), PAGE_EBADMAGIC);
}

/* The id reservation's two slots (page.h): the newest that checks wins; a torn write of
 * one leaves the other; the master record beside them reads as before. */
static void test_page_id_slots_keep_the_newest_reservation(void)
{
    uint8_t hdr[PAGE_SIZE] = { 0 };
    page_ids got;
    CHECK(!page_ids_decode(hdr, &got));
    page_ids a = { 4097, 4100, 1 }, b = { 8193, 8300, 2 };
    page_ids_encode(&a, hdr + PAGE_IDS_OFF + (a.seq & 1) * PAGE_IDS_SLOT);
    CHECK(page_ids_decode(hdr, &got) && got.txn_limit == 4097 && got.version_limit == 4100 && got.seq == 1);
    page_ids_encode(&b, hdr + PAGE_IDS_OFF + (b.seq & 1) * PAGE_IDS_SLOT);
    CHECK(page_ids_decode(hdr, &got) && got.txn_limit == 8193 && got.seq == 2);
    page_header ph;
    CHECK_EQ_INT(page_header_decode(hdr, &ph), PAGE_EMPTY);   /* no checkpoint yet */
    uint8_t m[PAGE_SIZE];
    page_header_encode(&(page_header){ .master_lsn = 777 }, m);
    memcpy(hdr, m, PAGE_HEADER_MASTER);
    CHECK_EQ_INT(page_header_decode(hdr, &ph), PAGE_OK);
    CHECK_EQ_INT(ph.master_lsn, 777);
    CHECK(page_ids_decode(hdr, &got) && got.seq == 2);
    hdr[PAGE_IDS_OFF + 3] ^= 0x40;                            /* slot 0 (seq 2) torn */
    CHECK(page_ids_decode(hdr, &got) && got.txn_limit == 4097 && got.seq == 1);
    memcpy(hdr + PAGE_IDS_OFF, hdr + PAGE_IDS_OFF + PAGE_IDS_SLOT, PAGE_IDS_SLOT);
    memset(hdr + PAGE_IDS_OFF + PAGE_IDS_SLOT, 0, PAGE_IDS_SLOT);
    CHECK(!page_ids_decode(hdr, &got));                        /* a slot in the wrong place */
}

/* --- log records -------------------------------------------------------------------------- */

static void test_wal_records_round_trip(void)
{
    uint8_t buf[512];
    wal_rec r = { .type = WAL_CLR, .lsn = 100, .prev_lsn = 50, .txn = 9, .table = 2, .page = 4, .slot = 3,
                  .key = scalar_text("B", 1), .before = { 1, 300, 4 }, .after = { 0, 0, 0 }, .undo_next = 16 };
    size_t n = wal_encode(&r, buf, sizeof buf);
    CHECK_EQ_INT(n, wal_encoded_size(&r));
    wal_rec d;
    CHECK_EQ_INT(wal_decode(buf, n, 100, &d), WAL_OK);
    CHECK_EQ_INT(d.type, WAL_CLR);
    CHECK_EQ_INT(d.prev_lsn, 50);
    CHECK_EQ_INT(d.undo_next, 16);
    CHECK(scalar_eq(&d.key, &r.key));
    CHECK(d.before.exists && d.before.value == 300 && d.before.version == 4);
    CHECK(!d.after.exists);
    /* Every other type. */
    int types[] = { WAL_BEGIN, WAL_INSERT, WAL_UPDATE, WAL_DELETE, WAL_COMMIT, WAL_ABORT };
    for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
        wal_rec x = { .type = (uint8_t)types[i], .lsn = 16, .txn = 3, .key = scalar_int(7), .level = 4 };
        n = wal_encode(&x, buf, sizeof buf);
        CHECK_EQ_INT(wal_decode(buf, n, 16, &d), WAL_OK);
        CHECK_EQ_INT(d.type, types[i]);
    }
}

static void test_wal_decode_rejects_torn_corrupt_and_misplaced_records(void)
{
    uint8_t buf[512];
    wal_rec r = { .type = WAL_UPDATE, .lsn = 16, .txn = 1, .key = scalar_int(1), .after = { 1, 11, 2 } };
    size_t n = wal_encode(&r, buf, sizeof buf);
    wal_rec d;
    CHECK_EQ_INT(wal_decode(buf, n - 1, 16, &d), WAL_ESHORT);
    CHECK_EQ_INT(wal_decode(buf, n, 17, &d), WAL_EBAD);
    buf[40] ^= 1;
    CHECK_EQ_INT(wal_decode(buf, n, 16, &d), WAL_ECRC);
    memset(buf, 0xff, 8);
    CHECK_EQ_INT(wal_decode(buf, n, 16, &d), WAL_EBAD);
}

static void test_wal_checkpoint_payload_round_trips(void)
{
    wal_table_def t = { 1, "CREATE TABLE test (id INT PRIMARY KEY, value INT)" };
    wal_dirty dp[2] = { { 1, 100 }, { 3, 200 } };
    wal_active ac[1] = { { 7, 300 } };
    wal_ckpt c = { 8, 40, 5, 1, 2, 1, &t, dp, ac };
    uint8_t *p;
    uint32_t len;
    CHECK_EQ_INT(wal_ckpt_encode(&c, &p, &len), WAL_OK);
    wal_ckpt d;
    CHECK_EQ_INT(wal_ckpt_decode(p, len, &d), WAL_OK);
    CHECK_EQ_INT(d.next_txn, 8);
    CHECK_EQ_INT(d.ndirty, 2);
    CHECK_EQ_INT(d.dirty[1].rec_lsn, 200);
    CHECK_EQ_INT(d.active[0].txn, 7);
    CHECK_EQ_STR(d.tables[0].sql, t.sql);
    wal_ckpt_free(&d);
    CHECK(wal_ckpt_decode(p, len - 3, &d) != WAL_OK);
    free(p);
}

/* --- a store to test with ------------------------------------------------------------------ */

typedef struct fixture {
    char dir[256];
    fio_env *env;
    store st;
    st_table *t;
} fixture;

static int fx_open(fixture *fx, int frames)
{
    rec_report rep;
    fx->env = fio_env_new();
    fio_set_real_sync(fx->env, 0);
    int rc = recovery_open(&fx->st, fx->dir, fx->env, NULL, frames, &rep);
    fx->t = store_table(&fx->st, "test");
    return rc;
}

static void fx_close(fixture *fx)
{
    store_close(&fx->st);
    fio_env_free(fx->env);
    fx->env = NULL;
}

static void fx_create(fixture *fx, int frames)
{
    snprintf(fx->dir, sizeof fx->dir, "%s", tmpdir());
    CHECK_EQ_INT(fx_open(fx, frames), 0);
    sql_stmt s;
    sql_error e;
    CHECK_EQ_INT(sql_parse("CREATE TABLE test (id INT PRIMARY KEY, value INT)", 1, 1, &s, &e), 0);
    CHECK_EQ_INT(store_create_table(&fx->st, &s, &fx->t), 0);
    sql_free(&s);
}

/* A committed transaction writing keys [from, to) with value = key * mul. */
static uint64_t fx_txn(fixture *fx, int from, int to, int mul, bool commit)
{
    uint64_t txn = 0;
    CHECK_EQ_INT(store_new_txn(&fx->st, &txn), 0);
    uint64_t last = store_log_txn(&fx->st, WAL_BEGIN, txn, 0, 2);
    for (int k = from; k < to; k++) {
        scalar key = scalar_int(k);
        CHECK_EQ_INT(store_write(&fx->st, txn, &last, fx->t, &key, true, (int64_t)k * mul, NULL, NULL), 0);
    }
    if (commit) {
        store_log_txn(&fx->st, WAL_COMMIT, txn, last, 0);
        CHECK_EQ_INT(wal_flush(&fx->st.w), 0);
    }
    return txn;
}

static int64_t fx_value(fixture *fx, int k)
{
    st_row row;
    scalar key = scalar_int(k);
    if (!fx->t || store_read(&fx->st, fx->t, &key, &row) || !row.exists)
        return -1;
    return row.value;
}

static void test_bufpool_writes_the_log_before_the_page(void)
{
    fixture fx;
    fx_create(&fx, 2);
    fx_txn(&fx, 1, 2, 10, false);   /* uncommitted: its record is only in memory */
    CHECK(fx.st.w.durable <= fx.st.w.last_lsn);
    int written = 0;
    CHECK_EQ_INT(bp_flush_all(&fx.st.bp, true, &written), 0);
    CHECK_EQ_INT(written, 1);
    CHECK(fx.st.w.durable > fx.st.w.last_lsn);   /* the log rule forced the log */
    fx_close(&fx);
    rmrf(fx.dir);
}

static void test_recovery_redoes_committed_and_undoes_losers(void)
{
    fixture fx;
    fx_create(&fx, 2);
    fx_txn(&fx, 1, 12, 10, true);          /* committed, spread over 3 pages */
    fx_txn(&fx, 5, 9, 1000, false);         /* a loser overwriting some of them */
    wal_flush(&fx.st.w);
    bp_flush_all(&fx.st.bp, false, NULL);   /* steal: the loser's values reach the file */
    fio_sync(fx.st.datf);
    fx_close(&fx);

    CHECK_EQ_INT(fx_open(&fx, 2), 0);
    for (int k = 1; k < 12; k++)
        CHECK_EQ_INT(fx_value(&fx, k), k * 10);
    fx_close(&fx);

    /* Recovering again finds nothing to undo and the same rows. */
    rec_report rep;
    fx.env = fio_env_new();
    CHECK_EQ_INT(recovery_open(&fx.st, fx.dir, fx.env, NULL, 2, &rep), 0);
    CHECK_EQ_INT(rep.nlosers, 0);
    fx.t = store_table(&fx.st, "test");
    CHECK_EQ_INT(fx_value(&fx, 6), 60);
    fx_close(&fx);
    rmrf(fx.dir);
}

static void test_recovery_cuts_a_torn_tail_and_reports_it(void)
{
    fixture fx;
    fx_create(&fx, 4);
    fx_txn(&fx, 1, 3, 10, true);
    fx_close(&fx);
    char path[300];
    snprintf(path, sizeof path, "%s/acidbase.log", fx.dir);
    struct stat st;
    stat(path, &st);
    FILE *f = fopen(path, "ab");
    fwrite("\x40\x00\x00\x00garbage", 1, 11, f);   /* a record that claims 64 bytes */
    fclose(f);
    rec_report rep;
    fx.env = fio_env_new();
    fio_set_real_sync(fx.env, 0);
    CHECK_EQ_INT(recovery_open(&fx.st, fx.dir, fx.env, NULL, 4, &rep), 0);
    CHECK(rep.torn);
    CHECK_EQ_INT(rep.torn_offset, st.st_size);
    CHECK_EQ_INT(rep.torn_bytes, 11);
    fx.t = store_table(&fx.st, "test");
    CHECK_EQ_INT(fx_value(&fx, 2), 20);
    fx_close(&fx);
    struct stat st2;
    stat(path, &st2);
    CHECK_EQ_INT(st2.st_size, st.st_size);
    rmrf(fx.dir);
}

/* A real crash can leave the log's preallocated zeros after its last record: that is the
 * clean end of the log, not a torn write. */
static void test_recovery_takes_a_zero_tail_as_the_clean_end(void)
{
    fixture fx;
    fx_create(&fx, 4);
    fx_txn(&fx, 1, 3, 10, true);
    fx_close(&fx);
    char path[300];
    snprintf(path, sizeof path, "%s/acidbase.log", fx.dir);
    long size = disk_size(path);
    static const char zeros[5000];
    FILE *f = fopen(path, "ab");
    fwrite(zeros, 1, sizeof zeros, f);
    fclose(f);
    rec_report rep;
    fx.env = fio_env_new();
    fio_set_real_sync(fx.env, 0);
    CHECK_EQ_INT(recovery_open(&fx.st, fx.dir, fx.env, NULL, 4, &rep), 0);
    CHECK(!rep.torn);
    CHECK_EQ_INT(rep.log_end, size);
    fx.t = store_table(&fx.st, "test");
    CHECK_EQ_INT(fx_value(&fx, 2), 20);
    fx_txn(&fx, 3, 4, 10, true);                 /* appends where the records ended */
    CHECK_EQ_INT(fx_value(&fx, 3), 30);
    fx_close(&fx);
    CHECK_EQ_INT(fx_open(&fx, 4), 0);
    CHECK_EQ_INT(fx_value(&fx, 3), 30);
    fx_close(&fx);
    rmrf(fx.dir);
}

static void copy_file(const char *from, const char *to)
{
    static unsigned char buf[1 << 20];
    size_t n = file_bytes(from, buf, sizeof buf);
    FILE *f = fopen(to, "wb");
    if (f) {
        fwrite(buf, 1, n, f);
        fclose(f);
    }
}

static void test_a_crash_during_recovery_is_recovered_again(void)
{
    fixture fx;
    fx_create(&fx, 2);
    fx_txn(&fx, 1, 21, 10, true);          /* 20 rows on 4 pages */
    fx_txn(&fx, 1, 21, 1000, false);        /* a loser over all of them */
    wal_flush(&fx.st.w);
    bp_flush_all(&fx.st.bp, false, NULL);
    fio_sync(fx.st.datf);
    fx_close(&fx);
    char log[300], db[300], blog[300], bdb[300];
    snprintf(log, sizeof log, "%s/acidbase.log", fx.dir);
    snprintf(db, sizeof db, "%s/acidbase.db", fx.dir);
    snprintf(blog, sizeof blog, "%s/base.log", fx.dir);
    snprintf(bdb, sizeof bdb, "%s/base.db", fx.dir);
    copy_file(log, blog);
    copy_file(db, bdb);

    int crashed_runs = 0;
    for (long k = 1; k < 64; k++) {
        copy_file(blog, log);
        copy_file(bdb, db);
        rec_report rep;
        fx.env = fio_env_new();
        fio_set_real_sync(fx.env, 0);
        fio_fault_syncs(fx.env, k);
        int rc = recovery_open(&fx.st, fx.dir, fx.env, NULL, 2, &rep);
        if (rc == 0) {
            fx.t = store_table(&fx.st, "test");
            for (int i = 1; i < 21; i++)
                CHECK_EQ_INT(fx_value(&fx, i), i * 10);
            fx_close(&fx);
            break;
        }
        crashed_runs++;
        fio_crash(fx.env, NULL);          /* the power goes during recovery */
        store_close(&fx.st);
        CHECK_EQ_INT(recovery_open(&fx.st, fx.dir, fx.env, NULL, 2, &rep), 0);
        fx.t = store_table(&fx.st, "test");
        for (int i = 1; i < 21; i++)
            CHECK_EQ_INT(fx_value(&fx, i), i * 10);
        fx_close(&fx);
    }
    CHECK(crashed_runs >= 2);   /* recovery really did sync (evictions, the final flush) */
    rmrf(fx.dir);
}

static void test_checkpoint_bounds_analysis(void)
{
    fixture fx;
    fx_create(&fx, 4);
    fx_txn(&fx, 1, 4, 10, true);
    st_ckpt c = { 0 };
    CHECK_EQ_INT(store_checkpoint(&fx.st, &c), 0);
    uint64_t lsn = c.lsn;
    fx_txn(&fx, 1, 2, 7, true);
    fx_close(&fx);
    rec_report rep;
    fx.env = fio_env_new();
    fio_set_real_sync(fx.env, 0);
    CHECK_EQ_INT(recovery_open(&fx.st, fx.dir, fx.env, NULL, 4, &rep), 0);
    CHECK_EQ_INT(rep.checkpoint_lsn, lsn);
    CHECK(rep.analysis_scanned <= 4);   /* begin, update, commit after the checkpoint */
    fx.t = store_table(&fx.st, "test");
    CHECK_EQ_INT(fx_value(&fx, 1), 7);
    CHECK_EQ_INT(fx_value(&fx, 3), 30);
    fx_close(&fx);
    rmrf(fx.dir);
}

/* S1: ids come from blocks reserved durably in the data file's header; the reservation
 * is written and fsynced before the first id of a block is handed out, so a crash that
 * keeps nothing else of them still knows they were used. */
static void test_ids_are_handed_out_from_durable_blocks(void)
{
    fixture fx;
    fx_create(&fx, 4);
    uint64_t id = 0;
    CHECK_EQ_INT(store_new_txn(&fx.st, &id), 0);
    uint64_t seq = fx.st.ids_seq, limit = fx.st.txn_limit;
    CHECK(id < limit && limit - id <= STORE_ID_BLOCK);
    while (id + 1 < limit)
        CHECK_EQ_INT(store_new_txn(&fx.st, &id), 0);
    CHECK_EQ_INT(fx.st.ids_seq, seq);                 /* the block lasted, no write */
    CHECK_EQ_INT(store_new_txn(&fx.st, &id), 0);
    CHECK_EQ_INT(id, limit);
    CHECK_EQ_INT(fx.st.ids_seq, seq + 1);             /* the next block, first */
    CHECK(fx.st.txn_limit > id);
    fio_crash_report fr;
    rec_report rep;
    CHECK_EQ_INT(store_crash(&fx.st, false, &fr), 0);  /* nothing of those ids is in the log */
    CHECK_EQ_INT(recovery_run(&fx.st, &rep), 0);
    uint64_t after = 0;
    CHECK_EQ_INT(store_new_txn(&fx.st, &after), 0);
    CHECK(after > id);
    CHECK(fx.st.next_txn <= fx.st.txn_limit && fx.st.next_version <= fx.st.version_limit);
    fx_close(&fx);
    rmrf(fx.dir);
}

int main(void)
{
    RUN(test_crc32_matches_the_standard_check_value);
    RUN(test_crc32_long_runs_match_the_bytewise_tables);
    RUN(test_fio_crash_restores_the_last_synced_content);
    RUN(test_fio_keep_on_crash_leaves_a_torn_tail);
    RUN(test_fio_injected_sync_fault_fails_until_the_crash);
    RUN(test_fio_preallocated_tail_is_invisible);
    RUN(test_fio_prealloc_grows_with_the_file);
    RUN(test_fio_write_behind_counts_and_crashes_like_writes);
    RUN(test_page_round_trips_rows_and_lsn);
    RUN(test_page_checksum_catches_a_flipped_bit);
    RUN(test_page_id_slots_keep_the_newest_reservation);
    RUN(test_wal_records_round_trip);
    RUN(test_wal_decode_rejects_torn_corrupt_and_misplaced_records);
    RUN(test_wal_checkpoint_payload_round_trips);
    RUN(test_bufpool_writes_the_log_before_the_page);
    RUN(test_recovery_redoes_committed_and_undoes_losers);
    RUN(test_recovery_cuts_a_torn_tail_and_reports_it);
    RUN(test_recovery_takes_a_zero_tail_as_the_clean_end);
    RUN(test_a_crash_during_recovery_is_recovered_again);
    RUN(test_checkpoint_bounds_analysis);
    RUN(test_ids_are_handed_out_from_durable_blocks);
    return t_done("storage");
}
