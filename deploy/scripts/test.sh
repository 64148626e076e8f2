#!/usr/bin/env bash
# Installs everything the tests need, builds, and runs every test: unit,
# integration, fuzz replay, the official JS SDK and the independent gRPC
# clients (labels: unit integration fuzz sdk interop), then `buf lint`.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

bash deploy/scripts/install-deps.sh
for dir in tests/sdk tests/interop; do
  if [ -f "$dir/package.json" ]; then
    echo "test: npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

bash deploy/scripts/build.sh

echo "test: buf lint proto/"
(cd proto && "$root/tests/interop/node_modules/.bin/buf" lint)

cd build
ctest --output-on-failure --timeout 600 -j 2 "$@"
