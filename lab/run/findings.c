/*
 * findings.c: the table of history checkers, labels derived from a history, and the
 * findings of a history kept up to date once per step. See findings.h.
 *
 * The checkers are called from this file only (the rows' functions below), so a checker
 * that becomes incremental changes its row here and nothing else. Both rows are
 * incremental: acidcheck_update and basecheck_update read only the events added since
 * their last call, so a step costs what it added, not the whole history.
 */
#include "findings.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- lists of findings -------------------------------------------------------------------------- */

static void finding_free(finding *x)
{
    free(x->checker);
    free(x->name);
    for (int j = 0; j < x->naliases; j++)
        free(x->aliases[j]);
    free(x->aliases);
    free(x->txns);
    free(x->key);
    free(x->client);
    free(x->text);
}

void finding_list_free(finding_list *f)
{
    for (int i = 0; i < f->n; i++)
        finding_free(&f->v[i]);
    free(f->v);
    memset(f, 0, sizeof *f);
}

static char *dup_or_null(const char *s, bool *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    *ok = *ok && d;
    return d;
}

int finding_list_add(finding_list *f, const finding *src)
{
    if (f->n == f->cap) {
        int cap = f->cap ? f->cap * 2 : 8;
        finding *v = realloc(f->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        f->v = v;
        f->cap = cap;
    }
    finding *x = &f->v[f->n];
    memset(x, 0, sizeof *x);
    bool ok = true;
    x->checker = dup_or_null(src->checker ? src->checker : "", &ok);
    x->name = dup_or_null(src->name ? src->name : "", &ok);
    x->text = strdup(src->text ? src->text : "");
    ok = ok && x->text;
    x->key = dup_or_null(src->key, &ok);
    x->client = dup_or_null(src->client, &ok);
    x->seq = src->seq;
    x->node = src->node;
    if (src->naliases) {
        x->aliases = calloc((size_t)src->naliases, sizeof *x->aliases);
        ok = ok && x->aliases;
        for (int j = 0; ok && j < src->naliases; j++) {
            x->aliases[j] = strdup(src->aliases[j]);
            x->naliases = j + 1;
            ok = x->aliases[j] != NULL;
        }
    }
    if (ok && src->ntxns) {
        x->txns = malloc((size_t)src->ntxns * sizeof *x->txns);
        ok = x->txns != NULL;
        if (ok) {
            memcpy(x->txns, src->txns, (size_t)src->ntxns * sizeof *x->txns);
            x->ntxns = src->ntxns;
        }
    }
    if (!ok) {
        finding_free(x);
        return -1;
    }
    f->n++;
    return 0;
}

bool finding_lists_differ(const finding_list *a, const finding_list *b, char *why, size_t n)
{
    for (int i = 0; i < a->n || i < b->n; i++) {
        if (i >= a->n) {
            snprintf(why, n, "findings[%d]: %s (%s) is not recorded", i, b->v[i].name, b->v[i].checker);
            return true;
        }
        if (i >= b->n) {
            snprintf(why, n, "findings[%d]: %s (%s) is recorded but not found", i, a->v[i].name, a->v[i].checker);
            return true;
        }
        const finding *x = &a->v[i], *y = &b->v[i];
        const char *field = NULL;
        if (strcmp(x->checker, y->checker))
            field = "checker";
        else if (strcmp(x->name, y->name))
            field = "name";
        else if (x->naliases != y->naliases)
            field = "aliases";
        else if (x->ntxns != y->ntxns || (x->ntxns && memcmp(x->txns, y->txns, (size_t)x->ntxns * sizeof *x->txns)))
            field = "txns";
        else if (x->seq != y->seq)
            field = "seq";
        else if (x->node != y->node)
            field = "node";
        else if ((x->key == NULL) != (y->key == NULL) || (x->key && strcmp(x->key, y->key)))
            field = "key";
        else if ((x->client == NULL) != (y->client == NULL) || (x->client && strcmp(x->client, y->client)))
            field = "client";
        else if (strcmp(x->text, y->text))
            field = "text";
        for (int j = 0; !field && j < x->naliases; j++)
            if (strcmp(x->aliases[j], y->aliases[j]))
                field = "aliases";
        if (field) {
            snprintf(why, n, "findings[%d].%s: the recorded %s finding differs from the recomputed %s", i, field,
                     x->name, y->name);
            return true;
        }
    }
    return false;
}

/* --- labels ------------------------------------------------------------------------------------- */

typedef struct label_ent {
    uint64_t txn;
    uint8_t session;
    uint32_t nth;
} label_ent;

/* Sorted by txn, one entry per transaction id (its first begin). nth counts the begins of
 * each session in history order. */
struct check_labels {
    label_ent *v;
    size_t n, cap;
    uint32_t nth[256];
};

static int ent_cmp(const void *pa, const void *pb)
{
    const label_ent *a = pa, *b = pb;
    return a->txn < b->txn ? -1 : a->txn > b->txn;
}

check_labels *check_labels_new(void)
{
    return calloc(1, sizeof(check_labels));
}

void check_labels_free(check_labels *l)
{
    if (!l)
        return;
    free(l->v);
    free(l);
}

static const label_ent *label_find(const check_labels *l, uint64_t txn)
{
    const label_ent key = { .txn = txn };
    return l && l->n ? bsearch(&key, l->v, l->n, sizeof *l->v, ent_cmp) : NULL;
}

int check_labels_update(check_labels *l, const hist *h, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->side != SIDE_ACID || e->kind != EV_TXN_BEGIN)
            continue;
        uint32_t nth = e->session ? ++l->nth[e->session] : 1;
        if (label_find(l, e->txn))
            continue;   /* an id begun again: the first begin keeps naming it */
        if (l->n == l->cap) {
            size_t cap = l->cap ? l->cap * 2 : 64;
            label_ent *v = realloc(l->v, cap * sizeof *v);
            if (!v)
                return -1;
            l->v = v;
            l->cap = cap;
        }
        /* Ids grow as transactions begin, so this is an append but for a reused id. */
        size_t at = l->n;
        while (at > 0 && l->v[at - 1].txn > e->txn)
            at--;
        memmove(l->v + at + 1, l->v + at, (l->n - at) * sizeof *l->v);
        l->v[at] = (label_ent){ e->txn, e->session, nth };
        l->n++;
    }
    return 0;
}

