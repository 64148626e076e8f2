#!/usr/bin/env bash
# Installs what ucgate needs to build, run and test, from Debian 12 packages
# (and Node.js from Debian when the machine has none). Idempotent; run as root.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libcurl4-openssl-dev libssl-dev libgtest-dev libgmock-dev
  libsimdjson-dev libcpp-httplib-dev rapidjson-dev libyaml-cpp-dev
  nghttp2-server
  prometheus-cpp-dev
  python3 python3-yaml unzip
)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# promtool (the tests check the metrics exposition with `promtool check
# metrics`) ships only inside Debian's `prometheus` package, which would also
# install (and on a machine with systemd, start) a Prometheus server: take the
# one binary out of the package instead.
if ! command -v promtool >/dev/null 2>&1; then
  echo "install-deps: promtool from Debian's prometheus package"
  scratch=$(mktemp -d)
  chmod 755 "$scratch"  # apt's download sandbox user writes here
  if ! (cd "$scratch" && apt-get download -qq prometheus 2>/dev/null); then
    apt-get update -qq
    (cd "$scratch" && apt-get download -qq prometheus)
  fi
  dpkg-deb --fsys-tarfile "$scratch"/prometheus_*.deb |
    tar -xO ./usr/bin/promtool >/usr/local/bin/promtool
  chmod 755 /usr/local/bin/promtool
  rm -rf "$scratch"
fi
