#!/bin/sh
# run.sh ACIDBASE_BIN: files and the disk (issue 8, "Everything around it").
#
# 1. permissions: `run --dir` creates each missing directory 0700 and its files 0600,
#    whatever the umask; the progress database 0600 in a 0700 directory;
# 2. path safety: names that come from files the learner or anyone can edit (a lesson
#    name in the progress database, the lesson and learner in a trace) never become paths
#    outside the lab's own directories: `progress --export` refuses such a name, `check`,
#    `grade` and `replay` of a hostile trace write nothing;
# 3. a full disk (a 256 KiB tmpfs in a mount namespace made here with unshare; skipped
#    with a note where that is not allowed): progress is still shown; `progress --reset
#    --yes` says "the disk is full", "nothing was forgotten" and exits 3, and everything
#    saved before is kept; the engine refuses to open with "No space left on device"
#    (exit 3) and loses no commit.
# 4. text files (issue 16): a UTF-8 BOM at the start of a scenario (a file, `run -`) or a
#    lesson is skipped; a NUL on standard input is an error at its position and nothing
#    after it runs; a lesson whose title holds an escape sequence is broken at its
#    position and nothing raw reaches the terminal (`lessons`, `--verify`), nor from a file
#    name; a FIFO named x.lesson does not hang `lessons --dir` or `--verify`.
# 5. the engine's own files (issue 16): an acidbase.log of 1 to 15 bytes, a symbolic link
#    as acidbase.log (its target kept), a data file without its log, a data file that is
#    not ours, a FIFO: each refused (exit 3) before anything is written, the directory
#    byte for byte as it was; a byte flipped in a record before the checkpoint is refused
#    naming the file, the offset, the LSN and the checkpoint's LSN.
# 6. the lab (tmux): `:w FILE` refuses an existing file and a symbolic link, `:w!` replaces
#    a regular file but never writes through a link, `:w` makes a new one; a file name
#    with a newline is shown escaped on the screen.
# Last line: "files: N passed, N failed".
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-files.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
mode() { stat -c %a "$1"; }

# ---- 1. permissions ------------------------------------------------------------------
umask 022
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 1)\n' >make.scn
"$bin" run make.scn --dir "$tmp/data/db" --quiet >/dev/null 2>&1 || bad "run --dir: exit $?"
for d in data data/db; do
    [ "$(mode "$d")" = 700 ] && ok || bad "run --dir made $d with mode $(mode "$d"), not 700"
done
for f in data/db/acidbase.db data/db/acidbase.log; do
    [ "$(mode "$f")" = 600 ] && ok || bad "$f has mode $(mode "$f"), not 600"
done
# Showing progress creates nothing (issue 16, case 2: a display-only command never
# writes); the modes of a database the lab makes are pinned in tests/unit/test_progress.c.
ACIDBASE_DB="$tmp/home/.local/share/acidbase/progress.db" "$bin" progress --user ana >/dev/null 2>&1
[ ! -e home ] && ok || bad "progress (showing) created $(find home | head -3)"
ACIDBASE_DB="$tmp/home/.local/share/acidbase/progress.db" "$bin" lessons >/dev/null 2>&1
[ ! -e home ] && ok || bad "lessons created $(find home | head -3)"

# ---- 2. path safety ------------------------------------------------------------------
export ACIDBASE_DB="$tmp/p/progress.db"
python3 "$root/tests/progress/mkdb.py" "$ACIDBASE_DB" ana ../../escaped dirty-read
mkdir -p out/a/b
"$bin" progress --user ana --export out/a/b >export.out 2>&1
rc=$?
[ ! -e out/escaped.json ] && [ ! -e escaped.json ] && [ ! -e out/a/escaped.json ] && ok ||
    bad "progress --export wrote a file outside its directory"
grep -q "cannot be used as a file name" export.out && ok || { bad "progress --export: no message about the bad name"; sed 's/^/    | /' export.out; }
[ -e out/a/b/ana-dirty-read.json ] && ok || bad "progress --export did not export the good lesson"
[ "$rc" -eq 3 ] && ok || bad "progress --export with a bad name: exit $rc, expected 3"
unset ACIDBASE_DB

"$bin" run make.scn --trace good.json --quiet >/dev/null 2>&1
python3 - good.json hostile.json <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
t["lesson"] = "../../../hostile-lesson"
t["learner"] = "../../hostile-learner"
json.dump(t, open(sys.argv[2], "w"))
PY
mkdir -p deep/er && cp hostile.json deep/er/
before=$(find "$tmp" | sort | md5sum)
(cd deep/er && "$bin" check hostile.json >/dev/null 2>&1; "$bin" grade hostile.json >/dev/null 2>&1
 "$bin" grade hostile.json --lesson dirty-read >/dev/null 2>&1; "$bin" replay hostile.json </dev/null >/dev/null 2>&1)
