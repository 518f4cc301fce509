#!/bin/sh
# tests/trace/run.sh: traces, `acidbase check` and `acidbase grade` from the outside.
#
#   sh tests/trace/run.sh ACIDBASE_BIN
#
# 1. round trip: every tests/scenarios/*.scn runs with --trace (exit 0, or 1 exactly when
#    the trace records a failed expectation); `check --json` on its trace finds exactly the
#    findings the live run recorded;
# 2. schema: every trace this script writes validates against assets/trace.schema.json
#    with python3's jsonschema (a missing python3-jsonschema is a failure, not a skip);
# 3. grade: all round-trip traces at once are accepted, one CSV row each;
#    a failing expectation still writes a trace, scores what held, and the Gradescope
#    results.json adds up;
# 4. replay verification: an edited value, two swapped events (renumbered, or not), a
#    dropped event, an edited expectation, finding or scenario line: each rejected with
#    the event or field named; a --dir run on an existing database is refused;
# 5. the command line: help, usage errors, I/O errors and their exit codes.
#
# Prints "FAIL: ..." per failure and ends with "trace: N passed, N failed".

if [ $# -ne 1 ]; then
    echo "usage: sh tests/trace/run.sh ACIDBASE_BIN" >&2
    exit 2
fi
bin=$1
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
tool="python3 $root/tests/trace/tracetool.py"
schema=$root/assets/trace.schema.json
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-trace-tests.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
limit=
if command -v timeout >/dev/null 2>&1; then
    limit="timeout ${ACIDBASE_TEST_TIMEOUT:-120}"
fi

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }
show() { sed 's/^/    | /' "$1" | head -n 40; }

# $1 = description, $2 = expected exit status, rest = command; output in $tmp/out, $tmp/err.
run() {
    desc=$1
    want=$2
    shift 2
    $limit "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -eq "$want" ]; then
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
        fail "$1: '$3' not found"
        show "$2"
    fi
}

if ! command -v python3 >/dev/null 2>&1; then
    fail "python3 is not installed; the trace tests need it (Debian: python3, python3-jsonschema)"
    printf 'trace: %d passed, %d failed\n' "$passed" "$failed"
    exit 1
fi

# ---- 1. round trip over every scenario ------------------------------------------------------
rt=$tmp/rt
mkdir -p "$rt"
cat >"$tmp/worker.sh" <<'EOF'
# One scenario: $1 is its file name under tests/scenarios.
cd "$AB_ROOT" || exit 0
f=$1
n=${f%.scn}
set -- $AB_LIMIT
"$@" "$AB_BIN" run "tests/scenarios/$f" --quiet --trace "$AB_OUT/$n.json" >"$AB_OUT/$n.run" 2>&1
echo $? >"$AB_OUT/$n.rc"
if [ -f "$AB_OUT/$n.json" ]; then
    "$@" "$AB_BIN" check "$AB_OUT/$n.json" --json >"$AB_OUT/$n.check" 2>"$AB_OUT/$n.checkerr"
    echo $? >"$AB_OUT/$n.checkrc"
