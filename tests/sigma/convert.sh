#!/bin/sh
# Installs pySigma with its Splunk backend in target/sigma-venv (once) and converts the
# SigmaHQ corpus to target/sigma_spl.jsonl. Then: cargo test -p qlint --test spl_corpus
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
venv="$root/target/sigma-venv"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q pysigma pysigma-backend-splunk
fi
exec "$venv/bin/python" "$root/tests/sigma/convert.py" "$@"