after=$(find "$tmp" | sort | md5sum)
[ "$before" = "$after" ] && ok || { bad "check/grade/replay of a trace with hostile names created files:"; find "$tmp" -newer hostile.json | sed 's/^/    | /'; }

# ---- 3. a full disk ------------------------------------------------------------------
if command -v unshare >/dev/null 2>&1 && unshare -m true 2>/dev/null; then
    mkdir -p full
    cat >full.sh <<'EOF2'
bin=$1 d=$2 root=$3
mount -t tmpfs -o size=256k tmpfs "$d" || { echo "SKIP: cannot mount a tmpfs"; exit 0; }
export ACIDBASE_DB="$d/p/progress.db"
python3 "$root/tests/progress/mkdb.py" "$ACIDBASE_DB" ana dirty-read
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 1)\nT1: UPDATE t SET v = 7 WHERE id = 1\n' |
    "$bin" run - --dir "$d/db" >/dev/null 2>&1 || echo "FAIL: the database could not be made before the disk filled"
dd if=/dev/zero of="$d/fill" bs=4k >/dev/null 2>&1
"$bin" progress --user ana >p.out 2>&1
echo "progress-rc $?"
grep -q "dirty-read" p.out && echo "OK full-show" || { echo "FAIL: progress shown on a full disk:"; sed 's/^/    | /' p.out; }
# Issue 16, case 7: a reset that cannot be written says so and fails; nothing is forgotten.
"$bin" progress --user ana --reset --yes >r.out 2>&1
echo "reset-rc $?"
grep -q "the disk is full" r.out && grep -q "nothing was forgotten" r.out && ! grep -q "^Forgot" r.out &&
    echo "OK full-message" || { echo "FAIL: progress --reset on a full disk:"; sed 's/^/    | /' r.out; }
printf 'T1: SELECT * FROM t\n' | "$bin" run - --dir "$d/db2" >e.out 2>&1
echo "engine-new-rc $?"
grep -q "No space left on device" e.out && echo "OK engine-message" || { echo "FAIL: a new database on a full disk:"; sed 's/^/    | /' e.out; }
rm -f "$d/fill"
"$bin" progress --user ana >p2.out 2>&1
grep -q "dirty-read" p2.out && echo "OK progress-kept" || { echo "FAIL: progress saved before the disk filled is gone:"; sed 's/^/    | /' p2.out; }
printf 'T1: SELECT * FROM t\n' | "$bin" run - --dir "$d/db" >e2.out 2>&1
grep -q -F '{1:7}' e2.out && echo "OK commits-kept" || { echo "FAIL: a commit made before the disk filled is gone:"; sed 's/^/    | /' e2.out; }
EOF2
    unshare -m sh full.sh "$bin" "$tmp/full" "$root" >full.out 2>&1
    if grep -q '^SKIP' full.out; then
        echo "files: full disk not tested here: $(grep '^SKIP' full.out)"
    else
        grep -q '^progress-rc 0$' full.out && ok || bad "progress on a full disk: $(grep progress-rc full.out)"
        grep -q '^reset-rc 3$' full.out && ok || bad "progress --reset on a full disk: $(grep reset-rc full.out)"
        grep -q '^engine-new-rc 3$' full.out && ok || bad "a new database on a full disk: $(grep engine-new-rc full.out)"
        for what in full-show full-message engine-message progress-kept commits-kept; do
            grep -q "^OK $what\$" full.out && ok || bad "full disk: $what"
        done
        grep '^FAIL' -A8 full.out
    fi
else
    echo "files: full disk not tested here: unshare -m is not allowed"
fi

