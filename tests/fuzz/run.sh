#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each, seeding the corpora first when they are missing.
# JOBS targets run at once (default 1) under nice NICE (default 19). Findings land in
# tests/fuzz/artifacts/<target>/; a summary line per target goes to tests/fuzz/runs.log
# (wall and CPU time, executions, coverage, artifacts found).
#   tests/fuzz/run.sh [SECONDS] [TARGET...]          # default 450 s each, every target
#   JOBS=4 NICE=0 tests/fuzz/run.sh 1800             # four at a time, normal priority
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-450}
shift || true
targets=("$@")
jobs=${JOBS:-1}
niceness=${NICE:-19}
if [[ ${#targets[@]} -eq 0 ]]; then
    mapfile -t targets < <(cargo +nightly fuzz list --fuzz-dir .)
fi
[[ -d corpus ]] || python3 seed.py
nice -n "$niceness" cargo +nightly fuzz build --fuzz-dir . -O || exit 1

fuzz_one() {
    local target=$1 log start status elapsed runs cov cpu found
    mkdir -p "corpus/$target" "artifacts/$target"
    log="artifacts/$target/last-run.log"
    start=$(date +%s)
    /usr/bin/time -f "%U %S" -o "artifacts/$target/cpu" \
        nice -n "$niceness" cargo +nightly fuzz run --fuzz-dir . -O "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=20 -rss_limit_mb=4096 -max_len=65536 \
        -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 >"$log" 2>&1
    status=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(grep -o '^#[0-9]*' "$log" | tr -d '#' | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    cpu=$(awk '{ printf "%.0f", $1 + $2 }' "artifacts/$target/cpu" 2>/dev/null)
    found=$(find "artifacts/$target" -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' | wc -l)
    echo "$(date -u +%FT%TZ) $target: ${elapsed}s wall, ${cpu:-?}s CPU, exit $status, ${runs:-?} runs, ${cov:-cov: ?}, $found artifacts" | tee -a runs.log
}

for target in "${targets[@]}"; do
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n; done
    fuzz_one "$target" &
done
wait
