/*
 * util.c: what every benchmark uses: notes under the table, errors, time, statistics,
 * files, and the seeded generator of workloads. See bench.h.
 */
#include "bench.h"
#include "run/runner.h"
#include "acid/crc32.h"
#include "acid/engine.h"
#include "acid/lock.h"
#include "acid/store.h"
#include "base/cluster.h"
#include "base/crc32c.h"
#include "base/net.h"
#include "base/prng.h"
#include "base/wire.h"
#include "history/history.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <pty.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <spawn.h>
#include <time.h>
#include <unistd.h>


void note(bench *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = strlen(line);
    if (b->nnotes + len + 2 > b->capnotes) {
        size_t cap = b->capnotes ? b->capnotes * 2 : 4096;
        while (cap < b->nnotes + len + 2)
            cap *= 2;
        char *p = realloc(b->notes, cap);
        if (!p)
            return;
        b->notes = p;
        b->capnotes = cap;
    }
    memcpy(b->notes + b->nnotes, line, len);
    b->nnotes += len;
    b->notes[b->nnotes++] = '\n';
    b->notes[b->nnotes] = 0;
}

int fail(bench *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->err, sizeof b->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* --- time, statistics, files ---------------------------------------------------------------- */

double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int dbl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, dbl_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void remove_tree(const char *dir)
{
    if (dir && *dir)
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh directory under the run's root. */
int subdir(bench *b, const char *name, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", b->root, name);
    remove_tree(out);
    if (mkdir(out, 0700) != 0)
        return fail(b, "cannot create %s: %s", out, strerror(errno));
    return 0;
}

const char *fs_type_name(unsigned long t)
{
    switch (t) {
    case 0xEF53: return "ext4 (or ext2/ext3)";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    case 0x6969: return "nfs";
    case 0x65735546: return "fuse";
    case 0xF2F52010: return "f2fs";
    }
    return "unknown";
}

/* --- a seeded generator for workloads (the engines' own, so runs are repeatable) ------------- */

uint32_t below(prng *p, uint32_t n)
{
    return (uint32_t)prng_below(p, n);
}

