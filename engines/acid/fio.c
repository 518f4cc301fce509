/*
 * fio.c: real files with a record of what is not yet durable. See fio.h.
 *
 * Per file we keep the synced size and an undo list of overwrites below it: (offset,
 * the old bytes). Appends past the synced size need no undo, truncation removes them.
 * A sync clears the list. The list is what makes fio_crash() exact (F1).
 *
 * Preallocation (fio_set_prealloc, the log uses it): a file that grows past its physical
 * end is extended with real zero bytes up to the next multiple of the chunk (which grows
 * with the file: fio_prealloc_step), in the same breath as the write. Later appends then
 * overwrite blocks the file system has already allocated and written, so their fdatasync
 * flushes data only. Growing the file instead
 * makes every fdatasync also commit the new file size to the file system's journal, which
 * costs a fifth to a third of a commit on ext4 (BENCHMARKS.md, `wal`); SQLite's WAL and
 * PostgreSQL's zero-filled WAL segments avoid it the same way. The zeros are invisible:
 * size, synced size, pending bytes, crashes and syncs all count the logical file only,
 * fio_crash and fio_truncate cut the file to its logical end, and fio_close cuts the
 * tail off, so a closed file holds exactly its content. Only a real kill or power loss
 * can leave zeros after the end; recovery reads them as the end of the log.
 *
 * Write-behind (fio_set_write_behind): an append at the logical end, past the synced size,
 * is copied to the file's held buffer instead of being written, and the accounting moves
 * as for a real write. The held bytes are always the file's tail, [held_off, size). They
 * are written (release_held) before a sync, a read, a truncation, a crash, a close, any
 * write that is not such an append, and when write-behind is switched off. Performance:
 * group commit answers n commits with one fsync, and with this also with one write()
 * instead of n; a write() of a commit record costs about as much CPU as the rest of the
 * engine's work on that commit.
 */
#include "fio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fio_undo {
    uint64_t off;
    uint32_t len;
    uint8_t *old;
} fio_undo;

struct fio_file {
    fio_env *env;
    fio_file *next;
    int fd;
    uint64_t size;             /* logical: what was written */
    uint64_t phys;             /* real: size plus a zero-filled preallocated tail */
    uint64_t prealloc;         /* grow phys in chunks of this many bytes (0: no tail) */
    uint64_t synced_size;
    uint64_t overwritten;      /* bytes in the undo list */
    uint64_t writes_since_sync;
    fio_undo *undo;
    size_t nundo, capundo;
    uint64_t keep_on_crash;
    int write_behind;
    uint8_t *held;             /* write-behind: bytes [held_off, held_off + nheld) not yet written */
    uint64_t held_off;
    size_t nheld, capheld;
    bool replaced;             /* fio_replace'd, the directory not synced since (D1): */
    int replaced_fd;           /*   the file it replaced, still open */
    uint64_t replaced_size;    /*   and its content's length */
    int created;               /* this open made the file */
};

struct fio_env {
    fio_file *files;
    fio_stats stats;
    long fault_sync_countdown;   /* 0 = no fault armed */
    long fault_write_countdown;  /* likewise for writes */
    int crashed;                 /* an injected crash fired and fio_crash not yet called */
    int real_sync;
    int last_errno;
    char errbuf[256];
};

fio_env *fio_env_new(void)
{
    fio_env *env = calloc(1, sizeof *env);
    if (env)
        env->real_sync = 1;
    return env;
}

static int write_all(fio_file *f, uint64_t off, const void *buf, size_t n);
static int release_held(fio_file *f);

/* The replaced file is gone for good: its name now durably holds the new one (D1). */
static void replaced_forget(fio_file *f)
{
    if (f->replaced)
        close(f->replaced_fd);
    f->replaced = false;
}

static void undo_clear(fio_file *f)
{
    for (size_t i = 0; i < f->nundo; i++)
        free(f->undo[i].old);
    f->nundo = 0;
    f->overwritten = 0;
}

