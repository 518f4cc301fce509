/*
 * lessons.c: `acidbase lessons` (list the lessons with the learner's progress, or --verify
 * them) and the headless part of `acidbase lesson ID|N` (--show prints the lesson as text,
 * for teachers and tests). The lesson's screen is the lab's (lab.c opens it).
 *
 * Both read the whole lessons directory (a lesson is found by id or number, and ids and
 * numbers are checked against each other), print, and exit; neither opens the screen.
 *
 * `lessons` exit status: 0 all is well; 1 some lesson is broken or fails verification;
 * 2 usage error; 3 I/O error (no lessons directory, the engines cannot run).
 * `lesson --show` exit status: 0 shown; 1 the lesson is broken; 2 usage error or no such
 * lesson; 3 I/O error.
 */
#include "cli.h"
#include "learn/lesson.h"
#include "learn/progress.h"
#include "learn/verify.h"
#include "common/text.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LC_OK = 0, LC_FAILED = 1, LC_USAGE = 2, LC_IOERR = 3 };

/* The learner's progress, when the database opens: a "progress" column in the list. */
typedef struct progress_col { progress *pg; char learner[80]; } progress_col;

/* The learner's status of a lesson ("done", "started, 2 of 3 goals", "new"); false to
 * leave the cell empty. */
static bool lesson_status(const progress_col *c, const lesson *l, char *buf, size_t n)
{
    progress_rec rec;
    memset(&rec, 0, sizeof rec);
    if (!c->pg || progress_get(c->pg, c->learner, l->id, &rec) != PROGRESS_OK)
        return false;
    if (rec.status == PROGRESS_DONE)
        snprintf(buf, n, "done");
    else if (rec.status == PROGRESS_STARTED)
        snprintf(buf, n, "started, %d of %d goals", rec.ngoals, l->ngoals);
    else
        snprintf(buf, n, "new");
    progress_rec_free(&rec);
    return true;
}

static const char *lessons_help =
    "usage: acidbase lessons [--verify] [--dir DIR] [ID|N...]\n"
    "\n"
    "Lists the lessons: number, id, title, part (I one machine, ACID; II many machines, BASE;\n"
    "III both sides) and status: ok, or broken with FILE:LINE:COL: what is wrong. A broken\n"
    "lesson is listed, never hidden, and the lab still starts.\n"
    "\n"
    "options:\n"
    "  --verify        check every lesson (or the ones named): it loads; its goals are not met\n"
    "                  by the setup alone; its moves are valid after the setup; its reference\n"
    "                  solution meets every goal. One line per lesson (ok or FAIL, then one\n"
    "                  FILE:LINE:COL: message per problem) and a closing \"verified: N ok, N failed\".\n"
    "  --dir DIR       read the lessons in DIR (default: the first of lessons/, the lessons/\n"
    "                  beside the program, PREFIX/share/acidbase/lessons that exists)\n"
    "  ID|N            only these lessons (by id, number or file name)\n"
    "  --help, --version\n"
    "\n"
    "The lesson format: lessons/README.md.\n"
    "\n"
    "exit status:\n"
    "  0  every lesson loads (and with --verify, passes)\n"
    "  1  some lesson is broken or fails verification\n"
    "  2  usage error, or no lesson by that id or number, or the progress database (--db)\n"
    "     is a file this lab did not make: it is refused and left untouched\n"
    "  3  an I/O error: no lessons directory, or the engines cannot run\n";

static const char *lesson_help =
    "usage: acidbase lesson ID|N [--present] [--theme dark|light] [--seed N]\n"
    "       acidbase lesson ID|N --show [--solution] [--dir DIR]\n"
    "\n"
    "Opens a lesson in the lab, by its id (dirty-read) or its number in the curriculum (5);\n"
    "the lab's options are those of `acidbase lab --help`.\n"
    "\n"
    "options:\n"
    "  --show          print the lesson as text instead: story, setup, moves, goals with\n"
    "                  their checks, hints and the closing explanation\n"
    "  --solution      with --show, print the reference solution too\n"
    "  --dir DIR       with --show, read the lessons in DIR (see acidbase lessons --help)\n"
    "  --help, --version\n"
    "\n"
    "exit status with --show (without it, the lab's: see acidbase lab --help):\n"
    "  0  shown\n"
    "  1  the lesson is broken (FILE:LINE:COL: message on stderr)\n"
    "  2  usage error, or no lesson by that id or number\n"
    "  3  an I/O error: no lessons directory\n";

