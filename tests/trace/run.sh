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
# 5. the command line: help, usage errors, I/O errors and their exit codes;
# 6. hostile and careless traces (issue 16): a class graded with one trace that takes the
#    grader down (killed by a signal, or past --timeout) still gets every other trace graded
#    and results.json and the CSV written; the INT64_MIN % -1 run grades; invalid UTF-8 in
#    a trace is refused with its byte offset, and every JSON output is valid UTF-8 for
#    Python's strict parser even for a file name that is not; escape sequences and newlines
#    in a trace reach the text reports escaped; a spreadsheet formula as a learner is a
#    string in the CSV; another trace version, and another lab_version whose replay
#    differs, are told apart from an edited trace; edited metadata is accepted (what a
#    trace cannot prove) and --expect-learner (a name, the file's name, its directory,
#    Gradescope's submission metadata) ties a trace to a learner; the same run in two
#    submissions is warned about; a FIFO given as a trace does not hang grade or check.
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

# ---- 6. hostile and careless traces ------------------------------------------------------------------
h=$tmp/hostile
mkdir -p "$h"
cd "$h" || exit 2
# Issue 16, case 1: the lines that raised SIGFPE now run; their trace grades with a good one.
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, v INT)\nsetup: INSERT INTO t VALUES (1, -9223372036854775808)\nT1: SELECT * FROM t WHERE v %% -1 = 0\nexpect T1 rows {1:-9223372036854775808}\n' >fpe.scn
run "run the INT64_MIN % -1 scenario" 0 "$bin" run fpe.scn --quiet --trace fpe.json && pass
cp "$tmp/two.json" good.json
run "grade it with a good trace, Gradescope and CSV" 1 "$bin" grade good.json fpe.json --format gradescope --out rs.json \
    --csv rs.csv && pass
$tool gradescope rs.json >"$tmp/out" 2>&1 && pass || { fail "results.json after case 1"; show "$tmp/out"; }
has "case 1: fpe.json graded" rs.csv "fpe.json,,accepted,1,1,"

# One trace that takes the grader down: the others are graded and everything is written.
# slow.json replays lines edited to 10^6 ticks of nine replicas, the most a line may ask
# (seconds of replay under the sanitizers); --timeout 1.
printf 'cluster: replicas 9\nn1: PUT x 1\nrun: tick 1\nrun: tick 1\nrun: tick 1\nexpect converged\n' >slow.scn
run "run the slow scenario" 0 "$bin" run slow.scn --quiet --trace slow0.json && pass
$tool set slow0.json slow1.json scenario.2.text '"run: tick 1000000"'
$tool set slow1.json slow2.json scenario.3.text '"run: tick 1000000"'
$tool set slow2.json slow.json scenario.4.text '"run: tick 1000000"'
cp good.json good2.json
run "grade with a trace past --timeout" 3 "$bin" grade good.json slow.json good2.json --timeout 1 --format gradescope \
    --out to.json --csv to.csv && pass
has "timeout: said on stderr" "$tmp/err" "slow.json: not-gradable: grading it took longer than 1 s"
has "timeout: the CSV row" to.csv "slow.json,,not-gradable,0,0,"
has "timeout: the others graded" to.csv "good2.json,,accepted,2,3,"
$tool gradescope to.json >"$tmp/out" 2>&1 && pass || { fail "results.json with a timed-out trace"; show "$tmp/out"; }
# The same trace, its grading process killed by a signal as a crash (or the OOM killer)
# would; SIGKILL, which no sanitizer can catch and turn into an exit status. It is graded
# first, so the first child process grade makes is the one for slow.json.
"$bin" grade slow.json good.json good2.json --timeout 0 --format json --out crash.json --csv crash.csv \
    >"$tmp/out" 2>"$tmp/err" &
gpid=$!
victim=
for i in $(seq 1 200); do
    victim=$(ps -o pid= --ppid "$gpid" 2>/dev/null | tr -d ' ' | head -n 1)
    [ -n "$victim" ] && break
    sleep 0.05
done
if [ -n "$victim" ]; then
    sleep 0.2
    kill -KILL "$victim" 2>/dev/null
else
    kill "$gpid"
fi
wait "$gpid"
rc=$?
[ "$rc" = 3 ] && pass || { fail "grade with a crashed child: exit $rc, expected 3"; show "$tmp/err"; }
has "crash: said" "$tmp/err" "slow.json: not-gradable: the grader stopped on this trace (signal 9"
has "crash: the others graded" crash.csv "good2.json,,accepted,2,3,"
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["traces"]
assert [x["status"] for x in t] == ["not-gradable", "accepted", "accepted"], [x["status"] for x in t]' crash.json \
    >"$tmp/out" 2>&1 && pass || { fail "crash: the JSON report"; show "$tmp/out"; }

