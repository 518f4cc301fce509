#!/bin/sh
# tests/tui/robust.sh BIN: the terminal under stress (issue 8, "The terminal").
#
#   - a resize storm (sixty sizes, down to 10x3 and up to 220x70, sent as fast as tmux
#     takes them) while the lab runs a busy scenario: it survives, and at 160x48 again it
#     draws the full screen;
#   - the terminal is restored exactly (stty settings compared) after q, after Ctrl-C and
#     after SIGTERM, and after a resize storm;
#   - TERM unset, stdin not a terminal: a clear message and exit 2;
#   - a non-UTF-8 locale on a terminal without colours (LANG=C, TERM=vt100): the lab runs
#     and draws in plain ASCII.
# Last line: "robust: N passed, N failed".
BIN=$1
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SOCK=ab-robust-$$
T() { tmux -L "$SOCK" "$@"; }
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-robust.XXXXXX") || exit 2
trap 'T kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
export ACIDBASE_DB="$tmp/progress.db"

if ! command -v tmux >/dev/null 2>&1; then
    echo "robust: tmux not found"
    echo "robust: 0 passed, 1 failed"
    exit 1
fi

# Waits up to $2 seconds (default 10) for text $1 in the pane.
wait_for() {
    i=0
    while [ $i -lt $((${2:-10} * 10)) ]; do
        T capture-pane -p -t r 2>/dev/null | grep -q -F -- "$1" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# Runs the lab in a fresh tmux session; the shell around it records stty before and
# after, and the lab's exit status.
start() {
    T kill-session -t r 2>/dev/null
    rm -f "$tmp/before" "$tmp/after"
    T new-session -d -s r -x "${2:-160}" -y "${3:-48}" \
        "cd '$ROOT' && stty -g >'$tmp/before' && $1; echo EXIT-\$? ; stty -g >'$tmp/after'; echo STTY-DONE; sleep 30"
}
restored() {
    wait_for STTY-DONE 10 && cmp -s "$tmp/before" "$tmp/after"
}
lab="TERM=xterm-256color LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 '$BIN' lab assets/examples/deadlock.scn"

# ---- q, Ctrl-C, SIGTERM restore the terminal ----------------------------------------
start "$lab"
wait_for "T1" && ok || bad "the lab did not start"
T send-keys -t r q
wait_for EXIT-0 && ok || bad "q: no exit 0"
restored && ok || bad "q: the terminal settings differ after the lab"

start "$lab"
wait_for "T1"
T send-keys -t r C-c
wait_for EXIT-130 && ok || bad "Ctrl-C: no exit 130"
restored && ok || bad "Ctrl-C: the terminal settings differ after the lab"

start "$lab"
wait_for "T1"
pid=$(pgrep -n -f "$BIN lab assets/examples/deadlock.scn")
[ -n "$pid" ] && kill -TERM "$pid"
wait_for EXIT-130 && ok || bad "SIGTERM: no exit 130"
restored && ok || bad "SIGTERM: the terminal settings differ after the lab"

# ---- a resize storm ------------------------------------------------------------------
start "$lab"
wait_for "T1"
T send-keys -t r n n n n n n
sizes="80x24 10x3 220x70 40x12 160x48 20x5 120x40 1x1 200x60 79x23 150x36 30x8"
for round in 1 2 3 4 5; do
    for s in $sizes; do
        T resize-window -t r -x "${s%x*}" -y "${s#*x}" 2>/dev/null
    done
done
T resize-window -t r -x 160 -y 48
sleep 1
T send-keys -t r n
sleep 1
screen=$(T capture-pane -p -t r)
printf '%s\n' "$screen" | grep -q "acidbase lab" && printf '%s\n' "$screen" | grep -q "waits-for" &&
    printf '%s\n' "$screen" | grep -q "replicas\|n1" && ok ||
    { bad "after the resize storm the 160x48 screen is not whole:"; printf '%s\n' "$screen" | head -12 | sed 's/^/    | /'; }
pgrep -f "$BIN lab assets/examples/deadlock.scn" >/dev/null && ok || bad "the lab died in the resize storm"
T send-keys -t r q
wait_for EXIT-0 && ok || bad "after the resize storm: no exit 0 on q"
restored && ok || bad "after the resize storm: the terminal settings differ"

# ---- no terminal to speak of -----------------------------------------------------------
start "env -u TERM '$BIN' lab"
wait_for EXIT-2 && ok || bad "TERM unset: no exit 2"
T capture-pane -p -J -t r | grep -q "TERM is unset" && ok || bad "TERM unset: no message naming TERM"
start "TERM=xterm-256color '$BIN' lab </dev/null"
wait_for EXIT-2 && ok || bad "stdin not a terminal: no exit 2"
T capture-pane -p -J -t r | grep -q "the lab needs a terminal" && ok || bad "stdin not a terminal: no message"

# ---- LANG=C on a terminal without colours ------------------------------------------------
start "LANG=C LC_ALL=C TERM=vt100 ASAN_OPTIONS=detect_leaks=0 '$BIN' lab assets/examples/deadlock.scn" 100 30
wait_for "T1" && ok || bad "LANG=C TERM=vt100: the lab did not start"
T send-keys -t r n n n
sleep 1
screen=$(T capture-pane -p -t r)
printf '%s\n' "$screen" | grep -q "waits-for" && ok || bad "LANG=C TERM=vt100: the ACID pane is missing"
printf '%s\n' "$screen" | LC_ALL=C grep -q '[^ -~]' && bad "LANG=C: characters outside ASCII on the screen" || ok
T send-keys -t r q
wait_for EXIT-0 && ok || bad "LANG=C TERM=vt100: no exit 0 on q"
restored && ok || bad "LANG=C TERM=vt100: the terminal settings differ"

echo "robust: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
