#!/bin/sh
# tests/progress/run.sh: the progress database from the outside, through `acidbase progress`
# and the global --db / --user options. The store's own behaviour (resume, two writers at
# once, every bad file, migration) is pinned in tests/unit/test_progress.c; this script
# pins what a learner or a teacher sees.
#
#   sh tests/progress/run.sh ACIDBASE_BIN
#
# 1. a version-1 database written by hand (python3's sqlite3) is shown without being
#    written, and migrated by the first command that writes (a reset);
# 2. --export replays the saved lines into DIR/<learner>-<lesson>.json, a trace that
#    `acidbase grade` accepts and that names the lesson and the learner; saved lines with
#    INT64_MIN % -1 and an UPDATE out of range export and grade (issue 16, case 1);
# 3. --reset: refused off a terminal without --yes (exit 2, nothing lost), asked on a
#    terminal (script(1)), done with --yes;
# 4. where the database is: --db before the command, $ACIDBASE_DB, $XDG_DATA_HOME; showing
#    creates neither the file nor its directories;
# 5. a damaged file of ours is shown as nothing, with a message, and left as it is; a path
#    that cannot be created (under a regular file) shows "no database there yet"; a
#    read-only directory (as root, run with CAP_DAC_OVERRIDE dropped by setpriv, so the
#    permission bits bind) shows what was saved, and `--reset --yes` there fails (exit 3,
#    "nothing was forgotten") and forgets nothing (issue 16, case 7);
# 6. usage errors;
# 7. issue 16, case 2: a --db that is not an acidbase progress database (a copy of
#    /etc/passwd, a user's notes, an empty file, another program's SQLite file, a FIFO, a
#    symbolic link to notes) is refused by every command (exit 2) and left byte for byte
#    as it was, with nothing created beside it.
#
# Prints "FAIL: ..." per failure and ends with "progress-cli: N passed, N failed".

