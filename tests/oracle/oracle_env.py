"""What the oracle scripts share: where the shared folder and Kusto's analyzer are, and how
to run each side over a JSONL file of `{"id", "query"}` records.

Kusto runs as `node check.js` in the oracle folder (../shared/oracles/kusto, or a copy named
by `--oracle` / `KUSTO_ORACLE` with `npm ci` done in it); qlint runs as the `lint_jsonl`
example of this workspace. Nothing is written into the repository.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def skip(reason):
    """Prints why the comparison cannot run and exits successfully."""
    print(f"SKIPPED: {reason}")
    sys.exit(0)


def shared_dir():
    return os.environ.get("QLINT_SHARED") or os.path.join(ROOT, "..", "shared")


def oracle_dir(given):
    """The oracle folder to run (`given`, else the shared one); exits with SKIPPED when node
    or the oracle's node_modules is missing."""
    oracle = given or os.path.join(shared_dir(), "oracles", "kusto")
    if shutil.which("node") is None:
        skip("node is not installed")
    if not os.path.isdir(os.path.join(oracle, "node_modules")):
        skip(f"no node_modules in {oracle} (copy the oracle and run `npm ci` there)")
    return oracle


def write_jsonl(records):
    """Writes `(id, query)` pairs to a new temporary JSONL file; returns its path."""
    fd, path = tempfile.mkstemp(prefix="qlint-oracle-", suffix=".jsonl")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for rid, query in records:
            f.write(json.dumps({"id": rid, "query": query}) + "\n")
    return path


def run_kusto(oracle, path, schema=None, out=None):
    """Kusto's verdicts on `path`, one record per query, keyed by id. With `out`, the raw
    output is written there instead of captured (for caching) and read back."""
    cmd = ["node", "check.js"]
    if schema:
        cmd += ["--schema", schema, "--all-semantic"]
    cmd.append(os.path.abspath(path))
    if out is None:
        text = subprocess.run(cmd, cwd=oracle, capture_output=True, text=True, check=True).stdout
    else:
        with open(out, "w", encoding="utf-8") as f:
            subprocess.run(cmd, cwd=oracle, stdout=f, stderr=subprocess.DEVNULL, check=True)
        with open(out, encoding="utf-8") as f:
            text = f.read()
    return {str(r["id"]): r for r in map(json.loads, text.splitlines()) if r}


def run_qlint(path, codes):
    """qlint's findings of `codes` on `path`, one record per query, keyed by id."""
    proc = subprocess.run(["cargo", "run", "-q", "-p", "qlint", "--example", "lint_jsonl", "--",
                           os.path.abspath(path)] + sorted(codes),
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return {str(r["id"]): r for r in map(json.loads, proc.stdout.splitlines())}