# ---- 4. text files: NUL, BOM, control characters, FIFOs (issue 16, cases 4, 6, 8) -----
# A leading UTF-8 BOM is skipped (a scenario file, `run -`, a lesson); a NUL on standard
# input is an error at its position and nothing after it runs.
printf '\357\273\277setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nexpect table t {}\n' >bom.scn
"$bin" run bom.scn --quiet >bom.out 2>&1 && ok || { bad "run of a file with a BOM: exit $?"; sed 's/^/    | /' bom.out; }
"$bin" run - --quiet <bom.scn >bom.out 2>&1 && ok || { bad "run - of a BOM: exit $?"; sed 's/^/    | /' bom.out; }
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 1), (2, 2)\nT1: DELETE FROM t\000 WHERE id = 1\nexpect table t {}\n' >nul.scn
"$bin" run - <nul.scn >nul.out 2>nul.err
rc=$?
[ "$rc" = 2 ] && ok || bad "run - with a NUL: exit $rc, expected 2"
grep -q '^<stdin>:3:18: a NUL byte' nul.err && ok || { bad "run - with a NUL: no position"; sed 's/^/    | /' nul.err; }
grep -q 'DELETE' nul.out && bad "run - ran the line with a NUL" || ok
# Lessons: a BOM is skipped; an escape sequence in a title makes the lesson broken, with its
# position, and nothing raw reaches the terminal; a FIFO named x.lesson is not read (it
# would block for ever); a file name with an escape is shown escaped.
mkdir -p les
cp "$(ls "$root"/lessons/*.lesson | head -n 1)" les/
first=$(ls les)
{ printf '\357\273\277'; cat "les/$first"; } >les/tmp && mv les/tmp "les/$first"
mkfifo les/x.lesson
sed 's/^title: .*/title: Dirty \x1b[2J\x1b]0;owned\x07reads/' "les/$first" >"les/$(printf 'evil\033[31m').lesson"
timeout 60 "$bin" lessons --dir les >les.out 2>&1
rc=$?
[ "$rc" != 124 ] && ok || bad "lessons --dir with a FIFO named x.lesson hung"
grep -q 'ok$' les.out && ok || { bad "lessons: the lesson with a BOM is not ok"; sed 's/^/    | /' les.out; }
grep -q 'a control character (byte 0x1b)' les.out && ok || { bad "lessons: an escape in a title is not refused"; sed 's/^/    | /' les.out; }
grep -q "$(printf '\033')" les.out && { bad "lessons printed an escape character"; sed 's/^/    | /' les.out | cat -v; } || ok
grep -q 'evil\\x1b\[31m.lesson' les.out && ok || { bad "lessons: the file name is not shown escaped"; sed 's/^/    | /' les.out | cat -v; }
timeout 120 "$bin" lessons --dir les --verify >ver.out 2>&1
rc=$?
[ "$rc" != 124 ] && ok || bad "lessons --verify with a FIFO named x.lesson hung"
grep -q "$(printf '\033')" ver.out && { bad "lessons --verify printed an escape character"; cat -v ver.out | sed 's/^/    | /'; } || ok
timeout 60 "$bin" lesson "$(sed -n 's/^id: *//p' "les/$first")" --show --dir les >show.out 2>&1 && ok ||
    { bad "lesson --show of a lesson with a BOM: exit $?"; sed 's/^/    | /' show.out; }

# ---- 5. the engine's files: never written unless ours (issue 16, cases 5 and 10) -------
printf 'setup: CREATE TABLE IF NOT EXISTS t (id INT PRIMARY KEY, v INT)\nexpect table t {}\n' >open.scn
engine_refuses() {   # $1 = what, $2 = the --dir, $3 = text the message must hold
    before=$(cd "$2" && ls -l --time-style=+%s.%N | md5sum; find . -maxdepth 1 -type f -exec md5sum {} + | sort)
    timeout 60 "$bin" run open.scn --dir "$2" >eng.out 2>&1
    rc=$?
    [ "$rc" = 3 ] && ok || { bad "$1: exit $rc, expected 3"; sed 's/^/    | /' eng.out; }
    grep -q -F -- "$3" eng.out && ok || { bad "$1: the message lacks '$3'"; sed 's/^/    | /' eng.out; }
    after=$(cd "$2" && ls -l --time-style=+%s.%N | md5sum; find . -maxdepth 1 -type f -exec md5sum {} + | sort)
    [ "$before" = "$after" ] && ok || { bad "$1: the directory changed"; ls -la "$2" | sed 's/^/    | /'; }
}
for n in 1 7 15; do
    mkdir -p short$n
    head -c $n /dev/urandom >short$n/acidbase.log
    : >short$n/acidbase.db
    engine_refuses "a $n-byte acidbase.log" short$n "acidbase.log is not an acidbase log: $n bytes"
