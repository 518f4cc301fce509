#!/bin/sh
# replay.sh ACIDBASE_BIN: `make test`'s part of fuzzing. Each fuzz target, built as a
# replay binary beside ACIDBASE_BIN (build/san/fuzz/replay-TARGET, gcc with ASan+UBSan),
# runs over the reproducers of past findings (tests/fuzz/regress/TARGET/) and its seeds
# (the scenario target's seeds are the scenario suite, which section 2 already runs).
# One check per target; the last line is "fuzz-replay: N passed, N failed".
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(cd "$(dirname "$1")" && pwd)/fuzz
cd "$root" || exit 3
. tests/fuzz/seeds.sh
passed=0
failed=0
for t in $fuzz_targets; do
    seeds=$(fuzz_seeds "$t")
    [ "$t" = scenario ] && seeds=
    dirs=""
    for d in tests/fuzz/regress/$t $seeds; do [ -d "$d" ] && dirs="$dirs $d"; done
    if [ ! -x "$dir/replay-$t" ]; then
        echo "FAIL: fuzz $t: $dir/replay-$t was not built"
        failed=$((failed + 1))
        continue
    fi
    if TMPDIR=${TMPDIR:-/tmp} "$dir/replay-$t" $dirs >"/tmp/replay-$$.out" 2>&1; then
        passed=$((passed + 1))
        echo "fuzz $t: $(tail -n 1 "/tmp/replay-$$.out" | sed 's/.*: //')"
    else
        failed=$((failed + 1))
        echo "FAIL: fuzz $t"
        sed 's/^/    | /' "/tmp/replay-$$.out" | tail -40
    fi
done
rm -f "/tmp/replay-$$.out"
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
