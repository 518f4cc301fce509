#!/usr/bin/env python3
"""corrupt.py: the corruption matrix (issue 8, "Torn and corrupt logs"; issue 15, item 4
and "Must show").

    python3 tests/crash/corrupt.py --bin ACIDBASE [--every N]

Builds one database with `ACIDBASE run FILE --dir DIR` (BUILD below: a table of accounts,
a transaction open across a checkpoint that cuts the log, pages evicted before and after
the checkpoint, a page created after it, five commits after it), then damages a copy of
it in every way of the matrix, opens the copy with `ACIDBASE run - --dir COPY`, reads the
table and judges the outcome:

  damage    flip (one byte XORed), zero (a unit set to zero bytes), truncate (the file cut
            there), swap (a unit exchanged with the next one), append (garbage, or zeros,
            after the end)
  file      the log and the data file
  where     every 256-byte page of either file (the data file's pages are its units; the
            log is cut into 256-byte blocks too), and for the log also every record (flip
            its middle byte, zero it, cut the file at its start and in its middle, swap it
            with the next record)

  Each case must end in one of these, and nothing else:
    refused    exit 3, a message on stderr naming what is damaged, both files unchanged
               byte for byte;
    whole      exit 0, the table as the build left it (every acknowledged commit);
    cut        exit 0, recovery reports where the log was cut (a torn tail, or a zero tail:
               "the log ends at offset X"), and the table is exactly the state of the
               commits whose records end before that offset;
    boundary   exit 0, no report, the state of an earlier commit: only for a log truncated
               exactly between two records after the last checkpoint, which looks like a
               log that was never longer (no record says how long the log was; a truncation
               before the checkpoint, or behind a change the data file already holds, is
               refused). A documented limit (RELIABILITY.md); any other case ending so is a
               failure;
  anything else is "silently wrong" and fails the run.

Then the named cases of issue 8 (a torn last record, a bad header, middle damage with the
`truncate` advice that opens the database), and one bit flipped at every byte of the log
(every Nth with --every N), judged the same way.

Each failure prints a line; then the counts per outcome ("corrupt: matrix ...") and
"corrupt: N passed, N failed".
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
T2: BEGIN
T2: UPDATE accounts SET balance = balance + 1 WHERE id = 2
engine: evict
engine: checkpoint
T2: COMMIT
T1: UPDATE accounts SET balance = balance + 10 WHERE id = 12
T3: INSERT INTO accounts VALUES (13, 100), (14, 100), (15, 100), (16, 100)
engine: evict
T2: UPDATE accounts SET balance = balance + 5 WHERE id = 3
T1: UPDATE accounts SET balance = balance + 7 WHERE id = 7
"""
# Five rows a page: accounts 1-5 on page 1, 6-10 on page 2, 11-15 on page 3, 16 on page 4
# (created after the checkpoint). The checkpoint cuts the log before T2's first record (T2
# is open). The committed states after the checkpoint, in log order:
BASE = {i: 100 for i in range(1, 13)}
BASE[1] = 90
STATES = [dict(BASE)]
for change in ({2: 1}, {12: 10}, {13: 100, 14: 100, 15: 100, 16: 100}, {3: 5}, {7: 7}):
    s = dict(STATES[-1])
    for k, d in change.items():
        s[k] = s.get(k, 0) + d
    STATES.append(s)
FULL = STATES[-1]


def fmt(state):
    return "{" + ", ".join("%d:%d" % (k, state[k]) for k in sorted(state)) + "}"