# Case 3: a trace is UTF-8; every JSON we write is, whatever the file names.
python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
i = d.index(b"expect T2 rows")
open(sys.argv[2], "wb").write(d[:i + 7] + b"\xff\xfe" + d[i + 9:])' good.json badutf.json
run "grade a trace with invalid UTF-8" 2 "$bin" grade badutf.json && pass
has "invalid UTF-8: the offset" "$tmp/out" "invalid UTF-8 at byte"
run "check a trace with invalid UTF-8" 2 "$bin" check badutf.json && has "check: invalid UTF-8" "$tmp/err" "invalid UTF-8 at byte"
weird=$(printf 'n\377me.json')
cp good.json "$weird"
run "grade a file whose name is not UTF-8 (json)" 2 "$bin" grade "$weird" badutf.json --format json --out names.json \
    --csv names.csv && pass
run "grade a file whose name is not UTF-8 (gradescope)" 1 "$bin" grade "$weird" --format gradescope --out names-gs.json && pass
run "check --json of a file whose name is not UTF-8" 0 "$bin" check "$weird" --json && cp "$tmp/out" names-check.json
for f in names.json names-gs.json names-check.json; do
    python3 -c 'import json, sys; json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))' "$f" \
        >"$tmp/out" 2>&1 && pass || { fail "$f is not valid UTF-8 JSON"; show "$tmp/out"; }
done
python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8", "strict")' names.csv >"$tmp/out" 2>&1 && pass ||
    { fail "the CSV is not UTF-8"; show "$tmp/out"; }

# Case 4: a trace's text reaches reports escaped; a formula is a string in the CSV.
$tool set good.json evil1.json expects.1.text '"expect T2 rows {A:500, B:300}\u001b[2K\r  passed  line 9\naccepted (9 events): 3 of 3 points"'
$tool set evil1.json evil.json learner '"=HYPERLINK(\"http://x\",\"ok\")"'
run "grade a trace with escape sequences" 1 "$bin" grade evil.json --csv evil.csv && pass
if grep -q "$(printf '[\033\r]')" "$tmp/out"; then fail "the grade report carries control characters"; show "$tmp/out"; else pass; fi
has "escaped in the report" "$tmp/out" '\x1b[2K\r  passed  line 9\naccepted (9 events): 3 of 3 points'
[ "$(grep -c '' "$tmp/out")" = 1 ] && pass || { fail "the forged text made more report lines"; show "$tmp/out"; }
has "CSV: the formula neutralised" evil.csv "\"'=HYPERLINK(\"\"http://x\"\",\"\"ok\"\")\""
if grep -q "$(printf '\033')" evil.csv; then fail "the CSV carries an escape character"; else pass; fi
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))
def walk(x):
    if isinstance(x, dict):
        if x.get("key") == "A":
            x["key"] = "A\u001b]0;pwned\u0007"
        for v in x.values():
            walk(v)
    elif isinstance(x, list):
        for v in x:
            walk(v)
walk(t["events"])
json.dump(t, open(sys.argv[2], "w"))' good.json evilkey.json
run "check a trace with an escape sequence in a key" 1 "$bin" check evilkey.json
if grep -q "$(printf '\033')" "$tmp/out" "$tmp/err"; then fail "check printed an escape character"; show "$tmp/out"; else pass; fi
has "check: the key escaped" "$tmp/out" 'accounts/A\x1b]0;pwned\x07'
run "grade a trace with an escape sequence in a key" 1 "$bin" grade evilkey.json
if grep -q "$(printf '\033')" "$tmp/out" "$tmp/err"; then fail "grade printed an escape character"; show "$tmp/out"; else pass; fi

