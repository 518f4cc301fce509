#!/usr/bin/env python3
"""corrupt.py: torn and corrupt files (issue 8, "Torn and corrupt logs").

    python3 tests/crash/corrupt.py --bin ACIDBASE [--every N]

Builds one database with `ACIDBASE run FILE --dir DIR` (a table of twelve accounts, a
checkpoint, then three committed transactions after it), damages a copy of it in each of
the ways below, opens the copy with `ACIDBASE run - --dir COPY` and checks what happens:

  torn tail        the last record half written, or one of its bits flipped, or the file
                   cut in the middle of a record, or garbage appended after the end:
                   recovery cuts the tail, says so ("a torn log tail was cut off at offset
                   X (N bytes: why)"), exit 0, and the table is exactly the committed state
                   before the damaged record (a COMMIT that lost its record is undone);
  zeros appended   the log's preallocated zeros (what a real crash leaves): a clean end,
                   no message, every commit there;
  middle damage    a flipped bit in a record that whole records follow (including the
                   checkpoint record): recovery refuses, exit 3, a message naming the
                   offset, how many records and commits follow and the `truncate` command
                   that would cut it, and the files are byte for byte unchanged;
  bad header       exit 3, "not an acidbase log";
  data page        a flipped bit in a page of the data file: exit 3, the page named;
  lost durable log the log cut before a change the data file already holds (so records
                   that were durable are gone: a torn tail cannot do that, W3): exit 3,
                   "the log has lost records that were durable", files unchanged;
  every byte       then each byte of the log after the checkpoint in turn (every Nth with
                   --every N) gets one bit flipped: never a wrong table in silence. Either
                   the run refuses (exit 3, message, files unchanged), or it opens with a
                   torn-tail message and a committed prefix of the history, or the flip was
                   in bytes no reader looks at (after the last record, or in a record whose
                   transaction's outcome is the same: there are none; counted separately).

Each check prints a line on failure; the last line is "corrupt: N passed, N failed".
"""

import argparse
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

BUILD = """setup: CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)
setup: INSERT INTO accounts VALUES (1,100),(2,100),(3,100),(4,100),(5,100),(6,100),(7,100),(8,100),(9,100),(10,100),(11,100),(12,100)
T1: UPDATE accounts SET balance = balance - 10 WHERE id = 1
engine: checkpoint
engine: evict
T1: UPDATE accounts SET balance = balance + 10 WHERE id = 12
T2: UPDATE accounts SET balance = balance + 5 WHERE id = 3
T1: UPDATE accounts SET balance = balance + 7 WHERE id = 7
"""

# Four frames hold the table's three pages, and `engine: evict` writes them all before the
# last three transactions: the data file is no newer than the checkpoint, so a cut
# anywhere after the checkpoint is a torn tail a real crash could leave.

# The committed states, in order: after the setup and T1's first update (as of the
# checkpoint), then after each of the three transactions after it.
BASE = {i: 100 for i in range(1, 13)}
BASE[1] = 90
STATES = [dict(BASE)]
for k, d in ((12, 10), (3, 5), (7, 7)):
    s = dict(STATES[-1])
    s[k] += d
    STATES.append(s)


def fmt(state):
    return "{" + ", ".join("%d:%d" % (k, state[k]) for k in sorted(state)) + "}"


