/*
 * pred.c: conjunctions of simple terms over a (key, value) row. See pred.h.
 */
#include "pred.h"

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

static bool term_eval(const pred_term *t, const scalar *key, int64_t value)
{
    scalar v = t->field == PF_KEY ? *key : scalar_int(value);
    switch (t->kind) {
    case PT_CMP:
        if (v.type != t->lit.type)
            return false;
        return cmp_holds(scalar_cmp(&v, &t->lit), (pred_op)t->op);
    case PT_MOD: {
        if (v.type != SC_INT || t->mod_m == 0)
            return false;
        int64_t r = v.i % t->mod_m;
        /* SQL's % keeps the dividend's sign; so do we (C99 does the same). */
        return r == t->mod_r;
    }
    case PT_IN:
        for (int i = 0; i < t->nin; i++)
            if (v.type == t->in[i].type && scalar_eq(&v, &t->in[i]))
                return true;
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

int pred_format(const pred *p, char *buf, size_t n)
{
    size_t o = 0;
    char lit[64];
    if (n)
        buf[0] = 0;
    if (!p)
        return 0;
#define PUT(...) do { int k_ = snprintf(buf + (o < n ? o : n), o < n ? n - o : 0, __VA_ARGS__); \
                      if (k_ > 0) o += (size_t)k_; } while (0)
    for (int i = 0; i < p->nterms; i++) {
        const pred_term *t = &p->terms[i];
        if (i)
            PUT(" AND ");
        switch (t->kind) {
        case PT_CMP:
            scalar_format(&t->lit, true, lit, sizeof lit);
            PUT("%s %s %s", t->col, pred_op_text((pred_op)t->op), lit);
            break;
        case PT_MOD:
            PUT("%s %% %" PRId64 " = %" PRId64, t->col, t->mod_m, t->mod_r);
            break;
        case PT_IN:
            PUT("%s IN (", t->col);
            for (int j = 0; j < t->nin; j++) {
                scalar_format(&t->in[j], true, lit, sizeof lit);
                PUT("%s%s", j ? ", " : "", lit);
            }
            PUT(")");
            break;
        }
    }
#undef PUT
    return (int)o;
}