done
mkdir -p linked
printf 'precious notes\n' >notes.txt
ln -s ../notes.txt linked/acidbase.log
: >linked/acidbase.db
engine_refuses "acidbase.log a symbolic link" linked "it is a symbolic link"
[ "$(cat notes.txt)" = "precious notes" ] && ok || bad "the symbolic link's target was written"
mkdir -p nolog
head -c 512 /dev/zero >nolog/acidbase.db
engine_refuses "acidbase.db without its log" nolog "acidbase.log is missing"
[ ! -e nolog/acidbase.log ] && ok || bad "a log was created beside a lone data file"
mkdir -p foreigndb
"$bin" run open.scn --dir foreigndb --quiet >/dev/null 2>&1
printf 'not pages' >foreigndb/acidbase.db
engine_refuses "a foreign acidbase.db" foreigndb "is not an acidbase data file"
mkdir -p fifo
mkfifo fifo/acidbase.log
: >fifo/acidbase.db
engine_refuses "a FIFO as acidbase.log" fifo "it is not a regular file"
# Case 10: a flipped byte in a record before the checkpoint (an open transaction's update,
# which recovery must read to undo or redo it): refused naming the file, offset and LSN.
mkdir -p ckpt
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 1)\nT1: BEGIN\nT1: UPDATE t SET v = 2 WHERE id = 1\nengine: checkpoint\n' >ckpt.scn
"$bin" run ckpt.scn --dir ckpt --quiet >/dev/null 2>&1 || bad "the checkpoint database could not be made"
off=$(python3 - ckpt/acidbase.log <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
# Records after the 16-byte header: a 4-byte length first (wal.h). The last record is the
# checkpoint; flip a byte in the middle of the one before it (T1's update).
offs, at = [], 16
while at + 4 <= len(d):
    n = struct.unpack_from("<I", d, at)[0]
    if n == 0 or at + n > len(d):
        break
    offs.append(at)
    at += n
base = struct.unpack_from("<Q", d, 8)[0]   # the LSN of byte 0 (a log cut at a checkpoint starts later)
print(offs[-2] + 20, offs[-2], base + offs[-2], base + offs[-1])
PY
)
set -- $off
printf '\125' | dd of=ckpt/acidbase.log bs=1 seek="$1" conv=notrunc 2>/dev/null
engine_refuses "a flipped byte before the checkpoint" ckpt "acidbase.log is damaged at offset $2 (the record of LSN $3"
grep -q "before the last checkpoint, LSN $4" eng.out && ok || { bad "the checkpoint's LSN is not named"; sed 's/^/    | /' eng.out; }

# ---- 6. the lab's :w and its screen (issue 16, cases 9 and 4) ----------------------------
if command -v tmux >/dev/null 2>&1; then
    SOCK=ab-files-$$
    T() { tmux -L "$SOCK" "$@"; }
    seen() {   # $1 = text to wait for on the screen (up to 15 s)
        i=0
        while [ $i -lt 150 ]; do
            T capture-pane -p -t f 2>/dev/null | grep -q -F -- "$1" && return 0
            sleep 0.1
            i=$((i + 1))
        done
        return 1
    }
    mkdir -p lab
    printf 'mine\n' >lab/existing.scn
    printf 'precious\n' >lab/target.txt
    ln -s target.txt lab/link.scn
    # A progress database named with a newline, and not ours: the lab's warning names it.
    weird=$(printf 'lab/odd\nname.db')
    printf 'not a database\n' >"$weird"
    printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\n' >lab/start.scn
    T new-session -d -s f -x 160 -y 48 "cd '$tmp' && ACIDBASE_DB='$weird' TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 '$bin' lab lab/start.scn; sleep 30"
    if seen "sandbox"; then
        ok
        # Case 4: a file name with a newline is shown escaped, on one line.
        seen 'odd\nname.db is not a SQLite database' && ok || { bad "the lab shows a file name's newline raw"; T capture-pane -p -t f | sed 's/^/    | /'; }
        [ "$(cat "$weird")" = "not a database" ] && ok || bad "the lab wrote to a progress database that is not ours"
        T send-keys -t f ':setup: CREATE TABLE u (id INT PRIMARY KEY, v INT)' Enter
        seen "u (id INT" || true
        T send-keys -t f ':w lab/existing.scn' Enter
        seen "exists: not written" && ok || bad ":w over an existing file: no refusal on screen"
        [ "$(cat lab/existing.scn)" = mine ] && ok || bad ":w wrote over an existing file"
        T send-keys -t f ':w lab/link.scn' Enter
        seen "is a symbolic link: not written" && ok || bad ":w through a symbolic link: no refusal on screen"
        T send-keys -t f ':w! lab/link.scn' Enter
        sleep 0.5
        [ "$(cat lab/target.txt)" = precious ] && [ -L lab/link.scn ] && ok || bad ":w! followed a symbolic link"
        T send-keys -t f ':w lab/new.scn' Enter
        seen "to lab/new.scn" && ok || bad ":w to a new file: not saved"
        grep -q '^setup: CREATE TABLE u' lab/new.scn 2>/dev/null && ok || bad ":w wrote no lines to a new file"
        T send-keys -t f ':w! lab/existing.scn' Enter
        seen "to lab/existing.scn" && ok || bad ":w! over an existing file: not saved"
        grep -q '^setup: CREATE TABLE u' lab/existing.scn && ok || bad ":w! did not replace the file"
        ls lab | grep -q '\.tmp' && bad ":w! left a temporary file" || ok
    else
        bad "the lab did not start for the :w test"
        T capture-pane -p -t f | sed 's/^/    | /' | head -10
    fi
    T kill-server 2>/dev/null
else
    echo "files: tmux is missing: :w is not tested here"
fi

echo "files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
