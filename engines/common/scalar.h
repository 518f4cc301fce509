/*
 * scalar.h: the one typed value of the ACID side, a 64-bit integer or a short text.
 *
 * Row keys are INT or TEXT, row values are INT, and predicates compare either with a
 * literal; one small by-value type covers all of them, so keys can be hashed, copied into
 * log records and history events, and compared without allocation. Text is limited to
 * SCALAR_TEXT_MAX bytes: long enough for usernames and account ids, short enough that a
 * row fits a fixed page slot (see page.h). Longer text is refused by the parser.
 */
#ifndef AB_SCALAR_H
#define AB_SCALAR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SCALAR_TEXT_MAX 23

typedef enum { SC_NONE = 0, SC_INT = 1, SC_TEXT = 2 } scalar_type;

typedef struct scalar {
    uint8_t type;   /* scalar_type */
    uint8_t len;    /* text length, 0 for ints */
    int64_t i;      /* the integer, 0 for text */
    char s[SCALAR_TEXT_MAX + 1]; /* NUL-terminated text, all zero for ints */
} scalar;

scalar scalar_int(int64_t v);
/* Text longer than SCALAR_TEXT_MAX is truncated; callers validate length first. */
scalar scalar_text(const char *s, size_t len);

/* Total order: ints before texts, ints numerically, texts bytewise. */
int scalar_cmp(const scalar *a, const scalar *b);
bool scalar_eq(const scalar *a, const scalar *b);
uint64_t scalar_hash(const scalar *a);

/* Writes the scalar as a learner reads it: 42, or A for text (quoted: 'A' when quote). */
int scalar_format(const scalar *a, bool quote, char *buf, size_t n);
/* The same text, appended (putbuf.h). */
struct putbuf;
void scalar_put(struct putbuf *b, const scalar *a, bool quote);

#endif