class Suite:
    def __init__(self, binary, tmp):
        self.bin = binary
        self.tmp = tmp
        self.passed = 0
        self.failed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL: " + what)

    def run(self, directory, stdin):
        p = subprocess.run([self.bin, "run", "-", "--dir", directory], input=stdin,
                           capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr


def records(log):
    """(offset, length, type) of every record of a log file's bytes."""
    out = []
    off = 16
    while off + 4 <= len(log):
        n = struct.unpack("<I", log[off:off + 4])[0]
        if n < 36 or off + n > len(log):
            break
        out.append((off, n, log[off + 4]))
        off += n
    return out


def snapshot(directory):
    return {name: open(os.path.join(directory, name), "rb").read()
            for name in sorted(os.listdir(directory))}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--every", type=int, default=1)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="acidbase-corrupt-")
    try:
        return body(Suite(os.path.abspath(a.bin), tmp), a.every)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def body(t, every):
    pristine = os.path.join(t.tmp, "pristine")
    os.mkdir(pristine)
    scn = os.path.join(t.tmp, "build.scn")
    with open(scn, "w") as f:
        f.write(BUILD)
    p = subprocess.run([t.bin, "run", scn, "--dir", pristine, "--quiet"], capture_output=True, text=True)
    if p.returncode != 0:
        print("FAIL: building the database: exit %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
        print("corrupt: 0 passed, 1 failed")
        return 1
    log = open(os.path.join(pristine, "acidbase.log"), "rb").read()
    recs = records(log)
    ckpt = [r for r in recs if r[2] == 8]
    commits = [r for r in recs if r[2] == 5]
    t.check(len(ckpt) == 1 and len(commits) >= 3 and recs[-1][0] + recs[-1][1] == len(log),
            "the built log has one checkpoint, commits after it, and ends at its last record")
    # Commits after the checkpoint, in order: the end offsets of states 1..3.
    after = [r for r in commits if r[0] > ckpt[0][0]]
    commit_end = [r[0] + r[1] for r in after]

    def state_for_cut(cut):
        """The committed state when the log is cut at offset cut."""
        k = sum(1 for e in commit_end if e <= cut)
        return STATES[k]

    copy_n = [0]

    def damaged(fn):
        copy_n[0] += 1
        d = os.path.join(t.tmp, "copy%d" % copy_n[0])
        shutil.copytree(pristine, d)
        fn(d)
        return d

    def flip(d, name, off, mask=0x10):
        path = os.path.join(d, name)
        b = bytearray(open(path, "rb").read())
        b[off] ^= mask
        open(path, "wb").write(bytes(b))

    def truncate(d, size):
        os.truncate(os.path.join(d, "acidbase.log"), size)

    def append(d, data):
        with open(os.path.join(d, "acidbase.log"), "ab") as f:
            f.write(data)

    query = "T1: SELECT * FROM accounts\n"

    def opens_as(d, state, torn_at, label, torn_bytes=None):
        rc, out, err = t.run(d, query)
        t.check(rc == 0, "%s: exit %d, expected 0 (%s)" % (label, rc, err.strip()[:300]))
        t.check(fmt(state) in out, "%s: the table is not %s:\n%s" % (label, fmt(state), out))
        if torn_at is None:
            t.check("torn" not in out, "%s: a torn tail reported where there is none:\n%s" % (label, out))
        else:
            m = re.search(r"a torn log tail was cut off at offset (\d+) \((\d+) bytes?: ([^)]*)\)", out)
            t.check(m is not None and int(m.group(1)) == torn_at,
                    "%s: expected 'a torn log tail was cut off at offset %d (...)':\n%s" % (label, torn_at, out))
            if m and torn_bytes is not None:
                t.check(int(m.group(2)) == torn_bytes, "%s: %s bytes cut, expected %d" % (label, m.group(2), torn_bytes))
        return out

    def refuses(d, label, *needles):
        before = snapshot(d)
        rc, out, err = t.run(d, query)
        t.check(rc == 3, "%s: exit %d, expected 3" % (label, rc))
        for n in needles:
            t.check(n in err, "%s: stderr lacks %r:\n%s" % (label, n, err))
        t.check(snapshot(d) == before, "%s: the files changed although the run refused" % label)
        return err

    last_off, last_len, _ = recs[-1]
    # A half-written last record (the last COMMIT): that transaction is undone.
    d = damaged(lambda d: truncate(d, last_off + last_len // 2))
    opens_as(d, STATES[2], last_off, "half-written last record", last_len // 2)
    # The cut is durable: a second open finds a clean log.
    opens_as(d, STATES[2], None, "reopened after the torn tail was cut")
    d = damaged(lambda d: flip(d, "acidbase.log", last_off + last_len - 6))
    opens_as(d, STATES[2], last_off, "a flipped bit in the last record", last_len)
    # The file cut in the middle of the first record after the checkpoint.
    first_after = [r for r in recs if r[0] > ckpt[0][0]][0]
    d = damaged(lambda d: truncate(d, first_after[0] + 10))
    opens_as(d, STATES[0], first_after[0], "the log truncated inside a record", 10)
    d = damaged(lambda d: append(d, bytes((i * 37 + 11) % 256 for i in range(300))))
    opens_as(d, STATES[3], len(log), "garbage appended", 300)
    d = damaged(lambda d: append(d, bytes(65536)))
    opens_as(d, STATES[3], None, "zeros appended (preallocation)")
    # Damage in the middle: a bit of the first record after the checkpoint, and of the
    # checkpoint record itself.
    mid = [r for r in recs if r[0] > ckpt[0][0]][1]
    d = damaged(lambda d: flip(d, "acidbase.log", mid[0] + 20))
    err = refuses(d, "a flipped bit in the middle of the log", "damaged at offset %d" % mid[0],
                  "truncate -s %d" % mid[0], "commit")
    d = damaged(lambda d: flip(d, "acidbase.log", ckpt[0][0] + 40))
    refuses(d, "a flipped bit in the checkpoint record", "damaged at offset %d" % ckpt[0][0])
    d = damaged(lambda d: flip(d, "acidbase.log", 3))
    refuses(d, "a damaged log header", "not an acidbase log")
    d = damaged(lambda d: flip(d, "acidbase.db", 300))
    refuses(d, "a flipped bit in a data page", "page", "damaged")
    # The log cut before the newest page's change: records that were durable are gone.
    newest = max(r for r in recs if r[0] < ckpt[0][0] and r[2] == 3)
    d = damaged(lambda d: truncate(d, newest[0]))
    refuses(d, "the log cut before a change the data file holds", "lost records that were durable",
            "Nothing was changed")
    # Following the advice in the message opens the database, with the work before it.
    d = damaged(lambda d: flip(d, "acidbase.log", mid[0] + 20))
    truncate(d, mid[0])
    opens_as(d, state_for_cut(mid[0]), None, "after cutting the log as the message says")

    # Every byte after the checkpoint, one bit flipped.
    tried = refused = cut = 0
    for off in range(ckpt[0][0], len(log), every):
        d = damaged(lambda d: flip(d, "acidbase.log", off, 0x01 << (off % 8)))
        before = snapshot(d)
        rc, out, err = t.run(d, query)
        tried += 1
        if rc == 3:
            refused += 1
            t.check(snapshot(d) == before and "damaged" in err,
                    "byte %d: refused without a message or with the files changed:\n%s" % (off, err))
        else:
            m = re.search(r"a torn log tail was cut off at offset (\d+)", out)
            ok = rc == 0 and m is not None and fmt(state_for_cut(int(m.group(1)))) in out
            cut += ok
            t.check(ok, "byte %d: exit %d, neither refused nor a torn tail with the committed prefix:\n%s%s"
                    % (off, rc, out, err))
        shutil.rmtree(d)
    print("corrupt: %d single-bit flips in the log after its checkpoint: %d refused (damage in the middle), "
          "%d cut as a torn tail, every one detected" % (tried, refused, cut))
    print("corrupt: %d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
