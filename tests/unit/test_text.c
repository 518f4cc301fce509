/*
 * test_text.c: engines/common/text.c. The reference for UTF-8 is the definition, written
 * here independently: a byte string is well-formed when it is a concatenation of the
 * encodings of Unicode scalar values (U+0000..U+10FFFF without the surrogates), each in
 * its one shortest form (RFC 3629, section 3). Every string of one, two and three bytes
 * is checked against it, and every 4-byte encoding. The repair follows Unicode's own
 * worked example of "U+FFFD Substitution of Maximal Subparts" (The Unicode Standard 15.0,
 * chapter 3, table 3-8). The escaping pins what a terminal may receive.
 */
#include "t.h"
#include "common/text.h"

#include <stdint.h>

/* The reference encoder: the one shortest form of a scalar value. */
static size_t encode(uint32_t cp, unsigned char *o)
{
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | cp >> 6);
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12);
        o[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18);
    o[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool scalar_value(uint32_t cp)
{
    return cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
}

/* valid1[b], valid2[b0 << 8 | b1], valid3[...]: is this exact string one encoding? */
static unsigned char valid1[256], valid2[65536], *valid3;

static void build_reference(void)
{
    valid3 = calloc(1 << 24, 1);
    for (uint32_t cp = 0; cp < 0x10000; cp++) {
        if (!scalar_value(cp))
            continue;
        unsigned char b[4];
        size_t k = encode(cp, b);
        if (k == 1)
            valid1[b[0]] = 1;
        else if (k == 2)
            valid2[b[0] << 8 | b[1]] = 1;
        else
            valid3[(size_t)b[0] << 16 | b[1] << 8 | b[2]] = 1;
    }
}

/* Well-formed by the reference: splits into encodings of length 1..3. */
static bool ref_ok(const unsigned char *s, size_t n)
{
    if (n == 0)
        return true;
    if (valid1[s[0]] && ref_ok(s + 1, n - 1))
        return true;
    if (n >= 2 && valid2[s[0] << 8 | s[1]] && ref_ok(s + 2, n - 2))
        return true;
    if (n >= 3 && valid3[(size_t)s[0] << 16 | s[1] << 8 | s[2]] && ref_ok(s + 3, n - 3))
        return true;
    return false;
}

static void test_every_short_string_against_the_definition(void)
{
    build_reference();
    CHECK(valid3 != NULL);
    if (!valid3)
        return;
    unsigned char s[3];
    long wrong = 0;
    for (unsigned a = 0; a < 256; a++) {
        s[0] = (unsigned char)a;
        wrong += (text_utf8_check((char *)s, 1) == 1) != ref_ok(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            wrong += (text_utf8_check((char *)s, 2) == 2) != ref_ok(s, 2);
            /* Three bytes: every lead byte of a multi-byte form, and a sample of the rest. */
            if (a < 0xC0 && a % 17)
                continue;
            for (unsigned c = 0; c < 256; c++) {
                s[2] = (unsigned char)c;
                wrong += (text_utf8_check((char *)s, 3) == 3) != ref_ok(s, 3);
            }
        }
    }
    CHECK_EQ_INT(wrong, 0);
    free(valid3);
}

static void test_four_byte_forms_exactly_the_supplementary_planes(void)
{
    unsigned char b[4];
    long wrong = 0;
    for (uint32_t cp = 0x10000; cp <= 0x10FFFF; cp++) {
        encode(cp, b);
        wrong += text_utf8_len((char *)b, 4) != 4;
    }
    CHECK_EQ_INT(wrong, 0);
    /* Past U+10FFFF, overlong, and truncated: refused. */
    CHECK_EQ_INT(text_utf8_len("\xF4\x90\x80\x80", 4), 0);
    CHECK_EQ_INT(text_utf8_len("\xF0\x8F\xBF\xBF", 4), 0);
    CHECK_EQ_INT(text_utf8_len("\xF5\x80\x80\x80", 4), 0);
    CHECK_EQ_INT(text_utf8_len("\xF0\x9F\x98", 3), 0);
    CHECK_EQ_INT(text_utf8_len("\xC0\x80", 2), 0);           /* overlong NUL */
    CHECK_EQ_INT(text_utf8_len("\xED\xA0\x80", 3), 0);       /* a surrogate */
    CHECK_EQ_INT(text_utf8_check("ok \xff\xfe", 5), 3);     /* the PUT cart \xff\xfe */
    CHECK_EQ_INT(text_utf8_check("caf\xc3\xa9", 5), 5);
}

/* The Unicode Standard 15.0, chapter 3, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64
 * becomes a, U+FFFD, U+FFFD, U+FFFD, b, U+FFFD, c, U+FFFD, U+FFFD, d. */
static void test_repair_replaces_each_maximal_subpart(void)
{
    char *r = text_utf8_repair("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64");
    CHECK_EQ_STR(r, "a\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD\xEF\xBF\xBD" "d");
    free(r);
    r = text_utf8_repair("PUT cart \xff\xfe");
    CHECK_EQ_STR(r, "PUT cart \xEF\xBF\xBD\xEF\xBF\xBD");
    CHECK_EQ_INT(text_utf8_check(r, strlen(r)), strlen(r));
    free(r);
    r = text_utf8_repair("zo\xc3\xab \xe2\x82\xac");
    CHECK_EQ_STR(r, "zo\xc3\xab \xe2\x82\xac");                  /* valid text is kept */
    free(r);
}

/* What the issue showed: expectation text carrying an escape sequence and newlines made a
 * rejected trace look accepted on the teacher's terminal. */
static void test_escape_leaves_no_control_for_the_terminal(void)
{
    char out[256];
    const char *forged = "expect T1 committed\x1b[2K\r  passed\naccepted 4 of 4 points";
    text_escape(forged, strlen(forged), out, sizeof out);
    CHECK_EQ_STR(out, "expect T1 committed\\x1b[2K\\r  passed\\naccepted 4 of 4 points");
    for (const char *p = out; *p; p++)
        CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
    text_escape("tab\there\x7f", 9, out, sizeof out);
    CHECK_EQ_STR(out, "tab\\there\\x7f");
    /* C1 CSI (U+009B) and a right-to-left override, as UTF-8; a stray byte. */
    text_escape("a\xc2\x9b" "b\xe2\x80\xae" "c\xff", 9, out, sizeof out);
    CHECK_EQ_STR(out, "a\\u009bb\\u202ec\\xff");
    /* Printable UTF-8 stays. */
    text_escape("zo\xc3\xab", 4, out, sizeof out);
    CHECK_EQ_STR(out, "zo\xc3\xab");
    CHECK(!text_needs_escape("zo\xc3\xab", 4));
    CHECK(text_needs_escape("a\nb", 3));
    /* Cut to the buffer, always terminated, and the full length returned. */
    CHECK_EQ_INT(text_escape("\x1b\x1b\x1b", 3, out, 6), 12);
    CHECK_EQ_STR(out, "\\x1b\\");
    char *d = text_escape_dup("\x01");
    CHECK_EQ_STR(d, "\\x01");
    free(d);
}

static void test_control_at_finds_the_first_control(void)
{
    CHECK_EQ_INT(text_control_at("ab\x1b" "c", 4), 2);
    CHECK_EQ_INT(text_control_at("a\tb", 3), 3);              /* TAB is allowed */
    CHECK_EQ_INT(text_control_at("a\xc2\x85", 3), 1);         /* NEL, a C1 control */
    CHECK_EQ_INT(text_control_at("caf\xc3\xa9", 5), 5);
}

int main(void)
{
    RUN(test_every_short_string_against_the_definition);
    RUN(test_four_byte_forms_exactly_the_supplementary_planes);
    RUN(test_repair_replaces_each_maximal_subpart);
    RUN(test_escape_leaves_no_control_for_the_terminal);
    RUN(test_control_at_finds_the_first_control);
    return t_done("text");
}
