#!/usr/bin/env bash
# `make test`: the release pass, then ASan + UBSan, then TSan, each pass's tests after its build.
#
# Tests rarely keep both cores busy: they wait on child processes, sockets and deadlines. So the
# two sanitized builds compile in the background from the start, at the lowest CPU priority: they
# take only the cycles the release build and the tests leave idle, and every pass's tests still
# run at normal priority, as fast as alone. `make test-release`, `test-asan` and `test-tsan` run
# one pass by itself.
#
# Called by the Makefile after configuring all three build folders, with MAKE, ASAN_DIR,
# TSAN_DIR and JOBS set.
set -euo pipefail
: "${MAKE:=make}" "${ASAN_DIR:?}" "${TSAN_DIR:?}" "${JOBS:?}"
logs=$(mktemp -d)

# Builds folder $2 at the lowest priority, its output in $logs/$1; $logs/$1.status appears last.
build_quietly() {
  local status=0
  nice -n 19 cmake --build "$2" -j "$JOBS" >"$logs/$1" 2>&1 || status=$?
  echo "$status" >"$logs/$1.tmp" && mv "$logs/$1.tmp" "$logs/$1.status"
}

set -m  # the background builds get a process group of their own, to stop them all at once
(build_quietly asan "$ASAN_DIR" && build_quietly tsan "$TSAN_DIR") &
background=$!
set +m
trap 'kill -- -"$background" 2>/dev/null || true; rm -rf "$logs"' EXIT

# Waits for the background build $1, shows what it printed, and stops here if it failed.
await() {
  while [ ! -e "$logs/$1.status" ]; do sleep 1; done
  echo "--- the $1 build, made in the background:"
  cat "$logs/$1"
  if [ "$(cat "$logs/$1.status")" != 0 ]; then
    echo "make test: the $1 build failed (above)" >&2
    exit 1
  fi
}

$MAKE --no-print-directory test-release
await asan
$MAKE --no-print-directory test-asan
await tsan
$MAKE --no-print-directory test-tsan
