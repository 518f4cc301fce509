/*
 * test_lesson.c: the lesson file reader (lesson.h, lesson.c). What a teacher writes is
 * read back field by field, with where each line was written; every error is pinned by
 * line, column and message, since a teacher fixes a lesson from those alone. Verifying
 * against the engines is tested from the outside by tests/lessons/run.sh.
 */
#include "learn/lesson.h"
#include "t.h"

#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[64];

/* Writes n bytes of text to NAME in the test's directory; returns the path (static buffer). */
static const char *write_bytes(const char *name, const char *text, size_t n)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fwrite(text, 1, n, f);
    fclose(f);
    return path;
}

static const char *write_file(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

/* The error without its path: "LINE:COL: message". */
static const char *error_of(const lesson *l)
{
    const char *e = l->error;
    size_t n = strlen(tmpdir);
    if (strncmp(e, tmpdir, n) == 0) {
        e = strchr(e + n + 1, ':');
        return e ? e + 1 : l->error;
    }
    return e;
}

#define HEAD "id: t\nnumber: 3\ntitle: T\npart: 1\n"
#define SETUP "setup:\n  setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\n"
#define GOAL "goal g: read\n  expect T1 rows {}\n"
#define SOLUTION "solution:\n  T1: SELECT * FROM t\n"

/* Loads text and checks it fails with want ("LINE:COL: message"). */
#define CHECK_LOAD_ERR(text, want) do { lesson l_; \
    CHECK_EQ_INT(lesson_load(write_file("e.lesson", (text)), &l_), -1); CHECK(l_.broken); \
    CHECK_EQ_STR(error_of(&l_), (want)); lesson_free(&l_); } while (0)

static void test_every_part_of_the_format_is_read(void)
{
    const char *text =
        "# a comment\n"
        "id: dirty-read\n"
        "number: 5\n"
        "title: Dirty read\n"
        "part: 1\n"
        "concepts: isolation levels, G1a\n"
        "refs: 000:310-335\n"
        "controls: isolation, sessions  isolation\n"
        "\n"
        "story:\n"
        "\n"
        "  Page one.\n"
        "\n"
        "  Still page one.\n"
        "# a comment inside a section is not text\n"
        "  ---\n"
        "  Page two,\n"
        "    indented deeper.\n"
        "\n"
        "setup:\n"
        "  setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\n"
        "\n"
        "  # a scenario comment\n"
        "\tsetup: INSERT INTO t VALUES (1, 50)\n"
        "moves:\n"
        "  T1: BEGIN   # starts\n"
        "goal saw weight 3: T2 reads 100.\n"
        "  expect T2 rows {1:100}\n"
        "\n"
        "    expect T2 level RU\n"
        "why: because\n"
        "  it can.\n"
        "goal other: more\n"
        "  expect anomaly G1a\n"
        "hint: first\n"
        "hint: second,\n"
        "  continued\n"
        "explain:\n"
        "  Closing.\n"
        "solution:\n"
        "  T1: BEGIN\n";
    lesson l;
    int rc = lesson_load(write_file("full.lesson", text), &l);
    CHECK_EQ_INT(rc, 0);
    if (rc) {
        fprintf(stderr, "  %s\n", l.error);
        lesson_free(&l);
        return;
    }
    CHECK_EQ_STR(l.id, "dirty-read");
    CHECK_EQ_INT(l.number, 5);
    CHECK_EQ_STR(l.title, "Dirty read");
    CHECK_EQ_INT(l.part, 1);
    CHECK_EQ_STR(l.concepts, "isolation levels, G1a");
    CHECK_EQ_STR(l.refs, "000:310-335");
    CHECK_EQ_STR(l.controls, "sessions isolation"); /* once each, in the controls' order */
    CHECK_EQ_INT(l.control_mask, 1u << LC_SESSIONS | 1u << LC_ISOLATION);
    CHECK_EQ_INT((int)strlen(l.hash), 16);
    CHECK_EQ_INT(l.npages, 2);
    CHECK_EQ_STR(l.pages[0], "Page one.\n\nStill page one.");
    CHECK_EQ_STR(l.pages[1], "Page two,\n  indented deeper.");
    CHECK_EQ_INT(l.nsetup, 2);
    CHECK_EQ_STR(l.setup[1], "setup: INSERT INTO t VALUES (1, 50)");
    CHECK_EQ_INT(l.setup_pos[0].line, 21);
    CHECK_EQ_INT(l.setup_pos[0].col, 3);
    CHECK_EQ_INT(l.setup_pos[1].line, 24);
    CHECK_EQ_INT(l.setup_pos[1].col, 2);            /* a tab is one column */
    CHECK_EQ_INT(l.nmoves, 1);
    CHECK_EQ_STR(l.moves[0], "T1: BEGIN   # starts");
    CHECK_EQ_INT(l.ngoals, 2);
    CHECK_EQ_STR(l.goals[0].name, "saw");
    CHECK_EQ_INT(l.goals[0].weight, 3);
    CHECK_EQ_STR(l.goals[0].text, "T2 reads 100.");
    CHECK_EQ_INT(l.goals[0].line, 27);
    CHECK_EQ_INT(l.goals[0].name_col, 6);
    CHECK_EQ_INT(l.goals[0].nchecks, 2);
    CHECK_EQ_STR(l.goals[0].checks[1], "expect T2 level RU");
    CHECK_EQ_INT(l.goals[0].check_pos[1].line, 30);
    CHECK_EQ_INT(l.goals[0].check_pos[1].col, 5);
    CHECK_EQ_STR(l.goals[0].why, "because it can.");
    CHECK_EQ_INT(l.goals[1].weight, 1);
    CHECK(l.goals[1].why == NULL);
    CHECK_EQ_INT(l.nhints, 2);
    CHECK_EQ_STR(l.hints[1], "second, continued");
    CHECK_EQ_STR(l.explain, "Closing.");
    CHECK_EQ_INT(l.nsolution, 1);
    CHECK(!l.broken);
    lesson_free(&l);
}

