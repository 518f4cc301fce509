/*
 * pred.h: row predicates, as written in a WHERE clause or a CHECK, and as recorded in the
 * history.
 *
 * A predicate is a conjunction of terms over the two columns of a row (the key and the one
 * INT column). The SQL parser builds them, the engine evaluates them to choose rows, and
 * the history keeps a copy with every predicate read so the checker can ask later "would
 * this newer version have changed what that read matched?" (Adya's predicate
 * anti-dependency). An empty predicate (no terms) matches every row.
 *
 * Terms:
 *   col <op> literal        op in = != < <= > >=   (<> is parsed as !=)
 *   col % m = r             integers only
 *   col IN (lit, ...)
 * A term names its column as written; pred_resolve() binds the name to the key or the
 * value column of a table, and must succeed before pred_eval() is used.
 */
#ifndef AB_PRED_H
#define AB_PRED_H

#include "scalar.h"

#define PRED_COL_MAX 31
#define PRED_IN_MAX 64

typedef enum { POP_EQ, POP_NE, POP_LT, POP_LE, POP_GT, POP_GE } pred_op;
typedef enum { PT_CMP, PT_MOD, PT_IN } pred_kind;
typedef enum { PF_UNRESOLVED = 0, PF_KEY, PF_VALUE } pred_field;

typedef struct pred_term {
    uint8_t kind;            /* pred_kind */
    uint8_t op;              /* pred_op, for PT_CMP */
    uint8_t field;           /* pred_field, set by pred_resolve */
    char col[PRED_COL_MAX + 1];
    int col_line, col_col;   /* where the column name was written (for errors) */
    int lit_line, lit_col;   /* where the (first) literal was written */
    scalar lit;              /* PT_CMP operand */
    int64_t mod_m, mod_r;    /* PT_MOD: col % m = r */
    int nin;                 /* PT_IN */
    scalar in[PRED_IN_MAX];
} pred_term;

typedef struct pred {
    int nterms;
    pred_term *terms;
} pred;

pred *pred_new(void);
/* Appends a copy of t; returns 0, or -1 when out of memory. */
int pred_add(pred *p, const pred_term *t);
pred *pred_clone(const pred *p);
void pred_free(pred *p);

/* Binds every term's column name to the table's key or value column (case-insensitive).
 * On an unknown column returns the index of the offending term, else -1. */
int pred_resolve(pred *p, const char *keycol, const char *valcol);

/* Does the row (key, value) satisfy p?  NULL or empty p matches everything. A comparison
 * between different scalar types is false (the engine refuses such predicates first). */
bool pred_eval(const pred *p, const scalar *key, int64_t value);

/* When every row that can match p has one of a small set of keys (id = k, id IN (...)),
 * returns how many and writes them to keys (up to max); otherwise -1. The engine locks
 * just those keys instead of the table under SERIALIZABLE. */
int pred_point_keys(const pred *p, scalar *keys, int max);

/* Canonical text: "id = 1 AND value % 3 = 0"; "" for the empty predicate. */
int pred_format(const pred *p, char *buf, size_t n);
/* The same text, appended (putbuf.h); nothing for NULL. */
struct putbuf;
void pred_put(struct putbuf *b, const pred *p);
const char *pred_op_text(pred_op op);

#endif
