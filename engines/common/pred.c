/*
 * pred.c: conjunctions of simple terms over a (key, value) row. See pred.h.
 */
#include "pred.h"
#include "arith.h"
#include "putbuf.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

pred *pred_new(void)
{
    return calloc(1, sizeof(pred));
}

int pred_add(pred *p, const pred_term *t)
{
    pred_term *n = realloc(p->terms, (size_t)(p->nterms + 1) * sizeof *n);
    if (!n)
        return -1;
    p->terms = n;
    p->terms[p->nterms++] = *t;
    return 0;
}

pred *pred_clone(const pred *p)
{
    if (!p)
        return NULL;
    pred *c = pred_new();
    if (!c)
        return NULL;
    if (p->nterms) {
        c->terms = malloc((size_t)p->nterms * sizeof *c->terms);
        if (!c->terms) {
            free(c);
            return NULL;
        }
        memcpy(c->terms, p->terms, (size_t)p->nterms * sizeof *c->terms);
        c->nterms = p->nterms;
    }
    return c;
}

void pred_free(pred *p)
{
    if (!p)
        return;
    free(p->terms);
    free(p);
}

int pred_resolve(pred *p, const char *keycol, const char *valcol)
{
    if (!p)
        return -1;
    for (int i = 0; i < p->nterms; i++) {
        pred_term *t = &p->terms[i];
        if (strcasecmp(t->col, keycol) == 0)
            t->field = PF_KEY;
        else if (strcasecmp(t->col, valcol) == 0)
            t->field = PF_VALUE;
        else
            return i;
    }
    return -1;
}

static bool cmp_holds(int c, pred_op op)
{
    switch (op) {
    case POP_EQ: return c == 0;
    case POP_NE: return c != 0;
    case POP_LT: return c < 0;
    case POP_LE: return c <= 0;
    case POP_GT: return c > 0;
    case POP_GE: return c >= 0;
    }
    return false;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return a < b ? -1 : a > b;
}

/* Performance: the value column is an INT, compared as one directly rather than made into
 * a scalar first (the checker evaluates predicates millions of times on a long history). */
static bool term_eval(const pred_term *t, const scalar *key, int64_t value)
{
    bool on_key = t->field == PF_KEY;
    switch (t->kind) {
    case PT_CMP:
        if (!on_key)
            return t->lit.type == SC_INT && cmp_holds(cmp_i64(value, t->lit.i), (pred_op)t->op);
        if (key->type != t->lit.type)
            return false;
        return cmp_holds(scalar_cmp(key, &t->lit), (pred_op)t->op);
    case PT_MOD: {
        /* SQL's % keeps the dividend's sign; so does arith_mod, and x % -1 is 0 for
         * every x (INT64_MIN % -1 would trap in C). A zero divisor is refused by the
         * parser (sql.c); a term that holds one anyway (a hand-made trace) matches
         * nothing rather than dividing. */
        int64_t r;
        if ((!on_key || key->type == SC_INT) && arith_mod(on_key ? key->i : value, t->mod_m, &r) == ARITH_OK)
            return r == t->mod_r;
        return false;
    }
    case PT_IN:
        for (int i = 0; i < t->nin; i++) {
            const scalar *x = &t->in[i];
            if (on_key ? key->type == x->type && scalar_eq(key, x) : x->type == SC_INT && x->i == value)
                return true;
        }
        return false;
    }
    return false;
}

bool pred_eval(const pred *p, const scalar *key, int64_t value)
{
    if (!p)
        return true;
    for (int i = 0; i < p->nterms; i++)
        if (!term_eval(&p->terms[i], key, value))
            return false;
    return true;
}

int pred_point_keys(const pred *p, scalar *keys, int max)
{
    if (!p)
        return -1;
    /* The first key-equality or key-IN term bounds the candidates; the other terms only
     * filter further, which is what matters for locking just these keys. */
    for (int i = 0; i < p->nterms; i++) {
        const pred_term *t = &p->terms[i];
        if (t->field != PF_KEY)
            continue;
        if (t->kind == PT_CMP && t->op == POP_EQ) {
            if (max < 1)
                return -1;
            keys[0] = t->lit;
            return 1;
        }
        if (t->kind == PT_IN) {
            if (t->nin > max)
                return -1;
            for (int j = 0; j < t->nin; j++)
                keys[j] = t->in[j];
            return t->nin;
        }
    }
    return -1;
}

const char *pred_op_text(pred_op op)
{
    static const char *names[] = { "=", "!=", "<", "<=", ">", ">=" };
    return op <= POP_GE ? names[op] : "?";
}

void pred_put(putbuf *b, const pred *p)
{
    for (int i = 0; p && i < p->nterms; i++) {
        const pred_term *t = &p->terms[i];
        if (i)
            pb_mem(b, " AND ", 5);
        size_t cl = strnlen(t->col, sizeof t->col);
        switch (t->kind) {
        case PT_CMP:
            pb_mem(b, t->col, cl);
            pb_char(b, ' ');
            pb_str(b, pred_op_text((pred_op)t->op));
            pb_char(b, ' ');
            scalar_put(b, &t->lit, true);
            break;
        case PT_MOD:
            pb_mem(b, t->col, cl);
            pb_mem(b, " % ", 3);
            pb_i64(b, t->mod_m);
            pb_mem(b, " = ", 3);
            pb_i64(b, t->mod_r);
            break;
        case PT_IN:
            pb_mem(b, t->col, cl);
            pb_mem(b, " IN (", 5);
            for (int j = 0; j < t->nin; j++) {
                if (j)
                    pb_mem(b, ", ", 2);
                scalar_put(b, &t->in[j], true);
            }
            pb_char(b, ')');
            break;
        }
    }
}

int pred_format(const pred *p, char *buf, size_t n)
{
    putbuf b = pb_make(buf, n);
    pred_put(&b, p);
    return pb_end(&b);
}