void fio_close(fio_file *f)
{
    if (!f)
        return;
    fio_file **pp = &f->env->files;
    while (*pp && *pp != f)
        pp = &(*pp)->next;
    if (*pp)
        *pp = f->next;
    (void)release_held(f);   /* best effort, like the rest of closing */
    free(f->held);
    undo_clear(f);
    free(f->undo);
    replaced_forget(f);
    if (f->fd >= 0 && f->phys > f->size && ftruncate(f->fd, (off_t)f->size) == 0)
        f->phys = f->size;   /* best effort: recovery takes a zero tail as the end anyway */
    if (f->fd >= 0)
        close(f->fd);
    free(f);
}

void fio_env_free(fio_env *env)
{
    if (!env)
        return;
    while (env->files)
        fio_close(env->files);
    free(env);
}

static int fail_errno(fio_env *env)
{
    env->last_errno = errno;
    env->errbuf[0] = '\0';
    return FIO_EIO;
}

/* A refusal in words of our own (fio_strerror gives them). */
static int fail_msg(fio_env *env, int eno, const char *why)
{
    env->last_errno = eno;
    snprintf(env->errbuf, sizeof env->errbuf, "%s", why);
    return FIO_EIO;
}

int fio_open(fio_env *env, const char *path, fio_file **out)
{
    return fio_open_how(env, path, FIO_OPEN_ANY, out);
}

int fio_open_how(fio_env *env, const char *path, int how, fio_file **out)
{
    *out = NULL;
    if (env->crashed)
        return FIO_ECRASH;
    /* O_NOFOLLOW: a link where the file should be is refused (ELOOP), not followed to
     * whatever it names. O_NONBLOCK: opening a FIFO never waits; it is refused below. */
    int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, fd = -1, created = 0;
    if (how & FIO_OPEN_EXISTING)
        fd = open(path, flags);
    if (fd < 0 && (how & FIO_OPEN_NEW) && (!(how & FIO_OPEN_EXISTING) || errno == ENOENT)) {
        fd = open(path, flags | O_CREAT | O_EXCL, 0600);
        created = fd >= 0;
    }
    if (fd < 0) {
        if (errno == ELOOP)
            return fail_msg(env, ELOOP, "it is a symbolic link, and the database's files are never opened through one");
        return fail_errno(env);
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int rc = fail_errno(env);
        close(fd);
        return rc;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return fail_msg(env, EINVAL, "it is not a regular file");
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    fio_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return FIO_ENOMEM;
    }
    f->env = env;
    f->fd = fd;
    f->created = created;
    f->size = f->synced_size = f->phys = (uint64_t)st.st_size;
    f->next = env->files;
    env->files = f;
    *out = f;
    return FIO_OK;
}

int fio_created(const fio_file *f)
{
    return f->created;
}

int fio_open_pair(fio_env *env, const char *a, const char *b, fio_file **fa, fio_file **fb, char *why, size_t n)
{
    *fa = *fb = NULL;
    const char *path[2] = { a, b };
    fio_file **out[2] = { fa, fb };
    int rc[2], missing[2];
    char msg[2][256];
    for (int i = 0; i < 2; i++) {
        rc[i] = fio_open_how(env, path[i], FIO_OPEN_EXISTING, out[i]);
        missing[i] = rc[i] == FIO_EIO && env->last_errno == ENOENT;
        snprintf(msg[i], sizeof msg[i], "%s", fio_strerror(env, rc[i]));
    }
    int bad = rc[0] && !missing[0] ? 0 : rc[1] && !missing[1] ? 1 : -1;
    if (bad < 0 && missing[0] != missing[1]) {
        int gone = missing[0] ? 0 : 1;
        snprintf(why, n, "%s is there but %s is missing: the two files of a database go together, so this is "
                 "refused and nothing was written (restore the missing file, or start in an empty directory)",
                 path[!gone], path[gone]);
        bad = gone;
    } else if (bad >= 0) {
        snprintf(why, n, "cannot open %s: %s", path[bad], msg[bad]);
    }
    if (bad < 0 && missing[0]) {
        /* A new database: both files, each created exclusively. */
        for (int i = 0; i < 2 && bad < 0; i++)
            if ((rc[i] = fio_open_how(env, path[i], FIO_OPEN_NEW, out[i])) != FIO_OK) {
                snprintf(why, n, "cannot create %s: %s", path[i], fio_strerror(env, rc[i]));
                bad = i;
            }
    }
    if (bad < 0)
        return FIO_OK;
    for (int i = 0; i < 2; i++) {
        if (*out[i] && fio_created(*out[i]))
            unlink(path[i]);   /* made by this call: leave nothing behind */
        fio_close(*out[i]);
        *out[i] = NULL;
    }
    return rc[bad] ? rc[bad] : FIO_EIO;
}

