#!/usr/bin/env bash
# Installs what building and testing justifi-mcp needs on a fresh Debian 12 machine.
# Idempotent: packages already present are not asked for again, so repeat runs are quick.
set -euo pipefail

# JUSTIFI_SANITIZERS=1 (make sanitize, make fuzz): also clang 14 with its sanitizer and
# libFuzzer runtimes, and llvm-symbolizer for the reports' stack traces.
packages=(
  g++ cmake ninja-build make pkg-config ca-certificates curl openssl
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libboost-program-options1.81-dev libboost-test1.81-dev libssl-dev
  nodejs npm
  shellcheck
  # tests/container.sh: the image built with podman from a debootstrapped Debian base.
  podman debootstrap
)

if [[ -n ${JUSTIFI_SANITIZERS:-} ]]; then
  packages+=(clang-14 libclang-rt-14-dev llvm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

# nodejs from another source (nodesource) ships npm inside it; don't fight it.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == npm || "$p" == nodejs ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=sudo
  else
    sudo_cmd=
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