static int usage(const char *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase %s --help)\n", cmd);
    return LC_USAGE;
}

/* Loads the lessons of dir (NULL: the default one); *shown is the directory's name. */
static int load(const char *dir, lesson_set *set, char *shown, size_t n)
{
    if (!dir && !(dir = lesson_default_dir(shown, n))) {
        fprintf(stderr, "acidbase: no lessons directory: looked for lessons/, the lessons/ beside the "
                        "program and PREFIX/share/acidbase/lessons (--dir DIR names one)\n");
        return LC_IOERR;
    }
    if (dir != shown)
        snprintf(shown, n, "%s", dir);
    if (lesson_load_all(dir, set) != 0) {
        fprintf(stderr, "acidbase: cannot read the lessons in %s: %s\n", dir, strerror(errno));
        return LC_IOERR;
    }
    return LC_OK;
}

static const char *part_roman(int part)
{
    static const char *const r[] = { "-", "I", "II", "III" };
    return part >= 1 && part <= 3 ? r[part] : "-";
}

static void number_text(const lesson *l, char *buf, size_t n)
{
    if (l->number > 0)
        snprintf(buf, n, "%d", l->number);
    else
        snprintf(buf, n, "-");
}

/* Says there is no such lesson, with the nearest id when one is close. */
static int no_such_lesson(const lesson_set *set, const char *name, const char *dir)
{
    const char *near = lesson_suggest(set, name);
    fprintf(stderr, "acidbase: no lesson '%s' in %s%s%s%s; acidbase lessons lists them\n", name, dir,
            near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
    return LC_USAGE;
}

/* --- lessons ------------------------------------------------------------------------------ */

/* Text from a lesson file or its name, for the terminal: control characters and bytes
 * that are not UTF-8 escaped (text.h). The parser refuses them inside a lesson; a file
 * name can still hold them. Cut to n. */
static const char *esc(const char *s, char *buf, size_t n)
{
    text_escape(s ? s : "", s ? strlen(s) : 0, buf, n);
    return buf;
}

static void list(const lesson_set *set, const bool *pick, const progress_col *pc, FILE *out)
{
    int wid = 2, wtitle = 5, wprog = 8;
    char prog[128];
    for (int i = 0; i < set->n; i++) {
        const lesson *l = &set->v[i];
        if (!pick[i])
            continue;
        int a = (int)strlen(l->id[0] ? l->id : "-"), b = (int)strlen(l->title ? l->title : "-");
        wid = a > wid ? a : wid;
        wtitle = b > wtitle ? (b < 44 ? b : 44) : wtitle;
        if (pc->pg && lesson_status(pc, l, prog, sizeof prog) && (int)strlen(prog) > wprog)
            wprog = (int)strlen(prog);
    }
    fprintf(out, "%3s  %-*s  %-*s  %-4s  ", "#", wid, "id", wtitle, "title", "part");
    if (pc->pg)
        fprintf(out, "%-*s  ", wprog, "progress");
    fprintf(out, "status\n");
    for (int i = 0; i < set->n; i++) {
        const lesson *l = &set->v[i];
        if (!pick[i])
            continue;
        char num[16], title[512], err[2048];
        number_text(l, num, sizeof num);
        fprintf(out, "%3s  %-*s  %-*.*s  %-4s  ", num, wid, l->id[0] ? l->id : "-", wtitle, wtitle,
                l->title ? esc(l->title, title, sizeof title) : "-", part_roman(l->part));
        if (pc->pg) {
            if (!lesson_status(pc, l, prog, sizeof prog))
                prog[0] = 0;
            fprintf(out, "%-*s  ", wprog, prog);
        }
        if (l->broken)
            fprintf(out, "broken: %s\n", esc(l->error, err, sizeof err));
        else
            fprintf(out, "ok\n");
    }
}

int cmd_lessons(int argc, char **argv, const cli_globals *g)
{
    const char *dir = NULL;
    bool verify = false;
    const char **names = calloc((size_t)argc + 1, sizeof *names);
    int nnames = 0;
    if (!names) {
        fprintf(stderr, "acidbase: out of memory\n");
        return LC_IOERR;
    }
    int rc = -1;
    for (int i = 0; i < argc && rc < 0; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lessons_help, stdout);
            rc = LC_OK;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            rc = LC_OK;
        } else if (!strcmp(a, "--verify")) {
            verify = true;
        } else if (!strcmp(a, "--dir")) {
            if (i + 1 >= argc || !argv[i + 1][0])
                rc = usage("lessons", "%s needs a directory", a);
            else
                dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            rc = usage("lessons", "lessons: unknown option '%s'", a);
        } else {
            names[nnames++] = a;
        }
    }
    if (rc >= 0) {
        free(names);
        return rc;
    }
    lesson_set set = { 0 };
    char shown[PATH_MAX];
    rc = load(dir, &set, shown, sizeof shown);
    bool *pick = rc ? NULL : calloc((size_t)set.n + 1, sizeof *pick);
    if (!rc && !pick) {
        fprintf(stderr, "acidbase: out of memory\n");
        rc = LC_IOERR;
    }
    for (int i = 0; !rc && i < set.n; i++)
        pick[i] = nnames == 0;
    for (int k = 0; !rc && k < nnames; k++) {
        lesson *l = lesson_find(&set, names[k]);
        if (l)
            pick[l - set.v] = true;
        else
            rc = no_such_lesson(&set, names[k], shown);
    }
    if (!rc && set.n == 0) {
        printf("no lessons in %s%s\n", shown, verify ? "; nothing to verify" : "");
    } else if (!rc && verify) {
        int ok = 0, bad = 0;
        bool ioerr = false;
        for (int i = 0; i < set.n; i++) {
            if (!pick[i])
                continue;
            int v = lesson_verify(&set.v[i], stdout);
            fflush(stdout);
            ok += v == 0;
            bad += v != 0;
            ioerr |= v < 0;
        }
        printf("verified: %d ok, %d failed\n", ok, bad);
        rc = ioerr ? LC_IOERR : bad ? LC_FAILED : LC_OK;
    } else if (!rc) {
        progress_col pc = { 0 };
        char path[1024];
        progress_default_learner(g ? g->user : NULL, pc.learner, sizeof pc.learner);
        /* Listing only shows progress: it never creates or writes the database. */
        if (progress_default_path(g ? g->db : NULL, path, sizeof path) != PROGRESS_OK ||
            progress_open_readonly(path, &pc.pg) != PROGRESS_OK)
            pc.pg = NULL;
        if (pc.pg && progress_warning(pc.pg))
            fprintf(stderr, "acidbase: %s\n", progress_warning(pc.pg));
        if (pc.pg && progress_refused(pc.pg)) {
            progress_close(pc.pg);
            pc.pg = NULL;
            rc = LC_USAGE;
        }
        list(&set, pick, &pc, stdout);
        if (pc.pg)
            progress_close(pc.pg);
        for (int i = 0; i < set.n; i++)
            if (pick[i] && set.v[i].broken && rc < LC_FAILED)
                rc = LC_FAILED;
    }
    free(pick);
    free(names);
    lesson_set_free(&set);
    return rc;
}

