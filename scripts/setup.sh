#!/usr/bin/env bash
# Installs every Debian package vellum needs to build, test and benchmark, if it is missing.
# Safe to run again: it only calls apt-get when something is absent.
set -euo pipefail

# llvm-16 brings llvm-symbolizer, without which the clang sanitizers' reports show bare addresses.
packages=(
  build-essential cmake ninja-build pkg-config clang-format
  clang-16 libclang-rt-16-dev llvm-16
  libsqlite3-dev sqlite3 curl python3
  libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost-dev libcurl4-openssl-dev
  nlohmann-json3-dev libcli11-dev
  python3-dev pybind11-dev python3-pytest python3-cryptography nginx-light
  chromium chromium-driver python3-selenium fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
