#!/usr/bin/env bash
# Builds ucgate's container image (deploy/Containerfile) with podman on a
# machine without a container registry, then proves it without `podman run`:
#  1. the debian:bookworm-slim base, made locally with debootstrap (variant
#     minbase) from the machine's Debian mirror and `podman import`ed, unless
#     it is already there;
#  2. `podman build --isolation=chroot` (compiles ucgate: about 15 minutes on
#     2 cores);
#  3. the image's filesystem mounted read-only, and from it, under chroot as
#     uid 65532: `ucgate --emulator` on loopback, called with ucctl (health,
#     files list, project get), then stopped with SIGTERM;
#  4. the image's size, user, entrypoint and labels.
# Each step prints how long it took. Run as root. Not part of test.sh.
#   deploy/scripts/image.sh [--tag TAG] [--rebuild-base] [--base-only]
set -euo pipefail
cd "$(dirname "$0")/../.."

version=$(sed -n 's/^project(ucgate VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
tag=$version
rebuild_base=false
base_only=false
while [ $# -gt 0 ]; do
  case $1 in
    --tag) tag=$2; shift 2 ;;
    --rebuild-base) rebuild_base=true; shift ;;
    --base-only) base_only=true; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "image.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
image=localhost/ucgate:$tag
base=localhost/debian:bookworm-slim

step_started=0
step() {
  step_started=$(date +%s)
  echo
  echo "== image.sh: $*"
}
step_done() {
  echo "== image.sh: done in $(($(date +%s) - step_started)) s"
}

step "tools: podman, debootstrap"
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
podman --version
step_done

# The Debian mirror this machine's apt uses (deb822 or one-line sources).
debian_mirror() {
  local uri
  uri=$(grep -h -A3 '^Types: deb' /etc/apt/sources.list.d/*.sources 2>/dev/null |
    sed -n 's/^URIs: *//p' | grep -v -- '-security' | head -1 || true)
  if [ -z "$uri" ]; then
    uri=$(grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
      awk '$3 ~ /^bookworm$/ {print $2; exit}' || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

if $rebuild_base || ! podman image exists "$base"; then
  step "base $base: debootstrap --variant=minbase bookworm"
  mirror=$(debian_mirror)
  security=${mirror%/debian}/debian-security
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  echo "mirror: $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  # As Debian's -slim images: no documentation, manuals or translations,
  # now or from later installs.
  cat >"$rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
SLIM
  find "$rootfs/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,info,locale,groff,lintian,linda}/*
  cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
  echo 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/no-recommends"
  rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin \
    "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/log/*
  tar --numeric-owner -C "$rootfs" -c . |
    podman import --change 'CMD ["bash"]' --message "debootstrap --variant=minbase bookworm ($mirror)" - "$base" >/dev/null
  rm -rf "$rootfs"
  trap - EXIT
  podman image ls "$base"
  step_done
else
  echo "== image.sh: base $base already present (--rebuild-base makes it again)"
fi

$base_only && exit 0

step "podman build --isolation=chroot -t $image"
podman build --isolation=chroot --pull=never \
  --build-arg BASE_IMAGE="$base" \
  --build-arg BUILD_JOBS="${UCGATE_BUILD_JOBS:-2}" \
  --build-arg VERSION="$version" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -f deploy/Containerfile -t "$image" .
step_done

step "prove $image: ucgate --emulator and ucctl from its filesystem, under chroot as 65532"
# The image's filesystem, read-only as in the chart's pods. `podman image
# mount` where the storage driver allows it; an exported copy otherwise.
exported=""
if ! root=$(podman image mount "$image" 2>/dev/null); then
  exported=$(mktemp -d)
  container=$(podman create "$image")
  podman export "$container" | tar -C "$exported" -x
  podman rm "$container" >/dev/null
  root=$exported
fi
work=$(mktemp -d)
cleanup() {
  [ -n "${gateway_pid:-}" ] && kill "$gateway_pid" 2>/dev/null || true
  [ -z "$exported" ] && podman image unmount "$image" >/dev/null 2>&1 || true
  [ -n "$exported" ] && rm -rf "$exported"
  rm -rf "$work"
}
trap cleanup EXIT
echo "filesystem: $root"
# In a private mount namespace: /proc, /dev/null and /dev/urandom, and a
# fresh /tmp (the chart's emptyDir); the rest of the image stays as built.
cat >"$work/in-image.sh" <<'INNER'
set -euo pipefail
root=$1; shift
mount -t proc proc "$root/proc"
mount -t tmpfs -o size=64k,mode=755 tmpfs "$root/dev"
for node in null zero urandom random; do
  touch "$root/dev/$node"
  mount --bind "/dev/$node" "$root/dev/$node"
done
mount -t tmpfs -o size=16m tmpfs "$root/tmp"
exec chroot --userspec=65532:65532 "$root" "$@"
INNER
in_image() { unshare --mount --propagation private bash "$work/in-image.sh" "$root" "$@"; }
# The ucgate and ucctl processes of the proof share one namespace, so start
# the gateway inside it and run the calls from a script there.
cat >"$work/prove.sh" <<'PROVE'
set -euo pipefail
echo "\$ id; ls -l /usr/local/bin"
id
ls -l /usr/local/bin
echo "\$ touch /usr/local/bin/x   (the root filesystem must refuse writes)"
if touch /usr/local/bin/x 2>/dev/null; then echo "writable root!"; exit 1; fi
echo "refused"
echo "\$ ucgate --emulator --listen 127.0.0.1:0 --emulator-files 50 &"
/usr/local/bin/ucgate --emulator --listen 127.0.0.1:0 --emulator-files 50 >/tmp/ucgate.out 2>/tmp/ucgate.err &
gateway=$!
for _ in $(seq 100); do
  grep -q "ucgate: listening on" /tmp/ucgate.out && break
  sleep 0.1
done
cat /tmp/ucgate.out
target=$(sed -n 's/^ucgate: listening on //p' /tmp/ucgate.out)
[ -n "$target" ] || { cat /tmp/ucgate.err; exit 1; }
for call in "health --output text" "files list --page-size 3 --output text" "project get --output text"; do
  echo "\$ ucctl --target $target $call"
  # shellcheck disable=SC2086
  /usr/local/bin/ucctl --target "$target" $call
done
echo "\$ kill -TERM ucgate"
kill -TERM "$gateway"
wait "$gateway"
echo "ucgate exited with $?"
PROVE
in_image /bin/bash -c "$(cat "$work/prove.sh")"
step_done

step "image"
podman image inspect "$image" --format 'user: {{.Config.User}}
entrypoint: {{.Config.Entrypoint}} cmd: {{.Config.Cmd}}
env: {{.Config.Env}}
labels: {{range $k, $v := .Config.Labels}}{{$k}}={{$v}} {{end}}'
size=$(podman image inspect "$image" --format '{{.Size}}')
base_size=$(podman image inspect "$base" --format '{{.Size}}')
echo "size: $((size / 1024 / 1024)) MiB ($size bytes; base $((base_size / 1024 / 1024)) MiB)"
podman image ls "$image"
echo "== image.sh: $image is built and proved; push it with: podman push $image REGISTRY/ucgate:$tag"
