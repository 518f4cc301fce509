#!/bin/sh
# run-all.sh: every test of acidbase lab in one run. `make test` calls it.
#
#   sh tests/run-all.sh ACIDBASE_BIN UNIT_BIN...
#
# 1. each unit-test binary (it prints "suite: N passed, N failed"; its tests are counted);
# 2. each tests/scenarios/*.scn with `ACIDBASE_BIN run FILE --quiet`, which must exit 0;
#    on failure the file's full (non-quiet) transcript is printed;
# 3. each tests/errors/*.scn, run as `cd tests/errors && ACIDBASE_BIN run NAME.scn`. Its
#    leading comment lines say what must happen:
#        # exit: N            the exit status (required)
#        # stderr: TEXT       TEXT must appear in stderr (any number of these lines)
#        # stdout: TEXT       TEXT must appear in stdout (any number of these lines)
#    and an exit status of 2 also requires a "NAME.scn:LINE:COL: message" line on stderr;
# 4. the command line: --dir reuse across runs, a scenario piped to `run -`, --help and
#    --version;
# 5. traces, `check` and `grade`: sh tests/trace/run.sh ACIDBASE_BIN (its own summary line
#    "trace: N passed, N failed" is counted like a unit test's);
# 6. the lab's screen in tmux: tests/tui/run.sh (expected screens), acid-pane.sh and
#    base-pane.sh (the two panes), robust.sh (resize storms, restoring the terminal, no
#    TERM, LANG=C), seam.sh (traces the lab exports pass check and grade), each counted by
#    its summary line;
# 7. the benchmark suite in its tiny mode, `bench --quick --json`: it runs every benchmark
#    and prints one JSON object whose keys are exactly the figure names of BENCHMARKS.md;
# 8. the progress database from the command line: sh tests/progress/run.sh ACIDBASE_BIN
#    (its summary line "progress-cli: N passed, N failed" is counted like section 5's);
# 9. lessons: the format's own tests, sh tests/lessons/run.sh ACIDBASE_BIN (summary line
#    "lessons: N passed, N failed", counted like section 5's); then the real lessons:
#    `ACIDBASE_BIN lessons --verify --dir lessons` must exit 0, each lesson counted by its
#    "ok" or "FAIL" line: ok only when the lesson is proved both ways (its reference
#    solution meets every goal using only the moves its controls offer; its queued moves
#    stepped in order, and the sessions' moves taken in turn, do not), lessons/README.md,
#    "What --verify checks" (a lessons/ with no .lesson file yet passes with a note);
# 10. crash safety: sh tests/crash/run.sh ACIDBASE_BIN, the kill -9 harness in its short
#    mode (summary line "crash: N passed, N failed", one per kill, counted like section 5's).
# 11. fuzzing: sh tests/fuzz/replay.sh ACIDBASE_BIN runs each fuzz target (built without
#    libFuzzer beside ACIDBASE_BIN) over its seeds and the kept reproducers of findings.
# 12. limits: sh tests/limits/run.sh ACIDBASE_BIN (input past each limit: a clear error).
# 13. files: sh tests/files/run.sh ACIDBASE_BIN (permissions, path safety, a full disk).
# 14. layout: sh tests/layout/run.sh ACIDBASE_BIN (no cycle between the build's object
#    files, computed with nm; engines/ include no curses, SQLite, cJSON or lab header),
#    summary line "layout: N passed, N failed", counted like section 5's; and
#    sh tests/layout/screen-headers.sh (no screen file includes a storage header of the
#    engine; summary line "screen-headers: N passed, N failed").
#
# Ends with exactly one line "N passed, N failed" and exits 1 if anything failed.
# Scenario files run two at a time when xargs can (-P), otherwise one after another.
# ACIDBASE_TEST_TIMEOUT (seconds, default 120) bounds each run when timeout(1) exists.

