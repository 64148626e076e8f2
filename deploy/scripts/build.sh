#!/usr/bin/env bash
# Configures and builds ucgate into ./build (targets given, or everything).
set -euo pipefail
cd "$(dirname "$0")/../.."
jobs=${UCGATE_BUILD_JOBS:-$(nproc)}
launcher=()
# ccache, when the machine has it, makes rebuilds of unchanged files free.
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build build -j "$jobs" --target "$@"
else
  cmake --build build -j "$jobs"
fi
