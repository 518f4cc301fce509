/*
 * report.c: the reports of `acidbase grade`: text for people, JSON for programs,
 * Gradescope's results.json, and a CSV summary. See report.h.
 */
#include "report.h"
#include "common/text.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *status_word(grade_status s)
{
    return grade_status_word(s);
}

/* What the text report says after a file's name for a trace that was not graded. */
static const char *not_graded_words(grade_status s)
{
    switch (s) {
    case GRADE_REJECTED: return ": REJECTED, not graded: ";
    case GRADE_VERSION: return ": NOT GRADED, a trace of another acidbase version: ";
    case GRADE_LEARNER: return ": NOT GRADED, another learner's trace: ";
    case GRADE_UNGRADABLE: return ": NOT GRADABLE: ";
    default: return ": REJECTED, not a readable trace: ";
    }
}

static void test_name(const grade_result *r, const grade_test *x, bool many, char *buf, size_t n)
{
    snprintf(buf, n, "%s%sline %d: %s", many ? r->file : "", many ? ": " : "", x->line, x->text);
}

/* Text from a trace (or a file name) for a terminal or a text file: control characters
 * and bytes that are not UTF-8 shown escaped (text.h), so a trace cannot forge a line of
 * the report ("accepted ... 4 of 4 points") or repaint the teacher's terminal. */
static void put_text(FILE *f, const char *s)
{
    char small[1024];
    size_t len = strlen(s ? s : ""), need = text_escape(s ? s : "", len, small, sizeof small);
    if (need < sizeof small) {
        fputs(small, f);
        return;
    }
    char *big = text_escape_dup(s);
    fputs(big ? big : "(out of memory)", f);
    free(big);
}

void grade_report_text(FILE *f, const grade_result *rs, int n)
{
    int accepted = 0, score = 0, max = 0;
    for (int i = 0; i < n; i++) {
        const grade_result *r = &rs[i];
        if (r->status == GRADE_ACCEPTED) {
            accepted++;
            score += r->score;
            max += r->max_score;
            put_text(f, r->file);
            fprintf(f, ": accepted (%zu events match the replay): %d of %d %s\n", r->events, r->score,
                    r->max_score, r->max_score == 1 ? "point" : "points");
            for (int j = 0; j < r->ntests; j++) {
                const grade_test *x = &r->tests[j];
                fprintf(f, "  %s  line %d: ", x->ok ? "passed" : "FAILED", x->line);
                put_text(f, x->text);
                fputc('\n', f);
                if (!x->ok && x->output[0]) {
                    fputs("          ", f);
                    put_text(f, x->output);
                    fputc('\n', f);
                }
            }
        } else {
            put_text(f, r->file);
            fputs(not_graded_words(r->status), f);
            put_text(f, r->reason);
            fputc('\n', f);
        }
        if (r->same_run) {
            fputs("  warning: the same run as ", f);
            put_text(f, r->same_run);
            fputs(r->status == GRADE_ACCEPTED ? " (the same seed, lines and events; see acidbase grade --help)\n" : "\n", f);
        }
    }
    if (n > 1)
        fprintf(f, "\n%d traces: %d accepted, %d rejected; %d of %d points in the accepted ones\n", n, accepted,
                n - accepted, score, max);
}

static cJSON *json_test(const char *name, int line, const char *text, int score, int max, bool ok, const char *output,
                        bool gradescope)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "name", name);
    if (!gradescope && line > 0) {
        cJSON_AddNumberToObject(o, "line", line);
        cJSON_AddStringToObject(o, "text", text);
    }
    cJSON_AddNumberToObject(o, "score", score);
    cJSON_AddNumberToObject(o, "max_score", max);
    cJSON_AddStringToObject(o, "status", ok ? "passed" : "failed");
    cJSON_AddStringToObject(o, "output", output);
    if (gradescope)
        cJSON_AddStringToObject(o, "visibility", "visible");
    return o;
}

/* The tests of one trace: the replay check (0 points) and one per expect line. */
static void add_json_tests(cJSON *arr, const grade_result *r, bool many, bool gradescope)
{
    char name[600], out[1700];
    snprintf(name, sizeof name, "%s%sreplay verification", many ? r->file : "", many ? ": " : "");
    if (r->status == GRADE_ACCEPTED)
        snprintf(out, sizeof out, "the trace's %zu events match its replay", r->events);
    else
        snprintf(out, sizeof out, "%s, not graded: %s", status_word(r->status), r->reason);
    cJSON_AddItemToArray(arr, json_test(name, 0, "", 0, 0, r->status == GRADE_ACCEPTED, out, gradescope));
    for (int j = 0; j < r->ntests; j++) {
        const grade_test *x = &r->tests[j];
        test_name(r, x, many, name, sizeof name);
        cJSON_AddItemToArray(arr, json_test(name, x->line, x->text, x->ok ? x->weight : 0, x->weight, x->ok, x->output, gradescope));
    }
}

