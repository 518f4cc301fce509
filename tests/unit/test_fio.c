/*
 * test_fio.c: engines/acid/fio.c opening files that may not be ours (issue 16, case 5).
 * A symbolic link where a database file should be is refused and its target never
 * written; so is a FIFO (without blocking) or a directory; a new file is created
 * exclusively; the two files of a database open together or not at all, and a refused or
 * failed pair leaves nothing behind.
 */
#include "t.h"
#include "acid/fio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void path_in(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

static int exists(const char *p)
{
    struct stat st;
    return lstat(p, &st) == 0;
}

static void test_a_symlink_is_refused_and_its_target_kept(void)
{
    char target[300], link_[300], buf[32] = { 0 };
    path_in(target, sizeof target, "notes.txt");
    path_in(link_, sizeof link_, "link.log");
    FILE *f = fopen(target, "w");
    fputs("notes", f);
    fclose(f);
    CHECK_EQ_INT(symlink(target, link_), 0);
    fio_env *env = fio_env_new();
    fio_file *h = NULL;
    CHECK_EQ_INT(fio_open(env, link_, &h), FIO_EIO);
    CHECK(h == NULL);
    CHECK(strstr(fio_strerror(env, FIO_EIO), "symbolic link") != NULL);
    f = fopen(target, "r");
    CHECK(f && fread(buf, 1, sizeof buf - 1, f) == 5);
    fclose(f);
    CHECK_EQ_STR(buf, "notes");
    /* A link to nothing: no file is created where it points. */
    char dangling[300], nowhere[300];
    path_in(dangling, sizeof dangling, "dangling.log");
    path_in(nowhere, sizeof nowhere, "nowhere");
    CHECK_EQ_INT(symlink(nowhere, dangling), 0);
    CHECK_EQ_INT(fio_open(env, dangling, &h), FIO_EIO);
    CHECK(!exists(nowhere));
    fio_env_free(env);
}

static void test_a_fifo_or_directory_is_refused_without_blocking(void)
{
    char fifo[300], sub[300];
    path_in(fifo, sizeof fifo, "fifo.log");
    path_in(sub, sizeof sub, "sub.log");
    CHECK_EQ_INT(mkfifo(fifo, 0600), 0);
    CHECK_EQ_INT(mkdir(sub, 0700), 0);
    fio_env *env = fio_env_new();
    fio_file *h = NULL;
    CHECK_EQ_INT(fio_open(env, fifo, &h), FIO_EIO);
    CHECK(strstr(fio_strerror(env, FIO_EIO), "not a regular file") != NULL);
    CHECK_EQ_INT(fio_open(env, sub, &h), FIO_EIO);
    fio_env_free(env);
}

static void test_new_means_exclusive_and_existing_means_there(void)
{
    char p[300];
    path_in(p, sizeof p, "x.db");
    fio_env *env = fio_env_new();
    fio_file *h = NULL;
    CHECK_EQ_INT(fio_open_how(env, p, FIO_OPEN_EXISTING, &h), FIO_EIO);
    CHECK(!exists(p));
    CHECK_EQ_INT(fio_open_how(env, p, FIO_OPEN_NEW, &h), FIO_OK);
    CHECK(h && fio_created(h));
    fio_close(h);
    CHECK_EQ_INT(fio_open_how(env, p, FIO_OPEN_NEW, &h), FIO_EIO);   /* O_EXCL */
    CHECK_EQ_INT(fio_open_how(env, p, FIO_OPEN_EXISTING, &h), FIO_OK);
    CHECK(h && !fio_created(h));
    fio_close(h);
    fio_env_free(env);
}

static void test_a_pair_opens_together_or_not_at_all(void)
{
    char a[300], b[300], why[512];
    path_in(a, sizeof a, "pair.log");
    path_in(b, sizeof b, "pair.db");
    fio_env *env = fio_env_new();
    fio_file *fa, *fb;
    CHECK_EQ_INT(fio_open_pair(env, a, b, &fa, &fb, why, sizeof why), FIO_OK);   /* both new */
    CHECK(fa && fb && fio_created(fa) && fio_created(fb));
    fio_close(fa);
    fio_close(fb);
    CHECK_EQ_INT(fio_open_pair(env, a, b, &fa, &fb, why, sizeof why), FIO_OK);   /* both there */
    CHECK(!fio_created(fa) && !fio_created(fb));
    fio_close(fa);
    fio_close(fb);
    unlink(a);
    CHECK(fio_open_pair(env, a, b, &fa, &fb, why, sizeof why) != FIO_OK);         /* one alone */
    CHECK(fa == NULL && fb == NULL);
    CHECK(strstr(why, "pair.log is missing") != NULL);
    CHECK(!exists(a));                                                              /* nothing made */
    /* The second name is a link to nothing: refused before either file is made. */
    unlink(b);
    char nowhere[300];
    path_in(nowhere, sizeof nowhere, "elsewhere");
    CHECK_EQ_INT(symlink(nowhere, b), 0);
    CHECK(fio_open_pair(env, a, b, &fa, &fb, why, sizeof why) != FIO_OK);
    CHECK(!exists(a) && !exists(nowhere));
    fio_env_free(env);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/acidbase-fio-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_a_symlink_is_refused_and_its_target_kept);
    RUN(test_a_fifo_or_directory_is_refused_without_blocking);
    RUN(test_new_means_exclusive_and_existing_means_there);
    RUN(test_a_pair_opens_together_or_not_at_all);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return t_done("fio");
}
