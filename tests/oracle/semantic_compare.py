#!/usr/bin/env python3
"""Lines up qlint's semantic findings with those of Kusto's own analyzer (Kusto.Language).

For every query of the given JSONL files (default: ../shared/corpus/kql/*.jsonl), runs qlint
(the `lint_jsonl` example) and the Kusto oracle (../shared/oracles/kusto/check.js with the
catalog's table schemas), then matches findings by query id and overlapping span within
each family:

    family     qlint                Kusto
    type       KQL103, KQL104       KS106 KS107 KS127 KS134 KS137 KS138 KS141 KS234 KS235
    column     KQL202               KS142 (name does not refer to any known column ...),
                                    KS145 (a join column missing on one side)
    function   KQL203               KS211
    table      KQL201               KS204
    arity      KQL102               KS119

and prints, per family and per qlint code (for names, Kusto's repeated reports of one name in
one query count once, as qlint reports the first use): both / only-qlint (our false positives or
catalog gaps) / only-Kusto (misses), with precision = both / (both + only-qlint).

    python3 tests/oracle/semantic_compare.py [--oracle DIR] [--cache DIR] [--samples N]
                                             [--family F] [FILE.jsonl ...]

--oracle: a copy of the oracle folder with node_modules installed (`npm ci` there); default
$KUSTO_ORACLE, else <shared>/oracles/kusto. --cache: where the oracle's output is kept between
runs (default /tmp/qlint-oracle-cache); delete it after changing the corpus or the catalog.
Nothing is written into the repository. Prints SKIPPED and exits 0 when node, the oracle or
the shared folder is missing.
"""

import argparse
import glob
import hashlib
import json
import os

from oracle_env import oracle_dir, run_kusto, run_qlint, shared_dir, skip

FAMILIES = {
    "type": ({"KQL103", "KQL104"},
             {"KS106", "KS107", "KS127", "KS134", "KS137", "KS138", "KS141", "KS234", "KS235"}),
    "column": ({"KQL202"}, {"KS142", "KS145"}),
    "function": ({"KQL203"}, {"KS211"}),
    "table": ({"KQL201"}, {"KS204"}),
    "arity": ({"KQL102"}, {"KS119"}),
}


# Families whose findings name something: Kusto reports every use, qlint the first one.
NAMED = {"column", "function", "table"}


def utf16_to_byte(text, offset):
    """Kusto offsets count UTF-16 code units; qlint's count UTF-8 bytes."""
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return len(text[:i].encode("utf-8"))
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text.encode("utf-8"))


def text_of(text, span):
    """The query text under a byte span."""
    return text.encode("utf-8")[span[0]:span[1]].decode("utf-8", "replace")


def overlaps(a, b):
    (s1, e1), (s2, e2) = a, b
    if s1 == e1 or s2 == e2:  # zero-width: touching counts
        return s1 <= e2 and s2 <= e1
    return s1 < e2 and s2 < e1


def load_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    pass
    return out


def cached_kusto(oracle, schema, path, cache):
    """Kusto's verdicts on a corpus file, kept in `cache` by content (they take minutes)."""
    with open(path, "rb") as f, open(schema, "rb") as s:
        digest = hashlib.sha256(f.read() + s.read()).hexdigest()[:16]
    cached = os.path.join(cache, f"{os.path.basename(path)}.{digest}.out")
    if os.path.exists(cached):
        return {str(r["id"]): r for r in load_jsonl(cached)}
    os.makedirs(cache, exist_ok=True)
    verdicts = run_kusto(oracle, path, schema, out=cached + ".tmp")
    os.replace(cached + ".tmp", cached)
    return verdicts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--oracle", default=os.environ.get("KUSTO_ORACLE"))
    ap.add_argument("--cache", default="/tmp/qlint-oracle-cache")
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--family", default=None)
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()

    shared = shared_dir()
    schema = os.path.join(shared, "catalog", "kql", "tables.json")
    files = args.files or sorted(glob.glob(os.path.join(shared, "corpus", "kql", "*.jsonl")))
    if not os.path.exists(schema) or not files:
        skip(f"shared folder not found at {shared}")
    oracle = oracle_dir(args.oracle)

    families = {args.family: FAMILIES[args.family]} if args.family else FAMILIES
    counts = {f: [0, 0, 0] for f in families}  # both, only-qlint, only-kusto
    per_code = {}
    samples = {f: ([], []) for f in families}
    queries = syntax = 0
    for path in files:
        kusto = cached_kusto(oracle, schema, path, args.cache)
        ours = run_qlint(path, {c for codes, _ in FAMILIES.values() for c in codes})
        for record in load_jsonl(path):
            qid, text = str(record.get("id")), record.get("query")
            if not isinstance(text, str):
                continue
            queries += 1
            k = kusto.get(qid, {})
            if k.get("syntax_errors"):
                syntax += 1
            for fam, (our_codes, their_codes) in families.items():
                mine = [(d["code"], (d["start"], d["end"]), d["message"])
                        for d in ours.get(qid, {}).get("diagnostics", [])
                        if d["code"] in our_codes]
                theirs = [(d["code"], (utf16_to_byte(text, d["start"]),
                                       utf16_to_byte(text, d["end"])), d["message"])
                          for d in k.get("semantic", [])
                          if d["code"] in their_codes and d.get("severity") == "Error"]
                for code, span, msg in mine:
                    hit = any(overlaps(span, s) for _, s, _ in theirs)
                    counts[fam][0 if hit else 1] += 1
                    c = per_code.setdefault(code, [0, 0])
                    c[0 if hit else 1] += 1
                    if not hit:
                        samples[fam][0].append((qid, code, msg, text_of(text, span)))
                # For names, all the uses of one name in one query count as one finding.
                groups = {}
                for code, span, msg in theirs:
                    key = msg if fam in NAMED else (msg, span)
                    groups.setdefault(key, []).append((code, span, msg))
                for uses in groups.values():
                    if not any(overlaps(span, s) for _, span, _ in uses for _, s, _ in mine):
                        code, span, msg = uses[0]
                        counts[fam][2] += 1
                        samples[fam][1].append((qid, code, msg, text_of(text, span)))

    print(f"queries: {queries} (Kusto syntax errors in {syntax}); files: {len(files)}")
    print(f"{'family':<9} {'both':>6} {'only-qlint':>11} {'only-Kusto':>11} {'precision':>10}")
    for fam, (both, oq, ok) in counts.items():
        prec = f"{both / (both + oq):.3f}" if both + oq else "-"
        print(f"{fam:<9} {both:>6} {oq:>11} {ok:>11} {prec:>10}")
    for code, (both, oq) in sorted(per_code.items()):
        prec = f"{both / (both + oq):.3f}" if both + oq else "-"
        print(f"  {code:<7} both {both:>5}  only-qlint {oq:>5}  precision {prec}")
    for fam, (fp, miss) in samples.items():
        for title, rows in (("only-qlint", fp), ("only-Kusto", miss)):
            for qid, code, msg, snippet in rows[:args.samples]:
                print(f"[{fam} {title}] {qid} {code}: {msg} {snippet!r}")


if __name__ == "__main__":
    main()
