#!/usr/bin/env bash
# Builds the container image with podman and smoke-tests it, with no Docker engine and no
# registry but Debian's: the debian:bookworm-slim base is made here with debootstrap and
# imported, the image is built with chroot isolation, then mounted and its binary run with
# chroot (as the image's user): --version, /health, the HEALTHCHECK command and an MCP
# initialize over HTTP. Prints the image size and fails above the 120 MB target.
# Usage: tests/container.sh [IMAGE_TAG]
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
image=${1:-localhost/justifi-mcp:test}
base=debian:bookworm-slim
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
max_bytes=$((120 * 1000 * 1000))

for tool in podman debootstrap curl; do
  command -v "$tool" >/dev/null || { echo "container.sh: $tool is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }
done
[[ $(id -u) -eq 0 ]] || { echo "container.sh: needs root (debootstrap, chroot, rootful podman)" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
mounted=
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n "$mounted" ]] && podman image unmount "$image" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
started=$SECONDS

# The base image, made once per machine (podman keeps it).
if ! podman image exists "$base"; then
  echo "container.sh: making $base with debootstrap from $mirror" >&2
  debootstrap --variant=minbase bookworm "$work/rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
  # What the official slim image also leaves out: the downloaded packages, apt's lists, docs,
  # manuals and translations, and (through dpkg's path-exclude) those of packages installed later.
  rm -rf "$work/rootfs/var/lib/apt/lists/"* "$work/rootfs/var/cache/apt/"*.bin "$work/rootfs/var/cache/apt/archives/"*.deb \
    "$work/rootfs/usr/share/doc/"* "$work/rootfs/usr/share/man/"* "$work/rootfs/usr/share/info/"* \
    "$work/rootfs/usr/share/locale/"*
  cat >"$work/rootfs/etc/dpkg/dpkg.cfg.d/slim" <<'DPKG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
DPKG
  tar -C "$work/rootfs" -c . | podman import --quiet - "$base" >/dev/null
  rm -rf "$work/rootfs"
fi
base_done=$SECONDS

commit=$(git -C "$here" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
podman build --isolation chroot --network host --build-arg "GIT_COMMIT=$commit" -t "$image" -f "$here/Dockerfile" \
  "$here" >"$work/build.log" 2>&1 || { tail -n 60 "$work/build.log" >&2; exit 1; }
build_done=$SECONDS

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "container.sh: image $image: $((size / 1000 / 1000)) MB ($size bytes); base $((base_done - started)) s, build $((build_done - base_done)) s"

root=$(podman image mount "$image")
mounted=yes
user=$(podman image inspect --format '{{.Config.User}}' "$image")
[[ "$user" == 10001:10001 ]] || { echo "container.sh: the image runs as \"$user\", not the non-root 10001" >&2; exit 1; }
run_in_image() { chroot --userspec="$user" "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin "$@"; }

version=$(run_in_image /usr/local/bin/justifi-mcp --version)
[[ "$version" == "justifi-mcp "*" ($commit)" ]] || { echo "container.sh: --version said \"$version\"" >&2; exit 1; }
echo "container.sh: $version"

# The image's own defaults (0.0.0.0:8080) would need the port free; the smoke test picks one.
# Not through run_in_image: a function in the background is a subshell, and the SIGTERM below
# must reach the server itself (chroot and env exec it, so it keeps this pid).
chroot --userspec="$user" "$root" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin MCP_TRANSPORT=http \
  MCP_HOST=127.0.0.1 MCP_PORT=0 MCP_AUTH=none JUSTIFI_OAUTH_VALIDATION=none /usr/local/bin/justifi-mcp 2>"$work/server.log" &
server_pid=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$work/server.log" | head -n1)
  [[ -n "$port" ]] && break
  kill -0 "$server_pid" 2>/dev/null || { echo "container.sh: the server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$port" ]] || { echo "container.sh: the server never listened" >&2; cat "$work/server.log" >&2; exit 1; }

health=$(curl -fsS --max-time 5 "http://127.0.0.1:$port/health")
[[ "$health" == OK ]] || { echo "container.sh: /health said \"$health\"" >&2; exit 1; }
run_in_image MCP_PORT="$port" /usr/local/bin/justifi-mcp health ||
  { echo "container.sh: the HEALTHCHECK command failed" >&2; exit 1; }

initialize=$(curl -fsS --max-time 5 -D "$work/headers" "http://127.0.0.1:$port/mcp" \
  -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
  -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"container-test","version":"1"}}}')
grep -q '"protocolVersion":"2025-11-25"' <<<"$initialize" ||
  { echo "container.sh: initialize answered: $initialize" >&2; exit 1; }
grep -qi '^mcp-session-id: ' "$work/headers" || { echo "container.sh: initialize gave no Mcp-Session-Id" >&2; exit 1; }

kill -TERM "$server_pid"
wait "$server_pid" || { echo "container.sh: the server did not exit 0 on SIGTERM" >&2; exit 1; }
server_pid=
echo "container.sh: --version, /health, HEALTHCHECK, initialize and SIGTERM all good"

((size <= max_bytes)) || { echo "container.sh: the image is $size bytes, over the 120 MB target" >&2; exit 1; }
