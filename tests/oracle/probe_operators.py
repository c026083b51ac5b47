#!/usr/bin/env python3
"""Probes every scalar operator with every pair of operand types, in Kusto and in qlint.

Builds `print x = A op B` (and `A op (B)` for the list operators, `A between (B .. B)`,
`-A`, `where A`) for sample values of the ten scalar types, runs Kusto's analyzer
(../shared/oracles/kusto) and qlint (the `lint_jsonl` example, KQL103), and prints where
they disagree: only-qlint (qlint reports an operator Kusto accepts: a false positive) and
only-Kusto (a combination qlint does not judge).

    python3 tests/oracle/probe_operators.py [--oracle DIR] [--verbose]

Nothing is written into the repository. Prints SKIPPED and exits 0 when node or the oracle
is missing.
"""

import argparse
import itertools
import json
import os
import shutil
import subprocess
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

VALUES = {
    "string": '"a"', "int": "int(1)", "long": "long(1)", "real": "real(1)",
    "decimal": "decimal(1)", "bool": "true", "datetime": "datetime(2024-01-01)",
    "timespan": "1d", "guid": "guid(00000000-0000-0000-0000-000000000000)",
    "dynamic": "dynamic(1)",
}
BINARY = ["==", "!=", "=~", "!~", "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "has", "!has",
          "has_cs", "!has_cs", "hasprefix", "hassuffix", "contains", "!contains", "contains_cs",
          "startswith", "!startswith", "endswith", "!endswith", "startswith_cs",
          "matches regex", "and", "or"]
LISTS = ["in", "!in", "in~", "!in~", "has_any", "has_all"]


def probes():
    for op in BINARY:
        for a, b in itertools.product(VALUES, VALUES):
            yield f"{op}|{a}|{b}", f"print x = {VALUES[a]} {op} {VALUES[b]}"
    for op in LISTS:
        for a, b in itertools.product(VALUES, VALUES):
            yield f"{op}|{a}|{b}", f"print x = {VALUES[a]} {op} ({VALUES[b]})"
    for a, b in itertools.product(VALUES, VALUES):
        yield f"between|{a}|{b}", f"print x = {VALUES[a]} between ({VALUES[b]} .. {VALUES[b]})"
    yield "between|datetime|datetime..timespan", \
        f"print x = {VALUES['datetime']} between ({VALUES['datetime']} .. 1d)"
    for a in VALUES:
        yield f"neg|{a}|", f"print x = -({VALUES[a]})"
        yield f"where|{a}|", f"print x = {VALUES[a]} | where x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", default=os.environ.get("KUSTO_ORACLE"))
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    shared = os.environ.get("QLINT_SHARED") or os.path.join(ROOT, "..", "shared")
    oracle = args.oracle or os.path.join(shared, "oracles", "kusto")
    if shutil.which("node") is None:
        print("SKIPPED: node is not installed")
        return
    if not os.path.isdir(os.path.join(oracle, "node_modules")):
        print(f"SKIPPED: no node_modules in {oracle} (copy the oracle and run `npm ci` there)")
        return
    tmp = tempfile.mkdtemp(prefix="qlint-opprobe-")
    path = os.path.join(tmp, "probes.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for pid, q in probes():
            f.write(json.dumps({"id": pid, "query": q}) + "\n")
    kusto_out = subprocess.run(["node", "check.js", "--schema",
                                os.path.join(oracle, "testdata", "schema_no_filename.json"),
                                path], cwd=oracle, capture_output=True, text=True,
                               check=True).stdout
    ours_out = subprocess.run(["cargo", "run", "-q", "-p", "qlint", "--example", "lint_jsonl", "--",
                               path, "KQL103"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout
    shutil.rmtree(tmp, ignore_errors=True)
    kusto = {}
    for line in kusto_out.splitlines():
        r = json.loads(line)
        kusto[r["id"]] = bool([d for d in r.get("semantic", []) if d.get("severity") == "Error"]
                              or r.get("syntax_errors"))
    ours = {r["id"]: bool(r["diagnostics"]) for r in map(json.loads, ours_out.splitlines())}
    tally = {"both": 0, "neither": 0, "only-qlint": [], "only-Kusto": []}
    for pid in kusto:
        k, q = kusto[pid], ours.get(pid, False)
        if k and q:
            tally["both"] += 1
        elif not k and not q:
            tally["neither"] += 1
        else:
            tally["only-qlint" if q else "only-Kusto"].append(pid)
    print(f"probes: {len(kusto)}; both reject {tally['both']}, both accept {tally['neither']}, "
          f"only-qlint {len(tally['only-qlint'])}, only-Kusto {len(tally['only-Kusto'])}")
    for pid in tally["only-qlint"]:
        print("  only-qlint:", pid)
    if args.verbose:
        for pid in tally["only-Kusto"]:
            print("  only-Kusto:", pid)


if __name__ == "__main__":
    main()
