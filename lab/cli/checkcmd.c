/*
 * checkcmd.c: the table of history checkers, labels derived from a history, and
 * `acidbase check`. See checkcmd.h.
 */
#include "checkcmd.h"
#include "history/acidcheck.h"
#include "history/basecheck.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

/* --- the checkers ---------------------------------------------------------------------- */

static int run_acid(const hist *h, check_label_fn label, void *arg, trace_findings *out)
{
    acid_findings f = { 0 };
    if (acidcheck_run(h, label, arg, &f))
        return TRACE_NOMEM;
    int rc = TRACE_OK;
    for (int i = 0; i < f.n && !rc; i++) {
        const acid_finding *x = &f.v[i];
        char *aliases[ACHK_NAMES_MAX];
        for (int j = 0; j < x->naliases && j < ACHK_NAMES_MAX; j++)
            aliases[j] = (char *)x->aliases[j];
        trace_finding t = { .checker = "acid", .name = (char *)x->name, .aliases = aliases,
                            .naliases = x->naliases, .txns = (uint64_t *)x->txns, .ntxns = x->ntxns,
                            .seq = x->seq, .text = x->text };
        rc = trace_findings_add(out, &t);
    }
    acidcheck_free(&f);
    return rc;
}

/* The BASE checker names no transactions: where it happened is a replica, a key and
 * maybe a client. */
static int run_base(const hist *h, check_label_fn label, void *arg, trace_findings *out)
{
    base_findings f = { 0 };
    if (basecheck_run(h, &f))
        return TRACE_NOMEM;
    int rc = TRACE_OK;
    for (int i = 0; i < f.n && !rc; i++) {
        base_finding *x = &f.v[i];
        trace_finding t = { .checker = "base", .name = x->name, .seq = x->seq, .node = x->node,
                            .key = x->key[0] ? x->key : NULL, .client = x->client[0] ? x->client : NULL,
                            .text = x->text };
        rc = trace_findings_add(out, &t);
    }
    basecheck_free(&f);
    return rc;
}

/* One row per checker, run in this order. */
static const struct checker {
    const char *name;
    int (*run)(const hist *h, check_label_fn label, void *arg, trace_findings *out);
} checkers[] = {
    { "acid", run_acid },
    { "base", run_base },
};

int check_run_all(const hist *h, check_label_fn label, void *arg, trace_findings *out)
{
    for (size_t i = 0; i < sizeof checkers / sizeof checkers[0]; i++) {
        int rc = checkers[i].run(h, label, arg, out);
        if (rc)
            return rc;
    }
    return TRACE_OK;
}

/* --- labels ------------------------------------------------------------------------------- */

typedef struct label_ent {
    uint64_t txn;
    uint8_t session;
    uint32_t nth;
} label_ent;

struct check_labels {
    label_ent *v;
    size_t n;
};

static int ent_cmp(const void *pa, const void *pb)
{
    const label_ent *a = pa, *b = pb;
    return a->txn < b->txn ? -1 : a->txn > b->txn;
}

check_labels *check_labels_new(const hist *h)
{
    check_labels *l = calloc(1, sizeof *l);
    size_t n = hist_count(h), cap = 0;
    uint32_t nth[256] = { 0 };
    if (!l)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const hist_event *e = hist_get(h, i);
        if (e->side != SIDE_ACID || e->kind != EV_TXN_BEGIN)
            continue;
        if (l->n == cap) {
            cap = cap ? cap * 2 : 64;
            label_ent *v = realloc(l->v, cap * sizeof *v);
            if (!v) {
                check_labels_free(l);
                return NULL;
            }
            l->v = v;
        }
        l->v[l->n++] = (label_ent){ e->txn, e->session, e->session ? ++nth[e->session] : 1 };
    }
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, ent_cmp);
    return l;
}

void check_labels_free(check_labels *l)
{
    if (!l)
        return;
    free(l->v);
    free(l);
}

