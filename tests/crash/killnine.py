#!/usr/bin/env python3
"""killnine.py: the kill -9 crash harness (issue 8, "Crash safety"; issue 15, "Durability
without exceptions").

    python3 tests/crash/killnine.py --bin ACIDBASE --seed S --rounds R [--accounts N]
                                    [--dir DIR] [--verbose]

One seed is one database directory and R+1 processes of `ACIDBASE run - --dir DIR`, each
fed line by line through a pipe:

  * run 0 creates `accounts` (id INT PRIMARY KEY, balance INT CHECK (balance >= 0)) with
    N accounts holding 100 each, so the total is 100*N for ever;
  * every later run first picks its sync policy at random: `sync full`, `sync group 2` or
    `sync group 3` (commits wait for their group), or `sync off` (a COMMIT is answered
    after write(): a killed process loses nothing the OS was handed, only a power loss
    would). Then three sessions T1, T2, T3 run transactions interleaved statement by
    statement, each on its own third of the accounts (so they never wait for each other's
    locks, only for their group): transfers (BEGIN, UPDATE -x, UPDATE +x, COMMIT), some
    ending in ROLLBACK, some trying an overdraft (error check) and rolling back. Between
    statements, at random: `engine: checkpoint` (which cuts the log), `engine: evict`
    (uncommitted pages reach the data file, and the log rule's fsync may complete a waiting
    group), `engine: flush`; so checkpoints and evictions also come while a commit waits for
    its group;
  * an acknowledgement is read from the COMMIT's answer itself and nothing else: the
    answer to the COMMIT line ("-> committed"), or, for a COMMIT that waited for its group,
    the line that resumes it ("T1 resumed: COMMIT  -> committed (group commit ...)"),
    whenever it comes. A COMMIT written whose acknowledgement was not read before the kill
    (unanswered yet, waiting for its group, or its answer unread) is in flight;
  * at a random moment SIGKILL: after a random number of lines, possibly mid-transaction,
    either after reading the last answer or right after writing the line, sometimes after
    a short random sleep;
  * the next run opens the same DIR and checks, with `T1: SELECT * FROM accounts` and
    `T1: SELECT SUM(balance) FROM accounts`:
      - the rows are the balances after every acknowledged commit, plus, of the commits in
        flight, some whole ones and nothing of the others (all or nothing each): so no
        acknowledged commit is lost and nothing uncommitted is visible;
      - the sum is the total;
      - recovery said what it did: a "recovery on open: N redone, N undone, N losers" line,
        if any, is well formed, and it counts a loser and an undo when a killed transaction
        had its uncommitted pages evicted and had written neither COMMIT nor ROLLBACK.
  * after the last kill a final run checks the same and closes stdin: exit status 0.

Every violation is printed as "VIOLATION seed S round R: what". The last lines are
"killnine seed S: A acknowledged commits (G after waiting for their group); L reopenings lost
acknowledged work" and
"killnine seed S: K kills; P passed, F failed", counted per round (one round = one kill and
the checks on reopening after it). Exit status 1 when anything failed.
"""

import argparse
import itertools
import os
import random
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

CREATE = ("setup: CREATE TABLE IF NOT EXISTS accounts "
          "(id INT PRIMARY KEY, balance INT CHECK (balance >= 0))")
LINE_TIMEOUT = 30.0  # seconds to wait for the answer to one line
SESSIONS = (1, 2, 3)
RESUMED = re.compile(r"^\s*T(\d) resumed: COMMIT  -> (.*)$")


class Died(Exception):
    pass


class Proc:
    """One `acidbase run - --dir DIR` with its transcript read line by line. Every line read
    goes through on_line (the acknowledgements of resumed COMMITs come on lines of their
    own, whenever the group completes)."""

    def __init__(self, binary, d, errpath, on_line):
        env = dict(os.environ)
        # A SIGKILL'd process cannot report leaks; the harness is about durability.
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        self.err = open(errpath, "wb")
        self.p = subprocess.Popen([binary, "run", "-", "--dir", d],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=self.err, env=env)
        self.buf = b""
        self.extra = []  # transcript lines that are not answers (recovery, notes)
        self.on_line = on_line

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
        line = line.decode(errors="replace")
        self.on_line(line)
        return line

    def answer(self, stmt):
        """The answer text (after '  -> ') to the line just written."""
        while True:
            line = self.readline()
            if line.startswith(stmt + "  -> "):
                return line[len(stmt) + 5:]
            self.extra.append(line)

    def echo(self, stmt):
        """Waits for the echo of an `engine:` line (it has no '  -> ' answer; its notes
        follow on lines of their own and are read by the next answer())."""
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


