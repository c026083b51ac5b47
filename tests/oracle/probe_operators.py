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
import os

from oracle_env import oracle_dir, run_kusto, run_qlint, write_jsonl

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
    oracle = oracle_dir(args.oracle)
    path = write_jsonl(probes())
    schema = os.path.join(oracle, "testdata", "schema_no_filename.json")
    kusto_out = run_kusto(oracle, path, schema)
    ours_out = run_qlint(path, ["KQL103"])
    os.remove(path)
    kusto = {pid: bool([d for d in r.get("semantic", []) if d.get("severity") == "Error"]
                       or r.get("syntax_errors")) for pid, r in kusto_out.items()}
    ours = {pid: bool(r["diagnostics"]) for pid, r in ours_out.items()}
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