static void test_crlf_lines_and_no_final_newline_are_read(void)
{
    lesson l;
    int rc = lesson_load(write_file("crlf.lesson", "id: t\r\nnumber: 1\r\ntitle: T\r\npart: 2\r\n"
                                                    "goal g: x\r\n  expect converged\r\nsolution:\r\n  run: settle"), &l);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_STR(l.title, "T");
    CHECK_EQ_STR(l.goals[0].checks[0], "expect converged");
    CHECK_EQ_STR(l.solution[0], "run: settle");
    CHECK_EQ_STR(l.controls, "");                  /* not given: all */
    lesson_free(&l);
}

static void test_required_parts_are_named_when_missing(void)
{
    CHECK_LOAD_ERR("number: 3\ntitle: T\npart: 1\n" GOAL SOLUTION,
                   "1:1: no id: (every lesson has id:, title:, number:, part:, a goal and a solution:)");
    CHECK_LOAD_ERR("id: t\ntitle: T\npart: 1\n" GOAL SOLUTION,
                   "1:1: no number: (every lesson has id:, title:, number:, part:, a goal and a solution:)");
    CHECK_LOAD_ERR(HEAD SOLUTION, "1:1: no goal (every lesson has id:, title:, number:, part:, a goal and a solution:)");
    CHECK_LOAD_ERR(HEAD GOAL, "1:1: no solution: (every lesson has id:, title:, number:, part:, a goal and a solution:)");
    CHECK_LOAD_ERR(HEAD GOAL "solution:\n\n",
                   "7:1: the solution has no lines: write the scenario lines that meet every goal below "
                   "'solution:', indented by two spaces");
    CHECK_LOAD_ERR(HEAD "goal g: read\n" SOLUTION,
                   "5:6: goal 'g' has no checks: write its expect lines below it, indented by two spaces "
                   "(  expect anomaly G1a)");
}