if [ $# -lt 1 ]; then
    echo "usage: sh tests/run-all.sh ACIDBASE_BIN UNIT_BIN..." >&2
    exit 2
fi

bin=$1
shift
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
if [ ! -x "$bin" ]; then
    echo "run-all.sh: $bin is not an executable" >&2
    exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-tests.XXXXXX") || exit 2
# Nothing the tests do may touch the tester's own progress database.
ACIDBASE_DB="$tmp/progress.db"
export ACIDBASE_DB
# The lessons are the repository's, wherever a test runs from.
ACIDBASE_LESSONS="$root/lessons"
export ACIDBASE_LESSONS
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

# Prints a file indented, for failure reports.
show() { sed 's/^/    | /' "$1"; }

# ---- 1. unit tests ------------------------------------------------------------------
for unit in "$@"; do
    $limit "$unit" >"$tmp/unit.out" 2>"$tmp/unit.err"
    rc=$?
    cat "$tmp/unit.out"
    line=$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$tmp/unit.out" | tail -n 1)
    if [ -n "$line" ]; then
        np=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/')
        nf=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/')
        passed=$((passed + np))
        failed=$((failed + nf))
        if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
            fail "unit $unit: exit $rc although it reported no failure"
        fi
    elif [ "$rc" -eq 0 ]; then
        pass
    else
        fail "unit $unit: exit $rc, no summary line"
    fi
    if [ "$rc" -ne 0 ]; then
        show "$tmp/unit.err"
    fi
done

# ---- 2. scenarios ---------------------------------------------------------------------
scn_out=$tmp/scenarios
mkdir -p "$scn_out"
cat >"$tmp/worker.sh" <<'EOF'
# One scenario: $1 is its file name under tests/scenarios.
cd "$AB_ROOT" || exit 0
f=$1
set -- $AB_LIMIT
"$@" "$AB_BIN" run "tests/scenarios/$f" --quiet >"$AB_OUT/$f.quiet" 2>&1
rc=$?
echo "$rc" >"$AB_OUT/$f.rc"
if [ "$rc" -ne 0 ]; then
    "$@" "$AB_BIN" run "tests/scenarios/$f" >"$AB_OUT/$f.transcript" 2>&1
fi
exit 0
EOF
AB_ROOT=$root AB_BIN=$bin AB_OUT=$scn_out AB_LIMIT=$limit
export AB_ROOT AB_BIN AB_OUT AB_LIMIT

: >"$tmp/scenario-list"
for path in "$root"/tests/scenarios/*.scn; do
    [ -f "$path" ] && basename "$path" >>"$tmp/scenario-list"
done
if [ -s "$tmp/scenario-list" ]; then
    if echo x | xargs -n 1 -P 2 true >/dev/null 2>&1; then
        xargs -n 1 -P 2 sh "$tmp/worker.sh" <"$tmp/scenario-list"
    else
        while read -r f; do
            sh "$tmp/worker.sh" "$f"
        done <"$tmp/scenario-list"
    fi
fi
while read -r f; do
    rc=$(cat "$scn_out/$f.rc" 2>/dev/null || echo missing)
    if [ "$rc" = 0 ]; then
        pass
    else
        fail "scenario tests/scenarios/$f (exit $rc); transcript:"
        if [ -f "$scn_out/$f.transcript" ]; then
            show "$scn_out/$f.transcript"
        fi
    fi
done <"$tmp/scenario-list"

# ---- 3. bad input ---------------------------------------------------------------------
# Reads the leading "# key: value" lines of $1 into $tmp/want (key<TAB>value per line).
read_header() {
    : >"$tmp/want"
    while IFS= read -r hline; do
        case $hline in
        '#'*) ;;
        *) break ;;
        esac
        case $hline in
        '# exit:'*) key='exit' ;;
        '# stderr:'*) key='stderr' ;;
        '# stdout:'*) key='stdout' ;;
        *) continue ;;
        esac
        val=$(printf '%s\n' "$hline" | sed 's/^# [a-z]*:[[:space:]]*//; s/[[:space:]]*$//')
        printf '%s\t%s\n' "$key" "$val" >>"$tmp/want"
    done <"$1"
}

