#!/bin/sh
# run.sh ACIDBASE_BIN: the scenario suite under valgrind memcheck (`make valgrind`; too
# slow for `make test`, which runs everything under ASan and UBSan instead). Every file in
# tests/scenarios and assets/examples runs as `valgrind --leak-check=full ... run FILE
# --quiet`, and the error-test files of tests/errors too (their own exit status is
# ignored here): any memcheck error or leak fails it.
# Last line: "valgrind: N passed, N failed".
root=$(cd "$(dirname "$0")/../.." && pwd)
# Each file runs from its own directory, so the binary's path must not be relative.
case $1 in
    /*) bin=$1 ;;
    *) bin=$(pwd)/$1 ;;
esac
if [ ! -x "$bin" ]; then
    echo "valgrind: no executable $bin"
    echo "valgrind: 0 passed, 1 failed"
    exit 1
fi
if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind: not installed (apt-get install valgrind)"
    echo "valgrind: 0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-vg.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
for f in "$root"/tests/scenarios/*.scn "$root"/assets/examples/*.scn "$root"/tests/errors/*.scn; do
    (cd "$(dirname "$f")" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=99 \
        "$bin" run "$(basename "$f")" --quiet) >"$tmp/out" 2>&1
    rc=$?
    # 99: memcheck found something; 126/127: the program did not run at all.
    if [ $rc -eq 99 ] || [ $rc -eq 126 ] || [ $rc -eq 127 ] || grep -q '^==[0-9]*==' "$tmp/out"; then
        failed=$((failed + 1))
        echo "FAIL: $f"
        grep '^==' "$tmp/out" | head -30 | sed 's/^/    | /'
    else
        passed=$((passed + 1))
    fi
done
echo "valgrind: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