fi
exit 0
EOF
AB_ROOT=$root AB_BIN=$bin AB_OUT=$rt AB_LIMIT=$limit
export AB_ROOT AB_BIN AB_OUT AB_LIMIT
: >"$tmp/list"
for path in "$root"/tests/scenarios/*.scn; do
    [ -f "$path" ] && basename "$path" >>"$tmp/list"
done
if echo x | xargs -n 1 -P 2 true >/dev/null 2>&1; then
    xargs -n 1 -P 2 sh "$tmp/worker.sh" <"$tmp/list"
else
    while read -r f; do sh "$tmp/worker.sh" "$f"; done <"$tmp/list"
fi
ntraces=0
while read -r f; do
    n=${f%.scn}
    rc=$(cat "$rt/$n.rc" 2>/dev/null)
    if { [ "$rc" != 0 ] && [ "$rc" != 1 ]; } || [ ! -f "$rt/$n.json" ]; then
        fail "round trip $f: run --trace exit $(cat "$rt/$n.rc" 2>/dev/null), trace $( [ -f "$rt/$n.json" ] && echo written || echo missing)"
        show "$rt/$n.run"
        rm -f "$rt/$n.check"
    elif [ "$(cat "$rt/$n.checkrc" 2>/dev/null)" != 0 ]; then
        fail "round trip $f: check --json exit $(cat "$rt/$n.checkrc" 2>/dev/null)"
        show "$rt/$n.checkerr"
        rm -f "$rt/$n.check"
    else
        ntraces=$((ntraces + 1))
        pass
    fi
done <"$tmp/list"
if $tool same-findings "$rt" >"$tmp/out" 2>&1; then pass; else fail "round trip: findings differ"; show "$tmp/out"; fi
if ls "$rt" | grep -q '\.tmp'; then fail "a temporary trace file was left behind"; ls "$rt" | grep '\.tmp'; else pass; fi

# ---- 3. grading --------------------------------------------------------------------------------
# Exit 1 when some scenario has a failing expectation (they are checked elsewhere): what
# matters here is that every trace is accepted.
$limit "$bin" grade "$rt"/*.json --format json --csv "$tmp/all.csv" >"$tmp/out" 2>"$tmp/err"
acc=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["accepted"])' "$tmp/out" 2>&1)
if [ "$acc" = "$ntraces" ]; then pass; else fail "grade every round-trip trace: $acc accepted, expected $ntraces"; show "$tmp/err"; fi
if $tool csv "$tmp/all.csv" "$ntraces" >"$tmp/out" 2>&1; then pass; else fail "grade --csv"; show "$tmp/out"; fi

cd "$tmp" || exit 2
cat >two.scn <<'EOF'
setup: CREATE TABLE accounts (id TEXT PRIMARY KEY, balance INT CHECK (balance >= 0))
setup: INSERT INTO accounts VALUES ('A', 500), ('B', 300)
T1: BEGIN
T1: UPDATE accounts SET balance = balance - 100 WHERE id = 'A'
T2: SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED
T2: SELECT * FROM accounts WHERE balance > 0
T1: ROLLBACK
expect anomaly dirty-read
expect T2 rows {A:500, B:300}       # fails: T2 saw A = 400
expect table accounts {A:500, B:300}
EOF
# A failing expectation: the trace is written and the exit status stays 1.
if run "run --trace with a failing expect" 1 "$bin" run two.scn --quiet --trace two.json --seed 42; then pass; fi
if [ -f two.json ]; then pass; else fail "run --trace with a failing expect wrote no trace"; fi
[ "$($tool get two.json seed)" = 42 ] && pass || fail "the trace's seed is not the --seed given"
run "check the failing run" 0 "$bin" check two.json && pass
has "check explains in words" "$tmp/out" "dirty read: T2's scan of accounts"
has "check names the transactions" "$tmp/out" "transactions T1 and T2"
run "grade the failing run" 1 "$bin" grade two.json && pass
has "grade text: the score" "$tmp/out" "accepted (" && has "grade text: 2 of 3" "$tmp/out" "2 of 3 points"
has "grade text: the failed test and why" "$tmp/out" "FAILED  line 9: expect T2 rows {A:500, B:300}"
run "grade --format gradescope --out" 1 "$bin" grade two.json --format gradescope --out results.json && pass
if [ -s "$tmp/out" ]; then fail "grade --out also printed on stdout"; show "$tmp/out"; else pass; fi
if $tool gradescope results.json >"$tmp/out" 2>&1; then
    [ "$(cat "$tmp/out")" = "2 3 4" ] && pass || { fail "gradescope: score/max/tests '$(cat "$tmp/out")', expected '2 3 4'"; }
else
    fail "gradescope results.json"; show "$tmp/out"
fi
# Several traces: one Gradescope file, names prefixed, still adding up.
cp two.json other.json
run "grade two traces for gradescope" 1 "$bin" grade two.json other.json --format gradescope && pass
cp "$tmp/out" results2.json
if $tool gradescope results2.json >"$tmp/out" 2>&1; then
    [ "$(cat "$tmp/out")" = "4 6 8" ] && pass || fail "gradescope for two: '$(cat "$tmp/out")', expected '4 6 8'"
else
    fail "gradescope results.json for two traces"; show "$tmp/out"
fi
has "gradescope names carry the file" results2.json '"other.json: line 9: expect T2 rows {A:500, B:300}"'

# A trace through standard input, and the sync settings it records.
printf 'engine: sync group 2\nsetup: CREATE TABLE t (id INT PRIMARY KEY, value INT)\nT1: INSERT INTO t VALUES (1, 5)\nT2: INSERT INTO t VALUES (2, 6)\nexpect table t {1:5, 2:6}\n' >stdin.scn
if $limit "$bin" run - --quiet --trace stdin.json <stdin.scn >"$tmp/out" 2>&1; then pass; else fail "run - --trace"; show "$tmp/out"; fi
[ "$($tool get stdin.json settings.sync)" = '"group"' ] && [ "$($tool get stdin.json settings.sync_group)" = 2 ] && pass ||
    fail "settings.sync: $($tool get stdin.json settings)"
run "grade a trace of standard input" 0 "$bin" grade stdin.json && pass

# ---- 4. replay verification ----------------------------------------------------------------------
seq=$($tool edit-value two.json value.json)
run "grade an edited value" 1 "$bin" grade value.json && pass
has "edited value: the event is named" "$tmp/out" "event $seq (write, events[$((seq - 1))]) differs from the replay: n.value: recorded"
has "edited value: never graded" "$tmp/out" "REJECTED, not graded"
seq=$($tool swap two.json swapped.json renumber)
run "grade two swapped events" 1 "$bin" grade swapped.json && pass
has "swapped events: the first is named" "$tmp/out" "event $seq ("
has "swapped events: kind differs" "$tmp/out" "kind: recorded"
seq=$($tool swap two.json swapped-raw.json keep)
run "grade swapped events with their seq" 2 "$bin" grade swapped-raw.json && pass
has "swapped events with their seq: named" "$tmp/out" "events[$((seq - 1))].seq: expected $seq"
$tool drop-last two.json short.json
run "grade a trace with an event dropped" 1 "$bin" grade short.json && pass
has "dropped event" "$tmp/out" "but the trace ends after event"
$tool set two.json ok.json expects.1.ok true
run "grade an expectation flipped to ok" 1 "$bin" grade ok.json && pass
has "flipped expectation named" "$tmp/out" "expects[1].ok: recorded true, the replay has false"
$tool set two.json finding.json findings.0.text '"nothing happened"'
run "grade an edited finding" 1 "$bin" grade finding.json && pass
has "edited finding named" "$tmp/out" "findings[0].text"
run "check an edited finding" 1 "$bin" check finding.json && pass
has "check names the edited finding" "$tmp/err" "findings[0].text"
$tool set two.json line.json scenario.3.text '"T1: UPDATE accounts SET balance = balance - 200 WHERE id = '"'A'"'"'
run "grade an edited scenario line" 1 "$bin" grade line.json && pass
has "edited line: an event differs" "$tmp/out" "differs from the replay"
$tool set two.json broken.json scenario.3.text '"T1: UPDATE nosuch SET balance = 1"'
run "grade a scenario line that no longer runs" 1 "$bin" grade broken.json && pass
has "broken line named" "$tmp/out" "the replay stops at scenario line 4"
$tool set two.json fresh.json settings.fresh_database false
run "grade a trace claiming a used database" 1 "$bin" grade fresh.json && pass
has "fresh_database named" "$tmp/out" "settings.fresh_database"

# A run on an existing --dir database: traced, but not replayable, and refused.
mkdir -p db
printf 'setup: CREATE TABLE IF NOT EXISTS kept (id INT PRIMARY KEY, value INT)\nT1: INSERT INTO kept VALUES (1, 1)\n' >d1.scn
printf 'setup: CREATE TABLE IF NOT EXISTS kept (id INT PRIMARY KEY, value INT)\nexpect table kept {1:1}\n' >d2.scn
run "--dir, first run" 0 "$bin" run d1.scn --dir db --quiet --trace d1.json && pass
run "--dir, second run" 0 "$bin" run d2.scn --dir db --quiet --trace d2.json && pass
[ "$($tool get d1.json replayable)" = true ] && pass || fail "a run on a new --dir is replayable"
[ "$($tool get d2.json replayable)" = false ] && pass || fail "a run on an existing --dir is marked not replayable"
run "grade the first --dir run" 0 "$bin" grade d1.json && pass
run "grade refuses a run on an existing database" 1 "$bin" grade d2.json --csv dir.csv && pass
has "not replayable: said" "$tmp/out" "not replayable, so it cannot be graded"
has "not replayable: in the CSV" dir.csv "d2.json,,rejected,0,1,"

# Many at once: one CSV row per trace, whatever became of each.
printf '{"format": "acidbase-trace", "version": 2,' >truncated.json
run "grade a class" 3 "$bin" grade two.json value.json truncated.json d2.json missing.json --csv class.csv && pass
if $tool csv class.csv 5 >"$tmp/out" 2>&1; then pass; else fail "class CSV"; show "$tmp/out"; fi
has "class CSV: accepted row" class.csv "two.json,,accepted,2,3,"
has "class CSV: truncated row" class.csv "truncated.json,,rejected,0,0,"

# An invalid run writes no trace.
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, value INT)\nT1: SELECT * FROM nosuch\n' >bad.scn
run "run --trace on invalid input" 2 "$bin" run bad.scn --trace bad.json && pass
[ -f bad.json ] && fail "a trace was written for an invalid run" || pass
has "invalid run: no trace, said" "$tmp/err" "no trace written to bad.json"

# ---- 2. every trace written above validates against the schema -----------------------------------
$tool validate "$schema" "$rt"/*.json two.json other.json stdin.json d1.json d2.json value.json swapped.json \
    swapped-raw.json short.json ok.json finding.json line.json broken.json fresh.json >"$tmp/schema.out" 2>&1
case $? in
0) pass ;;
3) fail "schema: $(cat "$tmp/schema.out")" ;;
*) fail "schema: traces do not validate against assets/trace.schema.json"; show "$tmp/schema.out" ;;
esac

# ---- 5. the command line ---------------------------------------------------------------------------
run "check --help" 0 "$bin" check --help && has "check --help: exit codes" "$tmp/out" "exit status:"
run "grade --help" 0 "$bin" grade --help && has "grade --help: exit codes" "$tmp/out" "exit status"
run "grade --lesson (goals not met)" 1 "$bin" grade two.json --lesson checkpoints-and-a-torn-log && has "grade --lesson lists the goals" "$tmp/out" "goal "
run "grade with no trace" 2 "$bin" grade && pass
run "grade --format bogus" 2 "$bin" grade two.json --format bogus && pass
run "check with no trace" 2 "$bin" check && pass
run "check a missing file" 3 "$bin" check missing.json && has "check a missing file: said" "$tmp/err" "missing.json: cannot open"
run "check a truncated file" 2 "$bin" check truncated.json && has "check truncated: said" "$tmp/err" "a truncated file?"
run "check a scenario, not a trace" 2 "$bin" check two.scn && has "check a scenario: said" "$tmp/err" "invalid JSON"
run "grade --out into a missing directory" 3 "$bin" grade two.json --out nodir/results.json && pass
run "run --trace into a missing directory" 3 "$bin" run two.scn --quiet --trace nodir/t.json && pass
run "run --trace without a file" 2 "$bin" run two.scn --trace && pass

printf 'trace: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
