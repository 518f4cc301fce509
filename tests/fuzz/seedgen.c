/*
 * seedgen.c: makes the binary seed corpora from real runs, so the decoders' fuzzers start
 * from bytes the engines actually write. `seedgen OUTDIR FILE.scn...` runs each scenario
 * in a database directory under OUTDIR, keeps every distinct message a replica receives
 * (OUTDIR/wire/; wire_decode_in is wrapped at link time), and at the end cuts the log into
 * records (OUTDIR/wal/). Each seed gets a leading mode byte 0 (fuzz_wal.c, fuzz_wire.c: set the
 * length and CRC) so mutations reach the fields behind the checksum.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "base/wire.h"
#include "run/runner.h"
#include "acid/wal.h"

typedef struct seen {
    uint64_t *crc;
    int n, cap;
    int per_type[256];   /* seeds kept per message or record type: at most PER_TYPE */
} seen;

#define PER_TYPE 12

static const char *outdir;
static int written;

/* Writes one seed named after its CRC, once per distinct content. */
static void keep(seen *s, const char *kind, uint8_t type, const uint8_t *p, size_t n)
{
    if (s->per_type[type] >= PER_TYPE)
        return;
    /* Not the CRC of the bytes: these end in their own CRC, and that makes every record's
     * CRC the same constant. FNV-1a instead. */
    uint64_t c = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++)
        c = (c ^ p[i]) * 0x100000001b3ull;
    for (int i = 0; i < s->n; i++)
        if (s->crc[i] == c)
            return;
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 64;
        s->crc = realloc(s->crc, (size_t)s->cap * sizeof *s->crc);
        if (!s->crc)
            exit(3);
    }
    s->crc[s->n++] = c;
    s->per_type[type]++;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%016llx", outdir, kind, (unsigned long long)c);
    FILE *f = fopen(path, "wb");
    if (!f || fputc(0, f) == EOF || fwrite(p, 1, n, f) != n || fclose(f)) {
        fprintf(stderr, "seedgen: cannot write %s\n", path);
        exit(3);
    }
    written++;
}

static seen wire_seen, wal_seen;

/* Linked with -Wl,--wrap=wire_decode_in: every message a replica receives passes here. */
int __real_wire_decode_in(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *a);
int __wrap_wire_decode_in(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *a);
int __wrap_wire_decode_in(const uint8_t *buf, size_t n, wire_msg *m, wire_arena *a)
{
    keep(&wire_seen, "wire", n > 1 ? buf[1] : 0, buf, n);
    return __real_wire_decode_in(buf, n, m, a);
}

static void cut_log(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/acidbase.log", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return;
    static uint8_t buf[8 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint64_t lsn = WAL_HDR_SIZE;
    while (lsn < n) {
        wal_rec r;
        if (wal_decode(buf + lsn, n - lsn, lsn, &r) != WAL_OK)
            break;
        keep(&wal_seen, "wal", r.type, buf + lsn, r.size);
        lsn += r.size;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: seedgen OUTDIR FILE.scn...\n");
        return 2;
    }
    outdir = argv[1];
    char path[4096];
    snprintf(path, sizeof path, "%s/wire", outdir);
    mkdir(path, 0700);
    snprintf(path, sizeof path, "%s/wal", outdir);
    mkdir(path, 0700);
    for (int i = 2; i < argc; i++) {
        FILE *in = fopen(argv[i], "r");
        if (!in) {
            fprintf(stderr, "seedgen: %s: %s\n", argv[i], strerror(errno));
            continue;
        }
        char dir[4000];
        snprintf(dir, sizeof dir, "%s/db-%d", outdir, i);
        mkdir(dir, 0700);
        char err[512];
        runner_opts o = { .dir = dir, .seed = 1 };
        runner *r = runner_new(&o, err, sizeof err);
        char line[SCN_LINE_MAX + 2];
        int lineno = 0;
        while (r && fgets(line, sizeof line, in)) {
            line[strcspn(line, "\n")] = 0;
            if (runner_line(r, line, ++lineno) >= RUN_INVALID)
                break;
        }
        fclose(in);
        runner_free(r);
        cut_log(dir);
        char cmd[8300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "seedgen: could not remove %s\n", dir);
    }
    printf("seedgen: %d seeds (%d messages, %d log records)\n", written, wire_seen.n, wal_seen.n);
    return 0;
}
