#!/bin/sh
# tests/tui/seam.sh BIN: traces the lab exports are the ones `check` and `grade` read back
# (issue 13). Each case drives the lab in a real terminal (tmux) as a learner would, exports
# with e, and runs both commands on the file:
#   1. the sandbox with a typo: :setup: CREATE TABLE ..., then :T1: SELEKT * FROM t (refused,
#      with its message on the command line), then :T1: SELECT * FROM t, then e. The refused
#      line is not part of the run: grade accepts the trace and check agrees with it.
#   2. lesson 1 with two crashes: 1 1 ! then 2 2 2 2 3 3 ! 4 4, then e. The findings the lab
#      recorded are the ones check and grade recompute (their labels come from the history,
#      never from the live engine): check exits 0 and grade --lesson accepts it.
# Prints "seam: N passed, N failed" and exits 1 if anything failed.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SOCK="ab-seam-$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ab-seam.XXXXXX") || exit 2
ACIDBASE_DB="$TMP/progress.db"
ACIDBASE_LESSONS="$ROOT/lessons"
ACIDBASE_ASSETS="$ROOT/assets"
export ACIDBASE_DB ACIDBASE_LESSONS ACIDBASE_ASSETS
pass=0 fail=0
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: seam: $*"; }

if ! command -v tmux >/dev/null 2>&1; then
  echo "FAIL: seam tests need tmux (apt-get install tmux)"
  echo "seam: 0 passed, 1 failed"
  exit 1
fi

# Waits up to ten seconds for text in the pane.
wait_for() {
  i=0
  while [ $i -lt 100 ]; do
    T capture-pane -t lab -p 2>/dev/null | grep -qF -- "$1" && return 0
    i=$((i + 1))
    sleep 0.1
  done
  return 1
}

# start DIR ARGS: the lab in DIR (where e writes its trace), 160x48.
start() {
  dir=$1
  shift
  mkdir -p "$dir"
  T new-session -d -s lab -x 160 -y 48 \
    "cd '$dir' && TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 '$BIN' $*; sleep 5"
}

# line TEXT: types a scenario line on the command line, then Enter.
line() {
  T send-keys -t lab :
  T send-keys -t lab -l "$1"
  T send-keys -t lab Enter
}

# stop: quits the lab and its terminal.
stop() {
  T send-keys -t lab q
  sleep 0.3
  T kill-server 2>/dev/null
}

# judge NAME FILE GRADE-ARGS...: check and grade must both accept FILE.
judge() {
  name=$1 file=$2
  shift 2
  if [ ! -f "$file" ]; then
    bad "$name: the lab wrote no trace"
    return
  fi
  "$BIN" check "$file" >"$TMP/check.out" 2>&1
  rc=$?
  if [ "$rc" = 0 ]; then ok; else
    bad "$name: check exits $rc:"
    sed 's/^/    | /' "$TMP/check.out" | tail -5
  fi
  "$BIN" grade "$file" "$@" >"$TMP/grade.out" 2>&1
  rc=$?
  if [ "$rc" = 0 ] && grep -q ': accepted' "$TMP/grade.out"; then ok; else
    bad "$name: grade exits $rc:"
    sed 's/^/    | /' "$TMP/grade.out" | tail -8
  fi
}

# ---- 1. a typo in the sandbox -----------------------------------------------------------------
start "$TMP/typo" lab
wait_for "sandbox" || bad "typo: the lab did not start"
line "setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)"
wait_for "1 line run" || bad "typo: the setup line did not run"
line "T1: SELEKT * FROM t"
wait_for "SELEKT" && ok || bad "typo: the refused line's message is not shown"
line "T1: SELECT * FROM t"
wait_for "2 lines run" && ok || bad "typo: the corrected line did not run (or the refused one counted)"
T send-keys -t lab e
wait_for "trace written to" && ok || bad "typo: e did not export"
stop
judge typo "$TMP/typo/acidbase-trace-1.json"
# The trace holds the two lines that ran, numbered 1 and 2, and not the refused one.
if grep -q '"SELEKT' "$TMP/typo/acidbase-trace-1.json" 2>/dev/null; then
  bad "typo: the refused line is in the trace"
else
  ok
fi

# ---- 2. lesson 1, two crashes ---------------------------------------------------------------------
if grep -qx "id: all-or-nothing" "$ROOT"/lessons/*.lesson 2>/dev/null; then
  start "$TMP/lesson1" lesson all-or-nothing
  wait_for "Goals 0 of" || bad "lesson 1: the lesson did not open"
  for k in 1 1 '!' 2 2 2 2 3 3 '!' 4 4; do
    T send-keys -t lab "$k"
    sleep 0.15
  done
  wait_for "T4: SELECT SUM" || bad "lesson 1: T4's SELECT did not run"
  T send-keys -t lab e
  wait_for "trace written to" && ok || bad "lesson 1: e did not export"
  stop
  judge "lesson 1" "$TMP/lesson1/acidbase-trace-1.json" --lesson all-or-nothing
else
  bad "lesson 1: no lesson with id: all-or-nothing in lessons/"
fi

echo "seam: $pass passed, $fail failed"
[ "$fail" = 0 ]