for path in "$root"/tests/errors/*.scn; do
    [ -f "$path" ] || continue
    name=$(basename "$path")
    read_header "$path"
    want_exit=$(sed -n 's/^exit	//p' "$tmp/want" | head -n 1)
    if [ -z "$want_exit" ]; then
        fail "error test $name: no '# exit: N' line"
        continue
    fi
    (cd "$root/tests/errors" && $limit "$bin" run "$name" >"$tmp/err.out" 2>"$tmp/err.err")
    rc=$?
    why=
    [ "$rc" -eq "$want_exit" ] || why="exit $rc, expected $want_exit"
    while IFS='	' read -r key val; do
        case $key in
        stderr) grep -F -q -e "$val" "$tmp/err.err" || why="${why:+$why; }stderr lacks '$val'" ;;
        stdout) grep -F -q -e "$val" "$tmp/err.out" || why="${why:+$why; }stdout lacks '$val'" ;;
        esac
    done <"$tmp/want"
    if [ "$want_exit" = 2 ] && ! grep -q -E "^$name:[0-9]+:[0-9]+: ." "$tmp/err.err"; then
        why="${why:+$why; }no '$name:LINE:COL: message' line on stderr"
    fi
    if [ -z "$why" ]; then
        pass
    else
        fail "error test tests/errors/$name: $why"
        echo "    stderr:"
        show "$tmp/err.err"
        echo "    stdout:"
        show "$tmp/err.out"
    fi
done

# ---- 4. the command line --------------------------------------------------------------
# $1 = description, $2 = expected exit status, rest = command (stdin from $tmp/stdin).
check_exit() {
    desc=$1
    want=$2
    shift 2
    $limit "$@" <"$tmp/stdin" >"$tmp/cmd.out" 2>&1
    rc=$?
    if [ "$rc" -eq "$want" ]; then
        pass
    else
        fail "$desc: exit $rc, expected $want"
        show "$tmp/cmd.out"
    fi
}
: >"$tmp/stdin"

# --dir keeps the database between runs; opening it again runs recovery first. The first
# run leaves a transaction open at the end: it must not survive either.
db=$tmp/db
mkdir -p "$db"
cat >"$tmp/dir-1.scn" <<'EOF'
setup: CREATE TABLE IF NOT EXISTS kept (id INT PRIMARY KEY, value INT)
T1: INSERT INTO kept VALUES (1, 42)
expect T1 committed
T2: BEGIN
T2: INSERT INTO kept VALUES (2, 99)
expect table kept {1:42}
EOF
cat >"$tmp/dir-2.scn" <<'EOF'
setup: CREATE TABLE IF NOT EXISTS kept (id INT PRIMARY KEY, value INT)
T1: SELECT * FROM kept
expect T1 rows {1:42}
expect table kept {1:42}
T1: INSERT INTO kept VALUES (3, 44)
expect table kept {1:42, 3:44}
EOF
cat >"$tmp/dir-3.scn" <<'EOF'
setup: CREATE TABLE IF NOT EXISTS kept (id INT PRIMARY KEY, value INT)
expect table kept {1:42, 3:44}
EOF
check_exit "--dir: first run creates the table" 0 "$bin" run "$tmp/dir-1.scn" --dir "$db" --quiet
check_exit "--dir: second run finds the committed row" 0 "$bin" run "$tmp/dir-2.scn" --dir "$db" --quiet
check_exit "--dir: third run finds both runs' rows" 0 "$bin" run "$tmp/dir-3.scn" --dir "$db" --quiet

# A scenario piped to `run -`.
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, value INT)\nT1: INSERT INTO t VALUES (1, 5)\nexpect table t {1:5}\n' >"$tmp/stdin"
check_exit "run - (stdin), expectations hold" 0 "$bin" run - --quiet
printf 'setup: CREATE TABLE t (id INT PRIMARY KEY, value INT)\nT1: INSERT INTO t VALUES (1, 5)\nexpect table t {1:6}\n' >"$tmp/stdin"
check_exit "run - (stdin), a failed expectation" 1 "$bin" run - --quiet
: >"$tmp/stdin"

check_exit "--help" 0 "$bin" --help
check_exit "--version" 0 "$bin" --version
if [ -f "$root/VERSION" ]; then
    version=$(head -n 1 "$root/VERSION")
    if grep -F -q -e "$version" "$tmp/cmd.out"; then
        pass
    else
        fail "--version does not print $version (from VERSION)"
        show "$tmp/cmd.out"
    fi
fi
check_exit "run --help" 0 "$bin" run --help

# Runs a test script that ends with "PREFIX: N passed, N failed" and adds its counts; a
# script that exits non-zero without reporting a failure, or reports nothing, fails.
suite_script() {
    out="$tmp/$(basename "$(dirname "$1")").out"
    sh "$root/$1" "$bin" >"$out" 2>&1
    rc=$?
    cat "$out"
    line=$(grep -E "^$2: [0-9]+ passed, [0-9]+ failed\$" "$out" | tail -n 1)
    if [ -n "$line" ]; then
        np=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/')
        nf=$(printf '%s\n' "$line" | sed 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/')
        passed=$((passed + np))
        failed=$((failed + nf))
        if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
            fail "$1: exit $rc although it reported no failure"
        fi
    else
        fail "$1: exit $rc, no summary line"
    fi
}

# ---- 5. traces, check and grade -----------------------------------------------------------
suite_script tests/trace/run.sh trace

# ---- 6. the lab's screen, in a real terminal (tmux) ------------------------------------------
# Each script ends with a line "... N passed, N failed"; its counts are added here.
for script in run.sh acid-pane.sh base-pane.sh robust.sh seam.sh; do
    sh "$root/tests/tui/$script" "$bin" >"$tmp/tui.out" 2>&1
    rc=$?
    grep -v -E '^[^ ]*:? ?[0-9]+ passed, [0-9]+ failed$' "$tmp/tui.out" | grep -E '^(FAIL|  )' | head -60
    line=$(grep -E '[0-9]+ passed, [0-9]+ failed$' "$tmp/tui.out" | tail -n 1)
    if [ -n "$line" ]; then
        np=$(printf '%s\n' "$line" | sed 's/.* \([0-9]*\) passed, \([0-9]*\) failed$/\1/;s/^\([0-9]*\) passed.*/\1/')
        nf=$(printf '%s\n' "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
        echo "tui $script: $np passed, $nf failed"
        passed=$((passed + np))
        failed=$((failed + nf))
        [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ] && fail "tests/tui/$script: exit $rc although it reported no failure"
    else
        fail "tests/tui/$script: exit $rc, no summary line"
        tail -5 "$tmp/tui.out" | sed 's/^/    | /'
    fi
done

# ---- 7. the benchmark suite, tiny -----------------------------------------------------------
# Every key, in this order; each a number, or null for a figure --quick leaves out
# (rounds_n10000) or one that cannot be measured here (the lab screen needs a pty).
bench_keys="wal_commit_per_s raw_fdatasync_per_s sqlite_commit_per_s wal_vs_raw_ratio wal_vs_sqlite_ratio
group8_commits_per_fsync group8_commit_per_s group64_commit_per_s group_full_commit_per_s
group8_vs_full_ratio group64_vs_full_ratio group64_raw_ceiling_per_s redo_records_per_s
log_read_mb_per_s log_peak_bytes_100k lock_pairs_per_s deadlock_detect_us rounds_n100 rounds_n1000
rounds_n10000 log3_n1000 deliveries_per_s acid_check_ops_per_s base_check_ops_per_s
acid_check_growth_10x base_check_growth_10x trace_write_events_per_s trace_read_events_per_s
frame_us step_100k_ms startup_ms startup_run_ms startup_lessons_ms tui_rss_kb"
bench_nullable="rounds_n10000 frame_us tui_rss_kb"
(cd "$tmp" && $limit "$bin" bench --quick --json >"$tmp/bench.json" 2>"$tmp/bench.err")
rc=$?
why=
[ "$rc" -eq 0 ] || why="exit $rc"
# One key per line, '  "key": value', a comma after all but the last, inside { }.
awk -v keys="$bench_keys" -v nullable="$bench_nullable" '
    BEGIN { n = split(keys, k, /[ \n]+/); split(nullable, z, / /); for (j in z) canull[z[j]] = 1 }
    NR == 1 { if ($0 != "{") bad = "the first line is not {"; next }
    $0 == "}" { closed = NR; next }
    {
        if (closed) { bad = "text after the closing }"; next }
        i++
        line = $0
        if (i > n) { bad = "more keys than expected: " line; next }
        if (i < n) { if (sub(/,$/, "", line) != 1) bad = "no comma after " k[i] }
        else if (line ~ /,$/) bad = "a comma after the last key"
        want = "^  \"" k[i] "\": "
        if (line !~ want) { bad = "line " NR " is not key " k[i] ": " line; next }
        v = line
        sub(want, "", v)
        if (v == "null") { if (!(k[i] in canull)) bad = k[i] " is null" }
        else if (v !~ /^-?[0-9]+(\.[0-9]+)?$/) bad = k[i] " is not a number: " v
    }
    END {
        if (!bad && !closed) bad = "no closing }"
        if (!bad && i != n) bad = "expected " n " keys, found " i
        if (bad) { print bad; exit 1 }
    }' "$tmp/bench.json" >"$tmp/bench.why" 2>&1 || why="${why:+$why; }$(cat "$tmp/bench.why")"
# Where Python is at hand, it parses the JSON too.
if [ -z "$why" ] && command -v python3 >/dev/null 2>&1 && python3 -c 'import json' 2>/dev/null; then
    python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$tmp/bench.json" 2>"$tmp/bench.why" ||
        why="not valid JSON: $(tail -n 1 "$tmp/bench.why")"
fi
if [ -z "$why" ]; then
    pass
else
    fail "bench --quick --json: $why"
    echo "    stdout:"
    show "$tmp/bench.json"
    echo "    stderr:"
    show "$tmp/bench.err"
fi

# ---- 8. the progress database -----------------------------------------------------------------
suite_script tests/progress/run.sh progress-cli

# ---- 9. lessons ------------------------------------------------------------------------------
suite_script tests/lessons/run.sh lessons
if ls "$root"/lessons/*.lesson >/dev/null 2>&1; then
    (cd "$root" && $limit "$bin" lessons --verify --dir lessons) >"$tmp/verify.out" 2>&1
    rc=$?
    np=$(grep -c '^ok ' "$tmp/verify.out")
    nf=$(grep -c '^FAIL ' "$tmp/verify.out")
    passed=$((passed + np))
    failed=$((failed + nf))
    echo "lessons --verify: $np ok, $nf failed"
    grep -v -e '^ok ' -e '^verified: ' "$tmp/verify.out" | sed 's/^/    | /'
    if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
        fail "acidbase lessons --verify: exit $rc although no lesson failed"
    fi
else
    echo "lessons --verify: no lessons/*.lesson yet; nothing to verify"
    pass
fi

# ---- 10. crash safety: kill -9 ----------------------------------------------------------------
suite_script tests/crash/run.sh crash

# ---- 11. fuzz targets over their seeds and past findings ------------------------------------
suite_script tests/fuzz/replay.sh fuzz-replay

# ---- 12. limits ------------------------------------------------------------------------------
suite_script tests/limits/run.sh limits

# ---- 13. files and the disk ------------------------------------------------------------------
suite_script tests/files/run.sh files

# ---- 14. the layout: modules without cycles, engines as libraries, screens on views ---------
suite_script tests/layout/run.sh layout
suite_script tests/layout/screen-headers.sh screen-headers

printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
