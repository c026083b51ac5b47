#!/usr/bin/env python3
"""The speed and memory targets of issue 15, measured in one run (tests/bench/targets.sh).

Sections (all by default; name some to run only those):
  ratio      qlint check vs Kusto.Language's check.js on the same KQL queries: syntax only
             (KQL001 vs check.js without a schema, target >= 100x) and full lint (default
             rules vs check.js --schema, target >= 300x), wall and CPU time
  memory     peak RSS of `qlint check` over a 10,000-file tree built from the corpus (< 150 MB)
  linear     time per MB for a 1, 10 and 50 MB query, a 1,000,000-character line and 100,000
             `or` terms (should stay flat)
  lsp        keystroke latency on a 10 MB document: completion after each edit, and the
             diagnostics of each version (debounce 0), p50/p99
  startup    `qlint check` on one small file end to end, and `qlint --version`

Everything is generated in a temporary folder; nothing is written into the repository.
    python3 tests/bench/targets.py --qlint target/release/qlint [--shared ../shared] [SECTION...]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


TIME = Path("/usr/bin/time")


def run(cmd, stdout=subprocess.DEVNULL, cwd=None, stdin=None):
    """Runs `cmd`; returns (wall s, cpu s, peak RSS MB, exit code).

    The peak RSS comes from GNU time when it is there: a child forked from this script starts
    with the script's own memory (the corpus it has read), and the kernel's high-water mark keeps
    that across exec, so `wait4`'s figure would be this script's size for a small command."""
    with tempfile.NamedTemporaryFile("r") as rss_file:
        timed = [str(TIME), "-f", "%M", "-o", rss_file.name, *cmd] if TIME.exists() else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(timed, stdout=stdout, stderr=subprocess.DEVNULL, cwd=cwd, stdin=stdin)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        rss = usage.ru_maxrss / 1024
        if TIME.exists():
            lines = rss_file.read().split()
            rss = int(lines[-1]) / 1024 if lines and lines[-1].isdigit() else rss
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, rss, code


def records(shared, language):
    for path in sorted((shared / "corpus" / language).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield json.loads(line)


def write_queries(folder, queries, suffix=".kql"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, query in enumerate(queries):
        (folder / f"q{i:05}{suffix}").write_text(query, encoding="utf-8")


def write_jsonl(path, queries):
    with path.open("w", encoding="utf-8") as out:
        for i, query in enumerate(queries):
            out.write(json.dumps({"id": str(i), "query": query}) + "\n")


def show(label, wall, cpu, rss=None):
    extra = f", peak RSS {rss:.0f} MB" if rss is not None else ""
    print(f"  {label:<44} wall {wall:7.2f} s   cpu {cpu:7.2f} s{extra}")


def verdict(value, target, above=True):
    ok = value >= target if above else value <= target
    return "PASS" if ok else "BELOW" if above else "OVER"


def ratio(args, tmp):
    kql = [r["query"] for r in records(args.shared, "kql")]
    oracle = args.shared / "oracles" / "kusto"
    if not (oracle / "node_modules").is_dir():
        print("ratio: SKIPPED (run `npm ci` in ../shared/oracles/kusto)")
        return
    schema = args.shared / "catalog" / "kql" / "tables.json"
    sample = kql[:: max(1, len(kql) // args.full_sample)][: args.full_sample]
    write_queries(tmp / "all", kql)
    write_queries(tmp / "sample", sample)
    write_jsonl(tmp / "all.jsonl", kql)
    write_jsonl(tmp / "sample.jsonl", sample)
    size = sum(len(q.encode()) for q in kql) / 1e6
    print(f"ratio: {len(kql)} KQL queries ({size:.1f} MB), one .kql file each; full lint on {len(sample)}")
    qlint = [str(args.qlint), "check", "--no-progress", "--format", "concise"]
    node = ["node", str(oracle / "check.js"), "--quiet"]
    rows = [
        ("syntax only", qlint + ["--select", "KQL001", str(tmp / "all")], node + [str(tmp / "all.jsonl")], 100),
        (
            "full lint",
            qlint + [str(tmp / "sample")],
            node + ["--schema", str(schema), str(tmp / "sample.jsonl")],
            300,
        ),
    ]
    for name, ours, theirs, target in rows:
        q_wall, q_cpu, _, _ = run(ours)
        k_wall, k_cpu, _, _ = run(theirs)
        show(f"{name}: qlint", q_wall, q_cpu)
        show(f"{name}: check.js", k_wall, k_cpu)
        wall_ratio, cpu_ratio = k_wall / q_wall, k_cpu / q_cpu
        print(
            f"  {name}: {wall_ratio:.0f}x wall, {cpu_ratio:.0f}x CPU (target >= {target}x): "
            f"{verdict(wall_ratio, target)} wall, {verdict(cpu_ratio, target)} CPU"
        )


def tree(args, folder, files):
    """`files` files from every corpus language, in their real containers."""
    kql = [r["query"] for r in records(args.shared, "kql")]
    spl = [r["query"] for r in records(args.shared, "spl")]
    sigma = [r["rule"] for r in records(args.shared, "sigma")]
    yaral = [r["rule"] for r in records(args.shared, "yaral")]
    made = 0
    while made < files:
        sub = folder / f"d{made // 500:03}"
        sub.mkdir(parents=True, exist_ok=True)
        n = made
        kind = n % 6
        if kind == 0:
            (sub / f"{n}.kql").write_text(kql[n % len(kql)], encoding="utf-8")
        elif kind == 1:
            body = "".join(f"  {l}\n" if l else "\n" for l in kql[(n * 7) % len(kql)].split("\n"))
            (sub / f"{n}.yaml").write_text(f"id: {n}\nname: r{n}\nkind: Scheduled\nquery: |-\n{body}", encoding="utf-8")
        elif kind == 2:
            (sub / f"{n}.spl").write_text(spl[n % len(spl)], encoding="utf-8")
        elif kind == 3:
            (sub / f"{n}.md").write_text(f"# Hunt {n}\n\n```kql\n{kql[(n * 3) % len(kql)]}\n```\n", encoding="utf-8")
        elif kind == 4:
            (sub / f"{n}.yml").write_text(sigma[n % len(sigma)], encoding="utf-8")
        else:
            (sub / f"{n}.yaral").write_text(yaral[n % len(yaral)], encoding="utf-8")
        made += 1


def memory(args, tmp):
    folder = tmp / "tree"
    tree(args, folder, 10_000)
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6
    print(f"memory: 10,000 files ({size:.1f} MB: .kql, Sentinel YAML, .spl, Markdown, Sigma, YARA-L)")
    for fmt in ["human", "json"]:
        wall, cpu, rss, _ = run([str(args.qlint), "check", "--no-progress", "--format", fmt, str(folder)])
        show(f"qlint check --format {fmt}", wall, cpu, rss)
        print(f"  peak RSS {rss:.0f} MB (target < 150 MB): {verdict(rss, 150, above=False)}")


def big_query(megabytes, one_line=False):
    sep = " " if one_line else "\n"
    parts, size, i = [], 0, 0
    while size < megabytes * 1_000_000:
        part = f"let v{i} = DeviceProcessEvents | where FileName =~ \"a{i}.exe\" and ProcessCommandLine has \"x{i}\";{sep}"
        parts.append(part)
        size += len(part)
        i += 1
    parts.append("v0 | take 10\n")
    return "".join(parts)


def or_terms(count):
    return "DeviceProcessEvents\n| where " + " or ".join(f"FileName == \"f{i}.exe\"" for i in range(count)) + "\n"


def linear(args, tmp):
    cases = [
        ("0.25 MB query (let statements)", big_query(0.25)),
        ("1 MB query (let statements)", big_query(1)),
        ("10 MB query", big_query(10)),
        ("50 MB query", big_query(50)),
        ("1,000,000-character line", big_query(1, one_line=True)[:1_000_000]),
        ("100,000 `or` terms", or_terms(100_000)),
    ]
    print("linear: qlint check on one file (default rules)")
    print(f"  {'input':<32} {'MB':>7} {'wall s':>8} {'cpu s':>8} {'cpu s/MB':>9} {'RSS MB':>7}")
    for name, text in cases:
        path = tmp / "big.kql"
        path.write_text(text, encoding="utf-8")
        mb = len(text.encode()) / 1e6
        limit = ["timeout", str(args.linear_limit)]
        wall, cpu, rss, code = run(limit + [str(args.qlint), "check", "--no-progress", "--format", "concise", str(path)])
        note = f"TIMED OUT after {args.linear_limit} s" if code == 124 else f"exit {code}"
        print(f"  {name:<32} {mb:7.2f} {wall:8.2f} {cpu:8.2f} {cpu / mb:9.3f} {rss:7.0f}  ({note})")


class Lsp:
    def __init__(self, qlint):
        self.proc = subprocess.Popen([str(qlint), "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.next_id = 0

    def send(self, message):
        body = json.dumps(message).encode()
        self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        self.proc.stdin.flush()

    def request(self, method, params):
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        return self.next_id

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def cpu(self):
        """CPU seconds (user + system) the server has used so far (Linux only; 0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return 0.0

    def read(self):
        length = None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise EOFError("qlint lsp ended")
            line = line.strip()
            if not line:
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return json.loads(self.proc.stdout.read(length))

    def wait(self, matches):
        while True:
            message = self.read()
            if "id" in message and "method" in message:  # a request from the server
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                continue
            if matches(message):
                return message


def lsp(args, tmp):
    # A query holding a stray ``` fence would pair with the next one across thousands of
    # queries and turn most of the document into a few multi-line strings: leave those out.
    kql = [r["query"] for r in records(args.shared, "kql") if "```" not in r["query"]]
    parts, size = [], 0
    while size < 10_000_000:
        q = kql[len(parts) % len(kql)].strip("\n")
        parts.append(q)
        size += len(q.encode()) + 2
    text = "\n\n".join(parts) + "\n"
    lines = text.split("\n")
    uri = (tmp / "big.kql").as_uri()
    (tmp / "big.kql").write_text(text, encoding="utf-8")
    server = Lsp(args.qlint)
    server.request("initialize", {"processId": None, "rootUri": tmp.as_uri(), "capabilities": {},
                                   "initializationOptions": {"qlint": {"debounceMs": 0}}})
    server.wait(lambda m: m.get("id") == 1)
    server.notify("initialized", {})
    start = time.perf_counter()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": text}})
    server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"].get("version") == 1)
    first = time.perf_counter() - start
    completion, diagnostics = [], []
    version = 1
    cpu_before = server.cpu()
    targets = [i for i, l in enumerate(lines) if l.startswith("| where ")][:: 97][: args.keystrokes]
    for line in targets:
        version += 1
        column = len(lines[line])
        t0 = time.perf_counter()
        server.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": line, "character": column}, "end": {"line": line, "character": column}}, "text": " "}],
        })
        lines[line] += " "
        rid = server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": {"line": line, "character": column + 1}})
        got_completion = got_diagnostics = None
        while got_completion is None or got_diagnostics is None:
            message = server.wait(lambda m: m.get("id") == rid or m.get("method") == "textDocument/publishDiagnostics")
            now = time.perf_counter() - t0
            if message.get("id") == rid:
                got_completion = now
            elif message["params"].get("version") == version:
                got_diagnostics = now
        completion.append(got_completion * 1000)
        diagnostics.append(got_diagnostics * 1000)
    cpu_keystrokes = server.cpu() - cpu_before
    load = os.getloadavg()[0]
    server.request("shutdown", None)
    server.notify("exit", None)
    server.proc.wait(timeout=10)

    def pct(values, p):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]

    print(f"lsp: a {size / 1e6:.1f} MB .kql document ({len(parts)} queries), {len(targets)} keystrokes, debounce 0")
    print(f"  open to first diagnostics: {first * 1000:.0f} ms")
    print(f"  keystroke -> completion:   p50 {pct(completion, 50):6.1f} ms   p99 {pct(completion, 99):6.1f} ms")
    print(f"  keystroke -> diagnostics:  p50 {pct(diagnostics, 50):6.1f} ms   p99 {pct(diagnostics, 99):6.1f} ms")
    print(f"  server CPU (user+sys) per keystroke: {cpu_keystrokes * 1000 / max(1, len(targets)):.1f} ms   load average {load:.1f}")


