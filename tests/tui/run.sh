#!/bin/sh
# tests/tui/run.sh BIN: drives the lab in a real terminal (tmux) and compares screens.
#
# Each case in cases/NAME.keys says how big the terminal is, what to start, and which
# keys to press; after the keys the screen (capture-pane) must equal expected/NAME.txt.
# Regenerate the expected screens after a deliberate change with UPDATE=1 and read the
# diff before committing. Lines of a case file:
#   size 160x48          terminal size
#   args lab FILE        acidbase's arguments (run from the repository root)
#   keys n n 2 b         keys, one tmux key name each (Enter, Tab, Escape, Up, ...)
#   type T1: BEGIN       literal text
#   resize 80x24         change the terminal size
# Also checked: the help screen lists exactly `acidbase keys`; no terminal and TERM=dumb
# give a clear message and exit 2; the terminal is restored after q (and after SIGTERM);
# a frame reaches the terminal in one write (with strace, where it can trace).
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SOCK="ab-tui-$$"
BASESOCK=$SOCK
# Progress goes to a private database: the screens must not depend on the tester's own.
ACIDBASE_DB="/tmp/ab-tui-$$.db"
export ACIDBASE_DB
trap 'rm -f "$ACIDBASE_DB" "$ACIDBASE_DB"-*' EXIT
pass=0 fail=0
T() { tmux -L "$SOCK" "$@"; }
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: tui $*"; }

if ! command -v tmux >/dev/null 2>&1; then
  echo "FAIL: tui tests need tmux (apt-get install tmux)"
  echo "0 passed, 1 failed"
  exit 1
fi

# Capture until the screen has not changed for half a second (the lab has read every key
# sent and drawn the result), at most ten seconds.
settle() {
  prev="" same=0 i=0
  while [ $i -lt 160 ] && [ $same -lt 8 ]; do
    cur=$(T capture-pane -t lab -p 2>/dev/null)
    if [ -n "$cur" ] && [ "$cur" = "$prev" ]; then same=$((same + 1)); else same=0; fi
    prev=$cur
    i=$((i + 1))
    sleep 0.06
  done
  printf '%s\n' "$cur"
}

# Waits up to five seconds for text to appear in the pane of session $1.
wait_for() {
  i=0
  while [ $i -lt 50 ]; do
    T capture-pane -t "$1" -p 2>/dev/null | grep -q "$2" && return 0
    i=$((i + 1))
    sleep 0.1
  done
  return 1
}

run_case() {
  name=$1 file=$2
  size=$(sed -n 's/^size //p' "$file" | head -1)
  args=$(sed -n 's/^args //p' "$file" | head -1)
  w=${size%x*} h=${size#*x}
  # A tmux server of its own per case: reusing one right after kill-server races with its
  # shutdown.
  SOCK="$BASESOCK-$name"
  T new-session -d -s lab -x "$w" -y "$h" \
    "cd '$ROOT' && TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 '$BIN' $args; sleep 5"
  settle >/dev/null
  while IFS= read -r line; do
    case $line in
      keys\ *) for k in ${line#keys }; do T send-keys -t lab "$k"; done ;;
      type\ *) T send-keys -t lab -l "${line#type }" ;;
      resize\ *) s=${line#resize }; T resize-window -t lab -x "${s%x*}" -y "${s#*x}"; settle >/dev/null ;;
    esac
  done < "$file"
  screen=$(settle)
  T send-keys -t lab q
  T kill-server 2>/dev/null
  exp="$HERE/expected/$name.txt"
  if [ "$(printf '%s\n' "$screen" | grep -c .)" -lt 3 ]; then
    bad "$name: the lab did not draw (captured $(printf '%s\n' "$screen" | grep -c .) lines)"
  elif [ "${UPDATE:-}" = 1 ]; then
    printf '%s\n' "$screen" > "$exp"
    ok
  elif [ -f "$exp" ] && [ "$(printf '%s\n' "$screen")" = "$(cat "$exp")" ]; then
    ok
  else
    bad "$name: the screen differs from expected/$name.txt:"
    printf '%s\n' "$screen" > "/tmp/ab-tui-$name.txt"
    diff "$exp" "/tmp/ab-tui-$name.txt" | head -20 | sed 's/^/    | /'
  fi
}

