#!/usr/bin/env python3
"""Does `qlint fmt` keep valid KQL valid for Kusto? Formats every query of the KQL corpus
(`../shared/corpus/kql/*.jsonl`) with the `fmt_jsonl` example, runs Kusto's parser
(`KustoCode.Parse`, syntax only) over the originals and the formatted texts, and counts the
queries that Kusto accepted before formatting and rejects after. Prints the figures and the
first few regressions; exits 1 when there is any. SKIPPED when node, the oracle or the corpus
is missing.

    python3 tests/oracle/fmt_validity.py [--oracle DIR] [--show N]
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import time

from oracle_env import ROOT, oracle_dir, run_kusto, shared_dir, skip, write_jsonl


def formatted_corpus(files):
    """(id, original, formatted or None) for every corpus query; ids made unique by file."""
    originals = []
    for path in files:
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                record = json.loads(line)
                if isinstance(record.get("query"), str):
                    originals.append((f"{name}:{n}", record["query"]))
    source = write_jsonl(originals)
    proc = subprocess.run(
        ["cargo", "run", "-q", "-p", "qlint-fmt", "--example", "fmt_jsonl", "--",
         "kql", source],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    os.unlink(source)
    results = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(results) == len(originals), (len(results), len(originals))
    return [(rid, query, r.get("query")) for (rid, query), r in zip(originals, results)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--oracle", default=os.environ.get("KUSTO_ORACLE"))
    parser.add_argument("--show", type=int, default=5)
    args = parser.parse_args()
    oracle = oracle_dir(args.oracle)
    files = sorted(glob.glob(os.path.join(shared_dir(), "corpus", "kql", "*.jsonl")))
    if not files:
        skip("no KQL corpus in the shared folder")
    started = time.monotonic()
    rows = formatted_corpus(files)
    before_path = write_jsonl([(rid, q) for rid, q, _ in rows])
    after_path = write_jsonl([(rid, f) for rid, _, f in rows if f is not None])
    before = run_kusto(oracle, before_path)
    after = run_kusto(oracle, after_path)
    os.unlink(before_path)
    os.unlink(after_path)
    valid = [rid for rid, _, _ in rows if not before[rid]["syntax_errors"]]
    formatted = [rid for rid, _, f in rows if f is not None]
    changed = [rid for rid, q, f in rows if f is not None and f != q]
    valid_formatted = [rid for rid in valid if rid in after]
    broken = [rid for rid in valid_formatted if after[rid]["syntax_errors"]]
    refused_valid = [rid for rid in valid if rid not in after]
    print(f"KQL corpus queries:                        {len(rows)}")
    print(f"  valid for Kusto (syntax):                {len(valid)}")
    print(f"  formatted by qlint (they parse for us):  {len(formatted)} ({len(changed)} changed)")
    print(f"  valid and formatted:                     {len(valid_formatted)}")
    print(f"  valid, formatted, rejected by Kusto now: {len(broken)}")
    print(f"  valid but refused by qlint fmt:          {len(refused_valid)}")
    print(f"  time: {time.monotonic() - started:.1f}s")
    texts = {rid: (q, f) for rid, q, f in rows}
    for rid in broken[: args.show]:
        original, new = texts[rid]
        print(f"\n--- {rid}: {after[rid]['syntax_errors'][0]}\n{new}")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
