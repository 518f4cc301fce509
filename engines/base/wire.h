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
 *    len-4    4  CRC-32 of bytes [0, len-4)
 *
 * Body pieces: a string is 1 length byte then the bytes; a vv is 4 count then (4 replica,
 * 8 counter) each; a dot is 4 replica, 8 counter; a version is 1 kind, dot, 8 timestamp,
 * vv, then by kind: value string | nothing (tombstone) | orset: 4 adds (string, dot)...,
 * 4 removed dots... | counter: 4 entries (4 replica, 8 p, 8 n)...; a key state is the key
 * string, 4 count, then that many versions.
 *   WRITE        1 flags (1: a hint being handed off), 4 count, key states
 *   WRITE_ACK    key string
 *   READ         key string
 *   READ_REPLY   4 count (0 or 1), key states
 *   REPAIR       4 count, key states
 *   DIGEST       MERKLE_LEAVES leaf hashes, 8 bytes each
 *   KEYS         4 hashes compared, 4 count, (2 leaf index)...   the differing leaves,
 *                4 count, (key string, 8 state hash)...         the peer's keys in them
 *   PUSH         4 count, key states, 4 count, wanted key strings
 *   PUSH_BACK    4 count, key states
 */
#ifndef AB_WIRE_H
#define AB_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "version.h"
#include "merkle.h"

#define WIRE_VERSION 1
#define WIRE_HDR 24
#define WIRE_MAX (16u << 20)

typedef enum {
    MSG_WRITE = 1, MSG_WRITE_ACK, MSG_READ, MSG_READ_REPLY, MSG_REPAIR,
    MSG_DIGEST, MSG_KEYS, MSG_PUSH, MSG_PUSH_BACK, MSG__COUNT
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
    uint32_t from, to;
    uint64_t id;
    char key[BASE_KEY_MAX + 1];          /* WRITE_ACK, READ */
    uint32_t nstates;                    /* WRITE, READ_REPLY, REPAIR, PUSH, PUSH_BACK */
    wire_keystate *states;
    uint64_t *leaves;                    /* DIGEST: MERKLE_LEAVES of them */
    uint32_t compared;                   /* KEYS: hashes the peer compared */
    uint32_t nleaves;                    /* KEYS: differing leaves */
    uint16_t *diff_leaves;
    uint32_t nhashes;                    /* KEYS */
    wire_keyhash *hashes;
    uint32_t nwant;                      /* PUSH */
    char (*want)[BASE_KEY_MAX + 1];
} wire_msg;

/* Encodes into a malloc'ed buffer; returns its length, or 0 when out of memory or too big. */
size_t wire_encode(const wire_msg *m, uint8_t **out);
/* Decodes (allocating); on error *m is left empty. */
int wire_decode(const uint8_t *buf, size_t n, wire_msg *m);
void wire_msg_free(wire_msg *m);
const char *wire_type_name(int type);
const char *wire_strerror(int rc);

#endif
