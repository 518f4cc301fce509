/*
 * progresscmd.h: `acidbase progress` (show, export for grading, reset) and the global
 * options every command shares: `--db PATH` and `--user NAME`, given before the command
 * (`acidbase --db P --user ana lesson 5`).
 *
 * Not here: the store itself (progress.h), lessons (lesson.h). The command knows lessons
 * only by the ids the store holds.
 */
#ifndef AB_PROGRESSCMD_H
#define AB_PROGRESSCMD_H

/* The global options; NULL when not given (progress_default_path / _learner decide). */
typedef struct progress_globals {
    const char *db;
    const char *user;
} progress_globals;

/* Takes the leading --db PATH / --user NAME (or --db=PATH, --user=NAME) off argv[0..argc).
 * Returns how many arguments it consumed, or -1 after printing a usage message (a missing
 * value, an unusable name). */
int progress_globals_parse(int argc, char **argv, progress_globals *g);

/* `acidbase progress [--user NAME] [--db PATH] [--export DIR] [--reset [LESSON]] [--yes]`;
 * argv holds what follows the command name. Returns the exit status (see its --help). */
int progress_main(int argc, char **argv, const progress_globals *g);

#endif