/* As acid_txn_label does it in the engine. */
void check_label(uint64_t txn, char *buf, size_t n, void *labels)
{
    const check_labels *l = labels;
    const label_ent key = { .txn = txn };
    const label_ent *x = l && l->n ? bsearch(&key, l->v, l->n, sizeof *l->v, ent_cmp) : NULL;
    if (!x)
        snprintf(buf, n, "txn %" PRIu64, txn);
    else if (x->session == 0)
        snprintf(buf, n, "setup");
    else if (x->nth <= 1)
        snprintf(buf, n, "T%d", x->session);
    else
        snprintf(buf, n, "T%d#%" PRIu32, x->session, x->nth);
}

bool check_findings_differ(const trace_findings *a, const trace_findings *b, char *why, size_t n)
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
        const trace_finding *x = &a->v[i], *y = &b->v[i];
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

/* --- acidbase check -------------------------------------------------------------------------- */

static const char *check_help =
    "usage: acidbase check TRACE.json [--json]\n"
    "\n"
    "Reads a trace (written by `acidbase run FILE --trace TRACE.json` or the lab), runs the\n"
    "history checkers over its events again and prints what they find, in words: each\n"
    "anomaly, the transactions in it and the event that completed it.\n"
    "\n"
    "options:\n"
    "  --json          print the findings as JSON instead: {\"file\", \"events\", \"findings\":\n"
    "                  [{\"checker\", \"name\", \"aliases\", \"txns\", \"labels\", \"seq\", [\"node\",\n"
    "                  \"key\", \"client\",] \"text\"}], \"matches_trace\"}\n"
    "  --help, --version\n"
    "\n"
    "exit status:\n"
    "  0  the findings were printed, and they are the ones the trace records\n"
    "  1  they differ from the findings the trace records (an edited trace, or one written\n"
    "     by a version whose checker differs); the difference is named on stderr\n"
    "  2  usage error, or the trace is invalid (FILE: field: message on stderr)\n"
    "  3  an I/O error (the trace cannot be read)\n"
    "\n"
    "The trace format: assets/doc/traces.md.\n";

/* "T1", "T1 and T2", "T1, T2 and T3" */
static void label_list(const trace_finding *f, check_labels *l, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < f->ntxns && o < n; i++) {
        char lb[48];
        check_label(f->txns[i], lb, sizeof lb, l);
        const char *sep = i == 0 ? "" : i + 1 == f->ntxns ? " and " : ", ";
        o += (size_t)snprintf(buf + o, n - o, "%s%s", sep, lb);
    }
}

static void print_text(const char *file, const trace *t, const trace_findings *f, check_labels *l)
{
    size_t nev = hist_count(t->h);
    if (f->n == 0) {
        printf("%s: %zu events; the checkers found nothing to report.\n", file, nev);
        return;
    }
    printf("%s: %zu events; the checkers report %d %s:\n", file, nev, f->n, f->n == 1 ? "finding" : "findings");
    for (int i = 0; i < f->n; i++) {
        const trace_finding *x = &f->v[i];
        char txns[512];
        label_list(x, l, txns, sizeof txns);
        printf("\n%d. %s", i + 1, x->name);
        for (int j = 0; j < x->naliases; j++)
            printf("%s%s", j ? ", " : " (", x->aliases[j]);
        printf("%s", x->naliases ? ")" : "");
        if (txns[0])
            printf(", %s %s", x->ntxns == 1 ? "transaction" : "transactions", txns);
        if (x->client)
            printf(", client %s", x->client);
        if (x->key)
            printf(", key %s", x->key);
        if (x->node)
            printf(", at n%d", x->node);
        printf(", found at event %" PRIu64 ":\n", x->seq);
        /* The text may span lines; indent each. */
        const char *p = x->text;
        while (*p) {
            const char *nl = strchr(p, '\n');
            int len = nl ? (int)(nl - p) : (int)strlen(p);
            printf("   %.*s\n", len, p);
            p += len + (nl ? 1 : 0);
        }
    }
}

