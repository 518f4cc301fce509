#!/bin/sh
# tests/layout/run.sh BIN: the layout's rules, checked on the build (assets/doc/design.md).
#
#   1. No cycle between modules: from `nm` over the objects of the build BIN came from (the
#      sanitized build under make test), which object uses a symbol another defines; any
#      cycle in that graph (a.o uses b.o, which uses ... a.o) fails, and every cycle found is
#      printed, one per strongly connected group of objects, as a path back to its start.
#   2. engines/ are libraries: no file under engines/ includes curses, SQLite, cJSON or a lab
#      header.
#   3. Every source file has its object in the build (so 1 saw all of them).
# Prints "layout: N passed, N failed" and exits 1 if anything failed.
set -u
BIN=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case $BIN in /*) ;; *) BIN=$(pwd)/$BIN ;; esac
OBJ=$(cd "$(dirname "$BIN")" && pwd)
[ -f "$OBJ/lab/cli/main.o" ] || OBJ=$OBJ/build/rel   # ./acidbase is built from build/rel
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: layout: $*"; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ab-layout.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT

if ! command -v nm >/dev/null 2>&1; then
  echo "FAIL: layout: the test needs nm (binutils)"
  echo "layout: 0 passed, 1 failed"
  exit 1
fi

# ---- 3. the objects of today's sources ---------------------------------------------------------
cd "$ROOT" || exit 2
: >"$TMP/objs"
missing=
for src in engines/*/*.c lab/*/*.c lab/*/*/*.c; do
  [ -f "$src" ] || continue
  o="$OBJ/${src%.c}.o"
  if [ -f "$o" ]; then echo "${src%.c}.o" >>"$TMP/objs"; else missing="$missing ${src%.c}.o"; fi
done
if [ -z "$missing" ]; then ok; else bad "objects not built under $OBJ:$missing"; fi

# ---- 1. no cycle between object files ---------------------------------------------------------
# "D name obj" for each global symbol an object defines, "U name obj" for each it uses: two
# runs of nm over all the objects (-A: each line starts with "FILE:").
(cd "$OBJ" && xargs nm -A -g --defined-only <"$TMP/objs" 2>/dev/null) |
  awk '{ f = $1; sub(/:[^:]*$/, "", f); if (NF >= 3) print "D", $3, f }' >"$TMP/syms"
(cd "$OBJ" && xargs nm -A -u <"$TMP/objs" 2>/dev/null) |
  awk '{ f = $1; sub(/:[^:]*$/, "", f); if (NF >= 2) print "U", $NF, f }' >>"$TMP/syms"

awk '
    $1 == "D" { def[$2] = $3 }
    $1 == "U" { use[++nu] = $2; user[nu] = $3 }
    END {
        # The graph: an edge a -> b when a uses what b defines (b != a), with one symbol
        # that makes it, for the message.
        for (i = 1; i <= nu; i++) {
            b = def[use[i]]
            a = user[i]
            if (b == "" || b == a || ((a, b) in why))
                continue
            why[a, b] = use[i]
            adj[a] = adj[a] " " b
            node[a] = 1
            node[b] = 1
        }
        # Tarjan: strongly connected components, iteratively.
        idx = 0
        for (v in node) {
            if (v in index_)
                continue
            sp = 0
            cs[++sp] = v; it[sp] = 0
            index_[v] = idx; low[v] = idx; idx++
            st[++top] = v; on[v] = 1
            while (sp > 0) {
                v0 = cs[sp]
                n = split(adj[v0], nb, " ")
                if (it[sp] < n) {
                    it[sp]++
                    w = nb[it[sp]]
                    if (w == "")
                        continue
                    if (!(w in index_)) {
                        index_[w] = idx; low[w] = idx; idx++
                        st[++top] = w; on[w] = 1
                        cs[++sp] = w; it[sp] = 0
                    } else if (on[w] && index_[w] < low[v0]) {
                        low[v0] = index_[w]
                    }
                    continue
                }
                if (low[v0] == index_[v0]) {
                    k = 0
                    do { x = st[top--]; on[x] = 0; comp[x] = v0; k++ } while (x != v0)
                    size[v0] = k
                }
                sp--
                if (sp > 0 && low[v0] < low[cs[sp]])
                    low[cs[sp]] = low[v0]
            }
        }
        # One cycle per component of more than one object: a path from its root back to it,
        # by breadth-first search inside the component.
        ncyc = 0
        for (r in size) {
            if (size[r] < 2)
                continue
            delete prev
            delete seen
            qh = 1; qt = 0
            q[++qt] = r; seen[r] = 1
            found = ""
            while (qh <= qt && found == "") {
                u = q[qh++]
                n = split(adj[u], nb, " ")
                for (j = 1; j <= n; j++) {
                    w = nb[j]
                    if (w == "" || comp[w] != r)
                        continue
                    if (w == r) { found = u; break }
                    if (!(w in seen)) { seen[w] = 1; prev[w] = u; q[++qt] = w }
                }
            }
            path = r
            for (x = found; x != r; x = prev[x])
                path = x " -> " path
            path = r " -> " path
            # The symbols along the way.
            m = split(path, p, " -> ")
            syms = ""
            for (j = 1; j < m; j++)
                syms = syms (j > 1 ? ", " : "") p[j] " uses " why[p[j], p[j + 1]] "()"
            printf "cycle: %s\n    (%s)\n", path, syms
            if (size[r] > m - 1) {
                members = ""
                for (x in comp)
                    if (comp[x] == r)
                        members = members " " x
                printf "    the group of %d objects around it:%s\n", size[r], members
            }
            ncyc++
        }
        exit ncyc > 0
    }' "$TMP/syms" >"$TMP/cycles"
if [ $? = 0 ]; then ok; else
  bad "cycles between object files ($(grep -c '^cycle:' "$TMP/cycles")):"
  sed 's/^/    /' "$TMP/cycles"
fi

# ---- 2. engines are libraries ---------------------------------------------------------------------
grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]((n?curses(w)?|ncursesw/[a-z]+|term|panel|menu|form)\.h|sqlite3\.h|cjson/cJSON\.h|cJSON\.h|(lab|cli|run|trace|learn|tui)/)' \
  engines/*/*.c engines/*/*.h >"$TMP/incl" 2>/dev/null
if [ ! -s "$TMP/incl" ]; then ok; else
  bad "engines/ include what a library must not (curses, SQLite, cJSON, the lab):"
  sed 's/^/    /' "$TMP/incl"
fi

echo "layout: $pass passed, $fail failed"
[ "$fail" = 0 ]