char *grade_report_json(const grade_result *rs, int n, bool gradescope)
{
    cJSON *root = cJSON_CreateObject();
    if (!root)
        return NULL;
    int accepted = 0, score = 0, max = 0;
    for (int i = 0; i < n; i++) {
        accepted += rs[i].status == GRADE_ACCEPTED;
        score += rs[i].score;
        max += rs[i].max_score;
    }
    if (gradescope) {
        cJSON_AddNumberToObject(root, "score", score);
        cJSON_AddNumberToObject(root, "max_score", max);
        char out[2048] = "";
        size_t o = 0;
        for (int i = 0; i < n && o < sizeof out; i++)
            o += (size_t)snprintf(out + o, sizeof out - o, "%s%s: %s%s", o ? "\n" : "", rs[i].file,
                                  rs[i].status == GRADE_ACCEPTED ? "accepted: its events match the replay"
                                                                 : "not graded (see the replay test): ",
                                  rs[i].status == GRADE_ACCEPTED ? "" : status_word(rs[i].status));
        cJSON_AddStringToObject(root, "output", out);
        cJSON_AddStringToObject(root, "visibility", "visible");
        cJSON *tests = cJSON_AddArrayToObject(root, "tests");
        for (int i = 0; tests && i < n; i++)
            add_json_tests(tests, &rs[i], n > 1, true);
    } else {
        cJSON *traces = cJSON_AddArrayToObject(root, "traces");
        for (int i = 0; traces && i < n; i++) {
            const grade_result *r = &rs[i];
            cJSON *o = cJSON_CreateObject();
            cJSON_AddItemToArray(traces, o);
            cJSON_AddStringToObject(o, "file", r->file);
            if (r->learner)
                cJSON_AddStringToObject(o, "learner", r->learner);
            else
                cJSON_AddNullToObject(o, "learner");
            cJSON_AddStringToObject(o, "status", status_word(r->status));
            cJSON_AddBoolToObject(o, "readable", r->status == GRADE_ACCEPTED || r->status == GRADE_REJECTED ||
                                                 r->status == GRADE_LEARNER);
            if (r->same_run)
                cJSON_AddStringToObject(o, "same_run_as", r->same_run);
            else
                cJSON_AddNullToObject(o, "same_run_as");
            cJSON_AddStringToObject(o, "reason", r->reason);
            cJSON_AddNumberToObject(o, "events", (double)r->events);
            cJSON_AddNumberToObject(o, "score", r->score);
            cJSON_AddNumberToObject(o, "max_score", r->max_score);
            cJSON *tests = cJSON_AddArrayToObject(o, "tests");
            for (int j = 0; tests && j < r->ntests; j++) {
                const grade_test *x = &r->tests[j];
                char name[600];
                test_name(r, x, false, name, sizeof name);
                cJSON_AddItemToArray(tests, json_test(name, x->line, x->text, x->ok ? x->weight : 0, x->weight, x->ok, x->output, false));
            }
        }
        cJSON *sum = cJSON_AddObjectToObject(root, "summary");
        cJSON_AddNumberToObject(sum, "traces", n);
        cJSON_AddNumberToObject(sum, "accepted", accepted);
        cJSON_AddNumberToObject(sum, "rejected", n - accepted);
        cJSON_AddNumberToObject(sum, "score", score);
        cJSON_AddNumberToObject(sum, "max_score", max);
    }
    char *s = cJSON_Print(root);
    cJSON_Delete(root);
    /* cJSON copies bytes as they are: a file name that is not UTF-8, or a summary cut in
     * the middle of a character, would make results.json invalid for a strict parser. */
    char *fixed = s ? text_utf8_repair(s) : NULL;
    free(s);
    return fixed;
}

/* One CSV field, quoted when it must be (RFC 4180), as UTF-8 with control characters and
 * invalid bytes escaped (text_escape). A cell
 * that begins with =, +, -, @, TAB or CR is a formula to a spreadsheet (a learner named
 * =HYPERLINK(...)): OWASP's rule for CSV injection neutralises it with a leading ' and
 * quotes, so it is shown as the string it is. */
static void csv_field(FILE *f, const char *in)
{
    /* Control characters escaped too (text.h): the file is read in terminals as well. */
    char *s = text_escape_dup(in ? in : "");
    if (!s) {
        fputs("\"(out of memory)\"", f);
        return;
    }
    bool formula = strchr("=+-@\t\r", s[0]) && s[0];
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        free(s);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *c = s; *c; c++) {
        if (*c == '"')
            fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
    free(s);
}

void grade_report_csv(FILE *f, const grade_result *rs, int n)
{
    fputs("file,learner,status,score,max_score,reason\r\n", f);
    for (int i = 0; i < n; i++) {
        csv_field(f, rs[i].file);
        fputc(',', f);
        csv_field(f, rs[i].learner);
        fprintf(f, ",%s,%d,%d,", status_word(rs[i].status), rs[i].score, rs[i].max_score);
        csv_field(f, rs[i].reason);
        fputs("\r\n", f);
    }
}

