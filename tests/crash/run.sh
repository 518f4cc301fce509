#!/bin/sh
# run.sh: the kill -9 crash harness (issue 8, "Crash safety"), driven by killnine.py.
#
#   sh tests/crash/run.sh ACIDBASE_BIN [--soak]
#
# Each seed gets its own database directory; killnine.py pipes random transfers between
# accounts into `ACIDBASE_BIN run - --dir DIR` (three sessions, sync full, off or group
# commit, random checkpoints, evictions and flushes), kills it with SIGKILL at a random
# moment, reopens the same DIR and checks that every commit acknowledged by its COMMIT's
# answer is there, nothing uncommitted is visible, the total is unchanged and recovery
# reported its work (see the comment at the top of killnine.py).
#
#   short mode (make test): seeds 1..3, 15 kills each (45 kills, a few seconds even with
#                           the sanitized build);
#   --soak (make soak):     seeds 1..40, 25 kills each (1000 kills).
#   CRASH_SEEDS / CRASH_ROUNDS override the seed list and the kills per seed.
#
# Then corrupt.py damages copies of a database in every way issue 8 lists (torn last
# record, flipped bits anywhere in the log, truncation, garbage, a damaged data page, a
# log that lost durable records) and checks each is detected, reported, never applied.
#
# Counting: one test per round, i.e. per kill together with the checks made when the
# directory is reopened after it (plus the final clean run of each seed, which is the
# reopening after its last kill). The closing line is "crash: N passed, N failed".
# Exit status 1 when anything failed; every violation is printed with its seed and round.

if [ $# -lt 1 ]; then
    echo "usage: sh tests/crash/run.sh ACIDBASE_BIN [--soak]" >&2
    exit 2
fi
bin=$1
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
here=$(cd "$(dirname "$0")" && pwd)

seeds="1 2 3"
rounds=15
if [ "$2" = "--soak" ]; then
    seeds=$(seq 1 40)
    rounds=25
fi
seeds=${CRASH_SEEDS:-$seeds}
rounds=${CRASH_ROUNDS:-$rounds}

if ! command -v python3 >/dev/null 2>&1; then
    echo "crash: python3 not found"
    echo "crash: 0 passed, 1 failed"
    exit 1
fi

passed=0
failed=0
kills=0
acked=0
grouped=0
lostw=0
start=$(date +%s)
out=$(mktemp "${TMPDIR:-/tmp}/acidbase-crash.XXXXXX") || exit 2
trap 'rm -f "$out"' EXIT
for seed in $seeds; do
    python3 "$here/killnine.py" --bin "$bin" --seed "$seed" --rounds "$rounds" >"$out" 2>&1
    rc=$?
    grep -v '^killnine seed ' "$out"
    ack=$(grep -E '^killnine seed [0-9]+: [0-9]+ acknowledged commits' "$out" | tail -n 1)
    if [ -n "$ack" ]; then
        acked=$((acked + $(printf '%s\n' "$ack" | sed 's/.*: \([0-9]*\) acknowledged.*/\1/')))
        grouped=$((grouped + $(printf '%s\n' "$ack" | sed 's/.*(\([0-9]*\) after waiting.*/\1/')))
        lostw=$((lostw + $(printf '%s\n' "$ack" | sed 's/.*; \([0-9]*\) reopenings.*/\1/')))
    fi
    line=$(grep -E '^killnine seed [0-9]+: [0-9]+ kills; [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
    if [ -n "$line" ]; then
        k=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) kills;.*/\1/')
        np=$(printf '%s\n' "$line" | sed 's/.*; \([0-9]*\) passed, \([0-9]*\) failed$/\1/')
        nf=$(printf '%s\n' "$line" | sed 's/.*; \([0-9]*\) passed, \([0-9]*\) failed$/\2/')
        kills=$((kills + k))
        passed=$((passed + np))
        failed=$((failed + nf))
        if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
            echo "FAIL: killnine.py seed $seed: exit $rc although it reported no failure"
            failed=$((failed + 1))
        fi
    else
        echo "FAIL: killnine.py seed $seed: exit $rc, no summary line"
        failed=$((failed + 1))
    fi
done
# Torn and corrupt files: every seventh byte of the log in the short mode, every byte in
# the soak (corrupt.py; its checks are counted here too).
every=7
[ "$2" = "--soak" ] && every=1
python3 "$here/corrupt.py" --bin "$bin" --every "$every" >"$out" 2>&1
rc=$?
grep -v -E '^corrupt: [0-9]+ passed' "$out"
line=$(grep -E '^corrupt: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
if [ -n "$line" ]; then
    np=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/')
    nf=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/')
    passed=$((passed + np))
    failed=$((failed + nf))
    [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ] && { echo "FAIL: corrupt.py: exit $rc although it reported no failure"; failed=$((failed + 1)); }
else
    echo "FAIL: corrupt.py: exit $rc, no summary line"
    tail -5 "$out"
    failed=$((failed + 1))
fi
echo "crash: $kills kills over seeds $(echo $seeds | tr '\n' ' ' | sed 's/ *$//; s/ /,/g') in $(($(date +%s) - start))s: $acked commits acknowledged by their COMMIT's answer ($grouped after waiting for their group), $lostw reopenings lost acknowledged work"
echo "crash: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
