/*
 * cli.c: what the commands share: the global options (--db PATH, --user NAME), options
 * with a value, and the usage error. See cli.h.
 */
#include "cli.h"
#include "learn/progress.h"

#include <stdio.h>
#include <string.h>

int cli_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase --help)\n");
    return 2;
}

/* A bad --db or --user: the progress command documents them. Returns -1. */
static int globals_usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "acidbase: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see acidbase progress --help)\n");
    return -1;
}

/* --name VALUE or --name=VALUE at argv[*i]; NULL when argv[*i] is not that option. */
const char *cli_option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
    const char *a = argv[*i];
    size_t n = strlen(name);
    *missing = false;
    if (strncmp(a, name, n) != 0)
        return NULL;
    if (a[n] == '=')
        return a + n + 1;
    if (a[n] != '\0')
        return NULL;
    if (*i + 1 >= argc) {
        *missing = true;
        return NULL;
    }
    return argv[++*i];
}

/* Parses one --db / --user at argv[*i]: 1 taken, 0 not one of them, -1 usage error. */
int cli_global_option(int argc, char **argv, int *i, cli_globals *g)
{
    bool missing;
    const char *v = cli_option_value(argc, argv, i, "--db", &missing);
    if (v || missing) {
        if (!v || !*v)
            return globals_usage("%s needs a file name", "--db");
        g->db = v;
        return 1;
    }
    v = cli_option_value(argc, argv, i, "--user", &missing);
    if (v || missing) {
        if (!v)
            return globals_usage("%s needs a name", "--user");
        if (!progress_name_ok(v))
            return globals_usage("'%s' is not a usable learner name (1 to 64 bytes; no '/', '\\' or "
                         "control characters; not starting with '.')", v);
        g->user = v;
        return 1;
    }
    return 0;
}

int cli_globals_parse(int argc, char **argv, cli_globals *g)
{
    int i = 0;
    for (; i < argc; i++) {
        int rc = cli_global_option(argc, argv, &i, g);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
    }
    return i;
}

