#!/usr/bin/env python3
"""Run every pySigma core validator on the SigmaHQ corpus and count issues per validator.

Usage: target/sigma-venv/bin/python tests/sigma/validate.py [SIGMA_JSONL] [--show NAME]
Needs: pip install pysigma (tests/sigma/convert.sh makes target/sigma-venv).
Prints `validator<TAB>issues<TAB>rules` sorted by name; with `--show NAME`, the corpus ids of
the rules that validator flags, one per line, for comparing with qlint's hits.
"""
import collections
import json
import os
import sys
import warnings

from sigma.collection import SigmaCollection
from sigma.validators.core import validators

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
# Checks of a whole repository (file names, duplicate ids/titles), not of one rule's content.
SKIP = {"duplicate_filename", "filename_length", "identifier_uniqueness", "duplicate_title"}


def default_input():
    for base in (os.path.join(ROOT, "..", "shared"), os.path.join(ROOT, "..", "..", "shared")):
        path = os.path.join(base, "corpus", "sigma", "sigmahq.jsonl")
        if os.path.isfile(path):
            return path
    return None


def main():
    args = [a for a in sys.argv[1:]]
    show = None
    if "--show" in args:
        i = args.index("--show")
        show = args[i + 1]
        del args[i : i + 2]
    src = args[0] if args else default_input()
    if not src or not os.path.isfile(src):
        print("sigma corpus not found; pass its path as the first argument", file=sys.stderr)
        return 2
    warnings.simplefilter("ignore")
    issues = collections.Counter()
    rules_hit = collections.defaultdict(set)
    for line in open(src, encoding="utf-8"):
        if not line.strip():
            continue
        record = json.loads(line)
        try:
            collection = SigmaCollection.from_yaml(record["rule"])
        except Exception:
            continue
        for name, cls in validators.items():
            if name in SKIP:
                continue
            validator = cls()
            for rule in collection.rules:
                try:
                    found = validator.validate(rule)
                except Exception:
                    continue
                issues[name] += len(found)
                if found:
                    rules_hit[name].add(record["id"])
    if show:
        for rid in sorted(rules_hit[show]):
            print(rid)
        return 0
    for name in sorted(validators):
        if name not in SKIP:
            print(f"{name}\t{issues[name]}\t{len(rules_hit[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
