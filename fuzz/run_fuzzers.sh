#!/usr/bin/env bash
# Runs every fuzz target for FUZZ_SECONDS each (one after another), starting
# from the committed seeds in fuzz/corpus/<target>/ plus what earlier runs
# found (kept in $BUILD/corpus/<target>/, not committed). Crash inputs are
# written to fuzz/crashes/<target>-*; commit each under fuzz/regressions/<target>/
# (tests/test_fuzz_regressions.cpp replays them in `make test`).
# Usage: fuzz/run_fuzzers.sh BUILD_DIR SECONDS [TARGET...]
set -u
build=$1
seconds=$2
shift 2
targets=${*:-token_cache text_source toml_config cell_record baseline benchmark_files}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$root/fuzz/crashes"
status=0
for target in $targets; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  echo "== fuzz_$target for ${seconds}s" >&2
  "$build/fuzz_$target" "$work" "$root/fuzz/corpus/$target" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 -artifact_prefix="$root/fuzz/crashes/$target-" \
    > "$build/fuzz_$target.log" 2>&1 || status=1
  grep -E "^stat::|^#[0-9]+.*DONE|cov:" "$build/fuzz_$target.log" | tail -6 >&2
done
exit $status
