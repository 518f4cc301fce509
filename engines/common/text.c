/*
 * text.c: UTF-8 checking, escaping for display, repair for JSON. See text.h.
 */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many bytes at s match a prefix of a well-formed sequence (Unicode table 3-7), and
 * how many the sequence started there needs (*need; 0 when s[0] starts none). */
static size_t utf8_prefix(const unsigned char *s, size_t n, size_t *need)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;   /* the range of the second byte */
    if (c < 0x80) {
        *need = 1;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF)
        *need = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        *need = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        *need = 4;
    else {
        *need = 0;
        return 0;
    }
    if (c == 0xE0)
        lo = 0xA0;          /* no overlong 3-byte forms */
    else if (c == 0xED)
        hi = 0x9F;          /* no surrogates */
    else if (c == 0xF0)
        lo = 0x90;          /* no overlong 4-byte forms */
    else if (c == 0xF4)
        hi = 0x8F;          /* nothing past U+10FFFF */
    size_t k = 1;
    if (k < n && k < *need && s[k] >= lo && s[k] <= hi)
        k++;
    else
        return k;
    while (k < n && k < *need && s[k] >= 0x80 && s[k] <= 0xBF)
        k++;
    return k;
}

size_t text_utf8_len(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    size_t need, k = utf8_prefix((const unsigned char *)s, n, &need);
    return need && k == need ? k : 0;
}

size_t text_utf8_check(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = text_utf8_len(s + i, n - i);
        if (!k)
            return i;
        i += k;
    }
    return n;
}

/* The code point of the well-formed sequence of length k at s. */
static uint32_t utf8_cp(const unsigned char *s, size_t k)
{
    switch (k) {
    case 1: return s[0];
    case 2: return (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
    case 3: return (uint32_t)(s[0] & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
    default: return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 | (s[3] & 0x3F);
    }
}

static bool is_control(uint32_t cp)
{
    return (cp < 0x20 && cp != '\t') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

/* Invisible characters that change the order text is shown in ("Trojan Source"). */
static bool is_bidi(uint32_t cp)
{
    return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t text_control_at(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t k = text_utf8_len(s + i, n - i);
        if (!k)
            k = 1;
        else if (is_control(utf8_cp((const unsigned char *)s + i, k)))
            return i;
        i += k;
    }
    return n;
}

/* Appends what stands for one piece of text; out may be full (counts only). */
static void put(char *out, size_t n, size_t *o, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++, (*o)++)
        if (*o + 1 < n)
            out[*o] = s[i];
}

size_t text_escape(const char *s, size_t len, char *out, size_t n)
{
    size_t o = 0;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        char e[16];
        size_t k = text_utf8_len(s + i, len - i);
        if (!k) {
            snprintf(e, sizeof e, "\\x%02x", u[i]);
            put(out, n, &o, e, 4);
            i++;
            continue;
        }
        uint32_t cp = utf8_cp(u + i, k);
        if (cp == '\n' || cp == '\r' || cp == '\t') {
            e[0] = '\\';
            e[1] = cp == '\n' ? 'n' : cp == '\r' ? 'r' : 't';
            put(out, n, &o, e, 2);
        } else if (cp < 0x20 || cp == 0x7F) {
            snprintf(e, sizeof e, "\\x%02x", (unsigned)cp);
            put(out, n, &o, e, 4);
        } else if (is_control(cp) || is_bidi(cp)) {
            snprintf(e, sizeof e, "\\u%04x", (unsigned)cp);
            put(out, n, &o, e, 6);
        } else {
            put(out, n, &o, s + i, k);
        }
        i += k;
    }
    if (n)
        out[o < n ? o : n - 1] = '\0';
    return o;
}

bool text_needs_escape(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        size_t k = text_utf8_len(s + i, len - i);
        if (!k)
            return true;
        uint32_t cp = utf8_cp((const unsigned char *)s + i, k);
        if (cp == '\t' || is_control(cp) || is_bidi(cp))
            return true;
        i += k;
    }
    return false;
}

char *text_escape_dup(const char *s)
{
    if (!s)
        s = "";
    size_t len = strlen(s), need = text_escape(s, len, NULL, 0);
    char *out = malloc(need + 1);
    if (out)
        text_escape(s, len, out, need + 1);
    return out;
}

char *text_utf8_repair(const char *s)
{
    size_t len = strlen(s), o = 0;
    /* Each invalid byte becomes at most 3 bytes (U+FFFD). */
    char *out = malloc(3 * len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t need, k = utf8_prefix((const unsigned char *)s + i, len - i, &need);
        if (need && k == need) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
            continue;
        }
        memcpy(out + o, "\xEF\xBF\xBD", 3);
        o += 3;
        i += k ? k : 1;   /* one U+FFFD per maximal subpart */
    }
    out[o] = '\0';
    return out;
}