int fio_read(fio_file *f, uint64_t off, void *buf, size_t n, size_t *got)
{
    int rc = release_held(f);
    if (rc)
        return rc;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(f->fd, (char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return fail_errno(f->env);
        }
        if (r == 0)
            break;
        done += (size_t)r;
    }
    if (got)
        *got = done;
    return FIO_OK;
}

static int write_all(fio_file *f, uint64_t off, const void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        ssize_t r = pwrite(f->fd, (const char *)buf + done, n - done, (off_t)(off + done));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return fail_errno(f->env);
        }
        done += (size_t)r;
    }
    return FIO_OK;
}

/* Before overwriting [off, off+n) remember the durable bytes it covers. */
static int remember_overwrite(fio_file *f, uint64_t off, size_t n)
{
    if (off >= f->synced_size)
        return FIO_OK;
    uint64_t end = off + n < f->synced_size ? off + n : f->synced_size;
    uint32_t len = (uint32_t)(end - off);
    if (f->nundo == f->capundo) {
        size_t cap = f->capundo ? f->capundo * 2 : 16;
        fio_undo *u = realloc(f->undo, cap * sizeof *u);
        if (!u)
            return FIO_ENOMEM;
        f->undo = u;
        f->capundo = cap;
    }
    uint8_t *old = malloc(len);
    if (!old)
        return FIO_ENOMEM;
    size_t got = 0;
    int rc = fio_read(f, off, old, len, &got);
    if (rc) {
        free(old);
        return rc;
    }
    if (got < len)
        memset(old + got, 0, len - got);
    f->undo[f->nundo++] = (fio_undo){ off, len, old };
    f->overwritten += len;
    return FIO_OK;
}

uint64_t fio_prealloc_step(uint64_t size, uint64_t chunk)
{
    uint64_t step = chunk;
    while (step < size / 4 && step < 16 * chunk)
        step *= 2;
    return step;
}

/* After real writes up to f->size: the physical file is at least that long, and with
 * preallocation zero-filled up to the next chunk boundary. */
static void extend_phys(fio_file *f)
{
    if (f->size > f->phys) {
        f->phys = f->size;
        if (f->prealloc) {
            /* Zeros up to the next chunk boundary; a failure only costs the speed-up. */
            static const uint8_t zeros[64 << 10];
            uint64_t step = fio_prealloc_step(f->size, f->prealloc);
            uint64_t upto = (f->size / step + 1) * step;
            while (f->phys < upto) {
                size_t k = upto - f->phys < sizeof zeros ? (size_t)(upto - f->phys) : sizeof zeros;
                if (write_all(f, f->phys, zeros, k))
                    break;
                f->phys += k;
            }
        }
    }
}

/* Writes what write-behind holds: the file's tail, exactly as the writes would have. */
static int release_held(fio_file *f)
{
    if (!f->nheld)
        return FIO_OK;
    int rc = write_all(f, f->held_off, f->held, f->nheld);
    if (rc)
        return rc;
    f->nheld = 0;
    extend_phys(f);
    return FIO_OK;
}

/* Write-behind: an append at the logical end, past the durable part, joins the held tail. */
static int hold(fio_file *f, uint64_t off, const void *buf, size_t n)
{
    if (f->nheld + n > f->capheld) {
        size_t cap = f->capheld ? f->capheld : 16384;
        while (cap < f->nheld + n)
            cap *= 2;
        uint8_t *h = realloc(f->held, cap);
        if (!h)
            return FIO_ENOMEM;
        f->held = h;
        f->capheld = cap;
    }
    if (!f->nheld)
        f->held_off = off;
    memcpy(f->held + f->nheld, buf, n);
    f->nheld += n;
    return FIO_OK;
}

