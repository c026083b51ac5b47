#!/usr/bin/env python3
"""Probes the argument types of every documented KQL function against Kusto's analyzer.

Reads the signatures of corpus/docs/kql_functions.md and builds, per overload, one call with
arguments of the documented types (the baseline) and one call per typed parameter and per
argument type that qlint's KQL104 rejects there. Runs Kusto (../shared/oracles/kusto) and
qlint (the `lint_jsonl` example) on them and prints:

- baselines Kusto rejects (our signature or sample values are off: such overloads are left
  out of the rest);
- the variants where qlint reports KQL104 and Kusto does not (our false positives: the
  documented parameter type is narrower than what Kusto takes);
- the variants where both reject (agreement), and where Kusto rejects and qlint is silent;
- the result type of each accepted baseline as Kusto and qlint name it (`x has 1` makes
  both print the type of `x`): a difference is a wrong result type in our docs.

    python3 tests/oracle/probe_functions.py [--oracle DIR] [--only NAME] [--any] [--verbose]

The probe queries go to a temporary folder; nothing is written into the repository. Prints
SKIPPED and exits 0 when node or the oracle is missing.
"""

import argparse
import os
import re

from oracle_env import ROOT, oracle_dir, run_kusto, run_qlint, shared_dir, write_jsonl

DOCS = os.path.join(ROOT, "corpus", "docs", "kql_functions.md")

SAMPLES = {
    "string": '"a"', "long": "long(1)", "int": "int(1)", "real": "real(1.5)",
    "decimal": "decimal(1)", "bool": "true", "datetime": "datetime(2024-01-01)",
    "timespan": "1d", "guid": "guid(74be27de-1e4e-49d9-b579-fe0b331d3642)",
}
ALIASES = {"double": "real", "boolean": "bool", "date": "datetime", "time": "timespan"}
NUMERIC = {"long", "int", "real", "decimal"}


