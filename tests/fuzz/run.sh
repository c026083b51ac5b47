#!/usr/bin/env bash
# Runs every fuzz target in turn (one job, nice 19) for SECONDS each, seeding the corpora
# first when they are missing. Findings land in tests/fuzz/artifacts/<target>/; a summary line
# per target goes to tests/fuzz/runs.log (time, executions, coverage, crashes).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]      # default 450 s each, every target
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-450}
shift || true
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir .)
fi
[[ -d corpus ]] || python3 seed.py
nice -n 19 cargo +nightly fuzz build --fuzz-dir . -O
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    log="artifacts/$target/last-run.log"
    start=$(date +%s)
    /usr/bin/time -f "%U %S" -o "artifacts/$target/cpu" \
        nice -n 19 cargo +nightly fuzz run --fuzz-dir . -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >"$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(grep -o '^#[0-9]*' "$log" | tr -d '#' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    cpu=$(awk '{ printf "%.0f", $1 + $2 }' "artifacts/$target/cpu" 2>/dev/null)
    found=$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
    echo "$(date -u +%FT%TZ) $target: ${elapsed}s wall, ${cpu:-?}s CPU, exit $status, ${runs:-?} runs, ${cov:-cov: ?}, $found artifacts" | tee -a runs.log
done