# Case 11: what cannot be proven, and what can be told apart.
$tool set good.json v3.json version 3
run "grade a trace of another format version" 1 "$bin" grade v3.json --csv v3.csv && pass
has "format version: its own status" v3.csv "v3.json,,version-mismatch,"
has "format version: said" "$tmp/out" "a trace of another acidbase version"
$tool set good.json old1.json lab_version '"0.0.1"'
$tool set old1.json old.json expects.1.ok true
run "grade an old version's trace whose replay differs" 1 "$bin" grade old.json --csv old.csv && pass
has "old version: its own status" old.csv "old.json,,version-mismatch,"
has "old version: what to do" "$tmp/out" "grade it with acidbase 0.0.1"
$tool set good.json same1.json expects.1.ok true
run "grade an edited trace of this version" 1 "$bin" grade same1.json --csv same1.csv && pass
has "edited: rejected" same1.csv "same1.json,,rejected,"
# Metadata is a claim: edited, it is accepted (traces.md says so); --expect-learner ties it.
$tool set good.json meta1.json learner '"bob"'
$tool set meta1.json meta2.json created '"2001-01-01T00:00:00Z"'
$tool set meta2.json meta3.json settings.real_sync true
$tool set meta3.json meta4.json settings.kept_database true
run "edited metadata is not detected (a documented limit)" 1 "$bin" grade meta4.json && pass
has "edited metadata: accepted" "$tmp/out" "meta4.json: accepted"
run "--expect-learner NAME catches another learner's trace" 1 "$bin" grade meta4.json --expect-learner ana --csv el.csv && pass
has "--expect-learner: status" el.csv "meta4.json,bob,wrong-learner,0,3,"
run "--expect-learner NAME accepts the learner's own" 1 "$bin" grade meta4.json --expect-learner bob --csv el2.csv && pass
has "--expect-learner: own trace accepted" el2.csv "meta4.json,bob,accepted,2,3,"
$tool set meta1.json meta-lesson.json lesson '"dirty-read"'
cp meta-lesson.json bob-dirty-read.json
cp meta-lesson.json ana-dirty-read.json
run "--expect-learner-from file: LEARNER-LESSON.json" 1 "$bin" grade bob-dirty-read.json ana-dirty-read.json \
    --expect-learner-from file --csv ef.csv && pass
has "from file: bob's own" ef.csv "bob-dirty-read.json,bob,accepted,"
has "from file: a copy named for ana" ef.csv "ana-dirty-read.json,bob,wrong-learner,"
mkdir -p sub/bob sub/ana
cp meta1.json sub/bob/trace.json
cp meta1.json sub/ana/trace.json
run "--expect-learner-from dir" 1 "$bin" grade sub/bob/trace.json sub/ana/trace.json --expect-learner-from dir --csv ed.csv && pass
has "from dir: bob's own" ed.csv "sub/bob/trace.json,bob,accepted,"
has "from dir: in ana's directory" ed.csv "sub/ana/trace.json,bob,wrong-learner,"
printf '{"id": 1, "users": [{"email": "bob@example.edu", "id": 7, "name": "Bob B"}]}' >meta.json
run "--expect-learner-from gradescope: the local part of the email" 1 "$bin" grade meta1.json \
    --expect-learner-from gradescope=meta.json --format gradescope --out gs1.json && pass
python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["score"] == 2' gs1.json && pass ||
    fail "gradescope: bob's own trace was not graded"
run "--expect-learner-from gradescope: another user" 1 "$bin" grade good.json \
    --expect-learner-from gradescope=meta.json --format gradescope --out gs.json && pass
has "gradescope: not graded" gs.json "wrong-learner"
run "--expect-learner-from gradescope: no metadata" 3 "$bin" grade good.json --expect-learner-from gradescope=nometa.json && pass
run "--expect-learner-from bogus" 2 "$bin" grade good.json --expect-learner-from bogus && pass
# The same run in two submissions: a warning naming both, in the reports too.
run "grade two copies of one run" 1 "$bin" grade good.json good2.json --format json --out same.json && pass
has "same run: warned" "$tmp/err" "good.json and good2.json carry the same run"
has "same run: the same creation time" "$tmp/err" "one is likely a copy"
python3 -c 'import json, sys
t = json.load(open(sys.argv[1]))["traces"]
assert t[0]["same_run_as"] == "good2.json" and t[1]["same_run_as"] == "good.json", t' same.json \
    >"$tmp/out" 2>&1 && pass || { fail "same run: same_run_as"; show "$tmp/out"; }
run "grade two different runs" 0 "$bin" grade fpe.json "$tmp/stdin.json" && pass
if grep -q "same run" "$tmp/err" "$tmp/out"; then fail "two different runs were called the same"; else pass; fi

# Case 8: a FIFO given as a trace is refused at once.
mkfifo fifo.json
run "grade a FIFO" 2 "$bin" grade fifo.json && has "FIFO: said" "$tmp/out" "not a regular file"
run "check a FIFO" 2 "$bin" check fifo.json && has "check FIFO: said" "$tmp/err" "not a regular file"
cd "$tmp" || exit 2

printf 'trace: %d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
