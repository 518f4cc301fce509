#!/usr/bin/env python3
"""tracetool.py: helpers for tests/trace/run.sh (traces, check and grade output).

    validate SCHEMA FILE...        every FILE validates against the JSON Schema (2020-12)
    same-findings DIR              for each DIR/NAME.json with DIR/NAME.check (the output of
                                   `acidbase check NAME.json --json`): the same findings; and
                                   DIR/NAME.rc (the run's exit status) is 1 exactly when
                                   the trace records a failed expectation
    edit-value IN OUT              +1 on the first write event's n.value; prints its seq
    swap IN OUT renumber|keep      swaps two neighbouring events of different kinds in the
                                   middle; renumbers seq or keeps it; prints the first seq
    drop-last IN OUT               removes the last event
    set IN OUT PATH JSON           sets a field (PATH like expects.0.ok) to a JSON value
    get FILE PATH                  prints a field as JSON
    gradescope FILE                checks Gradescope's results.json shape and that the
                                   scores add up; prints "score max_score ntests"
    csv FILE ROWS                  checks the grade summary CSV: header and ROWS rows
Exit status: 0 ok, 1 a check failed (said why), 3 python3-jsonschema is missing.
"""
import csv
import json
import os
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)


def fail(msg):
    print(msg)
    sys.exit(1)


def walk(obj, path):
    parts = path.split(".")
    for p in parts[:-1]:
        obj = obj[int(p)] if isinstance(obj, list) else obj[p]
    last = parts[-1]
    return obj, (int(last) if isinstance(obj, list) else last)


def inline(x, defs):
    """The schema with every {"$ref": "#/$defs/NAME"} replaced by the definition (the trace
    schema has no recursion): the same constraints, checked about twice as fast."""
    if isinstance(x, dict):
        if set(x) == {"$ref"} and x["$ref"].startswith("#/$defs/"):
            return inline(defs[x["$ref"][len("#/$defs/"):]], defs)
        return {k: inline(v, defs) for k, v in x.items() if k != "$defs"}
    if isinstance(x, list):
        return [inline(v, defs) for v in x]
    return x


_validators = {}


def _check(job):
    """One piece of one trace: (file, "top" or "events", offset, instance); error lines."""
    import jsonschema
    fname, part, offset, inst = job
    v = _validators[part]
    out = []
    for e in sorted(v.iter_errors(inst), key=lambda e: list(e.absolute_path))[:3]:
        path = list(e.absolute_path)
        if part == "events":
            path = ["events", path[0] + offset] + path[1:]
        where = "/".join(str(p) for p in path) or "(top)"
        out.append(f"{fname}: {where}: {e.message[:300]}")
    return out


def validate(schema_path, files):
    try:
        import jsonschema
    except ImportError:
        print("python3's jsonschema module is missing: install the Debian package python3-jsonschema "
              "(apt-get install python3-jsonschema)")
        sys.exit(3)
    schema = load(schema_path)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    # Each trace is checked whole, but in pieces spread over the CPUs: the top level with
    # no events, then the events in chunks against the schema's "items" for events.
    flat = inline(schema, schema["$defs"])
    flat["$schema"] = schema["$schema"]
    _validators["top"] = cls(flat)
    _validators["events"] = cls({"$schema": schema["$schema"], "type": "array",
                                 "items": flat["properties"]["events"]["items"]})
    jobs = []
    for f in files:
        t = load(f)
        events = t.get("events")
        if isinstance(events, list):
            t["events"] = []
            for i in range(0, len(events), 2000):
                jobs.append((f, "events", i, events[i:i + 2000]))
        jobs.insert(0, (f, "top", 0, t))
    try:
        import multiprocessing
        with multiprocessing.Pool(min(len(jobs), os.cpu_count() or 1) or 1) as pool:
            results = pool.map(_check, jobs, chunksize=1)
    except (ImportError, OSError):
        results = [_check(j) for j in jobs]
    bad = set()
    for errs in results:
        for line in errs:
            print(line)
            bad.add(line.split(":", 1)[0])
    if bad:
        fail(f"{len(bad)} of {len(files)} traces do not validate")
    print(f"{len(files)} traces validate")


