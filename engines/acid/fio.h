/*
 * fio.h: the file seam. Every byte the ACID engine reads or writes goes through here, and
 * this layer knows which of them are durable.
 *
 * Writes go to the real file at once (so a real kill -9 leaves what the OS has), but until
 * fio_sync() they are "volatile": the layer remembers what each write overwrote inside the
 * durable part of the file, and how long the file was at the last sync. fio_crash() plays
 * the power loss that `engine: crash` and the crash tests need: on every open file it puts
 * the overwritten bytes back, newest first, and truncates to the synced length, leaving
 * each file exactly as its last fsync left it. Recovery then runs on those real files.
 *
 * Write-behind (fio_set_write_behind, the log under group commit): appends past the durable
 * part are held in memory and handed to the OS in one write() at the next sync (or before
 * anything else touches the file). Everything above counts them exactly as if they had
 * been written one by one: size, pending bytes, writes since the sync, the stats, and
 * what fio_crash() reports and leaves (it hands them over before it cuts). The only
 * difference is outside the model: a real kill -9 of the process loses held bytes, which
 * is allowed because they are not durable and nobody has been told they are.
 *
 * Directories: a file replaced by another (fio_replace: a rename over it, how the log is
 * cut behind a checkpoint) is only durably replaced once the directory is synced
 * (fio_sync_dir, which is also what makes a newly created file's name durable, as SQLite
 * syncs the directory after creating a journal). Until then fio_crash() puts the old
 * content back under the name (D1). The model does not drop a newly created file whose
 * directory was not synced: the engine syncs the directory right after creating its files,
 * before anything is written that a crash could need.
 *
 * Faults for tests (SQLite's crash VFS, in miniature):
 *   - fio_fault_syncs(env, n): the n-th sync from now (file or directory), and everything
 *     after it, fails with FIO_ECRASH without syncing; the caller unwinds and the test
 *     calls fio_crash().
 *   - fio_fault_writes(env, n): the same at the n-th write from now: that write does not
 *     happen, and every write and sync after it fails (a crash at a write boundary).
 *   - fio_keep_on_crash(file, bytes): at the next crash keep that many bytes of the
 *     file's unsynced tail (a torn write: part of the last write reached the platter).
 *
 * Invariants:
 *   F1. After fio_crash() every file's content equals its content at its last fio_sync().
 *   F2. The synced size (the file's length at its last sync) is at most fio_size(); bytes
 *       below it that no write has touched since the last sync are durable.
 *   F3. Past fio_size() a file holds only zero bytes (a preallocated tail), if anything.
 *   D1. After fio_crash() a name replaced by fio_replace() and not followed by a
 *       successful fio_sync_dir() holds the content it had before the replacement.
 *
 * Other people's files (issue 16): a file is opened only as a regular file and never
 * through a symbolic link (O_NOFOLLOW), and a new one is created exclusively (O_EXCL), so
 * a link planted where the log should be, or a file that appears between looking and
 * creating, is refused rather than written. fio_open_pair opens the two files of a
 * database together: both there, or both new; one without the other is refused and
 * nothing is created. What the bytes must look like is the caller's to check (store.c),
 * before it writes anything.
 *
 * Not here: caching (the buffer pool does that), directories beyond creating them, syncing
 * them and renaming a file in them, concurrency (the engine is single-threaded).
 */
#ifndef AB_FIO_H
#define AB_FIO_H

#include <stddef.h>
#include <stdint.h>

enum {
    FIO_OK = 0,
    FIO_EIO = -1,      /* the OS said no; errno is kept in the env */
    FIO_ECRASH = -2,   /* an injected crash: stop, the test will call fio_crash() */
    FIO_ENOMEM = -3,
};

typedef struct fio_env fio_env;
typedef struct fio_file fio_file;

typedef struct fio_stats {
    uint64_t syncs;          /* fio_sync calls that reached the disk */
    uint64_t dir_syncs;      /* fio_sync_dir calls that reached the disk */
    uint64_t writes;         /* fio_write calls */
    uint64_t bytes_written;
} fio_stats;

typedef struct fio_crash_report {
    uint64_t bytes_lost;     /* unsynced bytes dropped, over all files */
    uint64_t writes_lost;    /* unsynced write calls dropped */
} fio_crash_report;

