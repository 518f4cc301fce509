#!/bin/sh
# run.sh SECONDS TARGET...: runs each libFuzzer target (build/fuzz/fuzz-TARGET) for
# SECONDS, one after another, starting from its seeds and the corpus grown by earlier runs
# (build/fuzz/corpus/TARGET). Prints one line per target: executions, rate, corpus size,
# coverage; appends it to build/fuzz/history.txt; exits 1 if any target found a crash
# (the input is in build/fuzz/findings/; keep it in tests/fuzz/regress/TARGET/ once fixed).
set -u
secs=$1; shift
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 3
. tests/fuzz/seeds.sh
mkdir -p build/fuzz/findings
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-fuzz-XXXXXX") || exit 3
trap 'rm -rf "$tmp"' EXIT INT TERM
found=0
for t in "$@"; do
    seeds=$(fuzz_seeds "$t") || { echo "run.sh: no fuzz target '$t'" >&2; exit 2; }
    existing=""
    for s in $seeds tests/fuzz/regress/$t; do [ -d "$s" ] && existing="$existing $s"; done
    mkdir -p "build/fuzz/corpus/$t"
    log=build/fuzz/$t.log
    # A dictionary (tests/fuzz/TARGET.dict) gives the mutator the tokens of the format and
    # the values that break arithmetic and text handling (INT64 extremes, NUL, BOM, bad UTF-8).
    dict=
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    # The scenario target makes a database directory per input: keep those in memory.
    TMPDIR=/dev/shm ASAN_OPTIONS=detect_leaks=1 \
        "build/fuzz/fuzz-$t" -max_total_time="$secs" -timeout=20 -print_final_stats=1 $dict \
        -artifact_prefix="build/fuzz/findings/$t-" "build/fuzz/corpus/$t" $existing >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | sed 's/cov: //')
    corpus=$(ls "build/fuzz/corpus/$t" | wc -l)
    rate=$(awk -v r="${runs:-0}" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')
    if [ $rc -ne 0 ]; then
        found=1
        line="$t: FINDING after ${runs:-?} runs (exit $rc): see $log and build/fuzz/findings/"
    else
        line="$t: ${secs} s, ${runs:-?} runs (${rate}/s), corpus $corpus, coverage ${cov:-?} edges, no finding"
    fi
    echo "$line"
    echo "$(date -u +%Y-%m-%dT%H:%MZ) $line" >>build/fuzz/history.txt
done
exit $found