def parse_docs():
    functions, name, kind = [], None, None
    for line in open(DOCS, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("## "):
            name, kind = line[3:].strip(), "scalar"
        elif line.startswith("kind:"):
            kind = line[5:].strip()
        elif line.startswith("sig:") and name:
            functions.append((name, kind, line[4:].strip()))
    return functions


def parse_sig(sig):
    m = re.match(r"\s*([\w.]+)\((.*)\)\s*(->.*)?$", sig)
    if not m:
        return None, []
    params = []
    for part in filter(None, (p.strip() for p in m.group(2).split(","))):
        repeated = part.endswith("...")
        part = part.rstrip(".").strip()
        pname, _, ty = part.partition(":")
        ty = ty.strip() or "any"
        optional = pname.strip().endswith("?")
        params.append((pname.strip().rstrip("?"), ALIASES.get(ty, ty), optional, repeated))
    return m.group(1), params


def qlint_rejects(spec, given):
    """Mirror of kql_types::admits (dynamic is never sampled)."""
    if spec in NUMERIC or spec == "numeric":
        return given not in NUMERIC and given != "bool"
    if spec in SAMPLES:
        return spec != given
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", default=os.environ.get("KUSTO_ORACLE"))
    ap.add_argument("--only")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--any", action="store_true",
                    help="also try every type for `any` parameters and list what Kusto rejects "
                         "(candidates for a narrower type in our docs)")
    args = ap.parse_args()
    oracle = oracle_dir(args.oracle)

    probes = []  # (id, query)
    meta = {}
    for name, kind, sig in parse_docs():
        if kind not in ("scalar", "aggregation") or (args.only and name != args.only):
            continue
        fname, params = parse_sig(sig)
        if fname is None or any(p[1] in ("table", "tabular") for p in params):
            continue
        # Every parameter once (optional ones too; a repeated one once).
        required = params
        values = []
        for pname, ty, _, _ in required:
            if ty == "string" and pname in ("period", "part"):
                values.append('"day"')  # Kusto checks the part name
            elif ty in SAMPLES:
                values.append(SAMPLES[ty])
            elif ty == "numeric":
                values.append("long(1)")
            elif ty.startswith("$"):
                i = int(ty[1:]) - 1
                values.append(values[i] if 0 <= i < len(values) else '"a"')
            elif ty == "dynamic":
                bag = re.search(r"bag|object|expr", pname)
                values.append("dynamic({})" if bag else "dynamic([1])")
            else:
                values.append('"a"')

        def query(vals):
            call = f"{fname}({', '.join(vals)})"
            if kind == "aggregation":
                return f"range i from 1 to 2 step 1 | summarize x = {call}"
            return f"print x = {call}"

        base_id = f"{sig}|base"
        probes.append((base_id, query(values)))
        # The result type, as both sides name it in the message about `has` on a number.
        probes.append((f"{sig}|returns", query(values) + " | extend y = x has 1"))
        for i, (pname, ty, _, _) in enumerate(required):
            for given in SAMPLES:
                if qlint_rejects(ty, given) or (args.any and ty == "any"):
                    vals = list(values)
                    vals[i] = SAMPLES[given]
                    pid = f"{sig}|{i}|{given}"
                    probes.append((pid, query(vals)))
                    meta[pid] = (base_id, fname, pname, ty, given)

    path = write_jsonl(probes)
    schema = os.path.join(shared_dir(), "catalog", "kql", "tables.json")
    kusto = {pid: [d for d in r.get("semantic", []) if d.get("severity") == "Error"]
             + r.get("syntax_errors", [])
             for pid, r in run_kusto(oracle, path, schema if os.path.exists(schema) else None)
             .items()}
    ours = {pid: r["diagnostics"] for pid, r in run_qlint(path, ["KQL103", "KQL104"]).items()}
    os.remove(path)

    bad_base = {pid for pid, _ in probes if pid.endswith("|base") and kusto.get(pid)}
    base_noise = {pid for pid, _ in probes if pid.endswith("|base") and ours.get(pid)}
    both = fp = miss = silent = 0
    fps = []
    narrower = []
    for pid, (base_id, fname, pname, ty, given) in meta.items():
        if base_id in bad_base or base_id in base_noise:
            continue
        k, q = bool(kusto.get(pid)), bool(ours.get(pid))
        if ty == "any":
            if k:
                narrower.append(f"{fname}({pname}: any) rejects {given}")
            continue
        if k and q:
            both += 1
        elif q:
            fp += 1
            fps.append(f"{fname}({pname}: {ty}) accepts {given}")
        elif k:
            miss += 1
            if args.verbose:
                print("  only-Kusto:", pid, "-", kusto[pid][0].get("message"))
        else:
            silent += 1
    returns = {"agree": 0, "qlint unknown": 0, "differ": []}
    for pid, _ in probes:
        if not pid.endswith("|returns") or pid[:-len("returns")] + "base" in bad_base:
            continue
        theirs = [re.search(r"operand types (\w+) and long", d.get("message", ""))
                  for d in kusto.get(pid, [])]
        mine = [re.search(r"operand types `(\w+)` and `long`", d.get("message", ""))
                for d in ours.get(pid, [])]
        t = next((m.group(1) for m in theirs if m), None)
        q = next((m.group(1) for m in mine if m), None)
        if q is None:
            returns["qlint unknown"] += 1
        elif q == t or (t is None and q in ("string", "dynamic")):
            returns["agree"] += 1
        else:
            returns["differ"].append(f"{pid[:-len('|returns')]}: Kusto {t}, qlint {q}")
    print(f"result types: agree {returns['agree']}, qlint unknown {returns['qlint unknown']}, "
          f"differ {len(returns['differ'])}")
    for line in returns["differ"]:
        print("  result type differs:", line)
    print(f"probes: {len(probes)}; baselines Kusto rejects: {len(bad_base)}; "
          f"baselines qlint flags: {len(base_noise)}")
    print(f"variants qlint rejects: both {both}, only-qlint {fp}, "
          f"(qlint silent: Kusto rejects {miss}, accepts {silent})")
    if both + fp:
        print(f"precision on probes: {both / (both + fp):.3f}")
    for line in sorted(set(fps)):
        print("  only-qlint:", line)
    for line in sorted(set(narrower)):
        print("  narrower than `any`:", line)
    if args.verbose:
        for pid in sorted(bad_base):
            print("  baseline rejected:", pid, kusto[pid][0].get("message"))
        for pid in sorted(base_noise):
            print("  baseline flagged by qlint:", pid, ours[pid][0].get("message"))


if __name__ == "__main__":
    main()