static void test_header_values_are_checked_at_their_column(void)
{
    CHECK_LOAD_ERR("id: dirty read\n", "1:11: expected end of line after the id, found 'read'");
    CHECK_LOAD_ERR("id: Dirty\n", "1:5: an id is lowercase letters, digits and '-' (like dirty-read); found 'Dirty'");
    CHECK_LOAD_ERR("id: t\nnumber: five\n",
                   "2:9: expected a lesson number from 0 to 999, found 'five'");
    CHECK_LOAD_ERR("id: t\nnumber: 5 # five\n", "2:11: expected end of line after the number, found '#'");
    CHECK_LOAD_ERR("id: t\npart: 4\n", "2:7: expected a part from 1 to 3, found '4'");
    CHECK_LOAD_ERR("id: t\ntitle:\n", "2:7: title: needs a value on the same line");
    CHECK_LOAD_ERR("id: t\nid: u\n", "2:1: 'id:' is given twice (the first is at line 1)");
    CHECK_LOAD_ERR("id: t\ncontrols: crash netwrk\n",
                   "2:17: unknown control 'netwrk' (did you mean 'network'?); the controls are sessions, isolation, "
                   "crash, sync, checkpoint, evict, frames, requests, settings, cut, partition, heal, down, up, "
                   "delay, loss, tick, gossip, settle and tables (groups: engine, network, replicas, time)");
}

static void test_unknown_keys_get_a_did_you_mean(void)
{
    CHECK_LOAD_ERR(HEAD "stroy:\n  x\n", "5:1: unknown key 'stroy' (did you mean 'story'?)");
    CHECK_LOAD_ERR(HEAD "Title: x\n", "5:1: unknown key 'Title' (did you mean 'title'?)");
    CHECK_LOAD_ERR(HEAD "author: me\n",
                   "5:1: unknown key 'author'; the keys are id, number, title, part, concepts, refs, controls, "
                   "story, setup, moves, goal, why, hint, explain, solution");
    CHECK_LOAD_ERR(HEAD "just words\n",
                   "5:1: expected 'key: value', a section (story:, setup:, moves:, explain:, solution:) or "
                   "'goal NAME: text', found 'just'");
}

static void test_indentation_mistakes_are_explained(void)
{
    CHECK_LOAD_ERR(HEAD "story:\nOnce upon a time.\n",
                   "6:1: the story's text goes on the lines below 'story:', indented by two spaces");
    CHECK_LOAD_ERR(HEAD "story:\n\nrefs: x\n",
                   "5:1: the story has no text: write it on the lines below 'story:', indented by two spaces");
    CHECK_LOAD_ERR(HEAD "moves:\nT1: BEGIN\n",
                   "6:1: a scenario line: indent it by two spaces under 'setup:', 'moves:' or 'solution:'");
    CHECK_LOAD_ERR(HEAD "goal g: x\nexpect converged\n",
                   "6:1: an expect line checks a goal: indent it by two spaces under its goal");
    CHECK_LOAD_ERR(HEAD "setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\n",
                   "5:1: 'setup:' here opens the section: write its scenario lines below it, indented by two "
                   "spaces (  setup: CREATE TABLE t (id INT PRIMARY KEY, v INT))");
    CHECK_LOAD_ERR(HEAD "story: Once.\n", "5:8: 'story:' takes its text on the lines below it, indented by two spaces");
    CHECK_LOAD_ERR("id: t\n  stray\n",
                   "2:3: an indented line belongs to the section, goal or hint above it, and there is none here "
                   "(indented text goes under story:, setup:, moves:, explain:, solution:, a goal, hint: or why:)");
    CHECK_LOAD_ERR(HEAD "story:\n  one\n  ---\n  ---\n  two\n",
                   "8:1: an empty story page: '---' separates two pages that both have text");
}

static void test_scenario_errors_keep_the_column_in_the_file(void)
{
    /* The SQL parser's column, plus the indentation. */
    CHECK_LOAD_ERR(HEAD "setup:\n  setup: CREATE TABLE t (id INT PRIMRY KEY, v INT)\n",
                   "6:33: expected PRIMARY KEY, found 'PRIMRY' (did you mean PRIMARY?)");
    CHECK_LOAD_ERR(HEAD "setup:\n\tT1: SELEC * FROM t\n",
                   "6:6: unknown statement 'SELEC'; expected SELECT, INSERT, UPDATE, DELETE, BEGIN, COMMIT, "
                   "ROLLBACK, SET or CREATE (did you mean SELECT?)");
    CHECK_LOAD_ERR(HEAD "goal g: x\n  T1: BEGIN\n",
                   "6:3: a goal's check is an expect line (expect anomaly G1a, expect T2 value 100, ...); found a "
                   "session statement line");
    CHECK_LOAD_ERR(HEAD "goal g: x\n    expect T1 sleeping\n",
                   "6:15: expected a state (blocked, active, committed, aborted, idle), rows, value, error, level, "
                   "victim, retried, crashed, overlapped or waited after T1, found 'sleeping'");
    CHECK_LOAD_ERR(HEAD "moves:\n  expect converged\n",
                   "6:3: no expect lines in the moves: what the learner should make happen is a goal "
                   "(goal NAME: text, then its expect lines)");
}

