#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from ../shared/corpus into tests/fuzz/corpus/<target>/.

The corpus directory is generated, never committed (.gitignore). Each seed is one real query
(or a container built around one); the targets that pick a language or container kind by the
first byte get that byte in front. At most --per-target seeds per target, spread evenly over
the records, each at most --max-bytes long.

    python3 tests/fuzz/seed.py [--shared ../shared] [--per-target 300] [--max-bytes 16384]
"""

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def records(shared, language):
    for path in sorted((shared / "corpus" / language).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def texts(shared, language, field):
    return [r[field] for r in records(shared, language) if isinstance(r.get(field), str)]


def sigma_conditions(rules):
    found = []
    for rule in rules:
        for match in re.finditer(r"^\s*(?:-\s*)?condition:\s*(.+)$", rule, re.M):
            found.append(match.group(1).strip().strip("'\""))
    return found


def block(key, value, indent="  "):
    body = "".join(indent + line + "\n" if line else "\n" for line in value.split("\n"))
    return f"{key}: |\n{body}"


def markdown(query, tag):
    return f"# Hunt\n\nSome words.\n\n```{tag}\n{query}\n```\n"


def conf(query, key):
    continued = " \\\n".join(query.split("\n"))
    return f"[Some rule]\n{key} = {continued}\ndisabled = 0\n"


def sentinel_yaml(query):
    return "id: 1\nname: a rule\nkind: Scheduled\nqueryPeriod: 1h\n" + block("query", query)


def escu_yaml(query):
    return "name: a detection\ntype: TTP\n" + block("search", query)


def lsp_session(query, language):
    def frame(message):
        body = json.dumps(message)
        return f"Content-Length: {len(body.encode())}\r\n\r\n{body}"

    uri = f"file:///q.{language}"
    return "".join(
        frame(m)
        for m in [
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
            {"jsonrpc": "2.0", "method": "initialized", "params": {}},
            {
                "jsonrpc": "2.0",
                "method": "textDocument/didOpen",
                "params": {
                    "textDocument": {"uri": uri, "languageId": language, "version": 1, "text": query}
                },
            },
            {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        ]
    )


def write(target, seeds, prefix, args):
    out = HERE / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    seeds = [s for s in seeds if 0 < len(s.encode()) <= args.max_bytes]
    step = max(1, len(seeds) // args.per_target)
    kept = 0
    for index, seed in enumerate(seeds[::step][: args.per_target]):
        data = prefix(index) + seed.encode()
        (out / hashlib.sha1(data).hexdigest()).write_bytes(data)
        kept += 1
    print(f"{target}: {kept} seeds")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=HERE / "../../../shared")
    parser.add_argument("--per-target", type=int, default=300)
    parser.add_argument("--max-bytes", type=int, default=16384)
    args = parser.parse_args()
    if not (args.shared / "corpus").is_dir():
        sys.exit(f"no corpus at {args.shared / 'corpus'}; pass --shared")
    kql = texts(args.shared, "kql", "query")
    spl = texts(args.shared, "spl", "query")
    sigma = texts(args.shared, "sigma", "rule")
    yaral = texts(args.shared, "yaral", "rule")
    none = lambda _: b""
    byte = lambda value: lambda _: bytes([value])
    write("kql_parse", kql, none, args)
    write("spl_parse", spl, none, args)
    write("yaral_parse", yaral, none, args)
    write("sigma_condition", sigma_conditions(sigma), none, args)
    # lint_query: 0 KQL, 1 SPL, 2 YARA-L, 3 Sigma (selector % 4).
    write("lint_query", kql[::4], byte(0), args)
    write("lint_query", spl[1::4], byte(1), args)
    write("lint_query", yaral[::2], byte(2), args)
    write("lint_query", sigma[::8], byte(3), args)
    # containers: 0 Markdown, 1 YAML, 2 savedsearches.conf, 3 macros.conf, 4 .kql (% 5).
    write("containers", [markdown(q, "kql") for q in kql[::6]], byte(0), args)
    write("containers", [markdown(q, "spl") for q in spl[::6]], byte(0), args)
    write("containers", [sentinel_yaml(q) for q in kql[1::6]], byte(1), args)
    write("containers", [escu_yaml(q) for q in spl[1::6]], byte(1), args)
    write("containers", sigma[::10], byte(1), args)
    write("containers", [conf(q, "search") for q in spl[2::6]], byte(2), args)
    write("containers", [conf(q, "definition") for q in spl[3::6]], byte(3), args)
    write("containers", ["\n\n".join(kql[i : i + 3]) for i in range(2, len(kql), 18)], byte(4), args)
    # fix: 0 .kql, 1 .spl, 2 Markdown, 3 YAML, 4 savedsearches.conf, 5 macros.conf (% 6).
    write("fix", kql[::5], byte(0), args)
    write("fix", spl[::5], byte(1), args)
    write("fix", [markdown(q, "kql") for q in kql[2::10]], byte(2), args)
    write("fix", [sentinel_yaml(q) for q in kql[3::10]], byte(3), args)
    write("fix", [escu_yaml(q) for q in spl[3::10]], byte(3), args)
    write("fix", [conf(q, "search") for q in spl[4::10]], byte(4), args)
    write("fix", [conf(q, "definition") for q in spl[5::10]], byte(5), args)
    write("lsp_framing", [lsp_session(q, "kql") for q in kql[::20]], none, args)
    write("lsp_framing", [lsp_session(q, "spl") for q in spl[::20]], none, args)


if __name__ == "__main__":
    main()
