#!/bin/sh
# tests/lessons/run.sh: the lesson format and `acidbase lessons` / `acidbase lesson` from
# the outside.
#
#   sh tests/lessons/run.sh ACIDBASE_BIN
#
# 1. every tests/lessons/*.lesson says on its first line what `lessons --verify` must find:
#        # want: ok                               it verifies
#        # want: NAME.lesson:LINE:COL: message    this exact problem is reported
#    and the whole directory verifies with exit 1, one FAIL per bad file, a closing count;
#    each good file alone verifies with exit 0;
# 2. the listing: ok and "broken: FILE:LINE:COL: message" statuses, exit 1 when any is broken;
# 3. lesson ID --show (story pages, blank lines, continuations, indentation kept), by id,
#    number and file name; --solution; a broken lesson; no such lesson (without --show,
#    `lesson` opens the lab's screen: tests/tui);
# 4. across files: a duplicate id, a duplicate number; limits: a file over 64 KiB, a line
#    over 4095 bytes; an empty directory; the complete example of lessons/README.md;
# 5. the command line: --help, usage errors (2), a missing directory (3).
#
# Prints "FAIL: ..." per failure and ends with "lessons: N passed, N failed".

if [ $# -ne 1 ]; then
    echo "usage: sh tests/lessons/run.sh ACIDBASE_BIN" >&2
    exit 2
fi
bin=$1
case $bin in
/*) ;;
*) bin=$(pwd)/$bin ;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/acidbase-lesson-tests.XXXXXX") || exit 2
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

# $1 = description, $2 = expected exit status, rest = command, run in $root;
# output in $tmp/out and $tmp/err. Returns 1 (after reporting) when the status differs.
run() {
    desc=$1
    want=$2
    shift 2
    (cd "$root" && $limit "$@" >"$tmp/out" 2>"$tmp/err" </dev/null)
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

# $1 = description, $2 = file ($tmp/out or $tmp/err), $3 = fixed text that must appear.
has() {
    if grep -F -q -e "$3" "$2"; then
        pass
    else
        fail "$1: no '$3' in"
        show "$2"
    fi
}
lacks() {
    if grep -F -q -e "$3" "$2"; then
        fail "$1: '$3' should not be in"
        show "$2"
    else
        pass
    fi
}

# ---- 1. verify: every file's wanted verdict ---------------------------------------------
dir=tests/lessons
if run "lessons --verify --dir $dir" 1 "$bin" lessons --verify --dir "$dir"; then pass; fi
cp "$tmp/out" "$tmp/verify.out"
nbad=0
ngood=0
for path in "$root/$dir"/*.lesson; do
    name=$(basename "$path")
    want=$(sed -n '1s/^# want: //p' "$path")
    if [ -z "$want" ]; then
        fail "$dir/$name: the first line is not '# want: ...'"
        continue
    fi
    if [ "$want" = ok ]; then
        ngood=$((ngood + 1))
        id=$(sed -n 's/^id: *//p' "$path" | head -n 1)
        if grep -E -q "^ok   [-0-9]+ $id: " "$tmp/verify.out"; then
            pass
        else
            fail "$dir/$name should verify (ok ... $id:)"
            show "$tmp/verify.out"
        fi
        # alone, in a directory of its own: exit 0
        mkdir -p "$tmp/alone"
        rm -f "$tmp/alone"/*.lesson
        cp "$path" "$tmp/alone/"
        if run "$name alone: lessons --verify" 0 "$bin" lessons --verify --dir "$tmp/alone"; then
            has "$name alone" "$tmp/out" "verified: 1 ok, 0 failed"
        fi
    else
        nbad=$((nbad + 1))
        if grep -F -x -q -e "  $dir/$want" "$tmp/verify.out"; then
            pass
        else
            fail "$dir/$name: expected the problem '$dir/$want'; verify said:"
            grep -F -e "$dir/$name" "$tmp/verify.out" | sed 's/^/    | /'
        fi
    fi
done
nfail=$(grep -c '^FAIL ' "$tmp/verify.out")
if [ "$nfail" -eq "$nbad" ]; then pass; else fail "verify: $nfail FAIL lines for $nbad bad files"; fi
has "verify: the closing count" "$tmp/verify.out" "verified: $ngood ok, $nbad failed"

# Only the lessons named.
if run "lessons --verify ID" 0 "$bin" lessons --verify --dir "$dir" test-dirty-read; then
    has "lessons --verify ID" "$tmp/out" "verified: 1 ok, 0 failed"
fi

# ---- 2. the listing ------------------------------------------------------------------------
if run "lessons --dir (some broken)" 1 "$bin" lessons --dir "$dir"; then
    has "listing" "$tmp/out" "Dirty read (test)"
    if grep -E -q '^ +- +test-dirty-read +Dirty read \(test\) +I +(new +)?ok$' "$tmp/out"; then pass; else fail "listing: row of an ok lesson"; show "$tmp/out"; fi
    has "listing: broken status" "$tmp/out" "broken: $dir/duplicate-goal.lesson:14:6: duplicate goal 'read'"
    if grep -E -q '^ +# +id +title +part +(progress +)?status$' "$tmp/out"; then pass; else fail "listing: no header line"; show "$tmp/out"; fi
fi
if run "lessons (good only)" 0 "$bin" lessons --dir "$dir" test-dirty-read test-stale-read; then
    if grep -E -q 'test-stale-read +Stale read \(test\) +II +(new +)?ok$' "$tmp/out"; then pass; else fail "listing: BASE lesson row"; show "$tmp/out"; fi
fi

# ---- 3. lesson --show --------------------------------------------------------------------------
if run "lesson ID --show" 0 "$bin" lesson test-dirty-read --show --dir "$dir"; then
    has "show: title" "$tmp/out" "Lesson -: Dirty read (test)"
    has "show: pages" "$tmp/out" "STORY, page 2 of 2"
    has "show: a blank line kept in the story" "$tmp/out" "
  (A blank line inside the story is kept.)"
    has "show: moves" "$tmp/out" "  T2: SELECT * FROM accounts WHERE id = 1   # the dirty read"
    has "show: goal with weight" "$tmp/out" "1. saw-100 (weight 2)"
    has "show: checks" "$tmp/out" "       expect T2 level READ UNCOMMITTED"
    has "show: a tab-indented check" "$tmp/out" "       expect anomaly G1a"
    has "show: why continued" "$tmp/out" "READ UNCOMMITTED takes no locks, so it sees what T1 has not committed."
    has "show: hint continued" "$tmp/out" "Then let T2 read, before T1 rolls back."
    has "show: deeper indentation kept" "$tmp/out" "    Indented deeper: kept."
    has "show: controls" "$tmp/out" "controls: sessions isolation"
    lacks "show without --solution" "$tmp/out" "REFERENCE SOLUTION"
fi
if run "lesson ID --show --solution" 0 "$bin" lesson test-dirty-read --show --solution --dir "$dir"; then
    has "show --solution" "$tmp/out" "REFERENCE SOLUTION"
fi
if run "lesson FILE-NAME --show" 0 "$bin" lesson good-stale-read --show --dir "$dir"; then
    has "show by file name" "$tmp/out" "Stale read (test)"
fi
if run "lesson broken --show" 1 "$bin" lesson test-duplicate-goal --show --dir "$dir"; then
    has "show broken" "$tmp/err" "$dir/duplicate-goal.lesson:14:6: duplicate goal"
fi
if run "lesson no-such --show" 2 "$bin" lesson test-dirty-reed --show --dir "$dir"; then
    has "no such lesson" "$tmp/err" "did you mean test-dirty-read?"
fi

# ---- 4. across files; limits -----------------------------------------------------------------
mkdir -p "$tmp/dup"
cp "$root/$dir/good-dirty-read.lesson" "$tmp/dup/a.lesson"
cp "$root/$dir/good-dirty-read.lesson" "$tmp/dup/b.lesson"
if run "duplicate id" 1 "$bin" lessons --dir "$tmp/dup"; then
    has "duplicate id" "$tmp/out" "broken: $tmp/dup/b.lesson:3:5: duplicate id 'test-dirty-read' (also $tmp/dup/a.lesson)"
fi
sed 's/^id: .*/id: other/' "$tmp/dup/b.lesson" >"$tmp/dup/b.tmp" && mv "$tmp/dup/b.tmp" "$tmp/dup/b.lesson"
sed -i.bak 's/^number: 0/number: 3/' "$tmp/dup/a.lesson" "$tmp/dup/b.lesson" && rm -f "$tmp/dup"/*.bak
if run "duplicate number" 1 "$bin" lessons --dir "$tmp/dup"; then
    has "duplicate number" "$tmp/out" "broken: $tmp/dup/b.lesson:4:9: lesson number 3 is taken (by $tmp/dup/a.lesson)"
fi
if run "lesson N --show" 0 "$bin" lesson 3 --show --dir "$tmp/dup"; then
    has "lesson by number" "$tmp/out" "Lesson 3: Dirty read (test)"
fi

mkdir -p "$tmp/big"
cp "$root/$dir/good-dirty-read.lesson" "$tmp/big/big.lesson"
i=0
while [ $i -lt 1000 ]; do
    echo "# A comment line, one of many, to go past the limit of the file size: line $i."
    i=$((i + 1))
done >>"$tmp/big/big.lesson"
if run "file over 64 KiB" 1 "$bin" lessons --dir "$tmp/big"; then
    has "file over 64 KiB" "$tmp/out" "the file is larger than 64 KiB"
fi
rm -f "$tmp/big"/*.lesson
awk 'NR == 4 { printf "title: "; for (i = 0; i < 4100; i++) printf "x"; print ""; next } { print }' \
    "$root/$dir/good-dirty-read.lesson" >"$tmp/big/long.lesson"
if run "line over 4095 bytes" 1 "$bin" lessons --dir "$tmp/big"; then
    has "line over 4095 bytes" "$tmp/out" "$tmp/big/long.lesson:4:4096: line too long (at most 4095 bytes)"
fi

mkdir -p "$tmp/empty"
if run "an empty directory" 0 "$bin" lessons --verify --dir "$tmp/empty"; then
    has "an empty directory" "$tmp/out" "no lessons in $tmp/empty"
fi

# The complete example of lessons/README.md verifies as it stands.
mkdir -p "$tmp/readme"
awk '/^## A complete small lesson/ { on = 1; next }
     on && /^```/ { if (inside) exit; inside = 1; next }
     inside { print }' "$root/lessons/README.md" >"$tmp/readme/example.lesson"
if [ -s "$tmp/readme/example.lesson" ] &&
    run "the README's example: lessons --verify" 0 "$bin" lessons --verify --dir "$tmp/readme"; then
    has "the README's example" "$tmp/out" "verified: 1 ok, 0 failed"
elif [ ! -s "$tmp/readme/example.lesson" ]; then
    fail "no example found in lessons/README.md under '## A complete small lesson'"
fi

# ---- 5. the command line -------------------------------------------------------------------------
if run "lessons --help" 0 "$bin" lessons --help; then has "lessons --help" "$tmp/out" "exit status:"; fi
if run "lesson --help" 0 "$bin" lesson --help; then has "lesson --help" "$tmp/out" "exit status with --show"; fi
if run "lessons --bogus" 2 "$bin" lessons --bogus; then pass; fi
if run "lessons --dir (no value)" 2 "$bin" lessons --dir; then pass; fi
if run "lesson (no id)" 2 "$bin" lesson --show; then pass; fi
if run "lesson a b" 2 "$bin" lesson a b --show; then pass; fi
if run "lessons --dir missing" 3 "$bin" lessons --dir "$tmp/no-such-dir"; then
    has "lessons --dir missing" "$tmp/err" "cannot read the lessons in $tmp/no-such-dir"
fi
if run "lesson --dir missing" 3 "$bin" lesson 1 --show --dir "$tmp/no-such-dir"; then pass; fi

# ---- grading a trace against a lesson's goals ----------------------------------------------
# The reference solution of the dirty-read lesson earns every goal's weight (its prediction
# included: a predict: line replays); the setup alone earns none. Lessons are named by id.
root=$(cd "$(dirname "$0")/../.." && pwd)
l5=$(grep -l "^id: dirty-read$" "$root"/lessons/*.lesson | head -n 1)
if [ -n "$l5" ]; then
    sect() { sed -n "/^$1:/,/^[a-z]/p" "$l5" | grep '^  ' | sed 's/^  //'; }
    { sect setup; sect solution; } > "$tmp/l5-solved.scn"
    sect setup > "$tmp/l5-setup.scn"
    "$bin" run "$tmp/l5-solved.scn" --quiet --trace "$tmp/l5-solved.json" >/dev/null 2>&1
    "$bin" run "$tmp/l5-setup.scn" --quiet --trace "$tmp/l5-setup.json" >/dev/null 2>&1
    (cd "$root" && "$bin" grade "$tmp/l5-solved.json" --lesson dirty-read --format json > "$tmp/g1.json" 2>&1); rc=$?
    if [ $rc = 0 ] && python3 -c "
import json,sys; d=json.load(open('$tmp/g1.json'))
r=d['traces'][0]
assert r['score'] == r['max_score'] and r['max_score'] >= 2, r" 2>/dev/null; then pass
    else fail "grade --lesson dirty-read of the reference solution: exit $rc, not full marks"; cat "$tmp/g1.json" | head -5; fi
    (cd "$root" && "$bin" grade "$tmp/l5-setup.json" --lesson dirty-read > "$tmp/g2.txt" 2>&1); rc=$?
    if [ $rc = 1 ] && grep -q "goal dirty" "$tmp/g2.txt" && grep -q " 0 of [0-9]" "$tmp/g2.txt"; then pass
    else fail "grade --lesson of the setup alone: exit $rc"; head -5 "$tmp/g2.txt"; fi
    (cd "$root" && "$bin" grade "$tmp/l5-setup.json" --lesson no-such-lesson > "$tmp/g3.txt" 2>&1); rc=$?
    if [ $rc = 2 ] && grep -q "no such lesson" "$tmp/g3.txt"; then pass; else fail "grade --lesson unknown: exit $rc"; fi
else
    fail "no lesson with id dirty-read in lessons/"
fi

echo "lessons: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