/* --- lesson --show ------------------------------------------------------------------------ */

/* Characters (not bytes) in s[0, n). */
static int width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Prints text (lines separated by '\n') indented by ind, each line wrapped at words to fit
 * 78 columns; a wrapped line keeps its own leading spaces. */
static void wrapped(FILE *out, const char *text, int ind)
{
    const int cols = 78;
    while (text) {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);
        size_t lead = strspn(text, " \t");
        if (lead > n)
            lead = n;
        int room = cols - ind - (int)lead;
        if (room < 20)
            room = 20;
        size_t i = lead;
        if (i == n)
            fputc('\n', out);
        while (i < n) {
            /* the longest run of whole words from i that fits in room */
            size_t end = i, best = 0;
            while (end < n) {
                size_t w = end;
                while (w < n && text[w] != ' ')
                    w++;
                if (width(text + i, w - i) > room && best)
                    break;
                best = w;
                end = w;
                while (end < n && text[end] == ' ')
                    end++;
            }
            fprintf(out, "%*s%.*s%.*s\n", ind, "", (int)lead, text, (int)(best - i), text + i);
            i = best;
            while (i < n && text[i] == ' ')
                i++;
        }
        text = nl ? nl + 1 : NULL;
    }
}

static void lines_block(FILE *out, const char *title, char *const *v, int n)
{
    fprintf(out, "\n%s\n", title);
    if (n == 0)
        fprintf(out, "  (none)\n");
    for (int i = 0; i < n; i++)
        fprintf(out, "  %s\n", v[i]);
}