static void test_goal_lines_are_checked(void)
{
    CHECK_LOAD_ERR(HEAD GOAL "goal g: again\n  expect converged\n",
                   "7:6: duplicate goal 'g' (the first is at line 5)");
    CHECK_LOAD_ERR(HEAD "goal g weight heavy: x\n",
                   "5:15: expected a number from 1 to 100 after 'weight' (goal NAME weight 2: text), found 'heavy'");
    CHECK_LOAD_ERR(HEAD "goal g weight 0: x\n",
                   "5:15: expected a number from 1 to 100 after 'weight' (goal NAME weight 2: text), found '0'");
    CHECK_LOAD_ERR(HEAD "goal g x\n",
                   "5:8: expected ':' after the goal's name (goal NAME [weight N]: text), found 'x'");
    CHECK_LOAD_ERR(HEAD "goal: x\n", "5:5: expected the goal's name (goal NAME: text), found ':'");
    CHECK_LOAD_ERR(HEAD "goal g:\n", "5:8: goal 'g' needs a text after ':': what should the learner make happen?");
    CHECK_LOAD_ERR(HEAD "why: x\n",
                   "5:1: why: explains the goal just above it: put it right after a goal's expect lines");
    CHECK_LOAD_ERR(HEAD GOAL "hint: h\nwhy: x\n",
                   "8:1: why: explains the goal just above it: put it right after a goal's expect lines");
    CHECK_LOAD_ERR(HEAD GOAL "why: x\nwhy: y\n", "8:1: goal 'g' already has a why: (one per goal)");
}

static void test_limits(void)
{
    char text[8192];
    size_t o = (size_t)snprintf(text, sizeof text, HEAD);
    for (int i = 0; i <= LESSON_GOALS_MAX; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "goal g%d: x\n  expect converged\n", i);
    CHECK_LOAD_ERR(text, "37:1: more than 16 goals");
    o = (size_t)snprintf(text, sizeof text, HEAD);
    for (int i = 0; i <= LESSON_HINTS_MAX; i++)
        o += (size_t)snprintf(text + o, sizeof text - o, "hint: h%d\n", i);
    CHECK_LOAD_ERR(text, "21:1: more than 16 hints");
    lesson l;
    CHECK_EQ_INT(lesson_load(write_bytes("nul.lesson", "id: t\n\001\0x\n", 10), &l), -1);
    CHECK_EQ_STR(error_of(&l), "2:2: a NUL byte: a lesson is a text file");
    lesson_free(&l);
}

static void test_a_missing_file_is_a_broken_lesson(void)
{
    lesson l;
    char path[128];
    snprintf(path, sizeof path, "%s/none.lesson", tmpdir);
    CHECK_EQ_INT(lesson_load(path, &l), -1);
    CHECK(l.broken);
    CHECK(strstr(l.error, "none.lesson: cannot open: ") != NULL);
    CHECK_EQ_STR(l.path, path);
    lesson_free(&l);
}

