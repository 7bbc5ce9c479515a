#!/usr/bin/env bash
# Installs the Debian packages quarry needs to build and test, if any are missing.
# Idempotent: when everything is present it does nothing (and touches no network).
# Needs root to install; otherwise it prints the exact command to run and exits 1.
# Usage: install-deps.sh [--packaging]  (also the tools that build and check the .debs)
set -euo pipefail

packages=(
  # toolchain
  g++ gcc make cmake ninja-build pkgconf binutils clang-format git
  # libraries
  libopenblas-dev liblapacke-dev libfmt-dev librandom123-dev libcli11-dev nlohmann-json3-dev
  # tests (Python: the binding's tests and the CLI's NumPy-made test files)
  libgtest-dev libgmock-dev python3 python3-numpy python3-scipy python3-pytest
  # the Rust and Go bindings' tests (Debian's rustc 1.63 and Go 1.19 are enough)
  cargo golang-go
)
if [ "${1:-}" = --packaging ]; then
  packages+=(dpkg-dev debhelper lintian abigail-tools)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

command="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root: $command" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends "${missing[@]}"
