#!/usr/bin/env python3
"""Checks the arities in corpus/docs/kql_functions.md against Kusto.Language (the KQL oracle).

Usage: corpus/scripts/check_kql_arities.py ORACLE_DIR
  ORACLE_DIR holds the oracle's check.js with its node_modules installed (`npm ci`), e.g. a
  copy of ../shared/oracles/kusto.

Every documented function (and alias) is called with 0..8 and 20 arguments in a context that
fits its kind (`print`, `summarize`, `serialize | extend`, `evaluate`); where the oracle says
"expects N arguments" but our signature accepts the call (or the other way round), a line is
printed. Type errors are ignored: only the argument count is compared.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "..", "..", "corpus", "docs", "kql_functions.md")
SCHEMA = {"tables": [{"name": "T", "columns": [{"name": "x", "type": "long"}]}]}
COUNTS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 20]


def entries():
    out, cur = [], None
    for line in open(DOCS, encoding="utf-8"):
        if line.startswith("## "):
            cur = {"name": line[3:].strip(), "sigs": [], "aka": [], "kind": "scalar"}
            out.append(cur)
        elif cur and line.startswith("sig:"):
            cur["sigs"].append(line[4:].strip())
        elif cur and line.startswith("aka:"):
            cur["aka"] += [a.strip() for a in line[4:].split(",") if a.strip()]
        elif cur and line.startswith("kind:"):
            cur["kind"] = line[5:].strip()
    return out


def arity(sig):
    inner = sig[sig.index("(") + 1 : sig.rindex(")")].strip()
    if not inner:
        return (0, 0)
    lo, hi, unbounded = 0, 0, False
    for p in (p.strip() for p in inner.split(",")):
        repeated = p.endswith("...")
        p = p[:-3] if repeated else p
        optional = p.split(":")[0].strip().endswith("?")
        unbounded |= repeated
        lo += 0 if optional else 1
        hi += 1
    return (lo, None if unbounded else hi)


def query(kind, name, k):
    args = ", ".join(["1"] * k)
    if kind == "aggregation":
        return f"T | summarize {name}({args})"
    if kind == "window":
        return f"T | serialize | extend y = {name}({args})"
    if kind == "plugin":
        return f"T | evaluate {name}({args})"
    if kind == "tabular":
        return f"{name}({args}) | take 1"
    return f"print {name}({args})"


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    oracle = sys.argv[1]
    ents = entries()
    with tempfile.TemporaryDirectory() as tmp:
        schema = os.path.join(tmp, "schema.json")
        probes = os.path.join(tmp, "probes.jsonl")
        json.dump(SCHEMA, open(schema, "w"))
        with open(probes, "w") as f:
            for e in ents:
                for name in [e["name"]] + e["aka"]:
                    for k in COUNTS:
                        f.write(json.dumps({"id": f"{name}|{k}", "query": query(e["kind"], name, k)}) + "\n")
        out = subprocess.run(["node", "check.js", "--schema", schema, probes], cwd=oracle,
                             capture_output=True, text=True, check=True).stdout
    said = {}
    for line in out.splitlines():
        d = json.loads(line)
        name, k = d["id"].rsplit("|", 1)
        msgs = [m["message"] for m in d.get("semantic", []) + d.get("syntax_errors", [])]
        said[(name, int(k))] = next((m for m in msgs if re.search(r"expects .*argument", m)), None)
    problems = 0
    for e in ents:
        ranges = [arity(s) for s in e["sigs"]]
        for name in [e["name"]] + e["aka"]:
            for k in COUNTS:
                ours = any(k >= lo and (hi is None or k <= hi) for lo, hi in ranges)
                theirs = said.get((name, k))
                if ours and theirs:
                    problems += 1
                    print(f"{name}({k} args): we accept, oracle says: {theirs}")
                elif not ours and theirs is None:
                    print(f"{name}({k} args): we reject, oracle reports no arity error")
    print(f"{problems} calls we accept that the oracle rejects for their argument count")


if __name__ == "__main__":
    main()