static void test_a_directory_is_sorted_and_found_by_id_number_or_file(void)
{
    lesson_set set;
    char dir[96];
    snprintf(dir, sizeof dir, "%s/set", tmpdir);
    mkdir(dir, 0700);
    char name[128];
    snprintf(name, sizeof name, "set/b.lesson");
    write_file(name, "id: beta\nnumber: 2\ntitle: B\npart: 1\n" GOAL SOLUTION);
    write_file("set/a.lesson", "id: alpha\nnumber: 0\ntitle: A\npart: 1\n" GOAL SOLUTION);
    write_file("set/c.lesson", "id: gamma\nnumber: 1\ntitle: C\npart: 3\n" GOAL SOLUTION);
    write_file("set/broken.lesson", "id: delta\nnumber: 7\npart: 9\n");
    write_file("set/notes.txt", "not a lesson");
    CHECK_EQ_INT(lesson_load_all(dir, &set), 0);
    CHECK_EQ_INT(set.n, 4);
    if (set.n == 4) {
        CHECK_EQ_STR(set.v[0].id, "gamma");        /* 1, 2, 7, then 0 (extra) last */
        CHECK_EQ_STR(set.v[1].id, "beta");
        CHECK_EQ_STR(set.v[2].id, "delta");
        CHECK(set.v[2].broken);
        CHECK_EQ_STR(set.v[3].id, "alpha");
        CHECK(lesson_find(&set, "2") == &set.v[1]);
        CHECK(lesson_find(&set, "02") == &set.v[1]);
        CHECK(lesson_find(&set, "alpha") == &set.v[3]);
        CHECK(lesson_find(&set, "c") == &set.v[0]);
        CHECK(lesson_find(&set, "0") == NULL);
        CHECK(lesson_find(&set, "zeta") == NULL);
        CHECK_EQ_STR(lesson_suggest(&set, "gama"), "gamma");
        CHECK(lesson_suggest(&set, "omega-point") == NULL);
    }
    lesson_set_free(&set);
    snprintf(name, sizeof name, "%s/nope", tmpdir);
    CHECK_EQ_INT(lesson_load_all(name, &set), -1);
}

/* Every class of line a learner can play maps to one control; lines of the story's own
 * kind (say:, expect) need none. The mapping is what --verify and the lab both apply. */
static void test_every_move_has_a_control(void)
{
    static const struct { const char *line; int c; } cases[] = {
        { "T1: SELECT * FROM t", LC_SESSIONS },
        { "T2: BEGIN", LC_SESSIONS },
        { "T2: COMMIT", LC_SESSIONS },
        { "T1: SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", LC_ISOLATION },
        { "T1: BEGIN ISOLATION LEVEL READ COMMITTED", LC_ISOLATION },
        { "engine: crash", LC_CRASH },
        { "engine: crash torn", LC_CRASH },
        { "engine: checkpoint", LC_CHECKPOINT },
        { "engine: evict", LC_EVICT },
        { "engine: frames 4", LC_FRAMES },
        { "engine: sync group 2", LC_SYNC },
        { "engine: flush", LC_SYNC },
        { "setup: CREATE TABLE u (id INT PRIMARY KEY, v INT)", LC_TABLES },
        { "n1: PUT x 1", LC_REQUESTS },
        { "client@n2: GET x", LC_REQUESTS },
        { "cluster: read-repair on", LC_SETTINGS },
        { "net: cut n1 n2", LC_CUT },
        { "net: partition n1 | n2 n3", LC_PARTITION },
        { "net: partition n1 | n2 | n3", LC_PARTITION },
        { "net: heal", LC_HEAL },
        { "net: down n3", LC_DOWN },
        { "net: up n3", LC_UP },
        { "net: delay n1 n2 3", LC_DELAY },
        { "net: loss n1 n2 50", LC_LOSS },
        { "run: tick 5", LC_TICK },
        { "run: gossip", LC_GOSSIP },
        { "run: settle", LC_SETTLE },
        { "say: hello", LC_NONE },
        { "T1: SELEC", LC_NONE },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int c = lesson_line_control(cases[i].line);
        if (c != cases[i].c)
            fprintf(stderr, "  %s -> %d (%s), expected %d\n", cases[i].line, c, lesson_control_name(c), cases[i].c);
        CHECK_EQ_INT(c, cases[i].c);
    }
    CHECK_EQ_STR(lesson_control_name(LC_PARTITION), "partition");
    CHECK_EQ_STR(lesson_control_name(LC_NONE), "");
}

