#!/usr/bin/env bash
# Installs the build into a temporary prefix and builds a program against it twice: with
# CMake's find_package(vellum) and with pkg-config. Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
source=$2
prefix=$(mktemp -d /tmp/vellum-install-XXXXXX)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
test -x "$prefix/bin/vellum"
test -f "$prefix/include/vellum/ledger.h"

cmake -S "$source/tests/install" -B "$prefix/consumer" -DCMAKE_PREFIX_PATH="$prefix" \
      -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$prefix/consumer" >/dev/null
"$prefix/consumer/consumer"

PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --exists vellum
# shellcheck disable=SC2046
g++ -std=c++23 "$source/tests/install/main.cc" -o "$prefix/consumer-pc" \
    $(PKG_CONFIG_PATH="$prefix/lib/pkgconfig" pkg-config --cflags --libs vellum)
"$prefix/consumer-pc"
echo "install test: find_package and pkg-config both built and ran a program"
