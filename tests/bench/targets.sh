#!/usr/bin/env bash
# Issue 15's speed and memory targets in one run: qlint vs Kusto.Language's check.js (syntax
# only >= 100x, full lint >= 300x), peak RSS over a 10,000-file tree (< 150 MB), time per MB
# from 1 to 50 MB, LSP keystroke latency on a 10 MB document, start-up on one small file.
#   tests/bench/targets.sh                 # every section
#   tests/bench/targets.sh memory startup  # some of them
# Needs node and `npm ci` in ../shared/oracles/kusto for the ratios; skips when ../shared is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --release -p qlint
exec python3 tests/bench/targets.py --qlint target/release/qlint "$@"
