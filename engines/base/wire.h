/*
 * wire.h: messages between replicas, as bytes. Every message is encoded when sent and
 * decoded when delivered, so replicas share no memory and the same code could run over
 * UDP. A message that does not decode is counted and dropped, never trusted.
 *
 * Layout (integers little-endian):
 *   offset size
 *        0    1  wire version (WIRE_VERSION)
 *        1    1  type (wire_type)
 *        2    2  reserved, zero
 *        4    4  total length in bytes, this header and the CRC included
 *        8    4  from replica
 *       12    4  to replica
 *       16    8  id: the request or gossip exchange it belongs to
 *       24    .  body, by type (below)
 *    len-4    4  CRC-32C (crc32c.h) of bytes [0, len-4)
 *
 * Body pieces: a string is 1 length byte then the bytes; a vv is 4 count then (4 replica,
 * 8 counter) each; a dot is 4 replica, 8 counter; a version is 1 kind, dot, 8 timestamp,
 * vv, then by kind: value string | nothing (tombstone) | orset: 4 adds (string, dot)...,
 * 4 removed dots... | counter: 4 entries (4 replica, 8 p, 8 n)...; a key state is the key
 * string, 4 count, then that many versions.
 *   WRITE        1 flags (1: a hint being handed off; 2: a request id follows), [the
 *                request id string, the dot its first application made], 4 count, key states
 *   WRITE_ACK    key string
 *   READ         key string
 *   READ_REPLY   4 count (0 or 1), key states
 *   REPAIR       4 count, key states
 *   ROOT         8 root hash                                   gossip, A -> B
 *   MIDS         MERKLE_FANOUT middle-node hashes, 8 bytes each    B -> A
 *   LEAVES       2 mask (bit j: middle node j; never 0), then      A -> B
 *                for each set bit, ascending, that node's
 *                MERKLE_FANOUT leaf hashes, 8 bytes each
 *   KEYS         4 hashes compared, 4 count, (2 leaf index)...     B -> A: the differing
 *                4 count, (key string, 8 state hash)...            leaves, B's keys in them
 *   PUSH         4 count, key states, 4 count, wanted key strings  A -> B
 *   PUSH_BACK    4 count, key states                               B -> A
 * (cluster.h tells the exchange.) Version 1 of the layout had a DIGEST of all 256 leaves
 * in place of ROOT, MIDS and LEAVES, and a CRC-32; its messages are refused as
 * WIRE_EVERSION.
 */
#ifndef AB_WIRE_H
#define AB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "version.h"
#include "merkle.h"

#define WIRE_VERSION 2
#define WIRE_WRITE_HINT 1u   /* WRITE flags */
#define WIRE_WRITE_RID 2u
#define WIRE_HDR 24
#define WIRE_MAX (16u << 20)

typedef enum {
    MSG_WRITE = 1, MSG_WRITE_ACK, MSG_READ, MSG_READ_REPLY, MSG_REPAIR,
    MSG_ROOT, MSG_MIDS, MSG_LEAVES, MSG_KEYS, MSG_PUSH, MSG_PUSH_BACK, MSG__COUNT
} wire_type;

enum { WIRE_OK = 0, WIRE_ESHORT = -1, WIRE_EVERSION = -2, WIRE_ECRC = -3, WIRE_EBAD = -4, WIRE_ENOMEM = -5 };

typedef struct wire_keystate {
    char key[BASE_KEY_MAX + 1];
    uint32_t nv;
    bversion *v;
} wire_keystate;

typedef struct wire_keyhash {
    char key[BASE_KEY_MAX + 1];
    uint64_t hash;
} wire_keyhash;