class Suite:
    def __init__(self, binary, tmp):
        self.bin = binary
        self.tmp = tmp
        self.passed = 0
        self.failed = 0
        self.counts = {"refused": 0, "whole": 0, "cut": 0, "boundary": 0}

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
    db = open(os.path.join(pristine, "acidbase.db"), "rb").read()
    recs = records(log)
    base = struct.unpack("<Q", log[8:16])[0]
    ckpt = [r for r in recs if r[2] == 8]
    commits = [r for r in recs if r[2] == 5]
    t.check(base > 0 and len(ckpt) == 1 and len(commits) == 5 and recs[-1][0] + recs[-1][1] == len(log),
            "the built log was cut (base %d), holds one checkpoint and five commits, and ends at its last record"
            % base)
    t.check(len(db) == 5 * 256, "the built data file has its header and four pages (%d bytes)" % len(db))
    commit_end = [r[0] + r[1] for r in commits]
    bounds = {r[0] for r in recs} | {len(log)}

    def state_for_cut(cut):
        """The committed state when the log is cut at file offset cut."""
        return STATES[sum(1 for e in commit_end if e <= cut)]

    copy_n = [0]

    def damaged(fn):
        copy_n[0] += 1
        d = os.path.join(t.tmp, "copy%d" % copy_n[0])
        shutil.copytree(pristine, d)
        fn(d)
        return d

    def edit(d, name, fn):
        path = os.path.join(d, name)
        b = bytearray(open(path, "rb").read())
        b = fn(b)
        open(path, "wb").write(bytes(b))

    query = "T1: SELECT * FROM accounts\n"

    def judge(d, label, boundary_ok=False):
        """Opens a damaged copy; returns the outcome (and counts a failure if none fits)."""
        before = snapshot(d)
        rc, out, err = t.run(d, query)
        outcome = None
        if rc == 3:
            if err.strip() and snapshot(d) == before:
                outcome = "refused"
            else:
                t.check(False, "%s: refused, but %s" % (label, "the files changed" if err.strip() else "without a message"))
                return "bad"
        elif rc == 0:
            m = re.search(r"a torn log tail was cut off at offset (\d+)|the log ends at offset (\d+), followed by", out)
            got = re.search(r"T1: SELECT \* FROM accounts  -> (\{[^}]*\})", out)
            table = got.group(1) if got else None
            if m:
                cut = int(m.group(1) or m.group(2))
                if table == fmt(state_for_cut(cut)):
                    outcome = "whole" if state_for_cut(cut) == FULL else "cut"
            elif table == fmt(FULL):
                outcome = "whole"
            elif boundary_ok and table in [fmt(s) for s in STATES]:
                outcome = "boundary"
            if outcome is None:
                t.check(False, "%s: SILENTLY WRONG: exit 0, table %s (the full one is %s)%s\n%s" % (
                    label, table, fmt(FULL), ", cut reported at %s" % (m.group(1) or m.group(2)) if m else "",
                    out[-600:]))
                return "bad"
        else:
            t.check(False, "%s: exit %d (expected 0 or 3): %s" % (label, rc, err.strip()[-300:]))
            return "bad"
        t.check(True, label)
        t.counts[outcome] += 1
        shutil.rmtree(d, ignore_errors=True)
        return outcome

    # --- the matrix ------------------------------------------------------------------------
    files = {"acidbase.log": log, "acidbase.db": db}
    for name, data in files.items():
        npages = (len(data) + 255) // 256
        for pg in range(npages):
            lo, hi = pg * 256, min(len(data), pg * 256 + 256)
            mid = (lo + hi) // 2
            lab = "%s page %d" % (name, pg)
            for off in sorted({lo, lo + 8, lo + 20, mid, hi - 1}):
                judge(damaged(lambda d, o=off: edit(d, name, lambda b: (b.__setitem__(o, b[o] ^ 0xA5), b)[1])),
                      "%s: byte %d XOR 0xA5" % (lab, off))
            judge(damaged(lambda d: edit(d, name, lambda b: b[:lo] + bytes(hi - lo) + b[hi:])), "%s: zeroed" % lab)
            judge(damaged(lambda d: edit(d, name, lambda b: b[:lo])), "%s: the file truncated there" % lab,
                  boundary_ok=name == "acidbase.log" and lo in bounds)
            if hi - lo == 256 and hi + 256 <= len(data):
                judge(damaged(lambda d: edit(d, name, lambda b: b[:lo] + b[hi:hi + 256] + b[lo:hi] + b[hi + 256:])),
                      "%s: swapped with page %d" % (lab, pg + 1))
        junk = bytes((i * 37 + 11) % 256 for i in range(300))
        judge(damaged(lambda d: edit(d, name, lambda b: b + junk)), "%s: 300 bytes of garbage appended" % name)
        judge(damaged(lambda d: edit(d, name, lambda b: b + bytes(65536))), "%s: 64 KiB of zeros appended" % name)
        judge(damaged(lambda d: edit(d, name, lambda b: b + junk[:256])), "%s: a page of garbage appended" % name)
    # The log, record by record.
    for i, (off, n, typ) in enumerate(recs):
        lab = "acidbase.log record %d (offset %d, type %d)" % (i, off, typ)
        judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: (b.__setitem__(off + n // 2, b[off + n // 2] ^ 0x10), b)[1])),
              "%s: a middle byte flipped" % lab)
        judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: b[:off] + bytes(n) + b[off + n:])), "%s: zeroed" % lab)
        judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: b[:off])), "%s: the log truncated at its start" % lab,
              boundary_ok=True)
        judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: b[:off + n // 2])), "%s: the log truncated in its middle" % lab)
        if i + 1 < len(recs):
            o2, n2, _ = recs[i + 1]
            judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: b[:off] + b[o2:o2 + n2] + b[off:off + n] + b[o2 + n2:])),
                  "%s: swapped with the next record" % lab)
    matrix = dict(t.counts)

    # --- named cases (issue 8) -----------------------------------------------------------
    last_off, last_len, _ = recs[-1]
    d = damaged(lambda d: edit(d, "acidbase.log", lambda b: b[:last_off + last_len // 2]))
    rc, out, err = t.run(d, query)
    m = re.search(r"a torn log tail was cut off at offset (\d+) \((\d+) bytes?: ([^)]*)\)", out)
    t.check(rc == 0 and m is not None and int(m.group(1)) == last_off and int(m.group(2)) == last_len // 2
            and fmt(STATES[4]) in out, "half-written last record: cut at %d, T1's last update undone:\n%s" % (last_off, out))
    rc, out, err = t.run(d, query)   # the cut is durable: a second open finds a clean log
    t.check(rc == 0 and "torn" not in out and fmt(STATES[4]) in out, "reopened after the torn tail was cut:\n%s" % out)
    d = damaged(lambda d: edit(d, "acidbase.log", lambda b: (b.__setitem__(3, b[3] ^ 0x10), b)[1]))
    rc, out, err = t.run(d, query)
    t.check(rc == 3 and "not an acidbase log" in err, "a damaged log header: %d %s" % (rc, err))
    d = damaged(lambda d: edit(d, "acidbase.log", lambda b: (b.__setitem__(9, b[9] ^ 0x01), b)[1]))
    rc, out, err = t.run(d, query)
    t.check(rc == 3 and "the log's header is damaged" in err, "a damaged base in the log header: %d %s" % (rc, err))
    d = damaged(lambda d: edit(d, "acidbase.db", lambda b: (b.__setitem__(300, b[300] ^ 0x10), b)[1]))
    rc, out, err = t.run(d, query)
    t.check(rc == 3 and "data file page 1 is damaged" in err, "a flipped bit in data page 1: %s" % err)
    d = damaged(lambda d: edit(d, "acidbase.db", lambda b: b[:2 * 256] + bytes(256) + b[3 * 256:]))
    rc, out, err = t.run(d, query)
    t.check(rc == 3 and "data file page 2 is missing (all zero bytes" in err, "a zeroed data page 2: %s" % err)
    d = damaged(lambda d: edit(d, "acidbase.db", lambda b: b[:4 * 256] + bytes(256)))
    rc, out, err = t.run(d, query)
    t.check(rc == 0 and fmt(FULL) in out, "page 4, created after the checkpoint, zeroed: rebuilt from the log:\n%s%s"
            % (out, err))
    # Damage in the middle, then the advice in the message opens the database.
    # (a record after the last eviction: no page is newer, so the advice opens the database)
    last_insert = max(r[0] for r in recs if r[2] == 2)
    mid = [r for r in recs if r[0] > last_insert and r[2] == 3][0]
    d = damaged(lambda d: edit(d, "acidbase.log", lambda b: (b.__setitem__(mid[0] + 20, b[mid[0] + 20] ^ 0x10), b)[1]))
    rc, out, err = t.run(d, query)
    t.check(rc == 3 and ("damaged at offset %d" % mid[0]) in err and ("truncate -s %d" % mid[0]) in err,
            "a flipped bit in the middle of the log: %s" % err)
    os.truncate(os.path.join(d, "acidbase.log"), mid[0])
    rc, out, err = t.run(d, query)
    t.check(rc == 0 and fmt(state_for_cut(mid[0])) in out, "after cutting the log as the message says:\n%s%s" % (out, err))

    # --- every byte of the log, one bit flipped ------------------------------------------
    t.counts = {k: 0 for k in t.counts}
    for off in range(0, len(log), every):
        judge(damaged(lambda d: edit(d, "acidbase.log", lambda b: (b.__setitem__(off, b[off] ^ (1 << (off % 8))), b)[1])),
              "log byte %d: one bit flipped" % off)
    flips = dict(t.counts)
    ncases = sum(matrix.values())
    print("corrupt: matrix: %d cases (log %d bytes in %d records, data file %d pages): %d refused, %d opened whole, "
          "%d cut and reported, %d truncated at a record boundary (an earlier commit, the documented limit), "
          "none silently wrong" % (ncases, len(log), len(recs), len(db) // 256, matrix["refused"], matrix["whole"],
                                   matrix["cut"], matrix["boundary"]) if t.failed == 0 else
          "corrupt: matrix: %d cases, %d FAILED" % (ncases, t.failed))
    print("corrupt: %d single-bit flips in the log (%s): %d refused, %d opened whole, %d cut and reported"
          % (sum(flips.values()), "every byte" if every == 1 else "every %dth byte" % every, flips["refused"],
             flips["whole"], flips["cut"]))
    print("corrupt: %d passed, %d failed" % (t.passed, t.failed))
    return 1 if t.failed else 0


if __name__ == "__main__":
    sys.exit(main())
