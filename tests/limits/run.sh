#!/bin/sh
# run.sh ACIDBASE_BIN [--big]: the limits of issue 8 ("Limits with clear errors instead of
# unbounded memory"). Each input goes past one limit; the check is the exit status and
# the message (FILE:LINE:COL where there is a line). The limits themselves are listed in
# RELIABILITY.md. --big (make soak) adds the two that need inputs of a million lines or a
# hundred thousand keys (five seconds each with the sanitized build).
# Last line: "limits: N passed, N failed".
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-limits.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 2
passed=0
failed=0
# expect DESCRIPTION STATUS TEXT -- COMMAND...: runs COMMAND, wants STATUS and TEXT in its
# output (stdout and stderr together).
expect() {
    what=$1 want=$2 text=$3
    shift 4
    "$@" >out 2>&1 </dev/null
    rc=$?
    if [ "$rc" -eq "$want" ] && grep -q -F -- "$text" out; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what: exit $rc (wanted $want), output:"
        head -c 600 out | sed 's/^/    | /'
        echo "    (wanted: $text)"
    fi
}

python3 -c "print('say: ' + 'x' * 5000)" >long.scn
expect "a line longer than 4095 bytes" 2 "long.scn:1:1: line too long (at most 4095 bytes)" -- "$bin" run long.scn

python3 -c "
print('setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)')
print('setup: INSERT INTO t VALUES (1, 1)')
print('T1: BEGIN')
print('T1: UPDATE t SET v = 2 WHERE id = 1')
print('T2: BEGIN')
print('T2: UPDATE t SET v = 3 WHERE id = 1')
for i in range(260): print('T2: SELECT * FROM t')
print('T1: COMMIT')" >queue.scn
expect "more than 256 statements queued behind a blocked one" 0 "error queue-full: T2 already has 256 statements waiting" -- "$bin" run queue.scn

# (An INSERT's 1,024-row limit cannot be reached: the line limit comes first.)
python3 -c "
print('setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)')
print('T1: SELECT * FROM t WHERE id IN (' + ','.join(str(i) for i in range(70)) + ')')" >in.scn
expect "IN (...) with more than 64 values" 2 "in.scn:2:216: expected ')' (at most 64 values in IN (...))" -- "$bin" run in.scn

expect "a tenth session" 2 "sessions are T1 to T9" -- sh -c "printf 'T10: BEGIN\n' | '$bin' run -"
expect "ten replicas" 2 "replicas must be 1 to 9" -- sh -c "printf 'cluster: replicas 10\n' | '$bin' run -"

# A trace larger than 512 MiB is refused before it is read (a sparse file: no disk used).
truncate -s 600M big.json
expect "a trace larger than 512 MiB (check)" 2 "big.json: larger than 512 MiB: refused unread" -- "$bin" check big.json
expect "a trace larger than 512 MiB (grade)" 2 "larger than 512 MiB" -- "$bin" grade big.json
rm -f big.json

# A lesson file larger than 64 KiB.
mkdir lessons
python3 -c "
print('id: big\ntitle: Big\nnumber: 99\npart: 1\n')
for i in range(3000): print('# ' + 'x' * 30)" >lessons/99-big.lesson
expect "a lesson file larger than 64 KiB" 1 "the file is larger than 64 KiB" -- "$bin" lessons --verify --dir lessons

if [ "$2" = "--big" ]; then
    python3 -c "
for j in range(1000001): print('# c')" >lines.scn
    expect "more than 1,000,000 lines in one run" 2 "lines.scn:1000001:1: too many lines: one run takes at most 1000000" -- "$bin" run lines.scn --quiet
    python3 -c "
print('cluster: replicas 3')
print('cluster: gossip off')
for j in range(100001): print('n1: PUT k%d v W=ONE' % j)" >keys.scn
    expect "more than 100,000 keys on a replica" 2 "keys.scn:100003:5: too many keys: a replica holds at most 100000" -- "$bin" run keys.scn --quiet
fi

echo "limits: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
