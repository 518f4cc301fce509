/*
 * grammar.h: the scenario language's words, one table (grammar.c): its areas (the head of
 * a line: T1..T9, n1..n9, client@nK, setup, engine, cluster, net, run, say, expect), the
 * directives of each area, the statements a session or a client gives, and the
 * expectations, each with the shape of its arguments and a line of help.
 *
 * Everything that needs to know the language's words reads this table:
 *   - the parser (scenario.c) recognises keywords through it and builds its "expected X,
 *     Y or Z" messages from it;
 *   - the lab's command line completes from it (gram_complete);
 *   - the lab's help screen lists it;
 *   - the lab tells a line someone in the story says (a session's statement, a client's
 *     request) from one that sets the scene through gram_head, as the ACID pane finds a
 *     queued line's session.
 * A directive added to the table is parsed (given the few lines that read its arguments in
 * scenario.c), completed, listed in help and named in error messages, with nothing else to
 * change. tests/unit/test_scenario.c walks the table: every entry's example parses to it,
 * and every entry completes.
 *
 * The full contract of each line is assets/doc/scenarios.md; SQL's own grammar is
 * engines/acid/sql.c's (the table has the statements' first words, for completion and help).
 */
#ifndef AB_GRAMMAR_H
#define AB_GRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include "scenario.h"

typedef enum {
    G_AREA = 1,      /* the head of a line; code: its scn_kind */
    G_DIRECTIVE,     /* engine:, cluster:, net:, run: words; code: scn_engine, scn_cluster, ... */
    G_STATEMENT,     /* what a session (SQL), setup or a client (scn_base_op) gives */
    G_EXPECT,        /* an assertion after expect; code: scn_expect_kind */
} gram_class;

/* What an expectation is about, written before its words. */
typedef enum { GS_NONE = 0, GS_SESSION, GS_REPLICA, GS_CLIENT } gram_subject;

typedef struct gram_entry {
    gram_class cls;
    scn_kind area;
    gram_subject subject;
    const char *words;     /* as typed, one or two words ("sync group", "no anomaly"); "" when
                              the arguments follow the subject directly (expect n2 KEY = v) */
    const char *args;      /* the arguments' shape, as help shows it; "" none; "[...]" optional */
    int code;              /* the parser's value for it (see gram_class) */
    int sub;               /* EX_STATE: the scn_state */
    const char *list;      /* its name in the parser's lists of what was expected; NULL for an
                              alias or a word the lists do not show */
    const char *example;   /* a whole line that parses to this entry */
    const char *help;
} gram_entry;

/* The table, in order; NULL past the last. */
const gram_entry *gram_at(size_t i);

/* The entry of class cls in area (and subject, for expectations) whose first word is
 * s[0, len), case-insensitively; the first such in table order. NULL when none. */
const gram_entry *gram_find(gram_class cls, scn_kind area, gram_subject subj, const char *s, size_t len);
/* Among the entries that gram_find would consider, the one whose second word is s[0, len). */
const gram_entry *gram_find2(gram_class cls, scn_kind area, const char *first, size_t flen, const char *s,
                             size_t len);

/* The entries' list names, each once, in table order, "a, b<last>c" (last is " or " for a
 * sentence, ", " inside parentheses); for G_AREA every area, for G_EXPECT with a subject
 * that subject's only. */
void gram_list(gram_class cls, scn_kind area, gram_subject subj, const char *last, char *buf, size_t n);

/* The kind of a named area (setup, engine, cluster, net, run, say, expect), or -1. */
int gram_area(const char *s, size_t len);

/* The head of a line, found the way the parser finds it. */
typedef struct gram_head_info {
    scn_kind kind;         /* SL_BLANK for an empty or comment line; -1 when no known head */
    int session;           /* SL_SQL: 1..9 (0 when out of range) */
    int node;              /* SL_CLIENT: the coordinating replica 1..9 (0 when out of range) */
    char client[32];       /* SL_CLIENT: the client's name, "" none */
    size_t body;           /* offset of what follows the head's ':' (and blanks) */
} gram_head_info;
void gram_head(const char *line, gram_head_info *h);

/* A line someone in the story says (a session's statement, a client's request), as
 * opposed to one that sets the scene (setup:, say:, engine:, net:, expect ...). */
bool gram_is_actor_line(const char *line);

/* Session s's statement on line ("T3: UPDATE ..." gives 3 and "UPDATE ..."), or 0 when the
 * line is not a session's. For the screen (the ACID pane's queued statements). */
int gram_session_line(const char *line, const char **stmt);

/* What Tab offers for line: every completion (the whole new line) that extends it, into
 * out[0, max). Returns how many there are (possibly more than max). */
int gram_complete(const char *line, char out[][160], int max);

/* The text an entry completes to (without a subject's own number, T1 and n1 stand for any):
 * "engine: sync group ", "expect T1 rows ", "BEGIN" (a statement: after its actor's head). */
void gram_template(const gram_entry *e, char *buf, size_t n);

/* How help shows an entry: "engine: sync group <n>", "expect T1..T9 rows {k:v, ...}". */
void gram_usage(const gram_entry *e, char *buf, size_t n);

#endif
