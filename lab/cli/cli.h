/*
 * cli.h: the commands of `acidbase`, one file each under lab/cli/, and what they share.
 * main.c holds the table that names them (name, function, one-line help): it drives the
 * dispatch and the main --help, so a command added there appears in both.
 *
 * Every command takes the arguments after its name and returns its exit status (see its
 * own --help); `--help` and `--version` work for each.
 */
#ifndef AB_CLI_H
#define AB_CLI_H

#include <stdbool.h>
#include <stddef.h>

#ifndef ACIDBASE_VERSION
#define ACIDBASE_VERSION "0.0.0"
#endif

/* The global options every command shares, given before the command (`acidbase --db P
 * --user ana lesson 5`); NULL when not given (progress_default_path / _learner decide). */
typedef struct cli_globals {
    const char *db;
    const char *user;
} cli_globals;

/* Takes the leading --db PATH / --user NAME (or --db=PATH, --user=NAME) off argv[0..argc).
 * Returns how many arguments it consumed, or -1 after printing a usage message (a missing
 * value, an unusable name). */
int cli_globals_parse(int argc, char **argv, cli_globals *g);
/* One --db / --user at argv[*i] (a command may take them after its name too): 1 taken, 0
 * not one of them, -1 usage error (printed). */
int cli_global_option(int argc, char **argv, int *i, cli_globals *g);
/* --name VALUE or --name=VALUE at argv[*i]; NULL when argv[*i] is not that option, or when
 * its value is missing (*missing then). */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing);

typedef int (*cli_fn)(int argc, char **argv, const cli_globals *g);

int cmd_run(int argc, char **argv, const cli_globals *g);       /* run.c */
int cmd_check(int argc, char **argv, const cli_globals *g);     /* check.c */
int cmd_grade(int argc, char **argv, const cli_globals *g);     /* grade.c */
int cmd_bench(int argc, char **argv, const cli_globals *g);     /* bench/bench.c */
int cmd_menu(int argc, char **argv, const cli_globals *g);      /* lab.c: the lab at its menu */
int cmd_lab(int argc, char **argv, const cli_globals *g);       /* lab.c: the sandbox */
int cmd_replay(int argc, char **argv, const cli_globals *g);    /* lab.c */
int cmd_keys(int argc, char **argv, const cli_globals *g);      /* lab.c */
int cmd_lesson(int argc, char **argv, const cli_globals *g);    /* lab.c: the screen, or --show */
int cmd_lessons(int argc, char **argv, const cli_globals *g);   /* lessons.c */
int cmd_progress(int argc, char **argv, const cli_globals *g);  /* progress.c */

/* `acidbase lesson ID|N --show ...` (lessons.c). */
int lesson_show_main(int argc, char **argv);

/* "acidbase: <fmt with arg>\n(see acidbase --help)"; returns 2. */
int cli_usage(const char *fmt, const char *arg);

#endif
