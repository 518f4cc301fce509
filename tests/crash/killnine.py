#!/usr/bin/env python3
"""killnine.py: the kill -9 crash harness of issue 8 ("Crash safety", first bullet).

    python3 tests/crash/killnine.py --bin ACIDBASE --seed S --rounds R [--accounts N]
                                    [--dir DIR] [--verbose]

One seed is one database directory and R+1 processes of `ACIDBASE run - --dir DIR`
(engine: sync full, the default), each fed line by line through a pipe:

  * run 0 creates `accounts` (id INT PRIMARY KEY, balance INT CHECK (balance >= 0)) with
    N accounts holding 100 each, so the total is 100*N for ever;
  * every run writes random transactions by session T1 and reads the answer to each line
    before writing the next: transfers (BEGIN, UPDATE -x, UPDATE +x, COMMIT), a few that
    end in ROLLBACK, a few that try an overdraft (error check) and roll back;
  * now and then an `engine: checkpoint` before a transaction, or an `engine: evict`
    after its first UPDATE (uncommitted pages reach the data file, so undo has work);
  * at a random moment it kills the process with SIGKILL: after a random number of lines,
    possibly mid-transaction, and either after reading the last answer or right after
    writing the line without reading it (so a COMMIT may be in flight), sometimes after a
    short random sleep;
  * the next run opens the same DIR and checks, with `T1: SELECT * FROM accounts` and
    `T1: SELECT SUM(balance) FROM accounts`:
      - the rows are exactly the balances after every acknowledged commit ("-> committed"),
        or, when a COMMIT was written but its answer not read before the kill, exactly
        either those or those plus the whole of that transfer (all of it or none of it);
      - so nothing uncommitted is visible and no acknowledged commit is lost;
      - the sum is the total;
      - recovery said what it did: a "recovery on open: N redone, N undone, N losers"
        line, if any, is well formed, and it is required when the killed transaction had
        its uncommitted pages evicted (so the data file holds work to undo or redo); if it
        also had written neither COMMIT nor ROLLBACK, the line must count a loser and an
        undo. With nothing to do (everything already in the data file) no line is
        required: the engine prints one only when it redid or undid something.
  * after the last kill a final run checks the same and closes stdin: exit status 0.

Every violation is printed as "VIOLATION seed S round R: what". The last line is
"killnine seed S: P passed, F failed", counted per round (one round = one kill and the
checks on reopening after it). Exit status 1 when anything failed.
"""

import argparse
import os
import random
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CREATE = ("setup: CREATE TABLE IF NOT EXISTS accounts "
          "(id INT PRIMARY KEY, balance INT CHECK (balance >= 0))")
LINE_TIMEOUT = 30.0  # seconds to wait for the answer to one line


class Died(Exception):
    pass


class Proc:
    """One `acidbase run - --dir DIR` with its transcript read line by line."""

    def __init__(self, binary, d, errpath):
        env = dict(os.environ)
        # A SIGKILL'd process cannot report leaks; the harness is about durability.
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        self.err = open(errpath, "wb")
        self.p = subprocess.Popen([binary, "run", "-", "--dir", d],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, env=env)
        self.buf = b""
        self.extra = []  # transcript lines that are not answers (recovery, notes)

    def write(self, line):
        try:
            self.p.stdin.write((line + "\n").encode())
            self.p.stdin.flush()
        except (BrokenPipeError, OSError):
            raise Died("stdin closed while writing %r" % line)

    def readline(self):
        deadline = time.monotonic() + LINE_TIMEOUT
        fd = self.p.stdout.fileno()
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Died("no answer within %gs" % LINE_TIMEOUT)
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = os.read(fd, 65536)
                if not chunk:
                    raise Died("stdout closed (exit %s)" % self.p.wait())
                self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode(errors="replace")

    def answer(self, stmt):
        """The answer text (after '  -> ') to the line just written."""
        while True:
            line = self.readline()
            if line.startswith(stmt + "  -> "):
                return line[len(stmt) + 5:]
            self.extra.append(line)

    def echo(self, stmt):
        """Waits for the echo of an `engine:` line (it has no '  -> ' answer; its notes
        follow on lines of their own and are skipped by the next answer())."""
        while True:
            line = self.readline()
            if line == stmt:
                return ""
            self.extra.append(line)

    def ask(self, stmt):
        self.write(stmt)
        return self.answer(stmt)

    def kill(self):
        try:
            self.p.kill()  # SIGKILL
        except ProcessLookupError:
            pass
        self.p.wait()
        self.close_files()

    def close_files(self):
        for f in (self.p.stdin, self.p.stdout):
            try:
                f.close()
            except OSError:
                pass
        self.err.close()


