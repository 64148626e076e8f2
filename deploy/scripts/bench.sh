#!/usr/bin/env bash
# Builds the benchmarks in Release (build-bench/, beside build/) and runs them:
# the JSON -> proto mapping bench, the observing interceptor's cost on a bare
# echo, the upstream transport at 50 ms upstream latency (transport_bench),
# then the harness (tests/bench/ucgate_bench: every scenario of issue 4 side by
# side, with each target's verdict).
#
#   deploy/scripts/bench.sh            full run (a few minutes)
#   deploy/scripts/bench.sh --quick    smoke run (small sizes, seconds)
#   deploy/scripts/bench.sh [--quick] -- [ucgate_bench options]   e.g. -- --scenarios 1,2
set -euo pipefail
cd "$(dirname "$0")/../.."

quick=()
harness_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --) shift; harness_args=("$@"); break ;;
    *) echo "usage: $0 [--quick] [-- ucgate_bench options]" >&2; exit 2 ;;
  esac
  shift
done

build_dir=${UCGATE_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DUCGATE_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j "${UCGATE_BUILD_JOBS:-2}" \
  --target json_mapping_bench interceptor_bench transport_bench ucgate_bench \
  ucgate ucgate-emulator

echo
echo "== JSON -> proto mapping (tests/bench/json_mapping_bench)"
"$build_dir/tests/bench/json_mapping_bench" "${quick[@]}"
echo
echo "== observing interceptor (tests/bench/interceptor_bench)"
"$build_dir/tests/bench/interceptor_bench" "${quick[@]}"
echo
echo "== upstream transport at 50 ms latency (tests/bench/transport_bench)"
"$build_dir/tests/bench/transport_bench" "${quick[@]}"
echo
echo "== harness (tests/bench/ucgate_bench)"
"$build_dir/tests/bench/ucgate_bench" "${quick[@]}" "${harness_args[@]}"
