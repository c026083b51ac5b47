#!/usr/bin/env bash
# Lex+parse throughput of the KQL and SPL parsers over ../shared/corpus, in MB per second of
# CPU time on one core, against the target of issue 15 (>= 40 MB/s each).
#   tests/bench/parse_speed.sh            # figures and PASS/BELOW per language
#   tests/bench/parse_speed.sh --digest   # hash of every query's parse result, for diff
# Skips (exit 0) when the corpus is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --quiet --release -p qlint-grammar --example corpus_speed
bin=target/release/examples/corpus_speed
if [[ "${1:-}" == "--digest" ]]; then
    exec "$bin" --digest
fi
out=$("$bin")
echo "$out"
grep -q '^SKIPPED' <<<"$out" && exit 0
target=40
while read -r lang rate; do
    verdict=$(awk -v r="$rate" -v t="$target" 'BEGIN { print (r >= t) ? "PASS" : "BELOW" }')
    echo "$lang lex+parse: $rate MB/s (target >= $target): $verdict"
done < <(awk '/lex\+parse/ { print $1, $3 }' <<<"$out")