def parse_rows(ans):
    m = re.match(r"\{([^}]*)\}", ans)
    if not m:
        return None
    rows = {}
    body = m.group(1).strip()
    if body:
        for part in body.split(","):
            k, v = part.strip().split(":")
            rows[int(k)] = int(v)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=15)
    # 24 accounts, 5 rows a page: 5 pages for a pool of 4 frames, so pages get evicted.
    ap.add_argument("--accounts", type=int, default=24)
    ap.add_argument("--max-lines", type=int, default=48, help="most lines before a kill")
    ap.add_argument("--dir", help="database directory (default: a fresh temporary one)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    n = a.accounts
    total = 100 * n
    top = tempfile.mkdtemp(prefix="acidbase-kill9.")
    d = a.dir or os.path.join(top, "db")
    os.makedirs(d, exist_ok=True)
    errpath = os.path.join(top, "stderr")
    bal = {i: 100 for i in range(1, n + 1)}  # after every acknowledged commit
    passed = failed = 0
    kills = 0

    def log(msg):
        if a.verbose:
            print("seed %d: %s" % (a.seed, msg), flush=True)

    # run r: open (checks for r > 0), transactions, kill (r < rounds); r == rounds: close.
    pending = None      # (src, dst, amount) whose COMMIT was written, answer unread
    must_recover = False  # the killed transaction's uncommitted pages were on disk
    must_loser = False    # ... and it wrote neither COMMIT nor ROLLBACK
    fatal = False
    for r in range(a.rounds + 1):
        why = []
        proc = Proc(a.bin, d, errpath)
        try:
            if r == 0:
                if proc.ask(CREATE) != "ok":
                    why.append("CREATE TABLE not ok")
                vals = ", ".join("(%d, 100)" % i for i in range(1, n + 1))
                stmt = "setup: INSERT INTO accounts VALUES " + vals
                ans = proc.ask(stmt)
                if ans != "ok":
                    why.append("setup INSERT: %s" % ans)
            else:
                proc.ask(CREATE)
                ans = proc.ask("T1: SELECT * FROM accounts")
                rows = parse_rows(ans)
                after = None
                if pending:
                    s, t, x = pending
                    after = dict(bal)
                    after[s] -= x
                    after[t] += x
                if rows is None:
                    why.append("SELECT * answered %r" % ans)
                elif rows == bal:
                    pass
                elif after is not None and rows == after:
                    bal = after  # the in-flight commit made it, whole
                else:
                    diff = sorted(k for k in set(rows) | set(bal) if rows.get(k) != bal.get(k))
                    why.append("rows %s, expected %s%s (differ at ids %s)" % (
                        ans.split(" (")[0], bal,
                        " or %s (in-flight COMMIT of %d from %d to %d)" % (after, x, s, t)
                        if after else "", diff))
                ans = proc.ask("T1: SELECT SUM(balance) FROM accounts")
                m = re.match(r"(-?\d+)", ans)
                if not m or int(m.group(1)) != total:
                    why.append("SUM(balance) answered %r, expected %d" % (ans, total))
                recl = [l for l in proc.extra if "recovery on open:" in l]
                if must_recover and not recl:
                    why.append("no 'recovery on open' line, although the killed transaction's "
                               "uncommitted pages had been evicted to the data file; "
                               "transcript before the first answer: %r" % proc.extra)
                if recl:
                    rm = re.search(r"recovery on open: (\d+) redone, (\d+) undone, (\d+) loser", recl[0])
                    if not rm:
                        why.append("recovery line not understood: %r" % recl[0])
                    elif must_loser and (int(rm.group(3)) < 1 or int(rm.group(2)) < 1):
                        why.append("the killed transaction (pages evicted, no COMMIT or ROLLBACK "
                                   "written) is not reported as an undone loser: %r" % recl[0])
                if rows is not None and rows != bal:
                    if set(rows) == set(bal) and all(v >= 0 for v in rows.values()):
                        bal = rows  # go on from what is there: one failure is reported once
                    else:
                        fatal = True  # accounts lost or invented: this seed cannot go on
                rec = [l.strip() for l in proc.extra if "recovery" in l]
                log("round %d reopened: %s" % (r, rec[0] if rec else "no recovery line"))

            if fatal:
                proc.kill()
                why.append("the accounts themselves are wrong; this seed stops here")
                failed += 1
                for w in why:
                    print("VIOLATION seed %d round %d: %s" % (a.seed, r, w), flush=True)
                break

            if r == a.rounds:
                proc.p.stdin.close()
                rest = proc.p.stdout.read().decode(errors="replace")
                rc = proc.p.wait()
                proc.close_files()
                if rc != 0:
                    why.append("final run exited %d: %s" % (rc, rest[-500:]))
                if r > 0:
                    if why:
                        failed += 1
                    else:
                        passed += 1
                for w in why:
                    print("VIOLATION seed %d round %d (final reopen): %s" % (a.seed, r, w),
                          flush=True)
                break

            # Random work, then SIGKILL.
            budget = rng.randint(1, a.max_lines)
            read_last = rng.random() < 0.6
            lines = 0
            acked = 0
            pending = None
            killed = False
            must_recover = must_loser = False
            while not killed:
                # the source has money (the total is 100*N, so some account does)
                s = rng.choice([i for i in range(1, n + 1) if bal[i] > 0])
                t = rng.choice([i for i in range(1, n + 1) if i != s])
                kind = rng.random()
                if kind < 0.8:
                    x = rng.randint(1, bal[s])
                    script = [("T1: BEGIN", None),
                              ("T1: UPDATE accounts SET balance = balance - %d WHERE id = %d" % (x, s), "1 row"),
                              ("T1: UPDATE accounts SET balance = balance + %d WHERE id = %d" % (x, t), "1 row"),
                              ("T1: COMMIT", "committed")]
                elif kind < 0.9:
                    x = rng.randint(1, 50)
                    script = [("T1: BEGIN", None),
                              ("T1: UPDATE accounts SET balance = balance - %d WHERE id = %d" % (min(x, bal[s]), s), "1 row"),
                              ("T1: UPDATE accounts SET balance = balance + %d WHERE id = %d" % (min(x, bal[s]), t), "1 row"),
                              ("T1: ROLLBACK", None)]
                    x = None
                else:
                    x = bal[s] + rng.randint(1, 20)
                    script = [("T1: BEGIN", None),
                              ("T1: UPDATE accounts SET balance = balance + %d WHERE id = %d" % (x, t), "1 row"),
                              ("T1: UPDATE accounts SET balance = balance - %d WHERE id = %d" % (x, s), "error check"),
                              ("T1: ROLLBACK", None)]
                    x = None
                if rng.random() < 0.15:
                    # dirty pages, uncommitted ones too, reach the data file mid-transaction
                    script.insert(2, ("engine: evict", None))
                if rng.random() < 0.08:
                    script.insert(0, ("engine: checkpoint", None))
                evicted = False
                for stmt, want in script:
                    if evicted and stmt in ("T1: COMMIT", "T1: ROLLBACK"):
                        must_loser = False
                    proc.write(stmt)
                    lines += 1
                    if lines >= budget and not read_last:
                        if stmt == "T1: COMMIT":
                            pending = (s, t, x)
                        if rng.random() < 0.5:
                            time.sleep(rng.random() * 0.003)
                        killed = True
                        break
                    ans = proc.echo(stmt) if stmt.startswith("engine:") else proc.answer(stmt)
                    if stmt == "engine: evict":
                        evicted = must_recover = must_loser = True
                    elif stmt in ("T1: COMMIT", "T1: ROLLBACK"):
                        must_recover = must_loser = False
                    if want and not ans.startswith(want):
                        why.append("%r answered %r, expected %r" % (stmt, ans, want))
                        # the model no longer knows this transaction: roll it back
                        proc.ask("T1: ROLLBACK")
                        must_recover = must_loser = False
                        break
                    if stmt == "T1: COMMIT" and ans.startswith("committed"):
                        bal[s] -= x
                        bal[t] += x
                        acked += 1
                    if lines >= budget:
                        killed = True
                        break
            proc.kill()
            kills += 1
            log("round %d: killed after %d lines (%s), %d commits acknowledged%s%s" % (
                r, lines, "answer read" if read_last else "answer unread", acked,
                ", COMMIT in flight" if pending else "",
                ", evicted loser" if must_loser else ", evicted" if must_recover else ""))
        except Died as e:
            why.append("acidbase died: %s; stderr: %s" % (e, open(errpath, errors="replace").read()[-800:]))
            try:
                proc.kill()
            except Exception:
                pass
            pending = None
            must_recover = must_loser = False
        if r > 0 or why:
            if why:
                failed += 1
            else:
                passed += 1
        for w in why:
            print("VIOLATION seed %d round %d: %s" % (a.seed, r, w), flush=True)

    if not a.dir:
        shutil.rmtree(top, ignore_errors=True)
    else:
        shutil.rmtree(top, ignore_errors=True)
    print("killnine seed %d: %d kills; %d passed, %d failed" % (a.seed, kills, passed, failed),
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
