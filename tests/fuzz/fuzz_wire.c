/*
 * fuzz_wire.c: the replica wire format decoder (wire.h). As in fuzz_wal.c, an even first
 * byte makes the target set the message's length field and CRC before decoding, so the
 * fuzzer reaches the bodies; an odd one decodes the bytes as they are. A message the
 * decoder accepts must encode back to the same bytes, and the arena decoder replicas use
 * (wire_decode_in) must give the same answer as the heap one.
 */
#include <string.h>
#include "fuzz.h"
#include "base/crc32c.h"
#include "base/wire.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 18))
        return 0;
    bool raw = data[0] & 1;
    size_t n = size - 1;
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return 0;
    memcpy(buf, data + 1, n);
    if (!raw && n >= WIRE_HDR + 4) {
        put32(buf + 4, (uint32_t)n);
        put32(buf + n - 4, crc32c_update(0, buf, n - 4));
    }
    wire_msg m;
    int rc = wire_decode(buf, n, &m);
    /* The arena decoder (what replicas use) must agree with the heap one, byte for byte. */
    static wire_arena arena;
    static int arena_ready;
    if (!arena_ready) {
        wire_arena_init(&arena);
        arena_ready = 1;
    }
    wire_arena_reset(&arena);
    wire_msg m2;
    int rc2 = wire_decode_in(buf, n, &m2, &arena);
    FUZZ_ASSERT(rc == rc2);
    if (rc == WIRE_OK) {
        uint8_t *again = NULL;
        size_t len = wire_encode(&m, &again);
        FUZZ_ASSERT(len == n);
        FUZZ_ASSERT(memcmp(again, buf, n) == 0);
        uint8_t *again2 = malloc(n);
        FUZZ_ASSERT(again2 && wire_encode_to(&m2, again2, n) == n);
        FUZZ_ASSERT(memcmp(again2, buf, n) == 0);
        free(again2);
        free(again);
        FUZZ_ASSERT(wire_type_name(m.type) != NULL);
        wire_msg_free(&m);
    } else {
        FUZZ_ASSERT(wire_strerror(rc) != NULL);
    }
    free(buf);
    return 0;
}
