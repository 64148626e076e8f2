#!/usr/bin/env bash
# Configures and builds ucgate into ./build (targets given, or everything).
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${UCGATE_BUILD_JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j "$jobs" --target "$@"
else
  cmake --build build -j "$jobs"
fi