int fio_write(fio_file *f, uint64_t off, const void *buf, size_t n)
{
    fio_env *env = f->env;
    if (env->crashed)
        return FIO_ECRASH;
    if (env->fault_write_countdown > 0 && --env->fault_write_countdown == 0) {
        env->crashed = 1;
        return FIO_ECRASH;
    }
    int rc;
    if (f->write_behind && n && off == f->size && off >= f->synced_size) {
        rc = hold(f, off, buf, n);
    } else {
        rc = release_held(f);
        if (!rc)
            rc = remember_overwrite(f, off, n);
        if (!rc)
            rc = write_all(f, off, buf, n);
    }
    if (rc)
        return rc;
    if (off + n > f->size)
        f->size = off + n;
    if (!f->nheld)
        extend_phys(f);
    f->writes_since_sync++;
    f->env->stats.writes++;
    f->env->stats.bytes_written += n;
    return FIO_OK;
}

int fio_sync(fio_file *f)
{
    fio_env *env = f->env;
    if (env->crashed)
        return FIO_ECRASH;
    if (env->fault_sync_countdown > 0 && --env->fault_sync_countdown == 0) {
        env->crashed = 1;
        return FIO_ECRASH;
    }
    int rc = release_held(f);
    if (rc)
        return rc;
    if (env->real_sync && fdatasync(f->fd) < 0)
        return fail_errno(env);
    undo_clear(f);
    f->synced_size = f->size;
    f->writes_since_sync = 0;
    env->stats.syncs++;
    return FIO_OK;
}

int fio_truncate(fio_file *f, uint64_t size)
{
    if (f->env->crashed)
        return FIO_ECRASH;
    int rc = release_held(f);
    if (rc)
        return rc;
    if (ftruncate(f->fd, (off_t)size) < 0)
        return fail_errno(f->env);
    f->size = f->phys = size;
    if (f->env->real_sync && fdatasync(f->fd) < 0)
        return fail_errno(f->env);
    undo_clear(f);
    f->synced_size = size;
    return FIO_OK;
}

uint64_t fio_size(const fio_file *f) { return f->size; }

uint64_t fio_pending_bytes(const fio_file *f)
{
    return (f->size > f->synced_size ? f->size - f->synced_size : 0) + f->overwritten;
}

void fio_keep_on_crash(fio_file *f, uint64_t bytes)
{
    f->keep_on_crash = bytes;
}

/* Puts the replaced file's content back under the name (into f's descriptor, which the
 * name points at), durably. */
static int restore_replaced(fio_file *f)
{
    int rc = FIO_OK;
    if (ftruncate(f->fd, 0) < 0)
        rc = fail_errno(f->env);
    uint8_t buf[65536];
    for (uint64_t off = 0; !rc && off < f->replaced_size;) {
        size_t want = f->replaced_size - off < sizeof buf ? (size_t)(f->replaced_size - off) : sizeof buf;
        ssize_t r = pread(f->replaced_fd, buf, want, (off_t)off);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            rc = r < 0 ? fail_errno(f->env) : FIO_EIO;
            break;
        }
        rc = write_all(f, off, buf, (size_t)r);
        off += (uint64_t)r;
    }
    if (!rc && f->env->real_sync && fdatasync(f->fd) < 0)
        rc = fail_errno(f->env);
    f->size = f->synced_size = f->phys = f->replaced_size;
    replaced_forget(f);
    return rc;
}

