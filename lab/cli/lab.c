/*
 * lab.c: the commands that open the lab's screen (tui.h): `acidbase` alone (the menu),
 * `lab [FILE]` (the sandbox), `replay TRACE`, `lesson ID|N` (or its --show, which is
 * lessons.c's), and `keys`, which prints the screen's key bindings.
 *
 * Exit status: 0 after quitting; 2 bad options, no terminal, or a file that cannot be read;
 * 3 the terminal could not be started; 130 interrupted.
 */
#include "cli.h"
#include "tui/tui.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { EXIT_USAGE = 2 };

static const char *lab_help =
    "usage: acidbase [lab [FILE] | replay TRACE] [--seed N] [--theme dark|light] [--present]\n"
    "\n"
    "Opens the lab: the ACID engine on the left, the replica set on the right, the narration,\n"
    "the checkers' findings and the event log below, and a command line (:) that takes any\n"
    "scenario line. With FILE, its lines are queued: n runs the next one, 1..9 the next\n"
    "statement of a session (you choose the interleaving), b steps back. `acidbase keys`\n"
    "lists every key; ? shows them in the lab.\n"
    "\n"
    "options:\n"
    "  --seed N        seed for the replica set when the scenario sets none\n"
    "  --theme T       dark (default) or light (projectors)\n"
    "  --present       classroom mode\n"
    "\n"
    "exit status: 0 after quitting; 2 bad options, no terminal, or a file that cannot be\n"
    "read; 3 the terminal could not be started; 130 interrupted.\n";

static int open_screen(tui_start start, int argc, char **argv, const cli_globals *g)
{
    tui_opts o = { .start = start };
    if (g) {
        o.db = g->db;
        o.user = g->user;
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(lab_help, stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("acidbase %s\n", ACIDBASE_VERSION);
            return 0;
        } else if (!strcmp(a, "--present")) {
            o.present = true;
        } else if (!strcmp(a, "--seed") || !strcmp(a, "--theme")) {
            if (i + 1 >= argc)
                return cli_usage("%s needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--theme")) {
                if (strcmp(v, "dark") && strcmp(v, "light"))
                    return cli_usage("--theme is dark or light, not '%s'", v);
                o.theme = v;
            } else {
                char *end;
                errno = 0;
                o.seed = strtoull(v, &end, 10);
                if (!*v || *end || errno || *v == '-')
                    return cli_usage("--seed needs a non-negative integer, not '%s'", v);
            }
        } else if (a[0] == '-' && a[1]) {
            return cli_usage("unknown option '%s'", a);
        } else if (o.path || start == TUI_MENU) {
            return cli_usage("one file at most; '%s' is extra", a);
        } else {
            o.path = a;
        }
    }
    if (start == TUI_REPLAY && !o.path)
        return cli_usage("%s", "replay needs a trace file: acidbase replay TRACE.json");
    if (start == TUI_LESSON && !o.path)
        return cli_usage("%s", "lesson needs an id or a number: acidbase lesson 5 (acidbase lessons lists them)");
    if (o.path && start == TUI_SANDBOX && access(o.path, R_OK) != 0) {
        fprintf(stderr, "acidbase: cannot open %s: %s\n", o.path, strerror(errno));
        return EXIT_USAGE;
    }
    return tui_main(&o);
}

int cmd_menu(int argc, char **argv, const cli_globals *g) { return open_screen(TUI_MENU, argc, argv, g); }
int cmd_lab(int argc, char **argv, const cli_globals *g) { return open_screen(TUI_SANDBOX, argc, argv, g); }
int cmd_replay(int argc, char **argv, const cli_globals *g) { return open_screen(TUI_REPLAY, argc, argv, g); }

int cmd_lesson(int argc, char **argv, const cli_globals *g)
{
    /* --show prints the lesson; otherwise it opens on the screen. */
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--show") || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return lesson_show_main(argc, argv);
    return open_screen(TUI_LESSON, argc, argv, g);
}

int cmd_keys(int argc, char **argv, const cli_globals *g)
{
    (void)argc;
    (void)argv;
    (void)g;
    tui_print_keys(stdout);
    return 0;
}
