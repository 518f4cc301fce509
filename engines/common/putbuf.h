/*
 * putbuf.h: appending text to a fixed buffer, with snprintf's contract and without its
 * cost. The buffer receives the first cap - 1 bytes of everything appended and a NUL
 * (pb_end); the length counts everything appended, so a caller can tell it was cut,
 * exactly as with snprintf's return value.
 *
 * Performance: the engine formats a statement's canonical text, its predicate and its
 * result on every statement it runs, and vsnprintf's format parsing was the largest single
 * cost of a commit. These do the same writing by hand; the text is byte for byte the same.
 *
 * Not here: anything that needs a format string. Use snprintf for messages off the hot
 * path.
 */
#ifndef AB_PUTBUF_H
#define AB_PUTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct putbuf {
    char *buf;
    size_t cap;   /* bytes at buf, the NUL included; may be 0 */
    size_t len;   /* bytes appended so far, whether they fitted or not */
} putbuf;

static inline putbuf pb_make(char *buf, size_t cap)
{
    if (cap)
        buf[0] = '\0';
    return (putbuf){ buf, cap, 0 };
}

static inline void pb_mem(putbuf *b, const char *s, size_t n)
{
    if (b->len + 1 < b->cap) {
        size_t room = b->cap - 1 - b->len;
        memcpy(b->buf + b->len, s, n < room ? n : room);
    }
    b->len += n;
}

static inline void pb_str(putbuf *b, const char *s)
{
    pb_mem(b, s, strlen(s));
}

static inline void pb_char(putbuf *b, char c)
{
    pb_mem(b, &c, 1);
}

/* Decimal, as "%" PRId64 writes it. */
static inline void pb_i64(putbuf *b, int64_t v)
{
    char t[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        t[sizeof t - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        t[sizeof t - 1 - n++] = '-';
    pb_mem(b, t + sizeof t - n, n);
}

/* Terminates the text (cut to cap - 1 bytes) and returns the full length. */
static inline int pb_end(putbuf *b)
{
    if (b->cap)
        b->buf[b->len < b->cap ? b->len : b->cap - 1] = '\0';
    return (int)b->len;
}

#endif