static int print_json(const char *file, const trace *t, const trace_findings *f, check_labels *l, bool matches)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *arr = cJSON_CreateArray();
    if (!root || !arr) {
        cJSON_Delete(root);
        cJSON_Delete(arr);
        return TRACE_NOMEM;
    }
    cJSON_AddStringToObject(root, "file", file);
    cJSON_AddNumberToObject(root, "events", (double)hist_count(t->h));
    cJSON_AddItemToObject(root, "findings", arr);
    for (int i = 0; i < f->n; i++) {
        const trace_finding *x = &f->v[i];
        cJSON *o = cJSON_CreateObject(), *al = cJSON_CreateArray(), *tx = cJSON_CreateArray(),
              *lb = cJSON_CreateArray();
        cJSON_AddItemToArray(arr, o);
        cJSON_AddStringToObject(o, "checker", x->checker);
        cJSON_AddStringToObject(o, "name", x->name);
        cJSON_AddItemToObject(o, "aliases", al);
        cJSON_AddItemToObject(o, "txns", tx);
        cJSON_AddItemToObject(o, "labels", lb);
        for (int j = 0; j < x->naliases; j++)
            cJSON_AddItemToArray(al, cJSON_CreateString(x->aliases[j]));
        for (int j = 0; j < x->ntxns; j++) {
            char b[48];
            check_label(x->txns[j], b, sizeof b, l);
            cJSON_AddItemToArray(tx, cJSON_CreateNumber((double)x->txns[j]));
            cJSON_AddItemToArray(lb, cJSON_CreateString(b));
        }
        cJSON_AddNumberToObject(o, "seq", (double)x->seq);
        if (x->node)
            cJSON_AddNumberToObject(o, "node", x->node);
        if (x->key)
            cJSON_AddStringToObject(o, "key", x->key);
        if (x->client)
            cJSON_AddStringToObject(o, "client", x->client);
        cJSON_AddStringToObject(o, "text", x->text);
    }
    cJSON_AddBoolToObject(root, "matches_trace", matches);
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    if (!s)
        return TRACE_NOMEM;
    printf("%s\n", s);
    free(s);
    return TRACE_OK;
}

int check_main(int argc, char **argv)
{
    const char *file = NULL;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(check_help, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = true;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "acidbase: check: unknown option '%s'\n(see acidbase check --help)\n", a);
            return TRACE_INVALID;
        } else if (file) {
            fprintf(stderr, "acidbase: check takes one trace; '%s' is a second one\n(see acidbase check --help)\n", a);
            return TRACE_INVALID;
        } else {
            file = a;
        }
    }
    if (!file) {
        fprintf(stderr, "acidbase: check needs a TRACE.json\n(see acidbase check --help)\n");
        return TRACE_INVALID;
    }
    trace t;
    trace_err err;
    int rc = trace_read(file, &t, &err);
    if (rc) {
        fprintf(stderr, "acidbase: %s\n", err.msg);
        return rc == TRACE_NOMEM ? TRACE_IOERR : rc;
    }
    trace_findings f = { 0 };
    check_labels *l = check_labels_new(t.h);
    if (!l || check_run_all(t.h, check_label, l, &f)) {
        fprintf(stderr, "acidbase: out of memory\n");
        check_labels_free(l);
        trace_findings_free(&f);
        trace_free(&t);
        return TRACE_IOERR;
    }
    char why[512];
    bool differ = check_findings_differ(&t.findings, &f, why, sizeof why);
    if (json)
        rc = print_json(file, &t, &f, l, !differ);
    else
        print_text(file, &t, &f, l);
    if (differ)
        fprintf(stderr, "acidbase: %s: the findings differ from the ones the trace records: %s\n", file, why);
    fflush(stdout);
    check_labels_free(l);
    trace_findings_free(&f);
    trace_free(&t);
    if (rc)
        return TRACE_IOERR;
    return differ ? 1 : 0;
}