/* As the engine labels its transactions (acid_txn_label), from the history. */
void check_label(uint64_t txn, char *buf, size_t n, void *labels)
{
    const label_ent *x = label_find(labels, txn);
    if (!x)
        snprintf(buf, n, "txn %" PRIu64, txn);
    else if (x->session == 0)
        snprintf(buf, n, "setup");
    else if (x->nth <= 1)
        snprintf(buf, n, "T%d", x->session);
    else
        snprintf(buf, n, "T%d#%" PRIu32, x->session, x->nth);
}

/* --- the ACID checker (acidcheck.h) ----------------------------------------------------------- */

/* The names acidcheck_known_name accepts (acidcheck.c's known_names), for messages. */
static const char *const acid_names[] = {
    "G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "G2", "dirty-read", "dirty-write", "aborted-read",
    "intermediate-read", "read-skew", "non-repeatable-read", "phantom", "lost-update", "write-skew",
};

/* Incremental (acidcheck_update reads only the events added since its last call). */
static void *acid_open(void)
{
    return acidcheck_new();
}

static int acid_update(void *st, const hist *h, size_t from, size_t to, const check_labels *lb)
{
    (void)to;
    if (from == 0)   /* the labels of transactions with no session: setup */
        acidcheck_set_label(st, check_label, (void *)lb);
    return acidcheck_update(st, h);
}

static int acid_report(void *st, finding_list *out)
{
    const acid_findings *f = acidcheck_findings(st);
    for (int i = 0; i < f->n; i++) {
        const acid_finding *x = &f->v[i];
        char *aliases[ACHK_NAMES_MAX];
        for (int j = 0; j < x->naliases && j < ACHK_NAMES_MAX; j++)
            aliases[j] = (char *)x->aliases[j];
        finding t = { .checker = "acid", .name = (char *)x->name, .aliases = aliases, .naliases = x->naliases,
                      .txns = (uint64_t *)x->txns, .ntxns = x->ntxns, .seq = x->seq, .text = x->text };
        if (finding_list_add(out, &t))
            return -1;
    }
    return 0;
}

static bool acid_has(void *st, const char *name) { return acidcheck_has(acidcheck_findings(st), name); }

static int acid_count(void *st, const char *name)
{
    const acid_findings *f = acidcheck_findings(st);
    int n = 0;
    for (int i = 0; i < f->n; i++) {
        acid_findings one = { 1, 1, &f->v[i] };
        n += acidcheck_has(&one, name);
    }
    return n;
}

static const char *acid_name_at(size_t i)
{
    return i < sizeof acid_names / sizeof *acid_names ? acid_names[i] : NULL;
}

static void acid_close(void *st)
{
    acidcheck_close(st);
}

/* --- the BASE checker (basecheck.h) ----------------------------------------------------------- */

/* The names basecheck_known_name accepts (basecheck.c's fn_names), for messages. */
static const char *const base_names[] = {
    "stale-read", "read-your-writes", "monotonic-read", "lost-write", "sibling",
};

/* Incremental (basecheck_update reads only the events added since its last call). */
static void *base_open(void)
{
    return basecheck_new();
}

static int base_update(void *st, const hist *h, size_t from, size_t to, const check_labels *lb)
{
    (void)from;
    (void)to;
    (void)lb;   /* the BASE checker names replicas, keys and clients, not transactions */
    return basecheck_update(st, h);
}

