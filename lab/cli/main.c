/*
 * main.c: the acidbase command line. One table of commands (name, function, one-line
 * help) drives both the dispatch and `acidbase --help`, so the two cannot disagree; each
 * command lives in its own file under lab/cli/ (cli.h) with its own --help. `--version`
 * works everywhere.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

enum { EXIT_USAGE = 2 };

typedef struct command {
    const char *name;    /* NULL: acidbase with no command */
    const char *args;    /* as the help shows them after the name */
    cli_fn fn;
    const char *help;    /* one line; a '\n' continues it under itself */
} command;

static const command commands[] = {
    { NULL, "", cmd_menu, "open the lab at its menu (a terminal of 80x24 or larger)" },
    { "lab", "[FILE]", cmd_lab, "the lab's sandbox, with FILE's lines queued to step through" },
    { "replay", "TRACE", cmd_replay, "open a trace in the lab and step through it, forwards and backwards" },
    { "keys", "", cmd_keys, "print the lab's keys" },
    { "run", "FILE|-", cmd_run,
      "run a scenario headless and print what happened; --trace OUT.json\n"
      "also writes the run as a JSON trace (see `acidbase run --help`)" },
    { "check", "TRACE", cmd_check, "run the history checkers over a trace again and explain what they find" },
    { "grade", "TRACE...", cmd_grade,
      "replay traces, reject any that differ, score the rest (text, JSON,\n"
      "Gradescope results.json, CSV summary; see `acidbase grade --help`)" },
    { "bench", "[NAME...]", cmd_bench,
      "the benchmark suite: the engines against the disk, SQLite and the\n"
      "theory (--json for one JSON object; see `acidbase bench --help`)" },
    { "progress", "", cmd_progress,
      "a learner's progress; --export DIR writes traces for grading,\n"
      "--reset [LESSON] forgets it (see `acidbase progress --help`)" },
    { "lessons", "", cmd_lessons,
      "the lessons and their status; --verify checks each one's reference\n"
      "solution (see `acidbase lessons --help`)" },
    { "lesson", "ID|N", cmd_lesson, "a lesson, by id or number; --show prints it as text" },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static void print_help(void)
{
    printf("acidbase lab %s: see ACID and BASE happen, one step at a time.\n"
           "\n"
           "usage: acidbase [--help] [--version] [--db PATH] [--user NAME] [<command>] [options]\n"
           "\n"
           "  --db PATH       the progress database (default $ACIDBASE_DB, else\n"
           "                  $XDG_DATA_HOME/acidbase/progress.db or ~/.local/share/acidbase/progress.db)\n"
           "  --user NAME     the learner (default: the login name)\n"
           "\n"
           "commands:\n", ACIDBASE_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", commands[i].name ? commands[i].name : "(none)",
                 commands[i].args[0] ? " " : "", commands[i].args);
        const char *h = commands[i].help;
        int w = (int)strlen(head) < 16 ? 16 : (int)strlen(head) + 1;
        printf("  %-*s", w, head);
        for (;;) {
            size_t len = strcspn(h, "\n");
            printf("%.*s\n", (int)len, h);
            if (!h[len])
                break;
            h += len + 1;
            printf("  %-16s", "");
        }
    }
    printf("\n"
           "A first look:  acidbase lab assets/tour.scn   (n steps, b steps back, ? shows the keys)\n"
           "\n"
           "The scenario language: assets/doc/scenarios.md; traces: assets/doc/traces.md;\n"
           "the layout of the code: assets/doc/design.md.\n"
           "Exit codes: each command's --help.\n");
}

int main(int argc, char **argv)
{
    /* Global options come before the command: acidbase --db P --user ana lesson 5. */
    cli_globals globals = { 0 };
    int nglobal = cli_globals_parse(argc - 1, argv + 1, &globals);
    if (nglobal < 0)
        return EXIT_USAGE;
    argv[nglobal] = argv[0];
    argv += nglobal;
    argc -= nglobal;
    if (argc < 2 || (argv[1][0] == '-' && strcmp(argv[1], "--help") && strcmp(argv[1], "-h") &&
                     strcmp(argv[1], "--version")))
        return commands[0].fn(argc - 1, argv + 1, &globals);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        print_help();
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("acidbase %s\n", ACIDBASE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].name && !strcmp(cmd, commands[i].name))
            return commands[i].fn(argc - 2, argv + 2, &globals);
    return cli_usage("unknown command '%s'", cmd);
}
