#!/usr/bin/env bash
# Installs, builds and runs ucgate on its embedded Uploadcare emulator, then
# walks through real calls with ucctl. Needs no network and no account.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash deploy/scripts/install-deps.sh
echo "demo: building ucgate and ucctl (first build takes a few minutes)"
bash deploy/scripts/build.sh ucgate ucctl

listen=${UCGATE_DEMO_LISTEN:-127.0.0.1:50051}
log=$(mktemp)
./build/service/ucgate --emulator --listen "$listen" >"$log" 2>&1 &
gateway=$!
trap 'kill $gateway 2>/dev/null; wait $gateway 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do
  grep -q "listening on" "$log" && break
  kill -0 $gateway 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.1
done
cat "$log"

ucctl() { ./build/client/ucctl --target "$listen" "$@"; }
step() { printf '\n\033[1m$ ucctl %s\033[0m\n' "$*"; }

step files list --page-size 3 --output text
ucctl files list --page-size 3 --output text
uuid=$(ucctl files list --page-size 1 --stored false | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["uuid"])')

step files get "$uuid"
ucctl files get "$uuid"

step files store "$uuid" --output text
ucctl files store "$uuid" --output text

step files copy-remote "$uuid" --target emulated-storage
ucctl files copy-remote "$uuid" --target emulated-storage

step files batch-delete "$uuid" not-a-uuid --output text
ucctl files batch-delete "$uuid" not-a-uuid --output text

step "files get not-a-uuid   (bad input is refused before anything goes upstream)"
ucctl files get not-a-uuid || true

document=$(ucctl files search --mime-type application/pdf --page-size 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["files"][0]["uuid"])')
step files metadata set "$document" owner demo
ucctl files metadata set "$document" owner demo

step project get --output text
ucctl project get --output text

step groups list --page-size 3 --output text
ucctl groups list --page-size 3 --output text

step convert document "$document" --to png --page 1
conversion=$(ucctl convert document "$document" --to png --page 1)
echo "$conversion"
token=$(echo "$conversion" | python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["token"])')

step "convert watch --document $token --output text   (a stream: each status as it changes, until the job ends)"
ucctl convert watch --document "$token" --output text

step webhooks create --target-url https://hooks.example.com/uc --event file.uploaded
ucctl webhooks create --target-url https://hooks.example.com/uc --event file.uploaded

step "files list --all   (StreamFiles: the whole listing as one stream, counted)"
ucctl files list --all --output text | tail -n 1

printf '\nThe gateway serves gRPC on %s (reflection and grpc.health.v1 on).\n' "$listen"
if [ -t 0 ]; then
  echo "It keeps running: try './build/client/ucctl --help'. Press Ctrl-C to stop."
  wait $gateway
fi
