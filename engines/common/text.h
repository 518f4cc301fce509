/*
 * text.h: bytes that came from a file someone else wrote, checked before they are parsed
 * and made safe before they are shown or written as JSON.
 *
 * Everything the lab reads is meant to be UTF-8 (scenarios, lessons, traces), but a file
 * can hold anything: invalid sequences, a NUL, escape sequences that repaint a teacher's
 * terminal, a newline inside a field that forges a second line of a report, a bidi
 * override that reverses "rejected" on screen. Three tools, one rule each:
 *
 *   text_utf8_check  where the first byte that is not well-formed UTF-8 is (Unicode 15,
 *                    table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF).
 *                    The scenario and lesson parsers and the trace reader refuse such
 *                    input with its position.
 *   text_escape      the text for a terminal or a text report: printable UTF-8 as it is;
 *                    \n \r \t as those two characters; every other C0 control and DEL as
 *                    \xNN; C1 controls (U+0080..U+009F) and the invisible direction
 *                    controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) as \u00NN /
 *                    \u20NN; a byte that is not UTF-8 as \xNN. Nothing that reaches the
 *                    terminal can move the cursor, change colours or reorder the line.
 *   text_utf8_repair for JSON writers: each maximal invalid subsequence becomes U+FFFD
 *                    (the replacement Unicode recommends, chapter 3, "U+FFFD Substitution
 *                    of Maximal Subparts"), so a strict parser (Python's json, Gradescope)
 *                    always accepts what we write. JSON escaping itself is the writer's.
 *
 * Not here: CSV cells (lab/trace/report.c neutralises formulas, OWASP's rule) and the
 * parsers' own grammar.
 */
#ifndef AB_TEXT_H
#define AB_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The length of the well-formed UTF-8 sequence at s (1..4), or 0 when the bytes there
 * (at most n of them) do not start one. */
size_t text_utf8_len(const char *s, size_t n);

/* The offset of the first byte of s[0..n) that is not part of well-formed UTF-8; n when
 * all of it is. */
size_t text_utf8_check(const char *s, size_t n);

/* The offset of the first control character in s[0..n) other than TAB (C0, DEL, and
 * the C1 controls as UTF-8), or n. Assumes s is valid UTF-8 up to there. */
size_t text_control_at(const char *s, size_t n);

/* s[0..len) escaped for display (see above) into out (always NUL-terminated when n > 0);
 * returns the length the whole escaped text needs, as snprintf does. */
size_t text_escape(const char *s, size_t len, char *out, size_t n);
/* The same, of a C string, into a fresh buffer (NULL when out of memory; "" for NULL). */
char *text_escape_dup(const char *s);
/* True when text_escape would change s (it holds something that is not shown as is). */
bool text_needs_escape(const char *s, size_t len);

/* A fresh copy of the C string s with every maximal invalid UTF-8 subsequence replaced
 * by U+FFFD; NULL when out of memory. */
char *text_utf8_repair(const char *s);

#endif
