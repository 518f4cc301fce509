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
#    with a note where that is not allowed): the progress database says "the disk is full"
#    and keeps everything saved before; the engine refuses to open with "No space left on
#    device" (exit 3) and loses no commit.
# Last line: "files: N passed, N failed".
bin=$1
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
ACIDBASE_DB="$tmp/home/.local/share/acidbase/progress.db" "$bin" progress --user ana >/dev/null 2>&1
[ "$(mode home/.local/share/acidbase)" = 700 ] && ok || bad "the progress directory has mode $(mode home/.local/share/acidbase)"
[ "$(mode home/.local/share/acidbase/progress.db)" = 600 ] && ok || bad "the progress database has mode $(mode home/.local/share/acidbase/progress.db)"

# ---- 2. path safety ------------------------------------------------------------------
export ACIDBASE_DB="$tmp/p/progress.db"
"$bin" progress --user ana >/dev/null 2>&1
python3 - "$ACIDBASE_DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT OR IGNORE INTO learner (name, created) VALUES ('ana', '2026-01-01T00:00:00Z')")
lid = db.execute("SELECT id FROM learner WHERE name = 'ana'").fetchone()[0]
for lesson in ("../../escaped", "dirty-read"):
    db.execute("INSERT INTO lesson_progress (learner_id, lesson, status, attempts, page, seed, updated) "
               "VALUES (?, ?, 'started', 1, 0, 1, '2026-01-01T00:00:00Z')", (lid, lesson))
    db.execute("INSERT INTO scenario_line VALUES (?, ?, 1, 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)')",
               (lid, lesson))
db.commit()
PY
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
bin=$1 d=$2
mount -t tmpfs -o size=256k tmpfs "$d" || { echo "SKIP: cannot mount a tmpfs"; exit 0; }
export ACIDBASE_DB="$d/p/progress.db"
"$bin" progress --user ana >/dev/null 2>&1
python3 - "$ACIDBASE_DB" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT OR IGNORE INTO learner (name, created) VALUES ('ana', '2026-01-01T00:00:00Z')")
lid = db.execute("SELECT id FROM learner WHERE name = 'ana'").fetchone()[0]
db.execute("INSERT INTO lesson_progress (learner_id, lesson, status, attempts, page, seed, updated) "
           "VALUES (?, 'dirty-read', 'started', 3, 0, 1, '2026-01-01T00:00:00Z')", (lid,))
db.commit()
PY
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, 1)\nT1: UPDATE t SET v = 7 WHERE id = 1\n' |
    "$bin" run - --dir "$d/db" >/dev/null 2>&1 || echo "FAIL: the database could not be made before the disk filled"
dd if=/dev/zero of="$d/fill" bs=4k >/dev/null 2>&1
"$bin" progress --user bob >p.out 2>&1
echo "progress-rc $?"
grep -q "the disk is full" p.out && echo "OK full-message" || { echo "FAIL: progress on a full disk:"; sed 's/^/    | /' p.out; }
printf 'T1: SELECT * FROM t\n' | "$bin" run - --dir "$d/db2" >e.out 2>&1
echo "engine-new-rc $?"
grep -q "No space left on device" e.out && echo "OK engine-message" || { echo "FAIL: a new database on a full disk:"; sed 's/^/    | /' e.out; }
rm -f "$d/fill"
"$bin" progress --user ana >p2.out 2>&1
grep -q "dirty-read" p2.out && echo "OK progress-kept" || { echo "FAIL: progress saved before the disk filled is gone:"; sed 's/^/    | /' p2.out; }
printf 'T1: SELECT * FROM t\n' | "$bin" run - --dir "$d/db" >e2.out 2>&1
grep -q -F '{1:7}' e2.out && echo "OK commits-kept" || { echo "FAIL: a commit made before the disk filled is gone:"; sed 's/^/    | /' e2.out; }
EOF2
    unshare -m sh full.sh "$bin" "$tmp/full" >full.out 2>&1
    if grep -q '^SKIP' full.out; then
        echo "files: full disk not tested here: $(grep '^SKIP' full.out)"
    else
        grep -q '^progress-rc 0$' full.out && ok || bad "progress on a full disk: $(grep progress-rc full.out)"
        grep -q '^engine-new-rc 3$' full.out && ok || bad "a new database on a full disk: $(grep engine-new-rc full.out)"
        for what in full-message engine-message progress-kept commits-kept; do
            grep -q "^OK $what\$" full.out && ok || bad "full disk: $what"
        done
        grep '^FAIL' -A8 full.out
    fi
else
    echo "files: full disk not tested here: unshare -m is not allowed"
fi

echo "files: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
