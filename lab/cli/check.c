/*
 * check.c: `acidbase check TRACE.json [--json]`: the checkers run again over a trace's
 * events (findings.h, the same module the lab and the runner use), their findings printed
 * in words or as JSON, and compared with the ones the trace records.
 *
 * A trace does not store how the learner knows each transaction; the findings module
 * derives it from the TXN_BEGIN events, as the lab did, so findings read the same here as
 * in the live run.
 *
 * Exit status: 0 the findings were printed and are the ones the trace records; 1 they
 * differ from the recorded ones (an edited trace, or another version's checker); 2 usage
 * error or an invalid trace; 3 an I/O error.
 */
#include "cli.h"
#include "run/findings.h"
#include "trace/trace.h"
#include "common/text.h"

#include <cjson/cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static void label_list(const finding *f, findings *l, char *buf, size_t n)
{
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < f->ntxns && o < n; i++) {
        char lb[48];
        findings_label(l, f->txns[i], lb, sizeof lb);
        const char *sep = i == 0 ? "" : i + 1 == f->ntxns ? " and " : ", ";
        o += (size_t)snprintf(buf + o, n - o, "%s%s", sep, lb);
    }
}

/* Prints text that came from the trace (keys, names, the file's own name): control
 * characters and bytes that are not UTF-8 escaped (text.h), so a trace cannot repaint
 * the terminal or forge a line. */
static void put_text(FILE *out, const char *s, size_t len)
{
    char small[512];
    size_t need = text_escape(s, len, small, sizeof small);
    if (need < sizeof small) {
        fputs(small, out);
        return;
    }
    char *big = malloc(need + 1);
    if (big)
        text_escape(s, len, big, need + 1);
    fputs(big ? big : "(out of memory)", out);
    free(big);
}

static void put_str(const char *s)
{
    put_text(stdout, s, strlen(s));
}

static void print_text(const char *file, const trace *t, const finding_list *f, findings *l)
{
    size_t nev = hist_count(t->h);
    put_str(file);
    if (f->n == 0) {
        printf(": %zu events; the checkers found nothing to report.\n", nev);
        return;
    }
    printf(": %zu events; the checkers report %d %s:\n", nev, f->n, f->n == 1 ? "finding" : "findings");
    for (int i = 0; i < f->n; i++) {
        const finding *x = &f->v[i];
        char txns[512];
        label_list(x, l, txns, sizeof txns);
        printf("\n%d. ", i + 1);
        put_str(x->name);
        for (int j = 0; j < x->naliases; j++) {
            fputs(j ? ", " : " (", stdout);
            put_str(x->aliases[j]);
        }
        printf("%s", x->naliases ? ")" : "");
        if (txns[0]) {
            printf(", %s ", x->ntxns == 1 ? "transaction" : "transactions");
            put_str(txns);
        }
        if (x->client) {
            fputs(", client ", stdout);
            put_str(x->client);
        }
        if (x->key) {
            fputs(", key ", stdout);
            put_str(x->key);
        }
        if (x->node)
            printf(", at n%d", x->node);
        printf(", found at event %" PRIu64 ":\n", x->seq);
        /* The text may span lines; indent each. */
        const char *p = x->text;
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            fputs("   ", stdout);
            put_text(stdout, p, len);
            fputc('\n', stdout);
            p += len + (nl ? 1 : 0);
        }
    }
}

static int print_json(const char *file, const trace *t, const finding_list *f, findings *l, bool matches)
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
        const finding *x = &f->v[i];
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
            findings_label(l, x->txns[j], b, sizeof b);
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
    char *raw = cJSON_Print(root);
    cJSON_Delete(root);
    /* cJSON copies bytes as they are; a file name that is not UTF-8 must not make the
     * output invalid JSON (text.h: U+FFFD for each maximal invalid subsequence). */
    char *s = raw ? text_utf8_repair(raw) : NULL;
    free(raw);
    if (!s)
        return TRACE_NOMEM;
    printf("%s\n", s);
    free(s);
    return TRACE_OK;
}

int cmd_check(int argc, char **argv, const cli_globals *g)
{
    (void)g;
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
        fputs("acidbase: ", stderr);
        put_text(stderr, err.msg, strlen(err.msg));
        fputc('\n', stderr);
        return rc == TRACE_NOMEM ? TRACE_IOERR : rc;
    }
    findings *l = findings_new(t.h);
    const finding_list *f = l ? findings_get(l) : NULL;
    if (!f) {
        fprintf(stderr, "acidbase: out of memory\n");
        findings_free(l);
        trace_free(&t);
        return TRACE_IOERR;
    }
    char why[512];
    bool differ = finding_lists_differ(&t.findings, f, why, sizeof why);
    if (json)
        rc = print_json(file, &t, f, l, !differ);
    else
        print_text(file, &t, f, l);
    if (differ) {
        fputs("acidbase: ", stderr);
        put_text(stderr, file, strlen(file));
        fputs(": the findings differ from the ones the trace records: ", stderr);
        put_text(stderr, why, strlen(why));
        fputc('\n', stderr);
    }
    fflush(stdout);
    findings_free(l);
    trace_free(&t);
    if (rc)
        return TRACE_IOERR;
    return differ ? 1 : 0;
}