class Session:
    """What one session is doing, as far as the harness has read."""

    def __init__(self, no):
        self.no = no
        self.script = []       # (statement, the answer it must start with or None)
        self.pos = 0
        self.transfer = None   # (src, dst, x) when the script commits one
        self.committing = False  # COMMIT written, its acknowledgement not read
        self.waiting = False   # its COMMIT answered "blocked": waits for its group
        self.changed = False   # an UPDATE of its open transaction changed a row
        self.evicted = False   # ... and its pages were evicted (no COMMIT/ROLLBACK since)

    def busy(self):
        return self.pos < len(self.script) or self.committing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--rounds", type=int, default=15)
    # 24 accounts, 5 rows a page: 5 pages for a pool of 4 frames, so pages get evicted.
    ap.add_argument("--accounts", type=int, default=24)
    ap.add_argument("--max-lines", type=int, default=60, help="most lines before a kill")
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
    third = n // 3
    part = {s: list(range(1 + (s - 1) * third, 1 + s * third if s < 3 else n + 1)) for s in SESSIONS}
    passed = failed = 0
    kills = 0
    acked_total = acked_group = lost_total = 0

    def log(msg):
        if a.verbose:
            print("seed %d: %s" % (a.seed, msg), flush=True)

    # run r: open (checks for r > 0), transactions, kill (r < rounds); r == rounds: close.
    in_flight = []         # transfers whose COMMIT was written, acknowledgement unread
    must_loser = False     # a killed transaction had evicted pages and no COMMIT/ROLLBACK
    fatal = False
    for r in range(a.rounds + 1):
        why = []
        sess = {s: Session(s) for s in SESSIONS}
        acked_now = []

        def on_line(line):
            m = RESUMED.match(line)
            if not m:
                return
            s = sess.get(int(m.group(1)))
            if s is None or not s.committing:
                why.append("a resumed COMMIT of T%s that was not waiting: %r" % (m.group(1), line))
                return
            if m.group(2).startswith("committed"):
                acked_now.append((s.transfer, True))
            s.committing = s.waiting = False

        proc = Proc(a.bin, d, errpath, on_line)
        try:
            if r == 0:
                if proc.ask(CREATE) != "ok":
                    why.append("CREATE TABLE not ok")
                vals = ", ".join("(%d, 100)" % i for i in range(1, n + 1))
                ans = proc.ask("setup: INSERT INTO accounts VALUES " + vals)
                if ans != "ok":
                    why.append("setup INSERT: %s" % ans)
            else:
                proc.ask(CREATE)
                ans = proc.ask("T1: SELECT * FROM accounts")
                rows = parse_rows(ans)
                found = None
                if rows is not None:
                    # The acknowledged balances plus some whole in-flight transfers.
                    for k in range(len(in_flight) + 1):
                        for sub in itertools.combinations(in_flight, k):
                            after = dict(bal)
                            for (s, t, x) in sub:
                                after[s] -= x
                                after[t] += x
                            if rows == after:
                                found = after
                                break
                        if found is not None:
                            break
                if rows is None:
                    why.append("SELECT * answered %r" % ans)
                elif found is not None:
                    bal = found  # the in-flight commits that made it, whole
                else:
                    diff = sorted(k for k in set(rows) | set(bal) if rows.get(k) != bal.get(k))
                    why.append("rows %s, expected %s plus whole transfers among the in-flight %s "
                               "(differ at ids %s): an acknowledged commit lost, or part of one kept" % (
                                   ans.split(" (")[0], bal, in_flight, diff))
                ans = proc.ask("T1: SELECT SUM(balance) FROM accounts")
                m = re.match(r"(-?\d+)", ans)
                if not m or int(m.group(1)) != total:
                    why.append("SUM(balance) answered %r, expected %d" % (ans, total))
                recl = [l for l in proc.extra if "recovery on open:" in l]
                if must_loser and not recl:
                    why.append("no 'recovery on open' line, although a killed transaction's uncommitted "
                               "pages had been evicted; transcript before the first answer: %r" % proc.extra)
                if recl:
                    rm = re.search(r"recovery on open: (\d+) redone, (\d+) undone, (\d+) loser", recl[0])
                    if not rm:
                        why.append("recovery line not understood: %r" % recl[0])
                    elif must_loser and (int(rm.group(3)) < 1 or int(rm.group(2)) < 1):
                        why.append("a killed transaction (pages evicted, no COMMIT or ROLLBACK written) "
                                   "is not reported as an undone loser: %r" % recl[0])
                if rows is not None and found is None:
                    if set(rows) == set(bal) and all(v >= 0 for v in rows.values()):
                        lost_total += 1
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

            # The sync policy of this run.
            policy = rng.choice(["sync full", "sync full", "sync group 2", "sync group 3", "sync group 3",
                                 "sync off"])
            proc.write("engine: " + policy)
            proc.echo("engine: " + policy)

            def new_script(s):
                """A transfer, a rollback or an overdraft within the session's accounts."""
                mine = part[s.no]
                src = rng.choice([i for i in mine if bal[i] > 0] or mine)
                dst = rng.choice([i for i in mine if i != src])
                kind = rng.random()
                T = "T%d: " % s.no
                s.transfer = None
                if kind < 0.8 and bal[src] > 0:
                    x = rng.randint(1, bal[src])
                    s.script = [(T + "BEGIN", None),
                                (T + "UPDATE accounts SET balance = balance - %d WHERE id = %d" % (x, src), "1 row"),
                                (T + "UPDATE accounts SET balance = balance + %d WHERE id = %d" % (x, dst), "1 row"),
                                (T + "COMMIT", None)]
                    s.transfer = (src, dst, x)
                elif kind < 0.9:
                    x = max(1, min(rng.randint(1, 50), bal[src]))
                    s.script = [(T + "BEGIN", None),
                                (T + "UPDATE accounts SET balance = balance - %d WHERE id = %d" % (x, src),
                                 "1 row" if bal[src] >= x else "error check"),
                                (T + "UPDATE accounts SET balance = balance + %d WHERE id = %d" % (x, dst), "1 row"),
                                (T + "ROLLBACK", None)]
                else:
                    x = bal[src] + rng.randint(1, 20)
                    s.script = [(T + "BEGIN", None),
                                (T + "UPDATE accounts SET balance = balance + %d WHERE id = %d" % (x, dst), "1 row"),
                                (T + "UPDATE accounts SET balance = balance - %d WHERE id = %d" % (x, src), "error check"),
                                (T + "ROLLBACK", None)]
                s.pos = 0
                s.changed = s.evicted = False

            def take_acks():
                nonlocal acked_total, acked_group
                for (tr, grouped) in acked_now:
                    if tr:
                        s_, t_, x_ = tr
                        bal[s_] -= x_
                        bal[t_] += x_
                        acked_total += 1
                        acked_group += grouped
                acked_now.clear()

            budget = rng.randint(1, a.max_lines)
            read_last = rng.random() < 0.6
            lines = 0
            killed = False
            while not killed:
                take_acks()
                r_ = rng.random()
                if r_ < 0.12:
                    stmt = rng.choice(["engine: checkpoint", "engine: checkpoint", "engine: evict", "engine: flush"])
                    s = None
                else:
                    ready = [s for s in sess.values() if not s.committing]
                    if not ready:
                        # every session waits for its group: only a flush or a checkpoint helps
                        stmt, s = rng.choice(["engine: checkpoint", "engine: flush", "engine: evict"]), None
                    else:
                        s = rng.choice(ready)
                        if s.pos >= len(s.script):
                            new_script(s)
                        stmt, want = s.script[s.pos]
                        s.pos += 1
                proc.write(stmt)
                lines += 1
                is_commit = s is not None and stmt.endswith(": COMMIT")
                if is_commit:
                    s.committing = True
                    s.evicted = False
                elif s is not None and stmt.endswith(": ROLLBACK"):
                    s.evicted = False
                if lines >= budget and not read_last:
                    if rng.random() < 0.5:
                        time.sleep(rng.random() * 0.003)
                    killed = True
                    break
                if s is None:
                    proc.echo(stmt)
                    if stmt == "engine: evict":
                        for o in sess.values():
                            if o.changed and o.pos < len(o.script) and not o.committing:
                                o.evicted = True   # an open transaction with a change on disk
                    if lines >= budget:
                        killed = True
                    continue
                ans = proc.answer(stmt)
                if is_commit:
                    if ans.startswith("committed"):
                        acked_now.append((s.transfer, False))
                        s.committing = False
                    elif ans.startswith("blocked"):
                        s.waiting = True
                    else:
                        why.append("%r answered %r" % (stmt, ans))
                        s.committing = False
                elif want == "1 row" and ans.startswith(want):
                    s.changed = True
                if not is_commit and want and not ans.startswith(want):
                    why.append("%r answered %r, expected %r" % (stmt, ans, want))
                    # the model no longer knows this transaction: roll it back
                    proc.ask("T%d: ROLLBACK" % s.no)
                    s.pos = len(s.script)
                    s.transfer = None
                    s.evicted = False
                if lines >= budget:
                    killed = True
            take_acks()
            in_flight = [s.transfer for s in sess.values() if s.committing and s.transfer]
            must_loser = any(s.evicted for s in sess.values())
            proc.kill()
            kills += 1
            log("round %d (%s): killed after %d lines (%s), %d in flight%s" % (
                r, policy, lines, "answer read" if read_last else "answer unread", len(in_flight),
                ", evicted loser" if must_loser else ""))
        except Died as e:
            why.append("acidbase died: %s; stderr: %s" % (e, open(errpath, errors="replace").read()[-800:]))
            try:
                proc.kill()
            except Exception:
                pass
            in_flight = []
            must_loser = False
        if r > 0 or why:
            if why:
                failed += 1
            else:
                passed += 1
        for w in why:
            print("VIOLATION seed %d round %d: %s" % (a.seed, r, w), flush=True)

    shutil.rmtree(top, ignore_errors=True)
    print("killnine seed %d: %d acknowledged commits (%d after waiting for their group); %d reopenings "
          "lost acknowledged work" % (a.seed, acked_total, acked_group, lost_total), flush=True)
    print("killnine seed %d: %d kills; %d passed, %d failed" % (a.seed, kills, passed, failed),
          flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
