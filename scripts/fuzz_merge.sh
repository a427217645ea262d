#!/usr/bin/env bash
# Keeps what long fuzzing runs reached (`make fuzz-merge`, after `make fuzz`). For every target,
# libFuzzer's -merge=1 picks the fewest inputs, from those kept before (unpacked in
# BUILD/fuzz/coverage/<target>/) and those the runs found (BUILD/fuzz/scratch/<target>/), that
# reach every feature the seeds and regression inputs do not; fuzz/coverage/<target>.tar.gz then
# holds them. The release build replays them, and `make test` fuzzes on from them, so its short
# runs start where the long ones ended.
# Usage: scripts/fuzz_merge.sh BUILD
set -euo pipefail
build=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for source in "$root"/fuzz/*_fuzz.cc; do
  t=$(basename "$source" _fuzz.cc)
  known=("$root/fuzz/corpus/$t")
  [ -d "$root/fuzz/regressions/$t" ] && known+=("$root/fuzz/regressions/$t")
  found=()
  for dir in "$build/fuzz/coverage/$t" "$build/fuzz/scratch/$t"; do
    [ -d "$dir" ] && found+=("$dir")
  done
  # libFuzzer copies into the first folder the inputs of the others that add features to it, so
  # the merge starts from a copy of the seeds and regression inputs, and keeps what it adds.
  mkdir -p "$work/$t" "$work/$t.kept"
  for dir in "${known[@]}"; do cp "$dir"/* "$work/$t/"; done
  before=$(ls "$work/$t" | sort)
  if [ ${#found[@]} -gt 0 ]; then
    "$build/fuzz/fuzz_$t" -merge=1 -timeout=10 -rss_limit_mb=2048 "$work/$t" "${found[@]}" \
      >"$work/$t.log" 2>&1 || { echo "merge $t failed:"; tail -20 "$work/$t.log"; exit 1; } >&2
  fi
  comm -13 <(echo "$before") <(ls "$work/$t" | sort) | while read -r name; do
    cp "$work/$t/$name" "$work/$t.kept/"
  done
  # The same inputs make the same bytes: names sorted, no times, owners or gzip header time.
  mkdir -p "$root/fuzz/coverage"
  tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/$t.kept" -cf - . |
    gzip -9n >"$root/fuzz/coverage/$t.tar.gz"
  echo "fuzz $t: $(ls "$work/$t.kept" | wc -l) inputs in fuzz/coverage/$t.tar.gz"
done