typedef struct wire_msg {
    uint8_t type;            /* wire_type */
    uint8_t flags;
    uint16_t mask;                       /* LEAVES: the middle nodes whose leaves follow */
    uint32_t from, to;
    uint32_t nstates;                    /* WRITE, READ_REPLY, REPAIR, PUSH, PUSH_BACK */
    uint64_t id;
    uint64_t root;                       /* ROOT */
    char key[BASE_KEY_MAX + 1];          /* WRITE_ACK, READ */
    char rid[BASE_RID_MAX + 1];          /* WRITE with flag WIRE_WRITE_RID: the request id */
    dot rid_dot;                         /* and the dot its first application made */
    wire_keystate *states;
    uint64_t *mids;                      /* MIDS: MERKLE_FANOUT of them */
    uint64_t *leaves;                    /* LEAVES: MERKLE_FANOUT per bit of mask */
    uint32_t compared;                   /* KEYS: hashes the peer compared */
    uint32_t nleaves;                    /* KEYS: differing leaves */
    uint32_t nhashes;                    /* KEYS */
    uint32_t nwant;                      /* PUSH */
    uint16_t *diff_leaves;               /* KEYS */
    wire_keyhash *hashes;                /* KEYS */
    char (*want)[BASE_KEY_MAX + 1];      /* PUSH */
    bool in_arena;                       /* decoded into a wire_arena, which owns its memory */
} wire_msg;

/* Memory for decoding one message after another without the heap: wire_decode_in takes
 * what it needs from the arena, and wire_arena_reset gives it all back at once once the
 * message has been handled. Performance: a PUSH decoded with malloc took half a dozen
 * allocations (key states, versions, their contexts), each freed again a moment later. */
typedef struct wire_chunk wire_chunk;
typedef struct wire_arena {
    wire_chunk *first, *cur;
    bool used;               /* something was taken since the last reset */
    bool big;                /* a chunk bigger than usual is held */
} wire_arena;
void wire_arena_init(wire_arena *a);
/* Gives back everything taken since the last reset (nothing to do when nothing was: most
 * messages take nothing). */
void wire_arena_reset(wire_arena *a);
void wire_arena_free(wire_arena *a);

/* Encodes into a malloc'ed buffer; returns its length, or 0 when out of memory or too big. */
size_t wire_encode(const wire_msg *m, uint8_t **out);
/* Encodes into buf (cap bytes) and returns the message's length; when that is more than
 * cap, buf holds nothing usable and the caller needs a buffer of that length. Returns 0
 * when the message cannot be encoded (as wire_encode refuses it). */
size_t wire_encode_to(const wire_msg *m, uint8_t *buf, size_t cap);
/* The number of middle nodes in a LEAVES mask. */
int wire_mask_count(uint16_t mask);
/* Every field zero: an empty message, to fill in and send. Performance: a copy of a zero
 * message, which compilers do in a few vector moves, where a memset of this size became
 * `rep stos` (slow to start) and every delivery clears two messages. */
extern const wire_msg wire_msg_empty;
static inline void wire_msg_init(wire_msg *m) { *m = wire_msg_empty; }
/* Decodes (allocating); on error *m is left zeroed, as wire_msg_init leaves it. */
int wire_decode(const uint8_t *buf, size_t n, wire_msg *m);
/* The same, taking memory from the arena (no heap, nothing to free but the arena): the
 * message stays valid until the arena is reset, and its versions must only be read (copy
 * them to keep them, as a replica does when it merges). Same checks, same result. */
int wire_decode_in(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *a);
/* Frees what the message owns (key states, middle or leaf hashes, differing leaves, key
 * hashes, wanted keys; nothing when it was decoded into an arena), leaving those pointers
 * NULL and their counts 0; the other fields stay as they were. */
void wire_msg_free(wire_msg *m);
/* For prefetching only: a field of a message not decoded yet, read where a well-formed
 * ROOT or LEAVES has it, with no check but the length (0 when too short). The message is
 * decoded and checked as always when it is delivered. */
static inline uint64_t wire_peek_root(const uint8_t *buf, size_t n)
{
    if (n < WIRE_HDR + 8)
        return 0;
    const uint8_t *p = buf + WIRE_HDR;
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
}
static inline uint16_t wire_peek_mask(const uint8_t *buf, size_t n)
{
    return n >= WIRE_HDR + 2 ? (uint16_t)(buf[WIRE_HDR] | buf[WIRE_HDR + 1] << 8) : 0;
}
const char *wire_type_name(int type);
const char *wire_strerror(int rc);

#endif