static void test_a_lesson_offers_only_its_controls(void)
{
    lesson l;
    CHECK_EQ_INT(lesson_load(write_file("c.lesson", HEAD "controls: sessions network\n" SETUP GOAL SOLUTION), &l), 0);
    char why[256] = "";
    CHECK(lesson_allows(&l, "T1: SELECT * FROM t", why, sizeof why));
    CHECK(lesson_allows(&l, "net: partition n1 | n2 | n3", why, sizeof why)); /* network names partition */
    CHECK(lesson_allows(&l, "say: words", why, sizeof why));
    CHECK(!lesson_allows(&l, "engine: crash", why, sizeof why));
    CHECK_EQ_STR(why, "this lesson does not offer crashing the engine (crash); it offers: sessions cut partition "
                      "heal delay loss");
    CHECK(!lesson_allows(&l, "T1: SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", why, sizeof why));
    CHECK(!lesson_allows(&l, "net: down n2", why, sizeof why));     /* down is a replicas control */
    CHECK(!lesson_allows(&l, "run: settle", why, sizeof why));
    lesson_free(&l);
    /* No controls: everything; no lesson (the sandbox): everything. */
    CHECK_EQ_INT(lesson_load(write_file("c.lesson", HEAD SETUP GOAL SOLUTION), &l), 0);
    CHECK(lesson_allows(&l, "engine: crash", why, sizeof why));
    lesson_free(&l);
    CHECK(lesson_allows(NULL, "net: down n1", why, sizeof why));
}

/* The hash changes with what a saved attempt replays (setup, moves, goals), not with the
 * words around them. */
static void test_the_content_hash_follows_what_an_attempt_depends_on(void)
{
    static const char *const variants[] = {
        HEAD "story:\n  Words.\n" SETUP GOAL SOLUTION,                          /* 0: the base */
        HEAD "story:\n  Other words.\nhint: a hint\n" SETUP GOAL SOLUTION,    /* 1: same hash */
        HEAD "story:\n  Words.\n" SETUP GOAL "solution:\n  T2: SELECT * FROM t\n", /* 2: same */
        HEAD "story:\n  Words.\n" SETUP "moves:\n  T1: BEGIN\n" GOAL SOLUTION, /* 3: moves */
        HEAD "story:\n  Words.\nsetup:\n  setup: CREATE TABLE t (id INT PRIMARY KEY, w INT)\n" GOAL SOLUTION,
        HEAD "story:\n  Words.\n" SETUP "goal g: read\n  expect T1 rows {1:2}\n" SOLUTION,
        HEAD "story:\n  Words.\n" SETUP "goal h: read\n  expect T1 rows {}\n" SOLUTION,
    };
    char h[7][17];
    for (int i = 0; i < 7; i++) {
        lesson l;
        CHECK_EQ_INT(lesson_load(write_file("h.lesson", variants[i]), &l), 0);
        snprintf(h[i], sizeof h[i], "%s", l.hash);
        char again[17];
        lesson_hash(&l, again);
        CHECK_EQ_STR(again, l.hash);
        lesson_free(&l);
    }
    CHECK_EQ_STR(h[1], h[0]);
    CHECK_EQ_STR(h[2], h[0]);
    for (int i = 3; i < 7; i++) {
        CHECK(strcmp(h[i], h[0]) != 0);
        for (int j = 3; j < i; j++)
            CHECK(strcmp(h[i], h[j]) != 0);
    }
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/acidbase-test-lesson-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_every_part_of_the_format_is_read);
    RUN(test_crlf_lines_and_no_final_newline_are_read);
    RUN(test_required_parts_are_named_when_missing);
    RUN(test_header_values_are_checked_at_their_column);
    RUN(test_unknown_keys_get_a_did_you_mean);
    RUN(test_indentation_mistakes_are_explained);
    RUN(test_scenario_errors_keep_the_column_in_the_file);
    RUN(test_goal_lines_are_checked);
    RUN(test_limits);
    RUN(test_a_missing_file_is_a_broken_lesson);
    RUN(test_a_directory_is_sorted_and_found_by_id_number_or_file);
    RUN(test_every_move_has_a_control);
    RUN(test_a_lesson_offers_only_its_controls);
    RUN(test_the_content_hash_follows_what_an_attempt_depends_on);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return t_done("lesson");
}