def startup(args, tmp):
    small = tmp / "small.kql"
    small.write_text("SecurityEvent\n| where EventID == 4625\n| summarize count() by Account\n", encoding="utf-8")
    print(f"startup: median of {args.repeat} runs")
    for label, cmd in [
        ("qlint --version", [str(args.qlint), "--version"]),
        ("qlint check small.kql (3 lines)", [str(args.qlint), "check", "--no-progress", str(small)]),
    ]:
        runs = [run(cmd) for _ in range(args.repeat)]
        wall = statistics.median(r[0] for r in runs) * 1000
        cpu = statistics.median(r[1] for r in runs) * 1000
        rss = statistics.median(r[2] for r in runs)
        print(f"  {label:<36} wall {wall:6.1f} ms   cpu {cpu:6.1f} ms   RSS {rss:5.1f} MB")


SECTIONS = {"ratio": ratio, "memory": memory, "linear": linear, "lsp": lsp, "startup": startup}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--qlint", type=Path, default=ROOT / "target" / "release" / "qlint")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--full-sample", type=int, default=1500)
    parser.add_argument("--keystrokes", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--linear-limit", type=int, default=300, help="seconds per linear case")
    parser.add_argument("sections", nargs="*", choices=[[], *SECTIONS], default=[])
    args = parser.parse_args()
    if not (args.shared / "corpus").is_dir():
        print(f"SKIPPED: no corpus at {args.shared / 'corpus'} (set --shared)")
        return
    args.qlint = args.qlint.resolve()
    with tempfile.TemporaryDirectory(prefix="qlint-bench-") as tmp:
        for name in args.sections or SECTIONS:
            section_tmp = Path(tmp) / name
            section_tmp.mkdir()
            SECTIONS[name](args, section_tmp)
            sys.stdout.flush()


if __name__ == "__main__":
    main()