int fio_crash(fio_env *env, fio_crash_report *rep)
{
    fio_crash_report r = { 0, 0 };
    int rc = FIO_OK;
    env->crashed = 0;
    env->fault_sync_countdown = 0;
    env->fault_write_countdown = 0;
    for (fio_file *f = env->files; f; f = f->next) {
        r.bytes_lost += fio_pending_bytes(f);
        r.writes_lost += f->writes_since_sync;
        /* Held bytes reach the file as the OS would have had them; then the power goes. */
        int hr = release_held(f);
        if (hr && !rc)
            rc = hr;
        f->nheld = 0;
        for (size_t i = f->nundo; i-- > 0;) {
            int w = write_all(f, f->undo[i].off, f->undo[i].old, f->undo[i].len);
            if (w && !rc)
                rc = w;
        }
        undo_clear(f);
        uint64_t keep = f->synced_size + f->keep_on_crash;
        if (keep > f->size)
            keep = f->size;
        if (f->keep_on_crash && keep > f->synced_size)
            r.bytes_lost -= keep - f->synced_size;
        if (ftruncate(f->fd, (off_t)keep) < 0 && !rc)
            rc = fail_errno(env);
        f->phys = keep;
        if (env->real_sync)
            (void)fdatasync(f->fd);
        f->size = f->synced_size = keep;
        f->keep_on_crash = 0;
        f->writes_since_sync = 0;
        if (f->replaced) {
            /* D1: the rename was never made durable; the name holds the old file again. */
            int w = restore_replaced(f);
            if (w && !rc)
                rc = w;
        }
    }
    if (rep)
        *rep = r;
    return rc;
}

void fio_fault_syncs(fio_env *env, long nth)
{
    env->fault_sync_countdown = nth > 0 ? nth : 0;
}

void fio_fault_writes(fio_env *env, long nth)
{
    env->fault_write_countdown = nth > 0 ? nth : 0;
}

int fio_faulted(const fio_env *env)
{
    return env->crashed;
}

int fio_sync_dir(fio_env *env, const char *dir)
{
    if (env->crashed)
        return FIO_ECRASH;
    if (env->fault_sync_countdown > 0 && --env->fault_sync_countdown == 0) {
        env->crashed = 1;
        return FIO_ECRASH;
    }
    if (env->real_sync) {
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return fail_errno(env);
        int r = fsync(fd);
        int rc = r < 0 ? fail_errno(env) : FIO_OK;
        close(fd);
        if (rc)
            return rc;
    }
    for (fio_file *f = env->files; f; f = f->next)
        replaced_forget(f);
    env->stats.dir_syncs++;
    return FIO_OK;
}

int fio_replace(fio_file *f, const char *path, fio_file *with, const char *with_path)
{
    fio_env *env = f->env;
    if (env->crashed)
        return FIO_ECRASH;
    int rc = release_held(f);
    if (!rc)
        rc = release_held(with);
    if (rc)
        return rc;
    /* Both must be durable as they are: the model restores f's old content at a crash
     * (D1) and has nothing to restore of with's. */
    if (fio_pending_bytes(f) || fio_pending_bytes(with) || f->replaced || env != with->env)
        return FIO_EIO;
    if (rename(with_path, path) < 0)
        return fail_errno(env);
    f->replaced = true;
    f->replaced_fd = f->fd;
    f->replaced_size = f->size;
    f->fd = with->fd;
    f->size = with->size;
    f->phys = with->phys;
    f->synced_size = with->synced_size;
    f->writes_since_sync = 0;
    with->fd = -1;
    fio_close(with);
    extend_phys(f);
    return FIO_OK;
}

int fio_unlink(fio_env *env, const char *path)
{
    if (unlink(path) < 0 && errno != ENOENT)
        return fail_errno(env);
    return FIO_OK;
}

void fio_set_prealloc(fio_file *f, uint64_t chunk)
{
    f->prealloc = chunk;
}

int fio_set_write_behind(fio_file *f, int on)
{
    f->write_behind = on;
    return on ? FIO_OK : release_held(f);
}

void fio_set_real_sync(fio_env *env, int on)
{
    env->real_sync = on;
}

fio_stats fio_get_stats(const fio_env *env)
{
    return env->stats;
}

const char *fio_strerror(const fio_env *env, int rc)
{
    switch (rc) {
    case FIO_OK: return "ok";
    case FIO_EIO: return env->errbuf[0] ? env->errbuf : strerror(env->last_errno);
    case FIO_ECRASH: return "crashed (injected fault)";
    case FIO_ENOMEM: return "out of memory";
    }
    return "unknown error";
}

int fio_mkdirs(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return FIO_EIO;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == 0) {
            char c = buf[i];
            buf[i] = 0;
            if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                return FIO_EIO;
            buf[i] = c;
        }
    }
    return FIO_OK;
}
