#!/bin/sh
# tests/layout/screen-headers.sh [ACIDBASE_BIN]: the screen reads the engine through its
# view only (DESIGN.md, "Views, not internals"; engines/acid/view.h). Fails when a file
# under lab/tui includes a storage header of the ACID engine (store.h, bufpool.h, page.h,
# fio.h, wal.h, lock.h), and when a header the screen may include (engine.h, view.h)
# includes one itself, since that would hand the storage structs to the screen all the
# same. One check per file. The argument is accepted (run-all.sh passes the binary) and
# not used. Last line: "screen-headers: N passed, N failed".
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
passed=0
failed=0
STORAGE='(store|bufpool|page|fio|wal|lock)\.h'
# check FILE: no #include of a storage header (with or without its acid/ directory).
check() {
    bad=$(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[<\"](acid/)?$STORAGE[>\"]" "$1")
    if [ -n "$bad" ]; then
        failed=$((failed + 1))
        echo "FAIL: screen-headers: ${1#$ROOT/} includes a storage header of the engine:"
        printf '%s\n' "$bad" | sed 's/^/    | /'
    else
        passed=$((passed + 1))
    fi
}
n=0
for f in "$ROOT"/lab/tui/*.c "$ROOT"/lab/tui/*.h; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    check "$f"
done
if [ "$n" = 0 ]; then
    failed=$((failed + 1))
    echo "FAIL: screen-headers: no file under lab/tui"
fi
for f in "$ROOT"/engines/acid/engine.h "$ROOT"/engines/acid/view.h; do
    check "$f"
done
echo "screen-headers: $passed passed, $failed failed"
[ "$failed" = 0 ]
