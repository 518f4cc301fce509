/*
 * scalar.c: ints and short texts as keys and literals. See scalar.h.
 */
#include "scalar.h"
#include "putbuf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

scalar scalar_int(int64_t v)
{
    scalar s;
    memset(&s, 0, sizeof s);
    s.type = SC_INT;
    s.i = v;
    return s;
}

scalar scalar_text(const char *txt, size_t len)
{
    scalar s;
    memset(&s, 0, sizeof s);
    s.type = SC_TEXT;
    if (len > SCALAR_TEXT_MAX)
        len = SCALAR_TEXT_MAX;
    memcpy(s.s, txt, len);
    s.len = (uint8_t)len;
    return s;
}

int scalar_cmp(const scalar *a, const scalar *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    if (a->type == SC_INT)
        return a->i < b->i ? -1 : a->i > b->i;
    if (a->type == SC_TEXT) {
        size_t n = a->len < b->len ? a->len : b->len;
        int c = memcmp(a->s, b->s, n);
        if (c)
            return c < 0 ? -1 : 1;
        return a->len < b->len ? -1 : a->len > b->len;
    }
    return 0;
}

bool scalar_eq(const scalar *a, const scalar *b)
{
    return scalar_cmp(a, b) == 0;
}

uint64_t scalar_hash(const scalar *a)
{
    /* FNV-1a over the type and the payload; ints mixed with a multiply so that
     * consecutive keys spread over an open-addressing table. */
    uint64_t h = 1469598103934665603ULL ^ a->type;
    if (a->type == SC_INT) {
        uint64_t x = (uint64_t)a->i;
        x ^= x >> 33;
        x *= 0xff51afd7ed558ccdULL;
        x ^= x >> 33;
        return h ^ x;
    }
    for (int i = 0; i < a->len; i++) {
        h ^= (unsigned char)a->s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

void scalar_put(putbuf *b, const scalar *a, bool quote)
{
    if (a->type == SC_INT) {
        pb_i64(b, a->i);
    } else if (a->type == SC_TEXT) {
        size_t n = strnlen(a->s, sizeof a->s);
        if (!quote) {
            pb_mem(b, a->s, n);
            return;
        }
        /* Quote and double any embedded quote, as SQL writes it. */
        pb_char(b, '\'');
        for (size_t i = 0; i < a->len && i < sizeof a->s; i++) {
            if (a->s[i] == '\'')
                pb_char(b, '\'');
            pb_char(b, a->s[i]);
        }
        pb_char(b, '\'');
    } else {
        pb_char(b, '?');
    }
}

int scalar_format(const scalar *a, bool quote, char *buf, size_t n)
{
    putbuf b = pb_make(buf, n);
    scalar_put(&b, a, quote);
    return pb_end(&b);
}