fio_env *fio_env_new(void);
void fio_env_free(fio_env *env);     /* closes any file still open */

/* Opens (creating with mode 0600 if missing) path for reading and writing. A file that
 * exists is taken as durable up to its current size. A symbolic link or anything but a
 * regular file at path is refused (FIO_EIO, fio_strerror says which); a file is created
 * with O_EXCL, never over one that appeared meanwhile. */
int fio_open(fio_env *env, const char *path, fio_file **out);
/* How fio_open_how may find path: there already, created now, or either. */
enum { FIO_OPEN_EXISTING = 1, FIO_OPEN_NEW = 2, FIO_OPEN_ANY = 3 };
int fio_open_how(fio_env *env, const char *path, int how, fio_file **out);
/* The two files of one database: both there (opened), or both missing (both created);
 * one without the other is refused with a message in why and nothing is created. */
int fio_open_pair(fio_env *env, const char *a, const char *b, fio_file **fa, fio_file **fb, char *why, size_t n);
/* Whether this open created the file. */
int fio_created(const fio_file *f);
void fio_close(fio_file *f);

int fio_read(fio_file *f, uint64_t off, void *buf, size_t n, size_t *got);
int fio_write(fio_file *f, uint64_t off, const void *buf, size_t n);
int fio_sync(fio_file *f);
/* Cuts the file to size and makes that durable at once (recovery cutting a torn tail). */
int fio_truncate(fio_file *f, uint64_t size);
uint64_t fio_size(const fio_file *f);
/* Unsynced bytes (appended past the synced size, plus overwritten below it). */
uint64_t fio_pending_bytes(const fio_file *f);

/* Power loss on every file of env (F1). Files stay open. Clears the fault counters. */
int fio_crash(fio_env *env, fio_crash_report *rep);

void fio_fault_syncs(fio_env *env, long nth);
void fio_fault_writes(fio_env *env, long nth);
/* Has an injected fault fired since the last fio_crash()? */
int fio_faulted(const fio_env *env);
void fio_keep_on_crash(fio_file *f, uint64_t bytes);
/* How far a file of size bytes grows past its end at once with preallocation chunk:
 * a quarter of its size, doubling from chunk up to 16 x chunk. Performance: each growth
 * changes the file's size, which the next fdatasync must also write (one more write on
 * ext4); with group 64 a 64 KiB chunk lasts 6 groups, a 1 MiB one 100 (BENCHMARKS.md). A
 * small database stays small. */
uint64_t fio_prealloc_step(uint64_t size, uint64_t chunk);
/* Grow the file in zero-filled chunks of this many bytes (0: off, the default), so that
 * appends overwrite allocated blocks and fdatasync has no file size to commit. Invisible
 * to everything else here (see fio.c). For the log. */
void fio_set_prealloc(fio_file *f, uint64_t chunk);
/* Hold appends past the synced size until the next sync (see above); off hands over what
 * is held. For the log under group commit, whose commits are answered only after the
 * group's sync. Returns FIO_OK or the error of handing bytes over. */
int fio_set_write_behind(fio_file *f, int on);
/* Skip the real fdatasync (the durable/volatile bookkeeping is unchanged). For tests and
 * benchmarks that model durability but do not need the platter; never in the lab. */
void fio_set_real_sync(fio_env *env, int on);

fio_stats fio_get_stats(const fio_env *env);
const char *fio_strerror(const fio_env *env, int rc);

/* fsyncs the directory dir (a sync for fio_fault_syncs): the names created or replaced in
 * it are durable (D1). */
int fio_sync_dir(fio_env *env, const char *dir);
/* Renames with_path (the file `with`, open, fully synced) over path (the file f, open, with
 * nothing unsynced). Afterwards f is the new file under its old name: same object, the new
 * content, size and descriptor (its settings, preallocation and write-behind, stay); `with`
 * is closed. Durable at the next fio_sync_dir (D1). */
int fio_replace(fio_file *f, const char *path, fio_file *with, const char *with_path);
/* Removes path if it exists (a leftover of an interrupted replacement); 0 or FIO_EIO. */
int fio_unlink(fio_env *env, const char *path);

/* mkdir -p with mode 0700 for the directories it creates; 0 or FIO_EIO. */
int fio_mkdirs(const char *path);

#endif
