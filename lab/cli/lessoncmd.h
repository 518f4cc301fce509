/*
 * lessoncmd.h: the commands `acidbase lessons` (list the lessons, or --verify them) and
 * the headless part of `acidbase lesson ID|N` (--show prints the lesson as text, for
 * teachers and tests). The lesson's screen is the TUI's business, not this module's.
 *
 * `lessons` exit status: 0 all is well; 1 some lesson is broken or fails verification;
 * 2 usage error; 3 I/O error (no lessons directory, the engines cannot run).
 * `lesson` exit status: 0 shown; 1 the lesson is broken; 2 usage error or no such lesson;
 * 3 I/O error.
 */
#ifndef AB_LESSONCMD_H
#define AB_LESSONCMD_H

#include <stdbool.h>
#include <stddef.h>
#include "learn/lesson.h"

/* The progress hook: `acidbase lessons` shows a "progress" column (the learner's status of
 * each lesson: "done", "2 of 3 goals", ...) when one is set. fn writes the status of l into
 * buf and returns true, or false to leave the cell empty. The progress module sets it
 * before calling lessons_main; until then there is no such column. */
typedef bool (*lessoncmd_progress_fn)(const lesson *l, char *buf, size_t n, void *arg);
void lessoncmd_set_progress(lessoncmd_progress_fn fn, void *arg);

/* `acidbase lessons [--verify] [--dir DIR]`; argv holds what follows the command name. */
int lessons_main(int argc, char **argv);

/* `acidbase lesson ID|N [--show] [--solution] [--dir DIR]`. */
int lesson_main(int argc, char **argv);

/* Prints a lesson as text: header, story, setup, moves, goals, hints, explanation, and
 * the reference solution when solution is set. */
void lesson_print(const lesson *l, FILE *out, bool solution);

#endif