static int base_report(void *st, finding_list *out)
{
    const base_findings *f = basecheck_findings(st);
    for (int i = 0; i < f->n; i++) {
        const base_finding *x = &f->v[i];
        finding t = { .checker = "base", .name = (char *)x->name, .seq = x->seq, .node = x->node,
                      .key = x->key[0] ? (char *)x->key : NULL, .client = x->client[0] ? (char *)x->client : NULL,
                      .text = x->text };
        if (finding_list_add(out, &t))
            return -1;
    }
    return 0;
}

static bool base_has(void *st, const char *name) { return basecheck_has(basecheck_findings(st), name); }
static int base_count(void *st, const char *name) { return basecheck_count(basecheck_findings(st), name); }

static const char *base_name_at(size_t i)
{
    return i < sizeof base_names / sizeof *base_names ? base_names[i] : NULL;
}

static void base_close(void *st)
{
    basecheck_close(st);
}

/* --- the table ---------------------------------------------------------------------------------- */

/* One row per checker; findings are listed in this order. */
static const checker_ops checkers[] = {
    { "acid", acid_open, acid_update, acid_report, acid_has, acid_count, acidcheck_known_name, acid_name_at,
      acid_close },
    { "base", base_open, base_update, base_report, base_has, base_count, basecheck_known_name, base_name_at,
      base_close },
};
#define NCHECKERS (sizeof checkers / sizeof *checkers)

const checker_ops *findings_checker(size_t i)
{
    return i < NCHECKERS ? &checkers[i] : NULL;
}

bool findings_known_name(const char *name)
{
    for (size_t i = 0; i < NCHECKERS; i++)
        if (checkers[i].known(name))
            return true;
    return false;
}

void findings_names(char *buf, size_t n)
{
    size_t total = 0, o = 0;
    for (size_t c = 0; c < NCHECKERS; c++)
        for (size_t i = 0; checkers[c].name_at(i); i++)
            total++;
    buf[0] = 0;
    size_t k = 0;
    for (size_t c = 0; c < NCHECKERS; c++)
        for (size_t i = 0; checkers[c].name_at(i) && o < n; i++, k++)
            o += (size_t)snprintf(buf + o, n - o, "%s%s", k == 0 ? "" : k + 1 == total ? " or " : ", ",
                                  checkers[c].name_at(i));
}

/* --- the findings of one history ---------------------------------------------------------------- */

struct findings {
    const hist *h;
    size_t seen;                 /* events the checkers and labels have taken in */
    bool valid;                  /* list is the findings of h[0, seen) */
    check_labels *labels;
    void *state[NCHECKERS];
    finding_list list;
};

findings *findings_new(const hist *h)
{
    findings *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->h = h;
    f->labels = check_labels_new();
    bool ok = f->labels != NULL;
    for (size_t i = 0; ok && i < NCHECKERS; i++)
        ok = (f->state[i] = checkers[i].open()) != NULL;
    if (!ok) {
        findings_free(f);
        return NULL;
    }
    return f;
}

void findings_free(findings *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < NCHECKERS; i++)
        if (f->state[i])
            checkers[i].close(f->state[i]);
    check_labels_free(f->labels);
    finding_list_free(&f->list);
    free(f);
}

/* Brings everything up to the history's end (F1). */
static int update(findings *f)
{
    size_t to = hist_count(f->h);
    if (f->valid && to == f->seen)
        return 0;
    f->valid = false;
    if (check_labels_update(f->labels, f->h, f->seen, to))
        return -1;
    for (size_t i = 0; i < NCHECKERS; i++)
        if (checkers[i].update(f->state[i], f->h, f->seen, to, f->labels))
            return -1;
    f->seen = to;
    finding_list_free(&f->list);
    for (size_t i = 0; i < NCHECKERS; i++)
        if (checkers[i].report(f->state[i], &f->list))
            return -1;
    f->valid = true;
    return 0;
}

const finding_list *findings_get(findings *f)
{
    return update(f) ? NULL : &f->list;
}

int findings_has(findings *f, const char *name)
{
    if (update(f))
        return -1;
    for (size_t i = 0; i < NCHECKERS; i++)
        if (checkers[i].has(f->state[i], name))
            return 1;
    return 0;
}

int findings_count(findings *f, const char *name)
{
    if (update(f))
        return -1;
    int n = 0;
    for (size_t i = 0; i < NCHECKERS; i++)
        n += checkers[i].count(f->state[i], name);
    return n;
}

void findings_label(findings *f, uint64_t txn, char *buf, size_t n)
{
    if (update(f))
        snprintf(buf, n, "txn %" PRIu64, txn);
    else
        check_label(txn, buf, n, f->labels);
}