/* Prints a lesson as text: header, story, setup, moves, goals, hints, explanation, and
 * the reference solution when solution is set. */
static void lesson_print(const lesson *l, FILE *out, bool solution)
{
    char num[16];
    number_text(l, num, sizeof num);
    fprintf(out, "Lesson %s: %s\n", num, l->title ? l->title : "(no title)");
    char path[1024];
    fprintf(out, "part %s (%s), id %s, file %s\n", part_roman(l->part), lesson_part_name(l->part), l->id,
            esc(l->path, path, sizeof path));
    if (l->concepts)
        fprintf(out, "concepts: %s\n", l->concepts);
    if (l->refs)
        fprintf(out, "refs: %s\n", l->refs);
    fprintf(out, "controls: %s\n", l->controls[0] ? l->controls : "all");
    for (int p = 0; p < l->npages; p++) {
        if (l->npages > 1)
            fprintf(out, "\nSTORY, page %d of %d\n", p + 1, l->npages);
        else
            fprintf(out, "\nSTORY\n");
        wrapped(out, l->pages[p], 2);
    }
    lines_block(out, "SETUP", l->setup, l->nsetup);
    lines_block(out, "MOVES", l->moves, l->nmoves);
    fprintf(out, "\nGOALS\n");
    for (int g = 0; g < l->ngoals; g++) {
        const lesson_goal *go = &l->goals[g];
        if (go->weight != 1)
            fprintf(out, "  %d. %s (weight %d)\n", g + 1, go->name, go->weight);
        else
            fprintf(out, "  %d. %s\n", g + 1, go->name);
        wrapped(out, go->text, 5);
        for (int k = 0; k < go->nchecks; k++)
            fprintf(out, "       %s\n", go->checks[k]);
        if (go->why) {
            fprintf(out, "     why:\n");
            wrapped(out, go->why, 7);
        }
    }
    fprintf(out, "\nHINTS\n");
    if (l->nhints == 0)
        fprintf(out, "  (none)\n");
    for (int h = 0; h < l->nhints; h++) {
        fprintf(out, "  %d.\n", h + 1);
        wrapped(out, l->hints[h], 5);
    }
    fprintf(out, "\nEXPLANATION\n");
    if (l->explain)
        wrapped(out, l->explain, 2);
    else
        fprintf(out, "  (none)\n");
    if (solution)
        lines_block(out, "REFERENCE SOLUTION", l->solution, l->nsolution);
}

int lesson_show_main(int argc, char **argv)
{
    const char *dir = NULL, *name = NULL;
    bool show = false, solution = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lesson_help, stdout);
            return LC_OK;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return LC_OK;
        } else if (!strcmp(a, "--show")) {
            show = true;
        } else if (!strcmp(a, "--solution")) {
            solution = true;
        } else if (!strcmp(a, "--dir")) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return usage("lesson", "%s needs a directory", a);
            dir = argv[++i];
        } else if (a[0] == '-' && a[1]) {
            return usage("lesson", "lesson: unknown option '%s'", a);
        } else if (name) {
            return usage("lesson", "lesson takes one lesson; '%s' is a second one", a);
        } else {
            name = a;
        }
    }
    if (!name)
        return usage("lesson", "%s", "lesson needs an id or a number: acidbase lesson 5 (acidbase lessons lists them)");
    if (solution && !show)
        return usage("lesson", "%s", "--solution goes with --show");
    if (!show) {
        /* The lesson's screen is the lab's (lab.c sends `lesson ID` without --show there). */
        fprintf(stderr, "acidbase: lesson: --show prints a lesson; without it, `acidbase lesson ID` opens it in the lab\n");
        return LC_USAGE;
    }
    lesson_set set = { 0 };
    char shown[PATH_MAX];
    int rc = load(dir, &set, shown, sizeof shown);
    if (rc) {
        lesson_set_free(&set);
        return rc;
    }
    const lesson *l = lesson_find(&set, name);
    if (!l) {
        rc = no_such_lesson(&set, name, shown);
    } else if (l->broken) {
        char err[2048];
        fprintf(stderr, "acidbase: lesson %s is broken: %s\n", name, esc(l->error, err, sizeof err));
        rc = LC_FAILED;
    } else {
        lesson_print(l, stdout, solution);
    }
    lesson_set_free(&set);
    return rc;
}