def same_findings(d):
    n = 0
    for name in sorted(os.listdir(d)):
        if not name.endswith(".json"):
            continue
        chk = os.path.join(d, name[:-5] + ".check")
        if not os.path.exists(chk):
            continue
        recorded = load(os.path.join(d, name))["findings"]
        found = load(chk)["findings"]
        for f in found:
            f.pop("labels", None)
        if recorded != found:
            fail(f"{name}: check found {json.dumps(found)[:400]}, the run recorded {json.dumps(recorded)[:400]}")
        rc = os.path.join(d, name[:-5] + ".rc")
        if os.path.exists(rc):
            with open(rc) as f:
                status = f.read().strip()
            want = "1" if any(not x["ok"] for x in load(os.path.join(d, name))["expects"]) else "0"
            if status != want:
                fail(f"{name}: the run exited {status}, but its trace's expects say {want}")
        n += 1
    if n == 0:
        fail("no traces compared")
    print(f"{n} traces: check finds what the run found")


def main():
    a = sys.argv[1:]
    if not a:
        fail(__doc__)
    cmd = a[0]
    if cmd == "validate":
        validate(a[1], a[2:])
    elif cmd == "same-findings":
        same_findings(a[1])
    elif cmd == "edit-value":
        t = load(a[1])
        for e in t["events"]:
            if e["kind"] == "write":
                e["n"]["value"] += 1
                dump(t, a[2])
                print(e["seq"])
                return
        fail("no write event")
    elif cmd == "swap":
        t = load(a[1])
        ev = t["events"]
        for i in range(len(ev) // 2, len(ev) - 1):
            if ev[i]["kind"] != ev[i + 1]["kind"]:
                seq = ev[i]["seq"]
                ev[i], ev[i + 1] = ev[i + 1], ev[i]
                if a[3] == "renumber":
                    ev[i]["seq"], ev[i + 1]["seq"] = seq, seq + 1
                dump(t, a[2])
                print(seq)
                return
        fail("no two neighbouring events of different kinds")
    elif cmd == "drop-last":
        t = load(a[1])
        t["events"].pop()
        dump(t, a[2])
    elif cmd == "set":
        t = load(a[1])
        obj, key = walk(t, a[3])
        obj[key] = json.loads(a[4])
        dump(t, a[2])
    elif cmd == "get":
        obj, key = walk(load(a[1]), a[2])
        print(json.dumps(obj[key]))
    elif cmd == "gradescope":
        r = load(a[1])
        for k in ("score", "max_score", "tests"):
            if k not in r:
                fail(f"results.json lacks {k}")
        tot = mx = 0
        for t in r["tests"]:
            for k, ty in (("name", str), ("score", (int, float)), ("max_score", (int, float)), ("status", str),
                          ("output", str), ("visibility", str)):
                if not isinstance(t.get(k), ty):
                    fail(f"test {t.get('name')!r}: {k} missing or of the wrong type")
            if t["status"] not in ("passed", "failed"):
                fail(f"test {t['name']!r}: status {t['status']!r}")
            if t["visibility"] != "visible":
                fail(f"test {t['name']!r}: visibility {t['visibility']!r}")
            if not 0 <= t["score"] <= t["max_score"]:
                fail(f"test {t['name']!r}: score {t['score']} of {t['max_score']}")
            tot += t["score"]
            mx += t["max_score"]
        if tot != r["score"] or mx != r["max_score"]:
            fail(f"the tests add up to {tot} of {mx}, the results say {r['score']} of {r['max_score']}")
        print(r["score"], r["max_score"], len(r["tests"]))
    elif cmd == "csv":
        with open(a[1], newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if rows[0] != ["file", "learner", "status", "score", "max_score", "reason"]:
            fail(f"header {rows[0]}")
        if len(rows) - 1 != int(a[2]):
            fail(f"{len(rows) - 1} rows, expected {a[2]}")
        for r in rows[1:]:
            if len(r) != 6 or r[2] not in ("accepted", "rejected") or not r[3].isdigit() or not r[4].isdigit():
                fail(f"bad row {r}")
        print(len(rows) - 1)
    else:
        fail(f"unknown command {cmd}")


if __name__ == "__main__":
    main()