if [ $# -ne 1 ]; then
    echo "usage: sh tests/progress/run.sh ACIDBASE_BIN" >&2
    exit 2
fi
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-progress-tests.XXXXXX") || exit 2
trap 'chmod -R u+rwx "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
limit=
if command -v timeout >/dev/null 2>&1; then
    limit="timeout ${ACIDBASE_TEST_TIMEOUT:-60}"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
show() { sed 's/^/    | /' "$1" | head -n 30; }

# $1 = description, $2 = expected exit status, rest = command; output in $tmp/out, $tmp/err.
run() {
    desc=$1
    want=$2
    shift 2
    $limit "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass
        return 0
    fi
    fail "$desc: exit $rc, expected $want"
    echo "    stdout:"
    show "$tmp/out"
    echo "    stderr:"
    show "$tmp/err"
    return 1
}

# $1 = description, $2 = file, $3 = text that must appear in it.
has() {
    if grep -F -q -e "$3" "$2"; then
        pass
    else
        fail "$1: '$3' not in $(basename "$2")"
        show "$2"
    fi
}

# $1 = description, $2 = path, $3 = expected octal mode.
mode_is() {
    m=$(stat -c '%a' "$2" 2>/dev/null)
    if [ "$m" = "$3" ]; then
        pass
    else
        fail "$1: $2 has mode ${m:-none}, expected $3"
    fi
}

# Python with sqlite3: the fixtures and the inspection.
sq() { python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = db.execute(sys.argv[2]).fetchall()
db.commit()
for r in rows: print("|".join(str(x) for x in r))' "$@"; }

# ---- 1. a version-1 database -------------------------------------------------------------
db=$tmp/v1/progress.db
mkdir -p "$tmp/v1"
python3 - "$db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript("""
PRAGMA application_id = 1094927426;
CREATE TABLE learner (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE lesson_progress (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'started', 'done')),
  attempts INTEGER NOT NULL DEFAULT 0, page INTEGER NOT NULL DEFAULT 0,
  seed INTEGER NOT NULL DEFAULT 0, started TEXT, updated TEXT NOT NULL,
  PRIMARY KEY (learner_id, lesson));
CREATE TABLE goal_met (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL, goal TEXT NOT NULL, met_at TEXT NOT NULL,
  PRIMARY KEY (learner_id, lesson, goal));
CREATE TABLE scenario_line (learner_id INTEGER NOT NULL REFERENCES learner(id),
  lesson TEXT NOT NULL, n INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (learner_id, lesson, n));
INSERT INTO learner VALUES (1, 'ana', '2024-09-01T08:00:00Z');
INSERT INTO lesson_progress VALUES (1, 'dirty-read', 'started', 2, 1, 7,
  '2024-09-01T08:01:00Z', '2024-09-01T09:00:00Z');
INSERT INTO lesson_progress VALUES (1, 'lost-update', 'new', 1, 0, 0, NULL, '2024-09-01T09:00:00Z');
INSERT INTO goal_met VALUES (1, 'dirty-read', 'saw-uncommitted-100', '2024-09-01T08:30:00Z');
""")
lines = ["setup: CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)",
         "setup: INSERT INTO accounts VALUES (1, 50)",
         "T1: BEGIN",
         "T1: UPDATE accounts SET balance = 100 WHERE id = 1",
         "T2: BEGIN ISOLATION LEVEL READ UNCOMMITTED",
         "T2: SELECT * FROM accounts WHERE id = 1",
         "expect T2 rows {1:100}",
         "T1: ROLLBACK"]
for i, l in enumerate(lines):
    db.execute("INSERT INTO scenario_line VALUES (1, 'dirty-read', ?, ?)", (i + 1, l))
db.execute("PRAGMA user_version = 1")
db.commit()
EOF
[ "$(sq "$db" 'PRAGMA user_version')" = 1 ] && pass || fail "the version-1 fixture was not written"

if run "a version-1 database is shown" 0 "$bin" --db "$db" --user ana progress; then
    has "show" "$tmp/out" "dirty-read"
    has "show" "$tmp/out" "started"
    has "show: the goal and when" "$tmp/out" "saw-uncommitted-100"
    has "show: the goal and when" "$tmp/out" "2024-09-01T08:30:00Z"
    has "show: the lesson never started is listed" "$tmp/out" "lost-update"
fi
[ "$(sq "$db" 'PRAGMA user_version')" = 1 ] && pass || fail "showing progress wrote to the database (migrated it)"
[ ! -s "$tmp/err" ] && pass || { fail "a clean database gave a warning"; show "$tmp/err"; }

# ---- 2. export ---------------------------------------------------------------------------
out=$tmp/export/traces
if run "--export writes traces" 0 "$bin" --db "$db" progress --user ana --export "$out"; then
    has "--export" "$tmp/out" "1 trace written"
    has "--export names what it skipped" "$tmp/out" "1 lesson with nothing run yet skipped"
fi
trace=$out/ana-dirty-read.json
if [ -f "$trace" ]; then
    pass
    fields=$(python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
print(t["lesson"], t["learner"], t["seed"], t["replayable"], len(t["scenario"]))' "$trace")
    [ "$fields" = "dirty-read ana 7 True 8" ] && pass ||
        fail "the trace's lesson, learner, seed, replayable, lines: '$fields'"
    run "the exported trace passes grade's replay verification" 0 "$bin" grade "$trace"
    run "check finds the dirty read in the exported trace" 0 "$bin" check "$trace"
    has "check" "$tmp/out" "dirty-read"
else
    fail "--export wrote no $trace"
fi
[ ! -e "$out/ana-lost-update.json" ] && pass || fail "a lesson with no lines was exported"
: >"$tmp/file"
run "--export into a regular file is an I/O error" 3 "$bin" --db "$db" --user ana progress --export "$tmp/file/x"

# Issue 16, case 1: saved lines with INT64_MIN % -1 killed --export (SIGFPE); they export,
# and the trace grades.
fpedb=$tmp/fpe/progress.db
python3 "$root/tests/progress/mkdb.py" "$fpedb" ana int-range
sq "$fpedb" "DELETE FROM scenario_line" >/dev/null
n=1
for l in 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)' 'setup: INSERT INTO t VALUES (1, -9223372036854775808)' \
         'T1: SELECT * FROM t WHERE v % -1 = 0' 'T1: UPDATE t SET v = v - 1' 'expect T1 error out-of-range'; do
    sq "$fpedb" "INSERT INTO scenario_line VALUES (1, 'int-range', $n, '$l')" >/dev/null
    n=$((n + 1))
done
if run "--export of INT64_MIN % -1 lines" 0 "$bin" --db "$fpedb" --user ana progress --export "$tmp/fpe/out"; then
    run "the exported INT64_MIN % -1 trace grades" 0 "$bin" grade "$tmp/fpe/out/ana-int-range.json"
    run "check reads it" 0 "$bin" check "$tmp/fpe/out/ana-int-range.json"
fi

# ---- 3. reset ----------------------------------------------------------------------------
if run "--reset off a terminal without --yes is refused" 2 "$bin" --db "$db" --user ana progress --reset; then
    has "--reset refused" "$tmp/err" "add --yes"
fi
[ "$(sq "$db" 'SELECT count(*) FROM lesson_progress')" = 2 ] && pass || fail "a refused reset lost progress"
if command -v script >/dev/null 2>&1; then
    # On a terminal it asks; "n" keeps everything (exit 1), "y" forgets the lesson.
    printf 'n\n' | $limit script -qec "'$bin' --db '$db' --user ana progress --reset lost-update" /dev/null \
        >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" = 1 ] && pass || fail "--reset answered n on a terminal: exit $rc, expected 1"
    has "--reset asks on a terminal" "$tmp/out" "Forget ana's progress in lost-update?"
    [ "$(sq "$db" 'SELECT count(*) FROM lesson_progress')" = 2 ] && pass || fail "a declined reset lost progress"
    printf 'y\n' | $limit script -qec "'$bin' --db '$db' --user ana progress --reset lost-update" /dev/null \
        >"$tmp/out" 2>&1
    rc=$?
    [ "$rc" = 0 ] && pass || fail "--reset answered y on a terminal: exit $rc, expected 0"
    [ "$(sq "$db" 'SELECT count(*) FROM lesson_progress')" = 1 ] && pass || fail "an accepted reset kept the lesson"
else
    echo "note: script(1) is missing: the terminal prompt of --reset is not tested"
fi
run "--reset LESSON --yes" 0 "$bin" --db "$db" --user ana progress --reset dirty-read --yes
# The first command that writes migrated the version-1 file.
[ "$(sq "$db" 'PRAGMA user_version')" = 3 ] && pass || fail "the database was not migrated to version 3"
[ "$(sq "$db" "SELECT count(*) FROM lesson_progress WHERE hints_used != 0 OR time_spent != 0")" = 0 ] &&
    pass || fail "version 2's columns are not 0 for a version-1 row"
[ "$(sq "$db" "SELECT count(*) FROM lesson_progress WHERE length(content_hash) != 0")" = 0 ] &&
    pass || fail "version 3's content_hash is not empty for a version-1 row"
[ "$(sq "$db" "SELECT count(*) FROM lesson_progress WHERE lesson = 'dirty-read'")" = 0 ] &&
    pass || fail "--reset dirty-read --yes kept the lesson"
[ "$(sq "$db" "SELECT count(*) FROM goal_met")" = 0 ] && pass || fail "--reset kept the goals"
run "--reset of nothing" 0 "$bin" --db "$db" --user ana progress --reset --yes
has "--reset of nothing" "$tmp/out" "nothing to reset"

# ---- 4. where the database is --------------------------------------------------------------
env_db=$tmp/env/p.db
run "\$ACIDBASE_DB" 0 env ACIDBASE_DB="$env_db" "$bin" --user ana progress
has "\$ACIDBASE_DB is used" "$tmp/out" "progress of ana in $env_db (no database there yet)"
[ ! -e "$tmp/env" ] && pass || fail "showing progress created $tmp/env"
run "--db wins over \$ACIDBASE_DB" 0 env ACIDBASE_DB="$env_db" "$bin" --db "$tmp/opt/p.db" --user ana progress
has "--db wins" "$tmp/out" "$tmp/opt/p.db"
xdg=$tmp/xdg
run "\$XDG_DATA_HOME" 0 env -u ACIDBASE_DB XDG_DATA_HOME="$xdg" "$bin" --user ana progress
has "\$XDG_DATA_HOME is used" "$tmp/out" "$xdg/acidbase/progress.db"
[ ! -e "$xdg" ] && pass || fail "showing progress created $xdg"
run "HOME" 0 env -u ACIDBASE_DB -u XDG_DATA_HOME HOME="$tmp/home" "$bin" --user ana progress
has "HOME is used" "$tmp/out" "$tmp/home/.local/share/acidbase/progress.db"
[ ! -e "$tmp/home" ] && pass || fail "showing progress created $tmp/home"
run "--db=PATH and --user=NAME" 0 "$bin" --db="$tmp/eq.db" --user=ben progress
has "--user=NAME" "$tmp/out" "progress of ben"

# ---- 5. bad files and places -----------------------------------------------------------------
bad=$tmp/bad.db
python3 "$root/tests/progress/mkdb.py" "$bad" ana dirty-read
python3 - "$bad" <<'PY'
import sys
f = open(sys.argv[1], "r+b"); f.seek(4096); f.write(b"\x5a" * 512); f.close()
PY
sum_before=$(md5sum "$bad")
if run "a damaged file of ours is shown as nothing" 0 "$bin" --db "$bad" --user ana progress; then
    has "damaged" "$tmp/err" "left as it is"
fi
[ "$(md5sum "$bad")" = "$sum_before" ] && [ "$(ls "$tmp" | grep -c '^bad.db')" = 1 ] && pass ||
    fail "showing a damaged database changed or moved it: $(ls "$tmp" | grep '^bad.db')"

if run "a path under a regular file" 0 "$bin" --db "$tmp/file/sub/progress.db" --user ana progress; then
    has "cannot be created" "$tmp/out" "no database there yet"
fi

# A read-only directory holding a database with progress in it.
ro=$tmp/ro
mkdir -p "$ro"
cp "$db" "$ro/progress.db"
"$bin" --db "$ro/progress.db" --user ana progress --reset --yes >/dev/null 2>&1
sq "$ro/progress.db" "INSERT INTO lesson_progress (learner_id, lesson, status, attempts, updated)
                      VALUES (1, 'kept-lesson', 'done', 4, '2024-09-02T00:00:00Z')" >/dev/null
chmod 0500 "$ro"
unpriv=
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null 2>&1 &&
       setpriv --bounding-set -dac_override,-dac_read_search,-fowner true 2>/dev/null; then
        unpriv="setpriv --bounding-set -dac_override,-dac_read_search,-fowner"
    else
        unpriv=skip
    fi
fi
if [ "$unpriv" = skip ]; then
    echo "note: running as root without setpriv: the read-only directory is not tested"
elif run "a read-only directory" 0 $unpriv "$bin" --db "$ro/progress.db" --user ana progress; then
    has "read-only: what was saved is shown" "$tmp/out" "kept-lesson"
    [ "$(ls "$ro")" = "progress.db" ] && pass || fail "files were left in the read-only directory: $(ls "$ro")"
    # Issue 16, case 7: "Forgot all of ana's progress" and exit 0, with everything still there.
    if run "--reset --yes in a read-only directory fails" 3 $unpriv "$bin" --db "$ro/progress.db" --user ana \
        progress --reset --yes; then
        has "read-only reset" "$tmp/err" "nothing was forgotten"
        grep -q '^Forgot' "$tmp/out" && fail "a failed reset said it forgot" || pass
    fi
    [ "$(sq "$ro/progress.db" "SELECT count(*) FROM lesson_progress WHERE lesson = 'kept-lesson'")" = 1 ] &&
        pass || fail "a failed reset lost progress"
fi
chmod 0700 "$ro"

# ---- 6. usage ------------------------------------------------------------------------------
run "--db without a value" 2 "$bin" --db
run "--user with a slash" 2 "$bin" --user a/b progress
run "an unknown progress option" 2 "$bin" --db "$db" progress --frobnicate
run "--export and --reset together" 2 "$bin" --db "$db" progress --export "$tmp/x" --reset --yes
run "progress --help" 0 "$bin" progress --help
has "progress --help" "$tmp/out" "--export DIR"
run "--db before --help" 0 "$bin" --db "$db" --help
has "--help lists progress" "$tmp/out" "progress"

# ---- 7. a --db that is not ours -------------------------------------------------------------
hostile=$tmp/hostile
mkdir -p "$hostile"
head -c 2000 /etc/passwd >"$hostile/passwd"
printf 'my notes\n' >"$hostile/notes.txt"
: >"$hostile/empty"
sq "$hostile/recipes.db" "CREATE TABLE recipes (name TEXT)" >/dev/null
ln -s notes.txt "$hostile/link.db"
mkfifo "$hostile/fifo.db"
before=$(cd "$hostile" && ls -la --time-style=+ | md5sum; md5sum passwd notes.txt empty recipes.db)
for f in passwd notes.txt empty recipes.db link.db fifo.db; do
    run "--db $f: progress refuses it" 2 "$bin" --db "$hostile/$f" --user ana progress &&
        has "--db $f" "$tmp/err" "refused and left untouched"
    run "--db $f: progress --reset --yes refuses it" 2 "$bin" --db "$hostile/$f" --user ana progress --reset --yes
    run "--db $f: progress --export refuses it" 2 "$bin" --db "$hostile/$f" --user ana progress --export "$tmp/hx"
    run "--db $f: lessons refuses it" 2 "$bin" --db "$hostile/$f" lessons --dir "$root/lessons"
done
after=$(cd "$hostile" && ls -la --time-style=+ | md5sum; md5sum passwd notes.txt empty recipes.db)
[ "$before" = "$after" ] && pass || fail "a --db that is not ours was changed: $(ls -la "$hostile")"
[ ! -e "$tmp/hx" ] && pass || fail "progress --export of a refused database made its directory"

printf 'progress-cli: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
