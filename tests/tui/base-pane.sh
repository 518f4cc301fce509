#!/bin/sh
# tests/tui/base-pane.sh BIN: the BASE pane in a real terminal (tmux). Unlike the whole-screen
# comparisons in run.sh, each check looks for the lines a learner must see (the pane's own
# text, so changes elsewhere on the screen do not break it):
#   - before any BASE line, a placeholder saying how to start the replica set;
#   - a partition with diverged replicas (lesson 14): sides, the from/to matrix, the
#     differing key with who holds what, drops in the space-time diagram;
#   - after heal and settle: converged, nothing listed as differing;
#   - a one-way cut, in the matrix and in words;
#   - a gossip exchange's steps in flight, by type: roots, then middle hashes where the
#     roots differ and an empty KEYS where they do not, then leaves;
#   - siblings appearing and resolved, in the space-time diagram, and the sibling finding
#     saying when they were resolved;
#   - the ASCII fallback when the locale is not UTF-8.
# Prints "N passed, N failed" and exits 1 if anything failed.
set -u
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SOCK="ab-base-$$-0"
starts=0
pass=0 fail=0
T() { tmux -L "$SOCK" "$@"; }
trap 'T kill-server 2>/dev/null' EXIT

if ! command -v tmux >/dev/null 2>&1; then
  echo "FAIL: tui base-pane tests need tmux (apt-get install tmux)"
  echo "0 passed, 1 failed"
  exit 1
fi

# Capture until two captures in a row agree (the lab has drawn everything).
settle() {
  prev="" i=0
  while [ $i -lt 60 ]; do
    cur=$(T capture-pane -t lab -p 2>/dev/null)
    [ -n "$cur" ] && [ "$cur" = "$prev" ] && break
    prev=$cur
    i=$((i + 1))
    sleep 0.05
  done
  printf '%s\n' "$cur"
}

# start LANG ARGS...: a fresh lab at 160x48, on a tmux server of its own.
start() {
  lang=$1
  shift
  T kill-server 2>/dev/null
  starts=$((starts + 1))
  SOCK="ab-base-$$-$starts"
  T new-session -d -s lab -x 160 -y 48 \
    "cd '$ROOT' && TERM=xterm-256color LANG=$lang LC_ALL=$lang NO_COLOR=1 ASAN_OPTIONS=detect_leaks=0 '$BIN' $*; sleep 5"
  settle >/dev/null
}

keys() { for k in "$@"; do T send-keys -t lab "$k"; settle >/dev/null; done; }
line() { T send-keys -t lab ":"; T send-keys -t lab -l "$1"; T send-keys -t lab Enter; settle >/dev/null; }

# expect NAME TEXT...: every TEXT is on the screen (fixed strings).
expect() {
  name=$1
  shift
  screen=$(settle)
  for text in "$@"; do
    if ! printf '%s\n' "$screen" | grep -qF -- "$text"; then
      fail=$((fail + 1))
      echo "FAIL: tui base pane, $name: the screen lacks \"$text\":"
      printf '%s\n' "$screen" | sed 's/^/    | /'
      return
    fi
  done
  pass=$((pass + 1))
}

# expect_not NAME TEXT: TEXT is nowhere on the screen.
expect_not() {
  if settle | grep -qF -- "$2"; then
    fail=$((fail + 1))
    echo "FAIL: tui base pane, $1: the screen still shows \"$2\""
  else
    pass=$((pass + 1))
  fi
}

# test_base_pane_placeholder_before_the_cluster_starts
start C.UTF-8 lab
expect "placeholder" "no replicas yet" "n1: PUT cart apple"

# test_base_pane_partition_shows_sides_matrix_and_divergence
start C.UTF-8 lab tests/scenarios/lesson-14-partition-one-writes-diverge.scn
keys n n n n n n n n n n n n n
expect "partition" \
  "tick 7 · lww · gossip every 5" "diverged" \
  "side A" "side B" \
  "│ address 99 Pine Rd     ││ address 7 Oak Ave n2:1 ││ address 7 Oak Ave n2:1 │" \
  "≠ address  n1: 99 Pine Rd   n2 n3: 7 Oak Ave" \
  "n1 →   ·      part   part" "n2 →   part   ·      ok" \
  "partition  n1 | n2 n3" \
  "●─── write ────✗│" "✗ partition" \
  "◇ read 7 Oak Ave (2 replies)"

# test_base_pane_heal_and_settle_converge
line "net: heal"
keys s
expect "healed" "converged" "│ address 99 Pine Rd     ││ address 99 Pine Rd" "every link ok"
expect_not "healed" "≠ address"
expect_not "healed" "side A"

# test_base_pane_one_way_cut_in_matrix_and_words
start C.UTF-8 lab
line "cluster: gossip off"
line "n1: PUT color red"
line "net: cut n1 -> n2"
expect "one-way cut" "n1 →   ·      cut    ok" "n2 →   ok     ·      ok" "n1 → n2 cut (n2 → n1 works)" \
  "┈┈ net: cut n1 -> n2 ┈┈"

# test_base_pane_gossip_exchange_steps_in_flight
start C.UTF-8 lab
line "cluster: hinted-handoff off"
line "n1: PUT cart apple W=ALL"
line "net: partition n1 | n2 n3"
line "n1: PUT cart pear"
line "net: heal"
line "run: tick 3"
expect "gossip roots" "in flight 3" "n1 → n2     root       due t6" "n2 → n3     root       due t6" \
  "n3 → n1     root       due t6" "●┄┄┄┄ root ┄┄┄┄┄▷"
line "run: tick"
expect "gossip mids" "n2 → n1     mids       due t7" "n3 → n2     keys       due t7" \
  "n1 → n3     mids       due t7"
line "run: tick"
expect "gossip leaves" "in flight 2" "n1 → n2     leaves     due t8" "n3 → n1     leaves     due t8"

# test_base_pane_shows_siblings_appearing_and_resolved
start C.UTF-8 lab
line "cluster: resolve siblings"
line "net: partition n1 | n2 n3"
line "n1: PUT cart apple"
line "n2: PUT cart pear"
line "net: heal"
line "run: settle"
expect "siblings" "cart apple|pear     ×2" "cart: 2 siblings"
line "n3: PUT cart both W=ALL"
expect "siblings resolved" "◈ cart: siblings resolved" "Resolved at n"

# test_base_pane_ascii_when_the_locale_is_not_utf8
start C lab tests/scenarios/lesson-14-partition-one-writes-diverge.scn
keys n n n n n n n n n n n n n
expect "ascii" "+- n1 ---------- side A -+" "!= address  n1: 99 Pine Rd   n2 n3: 7 Oak Ave" \
  "o--- write ----x|" "x partition"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