for f in "$HERE"/cases/*.keys; do
  run_case "$(basename "$f" .keys)" "$f"
done

# The help screen and the action table agree.
SOCK="$BASESOCK-help"
T new-session -d -s lab -x 160 -y 48 "cd '$ROOT' && TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 '$BIN' lab; sleep 5"
settle >/dev/null
T send-keys -t lab '?'
help=$(settle)
missing=0
"$BIN" keys > /tmp/ab-keys.$$
while IFS= read -r line; do
  keys=$(printf '%s' "$line" | cut -c1-10 | sed 's/ *$//')
  what=$(printf '%s' "$line" | cut -c12-)
  printf '%s\n' "$help" | grep -F -- "$what" | grep -qF -- "$keys" || { missing=1; echo "    help lacks: $line"; }
done < /tmp/ab-keys.$$
n=$(wc -l < /tmp/ab-keys.$$)
[ "$missing" = 0 ] && [ "$n" -ge 20 ] && ok || bad "help screen and action table disagree"
rm -f /tmp/ab-keys.$$
T send-keys -t lab x q

T kill-server 2>/dev/null

# Quitting restores the terminal: the shell prompt is usable again (no alternate screen).
SOCK="$BASESOCK-quit"
T new-session -d -s lab -x 100 -y 30 "cd '$ROOT' && TERM=xterm-256color ASAN_OPTIONS=detect_leaks=0 '$BIN' lab; echo RESTORED-\$?; sleep 5"
settle >/dev/null
T send-keys -t lab q
wait_for lab 'RESTORED-0' && ok || bad "q did not end the lab with status 0"
T new-session -d -s lab2 -x 100 -y 30 "cd '$ROOT' && TERM=xterm-256color ASAN_OPTIONS=detect_leaks=0 '$BIN' lab; echo RESTORED-\$?; sleep 5"
wait_for lab2 'sandbox'
pid=$(pgrep -n -f "$BIN lab" || true)
[ -n "$pid" ] && kill -TERM "$pid"
wait_for lab2 'RESTORED-130' && ok || bad "SIGTERM did not end the lab cleanly with status 130"
T kill-server 2>/dev/null

# A lesson remembers: meet its first goal, quit, open it again: the goal is still met and
# the steps are replayed.
if grep -qx "id: dirty-read" "$ROOT"/lessons/*.lesson 2>/dev/null; then
  db="/tmp/ab-tui-progress-$$.db"
  rm -f "$db"*
  SOCK="$BASESOCK-lesson"
  T new-session -d -s lab -x 160 -y 48 "cd '$ROOT' && TERM=xterm-256color ASAN_OPTIONS=detect_leaks=0 '$BIN' --db '$db' lesson dirty-read; sleep 5"
  wait_for lab 'Goals 0 of'
  T send-keys -t lab 1 1 2 2 2 1
  if wait_for lab 'Goals 1 of'; then ok; else bad "lesson dirty-read: the first goal was not met by 1 1 2 2 2 1"; fi
  T send-keys -t lab q
  T kill-server 2>/dev/null
  SOCK="$BASESOCK-lesson2"
  T new-session -d -s lab -x 160 -y 48 "cd '$ROOT' && TERM=xterm-256color ASAN_OPTIONS=detect_leaks=0 '$BIN' --db '$db' lesson dirty-read; sleep 5"
  if wait_for lab 'welcome back' && wait_for lab 'Goals 1 of'; then ok; else bad "lesson dirty-read: reopened, the goal or the steps were not remembered"; fi
  T send-keys -t lab q
  T kill-server 2>/dev/null
  "$BIN" --db "$db" progress | grep -q 'dirty-read.*started' && ok || bad "acidbase progress does not show lesson dirty-read started"
  rm -f "$db"*
  # Its controls (sessions isolation) offer no crash, gossip or partition: the key and
  # the typed line are refused, and the screen says why.
  rm -f "$db"*
  SOCK="$BASESOCK-controls"
  T new-session -d -s lab -x 160 -y 48 "cd '$ROOT' && TERM=xterm-256color ASAN_OPTIONS=detect_leaks=0 '$BIN' --db '$db' lesson dirty-read; sleep 5"
  wait_for lab 'Goals 0 of'
  T send-keys -t lab '!'
  if wait_for lab 'does not offer crashing the engine (crash); it offers: sessions isolation'; then ok; else bad "lesson dirty-read: ! was not refused with its reason"; fi
  T send-keys -t lab g
  if wait_for lab 'does not offer gossip rounds (gossip)'; then ok; else bad "lesson dirty-read: g was not refused with its reason"; fi
  T send-keys -t lab : 'net: partition n1 | n2 | n3' Enter
  if wait_for lab 'does not offer partitions (partition)'; then ok; else bad "lesson dirty-read: a typed partition was not refused"; fi
  T send-keys -t lab : 'T2: SELECT * FROM accounts' Enter
  if wait_for lab 'T2: SELECT \* FROM accounts  -> '; then ok; else bad "lesson dirty-read: a typed statement (sessions) was refused"; fi
  T send-keys -t lab q
  T kill-server 2>/dev/null
  rm -f "$db"*
else
  bad "no lesson with id: dirty-read in lessons/"
fi

# A frame reaches the terminal in one write (ncurses 6.4 would otherwise write after every
# cursor movement: see tui_main). Counted with strace; skipped where strace cannot trace.
if command -v strace >/dev/null 2>&1 && strace -o /dev/null true 2>/dev/null; then
  st="/tmp/ab-tui-strace-$$"
  SOCK="$BASESOCK-writes"
  T new-session -d -s lab -x 160 -y 48 "cd '$ROOT' && TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 strace -o '$st' -e trace=read,write '$BIN' lab assets/examples/deadlock.scn; sleep 5"
  wait_for lab 'sandbox'
  T send-keys -t lab n n n n
  settle >/dev/null
  T send-keys -t lab T
  settle >/dev/null
  T send-keys -t lab q
  sleep 0.3
  T kill-server 2>/dev/null
  n=$(awk '/^read\(0, "T"/ { on = 1; next } /^read\(0, "q"/ { on = 0 } on && /^write\(1,/ { n++ } END { print n + 0 }' "$st")
  [ "$n" = 1 ] && ok || bad "the theme switch reached the terminal in $n writes, not one"
  rm -f "$st"
fi

# No terminal, or a terminal that cannot move the cursor: a clear message, exit 2.
out=$(echo | "$BIN" lab 2>&1 >/dev/null); rc=$?
[ $rc = 2 ] && printf '%s' "$out" | grep -q "acidbase run" && ok || bad "stdin not a terminal: exit $rc: $out"
out=$(TERM=dumb script -qc "'$BIN' lab" /dev/null 2>&1 </dev/null); rc=$?
printf '%s' "$out" | grep -q "TERM is dumb" && ok || bad "TERM=dumb: $out"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
