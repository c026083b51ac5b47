#!/usr/bin/env python3
"""Convert the SigmaHQ rules in ../shared/corpus/sigma/sigmahq.jsonl to SPL with pySigma's
Splunk backend and write one JSON object per produced search to target/sigma_spl.jsonl.

Usage: python3 tests/sigma/convert.py [SIGMA_JSONL] [OUT_JSONL]
Needs: pip install pysigma pysigma-backend-splunk
Prints conversion counts (rules read, converted, failed by error type, searches written).
"""
import collections
import json
import os
import sys
import warnings

from sigma.backends.splunk import SplunkBackend
from sigma.collection import SigmaCollection

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))


def default_input():
    for base in (os.path.join(ROOT, "..", "shared"), os.path.join(ROOT, "..", "..", "shared")):
        path = os.path.join(base, "corpus", "sigma", "sigmahq.jsonl")
        if os.path.isfile(path):
            return path
    return None


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else default_input()
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "target", "sigma_spl.jsonl")
    if not src or not os.path.isfile(src):
        print("sigma corpus not found; pass its path as the first argument", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    backend = SplunkBackend()
    rules = converted = searches = 0
    failures = collections.Counter()
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(src, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            line = line.strip()
            if not line:
                continue
            record = json.loads(line)
            rules += 1
            try:
                collection = SigmaCollection.from_yaml(record["rule"])
                queries = backend.convert(collection)
            except Exception as exc:  # pySigma raises many error types; count them
                failures[type(exc).__name__] += 1
                continue
            queries = [q for q in queries if isinstance(q, str) and q.strip()]
            if not queries:
                failures["NoQuery"] += 1
                continue
            converted += 1
            for n, q in enumerate(queries):
                w.write(json.dumps({"id": f"{record['id']}#{n}", "spl": q}) + "\n")
                searches += 1
    print(f"rules read: {rules}")
    print(f"rules converted: {converted}")
    print(f"searches written: {searches} -> {out}")
    for name, count in failures.most_common():
        print(f"not converted ({name}): {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
