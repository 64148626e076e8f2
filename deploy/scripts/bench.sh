#!/usr/bin/env bash
# Builds the benchmarks in Release (build-bench/, beside build/) and runs them:
# the JSON -> proto mapping bench, the observing interceptor's cost on a bare
# echo, the upstream transport at 50 ms upstream latency (transport_bench),
# then the harness (tests/bench/ucgate_bench: every scenario of issue 4 side by
# side, with each target's verdict), then the soak (harness scenario 6: 1,000
# slow streams beside unary load for UCGATE_SOAK_SECONDS, default 180, with
# the gateway's RSS sampled), then every fuzz target built for
# libFuzzer with clang (build-fuzz/), each run for a while, with its
# executions per second.
#
#   deploy/scripts/bench.sh            full run (a few minutes, plus 60 s per fuzzer)
#   deploy/scripts/bench.sh --quick    smoke run (small sizes, seconds; 10 s per fuzzer)
#   deploy/scripts/bench.sh --fuzz-only  only the fuzzers
#   deploy/scripts/bench.sh --soak-only  only the soak
#   deploy/scripts/bench.sh [--quick] -- [ucgate_bench options]   e.g. -- --scenarios 1,2
#
# UCGATE_FUZZ_SECONDS sets each fuzzer's run; UCGATE_FUZZ_BUILD_DIR its build
# tree; CXX_FUZZ the clang (default clang++-14, else clang++). New inputs a run
# finds go to build-fuzz/tests/fuzz/<target>_corpus, never to the seeds.
set -euo pipefail
cd "$(dirname "$0")/../.."

quick=()
harness_args=()
fuzz_only=false
soak_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --fuzz-only) fuzz_only=true ;;
    --soak-only) soak_only=true ;;
    --) shift; harness_args=("$@"); break ;;
    *) echo "usage: $0 [--quick] [--fuzz-only|--soak-only] [-- ucgate_bench options]" >&2; exit 2 ;;
  esac
  shift
done

# Fuzz targets and their seed directories (tests/fuzz/corpus/...).
fuzz_targets=(file_json_fuzzer:file_json upstream_parsers_fuzzer:upstream
              config_fuzzer:config token_fuzzer:token
              emulator_request_fuzzer:emulator_request)

run_fuzzers() {
  local cxx=${CXX_FUZZ:-}
  if [ -z "$cxx" ]; then
    for candidate in clang++-14 clang++; do
      if command -v "$candidate" >/dev/null; then cxx=$candidate; break; fi
    done
  fi
  echo
  if [ -z "$cxx" ]; then
    echo "== fuzzers: skipped (no clang++; apt-get install clang libclang-rt-14-dev)"
    return 0
  fi
  local seconds=${UCGATE_FUZZ_SECONDS:-60}
  [ ${#quick[@]} -gt 0 ] && seconds=${UCGATE_FUZZ_SECONDS:-10}
  local dir=${UCGATE_FUZZ_BUILD_DIR:-build-fuzz}
  local cc=${cxx/clang++/clang}
  CXX=$cxx CC=$cc cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DUCGATE_LIBFUZZER=ON >/dev/null
  local names=()
  for entry in "${fuzz_targets[@]}"; do names+=("${entry%%:*}"); done
  cmake --build "$dir" -j "${UCGATE_BUILD_JOBS:-2}" --target "${names[@]}"

  echo
  echo "== fuzzers, libFuzzer with $cxx, ${seconds} s each (exec/s: average executions per second)"
  local summary=() failed=0
  for entry in "${fuzz_targets[@]}"; do
    local name=${entry%%:*} seeds=tests/fuzz/corpus/${entry#*:}
    local corpus=$dir/tests/fuzz/${name}_corpus log=$dir/tests/fuzz/${name}.log
    mkdir -p "$corpus"
    echo "-- $name (log: $log)"
    local status=0
    "$dir/tests/fuzz/$name" -max_total_time="$seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 "$corpus" "$seeds" >"$log" 2>&1 || status=$?
    local execs per_second units
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    per_second=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    units=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    if [ "$status" -ne 0 ]; then
      failed=1
      tail -n 30 "$log"
      summary+=("$(printf '%-26s FAILED (exit %d), see %s' "$name" "$status" "$log")")
    else
      summary+=("$(printf '%-26s %10s exec/s %12s runs %6s new inputs' \
        "$name" "${per_second:-?}" "${execs:-?}" "${units:-?}")")
    fi
  done
  echo
  printf '%s\n' "${summary[@]}"
  return $failed
}

if $fuzz_only; then
  run_fuzzers
  exit $?
fi

build_dir=${UCGATE_BENCH_BUILD_DIR:-build-bench}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DUCGATE_BUILD_BENCH=ON >/dev/null
cmake --build "$build_dir" -j "${UCGATE_BUILD_JOBS:-2}" \
  --target json_mapping_bench interceptor_bench transport_bench ucgate_bench \
  ucgate ucgate-emulator

run_soak() {
  echo
  echo "== soak (tests/bench/ucgate_bench scenario 6)"
  "$build_dir/tests/bench/ucgate_bench" "${quick[@]}" --scenarios 6 \
    --soak-seconds "${UCGATE_SOAK_SECONDS:-180}"
}
if $soak_only; then
  run_soak
  exit $?
fi

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

run_soak
run_fuzzers
