/*
 * fuzz_wal.c: the log record decoder, and the checkpoint and CREATE payloads inside it.
 *
 * Random bytes almost never carry a good CRC, so the target has two modes chosen by the
 * first byte: odd, the rest is decoded as it is (the CRC and length checks themselves are
 * fuzzed); even, the rest gets its length field and CRC set first, so the fuzzer reaches
 * the fields behind them. A record the decoder accepts must be one its encoder writes
 * byte for byte (the decoder is strict: reserved bytes, key lengths, payload sizes).
 */
#include <string.h>
#include "fuzz.h"
#include "acid/crc32.h"
#include "acid/wal.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 16))
        return 0;
    bool raw = data[0] & 1;
    size_t n = size - 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    if (!raw && n >= WAL_REC_HDR + 4) {
        put32(buf, (uint32_t)n);
        put32(buf + n - 4, crc32_update(0, buf, n - 4));
    }
    uint64_t lsn = n >= 16 ? get64(buf + 8) : WAL_HDR_SIZE;
    wal_rec r;
    int rc = wal_decode(buf, n, lsn, &r);
    if (rc == WAL_OK) {
        FUZZ_ASSERT(r.size >= WAL_REC_HDR + 4 && r.size <= n);
        FUZZ_ASSERT(r.lsn == lsn);
        uint8_t *again = malloc(r.size);
        FUZZ_ASSERT(again);
        FUZZ_ASSERT(wal_encoded_size(&r) == r.size);
        FUZZ_ASSERT(wal_encode(&r, again, r.size) == r.size);
        FUZZ_ASSERT(memcmp(again, buf, r.size) == 0);
        free(again);
        if (r.type == WAL_CHECKPOINT) {
            wal_ckpt c;
            if (wal_ckpt_decode(r.payload, r.payload_len, &c) == 0) {
                uint8_t *p = NULL;
                uint32_t len = 0;
                FUZZ_ASSERT(wal_ckpt_encode(&c, &p, &len) == 0);
                FUZZ_ASSERT(len == r.payload_len && memcmp(p, r.payload, len) == 0);
                free(p);
                wal_ckpt_free(&c);
            }
        } else if (r.type == WAL_CREATE) {
            wal_table_def d;
            if (wal_create_decode(r.payload, r.payload_len, &d) == 0) {
                uint8_t p[1024];
                uint32_t len = 0;
                FUZZ_ASSERT(wal_create_encode(d.id, d.sql, p, sizeof p, &len) == 0);
                FUZZ_ASSERT(len == r.payload_len && memcmp(p, r.payload, len) == 0);
            }
        }
    } else {
        FUZZ_ASSERT(rc == WAL_ESHORT || rc == WAL_ECRC || rc == WAL_EBAD);
        FUZZ_ASSERT(wal_strerror(rc) != NULL);
    }
    free(buf);
    return 0;
}
